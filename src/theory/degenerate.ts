/**
 * The exact two-float recursion of theory §6: gradient descent on the two-layer (uv) network
 * f(x) = vᵀUx/√(nd) trained on degenerate data (all inputs ±x, x = (1,…,1)).
 *
 * State: f = v·a/√n and λ = (‖a‖² + ‖v‖²)/n with a = Ux/√d. After folding signs into labels the
 * data are one number: the target y (squared loss) or the fraction p of +1 labels (logistic).
 * Browser-safe: no Node imports.
 */

import { log1pExp, sigmoid } from '../losses/scalar.ts';
import { classifyPhase, type Phase } from './phase.ts';

export type TheoryLoss = 'squared' | 'logistic';

export interface DegenerateSetting {
  loss: TheoryLoss;
  /** Fraction of +1 labels, in [0, 1]; required for the logistic loss. */
  p?: number;
  /** Target of the squared loss; default 1. */
  y?: number;
  /** Width of the hidden layer. */
  n: number;
}

export interface TheoryState {
  f: number;
  lambda: number;
}

function checkSetting(s: DegenerateSetting): void {
  if (!(s.n > 0) || !Number.isFinite(s.n)) throw new RangeError(`width n must be positive, got ${s.n}`);
  if (s.loss === 'logistic') {
    if (s.p === undefined || !(s.p >= 0 && s.p <= 1)) {
      throw new RangeError(`logistic setting needs a label fraction p in [0, 1], got ${s.p}`);
    }
  } else if (s.loss === 'squared') {
    if (s.y !== undefined && !Number.isFinite(s.y)) throw new RangeError(`target y must be finite, got ${s.y}`);
  } else {
    throw new RangeError(`unknown loss ${String((s as { loss: unknown }).loss)}`);
  }
}

/** Mean loss L(f). Logistic: p·log(1+e^{−f}) + (1−p)·log(1+e^{f}); a term with weight 0 is exactly 0. */
export function lossValue(f: number, s: DegenerateSetting): number {
  if (s.loss === 'squared') {
    const r = f - (s.y ?? 1);
    return 0.5 * r * r;
  }
  const p = s.p as number;
  // Skipping zero-weight terms keeps p ∈ {0, 1} exact and avoids 0·∞ = NaN at |f| = ∞.
  return (p === 0 ? 0 : p * log1pExp(-f)) + (p === 1 ? 0 : (1 - p) * log1pExp(f));
}

/** g = L'(f). Logistic in the form (1−p)σ(f) − pσ(−f), which keeps full precision at p = 1. */
export function lossGrad(f: number, s: DegenerateSetting): number {
  if (s.loss === 'squared') return f - (s.y ?? 1);
  const p = s.p as number;
  return (1 - p) * sigmoid(f) - p * sigmoid(-f);
}

/** L''(f): 1 for squared, σ(f)σ(−f) for logistic. */
export function lossCurv(f: number, s: DegenerateSetting): number {
  return s.loss === 'squared' ? 1 : sigmoid(f) * sigmoid(-f);
}

/** (η g)²/n, the common second-order factor of both updates. */
function kick(eta: number, g: number, n: number): number {
  const eg = eta * g;
  return (eg * eg) / n;
}

// The two update formulas live only here so that every caller rounds identically. JavaScript
// evaluates left to right, so with k = ((η·g)·(η·g))/n:
//   f' = (f − (η·λ)·g) + k·f
//   λ' = (λ − (((4·η)·g)·f)/n) + k·λ
function nextF(f: number, lambda: number, eta: number, g: number, k: number): number {
  return f - eta * lambda * g + k * f;
}
function nextLambda(f: number, lambda: number, eta: number, g: number, k: number, n: number): number {
  return lambda - (4 * eta * g * f) / n + k * lambda;
}

/** One exact GD step (theory §6): f' = f − ηλg + (η²g²/n) f, λ' = λ − 4ηgf/n + (η²g²/n) λ. */
export function theoryStep(state: TheoryState, eta: number, s: DegenerateSetting): TheoryState {
  const g = lossGrad(state.f, s);
  const k = kick(eta, g, s.n);
  return { f: nextF(state.f, state.lambda, eta, g, k), lambda: nextLambda(state.f, state.lambda, eta, g, k, s.n) };
}

/**
 * Exact top (algebraic) Hessian eigenvalue of L(U, v) (theory §6):
 *   S = max(½[L''λ + √((L''λ)² + 4g(2L''f + g)/n)], |g|/√n).
 * The Hessian is L''∇f∇fᵀ + g∇²f; on span{(v,a), (a,v)} it is a 2×2 block whose trace L''λ and
 * determinant −g(2L''f + g)/n depend only on (f, λ), and elsewhere its eigenvalues are ±g/√n and 0,
 * so the value is exact for every parameter vector, not only a special init. Since the top
 * eigenvalue of the block is at least its diagonal entries (≥ ±g/√n when L'' ≥ 0), the second
 * argument of the max never wins in exact arithmetic; it only guards round-off.
 */
export function hessianTop(f: number, lambda: number, s: DegenerateSetting): number {
  const g = lossGrad(f, s);
  const h = lossCurv(f, s);
  const t = h * lambda;
  const disc = t * t + (4 * g * (2 * h * f + g)) / s.n;
  return Math.max(0.5 * (t + Math.sqrt(Math.max(0, disc))), Math.abs(g) / Math.sqrt(s.n));
}

export type TheoryStatus = 'converged' | 'diverged' | 'max-steps';

export interface TheoryLimits {
  /** Divergence when |f| exceeds this (λ > 1e8·λ0 and non-finite values also count). Default 1e8. */
  divergeBound?: number;
  /** Converged when |L'(f)| < gTol. Default 1e-12. */
  gTol?: number;
}

export interface TheorySummary {
  status: TheoryStatus;
  /** GD steps taken. */
  steps: number;
  eta: number;
  /** c = ηλ0/2. */
  c: number;
  lambda0: number;
  sharpness0: number;
  lambdaFinal: number;
  sharpnessFinal: number;
  lossInitial: number;
  lossMax: number;
  stepOfLossMax: number;
  lossFinal: number;
  fFinal: number;
  phase: Phase;
}

export interface TheoryTrajectory {
  step: Float64Array;
  f: Float64Array;
  lambda: Float64Array;
  loss: Float64Array;
  sharpness: Float64Array;
  etaLambda: Float64Array;
  etaSharpness: Float64Array;
}

export interface TheoryRunOptions extends TheoryLimits {
  setting: DegenerateSetting;
  f0: number;
  lambda0: number;
  /** Give exactly one of eta and c (η = 2c/λ0). */
  eta?: number;
  c?: number;
  /** Maximum number of GD steps. */
  steps: number;
  /** Record every this many steps (plus step 0 and the last step). Default 1. */
  recordEvery?: number;
}

export interface TheoryRun {
  status: TheoryStatus;
  eta: number;
  c: number;
  trajectory: TheoryTrajectory;
  summary: TheorySummary;
}

/** Rejects states no parameter vector realizes: |v·a| ≤ (‖a‖²+‖v‖²)/2 means |f| ≤ λ√n/2. */
function checkInit(s: DegenerateSetting, f0: number, lambda0: number): void {
  checkSetting(s);
  if (!(lambda0 > 0) || !Number.isFinite(lambda0)) throw new RangeError(`lambda0 must be positive, got ${lambda0}`);
  if (!(Math.abs(f0) <= (lambda0 * Math.sqrt(s.n)) / 2)) {
    throw new RangeError(`(f0=${f0}, lambda0=${lambda0}) is not realizable at width ${s.n}: need |f0| ≤ λ0√n/2`);
  }
}

function checkSteps(steps: number): void {
  if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer, got ${steps}`);
}

type Recorder = (step: number, f: number, lambda: number) => void;

/**
 * The single GD loop behind runTheory, sweepTheory and bifurcation: two numbers per step and a
 * running loss maximum, no allocation. `record` (if given) sees step 0, every `every`-th step and
 * the final state.
 */
function iterate(
  s: DegenerateSetting,
  f0: number,
  lambda0: number,
  eta: number,
  steps: number,
  limits: TheoryLimits,
  every = 1,
  record?: Recorder,
): TheorySummary {
  const { n } = s;
  const bound = limits.divergeBound ?? 1e8;
  const gTol = limits.gTol ?? 1e-12;
  const lambdaBound = 1e8 * lambda0;
  let f = f0;
  let lambda = lambda0;
  const lossInitial = lossValue(f0, s);
  let lossMax = lossInitial;
  let stepOfLossMax = 0;
  let status: TheoryStatus = 'max-steps';
  let t = 0;
  let recordedAt = 0;
  record?.(0, f, lambda);
  for (;;) {
    const g = lossGrad(f, s);
    if (Math.abs(g) < gTol) {
      status = 'converged';
      break;
    }
    if (t === steps) break;
    const k = kick(eta, g, n);
    const fNext = nextF(f, lambda, eta, g, k);
    lambda = nextLambda(f, lambda, eta, g, k, n);
    f = fNext;
    t++;
    const loss = lossValue(f, s);
    if (loss > lossMax) {
      lossMax = loss;
      stepOfLossMax = t;
    }
    if (!Number.isFinite(f) || !Number.isFinite(lambda) || Math.abs(f) > bound || lambda > lambdaBound) {
      status = 'diverged';
      break;
    }
    if (record !== undefined && t % every === 0) {
      record(t, f, lambda);
      recordedAt = t;
    }
  }
  if (record !== undefined && recordedAt !== t) record(t, f, lambda);
  const diverged = status === 'diverged';
  return {
    status,
    steps: t,
    eta,
    c: (eta * lambda0) / 2,
    lambda0,
    sharpness0: hessianTop(f0, lambda0, s),
    lambdaFinal: lambda,
    sharpnessFinal: hessianTop(f, lambda, s),
    lossInitial,
    lossMax,
    stepOfLossMax,
    lossFinal: lossValue(f, s),
    fFinal: f,
    phase: classifyPhase({ diverged, lossInitial, lossMax, lambda0, lambdaFinal: lambda }),
  };
}

/** Runs the recursion from (f0, λ0), recording a trajectory. */
export function runTheory(opts: TheoryRunOptions): TheoryRun {
  const { setting, f0, lambda0, steps } = opts;
  checkInit(setting, f0, lambda0);
  checkSteps(steps);
  if ((opts.eta === undefined) === (opts.c === undefined)) throw new RangeError('give exactly one of eta and c');
  const eta = opts.eta ?? (2 * (opts.c as number)) / lambda0;
  if (!(eta > 0) || !Number.isFinite(eta)) throw new RangeError(`learning rate must be positive, got ${eta}`);
  const every = opts.recordEvery ?? 1;
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`recordEvery must be a positive integer, got ${every}`);

  const ts: number[] = [];
  const fs: number[] = [];
  const lambdas: number[] = [];
  const summary = iterate(setting, f0, lambda0, eta, steps, opts, every, (t, f, lambda) => {
    ts.push(t);
    fs.push(f);
    lambdas.push(lambda);
  });
  const m = ts.length;
  const trajectory: TheoryTrajectory = {
    step: Float64Array.from(ts),
    f: Float64Array.from(fs),
    lambda: Float64Array.from(lambdas),
    loss: new Float64Array(m),
    sharpness: new Float64Array(m),
    etaLambda: new Float64Array(m),
    etaSharpness: new Float64Array(m),
  };
  for (let i = 0; i < m; i++) {
    const f = trajectory.f[i];
    const lambda = trajectory.lambda[i];
    const sharp = hessianTop(f, lambda, setting);
    trajectory.loss[i] = lossValue(f, setting);
    trajectory.sharpness[i] = sharp;
    trajectory.etaLambda[i] = eta * lambda;
    trajectory.etaSharpness[i] = eta * sharp;
  }
  return { status: summary.status, eta, c: summary.c, trajectory, summary };
}

/** Summaries for each c (η = 2c/λ0), identical to runTheory's, without recording trajectories. */
export function sweepTheory(
  setting: DegenerateSetting,
  f0: number,
  lambda0: number,
  cs: readonly number[],
  steps: number,
  limits: TheoryLimits = {},
): TheorySummary[] {
  checkInit(setting, f0, lambda0);
  checkSteps(steps);
  return cs.map((c) => iterate(setting, f0, lambda0, (2 * c) / lambda0, steps, limits));
}

export interface Boundaries {
  /** Largest c of the lazy phase (null: none predicted). */
  cLazy: number | null;
  /** First divergent c (null: no width-independent prediction). */
  cMax: number | null;
  note: string;
}

/** Phase boundaries in c = ηλ0/2 predicted by theory §5 for this setting. */
export function predictedBoundaries(setting: DegenerateSetting): Boundaries {
  checkSetting(setting);
  if (setting.loss === 'squared') {
    return { cLazy: 1, cMax: 2, note: 'squared loss, large n: lazy c < 1, catapult 1 < c < 2, divergent c > 2' };
  }
  const p = setting.p as number;
  if (p === 0 || p === 1) return { cLazy: null, cMax: null, note: 'separable: no catapult' };
  return {
    cLazy: 1 / (p * (1 - p)),
    cMax: null,
    note: 'logistic, non-separable: lazy c < 1/(p(1−p)); divergence is width-dependent (η²/n = O(1))',
  };
}

export interface BifurcationOptions extends TheoryLimits {
  /** Steps discarded before recording. */
  transient: number;
  /** States recorded: steps transient, …, transient + keep − 1. */
  keep: number;
}

export interface BifurcationBranch {
  c: number;
  eta: number;
  /** NaN after a divergence. */
  f: Float64Array;
  lambda: Float64Array;
  diverged: boolean;
}

/** Late-time states (f, λ) for each c, for a bifurcation diagram (theory §9). Never stops early on convergence. */
export function bifurcation(
  setting: DegenerateSetting,
  f0: number,
  lambda0: number,
  cs: readonly number[],
  opts: BifurcationOptions,
): BifurcationBranch[] {
  checkInit(setting, f0, lambda0);
  const { transient, keep } = opts;
  checkSteps(transient);
  if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, got ${keep}`);
  const limits: TheoryLimits = { divergeBound: opts.divergeBound, gTol: 0 };
  return cs.map((c) => {
    const eta = (2 * c) / lambda0;
    const f = new Float64Array(keep).fill(NaN);
    const lambda = new Float64Array(keep).fill(NaN);
    const summary = iterate(setting, f0, lambda0, eta, transient + keep - 1, limits, 1, (t, ft, lt) => {
      if (t >= transient) {
        f[t - transient] = ft;
        lambda[t - transient] = lt;
      }
    });
    const diverged = summary.status === 'diverged';
    // A divergent state may be finite but out of bounds; keep only states inside the bounds.
    if (diverged && summary.steps >= transient) {
      f[summary.steps - transient] = NaN;
      lambda[summary.steps - transient] = NaN;
    }
    return { c, eta, f, lambda, diverged };
  });
}
