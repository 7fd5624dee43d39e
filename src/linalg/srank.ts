/**
 * Effective rank of a feature matrix (Kumar et al. 2021, neighbours §E):
 *     srank_δ(Φ) = min{k : Σ_{i≤k} σ_i / Σ_i σ_i ≥ 1 − δ},
 * σ the singular values of the UNCENTERED Φ in descending order, δ = 0.01 by default, "≥" (a partial
 * sum exactly at the threshold counts). Ties need no convention: the value depends only on the sorted
 * multiset of σ. srank of the zero matrix (Σσ = 0, no direction carries any mass) is defined as 0; it
 * is the only matrix with srank 0.
 *
 * The partial sums are accumulated in descending order and the total is the last partial sum, so the
 * ratio is nondecreasing in k and reaches exactly 1 at k = min(m, n): the minimum always exists.
 */
import { singularValues } from './svd.ts';

export const DEFAULT_SRANK_DELTA = 0.01;

function checkDelta(delta: number): void {
  if (!(delta >= 0 && delta < 1)) throw new RangeError(`srank: delta must be in [0, 1), got ${delta}`);
}

/** srank_δ from singular values (any order; non-negative, finite). */
export function srankFromSingularValues(sigma: ArrayLike<number>, delta = DEFAULT_SRANK_DELTA): number {
  checkDelta(delta);
  const s = Array.from(sigma);
  for (const v of s) if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`srank: singular values must be finite and ≥ 0, got ${v}`);
  s.sort((a, b) => b - a);
  let total = 0;
  for (const v of s) total += v;
  if (total === 0) return 0;
  const threshold = 1 - delta;
  let partial = 0;
  for (let k = 0; k < s.length; k++) {
    partial += s[k];
    if (partial / total >= threshold) return k + 1;
  }
  return s.length; // unreachable: the last ratio is total/total = 1
}

/** srank_δ of the m×n row-major matrix Φ (uncentered), via the exact one-sided Jacobi SVD. */
export function srank(phi: Float64Array, m: number, n: number, delta = DEFAULT_SRANK_DELTA): number {
  checkDelta(delta);
  return srankFromSingularValues(singularValues(phi, m, n), delta);
}
