/**
 * Solve a dense n×n linear system M x = b by Gaussian elimination with partial pivoting.
 * Used for exact policy evaluation, (I − γP^π) q = r, with n = S·A ≤ a few hundred: O(n³/3)
 * flops, well-conditioned (the matrix is strictly diagonally dominant by rows for γ < 1, so
 * partial pivoting never even has to swap — it is kept for general use).
 * M (row-major) and b are not modified.
 */
export function solveDense(M: Float64Array, b: Float64Array, n: number): Float64Array {
  if (M.length !== n * n) throw new RangeError(`solveDense: matrix has ${M.length} entries, expected ${n}×${n}`);
  if (b.length !== n) throw new RangeError(`solveDense: right-hand side has ${b.length} entries, expected ${n}`);
  const a = M.slice();
  const x = b.slice();
  for (let k = 0; k < n; k++) {
    let piv = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) {
        best = v;
        piv = i;
      }
    }
    if (best === 0) throw new RangeError(`solveDense: matrix is singular (column ${k} has no pivot)`);
    if (piv !== k) {
      for (let j = k; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[piv * n + j]!;
        a[piv * n + j] = t;
      }
      const t = x[k]!;
      x[k] = x[piv]!;
      x[piv] = t;
    }
    const akk = a[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k]! / akk;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
      x[i]! -= f * x[k]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * x[j]!;
    x[i] = s / a[i * n + i]!;
  }
  return x;
}
