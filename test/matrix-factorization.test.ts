import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatrixFactorization } from '../src/models/matrixFactorization.ts';
import { gaussianInit, orthogonalInit } from '../src/models/init.ts';
import { createModel, modelParamCount } from '../src/models/registry.ts';
import { getLoss, LOSS_NAMES } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { matrixSensingData } from '../src/data/matrixSensing.ts';
import { singularValues } from '../src/linalg/svd.ts';
import { Rng } from '../src/linalg/prng.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildProblem } from '../src/experiments/problem.ts';
import { train, DEFAULT_TRAIN_SETTINGS } from '../src/train/trainer.ts';
import { maxRelErrVec } from './helpers.ts';
import { checkGradient, checkHvp, checkJacobianRow, checkNtk } from './modelChecks.ts';

function randomData(m: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const X = rng.fillNormal(new Float64Array(m * d));
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) y[i] = rng.uniform() < 0.5 ? -1 : 1;
  return makeDataset(X, y, d, 'random');
}

/** P = W_N⋯W_1 by explicit triple loops (independent of the model's matMul). */
function explicitProduct(theta: Float64Array, n: number, N: number): Float64Array {
  let P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) P[i * n + i] = 1;
  for (let k = 0; k < N; k++) {
    const W = theta.subarray(k * n * n, (k + 1) * n * n);
    const next = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let l = 0; l < n; l++) next[i * n + j] += W[i * n + l] * P[l * n + j];
    P = next;
  }
  return P;
}

const shapes = [
  { n: 3, depth: 1 },
  { n: 3, depth: 2 },
  { n: 2, depth: 3 },
  { n: 3, depth: 4 },
];

for (const spec of shapes) {
  for (const lossName of LOSS_NAMES) {
    test(`gradient, HVP and NTK vs independent references (test/modelChecks.ts): N = ${spec.depth}, n = ${spec.n}, ${lossName}`, () => {
      const model = new MatrixFactorization(spec);
      const loss = getLoss(lossName);
      checkGradient(model, gaussianInit(model, 3, 0.6), randomData(7, model.d, 11), loss);
      checkHvp(model, gaussianInit(model, 9, 0.6), randomData(6, model.d, 5), loss);
      checkNtk(model, gaussianInit(model, 4), randomData(9, model.d, 2), loss);
    });
  }
}

test('the input kernel K equals the Jacobian Gram matrix of unit inputs', () => {
  for (const spec of shapes) {
    const model = new MatrixFactorization(spec);
    const data = randomData(9, model.d, 2);
    const theta = gaussianInit(model, 4);
    const ev = model.evaluate(theta, data, getLoss('squared'));
    // K in input space: e_iᵀ K e_j = ∇f(e_i)·∇f(e_j) (f is linear in x)
    const d = model.d;
    const e = (i: number) => { const v = new Float64Array(d); v[i] = 1; return v; };
    for (const [i, j] of [[0, 0], [1, d - 1], [d - 1, 2]]) {
      const z = model.linear.inputKernelApply(ev, e(j), new Float64Array(d));
      const Ji = model.jacobianRow(theta, e(i)), Jj = model.jacobianRow(theta, e(j));
      let s = 0;
      for (let k = 0; k < model.numParams; k++) s += Ji[k] * Jj[k];
      assert.ok(Math.abs(z[i] - s) < 1e-12 * Math.max(1, Math.abs(s)), `K[${i},${j}]`);
    }
  }
});

test('end-to-end β is vec(W_N⋯W_1) and f = ⟨A, P⟩; the Jacobian row matches finite differences of f', () => {
  const model = new MatrixFactorization({ n: 3, depth: 3 });
  const theta = gaussianInit(model, 1);
  const P = explicitProduct(theta, 3, 3);
  assert.ok(maxRelErrVec(model.linear.endToEnd(theta), P) < 1e-14);
  const x = new Rng(2).fillNormal(new Float64Array(9));
  const data = makeDataset(x, Float64Array.of(1), 9, 'one');
  let f = 0;
  for (let i = 0; i < 9; i++) f += x[i] * P[i];
  assert.ok(Math.abs(model.predict(theta, data)[0] - f) < 1e-13 * Math.max(1, Math.abs(f)));
  checkJacobianRow(model, theta, data, model.jacobianRow(theta, x), 1e-7);
});

test('descend applies exactly θ − η∇L; homogeneity N: f(cθ) = c^N f(θ)', () => {
  const model = new MatrixFactorization({ n: 3, depth: 3 });
  const data = randomData(10, 9, 3);
  const theta = gaussianInit(model, 2);
  const ev = model.evaluate(theta, data, getLoss('squared'));
  const g = model.gradient(ev);
  const expected = theta.map((t, i) => t - 0.3 * g[i]);
  const f0 = model.predict(theta, data);
  const f2 = model.predict(theta.map((t) => 2 * t), data);
  for (let i = 0; i < data.m; i++) assert.ok(Math.abs(f2[i] - 8 * f0[i]) < 1e-12 * Math.max(1, Math.abs(f2[i])));
  model.descend(ev, 0.3);
  assert.ok(maxRelErrVec(theta, expected) < 1e-15);
});

test('orthogonal init: every singular value of P(0) is scale^N, the factors balanced', () => {
  const model = new MatrixFactorization({ n: 5, depth: 3 });
  const scale = 0.1;
  const theta = orthogonalInit(model, 7, scale);
  const sv = singularValues(model.product(theta), 5, 5);
  for (const s of sv) assert.ok(Math.abs(s - scale ** 3) < 1e-14, `σ = ${s}`);
  // W_2ᵀW_2 = W_1W_1ᵀ = scale²·I
  const W1 = model.factor(theta, 1);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
    let s = 0;
    for (let k = 0; k < 5; k++) s += W1[i * 5 + k] * W1[j * 5 + k];
    assert.ok(Math.abs(s - (i === j ? scale * scale : 0)) < 1e-15);
  }
  assert.deepEqual(Array.from(orthogonalInit(model, 7, scale)), Array.from(theta), 'deterministic');
});

test('matrix sensing data: y = ⟨A, W*⟩, W* has the given spectrum and rank; deterministic', () => {
  const ds = matrixSensingData({ n: 6, rank: 2, m: 15, seed: 4, singularValues: [3, 5] });
  assert.equal(ds.d, 36);
  const sv = singularValues(ds.target, 6, 6);
  assert.ok(Math.abs(sv[0] - 5) < 1e-12 && Math.abs(sv[1] - 3) < 1e-12 && sv[2] < 1e-12, `spectrum ${Array.from(sv)}`);
  for (let a = 0; a < ds.m; a++) {
    let s = 0;
    for (let i = 0; i < 36; i++) s += ds.X[a * 36 + i] * ds.target[i];
    assert.ok(Math.abs(ds.y[a] - s) < 1e-12 * Math.max(1, Math.abs(s)));
  }
  assert.deepEqual(Array.from(matrixSensingData({ n: 6, rank: 2, m: 15, seed: 4, singularValues: [3, 5] }).y), Array.from(ds.y));
  // the default spectrum is 12/i
  const def = matrixSensingData({ n: 5, rank: 4, m: 3, seed: 1 });
  assert.deepEqual(Array.from(def.targetSingularValues), [12, 6, 4, 3]);
  assert.throws(() => matrixSensingData({ n: 3, rank: 4, m: 3, seed: 1 }), /rank 4 exceeds n = 3/);
  assert.throws(() => matrixSensingData({ n: 3, rank: 2, m: 3, seed: 1, singularValues: [1] }), /1 entries, expected rank = 2/);
});

test('the model at P = W* has zero squared loss on its sensing data, and a gradient of zero', () => {
  const ds = matrixSensingData({ n: 4, rank: 2, m: 10, seed: 2 });
  const model = new MatrixFactorization({ n: 4, depth: 1 });
  const ev = model.evaluate(Float64Array.from(ds.target), ds, getLoss('squared'));
  assert.ok(ev.value < 1e-25, `loss ${ev.value}`);
  assert.ok(model.gradNorm(ev) < 1e-12);
});

test('registry and config: model.kind matrix-factorization on matrix-sensing data; clear errors', () => {
  assert.equal(modelParamCount({ kind: 'matrix-factorization', depth: 3 }, 16), 48);
  assert.equal(createModel({ kind: 'matrix-factorization', depth: 3 }, 16).numParams, 48);
  assert.throws(() => createModel({ kind: 'matrix-factorization', depth: 2 }, 10), /d = n²/);
  assert.throws(() => resolveConfig({ data: { kind: 'matrix-sensing' }, model: { kind: 'matrix-factorization' }, loss: 'logistic' }), /loss: matrix-sensing data have real-valued labels/);
  assert.throws(() => resolveConfig({ data: { kind: 'matrix-sensing', rank: 2, singularValues: [1] }, loss: 'squared' }), /data\.singularValues: 1 values given/);
  const cfg = resolveConfig({ data: { kind: 'matrix-sensing', n: 4, rank: 2, m: 30 }, model: { kind: 'matrix-factorization', depth: 2 }, init: { kind: 'orthogonal', scale: 0.3 }, loss: 'squared', eta: 0.05, steps: 300, curvature: { every: 100 } });
  const { problem, settings } = buildProblem(cfg);
  assert.equal(problem.model.kind, 'matrix-factorization');
  const res = train(problem, { ...DEFAULT_TRAIN_SETTINGS, ...settings });
  assert.equal(res.summary.status, 'max-steps');
  assert.ok(res.summary.lossFinal < 0.05 * res.summary.lossInitial, `loss ${res.summary.lossInitial} → ${res.summary.lossFinal}`);
});
