import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPassThreads } from '../src/experiments/nodePassThreads.ts';
import { executeRun, runThreads, THREADED_MIN_ENTRIES } from '../src/experiments/runDir.ts';
import { resolveConfig, ConfigError } from '../src/experiments/config.ts';
import { runHash } from '../src/experiments/runIdentity.ts';
import { passBlockRows } from '../src/linalg/wasm/passLanes.ts';
import { KERNEL_F32_WASM, KERNEL_WASM } from '../src/linalg/wasm/kernelBytes.ts';
import { buildKernelModule, DEFAULT_SHAPE } from '../src/linalg/wasm/kernelSource.ts';
import { sharedMemoryVariant, SHARED_MAX_PAGES } from '../src/linalg/wasm/runtime.ts';
import {
  passThreadCount, rowsCombine, rowsDot, rowsDotThenCombine, setKernelBackend, setPassThreadMinimum, threadedPassCount, wasmKernelAvailable,
} from '../src/models/passes.ts';
import { tempDirs } from './helpers.ts';

const noWasm = !wasmKernelAvailable();
const tmp = tempDirs('catapult-threads-');

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}
const rand = (n: number, rnd: () => number) => Float64Array.from({ length: n }, rnd);
const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

/** All three passes; coefficients with zeros (skipped rows) and a fused callback that records its calls. */
function allPasses(X: Float64Array | Float32Array, d: number, rows: Int32Array | null, count: number, w: Float64Array, coef: Float64Array): string[] {
  const dots = new Float64Array(count), r1 = new Float64Array(d), r2 = new Float64Array(d), seen = new Float64Array(count);
  let order = 0;
  rowsDot(X, d, rows, count, w, dots);
  rowsCombine(X, d, rows, count, coef, r1);
  rowsDotThenCombine(X, d, rows, count, w, (i, s) => {
    assert.equal(i, order++, 'coefOf sees the rows in order');
    seen[i] = s;
    return coef[i] === 0 ? 0 : s * coef[i];
  }, r2);
  return [bits(dots), bits(r1), bits(r2), bits(seen)];
}

/**
 * The canonical reduction written out independently of the pass code: blocks of passBlockRows(d) positions, block b
 * into lane b mod 4, each lane a running elementwise sum from +0 (zero coefficients skipped), r = (p0+p1)+(p2+p3).
 */
function referenceCombine(X: ArrayLike<number>, d: number, rows: Int32Array | null, count: number, coef: Float64Array): Float64Array {
  const B = passBlockRows(d);
  const lanes = [0, 1, 2, 3].map(() => new Float64Array(d));
  for (let i = 0; i < count; i++) {
    const c = coef[i];
    if (c === 0) continue;
    const lane = lanes[Math.floor(i / B) % 4];
    const o = (rows === null ? i : rows[i]) * d;
    for (let j = 0; j < d; j++) lane[j] = lane[j] + c * X[o + j];
  }
  return Float64Array.from({ length: d }, (_, j) => (lanes[0][j] + lanes[1][j]) + (lanes[2][j] + lanes[3][j]));
}

function shapes() {
  // odd m and d; a mini-batch subset (unordered, repeated rows); counts below one block and below 4 blocks
  const out: { name: string; X: Float64Array; d: number; rows: Int32Array | null; count: number }[] = [];
  for (const [m, d] of [[3001, 101], [1999, 37], [7, 3], [45, 1001], [2, 1]] as const) {
    const rnd = lcg(m * 7 + d);
    const X = rand(m * d, rnd);
    out.push({ name: `m=${m} d=${d} all rows`, X, d, rows: null, count: m });
    const k = Math.max(1, Math.floor(m * 0.37));
    const rows = Int32Array.from({ length: k }, () => Math.floor((rnd() + 0.5) * m) % m);
    out.push({ name: `m=${m} d=${d} batch of ${k}`, X, d, rows, count: k });
  }
  return out;
}

test('the shared-memory kernel modules are the committed kernels with a shared memory import, as the source builds them', () => {
  assert.deepEqual(Array.from(sharedMemoryVariant(KERNEL_WASM)), Array.from(buildKernelModule(DEFAULT_SHAPE, ['f64'], SHARED_MAX_PAGES)));
  assert.deepEqual(Array.from(sharedMemoryVariant(KERNEL_F32_WASM)), Array.from(buildKernelModule(DEFAULT_SHAPE, ['f32'], SHARED_MAX_PAGES)));
  assert.notDeepEqual(Array.from(sharedMemoryVariant(KERNEL_WASM)), Array.from(KERNEL_WASM));
});

test('the canonical reduction: rowsCombine equals the lane-by-lane reference, bit for bit, both backends', () => {
  for (const backend of noWasm ? (['js'] as const) : (['js', 'wasm'] as const)) {
    setKernelBackend(backend);
    for (const s of shapes()) {
      const coef = rand(s.count, lcg(s.count + 1)).map((c, i) => (i % 5 === 0 ? 0 : c));
      const r = new Float64Array(s.d);
      rowsCombine(s.X, s.d, s.rows, s.count, coef, r);
      assert.equal(bits(r), bits(referenceCombine(s.X, s.d, s.rows, s.count, coef)), `${backend} ${s.name}`);
    }
  }
  setKernelBackend('auto');
});

test('passes on 1, 2, 3 and 4 threads give the same bits (f64 and f32 storage, all rows and mini-batches); js = wasm', { skip: noWasm }, async () => {
  const oldMin = setPassThreadMinimum(0); // split even the tiny passes: the edge cases (empty lanes, idle helpers)
  after(() => setPassThreadMinimum(oldMin));
  const cases = shapes().flatMap((s) => [s, { ...s, name: `${s.name} f32`, X: Float32Array.from(s.X) as unknown as Float64Array }]);
  const inputs = cases.map((s) => ({ w: rand(s.d, lcg(s.d)), coef: rand(s.count, lcg(s.count)).map((c, i) => (i % 7 === 3 ? 0 : c)) }));
  setKernelBackend('js');
  const reference = cases.map((s, k) => allPasses(s.X, s.d, s.rows, s.count, inputs[k].w, inputs[k].coef));
  setKernelBackend('auto');
  const one = cases.map((s, k) => allPasses(s.X, s.d, s.rows, s.count, inputs[k].w, inputs[k].coef));
  assert.deepEqual(one, reference, 'wasm on one thread = js');
  setKernelBackend('wasm'); // also the tiny passes, which 'auto' sends to JS
  after(() => setKernelBackend('auto'));
  for (const T of [2, 3, 4]) {
    const before = threadedPassCount();
    const got = await withPassThreads(T, () => {
      assert.equal(passThreadCount(), T);
      return cases.map((s, k) => allPasses(s.X, s.d, s.rows, s.count, inputs[k].w, inputs[k].coef));
    });
    assert.equal(passThreadCount(), 1, 'threads are uninstalled after the body');
    assert.equal(threadedPassCount() - before, 3 * cases.length, `every pass ran on ${T} threads`);
    for (let k = 0; k < cases.length; k++) assert.deepEqual(got[k], reference[k], `${T} threads, ${cases[k].name}`);
  }
});

test('a coefficient callback that throws mid-pass aborts the threaded pass; the threads stay usable', { skip: noWasm }, async () => {
  const m = 4001, d = 99;
  const X = rand(m * d, lcg(3)), w = rand(d, lcg(4));
  const r = new Float64Array(d), expected = new Float64Array(d);
  rowsDotThenCombine(X, d, null, m, w, (_i, s) => s, expected);
  await withPassThreads(2, () => {
    assert.throws(() => rowsDotThenCombine(X, d, null, m, w, (i, s) => {
      if (i === 2500) throw new Error('boom at 2500');
      return s;
    }, r), /boom at 2500/);
    rowsDotThenCombine(X, d, null, m, w, (_i, s) => s, r);
    assert.equal(bits(r), bits(expected));
  });
});

test('a deep-linear run (m 3000, d 100, width 64, depth 3, curvature on) writes identical files with threads 1 and 2', { skip: noWasm }, async () => {
  const base = {
    seed: 3, data: { kind: 'gaussian', m: 3000, d: 100, labelNoise: 0.1 }, model: { width: 64, depth: 3 }, loss: 'logistic', c: 1.5, steps: 30,
    record: { every: 1, denseUntil: 30 }, curvature: { every: 5 },
  };
  assert.ok(3000 * 100 >= THREADED_MIN_ENTRIES, 'the run is big enough to be threaded');
  const files: Record<string, string>[] = [];
  for (const threads of [1, 2]) {
    const cfg = resolveConfig({ ...base, threads });
    assert.equal(runThreads(cfg, 3000 * 100), threads);
    const dir = join(tmp(), 'run');
    const before = threadedPassCount();
    const rec = await executeRun(cfg, dir, { saveWeights: true });
    assert.equal(rec.reused, false);
    if (threads === 2) assert.ok(threadedPassCount() - before >= 30, 'the run split its passes between threads');
    else assert.equal(threadedPassCount(), before);
    files.push(Object.fromEntries(['metrics.csv', 'summary.json', 'weights.json'].map((f) => [f, readFileSync(join(dir, f), 'utf8')])));
  }
  assert.ok(files[0]['metrics.csv'].split('\n').length > 30);
  assert.match(files[0]['metrics.csv'], /sharpness|lambda/);
  for (const f of ['metrics.csv', 'summary.json', 'weights.json']) assert.equal(files[1][f], files[0][f], f);
});

test('config: threads is validated, and left out of the run identity (results do not depend on it)', () => {
  for (const bad of [0, -1, 1.5, '2']) {
    assert.throws(() => resolveConfig({ threads: bad }), (e: Error) => e instanceof ConfigError && /threads: .*(positive integer|expected number)/.test(e.message), String(bad));
  }
  const plain = resolveConfig({ data: { kind: 'gaussian', m: 50, d: 5 } });
  const hashes = [undefined, 1, 2, 7].map((threads) => runHash(resolveConfig({ data: { kind: 'gaussian', m: 50, d: 5 }, threads })));
  assert.deepEqual(new Set(hashes), new Set([runHash(plain)]));
  assert.notEqual(runHash(resolveConfig({ data: { kind: 'gaussian', m: 51, d: 5 } })), runHash(plain), 'other fields still count');
  assert.equal(runThreads(resolveConfig({ threads: 2 }), THREADED_MIN_ENTRIES - 1), 1, 'small data: one thread');
  assert.equal(runThreads(resolveConfig({ threads: 3 }), THREADED_MIN_ENTRIES), 3);
});

test('the process exits after threaded passes, also when a program forgets to stop its threads', { skip: noWasm }, () => {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  for (const stop of [true, false]) {
    const code = `
      import { startNodePassThreads, withPassThreads } from './src/experiments/nodePassThreads.ts';
      import { rowsDot, setPassThreads, threadedPassCount } from './src/models/passes.ts';
      const m = 2000, d = 100, X = new Float64Array(m * d).fill(1), w = new Float64Array(d).fill(1), out = new Float64Array(m);
      if (${stop}) await withPassThreads(2, () => rowsDot(X, d, null, m, w, out));
      else {
        await withPassThreads(2, () => {}); // start and stop once, then start without stopping:
        setPassThreads(await startNodePassThreads(2));
        rowsDot(X, d, null, m, w, out);
      }
      console.log(out[0], threadedPassCount());
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, null, `stop=${stop}: the process did not exit by itself (killed by the timeout)`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '100 1', `stop=${stop}`);
  }
});
