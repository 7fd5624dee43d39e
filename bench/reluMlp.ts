/**
 * Timing of the ReLU MLP (plain JS GEMM): one GD step (evaluate + descend) and one HVP on m = BENCH_M (default
 * 2000) rows, d = 784, hidden widths [512, 512, 512], squared loss, one core; and the GEMM alone in GFLOP/s.
 * Prints numbers; asserts nothing.
 *   node --import tsx bench/reluMlp.ts            (BENCH_M, BENCH_REPS, BENCH_NORM=none|weight|batch)
 */
import { ReluMlp, type Normalization } from '../src/models/reluMlp.ts';
import { gemm } from '../src/linalg/gemm.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';

const m = Number(process.env.BENCH_M ?? 2000), d = 784, widths = [512, 512, 512];
const reps = Number(process.env.BENCH_REPS ?? 5);
const normalization = (process.env.BENCH_NORM ?? 'none') as Normalization;

/** Median wall and CPU ms per call (CPU time is the steadier figure on a shared machine: one thread runs). */
function median(fn: () => void, n: number): { wall: number; cpu: number } {
  fn(); // warm-up
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const med = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1];
  return { wall: med(wall), cpu: med(cpu) };
}
const fmt = (t: { wall: number; cpu: number }) => `${t.cpu.toFixed(0)} ms CPU (${t.wall.toFixed(0)} ms wall)`;

const rng = new Rng(1);
const X = rng.fillNormal(new Float64Array(m * d));
const y = Float64Array.from({ length: m }, () => (rng.uniform() < 0.5 ? -1 : 1));
const data = makeDataset(X, y, d, 'bench');
const model = new ReluMlp({ d, widths, parameterization: 'ntk', bias: false, normalization, weightDecay: 0 });
const loss = getLoss('squared');
const theta = gaussianInit(model, 1);

// the GEMM alone: the forward product of the first layer (m × 784 by 784 × 512, NT)
const C = new Float64Array(m * 512);
const W = theta.subarray(0, 512 * d);
const gemmMs = median(() => gemm(false, true, m, 512, d, 1, X, d, W, d, 0, C, 512), reps);
const flops = 2 * m * 512 * d;

const stepMs = median(() => model.descend(model.evaluate(theta, data, loss), 1e-3), reps);
const ev = model.evaluate(theta, data, loss);
model.gradient(ev);
const dir = new Rng(2).fillNormal(new Float64Array(model.numParams));
const hvpMs = median(() => model.hvp(ev, dir), reps);
const u = new Rng(3).fillNormal(new Float64Array(m));
const ntkMs = median(() => model.ntkApply(ev, u, new Float64Array(m)), reps);

console.log(`relu-mlp m=${m} d=${d} widths=[${widths}] normalization=${normalization} P=${model.numParams} (median of ${reps})`);
console.log(`  GEMM ${m}×${d}·${d}×512 (NT): ${fmt(gemmMs)} = ${(flops / gemmMs.cpu / 1e6).toFixed(2)} GFLOP/s (CPU time)`);
console.log(`  GD step (evaluate + gradient + update): ${fmt(stepMs)}`);
console.log(`  HVP (tangent + backward tangent):       ${fmt(hvpMs)}`);
console.log(`  NTK matvec (VJP + JVP):                 ${fmt(ntkMs)}`);
