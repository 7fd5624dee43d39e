import type { Dataset } from '../data/dataset.ts';
import { gaussianTeacherData } from '../data/generators.ts';
import { getLoss } from '../losses/losses.ts';
import { createModel } from '../models/registry.ts';
import { hittingTime } from '../theory/incremental.ts';
import { DEFAULT_TRAIN_SETTINGS, Trainer } from '../train/trainer.ts';

/**
 * Read-outs of incremental learning (neighbours §B) from recorded trajectories, and the diagonal separator
 * experiment. Pure functions of plain data (plus a deterministic training loop); browser-safe.
 */

/** First recorded step at which series[i] reaches `level`, or null if it never does. */
export function firstReach(steps: readonly number[], series: readonly number[], level: number): number | null {
  for (let k = 0; k < steps.length; k++) if (series[k] >= level) return steps[k];
  return null;
}

/**
 * The rule "learned one at a time" on half-times t_1..t_k (component i reaches half its target at t_i, in
 * order of decreasing target): every t_i defined and t_{i+1} ≥ factor·t_i. Returns the rule's outcome and the
 * smallest ratio t_{i+1}/t_i (NaN when some t_i is missing or zero).
 */
export function sequentialByHalfTimes(halfTimes: readonly (number | null)[], factor: number): { sequential: boolean; minRatio: number } {
  let minRatio = Infinity;
  for (let i = 0; i + 1 < halfTimes.length; i++) {
    const a = halfTimes[i], b = halfTimes[i + 1];
    if (a === null || b === null || !(a > 0)) return { sequential: false, minRatio: NaN };
    minRatio = Math.min(minRatio, b / a);
  }
  return { sequential: minRatio >= factor, minRatio };
}

/**
 * Half-times (flow time) of the singular values of P under the balanced gradient flow of deep matrix
 * factorization on the population loss ½‖P − W*‖², σ̇ = N σ^{2−2/N}(σ* − σ) (Arora et al. 2019, with aligned
 * singular vectors): N times the toy model's hitting time (whose rate is N²σ^{2−2/N}(σ* − σ)).
 */
export function flowHalfTimes(N: number, sigma0: number, targets: readonly number[]): number[] {
  return targets.map((s) => N * hittingTime(N, s, sigma0, s / 2));
}

export interface SeparatorOptions {
  d: number;
  m: number;
  /** the support of w* before normalisation, e.g. [8, 4, 2, 1] (the rest of w* is 0) */
  support: readonly number[];
  depth: number;
  seed: number;
  /** coordinate product at init: u₊ = u₋ = σ₀^{1/D} */
  sigma0: number;
  eta: number;
  lossTarget: number;
  maxSteps: number;
  /** β is read every this many steps */
  every: number;
}

export interface SeparatorRun {
  depth: number;
  seed: number;
  status: string;
  steps: number;
  lossFinal: number;
  beta: Float64Array;
  teacher: Float64Array;
  /** per support coordinate: first read step at which β_j ≥ ½β_j(T) (null: never, e.g. β_j(T) ≤ 0) */
  halfTimes: (number | null)[];
  /** the steps at which β was read, and β_j at those steps for each support coordinate j */
  readSteps: number[];
  supportTrajectories: number[][];
  /** cos(β(T), w*) */
  cosTeacher: number;
  data: Dataset;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/**
 * Gissin et al.'s diagonal separator, scaled (§B): x ~ N(0, I_d), y = sign(x·w*), w* = support/‖support‖ on the
 * first coordinates, the diagonal net β = u₊^D − u₋^D from u± = σ₀^{1/D}·1, exponential loss, full-batch GD
 * until the mean loss is below `lossTarget` (or maxSteps). β is read every `every` steps.
 */
export function runSeparator(o: SeparatorOptions): SeparatorRun {
  const teacher = new Float64Array(o.d);
  const norm = Math.hypot(...o.support);
  o.support.forEach((v, j) => (teacher[j] = v / norm));
  const data = gaussianTeacherData({ m: o.m, d: o.d, seed: o.seed, teacher });
  const model = createModel({ kind: 'diagonal', depth: o.depth }, o.d);
  const alpha = Math.pow(o.sigma0, 1 / o.depth);
  const off = { lambda: false, sharpness: false, gaussNewton: false };
  const tr = new Trainer(
    { model, loss: getLoss('exponential'), train: data, theta0: new Float64Array(model.numParams).fill(alpha) },
    {
      ...DEFAULT_TRAIN_SETTINGS,
      steps: o.maxSteps,
      lr: { eta: o.eta },
      seed: o.seed,
      stop: { lossTarget: o.lossTarget, gradNormTarget: null, divergeBound: 1e8 },
      record: { every: o.maxSteps + 1, denseUntil: 0 },
      curvature: { ...DEFAULT_TRAIN_SETTINGS.curvature, ...off, every: o.maxSteps + 1, maxIter: 20 },
    },
  );
  const k = o.support.length;
  const steps: number[] = [];
  const traj: number[][] = Array.from({ length: k }, () => []);
  const read = () => {
    const beta = model.linear!.endToEnd(tr.theta);
    steps.push(tr.currentStep);
    for (let j = 0; j < k; j++) traj[j].push(beta[j]);
  };
  read();
  while (!tr.advance(o.every)) read();
  read();
  const s = tr.summary();
  const beta = model.linear!.endToEnd(tr.theta);
  const run = { depth: o.depth, seed: o.seed, status: s.status, steps: s.steps, lossFinal: s.lossFinal, beta, teacher, halfTimes: [], readSteps: steps, supportTrajectories: traj, cosTeacher: cosine(beta, teacher), data };
  return { ...run, halfTimes: fractionTimes(run, 0.5) };
}

/** Per support coordinate: the first read step at which β_j ≥ q·β_j(T) (null: never, or β_j(T) ≤ 0). */
export function fractionTimes(run: Pick<SeparatorRun, 'beta' | 'readSteps' | 'supportTrajectories'>, q: number): (number | null)[] {
  return run.supportTrajectories.map((series, j) => (run.beta[j] > 0 ? firstReach(run.readSteps, series, q * run.beta[j]) : null));
}

/** Indices 0..k−1 sorted by half-time (ties and missing times keep index order; missing last). */
export function learningOrder(halfTimes: readonly (number | null)[]): number[] {
  const key = (t: number | null) => (t === null ? Infinity : t);
  return halfTimes.map((_, j) => j).sort((a, b) => key(halfTimes[a]) - key(halfTimes[b]) || a - b);
}

/** True when the half-times are defined and strictly increasing (coordinate j learned strictly before j+1). */
export function strictlyOrdered(halfTimes: readonly (number | null)[]): boolean {
  for (let j = 0; j + 1 < halfTimes.length; j++) {
    const a = halfTimes[j], b = halfTimes[j + 1];
    if (a === null || b === null || !(b > a)) return false;
  }
  return true;
}
