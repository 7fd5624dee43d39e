import { join } from 'node:path';
import { seriesVsCSpec, type SeriesCPoint } from '../report/recipeFigures.ts';
import { curvatureVsCSpec } from '../report/specs.ts';
import { list, numOr, runsTable, s, stable, sweepRowsForSpecs, type FigureOut, type Recipe } from './common.ts';
import { deepLinearOf } from '../experiments/config.ts';
import { readRunConfig } from '../experiments/recipeFiles.ts';
import type { ResultRow } from '../experiments/results.ts';
import { cOf, fmt, groupByAxis, phaseOf, solverCheck, solverText, sortByC, type Verdict } from '../experiments/verdicts.ts';
import { etaSVerdict, lazyBoundVerdict } from './paperShared.ts';
/* 4. Gaussian data, deep linear nets */

export const gaussianDeep: Recipe = {
  name: 'gaussian-deep',
  title: 'Gaussian data, deep linear networks: separable vs non-separable',
  description:
    'A deep linear network (Gaussian init) on Gaussian inputs labelled by a random linear teacher, without label noise (separable) and with label flips (non-separable), swept over c. Theory §5/§7: only non-separable data have a catapult phase, which ends in a flatter minimum at the edge of stability.',
  analyze({ sweeps }) {
    const data = sweeps.main;
    const groups = groupByAxis(data.rows, 'data.labelNoise');
    const verdicts: Verdict[] = [];
    const pts: SeriesCPoint[] = [], ptsS: SeriesCPoint[] = [];
    const figures: FigureOut[] = [];
    let sepOk: boolean | null = null, nonSepOk: boolean | null = null;
    const trend: string[] = [];
    for (const [noise, rows] of groups) {
      const label = Number(noise) === 0 ? 'separable (no label noise)' : `non-separable (label noise ${noise})`;
      for (const r of rows) {
        pts.push({ c: cOf(r), value: numOr(s(r).lambdaFinal) / numOr(s(r).lambda0), series: label, phase: phaseOf(r) });
        ptsS.push({ c: cOf(r), value: numOr(s(r).etaSharpnessFinal), series: label, phase: phaseOf(r) });
      }
      const st = sortByC(stable(rows));
      const ratio = (r: ResultRow) => numOr(s(r).lambdaFinal) / numOr(s(r).lambda0);
      const first = st[0], last = st[st.length - 1];
      if (first && last) trend.push(`${label}: λ_T/λ₀ = ${fmt(ratio(first), 3)} at c = ${fmt(cOf(first), 3)} → ${fmt(ratio(last), 3)} at c = ${fmt(cOf(last), 3)}`);
      const cat = rows.filter((r) => phaseOf(r) === 'catapult');
      if (Number(noise) === 0) {
        verdicts.push({
          claim: 'Separable data: no catapult phase for any c below divergence',
          measured: `${cat.length} catapult runs of ${st.length} non-divergent (c up to ${fmt(last ? cOf(last) : NaN)})`,
          predicted: 'none (theory §5, separable)',
          pass: cat.length === 0,
          rule: 'no run in the catapult phase',
        });
        if (first && last) sepOk = ratio(last) >= ratio(first);
      } else {
        const cs = sortByC(cat).map(cOf);
        verdicts.push({
          claim: `Non-separable data (label noise ${noise}): a catapult phase between the lazy phase and divergence`,
          measured: cat.length ? `catapult for c = ${list(cs)}` : 'no catapult run on the grid',
          predicted: 'a catapult window',
          pass: cat.length > 0,
          rule: 'at least one run in the catapult phase',
        });
        verdicts.push(etaSVerdict(`Non-separable data (label noise ${noise}): catapult runs end at or below the edge of stability, at the edge just above the onset`, rows, deepLinearOf(readRunConfig(data.dir, rows[0])).width));
        verdicts.push(lazyBoundVerdict(noise, rows, deepLinearOf(readRunConfig(data.dir, rows[0])).width));
        if (first && last) nonSepOk = ratio(last) < ratio(first);
      }
    }
    const lamChk = solverCheck(stable(data.rows), 'lambdaFinal');
    verdicts.push({
      claim: 'Final curvature: large c flattens the minimum on non-separable data, not on separable data',
      measured: `${trend.join('; ')}; ${solverText(lamChk, 'λ_T solver')}`,
      predicted: 'separable: λ_T does not decrease with c; non-separable: λ_T decreases',
      pass: sepOk === true && nonSepOk === true && lamChk.ok,
      rule: 'separable: λ_T/λ₀ at the largest non-divergent c ≥ at the smallest; non-separable: <; every λ_T solve converged',
    });
    figures.push({ name: 'lambda-vs-c', caption: 'Final NTK curvature λ_T/λ₀ against c, separable vs non-separable.', spec: seriesVsCSpec(pts, { yTitle: 'λ_T / λ₀ (log scale)', yLog: true, title: 'Final curvature, deep linear net on Gaussian data' }) });
    figures.push({ name: 'eta-sharpness-vs-c', caption: 'η·S at the end of training against c.', spec: seriesVsCSpec(ptsS, { yTitle: 'η·S_T', title: 'Edge of stability, deep linear net on Gaussian data' }) });
    for (const [noise, rows] of groups) {
      figures.push({ name: `curvature-vs-c-noise${noise}`, caption: `Label noise ${noise}: final λ/λ₀ and η·S against c, coloured by phase.`, spec: curvatureVsCSpec(sweepRowsForSpecs(rows), { title: `Gaussian data, label noise ${noise}`, ratioLog: true }) });
    }
    return { figures, tables: [runsTable(data, 'Runs', [{ header: 'train acc.', value: (r) => fmt(numOr(s(r).accuracyFinal), 3) }])], verdicts };
  },
};

