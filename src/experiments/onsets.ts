import type { RunSummary } from '../train/trainer.ts';
import { DEFAULT_PHASE_THRESHOLDS } from '../theory/phase.ts';
import { csvCell as cell, splitCsvLine } from './results.ts';

/**
 * Phase onsets along c (theory §5, Kalra & Barkeshli's quantities), the one rule used by sweeps
 * (and their bisection), onsets.csv, figures, the report and the explorer. Browser-safe, pure.
 *
 * For each group of runs that differ only in c (or η):
 *  - c_loss:   first c whose loss rose above its initial value (lossMax > lossInitial·(1 + 1e-9)), or that diverged;
 *  - c_sharp:  first c whose final λ < 0.99·λ0, or that diverged;
 *  - c_instab: first c whose final λ falls clearly below the *lazy baseline*: λ_T/λ0 < 0.98·(λ_T/λ0
 *              of the group's smallest-c run), or that diverged. On real data λ grows during lazy
 *              training, so c_sharp (against λ0) can miss a catapult that c_instab sees;
 *  - c_max:    first divergent c.
 * Each onset also reports the grid point below it (the bracket a refinement bisects).
 */
export const ONSET_NAMES = ['cLoss', 'cSharp', 'cInstab', 'cMax'] as const;
export type OnsetName = (typeof ONSET_NAMES)[number];

/** λ_T must end below this multiple of the lazy baseline's λ_T/λ0 to count as an instability. */
export const INSTABILITY_DROP = 0.98;

export interface Onset {
  group: Record<string, unknown>;
  /** λ_T/λ0 of the group's smallest-c run (the lazy baseline of c_instab); null if it diverged */
  lazyRatio: number | null;
  cLoss: number | null;
  cLossBelow: number | null;
  cSharp: number | null;
  cSharpBelow: number | null;
  cInstab: number | null;
  cInstabBelow: number | null;
  cMax: number | null;
  cMaxBelow: number | null;
}

/** The summary fields an onset test reads (network runs and exact-recursion runs both have them). */
export type OnsetSummary = Pick<Partial<RunSummary>, 'phase' | 'lossInitial' | 'lossMax' | 'lambda0' | 'lambdaFinal'>;

/** Does a run show the onset's property? `lazyRatio` is the group's baseline (c_instab only). */
export function onsetTest(name: OnsetName, s: OnsetSummary, lazyRatio: number | null = null): boolean {
  const divergent = s.phase === 'divergent';
  switch (name) {
    case 'cLoss':
      return divergent || (s.lossMax ?? 0) > (s.lossInitial ?? Infinity) * (1 + DEFAULT_PHASE_THRESHOLDS.lossRise);
    case 'cSharp':
      return divergent || (s.lambdaFinal ?? Infinity) < DEFAULT_PHASE_THRESHOLDS.sharpDrop * (s.lambda0 ?? 0);
    case 'cInstab':
      return divergent || (lazyRatio !== null && (s.lambdaFinal ?? Infinity) / (s.lambda0 ?? NaN) < INSTABILITY_DROP * lazyRatio);
    case 'cMax':
      return divergent;
  }
}

/** The lazy baseline of a group: λ_T/λ0 of its smallest-c run (null when that run diverged or has no λ_T). */
export function lazyBaseline(sortedByC: readonly { summary: OnsetSummary }[]): number | null {
  const s = sortedByC[0]?.summary;
  if (!s || s.phase === 'divergent') return null;
  const r = (s.lambdaFinal ?? NaN) / (s.lambda0 ?? NaN);
  return Number.isFinite(r) ? r : null;
}

/** What the onsets need of a run: its position in the sweep, its axis values and its summary. */
export interface OnsetRow {
  index: number;
  values: Record<string, unknown>;
  summary: OnsetSummary & { c?: number };
}

export function groupKey(values: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(values).filter((k) => k !== 'c' && k !== 'eta').sort().map((k) => [k, values[k]]));
}

/**
 * Onsets of every group. Groups come out in the order of their first run index, whatever order
 * the rows arrive in (completion order with --jobs, resume, shard merges), so onsets.csv is
 * byte-identical however the sweep ran.
 */
export function phaseOnsets(rows: readonly OnsetRow[]): Onset[] {
  const groups = new Map<string, OnsetRow[]>();
  for (const r of [...rows].sort((a, b) => a.index - b.index)) {
    const k = groupKey(r.values);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const out: Onset[] = [];
  for (const [key, list] of groups) {
    const sorted = list.filter((r) => typeof r.summary.c === 'number').sort((a, b) => (a.summary.c as number) - (b.summary.c as number));
    const lazyRatio = lazyBaseline(sorted);
    const onset: Onset = {
      group: Object.fromEntries(JSON.parse(key) as [string, unknown][]),
      lazyRatio,
      cLoss: null, cLossBelow: null, cSharp: null, cSharpBelow: null, cInstab: null, cInstabBelow: null, cMax: null, cMaxBelow: null,
    };
    for (const name of ONSET_NAMES) {
      const i = sorted.findIndex((r) => onsetTest(name, r.summary, lazyRatio));
      if (i >= 0) {
        onset[name] = sorted[i].summary.c as number;
        onset[`${name}Below`] = i > 0 ? (sorted[i - 1].summary.c as number) : null;
      }
    }
    out.push(onset);
  }
  return out;
}

const ONSET_FIELDS = ['lazyRatio', ...ONSET_NAMES.flatMap((n) => [n, `${n}Below` as const])] as const;

export function onsetsToCsv(onsets: readonly Onset[]): string {
  const groupKeys = [...new Set(onsets.flatMap((o) => Object.keys(o.group)))];
  const lines = [[...groupKeys, ...ONSET_FIELDS].join(',')];
  for (const o of onsets) lines.push([...groupKeys.map((k) => o.group[k]), ...ONSET_FIELDS.map((f) => o[f])].map(cell).join(','));
  return lines.join('\n') + '\n';
}

const cellValue = (raw: string): unknown => (raw === '' ? null : !Number.isNaN(Number(raw)) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw);

/** onsets.csv → Onset[] (refined onsets as the sweep wrote them; columns an older file lacks are null). */
export function parseOnsetsCsv(text: string): Onset[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const header = splitCsvLine(lines[0]);
  const fields: readonly string[] = ONSET_FIELDS;
  return lines.slice(1).map((l) => {
    const cells = splitCsvLine(l);
    const o: Record<string, unknown> = Object.fromEntries(ONSET_FIELDS.map((f) => [f, null]));
    o.group = {};
    header.forEach((h, i) => {
      const v = cellValue(cells[i] ?? '');
      if (fields.includes(h)) o[h] = v;
      else (o.group as Record<string, unknown>)[h] = v;
    });
    return o as unknown as Onset;
  });
}

/** The onset of the group whose axis values are exactly `group` (undefined if none). */
export function onsetOfGroup(onsets: readonly Onset[], group: Record<string, unknown> = {}): Onset | undefined {
  return onsets.find((o) => Object.entries(group).every(([k, v]) => o.group[k] === v) && Object.keys(o.group).length === Object.keys(group).length);
}

/** Onsets of one grid of c values given as parallel lists (the explorer's sweep), by the same rule. */
export function gridOnsets(cs: readonly number[], summaries: readonly (OnsetSummary | null | undefined)[]): Onset {
  const rows: OnsetRow[] = [];
  cs.forEach((c, index) => {
    const s = summaries[index];
    if (s) rows.push({ index, values: {}, summary: { ...s, c } });
  });
  return phaseOnsets(rows)[0] ?? phaseOnsets([{ index: 0, values: {}, summary: {} }])[0];
}
