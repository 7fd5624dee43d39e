import { pow } from '../linalg/detmath.ts';
import { stepSeriesSpec, xySpec, type XYPoint } from '../report/recipeFigures.ts';
import { incrementalThreshold, type IncrementalResult } from '../theory/incremental.ts';
import { l2MaxMargin } from '../theory/maxMargin.ts';
import { cosine, firstReach, flowHalfTimes, fractionTimes, learningOrder, runSeparator, sequentialByHalfTimes, strictlyOrdered, type SeparatorRun } from '../experiments/incrementalReadouts.ts';
import { deepLinearOf } from '../experiments/config.ts';
import { readRunConfig, readRunMetrics, type SweepData } from '../experiments/recipeFiles.ts';
import type { ResultRow } from '../experiments/results.ts';
import { fmt, mean, phaseOf, type Verdict } from '../experiments/verdicts.ts';
import { s, type FigureOut, type Recipe, type RecipeOutput, type TableOut } from './common.ts';

/**
 * Incremental learning and depth (neighbours §B, Gissin, Shalev-Shwartz & Daniely 2020): (a) the two-value toy
 * model's largest ε-incremental init against §B's criteria; (b) deep matrix sensing, singular values of
 * P = W_N⋯W_1 over time for N = 1, 2, 3; (c) the same panel for the paper's deep linear net in the lazy and the
 * catapult phase; (d) the diagonal separator (depth 1–5). Node-only (reads run directories).
 */

const fmtT = (t: number | null) => (t === null ? '—' : String(t));

/** "1 < 3 = 2 < 4": the coordinates (1-based) in order of their times, '=' for ties, '—' for never. */
function orderText(times: readonly (number | null)[]): string {
  const order = learningOrder(times);
  return order.map((j, i) => (i === 0 ? '' : times[j] !== null && times[j] === times[order[i - 1]] ? ' = ' : ' < ') + (times[j] === null ? `${j + 1}(—)` : String(j + 1))).join('');
}

/** (a) σ₀_max(N, r, ε) vs the criteria, with verdicts per depth class. */
function toyPart(p: { eps: number; depths: number[]; rs: number[] }): { tables: TableOut[]; figures: FigureOut[]; verdicts: Verdict[] } {
  const { eps, depths, rs } = p;
  const res: IncrementalResult[] = depths.flatMap((N) => rs.map((r) => incrementalThreshold(N, r, eps)));
  // N = 2: the criterion is the ε → 0 leading order of the exact condition; the next order multiplies σ₀_max by
  // (1−ε)^{−(1+r)/(1−r)} (up to O(σ₀)): derived from the closed-form logistic hitting times.
  const n2Factor = (r: number) => pow(1 - eps, -(1 + r) / (1 - r));
  const table: TableOut = {
    caption: `Two-value toy (σ₁* = 1, σ₂* = r, ε = ${eps}): the largest ε-incremental init σ₀_max from exact hitting times vs §B's criterion (derived: N = 2 (ε^{1+r} r)^{1/(1−r)}, N ≥ 3 ε r (1−r)^{N/(N−2)}, N = 1 never)`,
    header: ['N', 'r', 'σ₀_max', 'log₁₀ σ₀_max', 'criterion', 'σ₀_max / criterion', 'N = 2: (1−ε)^{−(1+r)/(1−r)}'],
    rows: res.map((x) => [String(x.depth), String(x.r), fmt(x.sigma0Max), fmt(x.log10Sigma0Max), fmt(x.criterion), fmt(x.ratio), x.depth === 2 ? fmt(n2Factor(x.r)) : '']),
  };
  const verdicts: Verdict[] = [];
  const d1 = res.filter((x) => x.depth === 1);
  if (d1.length) {
    verdicts.push({
      claim: `Depth 1 is never ε-incremental (ε = ${eps} ≤ ½)`,
      measured: `${d1.filter((x) => x.sigma0Max === null).length} of ${d1.length} (r ∈ {${rs.join(', ')}}) have no incremental init`,
      predicted: 'none has one',
      pass: d1.every((x) => x.sigma0Max === null),
      rule: 'σ₀_max from exact hitting times (null = no σ₀ > 0 is incremental)',
    });
  }
  const d2 = res.filter((x) => x.depth === 2);
  if (d2.length) {
    const ok = d2.every((x) => x.ratio !== null && x.ratio >= 1 && Math.abs(x.ratio / n2Factor(x.r) - 1) <= 1e-3);
    verdicts.push({
      claim: 'N = 2: σ₀ ≤ (ε^{1+r} r)^{1/(1−r)} is incremental, and sharp to leading order in ε (derived)',
      measured: `σ₀_max/criterion = ${d2.map((x) => `${fmt(x.ratio)} (r ${x.r})`).join(', ')}`,
      predicted: `≥ 1, and = (1−ε)^{−(1+r)/(1−r)} = ${d2.map((x) => fmt(n2Factor(x.r))).join(', ')}`,
      pass: ok,
      rule: 'ratio ≥ 1 and within 0.1% of the next-order factor (1−ε)^{−(1+r)/(1−r)} (the remaining correction is O(σ₀) ≲ 1e-6)',
    });
  }
  const d3 = res.filter((x) => x.depth >= 3);
  if (d3.length) {
    const ratios = d3.map((x) => x.ratio ?? NaN);
    verdicts.push({
      claim: 'N ≥ 3: σ₀_max ≍ ε r (1−r)^{N/(N−2)} (polynomial in ε and 1−r)',
      measured: `σ₀_max/criterion in [${fmt(Math.min(...ratios))}, ${fmt(Math.max(...ratios))}] over N ∈ {${[...new Set(d3.map((x) => x.depth))].join(', ')}}, r ∈ {${rs.join(', ')}}, while σ₀_max spans ${fmt(Math.min(...d3.map((x) => x.sigma0Max ?? NaN)))} … ${fmt(Math.max(...d3.map((x) => x.sigma0Max ?? NaN)))}`,
      predicted: 'within a constant factor of the criterion',
      pass: ratios.every((q) => q >= 0.5 && q <= 2),
      rule: '§B states "≲" (up to a constant): every ratio within [½, 2]; a wrong exponent of (1−r) would leave this band at r = 0.9 (e.g. (1−r)¹ instead of (1−r)³ at N = 3 is a factor 100)',
    });
  }
  // xySpec has five colours: one figure for σ₀_max itself, one for its ratio to the criterion
  const withCriterion = res.filter((x) => x.depth >= 2);
  const levels: XYPoint[] = withCriterion.map((x) => ({ x: x.r, y: x.log10Sigma0Max ?? NaN, source: `N = ${x.depth}` }));
  const ratios: XYPoint[] = [
    ...withCriterion.map((x) => ({ x: x.r, y: x.ratio ?? NaN, source: `N = ${x.depth}` })),
    ...rs.map((r) => ({ x: r, y: n2Factor(r), source: 'N = 2: next order in ε' })),
  ];
  const figures: FigureOut[] = [
    {
      name: 'incremental-toy',
      caption: 'log₁₀ σ₀_max (exact hitting times) against r: exponentially small in 1/(1−r) at N = 2, polynomial at N ≥ 3.',
      spec: xySpec(levels, { xTitle: 'r = σ₂*/σ₁*', yTitle: 'log₁₀ σ₀_max', title: `Largest ε-incremental init, ε = ${eps}` }),
    },
    {
      name: 'incremental-toy-ratio',
      caption: 'σ₀_max divided by §B\'s criterion: at N = 2 it follows the next-order factor (1−ε)^{−(1+r)/(1−r)} (dashed), at N ≥ 3 it stays within a constant factor of 1.',
      spec: xySpec(ratios, { xTitle: 'r = σ₂*/σ₁*', yTitle: 'σ₀_max / criterion', title: 'Exact threshold vs criterion', lineSources: ['N = 2: next order in ε'] }),
    },
  ];
  return { tables: [table], figures, verdicts };
}

/** The singular-value columns sv1..svk of a run's metrics.csv as series over the recorded steps that have them. */
function singularValueSeries(data: SweepData, row: ResultRow): { steps: number[]; sv: number[][] } {
  const rows = readRunMetrics(data.dir, row).filter((m) => Number.isFinite(m.sv1));
  const k = Object.keys(rows[0] ?? {}).filter((c) => /^sv\d+$/.test(c)).length;
  return { steps: rows.map((m) => m.step), sv: Array.from({ length: k }, (_, i) => rows.map((m) => m[`sv${i + 1}`])) };
}

const svFigure = (name: string, caption: string, title: string, steps: number[], sv: number[][], maxLines = sv.length): FigureOut => ({
  name,
  caption,
  spec: stepSeriesSpec(sv.slice(0, maxLines).map((series, i) => ({ label: `σ${i + 1}`, rows: steps.map((t, k) => ({ step: t, value: series[k] })) })), { yTitle: 'singular value', yLog: true, title }),
});

/** (b) deep matrix sensing: half-times of the singular values of P for each depth, and the sequential rule. */
function sensingPart(sweeps: Record<string, SweepData>, p: { sigma0: number; separationFactor: number }): { tables: TableOut[]; figures: FigureOut[]; verdicts: Verdict[] } {
  const F = p.separationFactor;
  const figures: FigureOut[] = [];
  const verdicts: Verdict[] = [];
  const tableRows: string[][] = [];
  const keys = Object.keys(sweeps).filter((k) => k.startsWith('sensing-N')).sort();
  for (const key of keys) {
    const data = sweeps[key];
    const cfg = readRunConfig(data.dir, data.rows[0]);
    if (cfg.model.kind !== 'matrix-factorization' || cfg.data.kind !== 'matrix-sensing') throw new Error(`${key}: expected a matrix-factorization run on matrix-sensing data`);
    const N = cfg.model.depth;
    const eta = cfg.eta!;
    const targets = [...(cfg.data.singularValues ?? [])].sort((a, b) => b - a);
    const predictedSteps = flowHalfTimes(N, p.sigma0, targets).map((t) => t / eta);
    const predicted = sequentialByHalfTimes(predictedSteps, F);
    const outcomes = data.rows.map((row) => {
      const { steps, sv } = singularValueSeries(data, row);
      const half = targets.map((t, i) => firstReach(steps, sv[i], t / 2));
      const rule = sequentialByHalfTimes(half, F);
      // σ₂/σ₂* when σ₁ first reaches half its target: the "one at a time" picture in one number
      const k1 = half[0] === null ? -1 : steps.indexOf(half[0]);
      const second = k1 >= 0 && sv.length > 1 ? sv[1][k1] / targets[1] : NaN;
      tableRows.push([String(N), String(row.values.seed), ...half.map(fmtT), fmt(rule.minRatio, 3), rule.sequential ? 'yes' : 'no', fmt(second, 3), sv.map((x) => fmt(x[x.length - 1], 3)).join(', ')]);
      return { seed: row.values.seed, half, rule, steps, sv };
    });
    const first = outcomes[0];
    if (first) {
      figures.push(svFigure(`sensing-N${N}`, `Deep matrix sensing, N = ${N} (seed ${first.seed}): singular values of P = W_N⋯W_1 against the step (init σ_i(P) = ${fmt(p.sigma0)}, target ${targets.join(', ')}).`, `Singular values of P, N = ${N}`, first.steps, first.sv));
    }
    const nSeq = outcomes.filter((o) => o.rule.sequential).length;
    const expectSequential = N >= 2;
    verdicts.push({
      claim: `Deep matrix sensing, N = ${N}: the singular values of P are ${expectSequential ? '' : 'not '}learned one at a time`,
      measured: `${nSeq} of ${outcomes.length} seeds sequential; min ratio t_{i+1}/t_i per seed: ${outcomes.map((o) => fmt(o.rule.minRatio, 3)).join(', ')}; half-times (steps) ${outcomes.map((o) => `[${o.half.map(fmtT).join(', ')}]`).join(' ')}`,
      predicted: `${expectSequential ? 'sequential in every seed' : 'in no seed'} (balanced flow on the population loss: half-times ${predictedSteps.map((t) => fmt(t, 3)).join(', ')} steps, min ratio ${fmt(predicted.minRatio, 3)})`,
      pass: expectSequential ? nSeq === outcomes.length : nSeq === 0,
      rule: `t_i = first recorded step with σ_i(P) ≥ σ_i*/2; sequential ⇔ every t_i exists and t_{i+1} ≥ ${F}·t_i for i = 1..${targets.length - 1} (the flow predicts ratios ≥ 1.3 for N = 2, 3 and 1 for N = 1)`,
    });
  }
  const k = Math.max(0, ...keys.map((key) => readRunConfig(sweeps[key].dir, sweeps[key].rows[0])).map((c) => (c.data.kind === 'matrix-sensing' ? c.data.rank : 0)));
  const tables: TableOut[] = [{
    caption: `Deep matrix sensing: steps t_i at which σ_i(P) first reaches half its target, the smallest ratio t_{i+1}/t_i (sequential ⇔ ≥ ${F} throughout), σ₂/σ₂* at t₁, and the final singular values`,
    header: ['N', 'seed', ...Array.from({ length: k }, (_, i) => `t${i + 1}`), 'min t_{i+1}/t_i', 'sequential', 'σ₂/σ₂* at t₁', 'σ(P) at the end'],
    rows: tableRows,
  }];
  return { tables, figures, verdicts };
}

/** (c) the paper's deep linear net in the lazy and the catapult phase: singular values of W_{L−1}⋯W_1 over time (observation). */
function phasesPart(data: SweepData | undefined): { tables: TableOut[]; figures: FigureOut[]; verdicts: Verdict[] } {
  if (!data) return { tables: [], figures: [], verdicts: [] };
  const figures: FigureOut[] = [];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const row of data.rows) {
    const { steps, sv } = singularValueSeries(data, row);
    const x = s(row);
    const phase = phaseOf(row);
    const c = Number(x.c);
    const model = deepLinearOf(readRunConfig(data.dir, row));
    figures.push(svFigure(`phases-c${c}`, `Deep linear net (depth ${model.depth}), c = ${c} (${phase}): singular values of the hidden map W_{L−1}⋯W_1 (NTK scales included) against the step.`, `c = ${c} (${phase})`, steps, sv));
    const rel = sv.map((series) => series[series.length - 1] / series[0] - 1);
    const iMax = rel.reduce((b, v, i) => (Math.abs(v) > Math.abs(rel[b]) ? i : b), 0);
    const total = rel.reduce((a, v) => a + Math.abs(v), 0);
    rows.push([fmt(c), phase, fmt(x.lambdaFinal / x.lambda0, 3), fmt(x.lossMax / x.lossInitial, 3), rel.map((v) => fmt(v, 2)).join(', '), `σ${iMax + 1}`, fmt(Math.abs(rel[iMax]) / total, 3)]);
    notes.push(`c = ${c} (${phase}): σ_i(T)/σ_i(0) − 1 largest for σ${iMax + 1} (${fmt(rel[iMax], 3)}), ${fmt((100 * Math.abs(rel[iMax])) / total, 3)}% of Σ|change|`);
  }
  return {
    figures,
    tables: [{ caption: 'The paper\'s deep linear net, lazy vs catapult: relative change σ_i(T)/σ_i(0) − 1 of the hidden map\'s singular values, the component that moved most, and its share of the total change', header: ['c', 'phase', 'λ_T/λ₀', 'L_max/L₀', 'σ_i(T)/σ_i(0) − 1', 'most changed', 'its share'], rows }],
    verdicts: [{
      claim: 'Does a catapult produce a burst of incremental learning (one singular value of the hidden map moving ahead of the others)?',
      measured: notes.join('; '),
      predicted: '— (a new question: no theory prediction)',
      pass: null,
      rule: 'observation',
    }],
  };
}

interface SeparatorParams {
  d: number;
  m: number;
  support: number[];
  depths: number[];
  seeds: number[];
  sigma0: number;
  eta: Record<string, number>;
  lossTarget: number;
  maxSteps: number;
}

/** (d) the diagonal separator: learning order of the support, cosine with w*, depth 1 vs the ℓ2 max-margin direction. */
async function separatorPart(p: SeparatorParams): Promise<{ tables: TableOut[]; figures: FigureOut[]; verdicts: Verdict[] }> {
  const runs: SeparatorRun[] = [];
  for (const depth of p.depths) {
    const eta = p.eta[String(depth)];
    if (!(eta > 0)) throw new Error(`incremental-learning: params.separator.eta has no learning rate for depth ${depth}`);
    for (const seed of p.seeds) runs.push(runSeparator({ d: p.d, m: p.m, support: p.support, depth, seed, sigma0: p.sigma0, eta, lossTarget: p.lossTarget, maxSteps: p.maxSteps, every: 1 }));
  }
  // the ℓ2 max-margin direction of each seed's data (the same data at every depth)
  const svm = new Map<number, Float64Array>();
  for (const r of runs) {
    if (svm.has(r.seed)) continue;
    const sol = await l2MaxMargin({ X: Float64Array.from(r.data.X), y: r.data.y, N: r.data.m, d: r.data.d });
    svm.set(r.seed, sol.b);
  }
  const cosSvm = (r: SeparatorRun) => cosine(r.beta, svm.get(r.seed)!);
  const table: TableOut = {
    caption: `Diagonal separator (d = ${p.d}, m = ${p.m}, w* ∝ (${p.support.join(', ')}, 0, …), σ₀ = ${p.sigma0}, exponential loss, GD to mean loss < ${p.lossTarget}): steps at which each support coordinate reaches half its final value, the learning order, cosines`,
    header: ['depth', 'seed', 'η', 'status', 'steps', ...p.support.map((_, j) => `t½(β${j + 1})`), 'order (½)', 'order (10%)', 'cos(β, w*)', 'cos(β, ℓ2 max-margin)'],
    rows: runs.map((r) => [String(r.depth), String(r.seed), fmt(p.eta[String(r.depth)]), r.status, String(r.steps), ...r.halfTimes.map(fmtT), orderText(r.halfTimes), orderText(fractionTimes(r, 0.1)), fmt(r.cosTeacher, 4), fmt(cosSvm(r), 4)]),
  };
  const verdicts: Verdict[] = [];
  const notReached = runs.filter((r) => r.status !== 'loss-target');
  const deep = runs.filter((r) => r.depth >= 2);
  if (deep.length) {
    const ordered = deep.filter((r) => strictlyOrdered(r.halfTimes));
    verdicts.push({
      claim: 'Depth ≥ 2: the support coordinates are learned in the order of their teacher weights (largest first)',
      measured: `${ordered.length} of ${deep.length} runs strictly in order${deep.length > ordered.length ? `; not: ${deep.filter((r) => !strictlyOrdered(r.halfTimes)).map((r) => `D ${r.depth} seed ${r.seed} [${r.halfTimes.map(fmtT).join(', ')}]`).join('; ')}` : ''}`,
      predicted: 'every run (incremental learning, Gissin et al.)',
      pass: ordered.length === deep.length && notReached.length === 0,
      rule: 'half-time of β_j = first step with β_j ≥ ½β_j(T); in order ⇔ strictly increasing in j (β read every step); every run must reach the loss target',
    });
  }
  if (deep.length) {
    // With the exponential loss ‖β‖ keeps growing along an almost fixed direction once the data are separated, so
    // "half the final value" is reached in that late, common scaling phase: the early order shows at a lower level.
    const early = deep.filter((r) => strictlyOrdered(fractionTimes(r, 0.1)));
    verdicts.push({
      claim: 'Depth ≥ 2, early phase: order in which the support coordinates reach 10% of their final value',
      measured: `${early.length} of ${deep.length} runs strictly in the teacher's order; per depth: ${p.depths.filter((D) => D >= 2).map((D) => `D ${D}: ${early.filter((r) => r.depth === D).length}/${deep.filter((r) => r.depth === D).length}`).join(', ')}`,
      predicted: '— (a second read-out, chosen after seeing the half-value times tie; reported, not judged)',
      pass: null,
      rule: 'observation: first step with β_j ≥ 0.1·β_j(T), strictly increasing in j',
    });
  }
  const shallow = runs.filter((r) => r.depth === 1);
  if (shallow.length) {
    const closer = shallow.filter((r) => cosSvm(r) > r.cosTeacher);
    verdicts.push({
      claim: 'Depth 1 heads for the ℓ2 max-margin (SVM) direction rather than the sparse teacher',
      measured: `cos(β, ℓ2 max-margin) ${shallow.map((r) => fmt(cosSvm(r), 4)).join(', ')} vs cos(β, w*) ${shallow.map((r) => fmt(r.cosTeacher, 4)).join(', ')}; ${shallow.filter((r) => strictlyOrdered(r.halfTimes)).length} of ${shallow.length} runs learn the support strictly in order`,
      predicted: 'cos with the ℓ2 max-margin direction larger in every seed (GD on a separable exponential loss converges in direction to it: Soudry et al. 2018)',
      pass: closer.length === shallow.length,
      rule: 'cosines of β(T) at loss < target; b₂ from the HiGHS QP (src/theory/maxMargin.ts)',
    });
  }
  const byDepth = p.depths.map((D) => mean(runs.filter((r) => r.depth === D).map((r) => r.cosTeacher)));
  if (p.depths.length >= 2) {
    const increasing = byDepth.every((c, i) => i === 0 || c > byDepth[i - 1]);
    verdicts.push({
      claim: 'Deeper diagonal nets align better with the sparse teacher',
      measured: `mean cos(β, w*) over ${p.seeds.length} seeds: ${p.depths.map((D, i) => `D ${D}: ${fmt(byDepth[i], 4)}`).join(', ')}`,
      predicted: 'strictly increasing in depth',
      pass: increasing,
      rule: 'means over seeds at the stopping point (mean loss < target)',
    });
  }
  const points: XYPoint[] = runs.flatMap((r) => [
    { x: r.depth, y: r.cosTeacher, source: 'cos(β, w*)' },
    { x: r.depth, y: cosSvm(r), source: 'cos(β, ℓ2 max-margin)' },
  ]);
  const figures: FigureOut[] = [{
    name: 'separator-cosines',
    caption: 'Diagonal separator: cosine of the learned β with the sparse teacher w* and with the ℓ2 max-margin direction, per seed, against depth.',
    spec: xySpec(points, { xTitle: 'depth D', yTitle: 'cosine', title: 'Diagonal separator: alignment vs depth' }),
  }];
  return { tables: [table], figures, verdicts };
}

export const incrementalLearning: Recipe = {
  name: 'incremental-learning',
  study: 'incremental',
  title: 'Incremental learning and depth (Gissin et al. 2020)',
  description:
    'The two-value toy model (largest ε-incremental init from exact hitting times vs the derived criteria of neighbours §B), deep matrix sensing (n = 20, m = 200 Gaussian measurements of a rank-4 target with singular values 12, 6, 4, 3; P = W_N⋯W_1 from a balanced orthogonal init with σ_i(P) = 1e-4; squared loss, GD; N = 1, 2, 3, three seeds), the same singular-value panel for the paper\'s deep linear net (depth 3) in the lazy and the catapult phase, and the diagonal separator (depth 1–5, five seeds, exponential loss to mean loss 0.01).',
  async analyze({ sweeps, params }): Promise<RecipeOutput> {
    const parts = [
      toyPart(params.toy),
      sensingPart(sweeps, params.sensing),
      phasesPart(sweeps.phases),
      await separatorPart(params.separator),
    ];
    return { figures: parts.flatMap((x) => x.figures), tables: parts.flatMap((x) => x.tables), verdicts: parts.flatMap((x) => x.verdicts) };
  },
};
