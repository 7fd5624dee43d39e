import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/prng.ts';
import { thinSvd, singularValues } from '../src/linalg/svd.ts';
import { srank, srankFromSingularValues } from '../src/linalg/srank.ts';
import { symmetricEigen } from '../src/linalg/jacobi.ts';

/** Random m×k matrix with orthonormal columns (Gram–Schmidt twice on Gaussian columns), row-major. */
function randomOrthonormal(m: number, k: number, rng: Rng): Float64Array {
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

/** Φ = U diag(σ) Vᵀ with U m×k, V n×k orthonormal. */
function construct(m: number, n: number, sigma: number[], rng: Rng): Float64Array {
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

function matmulT(A: Float64Array, m: number, n: number): Float64Array {
  // AᵀA, n×n
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let r = 0; r < m; r++) s += A[r * n + i] * A[r * n + j];
    G[i * n + j] = s;
  }
  return G;
}

test('singular values of U diag(σ) Vᵀ match the constructed σ to 1e-12 (tall, wide, square, graded)', () => {
  const rng = new Rng(11);
  const cases: Array<[number, number, number[]]> = [
    [12, 5, [9, 4, 2.5, 1, 0.3]],
    [5, 12, [9, 4, 2.5, 1, 0.3]],
    [7, 7, [1, 1e-3, 1e-6, 1e-9, 1e-12, 2e-13, 1e-14]], // graded: small values stay relatively accurate
    [30, 20, Array.from({ length: 20 }, (_, i) => 2 ** -i)],
  ];
  for (const [m, n, sig] of cases) {
    const A = construct(m, n, sig, rng);
    const { sigma, U, V, k } = thinSvd(A, m, n);
    assert.equal(k, Math.min(m, n));
    for (let i = 0; i < sig.length; i++) assert.ok(Math.abs(sigma[i] - sig[i]) <= 1e-12 * sig[0], `${m}×${n}: σ_${i} ${sigma[i]} vs ${sig[i]}`);
    // reconstruction and orthonormality
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += U[i * k + t] * sigma[t] * V[j * k + t];
      assert.ok(Math.abs(s - A[i * n + j]) <= 1e-13 * sig[0]);
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += V[j * k + a] * V[j * k + b];
      assert.ok(Math.abs(s - (a === b ? 1 : 0)) <= 1e-13);
    }
  }
  // graded case: relative accuracy of the tiny values (beyond what AᵀA could give)
  const sig = [1, 1e-4, 1e-8, 1e-12];
  const s = singularValues(construct(6, 4, sig, new Rng(3)), 6, 4);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(s[i] - sig[i]) <= 1e-12 * Math.max(sig[i], 1e-4), `graded σ_${i}: ${s[i]}`);
});

test('σ² match the eigenvalues of ΦᵀΦ from the Jacobi eigensolver (dense reference) to 1e-12·σ_max²', () => {
  const rng = new Rng(5);
  for (const [m, n] of [[15, 6], [6, 15], [9, 9]] as const) {
    const A = new Float64Array(m * n).map(() => rng.normal());
    const s = singularValues(A, m, n);
    const { values } = symmetricEigen(matmulT(A, m, n), n);
    const k = Math.min(m, n);
    for (let i = 0; i < k; i++) assert.ok(Math.abs(s[i] * s[i] - values[i]) <= 1e-12 * values[0], `${m}×${n} λ_${i}`);
    for (let i = k; i < n; i++) assert.ok(Math.abs(values[i]) <= 1e-12 * values[0]); // the rest of ΦᵀΦ is null
  }
});

test('rank-deficient, zero and 1×1 matrices', () => {
  const rng = new Rng(8);
  const A = construct(10, 8, [3, 2, 1], rng); // rank 3
  const { sigma, U } = thinSvd(A, 10, 8);
  assert.equal(sigma.length, 8);
  for (let i = 3; i < 8; i++) assert.ok(sigma[i] <= 1e-14, `σ_${i} = ${sigma[i]}`);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(sigma[i] - [3, 2, 1][i]) <= 1e-12 * 3);
  assert.equal(srank(A, 10, 8), 3); // the round-off σ (≤ 1e-14) carry no mass at δ = 0.01
  assert.equal(srank(A, 10, 8, 0.2), 2); // (3+2)/6 = 0.833 ≥ 0.8
  assert.ok(U.every((x) => Number.isFinite(x)));
  const Z = new Float64Array(12);
  assert.deepEqual(Array.from(singularValues(Z, 3, 4)), [0, 0, 0]);
  assert.equal(srank(Z, 3, 4), 0);
  assert.equal(srank(new Float64Array(0), 0, 4), 0);
  assert.deepEqual(Array.from(singularValues(Float64Array.of(-2.5), 1, 1)), [2.5]);
  assert.equal(srank(Float64Array.of(-2.5), 1, 1), 1);
});

test('srank: "≥" convention at the exact threshold, ties, δ and definitional values', () => {
  // exactly at the threshold: 99/100 rounds to the same double as 1 − 0.01, so k = 1
  assert.equal(99 / 100, 1 - 0.01);
  assert.equal(srankFromSingularValues([99, 1]), 1);
  assert.equal(srankFromSingularValues([3, 1], 0.25), 1); // 3/4 = 0.75 exactly
  assert.equal(srankFromSingularValues([3, 1], 0.2499), 2);
  // ties: four equal values, δ = 1/4 → 3/4 reached at k = 3 exactly
  assert.equal(srankFromSingularValues([1, 1, 1, 1], 0.25), 3);
  assert.equal(srankFromSingularValues([1, 1, 1, 1], 0.01), 4);
  assert.equal(srankFromSingularValues([1, 1, 1, 1], 0.9), 1);
  // order of the input does not matter
  assert.equal(srankFromSingularValues([1, 3, 0, 2], 0.4), 2); // (3+2)/6 = 0.833 ≥ 0.6
  // the matrix path agrees on an exactly diagonal Φ (no rotation needed: σ exact)
  const D = new Float64Array(16);
  [3, 1, 0, 0].forEach((v, i) => (D[i * 4 + i] = v));
  assert.equal(srank(D, 4, 4, 0.25), 1);
  assert.equal(srank(D, 4, 4, 0.2), 2);
  // default δ = 0.01: 100 values with a long tail
  const tail = Array.from({ length: 100 }, (_, i) => (i === 0 ? 1000 : 1));
  // (1000 + k−1)/1099 ≥ 0.99 ⇔ k − 1 ≥ 88.01 → k = 90
  assert.equal(srankFromSingularValues(tail), 90);
  assert.throws(() => srankFromSingularValues([1], 1), /delta/);
  assert.throws(() => srankFromSingularValues([-1]), /singular values/);
});

test('srank and σ are invariant under orthogonal transforms and positive scaling', () => {
  const rng = new Rng(21);
  const m = 20, n = 10;
  const A = construct(m, n, [5, 4, 3, 0.5, 0.2, 0.1, 0.05, 0.01, 0, 0], rng);
  const Q = randomOrthonormal(m, m, rng);
  const R = randomOrthonormal(n, n, rng);
  const QA = new Float64Array(m * n), AR = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, t = 0;
    for (let r = 0; r < m; r++) s += Q[i * m + r] * A[r * n + j];
    for (let r = 0; r < n; r++) t += A[i * n + r] * R[r * n + j];
    QA[i * n + j] = s;
    AR[i * n + j] = t;
  }
  const s0 = singularValues(A, m, n);
  for (const B of [QA, AR]) {
    const s = singularValues(B, m, n);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(s[i] - s0[i]) <= 1e-12 * s0[0]);
  }
  for (const delta of [0.01, 0.05, 0.1, 0.3]) {
    const k = srank(A, m, n, delta);
    assert.equal(srank(QA, m, n, delta), k);
    assert.equal(srank(AR, m, n, delta), k);
    for (const c of [1e-200, 1e-3, 7.5, 1e200]) assert.equal(srank(A.map((x) => c * x), m, n, delta), k, `scale ${c}`);
  }
  // srank values from the known σ
  const sig = [5, 4, 3, 0.5, 0.2, 0.1, 0.05, 0.01, 0, 0];
  for (const delta of [0.01, 0.05, 0.1, 0.3]) assert.equal(srank(A, m, n, delta), srankFromSingularValues(sig, delta));
  // scaling by a power of two scales σ exactly
  const s2 = singularValues(A.map((x) => x * 2 ** 40), m, n);
  for (let i = 0; i < n; i++) assert.equal(s2[i], s0[i] * 2 ** 40);
  assert.throws(() => thinSvd(Float64Array.of(1, NaN), 1, 2), /non-finite/);
  assert.throws(() => thinSvd(new Float64Array(3), 2, 2), /entries/);
});
