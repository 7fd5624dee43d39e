import type { Dataset } from '../data/dataset.ts';
import type { Loss } from '../losses/losses.ts';

/**
 * The one interface every model implements (deep linear, diagonal, matrix factorization, ReLU MLP):
 * the trainer, the curvature operators, init, the weights file, sweeps and the explorer see only this.
 *
 * A model is a scalar predictor f(θ; x) on inputs of dimension `d` with a flat Float64Array θ of
 * `numParams` entries (layer by layer, row-major: `layers` names the blocks for the weights file).
 * Everything data-dependent goes through an Evaluation: the loss, outputs and ℓ′ at θ on one data set
 * (or a mini-batch of its rows), plus whatever intermediates the model keeps to make gradients, HVPs and
 * NTK products cheap afterwards.
 *
 * Optional capabilities are reached through explicit checks (`linearPredictorOf`) so that a quantity that
 * needs one (restricted curvature, separability read-outs) fails with a message naming the model kind.
 */
export interface ModelEvaluation {
  theta: Float64Array;
  data: Dataset;
  loss: Loss;
  /**
   * The evaluated rows of `data` (a mini-batch), or null for all of them. Sample i of f, d1, d2 is row
   * `rows[i]`; every data pass on this evaluation (NTK products, HVPs) runs over the same rows.
   */
  rows: Int32Array | null;
  /** mean loss over the evaluated rows (including any regularizer the model's objective carries) */
  value: number;
  /** f_α for every evaluated sample */
  f: Float64Array;
  /** ℓ'(f_α, y_α) */
  d1: Float64Array;
  /** ℓ''(f_α, y_α), filled on first use (`secondDerivatives`) */
  d2: Float64Array | null;
}

/** A named block of θ (a weight matrix, a vector of diagonal weights, a bias): rows × cols at offset. */
export interface ParamBlock {
  name: string;
  rows: number;
  cols: number;
  offset: number;
}

/** The JSON description of a model (what the weights file and run summaries record); `kind` names the family. */
export type ModelSpecJson = { kind: string; d: number };

export interface Model<E extends ModelEvaluation = ModelEvaluation> {
  readonly kind: string;
  /** input dimension */
  readonly d: number;
  readonly numParams: number;
  /** the blocks of θ in order (they tile θ exactly) */
  readonly layers: readonly ParamBlock[];
  /**
   * Degree k with f(cθ; x) = c^k f(θ; x) for c > 0 (the normalized margin divides by ‖θ‖^k), or NaN when the
   * model is not positively homogeneous.
   */
  readonly homogeneity: number;
  spec(): ModelSpecJson;
  /** A parameter vector (a copy of `init`, else zeros), possibly in fast kernel memory; same results either way. */
  allocParams(init?: Float64Array): Float64Array;
  /** Loss, outputs and ℓ′ at θ on all rows of `data` or on `rows` (a mini-batch), in one data pass. */
  evaluate(theta: Float64Array, data: Dataset, loss: Loss, rows?: Int32Array | null): E;
  /** ℓ''(f_α) for every evaluated sample, cached on the evaluation. */
  secondDerivatives(ev: E): Float64Array;
  /** θ ← θ − η ∇L (in place on ev.theta; the evaluation is stale afterwards). */
  descend(ev: E, eta: number): void;
  /** Dense gradient ∇L into out. */
  gradient(ev: E, out?: Float64Array): Float64Array;
  /** ‖∇L‖ */
  gradNorm(ev: E): number;
  /** Exact Hessian-vector product ∇²L · dir. */
  hvp(ev: E, dir: Float64Array, out?: Float64Array): Float64Array;
  /** Θu with Θ_αβ = ∇f(x_α)·∇f(x_β) on the evaluation's rows (u, out: one entry per evaluated sample). */
  ntkApply(ev: E, u: Float64Array, out: Float64Array): void;
  /** Outputs for every row of `data`; `ev`, an evaluation at the same θ, may lend its intermediates. */
  predict(theta: Float64Array, data: Dataset, ev?: E): Float64Array;
  /** Dense Jacobian row ∇_θ f(x) (tests and tiny problems). */
  jacobianRow(theta: Float64Array, x: Float64Array): Float64Array;
  checkTheta(theta: Float64Array): void;
  checkData(data: Dataset): void;
  /**
   * Optional: the model's own Gaussian init at `scale` (when plain N(0, scale²) for every parameter is not right for
   * it, e.g. He scaling, zero biases, normalization gains); `gaussianInit` uses it when present.
   */
  gaussianParams?(seed: number, scale: number): Float64Array;
  /** Optional capability: the model is linear in x, f = β(θ)·x (see `linearPredictorOf`). */
  readonly linear?: LinearPredictor<E>;
}

/**
 * Capability of models whose output is linear in the input, f(θ; x) = β(θ)·x: the end-to-end vector and the
 * input-space kernel K with Θ = X K Xᵀ (restricted curvature κ_V and S_GN,N, theory §7; separability read-outs).
 */
export interface LinearPredictor<E extends ModelEvaluation = ModelEvaluation> {
  /** β(θ) */
  endToEnd(theta: Float64Array): Float64Array;
  /** z = K r in input space at the evaluation's θ; z may alias r. */
  inputKernelApply(ev: E, r: Float64Array, z: Float64Array): Float64Array;
}

export type AnyModel = Model<ModelEvaluation>;

/** The linear-predictor capability of a model, or an error naming the model kind and what needed it. */
export function linearPredictorOf<E extends ModelEvaluation>(model: Model<E>, neededBy: string): LinearPredictor<E> {
  if (model.linear === undefined) {
    throw new RangeError(`${neededBy} needs a model that is linear in its input (f = β·x); model kind '${model.kind}' is not`);
  }
  return model.linear;
}

/** ℓ''(f_α, y_α) for every evaluated sample, computed once and cached on the evaluation (any model's `secondDerivatives`). */
export function lossSecondDerivatives(ev: ModelEvaluation): Float64Array {
  if (ev.d2 === null) {
    const d2 = new Float64Array(ev.f.length);
    const { rows, data } = ev;
    for (let i = 0; i < d2.length; i++) d2[i] = ev.loss.d2(ev.f[i], data.y[rows === null ? i : rows[i]]);
    ev.d2 = d2;
  }
  return ev.d2;
}

/** Throws unless θ has the model's parameter count (the message names the model). */
export function checkParamCount(model: { numParams: number; spec(): ModelSpecJson }, theta: Float64Array): void {
  if (theta.length !== model.numParams) {
    const { kind, ...rest } = model.spec();
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    throw new RangeError(`${kind}(${fields}) has ${model.numParams} parameters, got a vector of ${theta.length}`);
  }
}

/** Throws unless the data have the model's input dimension. */
export function checkInputDim(model: { d: number; kind: string }, data: Dataset): void {
  if (data.d !== model.d) throw new RangeError(`data have d = ${data.d} features but the ${model.kind} model expects d = ${model.d}`);
}
