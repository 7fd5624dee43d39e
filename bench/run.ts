/**
 * `npm run bench`: speed of the engine's kernels on the issue's reference problem
 * (m = 10000, d = 784, width 512, 4 weight layers, logistic loss, one core), for float64 and
 * float32 storage of X; next to them, in the same interleaved rounds, a numpy float64 one-thread
 * implementation of the same step, HVP and NTK matvec (bench/numpy_collapsed.py, same data and
 * initial weights, its outputs checked against the engine's) when python3 with numpy exists; then
 * sweeps with --jobs 1 and --jobs 2 through the CLI (compiled: `npm run bench` builds dist/
 * first). Prints numbers; asserts nothing. Reference figures measured on this machine kind for
 * the same problem: PyTorch autograd 1111 ms/step, 2064 ms/HVP; plain JS with two passes over X
 * 18.5 ms/step.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { sweepTheory } from '../src/theory/degenerate.ts';
import * as passes from '../src/models/passes.ts';
import { startNodePassThreads } from '../src/experiments/nodePassThreads.ts';
import type { PassThreads } from '../src/linalg/wasm/passThreads.ts';
import { loadavg } from 'node:os';

const m = Number(process.env.BENCH_M ?? 10000), d = 784, width = 512, depth = 4;
const reps = Number(process.env.BENCH_REPS ?? 20);
/** BENCH_PARTS=kernels,theory,sweeps (default: all) runs a subset, e.g. to repeat the sweep timings. */
const parts = new Set((process.env.BENCH_PARTS ?? 'kernels,theory,sweeps').split(','));
/** Thread counts of the one-run timings (issue 15 §3): BENCH_THREADS=1,2 (default). */
const threadCounts = (process.env.BENCH_THREADS ?? '1,2').split(',').map(Number);
const load = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;

interface Timing { med: number; min: number }

/**
 * Median and minimum ms per call of each function, timed in interleaved rounds (one call of each per round, then
 * `alsoPerRound`, which times its own functions, e.g. numpy's), so that the shared machine's changing memory
 * bandwidth hits all of them alike.
 */
async function timeInterleaved(fns: Record<string, () => void>, rounds: number, alsoPerRound?: () => Promise<Record<string, number>>): Promise<Record<string, Timing>> {
  for (let i = 0; i < 3; i++) for (const fn of Object.values(fns)) fn(); // warm-up: V8 tiers up JS and wasm
  const t: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      fn();
      (t[name] ??= []).push(performance.now() - t0);
    }
    if (alsoPerRound) for (const [name, ms] of Object.entries(await alsoPerRound())) (t[name] ??= []).push(ms);
  }
  const out: Record<string, Timing> = {};
  for (const [name, v] of Object.entries(t)) {
    v.sort((a, b) => a - b);
    out[name] = { med: v[v.length >> 1], min: v[0] };
  }
  return out;
}

const f64 = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const maxRelDiff = (a: Float64Array, b: Float64Array) => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(a[i]));
  }
  return num / den;
};

/**
 * The numpy side: a python process holding the same problem, which runs one step, HVP and NTK
 * matvec per "round" and answers with their times. One BLAS thread (the JS engine uses one core),
 * and without this machine's OpenBLAS overrides (OPENBLAS_CORETYPE/L2_SIZE, set for the shared VM).
 */
async function startNumpy(dir: string): Promise<{ round: () => Promise<Record<string, number>>; stop: () => void; version: string } | string> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', VECLIB_MAXIMUM_THREADS: '1', NUMEXPR_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const probe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8', env });
  if (probe.status !== 0) return probe.error ? 'python3 not found' : 'python3 has no numpy';
  const py = spawn('python3', [join(dirname(fileURLToPath(import.meta.url)), 'numpy_collapsed.py'), dir], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('bench/numpy_collapsed.py ended early');
    return r.value;
  };
  if ((await next()) !== 'ready') throw new Error('bench/numpy_collapsed.py did not start');
  const round = async () => {
    py.stdin.write('round\n');
    const t = JSON.parse(await next()) as Record<string, number>;
    return { npStep: t.step, npHvp: t.hvp, npNtk: t.ntk };
  };
  return { round, stop: () => py.stdin.end('quit\n'), version: probe.stdout.trim() };
}

/**
 * What two threads can get from this machine in this minute (it is shared): one compute loop of
 * 2 units on one thread vs two loops of 1 unit on two threads; 2.00 on an idle 2-core machine.
 */
const headroom = async (): Promise<number> => {
  const loop = (iters: number) => new Promise<void>((resolve) => {
    const w = new Worker('const { parentPort, workerData } = require("node:worker_threads"); let s = 0; for (let i = 0; i < workerData; i++) s += Math.sqrt(i + s * 1e-300); parentPort.postMessage(s);', { eval: true, workerData: iters });
    w.once('message', () => void w.terminate().then(() => resolve()));
  });
  const unit = 3e7;
  let t = performance.now();
  await loop(2 * unit);
  const one = performance.now() - t;
  t = performance.now();
  await Promise.all([loop(unit), loop(unit)]);
  return one / (performance.now() - t);
};
const fmt = (x: Timing, w: number): string => `${x.med.toFixed(2)} (${x.min.toFixed(2)})`.padStart(w);

const backend = (passes as { kernelBackend?: () => string }).kernelBackend?.() ?? 'js';
if (parts.has('kernels')) {
  console.log(`deep linear net: m = ${m}, d = ${d}, width ${width}, depth ${depth}, ${new DeepLinear({ d, width, depth }).numParams} parameters; data-pass backend: ${backend}`);
  console.log(`median (min) ms over ${reps} interleaved rounds. θ from model.allocParams (in a wasm workspace); HVP on resident`);
  console.log('vectors, and on plain Float64Arrays (copied in and out). "read X" = one dot pass over X alone: the floor of a step.');
  console.log(`threads: ${threadCounts.join(' and ')}, timed in the same interleaved rounds (results are bit-identical for any count); ${load()}, 2-thread headroom ×${(await headroom()).toFixed(2)} before`);
  console.log('storage   thr        ms/step          ms/HVP    ms/HVP (plain)   ms/NTK-matvec       ms/read X   GB/s (X per step)');
  const numpyRows: string[] = [];
  const threadRows: string[] = [];
  const pools = new Map<number, PassThreads>();
  for (const T of threadCounts) if (T > 1) {
    const pool = await startNodePassThreads(T);
    if (pool === null) threadRows.push(`${T} threads: unavailable (no shared WebAssembly memory)`);
    else pools.set(T, pool);
  }
  const Ts = threadCounts.filter((T) => T === 1 || pools.has(T));
  /** fn with the passes on T threads */
  const onThreads = (T: number, fn: () => void) => () => {
    passes.setPassThreads(pools.get(T) ?? null);
    try { fn(); } finally { passes.setPassThreads(null); }
  };
  for (const storage of ['float64', 'float32'] as const) {
    const rng = new Rng(1);
    const X = storage === 'float64' ? new Float64Array(m * d) : new Float32Array(m * d);
    for (let i = 0; i < X.length; i++) X[i] = rng.normal();
    const y = new Float64Array(m).map(() => (rng.uniform() < 0.5 ? -1 : 1));
    const data = makeDataset(X, y, d, 'bench');
    const model = new DeepLinear({ d, width, depth });
    const theta = model.allocParams(gaussianInit(model, 1));
    const loss = getLoss('logistic');
    const ev = model.evaluate(theta, data, loss);
    const dir = new Rng(2).fillNormal(new Float64Array(model.numParams));
    const dirResident = model.allocParams(dir), outResident = model.allocParams();
    const out = new Float64Array(model.numParams);
    const u = new Rng(3).fillNormal(new Float64Array(m));
    const o = new Float64Array(m);
    const beta = model.endToEnd(theta);
    // numpy on the same X, y, θ, HVP direction and NTK vector (float64 only: numpy's reference is float64)
    let numpy: Awaited<ReturnType<typeof startNumpy>> | null = null;
    const npDir = storage === 'float64' ? mkdtempSync(join(tmpdir(), 'catapult-bench-np-')) : null;
    if (npDir !== null) {
      writeFileSync(join(npDir, 'meta.json'), JSON.stringify({ m, d, width, depth }));
      for (const [name, a] of [['X', X as Float64Array], ['y', y], ['theta', theta], ['dir', dir], ['u', u]] as const) writeFileSync(join(npDir, `${name}.f64`), f64(a));
      numpy = await startNumpy(npDir);
      if (typeof numpy === 'string') numpyRows.push(`numpy: skipped (${numpy})`);
      else {
        const read = (name: string) => new Float64Array(readFileSync(join(npDir, `${name}.f64`)).buffer.slice(0));
        const diff = [
          `gradient ${maxRelDiff(model.gradient(ev), read('grad')).toExponential(1)}`,
          `HVP ${maxRelDiff(model.hvp(ev, dir), read('hvp')).toExponential(1)}`,
          `NTK matvec ${(model.ntkApply(ev, u, o), maxRelDiff(o, read('ntk'))).toExponential(1)}`,
        ];
        numpyRows.push(`numpy ${numpy.version}, float64, 1 BLAS thread: outputs at θ0 agree with the engine's to max relative difference ${diff.join(', ')}`);
      }
    }
    const fns: Record<string, () => void> = {};
    for (const th of Ts) {
      fns[`step${th}`] = onThreads(th, () => model.descend(model.evaluate(theta, data, loss), 1e-9));
      fns[`hvp${th}`] = onThreads(th, () => model.hvp(ev, dirResident, outResident));
      fns[`hvpPlain${th}`] = onThreads(th, () => model.hvp(ev, dir, out));
      fns[`ntk${th}`] = onThreads(th, () => model.ntkApply(ev, u, o));
      fns[`readX${th}`] = onThreads(th, () => passes.rowsDot(X, d, null, m, beta, o));
    }
    const T = await timeInterleaved(fns, reps, numpy !== null && typeof numpy !== 'string' ? numpy.round : undefined);
    for (const th of Ts) {
      const gbs = (X.byteLength / 1e9) / (T[`step${th}`].med / 1000);
      console.log(`${storage.padEnd(8)} ${String(th).padStart(4)} ${fmt(T[`step${th}`], 14)} ${fmt(T[`hvp${th}`], 15)} ${fmt(T[`hvpPlain${th}`], 17)} ${fmt(T[`ntk${th}`], 15)} ${fmt(T[`readX${th}`], 15)} ${gbs.toFixed(2).padStart(12)}`);
    }
    const r = (a: Timing, b: Timing) => `${(a.med / b.med).toFixed(2)}× (min ${(a.min / b.min).toFixed(2)}×)`;
    for (const th of Ts.filter((x) => x > 1)) {
      threadRows.push(`${storage}, ${th} threads / 1 thread: step ${r(T[`step${th}`], T.step1)}, HVP ${r(T[`hvp${th}`], T.hvp1)}, NTK matvec ${r(T[`ntk${th}`], T.ntk1)}, read X ${r(T[`readX${th}`], T.readX1)}; step / read-X floor: ${r(T[`step${th}`], T[`readX${th}`])} on ${th} threads, ${r(T.step1, T.readX1)} on 1`);
    }
    T.step = T.step1; T.hvp = T.hvp1; T.ntk = T.ntk1;
    if (T.npStep) {
      numpyRows.push(`numpy       1 ${fmt(T.npStep, 14)} ${fmt(T.npHvp, 15)} ${''.padStart(17)} ${fmt(T.npNtk, 15)}   (same rounds as float64)`);
      const ratio = (a: Timing, b: Timing) => `${(b.med / a.med).toFixed(2)}× (min ${(b.min / a.min).toFixed(2)}×)`;
      numpyRows.push(`numpy time / engine time, float64: step ${ratio(T.step, T.npStep)}, HVP ${ratio(T.hvp, T.npHvp)}, NTK matvec ${ratio(T.ntk, T.npNtk)}`);
    }
    if (numpy !== null && typeof numpy !== 'string') numpy.stop();
    if (npDir !== null) rmSync(npDir, { recursive: true, force: true });
}
for (const line of [...threadRows, ...numpyRows]) console.log(line);
for (const pool of pools.values()) await pool.stop();
console.log(`(${load()}, 2-thread headroom ×${(await headroom()).toFixed(2)} after; the machine is shared: timings are noisy)`);
}

// theory recursion throughput (target ≥ 1e6 steps/s)
if (parts.has('theory')) {
  const cs = Array.from({ length: 2000 }, (_, i) => 0.5 + i * 0.01);
  const steps = 1000;
  const t = performance.now();
  sweepTheory({ loss: 'logistic', p: 1, n: 1000 }, 0.1, 2, cs, steps);
  const sec = (performance.now() - t) / 1000;
  console.log(`theory recursion: ${((cs.length * steps) / sec / 1e6).toFixed(1)} M steps/s (${cs.length} values of c × ${steps} steps in ${sec.toFixed(2)} s)`);
}

// sweep wall time, --jobs 1 vs --jobs 2 through the CLI (target speed-up ≥ 1.8 on 2 cores), and the
// ceiling any pool can reach on this machine: the two shards as two processes at once. The time is
// the sweep command's own ("in … s": pool start-up included, CLI module loading not); the process
// wall time is printed next to it.
if (parts.has('sweeps')) {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'catapult.js');
  const { codeToRun } = (await import(join(dirname(bin), 'dist.js'))) as { codeToRun: () => string };
  const code = codeToRun() === 'dist' ? 'compiled dist/' : 'TypeScript sources through tsx: dist/ is stale, run `npm run build`';
  const sweeps = [
    {
      label: '16 runs (gaussian m=500 d=50, depth 3, width 200, 300 steps)',
      config: { name: 'bench16', base: { data: { kind: 'gaussian', m: 500, d: 50, labelNoise: 0.1 }, model: { width: 200, depth: 3 }, loss: 'logistic', steps: 300, record: { every: 50, denseUntil: 10 }, curvature: { every: 100 } }, axes: { c: { log: [0.5, 20], num: 16 } } },
    },
    {
      label: '64 runs (uv net, degenerate m=100 d=10 p=0.3, width 1000, 400 steps)',
      config: { name: 'bench64', base: { data: { kind: 'degenerate', m: 100, d: 10, p: 0.3 }, model: { width: 1000 }, loss: 'logistic', steps: 400, record: { every: 50, denseUntil: 10 }, curvature: { every: 100 } }, axes: { c: { log: [0.5, 200], num: 64 } } },
    },
  ];
  const work = mkdtempSync(join(tmpdir(), 'catapult-bench-'));
  console.log(`sweeps through the CLI (${code}); seconds as the sweep command reports them (process wall time):`);
  for (const { label, config } of sweeps) {
    writeFileSync(join(work, `${config.name}.json`), JSON.stringify(config));
    const secs: number[] = [], walls: number[] = [];
    const h0 = await headroom();
    const sweepSecs = async (args: string[], out: string): Promise<number> => {
      const child = spawn(process.execPath, [bin, 'sweep', `${config.name}.json`, '-q', '--out', out, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      const code = await new Promise((r) => child.on('close', r));
      const took = /in ([\d.]+) s/.exec(stdout);
      if (code !== 0 || !took) throw new Error(`bench sweep failed: ${stderr}`);
      return Number(took[1]);
    };
    for (const jobs of [1, 2]) {
      const t = performance.now();
      secs.push(await sweepSecs(['--jobs', String(jobs)], `${config.name}-j${jobs}`));
      walls.push((performance.now() - t) / 1000);
    }
    // the ceiling without any pool: the two halves as two independent processes at once
    const t = performance.now();
    const halves = await Promise.all([0, 1].map((i) => sweepSecs(['--jobs', '1', '--shard', `${i}/2`], `${config.name}-shard${i}`)));
    secs.push(Math.max(...halves));
    walls.push((performance.now() - t) / 1000);
    const h1 = await headroom();
    const same = readFileSync(join(work, `${config.name}-j1`, 'results.csv'), 'utf8') === readFileSync(join(work, `${config.name}-j2`, 'results.csv'), 'utf8');
    const x = (i: number) => `${(secs[0] / secs[i]).toFixed(2)} (${(walls[0] / walls[i]).toFixed(2)})`;
    console.log(`  ${label}: --jobs 1 ${secs[0].toFixed(1)} s (${walls[0].toFixed(1)}), --jobs 2 ${secs[1].toFixed(1)} s (${walls[1].toFixed(1)}), speed-up ${x(1)}; results.csv ${same ? 'byte-identical' : 'DIFFERENT'}`);
    console.log(`    ceiling: 2 shard processes at once ${secs[2].toFixed(1)} s (${walls[2].toFixed(1)}), speed-up ${x(2)}; the machine's 2-thread headroom before/after: ×${h0.toFixed(2)}/×${h1.toFixed(2)}`);
  }
  rmSync(work, { recursive: true, force: true });
}
