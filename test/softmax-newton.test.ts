import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmaxNewton, weightedGram } from '../src/data/softmaxNewton.ts';
import { Rng } from '../src/linalg/prng.ts';

test('weightedGram = Σ p_k z_k z_kᵀ (dense reference, blocks of 32 and a remainder)', () => {
  const rng = new Rng(3);
  const d = 7, m = 75;
  const Z = rng.fillNormal(new Float64Array(m * d));
  const rows = [0, 5, 9, ...Array.from({ length: 40 }, (_, i) => 20 + i), 74]; // 44 rows: one full block + 12
  const p = Float64Array.from(rows, () => rng.uniform());
  const H = weightedGram(Z, d, rows, p);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      rows.forEach((a, k) => (s += p[k] * Z[a * d + i] * Z[a * d + j]));
      assert.ok(Math.abs(H[i * d + j] - s) < 1e-12 * Math.max(1, Math.abs(s)), `H[${i}][${j}]`);
    }
  }
});

test('tilted Newton: Gordan weights of ±e1, ±e2 (all 1/4) and of e1, −2e1 (ratio 2)', () => {
  // z = ±e1, ±e2: by symmetry the minimizer of mean(exp(−t) − t) is u = 0, weights all equal (1/4).
  const Z = Float64Array.of(1, 0, -1, 0, 0, 1, 0, -1);
  const r = softmaxNewton(Z, 2, [0, 1, 2, 3], { kind: 'tilted-exp', tol: 1e-15 });
  assert.equal(r.stopReason, 'tol');
  for (const w of r.p) assert.ok(Math.abs(w - 0.25) < 1e-15);
  // an asymmetric non-separable set: z1 = e1, z2 = −2e1 (unit rows e1, −e1 after scaling are what the LP sees;
  // here the rows are used as given): the certificate Σ p z = 0 needs p1 = 2 p2, i.e. exp(−t)+1 weights
  // with t1 = u, t2 = −2u: e^{−u} + 1 = 2(e^{2u} + 1) has one root; check the residual and the ratio.
  const Z2 = Float64Array.of(1, -2);
  const r2 = softmaxNewton(Z2, 1, [0, 1], { kind: 'tilted-exp', tol: 1e-14 });
  assert.ok(r2.residual < 1e-14, `residual ${r2.residual}`);
  assert.ok(Math.abs(r2.p[0] / r2.p[1] - 2) < 1e-12, `ratio ${r2.p[0] / r2.p[1]}`);
});

test('softmax Newton on a separable set does not converge: the separable row is pushed out, its LSE weight decays', () => {
  // z1 = e1 is strictly separated by u = e1 from the pair ±e2 (on which u vanishes)
  const Z = Float64Array.of(1, 0, 0, 1, 0, -1);
  const r = softmaxNewton(Z, 2, [0, 1, 2], { kind: 'lse', maxIter: 30, tol: 0 });
  assert.notEqual(r.stopReason, 'tol');
  assert.ok(r.p[0] < 1e-6 * r.p[1], `weight of the separable row ${r.p[0]} vs ${r.p[1]}`);
  assert.ok(r.u[0] > 10, `u pushed along e1: ${r.u[0]}`);
  const t = softmaxNewton(Z, 2, [0, 1, 2], { kind: 'tilted-exp', maxIter: 30, tol: 0 });
  assert.ok(t.u[0] > 10 && t.residual > 0.1, `tilted: u ${t.u[0]}, residual ${t.residual}`);
});
