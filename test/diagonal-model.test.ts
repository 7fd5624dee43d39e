import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagonalLinear } from '../src/models/diagonal.ts';
import { constantInit, gaussianInit } from '../src/models/init.ts';
import { getLoss, LOSS_NAMES } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { createModel, isLinearInInput } from '../src/models/registry.ts';
import { weightsFromJson, weightsToJson } from '../src/models/weightsFormat.ts';
import { checkGradient, checkHvp, checkNtk } from './modelChecks.ts';

function randomData(m: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const X = rng.fillNormal(new Float64Array(m * d));
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) y[i] = rng.uniform() < 0.5 ? -1 : 1;
  return makeDataset(X, y, d, 'random');
}

for (const depth of [1, 2, 3, 5]) {
  for (const lossName of LOSS_NAMES) {
    test(`diagonal net depth ${depth}, ${lossName}: gradient, HVP and NTK against finite differences and the Jacobian Gram`, (tc) => {
      const model = new DiagonalLinear({ d: 6, depth });
      const data = randomData(7, 6, 3 + depth);
      // Gaussian θ (not α·1) so u₊ ≠ u₋ and every derivative term is exercised
      const theta = gaussianInit(model, 5, 0.7);
      const loss = getLoss(lossName);
      const g = checkGradient(model, theta, data, loss);
      const h = checkHvp(model, theta, data, loss);
      const n = checkNtk(model, theta, data, loss);
      tc.diagnostic(`gradient ${g.toExponential(2)}, HVP ${h.toExponential(2)}, NTK ${n.toExponential(2)}`);
    });
  }
}

test('diagonal net: β = u₊^D − u₋^D, zero at the α·1 init, and f = β·x', () => {
  const model = new DiagonalLinear({ d: 3, depth: 3 });
  assert.deepEqual(Array.from(model.endToEnd(constantInit(model, 0.5))), [0, 0, 0]);
  const theta = Float64Array.of(1, 2, -1, 0.5, 1, 2);
  // β_j = u₊_j³ − u₋_j³: 1 − 0.125, 8 − 1, −1 − 8
  assert.deepEqual(Array.from(model.endToEnd(theta)), [0.875, 7, -9]);
  const data = makeDataset(Float64Array.of(1, 1, 1, 2, 0, -1), Float64Array.of(1, -1), 3, 'two');
  assert.deepEqual(Array.from(model.predict(theta, data)), [0.875 + 7 - 9, 1.75 + 9]);
  assert.equal(model.homogeneity, 3);
  // NTK kernel is diag(g₊² + g₋²): at θ = α·1, k_j = 2 D² α^{2(D−1)}
  const ev = model.evaluate(constantInit(model, 0.5), data, getLoss('exponential'));
  const z = model.linear.inputKernelApply(ev, Float64Array.of(1, 1, 1), new Float64Array(3));
  assert.deepEqual(Array.from(z), [2 * 9 * 0.0625, 2 * 9 * 0.0625, 2 * 9 * 0.0625]);
});

test('diagonal net: built from a config spec by the registry; weights file round trip; wrong kind refused', () => {
  const model = createModel({ kind: 'diagonal', depth: 2 }, 4);
  assert.equal(model.kind, 'diagonal');
  assert.equal(model.numParams, 8);
  const theta = gaussianInit(model, 1);
  const json = weightsToJson(model, theta);
  assert.deepEqual(json.model, { kind: 'diagonal', d: 4, depth: 2 });
  assert.deepEqual(json.layers.map((l) => l.name), ['u+', 'u-']);
  assert.deepEqual(Array.from(weightsFromJson(model, JSON.parse(JSON.stringify(json)), 'w.json')), Array.from(theta));
  const deep = createModel({ kind: 'deep-linear', width: 2, depth: 2 }, 4);
  assert.throws(() => weightsFromJson(deep, json, 'w.json'), /holds a 'diagonal' model but the config's model is 'deep-linear'/);
  assert.throws(() => new DiagonalLinear({ d: 3, depth: 0 }), /depth must be an integer ≥ 1/);
});

test('registry: isLinearInInput matches each built model’s linear capability', () => {
  const specs = [
    { kind: 'deep-linear', width: 3, depth: 2 },
    { kind: 'diagonal', depth: 2 },
    { kind: 'matrix-factorization', depth: 2 },
    { kind: 'relu-mlp', widths: [3], parameterization: 'ntk', bias: false, normalization: 'none', weightDecay: 0 },
  ] as const;
  for (const spec of specs) assert.equal(createModel(spec as never, 4).linear !== undefined, isLinearInInput(spec.kind), spec.kind);
});
