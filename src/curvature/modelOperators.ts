import type { AnyModel as Model, ModelEvaluation as Evaluation } from '../models/model.ts';
import type { LinearOperator } from './operator.ts';
import { lanczosTop } from './lanczos.ts';

/**
 * The three curvatures of theory §4 as operators at one evaluation point:
 *  - NTK:          Θ/m in sample space (dim m); its top eigenvalue is λ.
 *  - Gauss–Newton: D^{1/2} Θ D^{1/2} / m, D = diag ℓ''(f_α) (dim m); top eigenvalue S_GN.
 *  - Hessian:      ∇²L in parameter space (dim P); top *algebraic* eigenvalue S.
 * Sample-space forms are used where they exist because m ≪ P for wide nets.
 */
export type CurvatureKind = 'ntk' | 'gauss-newton' | 'hessian';

/** Sample count of an evaluation (its mini-batch size, or m): the dimension of the sample-space operators. */
function samplesOf(ev: Evaluation): number {
  return ev.f.length;
}

export function ntkOperator(model: Model, ev: Evaluation): LinearOperator {
  const m = samplesOf(ev);
  return {
    dim: m,
    apply(u, out) {
      model.ntkApply(ev, u, out);
      for (let i = 0; i < m; i++) out[i] /= m;
    },
  };
}

export function gaussNewtonOperator(model: Model, ev: Evaluation): LinearOperator {
  const m = samplesOf(ev);
  const d2 = model.secondDerivatives(ev);
  const root = new Float64Array(m);
  for (let i = 0; i < m; i++) root[i] = Math.sqrt(Math.max(d2[i], 0));
  const tmp = new Float64Array(m);
  return {
    dim: m,
    apply(u, out) {
      for (let i = 0; i < m; i++) tmp[i] = root[i] * u[i];
      model.ntkApply(ev, tmp, out);
      for (let i = 0; i < m; i++) out[i] *= root[i] / m;
    },
  };
}

export function hessianOperator(model: Model, ev: Evaluation): LinearOperator {
  return {
    dim: model.numParams,
    apply(x, out) {
      model.hvp(ev, x, out);
    },
  };
}

export function curvatureOperator(kind: CurvatureKind, model: Model, ev: Evaluation): LinearOperator {
  switch (kind) {
    case 'ntk':
      return ntkOperator(model, ev);
    case 'gauss-newton':
      return gaussNewtonOperator(model, ev);
    case 'hessian':
      return hessianOperator(model, ev);
  }
}

export interface CurvatureEstimate {
  value: number;
  residual: number;
  iterations: number;
  converged: boolean;
  /** eigenvector, kept to warm-start the next measurement */
  vector: Float64Array;
  /** the first solve did not converge and was retried with a larger Krylov space */
  retried: boolean;
}

export interface CurvatureSolverOptions {
  maxIter: number;
  tol: number;
  seed: number;
  /**
   * Krylov dimension of one retry when the first solve did not converge (default 5·maxIter; ≤ maxIter: no retry).
   * The retry starts from the first solve's Ritz vector, so it continues rather than repeats the work.
   */
  retryMaxIter?: number;
}

/** Default retry cap as a multiple of maxIter (see `measureOperator`). */
export const RETRY_FACTOR = 5;

/** Top algebraic eigenvalue of one curvature operator by Lanczos, optionally warm-started. */
export function measureCurvature(
  kind: CurvatureKind,
  model: Model,
  ev: Evaluation,
  opts: CurvatureSolverOptions,
  warm?: Float64Array,
): CurvatureEstimate {
  return measureOperator(curvatureOperator(kind, model, ev), opts, warm);
}

/**
 * Top algebraic eigenvalue of a symmetric operator by Lanczos with an adaptive cap: a solve that stops
 * unconverged at maxIter (e.g. at a catapult peak, where the top of the spectrum is crowded) is retried once
 * with a larger Krylov space started from its Ritz vector. `iterations` counts the matvecs of both; the value,
 * residual and flag are those of the last solve (the retry's Ritz value is at least as good: its start vector
 * is the first solve's answer).
 */
export function measureOperator(op: LinearOperator, opts: CurvatureSolverOptions, warm?: Float64Array): CurvatureEstimate {
  const first = lanczosTop(op, { maxIter: Math.min(opts.maxIter, op.dim), tol: opts.tol, seed: opts.seed, start: warm });
  const retryCap = Math.min(opts.retryMaxIter ?? RETRY_FACTOR * opts.maxIter, op.dim);
  let res = first;
  let iterations = first.iterations;
  let retried = false;
  if (!first.converged && retryCap > Math.min(opts.maxIter, op.dim) && Number.isFinite(first.value)) {
    res = lanczosTop(op, { maxIter: retryCap, tol: opts.tol, seed: opts.seed, start: first.vector });
    iterations += res.iterations;
    retried = true;
  }
  return { value: res.value, residual: res.residual, iterations, converged: res.converged, vector: res.vector, retried };
}
