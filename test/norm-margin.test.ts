import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frobeniusProduct, nc1, normalizedMargin, normMarginReadouts, reluNC1, reluNormalizedMargin, reluRho } from '../src/train/normMargin.ts';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { ReluMlp, type ReluMlpOptions } from '../src/models/reluMlp.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { symmetricEigen } from '../src/linalg/jacobi.ts';
import { relErr } from './helpers.ts';

const BASE: ReluMlpOptions = { widths: [6, 5], parameterization: 'ntk', bias: false, normalization: 'none', weightDecay: 0 };

function data(m: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const X = rng.fillNormal(new Float64Array(m * d));
  const y = Float64Array.from({ length: m }, (_, i) => (i % 2 === 0 ? 1 : -1));
  return makeDataset(X, y, d, 'r');
}

test('NC1 by hand: 1-D features, classes {1, 3} and {−2, −2} → Σ_W = 0.5, Σ_B = 4, NC1 = 0.5/4/2', () => {
  assert.equal(nc1([1, 3, -2, -2], 4, 1, [1, 1, -1, -1]), 0.0625);
  // collapsed features: NC1 = 0; coinciding class means: undefined
  assert.equal(nc1([2, 2, -1, -1], 4, 1, [1, 1, -1, -1]), 0);
  assert.ok(Number.isNaN(nc1([1, -1, 1, -1], 4, 1, [1, 1, -1, -1])));
  assert.ok(Number.isNaN(nc1([1, 2], 2, 1, [1, 1])));
});

test('NC1 = Tr(Σ_W Σ_B⁺)/K from dense n×n covariances and an eigen pseudo-inverse (2 and 3 classes, unbalanced)', () => {
  const rng = new Rng(3);
  for (const K of [2, 3]) {
    const m = 23, n = 7;
    const labels = Float64Array.from({ length: m }, (_, i) => (i < 4 ? 0 : (i % K)) * 5 - 1); // unbalanced, arbitrary values
    const H = rng.fillNormal(new Float64Array(m * n));
    for (let i = 0; i < m; i++) H[i * n + (labels[i] === -1 ? 0 : labels[i] === 4 ? 1 : 2)] += 3;
    // direct: class means, Σ_W, Σ_B as n×n, Σ_B⁺ from its eigenpairs
    const cls = [...new Set(labels)];
    const mean = (rows: number[]) => Array.from({ length: n }, (_, j) => rows.reduce((s, i) => s + H[i * n + j], 0) / rows.length);
    const all = [...Array(m).keys()];
    const muG = mean(all);
    const SW = new Float64Array(n * n), SB = new Float64Array(n * n);
    for (const c of cls) {
      const rows = all.filter((i) => labels[i] === c);
      const mu = mean(rows);
      for (const i of rows) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) SW[a * n + b] += ((H[i * n + a] - mu[a]) * (H[i * n + b] - mu[b])) / m;
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) SB[a * n + b] += ((mu[a] - muG[a]) * (mu[b] - muG[b])) / cls.length;
    }
    const { values, vectors } = symmetricEigen(SB, n);
    const pinv = new Float64Array(n * n);
    for (let e = 0; e < n; e++) {
      if (values[e] <= 1e-10 * values[0]) continue;
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) pinv[a * n + b] += (vectors[e * n + a] * vectors[e * n + b]) / values[e];
    }
    let tr = 0;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) tr += SW[a * n + b] * pinv[b * n + a];
    const want = tr / cls.length;
    const got = nc1(H, m, n, labels);
    assert.ok(relErr(got, want) < 1e-10, `K=${K}: ${got} vs ${want}`);
  }
});

test('ρ = ∏‖s_k W_k‖_F by hand; the normalized margin is the margin of the net rescaled to unit-norm layers', () => {
  assert.equal(frobeniusProduct([{ scale: 0.5, W: [3, 4] }, { scale: 1, W: [1, 1, 1, 1] }]), 0.5 * 5 * 2);
  assert.equal(normalizedMargin([2, -3, 4], [1, -1, 1], 2), 1);
  const ds = data(12, 4, 1);
  for (const o of [{}, { parameterization: 'standard' as const }, { normalization: 'weight' as const }]) {
    const model = new ReluMlp({ d: 4, ...BASE, ...o });
    const theta = gaussianInit(model, 2);
    const ev = model.evaluate(theta, ds, getLoss('squared'));
    // rescale every layer so that its effective matrix s_k W_k has unit Frobenius norm (WN: the gains carry the norm)
    const unit = theta.slice();
    const eff = model.effectiveWeights(theta);
    let rho = 1;
    eff.forEach((l, k) => {
      const norm = l.scale * Math.hypot(...l.W);
      rho *= norm;
      const block = model.layers.find((b) => b.name === (o.normalization === 'weight' ? `g${k + 1}` : `W${k + 1}`))!;
      for (let i = 0; i < block.rows * block.cols; i++) unit[block.offset + i] /= norm;
    });
    assert.ok(relErr(reluRho(model, theta), rho) < 1e-14);
    assert.ok(relErr(reluRho(model, unit), 1) < 1e-14);
    const fV = model.predict(unit, ds);
    let min = Infinity;
    for (let i = 0; i < ds.m; i++) min = Math.min(min, ds.y[i] * fV[i]);
    assert.ok(relErr(reluNormalizedMargin(model, ev), min) < 1e-12, JSON.stringify(o));
  }
  // not homogeneous: NaN
  const biased = new ReluMlp({ d: 4, ...BASE, bias: true });
  assert.ok(Number.isNaN(reluNormalizedMargin(biased, biased.evaluate(gaussianInit(biased, 1), ds, getLoss('squared')))));
});

test('reluNC1 is NC1 of the last hidden layer computed by hand from the weights', () => {
  const ds = data(10, 3, 5);
  const model = new ReluMlp({ d: 3, ...BASE, widths: [4] });
  const theta = gaussianInit(model, 7);
  const W = theta.subarray(0, 12);
  const H = new Float64Array(10 * 4);
  for (let a = 0; a < 10; a++) {
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += W[i * 3 + j] * ds.X[a * 3 + j];
      H[a * 4 + i] = Math.max(s / Math.sqrt(3), 0);
    }
  }
  assert.ok(relErr(reluNC1(model, theta, ds), nc1(H, 10, 4, ds.y)) < 1e-12);
});

test('metrics read-outs: ρ and NC1 for a ReLU MLP (NC1 from a full evaluation = from a fresh forward pass), NaN for other models', () => {
  const ds = data(10, 3, 5);
  for (const normalization of ['none', 'batch'] as const) {
    const model = new ReluMlp({ d: 3, ...BASE, normalization });
    const theta = gaussianInit(model, 7);
    const ev = model.evaluate(theta, ds, getLoss('logistic'));
    const r = normMarginReadouts(model, ev);
    assert.equal(r.rho, reluRho(model, theta));
    assert.equal(r.nc1, reluNC1(model, theta.slice(), ds));
    // a mini-batch evaluation still reports NC1 over the whole training set (BN: at the batch's statistics)
    const batch = model.evaluate(theta, ds, getLoss('logistic'), Int32Array.of(0, 1, 2, 3, 4, 5));
    if (normalization === 'none') assert.equal(normMarginReadouts(model, batch).nc1, r.nc1);
  }
  const lin = new DeepLinear({ d: 3, width: 4, depth: 2 });
  const r = normMarginReadouts(lin, lin.evaluate(gaussianInit(lin, 1), ds, getLoss('logistic')));
  assert.ok(Number.isNaN(r.rho) && Number.isNaN(r.nc1));
});
