import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { createHash } from 'node:crypto';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHash, resolveConfig, setPath } from '../src/experiments/config.ts';
import { runHash } from '../src/experiments/runIdentity.ts';
import { executeRun, runLimits } from '../src/experiments/runDir.ts';
import { checkRunCost, estimateRunCost } from '../src/experiments/runCost.ts';
import { ensureDir } from '../src/io/fsErrors.ts';
import { configFromCli } from '../src/cli/trainCommand.ts';
import { expandSweep, parseSweepConfig } from '../src/experiments/sweep.ts';
import { parseCList } from '../src/cli/theoryCommand.ts';
import { mergeResults, runSweep } from '../src/experiments/sweepRunner.ts';
import { envLimit } from '../src/io/envLimits.ts';
import { loadRecipeFile, resolveRecipe } from '../src/experiments/recipeFiles.ts';

/** Issue 10: every bad input gets a one-line error naming the field/path/cause, exit code 2, nothing half-written. */
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'catapult.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'catapult-hard-'));
  dirs.push(d);
  return d;
}
function catapult(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const small = ['--steps', '20', '--width', '10', '--m', '10', '--d', '3', '-q'];

test('prototype-reaching config paths are rejected, naming the path (setPath, --set, sweep axes)', () => {
  for (const path of ['__proto__.polluted', 'model.constructor.x', 'data.prototype']) {
    assert.throws(() => setPath({}, path, 1), new RegExp(`config path '${path.replace(/\./g, '\\.')}': '(__proto__|constructor|prototype)' is not a config field`));
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const dir = tmp();
  const r = catapult(['train', '--set', '__proto__.polluted=1', ...small, '--out', 'x'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: config path '__proto__\.polluted': '__proto__' is not a config field\n$/);
  assert.ok(!existsSync(join(dir, 'x')));
  assert.throws(() => parseSweepConfig(JSON.parse('{"name":"s","axes":{"__proto__.steps":[1,2]}}')), /axes\.__proto__\.steps: '__proto__' is not a config field/);
  writeFileSync(join(dir, 's.json'), '{"name":"s","axes":{"constructor.steps":[1,2]}}');
  const s = catapult(['sweep', 's.json', '-q', '--out', 'sw'], dir);
  assert.equal(s.code, 2, s.err);
  assert.match(s.err, /axes\.constructor\.steps: 'constructor' is not a config field/);
});

test('a config that is null (or not an object) is an error, with or without flags', () => {
  assert.throws(() => resolveConfig(null), /invalid config:\n {2}\(config\): .*expected object/);
  const dir = tmp();
  for (const [text, what] of [['null', 'null'], ['[1]', 'an array'], ['3', 'number']]) {
    writeFileSync(join(dir, 'c.json'), text);
    assert.throws(() => configFromCli(join(dir, 'c.json'), {}), new RegExp(`c\\.json: expected a JSON object of config fields, got ${what}`));
    assert.throws(() => configFromCli(join(dir, 'c.json'), { c: '2' }), /expected a JSON object/);
  }
  writeFileSync(join(dir, 'null.json'), 'null');
  const r = catapult(['train', 'null.json', '--c', '2', ...small], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: config file null\.json: expected a JSON object of config fields, got null\n$/);
});

test('theory --bifurcation without --out is an error, not silently ignored', () => {
  const dir = tmp();
  const r = catapult(['theory', '--c', '1,2', '--steps', '10', '--bifurcation', '5:2'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--bifurcation writes bifurcation\.csv and needs --out <dir>/);
  assert.equal(r.out, '');
});

test('a CSV whose labels are all one class is an error naming the class (train and separability)', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'one.csv'), 'x1,x2,label\n1,2,1\n3,4,1\n5,6,1\n');
  const r = catapult(['train', '--csv', 'one.csv', '--steps', '5', '-q', '--out', 'r'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: one\.csv: column 3: all 3 rows are in one class \(label '1'\); a binary data set needs both classes\n$/);
  assert.ok(!existsSync(join(dir, 'r')));
  const s = catapult(['separability', 'one.csv'], dir);
  assert.equal(s.code, 2, s.err);
  assert.match(s.err, /all 3 rows are in one class \(label '1'\)/);
});

test('sweep and recipe names are plain names: nothing is written outside sweeps/', () => {
  for (const name of ['../../escaped-sweep', 'a/b', '..', '.hidden', 'a\\b', '']) {
    assert.throws(() => parseSweepConfig({ name, axes: { c: [1] } }), /name: a sweep name is a plain name/, name);
  }
  assert.equal(parseSweepConfig({ name: 'uv-squared_2.v1', axes: { c: [1] } }).name, 'uv-squared_2.v1');
  assert.throws(() => loadRecipeFile('../recipes/mnist'), /recipe '\.\.\/recipes\/mnist': a recipe name is a plain name/);
  assert.throws(() => resolveRecipe({ ...loadRecipeFile('mnist'), sweeps: { '../../x': loadRecipeFile('mnist').sweeps[Object.keys(loadRecipeFile('mnist').sweeps)[0]!]! } }, 'quick'), /name: a sweep name is a plain name/);
  const root = tmp();
  const dir = join(root, 'a', 'b');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 's.json'), JSON.stringify({ name: '../../escaped-sweep', base: { steps: 1 }, axes: { c: [1] } }));
  const r = catapult(['sweep', 's.json', '-q', '-j', '1'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /invalid sweep config:\n {2}name: a sweep name is a plain name/);
  assert.deepEqual(readdirSync(root), ['a']);
  assert.deepEqual(readdirSync(dir), ['s.json']);
});

test('a run\'s identity covers the content of its input files: an edited CSV or init file is not reused', () => {
  const dir = tmp();
  const csv = (n: number) => ['x1,x2,label', ...Array.from({ length: n }, (_, i) => `${Math.sin(i)},${Math.cos(2 * i)},${i % 2}`)].join('\n') + '\n';
  writeFileSync(join(dir, 'f.csv'), csv(10));
  const args = ['train', '--csv', 'f.csv', '--steps', '5', '--width', '6', '-q', '--out', 'D'];
  assert.equal(catapult(args, dir).code, 0);
  const again = catapult(args, dir);
  assert.match(again.out, /complete run found in D/);
  assert.doesNotMatch(again.out, /written:/);
  writeFileSync(join(dir, 'f.csv'), csv(14));
  const edited = catapult(args, dir);
  assert.equal(edited.code, 0, edited.err);
  assert.doesNotMatch(edited.out, /complete run found/);
  assert.match(edited.out, /written: D\//);
  const cfg = JSON.parse(readFileSync(join(dir, 'D', 'config.json'), 'utf8'));
  assert.equal(cfg.data_resolved.m, 14);
  assert.equal(cfg.data_resolved.inputs['data.path'], 'sha256:' + createHash('sha256').update(csv(14)).digest('hex'));
  // the run key: the plain config hash without input files (existing run directories keep their names) …
  const plain = resolveConfig({ c: 2 });
  assert.equal(runHash(plain), configHash(plain));
  // … and a hash that follows the file's content with them (init files too)
  writeFileSync(join(dir, 'w.json'), '{"a":1}');
  const withInit = resolveConfig({ init: { kind: 'file', path: join(dir, 'w.json') } });
  const h1 = runHash(withInit);
  assert.notEqual(h1, configHash(withInit));
  writeFileSync(join(dir, 'w.json'), '{"a":2}');
  assert.notEqual(runHash(withInit), h1);
  writeFileSync(join(dir, 'w.json'), '{"a":1}');
  assert.equal(runHash(withInit), h1);
});

test('absurd data or initial weights are errors naming the cause, and leave no run directory', async () => {
  const root = tmp();
  const base = { steps: 5, model: { width: 10 }, data: { kind: 'degenerate', m: 10, d: 3 } } as const;
  const cases: [unknown, RegExp][] = [
    [{ ...base, data: { kind: 'two-gaussians', m: 12, d: 3, sigma: 1e300 } }, /^two-gaussians data \(data\.sigma = 1e\+300, data\.separation = 2\): training feature X\[0\]\[0\] = \S+ is beyond ±1e\+50/],
    [{ ...base, init: { kind: 'prescribed', lambda0: 1e300 } }, /^initial weights \(init\.lambda0 = 1e\+300, init\.f0 = 0\): parameter 0 = \S+ is beyond ±1e\+50/],
    [{ ...base, init: { kind: 'gaussian', scale: 1e200 } }, /^initial weights \(init\.scale = 1e\+200\): parameter \d+ = \S+ is beyond ±1e\+50/],
    // each input in range, but a deep net multiplies them: the first curvature overflows
    [{ ...base, model: { width: 10, depth: 6 }, init: { kind: 'gaussian', scale: 1e40 } }, /^at initialization: .*non-finite.*: the degenerate data and initial weights \(init\.scale = 1e\+40\) are too large together for float64 \(model\.depth = 6\)/],
  ];
  for (const [i, [raw, pattern]] of cases.entries()) {
    const dir = join(root, `r${i}`);
    await assert.rejects(executeRun(resolveConfig(raw), dir), (e: Error) => (assert.match(e.message, pattern), true));
    assert.deepEqual(readdirSync(root), [], 'nothing written');
  }
  // the CLI: a weight of 1e300 in --init-file
  const ok = await executeRun(resolveConfig(base), join(root, 'good'));
  const w = JSON.parse(readFileSync(join(root, 'good', 'weights.json'), 'utf8'));
  w.layers[0].data[3] = 1e300;
  writeFileSync(join(root, 'w.json'), JSON.stringify(w));
  const r = catapult(['train', '--init-file', 'w.json', '--steps', '5', '--width', '10', '--m', '10', '--d', '3', '-q', '--out', 'bad'], root);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: weights file w\.json \(init\.path\): parameter 3 = 1e\+300 is beyond ±1e\+50 \(float64 curvature would overflow\)\n$/);
  assert.ok(!existsSync(join(root, 'bad')));
  // resume semantics are kept: a complete run is reused, --force reruns into the same directory
  const again = await executeRun(resolveConfig(base), join(root, 'good'));
  assert.ok(again.reused && !ok.reused);
  const forced = await executeRun(resolveConfig(base), join(root, 'good'), { force: true });
  assert.equal(forced.reused, false);
  assert.deepEqual(forced.summary, ok.summary);
  assert.deepEqual(readdirSync(join(root, 'good')).sort(), ['config.json', 'metrics.csv', 'summary.json', 'weights.json']);
  assert.deepEqual(readdirSync(root).sort(), ['good', 'w.json']);
});

test('a run that fails while writing (disk full) leaves no run directory and names the file', async (t) => {
  const root = tmp();
  const cfg = resolveConfig({ steps: 5, model: { width: 10 }, data: { kind: 'degenerate', m: 10, d: 3 } });
  const real = fs.writeSync;
  let calls = 0;
  // the second file written (metrics.csv) hits a full disk
  (fs as { writeSync: unknown }).writeSync = (...args: Parameters<typeof fs.writeSync>) => {
    if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    return (real as (...a: unknown[]) => number)(...args);
  };
  syncBuiltinESMExports();
  t.after(() => {
    (fs as { writeSync: unknown }).writeSync = real;
    syncBuiltinESMExports();
  });
  await assert.rejects(executeRun(cfg, join(root, 'run')), /^FsError: cannot write \S+run\.partial-\d+-[0-9a-f]+\/metrics\.csv: no space left on device \(ENOSPC\)$/);
  assert.deepEqual(readdirSync(root), []);
});

test('an unwritable --out names the path and the real cause (ENOTDIR, EPERM, EACCES, EROFS)', (t) => {
  const root = tmp();
  writeFileSync(join(root, 'file.txt'), 'x');
  const r = catapult(['train', ...small, '--out', 'file.txt/run'], root);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: cannot create directory file\.txt: file\.txt is a file, not a directory \(ENOTDIR\)\n$/);
  // /sys refuses new entries even to root (Node's recursive mkdir would say ENOENT or, on /proc, loop forever)
  if (existsSync('/sys/kernel')) assert.throws(() => ensureDir('/sys/catapult-test/run'), /^FsError: cannot create directory \/sys\/catapult-test: (operation not permitted \(EPERM\)|permission denied \(EACCES\)|read-only file system \(EROFS\))$/);
  // tests run as root, so permission and read-only failures are injected
  const real = fs.mkdirSync;
  t.after(() => {
    (fs as { mkdirSync: unknown }).mkdirSync = real;
    syncBuiltinESMExports();
  });
  for (const [code, cause] of [['EACCES', 'permission denied'], ['EROFS', 'read-only file system']]) {
    (fs as { mkdirSync: unknown }).mkdirSync = () => {
      throw Object.assign(new Error(`${code}: mkdir`), { code });
    };
    syncBuiltinESMExports();
    assert.throws(() => ensureDir(join(root, 'a', 'b')), new RegExp(`cannot create directory ${root.replace(/[.\\/]/g, '\\$&')}\\/a: ${cause} \\(${code}\\)$`));
  }
});

test('runs that cannot fit are refused before allocating, naming the fields and the estimate', async () => {
  const limits = { maxBytes: 24 * 2 ** 30, maxSeconds: 24 * 3600 };
  const wide = resolveConfig({ model: { width: 1e9 } });
  // P = d·n + n = 1.1e10 parameters (independent count), ≥ 8 bytes each in θ alone
  assert.equal(estimateRunCost(wide).params, 10 * 1e9 + 1e9);
  assert.ok(estimateRunCost(wide).bytes.params >= 8 * 1.1e10);
  assert.throws(() => checkRunCost(wide, limits), /^ConfigError: model\.width = 1000000000, model\.depth = 2 \(1\.10e\+10 parameters\): the run needs about [\d.]+ TB .* but the limit is 24\.0 GB \(CATAPULT_MAX_MEMORY_GB\)$/);
  const deep = resolveConfig({ model: { depth: 100000, width: 100 } });
  assert.equal(estimateRunCost(deep).params, 10 * 100 + 99998 * 100 * 100 + 100);
  assert.throws(() => checkRunCost(deep, limits), /model\.width = 100, model\.depth = 100000 \(1\.00e\+9 parameters\): the run needs about/);
  const bigData = resolveConfig({ data: { kind: 'gaussian', m: 1e6, d: 1e4 } });
  assert.throws(() => checkRunCost(bigData, limits), /^ConfigError: data\.m, data\.d \(1000000 × 10000 samples × features\): the run needs about 7\d\.\d GB/);
  const long = resolveConfig({ steps: 1e10 });
  assert.throws(() => checkRunCost(long, limits), /steps = 10000000000, .*: the run is estimated to take [\d.]+ days .*set CATAPULT_MAX_HOURS to allow it/);
  assert.doesNotThrow(() => checkRunCost(long, { ...limits, maxSeconds: 1e12 }));
  assert.doesNotThrow(() => checkRunCost(resolveConfig({}), limits));
  // the overrides, and a clear message for a bad one
  assert.equal(runLimits({ CATAPULT_MAX_HOURS: '2', CATAPULT_MAX_MEMORY_GB: '1.5' }).maxSeconds, 7200);
  assert.equal(runLimits({ CATAPULT_MAX_MEMORY_GB: '1.5' }).maxBytes, 1.5 * 2 ** 30);
  assert.throws(() => runLimits({ CATAPULT_MAX_HOURS: 'lots' }), /CATAPULT_MAX_HOURS must be a positive number, got 'lots'/);
  // the CLI: exit 2, nothing written, and fast (no allocation attempted)
  const dir = tmp();
  const t0 = Date.now();
  const r = catapult(['train', '--depth', '100000', '--width', '100', '-q', '--out', 'deep'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: model\.width = 100, model\.depth = 100000 \(1\.00e\+9 parameters\): the run needs about [\d.]+ (GB|TB) \(parameters/);
  assert.deepEqual(readdirSync(dir), []);
  assert.ok(Date.now() - t0 < 60_000);
});

test('grid sizes are checked before starting: theory --c and sweep axes, with documented overrides', () => {
  assert.throws(() => parseCList('log:1:10:1000000000'), /^Error: --c: 1000000000 values of c exceed the limit of 1000000; set CATAPULT_MAX_POINTS to allow more$/);
  assert.equal(parseCList('log:1:10:5', 5).length, 5);
  assert.throws(() => parseCList('1,2,3', 2), /--c: 3 values of c exceed the limit of 2/);
  const huge = parseSweepConfig({ name: 'big', axes: { c: { log: [1, 10], num: 1e8 }, seed: [0, 1] } });
  const t0 = Date.now();
  assert.throws(() => expandSweep(huge), /^Error: sweep big: 200000000 runs \(c: 100000000 × seed: 2\) exceed the limit of 100000; set CATAPULT_MAX_RUNS to allow more$/);
  assert.ok(Date.now() - t0 < 1000, 'refused before expanding');
  assert.equal(expandSweep(parseSweepConfig({ name: 's', axes: { c: { log: [1, 10], num: 3 }, seed: [0, 1] } }), 6).length, 6);
  assert.throws(() => expandSweep(parseSweepConfig({ name: 's', axes: { c: { log: [1, 10], num: 3 }, seed: [0, 1] } }), 5), /6 runs .* exceed the limit of 5/);
  assert.equal(envLimit('X', 7, { X: '1e3' }), 1000);
  assert.throws(() => envLimit('CATAPULT_MAX_RUNS', 7, { CATAPULT_MAX_RUNS: '-1' }), /CATAPULT_MAX_RUNS must be a positive number, got '-1'/);
  const dir = tmp();
  const r = catapult(['theory', '--c', 'log:1:10:1000000000'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: --c: 1000000000 values of c exceed the limit of 1000000; set CATAPULT_MAX_POINTS/);
  writeFileSync(join(dir, 's.json'), JSON.stringify({ name: 'big', base: { steps: 1 }, axes: { c: { log: [1, 10], num: 1e8 } } }));
  const s = catapult(['sweep', 's.json', '-q', '-j', '1'], dir);
  assert.equal(s.code, 2, s.err);
  assert.match(s.err, /sweep big: 100000000 runs \(c: 100000000\) exceed the limit of 100000/);
  const allowed = catapult(['sweep', 's.json', '-q', '-j', '1'], dir, { CATAPULT_MAX_RUNS: '50' });
  assert.match(allowed.err, /exceed the limit of 50;/);
});

test('merge needs every shard (naming the missing ones) unless --allow-partial, which marks the result partial', async () => {
  const dir = tmp();
  const sweep = parseSweepConfig({ name: 'm', base: { steps: 5, data: { m: 10, d: 3 }, model: { width: 6 }, curvature: { every: 5 } }, axes: { c: [1, 4, 40], seed: [0, 1] } });
  for (const i of [0, 1]) await runSweep(sweep, join(dir, `sh${i}`), { jobs: 1, shard: { index: i, count: 2 }, refine: null });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'sh1', 'sweep.json'), 'utf8')).shard, { index: 1, count: 2 });
  assert.throws(() => mergeResults([join(dir, 'sh0')], join(dir, 'out')), /^Error: merge: shard 1 of 2 missing \(results\.shard-1-of-2\.csv\); rerun them, or pass --allow-partial/);
  assert.ok(!existsSync(join(dir, 'out')));
  const part = mergeResults([join(dir, 'sh0')], join(dir, 'out'), { allowPartial: true });
  assert.deepEqual(part.partial, { missingShards: [1], shardCount: 2, runs: 3, expectedRuns: 6 });
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['merge.json', 'onsets.partial.csv', 'results.partial.csv']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'out', 'merge.json'), 'utf8')).partial, true);
  const full = mergeResults([join(dir, 'sh0'), join(dir, 'sh1')], join(dir, 'full'));
  assert.equal(full.partial, null);
  assert.equal(full.rows.length, 6);
  // a shard that did not finish: its table lacks a run
  const f = join(dir, 'sh1', 'results.shard-1-of-2.csv');
  writeFileSync(f, readFileSync(f, 'utf8').trim().split('\n').slice(0, -1).join('\n') + '\n');
  assert.throws(() => mergeResults([join(dir, 'sh0'), join(dir, 'sh1')], join(dir, 'x')), /merge: 1 of 6 runs missing/);
  const r = catapult(['merge', 'sh0', '--out', 'cli'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^catapult: merge: shard 1 of 2 missing/);
  const p = catapult(['merge', 'sh0', '--out', 'cli', '--allow-partial'], dir);
  assert.equal(p.code, 0, p.err);
  assert.match(p.err, /warning: partial merge: shards 1 of 2 missing; 3 of 6 runs/);
});

test('staging directories left by killed runs are removed by the next run of the same directory', async () => {
  const root = tmp();
  const cfg = resolveConfig({ steps: 3, model: { width: 6 }, data: { kind: 'degenerate', m: 10, d: 2 } });
  // pid 2^22 + 1 is above Linux's pid_max: no such process; our own pid is alive
  const dead = join(root, `run.partial-${2 ** 22 + 1}-0badf00d`), alive = join(root, `run.partial-${process.pid}-live`);
  for (const d of [dead, alive]) {
    mkdirSync(d);
    writeFileSync(join(d, 'config.json'), '{}');
  }
  const rec = await executeRun(cfg, join(root, 'run'));
  assert.equal(rec.reused, false);
  assert.deepEqual(readdirSync(root).sort(), ['run', `run.partial-${process.pid}-live`]);
});
