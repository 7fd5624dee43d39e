/**
 * `npm run bench`: speed of the engine's kernels on the reference problem
 * (m = 10000, d = 784, width 512, 4 weight layers, logistic loss, one core), for float64 and
 * float32 storage of X. Prints numbers; asserts nothing. Reference figures measured on this
 * machine kind for the same problem: PyTorch autograd 1111 ms/step, 2064 ms/HVP; numpy collapsed
 * form 9.2 ms/step, 10.7 ms/HVP; plain JS with two passes over X 18.5 ms/step.
 */
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { sweepTheory } from '../src/theory/degenerate.ts';
import * as passes from '../src/models/passes.ts';

const m = Number(process.env.BENCH_M ?? 10000), d = 784, width = 512, depth = 4;
const reps = Number(process.env.BENCH_REPS ?? 20);

interface Timing { med: number; min: number }

/**
 * Median and minimum ms per call of each function, timed in interleaved rounds (one call of each per round), so
 * that the shared machine's changing memory bandwidth hits all of them alike.
 */
function timeInterleaved(fns: Record<string, () => void>, rounds: number): Record<string, Timing> {
  for (let i = 0; i < 3; i++) for (const fn of Object.values(fns)) fn(); // warm-up: V8 tiers up JS and wasm
  const t: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      fn();
      (t[name] ??= []).push(performance.now() - t0);
    }
  }
  const out: Record<string, Timing> = {};
  for (const [name, v] of Object.entries(t)) {
    v.sort((a, b) => a - b);
    out[name] = { med: v[v.length >> 1], min: v[0] };
  }
  return out;
}
const fmt = (x: Timing, w: number): string => `${x.med.toFixed(2)} (${x.min.toFixed(2)})`.padStart(w);

const backend = (passes as { kernelBackend?: () => string }).kernelBackend?.() ?? 'js';
console.log(`deep linear net: m = ${m}, d = ${d}, width ${width}, depth ${depth}, ${new DeepLinear({ d, width, depth }).numParams} parameters; data-pass backend: ${backend}`);
console.log(`median (min) ms over ${reps} interleaved rounds. θ from model.allocParams (in a wasm workspace); HVP on resident`);
console.log('vectors, and on plain Float64Arrays (copied in and out). "read X" = one dot pass over X alone: the floor of a step.');
console.log('storage        ms/step          ms/HVP    ms/HVP (plain)   ms/NTK-matvec       ms/read X   GB/s (X per step)');
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
  const T = timeInterleaved({
    step: () => model.descend(model.evaluate(theta, data, loss), 1e-9),
    hvp: () => model.hvp(ev, dirResident, outResident),
    hvpPlain: () => model.hvp(ev, dir, out),
    ntk: () => model.ntkApply(ev, u, o),
    readX: () => passes.rowsDot(X, d, null, m, beta, o),
  }, reps);
  const gbs = (X.byteLength / 1e9) / (T.step.med / 1000);
  console.log(`${storage.padEnd(8)} ${fmt(T.step, 14)} ${fmt(T.hvp, 15)} ${fmt(T.hvpPlain, 17)} ${fmt(T.ntk, 15)} ${fmt(T.readX, 15)} ${gbs.toFixed(2).padStart(12)}`);
}

// theory recursion throughput (target ≥ 1e6 steps/s)
{
  const cs = Array.from({ length: 2000 }, (_, i) => 0.5 + i * 0.01);
  const steps = 1000;
  const t = performance.now();
  sweepTheory({ loss: 'logistic', p: 1, n: 1000 }, 0.1, 2, cs, steps);
  const sec = (performance.now() - t) / 1000;
  console.log(`theory recursion: ${((cs.length * steps) / sec / 1e6).toFixed(1)} M steps/s (${cs.length} values of c × ${steps} steps in ${sec.toFixed(2)} s)`);
}

// sweep wall time, --jobs 1 vs --jobs 2 (target speed-up ≥ 1.8 on 2 cores)
{
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { parseSweepConfig } = await import('../src/experiments/sweep.ts');
  const { runSweep } = await import('../src/experiments/sweepRunner.ts');
  const sweep = parseSweepConfig({
    name: 'bench',
    base: { data: { kind: 'gaussian', m: 500, d: 50, labelNoise: 0.1 }, model: { width: 200, depth: 3 }, loss: 'logistic', steps: 300, record: { every: 50, denseUntil: 10 }, curvature: { every: 100 } },
    axes: { c: { log: [0.5, 20], num: 16 } },
  });
  const wall: number[] = [];
  for (const jobs of [1, 2]) {
    const t = performance.now();
    await runSweep(sweep, mkdtempSync(join(tmpdir(), 'catapult-bench-')), { jobs, shard: null, refine: null });
    wall.push((performance.now() - t) / 1000);
  }
  console.log(`sweep of 16 runs (gaussian m=500 d=50, depth 3, width 200, 300 steps): --jobs 1 ${wall[0].toFixed(1)} s, --jobs 2 ${wall[1].toFixed(1)} s, speed-up ${(wall[0] / wall[1]).toFixed(2)}`);
}
