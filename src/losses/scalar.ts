/**
 * Numerically stable scalar helpers shared by the loss module and the theory recursion.
 * Browser-safe: no imports.
 */

/** Logistic σ(x) = 1/(1+e^{−x}); only ever exponentiates a non-positive number, so no overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow for large x and without loss of precision for very negative x. */
export function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
