import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { thinSvd } from '../src/linalg/svd.ts';
import { symmetricEigen } from '../src/linalg/jacobi.ts';

/**
 * A 20×20 matrix (the end-to-end map of a depth-1 matrix-sensing run at step 120, seed 0) on which one-sided
 * Jacobi with the stopping test |a_pq| ≤ ε·‖a_p‖‖a_q‖ (ε = 2⁻⁵³) cycled for 80 sweeps without meeting it: rounding
 * in the inner products leaves |a_pq| a few ε above that. The test now uses rows·ε (the usual m·ε criterion).
 */
const A = Float64Array.from(JSON.parse(readFileSync(new URL('./fixtures/svd-stall-20x20.json', import.meta.url), 'utf8')) as number[]);

test('thinSvd converges on a matrix where the ε-only stopping test stalled; σ² = eig(AᵀA), A = UΣVᵀ', () => {
  const r = thinSvd(A, 20, 20);
  assert.ok(r.sweeps < 20, `sweeps ${r.sweeps}`);
  const AtA = new Float64Array(400);
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) {
    let s = 0;
    for (let k = 0; k < 20; k++) s += A[k * 20 + i] * A[k * 20 + j];
    AtA[i * 20 + j] = s;
  }
  const { values } = symmetricEigen(AtA, 20);
  for (let i = 0; i < 20; i++) assert.ok(Math.abs(r.sigma[i] ** 2 - values[i]) <= 1e-12 * values[0], `σ_${i}`);
  let worst = 0;
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) {
    let s = 0;
    for (let k = 0; k < 20; k++) s += r.U[i * 20 + k] * r.sigma[k] * r.V[j * 20 + k];
    worst = Math.max(worst, Math.abs(s - A[i * 20 + j]));
  }
  assert.ok(worst < 1e-13 * r.sigma[0], `reconstruction error ${worst}`);
});
