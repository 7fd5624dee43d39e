/**
 * Curvature of the loss restricted to a subspace of input space (theory §7: the non-separable
 * subspace from src/data/separability.ts). Pure numerics, browser-safe; the LP lives elsewhere.
 */
import { dot } from '../linalg/blas.ts';
import type { DeepLinear, Evaluation } from '../models/deepLinear.ts';
import { rowsDot, rowsDotThenCombine } from '../models/passes.ts';
import { symmetricEigen } from './jacobi.ts';
import { lanczosTop, type LanczosOptions } from './lanczos.ts';
import type { LinearOperator } from './operator.ts';


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
  model: DeepLinear,
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
  const unrestricted = lanczosTop(H, lopts).value;

  const k = basis.length;
  if (k === 0) return { restricted: 0, unrestricted, dim: 0, method: 'empty' };
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
    return { restricted: symmetricEigen(M, k).values[0], unrestricted, dim: k, method: 'dense' };
  }
  const v = new Float64Array(d);
  const hv = new Float64Array(d);
  const op: LinearOperator = {
    dim: k,
    apply(w, out) {
      v.fill(0);
      for (let j = 0; j < k; j++) {
        const wj = w[j], b = basis[j];
        if (wj !== 0) for (let t = 0; t < d; t++) v[t] += wj * b[t];
      }
      hApply(v, hv);
      for (let j = 0; j < k; j++) out[j] = dot(d, basis[j], 0, hv, 0);
    },
  };
  return { restricted: lanczosTop(op, lopts).value, unrestricted, dim: k, method: 'lanczos' };
}
