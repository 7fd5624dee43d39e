import { join } from 'node:path';
import { runTheory } from '../theory/degenerate.ts';
import { stepSeriesSpec, xySpec } from '../report/recipeFigures.ts';
import { phaseDiagramSpec } from '../report/specs.ts';
import type { Phase } from '../theory/phase.ts';
import { list, numOr, s, sweepRowsForSpecs, trajectory, type FigureOut, type Recipe, type TableOut } from './common.ts';
import { readRunConfig, readRunMetrics } from '../experiments/recipeFiles.ts';
import { bracketText, cOf, fmt, isMonotoneIncreasing, linearFit, logLogSlope, phaseOf, type Bracket, type Verdict } from '../experiments/verdicts.ts';
import { uvSetting, theoryOnset, theoryTest, onsetOf, catapultDuration } from './paperShared.ts';
/* 3. Width scaling */

export const widthScaling: Recipe = {
  name: 'width-scaling',
  title: 'Width scaling of the catapult (uv network, degenerate data)',
  description:
    'Squared loss at fixed c in the catapult window: the step and height of the loss peak against the width n. Logistic loss (p = 0.3): the duration of the catapult (steps until λ has made 95% of its drop) at fixed c, and the divergence edge c_max, against n. Points: network; dashed: the exact recursion for the same settings.',
  analyze({ sweeps }) {
    const figures: FigureOut[] = [];
    const verdicts: Verdict[] = [];
    const tables: TableOut[] = [];
    // squared peak
    const peak = [...sweeps['squared-peak'].rows].sort((a, b) => Number(a.values['model.width']) - Number(b.values['model.width']));
    const ns = peak.map((r) => Number(r.values['model.width']));
    const pSteps = peak.map((r) => numOr(s(r).stepOfLossMax));
    const pHeight = peak.map((r) => numOr(s(r).lossMax));
    const thPeak = peak.map((r) => {
      const cfg = readRunConfig(sweeps['squared-peak'].dir, r);
      const u = uvSetting(cfg)!;
      return runTheory({ setting: u.setting, f0: u.f0, lambda0: u.lambda0, c: cOf(r), steps: cfg.steps, recordEvery: cfg.steps || 1 }).summary;
    });
    const c1 = peak.length ? cOf(peak[0]) : NaN;
    const stepFit = linearFit(ns.map(Math.log), pSteps);
    verdicts.push({
      claim: `Squared loss (c = ${fmt(c1, 3)}): the loss peaks later for wider networks, after O(log n) steps`,
      measured: `peak at steps ${pSteps.join(', ')} for n = ${ns.join(', ')} (${fmt(stepFit.slope, 3)} steps per unit of ln n)`,
      predicted: `grows like log n; exact recursion: ${thPeak.map((t) => t.stepOfLossMax).join(', ')}`,
      pass: isMonotoneIncreasing(pSteps) && pSteps[pSteps.length - 1] > pSteps[0],
      rule: 'peak step non-decreasing in n and larger at the largest n than at the smallest',
    });
    const hSlope = logLogSlope(ns, pHeight);
    verdicts.push({
      claim: 'Squared loss: the height of the loss peak grows like n',
      measured: `log-log slope ${fmt(hSlope, 3)} (peaks ${list(pHeight)})`,
      predicted: `1 (height O(n)); exact recursion slope ${fmt(logLogSlope(ns, thPeak.map((t) => t.lossMax)), 3)}`,
      pass: Math.abs(hSlope - 1) <= 0.15,
      rule: 'log-log slope within 0.15 of 1',
    });
    figures.push({
      name: 'peak-step',
      caption: 'Squared loss: step of the loss peak against the width (log axis).',
      spec: xySpec([...ns.map((n, i) => ({ x: n, y: pSteps[i], source: 'network' })), ...ns.map((n, i) => ({ x: n, y: thPeak[i].stepOfLossMax, source: 'exact recursion' }))], { xTitle: 'width n (log scale)', yTitle: 'step of the loss peak', xLog: true, lineSources: ['exact recursion'], title: `Catapult peak time, squared loss, c = ${fmt(c1, 3)}` }),
    });
    figures.push({
      name: 'peak-height',
      caption: 'Squared loss: maximum of the training loss against the width (log-log).',
      spec: xySpec([...ns.map((n, i) => ({ x: n, y: pHeight[i], source: 'network' })), ...ns.map((n, i) => ({ x: n, y: thPeak[i].lossMax, source: 'exact recursion' }))], { xTitle: 'width n (log scale)', yTitle: 'peak training loss (log scale)', xLog: true, yLog: true, lineSources: ['exact recursion'], title: 'Catapult peak height, squared loss' }),
    });
    tables.push({ caption: 'Squared loss: loss peak against the width', header: ['n', 'peak step', 'peak loss', 'recursion: peak step', 'recursion: peak loss', 'phase'], rows: peak.map((r, i) => [String(ns[i]), String(pSteps[i]), fmt(pHeight[i]), String(thPeak[i].stepOfLossMax), fmt(thPeak[i].lossMax), phaseOf(r)]) });

    // logistic duration
    const dur = [...sweeps['logistic-duration'].rows].sort((a, b) => Number(a.values['model.width']) - Number(b.values['model.width']));
    const dn = dur.map((r) => Number(r.values['model.width']));
    const dNet: number[] = [], dTh: number[] = [];
    const lamSeries: { label: string; rows: { step: number; value: number }[] }[] = [];
    for (const r of dur) {
      const m = readRunMetrics(sweeps['logistic-duration'].dir, r);
      dNet.push(catapultDuration(m.map((x) => x.step), m.map((x) => x.lambda)));
      lamSeries.push({ label: `n = ${r.values['model.width']}`, rows: m.filter((x) => Number.isFinite(x.lambda)).map((x) => ({ step: x.step, value: x.lambda / numOr(s(r).lambda0) })) });
      const cfg = readRunConfig(sweeps['logistic-duration'].dir, r);
      const u = uvSetting(cfg)!;
      const t = runTheory({ setting: u.setting, f0: u.f0, lambda0: u.lambda0, c: cOf(r), steps: cfg.steps, recordEvery: 1 }).trajectory;
      const recorded = new Set(m.filter((x) => Number.isFinite(x.lambda)).map((x) => x.step));
      const idx = [...t.step.keys()].filter((i) => recorded.has(t.step[i]));
      dTh.push(catapultDuration(idx.map((i) => t.step[i]), idx.map((i) => t.lambda[i])));
    }
    const cd = dur.length ? cOf(dur[0]) : NaN;
    const dSlope = logLogSlope(dn, dNet);
    verdicts.push({
      claim: `Logistic loss (p = 0.3, c = ${fmt(cd, 3)}): the catapult lasts O(n/η²) steps`,
      measured: `durations ${dNet.map((d) => fmt(d)).join(', ')} steps for n = ${dn.join(', ')}; log-log slope ${fmt(dSlope, 3)}`,
      predicted: `slope 1; exact recursion: ${dTh.map((d) => fmt(d)).join(', ')} steps (slope ${fmt(logLogSlope(dn, dTh), 3)})`,
      pass: Math.abs(dSlope - 1) <= 0.2 && isMonotoneIncreasing(dNet),
      rule: 'durations increase with n and the log-log slope is within 0.2 of 1',
    });
    figures.push({
      name: 'duration',
      caption: 'Logistic loss: duration of the catapult (steps until 95% of the λ drop) against the width.',
      spec: xySpec([...dn.map((n, i) => ({ x: n, y: dNet[i], source: 'network' })), ...dn.map((n, i) => ({ x: n, y: dTh[i], source: 'exact recursion' }))], { xTitle: 'width n (log scale)', yTitle: 'catapult duration (steps, log scale)', xLog: true, yLog: true, lineSources: ['exact recursion'], title: `Catapult duration, logistic loss, c = ${fmt(cd, 3)}` }),
    });
    figures.push({
      name: 'lambda-by-width',
      caption: 'Logistic loss: λ_t/λ₀ against the step for each width at the same c.',
      spec: stepSeriesSpec(lamSeries, { yTitle: 'λ_t / λ₀', title: `NTK curvature along training, logistic loss, c = ${fmt(cd, 3)}` }),
    });

    // divergence edge
    const edge = sweeps['logistic-edge'];
    const widths = [...new Set(edge.rows.map((r) => Number(r.values['model.width'])))].sort((a, b) => a - b);
    const cmax: Bracket[] = widths.map((n) => {
      const o = onsetOf(edge, { 'model.width': n });
      return { c: o?.cMax ?? null, below: o?.cMaxBelow ?? null };
    });
    const cmaxTh = widths.map((n) => {
      const rows = edge.rows.filter((x) => Number(x.values['model.width']) === n);
      const cfg = readRunConfig(edge.dir, rows[0]);
      return theoryOnset(uvSetting(cfg)!, cfg.steps, theoryTest('cMax'), rows.map(cOf), edge.spec.refine);
    });
    const cm = cmax.map((b) => b.c ?? NaN);
    const lastTwo = widths.length >= 2 ? logLogSlope(widths.slice(-2), cm.slice(-2)) : NaN;
    verdicts.push({
      claim: 'Logistic loss: the divergence edge c_max grows with the width',
      measured: `c_max = ${cm.map((c) => fmt(c)).join(', ')} for n = ${widths.join(', ')}`,
      predicted: `increasing; exact recursion: ${cmaxTh.map((c) => fmt(c)).join(', ')}`,
      pass: cm.every(Number.isFinite) && isMonotoneIncreasing(cm, true),
      rule: 'c_max (first divergent c on the grid, bisected) strictly increasing in n',
    });
    verdicts.push({
      claim: 'Logistic loss: the catapult window grows like √n (η²/n = O(1)) at large width',
      measured: `log-log slope of c_max between the two largest widths: ${fmt(lastTwo, 3)}`,
      predicted: `0.5; exact recursion: ${fmt(widths.length >= 2 ? logLogSlope(widths.slice(-2), cmaxTh.slice(-2).map((c) => c ?? NaN)) : NaN, 3)}`,
      pass: Math.abs(lastTwo - 0.5) <= 0.15,
      rule: 'slope within 0.15 of 0.5',
    });
    figures.push({
      name: 'divergence-edge',
      caption: 'Logistic loss: divergence edge c_max against the width (log-log).',
      spec: xySpec([...widths.map((n, i) => ({ x: n, y: cm[i], source: 'network' })), ...widths.map((n, i) => ({ x: n, y: cmaxTh[i] ?? NaN, source: 'exact recursion' }))], { xTitle: 'width n (log scale)', yTitle: 'c_max (log scale)', xLog: true, yLog: true, lineSources: ['exact recursion'], title: 'Divergence edge, logistic loss, p = 0.3' }),
    });
    const rowsPD = sweepRowsForSpecs(edge.rows);
    figures.push({
      name: 'phase-diagram',
      caption: 'Logistic loss: phase of each run on the (c, width) grid with the measured divergence edge.',
      spec: phaseDiagramSpec(rowsPD, { y: 'width', onsets: widths.map((n, i) => ({ y: n, cMax: cm[i] })), title: 'Phase diagram, logistic loss, p = 0.3' }),
    });
    tables.push({ caption: 'Logistic loss: catapult duration and divergence edge against the width', header: ['n', 'duration (steps)', 'recursion: duration', 'c_max', 'recursion: c_max'], rows: widths.map((n, i) => [String(n), fmt(dNet[dn.indexOf(n)]), fmt(dTh[dn.indexOf(n)]), bracketText(cmax[i]), fmt(cmaxTh[i])]) });
    return { figures, tables, verdicts };
  },
};

