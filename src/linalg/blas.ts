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
 * x·y in the CANONICAL 8-LANE ORDER shared with the WebAssembly kernels (src/linalg/wasm/kernelSource.ts): with
 * D = n − n mod 8, partial sums s_t = Σ_{j<D, j≡t (mod 8)} x_j y_j from +0 in increasing j, combined as
 * ((s0+s2) + (s4+s6)) + ((s1+s3) + (s5+s7)), plus the tail Σ_{D≤j<n} x_j y_j summed in order from +0.
 * Used wherever a JS loop and a wasm kernel must agree bit for bit (matrix rows, data rows).
 */
export function dotLanes8(n: number, x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  const D = n - (n & 7);
  let j = 0;
  for (; j < D; j += 8) {
    const p = xo + j, q = yo + j;
    s0 += x[p] * y[q];
    s1 += x[p + 1] * y[q + 1];
    s2 += x[p + 2] * y[q + 2];
    s3 += x[p + 3] * y[q + 3];
    s4 += x[p + 4] * y[q + 4];
    s5 += x[p + 5] * y[q + 5];
    s6 += x[p + 6] * y[q + 6];
    s7 += x[p + 7] * y[q + 7];
  }
  let t = 0;
  for (; j < n; j++) t += x[xo + j] * y[yo + j];
  return ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7)) + t;
}

/**
 * Returns x·y (exactly `dotLanes8(n, x, xo, y, yo)`, old values of y) and then applies y += a·x (exactly `axpy`),
 * in one sweep that reads each y element once.
 */
export function dotThenAxpy(n: number, a: number, x: ArrayLike<number>, xo: number, y: Vec, yo: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  const D = n - (n & 7);
  let j = 0;
  for (; j < D; j += 8) {
    const p = xo + j, q = yo + j;
    const x0 = x[p], x1 = x[p + 1], x2 = x[p + 2], x3 = x[p + 3], x4 = x[p + 4], x5 = x[p + 5], x6 = x[p + 6], x7 = x[p + 7];
    const y0 = y[q], y1 = y[q + 1], y2 = y[q + 2], y3 = y[q + 3], y4 = y[q + 4], y5 = y[q + 5], y6 = y[q + 6], y7 = y[q + 7];
    s0 += x0 * y0; s1 += x1 * y1; s2 += x2 * y2; s3 += x3 * y3;
    s4 += x4 * y4; s5 += x5 * y5; s6 += x6 * y6; s7 += x7 * y7;
    y[q] = y0 + a * x0; y[q + 1] = y1 + a * x1; y[q + 2] = y2 + a * x2; y[q + 3] = y3 + a * x3;
    y[q + 4] = y4 + a * x4; y[q + 5] = y5 + a * x5; y[q + 6] = y6 + a * x6; y[q + 7] = y7 + a * x7;
  }
  let t = 0;
  for (; j < n; j++) {
    const yj = y[yo + j], xj = x[xo + j];
    t += xj * yj;
    y[yo + j] = yj + a * xj;
  }
  return ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7)) + t;
}

/**
 * For each row i of A (rows×cols at ao): out[i] = A_i·x with the old row (dotLanes8), then A_i += coef[i]·x unless
 * coef[i] = 0. One sweep over A: a layer's forward vector and its rank-one update together.
 */
export function rowsDotThenAxpy(rows: number, cols: number, A: Vec, ao: number, x: Vec, coef: ArrayLike<number>, out: Vec): void {
  for (let i = 0; i < rows; i++) {
    const c = coef[i], o = ao + i * cols;
    out[i] = c !== 0 ? dotThenAxpy(cols, c, x, 0, A, o) : dotLanes8(cols, A, o, x, 0);
  }
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

/** out = alpha · A x, A (rows×cols) stored row-major at offset ao; each row's dot in the canonical order (dotLanes8). */
export function gemv(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): Vec {
  for (let i = 0; i < rows; i++) out[i] = alpha * dotLanes8(cols, A, ao + i * cols, x, 0);
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

/** Rows i of Y (rows×cols at yo) set to a[i]·x + b[i]·z with the roundings of `setRankTwoRow`. */
export function setRankTwoRows(rows: number, cols: number, a: ArrayLike<number>, x: ArrayLike<number>, b: ArrayLike<number>, z: ArrayLike<number>, Y: Vec, yo: number): void {
  for (let i = 0; i < rows; i++) setRankTwoRow(cols, a[i], x, b[i], z, Y, yo + i * cols);
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
