import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gemm } from '../src/linalg/gemm.ts';
import { ReluMlp, BN_EPSILON, regularizedObjectiveNote, type ReluMlpOptions } from '../src/models/reluMlp.ts';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { createModel, modelParamCount } from '../src/models/registry.ts';
import { getLoss, LOSS_NAMES, type LossName } from '../src/losses/losses.ts';
import { makeDataset, type Dataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildProblem } from '../src/experiments/problem.ts';
import { checkRunCost, estimateRunCost } from '../src/experiments/runCost.ts';
import { weightsFromJson } from '../src/models/weightsFormat.ts';
import { reluNC1, reluRho } from '../src/train/normMargin.ts';
import { gaussNewtonOnSamplesOperator, kappaNonSepOperator } from '../src/curvature/restricted.ts';
import { fdHessian, maxRelErrVec, tempDirs } from './helpers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'bin', 'catapult.js');
const tmp = tempDirs('catapult-relu-');

function randomData(m: number, d: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const X = new Float64Array(m * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) y[i] = rng.uniform() < 0.5 ? -1 : 1;
  return makeDataset(X, y, d, 'random');
}

function randomVec(n: number, seed: number): Float64Array {
  return new Rng(seed).fillNormal(new Float64Array(n));
}

// ---- GEMM --------------------------------------------------------------------------------------------------

/** The reference: each entry summed left to right from 0, then alpha·s + beta·C (alpha·s when beta = 0). */
function naiveGemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: Float64Array, lda: number, B: Float64Array, ldb: number, beta: number, C: Float64Array, ldc: number): Float64Array {
  const out = Float64Array.from(C);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += (tA ? A[p * lda + i] : A[i * lda + p]) * (tB ? B[j * ldb + p] : B[p * ldb + j]);
      out[i * ldc + j] = beta === 0 ? alpha * s : alpha * s + beta * C[i * ldc + j];
    }
  }
  return out;
}

for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
  test(`gemm ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} equals the naive triple loop bit for bit (odd sizes, strides, alpha, beta)`, () => {
    // sizes straddle the kernel's 4-row groups and its j/p blocks (256, 64)
    for (const [M, N, K] of [[1, 1, 1], [3, 5, 7], [7, 13, 5], [9, 261, 67], [5, 3, 130]]) {
      // padded strides, and tight ones (the kernel then reads the operands and writes C in place)
      for (const [alpha, beta, pad] of [[1, 0, 1], [0.7, 0, 1], [-1.3, 0.4, 1], [1, 0, 0], [0.7, 0, 0], [-1.3, 0.4, 0]]) {
        const lda = (tA ? M : K) + 2 * pad, ldb = (tB ? K : N) + pad, ldc = N + 3 * pad;
        const A = randomVec((tA ? K : M) * lda, M * 7 + K);
        const B = randomVec((tB ? N : K) * ldb, N * 11 + K);
        const C = randomVec(M * ldc, 5);
        if (beta === 0) C[0] = NaN; // beta = 0 overwrites: old NaNs must not leak
        const want = naiveGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        const got = gemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, Float64Array.from(C), ldc);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) assert.ok(Object.is(got[i * ldc + j], want[i * ldc + j]), `M=${M} N=${N} K=${K} (${i},${j}): ${got[i * ldc + j]} vs ${want[i * ldc + j]}`);
          // padding columns untouched
          for (let j = N; j < ldc && i * ldc + j < C.length; j++) assert.ok(Object.is(got[i * ldc + j], C[i * ldc + j]));
        }
      }
    }
  });
}

// ---- the model's derivatives ---------------------------------------------------------------------------------

const BASE: ReluMlpOptions = { widths: [4, 3], parameterization: 'ntk', bias: false, normalization: 'none', weightDecay: 0 };
const VARIANTS: { name: string; o: Partial<ReluMlpOptions> }[] = [
  { name: 'plain', o: {} },
  { name: 'bias', o: { bias: true } },
  { name: 'weight norm', o: { normalization: 'weight' } },
  { name: 'batch norm', o: { normalization: 'batch' } },
  { name: 'batch norm + bias', o: { normalization: 'batch', bias: true } },
  { name: 'weight decay', o: { weightDecay: 0.3 } },
  { name: 'standard param., WN + bias + WD', o: { parameterization: 'standard', normalization: 'weight', bias: true, weightDecay: 0.05 } },
];

function setup(o: Partial<ReluMlpOptions>, lossName: LossName, seed = 3) {
  const d = 3;
  const model = new ReluMlp({ d, ...BASE, ...o });
  const data = randomData(7, d, 11 + seed);
  const loss = getLoss(lossName);
  // scale 0.7 keeps exponential-loss values moderate; biases get nonzero values so that they matter
  const theta = gaussianInit(model, seed, 0.7);
  for (const l of model.layers) if (l.name.startsWith('b')) theta.set(randomVec(l.rows, seed + 100).map((v) => 0.3 * v), l.offset);
  return { model, data, loss, theta };
}

function fdGradient(model: ReluMlp, theta: Float64Array, value: (t: Float64Array) => number, h: number): Float64Array {
  const fd = new Float64Array(model.numParams);
  for (let i = 0; i < model.numParams; i++) {
    const t = theta.slice();
    t[i] += h;
    const up = value(t);
    t[i] -= 2 * h;
    fd[i] = (up - value(t)) / (2 * h);
  }
  return fd;
}

for (const v of VARIANTS) {
  for (const lossName of LOSS_NAMES) {
    test(`relu-mlp ${v.name}, ${lossName}: gradient vs central differences`, (tc) => {
      const { model, data, loss, theta } = setup(v.o, lossName);
      const ev = model.evaluate(theta, data, loss);
      const g = model.gradient(ev);
      const fd = fdGradient(model, theta, (t) => model.evaluate(t, data, loss).value, 1e-6);
      const err = maxRelErrVec(g, fd);
      tc.diagnostic(`max relative error ${err.toExponential(2)}`);
      assert.ok(err < 1e-6, `gradient error ${err}`);
      assert.ok(Math.abs(model.gradNorm(ev) - Math.hypot(...g)) <= 1e-12 * Math.hypot(...g));
    });

    test(`relu-mlp ${v.name}, ${lossName}: HVP vs dense finite-difference Hessian`, (tc) => {
      const { model, data, loss, theta } = setup(v.o, lossName, 5);
      const P = model.numParams;
      const ev = model.evaluate(theta, data, loss);
      const Hd = fdHessian(theta, (t) => model.gradient(model.evaluate(t, data, loss)), 1e-6);
      let worst = 0;
      for (let trial = 0; trial < 3; trial++) {
        const dir = randomVec(P, 40 + trial);
        const hv = model.hvp(ev, dir);
        const ref = new Float64Array(P);
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) ref[i] += Hd[i * P + j] * dir[j];
        worst = Math.max(worst, maxRelErrVec(hv, ref));
      }
      // the dense Hessian is symmetric only up to FD noise; the exact HVP must be symmetric to rounding
      const a = randomVec(P, 1), b = randomVec(P, 2);
      const ha = model.hvp(ev, a), hb = model.hvp(ev, b);
      let s1 = 0, s2 = 0;
      for (let i = 0; i < P; i++) { s1 += b[i] * ha[i]; s2 += a[i] * hb[i]; }
      tc.diagnostic(`max relative error ${worst.toExponential(2)}; symmetry ${Math.abs(s1 - s2).toExponential(2)}`);
      assert.ok(worst < 1e-5, `HVP error ${worst}`);
      assert.ok(Math.abs(s1 - s2) <= 1e-10 * Math.max(1, Math.abs(s1)));
    });
  }

  test(`relu-mlp ${v.name}: NTK matvec vs the explicit Jacobian Gram`, () => {
    const { model, data, loss, theta } = setup(v.o, 'squared', 7);
    const ev = model.evaluate(theta, data, loss);
    const m = data.m, P = model.numParams;
    // rows of J: jacobianRow per sample, except under train-mode BN, where f_α depends on every row (central
    // differences of the batch outputs instead)
    const J: Float64Array[] = [];
    if (v.o.normalization === 'batch') {
      const cols: Float64Array[] = [];
      for (let j = 0; j < P; j++) {
        const t = theta.slice();
        t[j] += 1e-6;
        const up = model.evaluate(t, data, loss).f;
        t[j] -= 2e-6;
        const dn = model.evaluate(t, data, loss).f;
        cols.push(up.map((u, a) => (u - dn[a]) / 2e-6));
      }
      for (let a = 0; a < m; a++) J.push(Float64Array.from(cols, (c) => c[a]));
    } else {
      for (let a = 0; a < m; a++) J.push(model.jacobianRow(theta, data.X.subarray(a * data.d, (a + 1) * data.d) as Float64Array));
      // and jacobianRow is the gradient of f: central differences of f(x_0)
      const x0 = makeDataset(data.X.slice(0, data.d), Float64Array.of(1), data.d, 'x0');
      const fd = fdGradient(model, theta, (t) => model.predict(t, x0)[0], 1e-6);
      assert.ok(maxRelErrVec(J[0], fd) < 1e-6, 'jacobianRow vs central differences');
    }
    const u = randomVec(m, 9);
    const got = new Float64Array(m);
    model.ntkApply(ev, u, got);
    const want = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let s = 0;
        for (let p = 0; p < P; p++) s += J[a][p] * J[b][p];
        want[a] += s * u[b];
      }
    }
    const err = maxRelErrVec(got, want);
    assert.ok(err < (v.o.normalization === 'batch' ? 1e-6 : 1e-12), `NTK error ${err}`);
  });
}

test('relu-mlp forward = a hand-written per-sample reference (bias, WN, BN with training statistics in eval mode)', () => {
  const d = 3, widths = [5, 4];
  const train = randomData(9, d, 1), testSet = randomData(4, d, 2);
  for (const normalization of ['none', 'weight', 'batch'] as const) {
    for (const parameterization of ['ntk', 'standard'] as const) {
      const model = new ReluMlp({ d, widths, parameterization, bias: true, normalization, weightDecay: 0 });
      const theta = gaussianInit(model, 4);
      for (const l of model.layers) if (l.name.startsWith('b')) theta.set(randomVec(l.rows, 8), l.offset);
      const block = (name: string) => {
        const l = model.layers.find((b) => b.name === name)!;
        return { rows: l.rows, cols: l.cols, a: theta.subarray(l.offset, l.offset + l.rows * l.cols) };
      };
      const dims = [d, ...widths, 1];
      const weight = (k: number, i: number, j: number) => {
        if (normalization !== 'weight') return block(`W${k + 1}`).a[i * dims[k] + j];
        const V = block(`V${k + 1}`).a, g = block(`g${k + 1}`).a;
        let n = 0;
        for (let q = 0; q < dims[k]; q++) n += V[i * dims[k] + q] ** 2;
        return (g[i] * V[i * dims[k] + j]) / Math.sqrt(n);
      };
      // pre-activations of layer k for every sample of a set, given its inputs
      const layer = (k: number, hs: number[][]) => hs.map((h) => Array.from({ length: dims[k + 1] }, (_, i) => {
        let s = 0;
        for (let j = 0; j < dims[k]; j++) s += weight(k, i, j) * h[j];
        return (parameterization === 'ntk' ? s / Math.sqrt(dims[k]) : s) + block(`b${k + 1}`).a[i];
      }));
      const rowsOf = (ds: Dataset) => Array.from({ length: ds.m }, (_, a) => Array.from(ds.X.subarray(a * d, (a + 1) * d)));
      // run training and test rows together; BN statistics from the training rows only
      let hTrain = rowsOf(train), hTest = rowsOf(testSet);
      for (let k = 0; k < dims.length - 1; k++) {
        let aTrain = layer(k, hTrain), aTest = layer(k, hTest);
        if (k === dims.length - 2) {
          hTrain = aTrain;
          hTest = aTest;
          break;
        }
        if (normalization === 'batch') {
          const n = dims[k + 1];
          const mu = Array.from({ length: n }, (_, i) => aTrain.reduce((s, r) => s + r[i], 0) / train.m);
          const sd = Array.from({ length: n }, (_, i) => Math.sqrt(aTrain.reduce((s, r) => s + (r[i] - mu[i]) ** 2, 0) / train.m + BN_EPSILON));
          [aTrain, aTest] = [aTrain, aTest].map((A) => A.map((r) => r.map((x, i) => (x - mu[i]) / sd[i])));
        }
        hTrain = aTrain.map((r) => r.map((x) => Math.max(x, 0)));
        hTest = aTest.map((r) => r.map((x) => Math.max(x, 0)));
      }
      const ev = model.evaluate(theta, train, getLoss('squared'));
      const tag = `${normalization}, ${parameterization}`;
      assert.ok(maxRelErrVec(ev.f, hTrain.map((r) => r[0])) < 1e-12, `train outputs ${tag}`);
      assert.ok(maxRelErrVec(model.predict(theta, testSet), hTest.map((r) => r[0])) < 1e-12, `test outputs ${tag}`);
      // eval mode on the training rows reproduces the train-mode outputs bit for bit
      assert.deepEqual(model.predict(theta, train, ev), ev.f);
    }
  }
});

test('relu-mlp BN eval mode refuses a θ it has no training statistics for', () => {
  const model = new ReluMlp({ d: 3, ...BASE, normalization: 'batch' });
  const data = randomData(6, 3, 1);
  const theta = gaussianInit(model, 1);
  model.evaluate(theta, data, getLoss('squared'));
  const other = theta.slice();
  other[0] += 1;
  assert.throws(() => model.predict(other, data), /batch normalization: eval mode needs the training statistics at this θ/);
  assert.doesNotThrow(() => model.predict(theta.slice(), data));
});

test('relu-mlp objective: value = mean loss + λ/2‖θ‖², positive homogeneity of degree L without bias and BN', () => {
  const d = 3, data = randomData(8, d, 3), loss = getLoss('logistic');
  const plain = new ReluMlp({ d, ...BASE, widths: [5, 4, 3] });
  const wd = new ReluMlp({ d, ...BASE, widths: [5, 4, 3], weightDecay: 0.2 });
  const theta = gaussianInit(plain, 2);
  const lossMean = plain.evaluate(theta, data, loss).value;
  let sq = 0;
  for (const t of theta) sq += t * t;
  assert.ok(Math.abs(wd.evaluate(theta, data, loss).value - (lossMean + 0.1 * sq)) < 1e-12 * (lossMean + sq));
  for (const normalization of ['none', 'weight'] as const) {
    const model = new ReluMlp({ d, ...BASE, widths: [5, 4, 3], normalization });
    assert.equal(model.homogeneity, 4);
    const t = gaussianInit(model, 2);
    const f = model.predict(t, data);
    const f2 = model.predict(t.map((x) => 2.5 * x), data);
    assert.ok(maxRelErrVec(f2, f.map((x) => 2.5 ** 4 * x)) < 1e-12);
  }
  // the summary's objective note: only when there is a regularizer
  assert.equal(regularizedObjectiveNote(plain), null);
  assert.equal(regularizedObjectiveNote(new DeepLinear({ d, width: 3, depth: 2 })), null);
  assert.match(regularizedObjectiveNote(wd)!, /λ = 0\.2/);
  assert.ok(Number.isNaN(new ReluMlp({ d, ...BASE, bias: true }).homogeneity));
  assert.ok(Number.isNaN(new ReluMlp({ d, ...BASE, normalization: 'batch' }).homogeneity));
});

test('relu-mlp init: NTK N(0, scale²), standard He-scaled, biases 0, WN gains = row norms (W = V)', () => {
  const d = 50;
  const ntk = new ReluMlp({ d, ...BASE, widths: [40], bias: true });
  const std = new ReluMlp({ d, ...BASE, widths: [40], bias: true, parameterization: 'standard' });
  const a = gaussianInit(ntk, 1, 0.5), b = gaussianInit(std, 1, 0.5);
  const W1 = ntk.layers[0];
  assert.equal(W1.name, 'W1');
  for (let i = 0; i < W1.rows * W1.cols; i++) assert.equal(b[i], a[i] * Math.sqrt(2 / d));
  let s = 0;
  for (let i = 0; i < W1.rows * W1.cols; i++) s += a[i] * a[i];
  assert.ok(Math.abs(Math.sqrt(s / (W1.rows * W1.cols)) - 0.5) < 0.03);
  for (const l of ntk.layers) if (l.name.startsWith('b')) assert.ok(a.subarray(l.offset, l.offset + l.rows).every((x) => x === 0));
  const wn = new ReluMlp({ d, ...BASE, widths: [40], normalization: 'weight' });
  const t = gaussianInit(wn, 1);
  const eff = wn.effectiveWeights(t);
  const V1 = wn.layers[0];
  assert.ok(maxRelErrVec(eff[0].W, t.subarray(0, V1.rows * V1.cols)) < 1e-15);
  assert.equal(modelParamCount({ kind: 'relu-mlp', ...BASE, widths: [40], normalization: 'weight', bias: true }, d), 50 * 40 + 40 + 40 + 40 + 1 + 1);
  assert.equal(createModel({ kind: 'relu-mlp', ...BASE, widths: [40], normalization: 'weight', bias: true }, d).numParams, 50 * 40 + 40 + 40 + 40 + 1 + 1);
});

test('relu-mlp mini-batch evaluation = a full evaluation of the gathered rows (gradient and HVP too)', () => {
  const d = 3, data = randomData(10, d, 4), loss = getLoss('logistic');
  const model = new ReluMlp({ d, ...BASE, normalization: 'batch', bias: true });
  const theta = gaussianInit(model, 6);
  const rows = Int32Array.of(7, 2, 5, 0);
  const X = new Float64Array(rows.length * d);
  rows.forEach((r, i) => X.set(data.X.subarray(r * d, (r + 1) * d), i * d));
  const sub = makeDataset(X, Float64Array.from(rows, (r) => data.y[r]), d, 'sub');
  const a = model.evaluate(theta, data, loss, rows), b = model.evaluate(theta, sub, loss);
  assert.equal(a.value, b.value);
  assert.deepEqual(model.gradient(a), model.gradient(b));
  const dir = randomVec(model.numParams, 3);
  assert.deepEqual(model.hvp(a, dir), model.hvp(b, dir));
});

test('relu-mlp on float32 storage = on float64 storage of the same values, bit for bit (arithmetic is float64)', () => {
  const d = 5, m = 13;
  const X32 = Float32Array.from(randomVec(m * d, 4));
  const y = Float64Array.from({ length: m }, (_, i) => (i % 3 === 0 ? 1 : -1));
  const a = makeDataset(X32, y, d, 'f32'), b = makeDataset(Float64Array.from(X32), y, d, 'f64');
  const model = new ReluMlp({ d, ...BASE, widths: [6, 5], normalization: 'batch', bias: true });
  const theta = gaussianInit(model, 2);
  const dir = randomVec(model.numParams, 5);
  const rows = Int32Array.of(3, 1, 4, 1, 5, 9);
  for (const r of [null, rows]) {
    const ea = model.evaluate(theta, a, getLoss('logistic'), r), eb = model.evaluate(theta, b, getLoss('logistic'), r);
    assert.deepEqual(ea.f, eb.f);
    assert.deepEqual(model.gradient(ea), model.gradient(eb));
    assert.deepEqual(model.hvp(ea, dir), model.hvp(eb, dir));
  }
});

test('relu-mlp determinism: two evaluations, gradients, HVPs and NTK products are bit-identical', () => {
  const run = () => {
    const model = new ReluMlp({ d: 6, ...BASE, widths: [9, 7], normalization: 'batch', bias: true, weightDecay: 1e-3 });
    const data = randomData(20, 6, 9);
    const theta = gaussianInit(model, 3);
    const ev = model.evaluate(theta, data, getLoss('squared'));
    for (let s = 0; s < 5; s++) model.descend(model.evaluate(theta, data, getLoss('squared')), 0.1);
    const ev2 = model.evaluate(theta, data, getLoss('squared'));
    const out = new Float64Array(data.m);
    model.ntkApply(ev2, randomVec(data.m, 1), out);
    return [ev.value, ev2.value, ...model.gradient(ev2), ...model.hvp(ev2, randomVec(model.numParams, 2)), ...out];
  };
  const a = run(), b = run();
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Object.is(x, b[i]), `entry ${i}`));
});

test('the restricted-curvature operators refuse a relu-mlp, naming it', () => {
  const model = new ReluMlp({ d: 3, ...BASE });
  const data = randomData(5, 3, 1);
  const ev = model.evaluate(gaussianInit(model, 1), data, getLoss('logistic'));
  assert.throws(() => kappaNonSepOperator(model, ev, [Float64Array.of(1, 0, 0)], 1), /κ_V \(curvature\.restricted\) needs a model that is linear in its input .*'relu-mlp' is not/);
  assert.throws(() => gaussNewtonOnSamplesOperator(model, ev, Int32Array.of(0)), /'relu-mlp' is not/);
});

test('run cost: a relu-mlp step costs ~6·m·P (layer form), so a run a deep linear net of the same size does quickly is refused', () => {
  const base = { data: { kind: 'gaussian', m: 10000, d: 784 }, steps: 20000, curvature: { every: 1000 } };
  const limits = { maxBytes: 2 ** 40, maxSeconds: 24 * 3600 };
  const lin = checkRunCost(resolveConfig({ ...base, model: { kind: 'deep-linear', width: 512, depth: 4 } }), limits);
  assert.ok(lin.seconds < 3600);
  const cfg = resolveConfig({ ...base, model: { kind: 'relu-mlp', widths: [512, 512, 512] } });
  assert.equal(estimateRunCost(cfg).params, lin.params); // the same P (926208)
  assert.throws(() => checkRunCost(cfg, limits), /steps = 20000, model\.kind = relu-mlp, model\.widths = \[512,512,512\], curvature\.every = 1000: the run is estimated to take/);
});

test('config: relu-mlp defaults; prescribed init refused; bad fields named', () => {
  const cfg = resolveConfig({ model: { kind: 'relu-mlp' } });
  assert.deepEqual(cfg.model, { kind: 'relu-mlp', widths: [100], parameterization: 'ntk', bias: false, normalization: 'none', weightDecay: 0 });
  assert.throws(() => resolveConfig({ model: { kind: 'relu-mlp' }, init: { kind: 'prescribed' } }), /init\.kind: 'prescribed' init is defined for the deep-linear uv network, not model\.kind 'relu-mlp'/);
  assert.throws(() => resolveConfig({ model: { kind: 'relu-mlp', widths: [] } }), /model\.widths/);
  assert.throws(() => resolveConfig({ model: { kind: 'relu-mlp', weightDecay: -1 } }), /model\.weightDecay/);
  assert.throws(() => resolveConfig({ model: { kind: 'relu-mlp', normalization: 'layer' } }), /model\.normalization/);
});

// ---- CLI --------------------------------------------------------------------------------------------------

function catapult(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const RELU_CONFIG = {
  seed: 1,
  data: { kind: 'two-gaussians', m: 40, d: 5, testFraction: 0.25 },
  model: { kind: 'relu-mlp', widths: [16, 16], normalization: 'weight', weightDecay: 1e-3 },
  loss: 'squared',
  c: 1,
  steps: 40,
  record: { every: 5, denseUntil: 0 },
  curvature: { every: 20, maxIter: 20 },
};

test('catapult train with a relu-mlp config file finishes and writes metrics; curvature.restricted is refused clearly', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'relu.json'), JSON.stringify(RELU_CONFIG));
  const r = catapult(['train', 'relu.json', '--out', 'run', '-q'], dir);
  assert.equal(r.code, 0, r.err);
  for (const f of ['metrics.csv', 'summary.json', 'weights.json']) assert.ok(existsSync(join(dir, 'run', f)), f);
  const lines = readFileSync(join(dir, 'run', 'metrics.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const last = lines[lines.length - 1].split(',');
  assert.equal(Number(last[header.indexOf('step')]), 40);
  const loss0 = Number(lines[1].split(',')[header.indexOf('loss')]), lossT = Number(last[header.indexOf('loss')]);
  assert.ok(Number.isFinite(lossT) && lossT < loss0, `loss ${loss0} → ${lossT}`);
  assert.ok(Number(last[header.indexOf('sharpness')]) > 0);
  const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  assert.equal(summary.status, 'max-steps');
  assert.match(summary.objective, /^mean loss \+ \(λ\/2\)‖θ‖², λ = 0\.001: .*sharpness S are of this regularized objective/);
  const weights = JSON.parse(readFileSync(join(dir, 'run', 'weights.json'), 'utf8'));
  assert.equal(weights.model.kind, 'relu-mlp');
  assert.deepEqual(weights.layers.map((l: { name: string }) => l.name), ['V1', 'g1', 'V2', 'g2', 'V3', 'g3']);
  // the rho and nc1 columns of the last row are the read-outs of the final weights on the training set
  const { problem } = buildProblem(resolveConfig(RELU_CONFIG));
  const model = problem.model as ReluMlp;
  const thetaT = weightsFromJson(model, weights, 'weights.json');
  assert.equal(Number(last[header.indexOf('rho')]), reluRho(model, thetaT));
  assert.equal(Number(last[header.indexOf('nc1')]), reluNC1(model, thetaT, problem.train));
  assert.ok(Number(last[header.indexOf('nc1')]) > 0);

  writeFileSync(join(dir, 'restricted.json'), JSON.stringify({ ...RELU_CONFIG, curvature: { ...RELU_CONFIG.curvature, restricted: true } }));
  const bad = catapult(['train', 'restricted.json', '--out', 'bad', '-q'], dir);
  assert.equal(bad.code, 2, `${bad.out}\n${bad.err}`);
  assert.match(bad.err, /curvature\.restricted: restricted curvature .* needs a model that is linear in its input .*model\.kind 'relu-mlp' is not/);
  assert.ok(!existsSync(join(dir, 'bad')), 'no run directory for a refused config');
});
