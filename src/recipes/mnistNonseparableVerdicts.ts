import type { RealPhaseResult } from '../experiments/realPhase.ts';
import { isCatapult } from '../experiments/realPhase.ts';
import type { ResultRow } from '../experiments/results.ts';
import { fmt, pairedDifference, seedStats, solverCheck, solverText, spearman, type Verdict } from '../experiments/verdicts.ts';
import { numOr, s } from './common.ts';

export { seedStats };

/**
 * The verdict rules of the mnist-nonseparable recipe, each one able to fail. Pure functions of the
 * runs' views (no figures, no files).
 */
export interface RunView {
  row: ResultRow;
  seed: number;
  c: number;
  real: RealPhaseResult;
  metrics: Record<string, number>[];
  /** c of the lazy baseline run of this seed */
  baselineC: number;
}

interface SepInfo {
  seed: number;
  separable: boolean;
  separableCount: number;
  nonSeparableCount: number;
  nonSeparableDim: number;
}

/** A catapult phase on the non-separable task (some c catapults for a majority of seeds), none on the separable subset. */
export function catapultContrastVerdict(non: readonly RunView[], sep: readonly RunView[], nonInfo: readonly SepInfo[], sepInfo: readonly SepInfo[]): Verdict {
  const seeds = new Set(non.map((v) => v.seed)).size;
  const cs = [...new Set(non.map((v) => v.c))].sort((a, b) => a - b);
  const catCs = cs.filter((c) => non.filter((v) => v.c === c && isCatapult(v.real.phase)).length * 2 > seeds);
  const sepCat = sep.filter((v) => isCatapult(v.real.phase));
  const dataOk = nonInfo.every((x) => !x.separable) && sepInfo.every((x) => x.separable);
  return {
    claim: 'Logistic loss on MNIST: a catapult phase exists on the non-separable training set and none on a separable subset of the same task',
    measured: `non-separable arm (${nonInfo.map((x) => `seed ${x.seed}: |I| ${x.separableCount}, dim V ${x.nonSeparableDim}`).join('; ')}): catapult for a majority of seeds at c = ${catCs.map((c) => fmt(c, 3)).join(', ') || 'none'}; separable arm (${sepInfo.filter((x) => x.separable).length} of ${sepInfo.length} training sets separable): ${sepCat.length} catapult runs of ${sep.filter((v) => v.real.phase !== 'divergent').length} non-divergent${sepCat.length ? ` (${sepCat.map((v) => `c = ${fmt(v.c, 3)} seed ${v.seed} ${v.real.phase}`).join(', ')})` : ''}`,
    predicted: 'non-separable: a catapult window between lazy and divergent; separable: no catapult (theory §5)',
    pass: dataOk && catCs.length > 0 && sepCat.length === 0,
    rule: 'the LP finds every non-separable-arm training set not separable and every contrast set separable; ≥ 1 c where a majority of seeds is in a catapult phase (early or late, against the lazy baseline); no catapult run in the separable arm',
  };
}

/** κ_V and S_GN,N fall with c across the catapult runs (Spearman ρ ≤ −0.5 each), with converged solves. */
export function flatnessFallsVerdict(non: readonly RunView[]): Verdict[] {
  const cat = non.filter((v) => isCatapult(v.real.phase));
  const out: Verdict[] = [];
  for (const [key, label] of [['kappaNonSep', 'κ_V'], ['sharpnessGNNonSep', 'S_GN,N']] as const) {
    // relative to the run's own initial value: the seeds draw different training sets, whose κ_V(0) differ
    const ratio = (v: RunView) => numOr(s(v.row)[`${key}Final`]) / numOr(s(v.row)[`${key}0`]);
    const have = cat.filter((v) => Number.isFinite(ratio(v)));
    const cs = have.map((v) => v.c), ys = have.map(ratio);
    const rho = spearman(cs, ys);
    const chk = solverCheck(have.map((v) => v.row), `${key}Final`);
    const distinct = new Set(cs).size;
    out.push({
      claim: `Catapult runs on non-separable MNIST end flatter on the non-separable part for larger c: ${label} falls with c`,
      measured: have.length ? `Spearman ρ(c, ${label}_T/${label}(0)) = ${fmt(rho, 3)} over ${have.length} catapult runs at ${distinct} values of c (${fmt(ys[cs.indexOf(Math.min(...cs))], 3)} at c = ${fmt(Math.min(...cs), 3)} → ${fmt(ys[cs.indexOf(Math.max(...cs))], 3)} at c = ${fmt(Math.max(...cs), 3)}); ${solverText(chk, `${label} solver`)}` : `${cat.length} catapult runs, ${label} not recorded (runs need curvature.restricted and the i9 restricted measures)`,
      predicted: 'decreasing in c (ρ < 0; theory §7: the catapult lowers the weights\' scale)',
      pass: have.length >= 3 && distinct >= 2 && rho <= -0.5 && chk.ok,
      rule: `catapult runs only (lazy runs keep their initial values); ${label} at the end over its initial value (seeds draw different training sets); Spearman ρ ≤ −0.5 over ≥ 3 runs at ≥ 2 values of c, and every final ${label} solve converged`,
    });
  }
  return out;
}

/**
 * Is the best test accuracy in the catapult phase? The c with the best mean test accuracy among
 * catapult c's against the best lazy (or edge-of-stability) c, paired over seeds.
 */
export function bestAccuracyVerdict(non: readonly RunView[]): Verdict {
  const stableViews = non.filter((v) => v.real.phase !== 'divergent');
  const cs = [...new Set(stableViews.map((v) => v.c))].sort((a, b) => a - b);
  const seeds = new Set(non.map((v) => v.seed)).size;
  const acc = (c: number) => new Map(stableViews.filter((v) => v.c === c).map((v) => [v.seed, numOr(s(v.row).testAccuracyFinal)]));
  // a c belongs to the catapult phase when a majority of its seeds catapult, to the lazy side when none does
  const catCs = cs.filter((c) => stableViews.filter((v) => v.c === c && isCatapult(v.real.phase)).length * 2 > seeds);
  const lazyCs = cs.filter((c) => stableViews.filter((v) => v.c === c && isCatapult(v.real.phase)).length === 0);
  const best = (list: number[]) => list.map((c) => ({ c, m: seedStats([...acc(c).values()]).mean })).sort((a, b) => b.m - a.m || a.c - b.c)[0];
  const bc = best(catCs), bl = best(lazyCs);
  if (!bc || !bl) {
    return { claim: 'The best test accuracy lies in the catapult phase (non-separable MNIST)', measured: `${catCs.length} catapult c's, ${lazyCs.length} lazy c's: nothing to compare`, predicted: 'catapult c better than the best lazy c by > 2 SE', pass: false, rule: 'paired over seeds: mean difference > 2 standard errors ✓, < −2 SE ✗, else not distinguishable' };
  }
  const d = pairedDifference(acc(bc.c), acc(bl.c));
  return {
    claim: 'The best test accuracy lies in the catapult phase (non-separable MNIST)',
    measured: `best catapult c = ${fmt(bc.c, 3)}: ${fmt(bc.m, 4)}; best lazy c = ${fmt(bl.c, 3)}: ${fmt(bl.m, 4)}; paired difference ${fmt(d.mean, 3)} ± ${fmt(d.se, 2)} (SE, ${d.n} seeds) → ${d.verdict === 'better' ? 'catapult better' : d.verdict === 'worse' ? 'lazy better' : 'not distinguishable'}`,
    predicted: 'catapult c better by more than 2 standard errors',
    pass: d.verdict === 'better' ? true : d.verdict === 'worse' ? false : null,
    rule: 'catapult c = majority of seeds catapult, lazy c = no seed catapults; the best mean of each; paired difference over seeds: > 2 SE ✓, < −2 SE ✗, otherwise "not distinguishable" (an observation)',
  };
}
