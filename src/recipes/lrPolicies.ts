import { compilePolicy, isAbsolute, type LrPolicy } from '../train/lr/policy.ts';
import { etaScheduleSpec, toySurfaceSpec } from '../report/lrFigures.ts';
import { analyzeRuns, lrbenchFigures, lrbenchTables, policyStats, type PolicyRun } from './lrbench.ts';
import { fmt, type Verdict } from '../experiments/verdicts.ts';
import type { Recipe } from './common.ts';
import { nesterovPath, toySurface } from './toySurface.ts';

const stepsOf = (xs: readonly number[], max = 8) => (xs.length === 0 ? '—' : xs.slice(0, max).join(', ') + (xs.length > max ? `, … (${xs.length})` : ''));

/** Verdict: runs with η(t)·S_t < 2 at every measured step show no loss rise. */
export function edgeVerdict(runs: readonly PolicyRun[]): Verdict {
  const below = runs.filter((r) => r.belowEdge && r.summary.phase !== 'divergent');
  const rising = below.filter((r) => r.rises.length > 0);
  return {
    claim: 'A policy with η(t)·S_t < 2 at every step shows no loss rise',
    measured: below.length === 0
      ? 'no run stayed below η·S = 2'
      : `${below.length} runs stayed below η·S = 2 (${[...new Set(below.map((r) => r.policy))].join(', ')}); ${rising.length} of them had a loss rise${rising.length ? ` (${rising.map((r) => `${r.policy} seed ${r.seed} at t = ${stepsOf(r.rises, 3)}`).join('; ')})` : ''}`,
    predicted: 'no loss rise in any of them',
    pass: below.length === 0 ? null : rising.length === 0,
    rule: 'η·S from the recorded η_t and the measured S_t (every curvature.every steps); a rise = a recorded loss above the previous recorded one by more than 1e-9 relative',
  };
}

export const lrPolicies: Recipe = {
  name: 'lr-policies',
  study: 'lr-policies',
  title: 'Learning-rate policies and the catapult (LRBench)',
  description:
    "Every family of LRBench's learning-rate functions on a deep linear net (depth 3) with the logistic loss on a non-separable MNIST task (3 vs 8, 1000 training images average-pooled to 7×7, which the separability LP finds not linearly separable for seeds 0–2; full profile: the whole pair at 28×28), η(t) = η·k(t) with η = 2/λ₀ (c = 1), so c(t) = η(t)λ₀/2 = k(t). Per policy: catapult events (a loss rise followed by a ≥ 1% lower λ), final λ, and LRBench's metrics (accuracy, confidence, variance over seeds, cost, robustness). Plus LRBench's 2-D toy surface with Nesterov momentum as a qualitative picture.",
  analyze({ sweeps, params }) {
    const data = sweeps.policies;
    const policies = (data.spec.sweep.axes.schedule as { named: Record<string, unknown> }).named;
    const target = Number(params.targetAccuracy ?? 0.8);
    const runs = analyzeRuns(data.rows, data.dir, target);
    const stats = policyStats(runs, policies);
    const verdicts: Verdict[] = [edgeVerdict(runs)];
    const crossed = runs.filter((r) => !r.belowEdge && r.summary.phase !== 'divergent');
    verdicts.push({
      claim: 'Policies whose η(t)·S_t reaches 2 catapult',
      measured: `${crossed.filter((r) => r.events.length > 0).length} of ${crossed.length} such runs had a catapult event; ${runs.filter((r) => r.summary.phase === 'divergent').length} runs diverged`,
      predicted: '—',
      pass: null,
      rule: 'observation',
    });
    const best = [...stats].sort((a, b) => b.accuracy - a.accuracy)[0];
    if (best) {
      const ties = stats.filter((x) => Math.abs(x.accuracy - best.accuracy) <= 1e-12).map((x) => x.policy);
      verdicts.push({
        claim: 'Best final test accuracy: does that policy catapult?',
        measured: ties.length > 1
          ? `${ties.length} of ${stats.length} policies tie at ${fmt(best.accuracy, 4)} (${ties.join(', ')}); with catapult events: ${stats.filter((x) => ties.includes(x.policy) && x.events > 0).length}`
          : `${best.policy}: ${fmt(best.accuracy, 4)} (catapult events per run: ${fmt(best.events, 3)}, λ_T/λ₀ = ${fmt(best.lambdaRatio, 3)})`,
        predicted: '—',
        pass: null,
        rule: 'observation',
      });
    }
    const tables = lrbenchTables(stats, target);
    tables.push({
      caption: 'Catapult events per run (loss rise, then λ at least 1% lower once the loss is back)',
      header: ['policy', 'seed', 'phase', 'η·S < 2 throughout', 'loss rises at', 'events: peak step (λ before → after)', 'λ_T/λ₀'],
      rows: runs.map((r) => [
        r.policy,
        String(r.seed),
        String(r.summary.phase),
        r.belowEdge ? 'yes' : 'no',
        stepsOf(r.rises),
        r.events.length ? r.events.slice(0, 4).map((e) => `${e.peak} (${fmt(e.lambdaBefore, 3)} → ${fmt(e.lambdaAfter, 3)})`).join('; ') + (r.events.length > 4 ? ` … (${r.events.length})` : '') : '—',
        fmt(Number(r.summary.lambdaFinal) / Number(r.summary.lambda0), 4),
      ]),
    });
    const figures = lrbenchFigures(stats, policies);
    // c(t) = η(t)λ₀/2 of each policy (seed 0's λ₀), against the measured catapult onset
    const cSeries = stats.map((st) => {
      const run = [...st.runs].sort((a, b) => a.seed - b.seed)[0];
      const p = policies[st.policy] as LrPolicy, k = compilePolicy(p);
      const base = (isAbsolute(p) ? 1 : Number(run.summary.eta)) * Number(run.summary.lambda0) / 2;
      return { label: st.policy, rows: run.rows.map((r) => ({ step: r.step, eta: base * k(r.step) })) };
    });
    figures.splice(1, 0, { name: 'c-of-t', caption: 'c(t) = η(t)λ₀/2 of every policy.', spec: etaScheduleSpec(cSeries, { title: 'c(t) = η(t)λ₀/2 per policy', yTitle: 'c(t)', yLog: true, width: 520 }) });
    // LRBench's toy surface with Nesterov momentum (its notebook's three policies)
    const step = 0.05;
    const grid = [];
    for (let x = -1.5 + step / 2; x < 1.5; x += step) for (let y = -1.5 + step / 2; y < 1.5; y += step) grid.push({ x, y, z: toySurface(x, y) });
    const toy: [string, LrPolicy][] = [
      ['FIX k0=0.025', { fn: 'FIX', k0: 0.025 }],
      ['NSTEP k0=0.05, γ=0.1, l=[35,45,50]', { fn: 'NSTEP', k0: 0.05, gamma: 0.1, l: [35, 45, 50] }],
      ['TRIEXP k0=0.05, k1=0.3, γ=0.94, l=50', { fn: 'TRIEXP', k0: 0.05, k1: 0.3, gamma: 0.94, l: 50 }],
    ];
    const paths = toy.map(([label, p]) => ({ label, points: nesterovPath(compilePolicy(p)) }));
    figures.push({
      name: 'toy-surface',
      caption: "LRBench's 2-D toy surface (darker = lower) and Nesterov-momentum paths (β = 0.9, 50 iterations from (0.75, 1)) under three policies of its notebook (qualitative).",
      spec: toySurfaceSpec(grid, paths, { step, title: 'Toy surface, Nesterov momentum', subtitle: paths.map((p) => `${p.label.split(' ')[0]}: z = ${fmt(p.points[p.points.length - 1].z, 3)}`).join('; ') }),
    });
    return { figures, tables, verdicts };
  },
};
