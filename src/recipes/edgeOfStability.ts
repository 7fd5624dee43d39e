import { stepSeriesSpec } from '../report/recipeFigures.ts';
import { edgeOfStabilityReadouts, type EdgeOfStabilityReadouts } from '../train/lr/stability.ts';
import { readRunMetrics, type SweepData } from '../experiments/recipeFiles.ts';
import type { ResultRow } from '../experiments/results.ts';
import { fmt, phaseOf, type Verdict } from '../experiments/verdicts.ts';
import { numOr, s, type FigureOut, type Recipe, type TableOut } from './common.ts';

/**
 * Progressive sharpening and the edge of stability (Cohen et al. 2021), measured. GD at fixed η (given directly, not
 * as c) from a small Gaussian init, squared loss, sharpness S_t measured every few steps. The read-outs per run:
 * S at the start and the end, the first step with η·S ≥ 1.9, and the fraction of the later measured steps with
 * η·S ∈ [1.8, 2.2] (hovering at the edge).
 *
 * The one pass/fail claim is the linear stability of GD's fixed points: a run that has converged (its loss no
 * longer moves) sits at a minimum where η·S ≤ 2, or GD would be repelled from it. Everything about *how* a large
 * step gets there (sharpening, a catapult to a flatter minimum, or hovering) is reported, not judged: the theory
 * of the paper predicts no progressive sharpening for linear networks, and neighbours §C says nonlinear networks
 * show it; the ReLU arm joins this recipe once that model exists.
 */

/** Relative change of the loss over the last 10% of the steps below which a run counts as converged. */
const CONVERGED_REL = 1e-6;
/** Slack on η·S ≤ 2 for Lanczos error and the last measured step (1%). */
const STABILITY_SLACK = 1.01;

interface RunView {
  row: ResultRow;
  eta: number;
  seed: number;
  readouts: EdgeOfStabilityReadouts;
  converged: boolean;
  metrics: Record<string, number>[];
}

function view(data: SweepData, row: ResultRow): RunView {
  const metrics = readRunMetrics(data.dir, row);
  const eta = numOr(s(row).eta);
  const readouts = edgeOfStabilityReadouts(metrics.map((m) => ({ step: m.step, eta: m.eta, sharpness: m.sharpness })));
  const losses = metrics.map((m) => m.loss).filter(Number.isFinite);
  const tail = losses.slice(Math.floor(0.9 * losses.length));
  const converged = phaseOf(row) !== 'divergent' && tail.length > 1 && (Math.max(...tail) - Math.min(...tail)) <= CONVERGED_REL * Math.abs(tail[tail.length - 1]);
  return { row, eta, seed: Number(row.values.seed), readouts, converged, metrics };
}

export const edgeOfStability: Recipe = {
  name: 'edge-of-stability',
  study: 'relu',
  title: 'Progressive sharpening and the edge of stability',
  description:
    'Full-batch GD at fixed learning rates η from a small Gaussian init (squared loss, Gaussian data with label noise): the sharpness S_t (top Hessian eigenvalue, Lanczos) along training against the stability edge 2/η. Read-outs: the first step with η·S ≥ 1.9 and the fraction of later measured steps with η·S ∈ [1.8, 2.2].',
  analyze({ sweeps }) {
    const data = sweeps.linear;
    const runs = data.rows.map((r) => view(data, r)).sort((a, b) => a.eta - b.eta || a.seed - b.seed);
    const verdicts: Verdict[] = [];
    const conv = runs.filter((v) => v.converged);
    const worst = conv.reduce<RunView | null>((w, v) => (w === null || numOr(s(v.row).etaSharpnessFinal) > numOr(s(w.row).etaSharpnessFinal) ? v : w), null);
    verdicts.push({
      claim: 'A converged GD run ends at a minimum that is linearly stable for its step: η·S_T ≤ 2',
      measured: conv.length ? `${conv.length} converged runs; largest η·S_T = ${fmt(numOr(s(worst!.row).etaSharpnessFinal), 4)} (η = ${fmt(worst!.eta)}, seed ${worst!.seed})` : 'no run converged',
      predicted: 'η·S_T ≤ 2 (GD on a quadratic with curvature S is stable iff η·S ≤ 2)',
      pass: conv.length === 0 ? null : conv.every((v) => numOr(s(v.row).etaSharpnessFinal) <= 2 * STABILITY_SLACK),
      rule: `runs whose loss varies by ≤ ${CONVERGED_REL} (relative) over the last 10% of the steps; ✓ when every one has η·S_T ≤ 2·${STABILITY_SLACK}`,
    });
    const smallest = runs.filter((v) => v.eta === runs[0]?.eta);
    if (smallest.length) {
      const ratios = smallest.map((v) => v.readouts.sharpnessLast / v.readouts.sharpnessFirst);
      verdicts.push({
        claim: `Progressive sharpening at the smallest step (η = ${fmt(smallest[0].eta)}): S_T/S_0`,
        measured: ratios.map((r) => fmt(r, 3)).join(', ') + ' (per seed)',
        predicted: 'reported: sharpening (> 1) is the nonlinear-network phenomenon of Cohen et al.; deep linear nets from small init also sharpen as the weights grow',
        pass: null,
        rule: 'observation',
      });
    }
    const big = runs.filter((v) => v.readouts.stepReached !== null);
    verdicts.push({
      claim: 'Runs whose η·S reached 1.9: how much of the rest of training they spent at the edge (η·S ∈ [1.8, 2.2])',
      measured: big.length ? big.map((v) => `η = ${fmt(v.eta)} seed ${v.seed}: ${v.readouts.fractionInBand === null ? '—' : fmt(v.readouts.fractionInBand, 2)} (${phaseOf(v.row)}${v.converged ? ', converged' : ''})`).join('; ') : 'no run reached η·S ≥ 1.9',
      predicted: 'reported: hovering (a large fraction) is the edge of stability; a small fraction with convergence is a catapult to a flatter minimum',
      pass: null,
      rule: 'observation',
    });
    const seed0 = runs.filter((v) => v.seed === runs[0]?.seed && phaseOf(v.row) !== 'divergent');
    const figures: FigureOut[] = [
      {
        name: 'eta-sharpness',
        caption: 'η·S_t against the step, one line per η (first seed; 2 is the edge of stability).',
        spec: stepSeriesSpec(seed0.map((v) => ({ label: `η = ${fmt(v.eta)}`, rows: v.metrics.map((m) => ({ step: m.step, value: m.eta * m.sharpness })) })), { yTitle: 'η·S_t', title: 'Edge of stability, deep linear net', yLog: true }),
      },
      {
        name: 'sharpness',
        caption: 'S_t against the step (first seed): progressive sharpening at small η, and where large steps take it.',
        spec: stepSeriesSpec(seed0.map((v) => ({ label: `η = ${fmt(v.eta)}`, rows: v.metrics.map((m) => ({ step: m.step, value: m.sharpness })) })), { yTitle: 'S_t', title: 'Sharpness along training', yLog: true }),
      },
    ];
    const table: TableOut = {
      caption: 'Every run: sharpness at the start and end, the edge read-outs, the final loss.',
      header: ['η', 'seed', 'phase', 'converged', 'S_0', 'S_T', 'max η·S', 'step η·S ≥ 1.9', 'fraction in [1.8, 2.2]', 'η·S_T', 'L_T'],
      rows: runs.map((v) => [fmt(v.eta), String(v.seed), phaseOf(v.row), v.converged ? 'yes' : 'no', fmt(v.readouts.sharpnessFirst, 4), fmt(v.readouts.sharpnessLast, 4), fmt(v.readouts.max, 3), v.readouts.stepReached === null ? '—' : String(v.readouts.stepReached), v.readouts.fractionInBand === null ? '—' : fmt(v.readouts.fractionInBand, 2), fmt(numOr(s(v.row).etaSharpnessFinal), 4), fmt(numOr(s(v.row).lossFinal), 5)]),
    };
    return { figures, tables: [table], verdicts };
  },
};
