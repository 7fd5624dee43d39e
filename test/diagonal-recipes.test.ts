import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { crossoverLog10Gamma } from '../src/recipes/diagonalKernelRich.ts';
import type { ResultRow } from '../src/experiments/results.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { executeRun } from '../src/experiments/runDir.ts';
import { buildData } from '../src/experiments/problem.ts';
import { symmetricEigen } from '../src/linalg/jacobi.ts';
import { reproduce } from '../src/cli/reproduceCommand.ts';
import { tempDirs } from './helpers.ts';

const tmp = tempDirs('catapult-diag-recipes-');

const row = (marks: [number, number, number][]): ResultRow => ({
  index: 0,
  hash: 'x',
  values: {},
  summary: { marks: marks.map(([gamma, l1Gap, l2Gap]) => ({ mark: gamma, gamma, l1Gap, l2Gap })) } as never,
});

test('crossoverLog10Gamma: where the ℓ1 gap first falls below the ℓ2 gap, interpolated in log10 γ; null when there is none within the marks', () => {
  // d = ℓ1 − ℓ2: 0.6, 0.1, −0.4 → crossing between γ = 10 and 100 at 1 + 0.1/0.5
  assert.ok(Math.abs(crossoverLog10Gamma(row([[1, 0.8, 0.2], [10, 0.5, 0.4], [100, 0.2, 0.6]]))! - 1.2) < 1e-12);
  assert.equal(crossoverLog10Gamma(row([[1, 0.1, 0.2], [10, 0.05, 0.4]])), null, 'already ℓ1-closer at the first mark');
  assert.equal(crossoverLog10Gamma(row([[1, 0.8, 0.2], [10, 0.7, 0.3]])), null, 'never');
  assert.equal(crossoverLog10Gamma(row([[1, 0.8, 0.2], [1e4, 0.2, 0.2]])), 4, 'a tie counts');
});

test('cUnit sharpness0: η = 2c/S0, with S0 the top eigenvalue of the dense Hessian at β = 0 (NTK part + u-curvature term), far above λ0 at small α', async () => {
  const alpha = 0.1, c = 0.7;
  const cfg = resolveConfig({ model: { kind: 'diagonal', depth: 2 }, init: { kind: 'constant', value: alpha }, loss: 'exponential', data: { kind: 'gaussian', m: 6, d: 5 }, c, cUnit: 'sharpness0', steps: 1, curvature: { maxIter: 60, tol: 1e-10 } });
  const rec = await executeRun(cfg, join(tmp(), 'run'));
  const { train } = buildData(cfg);
  const { m, d } = train;
  // H = Jᵀ diag(ℓ″/m) J + diag(±2 r): J_n = [2α x_n, −2α x_n], ℓ″ = 1 and ℓ′ = −y at margin 0, r = (1/m) Σ ℓ′_n x_n
  const H = new Float64Array(4 * d * d);
  const r = new Float64Array(d);
  for (let n = 0; n < m; n++) for (let j = 0; j < d; j++) r[j] -= (train.y[n] * train.X[n * d + j]) / m;
  for (let n = 0; n < m; n++) {
    const J = new Float64Array(2 * d);
    for (let j = 0; j < d; j++) {
      J[j] = 2 * alpha * train.X[n * d + j];
      J[d + j] = -2 * alpha * train.X[n * d + j];
    }
    for (let a = 0; a < 2 * d; a++) for (let b = 0; b < 2 * d; b++) H[a * 2 * d + b] += (J[a] * J[b]) / m;
  }
  for (let j = 0; j < d; j++) {
    H[j * 2 * d + j] += 2 * r[j];
    H[(d + j) * 2 * d + d + j] -= 2 * r[j];
  }
  const S0 = symmetricEigen(H, 2 * d).values[0];
  const sm = rec.summary;
  assert.ok(Math.abs(sm.sharpness0 / S0 - 1) < 1e-8, `S0 ${sm.sharpness0} vs dense ${S0}`);
  assert.ok(Math.abs(sm.eta - (2 * c) / S0) < 1e-8 * sm.eta);
  assert.ok(sm.sharpness0 > 3 * sm.lambda0, `at α = ${alpha} the u-curvature term dominates: S0 ${sm.sharpness0}, λ0 ${sm.lambda0}`);
});

test('the diagonal recipes run in the mini profile with computed verdicts', { timeout: 240_000 }, async () => {
  const out = tmp();
  const res = await reproduce({ profile: 'mini', out, jobs: 1, only: ['diagonal-kernel-rich', 'diagonal-large-step'], quiet: true });
  const find = (recipe: string, re: RegExp) => {
    const v = res.verdicts.find((x) => x.recipe === recipe && re.test(x.verdict.claim));
    assert.ok(v, `${recipe}: ${re}`);
    return v.verdict;
  };
  assert.equal(find('diagonal-kernel-rich', /Every flow run reached/).pass, true);
  assert.match(find('diagonal-kernel-rich', /moves with α²/).measured, /slope of log10 γ× against log10 α [\d.]+ over 4 runs/);
  assert.equal(find('diagonal-kernel-rich', /D = 3: path dependence/).pass, null);
  const follow = find('diagonal-large-step', /small step \(c = 0.5\) follows the exact flow/);
  assert.match(follow.measured, /^α = 0.1: -?[\d.e-]+ ± [\d.e-]+, α = 1: /);
  assert.equal(typeof follow.pass, 'boolean');
  assert.match(find('diagonal-large-step', /large step \(c = 1.9\)/).measured, /ℓ1 gap GD − flow at γ ≈ 3: .* over 2 seeds/);
  const kr = res.runs.find((r) => r.recipe.name === 'diagonal-kernel-rich')!;
  assert.equal(kr.output.figures.length, 4);
});
