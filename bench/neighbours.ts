/**
 * `node --import tsx bench/neighbours.ts`: speed of the standalone neighbour tools.
 * The diagonal-net exponential-loss flow (src/theory/diagonalFlow.ts) to minimum margin γ = 1e64 at N = 8,
 * d = 16 (x ~ N(0, I), labels from the sparse teacher (1, −½, ¼, 0, …)), per (α, D, seed); target ≤ 1 s each
 * (issue 11 §5). Then the thin SVD / srank of a 1000 × 64 feature matrix. Prints numbers; asserts nothing.
 * BENCH_SEEDS (default 3) sets the number of seeds.
 */
import { Rng } from '../src/linalg/prng.ts';
import { diagonalFlow } from '../src/theory/diagonalFlow.ts';
import { srank } from '../src/linalg/srank.ts';

const N = 8, d = 16;
const seeds = Number(process.env.BENCH_SEEDS ?? 3);
const alphas = [0.01, 0.1, 1, 10, 100];
const depths = [2, 3];

function problem(seed: number) {
  const rng = new Rng(seed);
  const X = new Float64Array(N * d).map(() => rng.normal());
  const y = new Float64Array(N).map((_, n) => (X[n * d] - 0.5 * X[n * d + 1] + 0.25 * X[n * d + 2] >= 0 ? 1 : -1));
  return { X, y, N, d };
}

console.log(`diagonal-net flow to γ = 1e64 (8 marks), N = ${N}, d = ${d}, ${seeds} seeds per (α, D); ms per run (target ≤ 1000)`);
console.log('   D        α    median ms      max ms   steps (median)   all marks');
const all: number[] = [];
for (const depth of depths) {
  for (const alpha of alphas) {
    const ms: number[] = [], steps: number[] = [];
    let complete = true;
    for (let seed = 0; seed < seeds; seed++) {
      const r = diagonalFlow({ ...problem(seed), alpha, depth });
      ms.push(r.timeMs);
      steps.push(r.steps);
      complete &&= r.complete;
    }
    all.push(...ms);
    ms.sort((a, b) => a - b);
    steps.sort((a, b) => a - b);
    console.log(`${String(depth).padStart(4)} ${String(alpha).padStart(8)} ${ms[ms.length >> 1].toFixed(0).padStart(12)} ${ms[ms.length - 1].toFixed(0).padStart(11)} ${String(steps[steps.length >> 1]).padStart(16)}   ${complete ? 'yes' : 'NO'}`);
  }
}
all.sort((a, b) => a - b);
console.log(`flow to γ = 1e64 (N = ${N}, d = ${d}): median ${all[all.length >> 1].toFixed(0)} ms, max ${all[all.length - 1].toFixed(0)} ms per (α, D, seed) over ${all.length} runs (target ≤ 1000 ms)`);

{
  const m = 1000, n = 64;
  const rng = new Rng(1);
  const phi = new Float64Array(m * n).map(() => rng.normal());
  srank(phi, m, n); // warm-up
  const t = performance.now();
  const reps = 5;
  let k = 0;
  for (let i = 0; i < reps; i++) k = srank(phi, m, n);
  console.log(`srank (one-sided Jacobi SVD) of a ${m} × ${n} Gaussian matrix: ${((performance.now() - t) / reps).toFixed(1)} ms (srank_0.01 = ${k})`);
}
