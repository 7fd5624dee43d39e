import { dotLanes8, type DataArray } from '../linalg/blas.ts';
import { backendChoice, setBackendChoice, type KernelBackendChoice } from '../linalg/wasm/backend.ts';
import { combineLanes, fusedCoefficients, LANES, passBlockRows, passLayout, PASS_COMBINE, PASS_DOT, PASS_FUSED, runPass, type PassJob } from '../linalg/wasm/passLanes.ts';
import type { PassThreads } from '../linalg/wasm/passThreads.ts';
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
 * Canonical row reduction r = Σ_i c_i x_i (rowsCombine, rowsDotThenCombine): the selected rows are cut into blocks
 * of passBlockRows(d) rows, block b belonging to lane b mod 4; each lane's partial accumulates its rows in order
 * (r += c·x elementwise, from +0, rows with c = 0 skipped, no FMA) and r = (p0 + p1) + (p2 + p3)
 * (src/linalg/wasm/passLanes.ts). The blocks depend on count and d only, so the result is the same for any number
 * of threads (`setPassThreads`), backend and engine. (Since this lane structure was introduced the last bits of
 * reductions differ from the earlier single running sum.)
 * Float32 storage is promoted exactly, so f32 and f64 storage of the same values give the same bits.
 *
 * The fused pass runs block by block: wasm computes a block's dots, JS calls coefOf per row (in row order), wasm
 * scatters the block's rows (re-read from cache) into its lane's partial. With threads, each thread runs its lanes
 * on a shared memory and the calling thread computes the coefficients of each super-step of 4 blocks.
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
/** Passes touching fewer elements than this stay on the calling thread (a wake-up costs more than they do). */
const THREAD_MIN_ELEMENTS = 1 << 17;
let threadMinElements = THREAD_MIN_ELEMENTS;

let threads: PassThreads | null = null;
let threadedPasses = 0;

/** Tests: the smallest pass (count·d) that is split between threads (default 2^17); returns the previous value. */
export function setPassThreadMinimum(elements: number): number {
  const old = threadMinElements;
  threadMinElements = elements;
  return old;
}

/** How many passes have run split between threads in this thread's lifetime (diagnostics, tests). */
export function threadedPassCount(): number {
  return threadedPasses;
}

/**
 * Splits the wasm passes between the threads of `t` (null: the calling thread only). Results are bit-identical
 * either way; small passes, the 'js' backend and passes called from inside a coefficient callback stay on the
 * calling thread.
 */
export function setPassThreads(t: PassThreads | null): void {
  threads = t;
}

/** How many threads the passes use now (1 without `setPassThreads`). */
export function passThreadCount(): number {
  return threads?.threads ?? 1;
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
  if (wasmPass(PASS_DOT, X, d, rows, count, { w, out })) return;
  for (let i = 0; i < count; i++) out[i] = dotLanes8(d, X, (rows === null ? i : rows[i]) * d, w, 0);
}

/** r = Σ_i coef[i] · x_row(i) over the selected rows (r is overwritten; rows with coef 0 are skipped). */
export function rowsCombine(X: DataArray, d: number, rows: Int32Array | null, count: number, coef: Float64Array, r: Float64Array): void {
  checkArgs(X, d, rows, count);
  if (wasmPass(PASS_COMBINE, X, d, rows, count, { coef, r })) return;
  combineJs(X, d, rows, count, null, (i) => coef[i], r);
}

/**
 * The fused pass: for each selected row, s = x·w, then c = coefOf(i, s) and r += c·x.
 * `coefOf` may record s (e.g. f_α) as a side effect; it is called for i = 0..count−1 in order, on the calling
 * thread. r is overwritten.
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
  if (wasmPass(PASS_FUSED, X, d, rows, count, { w, coefOf, r })) return;
  combineJs(X, d, rows, count, w, coefOf, r);
}

// ---------------------------------------------------------------------------------------------------------
// JS backend: the lanes of passLanes.ts on one thread; the dots are blas.dotLanes8 (the canonical order).

function combineJs(X: DataArray, d: number, rows: Int32Array | null, count: number, w: Float64Array | null, coefOf: (i: number, s: number) => number, r: Float64Array): void {
  const B = passBlockRows(d);
  const p = Array.from({ length: LANES }, () => new Float64Array(d));
  for (let first = 0, b = 0; first < count; first += B, b++) {
    const lane = p[b % LANES];
    const end = Math.min(count, first + B);
    for (let i = first; i < end; i++) {
      const o = (rows === null ? i : rows[i]) * d;
      const c = coefOf(i, w === null ? NaN : dotLanes8(d, X, o, w, 0));
      if (c !== 0) scatterJs(X, o, d, c, lane);
    }
  }
  combineLanes(p, r, d);
}

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
// wasm backend: the kernel (or the threads' shared kernel) runs the lanes. Returns false (before touching any
// output) if the pass runs in JS instead: 'js' backend, a tiny pass in 'auto', a nested call, no room in memory.

interface PassArgs {
  w?: Float64Array;
  out?: Float64Array;
  coef?: Float64Array;
  coefOf?: (i: number, s: number) => number;
  r?: Float64Array;
}

function wasmPass(kind: number, X: DataArray, d: number, rows: Int32Array | null, count: number, a: PassArgs): boolean {
  const choice = backendChoice();
  if (choice === 'js' || count === 0 || d === 0) return false;
  if (choice === 'auto' && count * d < AUTO_MIN_ELEMENTS) return false;
  // With threads, every pass uses their shared kernel (X is copied into one memory only); small ones on this thread.
  const shared = threads !== null && !threads.kernel.busy ? threads : null;
  const pool = shared !== null && count * d >= threadMinElements ? shared : null;
  const K: WasmKernel | null = shared !== null ? shared.kernel : wasmKernel();
  if (K === null || K.busy) return false;
  const x = K.dataPtr(X);
  if (x < 0) return false;
  const layout = passLayout(kind, d, count, rows !== null);
  const base = K.scratch(layout.bytes);
  if (base < 0) return false;
  const job: PassJob = { kind, f32: X instanceof Float32Array ? 1 : 0, x, d, count, B: passBlockRows(d), ...layout.at(base) };
  const V = K.views();
  if (a.w !== undefined) V.f64.set(a.w.subarray(0, d), job.w >>> 3);
  if (rows !== null) V.i32.set(rows.subarray(0, count), job.rows >>> 2);
  if (a.coef !== undefined) V.f64.set(a.coef.subarray(0, count), job.coefIn >>> 3);
  const coefOf = a.coefOf;
  const rowOf = rows === null ? (i: number) => i : (i: number) => rows[i];
  const coefficients = (s: number, lane: number): void => {
    if (coefOf !== undefined) fusedCoefficients(job, s, lane, V, coefOf, rowOf);
  };
  // coefOf may call back into a pass: `busy` sends such nested calls to JS, so these views stay valid.
  K.busy = true;
  try {
    if (pool !== null) {
      pool.run(job, coefficients);
      threadedPasses++;
    }
    else runPass(job, K.exports, V, coefficients);
  } finally {
    K.busy = false;
  }
  if (kind === PASS_DOT) a.out!.set(V.f64.subarray(job.out >>> 3, (job.out >>> 3) + count));
  else {
    const p = Array.from({ length: LANES }, (_, l) => V.f64.subarray((job.part + l * job.partStride) >>> 3, ((job.part + l * job.partStride) >>> 3) + d));
    combineLanes(p, a.r!, d);
  }
  return true;
}
