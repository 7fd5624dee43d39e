/**
 * Computed checks of the srank definition (src/linalg/srank.ts) for reports: the SVD against matrices of known
 * singular values and against a dense eigen-reference, the "≥" convention at an exact threshold, ties, and
 * invariance under orthogonal transforms and positive scaling. Each check is computed and can fail; the
 * implementations are parameters so that a wrong one is seen to fail. Browser-safe.
 */
import { Rng } from './prng.ts';
import { singularValues } from './svd.ts';
import { srankFromSingularValues } from './srank.ts';
import { symmetricEigen } from '../linalg/jacobi.ts';

/** Random m×k matrix with orthonormal columns (Gram–Schmidt twice on Gaussian columns), row-major. */
export function randomOrthonormal(m: number, k: number, rng: Rng): Float64Array {
  const Q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m).map(() => rng.normal());
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let c = 0;
        for (let r = 0; r < m; r++) c += Q[r * k + i] * v[r];
        for (let r = 0; r < m; r++) v[r] -= c * Q[r * k + i];
      }
    }
    const nv = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    for (let r = 0; r < m; r++) Q[r * k + j] = v[r] / nv;
  }
  return Q;
}

/** Φ = U diag(σ) Vᵀ (m×n) with random U (m×k), V (n×k) with orthonormal columns, k = σ.length. */
export function withSingularValues(m: number, n: number, sigma: readonly number[], rng: Rng): Float64Array {
  const k = sigma.length;
  const U = randomOrthonormal(m, k, rng);
  const V = randomOrthonormal(n, k, rng);
  const A = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += U[i * k + t] * sigma[t] * V[j * k + t];
    A[i * n + j] = s;
  }
  return A;
}

export interface SrankCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface SrankImplementations {
  singularValuesOf?: (A: Float64Array, m: number, n: number) => Float64Array;
  srankOf?: (sigma: ArrayLike<number>, delta?: number) => number;
}

export function srankDefinitionChecks(impl: SrankImplementations = {}, seed = 2021): SrankCheck[] {
  const sv = impl.singularValuesOf ?? singularValues;
  const sr = impl.srankOf ?? srankFromSingularValues;
  const srankOfMatrix = (A: Float64Array, m: number, n: number, delta = 0.01) => sr(sv(A, m, n), delta);
  const rng = new Rng(seed);
  const checks: SrankCheck[] = [];

  // 1. σ of U diag(σ) Vᵀ (graded, tall) to 1e−12·σ_max
  const sigma = [8, 4, 2, 1, 0.5, 0.1, 1e-3, 1e-6];
  const A = withSingularValues(40, 8, sigma, rng);
  const s = sv(A, 40, 8);
  const errKnown = Math.max(...sigma.map((x, i) => Math.abs(s[i] - x) / sigma[0]));
  checks.push({ name: 'SVD recovers prescribed singular values', pass: errKnown <= 1e-12, detail: `max |σ̂_i − σ_i|/σ_max = ${errKnown.toExponential(2)} (40×8, σ from 8 to 1e−6; tolerance 1e−12)` });

  // 2. σ² against the eigenvalues of ΦᵀΦ (dense Jacobi eigensolver)
  const m = 25, n = 9;
  const B = new Float64Array(m * n).map(() => rng.normal());
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let r = 0; r < m; r++) acc += B[r * n + i] * B[r * n + j];
    G[i * n + j] = acc;
  }
  const ev = symmetricEigen(G, n).values;
  const sb = sv(B, m, n);
  const errDense = Math.max(...Array.from(ev, (l, i) => Math.abs(sb[i] * sb[i] - l) / ev[0]));
  checks.push({ name: 'σ² equal the eigenvalues of ΦᵀΦ (dense reference)', pass: errDense <= 1e-12, detail: `max |σ_i² − λ_i(ΦᵀΦ)|/λ_max = ${errDense.toExponential(2)} (25×9 Gaussian; tolerance 1e−12)` });

  // 3. the "≥" convention and ties, hand-computed values
  const cases: [number[], number, number][] = [
    [[99, 1], 0.01, 1], // 99/100 = 1 − 0.01 exactly: "≥" counts it
    [[98, 2], 0.01, 2],
    [[1, 1, 1, 1], 0.25, 3], // ties: 3/4 reached exactly at k = 3
    [[1, 1, 1, 1], 0.01, 4],
    [[0, 0, 0], 0.01, 0], // the zero matrix
  ];
  const wrong = cases.filter(([x, d, k]) => sr(x, d) !== k);
  checks.push({
    name: 'srank at an exact threshold ("≥"), with ties, and of 0',
    pass: wrong.length === 0,
    detail: cases.map(([x, d, k]) => `srank_${d}(${x.join(', ')}) = ${sr(x, d)} (by hand ${k})`).join('; '),
  });

  // 4. invariance: srank(QΦR) = srank(cΦ) = srank(Φ), with a known answer from σ
  const sig2 = [5, 4, 3, 0.5, 0.2, 0.1, 0.05, 0.01, 0, 0];
  const m2 = 20, n2 = 10;
  const C = withSingularValues(m2, n2, sig2, rng);
  const Q = randomOrthonormal(m2, m2, rng);
  const QC = new Float64Array(m2 * n2);
  for (let i = 0; i < m2; i++) for (let j = 0; j < n2; j++) {
    let acc = 0;
    for (let r = 0; r < m2; r++) acc += Q[i * m2 + r] * C[r * n2 + j];
    QC[i * n2 + j] = acc;
  }
  const rows: string[] = [];
  let invariant = true;
  for (const delta of [0.01, 0.05, 0.3]) {
    const expected = sr(sig2, delta);
    const got = [srankOfMatrix(C, m2, n2, delta), srankOfMatrix(QC, m2, n2, delta), srankOfMatrix(C.map((x) => 1e-3 * x), m2, n2, delta), srankOfMatrix(C.map((x) => 7.5 * x), m2, n2, delta)];
    if (got.some((g) => g !== expected)) invariant = false;
    rows.push(`δ = ${delta}: ${got.join(' = ')} (from σ: ${expected})`);
  }
  checks.push({ name: 'srank invariant under orthogonal Q and scaling by c > 0', pass: invariant, detail: `srank of Φ, QΦ, 10⁻³Φ, 7.5Φ — ${rows.join('; ')}` });
  return checks;
}
