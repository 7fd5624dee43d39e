import { dot, maxAbs } from '../linalg/blas.ts';
import { powInt } from '../linalg/detmath.ts';
import { deriveSeed, Rng } from '../linalg/prng.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Loss } from '../losses/losses.ts';
import type { AnyModel, ModelEvaluation as Evaluation } from '../models/model.ts';
import { curvatureOperator, measureOperator, type CurvatureKind } from '../curvature/modelOperators.ts';
import type { LinearOperator } from '../curvature/operator.ts';
import { endToEndSingularValues } from '../models/endToEndSpectrum.ts';
import { classifyPhase, type Phase } from '../theory/phase.ts';
import { accuracy, convergedColumn, CURVATURE_KEYS, emptyRow, type CurvatureKey, type MetricRow } from './metrics.ts';
import { compilePolicy, isAbsolute, type LrPolicy } from './lr/policy.ts';
import { Optimizer, type OptimizerSpec } from './optimizer.ts';
import { confidence } from './policyMetrics.ts';
import { normMarginReadouts } from './normMargin.ts';
import { srankColumns } from './srankColumns.ts';
import { regularizedObjectiveNote } from '../models/reluMlp.ts';
import type { SeparabilitySummary } from '../data/separability.ts';
import { gaussNewtonOnSamplesOperator, kappaNonSepOperator, meanSquaredNorm, restrictedCurvature } from '../curvature/restricted.ts';

/**
 * Learning rate: η directly, or c with η = 2c/λ0 (λ0 measured at init, theory §1), or with unit 'sharpness0'
 * η = 2c/S0 (S0 the loss Hessian's top eigenvalue at init: for nets whose Hessian at init is not the NTK's,
 * e.g. a diagonal net at small scale, where the u-curvature term dominates).
 */
export type LearningRate = { eta: number } | { c: number; unit?: 'lambda0' | 'sharpness0' };

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
    /** srank of every hidden representation at curvature steps (columns srank_<layer>, src/train/srankColumns.ts) */
    srank?: boolean;
    /** top k singular values of the end-to-end map (src/models/endToEndSpectrum.ts) at curvature steps; 0/absent: off */
    singularValues?: number;
  };
  curvature: {
    lambda: boolean;
    sharpness: boolean;
    gaussNewton: boolean;
    /**
     * Curvature on the non-separable part of the data (theory §7; needs problem.nonSeparableBasis and
     * problem.nonSeparableIndices): κ_V, S_GN,N, and the β-space curvature, whole and restricted to V.
     */
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
  model: AnyModel;
  loss: Loss;
  train: Dataset;
  test?: Dataset;
  /** Initial parameters; the trainer works on a copy. */
  theta0: Float64Array;
  /** Orthonormal basis of the non-separable subspace V of the training data (src/data/separability.ts). */
  nonSeparableBasis?: Float64Array[];
  /** The non-separable training samples N (indices into train, ascending), for S_GN,N. */
  nonSeparableIndices?: Int32Array;
  /** The separability analysis of the training data (|I|, dim V, certificates), copied into the run summary. */
  separability?: SeparabilitySummary;
}

/** 'marks-reached': the afterStep hook ended the run (runs with marks: the last mark γ was reached, src/train/marks.ts) */
export type RunStatus = 'max-steps' | 'loss-target' | 'grad-target' | 'diverged' | 'marks-reached';

/** One eigen-solve's answer and evidence (theory §4). */
export interface SolverReport {
  value: number;
  /** true residual ‖Aq − μq‖ of the returned pair */
  residual: number;
  /** matvecs, including a retry with a larger Krylov space */
  iterations: number;
  converged: boolean;
}

/** How many eigen-solves a run did, and how many of them did not converge, per curvature quantity. */
export interface SolveCounts {
  solves: number;
  /** solves whose first Lanczos run did not converge and that were retried with a larger Krylov space */
  retried: number;
  /** solves still unconverged after the retry (their metrics rows carry <key>Converged = 0) */
  unconverged: number;
  byQuantity: Partial<Record<CurvatureKey, { solves: number; retried: number; unconverged: number }>>;
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
  /** κ_V and S_GN,N (theory §7) at init and at the end; NaN (null in JSON) unless curvature.restricted. */
  kappaNonSep0: number;
  sharpnessGNNonSep0: number;
  kappaNonSepFinal: number;
  sharpnessGNNonSepFinal: number;
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
  /**
   * Eigen-solver evidence for the initial (`<key>0`) and final (`<key>Final`) curvatures, keys of
   * CURVATURE_KEYS (e.g. lambda0, lambdaFinal, sharpnessGNFinal, kappaNonSepFinal): the solves behind the first
   * and the last metric rows. No Final entries for a diverged run.
   */
  solver: Record<string, SolverReport>;
  /** Every curvature solve of the run (all rows), and the unconverged ones. */
  curvatureSolves: SolveCounts;
  /** The separability analysis of the training data (theory §7), when it was computed (curvature.restricted). */
  separability?: SeparabilitySummary;
  /** Present when the objective is not the plain mean loss (ReLU MLP weight decay): what it is and what includes it. */
  objective?: string;
  /** Things a reader of the results must know (e.g. η derived from an unconverged λ0); empty when none. */
  warnings: string[];
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

/** The solves behind one metric row. */
type RowCurvatures = Partial<Record<CurvatureKey, SolverReport>>;

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
  readonly kappaNonSep0: number;
  readonly sharpnessGNNonSep0: number;
  private readonly solver: Record<string, SolverReport> = {};
  /** k(t) of the schedule (null: constant η) */
  private readonly lrFactor: ((t: number) => number) | null;
  private readonly lrAbsolute: boolean;
  private readonly optimizer: Optimizer;
  private readonly counts: SolveCounts = { solves: 0, retried: 0, unconverged: 0, byQuantity: {} };
  private readonly warnings: string[] = [];
  /** Eigenvectors of the previous solve per quantity: warm starts. */
  private readonly warm = new Map<CurvatureKey, Float64Array>();
  /** The solves of the newest metric row. */
  private lastRowCurvatures: RowCurvatures = {};
  /** mean‖x_α‖² of the training data (κ_V's normalisation), computed on first use. */
  private meanSqNorm: number | null = null;
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
  /**
   * Called after every step that did not diverge, with the step and the evaluation at the new θ (the marks of
   * src/train/marks.ts watch the margins through it); returning true ends the run with status 'marks-reached'.
   */
  afterStep: ((step: number, ev: Evaluation) => boolean) | null = null;

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
    // In kernel memory for large networks (see Model.allocParams): the weight passes then run as wasm SIMD.
    this.theta = model.allocParams(problem.theta0);
    this.batchRng = new Rng(deriveSeed(settings.seed, 'batches'));
    this.ev = model.evaluate(this.theta, train, problem.loss);
    this.lossInitial = this.ev.value;
    this.lossMax = this.ev.value;
    if (!Number.isFinite(this.ev.value)) throw new RangeError(`the initial loss is not finite (${this.ev.value}); check the data and the initialization`);
    // Initial curvatures are always measured: λ0 fixes η from c, and the phase needs λ0.
    const init = this.measureCurvatures(true);
    this.lambda0 = init.lambda!.value;
    this.sharpness0 = init.sharpness!.value;
    this.sharpnessGN0 = init.sharpnessGN!.value;
    this.kappaNonSep0 = init.kappaNonSep?.value ?? NaN;
    this.sharpnessGNNonSep0 = init.sharpnessGNNonSep?.value ?? NaN;
    for (const [key, r] of Object.entries(init)) this.solver[`${key}0`] = r;
    const bySharpness = !('eta' in settings.lr) && settings.lr.unit === 'sharpness0';
    this.eta = 'eta' in settings.lr ? settings.lr.eta : (2 * settings.lr.c) / (bySharpness ? this.sharpness0 : this.lambda0);
    if (!(this.eta > 0) || !Number.isFinite(this.eta)) throw new RangeError(`learning rate η must be a positive finite number, got ${this.eta}`);
    const ref = bySharpness ? init.sharpness! : init.lambda!;
    if (!('eta' in settings.lr) && !ref.converged) {
      // A warning, not an error: the Ritz value's error is about residual²/gap, far below the residual, so η is
      // usually still accurate; but c = ηλ0/2 is then only as good as λ0, and the reader must be told.
      const l = ref;
      const name = bySharpness ? 'S0' : 'λ0';
      this.warnings.push(
        `η = 2c/${name} from an unconverged ${name} = ${l.value} (residual ${l.residual.toExponential(2)}, relative ${(l.residual / Math.abs(l.value)).toExponential(2)}, ` +
          `${l.iterations} matvecs): raise curvature.maxIter or curvature.tol`,
      );
    }
    this.recordRow(init, true);
  }

  get currentStep(): number {
    return this.step;
  }

  get done(): boolean {
    return this.status !== null;
  }

  /** The evaluation (loss, outputs f, ℓ′) at the current θ. */
  get evaluation(): Evaluation {
    return this.ev;
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
        this.recordRow({}, false);
        break;
      }
      if (this.ev.value > this.lossMax) {
        this.lossMax = this.ev.value;
        this.stepOfLossMax = this.step;
      }
      if (this.isRecordStep(this.step)) {
        const due = this.curvaturesDue(this.step);
        this.recordRow(due ? this.measureCurvatures(false) : {}, due);
      }
      onProgress?.({ step: this.step, steps, loss: this.ev.value });
      if (this.afterStep?.(this.step, this.ev)) this.status = 'marks-reached';
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
    const objective = regularizedObjectiveNote(this.problem.model);
    const conf = this.problem.test && !diverged ? confidence(this.problem.model.predict(this.theta, this.problem.test), this.problem.test.y) : null;
    const byQuantity: SolveCounts['byQuantity'] = {};
    for (const [k, v] of Object.entries(this.counts.byQuantity)) byQuantity[k as CurvatureKey] = { ...v };
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
      kappaNonSep0: this.kappaNonSep0,
      sharpnessGNNonSep0: this.sharpnessGNNonSep0,
      kappaNonSepFinal: diverged ? NaN : last.kappaNonSep,
      sharpnessGNNonSepFinal: diverged ? NaN : last.sharpnessGNNonSep,
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
      curvatureSolves: { solves: this.counts.solves, retried: this.counts.retried, unconverged: this.counts.unconverged, byQuantity },
      warnings: [...this.warnings],
      ...(this.problem.separability ? { separability: this.problem.separability } : {}),
      ...(objective !== null ? { objective } : {}),
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

  /**
   * The last row must carry every curvature (λ_T decides the phase, the summary reports the final values and
   * their solver evidence): measure what it lacks, reusing the solves it already has.
   */
  private finishRow(): void {
    const last = this.metrics[this.metrics.length - 1];
    const have: RowCurvatures = last.step === this.step ? this.lastRowCurvatures : {};
    const est: RowCurvatures = { ...have };
    for (const k of KINDS) est[k.key] ??= this.modelCurvature(k.key, k.kind);
    if (this.restrictedOn() && CURVATURE_KEYS.some((k) => k.endsWith('NonSep') && !est[k])) Object.assign(est, this.nonSeparableCurvatures());
    if (Object.keys(est).length !== Object.keys(have).length) {
      if (last.step === this.step) this.metrics.pop();
      this.recordRow(est, true);
    }
    for (const [key, r] of Object.entries(est)) this.solver[`${key}Final`] = r;
  }

  /** The curvatures due at a measurement: the enabled model curvatures (all of them with `all`), and §7's. */
  private measureCurvatures(all: boolean): RowCurvatures {
    const out: RowCurvatures = {};
    for (const k of KINDS) if (all || this.settings.curvature[k.flag]) out[k.key] = this.modelCurvature(k.key, k.kind);
    if (this.restrictedOn()) Object.assign(out, this.nonSeparableCurvatures());
    return out;
  }

  private restrictedOn(): boolean {
    return this.settings.curvature.restricted === true && this.problem.nonSeparableBasis !== undefined && Number.isFinite(this.ev.value);
  }

  private modelCurvature(key: CurvatureKey, kind: CurvatureKind): SolverReport {
    return this.solve(key, curvatureOperator(kind, this.problem.model, this.ev), `lanczos-${kind}`);
  }

  /**
   * Theory §7 at θ_t: κ_V and S_GN,N (parameter space), and the β-space curvature whole and on V. An empty V (or
   * N) gives exactly 0 without a solve (the quadratic form on {0}).
   */
  private nonSeparableCurvatures(): RowCurvatures {
    const { model, train } = this.problem;
    const basis = this.problem.nonSeparableBasis!;
    const samples = this.problem.nonSeparableIndices;
    const { tol, maxIter } = this.settings.curvature;
    const out: RowCurvatures = {};
    const rc = restrictedCurvature(model, this.ev, basis, { lanczos: { tol, maxIter, seed: deriveSeed(this.settings.seed, 'lanczos-beta') } });
    out.betaCurvature = this.count('betaCurvature', { value: rc.unrestricted, ...rc.unrestrictedSolve });
    out.betaCurvatureNonSep = this.count('betaCurvatureNonSep', { value: rc.restricted, ...rc.restrictedSolve });
    this.meanSqNorm ??= meanSquaredNorm(train);
    out.kappaNonSep = basis.length === 0 ? exactZero() : this.solve('kappaNonSep', kappaNonSepOperator(model, this.ev, basis, this.meanSqNorm), 'lanczos-kappaNonSep');
    if (samples !== undefined) {
      out.sharpnessGNNonSep = samples.length === 0 ? exactZero() : this.solve('sharpnessGNNonSep', gaussNewtonOnSamplesOperator(model, this.ev, samples), 'lanczos-sharpnessGNNonSep');
    }
    return out;
  }

  /** Top eigenvalue by Lanczos (adaptive cap, src/curvature/modelOperators.ts), warm-started from the last solve. */
  private solve(key: CurvatureKey, op: LinearOperator, seedName: string): SolverReport {
    const { maxIter, tol } = this.settings.curvature;
    const est = measureOperator(op, { maxIter, tol, seed: deriveSeed(this.settings.seed, seedName) }, this.warm.get(key));
    if (Number.isFinite(est.value)) this.warm.set(key, est.vector);
    return this.count(key, { value: est.value, residual: est.residual, iterations: est.iterations, converged: est.converged }, est.retried);
  }

  private count(key: CurvatureKey, r: SolverReport, retried = false): SolverReport {
    const q = (this.counts.byQuantity[key] ??= { solves: 0, retried: 0, unconverged: 0 });
    q.solves++;
    this.counts.solves++;
    if (retried) {
      q.retried++;
      this.counts.retried++;
    }
    if (!r.converged) {
      q.unconverged++;
      this.counts.unconverged++;
    }
    return r;
  }

  /** `curvatureStep`: a row where curvature is due (first, last, every curvature.every): srank is recorded there. */
  private recordRow(curv: RowCurvatures, curvatureStep: boolean): void {
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
    row.normalizedMargin = Number.isInteger(model.homogeneity) ? mMin / powInt(pn, model.homogeneity) : NaN;
    Object.assign(row, normMarginReadouts(model, ev));
    if (test && Number.isFinite(ev.value)) {
      const ft = model.predict(this.theta, test, ev);
      let s = 0;
      for (let i = 0; i < ft.length; i++) s += loss.value(ft[i], test.y[i]);
      row.testLoss = s / ft.length;
      row.testAccuracy = accuracy(ft, test.y);
    }
    for (const key of CURVATURE_KEYS) {
      const r = curv[key];
      if (r === undefined) continue;
      row[key] = r.value;
      row[convergedColumn(key)] = r.converged ? 1 : 0;
    }
    this.lastRowCurvatures = curv;
    const eta = this.etaAt(this.step);
    row.eta = eta;
    row.etaLambda = eta * row.lambda;
    row.etaSharpness = eta * row.sharpness;
    if (curvatureStep && this.settings.record.srank) Object.assign(row, srankColumns(model, this.theta, ev.data));
    const svK = this.settings.record.singularValues ?? 0;
    if (svK > 0 && curvatureStep) {
      const sv = Number.isFinite(ev.value) ? endToEndSingularValues(model, this.theta, svK) : new Float64Array(svK).fill(NaN);
      for (let i = 0; i < svK; i++) (row as Record<string, number>)[`sv${i + 1}`] = sv[i];
    }
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

function exactZero(): SolverReport {
  return { value: 0, residual: 0, iterations: 0, converged: true };
}
