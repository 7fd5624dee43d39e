import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirs } from './helpers.ts';
import { resolveRlConfig, buildFittedQ, FittedQ } from '../src/rl/index.ts';

const MAIN = join(import.meta.dirname, '..', 'bin', 'catapult.js');
const tmp = tempDirs('catapult-rl-cli-');
function catapult(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const small = { env: { kind: 'gridworld', width: 3, height: 3, gamma: 0.8 }, model: { kind: 'deep-linear', width: 6, depth: 3 }, iterations: 4, stepsPerIteration: 15, rankPenalty: 0.1 };

test('catapult rl writes config, metrics (one row per iteration), summary with config and code version; the numbers are the library run', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'rl.json'), JSON.stringify(small));
  const r = catapult(['rl', 'rl.json', '--out', 'run', '--set', 'targets=oracle'], dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /rl: 4\/4/, 'progress on stderr');
  for (const f of ['config.json', 'metrics.csv', 'summary.json', 'weights.json']) assert.ok(existsSync(join(dir, 'run', f)), f);
  const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  assert.equal(summary.config.targets, 'oracle');
  assert.equal(typeof summary.code.packageVersion, 'string');
  assert.equal(summary.srankDelta, 0.01);
  const lines = readFileSync(join(dir, 'run', 'metrics.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'iteration,step,loss,penalty,srank,qError,greedyReturn');
  assert.equal(lines.length, 1 + 5);
  // the same config through the library gives the same rows
  const { problem, settings } = buildFittedQ(resolveRlConfig({ ...small, targets: 'oracle' }));
  const fq = new FittedQ(problem, settings);
  fq.run();
  const last = lines[5].split(',').map(Number);
  assert.deepEqual(last, [4, 60, fq.rows[4].loss, fq.rows[4].penalty, fq.rows[4].srank, fq.rows[4].qError, fq.rows[4].greedyReturn]);
  assert.match(catapult(['rl', 'rl.json', '--out', 'run', '--set', 'targets=oracle'], dir).out, /complete run found/);
});

test('catapult rl: a bad config exits 2 with one message naming the field', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...small, stepsPerIteration: -3, env: { kind: 'gridworld', colour: 'red' } }));
  const r = catapult(['rl', 'bad.json', '-q'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /stepsPerIteration: /);
  assert.match(r.err, /env\.colour: unknown field/);
  assert.ok(!existsSync(join(dir, 'runs')), 'nothing written');
  const missing = catapult(['rl', 'nope.json'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /config file nope\.json: cannot be read/);
});
