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

/** Median and minimum ms per call over n timed calls (the machine is shared: the median is the figure to quote). */
function time(fn: () => void, n: number): { med: number; min: number } {
  for (let i = 0; i < 5; i++) fn(); // warm-up: V8 tiers up JS and wasm
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { med: t[n >> 1], min: t[0] };
}
const fmt = (x: { med: number; min: number }, w: number): string => `${x.med.toFixed(2)} (${x.min.toFixed(2)})`.padStart(w);

const backend = (passes as { kernelBackend?: () => string }).kernelBackend?.() ?? 'js';
console.log(`deep linear net: m = ${m}, d = ${d}, width ${width}, depth ${depth}, ${new DeepLinear({ d, width, depth }).numParams} parameters; data-pass backend: ${backend}`);
console.log(`median (min) ms over ${reps} calls; θ from model.allocParams (in a wasm workspace); HVP on resident vectors, and on plain Float64Arrays (copied in and out)`);
console.log('storage        ms/step          ms/HVP    ms/HVP (plain)   ms/NTK-matvec   GB/s (X per step)');
for (const storage of ['float64', 'float32'] as const) {
  const rng = new Rng(1);
  const X = storage === 'float64' ? new Float64Array(m * d) : new Float32Array(m * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const y = new Float64Array(m).map(() => (rng.uniform() < 0.5 ? -1 : 1));
  const data = makeDataset(X, y, d, 'bench');
  const model = new DeepLinear({ d, width, depth });
  const theta = model.allocParams(gaussianInit(model, 1));
  const loss = getLoss('logistic');
  const step = time(() => model.descend(model.evaluate(theta, data, loss), 1e-9), reps);
  const ev = model.evaluate(theta, data, loss);
  const dir = new Rng(2).fillNormal(new Float64Array(model.numParams));
  const dirResident = model.allocParams(dir), outResident = model.allocParams();
  const hvp = time(() => model.hvp(ev, dirResident, outResident), reps);
  const out = new Float64Array(model.numParams);
  const hvpPlain = time(() => model.hvp(ev, dir, out), reps);
  const u = new Rng(3).fillNormal(new Float64Array(m));
  const o = new Float64Array(m);
  const ntk = time(() => model.ntkApply(ev, u, o), reps);
  const gbs = (X.byteLength / 1e9) / (step.med / 1000);
  console.log(`${storage.padEnd(8)} ${fmt(step, 14)} ${fmt(hvp, 15)} ${fmt(hvpPlain, 17)} ${fmt(ntk, 15)} ${gbs.toFixed(2).padStart(12)}`);
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
