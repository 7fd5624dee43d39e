import type { Verdict } from '../experiments/verdicts.ts';
import { fmt, phaseOf } from '../experiments/verdicts.ts';
import type { ResultRow } from '../experiments/results.ts';
import { readRunMetrics, type Profile, type SweepData } from '../experiments/recipeFiles.ts';
import type { StudyName } from '../experiments/studies.ts';
import type { SweepRowLike, TrajectoryRow, VegaLiteSpec } from '../report/specs.ts';

/**
 * What every recipe shares: the recipe interface, its outputs, and small helpers over sweep rows.
 * Node-only (reads run directories).
 */
export interface FigureOut {
  name: string;
  caption: string;
  spec: VegaLiteSpec;
}
export interface TableOut {
  caption: string;
  header: string[];
  rows: string[][];
}
export interface RecipeOutput {
  figures: FigureOut[];
  tables: TableOut[];
  verdicts: Verdict[];
}
export interface RecipeContext {
  profile: Profile;
  params: Record<string, any>;
  /** where a recipe writes data it generates */
  dataDir: string;
}
export interface AnalyzeContext extends RecipeContext {
  sweeps: Record<string, SweepData>;
}
export interface Recipe {
  name: string;
  title: string;
  /** what the experiment shows, in words (no results: those are computed) */
  description: string;
  /** the study this recipe belongs to (src/experiments/studies.ts); default 'paper' */
  study?: StudyName;
  /** profiles the recipe runs in by default (all when absent; e.g. a recipe that needs an optional data package runs in 'full' only) */
  profiles?: readonly Profile[];
  prepare?(ctx: RecipeContext): Promise<void> | void;
  analyze(ctx: AnalyzeContext): Promise<RecipeOutput> | RecipeOutput;
}

export const s = (r: ResultRow) => r.summary as Record<string, any>;
export const numOr = (x: unknown): number => (typeof x === 'number' ? x : x === null || x === undefined || x === '' ? NaN : Number(x));
export const stable = (rows: readonly ResultRow[]) => rows.filter((r) => phaseOf(r) !== 'divergent');
export const list = (xs: readonly number[], digits = 3) => xs.map((x) => fmt(x, digits)).join(', ');

export function sweepRowsForSpecs(rows: readonly ResultRow[]): (SweepRowLike & Record<string, unknown>)[] {
  return rows.map((r) => ({ ...s(r), ...Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k.replace(/^(model|data)\./, ''), v])) }) as SweepRowLike & Record<string, unknown>);
}

/** Summary table of a sweep: axis values, then the main summary fields. */
export function runsTable(data: SweepData, caption: string, extra: { header: string; value: (r: ResultRow) => string }[] = []): TableOut {
  const axes = Object.keys(data.spec.sweep.axes).filter((a) => a !== 'c');
  const header = [...axes, 'c', 'η', 'steps', 'phase', 'L_max/L₀', 'λ_T/λ₀', 'η·S_T', ...extra.map((e) => e.header)];
  const rows = data.rows.map((r) => {
    const x = s(r);
    return [
      ...axes.map((a) => String(r.values[a])),
      fmt(x.c),
      fmt(x.eta),
      String(x.steps),
      String(x.phase),
      fmt(x.lossMax / x.lossInitial),
      fmt(x.lambdaFinal / x.lambda0),
      fmt(x.etaSharpnessFinal),
      ...extra.map((e) => e.value(r)),
    ];
  });
  return { caption, header, rows };
}

/** Trajectory rows of a run for the trajectory figures. */
export function trajectory(data: SweepData, r: ResultRow): TrajectoryRow[] {
  return readRunMetrics(data.dir, r).map((m) => ({ step: m.step, loss: m.loss, lambda: m.lambda, etaSharpness: m.etaSharpness, etaLambda: m.etaLambda }));
}

