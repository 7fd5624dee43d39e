import type { DataArray } from './blas.ts';

/**
 * Float64 matrix-matrix product, row-major, plain JS (browser-safe):
 *   C = alpha · op(A) · op(B) + beta · C,   op(A): M×K, op(B): K×N, C: M×N,
 * op(X) = X or Xᵀ (`transA`, `transB`); lda, ldb, ldc are the row strides of A, B, C as stored.
 *
 * Fixed summation order, whatever the transpose case or blocking: every entry is
 *   s = Σ_{p=0}^{K−1} op(A)[i,p]·op(B)[p,j], added left to right starting from 0, then
 *   C[i,j] = alpha·s (beta = 0: C is overwritten, so NaNs in it do not leak) or alpha·s + beta·C[i,j].
 * So results are deterministic and equal to a naive triple loop bit for bit. Operands not already in the kernel's
 * layout (Aᵀ and B, dense float64) are copied once (O(MK) or O(KN), small next to the O(MNK) product).
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
  // the kernel reads op(A) as Aᵀ (K×M, p-major) and op(B) as K×N, both dense float64: copy what is not already so
  const At = transA && lda === M && A instanceof Float64Array ? A : packed(K, M, A, lda, !transA);
  const Bk = !transB && ldb === N && B instanceof Float64Array ? B : packed(K, N, B, ldb, transB);
  // the sums go into C itself (beta = 0, dense rows) or into a scratch (C's old values are still needed)
  const direct = beta === 0 && ldc === N;
  const acc = direct ? C : new Float64Array(M * N);
  acc.fill(0, 0, M * N);
  accumulate(M, N, K, At, Bk, acc);
  if (direct) {
    if (alpha !== 1) for (let q = 0; q < M * N; q++) C[q] = alpha * C[q];
  } else {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) C[i * ldc + j] = beta === 0 ? alpha * acc[i * N + j] : alpha * acc[i * N + j] + beta * C[i * ldc + j];
    }
  }
  return C;
}

/** Values of p per block: a 4 × P_BLOCK panel of Aᵀ is packed contiguously and stays in L1 while j sweeps. */
const P_BLOCK = 64;

/**
 * acc += op(A)·op(B) with At = op(A)ᵀ (K×M) and Bk = op(B) (K×N), acc dense M×N. Register tiles of 4 rows × 2
 * columns accumulate over one p-block in locals (loaded from acc, stored back), p-blocks in increasing order, so
 * each entry's products are added in increasing p exactly as in the naive loop.
 */
function accumulate(M: number, N: number, K: number, At: Float64Array, Bk: Float64Array, acc: Float64Array): void {
  const ap = new Float64Array(4 * P_BLOCK);
  for (let p0 = 0; p0 < K; p0 += P_BLOCK) {
    const np = Math.min(K, p0 + P_BLOCK) - p0;
    let i = 0;
    for (; i + 3 < M; i += 4) {
      for (let p = 0; p < np; p++) {
        const o = (p0 + p) * M + i;
        ap[4 * p] = At[o];
        ap[4 * p + 1] = At[o + 1];
        ap[4 * p + 2] = At[o + 2];
        ap[4 * p + 3] = At[o + 3];
      }
      const r0 = i * N, r1 = r0 + N, r2 = r1 + N, r3 = r2 + N;
      let j = 0;
      for (; j + 1 < N; j += 2) {
        let c00 = acc[r0 + j], c01 = acc[r0 + j + 1], c10 = acc[r1 + j], c11 = acc[r1 + j + 1];
        let c20 = acc[r2 + j], c21 = acc[r2 + j + 1], c30 = acc[r3 + j], c31 = acc[r3 + j + 1];
        let bo = p0 * N + j;
        for (let q = 0; q < 4 * np; q += 4, bo += N) {
          const a0 = ap[q], a1 = ap[q + 1], a2 = ap[q + 2], a3 = ap[q + 3];
          const b0 = Bk[bo], b1 = Bk[bo + 1];
          c00 += a0 * b0; c01 += a0 * b1; c10 += a1 * b0; c11 += a1 * b1;
          c20 += a2 * b0; c21 += a2 * b1; c30 += a3 * b0; c31 += a3 * b1;
        }
        acc[r0 + j] = c00; acc[r0 + j + 1] = c01; acc[r1 + j] = c10; acc[r1 + j + 1] = c11;
        acc[r2 + j] = c20; acc[r2 + j + 1] = c21; acc[r3 + j] = c30; acc[r3 + j + 1] = c31;
      }
      if (j < N) {
        let c0 = acc[r0 + j], c1 = acc[r1 + j], c2 = acc[r2 + j], c3 = acc[r3 + j];
        let bo = p0 * N + j;
        for (let q = 0; q < 4 * np; q += 4, bo += N) {
          const b = Bk[bo];
          c0 += ap[q] * b; c1 += ap[q + 1] * b; c2 += ap[q + 2] * b; c3 += ap[q + 3] * b;
        }
        acc[r0 + j] = c0; acc[r1 + j] = c1; acc[r2 + j] = c2; acc[r3 + j] = c3;
      }
    }
    for (; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let c = acc[i * N + j];
        for (let p = p0; p < p0 + np; p++) c += At[p * M + i] * Bk[p * N + j];
        acc[i * N + j] = c;
      }
    }
  }
}

/**
 * A dense K×n float64 copy of a stored matrix X (row stride ld): X itself (K×n) when `transposed` is false,
 * else the transpose of X (n×K).
 */
function packed(K: number, n: number, X: DataArray, ld: number, transposed: boolean): Float64Array {
  const T = new Float64Array(K * n);
  if (transposed) {
    for (let i = 0; i < n; i++) for (let p = 0; p < K; p++) T[p * n + i] = X[i * ld + p];
  } else {
    for (let p = 0; p < K; p++) for (let i = 0; i < n; i++) T[p * n + i] = X[p * ld + i];
  }
  return T;
}
