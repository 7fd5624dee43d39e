import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridworld } from '../src/rl/gridworld.ts';
import {
  allPairsFeatureMatrix,
  featureDataset,
  featureMatrix,
  gridCoordinateFeatures,
  oneHotFeatures,
  randomFourierFeatures,
} from '../src/rl/features.ts';

test('one-hot features: row i is e_{s·A + a}', () => {
  const f = featureMatrix(oneHotFeatures(3, 2), [0, 2, 1], [1, 0, 1]);
  assert.equal(f.m, 3);
  assert.equal(f.d, 6);
  assert.deepEqual([...f.X], [0, 1, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 1, 0, /**/ 0, 0, 0, 1, 0, 0]);
  // All pairs: the identity matrix.
  const all = allPairsFeatureMatrix(oneHotFeatures(3, 2), 3, 2);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) assert.equal(all.X[i * 6 + j], i === j ? 1 : 0);
});

test('grid coordinate features by hand on a 3×2 grid with a wall', () => {
  // Cells (x, y): states 0=(0,0) 1=(1,0) 2=(2,0) 3=(0,1) [wall (1,1)] 4=(2,1).
  const g = gridworld({ width: 3, height: 2, walls: [[1, 1]], goal: [2, 1] });
  const f = featureMatrix(gridCoordinateFeatures(g), [1, 3, 4], [3, 0, 2]);
  assert.equal(f.d, 6);
  assert.deepEqual([...f.X], [
    0.5, 0, 0, 0, 0, 1,
    0, 1, 1, 0, 0, 0,
    1, 1, 0, 0, 1, 0,
  ]);
  const corridor = gridworld({ width: 4, height: 1, goal: [3, 0] });
  assert.deepEqual([...featureMatrix(gridCoordinateFeatures(corridor), [2], [1]).X], [2 / 3, 0, 0, 1, 0, 0]);
});

test('random Fourier features: φ = √(2/D) cos(Wz + b) recomputed directly; deterministic per seed', () => {
  const g = gridworld({ width: 4, height: 4 });
  const base = gridCoordinateFeatures(g);
  const rff = randomFourierFeatures(base, { D: 16, seed: 3, bandwidth: 0.7 });
  const f = featureMatrix(rff, [5, 9], [2, 0]);
  const z = featureMatrix(base, [5, 9], [2, 0]);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 16; j++) {
    let arg = rff.b[j]!;
    for (let k = 0; k < 6; k++) arg += rff.W[j * 6 + k]! * z.X[i * 6 + k]!;
    assert.ok(Math.abs(f.X[i * 16 + j]! - Math.sqrt(2 / 16) * Math.cos(arg)) < 1e-15);
  }
  for (const p of rff.b) assert.ok(p >= 0 && p < 2 * Math.PI);
  assert.deepEqual(featureMatrix(randomFourierFeatures(base, { D: 16, seed: 3, bandwidth: 0.7 }), [5, 9], [2, 0]).X, f.X);
  assert.notDeepEqual(featureMatrix(randomFourierFeatures(base, { D: 16, seed: 4, bandwidth: 0.7 }), [5, 9], [2, 0]).X, f.X);
  assert.throws(() => randomFourierFeatures(base, { D: 0, seed: 1 }), /D must be a positive integer/);
});

test('random Fourier features approximate the Gaussian kernel exp(−‖z − z′‖²/(2ℓ²))', () => {
  const g = gridworld({ width: 5, height: 5 });
  const base = gridCoordinateFeatures(g);
  const ell = 0.6, D = 20000;
  const rff = randomFourierFeatures(base, { D, seed: 11, bandwidth: ell });
  const s = [0, 0, 6, 12, 24], a = [0, 1, 0, 3, 3];
  const f = featureMatrix(rff, s, a);
  const z = featureMatrix(base, s, a);
  for (let i = 0; i < s.length; i++) for (let j = i; j < s.length; j++) {
    let dot = 0, dist2 = 0;
    for (let k = 0; k < D; k++) dot += f.X[i * D + k]! * f.X[j * D + k]!;
    for (let k = 0; k < base.d; k++) dist2 += (z.X[i * base.d + k]! - z.X[j * base.d + k]!) ** 2;
    const kernel = Math.exp(-dist2 / (2 * ell * ell));
    // Monte-Carlo error of a D-term average of terms bounded by 2: s.e. ≤ 1/√D ≈ 0.007.
    assert.ok(Math.abs(dot - kernel) < 0.03, `pair (${i}, ${j}): ${dot} vs ${kernel}`);
  }
});

test('featureDataset wraps the matrix with targets', () => {
  const f = allPairsFeatureMatrix(oneHotFeatures(2, 2), 2, 2);
  const ds = featureDataset(f, Float64Array.from([1, 2, 3, 4]), 'q-targets');
  assert.equal(ds.m, 4);
  assert.equal(ds.d, 4);
  assert.equal(ds.X, f.X);
  assert.throws(() => featureDataset(f, new Float64Array(3), 'bad'), /4 rows of X but 3 labels/);
});
