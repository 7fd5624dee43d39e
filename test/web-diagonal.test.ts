/**
 * The explorer's diagonal-model read-outs (web/src/diagonalReadouts.ts) against src/theory/maxMargin.ts
 * called directly, on a run of the same config the page builds (resolveState → buildWebProblem → Trainer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Trainer } from '../src/index.ts';
import { l1MaxMargin, l2MaxMargin } from '../src/theory/maxMargin.ts';
import { gapReadout, gapsOf, largestCoordinates, maxMarginReferences, minMargin } from '../web/src/diagonalReadouts.ts';
import { buildWebProblem } from '../web/src/problem.ts';
import { DEFAULT_STATE, resolveState, type ExplorerState } from '../web/src/state.ts';
import { DiagonalLinear } from '../src/models/diagonal.ts';

const DIAG: ExplorerState = { ...DEFAULT_STATE, model: 'diagonal', depth: 2, alpha: 0.1, eta: 0.5, data: 'gaussian', noise: 0, m: 50, d: 20, loss: 'exponential', steps: 300 };

test('HiGHS that does not load: the references are "unavailable" with the cause, and no gap is computed', async () => {
  // runs first: a failed load is not cached, so the later tests load HiGHS normally
  const { problem } = buildWebProblem(resolveState(DIAG), null);
  const refs = await maxMarginReferences(problem.train, { locateFile: () => '/nonexistent/highs.wasm' });
  assert.equal(refs.status, 'unavailable');
  assert.match((refs as { message: string }).message, /^HiGHS \(WebAssembly\) did not load: /);
  const r = gapReadout(new Float64Array(DIAG.d).fill(1), problem.train, refs);
  assert.ok(Number.isNaN(r.l1Gap) && Number.isNaN(r.l2Gap));
});

test('gaps of a trained diagonal net = maxMargin.ts computed directly; γ = min y·f from the model', async () => {
  const { problem, settings } = buildWebProblem(resolveState(DIAG), null);
  const trainer = new Trainer(problem, settings);
  trainer.run();
  const model = problem.model as DiagonalLinear;
  const beta = model.endToEnd(trainer.theta);
  const { X, y, m, d } = problem.train;
  const refs = await maxMarginReferences(problem.train);
  assert.equal(refs.status, 'ok');
  if (refs.status !== 'ok') return;
  const direct1 = await l1MaxMargin({ X: X as Float64Array, y, N: m, d });
  const direct2 = await l2MaxMargin({ X: X as Float64Array, y, N: m, d });
  assert.deepEqual(refs.l1, direct1.b);
  assert.deepEqual(refs.l2, direct2.b);
  assert.equal(refs.l1Margin, direct1.margin);
  // γ from the model's own predictions (another code path than the read-out's dot products)
  const f = model.predict(trainer.theta, problem.train);
  let gamma = Infinity;
  for (let n = 0; n < m; n++) gamma = Math.min(gamma, y[n]! * f[n]!);
  assert.ok(gamma > 0, `the run separates the data (γ = ${gamma})`);
  const r = gapReadout(beta, problem.train, refs);
  assert.ok(Math.abs(r.gamma - gamma) <= 1e-12 * Math.abs(gamma), `${r.gamma} vs ${gamma}`);
  // the gaps written out by hand: ‖β/γ − b₁‖₁/‖b₁‖₁ and ‖β/γ − b₂‖₂/‖b₂‖₂
  let n1 = 0, d1 = 0, n2 = 0, d2 = 0;
  for (let j = 0; j < d; j++) {
    n1 += Math.abs(beta[j]! / gamma - direct1.b[j]!);
    d1 += Math.abs(direct1.b[j]!);
    n2 += (beta[j]! / gamma - direct2.b[j]!) ** 2;
    d2 += direct2.b[j]! ** 2;
  }
  assert.ok(Math.abs(r.l1Gap - n1 / d1) <= 1e-12, `${r.l1Gap} vs ${n1 / d1}`);
  assert.ok(Math.abs(r.l2Gap - Math.sqrt(n2 / d2)) <= 1e-12, `${r.l2Gap} vs ${Math.sqrt(n2 / d2)}`);
  assert.ok(r.l1Gap > 0 && r.l1Gap < 2 && r.l2Gap > 0 && r.l2Gap < 2);
  // the page's path: γ streamed by the run's worker, the gaps computed when the references arrive
  assert.deepEqual(gapsOf(beta, minMargin(beta, problem.train), refs), r);
  // β = 0 at init: γ = 0, no gap (β/γ is undefined)
  const r0 = gapReadout(new Float64Array(d), problem.train, refs);
  assert.ok(r0.gamma === 0, String(r0.gamma));
  assert.ok(Number.isNaN(r0.l1Gap) && Number.isNaN(r0.l2Gap));
});

test('non-separable data: no max-margin solution, said so; γ ≤ 0', async () => {
  // Gaussian teacher with 30% flipped labels and m ≫ d: not separable through the origin
  const s: ExplorerState = { ...DIAG, noise: 0.3, m: 200, d: 5 };
  const { problem } = buildWebProblem(resolveState(s), null);
  const refs = await maxMarginReferences(problem.train);
  assert.equal(refs.status, 'non-separable');
  assert.match((refs as { message: string }).message, /not linearly separable/);
  const beta = new Float64Array(s.d).fill(0.3);
  const r = gapReadout(beta, problem.train, refs);
  assert.ok(r.gamma < 0);
  assert.equal(r.gamma, minMargin(beta, problem.train));
  assert.ok(Number.isNaN(r.l1Gap));
});

test('largest coordinates: by |β|, ties to the lower index, non-finite last, returned in index order', () => {
  assert.deepEqual(largestCoordinates([0.1, -3, 2, 0, -2, 5], 3), [1, 2, 5]);
  assert.deepEqual(largestCoordinates([1, -1, 1, NaN], 2), [0, 1]);
  assert.deepEqual(largestCoordinates([NaN, 0], 2), [0, 1]);
  assert.deepEqual(largestCoordinates([4, 2], 20), [0, 1]);
});
