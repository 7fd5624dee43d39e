/**
 * The canonical block/lane structure of the data passes (src/models/passes.ts) and its WebAssembly driver, run
 * alike by the calling thread and by helper threads (passThreads.ts).
 *
 * The selected rows (positions 0..count−1) are cut into blocks of B = passBlockRows(d) consecutive positions;
 * block b belongs to lane b mod LANES. A row reduction r = Σ_i c_i x_i is the sum of LANES partials: lane ℓ
 * accumulates the rows of its blocks in order (from +0, rows with c = 0 skipped, the scatter order of
 * kernelSource.ts), and r = (p_0 + p_1) + (p_2 + p_3) elementwise. Blocks and lanes depend on count and d only,
 * never on how many threads share the lanes (thread t of T runs the lanes ℓ ≡ t mod T) nor on the storage type
 * or backend, so every thread count, backend and engine gives the same bits. Per-row dots are independent of
 * all this.
 *
 * The fused pass (dot, then a coefficient computed from the dot by the caller's callback, then the scatter) runs
 * in super-steps of LANES consecutive blocks: the dots of the super-step's blocks, then the calling thread turns
 * them into coefficients (in row order, so the callback sees rows in order), then the scatters of its blocks.
 * Threads share out the units of work (`runUnit`) dynamically, so a thread that is late (a busy shared machine)
 * delays nothing: the others do its share.
 */

export const LANES = 4;

/**
 * Target bytes of a block (at 8 bytes per element, whatever the storage, so that blocks do not depend on it): the
 * fused pass re-reads a thread's blocks of a super-step from L2 (2 × 128 KB per thread with 2 threads fits the L2
 * of common CPUs; 128 KB–512 KB blocks measured alike on one thread).
 */
const BLOCK_BYTES = 128 * 1024;
const MIN_BLOCK_ROWS = 8;
const MAX_BLOCK_ROWS = 4096;

/** Rows per block: depends on d only; a multiple of 4 (the dot kernel works on groups of 4 rows). */
export function passBlockRows(d: number): number {
  const b = Math.max(MIN_BLOCK_ROWS, Math.min(MAX_BLOCK_ROWS, Math.floor(BLOCK_BYTES / (8 * Math.max(d, 1)))));
  return b - (b % 4);
}

/** r[j] = (p_0[j] + p_1[j]) + (p_2[j] + p_3[j]): the canonical combination of the lane partials. */
export function combineLanes(p: readonly Float64Array[], r: Float64Array, d: number): void {
  const [p0, p1, p2, p3] = p;
  for (let j = 0; j < d; j++) r[j] = (p0[j] + p1[j]) + (p2[j] + p3[j]);
}

export const PASS_DOT = 0;
export const PASS_COMBINE = 1;
export const PASS_FUSED = 2;

/** One pass, as byte addresses in the kernel memory (0 = absent). */
export interface PassJob {
  kind: number;
  f32: number;
  x: number;
  d: number;
  /** i32 row indices of the selection (0: rows 0..count−1) */
  rows: number;
  count: number;
  B: number;
  /** w (d f64): dot and fused */
  w: number;
  /** lane partials: LANES vectors of d f64, `partStride` bytes apart */
  part: number;
  partStride: number;
  /** per lane: B dots (f64), B coefficients (f64), B row indices (i32); nz: LANES i32 counts */
  dots: number;
  coef: number;
  idx: number;
  nz: number;
  /** combine: count f64 coefficients by position */
  coefIn: number;
  /** dot: count f64 outputs by position */
  out: number;
}

/** The fields of a PassJob in a fixed order (helpers read a job from shared memory in this order). */
export const JOB_FIELDS = ['kind', 'f32', 'x', 'd', 'rows', 'count', 'B', 'w', 'part', 'partStride', 'dots', 'coef', 'idx', 'nz', 'coefIn', 'out'] as const;

const align = (n: number): number => Math.ceil(n / 64) * 64;

/** Bytes of scratch a pass needs, and its job with addresses relative to `base`. */
export function passLayout(kind: number, d: number, count: number, hasRows: boolean): { bytes: number; at: (base: number) => Omit<PassJob, 'kind' | 'f32' | 'x' | 'd' | 'count' | 'B'> } {
  const B = passBlockRows(d);
  const partStride = align(8 * d);
  const w = 0;
  const part = w + align(8 * d);
  const dots = part + LANES * partStride;
  const coef = dots + align(8 * LANES * B);
  const idx = coef + align(8 * LANES * B);
  const nz = idx + align(4 * LANES * B);
  const rows = nz + 64;
  const coefIn = rows + (hasRows ? align(4 * count) : 0);
  const out = coefIn + (kind === PASS_COMBINE ? align(8 * count) : 0);
  const bytes = out + (kind === PASS_DOT ? align(8 * count) : 0);
  return {
    bytes,
    at: (base) => ({
      rows: hasRows ? base + rows : 0, w: base + w, part: base + part, partStride, dots: base + dots, coef: base + coef, idx: base + idx, nz: base + nz,
      coefIn: kind === PASS_COMBINE ? base + coefIn : 0, out: kind === PASS_DOT ? base + out : 0,
    }),
  };
}

type DotFn = (x: number, d: number, rows: number, first: number, n: number, w: number, out: number) => void;
type ScatFn = (x: number, d: number, idx: number, coef: number, n: number, r: number) => void;
export interface PassKernels { dot_f64: DotFn; dot_f32: DotFn; scat_f64: ScatFn; scat_f32: ScatFn }
export interface MemViews { f64: Float64Array; i32: Int32Array }

/** Units of work: a whole lane of a dot or combine pass, or one block of a fused pass's super-step (dots or scatter). */
export const UNIT_LANE = 0;
export const UNIT_FUSED_DOTS = 1;
export const UNIT_FUSED_SCATTER = 2;
/**
 * One phase of the threaded fused pass: unit u < LANES is the scatter of lane u's block of super-step s − 1 (none for
 * s = 0), unit LANES + ℓ the dots of lane ℓ's block of super-step s (none past the last): the scatters of one
 * super-step overlap the dots of the next, so a pass of S super-steps has S + 1 phases instead of 2S.
 */
export const UNIT_FUSED_STEP = 3;

/**
 * One unit of a pass. Any thread may run any unit (the result depends only on which unit it is), as long as a
 * lane's units run in order: a whole lane is one unit, and the fused pass finishes every unit of super-step s
 * before starting s + 1.
 *  - UNIT_LANE, lane ℓ: dot pass: the dots of ℓ's blocks into `out`; combine pass: ℓ's partial from +0 over its
 *    blocks, nonzero coefficients compacted per block;
 *  - UNIT_FUSED_DOTS, lane ℓ, super-step s: the dots of block s·LANES + ℓ into ℓ's dots area;
 *  - UNIT_FUSED_SCATTER, lane ℓ, super-step s: that block's compacted rows (idx, coef, nz of ℓ) into ℓ's partial.
 */
export function runUnit(job: PassJob, op: number, l: number, s: number, K: PassKernels, V: MemViews): void {
  const { x, d, rows, count, B } = job;
  const nBlocks = Math.ceil(count / B);
  if (op === UNIT_FUSED_STEP) {
    if (l < LANES) {
      if (s > 0) runUnit(job, UNIT_FUSED_SCATTER, l, s - 1, K, V);
    } else runUnit(job, UNIT_FUSED_DOTS, l - LANES, s, K, V);
    return;
  }
  if (op === UNIT_FUSED_DOTS || op === UNIT_FUSED_SCATTER) {
    const b = s * LANES + l;
    if (b >= nBlocks) return;
    if (op === UNIT_FUSED_DOTS) (job.f32 ? K.dot_f32 : K.dot_f64)(x, d, rows, b * B, Math.min(B, count - b * B), job.w, job.dots + 8 * l * B);
    else {
      const k = V.i32[(job.nz >>> 2) + l];
      if (k > 0) (job.f32 ? K.scat_f32 : K.scat_f64)(x, d, job.idx + 4 * l * B, job.coef + 8 * l * B, k, job.part + l * job.partStride);
    }
    return;
  }
  if (job.kind === PASS_DOT) {
    const dot = job.f32 ? K.dot_f32 : K.dot_f64;
    for (let b = l; b < nBlocks; b += LANES) dot(x, d, rows, b * B, Math.min(B, count - b * B), job.w, job.out + 8 * b * B);
    return;
  }
  // combine
  const scat = job.f32 ? K.scat_f32 : K.scat_f64;
  const F = V.f64, I = V.i32;
  const part = job.part + l * job.partStride;
  F.fill(0, part >>> 3, (part >>> 3) + d);
  const ri = rows >>> 2, io = (job.idx >>> 2) + l * B, co = (job.coef >>> 3) + l * B;
  for (let b = l; b < nBlocks; b += LANES) {
    const first = b * B, nb = Math.min(B, count - first);
    const ci = (job.coefIn >>> 3) + first;
    let k = 0;
    for (let i = 0; i < nb; i++) {
      const c = F[ci + i];
      if (c !== 0) {
        I[io + k] = rows === 0 ? first + i : I[ri + first + i];
        F[co + k] = c;
        k++;
      }
    }
    if (k > 0) scat(x, d, job.idx + 4 * l * B, job.coef + 8 * l * B, k, part);
  }
}

/** Super-steps of a fused pass. */
export function superSteps(job: PassJob): number {
  return Math.ceil(Math.ceil(job.count / job.B) / LANES);
}

/** Zeroes the lane partials (the fused pass accumulates into them over its super-steps). */
export function zeroPartials(job: PassJob, V: MemViews): void {
  for (let l = 0; l < LANES; l++) {
    const p = (job.part + l * job.partStride) >>> 3;
    V.f64.fill(0, p, p + job.d);
  }
}

/**
 * A whole pass on the calling thread. In the fused pass `coefficients(s, lane)` is called right after each block's
 * dots (so the block is scattered while still in L1/L2) and must leave that block's idx, coef, nz in memory.
 */
export function runPass(job: PassJob, K: PassKernels, V: MemViews, coefficients: (s: number, lane: number) => void): void {
  if (job.kind !== PASS_FUSED) {
    for (let l = 0; l < LANES; l++) runUnit(job, UNIT_LANE, l, 0, K, V);
    return;
  }
  zeroPartials(job, V);
  const S = superSteps(job);
  for (let s = 0; s < S; s++) {
    for (let l = 0; l < LANES; l++) {
      runUnit(job, UNIT_FUSED_DOTS, l, s, K, V);
      coefficients(s, l);
      runUnit(job, UNIT_FUSED_SCATTER, l, s, K, V);
    }
  }
}

/**
 * The calling thread's exchange step of the fused pass: coefficients for the rows of super-step s (one lane's block,
 * or every lane's if lane = −1), in row order, compacted per lane (rows with coefficient 0 dropped). `rowOf` maps a
 * position to its row of X.
 */
export function fusedCoefficients(job: PassJob, s: number, lane: number, V: MemViews, coefOf: (i: number, s: number) => number, rowOf: (i: number) => number): void {
  const { count, B } = job;
  const F = V.f64, I = V.i32;
  for (let l = lane < 0 ? 0 : lane; l < (lane < 0 ? LANES : lane + 1); l++) {
    const first = (s * LANES + l) * B;
    if (first >= count) break;
    const nb = Math.min(B, count - first);
    const dots = (job.dots >>> 3) + l * B, io = (job.idx >>> 2) + l * B, co = (job.coef >>> 3) + l * B;
    let k = 0;
    for (let i = 0; i < nb; i++) {
      const c = coefOf(first + i, F[dots + i]);
      if (c !== 0) {
        I[io + k] = rowOf(first + i);
        F[co + k] = c;
        k++;
      }
    }
    I[(job.nz >>> 2) + l] = k;
  }
}
