import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compilePolicy, isAbsolute, policyLabel, type LrPolicy } from '../train/lr/policy.ts';
import { parseLrPolicy } from '../train/lr/schema.ts';
import { alwaysBelowEdge, catapultEvents, lossRises, type CatapultEvent } from '../train/lr/stability.ts';
import { robustness, sampleStd, stepsToAccuracy } from '../train/policyMetrics.ts';
import { etaScheduleSpec } from '../report/lrFigures.ts';
import { stepSeriesSpec } from '../report/recipeFigures.ts';
import type { VegaLiteSpec } from '../report/specs.ts';
import type { ResultRow } from '../experiments/results.ts';
import { readRunMetrics } from '../experiments/recipeFiles.ts';
import { parseSweepConfig, type SweepConfig } from '../experiments/sweep.ts';
import { fmt, mean } from '../experiments/verdicts.ts';

/**
 * An LRBench-style benchmark: learning-rate policies × seeds on one problem, run as a sweep
 * (named-value axis `schedule` × axis `seed`, so it is resumable and runs on the worker pool),
 * then per policy: accuracy, confidence, variance over seeds, cost, robustness (definitions in
 * src/train/policyMetrics.ts), catapult events and the final curvature, ranked by each metric.
 *
 *   { "name": "lrbench", "base": {run config}, "policies": {"FIX": {"fn": "FIX", "k0": 1}, …},
 *     "seeds": [0, 1, 2], "targetAccuracy": 0.9 }
 *
 * Node-only (reads run directories).
 */
export const LrbenchConfigSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/).default('lrbench'),
  base: z.record(z.string(), z.unknown()).default({}),
  policies: z.record(z.string(), z.unknown()).refine((p) => Object.keys(p).length > 0, 'at least one policy is needed'),
  seeds: z.array(z.number().int().min(0)).min(1).default([0]),
  /** cost = first recorded step with training accuracy ≥ this */
  targetAccuracy: z.number().min(0).max(1).default(0.9),
});
export type LrbenchConfig = z.output<typeof LrbenchConfigSchema>;

/** Validate a benchmark config; errors name the field ("policies.TRI.l: …"). */
export function parseLrbenchConfig(input: unknown): LrbenchConfig {
  const r = LrbenchConfigSchema.safeParse(input);
  const issues = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
  if (r.success) {
    for (const [name, p] of Object.entries(r.data.policies)) {
      for (const i of parseLrPolicy(p).issues) issues.push(`${['policies', name, ...i.path].join('.')}: ${i.message}`);
    }
    if ('schedule' in r.data.base) issues.push('base.schedule: the policies set the schedule; remove it from base');
  }
  if (issues.length) throw new Error(`invalid lrbench config:\n  ${issues.join('\n  ')}`);
  return r.data!;
}

/** The benchmark as a sweep: policies (named values of `schedule`) × seeds. */
export function lrbenchSweep(cfg: LrbenchConfig): SweepConfig {
  return parseSweepConfig({ name: cfg.name, base: cfg.base, axes: { schedule: { named: cfg.policies }, seed: cfg.seeds } });
}

export interface PolicyRun {
  policy: string;
  seed: number;
  summary: Record<string, any>;
  rows: Record<string, number>[];
  events: CatapultEvent[];
  rises: number[];
  /** η(t)·S_t < 2 at every measured step */
  belowEdge: boolean;
  cost: number | null;
  robustness: number;
}

export interface PolicyStats {
  policy: string;
  label: string;
  runs: PolicyRun[];
  accuracy: number;
  /** sample std of the final test accuracy over seeds */
  variance: number;
  confidence: number;
  confidenceStd: number;
  /** mean over seeds that reached the target (NaN if none did) */
  cost: number;
  costReached: number;
  robustness: number;
  events: number;
  lambdaRatio: number;
  maxEtaS: number;
}

/** Per-run metrics, catapult events and edge-of-stability status, read from the run directories. */
export function analyzeRuns(rows: readonly ResultRow[], sweepDir: string, targetAccuracy: number): PolicyRun[] {
  return rows.map((r) => {
    const summary = r.summary as Record<string, any>;
    const m = existsSync(join(sweepDir, 'runs', r.hash, 'metrics.csv')) ? readRunMetrics(sweepDir, r) : [];
    const stab = m.map((x) => ({ step: x.step, eta: x.eta, sharpness: x.sharpness }));
    return {
      policy: String(r.values.schedule),
      seed: Number(r.values.seed),
      summary,
      rows: m,
      events: catapultEvents(m.map((x) => ({ step: x.step, loss: x.loss, lambda: x.lambda }))),
      rises: lossRises(m.map((x) => ({ step: x.step, loss: x.loss }))),
      belowEdge: alwaysBelowEdge(stab),
      cost: stepsToAccuracy(m.map((x) => ({ step: x.step, accuracy: x.accuracy })), targetAccuracy),
      robustness: robustness(summary.testLossFinal ?? null, summary.lossFinal),
    };
  });
}

export function policyStats(runs: readonly PolicyRun[], policies: Record<string, unknown>): PolicyStats[] {
  return Object.keys(policies).map((policy) => {
    const rs = runs.filter((r) => r.policy === policy);
    const acc = rs.map((r) => Number(r.summary.testAccuracyFinal ?? r.summary.accuracyFinal));
    const reached = rs.filter((r) => r.cost !== null);
    return {
      policy,
      label: policyLabel(policies[policy] as LrPolicy),
      runs: rs,
      accuracy: mean(acc),
      variance: sampleStd(acc),
      confidence: mean(rs.map((r) => Number(r.summary.testConfidenceMean ?? NaN))),
      confidenceStd: mean(rs.map((r) => Number(r.summary.testConfidenceStd ?? NaN))),
      cost: mean(reached.map((r) => r.cost as number)),
      costReached: reached.length,
      robustness: mean(rs.map((r) => r.robustness)),
      events: mean(rs.map((r) => r.events.length)),
      lambdaRatio: mean(rs.map((r) => Number(r.summary.lambdaFinal) / Number(r.summary.lambda0))),
      maxEtaS: Math.max(...rs.flatMap((r) => r.rows.map((x) => x.eta * x.sharpness).filter(Number.isFinite))),
    };
  });
}

/** The metrics a policy is ranked by, with the better direction. */
export const RANKED_METRICS = [
  { key: 'accuracy', title: 'test accuracy', better: 'high' },
  { key: 'confidence', title: 'confidence', better: 'high' },
  { key: 'variance', title: 'variance (std over seeds)', better: 'low' },
  { key: 'cost', title: 'cost (steps to target)', better: 'low' },
  { key: 'robustness', title: 'robustness (test − train loss)', better: 'low' },
] as const;
type RankedKey = (typeof RANKED_METRICS)[number]['key'];

/** Policies ordered best first by one metric (NaN last). */
export function rankBy(stats: readonly PolicyStats[], key: RankedKey): PolicyStats[] {
  const better = RANKED_METRICS.find((m) => m.key === key)!.better;
  return [...stats].sort((a, b) => {
    const x = a[key], y = b[key];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return better === 'high' ? y - x : x - y;
  });
}

export interface LrbenchTables {
  caption: string;
  header: string[];
  rows: string[][];
}

/** Per-policy table (metric with its rank) and a ranking table (policies per rank, per metric). */
export function lrbenchTables(stats: readonly PolicyStats[], targetAccuracy: number): LrbenchTables[] {
  const rankOf = new Map<string, Record<string, number>>();
  for (const m of RANKED_METRICS) rankBy(stats, m.key).forEach((s, i) => (rankOf.set(s.policy, { ...rankOf.get(s.policy), [m.key]: i + 1 })));
  const cell = (s: PolicyStats, key: RankedKey, digits = 4) => (Number.isNaN(s[key]) ? '—' : `${fmt(s[key], digits)} (#${rankOf.get(s.policy)![key]})`);
  const seeds = stats[0]?.runs.length ?? 0;
  const perPolicy = {
    caption: `Metrics per policy (means over ${seeds} seed${seeds === 1 ? '' : 's'}; #rank per metric)`,
    header: ['policy', 'definition', 'test accuracy', 'confidence (± std)', 'variance', `cost: steps to train acc ≥ ${targetAccuracy}`, 'robustness', 'catapult events', 'λ_T/λ₀', 'max η·S'],
    rows: rankBy(stats, 'accuracy').map((s) => [
      s.policy,
      s.label,
      cell(s, 'accuracy'),
      Number.isNaN(s.confidence) ? '—' : `${cell(s, 'confidence')} ± ${fmt(s.confidenceStd, 3)}`,
      cell(s, 'variance', 3),
      Number.isNaN(s.cost) ? `never (0/${s.runs.length})` : `${cell(s, 'cost')}${s.costReached < s.runs.length ? ` (${s.costReached}/${s.runs.length} reached)` : ''}`,
      cell(s, 'robustness'),
      fmt(s.events, 3),
      fmt(s.lambdaRatio, 4),
      fmt(s.maxEtaS, 4),
    ]),
  };
  const ranking = {
    caption: 'Ranking by each metric (best first)',
    header: ['rank', ...RANKED_METRICS.map((m) => `${m.title} (${m.better} is better)`)],
    rows: stats.map((_, i) => [String(i + 1), ...RANKED_METRICS.map((m) => {
      const s = rankBy(stats, m.key)[i];
      return Number.isNaN(s[m.key]) ? `${s.policy} (—)` : `${s.policy} (${fmt(s[m.key], 4)})`;
    })]),
  };
  return [perPolicy, ranking];
}

/** η(t) of every policy over the run (the function training used), and loss, λ, accuracy of seed runs. */
export function lrbenchFigures(stats: readonly PolicyStats[], policies: Record<string, unknown>): { name: string; caption: string; spec: VegaLiteSpec }[] {
  const first = stats.map((s) => ({ s, run: [...s.runs].sort((a, b) => a.seed - b.seed)[0] })).filter((x) => x.run);
  const etaSeries = first.map(({ s, run }) => {
    const policy = policies[s.policy] as LrPolicy, k = compilePolicy(policy);
    const base = isAbsolute(policy) ? 1 : Number(run.summary.eta);
    const T = Number(run.summary.steps);
    const stride = Math.max(1, Math.floor(T / 600));
    return { label: s.policy, rows: Array.from({ length: Math.floor(T / stride) + 1 }, (_, i) => ({ step: i * stride, eta: base * k(i * stride) })) };
  });
  const series = (field: string) => first.map(({ s, run }) => ({ label: s.policy, rows: run.rows.map((r) => ({ step: r.step, value: r[field] })) }));
  const seed = first[0]?.run.seed ?? 0;
  const hasTest = first.some(({ run }) => run.rows.some((r) => Number.isFinite(r.testAccuracy)));
  return [
    { name: 'eta', caption: 'η(t) of every policy (η(t) = η·k(t), drawn by the function training uses).', spec: etaScheduleSpec(etaSeries, { title: 'η(t) per policy', yLog: true, width: 520 }) },
    { name: 'loss', caption: `Training loss per policy (seed ${seed}).`, spec: stepSeriesSpec(series('loss'), { yTitle: 'training loss', yLog: true, title: 'Loss per policy', width: 520 }) },
    { name: 'lambda', caption: `NTK curvature λ_t per policy (seed ${seed}); a catapult lowers it.`, spec: stepSeriesSpec(series('lambda').map((x) => ({ ...x, rows: x.rows.filter((r) => Number.isFinite(r.value)) })), { yTitle: 'λ_t', title: 'Curvature per policy', width: 520 }) },
    { name: 'accuracy', caption: `${hasTest ? 'Test' : 'Training'} accuracy per policy (seed ${seed}).`, spec: stepSeriesSpec(series(hasTest ? 'testAccuracy' : 'accuracy'), { yTitle: hasTest ? 'test accuracy' : 'training accuracy', title: 'Accuracy per policy', width: 520 }) },
  ];
}
