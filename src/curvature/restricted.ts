/**
 * Curvature restricted to the non-separable part of the data (theory §7: the subspace V and the samples N
 * from src/data/separability.ts). Pure numerics, browser-safe; the LP lives elsewhere.
 *
 * Two kinds:
 *  - in β (function space): `restrictedCurvature`, the β-Hessian XᵀDX/m restricted to V. At the minimizer on V it
 *    is fixed by the data alone, the same for every η, so it cannot show a learning-rate effect (theory §7);
 *    kept as a reported column.
 *  - in parameter space, which can: `kappaNonSepOperator` (the NTK restricted to V) and
 *    `gaussNewtonOnSamplesOperator` (the Gauss–Newton matrix on the non-separable samples N).
 */
import { dot } from '../linalg/blas.ts';
import type { Dataset } from '../data/dataset.ts';
import { linearPredictorOf, type AnyModel, type ModelEvaluation as Evaluation } from '../models/model.ts';
import { rowsCombine, rowsDot, rowsDotThenCombine } from '../models/passes.ts';
import { symmetricEigen } from '../linalg/jacobi.ts';
import { lanczosTop, residualNorm, type LanczosOptions } from './lanczos.ts';
import type { EigResult, LinearOperator } from './operator.ts';

export interface RestrictedCurvatureOptions {
  /** Build Bᵀ H B explicitly and use Jacobi up to this k; Lanczos above. Default 200. */
  denseMax?: number;
  /** Lanczos options for the unrestricted value and for k > denseMax (defaults: tol 1e-10, seed 0). */
  lanczos?: LanczosOptions;
}

export interface RestrictedCurvature {
  /**
   * λ_max(Bᵀ H B): top eigenvalue of the β-Hessian of the loss restricted to the non-separable subspace.
   * 0 when the subspace is {0} (separable data, empty basis): the quadratic form on the zero space is 0 —
   * perfectly flat, and a number keeps metric columns numeric.
   */
  restricted: number;
  /** λ_max(H) on all of R^d, for comparison (≥ restricted). */
  unrestricted: number;
  /** k = dimension of the subspace */
  dim: number;
  method: 'empty' | 'dense' | 'lanczos';
  /** Solver evidence for `restricted` (dense: the Jacobi pair's residual; empty: exact 0) and `unrestricted`. */
  restrictedSolve: SolveEvidence;
  unrestrictedSolve: SolveEvidence;
}

/** What a solve reports besides its value (theory §4: residual, iterations, converged). */
export type SolveEvidence = Pick<EigResult, 'residual' | 'iterations' | 'converged'>;

/** Exact answers (an empty subspace) need no solver. */
export const EXACT_SOLVE: SolveEvidence = { residual: 0, iterations: 0, converged: true };

function evidence(r: EigResult): SolveEvidence {
  return { residual: r.residual, iterations: r.iterations, converged: r.converged };
}

/**
 * Curvature of the loss as a function of the end-to-end vector β, restricted to span(basis) (theory §7,
 * "flatness in the space spanned by non-separable data").
 *
 * The network is linear in x, f_α = β·x_α, so L(β) = (1/m) Σ ℓ(β·x_α, y_α) and
 *     H = ∇²_β L = (1/m) Xᵀ D X,   D = diag ℓ''(f_α, y_α)   (`model.secondDerivatives(ev)`).
 * With B = [b_1 … b_k] orthonormal (d×k), the restriction is the k×k matrix Bᵀ H B; its top eigenvalue is
 * max_{v ∈ span B, ‖v‖=1} vᵀ H v. Built explicitly from the k vectors X b_j for k ≤ denseMax (cost m·d·k +
 * m·k²) and decomposed by Jacobi; for larger k Lanczos runs in R^k with w ↦ Bᵀ H (B w).
 * The unrestricted value is Lanczos on H in R^d (two passes over X per matvec).
 *
 * This is curvature in function (β) space, which is what "flat in the non-separable directions" refers to;
 * it is not the parameter-space Hessian (no NTK / chain-rule factor is applied or needed — the parameter
 * Hessian adds the deep-linear terms, see `model.hvp`). `ev` must be a full-batch evaluation.
 */
export function restrictedCurvature(
  model: AnyModel,
  ev: Evaluation,
  basis: readonly Float64Array[],
  opts: RestrictedCurvatureOptions = {},
): RestrictedCurvature {
  const data = ev.data;
  model.checkData(data);
  const { m, d, X } = data;
  if (ev.f.length !== m) throw new RangeError(`restrictedCurvature: needs a full-batch evaluation (${ev.f.length} outputs for ${m} samples)`);
  for (const b of basis) if (b.length !== d) throw new RangeError(`restrictedCurvature: basis vector of length ${b.length}, expected d = ${d}`);
  const d2 = model.secondDerivatives(ev);
  const inv = 1 / m;
  const lopts: LanczosOptions = { tol: 1e-10, seed: 0, ...opts.lanczos };

  // H v in R^d: X v, scale by ℓ''/m, Xᵀ(·).
  const hApply = (v: Float64Array, out: Float64Array): void => {
    rowsDotThenCombine(X, d, null, m, v, (i, s) => d2[i] * s * inv, out);
  };
  const H: LinearOperator = { dim: d, apply: hApply };
  const whole = lanczosTop(H, lopts);
  const unrestricted = whole.value;
  const unrestrictedSolve = evidence(whole);

  const k = basis.length;
  if (k === 0) return { restricted: 0, unrestricted, dim: 0, method: 'empty', restrictedSolve: EXACT_SOLVE, unrestrictedSolve };
  const denseMax = opts.denseMax ?? 200;
  if (k <= denseMax) {
    const XB: Float64Array[] = basis.map((b) => {
      const c = new Float64Array(m);
      rowsDot(X, d, null, m, b as Float64Array, c);
      return c;
    });
    const M = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        let s = 0;
        const ci = XB[i], cj = XB[j];
        for (let a = 0; a < m; a++) s += d2[a] * ci[a] * cj[a];
        M[i * k + j] = s * inv;
        M[j * k + i] = s * inv;
      }
    }
    const eig = symmetricEigen(M, k);
    const top = eig.vectors.subarray(0, k);
    const Mv = new Float64Array(k);
    for (let i = 0; i < k; i++) Mv[i] = dot(k, M, i * k, top, 0);
    const residual = residualNorm(top, Mv, eig.values[0]);
    return { restricted: eig.values[0], unrestricted, dim: k, method: 'dense', restrictedSolve: { residual, iterations: 0, converged: true }, unrestrictedSolve };
  }
  const op = compressed(basis, d, hApply, 1);
  const sub = lanczosTop(op, lopts);
  return { restricted: sub.value, unrestricted, dim: k, method: 'lanczos', restrictedSolve: evidence(sub), unrestrictedSolve };
}

/** mean_α ‖x_α‖² over all rows of a data set (the normalisation of κ_V). */
export function meanSquaredNorm(data: Dataset): number {
  const { m, d, X } = data;
  let s = 0;
  for (let a = 0; a < m; a++) {
    let t = 0;
    for (let j = 0, o = a * d; j < d; j++) t += X[o + j] * X[o + j];
    s += t;
  }
  return m === 0 ? NaN : s / m;
}

/**
 * κ_V = λ_max(P_V K P_V)·mean_α‖x_α‖² (theory §7) as the k×k operator w ↦ s·Bᵀ K (B w), s = `meanSqNorm`, with
 * B = [b_1 … b_k] an orthonormal basis of V (so BᵀKB has the nonzero spectrum of P_V K P_V) and K the d×d
 * input-space NTK of a model linear in x (Θ = X K Xᵀ, theory §4; `model.linear.inputKernelApply`). Costs one layer chain and
 * 2·k·d per product, no data pass. On degenerate data (V = span{x}, ‖x‖² = d) κ_V = xᵀKx = λ.
 * Needs k ≥ 1 (for V = {0} report κ_V = 0 without a solve).
 */
export function kappaNonSepOperator(model: AnyModel, ev: Evaluation, basis: readonly Float64Array[], meanSqNorm: number): LinearOperator {
  const d = model.d;
  const linear = linearPredictorOf(model, 'κ_V (curvature.restricted)');
  const k = basis.length;
  if (k === 0) throw new RangeError('kappaNonSepOperator: empty basis (V = {0}: κ_V = 0, no operator needed)');
  for (const b of basis) if (b.length !== d) throw new RangeError(`kappaNonSepOperator: basis vector of length ${b.length}, expected d = ${d}`);
  return compressed(basis, d, (v, out) => linear.inputKernelApply(ev, v, out), meanSqNorm);
}

/** w ↦ s·Bᵀ A (B w): the operator A of R^d compressed to span(B), B = `basis` orthonormal (k×k, any k ≥ 1). */
function compressed(basis: readonly Float64Array[], d: number, apply: (v: Float64Array, out: Float64Array) => void, s: number): LinearOperator {
  const k = basis.length;
  const v = new Float64Array(d);
  const av = new Float64Array(d);
  return {
    dim: k,
    apply(w, out) {
      v.fill(0);
      for (let j = 0; j < k; j++) {
        const wj = w[j], b = basis[j];
        if (wj !== 0) for (let t = 0; t < d; t++) v[t] += wj * b[t];
      }
      apply(v, av);
      for (let j = 0; j < k; j++) out[j] = s * dot(d, basis[j], 0, av, 0);
    },
  };
}

/**
 * S_GN,N = λ_max(D_N^½ Θ_NN D_N^½)/m (theory §7) as the |N|×|N| operator u ↦ D_N^½ X_N K X_Nᵀ D_N^½ u / m, with
 * N = `samples` (indices into the evaluation's data) and D = ℓ''(f). The divisor m is the FULL sample count
 * (theory §7 literally, with m of §1: the loss is a mean over all m samples), not |N|: S_GN,N is then the top
 * eigenvalue of a principal submatrix of the Gauss–Newton matrix whose top eigenvalue is S_GN, so
 * S_GN,N ≤ S_GN (Cauchy interlacing). Two passes over the rows of N per product. `ev` must be full-batch.
 */
export function gaussNewtonOnSamplesOperator(model: AnyModel, ev: Evaluation, samples: Int32Array): LinearOperator {
  const { data } = ev;
  const linear = linearPredictorOf(model, 'S_GN,N (curvature.restricted)');
  model.checkData(data);
  const m = data.m;
  if (ev.rows !== null || ev.f.length !== m) throw new RangeError('gaussNewtonOnSamplesOperator: needs a full-batch evaluation');
  const n = samples.length;
  if (n === 0) throw new RangeError('gaussNewtonOnSamplesOperator: no samples (N empty: S_GN,N = 0, no operator needed)');
  const d2 = model.secondDerivatives(ev);
  const root = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = samples[i];
    if (!(a >= 0 && a < m)) throw new RangeError(`gaussNewtonOnSamplesOperator: sample index ${a} out of range [0, ${m})`);
    root[i] = Math.sqrt(Math.max(d2[a], 0));
  }
  const tmp = new Float64Array(n);
  const r = new Float64Array(data.d);
  return {
    dim: n,
    apply(u, out) {
      for (let i = 0; i < n; i++) tmp[i] = root[i] * u[i];
      rowsCombine(data.X, data.d, samples, n, tmp, r);
      linear.inputKernelApply(ev, r, r);
      rowsDot(data.X, data.d, samples, n, r, out);
      for (let i = 0; i < n; i++) out[i] *= root[i] / m;
    },
  };
}
