import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDirs } from './helpers.ts';
import { createProgress, formatDuration } from '../src/cli/progress.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'bin', 'catapult.js');

function catapult(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = tempDirs('catapult-cli-');
const small = ['--steps', '60', '--width', '20', '--m', '30', '--d', '5', '-q'];

test('train writes config, metrics, summary and weights; the summary has the documented fields', () => {
  const dir = tmp();
  const r = catapult(['train', ...small, '--c', '6', '--out', 'run'], dir);
  assert.equal(r.code, 0, r.err);
  for (const f of ['config.json', 'metrics.csv', 'summary.json', 'weights.json']) assert.ok(existsSync(join(dir, 'run', f)), f);
  const s = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  for (const k of ['status', 'steps', 'eta', 'c', 'lambda0', 'sharpness0', 'lambdaFinal', 'sharpnessFinal', 'lossInitial', 'lossMax', 'stepOfLossMax', 'lossFinal', 'phase']) {
    assert.ok(k in s, `summary.${k}`);
  }
  assert.ok(Math.abs(s.c - 6) < 1e-12 && Math.abs(s.eta - 12 / s.lambda0) < 1e-12);
  const cfg = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8'));
  assert.equal(cfg.seed, 0);
  assert.equal(typeof cfg.code.packageVersion, 'string');
  assert.ok(!readdirSync(join(dir, 'run')).some((f) => f.includes('.tmp-')), 'no temp files left');
  // a rerun of the same config finds the complete run
  const again = catapult(['train', ...small, '--c', '6', '--out', 'run'], dir);
  assert.match(again.out, /complete run found/);
});

test('the same config twice gives byte-identical metrics.csv', () => {
  const dir = tmp();
  const args = ['train', ...small, '--c', '8', '--data', 'gaussian', '--set', 'data.labelNoise=0.1', '--depth', '3'];
  assert.equal(catapult([...args, '--out', 'a'], dir).code, 0);
  assert.equal(catapult([...args, '--out', 'b'], dir).code, 0);
  const a = readFileSync(join(dir, 'a', 'metrics.csv'));
  assert.ok(a.length > 1000);
  assert.deepEqual(a, readFileSync(join(dir, 'b', 'metrics.csv')));
  assert.deepEqual(readFileSync(join(dir, 'a', 'weights.json')), readFileSync(join(dir, 'b', 'weights.json')));
});

test('saved weights load back exactly as an init (steps = 0 reproduces the loss)', () => {
  const dir = tmp();
  assert.equal(catapult(['train', ...small, '--c', '2', '--out', 'a'], dir).code, 0);
  const r = catapult(['train', ...small, '--steps', '0', '--init-file', 'a/weights.json', '--out', 'b'], dir);
  assert.equal(r.code, 0, r.err);
  const a = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
  const b = JSON.parse(readFileSync(join(dir, 'b', 'summary.json'), 'utf8'));
  assert.equal(b.lossInitial, a.lossFinal);
});

const badConfigs: [string, string[], RegExp][] = [
  ['unknown loss', ['--loss', 'hinge'], /loss: Invalid option: expected one of "logistic"\|"squared"\|"exponential"/],
  ['depth 1', ['--depth', '1'], /model\.depth: Too small/],
  ['p > 1', ['--p', '1.5'], /data\.p: Too small|data\.p: Too big/],
  ['negative c', ['--c', '-1'], /c: Too small/],
  ['both c and eta', ['--c', '1', '--eta', '0.1'], /eta: give either c or eta, not both/],
  ['unknown field', ['--set', 'model.widht=3'], /model\.widht: unknown field/],
  ['unknown data kind', ['--data', 'mnist-ish'], /data\.kind/],
  ['non-integer steps', ['--steps', '1.5'], /steps: Invalid input: expected int/],
  ['odd width with prescribed init', ['--init', 'prescribed', '--width', '7'], /model\.width: 'prescribed' init needs an even width/],
];
for (const [name, args, pattern] of badConfigs) {
  test(`bad config field is a clear error: ${name}`, () => {
    const r = catapult(['train', '-q', ...args], tmp());
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, pattern);
  });
}

test('bad config file: not JSON', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'c.json'), '{ "loss": ');
  const r = catapult(['train', 'c.json'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /config file c\.json: not valid JSON/);
});

test('a malformed CSV is a clear error naming the line', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'd.csv'), 'a,b,label\n1,2,1\n3,4\n');
  const r = catapult(['train', '-q', '--csv', 'd.csv'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /line 3: expected 3 columns, found 2/);
  writeFileSync(join(dir, 'e.csv'), 'a,b,label\n1,2,1\n3,x,-1\n');
  assert.match(catapult(['train', '-q', '--csv', 'e.csv'], dir).err, /line 3, column 2 \('b'\): 'x' is not a number/);
});

test('CSV data train end to end', () => {
  const dir = tmp();
  const rows = ['x1,x2,label'];
  for (let i = 0; i < 40; i++) rows.push(`${Math.sin(i)},${Math.cos(3 * i)},${i % 3 === 0 ? 'yes' : 'no'}`);
  writeFileSync(join(dir, 'd.csv'), rows.join('\n'));
  const r = catapult(['train', '-q', '--csv', 'd.csv', '--set', 'data.positive=["yes"]', '--set', 'data.negative=["no"]', '--steps', '20', '--width', '10', '--out', 'r'], dir);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(readFileSync(join(dir, 'r', 'summary.json'), 'utf8'));
  assert.equal(s.steps, 20);
});

test('a weights file of the wrong shape is a clear error', () => {
  const dir = tmp();
  assert.equal(catapult(['train', ...small, '--out', 'a'], dir).code, 0);
  const r = catapult(['train', ...small, '--width', '22', '--init-file', 'a/weights.json'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /weights file a\/weights\.json: layer 1 \(W1\) has shape \[20,5\] but the model expects W1 with shape \[22,5\]/);
  assert.match(catapult(['train', ...small, '--init-file', 'missing.json'], dir).err, /weights file missing\.json: cannot be read/);
});

test('a diverging run ends cleanly with status diverged', () => {
  const dir = tmp();
  const r = catapult(['train', ...small, '--loss', 'squared', '--c', '5', '--out', 'r'], dir);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(readFileSync(join(dir, 'r', 'summary.json'), 'utf8'));
  assert.equal(s.status, 'diverged');
  assert.equal(s.phase, 'divergent');
});

test('progress without a terminal: a line per 10% and at least every 15 s, with an ETA', (t) => {
  assert.equal(formatDuration(4000), '4s');
  assert.equal(formatDuration(65000), '1m05s');
  assert.equal(formatDuration(3.72e6), '1h02m');
  let now = 1_000_000;
  t.mock.method(Date, 'now', () => now);
  const lines: string[] = [];
  t.mock.method(process.stderr, 'write', (s: string) => { lines.push(s); return true; });
  const wasTTY = process.stderr.isTTY;
  (process.stderr as { isTTY?: boolean }).isTTY = false;
  try {
    const p = createProgress(1000, 'job');
    now += 1000; p.update(50);   // 5%, 1 s: silent
    now += 16000; p.update(60);  // 6%, 17 s: a line (time), ETA from the rate so far
    now += 1000; p.update(100);  // 10%: a line
    now += 1000; p.update(101);  // silent
  } finally {
    (process.stderr as { isTTY?: boolean }).isTTY = wasTTY;
  }
  assert.equal(lines.length, 2, lines.join(''));
  assert.match(lines[0], /^job: 60\/1000 \(6%\) +17\.0s ETA 4m26s\n$/);
  assert.match(lines[1], /^job: 100\/1000 \(10%\)/);
});
