import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reproduce } from '../src/cli/reproduceCommand.ts';
import { cosine, firstReach, flowHalfTimes, fractionTimes, learningOrder, runSeparator, sequentialByHalfTimes, strictlyOrdered } from '../src/experiments/incrementalReadouts.ts';
import { tempDirs } from './helpers.ts';

const tmp = tempDirs();

test('firstReach, the sequential rule, learning order', () => {
  assert.equal(firstReach([0, 5, 10, 15], [0, 0.4, 0.6, 1], 0.5), 10);
  assert.equal(firstReach([0, 5], [0, 0.4], 0.5), null);
  assert.deepEqual(sequentialByHalfTimes([10, 20, 30], 1.2), { sequential: true, minRatio: 1.5 });
  assert.deepEqual(sequentialByHalfTimes([10, 11, 30], 1.2), { sequential: false, minRatio: 1.1 });
  const missing = sequentialByHalfTimes([10, null], 1.2);
  assert.equal(missing.sequential, false);
  assert.ok(Number.isNaN(missing.minRatio));
  assert.deepEqual(learningOrder([30, 10, null, 10]), [1, 3, 0, 2]);
  assert.equal(strictlyOrdered([1, 2, 3]), true);
  assert.equal(strictlyOrdered([1, 1, 3]), false);
  assert.equal(strictlyOrdered([1, null]), false);
  assert.ok(Math.abs(cosine([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-15);
});

test('flow half-times of σ̇ = Nσ^{2−2/N}(σ*−σ) match an RK4 integration (N = 1, 2, 3)', () => {
  const sigma0 = 1e-2;
  for (const N of [1, 2, 3]) {
    for (const target of [3, 1.5]) {
      const rate = (x: number) => N * x ** (2 - 2 / N) * (target - x);
      let x = sigma0, t = 0;
      const dt = 1e-4;
      while (x < target / 2) {
        const k1 = rate(x), k2 = rate(x + 0.5 * dt * k1), k3 = rate(x + 0.5 * dt * k2), k4 = rate(x + dt * k3);
        const next = x + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
        if (next >= target / 2) {
          t += (dt * (target / 2 - x)) / (next - x); // linear interpolation inside the last step
          break;
        }
        x = next;
        t += dt;
      }
      const [ours] = flowHalfTimes(N, sigma0, [target]);
      assert.ok(Math.abs(ours - t) < 1e-4 * t, `N ${N}, σ* ${target}: ${ours} vs RK4 ${t}`);
    }
  }
});

test('diagonal separator: reaches the loss target deterministically; half-times bracket ½β_j(T)', () => {
  const o = { d: 12, m: 40, support: [8, 4, 2, 1], depth: 2, seed: 3, sigma0: 0.01, eta: 0.1, lossTarget: 0.05, maxSteps: 5000, every: 1 };
  const a = runSeparator(o);
  const b = runSeparator(o);
  assert.deepEqual(Array.from(a.beta), Array.from(b.beta));
  assert.equal(a.status, 'loss-target');
  assert.ok(a.lossFinal <= 0.05);
  const half = fractionTimes(a, 0.5);
  assert.deepEqual(half, a.halfTimes);
  half.forEach((t, j) => {
    if (t === null) return;
    const k = a.readSteps.indexOf(t);
    assert.ok(a.supportTrajectories[j][k] >= a.beta[j] / 2);
    if (k > 0) assert.ok(a.supportTrajectories[j][k - 1] < a.beta[j] / 2);
  });
  assert.ok(a.cosTeacher > 0.5 && a.cosTeacher <= 1);
});

test('recipe incremental-learning (mini): the verdicts the theory decides at this size', { timeout: 240_000 }, async () => {
  const out = tmp('catapult-incr-');
  const res = await reproduce({ profile: 'mini', out, jobs: 1, only: ['incremental-learning'], quiet: true });
  const find = (re: RegExp) => {
    const v = res.verdicts.find((x) => x.recipe === 'incremental-learning' && re.test(x.verdict.claim));
    assert.ok(v, String(re));
    return v.verdict;
  };
  assert.equal(find(/Depth 1 is never ε-incremental/).pass, true);
  assert.equal(find(/^N = 2: σ₀ ≤/).pass, true);
  assert.equal(find(/^N ≥ 3: σ₀_max ≍/).pass, true);
  for (const N of [1, 2, 3]) assert.equal(find(new RegExp(`Deep matrix sensing, N = ${N}:`)).pass, true, `N = ${N}`);
  assert.equal(find(/burst of incremental learning/).pass, null);
  const run = res.runs.find((r) => r.recipe.name === 'incremental-learning')!;
  assert.ok(run.output.figures.some((f) => f.name === 'sensing-N2'));
  assert.ok(run.output.tables.length >= 4);
});
