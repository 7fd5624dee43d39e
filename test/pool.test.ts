import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/experiments/config.ts';
import { runJobs, type Job, type JobResult } from '../src/experiments/pool.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'catapult.js');
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

const SWEEP = {
  name: 't',
  base: { data: { kind: 'degenerate', m: 20, d: 5, p: 0.3 }, model: { width: 60 }, loss: 'logistic', steps: 1500, record: { every: 50, denseUntil: 10 }, curvature: { every: 50, gaussNewton: false } },
  axes: { c: { log: [1, 100], num: 12 } },
};

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to a parallel sweep: one line, no stack trace, and a rerun completes byte-identically`, { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catapult-signal-'));
    try {
      writeFileSync(join(dir, 's.json'), JSON.stringify(SWEEP));
      const child = spawn(process.execPath, [BIN, 'sweep', 's.json', '-q', '-j', '2', '--out', 'killed'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const runsDir = join(dir, 'killed', 'runs');
      const complete = () => (existsSync(runsDir) ? readdirSync(runsDir).filter((h) => existsSync(join(runsDir, h, 'summary.json'))).length : 0);
      const t0 = Date.now();
      while (complete() < 2 && Date.now() - t0 < 90_000) await new Promise((r) => setTimeout(r, 20));
      child.kill(signal);
      const [code, sig] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
      const before = complete();
      assert.ok(before >= 2 && before < 12, `stopped after ${before} runs`);
      assert.equal(code, signal === 'SIGTERM' ? 143 : 130, `exit code (signal ${sig}); stderr: ${stderr}`);
      assert.doesNotMatch(stderr, /EPIPE|Error|\n\s+at /, 'no error, no stack trace');
      assert.match(stderr, new RegExp(`^catapult: ${signal}: stopped with \\d+ of 12 runs complete .*rerun the same command to resume\\n$`));
      assert.ok(!allFiles(join(dir, 'killed')).some((f) => f.includes('.tmp-') || f.includes('.partial-')), 'no temp files or staging directories left');

      const resumed = run(['sweep', 's.json', '-j', '2', '--out', 'killed'], dir);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(resumed.stdout, new RegExp(`${12 - before} run now, ${before} reused`));
      assert.equal(run(['sweep', 's.json', '-q', '-j', '1', '--out', 'clean'], dir).status, 0);
      assert.equal(readFileSync(join(dir, 'killed', 'results.csv'), 'utf8'), readFileSync(join(dir, 'clean', 'results.csv'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the worker pool: same summaries as in-process, reused across calls, a failing run is named, idle workers do not hold the process', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'catapult-pool-'));
  try {
    const jobs = (sub: string): Job[] => [1, 3, 6, 20, 60].map((c) => ({
      config: resolveConfig({ c, steps: 80, model: { width: 30 }, data: { kind: 'degenerate', m: 20, d: 4, p: 0.3 }, curvature: { every: 20, gaussNewton: false } }),
      dir: join(dir, sub, String(c)),
      saveWeights: false,
    }));
    const collect = async (list: Job[], workers: number) => {
      const out: JobResult[] = [];
      await runJobs(list, workers, (_j, r, i) => (out[i] = r));
      return out;
    };
    const one = await collect(jobs('one'), 1);
    const two = await collect(jobs('two'), 2);
    assert.deepEqual(two, one);
    for (const c of [1, 20]) assert.equal(readFileSync(join(dir, 'two', String(c), 'metrics.csv'), 'utf8'), readFileSync(join(dir, 'one', String(c), 'metrics.csv'), 'utf8'));
    // second call on the same (now idle) workers: complete runs are found and reused
    const again = await collect(jobs('two'), 2);
    assert.ok(again.every((r) => r.reused));
    // a run that throws fails the call with its directory named; the pool keeps working
    const bad = { ...jobs('bad')[0], config: { ...jobs('bad')[0].config, data: { kind: 'csv', path: join(dir, 'missing.csv') } } } as Job;
    await assert.rejects(runJobs([jobs('ok')[0], bad, jobs('ok')[1]], 2, () => {}), (e: Error) => e.message.startsWith(`run ${bad.dir}: `));
    // a callback that throws (e.g. the results table cannot be written) rejects the call, no crash
    await assert.rejects(runJobs(jobs('cb'), 2, () => {
      throw new Error('disk full');
    }), /^Error: disk full$/);
    assert.deepEqual(await collect(jobs('three'), 2), one);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // a script that runs a parallel pool exits on its own when done (idle workers are unref'd)
  const exitDir = mkdtempSync(join(tmpdir(), 'catapult-pool-exit-'));
  const script = `import { runJobs } from ${JSON.stringify(join(ROOT, 'src', 'experiments', 'pool.ts'))};
import { resolveConfig } from ${JSON.stringify(join(ROOT, 'src', 'experiments', 'config.ts'))};
const d = ${JSON.stringify(exitDir)};
const jobs = [2, 4].map((c) => ({ config: resolveConfig({ c, steps: 10, model: { width: 10 } }), dir: d + '/' + c, saveWeights: false }));
let n = 0;
await runJobs(jobs, 2, () => n++);
console.log('done', n);`;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  rmSync(exitDir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'done 2');
  assert.ok(Date.now() - t0 < 60_000);
});
