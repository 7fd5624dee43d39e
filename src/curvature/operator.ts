/**
 * One interface for every curvature matrix (NTK, Gauss–Newton, Hessian, dense test matrices):
 * a symmetric linear map known only through matrix-vector products. Solvers take this and
 * nothing else, so any new model or curvature plugs into the same Lanczos / power iteration.
 */
export interface LinearOperator {
  /** Size of the (square, symmetric) matrix. */
  readonly dim: number;
  /** out = A x. Must not keep references to x or out. */
  apply(x: Float64Array, out: Float64Array): void;
}

/** What every eigen-solver returns: an answer plus the evidence for it. */
export interface EigResult {
  /** Eigenvalue estimate (top algebraic unless stated). */
  value: number;
  /** Unit eigenvector estimate (length dim). */
  vector: Float64Array;
  /** ‖A q − μ q‖ for the returned pair, computed with a fresh matvec. */
  residual: number;
  /** Matrix-vector products used (including the residual check). */
  iterations: number;
  /** residual ≤ tol · max(|μ|, tiny). */
  converged: boolean;
}

/** A dense symmetric matrix as an operator (tests, tiny problems). */
export function denseOperator(A: Float64Array, n: number): LinearOperator {
  if (A.length !== n * n) throw new RangeError(`denseOperator: expected ${n * n} entries, got ${A.length}`);
  return {
    dim: n,
    apply(x, out) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        const o = i * n;
        for (let j = 0; j < n; j++) s += A[o + j] * x[j];
        out[i] = s;
      }
    },
  };
}

/** Scale an operator: (αA) x. */
export function scaledOperator(op: LinearOperator, alpha: number): LinearOperator {
  return {
    dim: op.dim,
    apply(x, out) {
      op.apply(x, out);
      for (let i = 0; i < out.length; i++) out[i] *= alpha;
    },
  };
}
