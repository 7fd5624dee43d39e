/**
 * Numerically stable scalar helpers shared by the loss module and the theory recursion.
 * Browser-safe. exp/log1p come from detmath (fdlibm ports), not Math, so that every engine
 * returns the same bits.
 */
import { exp, log1p } from '../linalg/detmath.ts';

/** Logistic σ(x) = 1/(1+e^{−x}); only ever exponentiates a non-positive number, so no overflow. */
export function sigmoid(x: number): number {
  // one exp call site (e^{−|x|}), so that engines inline it
  const e = exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** log(1 + e^x) without overflow for large x and without loss of precision for very negative x. */
export function log1pExp(x: number): number {
  // x + log1p(e^{−x}) for x > 0, log1p(e^x) otherwise; one call site each for exp and log1p
  const l = log1p(exp(-Math.abs(x)));
  return x > 0 ? x + l : l;
}
