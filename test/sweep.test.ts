import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { axisValues, expandSweep, parseSweepConfig, shardOf } from '../src/experiments/sweep.ts';
import { parseResultsCsv } from '../src/experiments/results.ts';
import { onsetsFromRows } from '../src/report/specs.ts';
import { gridOnsets, onsetsToCsv, onsetTest, parseOnsetsCsv, phaseOnsets, type OnsetRow } from '../src/experiments/onsets.ts';

import { tempDirs } from './helpers.ts';
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'catapult.js');
const tmp = tempDirs();
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

const SWEEP = {
  name: 't',
  base: { data: { kind: 'degenerate', m: 20, d: 5, p: 0.3 }, model: { width: 60 }, loss: 'logistic', steps: 150, record: { every: 50, denseUntil: 10 }, curvature: { every: 50, gaussNewton: false } },
  axes: { c: { log: [1, 100], num: 7 }, seed: [0, 1] },
};

test('axes expand in a fixed order with exact range endpoints', () => {
  assert.deepEqual(axisValues({ log: [1, 100], num: 3 }), [1, 10.000000000000002, 100].map((v, i) => (i === 1 ? Math.pow(100, 0.5) : v)));
  assert.deepEqual(axisValues({ linear: [0, 1], num: 5 }), [0, 0.25, 0.5, 0.75, 1]);
  const pts = expandSweep(parseSweepConfig(SWEEP));
  assert.equal(pts.length, 14);
  assert.deepEqual(pts.slice(0, 2).map((p) => p.values), [{ c: 1, seed: 0 }, { c: 1, seed: 1 }]);
  assert.equal(new Set(pts.map((p) => p.hash)).size, 14);
  const shards = [0, 1, 2].map((i) => shardOf(pts, { index: i, count: 3 }).map((p) => p.index));
  assert.deepEqual(shards.flat().sort((a, b) => a - b), pts.map((p) => p.index));
  assert.throws(() => expandSweep(parseSweepConfig({ ...SWEEP, axes: { 'model.depth': [1] } })), /sweep run 0 [^]*model\.depth: Too small/);
});

test('sweep results are identical for --jobs 1, --jobs 2 and two shards merged', () => {
  const dir = tmp('catapult-sweep-');
  writeFileSync(join(dir, 's.json'), JSON.stringify(SWEEP));
  for (const [args, out] of [[['-j', '1'], 'j1'], [['-j', '2'], 'j2'], [['-j', '1', '--shard', '0/2'], 'sh0'], [['-j', '2', '--shard', '1/2'], 'sh1']] as const) {
    const r = run(['sweep', 's.json', '-q', '--out', out, ...args], dir);
    assert.equal(r.status, 0, r.stderr);
  }
  const m = run(['merge', 'sh0', 'sh1', '--out', 'merged'], dir);
  assert.equal(m.status, 0, m.stderr);
  const j1 = readFileSync(join(dir, 'j1', 'results.csv'), 'utf8');
  assert.equal(j1.trim().split('\n').length, 15);
  assert.equal(readFileSync(join(dir, 'j2', 'results.csv'), 'utf8'), j1);
  assert.equal(readFileSync(join(dir, 'j2', 'onsets.csv'), 'utf8'), readFileSync(join(dir, 'j1', 'onsets.csv'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'merged', 'results.csv'), 'utf8'), j1);
  assert.equal(readFileSync(join(dir, 'merged', 'onsets.csv'), 'utf8'), readFileSync(join(dir, 'j1', 'onsets.csv'), 'utf8'));
  // each run equals `catapult train` with the same config
  const { rows } = parseResultsCsv(j1);
  const row = rows[5];
  const cfg = JSON.parse(readFileSync(join(dir, 'j1', 'runs', row.hash, 'config.json'), 'utf8'));
  for (const k of ['configHash', 'code', 'data_resolved']) delete cfg[k];
  writeFileSync(join(dir, 'one.json'), JSON.stringify(cfg));
  assert.equal(run(['train', 'one.json', '-q', '--out', 'single'], dir).status, 0);
  assert.equal(readFileSync(join(dir, 'single', 'metrics.csv'), 'utf8'), readFileSync(join(dir, 'j1', 'runs', row.hash, 'metrics.csv'), 'utf8'));
});

test('a killed sweep resumes to the same results as an uninterrupted one', async () => {
  const dir = tmp('catapult-resume-');
  const big = { ...SWEEP, base: { ...SWEEP.base, steps: 1500 }, axes: { c: { log: [1, 100], num: 12 } } };
  writeFileSync(join(dir, 's.json'), JSON.stringify(big));
  const child = spawn(process.execPath, [BIN, 'sweep', 's.json', '-q', '-j', '1', '--out', 'killed'], { cwd: dir, stdio: 'ignore' });
  const complete = () => (existsSync(join(dir, 'killed', 'runs')) ? readdirSync(join(dir, 'killed', 'runs')).filter((h) => existsSync(join(dir, 'killed', 'runs', h, 'summary.json'))).length : 0);
  const t0 = Date.now();
  while (complete() < 3 && Date.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const before = complete();
  assert.ok(before >= 3 && before < 12, `killed after ${before} runs`);
  const resumed = run(['sweep', 's.json', '-j', '2', '--out', 'killed'], dir);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, new RegExp(`${12 - before} run now, ${before} reused`));
  assert.equal(run(['sweep', 's.json', '-q', '-j', '2', '--out', 'clean'], dir).status, 0);
  assert.equal(readFileSync(join(dir, 'killed', 'results.csv'), 'utf8'), readFileSync(join(dir, 'clean', 'results.csv'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'killed', 'onsets.csv'), 'utf8'), readFileSync(join(dir, 'clean', 'onsets.csv'), 'utf8'));
  assert.ok(!readdirSync(join(dir, 'killed')).some((f) => f.includes('.tmp-')));
});

test('onsets: first c whose loss rises, whose λ drops, that diverges', () => {
  const rows = [1, 2, 4, 8].map((c, i) => ({
    index: i, hash: String(i), values: { c },
    summary: { c, lossInitial: 1, lossMax: c >= 4 ? 2 : 1, lambda0: 1, lambdaFinal: c >= 2 ? 0.5 : 1, phase: (c >= 8 ? 'divergent' : c >= 4 ? 'catapult' : 'lazy') as 'lazy' },
  }));
  const [o] = phaseOnsets(rows);
  assert.deepEqual([o.cLoss, o.cLossBelow, o.cSharp, o.cSharpBelow, o.cMax, o.cMaxBelow], [4, 2, 2, 1, 8, 4]);
});

test('instability onset: first c whose λ_T/λ0 falls clearly below the lazy baseline (smallest c), not below λ0', () => {
  // real-data shape: λ grows 3× in lazy runs; the catapult runs end at 2.5× and 1.2× λ0 (never below λ0)
  const ratios = [3, 3.01, 2.99, 2.5, 1.2];
  const rows = ratios.map((r, i) => ({ index: i, values: { c: 2 ** i }, summary: { c: 2 ** i, lossInitial: 1, lossMax: 1, lambda0: 1, lambdaFinal: r, phase: 'lazy' as const } }));
  const [o] = phaseOnsets(rows);
  assert.equal(o.lazyRatio, 3);
  assert.deepEqual([o.cInstab, o.cInstabBelow], [8, 4]); // 2.99 > 0.98·3 = 2.94: not "clearly" below
  assert.equal(o.cSharp, null);
  assert.equal(onsetTest('cInstab', { lambda0: 1, lambdaFinal: 2.93 }, 3), true);
  assert.equal(onsetTest('cInstab', { lambda0: 1, lambdaFinal: 2.95 }, 3), false);
  assert.equal(onsetTest('cInstab', { phase: 'divergent' }, 3), true);
});

test('one onset rule: row order (jobs, resume, shards) does not change onsets.csv; the explorer and the CSV round trip agree', () => {
  const rows: OnsetRow[] = [];
  let index = 0;
  for (const width of [100, 400]) for (const c of [0.5, 1, 2, 4]) rows.push({ index: index++, values: { 'model.width': width, c }, summary: { c, lossInitial: 1, lossMax: c >= 2 ? 3 : 1, lambda0: 1, lambdaFinal: c >= 2 ? 0.4 : 1.1, phase: c >= 4 ? 'divergent' : c >= 2 ? 'catapult' : 'lazy' } });
  const inOrder = onsetsToCsv(phaseOnsets(rows));
  const reversed = onsetsToCsv(phaseOnsets([...rows].reverse()));
  const interleaved = onsetsToCsv(phaseOnsets([...rows.filter((_, i) => i % 2), ...rows.filter((_, i) => i % 2 === 0)]));
  assert.equal(reversed, inOrder);
  assert.equal(interleaved, inOrder);
  assert.match(inOrder.split('\n')[1], /^100,1\.1,2,1,2,1,2,1,4,2$/);
  assert.equal(onsetsToCsv(parseOnsetsCsv(inOrder)), inOrder);
  // the explorer's sweep card runs the same rule on its grid
  const w100 = rows.filter((r) => r.values['model.width'] === 100);
  const web = gridOnsets(w100.map((r) => r.summary.c!), w100.map((r) => r.summary));
  const [first] = phaseOnsets(rows);
  for (const k of ['cLoss', 'cSharp', 'cInstab', 'cMax', 'lazyRatio'] as const) assert.equal(web[k], first[k], k);
  // the phase-diagram figure's onset curves too
  const fig = onsetsFromRows(rows.map((r) => ({ ...r.summary, width: r.values['model.width'] })), 'width');
  phaseOnsets(rows).forEach((o, i) => {
    for (const k of ['cLoss', 'cSharp', 'cInstab', 'cMax'] as const) assert.equal(fig[i][k], o[k], `figure ${k}`);
  });
});
