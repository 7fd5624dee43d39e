import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildProblem } from '../src/experiments/problem.ts';
import { Trainer } from '../src/train/trainer.ts';
import { runTheory, sweepTheory } from '../src/theory/degenerate.ts';

/**
 * Issue 3: the theory recursion and the two-layer network (prescribed init on degenerate data)
 * agree on the phase of every c of a grid spanning lazy, catapult and divergent, and on the
 * final λ to 1e-8 where the run converged.
 */
const n = 200, f0 = 0.5, lambda0 = 2, steps = 400;
const grids = {
  squared: { p: 1, cs: [0.3, 0.7, 0.95, 1.1, 1.4, 1.7, 1.95, 2.1, 2.6, 4] },
  logistic: { p: 0.3, cs: [0.5, 2, 4, 5.5, 8, 15, 25, 200, 400] },
};

for (const [loss, { p, cs }] of Object.entries(grids) as ['squared' | 'logistic', { p: number; cs: number[] }][]) {
  test(`theory and network agree on every phase: ${loss}`, () => {
    const theory = sweepTheory({ loss, p, y: 1, n }, f0, lambda0, cs, steps);
    assert.deepEqual(new Set(theory.map((s) => s.phase)), new Set(['lazy', 'catapult', 'divergent']), 'the grid spans all three phases');
    let worst = 0;
    cs.forEach((c, i) => {
      const cfg = resolveConfig({
        data: { kind: 'degenerate', m: 10, d: 4, p }, // m·p must be an integer: p is the exact label fraction
        model: { width: n, depth: 2 },
        init: { kind: 'prescribed', f0, lambda0 },
        loss,
        c,
        steps,
        record: { every: 100, denseUntil: 0 },
        curvature: { lambda: true, sharpness: false, gaussNewton: false, every: 1000, maxIter: 20, tol: 1e-12 },
      });
      const { problem, settings } = buildProblem(cfg);
      const s = new Trainer(problem, settings).run();
      assert.equal(s.phase, theory[i].phase, `c = ${c}: network ${s.phase}, theory ${theory[i].phase}`);
      if (s.phase !== 'divergent') {
        // compare λ at the network's last step (theory stops early once converged; λ is then constant)
        const th = runTheory({ setting: { loss, p, y: 1, n }, f0, lambda0, c, steps: s.steps, recordEvery: s.steps });
        const err = Math.abs(s.lambdaFinal - th.summary.lambdaFinal) / th.summary.lambdaFinal;
        worst = Math.max(worst, err);
        assert.ok(err < 1e-8, `c = ${c}: λ_T network ${s.lambdaFinal} vs theory ${th.summary.lambdaFinal}`);
      }
    });
    console.log(`  ${loss}: phases agree for ${cs.length} values of c; worst final-λ relative error ${worst.toExponential(2)}`);
  });
}
