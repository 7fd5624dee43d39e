import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRealPhase, firstAtLoss, lateLossRises, type TrajectoryPoint } from '../src/experiments/realPhase.ts';
import { pairedDifference, seedStats, solverCheck } from '../src/experiments/verdicts.ts';
import { classifyPhase } from '../src/theory/phase.ts';

const pt = (step: number, loss: number, lambda = NaN, etaSharpness = NaN): TrajectoryPoint => ({ step, loss, lambda, etaSharpness });

test('late loss rises: step of the peak, height over the running minimum, η·S and λ drop around it', () => {
  const traj = [pt(0, 1, 2, 0.5), pt(10, 0.5), pt(100, 0.2, 4, 1.9), pt(110, 0.25), pt(120, 0.6), pt(130, 0.9), pt(140, 0.4), pt(150, 0.19, 3, 1.0), pt(200, 0.18, 3.1, 1.1)];
  const rises = lateLossRises(traj);
  assert.equal(rises.length, 1);
  assert.deepEqual(rises[0], { step: 130, height: 0.9 / 0.2, etaSharpness: 1.9, lambdaDrop: 3 / 4 });
  // no rise within the early window, none below the 1.5× factor
  assert.deepEqual(lateLossRises([pt(0, 1), pt(5, 0.5), pt(10, 2), pt(30, 0.4), pt(40, 0.55)]), []);
});

test('real-data phases: early catapult, late catapult, edge of stability, lazy, against the lazy baseline', () => {
  const base = { diverged: false, lossInitial: 1, lambda0: 2 };
  // λ grows 3× in the lazy baseline; a run that only grows 2× ends below it
  const early = classifyRealPhase({ ...base, lambdaFinal: 4, trajectory: [pt(0, 1, 2, 1), pt(1, 3), pt(2, 0.5, 1, 0.8), pt(500, 0.1, 4, 1.2)] }, 3);
  assert.equal(early.phase, 'catapult-early');
  assert.ok(Math.abs(early.lambdaVsBaseline - 2 / 3) < 1e-12);
  // the same early rise without ending below the baseline (separable-like: λ grows past it) is not a catapult
  assert.equal(classifyRealPhase({ ...base, lambdaFinal: 7, trajectory: [pt(0, 1, 2, 1), pt(1, 3), pt(500, 0.01, 7, 0.1)] }, 3).phase, 'lazy');
  // a late spike across which λ falls: late catapult, even if λ_T is above the baseline
  const late = classifyRealPhase({ ...base, lambdaFinal: 6.5, trajectory: [pt(0, 1, 2, 0.3), pt(100, 0.2, 5, 1.95), pt(105, 2), pt(110, 0.3, 3, 1.0), pt(400, 0.15, 6.5, 1.5)] }, 3);
  assert.equal(late.phase, 'catapult-late');
  assert.equal(late.lateRise!.step, 105);
  assert.equal(late.lateRise!.etaSharpness, 1.95);
  // η·S hovering at the edge without a spike
  assert.equal(classifyRealPhase({ ...base, lambdaFinal: 6, trajectory: [pt(0, 1, 2, 0.3), pt(100, 0.2, 5, 1.5), pt(200, 0.19, 6, 1.85)] }, 3).phase, 'edge-of-stability');
  assert.equal(classifyRealPhase({ ...base, lambdaFinal: 6, trajectory: [pt(0, 1, 2, 0.3), pt(200, 0.19, 6, 1.2)] }, 3).phase, 'lazy');
  assert.equal(classifyRealPhase({ ...base, diverged: true, lambdaFinal: NaN, trajectory: [pt(0, 1), pt(3, 1e9)] }, 3).phase, 'divergent');
  // the trainer's degenerate-data rule is untouched
  assert.equal(classifyPhase({ diverged: false, lossInitial: 1, lossMax: 2, lambda0: 2, lambdaFinal: 1.5 }), 'catapult');
});

test('equal-loss comparison and paired seed statistics against hand values', () => {
  const rows = [{ step: 0, loss: 1, testAccuracy: 0.5 }, { step: 10, loss: 0.3, testAccuracy: 0.8 }, { step: 20, loss: 0.2, testAccuracy: 0.9 }];
  assert.equal(firstAtLoss(rows, 0.25)!.step, 20);
  assert.equal(firstAtLoss(rows, 0.1), null);
  const st = seedStats([1, 2, 3, 4]);
  assert.equal(st.mean, 2.5);
  assert.ok(Math.abs(st.sd - Math.sqrt(5 / 3)) < 1e-12);
  assert.ok(Math.abs(st.se - Math.sqrt(5 / 3) / 2) < 1e-12);
  // differences 0.02, 0.03, 0.01: mean 0.02, sd 0.01, se 0.01/√3 → 0.02 > 2·0.00577: better
  const a = new Map([[0, 0.92], [1, 0.93], [2, 0.91]]), b = new Map([[0, 0.9], [1, 0.9], [2, 0.9]]);
  assert.equal(pairedDifference(a, b).verdict, 'better');
  assert.equal(pairedDifference(b, a).verdict, 'worse');
  assert.equal(pairedDifference(new Map([[0, 0.92], [1, 0.88]]), new Map([[0, 0.9], [1, 0.9]])).verdict, 'not distinguishable');
  const rowsS = [
    { index: 0, hash: 'a', values: { c: 1 }, summary: { c: 1, solver: { lambdaFinal: { value: 1, residual: 1e-9, iterations: 10, converged: true } } } },
    { index: 1, hash: 'b', values: { c: 2 }, summary: { c: 2, solver: { lambdaFinal: { value: 1, residual: 1e-3, iterations: 40, converged: false } } } },
  ];
  const chk = solverCheck(rowsS as never, 'lambdaFinal');
  assert.equal(chk.ok, false);
  assert.deepEqual(chk.unconverged, ['c = 2']);
  assert.equal(chk.maxResidual, 1e-3);
});
