import type { DataArray } from './blas.ts';

/**
 * Float64 matrix-matrix product, row-major, plain JS (browser-safe):
 *   C = alpha · op(A) · op(B) + beta · C,   op(A): M×K, op(B): K×N, C: M×N,
 * op(X) = X or Xᵀ (`transA`, `transB`); lda, ldb, ldc are the row strides of A, B, C as stored.
 *
 * Fixed summation order, whatever the transpose case or blocking: every entry is
 *   s = Σ_{p=0}^{K−1} op(A)[i,p]·op(B)[p,j], added left to right starting from 0, then
 *   C[i,j] = alpha·s (beta = 0: C is overwritten, so NaNs in it do not leak) or alpha·s + beta·C[i,j].
 * So results are deterministic and equal to a naive triple loop bit for bit. The transposed cases copy the
 * transposed operand once (O(MK) or O(KN), small next to the O(MNK) product) and run the one blocked kernel.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: DataArray,
  lda: number,
  B: DataArray,
  ldb: number,
  beta: number,
  C: Float64Array,
  ldc: number,
): Float64Array {
  if (M === 0 || N === 0) return C;
  const a = transA ? transpose(K, M, A, lda) : A;
  const aStride = transA ? K : lda;
  const b = transB ? transpose(N, K, B, ldb) : B;
  const bStride = transB ? N : ldb;
  // the sums go into C itself (beta = 0) or into a scratch (beta ≠ 0: C's old values are still needed)
  const acc = beta === 0 ? C : new Float64Array(M * N);
  const accStride = beta === 0 ? ldc : N;
  for (let i = 0; i < M; i++) acc.fill(0, i * accStride, i * accStride + N);
  accumulateNN(M, N, K, a, aStride, b, bStride, acc, accStride);
  if (beta === 0) {
    if (alpha !== 1) for (let i = 0; i < M; i++) for (let j = i * ldc, e = j + N; j < e; j++) C[j] = alpha * C[j];
  } else {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) C[i * ldc + j] = alpha * acc[i * N + j] + beta * C[i * ldc + j];
    }
  }
  return C;
}

/** Columns per block of B and C (a performance knob: results do not depend on it). */
const J_BLOCK = 256;
/** Rows of B per block: a J_BLOCK × P_BLOCK panel of B (128 KiB) stays in cache while every row of A passes it. */
const P_BLOCK = 64;

/**
 * acc += A·B (A: M×K, B: K×N), each entry's products added in increasing p. Blocks over j and p (p-blocks in
 * increasing order, so per-entry order is unchanged) and four rows of A at a time (each loaded B entry is used
 * four times).
 */
function accumulateNN(M: number, N: number, K: number, A: DataArray, lda: number, B: DataArray, ldb: number, acc: Float64Array, ldc: number): void {
  for (let j0 = 0; j0 < N; j0 += J_BLOCK) {
    const j1 = Math.min(N, j0 + J_BLOCK);
    for (let p0 = 0; p0 < K; p0 += P_BLOCK) {
      const p1 = Math.min(K, p0 + P_BLOCK);
      let i = 0;
      for (; i + 3 < M; i += 4) {
        const r0 = i * ldc, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        for (let p = p0; p < p1; p++) {
          const a0 = A[i * lda + p], a1 = A[(i + 1) * lda + p], a2 = A[(i + 2) * lda + p], a3 = A[(i + 3) * lda + p];
          const bo = p * ldb;
          for (let j = j0; j < j1; j++) {
            const b = B[bo + j];
            acc[r0 + j] += a0 * b;
            acc[r1 + j] += a1 * b;
            acc[r2 + j] += a2 * b;
            acc[r3 + j] += a3 * b;
          }
        }
      }
      for (; i < M; i++) {
        const r0 = i * ldc;
        for (let p = p0; p < p1; p++) {
          const a0 = A[i * lda + p];
          const bo = p * ldb;
          for (let j = j0; j < j1; j++) acc[r0 + j] += a0 * B[bo + j];
        }
      }
    }
  }
}

/** The transpose of a rows×cols matrix X (row stride ld), as a dense cols×rows Float64Array. */
function transpose(rows: number, cols: number, X: DataArray, ld: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * ld;
    for (let j = 0; j < cols; j++) T[j * rows + i] = X[o + j];
  }
  return T;
}
