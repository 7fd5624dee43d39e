import { symmetricEigen } from '../linalg/jacobi.ts';
import type { Dataset } from '../data/dataset.ts';
import type { AnyModel, ModelEvaluation } from '../models/model.ts';
import { ReluMlp, type ReluEvaluation } from '../models/reluMlp.ts';

/**
 * Norm, margin and neural-collapse read-outs of a ReLU MLP (neighbours §C). Pure functions, browser-safe.
 *
 * ρ = ∏_k ‖s_k W_k‖_F over the effective layer matrices, i.e. the matrices that actually multiply the
 * activations (s_k = 1/√fan_in in the NTK parameterization, 1 in the standard one; W_k = g·V/‖V‖ under WN).
 * Then f = ρ·f_V with f_V the same net with every layer rescaled to unit Frobenius norm, whatever the
 * parameterization, and the normalized margin is min_α y_α f_α / ρ = min_α y_α f_V(x_α). That identity needs a
 * positively homogeneous net (no biases, no BN): the margin read-out is NaN otherwise.
 */

/** ρ = ∏_k ‖s_k W_k‖_F of row-major layer matrices with their scale factors. */
export function frobeniusProduct(layers: readonly { scale: number; W: ArrayLike<number> }[]): number {
  let rho = 1;
  for (const { scale, W } of layers) {
    let s = 0;
    for (let i = 0; i < W.length; i++) s += W[i] * W[i];
    rho *= scale * Math.sqrt(s);
  }
  return rho;
}

/** ρ of a ReLU MLP at θ. */
export function reluRho(model: ReluMlp, theta: Float64Array): number {
  return frobeniusProduct(model.effectiveWeights(theta));
}

/** min_α y_α f_α / ρ (NaN without samples). */
export function normalizedMargin(f: ArrayLike<number>, y: ArrayLike<number>, rho: number): number {
  if (f.length === 0) return NaN;
  let min = Infinity;
  for (let i = 0; i < f.length; i++) min = Math.min(min, y[i] * f[i]);
  return min / rho;
}

/** The normalized margin of a ReLU MLP on the evaluated samples, NaN unless it is homogeneous (no bias, no BN). */
export function reluNormalizedMargin(model: ReluMlp, ev: ReluEvaluation): number {
  if (!Number.isInteger(model.homogeneity)) return NaN;
  const y = ev.rows === null ? ev.data.y : Float64Array.from(ev.rows, (r) => ev.data.y[r]);
  return normalizedMargin(ev.f, y, reluRho(model, ev.theta));
}

/**
 * NC1 = Tr(Σ_W Σ_B⁺)/K (Papyan, Han & Donoho 2020) of features H (m × n, row-major) with class labels (K distinct
 * values): Σ_W = (1/m) Σ_α (h_α − μ_{c(α)})(h_α − μ_{c(α)})ᵀ, Σ_B = (1/K) Σ_c (μ_c − μ_G)(μ_c − μ_G)ᵀ, μ_G the
 * mean of all m features. Computed in the K-dimensional span of the centred class means M (n × K), never as
 * n × n matrices: Σ_B⁺ = K·M (MᵀM)⁺² Mᵀ, so NC1 = Tr(MᵀΣ_W M · (MᵀM)⁺²). Eigenvalues of MᵀM below K·ε·max
 * count as zero (the K centred means are always linearly dependent). NaN when the class means coincide or
 * there are fewer than two classes.
 */
export function nc1(H: ArrayLike<number>, m: number, n: number, labels: ArrayLike<number>): number {
  const classes = [...new Set(Array.from({ length: m }, (_, i) => labels[i]))].sort((a, b) => a - b);
  const K = classes.length;
  if (K < 2) return NaN;
  const classOf = new Int32Array(m);
  for (let i = 0; i < m; i++) classOf[i] = classes.indexOf(labels[i]);
  const mu = new Float64Array(K * n), muG = new Float64Array(n), count = new Float64Array(K);
  for (let i = 0; i < m; i++) {
    const c = classOf[i];
    count[c]++;
    for (let j = 0; j < n; j++) {
      mu[c * n + j] += H[i * n + j];
      muG[j] += H[i * n + j];
    }
  }
  for (let c = 0; c < K; c++) for (let j = 0; j < n; j++) mu[c * n + j] /= count[c];
  for (let j = 0; j < n; j++) muG[j] /= m;
  // M as K rows of length n: centred class means
  const M = new Float64Array(K * n);
  for (let c = 0; c < K; c++) for (let j = 0; j < n; j++) M[c * n + j] = mu[c * n + j] - muG[j];
  // G = MᵀM (K×K) and S = MᵀΣ_W M = (1/m) Σ_α pᵅ pᵅᵀ with pᵅ = Mᵀ(h_α − μ_c)
  const G = new Float64Array(K * K), S = new Float64Array(K * K);
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) G[a * K + b] = dotRows(M, a, M, b, n);
  const p = new Float64Array(K);
  const centred = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const c = classOf[i];
    for (let j = 0; j < n; j++) centred[j] = H[i * n + j] - mu[c * n + j];
    for (let a = 0; a < K; a++) p[a] = dotRows(M, a, centred, 0, n);
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) S[a * K + b] += (p[a] * p[b]) / m;
  }
  // (MᵀM)⁺² = Σ_{λ>0} λ⁻² q qᵀ
  const { values, vectors } = symmetricEigen(G, K);
  const tol = K * Number.EPSILON * Math.max(values[0], 0);
  if (!(values[0] > 0)) return NaN;
  let trace = 0;
  for (let e = 0; e < K; e++) {
    const lam = values[e];
    if (!(lam > tol)) continue;
    // Tr(S q qᵀ)/λ² = qᵀ S q / λ²
    let qSq = 0;
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) qSq += vectors[e * K + a] * S[a * K + b] * vectors[e * K + b];
    trace += qSq / (lam * lam);
  }
  return trace;
}

/** NC1 of the last hidden layer's features on `data` (BN: eval mode, see ReluMlp.predict). */
export function reluNC1(model: ReluMlp, theta: Float64Array, data: Dataset, ev?: ReluEvaluation): number {
  const widths = model.options.widths;
  return nc1(model.lastHidden(theta, data, ev), data.m, widths[widths.length - 1], data.y);
}

/**
 * The metrics-row read-outs at an evaluation (the trainer's `rho` and `nc1` columns): ρ, and NC1 of the last hidden
 * layer on the evaluation's data set (all its rows). NaN for models other than the ReLU MLP.
 */
export function normMarginReadouts(model: AnyModel, ev: ModelEvaluation): { rho: number; nc1: number } {
  if (!(model instanceof ReluMlp)) return { rho: NaN, nc1: NaN };
  return { rho: reluRho(model, ev.theta), nc1: reluNC1(model, ev.theta, ev.data, ev as ReluEvaluation) };
}

function dotRows(A: Float64Array, a: number, B: Float64Array, b: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += A[a * n + j] * B[b * n + j];
  return s;
}
