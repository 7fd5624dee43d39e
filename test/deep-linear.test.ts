import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss, lossValueAndD1, LOSS_NAMES, type Loss } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { fdHessian, maxRelErrVec } from './helpers.ts';
import { curvatureOperator } from '../src/curvature/modelOperators.ts';
import { checkGradient, checkHvp, checkJacobianRow, checkNtk } from './modelChecks.ts';

function randomData(m: number, d: number, seed: number, float32 = false) {
  const rng = new Rng(seed);
  const X = float32 ? new Float32Array(m * d) : new Float64Array(m * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) y[i] = rng.uniform() < 0.5 ? -1 : 1;
  return makeDataset(X, y, d, 'random');
}

const shapes = [
  { d: 3, width: 4, depth: 2 },
  { d: 5, width: 3, depth: 3 },
  { d: 4, width: 3, depth: 4 },
];

for (const spec of shapes) {
  for (const lossName of LOSS_NAMES) {
    test(`gradient vs central differences: depth ${spec.depth}, ${lossName}`, (tc) => {
      const model = new DeepLinear(spec);
      const data = randomData(7, spec.d, 11);
      const loss = getLoss(lossName);
      // scale 0.5 keeps exp-loss values moderate so the finite differences stay accurate
      const theta = gaussianInit(model, 3, 0.5);
      const err = checkGradient(model, theta, data, loss);
      tc.diagnostic(`max relative error vs central differences: ${err.toExponential(2)}`);
      // every layer separately (each gets its own error budget)
      const g = model.gradient(model.evaluate(theta, data, loss));
      for (const l of model.layers) {
        const sl = (a: Float64Array) => a.subarray(l.offset, l.offset + l.rows * l.cols);
        const fd = new Float64Array(l.rows * l.cols);
        for (let i = 0; i < fd.length; i++) {
          const t = theta.slice();
          t[l.offset + i] += 1e-5;
          const up = model.evaluate(t, data, loss).value;
          t[l.offset + i] -= 2e-5;
          fd[i] = (up - model.evaluate(t, data, loss).value) / 2e-5;
        }
        assert.ok(maxRelErrVec(sl(g), fd) < 1e-6, `layer ${l.name}`);
      }
    });

    test(`HVP vs dense finite-difference Hessian: depth ${spec.depth}, ${lossName}`, (tc) => {
      const model = new DeepLinear(spec);
      const data = randomData(6, spec.d, 5);
      const err = checkHvp(model, gaussianInit(model, 9, 0.5), data, getLoss(lossName));
      tc.diagnostic(`max relative error vs dense FD Hessian: ${err.toExponential(2)}`);
    });
  }
}

test('NTK matvec equals the explicit Jacobian Gram matrix', () => {
  for (const spec of shapes) {
    const model = new DeepLinear(spec);
    checkNtk(model, gaussianInit(model, 4), randomData(9, spec.d, 2), getLoss('squared'));
  }
});

test('Jacobian row matches finite differences of f', () => {
  const spec = { d: 4, width: 3, depth: 3 };
  const model = new DeepLinear(spec);
  const theta = gaussianInit(model, 1);
  const x = new Rng(2).fillNormal(new Float64Array(spec.d));
  const data = makeDataset(x, Float64Array.of(1), spec.d, 'one');
  checkJacobianRow(model, theta, data, model.jacobianRow(theta, x), 1e-7);
});

test('float32 storage gives the float64 results up to float32 rounding of X', () => {
  const spec = { d: 20, width: 8, depth: 3 };
  const model = new DeepLinear(spec);
  const d64 = randomData(50, spec.d, 7);
  const d32 = makeDataset(Float32Array.from(d64.X), d64.y, spec.d, 'f32');
  const d64r = makeDataset(Float64Array.from(d32.X), d64.y, spec.d, 'f64 of f32');
  const theta = gaussianInit(model, 5);
  const loss = getLoss('logistic');
  const a = model.gradient(model.evaluate(theta, d32, loss));
  const b = model.gradient(model.evaluate(theta, d64r, loss));
  // identical inputs after rounding: identical float64 arithmetic
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('descend applies exactly θ − η∇L', () => {
  const model = new DeepLinear({ d: 6, width: 5, depth: 3 });
  const data = randomData(10, 6, 3);
  const theta = gaussianInit(model, 2);
  const ev = model.evaluate(theta, data, getLoss('logistic'));
  const g = model.gradient(ev);
  const expected = theta.map((t, i) => t - 0.3 * g[i]);
  model.descend(ev, 0.3);
  assert.ok(maxRelErrVec(theta, expected) < 1e-15);
});

test('bad shapes are clear errors', () => {
  assert.throws(() => new DeepLinear({ d: 3, width: 4, depth: 1 }), /depth must be ≥ 2/);
  const model = new DeepLinear({ d: 3, width: 4, depth: 2 });
  assert.throws(() => model.evaluate(new Float64Array(5), randomData(2, 3, 1), getLoss('squared')), /has 16 parameters, got a vector of 5/);
  assert.throws(() => model.predict(new Float64Array(16), randomData(2, 4, 1)), /d = 4 features but the deep-linear model expects d = 3/);
});

test('the fused forward-and-update descend is bit-identical to forward chain + one axpy per row', () => {
  const model = new DeepLinear({ d: 9, width: 7, depth: 4 });
  const data = randomData(12, 9, 4);
  const a = gaussianInit(model, 6);
  const b = a.slice();
  const loss = getLoss('logistic');
  const eta = 0.7;
  for (let t = 0; t < 5; t++) {
    model.descend(model.evaluate(a, data, loss), eta);
    const ev = model.evaluate(b, data, loss);
    const q = model.forwardChain(b, ev.r);
    for (let k = 0; k < model.depth; k++) {
      const l = model.layers[k];
      for (let i = 0; i < l.rows; i++) {
        const c = -eta * ev.e[k + 1][i] * l.scale;
        if (c !== 0) for (let j = 0; j < l.cols; j++) b[l.offset + i * l.cols + j] += c * q[k][j];
      }
    }
  }
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('valueAndD1 = value and d1, bit for bit, for every loss (extremes included)', () => {
  const rng = new Rng(9);
  const fs = [0, -0, 1e-300, -1e-300, 800, -800, 36.7, -36.7, 1e308, -1e308, ...Array.from({ length: 200 }, () => rng.normal() * 10)];
  for (const name of LOSS_NAMES) {
    const loss = getLoss(name);
    const out = new Float64Array(1);
    for (const f of fs) for (const y of [1, -1, 0.3]) {
      const v = loss.valueAndD1!(f, y, out, 0);
      assert.ok(Object.is(v, loss.value(f, y)), `${name} value at f=${f}, y=${y}`);
      assert.ok(Object.is(out[0], loss.d1(f, y)), `${name} d1 at f=${f}, y=${y}`);
    }
  }
});

test('a user-defined loss without valueAndD1 trains the same as with it', () => {
  const base = getLoss('logistic');
  const plain: Loss = { name: 'logistic', value: base.value, d1: base.d1, d2: base.d2 };
  const out = new Float64Array(1);
  assert.equal(lossValueAndD1(plain)(0.3, -1, out, 0), base.value(0.3, -1));
  assert.equal(out[0], base.d1(0.3, -1));
  const model = new DeepLinear({ d: 5, width: 6, depth: 3 });
  const data = randomData(9, 5, 12);
  const a = gaussianInit(model, 1), b = a.slice();
  for (let t = 0; t < 4; t++) {
    model.descend(model.evaluate(a, data, base), 0.5);
    model.descend(model.evaluate(b, data, plain), 0.5);
  }
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('a mini-batch evaluation (rows) gives the HVP, NTK and Gauss–Newton products of the subset as its own data set', () => {
  const spec = { d: 4, width: 5, depth: 3 };
  const model = new DeepLinear(spec);
  const data = randomData(10, spec.d, 21);
  const rows = Int32Array.of(7, 2, 9, 4);
  const Xs = new Float64Array(rows.length * spec.d);
  const ys = new Float64Array(rows.length);
  rows.forEach((a, i) => {
    Xs.set(data.X.subarray(a * spec.d, (a + 1) * spec.d), i * spec.d);
    ys[i] = data.y[a];
  });
  const subset = makeDataset(Xs, ys, spec.d, 'subset');
  const theta = gaussianInit(model, 6, 0.7);
  for (const lossName of ['logistic', 'squared', 'exponential'] as const) {
    const loss = getLoss(lossName);
    const batch = model.evaluate(theta, data, loss, rows);
    const own = model.evaluate(theta, subset, loss);
    assert.deepEqual(Array.from(model.secondDerivatives(batch)), Array.from(model.secondDerivatives(own)), `${lossName}: ℓ'' uses the batch's labels`);
    const dir = new Rng(3).fillNormal(new Float64Array(model.numParams));
    const hb = model.hvp(batch, dir);
    const ho = model.hvp(own, dir);
    assert.ok(maxRelErrVec(hb, ho) < 1e-13, `${lossName}: HVP on rows vs subset ${maxRelErrVec(hb, ho)}`);
    const u = new Rng(4).fillNormal(new Float64Array(rows.length));
    for (const kind of ['ntk', 'gauss-newton'] as const) {
      const ob = curvatureOperator(kind, model, batch);
      const oo = curvatureOperator(kind, model, own);
      assert.equal(ob.dim, rows.length);
      const a = new Float64Array(rows.length), b = new Float64Array(rows.length);
      ob.apply(u, a);
      oo.apply(u, b);
      assert.ok(maxRelErrVec(a, b) < 1e-13, `${lossName} ${kind}: on rows vs subset ${maxRelErrVec(a, b)}`);
    }
  }
});
