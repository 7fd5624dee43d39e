import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as detmath from '../src/linalg/detmath.ts';
import { cos, exp, log, log1p, pow, powInt, sin } from '../src/linalg/detmath.ts';

// ---- helpers -------------------------------------------------------------------------------

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LE ? 1 : 0;
const LO = LE ? 0 : 1;

/** Distance in ulps between a and b: the number of doubles between them (exact when small), 0 for two NaNs, Infinity if only one is NaN. */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  F64[0] = a;
  const ha = U32[HI]!;
  const la = U32[LO]!;
  F64[0] = b;
  const hb = U32[HI]!;
  const lb = U32[LO]!;
  const ma = ha & 0x7fffffff;
  const mb = hb & 0x7fffffff;
  // same sign: difference of the magnitudes' bit patterns, words subtracted separately (exact)
  if (ha >>> 31 === hb >>> 31) return Math.abs((ma - mb) * 4294967296 + (la - lb));
  return ma * 4294967296 + la + (mb * 4294967296 + lb); // across zero (−0 and +0 are 0 apart)
}

/** The double with the given 32-bit words. */
function fromWords(hi: number, lo: number): number {
  U32[HI] = hi >>> 0;
  U32[LO] = lo >>> 0;
  return F64[0]!;
}

/** Small seeded generator (xorshift32) so the inputs are the same on every run. */
function makeRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

type Gen = (r: () => number) => number;
/** Uniform on [a, b). */
const uni = (a: number, b: number): Gen => (r) => a + (b - a) * r();
/** ±2^e with e uniform on [e0, e1) and a random mantissa (log-uniform magnitudes). */
const logUni = (e0: number, e1: number, signed = true): Gen => (r) => {
  const m = 1 + r();
  const e = Math.floor(e0 + (e1 - e0) * r());
  const v = m * 2 ** e; // 2 ** integer is exact in every engine
  return signed && r() < 0.5 ? -v : v;
};
/** Any double: random high and low words. */
const anyBits: Gen = (r) => fromWords(Math.floor(r() * 4294967296), Math.floor(r() * 4294967296));
/** Subnormal or near-subnormal positive numbers. */
const subnormal: Gen = (r) => fromWords(Math.floor(r() * 0x00200000), Math.floor(r() * 4294967296));

interface Stats {
  n: number;
  exact: number;
  maxUlp: number;
  worst: number;
}

/** Compares f with the reference on `n` inputs from each generator; ≤ maxUlp everywhere. */
function compare(name: string, f: (x: number) => number, ref: (x: number) => number, gens: Gen[], n: number, seed: number, maxUlp = 1): Stats {
  const r = makeRandom(seed);
  const st: Stats = { n: 0, exact: 0, maxUlp: 0, worst: NaN };
  for (const g of gens) {
    for (let i = 0; i < n; i++) {
      const x = g(r);
      const d = ulps(f(x), ref(x));
      st.n++;
      if (d === 0 && Object.is(f(x), ref(x))) st.exact++;
      if (d > st.maxUlp) {
        st.maxUlp = d;
        st.worst = x;
      }
    }
  }
  assert.ok(st.maxUlp <= maxUlp, `${name}: ${st.maxUlp} ulps from Math at x = ${st.worst} (${f(st.worst)} vs ${ref(st.worst)})`);
  return st;
}

function report(t: { diagnostic(msg: string): void }, name: string, st: Stats): void {
  t.diagnostic(`${name}: ${st.n} inputs, max ${st.maxUlp} ulp from Node's Math, ${((100 * st.exact) / st.n).toFixed(3)} % bit-exact`);
}

// ---- accuracy against Node's Math (≤ 1 ulp; fdlibm's bound) --------------------------------

test('exp: within 1 ulp of Math.exp on 200k inputs across ranges', (t) => {
  const gens: Gen[] = [
    logUni(-1074, -28), // tiny (including subnormal arguments): exp = 1 + x
    subnormal,
    uni(-1, 1), // around 0
    logUni(-28, 0), // small, both signs
    uni(-50, 50),
    uni(-745.2, 709.8), // whole finite range
    uni(709, 709.79), // near overflow (o_threshold 709.782712893384)
    uni(-745.14, -708), // subnormal results and underflow (u_threshold −745.1332191019411)
    logUni(10, 1024), // far outside: ±Infinity / 0
    anyBits,
  ];
  report(t, 'exp', compare('exp', exp, Math.exp, gens, 20000, 1));
});

test('log: within 1 ulp of Math.log on 200k inputs across ranges', (t) => {
  const gens: Gen[] = [
    subnormal,
    logUni(-1074, -1000, false),
    logUni(-1022, 1024, false), // all magnitudes
    uni(0.5, 2), // around 1
    (r) => 1 + (r() - 0.5) * 2 ** -Math.floor(1 + 52 * r()), // 1 ± 2^-k
    uni(0.7, 1.5),
    uni(0, 1), // the Gaussian sampler's range
    logUni(900, 1024, false), // large
    anyBits, // includes negatives → NaN
    (r) => fromWords(0x7fe00000 + Math.floor(r() * 0x00100000), Math.floor(r() * 4294967296)), // up to MAX_VALUE
  ];
  report(t, 'log', compare('log', log, Math.log, gens, 20000, 2));
});

test('log1p: within 1 ulp of Math.log1p on 200k inputs across ranges', (t) => {
  const gens: Gen[] = [
    logUni(-1074, -54), // tiny: log1p = x
    logUni(-54, -20), // small
    logUni(-20, 0), // up to ±1
    uni(-0.3, 0.42), // the k = 0 interval
    (r) => -1 + 2 ** -Math.floor(1 + 52 * r()) * (1 + r()) / 2, // near −1
    uni(-1, 1),
    uni(0, 40), // log1p(e^−x) arguments after exp
    logUni(0, 1024, false), // large
    subnormal,
    anyBits,
  ];
  report(t, 'log1p', compare('log1p', log1p, Math.log1p, gens, 20000, 3));
});

test('cos and sin: within 1 ulp of Math.cos / Math.sin, including huge arguments', (t) => {
  const gens: Gen[] = [
    uni(0, Math.PI), // the cosine schedule's range
    uni(-10, 10),
    logUni(-40, 0),
    (r) => (Math.floor(r() * 2000) - 1000) * (Math.PI / 2) + (r() - 0.5) * 1e-6, // near multiples of π/2
    logUni(0, 20),
    logUni(20, 1024), // Payne–Hanek reduction
    anyBits,
  ];
  report(t, 'cos', compare('cos', cos, Math.cos, gens, 10000, 4));
  report(t, 'sin', compare('sin', sin, Math.sin, gens, 10000, 5));
});

test('pow: within 1 ulp of Math.pow on random pairs', (t) => {
  const r = makeRandom(6);
  const xs: Gen[] = [uni(0, 10), uni(-10, 10), logUni(-1074, 1024), uni(0.999, 1.001), anyBits];
  const ys: Gen[] = [(q) => Math.round((q() - 0.5) * 100), uni(-100, 100), uni(-1, 1), logUni(-60, 11), anyBits];
  const st: Stats = { n: 0, exact: 0, maxUlp: 0, worst: NaN };
  let worstY = NaN;
  for (let i = 0; i < 100000; i++) {
    const x = xs[i % xs.length]!(r);
    const y = ys[Math.floor(i / xs.length) % ys.length]!(r);
    const a = pow(x, y);
    const b = Math.pow(x, y);
    const d = ulps(a, b);
    st.n++;
    if (d === 0 && Object.is(a, b)) st.exact++;
    if (d > st.maxUlp) {
      st.maxUlp = d;
      st.worst = x;
      worstY = y;
    }
  }
  assert.ok(st.maxUlp <= 1, `pow(${st.worst}, ${worstY}) is ${st.maxUlp} ulps from Math.pow`);
  report(t, 'pow', st);
});

// ---- special values --------------------------------------------------------------------------

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 1.5, -1.5, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1 + 2 ** -52, 1 - 2 ** -53, 1e300, 1e-300, 2 ** 53, 2 ** 64, -(2 ** 53) - 2, 710, -746, 709.782712893384, -745.1332191019411, -745.1332191019412];

test('special values agree with Math exactly (NaN, ±Infinity, ±0, subnormals, thresholds)', () => {
  for (const [name, f, g] of [
    ['exp', exp, Math.exp],
    ['log', log, Math.log],
    ['log1p', log1p, Math.log1p],
    ['cos', cos, Math.cos],
    ['sin', sin, Math.sin],
  ] as const) {
    for (const x of SPECIALS) {
      const a = f(x);
      const b = g(x);
      if (!Number.isFinite(b) || b === 0 || Number.isNaN(b)) assert.ok(Object.is(a, b), `${name}(${x}) = ${a}, Math gives ${b}`);
      else assert.ok(ulps(a, b) <= 1, `${name}(${x}) = ${a}, Math gives ${b}`);
    }
  }
  assert.equal(exp(-Infinity), 0);
  assert.equal(exp(Infinity), Infinity);
  assert.ok(Number.isNaN(exp(NaN)));
  assert.equal(exp(710), Infinity);
  assert.ok(Object.is(exp(-746), 0));
  assert.equal(exp(-745.1332191019411), 5e-324); // smallest subnormal
  assert.equal(exp(709.782712893384), 1.7976931348622732e308);
  assert.equal(log(0), -Infinity);
  assert.equal(log(-0), -Infinity);
  assert.ok(Number.isNaN(log(-1)));
  assert.ok(Number.isNaN(log(-Infinity)));
  assert.equal(log(Infinity), Infinity);
  assert.equal(log(5e-324), -744.4400719213812);
  assert.ok(Object.is(log1p(-0), -0));
  assert.ok(Object.is(log1p(0), 0));
  assert.equal(log1p(-1), -Infinity);
  assert.ok(Number.isNaN(log1p(-1.5)));
  assert.equal(log1p(Infinity), Infinity);
  assert.equal(log1p(5e-324), 5e-324);
  assert.ok(Number.isNaN(cos(Infinity)));
  assert.ok(Object.is(sin(-0), -0));
});

test('pow special cases follow ECMAScript (identical to Math.pow)', () => {
  for (const x of SPECIALS) {
    for (const y of SPECIALS) {
      const a = pow(x, y);
      const b = Math.pow(x, y);
      if (!Number.isFinite(b) || b === 0 || Number.isNaN(b)) assert.ok(Object.is(a, b), `pow(${x}, ${y}) = ${a}, Math.pow gives ${b}`);
      else assert.ok(ulps(a, b) <= 1, `pow(${x}, ${y}) = ${a}, Math.pow gives ${b}`);
    }
  }
  assert.ok(Number.isNaN(pow(1, NaN)));
  assert.ok(Number.isNaN(pow(-1, Infinity)));
  assert.equal(pow(NaN, 0), 1);
  assert.ok(Object.is(pow(-0, 3), -0));
  assert.equal(pow(-0, -3), -Infinity);
  assert.ok(Number.isNaN(pow(-2, 0.5)));
  assert.equal(pow(2, -1074), 5e-324);
  assert.equal(pow(2, 1024), Infinity);
  assert.equal(pow(3, 20), 3486784401);
  assert.equal(pow(10, 15), 1e15);
  assert.equal(pow(-2, 11), -2048);
});

// ---- known values, identities, monotonicity -------------------------------------------------

test('known exact values', () => {
  assert.equal(exp(0), 1);
  assert.equal(exp(-0), 1);
  // fdlibm's e^1 is 2.7182818284590455, 1 ulp above the correctly rounded Math.E (V8's Math.exp(1) too)
  assert.equal(exp(1), 2.7182818284590455);
  assert.equal(ulps(exp(1), Math.E), 1);
  assert.equal(exp(-1), 0.36787944117144233);
  assert.equal(log(1), 0);
  assert.equal(log(2), 0.6931471805599453);
  assert.equal(log(10), 2.302585092994046);
  assert.equal(log(2.718281828459045), 1);
  assert.equal(log1p(0), 0);
  assert.equal(log1p(1), 0.6931471805599453);
  assert.equal(log1p(-0.5), -0.6931471805599453);
  assert.equal(cos(0), 1);
  assert.equal(cos(Math.PI), -1);
  assert.equal(cos(Math.PI / 3), 0.5000000000000001);
  assert.equal(sin(Math.PI / 2), 1);
  for (let k = -1074; k <= 1023; k++) assert.ok(ulps(log(2 ** k), k * Math.LN2) <= 1, `log(2^${k})`);
});

test('exp(log(x)) ≈ x and log(exp(x)) ≈ x', () => {
  const r = makeRandom(7);
  for (let i = 0; i < 20000; i++) {
    const x = 2 ** (Math.floor(r() * 2000) - 1000) * (1 + r());
    const y = exp(log(x));
    // |log x| ≤ 710 amplifies log's half-ulp by up to 710 relative to x's ulp
    assert.ok(Math.abs(y - x) <= x * 1e-13, `exp(log(${x})) = ${y}`);
    const z = (r() - 0.5) * 1400;
    const w = log(exp(z));
    assert.ok(Math.abs(w - z) <= Math.max(Math.abs(z), 1) * 4e-16, `log(exp(${z})) = ${w}`);
    const u = (r() - 0.5) * 2;
    assert.ok(Math.abs(log1p(exp(u) - 1) - u) <= 1e-15, `log1p(exp(${u}) − 1)`);
  }
});

test('monotonicity spot checks on neighbouring doubles', () => {
  const r = makeRandom(8);
  const check = (name: string, f: (x: number) => number, x: number, dir: 1 | -1): void => {
    F64[0] = x;
    const hi = U32[HI]!;
    const lo = U32[LO]!;
    const y = lo === 0xffffffff ? fromWords(hi + 1, 0) : fromWords(hi, lo + 1); // next double away from 0 (x > 0)
    const a = f(x);
    const b = f(y);
    assert.ok(dir === 1 ? b >= a : b <= a, `${name} not monotone at ${x}: f(x) = ${a}, f(next) = ${b}`);
  };
  for (let i = 0; i < 20000; i++) {
    const x = 2 ** (Math.floor(r() * 60) - 30) * (1 + r());
    check('exp', exp, x, 1);
    check('exp', (v) => exp(-v), x, -1);
    check('log', log, x, 1);
    check('log1p', log1p, x, 1);
    const c = r() * 3; // cos decreases on (0, π)
    check('cos', cos, c, -1);
  }
  // around the range-reduction boundaries of exp (0.5 ln2, 1.5 ln2) and log (√2)
  for (const x of [0.34657359027997264, 1.0397207708399179, Math.SQRT2, Math.SQRT1_2, 1, 0.5 * Math.LN2]) {
    let v = x;
    for (let k = 0; k < 200; k++) {
      check('exp', exp, v, 1);
      check('log', log, v, 1);
      check('log1p', log1p, v, 1);
      F64[0] = v;
      v = fromWords(U32[HI]!, U32[LO]! + 1);
    }
  }
});

function words(x: number): [number, number] {
  F64[0] = x;
  return [U32[HI]!, U32[LO]!];
}

test('powInt: repeated squaring, close to pow, exact for small integer results', () => {
  assert.equal(powInt(2, 10), 1024);
  assert.equal(powInt(3, 0), 1);
  assert.equal(powInt(NaN, 0), 1);
  assert.equal(powInt(-3, 3), -27);
  assert.equal(powInt(2, -3), 0.125);
  assert.equal(powInt(10, 22), 1e22);
  assert.equal(powInt(7, 1), 7);
  assert.equal(powInt(2, 1023), 2 ** 1023);
  assert.equal(powInt(2, 1024), Infinity);
  assert.throws(() => powInt(2, 0.5), RangeError);
  const r = makeRandom(9);
  for (let i = 0; i < 10000; i++) {
    const x = 0.1 + 3 * r();
    const n = Math.floor(r() * 64);
    const a = powInt(x, n);
    const b = pow(x, n);
    // each squaring doubles the relative error: |error| ≲ n·2^-53 (+ pow's own < 1 ulp)
    assert.ok(Math.abs(a - b) <= (n + 1) * Number.EPSILON * Math.abs(b), `powInt(${x}, ${n}) = ${a}, pow ${b}`);
  }
});

// ---- engine independence: a fixed checksum of outputs ------------------------------------------

/** FNV-1a over the 32-bit words of f's results on seeded inputs. */
function checksum(f: (x: number) => number, gen: Gen, seed: number, n: number): string {
  const r = makeRandom(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    const [hi, lo] = words(f(gen(r)));
    h = Math.imul(h ^ hi, 0x01000193);
    h = Math.imul(h ^ lo, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

test('outputs match recorded checksums (the same bits in every engine)', () => {
  // Recorded once; since the functions use only exactly-rounded operations, any engine must
  // reproduce them. A change here means the implementation changed, not the platform.
  const got = {
    exp: checksum(exp, uni(-745, 710), 11, 20000),
    log: checksum(log, logUni(-1074, 1024, false), 12, 20000),
    log1p: checksum(log1p, uni(-1, 10), 13, 20000),
    cos: checksum(cos, logUni(-10, 30), 14, 20000),
    pow: checksum((x) => pow(x, 1.7), uni(0, 100), 15, 20000),
  };
  assert.deepEqual(got, EXPECTED_CHECKSUMS);
});

const EXPECTED_CHECKSUMS = { exp: '0799868b', log: '56f911c0', log1p: 'a8088356', cos: '3bdab733', pow: '7370d4b9' };

// ---- the same bits in Chromium (skipped without /usr/bin/chromium, like web-e2e) ---------------

const CHROMIUM = process.env.CATAPULT_CHROMIUM ?? '/usr/bin/chromium';
const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found`;

/**
 * Runs in Node and in the page alike: checksums of detmath's outputs (argument `DM`) on seeded
 * inputs, and the fraction of inputs where the engine's own Math.* returns the same bits.
 */
const PROBE = `
  let s = 12345;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const F = new Float64Array(1), U = new Uint32Array(F.buffer);
  const gens = {
    exp: () => (rnd() - 0.5) * 1490,
    log: () => 2 ** Math.floor(rnd() * 2098 - 1074) * (1 + rnd()),
    log1p: () => (rnd() - 0.2) * 2 ** Math.floor(rnd() * 60 - 50),
    cos: () => (rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 5),
    pow: () => rnd() * 100,
  };
  const out = {};
  for (const name of Object.keys(gens)) {
    const f = name === 'pow' ? (x) => DM.pow(x, 1.7) : DM[name];
    const g = name === 'pow' ? (x) => Math.pow(x, 1.7) : Math[name];
    let h = 0x811c9dc5, same = 0;
    const N = 100000;
    for (let i = 0; i < N; i++) {
      const x = gens[name]();
      const a = f(x);
      if (Object.is(a, g(x))) same++;
      F[0] = a;
      h = Math.imul(h ^ U[0], 16777619);
      h = Math.imul(h ^ U[1], 16777619);
    }
    out[name] = { hash: (h >>> 0).toString(16), mathAgrees: same / N };
  }
  return out;
`;

type ProbeResult = Record<string, { hash: string; mathAgrees: number }>;

test('detmath returns the same bits in headless Chromium as in Node', { skip: NO_CHROMIUM }, async (t) => {
  const ts = (await import('typescript')).default;
  const src = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'linalg', 'detmath.ts'), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const inNode = new Function('DM', PROBE)(detmath) as ProbeResult;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const version = browser.version();
    const inPage = (await page.evaluate(`(() => { const exports = {}; ${js}\n const DM = exports; ${PROBE} })()`)) as ProbeResult;
    for (const name of Object.keys(inNode)) {
      t.diagnostic(`${name}: Node's Math agrees with detmath on ${(100 * inNode[name]!.mathAgrees).toFixed(2)} %, Chromium ${version}'s Math on ${(100 * inPage[name]!.mathAgrees).toFixed(2)} %`);
      assert.equal(inPage[name]!.hash, inNode[name]!.hash, `${name}: detmath's outputs differ between Chromium and Node`);
    }
  } finally {
    await browser.close();
  }
});
