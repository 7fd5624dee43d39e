/**
 * Thin singular value decomposition A = U diag(σ) Vᵀ in float64 by one-sided Jacobi (Hestenes).
 *
 * WHY one-sided Jacobi: it orthogonalises the columns of A by plane rotations applied to A itself
 * (never forming AᵀA), so every singular value, including the small ones, carries a relative error
 * of order ε·κ(column scaling) rather than the ε·σ_max/σ_i of the eigenvalues of AᵀA
 * (Demmel & Veselić 1992). It is simple, deterministic (fixed cyclic order, only + − × ÷ √) and
 * fast enough for the matrices of this project (feature matrices of a few hundred columns).
 *
 * Shapes: A is m×n row-major. For m ≥ n the columns of A are orthogonalised; for m < n the same is
 * done on Aᵀ and U, V are swapped, so the cost is O(max·min²) per sweep. k = min(m, n).
 *   U: m×k row-major, orthonormal columns for σ_i > 0 (columns of zero singular values are 0);
 *   σ: k values, descending (ties keep their deterministic order);
 *   V: n×k row-major, orthonormal columns.
 */

/** Unit roundoff 2⁻⁵³. */
const EPS = Number.EPSILON / 2;
const MAX_SWEEPS = 80;

export interface ThinSvd {
  m: number;
  n: number;
  /** min(m, n) */
  k: number;
  /** m×k row-major */
  U: Float64Array;
  /** k singular values, descending */
  sigma: Float64Array;
  /** n×k row-major */
  V: Float64Array;
  /** Jacobi sweeps used */
  sweeps: number;
}

export interface SvdOptions {
  /** Compute U and V (default true); false returns empty arrays for them and saves ~half the work. */
  vectors?: boolean;
}

/** Thin SVD of the m×n row-major matrix A (not modified). Throws RangeError for bad sizes or non-finite entries. */
export function thinSvd(A: Float64Array, m: number, n: number, opts: SvdOptions = {}): ThinSvd {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0) throw new RangeError(`thinSvd: sizes must be non-negative integers, got ${m}×${n}`);
  if (A.length !== m * n) throw new RangeError(`thinSvd: expected ${m}×${n} = ${m * n} entries, got ${A.length}`);
  const wantVectors = opts.vectors ?? true;
  const transpose = m < n;
  // Work matrix W (rows × cols, cols ≤ rows), stored column-major so each column is contiguous.
  const rows = transpose ? n : m;
  const cols = transpose ? m : n;
  let scale = 0;
  for (let i = 0; i < A.length; i++) {
    const a = A[i];
    if (!Number.isFinite(a)) throw new RangeError(`thinSvd: non-finite entry ${a} at (${Math.floor(i / n)}, ${i % n})`);
    if (Math.abs(a) > scale) scale = Math.abs(a);
  }
  const k = cols;
  const W = new Float64Array(rows * cols);
  // Scale to max |entry| = 1 so that squared column norms neither overflow nor underflow early.
  const inv = scale > 0 ? 1 / scale : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const v = A[i * n + j] * inv;
      if (transpose) W[i * rows + j] = v; // column i of Aᵀ is row i of A
      else W[j * rows + i] = v;
    }
  }
  // Vt accumulates the right rotations: row c is column c of the right factor of W.
  const Vt = wantVectors ? new Float64Array(cols * cols) : new Float64Array(0);
  if (wantVectors) for (let c = 0; c < cols; c++) Vt[c * cols + c] = 1;

  let sweeps = 0;
  let rotated = true;
  while (rotated && scale > 0) {
    if (sweeps >= MAX_SWEEPS) throw new Error(`thinSvd: no convergence after ${MAX_SWEEPS} sweeps (${m}×${n})`);
    sweeps++;
    rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        const op = p * rows, oq = q * rows;
        let app = 0, aqq = 0, apq = 0;
        for (let i = 0; i < rows; i++) {
          const x = W[op + i], y = W[oq + i];
          app += x * x;
          aqq += y * y;
          apq += x * y;
        }
        // Columns orthogonal to working precision (relative criterion rows·ε: with ε alone, rounding in the inner
        // products can keep |a_pq| just above the bar forever, test/svd-convergence.test.ts): skip.
        if (apq === 0 || Math.abs(apq) <= rows * EPS * Math.sqrt(app) * Math.sqrt(aqq)) continue;
        rotated = true;
        // Rotation zeroing the (p, q) entry of WᵀW; smaller angle (|t| ≤ 1), overflow-safe root.
        const zeta = (aqq - app) / (2 * apq);
        const az = Math.abs(zeta);
        const root = az > 1 ? az * Math.sqrt(1 + (1 / az) * (1 / az)) : Math.sqrt(1 + az * az);
        const t = (zeta >= 0 ? 1 : -1) / (az + root);
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const x = W[op + i], y = W[oq + i];
          W[op + i] = c * x - s * y;
          W[oq + i] = s * x + c * y;
        }
        if (wantVectors) {
          const vp = p * cols, vq = q * cols;
          for (let i = 0; i < cols; i++) {
            const x = Vt[vp + i], y = Vt[vq + i];
            Vt[vp + i] = c * x - s * y;
            Vt[vq + i] = s * x + c * y;
          }
        }
      }
    }
  }

  // σ_c = ‖column c‖, computed with scaling (no under/overflow), then sorted descending (stable).
  const norms = new Float64Array(cols);
  for (let c = 0; c < cols; c++) norms[c] = columnNorm(W, c * rows, rows);
  const order = Array.from({ length: cols }, (_, i) => i).sort((a, b) => norms[b] - norms[a]);
  const sigma = new Float64Array(k);
  order.forEach((src, dst) => (sigma[dst] = norms[src] * scale));

  if (!wantVectors) return { m, n, k, U: new Float64Array(0), sigma, V: new Float64Array(0), sweeps };
  // Left vectors: normalised columns of W; right vectors: rows of Vt. Swap roles if we worked on Aᵀ.
  const left = new Float64Array(rows * k); // rows×k row-major
  const right = new Float64Array(cols * k); // cols×k row-major
  order.forEach((src, dst) => {
    const nrm = norms[src];
    if (nrm > 0) for (let i = 0; i < rows; i++) left[i * k + dst] = W[src * rows + i] / nrm;
    for (let i = 0; i < cols; i++) right[i * k + dst] = Vt[src * cols + i];
  });
  return transpose ? { m, n, k, U: right, sigma, V: left, sweeps } : { m, n, k, U: left, sigma, V: right, sweeps };
}

/** Singular values only (descending). */
export function singularValues(A: Float64Array, m: number, n: number): Float64Array {
  return thinSvd(A, m, n, { vectors: false }).sigma;
}

/** ‖x‖₂ of W[o .. o+len) without overflow or underflow (LAPACK dnrm2-style scaled sum). */
function columnNorm(W: Float64Array, o: number, len: number): number {
  let big = 0;
  for (let i = 0; i < len; i++) big = Math.max(big, Math.abs(W[o + i]));
  if (big === 0) return 0;
  let s = 0;
  for (let i = 0; i < len; i++) {
    const r = W[o + i] / big;
    s += r * r;
  }
  return big * Math.sqrt(s);
}
