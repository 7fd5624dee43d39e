import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirs } from './helpers.ts';
import { configHash, resolveConfig } from '../src/experiments/config.ts';
import { executeRun } from '../src/experiments/runDir.ts';
import { buildProblem } from '../src/experiments/problem.ts';
import { nodeLoaders, readWeightsFile } from '../src/experiments/nodeLoaders.ts';
import { singularValues } from '../src/linalg/svd.ts';
import { srankFromSingularValues } from '../src/linalg/srank.ts';
import { METRIC_COLUMNS, metricsToCsv } from '../src/train/metrics.ts';

const tmp = tempDirs('catapult-srank-record-');

function readCsv(path: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const header = head.split(',');
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v]))) };
}

/** srank of h = X W_1ᵀ/√d ⋯ by plain loops over the weight layers (no model code). */
function directSranks(X: ArrayLike<number>, m: number, d: number, theta: Float64Array, width: number, depth: number): number[] {
  let h = Float64Array.from(X), cols = d, offset = 0;
  const out: number[] = [];
  for (let k = 0; k < depth - 1; k++) {
    const next = new Float64Array(m * width);
    for (let a = 0; a < m; a++) for (let i = 0; i < width; i++) {
      let acc = 0;
      for (let j = 0; j < cols; j++) acc += h[a * cols + j] * theta[offset + i * cols + j];
      next[a * width + i] = acc / Math.sqrt(cols);
    }
    offset += width * cols;
    h = next;
    cols = width;
    out.push(srankFromSingularValues(singularValues(h, m, width), 0.01));
  }
  return out;
}

test('record.srank: srank_h1, srank_h2 at curvature steps equal srank computed directly from the saved weights', async () => {
  const dir = tmp();
  const cfg = resolveConfig({ data: { kind: 'gaussian', m: 24, d: 4 }, model: { depth: 3, width: 7 }, loss: 'squared', c: 1.5, steps: 35, record: { every: 5, denseUntil: 0, srank: true }, curvature: { every: 10, gaussNewton: false } });
  await executeRun(cfg, join(dir, 'run'));
  const { header, rows } = readCsv(join(dir, 'run', 'metrics.csv'));
  assert.deepEqual(header.slice(-2), ['srank_h1', 'srank_h2']);
  // curvature steps 0, 10, 20, 30 and the last (35) carry srank; the other recorded steps do not
  assert.deepEqual(rows.filter((r) => r.srank_h1 !== '').map((r) => Number(r.step)), [0, 10, 20, 30, 35]);
  const { problem } = buildProblem(cfg, nodeLoaders);
  const theta = readWeightsFile(join(dir, 'run', 'weights.json'), problem.model);
  const { m, d, X } = problem.train;
  const final = directSranks(X, m, d, theta, 7, 3);
  const last = rows[rows.length - 1];
  assert.deepEqual([Number(last.srank_h1), Number(last.srank_h2)], final);
  assert.deepEqual([Number(rows[0].srank_h1), Number(rows[0].srank_h2)], directSranks(X, m, d, problem.theta0, 7, 3));
  assert.ok(final.every((v) => v >= 1 && v <= d), `srank ≤ rank ≤ d = ${d}: ${final}`);
});

test('record.srank is off by default: no srank columns, and configs without it keep their hashes', () => {
  const cfg = resolveConfig({});
  assert.ok(!('srank' in cfg.record));
  assert.equal(configHash(cfg), configHash(resolveConfig({ record: {} })));
  assert.notEqual(configHash(cfg), configHash(resolveConfig({ record: { srank: true } })));
  const csv = metricsToCsv([Object.fromEntries(METRIC_COLUMNS.map((c) => [c, 1])) as never]);
  assert.equal(csv.split('\n')[0], METRIC_COLUMNS.join(','));
  assert.throws(() => resolveConfig({ record: { srank: 'yes' } }), /record\.srank: /);
});
