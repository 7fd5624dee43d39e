import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  forgetKernelData,
  kernelBackend,
  rowsCombine,
  rowsDot,
  rowsDotThenCombine,
  setKernelBackend,
  wasmKernelAvailable,
} from '../src/models/passes.ts';
import { wasmKernel } from '../src/linalg/wasm/runtime.ts';
import { KERNEL_F32_WASM, KERNEL_WASM, WEIGHT_WASM } from '../src/linalg/wasm/kernelBytes.ts';
import { buildWeightModule } from '../src/linalg/wasm/weightKernelSource.ts';
import { buildKernelModule, DEFAULT_SHAPE } from '../src/linalg/wasm/kernelSource.ts';
import { maxRelErrVec } from './helpers.ts';

const noWasm = !wasmKernelAvailable();

afterEach(() => setKernelBackend('auto'));

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function randArray(n: number, rnd: () => number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let k = 0; k < n; k++) a[k] = rnd() * scale;
  return a;
}

type Data = Float64Array | Float32Array;

interface Outputs {
  dot: Float64Array;
  fusedR: Float64Array;
  fusedS: Float64Array;
  fusedI: number[];
  combR: Float64Array;
}

/** Runs all three passes with the current backend. The fused coefficient is a deterministic function of s. */
function runAll(X: Data, d: number, rows: Int32Array | null, count: number, w: Float64Array, coef: Float64Array): Outputs {
  const dot = new Float64Array(count);
  rowsDot(X, d, rows, count, w, dot);
  const fusedR = new Float64Array(d).fill(123); // garbage: must be overwritten
  const fusedS = new Float64Array(count);
  const fusedI: number[] = [];
  rowsDotThenCombine(X, d, rows, count, w, (i, s) => {
    fusedI.push(i);
    fusedS[i] = s;
    return i % 5 === 3 ? 0 : Math.tanh(s) - 0.25; // some zero coefficients (skipped rows)
  }, fusedR);
  const combR = new Float64Array(d).fill(-7);
  rowsCombine(X, d, rows, count, coef, combR);
  return { dot, fusedR, fusedS, fusedI, combR };
}

function runWith(backend: 'js' | 'wasm', ...args: Parameters<typeof runAll>): Outputs {
  setKernelBackend(backend);
  try {
    return runAll(...args);
  } finally {
    setKernelBackend('auto');
  }
}

/** Naive reference: plain sequential loops. */
function naive(X: Data, d: number, rows: Int32Array | null, count: number, w: Float64Array, coef: Float64Array) {
  const dot = new Float64Array(count);
  const combR = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    const o = (rows === null ? i : rows[i]) * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += X[o + j] * w[j];
    dot[i] = s;
    for (let j = 0; j < d; j++) combR[j] += coef[i] * X[o + j];
  }
  return { dot, combR };
}

const DIMS = [784, 13, 8, 1];

function problem(d: number, seed: number) {
  const rnd = lcg(seed);
  // Enough rows to span several blocks of the fused pass and leave a partial one.
  const m = d >= 100 ? 157 : 6007;
  const X64 = randArray(m * d, rnd);
  const X32 = Float32Array.from(X64);
  const X64r = Float64Array.from(X32); // the f32-rounded values, in f64 storage
  const w = randArray(d, rnd);
  const coef = randArray(m, rnd);
  for (let i = 0; i < m; i += 4) coef[i] = 0;
  const count = Math.max(1, Math.floor(m * 0.7));
  const rows = new Int32Array(count + 3); // longer than count: only the first `count` are used
  for (let i = 0; i < rows.length; i++) rows[i] = Math.floor((rnd() + 0.5) * m) % m;
  rows[0] = m - 1;
  rows[1] = rows[2]; // repeats are allowed
  return { m, X64, X32, X64r, w, coef, rows, count };
}

test('committed kernelBytes.ts matches the kernel source', () => {
  assert.deepEqual(Array.from(KERNEL_WASM), Array.from(buildKernelModule(DEFAULT_SHAPE, ['f64'])));
  assert.deepEqual(Array.from(KERNEL_F32_WASM), Array.from(buildKernelModule(DEFAULT_SHAPE, ['f32'])));
  assert.deepEqual(Array.from(WEIGHT_WASM), Array.from(buildWeightModule()));
  for (const bytes of [KERNEL_WASM, KERNEL_F32_WASM, WEIGHT_WASM]) {
    assert.ok(bytes.length < 4096, 'each module is small enough for synchronous compilation on a browser main thread');
  }
});

test('backend selection', { skip: noWasm }, () => {
  assert.equal(kernelBackend(), 'wasm');
  setKernelBackend('js');
  assert.equal(kernelBackend(), 'js');
  setKernelBackend('wasm');
  assert.equal(kernelBackend(), 'wasm');
  setKernelBackend('auto');
  assert.equal(kernelBackend(), 'wasm');
  assert.throws(() => setKernelBackend('gpu' as 'js'));
});

for (const d of DIMS) {
  test(`wasm and JS are bit-identical, f64 and f32 storage, all rows and a subset (d = ${d})`, { skip: noWasm }, () => {
    const P = problem(d, 1000 + d);
    for (const [rows, count] of [[null, P.m], [P.rows, P.count]] as const) {
      const ref = runWith('js', P.X64r, d, rows, count, P.w, P.coef);
      const variants: [string, Outputs][] = [
        ['wasm f64', runWith('wasm', P.X64r, d, rows, count, P.w, P.coef)],
        ['wasm f32', runWith('wasm', P.X32, d, rows, count, P.w, P.coef)],
        ['js f32', runWith('js', P.X32, d, rows, count, P.w, P.coef)],
      ];
      for (const [name, out] of variants) {
        const what = `${name}, rows ${rows === null ? 'all' : 'subset'}`;
        assert.deepEqual(out.dot, ref.dot, `rowsDot ${what}`);
        assert.deepEqual(out.fusedS, ref.fusedS, `fused dots ${what}`);
        assert.deepEqual(out.fusedR, ref.fusedR, `fused r ${what}`);
        assert.deepEqual(out.combR, ref.combR, `rowsCombine ${what}`);
        assert.deepEqual(out.fusedI, ref.fusedI, `coefOf call order ${what}`);
      }
      // The fused pass's dots are the rowsDot values.
      assert.deepEqual(ref.fusedS, ref.dot);
      assert.deepEqual(ref.fusedI, Array.from({ length: count }, (_, i) => i));
    }
  });
}

for (const d of DIMS) {
  test(`passes match naive loops, both backends (d = ${d})`, () => {
    const P = problem(d, 2000 + d);
    for (const backend of noWasm ? (['js'] as const) : (['js', 'wasm'] as const)) {
      for (const X of [P.X64, P.X32]) {
        for (const [rows, count] of [[null, P.m], [P.rows, P.count]] as const) {
          const out = runWith(backend, X, d, rows, count, P.w, P.coef);
          const ref = naive(X, d, rows, count, P.w, P.coef);
          assert.ok(maxRelErrVec(out.dot, ref.dot) < 1e-13, `rowsDot ${backend}`);
          assert.ok(maxRelErrVec(out.combR, ref.combR) < 1e-13, `rowsCombine ${backend}`);
          // Fused: r = Σ c_i x_i with the coefficients it used.
          const c = new Float64Array(count);
          for (let i = 0; i < count; i++) c[i] = i % 5 === 3 ? 0 : Math.tanh(out.fusedS[i]) - 0.25;
          const refF = naive(X, d, rows, count, P.w, c);
          assert.ok(maxRelErrVec(out.fusedS, refF.dot) < 1e-13, `fused dots ${backend}`);
          assert.ok(maxRelErrVec(out.fusedR, refF.combR) < 1e-13, `fused r ${backend}`);
        }
      }
    }
  });
}

test('rowsCombine with zero coefficients', () => {
  const d = 37, m = 500;
  const rnd = lcg(7);
  const X = randArray(m * d, rnd);
  for (const backend of noWasm ? (['js'] as const) : (['js', 'wasm'] as const)) {
    setKernelBackend(backend);
    const r = new Float64Array(d).fill(5);
    rowsCombine(X, d, null, m, new Float64Array(m), r);
    assert.deepEqual(r, new Float64Array(d), `all-zero coef gives r = 0 (${backend})`);
    // A single non-zero coefficient picks out that row exactly.
    const coef = new Float64Array(m);
    coef[321] = 1;
    rowsCombine(X, d, null, m, coef, r);
    assert.deepEqual(r, X.slice(321 * d, 322 * d), `one-hot coef (${backend})`);
    // Fused pass with every coefficient zero.
    const r2 = new Float64Array(d).fill(1);
    rowsDotThenCombine(X, d, null, m, randArray(d, rnd), () => 0, r2);
    assert.deepEqual(r2, new Float64Array(d));
  }
});

test('several data sets cached at once (train + test, f64 + f32)', { skip: noWasm }, () => {
  const K = wasmKernel()!;
  const rnd = lcg(99);
  const sets = [
    { d: 784, X: randArray(300 * 784, rnd) as Data },
    { d: 784, X: Float32Array.from(randArray(120 * 784, rnd)) as Data },
    { d: 13, X: randArray(5000 * 13, rnd) as Data },
  ];
  const ws = new Map(sets.map((s) => [s, randArray(s.d, rnd)]));
  const expect = sets.map((s) => {
    const m = s.X.length / s.d;
    return runWith('js', s.X, s.d, null, m, ws.get(s)!, randArray(m, lcg(s.d)));
  });
  for (let round = 0; round < 3; round++) {
    sets.forEach((s, k) => {
      const m = s.X.length / s.d;
      const out = runWith('wasm', s.X, s.d, null, m, ws.get(s)!, randArray(m, lcg(s.d)));
      assert.deepEqual(out, expect[k], `set ${k}, round ${round}`);
      assert.ok(K.isCached(s.X));
    });
  }
  assert.ok(sets.every((s) => K.isCached(s.X)));
});

test('memory growth keeps earlier data sets correct', { skip: noWasm }, () => {
  const K = wasmKernel()!;
  const rnd = lcg(4242);
  const d = 250;
  const first = randArray(400 * d, rnd);
  const w = randArray(d, rnd);
  const coef = randArray(400, rnd);
  const before = runWith('wasm', first, d, null, 400, w, coef);
  assert.deepEqual(before, runWith('js', first, d, null, 400, w, coef));
  const mem0 = K.memory.buffer.byteLength, used0 = K.stats().usedBytes;
  // Several 20 MB data sets: each forces memory.grow (which detaches all views of the old buffer).
  const big: Float64Array[] = [];
  for (let k = 0; k < 4; k++) {
    const m = 10_000;
    const X = randArray(m * d, rnd); // 20 MB
    big.push(X);
    const c = randArray(m, rnd);
    assert.deepEqual(runWith('wasm', X, d, null, m, w, c), runWith('js', X, d, null, m, w, c), `big set ${k}`);
    // The earlier small set, interleaved, still gives the same bits.
    assert.deepEqual(runWith('wasm', first, d, null, 400, w, coef), before, `first set after big set ${k}`);
  }
  // (free space at the top of the heap, e.g. a scratch area freed when it grew, absorbs part of the first set)
  assert.ok(K.memory.buffer.byteLength > mem0 && K.memory.buffer.byteLength >= used0 + 4 * 20e6, 'memory grew');
  assert.ok(big.every((X) => K.isCached(X)) && K.isCached(first));
  // Freeing lets the heap reuse the space.
  const used = K.stats().usedBytes;
  for (const X of big) forgetKernelData(X);
  assert.ok(K.stats().usedBytes <= used - 4 * 20e6);
  assert.ok(!K.isCached(big[0]));
  const memAfter = K.memory.buffer.byteLength;
  const again = randArray(10_000 * d, rnd);
  const c = randArray(10_000, rnd);
  assert.deepEqual(runWith('wasm', again, d, null, 10_000, w, c), runWith('js', again, d, null, 10_000, w, c));
  assert.equal(K.memory.buffer.byteLength, memAfter, 'freed space reused, no further growth');
  forgetKernelData(again);
});

test('forgetKernelData picks up a mutated X', { skip: noWasm }, () => {
  const d = 20, m = 300;
  const X = randArray(m * d, lcg(5));
  const w = randArray(d, lcg(6));
  setKernelBackend('wasm');
  const a = new Float64Array(m);
  rowsDot(X, d, null, m, w, a);
  X[0] += 1;
  forgetKernelData(X);
  const b = new Float64Array(m);
  rowsDot(X, d, null, m, w, b);
  setKernelBackend('js');
  const c = new Float64Array(m);
  rowsDot(X, d, null, m, w, c);
  assert.deepEqual(b, c);
  assert.notEqual(a[0], b[0]);
});

test('a pass called from inside coefOf (re-entrant) is correct', { skip: noWasm }, () => {
  const d = 31, m = 200;
  const rnd = lcg(8);
  const X = randArray(m * d, rnd), Y = randArray(50 * d, rnd), w = randArray(d, rnd);
  const inner = (): number => {
    const o = new Float64Array(50);
    rowsDot(Y, d, null, 50, w, o);
    return o[7];
  };
  const res = (backend: 'js' | 'wasm') => {
    setKernelBackend(backend);
    const r = new Float64Array(d);
    const got: number[] = [];
    rowsDotThenCombine(X, d, null, m, w, (i, s) => { const v = inner(); got.push(v); return s * v; }, r);
    return { r, got };
  };
  assert.deepEqual(res('wasm'), res('js'));
});

test('invalid rows are rejected by both backends', () => {
  const d = 10, m = 30;
  const X = randArray(m * d, lcg(1)), w = randArray(d, lcg(2));
  for (const backend of noWasm ? (['js'] as const) : (['js', 'wasm'] as const)) {
    setKernelBackend(backend);
    assert.throws(() => rowsDot(X, d, Int32Array.of(0, 30), 2, w, new Float64Array(2)), RangeError);
    assert.throws(() => rowsDot(X, d, Int32Array.of(-1), 1, w, new Float64Array(1)), RangeError);
    assert.throws(() => rowsDot(X, d, null, 31, w, new Float64Array(31)), RangeError);
  }
});

test('kernel shapes (rows per group) do not change the results', { skip: noWasm }, () => {
  const rnd = lcg(31337);
  for (const shape of [{ dotRows: 1, scatterRows: 1 }, { dotRows: 3, scatterRows: 5 }, { dotRows: 4, scatterRows: 8 }]) {
    const memory = new WebAssembly.Memory({ initial: 8 });
    const k = new WebAssembly.Instance(new WebAssembly.Module(buildKernelModule(shape)), { env: { memory } }).exports as unknown as
      Record<'dot_f64' | 'dot_f32', (...a: number[]) => void> & Record<'scat_f64' | 'scat_f32', (...a: number[]) => void>;
    for (const d of [1, 2, 3, 5, 7, 8, 9, 17, 100]) {
      for (const f32 of [false, true]) {
        const m = 29, n = 1 + Math.floor((rnd() + 0.5) * 23);
        const X64 = randArray(m * d, rnd);
        const X: Data = f32 ? Float32Array.from(X64) : X64;
        const w = randArray(d, rnd), coef = randArray(n, rnd);
        const rows = Int32Array.from({ length: n }, () => Math.floor((rnd() + 0.5) * m) % m);
        const base = 65536, wP = 1024, outP = 8192, rP = 16384, coefP = 32768, rowsP = 40960;
        const buf = memory.buffer;
        (f32 ? new Float32Array(buf, base, X.length) : new Float64Array(buf, base, X.length)).set(X);
        new Float64Array(buf, wP, d).set(w);
        new Int32Array(buf, rowsP, n).set(rows);
        new Float64Array(buf, coefP, n).set(coef);
        new Float64Array(buf, rP, d).fill(0);
        (f32 ? k.dot_f32 : k.dot_f64)(base, d, rowsP, 0, n, wP, outP);
        (f32 ? k.scat_f32 : k.scat_f64)(base, d, rowsP, coefP, n, rP);
        setKernelBackend('js');
        const o = new Float64Array(n), r = new Float64Array(d);
        rowsDot(X, d, rows, n, w, o);
        rowsCombine(X, d, rows, n, coef, r);
        setKernelBackend('auto');
        const what = `shape ${JSON.stringify(shape)}, d = ${d}, ${f32 ? 'f32' : 'f64'}`;
        assert.deepEqual(new Float64Array(buf, outP, n), o, what);
        assert.deepEqual(new Float64Array(buf, rP, d), r, what);
      }
    }
  }
});
