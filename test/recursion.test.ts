import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { prescribedInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { degenerateData } from '../src/data/generators.ts';
import { Trainer, DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../src/train/trainer.ts';
import { hessianTop, theoryStep, type DegenerateSetting } from '../src/theory/degenerate.ts';

/**
 * The strongest end-to-end check: the full two-layer network, trained by the generic code on
 * degenerate data from the prescribed (f0, λ0) init, must follow the exact two-float recursion
 * of theory §6 to round-off, including the Lanczos-measured λ and Hessian top eigenvalue S.
 */
const n = 64, d = 5, m = 10, steps = 500;
const cases = [
  { loss: 'squared' as const, p: 1, c: 0.5, phase: 'lazy' },
  { loss: 'squared' as const, p: 1, c: 1.5, phase: 'catapult' },
  { loss: 'logistic' as const, p: 0.3, c: 3, phase: 'lazy' },
  { loss: 'logistic' as const, p: 0.3, c: 8, phase: 'catapult' },
];

for (const cs of cases) {
  test(`network = recursion over ${steps} steps: ${cs.loss}, c = ${cs.c} (${cs.phase})`, () => {
    const f0 = 0.3, lambda0 = 1;
    const model = new DeepLinear({ d, width: n, depth: 2 });
    const settings: TrainSettings = {
      ...DEFAULT_TRAIN_SETTINGS,
      steps,
      lr: { c: cs.c },
      record: { every: 1, denseUntil: 0 },
      curvature: { lambda: true, sharpness: true, gaussNewton: false, every: 25, maxIter: 80, tol: 1e-12 },
    };
    const trainer = new Trainer({ model, loss: getLoss(cs.loss), train: degenerateData({ m, d, p: cs.p }), theta0: prescribedInit(model, f0, lambda0) }, settings);
    const summary = trainer.run();
    const setting: DegenerateSetting = { loss: cs.loss, p: cs.p, y: 1, n };
    let st = { f: f0, lambda: lambda0 };
    let errF = 0, errL = 0, errS = 0, lossRose = false;
    const eta = trainer.eta;
    assert.ok(Math.abs(trainer.lambda0 - lambda0) < 1e-12, `λ0 measured ${trainer.lambda0}`);
    for (const row of trainer.metrics) {
      while (row.step > 0 && st !== null && rowStepOf(st) < row.step) st = advance(st, eta, setting);
      // f is relative to its own scale along the run (it passes through 0 in a catapult)
      errF = Math.max(errF, Math.abs(row.fMean - st.f) / Math.max(Math.abs(st.f), Math.abs(f0)));
      if (!Number.isNaN(row.lambda)) errL = Math.max(errL, Math.abs(row.lambda - st.lambda) / st.lambda);
      if (!Number.isNaN(row.sharpness)) {
        const S = hessianTop(st.f, st.lambda, setting);
        errS = Math.max(errS, Math.abs(row.sharpness - S) / S);
      }
      if (row.loss > trainer.metrics[0].loss * (1 + 1e-9)) lossRose = true;
    }
    console.log(`  ${cs.loss} c=${cs.c}: max rel err f ${errF.toExponential(2)}, λ ${errL.toExponential(2)}, S ${errS.toExponential(2)}; phase ${summary.phase}`);
    assert.ok(errF <= 1e-10, `f error ${errF}`);
    assert.ok(errL <= 1e-10, `λ error ${errL}`);
    assert.ok(errS <= 1e-9, `S error ${errS}`);
    assert.equal(summary.phase, cs.phase);
    assert.equal(lossRose, cs.phase === 'catapult');
  });
}

// the recursion state carries its own step counter for the comparison loop above
type Counted = { f: number; lambda: number; t?: number };
function rowStepOf(s: Counted): number {
  return s.t ?? 0;
}
function advance(s: Counted, eta: number, setting: DegenerateSetting): Counted {
  return { ...theoryStep(s, eta, setting), t: (s.t ?? 0) + 1 };
}
