import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { MatrixFactorization } from '../src/models/matrixFactorization.ts';
import { endToEndSingularValues } from '../src/models/endToEndSpectrum.ts';
import { gaussianInit, orthogonalInit } from '../src/models/init.ts';
import { singularValues } from '../src/linalg/svd.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildProblem } from '../src/experiments/problem.ts';
import { Trainer } from '../src/train/trainer.ts';
import { metricsToCsv } from '../src/train/metrics.ts';
import { maxRelErrVec } from './helpers.ts';

test('deep linear net: σ of the hidden map equals σ of the matrix whose columns are the forward chain of e_j', () => {
  for (const depth of [2, 3, 4]) {
    const model = new DeepLinear({ d: 5, width: 4, depth });
    const theta = gaussianInit(model, depth);
    const M = new Float64Array(4 * 5);
    for (let j = 0; j < 5; j++) {
      const e = new Float64Array(5);
      e[j] = 1;
      const h = model.forwardChain(theta, e)[depth - 1];
      for (let i = 0; i < 4; i++) M[i * 5 + j] = h[i];
    }
    const ref = singularValues(M, 4, 5);
    const sv = endToEndSingularValues(model, theta);
    assert.equal(sv.length, 4);
    assert.ok(maxRelErrVec(sv, ref) < 1e-13, `depth ${depth}`);
    assert.deepEqual(Array.from(endToEndSingularValues(model, theta, 2)), Array.from(sv.slice(0, 2)));
  }
});

test('uv net by hand: U = diag(3, 4) on d = 2 gives σ = (4, 3)/√2', () => {
  const model = new DeepLinear({ d: 2, width: 2, depth: 2 });
  const theta = Float64Array.of(3, 0, 0, 4, 1, 1);
  const sv = endToEndSingularValues(model, theta);
  assert.ok(Math.abs(sv[0] - 4 / Math.SQRT2) < 1e-15 && Math.abs(sv[1] - 3 / Math.SQRT2) < 1e-15, `${Array.from(sv)}`);
});

test('matrix factorization: σ(P) by hand (diagonal factors) and at the balanced init', () => {
  const model = new MatrixFactorization({ n: 3, depth: 2 });
  // W1 = diag(1, 2, 3), W2 = diag(5, −1, 0.5) → P = diag(5, −2, 1.5), σ = (5, 2, 1.5)
  const theta = Float64Array.of(1, 0, 0, 0, 2, 0, 0, 0, 3, 5, 0, 0, 0, -1, 0, 0, 0, 0.5);
  assert.ok(maxRelErrVec(endToEndSingularValues(model, theta), [5, 2, 1.5]) < 1e-15);
  const sv = endToEndSingularValues(new MatrixFactorization({ n: 4, depth: 3 }), orthogonalInit(new MatrixFactorization({ n: 4, depth: 3 }), 1, 0.01));
  for (const s of sv) assert.ok(Math.abs(s - 1e-6) < 1e-20);
});

test('record.singularValues: sv1..svk at the curvature steps of a run, the values of σ(P) at that θ; off by default', () => {
  const base = { data: { kind: 'matrix-sensing', n: 4, rank: 2, m: 30 }, model: { kind: 'matrix-factorization', depth: 2 }, init: { kind: 'orthogonal', scale: 0.1 }, loss: 'squared', eta: 0.02, steps: 12, record: { every: 1, denseUntil: 0 }, curvature: { every: 4 } };
  const cfg = resolveConfig({ ...base, record: { every: 1, denseUntil: 0, singularValues: 3 } });
  const { problem, settings } = buildProblem(cfg);
  const tr = new Trainer(problem, settings);
  const snapshots = new Map<number, Float64Array>([[0, tr.theta.slice()]]);
  while (!tr.done) {
    tr.advance(1);
    snapshots.set(tr.currentStep, tr.theta.slice());
  }
  const svOf = (row: object) => [1, 2, 3].map((i) => (row as Record<string, number | undefined>)[`sv${i}`]);
  for (const row of tr.metrics) {
    if (row.step % 4 === 0) {
      const ref = singularValues(problem.model.linear!.endToEnd(snapshots.get(row.step)!), 4, 4).slice(0, 3);
      assert.deepEqual(svOf(row), Array.from(ref), `step ${row.step}`);
    } else {
      assert.deepEqual(svOf(row), [undefined, undefined, undefined], `step ${row.step} is not a curvature step`);
    }
  }
  const csv = metricsToCsv(tr.metrics).trim().split('\n');
  assert.ok(csv[0].endsWith(',sv1,sv2,sv3'));
  assert.ok(csv[2].endsWith(',,,'), 'step 1: empty sv cells');
  assert.equal(csv[1].split(',').slice(-3).map(Number)[0], svOf(tr.metrics[0])[0]);
  // the singular values grow from the init's 0.01 toward the target's (12, 6)
  assert.ok(svOf(tr.metrics[tr.metrics.length - 1])[0]! > 0.01);
  // off: no sv columns, and the config hash is unchanged by the optional field's absence
  const off = buildProblem(resolveConfig(base));
  const t2 = new Trainer(off.problem, off.settings);
  assert.ok(!metricsToCsv(t2.metrics).split('\n')[0].includes('sv1'));
  assert.equal('singularValues' in resolveConfig(base).record, false);
});

test('record.singularValues on a model without an end-to-end matrix map is a clear error', () => {
  // a deep linear net always has one; a fake model kind does not
  const model = new DeepLinear({ d: 2, width: 2, depth: 2 });
  const fake = Object.assign(Object.create(Object.getPrototypeOf({})), { ...model, kind: 'other' });
  assert.throws(() => endToEndSingularValues(fake, new Float64Array(6)), /record\.singularValues.*not 'other'/);
});
