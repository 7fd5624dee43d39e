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

/**
 * Returns x·y (exactly `dot(n, x, xo, y, yo)`, old values of y) and then applies y += a·x (exactly `axpy`), in one
 * sweep that reads each y element once.
 */
export function dotThenAxpy(n: number, a: number, x: ArrayLike<number>, xo: number, y: Vec, yo: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const y0 = y[yo + i], y1 = y[yo + i + 1], y2 = y[yo + i + 2], y3 = y[yo + i + 3];
    const x0 = x[xo + i], x1 = x[xo + i + 1], x2 = x[xo + i + 2], x3 = x[xo + i + 3];
    s0 += x0 * y0;
    s1 += x1 * y1;
    s2 += x2 * y2;
    s3 += x3 * y3;
    y[yo + i] = y0 + a * x0;
    y[yo + i + 1] = y1 + a * x1;
    y[yo + i + 2] = y2 + a * x2;
    y[yo + i + 3] = y3 + a * x3;
  }
  for (; i < n; i++) {
    const yi = y[yo + i], xi = x[xo + i];
    s0 += xi * yi;
    y[yo + i] = yi + a * xi;
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * y[yo..] = a·x + b·z over n entries, with exactly the roundings of `fill(0)` then `axpy(a, x)` (skipped if a = 0)
 * then `axpy(b, z)` (skipped if b = 0): one store per element instead of three passes.
 */
export function setRankTwoRow(n: number, a: number, x: ArrayLike<number>, b: number, z: ArrayLike<number>, y: Vec, yo: number): void {
  if (a !== 0 && b !== 0) {
    for (let i = 0; i < n; i++) y[yo + i] = (0 + a * x[i]) + b * z[i];
  } else if (a !== 0) {
    for (let i = 0; i < n; i++) y[yo + i] = 0 + a * x[i];
  } else if (b !== 0) {
    for (let i = 0; i < n; i++) y[yo + i] = 0 + b * z[i];
  } else {
    y.fill(0, yo, yo + n);
  }
}

/** out = alpha · A x, A (rows×cols) stored row-major at offset ao. */
export function gemv(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): Vec {
  for (let i = 0; i < rows; i++) out[i] = alpha * dot(cols, A, ao + i * cols, x, 0);
  return out;
}

/**
 * y[yo..] += a0·x[o0..] + a1·x[o1..] + a2·x[o2..] + a3·x[o3..] over n entries, applied in that order per element:
 * the same roundings as four axpy calls in sequence (bit-identical), but y is loaded and stored once.
 */
export function axpy4(
  n: number,
  a0: number, a1: number, a2: number, a3: number,
  x: ArrayLike<number>, o0: number, o1: number, o2: number, o3: number,
  y: Vec, yo: number,
): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    y[yo + i] = (((y[yo + i] + a0 * x[o0 + i]) + a1 * x[o1 + i]) + a2 * x[o2 + i]) + a3 * x[o3 + i];
    y[yo + i + 1] = (((y[yo + i + 1] + a0 * x[o0 + i + 1]) + a1 * x[o1 + i + 1]) + a2 * x[o2 + i + 1]) + a3 * x[o3 + i + 1];
  }
  for (; i < n; i++) y[yo + i] = (((y[yo + i] + a0 * x[o0 + i]) + a1 * x[o1 + i]) + a2 * x[o2 + i]) + a3 * x[o3 + i];
}

/**
 * out += Σ_i (alpha·x_i) A[i,:] over rows i = 0..rows−1 in order, rows with x_i = 0 skipped: exactly the roundings
 * of one axpy per nonzero row in row order, with the nonzero rows taken four at a time (axpy4).
 */
export function addRowsScaled(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): void {
  let i = 0;
  let n = 0, o0 = 0, o1 = 0, o2 = 0, c0 = 0, c1 = 0, c2 = 0;
  for (; i < rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const c = alpha * xi, o = ao + i * cols;
    if (n === 0) { c0 = c; o0 = o; n = 1; }
    else if (n === 1) { c1 = c; o1 = o; n = 2; }
    else if (n === 2) { c2 = c; o2 = o; n = 3; }
    else { axpy4(cols, c0, c1, c2, c, A, o0, o1, o2, o, out, 0); n = 0; }
  }
  if (n > 0) axpy(cols, c0, A, o0, out, 0);
  if (n > 1) axpy(cols, c1, A, o1, out, 0);
  if (n > 2) axpy(cols, c2, A, o2, out, 0);
}

/** out = alpha · Aᵀ x, A (rows×cols) row-major at offset ao; out has length cols. */
export function gemvT(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): Vec {
  out.fill(0, 0, cols);
  addRowsScaled(rows, cols, alpha, A, ao, x, out);
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
