import { join } from 'node:path';
import { runTheory } from '../theory/degenerate.ts';
import { overlaySpec, theoryRows, type RunSeries } from '../report/specs.ts';
import type { Phase } from '../theory/phase.ts';
import { numOr, runsTable, s, stable, trajectory, type FigureOut, type Recipe } from './common.ts';
import { readRunConfig, readRunMetrics, type SweepData } from '../experiments/recipeFiles.ts';
import type { ResultRow } from '../experiments/results.ts';
import { cOf, fmt, groupByAxis, phaseList, phaseOf, sortByC, type Verdict } from '../experiments/verdicts.ts';
import { uvSetting, predictedPhase } from './paperShared.ts';
/* 1. Degenerate data, uv net: trajectories */

export const uvTrajectories: Recipe = {
  name: 'uv-trajectories',
  title: 'Degenerate data, uv network: loss and curvature along training',
  description:
    'The two-layer (uv) network on degenerate data (all inputs ±(1,…,1)), prescribed initialization (f₀, λ₀). Squared loss at c below 1, between 1 and 2 and above 2; logistic loss at c below and above c* = 1/(p(1−p)) on non-separable (p = 0.3) and separable (p = 1) labels. Thick lines: the network; thin dashed lines: the exact two-float recursion of theory §6 for the same setting.',
  analyze({ sweeps }) {
    const figures: FigureOut[] = [];
    const verdicts: Verdict[] = [];
    let maxDev = 0, compared = 0;
    const groups: { label: string; data: SweepData; rows: ResultRow[]; name: string }[] = [
      { label: 'squared loss', data: sweeps.squared, rows: sweeps.squared.rows, name: 'squared' },
      ...[...groupByAxis(sweeps.logistic.rows, 'data.p')].map(([p, rows]) => ({ label: `logistic loss, p = ${p}${p === 0 || p === 1 ? ' (separable)' : ' (non-separable)'}`, data: sweeps.logistic, rows, name: `logistic-p${p}` })),
    ];
    for (const g of groups) {
      const net: RunSeries[] = [], th: RunSeries[] = [];
      for (const r of sortByC(g.rows)) {
        const cfg = readRunConfig(g.data.dir, r);
        const rows = trajectory(g.data, r);
        const label = `c = ${fmt(cOf(r), 3)}`;
        net.push({ label, c: cOf(r), rows, phase: phaseOf(r) as Phase });
        const u = uvSetting(cfg);
        if (!u) continue;
        const run = runTheory({ setting: u.setting, f0: u.f0, lambda0: u.lambda0, c: cOf(r), steps: cfg.steps, recordEvery: 1 });
        const all = theoryRows(run.trajectory);
        const byStep = new Map(all.map((x) => [x.step, x]));
        const recorded = new Set(rows.map((x) => x.step));
        th.push({ label, c: cOf(r), rows: all.filter((x) => recorded.has(x.step)), phase: run.summary.phase });
        if (phaseOf(r) !== 'divergent') {
          const first = byStep.get(0)!;
          for (const x of rows) {
            const t = byStep.get(x.step);
            if (!t) continue;
            for (const k of ['loss', 'lambda'] as const) {
              const a = x[k]!, b = t[k]!;
              if (Number.isFinite(a) && Number.isFinite(b)) {
                maxDev = Math.max(maxDev, Math.abs(a - b) / Math.max(Math.abs(b), 1e-9 * Math.abs(first[k]!), 1e-300));
                compared++;
              }
            }
          }
        }
      }
      figures.push({
        name: g.name,
        caption: `${g.label}: training loss, NTK curvature λ and η·S against the step (network thick, exact recursion dashed).`,
        spec: overlaySpec(net, th, { title: `uv network, ${g.label}`, stepScale: 'symlog' }),
      });
    }
    // phases against theory §5
    const sq = sweeps.squared.rows;
    verdicts.push({
      claim: 'Squared loss: lazy for c < 1, catapult for 1 < c < 2, divergent for c > 2',
      measured: phaseList(sq),
      predicted: sortByC(sq).map((r) => `c = ${fmt(cOf(r), 3)} ${predictedPhase('squared', 1, cOf(r))}`).join(', '),
      pass: sq.every((r) => phaseOf(r) === predictedPhase('squared', 1, cOf(r))),
      rule: 'every run in its predicted phase',
    });
    for (const [p, rows] of groupByAxis(sweeps.logistic.rows, 'data.p')) {
      const pv = Number(p);
      if (pv > 0 && pv < 1) {
        const cs = 1 / (pv * (1 - pv));
        verdicts.push({
          claim: `Logistic loss, non-separable (p = ${pv}): lazy below c* = 1/(p(1−p)) = ${fmt(cs)}, catapult above`,
          measured: phaseList(rows),
          predicted: sortByC(rows).map((r) => `c = ${fmt(cOf(r), 3)} ${predictedPhase('logistic', pv, cOf(r))}`).join(', '),
          pass: rows.every((r) => phaseOf(r) === predictedPhase('logistic', pv, cOf(r))),
          rule: 'every run in its predicted phase',
        });
      } else {
        const st = stable(rows);
        const minRatio = Math.min(...st.map((r) => {
          const m = readRunMetrics(sweeps.logistic.dir, r);
          return Math.min(...m.map((x) => x.lambda).filter(Number.isFinite)) / numOr(s(r).lambda0);
        }));
        verdicts.push({
          claim: `Logistic loss, separable (p = ${pv}): no catapult — the loss falls and λ never decreases`,
          measured: `${phaseList(rows)}; min over runs and steps of λ_t/λ₀ = ${fmt(minRatio, 8)}`,
          predicted: 'no catapult run; λ_t/λ₀ ≥ 1',
          pass: rows.every((r) => phaseOf(r) !== 'catapult') && minRatio >= 1 - 1e-6,
          rule: 'no run in the catapult phase and λ_t ≥ (1 − 1e-6)·λ₀ at every recorded step',
        });
      }
    }
    verdicts.push({
      claim: 'The network follows the exact two-float recursion of theory §6',
      measured: `max relative deviation ${fmt(maxDev, 3)} over ${compared} values (loss and λ at every recorded step of every non-divergent run, until the recursion converges)`,
      predicted: 'agreement to round-off',
      pass: compared > 0 && maxDev < 1e-6,
      rule: 'max |network − recursion| / max(|recursion|, 1e-9·initial value) < 1e-6',
    });
    return {
      figures,
      tables: [runsTable(sweeps.squared, 'Squared-loss runs'), runsTable(sweeps.logistic, 'Logistic-loss runs')],
      verdicts,
    };
  },
};

