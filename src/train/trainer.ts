import { dot, maxAbs } from '../linalg/blas.ts';
import { powInt } from '../linalg/detmath.ts';
import { deriveSeed, Rng } from '../linalg/prng.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Loss } from '../losses/losses.ts';
import type { DeepLinear, Evaluation } from '../models/deepLinear.ts';
import { measureCurvature, type CurvatureEstimate, type CurvatureKind } from '../curvature/modelOperators.ts';
import { classifyPhase, type Phase } from '../theory/phase.ts';
import { accuracy, emptyRow, type MetricRow } from './metrics.ts';
import { compilePolicy, isAbsolute, type LrPolicy } from './lr/policy.ts';
import { restrictedCurvature } from '../curvature/restricted.ts';
import { Optimizer, type OptimizerSpec } from './optimizer.ts';
import { confidence } from './policyMetrics.ts';

/** Learning rate: η directly, or c with η = 2c/λ0 (λ0 measured at init, theory §1). */
export type LearningRate = { eta: number } | { c: number };

export interface TrainSettings {
  /** Number of GD steps T (metrics exist for steps 0..T). */
  steps: number;
  lr: LearningRate;
  /** η_t = η·k(t) (or k(t) itself when the policy is absolute); default constant */
  schedule?: LrPolicy;
  /** Seeds everything random in the trainer (mini-batch order, Lanczos start vectors). */
  seed: number;
  /** null: full-batch GD; k: SGD on mini-batches of k from a seeded shuffle per epoch. */
  batchSize: number | null;
  /** update rule: GD (default), heavy-ball or Nesterov momentum (src/train/optimizer.ts) */
  optimizer?: OptimizerSpec;
  stop: {
    /** Stop when the training loss ≤ this. */
    lossTarget: number | null;
    /** Stop when ‖∇L‖ ≤ this. */
    gradNormTarget: number | null;
    /** Diverged when any |f_α| exceeds this (or anything is non-finite). */
    divergeBound: number;
  };
  record: {
    /** Record metrics every `every` steps... */
    every: number;
    /** ...and at every step before this one (catapults happen early). */
    denseUntil: number;
  };
  curvature: {
    lambda: boolean;
    sharpness: boolean;
    gaussNewton: boolean;
    /** β-space curvature, whole and restricted to problem.nonSeparableBasis (theory §7) */
    restricted?: boolean;
    /** Measure curvature at recorded steps that are multiples of this (and at the first/last). */
    every: number;
    maxIter: number;
    tol: number;
  };
}

export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  steps: 1000,
  lr: { c: 1 },
  seed: 0,
  batchSize: null,
  stop: { lossTarget: null, gradNormTarget: null, divergeBound: 1e8 },
  record: { every: 10, denseUntil: 100 },
  curvature: { lambda: true, sharpness: true, gaussNewton: true, every: 10, maxIter: 40, tol: 1e-7 },
};

export interface TrainProblem {
  model: DeepLinear;
  loss: Loss;
  train: Dataset;
  test?: Dataset;
  /** Initial parameters; the trainer works on a copy. */
  theta0: Float64Array;
  /** Orthonormal basis of the non-separable subspace of the training data (src/data/separability.ts). */
  nonSeparableBasis?: Float64Array[];
}

export type RunStatus = 'max-steps' | 'loss-target' | 'grad-target' | 'diverged';

export interface SolverReport {
  value: number;
  residual: number;
  iterations: number;
  converged: boolean;
}

export interface RunSummary {
  status: RunStatus;
  /** Last step reached (metrics exist for it). */
  steps: number;
  eta: number;
  c: number;
  lambda0: number;
  sharpness0: number;
  sharpnessGN0: number;
  lambdaFinal: number;
  sharpnessFinal: number;
  sharpnessGNFinal: number;
  etaSharpnessFinal: number;
  lossInitial: number;
  lossMax: number;
  stepOfLossMax: number;
  lossFinal: number;
  accuracyFinal: number;
  testLossFinal: number | null;
  testAccuracyFinal: number | null;
  /** mean and std of the predicted-class probability σ(y·f) over correctly classified test samples (src/train/policyMetrics.ts) */
  testConfidenceMean: number | null;
  testConfidenceStd: number | null;
  phase: Phase;
  /** Step at which divergence was detected, else null. */
  divergedAt: number | null;
  /** Eigen-solver evidence for the initial and final curvatures. */
  solver: Record<string, SolverReport>;
}

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
}

const KINDS: { key: 'lambda' | 'sharpness' | 'sharpnessGN'; kind: CurvatureKind; flag: 'lambda' | 'sharpness' | 'gaussNewton' }[] = [
  { key: 'lambda', kind: 'ntk', flag: 'lambda' },
  { key: 'sharpness', kind: 'hessian', flag: 'sharpness' },
  { key: 'sharpnessGN', kind: 'gauss-newton', flag: 'gaussNewton' },
];

function report(e: CurvatureEstimate): SolverReport {
  return { value: e.value, residual: e.residual, iterations: e.iterations, converged: e.converged };
}

/**
 * Gradient descent on a deep linear network with metrics and curvature along the way.
 * Run it to the end with `run()`, or in chunks with `advance(k)` (the browser worker streams
 * rows between chunks). Deterministic: same problem and settings → bit-identical metrics.
 */
export class Trainer {
  readonly problem: TrainProblem;
  readonly settings: TrainSettings;
  readonly theta: Float64Array;
  readonly metrics: MetricRow[] = [];
  readonly eta: number;
  readonly lambda0: number;
  readonly sharpness0: number;
  readonly sharpnessGN0: number;
  private readonly solver: Record<string, SolverReport> = {};
  /** k(t) of the schedule (null: constant η) */
  private readonly lrFactor: ((t: number) => number) | null;
  private readonly lrAbsolute: boolean;
  private readonly optimizer: Optimizer;
  private readonly warm = new Map<CurvatureKind, Float64Array>();
  private readonly batchRng: Rng;
  private order: Int32Array | null = null;
  private orderPos = 0;
  private step = 0;
  private ev: Evaluation;
  private lossInitial: number;
  private lossMax: number;
  private stepOfLossMax = 0;
  private status: RunStatus | null = null;
  private divergedAt: number | null = null;

  constructor(problem: TrainProblem, settings: TrainSettings) {
    validateSettings(settings);
    const { model, train } = problem;
    model.checkTheta(problem.theta0);
    model.checkData(train);
    if (problem.test) model.checkData(problem.test);
    if (settings.batchSize !== null && settings.batchSize > train.m) {
      throw new RangeError(`batchSize ${settings.batchSize} exceeds the ${train.m} training samples`);
    }
    this.problem = problem;
    this.settings = settings;
    this.lrFactor = settings.schedule ? compilePolicy(settings.schedule) : null;
    this.lrAbsolute = settings.schedule ? isAbsolute(settings.schedule) : false;
    this.optimizer = new Optimizer(model, settings.optimizer);
    // In kernel memory for large networks (see DeepLinear.allocParams): the weight passes then run as wasm SIMD.
    this.theta = model.allocParams(problem.theta0);
    this.batchRng = new Rng(deriveSeed(settings.seed, 'batches'));
    this.ev = model.evaluate(this.theta, train, problem.loss);
    this.lossInitial = this.ev.value;
    this.lossMax = this.ev.value;
    if (!Number.isFinite(this.ev.value)) throw new RangeError(`the initial loss is not finite (${this.ev.value}); check the data and the initialization`);
    // Initial curvatures are always measured: λ0 fixes η from c, and the phase needs λ0.
    const init: Record<string, CurvatureEstimate> = {};
    for (const k of KINDS) init[k.key] = this.curvature(k.kind);
    this.lambda0 = init.lambda.value;
    this.sharpness0 = init.sharpness.value;
    this.sharpnessGN0 = init.sharpnessGN.value;
    for (const k of KINDS) this.solver[`${k.key}0`] = report(init[k.key]);
    this.eta = 'eta' in settings.lr ? settings.lr.eta : (2 * settings.lr.c) / this.lambda0;
    if (!(this.eta > 0) || !Number.isFinite(this.eta)) throw new RangeError(`learning rate η must be a positive finite number, got ${this.eta}`);
    this.recordRow(init);
  }

  get currentStep(): number {
    return this.step;
  }

  get done(): boolean {
    return this.status !== null;
  }

  /** Do up to `maxSteps` more steps; returns true when the run has ended. */
  advance(maxSteps: number, onProgress?: (p: TrainProgress) => void): boolean {
    const { model, train, loss } = this.problem;
    const { steps, batchSize, stop } = this.settings;
    for (let k = 0; k < maxSteps && this.status === null; k++) {
      // stopping tests at θ_t (the row for step t is already recorded)
      if (stop.lossTarget !== null && this.ev.value <= stop.lossTarget) {
        this.status = 'loss-target';
        break;
      }
      if (stop.gradNormTarget !== null && model.gradNorm(this.ev) <= stop.gradNormTarget) {
        this.status = 'grad-target';
        break;
      }
      if (this.step >= steps) {
        this.status = 'max-steps';
        break;
      }
      const eta = this.etaAt(this.step);
      this.optimizer.step(batchSize === null ? this.ev : model.evaluate(this.theta, train, loss, this.nextBatch(batchSize)), eta);
      this.step++;
      this.ev = model.evaluate(this.theta, train, loss);
      if (this.isDiverged(this.ev)) {
        this.status = 'diverged';
        this.divergedAt = this.step;
        this.recordRow({});
        break;
      }
      if (this.ev.value > this.lossMax) {
        this.lossMax = this.ev.value;
        this.stepOfLossMax = this.step;
      }
      if (this.isRecordStep(this.step)) this.recordRow(this.curvaturesDue(this.step) ? this.allCurvatures() : {});
      onProgress?.({ step: this.step, steps, loss: this.ev.value });
    }
    if (this.status !== null && this.status !== 'diverged') this.finishRow();
    return this.status !== null;
  }

  /** Run to the end. */
  run(onProgress?: (p: TrainProgress) => void): RunSummary {
    while (!this.advance(this.settings.steps + 1, onProgress));
    return this.summary();
  }

  /** Summary of a finished run (theory §5 phase, initial/peak/final values). */
  summary(): RunSummary {
    if (this.status === null) throw new Error('summary() before the run ended');
    const last = this.metrics[this.metrics.length - 1];
    const diverged = this.status === 'diverged';
    const lambdaFinal = diverged ? NaN : last.lambda;
    const sharpnessFinal = diverged ? NaN : last.sharpness;
    const conf = this.problem.test && !diverged ? confidence(this.problem.model.predict(this.theta, this.problem.test), this.problem.test.y) : null;
    return {
      status: this.status,
      steps: this.step,
      eta: this.eta,
      // the configured c exactly when the rate was given as c (η·λ0/2 need not round-trip to it)
      c: 'eta' in this.settings.lr ? (this.eta * this.lambda0) / 2 : this.settings.lr.c,
      lambda0: this.lambda0,
      sharpness0: this.sharpness0,
      sharpnessGN0: this.sharpnessGN0,
      lambdaFinal,
      sharpnessFinal,
      sharpnessGNFinal: diverged ? NaN : last.sharpnessGN,
      etaSharpnessFinal: this.etaAt(this.step) * sharpnessFinal,
      lossInitial: this.lossInitial,
      lossMax: this.lossMax,
      stepOfLossMax: this.stepOfLossMax,
      lossFinal: last.loss,
      accuracyFinal: last.accuracy,
      testLossFinal: this.problem.test ? last.testLoss : null,
      testAccuracyFinal: this.problem.test ? last.testAccuracy : null,
      testConfidenceMean: conf ? conf.mean : null,
      testConfidenceStd: conf ? conf.std : null,
      phase: classifyPhase({ diverged, lossInitial: this.lossInitial, lossMax: this.lossMax, lambda0: this.lambda0, lambdaFinal }),
      divergedAt: this.divergedAt,
      solver: { ...this.solver },
    };
  }

  /** Learning rate at step t (the schedule's multiple of η, or its absolute rate). */
  etaAt(t: number): number {
    if (this.lrFactor === null) return this.eta;
    return this.lrAbsolute ? this.lrFactor(t) : this.eta * this.lrFactor(t);
  }

  private isDiverged(ev: Evaluation): boolean {
    const big = maxAbs(ev.f);
    return !Number.isFinite(ev.value) || !(big <= this.settings.stop.divergeBound);
  }

  private isRecordStep(t: number): boolean {
    const { every, denseUntil } = this.settings.record;
    return t < denseUntil || t % every === 0;
  }

  private curvaturesDue(t: number): boolean {
    return t % this.settings.curvature.every === 0 || t < this.settings.record.denseUntil;
  }

  /** The last row must carry curvature (λ_T decides the phase): measure it if it does not. */
  private finishRow(): void {
    const last = this.metrics[this.metrics.length - 1];
    if (last.step === this.step && !Number.isNaN(last.lambda)) {
      this.solver.lambdaFinal ??= { value: last.lambda, residual: NaN, iterations: 0, converged: true };
      return;
    }
    if (last.step === this.step) this.metrics.pop();
    const est: Record<string, CurvatureEstimate> = {};
    for (const k of KINDS) est[k.key] = this.curvature(k.kind);
    for (const k of KINDS) this.solver[`${k.key}Final`] = report(est[k.key]);
    this.recordRow(est);
  }

  private allCurvatures(): Record<string, CurvatureEstimate> {
    const out: Record<string, CurvatureEstimate> = {};
    for (const k of KINDS) if (this.settings.curvature[k.flag]) out[k.key] = this.curvature(k.kind);
    return out;
  }

  private curvature(kind: CurvatureKind): CurvatureEstimate {
    const { maxIter, tol } = this.settings.curvature;
    const est = measureCurvature(kind, this.problem.model, this.ev, { maxIter, tol, seed: deriveSeed(this.settings.seed, `lanczos-${kind}`) }, this.warm.get(kind));
    if (Number.isFinite(est.value)) this.warm.set(kind, est.vector);
    return est;
  }

  private recordRow(curv: Record<string, CurvatureEstimate | undefined>): void {
    const { model, test, loss } = this.problem;
    const ev = this.ev;
    const row = emptyRow(this.step);
    row.loss = ev.value;
    row.accuracy = accuracy(ev.f, ev.data.y);
    row.gradNorm = model.gradNorm(ev);
    const pn = Math.sqrt(dot(this.theta.length, this.theta, 0, this.theta, 0));
    row.paramNorm = pn;
    let fSum = 0, mSum = 0, mMin = Infinity;
    const y = ev.data.y;
    for (let i = 0; i < ev.f.length; i++) {
      fSum += ev.f[i];
      const mg = y[i] * ev.f[i];
      mSum += mg;
      if (mg < mMin) mMin = mg;
    }
    row.fMean = fSum / ev.f.length;
    row.marginMin = mMin;
    row.marginMean = mSum / ev.f.length;
    row.normalizedMargin = mMin / powInt(pn, model.depth);
    if (test && Number.isFinite(ev.value)) {
      const ft = model.predict(this.theta, test, ev.e[0]);
      let s = 0;
      for (let i = 0; i < ft.length; i++) s += loss.value(ft[i], test.y[i]);
      row.testLoss = s / ft.length;
      row.testAccuracy = accuracy(ft, test.y);
    }
    for (const k of KINDS) {
      const e = curv[k.key];
      if (e) row[k.key] = e.value;
    }
    if (this.settings.curvature.restricted && this.problem.nonSeparableBasis && Object.keys(curv).length > 0 && Number.isFinite(ev.value)) {
      const rc = restrictedCurvature(model, ev, this.problem.nonSeparableBasis, { lanczos: { tol: this.settings.curvature.tol, maxIter: this.settings.curvature.maxIter } });
      row.betaCurvature = rc.unrestricted;
      row.betaCurvatureNonSep = rc.restricted;
    }
    const eta = this.etaAt(this.step);
    row.eta = eta;
    row.etaLambda = eta * row.lambda;
    row.etaSharpness = eta * row.sharpness;
    this.metrics.push(row);
  }

  private nextBatch(size: number): Int32Array {
    const m = this.problem.train.m;
    if (this.order === null || this.orderPos + size > m) {
      this.order = this.batchRng.shuffle(Int32Array.from({ length: m }, (_, i) => i));
      this.orderPos = 0;
    }
    const batch = this.order.subarray(this.orderPos, this.orderPos + size);
    this.orderPos += size;
    return batch;
  }
}

export function validateSettings(s: TrainSettings): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  if (!Number.isInteger(s.steps) || s.steps < 0) throw new RangeError(`steps must be a non-negative integer, got ${s.steps}`);
  positiveInt('record.every', s.record.every);
  positiveInt('curvature.every', s.curvature.every);
  positiveInt('curvature.maxIter', s.curvature.maxIter);
  if (s.batchSize !== null) positiveInt('batchSize', s.batchSize);
  if (!(s.stop.divergeBound > 0)) throw new RangeError(`stop.divergeBound must be positive, got ${s.stop.divergeBound}`);
  const lr = s.lr as { eta?: number; c?: number };
  const v = lr.eta ?? lr.c;
  if (v === undefined || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`learning rate must be a positive number (eta or c), got ${JSON.stringify(s.lr)}`);
}

/** Train to the end and return summary, metrics and final parameters. */
export function train(problem: TrainProblem, settings: TrainSettings, onProgress?: (p: TrainProgress) => void) {
  const trainer = new Trainer(problem, settings);
  const summary = trainer.run(onProgress);
  return { summary, metrics: trainer.metrics, theta: trainer.theta, trainer };
}
