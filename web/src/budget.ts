/**
 * What a setting will cost before it runs: memory (parameters, the Lanczos basis of the
 * sharpness, data, activations) and time (initial curvature, steps, curvature measurements).
 * The page refuses a setting above MEMORY_LIMIT and asks before one above TIME_LIMIT_S.
 *
 * Memory follows the core's allocations: the sharpness's Lanczos keeps its whole Krylov basis
 * (curvature.maxIter + 1 vectors of P numbers, src/curvature/lanczos.ts), the NTK's one the same
 * of m numbers. Time is an order-of-magnitude model (ns per sample × parameter, fitted to Node
 * runs of Gaussian data on a 2-core machine; degenerate data run faster): good enough to tell a
 * second from an hour, not a stopwatch. Pure.
 */
import type { ExplorerState } from './state.ts';

/** Above this the page refuses to run (a tab's workers; wasm32 memories top out at 4 GiB). */
export const MEMORY_LIMIT = 2 * 1024 ** 3;
/** Above this estimated wall time the page asks before running. */
export const TIME_LIMIT_S = 60;

/** Lanczos iterations per curvature measurement (the explorer's curvature.maxIter, the core's default). */
const LANCZOS_MAX_ITER = 40;
/** Working vectors of P numbers besides the Lanczos basis: θ, gradient, HVP in/out, warm starts, scratch. */
const WORK_VECTORS = 8;
/** Time model, nanoseconds per (sample × parameter): a GD step, one curvature measurement (λ and S), the init (λ0, S0). */
const NS_STEP = 0.6;
const NS_CURVATURE = 5;
const NS_INIT = 15;
/** Fixed costs: per step, per measurement, per run (worker start, data, wasm). */
const NS_STEP_FIXED = 50e3;
const NS_CURVATURE_FIXED = 2e6;
const NS_INIT_FIXED = 50e6;
/** Exact recursion: nanoseconds per c value × step (detmath's exp/log; grid plus bifurcation). */
const NS_THEORY_STEP = 200;
/** Bifurcation diagram: late-time states kept per c (main.ts asks for 64). */
const BIFURCATION_KEEP = 64;

export interface DataShape {
  m: number;
  d: number;
}

/** Samples and input dimension of a state's training data (MNIST: the built-in subset). */
export function dataShape(s: Pick<ExplorerState, 'data' | 'm' | 'd'>): DataShape {
  return s.data === 'mnist' ? { m: 500, d: 784 } : { m: s.m, d: s.d };
}

/** Parameters of the deep linear net: width×d, (depth−2)·width², then the width-vector v. */
export function paramCount(d: number, width: number, depth: number): number {
  return width * d + (depth - 2) * width * width + width;
}

export interface RunCost {
  params: number;
  m: number;
  d: number;
  /** bytes, by part */
  /** `trajectory`: the diagonal model's β at every recorded step, kept by the worker and the page (0 for the deep linear net) */
  memory: { lanczos: number; vectors: number; data: number; activations: number; trajectory: number; total: number };
  /** seconds, by part */
  seconds: { init: number; steps: number; curvature: number; total: number };
}

export function estimateRun(s: Pick<ExplorerState, 'data' | 'm' | 'd' | 'depth' | 'width' | 'steps' | 'curv' | 'dense'> & Partial<Pick<ExplorerState, 'model' | 'every'>>): RunCost {
  const { m, d } = dataShape(s);
  const diagonal = s.model === 'diagonal';
  // the diagonal net has 2d parameters (u₊, u₋) and no hidden layers
  const P = diagonal ? 2 * d : paramCount(d, s.width, s.depth);
  const lanczos = 8 * (LANCZOS_MAX_ITER + 1) * (P + m);
  const vectors = 8 * WORK_VECTORS * P;
  // MNIST keeps its 200-image test set too
  const data = 8 * (m + (s.data === 'mnist' ? 200 : 0)) * (d + 1);
  // forward activations of every layer, and their backward / directional counterparts
  const activations = diagonal ? 8 * 4 * m : 8 * 2 * m * s.width * (s.depth - 1) + 8 * 4 * m;
  const records = Math.min(s.steps, s.dense) + Math.ceil(Math.max(0, s.steps - s.dense) / (s.every ?? 1)) + 1;
  const trajectory = diagonal ? 2 * 8 * records * d : 0;
  const mP = m * P;
  const measurements = Math.min(s.steps, s.dense) + Math.ceil(Math.max(0, s.steps - s.dense) / s.curv) + 1;
  const init = (NS_INIT * mP + NS_INIT_FIXED) / 1e9;
  const steps = (s.steps * (NS_STEP * mP + NS_STEP_FIXED)) / 1e9;
  const curvature = (measurements * (NS_CURVATURE * mP + NS_CURVATURE_FIXED)) / 1e9;
  return {
    params: P,
    m,
    d,
    memory: { lanczos, vectors, data, activations, trajectory, total: lanczos + vectors + data + activations + trajectory },
    seconds: { init, steps, curvature, total: init + steps + curvature },
  };
}

/** A sweep runs `workers` runs at once: memory adds up over them, time divides. */
export function estimateSweep(s: Parameters<typeof estimateRun>[0] & Pick<ExplorerState, 'cn'>, workers: number): { run: RunCost; concurrent: number; memory: number; seconds: number } {
  const run = estimateRun(s);
  const concurrent = Math.max(1, Math.min(workers, s.cn));
  return { run, concurrent, memory: run.memory.total * concurrent, seconds: (run.seconds.total * Math.ceil(s.cn / concurrent)) };
}

/** The exact recursion for tn values of c: tsteps each, then tsteps + 63 for the bifurcation diagram. */
export function estimateTheory(s: Pick<ExplorerState, 'tn' | 'tsteps'>): { seconds: number; memory: number } {
  const seconds = (s.tn * (2 * s.tsteps + BIFURCATION_KEEP) * NS_THEORY_STEP) / 1e9;
  return { seconds, memory: 8 * s.tn * (2 * BIFURCATION_KEEP + 4) };
}

export const formatBytes = (b: number): string =>
  b >= 1024 ** 3 ? `${(b / 1024 ** 3).toPrecision(3)} GB` : b >= 1024 ** 2 ? `${(b / 1024 ** 2).toPrecision(3)} MB` : `${Math.max(1, Math.round(b / 1024))} kB`;

export const formatSeconds = (s: number): string =>
  s >= 3600 ? `${(s / 3600).toPrecision(2)} h` : s >= 90 ? `${Math.round(s / 60)} min` : s >= 1 ? `${Math.round(s)} s` : '< 1 s';

export interface Verdict {
  /** 'run': within both limits; 'ask': over the time limit; 'refuse': over the memory limit */
  action: 'run' | 'ask' | 'refuse';
  title: string;
  lines: string[];
}

/** What to do with a run's cost, and the words for it (naming the fields that drive it). */
export function judgeRun(cost: RunCost, what = 'this setting', copies = 1, seconds = cost.seconds.total): Verdict {
  const mem = cost.memory.total * copies;
  const parts = [
    `${cost.params.toLocaleString('en-US')} parameters (depth, width, d): ${formatBytes(cost.memory.lanczos * copies)} for the sharpness's Lanczos basis (${LANCZOS_MAX_ITER + 1} vectors of every parameter)${copies > 1 ? ` in ${copies} workers at once` : ''}`,
    `data (m = ${cost.m}, d = ${cost.d}) ${formatBytes(cost.memory.data * copies)}, activations (m, width, depth) ${formatBytes(cost.memory.activations * copies)}`,
    ...(cost.memory.trajectory > 0 ? [`β at every recorded step (d, steps, record every) ${formatBytes(cost.memory.trajectory * copies)}`] : []),
  ];
  if (mem > MEMORY_LIMIT) {
    return {
      action: 'refuse',
      title: `Not run: ${what} needs about ${formatBytes(mem)} of memory; the explorer's limit is ${formatBytes(MEMORY_LIMIT)}.`,
      lines: [...parts, 'Lower the width, the depth, m or d (the CLI has no such limit).'],
    };
  }
  if (seconds > TIME_LIMIT_S) {
    return {
      action: 'ask',
      title: `${what[0]!.toUpperCase()}${what.slice(1)} would take about ${formatSeconds(seconds)} (estimate; the explorer asks above ${formatSeconds(TIME_LIMIT_S)}).`,
      lines: [`Initial curvature ${formatSeconds(cost.seconds.init)}, ${formatSeconds(cost.seconds.steps)} of steps, ${formatSeconds(cost.seconds.curvature)} of curvature measurements; memory about ${formatBytes(mem)}.`, 'Stop ends it at any time.'],
    };
  }
  return { action: 'run', title: '', lines: [] };
}

export function judgeTheory(s: Pick<ExplorerState, 'tn' | 'tsteps'>): Verdict {
  const t = estimateTheory(s);
  if (t.seconds > TIME_LIMIT_S) {
    return {
      action: 'ask',
      title: `The theory grid would take about ${formatSeconds(t.seconds)} (estimate: ${s.tn.toLocaleString('en-US')} values of c × ${s.tsteps.toLocaleString('en-US')} steps, twice).`,
      lines: ['It shows its progress, and Stop ends it at any time.'],
    };
  }
  return { action: 'run', title: '', lines: [] };
}
