/**
 * Fitted Q iteration and fitted policy evaluation with a scalar value network Q(s, a) = f(θ; φ(s, a))
 * (Kumar et al. 2021, neighbours §E). K iterations; iteration k regresses the network onto fixed targets
 *   bootstrap:  y_i = r_i + γ (1 − done_i) max_a′ Q_{k−1}(s′_i, a′)          (control, T*)
 *               y_i = r_i + γ (1 − done_i) Σ_a′ π(a′|s′_i) Q_{k−1}(s′_i, a′)  (evaluation of π, T^π)
 *   oracle:     y_i = Q_ref(s_i, a_i), Q_ref = Q* or Q^π from exact dynamic programming,
 * by n full-batch GD steps on the mean squared loss ½(f − y)² (plus an optional rank penalty on the
 * penultimate features of the training rows, src/rl/rankPenalty.ts), warm-started from θ_{k−1}.
 * After every iteration: srank_δ of the penultimate features over all (s, a) pairs, the relative error
 * ‖Q − Q_ref‖₂/‖Q_ref‖₂ over all pairs, the exact return of the greedy policy, the training loss.
 *
 * Browser-safe; deterministic (same problem and settings → bit-identical rows).
 */
import { deriveSeed } from '../linalg/prng.ts';
import { maxAbs } from '../linalg/blas.ts';
import { srank } from '../linalg/srank.ts';
import { getLoss } from '../losses/losses.ts';
import type { Dataset } from '../data/dataset.ts';
import type { AnyModel } from '../models/model.ts';
import { measureCurvature } from '../curvature/modelOperators.ts';
import type { TabularMdp } from './mdp.ts';
import type { Transitions } from './transitions.ts';
import { allPairsFeatureMatrix, featureDataset, featureMatrix, type FeatureMap } from './features.ts';
import { bootstrapTargets, oracleTargets, policyEvaluationTargets, qOnNextStates } from './targets.ts';
import { checkPolicy, greedyPolicy, policyQ, valueIteration } from './dp.ts';
import { solveDense } from './denseSolve.ts';
import { rankPenalty } from './rankPenalty.ts';

export type TargetKind = 'bootstrap' | 'oracle';

export interface FittedQProblem {
  mdp: TabularMdp;
  features: FeatureMap;
  /** the offline data set the regression is fitted on */
  transitions: Transitions;
  model: AnyModel;
  theta0: Float64Array;
  /** policy evaluation of π (S×A); null: control (fitted Q iteration towards Q*) */
  policy: Float64Array | null;
}

export interface FittedQSettings {
  /** K */
  iterations: number;
  /** n: GD steps per iteration */
  stepsPerIteration: number;
  /** η directly, or c with η = 2c/λ0, λ0 = λ_max(Θ)/m of the NTK on the training rows at θ0 */
  lr: { eta: number } | { c: number };
  targets: TargetKind;
  /** coefficient of the rank penalty (σ_max² − σ_min²)/m on the penultimate features (0: off) */
  rankPenalty: number;
  /** δ of srank_δ */
  srankDelta: number;
  /** seeds the Lanczos solve for λ0 */
  seed: number;
  /** diverged when a loss is non-finite or any |Q| exceeds this */
  divergeBound?: number;
}

/** One row per iteration (iteration 0: the initial network, before any regression). */
export interface FittedQRow {
  iteration: number;
  /** GD steps done so far */
  step: number;
  /** mean ½(f − y)² on this iteration's targets after its n steps (NaN at iteration 0) */
  loss: number;
  /** (σ_max² − σ_min²)/m of the penultimate features on the training rows (NaN without hidden layers) */
  penalty: number;
  /** srank_δ of the penultimate features over all (s, a) pairs (NaN for models without hiddenRepresentations) */
  srank: number;
  /** ‖Q − Q_ref‖₂ / ‖Q_ref‖₂ over all (s, a) pairs */
  qError: number;
  /** exact expected discounted return of the greedy policy of Q from the start distribution */
  greedyReturn: number;
}

export type FittedQStatus = 'completed' | 'diverged';

export interface FittedQSummary {
  status: FittedQStatus;
  iterations: number;
  steps: number;
  eta: number;
  lambda0: number;
  srankDelta: number;
  /** srank of the penultimate features at θ0, at the end, and the smallest over the iterations */
  srankInitial: number;
  srankFinal: number;
  srankMin: number;
  /** number of hidden units of the penultimate layer (the largest possible srank when m ≥ width) */
  penultimateWidth: number;
  qErrorFinal: number;
  returnFinal: number;
  /** return of the reference's policy: greedy on Q* (control) or π itself (evaluation) */
  returnReference: number;
  lossFinal: number;
}

const SQUARED = getLoss('squared');

/**
 * Exact return of a deterministic greedy policy: V = (I − γ P_π)⁻¹ R_π, an S×S solve (the policy is
 * deterministic, so no S·A system is needed), then μ·V.
 */
export function greedyReturn(mdp: TabularMdp, q: Float64Array): number {
  const { S, A, P, R, gamma, start } = mdp;
  const pi = greedyPolicy(mdp, q);
  const M = new Float64Array(S * S);
  const r = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let a = 0;
    while (pi[s * A + a] !== 1) a++;
    const row = s * A + a;
    r[s] = R[row]!;
    M[s * S + s] = 1;
    for (let t = 0; t < S; t++) M[s * S + t]! -= gamma * P[row * S + t]!;
  }
  const v = solveDense(M, r, S);
  let ret = 0;
  for (let s = 0; s < S; s++) ret += start[s]! * v[s]!;
  return ret;
}

function relativeError(q: Float64Array, ref: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < q.length; i++) {
    num += (q[i]! - ref[i]!) ** 2;
    den += ref[i]! ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}

function checkSettings(s: FittedQSettings): void {
  const posInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`fittedQ: ${name} must be a positive integer, got ${v}`);
  };
  posInt('iterations', s.iterations);
  posInt('stepsPerIteration', s.stepsPerIteration);
  const lr = 'eta' in s.lr ? s.lr.eta : s.lr.c;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`fittedQ: learning rate must be positive, got ${JSON.stringify(s.lr)}`);
  if (!(s.rankPenalty >= 0) || !Number.isFinite(s.rankPenalty)) throw new RangeError(`fittedQ: rankPenalty must be ≥ 0, got ${s.rankPenalty}`);
  if (!(s.srankDelta >= 0 && s.srankDelta < 1)) throw new RangeError(`fittedQ: srankDelta must be in [0, 1), got ${s.srankDelta}`);
}

export class FittedQ {
  readonly problem: FittedQProblem;
  readonly settings: FittedQSettings;
  readonly theta: Float64Array;
  readonly rows: FittedQRow[] = [];
  readonly eta: number;
  readonly lambda0: number;
  /** Q* (control) or Q^π (evaluation), S×A */
  readonly qReference: Float64Array;
  readonly returnReference: number;
  /** all (s, a) pairs in order s·A + a (targets unused) */
  private readonly allPairs: Dataset;
  /** training rows φ(s_i, a_i) of the transitions */
  private readonly trainX: Float64Array;
  private readonly d: number;
  private iteration = 0;
  private step = 0;
  private status: FittedQStatus | null = null;

  constructor(problem: FittedQProblem, settings: FittedQSettings) {
    checkSettings(settings);
    const { mdp, features, transitions, model, policy } = problem;
    if (features.d !== model.d) throw new RangeError(`fittedQ: features have d = ${features.d} but the model expects d = ${model.d}`);
    if (transitions.n < 1) throw new RangeError('fittedQ: the transition data set is empty');
    if (policy !== null) checkPolicy(mdp, policy);
    if (settings.rankPenalty > 0) penultimateOf(model, 'the rank penalty');
    this.problem = problem;
    this.settings = settings;
    this.d = features.d;
    const all = allPairsFeatureMatrix(features, mdp.S, mdp.A);
    this.allPairs = featureDataset(all, new Float64Array(all.m), `all pairs of ${mdp.name}`);
    this.trainX = featureMatrix(features, transitions.s, transitions.a).X;
    this.qReference = policy === null ? valueIteration(mdp).q : policyQ(mdp, policy);
    this.returnReference = policy === null ? greedyReturn(mdp, this.qReference) : policyReturnOf(mdp, policy, this.qReference);
    this.theta = model.allocParams(problem.theta0);
    const ev = model.evaluate(this.theta, this.dataset(new Float64Array(transitions.n)), SQUARED);
    this.lambda0 = measureCurvature('ntk', model, ev, { maxIter: 100, tol: 1e-9, seed: deriveSeed(settings.seed, 'lanczos-ntk') }).value;
    this.eta = 'eta' in settings.lr ? settings.lr.eta : (2 * settings.lr.c) / this.lambda0;
    if (!(this.eta > 0) || !Number.isFinite(this.eta)) throw new RangeError(`fittedQ: learning rate η must be positive and finite, got ${this.eta} (λ0 = ${this.lambda0})`);
    this.rows.push(this.measure(NaN));
  }

  get done(): boolean {
    return this.status !== null;
  }

  private dataset(y: Float64Array): Dataset {
    return featureDataset({ X: this.trainX, m: this.problem.transitions.n, d: this.d }, y, 'fitted-Q targets');
  }

  /** Q on all (s, a) pairs: the S×A table of the current network. */
  qTable(): Float64Array {
    return this.problem.model.predict(this.theta, this.allPairs);
  }

  /** This iteration's regression targets (from the current network, before its steps). */
  targets(): Float64Array {
    const { mdp, transitions: tr, policy } = this.problem;
    if (this.settings.targets === 'oracle') return oracleTargets(tr, this.qReference, mdp.A);
    const qNext = qOnNextStates(tr, this.qTable(), mdp.A);
    return policy === null ? bootstrapTargets(tr, qNext, mdp.A, mdp.gamma) : policyEvaluationTargets(tr, qNext, policy, mdp.A, mdp.gamma);
  }

  /** One fitted-Q iteration (targets, then n GD steps); returns its row, or null once the run has ended. */
  iterate(): FittedQRow | null {
    if (this.status !== null) return null;
    if (this.iteration >= this.settings.iterations) {
      this.status = 'completed';
      return null;
    }
    const { model } = this.problem;
    const data = this.dataset(this.targets());
    const coef = this.settings.rankPenalty;
    const grad = coef > 0 ? new Float64Array(model.numParams) : null;
    for (let t = 0; t < this.settings.stepsPerIteration; t++) {
      const ev = model.evaluate(this.theta, data, SQUARED);
      if (!Number.isFinite(ev.value)) break; // diverged mid-iteration: reported below
      if (grad === null) model.descend(ev, this.eta);
      else {
        model.gradient(ev, grad);
        const pg = this.penaltyGradient(data);
        for (let i = 0; i < grad.length; i++) this.theta[i] -= this.eta * (grad[i]! + coef * pg[i]!);
      }
      this.step++;
    }
    const ev = model.evaluate(this.theta, data, SQUARED);
    const loss = ev.value;
    this.iteration++;
    const bound = this.settings.divergeBound ?? 1e8;
    if (!Number.isFinite(loss) || !(maxAbs(ev.f) <= bound)) {
      this.status = 'diverged';
      const row: FittedQRow = { iteration: this.iteration, step: this.step, loss, penalty: NaN, srank: NaN, qError: NaN, greedyReturn: NaN };
      this.rows.push(row);
      return row;
    }
    const row = this.measure(loss);
    this.rows.push(row);
    if (this.iteration >= this.settings.iterations) this.status = 'completed';
    return row;
  }

  /** ∇_θ P(Φ) with Φ the penultimate features of the training rows. */
  private penaltyGradient(data: Dataset): Float64Array {
    const { model } = this.problem;
    const pen = penultimateOf(model, 'the rank penalty');
    const reps = pen.hiddenRepresentations(this.theta, data);
    const phi = reps[reps.length - 1];
    const { grad } = rankPenalty(phi.values, phi.rows, phi.cols);
    return pen.hiddenRepresentationVjp(this.theta, data, reps.length - 1, grad, reps);
  }

  private measure(loss: number): FittedQRow {
    const { model, mdp } = this.problem;
    const q = this.qTable();
    let sr = NaN, penalty = NaN;
    if (model.hiddenRepresentations) {
      const reps = model.hiddenRepresentations(this.theta, this.allPairs);
      if (reps.length > 0) {
        const phi = reps[reps.length - 1];
        sr = srank(phi.values, phi.rows, phi.cols, this.settings.srankDelta);
        const train = model.hiddenRepresentations(this.theta, this.dataset(new Float64Array(this.problem.transitions.n)));
        const pt = train[train.length - 1];
        penalty = rankPenalty(pt.values, pt.rows, pt.cols).value;
      }
    }
    return { iteration: this.iteration, step: this.step, loss, penalty, srank: sr, qError: relativeError(q, this.qReference), greedyReturn: greedyReturn(mdp, q) };
  }

  /** Run the remaining iterations. */
  run(onIteration?: (row: FittedQRow, settings: FittedQSettings) => void): FittedQSummary {
    for (let row = this.iterate(); row !== null; row = this.iterate()) onIteration?.(row, this.settings);
    return this.summary();
  }

  summary(): FittedQSummary {
    const first = this.rows[0]!;
    const last = this.rows[this.rows.length - 1]!;
    const sr = this.rows.map((r) => r.srank).filter(Number.isFinite);
    const reps = this.problem.model.hiddenRepresentations?.(this.theta, this.allPairs) ?? [];
    return {
      status: this.status ?? 'completed',
      iterations: this.iteration,
      steps: this.step,
      eta: this.eta,
      lambda0: this.lambda0,
      srankDelta: this.settings.srankDelta,
      srankInitial: first.srank,
      srankFinal: last.srank,
      srankMin: sr.length ? Math.min(...sr) : NaN,
      penultimateWidth: reps.length ? reps[reps.length - 1].cols : NaN,
      qErrorFinal: last.qError,
      returnFinal: last.greedyReturn,
      returnReference: this.returnReference,
      lossFinal: last.loss,
    };
  }
}

/** μ·V^π from a known Q^π. */
function policyReturnOf(mdp: TabularMdp, pi: Float64Array, q: Float64Array): number {
  let ret = 0;
  for (let s = 0; s < mdp.S; s++) {
    let v = 0;
    for (let a = 0; a < mdp.A; a++) v += pi[s * mdp.A + a]! * q[s * mdp.A + a]!;
    ret += mdp.start[s]! * v;
  }
  return ret;
}

type WithHidden = Required<Pick<AnyModel, 'hiddenRepresentations' | 'hiddenRepresentationVjp'>>;

/** The hidden-representation capability (with its VJP), or an error naming the model kind and the need. */
function penultimateOf(model: AnyModel, neededBy: string): WithHidden {
  if (!model.hiddenRepresentations || !model.hiddenRepresentationVjp) {
    throw new RangeError(`${neededBy} needs a model with hidden representations; model kind '${model.kind}' has none`);
  }
  const hidden = model.hiddenRepresentations.bind(model);
  const vjp = model.hiddenRepresentationVjp.bind(model);
  return { hiddenRepresentations: hidden, hiddenRepresentationVjp: vjp };
}

/** Rows as CSV text (NaN → empty cell). */
export const FITTED_Q_COLUMNS = ['iteration', 'step', 'loss', 'penalty', 'srank', 'qError', 'greedyReturn'] as const satisfies readonly (keyof FittedQRow)[];

export function fittedQRowsToCsv(rows: readonly FittedQRow[]): string {
  const lines = [FITTED_Q_COLUMNS.join(',')];
  for (const r of rows) lines.push(FITTED_Q_COLUMNS.map((c) => (Number.isNaN(r[c]) ? '' : String(r[c]))).join(','));
  return lines.join('\n') + '\n';
}
