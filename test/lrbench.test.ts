/** `catapult lrbench` (src/recipes/lrbench.ts), named sweep axes, catapult events. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLrbenchConfig, lrbenchSweep, rankBy, type PolicyStats } from '../src/recipes/lrbench.ts';
import { expandSweep, parseSweepConfig } from '../src/experiments/sweep.ts';
import { catapultEvents, lossRises } from '../src/train/lr/stability.ts';
import { parseResultsCsv } from '../src/experiments/results.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'bin', 'catapult.js');
function catapult(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a named sweep axis sets whole values in the config and records the names', () => {
  const sweep = parseSweepConfig({ base: { steps: 5 }, axes: { schedule: { named: { a: { fn: 'FIX', k0: 2 }, b: { kind: 'exponential', gamma: 0.9 } } }, seed: [0, 1] } });
  const pts = expandSweep(sweep);
  assert.equal(pts.length, 4);
  assert.deepEqual(pts.map((p) => [p.values.schedule, p.values.seed]), [['a', 0], ['a', 1], ['b', 0], ['b', 1]]);
  assert.deepEqual(pts[0].config.schedule, { fn: 'FIX', k0: 2 });
  assert.deepEqual(pts[3].config.schedule, { kind: 'exponential', gamma: 0.9 });
  assert.throws(() => expandSweep(parseSweepConfig({ axes: { schedule: { named: { bad: { fn: 'EXP', k0: 1 } } } } })), /sweep run 0 [\s\S]*schedule\.gamma: missing/);
});

test('lrbench config validation names the policy parameter', () => {
  assert.throws(() => parseLrbenchConfig({ policies: { tri: { fn: 'TRI', k0: 1, k1: 2 } } }), /policies\.tri\.l: missing/);
  assert.throws(() => parseLrbenchConfig({ policies: {} }), /policies: at least one policy/);
  assert.throws(() => parseLrbenchConfig({ base: { schedule: { kind: 'constant' } }, policies: { f: { fn: 'FIX', k0: 1 } } }), /base\.schedule/);
  const sweep = lrbenchSweep(parseLrbenchConfig({ policies: { f: { fn: 'FIX', k0: 1 } }, seeds: [3, 4] }));
  assert.deepEqual(sweep.axes, { schedule: { named: { f: { fn: 'FIX', k0: 1 } } }, seed: [3, 4] });
});

test('loss rises and catapult events (a rise, then λ ≥ 1% lower once the loss is back)', () => {
  const rows = [
    { step: 0, loss: 1.0, lambda: 10 },
    { step: 1, loss: 1.5, lambda: NaN }, // rise
    { step: 2, loss: 2.0, lambda: 9 }, // peak
    { step: 3, loss: 0.9, lambda: 5 }, // back below 1.0: λ 10 → 5: an event
    { step: 4, loss: 0.8, lambda: 5 },
    { step: 5, loss: 0.85, lambda: 5 }, // rise without a λ drop: not an event
    { step: 6, loss: 0.7, lambda: 4.99 },
  ];
  assert.deepEqual(lossRises(rows), [1, 2, 5]);
  assert.deepEqual(catapultEvents(rows), [{ start: 1, peak: 2, end: 3, lossBefore: 1, lossPeak: 2, lambdaBefore: 10, lambdaAfter: 5 }]);
});

test('rankBy orders by the better direction, NaN last', () => {
  const st = (policy: string, accuracy: number, cost: number) => ({ policy, accuracy, cost }) as unknown as PolicyStats;
  const s = [st('a', 0.8, 30), st('b', 0.9, NaN), st('c', 0.85, 10)];
  assert.deepEqual(rankBy(s, 'accuracy').map((x) => x.policy), ['b', 'c', 'a']);
  assert.deepEqual(rankBy(s, 'cost').map((x) => x.policy), ['c', 'a', 'b']);
});

test('catapult lrbench: policies × seeds on the pool, resumable, ranked tables and an HTML report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catapult-lrbench-'));
  writeFileSync(join(dir, 'bench.json'), JSON.stringify({
    name: 'tiny',
    base: { data: { kind: 'gaussian', m: 40, d: 4, labelNoise: 0.1, testFraction: 0.25 }, model: { depth: 2, width: 12 }, steps: 30, record: { every: 1, denseUntil: 0 }, curvature: { every: 3, gaussNewton: false, maxIter: 20 } },
    policies: { low: { fn: 'FIX', k0: 0.5 }, tri: { fn: 'TRI', k0: 0.5, k1: 3, l: 5 } },
    seeds: [0, 1],
    targetAccuracy: 0.7,
  }));
  const r = catapult(['lrbench', 'bench.json', '--out', 'b', '-j', '2', '-q'], dir);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(dir, 'b', 'report', 'index.html')));
  for (const f of ['eta', 'loss', 'lambda', 'accuracy']) assert.ok(existsSync(join(dir, 'b', 'report', 'figures', `${f}.png`)), f);
  const { rows } = parseResultsCsv(readFileSync(join(dir, 'b', 'results.csv'), 'utf8'));
  assert.deepEqual(rows.map((x) => `${x.values.schedule}/${x.values.seed}`), ['low/0', 'low/1', 'tri/0', 'tri/1']);
  // the ranking by test accuracy agrees with the runs' own summaries
  const acc = (p: string) => rows.filter((x) => x.values.schedule === p).reduce((a, x) => a + Number(x.summary.testAccuracyFinal), 0) / 2;
  const best = acc('low') >= acc('tri') ? 'low' : 'tri';
  const line = r.out.split('\n').find((l) => l.startsWith('1 | '))!;
  assert.ok(line.startsWith(`1 | ${best} (`), line);
  const html = readFileSync(join(dir, 'b', 'report', 'index.html'), 'utf8');
  assert.match(html, /Ranking by each metric/);
  assert.match(html, /TRI\(k0=0\.5, k1=3, l=5\)/);
  // resumable: a rerun reuses every run
  const again = catapult(['lrbench', 'bench.json', '--out', 'b', '-j', '1', '-q'], dir);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /4 runs \(0 run now, 4 reused\)/);
  // a bad config: exit code 2, the field named
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ policies: { p: { fn: 'SIN', k0: 1, k1: 2 } } }));
  const bad = catapult(['lrbench', 'bad.json'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /policies\.p\.l: missing/);
});
