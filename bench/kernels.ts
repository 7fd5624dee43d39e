/**
 * Micro-benchmark of the data passes (src/models/passes.ts): m = 10000, d = 784 (X = 62.7 MB as float64),
 * float64 and float32 storage, wasm vs JS backend. Prints ms per pass (median and min over repeats) and the
 * effective bandwidth X.byteLength / time.
 *
 * Run: npx tsx bench/kernels.ts [--m 10000] [--d 784] [--reps 30] [--cold]
 *
 * By default X stays warm in the last-level cache between passes, as it does in training (the same X every
 * step). --cold streams a 512 MB buffer before each timed pass so that X comes from DRAM.
 * The machine is shared: compare min and median, and repeat.
 */
import { rowsCombine, rowsDot, rowsDotThenCombine, setKernelBackend, wasmKernelAvailable } from '../src/models/passes.ts';

function arg(name: string, def: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : def;
}
const m = arg('m', 10000);
const d = arg('d', 784);
const reps = arg('reps', 30);
const cold = process.argv.includes('--cold');
const flushBuf = cold ? new Float64Array(64 * 1024 * 1024).fill(1) : null;
let flushSink = 0;
/** Reads (does not write: dirty lines would cost write-backs inside the timed pass) 512 MB to evict X. */
function flush(): void {
  if (flushBuf === null) return;
  let s = 0;
  for (let k = 0; k < flushBuf.length; k += 8) s += flushBuf[k];
  flushSink += s;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function time(fn: () => void): { med: number; min: number } {
  // Warm-up: the wasm data copy, JIT tiering (V8 runs wasm in its baseline tier first and swaps in optimized code
  // compiled in the background) and the cache state X settles into.
  const tw = performance.now();
  for (let k = 0; k < 10 || performance.now() - tw < 300; k++) fn();
  const t: number[] = [];
  for (let k = 0; k < reps; k++) {
    flush();
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { med: t[t.length >> 1], min: t[0] };
}

const rnd = lcg(12345);
const X64 = new Float64Array(m * d);
for (let k = 0; k < X64.length; k++) X64[k] = rnd();
const X32 = Float32Array.from(X64);
const w = new Float64Array(d).map(() => rnd() * 0.05);
const y = new Float64Array(m).map(() => rnd());
const coef = new Float64Array(m).map(() => rnd());
const f = new Float64Array(m);
const r = new Float64Array(d);

console.log(`m = ${m}, d = ${d}, reps = ${reps}, ${cold ? 'cold (X evicted before each pass)' : 'warm'}; wasm SIMD available: ${wasmKernelAvailable()}`);

// Reference: a plain JS sum over X (one read of X, no arithmetic to speak of).
{
  const { med, min } = time(() => {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k + 3 < X64.length; k += 4) { s0 += X64[k]; s1 += X64[k + 1]; s2 += X64[k + 2]; s3 += X64[k + 3]; }
    if (s0 + s1 + s2 + s3 === 42) console.log('');
  });
  console.log(`plain JS sum over f64 X      : ${med.toFixed(2)} ms (min ${min.toFixed(2)})  ${(X64.byteLength / med / 1e6).toFixed(1)} GB/s`);
}

const backends = wasmKernelAvailable() ? (['wasm', 'js'] as const) : (['js'] as const);
for (const storage of ['f64', 'f32'] as const) {
  const X = storage === 'f64' ? X64 : X32;
  for (const b of backends) {
    setKernelBackend(b);
    const row = (label: string, fn: () => void): void => {
      const { med, min } = time(fn);
      console.log(`${storage} ${b.padEnd(4)} ${label.padEnd(20)}: ${med.toFixed(2).padStart(6)} ms (min ${min.toFixed(2).padStart(6)})  ${(X.byteLength / med / 1e6).toFixed(1).padStart(5)} GB/s`);
    };
    row('fused dot+combine', () => rowsDotThenCombine(X, d, null, m, w, (i, s) => { f[i] = s; return (s - y[i]) / m; }, r));
    row('rowsDot', () => rowsDot(X, d, null, m, w, f));
    row('rowsCombine', () => rowsCombine(X, d, null, m, coef, r));
  }
}
setKernelBackend('auto');
