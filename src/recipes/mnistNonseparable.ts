import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSeparability } from '../data/separability.ts';
import { atomicWriteJson } from '../io/atomic.ts';
import { nodeLoaders } from '../experiments/nodeLoaders.ts';
import { categoryDotSpec, seriesVsCSpec, stepSeriesSpec, type SeriesCPoint } from '../report/recipeFigures.ts';
import { canonicalJson } from '../experiments/config.ts';
import { buildData } from '../experiments/problem.ts';
import { classifyRealPhase, isCatapult, firstAtLoss, type RealPhaseResult } from '../experiments/realPhase.ts';
import { readRunConfig, readRunMetrics, type SweepData } from '../experiments/recipeFiles.ts';
import type { ResultRow } from '../experiments/results.ts';
import { cOf, fmt, mean, type Verdict } from '../experiments/verdicts.ts';
import { numOr, s, type FigureOut, type Recipe, type TableOut } from './common.ts';
import { bestAccuracyVerdict, catapultContrastVerdict, flatnessFallsVerdict, seedStats, type RunView } from './mnistNonseparableVerdicts.ts';

/**
 * MNIST, logistic loss, a deep linear net on a training set that is NOT linearly separable
 * (the paper's real-data claim, theory §5, §7), against a separable subset of the same task.
 * Phases are classified against the lazy baseline (src/experiments/realPhase.ts); flatness is
 * measured in parameter space on the non-separable part (κ_V, S_GN,N from the runs' summaries).
 * Verdict rules live in mnistNonseparableVerdicts.ts; this file builds the views, tables and figures.
 */

interface Separability {
  separable: boolean;
  separableCount: number;
  nonSeparableCount: number;
  nonSeparableDim: number;
}

/**
 * Separability of a run's training set: the run's own summary.separability when it has one
 * (runs with curvature.restricted), else the LP (theory §7) once per data set, cached in dataDir.
 */
async function separabilityOf(data: SweepData, r: ResultRow, dataDir: string): Promise<Separability> {
  const own = s(r).separability as Partial<Separability> | undefined;
  if (own && typeof own.separable === 'boolean') return own as Separability;
  const cfg = readRunConfig(data.dir, r);
  const key = canonicalJson({ data: cfg.data, seed: cfg.seed });
  const cacheFile = join(dataDir, 'separability-cache.json');
  const cache = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, Separability>) : {};
  if (!cache[key]) {
    const rep = await analyzeSeparability(buildData(cfg, nodeLoaders).train);
    cache[key] = { separable: rep.separable, separableCount: rep.separableCount, nonSeparableCount: rep.nonSeparableCount, nonSeparableDim: rep.nonSeparableDim };
    atomicWriteJson(cacheFile, cache);
  }
  return cache[key];
}

/** The views of one arm: each run with its real-data phase against the lazy baseline of its seed. */
export function armViews(data: SweepData): RunView[] {
  const bySeed = new Map<unknown, ResultRow[]>();
  for (const r of data.rows) {
    const k = r.values.seed;
    if (!bySeed.has(k)) bySeed.set(k, []);
    bySeed.get(k)!.push(r);
  }
  const out: RunView[] = [];
  for (const [seed, rows] of bySeed) {
    const sorted = [...rows].sort((a, b) => cOf(a) - cOf(b));
    const base = sorted[0];
    const baselineRatio = numOr(s(base).lambdaFinal) / numOr(s(base).lambda0);
    for (const r of sorted) {
      const x = s(r);
      const metrics = readRunMetrics(data.dir, r);
      const real: RealPhaseResult = classifyRealPhase(
        { diverged: x.phase === 'divergent', lossInitial: numOr(x.lossInitial), lambda0: numOr(x.lambda0), lambdaFinal: numOr(x.lambdaFinal), trajectory: metrics.map((m) => ({ step: m.step, loss: m.loss, etaSharpness: m.etaSharpness, lambda: m.lambda })) },
        baselineRatio,
      );
      out.push({ row: r, seed: Number(seed), c: cOf(r), real, metrics, baselineC: cOf(base) });
    }
  }
  return out;
}

const phaseCounts = (vs: readonly RunView[]) => {
  const m = new Map<string, number>();
  for (const v of vs) m.set(v.real.phase, (m.get(v.real.phase) ?? 0) + 1);
  return [...m].map(([p, n]) => (vs.length > 1 ? `${p}×${n}` : p)).join(', ');
};
const coarse = (v: RunView) => (v.real.phase === 'divergent' ? 'divergent' : isCatapult(v.real.phase) ? 'catapult' : 'lazy');
const solverText = (r: ResultRow, key: string) => {
  const e = (s(r).solver ?? {})[key] as { residual?: number; converged?: boolean } | undefined;
  return e ? `${e.converged ? '' : 'unconverged, '}res ${fmt(e.residual ?? NaN, 2)}` : '—';
};

/** The loss every non-divergent run of the arm reaches: the largest final loss among them. */
function equalLossTarget(views: readonly RunView[]): number {
  return Math.max(...views.filter((v) => v.real.phase !== 'divergent').map((v) => numOr(s(v.row).lossFinal)));
}

function perCTable(views: readonly RunView[], caption: string, target: number): TableOut {
  const cs = [...new Set(views.map((v) => v.c))].sort((a, b) => a - b);
  const header = ['c', 'phases (seeds)', 'λ_T/λ₀', 'vs lazy baseline', 'η·S_T', 'κ_V (final)', 'S_GN,N (final)', 'β-curv. on V', 'test acc. (mean ± sd)', 'first late loss rise: step, height, η·S', `at L = ${fmt(target, 3)}: step, test acc.`];
  const rows = cs.map((c) => {
    const vs = views.filter((v) => v.c === c);
    const st = seedStats(vs.map((v) => numOr(s(v.row).testAccuracyFinal)));
    const rise = vs.find((v) => v.real.lateRise)?.real.lateRise;
    const atL = vs.map((v) => firstAtLoss(v.metrics, target));
    const metric = (f: (v: RunView) => number) => fmt(mean(vs.map(f)), 3);
    return [
      fmt(c, 3),
      phaseCounts(vs),
      metric((v) => numOr(s(v.row).lambdaFinal) / numOr(s(v.row).lambda0)),
      metric((v) => v.real.lambdaVsBaseline),
      metric((v) => numOr(s(v.row).etaSharpnessFinal)),
      metric((v) => numOr(s(v.row).kappaNonSepFinal)),
      metric((v) => numOr(s(v.row).sharpnessGNNonSepFinal)),
      metric((v) => v.metrics.at(-1)?.betaCurvatureNonSep ?? NaN),
      `${fmt(st.mean, 4)} ± ${fmt(st.sd, 2)}`,
      rise ? `${rise.step}, ×${fmt(rise.height, 3)}, ${fmt(rise.etaSharpness, 3)}` : '—',
      atL.every((m) => m) ? `${fmt(mean(atL.map((m) => m!.step)), 4)}, ${fmt(mean(atL.map((m) => m!.testAccuracy)), 4)}` : 'not reached by every seed',
    ];
  });
  return { caption, header, rows };
}

export const mnistNonseparable: Recipe = {
  name: 'mnist-nonseparable',
  title: 'MNIST, logistic loss, non-separable training set: catapult, flatness on the non-separable part, test accuracy',
  description:
    'A deep linear network (depth 3) with the logistic loss on an MNIST digit pair whose training set is not linearly separable (quick profile: 3 vs 8, 1000 images average-pooled to 7×7; full profile: the full pair at 28×28), swept over c from the lazy phase to divergence for several seeds, against a contrast arm on a smaller, separable subset of the same task. Phases are classified against the lazy baseline (λ_T/λ₀ of the smallest c of the same seed): early catapult (loss above its initial value in the first 20 steps, λ drops), late catapult (a late loss spike ×1.5 over the running minimum across which λ drops), edge of stability (η·S reaches 1.8 late without such a spike), lazy. Flatness is measured in parameter space on the non-separable part (theory §7): κ_V = λ_max(P_V K P_V)·mean‖x‖² and S_GN,N = λ_max(D_N^½ Θ_NN D_N^½)/m; the β-space curvature on V is shown as a column but cannot move with η (it is fixed by the data at the minimizer on V).',
  async analyze({ sweeps, dataDir }) {
    const non = armViews(sweeps.nonseparable), sep = armViews(sweeps.separable);
    const sepInfo = async (data: SweepData) => {
      const seeds = [...new Map(data.rows.map((r) => [r.values.seed, r])).values()];
      return Promise.all(seeds.map(async (r) => ({ seed: Number(r.values.seed), ...(await separabilityOf(data, r, dataDir)) })));
    };
    const nonSep = await sepInfo(sweeps.nonseparable), sepSep = await sepInfo(sweeps.separable);
    const cfg = readRunConfig(sweeps.nonseparable.dir, sweeps.nonseparable.rows[0]);
    const cfgS = readRunConfig(sweeps.separable.dir, sweeps.separable.rows[0]);
    const dataText = (c: typeof cfg) => (c.data.kind === 'mnist' ? `${c.data.task}, ${c.data.trainSize} training images${c.data.pool > 1 ? `, pooled ${28 / c.data.pool}×${28 / c.data.pool}` : ''}${c.data.labelNoise ? `, label noise ${c.data.labelNoise}` : ''}` : c.data.kind);
    const verdicts: Verdict[] = [
      catapultContrastVerdict(non, sep, nonSep, sepSep),
      ...flatnessFallsVerdict(non),
      bestAccuracyVerdict(non),
    ];
    const target = equalLossTarget(non);
    const tables: TableOut[] = [
      {
        caption: 'Training sets (separability LP of theory §7, per seed): |I| = size of the maximal separable subset, dim V = dimension of the non-separable subspace',
        header: ['arm', 'data', 'seed', 'separable', '|I|', 'non-separable samples', 'dim V'],
        rows: [
          ...nonSep.map((x) => ['non-separable', dataText(cfg), String(x.seed), String(x.separable), String(x.separableCount), String(x.nonSeparableCount), String(x.nonSeparableDim)]),
          ...sepSep.map((x) => ['separable subset', dataText(cfgS), String(x.seed), String(x.separable), String(x.separableCount), String(x.nonSeparableCount), String(x.nonSeparableDim)]),
        ],
      },
      perCTable(non, `Non-separable arm, per c (mean over ${new Set(non.map((v) => v.seed)).size} seeds; ${cfg.steps} steps). κ_V, S_GN,N: i9 restricted measures (— if the runs do not record them). Equal training loss: the largest final loss among the non-divergent runs.`, target),
      perCTable(sep, 'Separable subset, per c', equalLossTarget(sep)),
      {
        caption: 'Runs of the non-separable arm: real-data phase, late loss rises and solver evidence for the final curvatures',
        header: ['seed', 'c', 'phase', 'trainer phase', 'λ_T/λ₀', 'late rises', 'max η·S (last half)', 'λ_T solver', 'κ_V solver', 'S_GN,N solver', 'test acc.'],
        rows: non.map((v) => [String(v.seed), fmt(v.c, 3), v.real.phase, String(s(v.row).phase), fmt(numOr(s(v.row).lambdaFinal) / numOr(s(v.row).lambda0), 3), v.real.lateRises.map((r) => `t=${r.step} ×${fmt(r.height, 3)} ηS=${fmt(r.etaSharpness, 3)}`).join('; ') || '—', fmt(v.real.lateEtaSharpnessMax, 3), solverText(v.row, 'lambdaFinal'), solverText(v.row, 'kappaNonSepFinal'), solverText(v.row, 'sharpnessGNNonSepFinal'), fmt(numOr(s(v.row).testAccuracyFinal), 4)]),
      },
    ];
    const pts: SeriesCPoint[] = [], flat: SeriesCPoint[] = [];
    for (const [label, views] of [['non-separable', non], ['separable subset', sep]] as const) {
      for (const v of views.filter((x) => x.real.phase !== 'divergent')) {
        pts.push({ c: v.c, value: numOr(s(v.row).lambdaFinal) / numOr(s(v.row).lambda0), series: `${label}: λ_T/λ₀`, phase: coarse(v) });
        pts.push({ c: v.c, value: numOr(s(v.row).etaSharpnessFinal), series: `${label}: η·S_T`, phase: coarse(v) });
      }
    }
    for (const v of non.filter((x) => x.real.phase !== 'divergent')) {
      flat.push({ c: v.c, value: numOr(s(v.row).kappaNonSepFinal) / numOr(s(v.row).kappaNonSep0), series: 'κ_V / κ_V(0)', phase: coarse(v) });
      flat.push({ c: v.c, value: numOr(s(v.row).sharpnessGNNonSepFinal) / numOr(s(v.row).sharpnessGNNonSep0), series: 'S_GN,N / S_GN,N(0)', phase: coarse(v) });
    }
    const seed0 = non.filter((v) => v.seed === Math.min(...non.map((x) => x.seed)) && v.real.phase !== 'divergent');
    const figures: FigureOut[] = [
      { name: 'curvature-vs-c', caption: 'Final λ_T/λ₀ and η·S_T against c, both arms, every seed (shape: phase against the lazy baseline).', spec: seriesVsCSpec(pts, { yTitle: 'λ_T/λ₀, η·S_T (log scale)', yLog: true, title: 'MNIST logistic: final curvature' }) },
      { name: 'flatness-vs-c', caption: 'Flatness on the non-separable part (theory §7): κ_V and S_GN,N at the end relative to their initial values, non-separable arm.', spec: seriesVsCSpec(flat, { yTitle: 'final / initial (log scale)', yLog: true, title: 'Flatness in the non-separable subspace (parameter space)' }) },
      { name: 'test-accuracy', caption: 'Final test accuracy per c, one dot per seed, the tick is the mean (non-separable arm).', spec: categoryDotSpec(non.filter((v) => v.real.phase !== 'divergent').sort((a, b) => a.c - b.c).map((v) => ({ category: `c=${fmt(v.c, 3)} ${v.real.phase}`, value: numOr(s(v.row).testAccuracyFinal), label: `seed ${v.seed}` })), { yTitle: 'final test accuracy', title: 'Test accuracy against c' }) },
      { name: 'loss-trajectories', caption: 'Training loss against the step, first seed, every non-divergent c (log scale): early catapults in the first steps, late spikes when η·S_t reaches 2.', spec: stepSeriesSpec(seed0.map((v) => ({ label: `c = ${fmt(v.c, 3)} (${v.real.phase})`, rows: v.metrics.map((m) => ({ step: m.step, value: m.loss })) })), { yTitle: 'training loss (log scale)', yLog: true, title: 'Training loss, non-separable MNIST' }) },
      { name: 'eta-sharpness-trajectories', caption: 'η·S_t against the step, first seed (2 = edge of stability).', spec: stepSeriesSpec(seed0.map((v) => ({ label: `c = ${fmt(v.c, 3)}`, rows: v.metrics.filter((m) => Number.isFinite(m.etaSharpness)).map((m) => ({ step: m.step, value: m.etaSharpness })) })), { yTitle: 'η·S_t', title: 'Sharpness along training' }) },
    ];
    return { figures, tables, verdicts };
  },
};

/**
 * The same experiment on Fashion-MNIST shirt (6) vs T-shirt/top (0), a hard pair: full profile
 * only (the data come from the Debian package dataset-fashion-mnist, which the quick profile must
 * not need). Same analysis and verdict rules.
 */
export const fashionNonseparable: Recipe = {
  ...mnistNonseparable,
  name: 'fashion-nonseparable',
  title: 'Fashion-MNIST shirt vs T-shirt, logistic loss: catapult, flatness on the non-separable part, test accuracy',
  description: mnistNonseparable.description.replace('an MNIST digit pair', 'the Fashion-MNIST pair shirt vs T-shirt/top').replace(/\(quick profile:[^)]*\)/, '(full profile only: the full training pair at 28×28)'),
  profiles: ['full'],
};
