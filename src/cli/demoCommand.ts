import type { Command } from 'commander';
import { resolveConfig, type RunConfigInput } from '../experiments/config.ts';
import { buildProblem } from '../experiments/problem.ts';
import { Trainer } from '../train/trainer.ts';
import { runTheory, predictedBoundaries } from '../theory/degenerate.ts';
import { formatSummaryLine } from './format.ts';
import { createProgress } from './progress.ts';

/**
 * `npm start`: the catapult in one screen. The two-layer net on degenerate non-separable data
 * (logistic loss) at learning rates on both sides of c* = 1/(p(1−p)) and beyond, each run next
 * to the exact two-float theory of the same setting.
 */
export const DEMO_BASE: RunConfigInput = {
  seed: 0,
  data: { kind: 'degenerate', m: 100, d: 10, p: 0.3 },
  model: { depth: 2, width: 1000 },
  init: { kind: 'gaussian' },
  loss: 'logistic',
  steps: 3000,
  record: { every: 50, denseUntil: 50 },
  curvature: { lambda: true, sharpness: true, gaussNewton: false, every: 50, maxIter: 40, tol: 1e-9 },
};
export const DEMO_CS = [0.5, 3, 6, 20, 200];

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('short demo: uv net on degenerate non-separable data at c = 0.5, 3, 6, 20, 200, with the theory prediction')
    .option('-q, --quiet', 'no progress output')
    .action((opts: { quiet?: boolean }) => {
      const p = 0.3;
      const b = predictedBoundaries({ loss: 'logistic', p, n: 1000 });
      console.log(`uv net, width 1000, logistic loss, degenerate data (m = 100, d = 10, p = ${p}); ${DEMO_BASE.steps} GD steps`);
      console.log(`theory: lazy below c* = 1/(p(1−p)) = ${b.cLazy?.toFixed(3)}; above it the loss rises, λ drops and GD settles where η·S ≈ 2\n`);
      console.log(`${formatSummaryLine(null as never, true)}   theory`);
      for (const c of DEMO_CS) {
        const cfg = resolveConfig({ ...DEMO_BASE, c });
        const { problem, settings } = buildProblem(cfg);
        const trainer = new Trainer(problem, settings);
        const progress = createProgress(cfg.steps, `c = ${c}`, Boolean(opts.quiet) || !process.stderr.isTTY);
        const s = trainer.run((pr) => progress.update(pr.step));
        progress.stop();
        // theory from the network's own initial (f0, λ0): same setting, exact recursion
        const th = runTheory({ setting: { loss: 'logistic', p, n: 1000 }, f0: trainer.metrics[0].fMean, lambda0: trainer.lambda0, c, steps: cfg.steps });
        console.log(`${formatSummaryLine(s)}   ${th.summary.phase}`);
      }
    });
}
