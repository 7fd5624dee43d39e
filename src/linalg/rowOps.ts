/**
 * Row operations on the weight matrices of a network, with the arithmetic of their JS forms in blas.ts and a
 * WebAssembly SIMD backend used when the matrix lives in a workspace (src/linalg/wasm/workspace.ts). Both backends
 * give the same bits; the vectors (length rows or cols) are copied into the workspace's scratch per call unless
 * they live in the same workspace as the matrix (then the kernels use them in place).
 *
 * Shapes are checked (a RangeError, whichever backend runs: wasm would otherwise read or write a neighbouring
 * vector of its memory). Vectors must not overlap the matrix rows they are combined with.
 * Each operation reads (and for the updates writes) the matrix once.
 */
import * as blas from './blas.ts';
import { backendChoice } from './wasm/backend.ts';
import { workspaceOf, type Workspace } from './wasm/workspace.ts';

type Vec = Float64Array;

/** In 'auto' mode, matrices with fewer elements than this stay in JS (call overhead would dominate). */
const AUTO_MIN_ELEMENTS = 4096;

/**
 * The workspace to run on, or null for the JS backend: when A is not in a workspace, or the call's vectors
 * (`scratchVectors` f64 vectors of up to `longest` entries, copied in) do not fit in that workspace's scratch.
 */
function residentOf(A: Vec, elements: number, scratchVectors: number, longest: number): Workspace | null {
  const choice = backendChoice();
  if (choice === 'js' || (choice === 'auto' && elements < AUTO_MIN_ELEMENTS)) return null;
  const ws = workspaceOf(A);
  if (ws === null) return null;
  ws.resetScratch();
  return ws.scratchLeft() >= scratchVectors * (8 * longest + 64) ? ws : null;
}

function checkShape(who: string, rows: number, cols: number, A: Vec, ao: number, vecs: [ArrayLike<number>, number][]): void {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && Number.isInteger(ao) && rows >= 0 && cols >= 0 && ao >= 0 && ao + rows * cols <= A.length)) {
    throw new RangeError(`${who}: a ${rows}×${cols} block at offset ${ao} does not fit in an array of ${A.length}`);
  }
  for (const [v, n] of vecs) if (v.length < n) throw new RangeError(`${who}: a vector of length ${v.length} where ${n} entries are needed`);
}

/** Address of v's first n entries in ws: v itself when it lives there, else a scratch copy. */
function addressIn(ws: Workspace, v: Vec, n: number): number {
  return workspaceOf(v) === ws ? v.byteOffset : ws.put(v, n);
}

/** out = alpha · A x (A rows×cols at offset ao). */
export function gemv(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): Vec {
  checkShape('gemv', rows, cols, A, ao, [[x, cols], [out, rows]]);
  const ws = residentOf(A, rows * cols, 2, Math.max(rows, cols));
  if (ws === null) return blas.gemv(rows, cols, alpha, A, ao, x, out);
  const px = addressIn(ws, x, cols), po = ws.alloc(8 * rows);
  ws.exports.dot_f64(A.byteOffset + 8 * ao, cols, 0, 0, rows, px, po);
  const F = ws.f64, o = po >>> 3;
  for (let i = 0; i < rows; i++) out[i] = alpha * F[o + i];
  return out;
}

/** out += Σ_i (alpha·x_i) A_i over the rows with x_i ≠ 0, in row order (blas.addRowsScaled). */
export function addRowsScaled(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): void {
  checkShape('addRowsScaled', rows, cols, A, ao, [[x, rows], [out, cols]]);
  const ws = residentOf(A, rows * cols, 3, Math.max(rows, cols));
  if (ws === null) return blas.addRowsScaled(rows, cols, alpha, A, ao, x, out);
  const pidx = ws.alloc(4 * rows), pcoef = ws.alloc(8 * rows);
  const I = ws.i32, F = ws.f64, io = pidx >>> 2, co = pcoef >>> 3;
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    I[io + k] = i;
    F[co + k] = alpha * xi;
    k++;
  }
  if (workspaceOf(out) === ws) {
    ws.exports.scat_f64(A.byteOffset + 8 * ao, cols, pidx, pcoef, k, out.byteOffset); // in place
    return;
  }
  const pr = ws.put(out, cols);
  ws.exports.scat_f64(A.byteOffset + 8 * ao, cols, pidx, pcoef, k, pr);
  const ro = pr >>> 3;
  for (let j = 0; j < cols; j++) out[j] = F[ro + j];
}

/** out = alpha · Aᵀ x (length cols). */
export function gemvT(rows: number, cols: number, alpha: number, A: Vec, ao: number, x: Vec, out: Vec): Vec {
  out.fill(0, 0, cols);
  addRowsScaled(rows, cols, alpha, A, ao, x, out);
  return out;
}

/** out[i] = A_i·x (old row), then A_i += coef[i]·x unless coef[i] = 0 (blas.rowsDotThenAxpy). */
export function rowsDotThenAxpy(rows: number, cols: number, A: Vec, ao: number, x: Vec, coef: ArrayLike<number>, out: Vec): void {
  checkShape('rowsDotThenAxpy', rows, cols, A, ao, [[x, cols], [coef, rows], [out, rows]]);
  const ws = residentOf(A, rows * cols, 3, Math.max(rows, cols));
  if (ws === null) return blas.rowsDotThenAxpy(rows, cols, A, ao, x, coef, out);
  const px = ws.put(x, cols), pc = ws.put(coef, rows), po = ws.alloc(8 * rows);
  ws.exports.dot_axpy(A.byteOffset + 8 * ao, cols, rows, px, pc, po);
  const F = ws.f64, o = po >>> 3;
  for (let i = 0; i < rows; i++) out[i] = F[o + i];
}

/** Rows i of Y (rows×cols at yo) = a[i]·x + b[i]·z (blas.setRankTwoRows). */
export function setRankTwoRows(rows: number, cols: number, a: ArrayLike<number>, x: Vec, b: ArrayLike<number>, z: Vec, Y: Vec, yo: number): void {
  checkShape('setRankTwoRows', rows, cols, Y, yo, [[a, rows], [b, rows], [x, cols], [z, cols]]);
  const ws = residentOf(Y, rows * cols, 4, Math.max(rows, cols));
  if (ws === null) return blas.setRankTwoRows(rows, cols, a, x, b, z, Y, yo);
  const pa = ws.put(a, rows), pb = ws.put(b, rows), px = ws.put(x, cols), pz = ws.put(z, cols);
  ws.exports.rank2(Y.byteOffset + 8 * yo, cols, rows, pa, px, pb, pz);
  // Rows with a zero coefficient have their own roundings in the JS form (the zero term is skipped).
  for (let i = 0; i < rows; i++) {
    if (a[i] === 0 || b[i] === 0) blas.setRankTwoRow(cols, a[i], x, b[i], z, Y, yo + i * cols);
  }
}
