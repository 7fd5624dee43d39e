/**
 * Dense symmetric eigensolver by cyclic Jacobi rotations.
 *
 * O(n³) per sweep and ~6–12 sweeps, so only for small matrices (n ≲ a few hundred): the test
 * oracle, and the tridiagonal matrices inside Lanczos. Chosen over QR for its simplicity and
 * accuracy: every rotation is orthogonal and zeroes one off-diagonal entry exactly, so the
 * eigenvalues carry errors of order ε‖A‖ and the eigenvectors are orthonormal to working precision.
 */

/** Unit roundoff 2⁻⁵³. */
const EPS = Number.EPSILON / 2;
/** Off-diagonal entries below this (after scaling A to max |entry| = 1) are zero for any purpose. */
const NEGLIGIBLE = 1e-300;
/** Jacobi converges quadratically; hitting this means something is badly wrong. */
const MAX_SWEEPS = 100;
/** Tolerated |A_ij − A_ji| relative to max |A|: round-off from forming A, not a different matrix. */
const SYMMETRY_TOL = Math.sqrt(Number.EPSILON);

export interface SymmetricEigenResult {
  /** Eigenvalues in descending (algebraic) order. */
  values: Float64Array;
  /**
   * n×n row-major. ROW j — `vectors.subarray(j * n, (j + 1) * n)` — is the unit eigenvector
   * of values[j] (rows, not columns, so each eigenvector is contiguous).
   */
  vectors: Float64Array;
}

/**
 * All eigenpairs of the symmetric n×n row-major matrix A (not modified).
 * A must be symmetric up to round-off (|A_ij − A_ji| ≤ √ε · max|A|); the two triangles are averaged.
 * Throws RangeError for a bad size, non-finite entries or a non-symmetric matrix.
 */
export function symmetricEigen(A: Float64Array, n: number): SymmetricEigenResult {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`symmetricEigen: n must be a non-negative integer, got ${n}`);
  if (A.length !== n * n) {
    throw new RangeError(`symmetricEigen: expected ${n}×${n} = ${n * n} entries, got ${A.length}`);
  }
  let scale = 0;
  for (let i = 0; i < A.length; i++) {
    const x = A[i];
    if (!Number.isFinite(x)) {
      throw new RangeError(`symmetricEigen: non-finite entry ${x} at (${Math.floor(i / n)}, ${i % n})`);
    }
    scale = Math.max(scale, Math.abs(x));
  }

  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  if (scale === 0) return { values: new Float64Array(n), vectors };

  // Work on A / max|A| so that nothing below can overflow or underflow prematurely.
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const aij = A[i * n + j];
      const aji = A[j * n + i];
      if (Math.abs(aij - aji) > SYMMETRY_TOL * scale) {
        throw new RangeError(`symmetricEigen: matrix is not symmetric: A[${i}][${j}] = ${aij}, A[${j}][${i}] = ${aji}`);
      }
      a[i * n + j] = (0.5 * (aij + aji)) / scale;
    }
  }

  // `vectors` accumulates Vᵀ (rows = eigenvector estimates), where A = V diag Vᵀ at convergence.
  let converged = false;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // Relative criterion (Demmel–Veselić): dropping apq perturbs the eigenvalues by < ε·|diag|.
        if (Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq)) || Math.abs(apq) < NEGLIGIBLE) {
          a[p * n + q] = 0;
          a[q * n + p] = 0;
          continue;
        }
        converged = false;
        rotate(a, vectors, n, p, q, app, aqq, apq);
      }
    }
  }
  if (!converged) throw new Error(`symmetricEigen: no convergence after ${MAX_SWEEPS} sweeps (n = ${n})`);

  // Stable sort: equal eigenvalues keep their (deterministic) order.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = new Float64Array(n);
  const sorted = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src] * scale;
    sorted.set(vectors.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { values, vectors: sorted };
}

/**
 * Apply the rotation J(p, q, φ) that zeroes a_pq: a ← Jᵀ a J, Vᵀ ← Jᵀ Vᵀ. Formulas in the
 * τ = s/(1+c) form (Numerical Recipes §11.1), which updates each entry by a small correction.
 */
function rotate(a: Float64Array, vt: Float64Array, n: number, p: number, q: number, app: number, aqq: number, apq: number): void {
  const theta = (aqq - app) / (2 * apq);
  // Smaller root of t² + 2θt − 1 = 0 (|φ| ≤ π/4). √(1 + θ²) is scaled by |θ| when |θ| > 1 so that
  // θ² cannot overflow; written with × / √ only (Math.hypot's rounding is engine-dependent).
  const at = Math.abs(theta);
  const root = at > 1 ? at * Math.sqrt(1 + (1 / at) * (1 / at)) : Math.sqrt(1 + at * at);
  const t = (theta >= 0 ? 1 : -1) / (at + root);
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  const tau = s / (1 + c);
  a[p * n + p] = app - t * apq;
  a[q * n + q] = aqq + t * apq;
  a[p * n + q] = 0;
  a[q * n + p] = 0;
  const rp = p * n;
  const rq = q * n;
  for (let k = 0; k < n; k++) {
    if (k === p || k === q) continue;
    const akp = a[rp + k];
    const akq = a[rq + k];
    const np = akp - s * (akq + tau * akp);
    const nq = akq + s * (akp - tau * akq);
    a[rp + k] = np;
    a[k * n + p] = np;
    a[rq + k] = nq;
    a[k * n + q] = nq;
  }
  for (let k = 0; k < n; k++) {
    const vp = vt[rp + k];
    const vq = vt[rq + k];
    vt[rp + k] = vp - s * (vq + tau * vp);
    vt[rq + k] = vq + s * (vp - tau * vq);
  }
}
