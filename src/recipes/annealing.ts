import { join } from 'node:path';
import { categoryDotSpec, stepSeriesSpec } from '../report/recipeFigures.ts';
import { trajectorySpec, type RunSeries } from '../report/specs.ts';
import type { Phase } from '../theory/phase.ts';
import { numOr, s, trajectory, type FigureOut, type Recipe, type TableOut } from './common.ts';
import { readRunConfig, readRunMetrics } from '../experiments/recipeFiles.ts';
import type { ResultRow } from '../experiments/results.ts';
import { cOf, fmt, mean, pairedDifference, phaseOf, solverCheck, solverText, type Verdict } from '../experiments/verdicts.ts';
/* 6. Annealing */

export const annealing: Recipe = {
  name: 'annealing',
  title: 'Annealing: a catapult-phase learning rate, then decayed, vs a constant small one',
  description:
    'The MNIST setting of the previous recipe. Three protocols with the same number of steps: a constant small η (lazy phase), a constant large η (catapult phase), and the large η for the first T₁ steps decayed to the small one. Each protocol is run for every seed on the axis (the seed draws the training subset and the initialization).',
  analyze({ sweeps }) {
    const con = sweeps.constant, ann = sweeps.anneal;
    const cs = [...new Set(con.rows.map((r) => Number(r.values.c)))].sort((a, b) => a - b);
    const cSmall = cs[0], cLarge = cs[cs.length - 1];
    const small = con.rows.filter((r) => Number(r.values.c) === cSmall);
    const large = con.rows.filter((r) => Number(r.values.c) === cLarge);
    const aCfg = readRunConfig(ann.dir, ann.rows[0]);
    const sched = 'kind' in aCfg.schedule && aCfg.schedule.kind === 'step' ? aCfg.schedule : null;
    const cA = Number(ann.rows[0].values.c);
    const annLabel = sched ? `anneal c = ${fmt(cA, 3)} → ${fmt(cA * sched.factor, 3)} at t = ${sched.at}` : 'anneal';
    const protocols = [
      { label: `constant c = ${fmt(cSmall, 3)}`, rows: small, data: con },
      { label: `constant c = ${fmt(cLarge, 3)}`, rows: large, data: con },
      { label: annLabel, rows: ann.rows, data: ann },
    ];
    const acc = (r: ResultRow) => numOr(s(r).testAccuracyFinal);
    const lam = (r: ResultRow) => numOr(s(r).lambdaFinal);
    const verdicts: Verdict[] = [];
    verdicts.push({
      claim: `The large learning rate (c = ${fmt(cLarge, 3)}) is in the catapult phase`,
      measured: large.map((r) => `seed ${r.values.seed}: ${phaseOf(r)}`).join(', '),
      predicted: 'catapult',
      pass: large.length > 0 && large.every((r) => phaseOf(r) === 'catapult'),
      rule: 'every seed in the catapult phase',
    });
    const mA = mean(ann.rows.map(lam)), mS = mean(small.map(lam));
    const lamChk = solverCheck([...ann.rows, ...small], 'lambdaFinal');
    verdicts.push({
      claim: 'Annealing from the catapult phase ends in a flatter minimum than a constant small η',
      measured: `mean final λ: anneal ${fmt(mA)}, constant small ${fmt(mS)}; ${solverText(lamChk, 'λ_T solver')}`,
      predicted: 'anneal < constant small',
      pass: mA < mS && lamChk.ok,
      rule: 'mean λ_T over seeds lower for the anneal protocol, and every λ_T solve converged',
    });
    const bySeed = (rows: ResultRow[]) => new Map(rows.map((r) => [Number(r.values.seed), acc(r)]));
    const d = pairedDifference(bySeed(ann.rows), bySeed(small));
    const aA = mean(ann.rows.map(acc)), aS = mean(small.map(acc)), aL = mean(large.map(acc));
    const enough = d.n >= 5;
    verdicts.push({
      claim: 'Annealing from the catapult phase generalizes at least as well as a constant small η',
      measured: `mean test accuracy: anneal ${fmt(aA)}, constant small ${fmt(aS)}, constant large ${fmt(aL)}; paired difference anneal − small ${fmt(d.mean, 3)} ± ${fmt(d.se, 2)} (SE, ${d.n} seeds)`,
      predicted: 'anneal − small ≥ −2 SE (paired over ≥ 5 seeds)',
      pass: enough && d.mean >= -2 * d.se ? true : null,
      rule: 'paired over seeds (same training subset and init): ✓ when ≥ 5 seeds and the mean difference is above −2 standard errors; otherwise an observation (fewer seeds, or annealing measurably worse)',
    });
    const seed0 = (rows: ResultRow[]) => [...rows].sort((a, b) => Number(a.values.seed) - Number(b.values.seed))[0];
    const series: RunSeries[] = protocols.map((p) => {
      const r = seed0(p.rows);
      return { label: p.label, c: cOf(r), rows: trajectory(p.data, r), phase: phaseOf(r) as Phase };
    });
    const accSeries = protocols.map((p) => {
      const r = seed0(p.rows);
      return { label: p.label, rows: readRunMetrics(p.data.dir, r).map((m) => ({ step: m.step, value: m.testAccuracy })) };
    });
    const figures: FigureOut[] = [
      { name: 'trajectories', caption: 'Training loss, λ and η·λ for the three protocols (first seed).', spec: trajectorySpec(series, { title: 'Annealing vs constant learning rates', sharpnessField: 'etaLambda', legendTitle: 'protocol' }) },
      { name: 'test-accuracy-vs-step', caption: 'Test accuracy along training (first seed).', spec: stepSeriesSpec(accSeries, { yTitle: 'test accuracy', title: 'Test accuracy along training' }) },
      { name: 'final-test-accuracy', caption: 'Final test accuracy per protocol: one dot per seed, the tick is the mean.', spec: categoryDotSpec(protocols.flatMap((p) => p.rows.map((r) => ({ category: p.label, value: acc(r), label: `seed ${r.values.seed}` }))), { yTitle: 'final test accuracy', title: 'Final test accuracy' }) },
    ];
    const table: TableOut = {
      caption: 'Runs',
      header: ['protocol', 'seed', 'phase', 'final loss', 'λ_T/λ₀', 'train acc.', 'test acc.'],
      rows: protocols.flatMap((p) => p.rows.map((r) => [p.label, String(r.values.seed), phaseOf(r), fmt(numOr(s(r).lossFinal)), fmt(lam(r) / numOr(s(r).lambda0)), fmt(numOr(s(r).accuracyFinal), 4), fmt(acc(r), 4)])),
    };
    return { figures, tables: [table], verdicts };
  },
};

