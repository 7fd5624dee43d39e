/**
 * Power iteration: the eigenvalue of largest MAGNITUDE, with its Rayleigh quotient.
 *
 * For a PSD operator (NTK, Gauss–Newton) that is the top eigenvalue; for an indefinite one
 * (a Hessian) it may be the most negative eigenvalue — use lanczosTop for the top algebraic one.
 * If λ and −λ are both of largest magnitude the iterate oscillates and never converges.
 * Convergence is linear with ratio |λ₂/λ₁|, so Lanczos is much faster on small gaps; power
 * iteration is kept as a simple, memory-light cross-check (two vectors of length dim).
 */
import { dot, norm2 } from '../linalg/blas.ts';
import { Rng } from '../linalg/prng.ts';
import { checkCount, checkDim, checkTol, initialVector, isConverged, residualNorm } from './lanczos.ts';
import type { EigResult, LinearOperator } from './operator.ts';

export interface PowerOptions {
  /** Maximum matvecs. Default 1000. */
  maxIter?: number;
  /** Stop when ‖A x − μ x‖ ≤ tol·|μ|. Default 1e-10. */
  tol?: number;
  /** Seed of the random start vector. Default 0. */
  seed?: number;
  /** Warm start; random if absent. Copied, not kept. */
  start?: Float64Array;
}

/**
 * `value` is the signed Rayleigh quotient μ = xᵀA x of the returned unit x, and `residual` is
 * ‖A x − μ x‖ from the same matvec, so no extra matvec is needed to verify it.
 * `converged` ⇔ residual ≤ max(tol, 1e-8)·max(|μ|, 1e-300), as for lanczosTop.
 */
export function powerIteration(op: LinearOperator, opts: PowerOptions = {}): EigResult {
  const n = checkDim(op, 'powerIteration');
  const maxIter = checkCount('powerIteration', 'maxIter', opts.maxIter ?? 1000);
  const tol = checkTol('powerIteration', opts.tol ?? 1e-10);
  const x = initialVector(n, new Rng(opts.seed ?? 0), opts.start, 'powerIteration');
  const y = new Float64Array(n);
  let matvecs = 0;
  let mu: number;
  let residual: number;
  for (;;) {
    op.apply(x, y);
    matvecs++;
    mu = dot(n, x, 0, y, 0);
    residual = residualNorm(x, y, mu);
    if (!Number.isFinite(residual)) throw new Error('powerIteration: operator produced non-finite values');
    // y = 0 gives residual 0 and stops here, so the division below is safe.
    if (residual <= tol * Math.max(Math.abs(mu), 1e-300) || matvecs === maxIter) break;
    const ny = norm2(y);
    for (let i = 0; i < n; i++) x[i] = y[i] / ny;
  }
  return { value: mu, vector: x, residual, iterations: matvecs, converged: isConverged(residual, mu, tol) };
}
