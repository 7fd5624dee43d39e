import { dotLanes8, type DataArray } from '../linalg/blas.ts';
import { backendChoice, setBackendChoice, type KernelBackendChoice } from '../linalg/wasm/backend.ts';
import { forgetWasmData, wasmKernel, type WasmKernel } from '../linalg/wasm/runtime.ts';

/**
 * Passes over the rows of a data matrix X (m×d, row-major, float64 or float32 storage; all arithmetic float64).
 * The data pass dominates the cost of a step at realistic sizes, so each pass reads every row from memory
 * once. `rows` selects a subset (mini-batches); null means rows 0..count−1 in order.
 *
 * Two backends with BIT-IDENTICAL results:
 *  - 'wasm': WebAssembly SIMD (f64x2) kernels (src/linalg/wasm/), used when the engine supports SIMD. X is
 *    copied into wasm memory on first use and the copy is cached per array object (X must not be mutated
 *    afterwards — nothing in this codebase does; otherwise call `forgetKernelData(X)`). w is copied in and
 *    r / out copied out per call (d-sized).
 *  - 'js': the plain loops below, in the same arithmetic order.
 *
 * Canonical dot product x·w (both backends, any storage): with D = d − d mod 8, partial sums
 * s_t = Σ_{j<D, j≡t (mod 8)} x_j w_j accumulated in increasing j from +0, combined as
 * main = ((s0+s2) + (s4+s6)) + ((s1+s3) + (s5+s7)); then t = Σ_{D≤j<d} x_j w_j sequentially from +0;
 * result main + t. (This is the natural reduction of four f64x2 accumulators.)
 * Scatter r += c·x is elementwise, rows in order, rows with c = 0 skipped, no FMA.
 * Float32 storage is promoted exactly, so f32 and f64 storage of the same values give the same bits.
 *
 * The fused pass runs in blocks of rows sized to stay in L2: wasm computes the block's dots, JS calls
 * coefOf per row, wasm scatters the block's rows (re-read from cache) into r.
 */

export type { KernelBackendChoice };

/** Whether the WebAssembly SIMD kernel can run in this engine. */
export function wasmKernelAvailable(): boolean {
  return wasmKernel() !== null;
}

/**
 * Forces a backend ('js', 'wasm') or restores the default ('auto': wasm when available, except for passes so
 * small that the call overhead dominates, which run in JS — the results are identical either way).
 * Throws if 'wasm' is requested and WebAssembly SIMD is unavailable.
 */
export function setKernelBackend(b: KernelBackendChoice): void {
  setBackendChoice(b, wasmKernel() !== null);
}

/** The backend in use for passes of realistic size. */
export function kernelBackend(): 'js' | 'wasm' {
  return backendChoice() !== 'js' && wasmKernel() !== null ? 'wasm' : 'js';
}

/** Drops the cached wasm copy of X (only needed if X is mutated after being passed to a pass). */
export function forgetKernelData(X: DataArray): void {
  forgetWasmData(X);
}

/** In 'auto' mode passes touching fewer elements than this run in JS. */
const AUTO_MIN_ELEMENTS = 4096;
/**
 * Target bytes of X per block of the fused pass: the scatter re-reads the block from L2 (256 KB fits the L2 of
 * common CPUs). 128 KB–512 KB measured alike: with X cached both kernels are instruction-bound.
 */
const BLOCK_BYTES = 256 * 1024;
const MIN_BLOCK_ROWS = 8;
const MAX_BLOCK_ROWS = 4096;

function kernelFor(count: number, d: number): WasmKernel | null {
  const choice = backendChoice();
  if (choice === 'js' || count === 0 || d === 0) return null;
  if (choice === 'auto' && count * d < AUTO_MIN_ELEMENTS) return null;
  const K = wasmKernel();
  return K === null || K.busy ? null : K;
}

function checkArgs(X: DataArray, d: number, rows: Int32Array | null, count: number): void {
  if (!Number.isInteger(d) || d < 0 || !Number.isInteger(count) || count < 0) throw new RangeError(`bad sizes d=${d}, count=${count}`);
  if (d === 0) return;
  const m = Math.floor(X.length / d);
  if (rows === null) {
    if (count > m) throw new RangeError(`count ${count} exceeds the ${m} rows of X`);
  } else {
    if (count > rows.length) throw new RangeError(`count ${count} exceeds rows.length ${rows.length}`);
    for (let i = 0; i < count; i++) {
      const k = rows[i];
      if (!(k >= 0 && k < m)) throw new RangeError(`row index ${k} out of range [0, ${m})`);
    }
  }
}

/** out[i] = x_row(i) · w for the selected rows. */
export function rowsDot(X: DataArray, d: number, rows: Int32Array | null, count: number, w: Float64Array, out: Float64Array): void {
  checkArgs(X, d, rows, count);
  const K = kernelFor(count, d);
  if (K !== null && wasmDot(K, X, d, rows, count, w, out)) return;
  for (let i = 0; i < count; i++) out[i] = dotLanes8(d, X, (rows === null ? i : rows[i]) * d, w, 0);
}

/** r = Σ_i coef[i] · x_row(i) over the selected rows (r is overwritten; rows with coef 0 are skipped). */
export function rowsCombine(X: DataArray, d: number, rows: Int32Array | null, count: number, coef: Float64Array, r: Float64Array): void {
  checkArgs(X, d, rows, count);
  const K = kernelFor(count, d);
  if (K !== null && wasmCombine(K, X, d, rows, count, (i) => coef[i], r)) return;
  r.fill(0, 0, d);
  for (let i = 0; i < count; i++) {
    const c = coef[i];
    if (c !== 0) scatterJs(X, (rows === null ? i : rows[i]) * d, d, c, r);
  }
}

/**
 * The fused pass: for each selected row, s = x·w, then c = coefOf(i, s) and r += c·x.
 * `coefOf` may record s (e.g. f_α) as a side effect; it is called for i = 0..count−1 in order. r is overwritten.
 */
export function rowsDotThenCombine(
  X: DataArray,
  d: number,
  rows: Int32Array | null,
  count: number,
  w: Float64Array,
  coefOf: (i: number, s: number) => number,
  r: Float64Array,
): void {
  checkArgs(X, d, rows, count);
  const K = kernelFor(count, d);
  if (K !== null && wasmCombine(K, X, d, rows, count, coefOf, r, w)) return;
  r.fill(0, 0, d);
  for (let i = 0; i < count; i++) {
    const o = (rows === null ? i : rows[i]) * d;
    const c = coefOf(i, dotLanes8(d, X, o, w, 0));
    if (c !== 0) scatterJs(X, o, d, c, r);
  }
}

// ---------------------------------------------------------------------------------------------------------
// JS backend: the elementwise scatter (the dots are blas.dotLanes8, the canonical order).

function scatterJs(X: DataArray, o: number, d: number, c: number, r: Float64Array): void {
  let j = 0;
  for (; j + 3 < d; j += 4) {
    r[j] += c * X[o + j];
    r[j + 1] += c * X[o + j + 1];
    r[j + 2] += c * X[o + j + 2];
    r[j + 3] += c * X[o + j + 3];
  }
  for (; j < d; j++) r[j] += c * X[o + j];
}

// ---------------------------------------------------------------------------------------------------------
// wasm backend. Each returns false (before touching any output) if X or the scratch does not fit in wasm memory.

/** Rows per block: a multiple of 4 (the dot kernel works on row pairs; an odd block would waste a row's work). */
function blockRows(d: number, elemBytes: number): number {
  const b = Math.max(MIN_BLOCK_ROWS, Math.min(MAX_BLOCK_ROWS, Math.floor(BLOCK_BYTES / (d * elemBytes))));
  return b - (b % 4);
}

/** Scratch layout for one call: w | r | dots (B) | coef (B) | idx (B) | rows (count, optional). Byte offsets. */
interface Layout { w: number; r: number; dots: number; coef: number; idx: number; rows: number }

function layout(K: WasmKernel, d: number, B: number, rowsCount: number): Layout | null {
  const a = (n: number): number => Math.ceil(n / 64) * 64;
  const w = 0, r = w + a(8 * d), dots = r + a(8 * d), coef = dots + a(8 * B), idx = coef + a(8 * B), rowsOff = idx + a(4 * B);
  const base = K.scratch(rowsOff + 4 * rowsCount);
  if (base < 0) return null;
  return { w: base + w, r: base + r, dots: base + dots, coef: base + coef, idx: base + idx, rows: rowsCount > 0 ? base + rowsOff : 0 };
}

function wasmDot(K: WasmKernel, X: DataArray, d: number, rows: Int32Array | null, count: number, w: Float64Array, out: Float64Array): boolean {
  const x = K.dataPtr(X);
  if (x < 0) return false;
  const f32 = X instanceof Float32Array;
  const B = blockRows(d, X.BYTES_PER_ELEMENT);
  const L = layout(K, d, B, rows === null ? 0 : count);
  if (L === null) return false;
  const V = K.views();
  V.f64.set(w.subarray(0, d), L.w >>> 3);
  if (rows !== null) V.i32.set(rows.subarray(0, count), L.rows >>> 2);
  const dot = f32 ? K.exports.dot_f32 : K.exports.dot_f64;
  const dots = L.dots >>> 3;
  for (let b = 0; b < count; b += B) {
    const nb = Math.min(B, count - b);
    dot(x, d, L.rows, b, nb, L.w, L.dots);
    out.set(V.f64.subarray(dots, dots + nb), b);
  }
  return true;
}

/**
 * r = Σ_i c_i x_row(i) with c_i = coefOf(i, x_row(i)·w) when w is given (the fused pass), else coefOf(i, NaN)
 * (rowsCombine passes a plain coefficient lookup).
 */
function wasmCombine(
  K: WasmKernel,
  X: DataArray,
  d: number,
  rows: Int32Array | null,
  count: number,
  coefOf: (i: number, s: number) => number,
  r: Float64Array,
  w?: Float64Array,
): boolean {
  const x = K.dataPtr(X);
  if (x < 0) return false;
  const f32 = X instanceof Float32Array;
  const B = blockRows(d, X.BYTES_PER_ELEMENT);
  const fused = w !== undefined;
  const L = layout(K, d, B, fused && rows !== null ? count : 0);
  if (L === null) return false;
  const V = K.views();
  const F = V.f64, I = V.i32;
  F.fill(0, L.r >>> 3, (L.r >>> 3) + d);
  if (fused) {
    F.set(w.subarray(0, d), L.w >>> 3);
    if (rows !== null) I.set(rows.subarray(0, count), L.rows >>> 2);
  }
  const dot = f32 ? K.exports.dot_f32 : K.exports.dot_f64;
  const scat = f32 ? K.exports.scat_f32 : K.exports.scat_f64;
  const dots = L.dots >>> 3, coef = L.coef >>> 3, idx = L.idx >>> 2;
  // coefOf may call back into a pass: `busy` sends such nested calls to JS, so these views stay valid.
  K.busy = true;
  try {
    for (let b = 0; b < count; b += B) {
      const nb = Math.min(B, count - b);
      if (fused) dot(x, d, L.rows, b, nb, L.w, L.dots);
      let k = 0;
      for (let i = 0; i < nb; i++) {
        const c = coefOf(b + i, fused ? F[dots + i] : NaN);
        if (c !== 0) {
          I[idx + k] = rows === null ? b + i : rows[b + i];
          F[coef + k] = c;
          k++;
        }
      }
      if (k > 0) scat(x, d, L.idx, L.coef, k, L.r);
    }
  } finally {
    K.busy = false;
  }
  r.set(F.subarray(L.r >>> 3, (L.r >>> 3) + d));
  return true;
}
