/** LRBench's policy metrics (src/train/policyMetrics.ts) against direct computation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confidence, robustness, sampleStd, stepsToAccuracy } from '../src/train/policyMetrics.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildProblem } from '../src/experiments/problem.ts';
import { Trainer } from '../src/train/trainer.ts';

test('confidence: mean and population std of σ(y·f) over the correctly classified samples', () => {
  // correct: f = 2 (y = 1), f = −1 (y = −1), f = 0.5 (y = 1); wrong: f = −3 (y = 1), f = 0 (y = −1)
  const c = confidence([2, -1, 0.5, -3, 0], [1, -1, 1, 1, -1]);
  const p = [1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(-0.5))]; // 0.8808, 0.7311, 0.6225
  const mean = (p[0] + p[1] + p[2]) / 3;
  const std = Math.sqrt(((p[0] - mean) ** 2 + (p[1] - mean) ** 2 + (p[2] - mean) ** 2) / 3);
  assert.equal(c.count, 3);
  // Python: mean(σ(2), σ(1), σ(0.5)) and its population std
  assert.ok(Math.abs(c.mean - 0.7447716626032473) < 1e-12, `${c.mean}`);
  assert.ok(Math.abs(c.std - 0.10591076229975137) < 1e-12, `${c.std}`);
  assert.ok(Math.abs(c.mean - mean) < 1e-15 && Math.abs(c.std - std) < 1e-15);
  assert.ok(Number.isNaN(confidence([-1], [1]).mean));
});

test('cost, robustness and variance', () => {
  const rows = [{ step: 0, accuracy: 0.5 }, { step: 10, accuracy: 0.89 }, { step: 20, accuracy: 0.9 }, { step: 30, accuracy: 0.8 }];
  assert.equal(stepsToAccuracy(rows, 0.9), 20);
  assert.equal(stepsToAccuracy(rows, 0.95), null);
  assert.equal(robustness(0.7, 0.5), 0.7 - 0.5);
  assert.ok(Number.isNaN(robustness(null, 0.5)));
  // std of 0.8, 0.9, 1.0 with n − 1: sqrt((0.01 + 0 + 0.01)/2) = 0.1
  assert.ok(Math.abs(sampleStd([0.8, 0.9, 1.0]) - 0.1) < 1e-15);
  assert.ok(Number.isNaN(sampleStd([0.8])));
});

test('a run summary carries the test confidence of its final parameters', () => {
  const { problem, settings } = buildProblem(resolveConfig({ data: { kind: 'gaussian', m: 60, d: 5, labelNoise: 0.1, testFraction: 0.3 }, model: { width: 10 }, c: 2, steps: 30 }));
  const tr = new Trainer(problem, settings);
  const s = tr.run();
  // direct: the test outputs of the final θ, written out for the uv net f = (1/√n) vᵀ (1/√d) W x
  const { d } = problem.test!, n = 10, th = tr.theta, X = problem.test!.X, y = problem.test!.y;
  const probs: number[] = [];
  for (let a = 0; a < y.length; a++) {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let h = 0;
      for (let j = 0; j < d; j++) h += th[i * d + j] * X[a * d + j];
      f += th[n * d + i] * h;
    }
    f /= Math.sqrt(n * d);
    if (y[a] * f > 0) probs.push(1 / (1 + Math.exp(-y[a] * f)));
  }
  const mean = probs.reduce((a, b) => a + b, 0) / probs.length;
  assert.ok(probs.length > 5);
  assert.ok(Math.abs(s.testConfidenceMean! - mean) < 1e-12, `${s.testConfidenceMean} vs ${mean}`);
  assert.ok(s.testConfidenceStd! > 0);
  assert.ok(Math.abs(probs.length / y.length - s.testAccuracyFinal!) < 1e-12);
});
