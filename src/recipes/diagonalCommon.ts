import type { MarkRecord } from '../train/marks.ts';
import { xySpec, type XYPoint } from '../report/recipeFigures.ts';
import type { ResultRow } from '../experiments/results.ts';
import { fmt, median } from '../experiments/verdicts.ts';
import { s, type FigureOut } from './common.ts';

/**
 * What the diagonal-network recipes share (neighbours §A): the marks of a run (summary.marks, see
 * src/train/marks.ts), medians over seeds at a mark, and the gap-vs-log10 γ figures. Node-only.
 */
export const marksOfRow = (r: ResultRow): MarkRecord[] => (s(r).marks as MarkRecord[] | undefined) ?? [];
export const alphaOf = (r: ResultRow): number => Number(r.values['init.value']);
export type GapKey = 'l1Gap' | 'l2Gap';

/** The sorted distinct values of an axis over some rows. */
export function axisValues(rows: readonly ResultRow[], axis: string): number[] {
  return [...new Set(rows.map((r) => Number(r.values[axis])))].sort((a, b) => a - b);
}

/** The record of a mark in a run, or undefined when the run did not reach it. */
export const recordAt = (r: ResultRow, mark: number): MarkRecord | undefined => marksOfRow(r).find((m) => m.mark === mark);

/** Median over runs (seeds) of a gap at a mark (NaN when no run reached it). */
export function medianGap(rows: readonly ResultRow[], mark: number, key: GapKey): number {
  return median(rows.map((r) => recordAt(r, mark)?.[key] ?? NaN));
}

/** ℓ1/ℓ2 gap text of a (median) pair, e.g. "0.159/0.720". */
export const gapPair = (a: number, b: number): string => `${fmt(a, 3)}/${fmt(b, 3)}`;

/** Median gap against log10 γ, one line per series (e.g. per α). */
export function gapFigure(name: string, series: { label: string; rows: readonly ResultRow[] }[], marks: readonly number[], key: GapKey, title: string, caption: string): FigureOut {
  const points: XYPoint[] = [];
  for (const sr of series) for (const mk of marks) points.push({ x: Math.log10(mk), y: medianGap(sr.rows, mk, key), source: sr.label });
  const what = key === 'l1Gap' ? 'ℓ1 gap ‖b − b₁‖₁/‖b₁‖₁' : 'ℓ2 gap ‖b − b₂‖₂/‖b₂‖₂';
  return { name, caption, spec: xySpec(points, { xTitle: 'log10 γ (minimum margin)', yTitle: `${what} (median over seeds)`, lineSources: series.map((x) => x.label), title }) };
}
