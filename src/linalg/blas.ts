/**
 * Dense float64 kernels on flat arrays (row-major). No dependencies, no allocation in hot paths.
 * Loops are unrolled by 4 with independent accumulators: V8 does not vectorize, but breaking the
 * dependency chain roughly doubles throughput on long vectors.
 */

export type Vec = Float64Array;
/** Storage for data matrices: float32 halves memory traffic; all arithmetic is float64. */
export type DataArray = Float64Array | Float32Array;

/** x·y over n entries starting at offsets xo, yo. */
export function dot(n: number, x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[xo + i] * y[yo + i];
    s1 += x[xo + i + 1] * y[yo + i + 1];
    s2 += x[xo + i + 2] * y[yo + i + 2];
    s3 += x[xo + i + 3] * y[yo + i + 3];
  }
  for (; i < n; i++) s0 += x[xo + i] * y[yo + i];
  return s0 + s1 + (s2 + s3);
}

/** y[yo..] += a · x[xo..] over n entries. */
export function axpy(n: number, a: number, x: ArrayLike<number>, xo: number, y: Vec, yo: number): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    y[yo + i] += a * x[xo + i];
    y[yo + i + 1] += a * x[xo + i + 1];
    y[yo + i + 2] += a * x[xo + i + 2];
    y[yo + i + 3] += a * x[xo + i + 3];
  }
  for (; i < n; i++) y[yo + i] += a * x[xo + i];
}

/** out = alpha · A x, A (rows×cols) stored row-major at offset ao. */
export function gemv(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): Vec {
  for (let i = 0; i < rows; i++) out[i] = alpha * dot(cols, A, ao + i * cols, x, 0);
  return out;
}

/** out = alpha · Aᵀ x, A (rows×cols) row-major at offset ao; out has length cols. */
export function gemvT(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): Vec {
  out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    if (xi !== 0) axpy(cols, alpha * xi, A, ao + i * cols, out, 0);
  }
  return out;
}

/** A += alpha · u vᵀ (rank-one update), A (rows×cols) row-major at offset ao. */
export function ger(rows: number, cols: number, alpha: number, u: Vec, v: Vec, A: Vec, ao: number): void {
  for (let i = 0; i < rows; i++) {
    const a = alpha * u[i];
    if (a !== 0) axpy(cols, a, v, 0, A, ao + i * cols);
  }
}

export function norm2(x: Vec): number {
  return Math.sqrt(dot(x.length, x, 0, x, 0));
}

export function scale(x: Vec, a: number): Vec {
  for (let i = 0; i < x.length; i++) x[i] *= a;
  return x;
}

/** Largest |x_i| (0 for an empty vector); NaN if any entry is NaN. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (!(a <= m)) m = a; // NaN propagates
  }
  return m;
}
