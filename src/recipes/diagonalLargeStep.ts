import { nodeLoaders } from '../experiments/nodeLoaders.ts';
import { diagonalFlow } from '../theory/diagonalFlow.ts';
import { markRecord, type MaxMarginRefs } from '../train/marks.ts';
import { maxMarginRefs } from '../experiments/marginRun.ts';
import { buildData } from '../experiments/problem.ts';
import { readRunConfig, type SweepData } from '../experiments/recipeFiles.ts';
import type { ResultRow } from '../experiments/results.ts';
import { cOf, fmt, median, seedStats, type Verdict } from '../experiments/verdicts.ts';
import { numOr, s, type FigureOut, type Recipe, type TableOut } from './common.ts';
import { alphaOf, axisValues, marksOfRow, recordAt } from './diagonalCommon.ts';
import { xySpec, type XYPoint } from '../report/recipeFigures.ts';

/**
 * neighbours §A, the bridge to the paper (Nacson et al. 2022): plain GD on a depth-2 diagonal network with a
 * large step, against the exact flow at the same minimum margin γ. The rate is c = η·S0/2 with S0 the top
 * eigenvalue of the loss Hessian at init (config cUnit 'sharpness0'): at β = 0 the Hessian has, besides the
 * NTK (Gauss–Newton) part, the u-curvature term ±D(D−1)u^{D−2}·r, which dominates at small α (λ0 ∝ α^{2D−2}
 * while that term is O(α^{D−2})), so η = 2c/λ0 would diverge at "c = 0.5"; c < 1 in S0 units is GD that is
 * monotonically stable at init, c ∈ (1, 2) oscillates along the top direction, c > 2 is unstable there.
 * The flow is computed here at each GD run's own γ at its marks (GD passes a mark by O(η)). Node-only.
 */

/** the paired-difference rule: the mean over seeds beyond 2 standard errors */
const SE_FACTOR = 2;
/** c = 0.5 must track the flow this closely (mean ℓ1-gap difference) */
const FOLLOW_TOL = 0.02;

interface Compared {
  row: ResultRow;
  alpha: number;
  c: number;
  seed: number;
  /** GD's γ at the compared mark and both ℓ1 gaps there */
  gamma: number;
  gd: number;
  flow: number;
}

/** ℓ1 gap of the exact flow at given minimum margins (same data, α, depth as the run). */
async function flowGaps(data: SweepData, r: ResultRow, gammas: number[], refsOf: (key: string, train: ReturnType<typeof buildData>['train']) => Promise<MaxMarginRefs>): Promise<Map<number, number>> {
  const cfg = readRunConfig(data.dir, r);
  if (cfg.model.kind !== 'diagonal' || cfg.init.kind !== 'constant') throw new Error('diagonal-large-step: runs must be diagonal nets from a constant init');
  const { train } = buildData(cfg, nodeLoaders);
  const refs = await refsOf(String(cfg.seed), train);
  const at = [...new Set(gammas)].sort((a, b) => a - b);
  const res = diagonalFlow({ X: Float64Array.from(train.X), y: train.y, N: train.m, d: train.d, alpha: cfg.init.value, depth: cfg.model.depth }, { marks: at });
  const out = new Map<number, number>();
  for (const m of res.marks) out.set(m.mark, markRecord(m.mark, m.steps, m.tau, m.gamma, m.log10Eps * Math.LN10, train.m, m.beta, refs).l1Gap ?? NaN);
  return out;
}

export const diagonalLargeStep: Recipe = {
  name: 'diagonal-large-step',
  study: 'diagonal',
  title: 'Diagonal linear networks: does a large GD step move the solution toward the rich (ℓ1) regime?',
  description:
    'Plain GD on a depth-2 diagonal network (exponential loss, u₊ = u₋ = α·1, Gaussian inputs with labels from a sparse teacher) at c ∈ {0.5, 1.5, 1.9, 5}, where c = η·S0/2 and S0 is the loss Hessian\'s top eigenvalue at init (for a diagonal net at small α the NTK λ0 is far below S0, so η = 2c/λ0 would diverge), against the exact gradient flow at the same minimum margin γ: the ℓ1 gap ‖b − b₁‖₁/‖b₁‖₁ of b = β/γ at the largest mark every run reaches. A smaller ℓ1 gap than the flow = closer to the rich (ℓ1 max-margin) solution. Nacson et al. (2022) report that large steps move diagonal nets from kernel toward rich where the flow stays kernel; here the question is judged for GD below the stability edge at init (1 < c < 2); a step beyond it (c = 5) is reported.',
  async analyze({ sweeps }) {
    const data = sweeps.gd;
    const rows = data.rows;
    const alphas = axisValues(rows, 'init.value');
    const cs = axisValues(rows, 'c');
    const refsCache = new Map<string, Promise<MaxMarginRefs>>();
    const refsOf = (key: string, train: Parameters<typeof maxMarginRefs>[0]) => {
      if (!refsCache.has(key)) refsCache.set(key, maxMarginRefs(train));
      return refsCache.get(key)!;
    };
    const stableRows = rows.filter((r) => s(r).status !== 'diverged');
    const marks = [...new Set(rows.flatMap((r) => marksOfRow(r).map((m) => m.mark)))].sort((a, b) => a - b);
    // per α: the largest mark reached by every non-divergent run of that α
    const commonMark = new Map<number, number>();
    for (const a of alphas) {
      const rs = stableRows.filter((r) => alphaOf(r) === a);
      const reached = marks.filter((mk) => rs.length > 0 && rs.every((r) => recordAt(r, mk) !== undefined));
      if (reached.length) commonMark.set(a, reached[reached.length - 1]);
    }
    // one flow per (α, seed), landed on the marks and on every GD run's own γ at its marks
    const flowAt = new Map<string, Map<number, number>>();
    const keyOf = (r: ResultRow) => `${alphaOf(r)}|${r.values.seed}`;
    for (const r of stableRows) {
      const key = keyOf(r);
      if (flowAt.has(key)) continue;
      const same = stableRows.filter((x) => keyOf(x) === key);
      flowAt.set(key, await flowGaps(data, r, [...marks, ...same.flatMap((x) => marksOfRow(x).map((m) => m.gamma))], refsOf));
    }
    const compared: Compared[] = [];
    for (const r of stableRows) {
      const a = alphaOf(r);
      const mk = commonMark.get(a);
      const rec = mk === undefined ? undefined : recordAt(r, mk);
      if (rec) compared.push({ row: r, alpha: a, c: cOf(r), seed: Number(r.values.seed), gamma: rec.gamma, gd: rec.l1Gap ?? NaN, flow: flowAt.get(keyOf(r))!.get(rec.gamma) ?? NaN });
    }
    // figures: median ℓ1 gap against log10 γ per c, and the flow at the marks, one panel per α
    const figures: FigureOut[] = alphas.map((a) => {
      const pts: XYPoint[] = [];
      for (const c of cs) {
        const rs = stableRows.filter((r) => alphaOf(r) === a && cOf(r) === c);
        for (const mk of marks) pts.push({ x: Math.log10(median(rs.map((r) => recordAt(r, mk)?.gamma ?? NaN))), y: median(rs.map((r) => recordAt(r, mk)?.l1Gap ?? NaN)), source: `GD c = ${c}` });
      }
      const seeds = axisValues(rows.filter((r) => alphaOf(r) === a), 'seed');
      for (const mk of marks) pts.push({ x: Math.log10(mk), y: median(seeds.map((sd) => flowAt.get(`${a}|${sd}`)?.get(mk) ?? NaN)), source: 'exact flow' });
      return {
        name: `l1-gap-alpha-${a}`,
        caption: `α = ${a}, D = 2: median over seeds of the ℓ1 gap of b = β/γ against log10 γ, GD at each c (at the γ where it first passes each mark) and the exact flow.`,
        spec: xySpec(pts, { xTitle: 'log10 γ (minimum margin)', yTitle: 'ℓ1 gap (median over seeds)', lineSources: [...cs.map((c) => `GD c = ${c}`), 'exact flow'], title: `GD vs flow, α = ${a}` }),
      };
    });
    const diffOf = (a: number, c: number) => seedStats(compared.filter((x) => x.alpha === a && x.c === c).map((x) => x.gd - x.flow));
    const word = (st: ReturnType<typeof seedStats>) => (st.n >= 2 && st.mean < -SE_FACTOR * st.se ? 'toward rich' : st.n >= 2 && st.mean > SE_FACTOR * st.se ? 'away from rich' : 'not distinguishable');
    const tables: TableOut[] = [{
      caption: 'ℓ1 gap at equal γ: GD vs the exact flow, paired over seeds (difference GD − flow: negative = closer to the ℓ1 max-margin solution)',
      header: ['α', 'c = ηS0/2', 'η (median)', 'ηλ0/2 (median)', 'mark', 'GD steps (median)', 'ℓ1 gap GD', 'ℓ1 gap flow', 'GD − flow (mean ± SE)', 'seeds', 'reading'],
      rows: alphas.flatMap((a) => cs.map((c) => {
        const rs = rows.filter((r) => alphaOf(r) === a && cOf(r) === c);
        const cm = compared.filter((x) => x.alpha === a && x.c === c);
        const st = diffOf(a, c);
        const mk = commonMark.get(a);
        return [String(a), String(c), fmt(median(rs.map((r) => numOr(s(r).eta))), 3), fmt(median(rs.map((r) => (numOr(s(r).eta) * numOr(s(r).lambda0)) / 2)), 3), mk === undefined ? '—' : fmt(mk, 3),
          fmt(median(rs.map((r) => (mk === undefined ? NaN : recordAt(r, mk)?.step ?? NaN))), 4), fmt(median(cm.map((x) => x.gd)), 3), fmt(median(cm.map((x) => x.flow)), 3), `${fmt(st.mean, 3)} ± ${fmt(st.se, 2)}`, String(st.n), word(st)];
      })),
    }, {
      caption: 'GD runs',
      header: ['α', 'c', 'seed', 'status', 'phase', 'steps', 'η', 'S0', 'λ0', 'L_max/L₀', 'marks reached'],
      rows: rows.map((r) => [String(alphaOf(r)), String(cOf(r)), String(r.values.seed), String(s(r).status), String(s(r).phase), String(s(r).steps), fmt(numOr(s(r).eta), 3), fmt(numOr(s(r).sharpness0), 3), fmt(numOr(s(r).lambda0), 3), fmt(numOr(s(r).lossMax) / numOr(s(r).lossInitial), 4), String(marksOfRow(r).length)]),
    }];

    const verdicts: Verdict[] = [];
    const aKernel = alphas[alphas.length - 1];
    const mkK = commonMark.get(aKernel);
    // judged: the large steps below the stability edge at init (1 < c < 2); steps beyond it are reported
    for (const c of cs.filter((x) => x > 1 && x < 2)) {
      const st = diffOf(aKernel, c);
      verdicts.push({
        claim: `A large step (c = ${c}) moves the solution toward rich: smaller ℓ1 gap than the exact flow at equal γ (α = ${aKernel}, where the flow is kernel-like at these γ)`,
        measured: st.n ? `ℓ1 gap GD − flow at γ ≈ ${fmt(mkK, 3)}: ${fmt(st.mean, 3)} ± ${fmt(st.se, 2)} (mean ± SE over ${st.n} seeds): ${word(st)}` : 'no run reached a common mark',
        predicted: 'negative beyond 2 SE (Nacson et al. 2022: large steps move diagonal nets toward rich)',
        pass: st.n >= 2 && st.mean < -SE_FACTOR * st.se,
        rule: `paired over seeds at the largest mark every run of that α reaches, the flow evaluated at GD's own γ there: mean(GD − flow) < −${SE_FACTOR}·SE ✓; otherwise ✗ (the step did not measurably move the predictor toward ℓ1)`,
      });
    }
    for (const c of cs.filter((x) => x >= 2)) {
      verdicts.push({
        claim: `Beyond the stability edge at init (c = ${c}): GD against the flow at equal γ (reported, not judged)`,
        measured: alphas.map((a) => {
          const st = diffOf(a, c);
          const rs = rows.filter((r) => alphaOf(r) === a && cOf(r) === c);
          return `α = ${a}: ${fmt(st.mean, 3)} ± ${fmt(st.se, 2)} (${word(st)}; ${rs.filter((r) => s(r).status === 'diverged').length} of ${rs.length} diverged, max L/L₀ ${fmt(Math.max(...rs.map((r) => numOr(s(r).lossMax) / numOr(s(r).lossInitial))), 4)})`;
        }).join('; '),
        predicted: '—',
        pass: null,
        rule: 'observation: ℓ1 gap GD − flow at the compared mark, mean ± SE over seeds',
      });
    }
    const small = cs[0];
    const follow = alphas.map((a) => diffOf(a, small));
    verdicts.push({
      claim: `A small step (c = ${small}) follows the exact flow (the set-up check)`,
      measured: alphas.map((a, i) => `α = ${a}: ${fmt(follow[i].mean, 3)} ± ${fmt(follow[i].se, 2)}`).join(', '),
      predicted: `|GD − flow| ≤ ${FOLLOW_TOL} in ℓ1 gap at every α`,
      pass: follow.every((st) => st.n > 0 && Math.abs(st.mean) <= FOLLOW_TOL),
      rule: `|mean over seeds of (GD − flow) ℓ1 gap| ≤ ${FOLLOW_TOL} at the compared mark, for every α`,
    });
    const rose = rows.filter((r) => numOr(s(r).lossMax) > numOr(s(r).lossInitial) * (1 + 1e-9));
    const diverged = rows.filter((r) => s(r).status === 'diverged');
    verdicts.push({
      claim: 'Loss rises (catapult-like behaviour) in the GD runs',
      measured: `${rose.length} of ${rows.length} runs had a loss above its initial value${rose.length ? ` (${rose.map((r) => `α ${alphaOf(r)} c ${cOf(r)} seed ${r.values.seed}`).slice(0, 6).join(', ')})` : ''}; ${diverged.length} diverged`,
      predicted: '—',
      pass: null,
      rule: 'observation: lossMax > lossInitial·(1 + 1e-9)',
    });
    for (const a of alphas.filter((x) => x !== aKernel)) {
      verdicts.push({
        claim: `α = ${a}: large steps against the flow (reported, not judged)`,
        measured: cs.filter((x) => x > 1 && x < 2).map((c) => {
          const st = diffOf(a, c);
          return `c = ${c}: ${fmt(st.mean, 3)} ± ${fmt(st.se, 2)} (${word(st)})`;
        }).join('; '),
        predicted: '—',
        pass: null,
        rule: `observation: ℓ1 gap GD − flow at γ ≈ ${fmt(commonMark.get(a), 3)}, mean ± SE over seeds`,
      });
    }
    return { figures, tables, verdicts };
  },
};
