/**
 * `node --import tsx bench/diagonal.ts` (also the last part of `npm run bench`): speed of the diagonal linear
 * network (issue 11 §5). Prints numbers; asserts nothing.
 *  1. One GD step at N = 200, d = 100 (depth 2, exponential loss, Gaussian x): the step itself (descend + the
 *     evaluation at the new θ, which is what the trainer does per step) and the trainer's step with the marks hook
 *     (curvature and metric rows off between records); target ≤ 20 µs.
 *  2. The exact flow (src/theory/diagonalFlow.ts) to minimum margin γ = 1e64 (the 8 marks of issue 11) at N = 8,
 *     d = 16 (x ~ N(0, I), labels from the sparse teacher (1, −½, ¼, 0, …), the recipe's data), per (α, D, seed)
 *     for α ∈ {0.01, 0.1, 1, 10, 100}, D ∈ {2, 3}; target ≤ 1 s each. BENCH_SEEDS (default 3) seeds.
 */
import { DiagonalLinear } from '../src/models/diagonal.ts';
import { getLoss } from '../src/losses/losses.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildData, buildProblem } from '../src/experiments/problem.ts';
import { diagonalFlow } from '../src/theory/diagonalFlow.ts';
import { Trainer } from '../src/train/trainer.ts';
import { MarkRecorder } from '../src/train/marks.ts';

import { loadavg } from 'node:os';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(', ')} (timings scale with it on a shared machine)`);

{
  const N = 200, d = 100, steps = 200, rounds = 300; // many short windows: their minimum resists a loaded machine
  const cfg = resolveConfig({ model: { kind: 'diagonal', depth: 2 }, init: { kind: 'constant', value: 0.1 }, loss: 'exponential', data: { kind: 'gaussian', m: N, d }, eta: 0.01, steps: rounds * steps + 1000, record: { every: 1000000, denseUntil: 0 }, curvature: { every: 1000000, sharpness: false, gaussNewton: false }, marks: { at: [1e9], stop: false } });
  const { train } = buildData(cfg);
  const model = new DiagonalLinear({ d, depth: 2 });
  const loss = getLoss('exponential');
  const theta = new Float64Array(2 * d).fill(0.1);
  let ev = model.evaluate(theta, train, loss);
  const raw: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) {
      model.descend(ev, 1e-3);
      ev = model.evaluate(theta, train, loss);
    }
    raw.push(((performance.now() - t0) / steps) * 1000);
  }
  const { problem, settings } = buildProblem(cfg);
  const trainer = new Trainer(problem, settings);
  const rec = new MarkRecorder([1e9], null);
  const margins = new Float64Array(N);
  trainer.afterStep = (_t, e) => {
    for (let n = 0; n < N; n++) margins[n] = e.data.y[n] * e.f[n];
    rec.observe(_t, margins, () => model.endToEnd(e.theta));
    return false;
  };
  trainer.advance(1000); // warm-up
  const viaTrainer: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    trainer.advance(steps);
    viaTrainer.push(((performance.now() - t0) / steps) * 1000);
  }
  console.log(`diagonal net GD step, N = ${N}, d = ${d}, depth 2, exponential loss (median / min over ${rounds} windows of ${steps} steps): ${median(raw).toFixed(1)} / ${Math.min(...raw).toFixed(1)} µs (descend + evaluate), ${median(viaTrainer).toFixed(1)} / ${Math.min(...viaTrainer).toFixed(1)} µs through the trainer with the marks hook; target ≤ 20 µs`);
}

{
  const N = 8, d = 16;
  const seeds = Number(process.env.BENCH_SEEDS ?? 3);
  console.log(`diagonal-net flow to γ = 1e64 (8 marks), N = ${N}, d = ${d}, ${seeds} seeds per (α, D); ms per run (target ≤ 1000)`);
  console.log('   D        α    median ms      max ms   steps (median)   all marks');
  const all: number[] = [];
  for (const depth of [2, 3]) {
    for (const alpha of [0.01, 0.1, 1, 10, 100]) {
      const ms: number[] = [], st: number[] = [];
      let complete = true;
      for (let seed = 0; seed < seeds; seed++) {
        const { train } = buildData(resolveConfig({ seed, data: { kind: 'gaussian', m: N, d, teacherSparsity: 3 } }));
        const r = diagonalFlow({ X: Float64Array.from(train.X), y: train.y, N, d, alpha, depth });
        ms.push(r.timeMs);
        st.push(r.steps);
        complete &&= r.complete;
      }
      all.push(...ms);
      console.log(`${String(depth).padStart(4)} ${String(alpha).padStart(8)} ${median(ms).toFixed(0).padStart(12)} ${Math.max(...ms).toFixed(0).padStart(11)} ${String(median(st)).padStart(16)}   ${complete ? 'yes' : 'NO'}`);
    }
  }
  console.log(`flow to γ = 1e64 (N = ${N}, d = ${d}): median ${median(all).toFixed(0)} ms, max ${Math.max(...all).toFixed(0)} ms per (α, D, seed) over ${all.length} runs (target ≤ 1000 ms)`);
}
