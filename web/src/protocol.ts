/** Messages between the page and its workers (structured-cloned; typed arrays transferred). */
import type { Phase, RunSummary } from '../../src/index.ts';
import type { MaxMarginRefs } from './diagonalReadouts.ts';

export interface RunRequest {
  type: 'run';
  id: number;
  /** unresolved explorer run config (stateToRunInput) */
  config: Record<string, unknown>;
  /** stream metric rows in chunks (live run) or only answer at the end (sweep) */
  stream: boolean;
  /** also return all metric rows at the end (stream: false) */
  withMetrics?: boolean;
  /** compute the exact theory prediction when it applies */
  withTheory: boolean;
  /** absolute URL of the MNIST subset's folder (needed for data.kind = 'mnist') */
  dataUrl: string;
  /** target wall time of one training chunk between messages */
  chunkMs?: number;
}

export interface StopRequest {
  type: 'stop';
  id: number;
}

export interface TheoryRequest {
  type: 'theory';
  id: number;
  /** unresolved run config of a degenerate-data uv-net setting (for f0, λ0 at init) */
  config: Record<string, unknown>;
  cs: number[];
  steps: number;
  /** late-time states of steps transient … transient+keep−1, rasterized to width × height pixels */
  bifurcation: { variable: 'f' | 'lambda'; transient: number; keep: number; width: number; height: number };
  dataUrl: string;
}

export type WorkerRequest = RunRequest | StopRequest | TheoryRequest | MaxMarginRequest;

export interface TheoryOverlay {
  phase: Phase;
  status: string;
  lambdaFinal: number;
  etaSharpnessFinal: number;
  f0: number;
  p: number | null;
  y: number | null;
  cLazy: number | null;
  cMax: number | null;
  cDiverge: number | null;
  note: string;
  loss: Float64Array;
  lambda: Float64Array;
  etaSharpness: Float64Array;
  etaLambda: Float64Array;
}

export interface RunStarted {
  type: 'start';
  id: number;
  eta: number;
  c: number;
  lambda0: number;
  sharpness0: number;
  dataName: string;
  m: number;
  d: number;
  numParams: number;
  backend: 'js' | 'wasm';
  initMs: number;
  /** the resolved config (what the CLI would be given) */
  resolved: unknown;
  theory: TheoryOverlay | null;
  /** diagonal model: its rows carry β and γ (DiagonalRows); null otherwise */
  diagonal: { d: number } | null;
}

/** Diagonal model: per streamed row, β (d numbers, row-major) and its min margin γ. */
export interface DiagonalRows {
  d: number;
  beta: Float64Array;
  gamma: Float64Array;
}

/**
 * The diagonal model's max-margin references of a run's training data, on a worker of their own (HiGHS
 * takes from ≈ 0.5 s for m = 50, d = 20 to ≈ 20 s for the MNIST subset: the run does not wait for it).
 */
export interface MaxMarginRequest {
  type: 'max-margin';
  id: number;
  /** unresolved explorer run config (its data and seed give the training set) */
  config: Record<string, unknown>;
  dataUrl: string;
}

export interface MaxMarginDone {
  type: 'max-margin-done';
  id: number;
  refs: MaxMarginRefs;
}

export interface RunRows {
  type: 'rows';
  id: number;
  /** rows replace the page's rows from this index on (the trainer may re-measure the last row) */
  from: number;
  /** row-major, METRIC_COLUMNS.length numbers per row */
  rows: Float64Array;
  /** the diagonal model's read-outs of the same rows */
  diagonal?: DiagonalRows;
  step: number;
  trainMs: number;
}

export interface RunDone {
  type: 'done';
  id: number;
  summary: RunSummary;
  steps: number;
  trainMs: number;
  initMs: number;
  rows?: Float64Array;
}

export interface TheoryDone {
  type: 'theory-done';
  id: number;
  lambda0: number;
  f0: number;
  setting: { loss: string; p: number | null; y: number | null; n: number };
  cLazy: number | null;
  cMax: number | null;
  note: string;
  cs: Float64Array;
  /** 0 lazy, 1 catapult, 2 divergent */
  phase: Uint8Array;
  lambdaFinal: Float64Array;
  etaSharpnessFinal: Float64Array;
  /** bifurcation density, width × height pixels, row 0 at the top (y = yMax) */
  density: Uint8Array;
  width: number;
  height: number;
  /** phase code of the last c in each pixel column */
  colPhase: Uint8Array;
  yMin: number;
  yMax: number;
  ms: number;
}

/** A long request's progress (theory grids): `done` of `total` units of work. */
export interface Progress {
  type: 'progress';
  id: number;
  done: number;
  total: number;
}

export interface WorkerError {
  type: 'error';
  id: number;
  message: string;
}

export type WorkerMessage = RunStarted | RunRows | RunDone | TheoryDone | Progress | WorkerError | MaxMarginDone;

export const PHASES: readonly Phase[] = ['lazy', 'catapult', 'divergent'];
