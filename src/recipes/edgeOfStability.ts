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
 * Verdicts: (1) the linear stability of GD's fixed points: a run that has converged (its loss no longer moves) sits
 * at a minimum where η·S ≤ 2, or GD would be repelled from it; (2) neighbours §C's contrast: a ReLU MLP that reaches
 * η·S ≈ 2 hovers there (Cohen et al.), a linear net does not. Progressive sharpening itself is reported. The recipe
 * runs both a depth-3 linear net from a small init and a ReLU MLP with two hidden layers.
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

/** The recipe's sweeps: the paper's deep linear net and a two-hidden-layer ReLU MLP. */
const ARMS = [
  { key: 'linear', label: 'deep linear net', hovers: false },
  { key: 'relu', label: 'ReLU MLP', hovers: true },
];
/** Hovering: at least this fraction of the measured steps after η·S first reached 1.9 lie in [1.8, 2.2]. */
const HOVER_FRACTION = 0.5;
/** Measured steps after reaching 1.9 needed to judge hovering. */
const MIN_STEPS_AFTER = 10;

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
    'Full-batch GD at fixed learning rates η on a depth-3 linear net from a small Gaussian init and on a ReLU MLP with two hidden layers of 64 (squared loss, Gaussian data with label noise): the sharpness S_t (top Hessian eigenvalue, Lanczos) along training against the stability edge 2/η. Read-outs: the first step with η·S ≥ 1.9 and the fraction of later measured steps with η·S ∈ [1.8, 2.2].',
  analyze({ sweeps }) {
    const arms = ARMS.filter((a) => sweeps[a.key]).map((a) => ({ ...a, runs: sweeps[a.key].rows.map((r) => view(sweeps[a.key], r)).sort((x, y) => x.eta - y.eta || x.seed - y.seed) }));
    const all = arms.flatMap((a) => a.runs.map((v) => ({ arm: a.label, v })));
    const verdicts: Verdict[] = [];
    const conv = all.filter((x) => x.v.converged);
    const worst = conv.reduce<(typeof all)[number] | null>((w, x) => (w === null || numOr(s(x.v.row).etaSharpnessFinal) > numOr(s(w.v.row).etaSharpnessFinal) ? x : w), null);
    verdicts.push({
      claim: 'A converged GD run ends at a minimum that is linearly stable for its step: η·S_T ≤ 2',
      measured: worst ? `${conv.length} converged runs; largest η·S_T = ${fmt(numOr(s(worst.v.row).etaSharpnessFinal), 4)} (${worst.arm}, η = ${fmt(worst.v.eta)}, seed ${worst.v.seed})` : 'no run converged',
      predicted: 'η·S_T ≤ 2 (GD on a quadratic with curvature S is stable iff η·S ≤ 2)',
      pass: conv.length === 0 ? null : conv.every((x) => numOr(s(x.v.row).etaSharpnessFinal) <= 2 * STABILITY_SLACK),
      rule: `runs whose loss varies by ≤ ${CONVERGED_REL} (relative) over the last 10% of the steps; ✓ when every one has η·S_T ≤ 2·${STABILITY_SLACK}`,
    });
    const figures: FigureOut[] = [];
    for (const arm of arms) {
      const smallest = arm.runs.filter((v) => v.eta === arm.runs[0]?.eta);
      if (smallest.length) {
        verdicts.push({
          claim: `${arm.label}: progressive sharpening at the smallest step (η = ${fmt(smallest[0].eta)}): S_T/S_0`,
          measured: smallest.map((v) => fmt(v.readouts.sharpnessLast / v.readouts.sharpnessFirst, 3)).join(', ') + ' (per seed)',
          predicted: 'reported: sharpening (> 1) is what Cohen et al. see in nonlinear networks; deep linear nets from a small init also sharpen as the weights grow',
          pass: null,
          rule: 'observation',
        });
      }
      const big = arm.runs.filter((v) => v.readouts.stepReached !== null);
      // runs that reached the edge, stayed finite and were measured long enough after it to judge hovering
      const judged = big.filter((v) => phaseOf(v.row) !== 'divergent' && v.readouts.stepsAfter >= MIN_STEPS_AFTER);
      const hovering = judged.filter((v) => (v.readouts.fractionInBand ?? 0) >= HOVER_FRACTION);
      const measured = big.length ? big.map((v) => `η = ${fmt(v.eta)} seed ${v.seed}: from step ${v.readouts.stepReached}, ${v.readouts.fractionInBand === null ? '—' : fmt(v.readouts.fractionInBand, 2)} (${phaseOf(v.row)}${v.converged ? ', converged' : ''})`).join('; ') : 'no run reached η·S ≥ 1.9';
      verdicts.push({
        claim: arm.hovers
          ? `${arm.label}: once η·S reaches 1.9 it hovers at the edge of stability instead of diverging`
          : `${arm.label}: no edge-of-stability hovering (linear networks do not show it)`,
        measured: `${measured}; fraction in [1.8, 2.2] after reaching 1.9, per run`,
        predicted: arm.hovers
          ? `fraction ≥ ${HOVER_FRACTION} for every finite run that reached 1.9 (Cohen et al. 2021; neighbours §C)`
          : `fraction < ${HOVER_FRACTION} for every such run (neighbours §C: linear nets do not show it; they catapult to a flatter minimum or oscillate)`,
        pass: judged.length === 0 ? null : arm.hovers ? hovering.length === judged.length : hovering.length === 0,
        rule: `finite runs that reached η·S ≥ 1.9 with ≥ ${MIN_STEPS_AFTER} measured steps after it; ${arm.hovers ? 'every one' : 'none'} with fraction ≥ ${HOVER_FRACTION} (an observation when there is no such run)`,
      });
      const seed0 = arm.runs.filter((v) => v.seed === arm.runs[0]?.seed && phaseOf(v.row) !== 'divergent');
      figures.push(
        {
          name: `eta-sharpness-${arm.key}`,
          caption: `${arm.label}: η·S_t against the step, one line per η (first seed; 2 is the edge of stability).`,
          spec: stepSeriesSpec(seed0.map((v) => ({ label: `η = ${fmt(v.eta)}`, rows: v.metrics.map((m) => ({ step: m.step, value: m.eta * m.sharpness })) })), { yTitle: 'η·S_t', title: `Edge of stability, ${arm.label}`, yLog: true }),
        },
        {
          name: `sharpness-${arm.key}`,
          caption: `${arm.label}: S_t against the step (first seed): progressive sharpening at small η, and where large steps take it.`,
          spec: stepSeriesSpec(seed0.map((v) => ({ label: `η = ${fmt(v.eta)}`, rows: v.metrics.map((m) => ({ step: m.step, value: m.sharpness })) })), { yTitle: 'S_t', title: `Sharpness along training, ${arm.label}`, yLog: true }),
        },
      );
    }
    const table: TableOut = {
      caption: 'Every run: sharpness at the start and end, the edge read-outs, the final loss.',
      header: ['model', 'η', 'seed', 'phase', 'converged', 'S_0', 'S_T', 'max η·S', 'step η·S ≥ 1.9', 'fraction in [1.8, 2.2]', 'η·S_T', 'L_T'],
      rows: all.map(({ arm, v }) => [arm, fmt(v.eta), String(v.seed), phaseOf(v.row), v.converged ? 'yes' : 'no', fmt(v.readouts.sharpnessFirst, 4), fmt(v.readouts.sharpnessLast, 4), fmt(v.readouts.max, 3), v.readouts.stepReached === null ? '—' : String(v.readouts.stepReached), v.readouts.fractionInBand === null ? '—' : fmt(v.readouts.fractionInBand, 2), fmt(numOr(s(v.row).etaSharpnessFinal), 4), fmt(numOr(s(v.row).lossFinal), 5)]),
    };
    return { figures, tables: [table], verdicts };
  },
};
