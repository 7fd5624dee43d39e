import type { RunSummary } from '../train/trainer.ts';
import { DEFAULT_PHASE_THRESHOLDS } from '../theory/phase.ts';

/**
 * The results table of a sweep: one row per run, the axis values then the summary fields.
 * Rows are ordered by run index, so the table does not depend on --jobs or sharding.
 * Browser-safe (CSV text in and out).
 */
export const SUMMARY_FIELDS = [
  'status', 'phase', 'steps', 'eta', 'c', 'lambda0', 'sharpness0', 'lambdaFinal', 'sharpnessFinal', 'etaSharpnessFinal',
  'lossInitial', 'lossMax', 'stepOfLossMax', 'lossFinal', 'accuracyFinal', 'testLossFinal', 'testAccuracyFinal', 'divergedAt',
] as const;

export type ResultRow = { index: number; hash: string; values: Record<string, unknown>; summary: Partial<RunSummary> };

const cell = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function resultsToCsv(rows: ResultRow[], axes: string[]): string {
  const sorted = [...rows].sort((a, b) => a.index - b.index);
  const lines = [['index', 'hash', ...axes.map((a) => `axis:${a}`), ...SUMMARY_FIELDS].join(',')];
  for (const r of sorted) {
    lines.push([r.index, r.hash, ...axes.map((a) => r.values[a]), ...SUMMARY_FIELDS.map((f) => (r.summary as Record<string, unknown>)[f])].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Parse a results.csv back (numbers as numbers, empty as null). */
export function parseResultsCsv(text: string): { axes: string[]; rows: ResultRow[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) throw new Error('results.csv is empty');
  const header = splitCsvLine(lines[0]);
  const axes = header.filter((h) => h.startsWith('axis:')).map((h) => h.slice(5));
  const rows = lines.slice(1).map((line, li) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) throw new Error(`results.csv line ${li + 2}: expected ${header.length} cells, found ${cells.length}`);
    const row: ResultRow = { index: Number(cells[0]), hash: cells[1], values: {}, summary: {} };
    header.forEach((h, k) => {
      if (k < 2) return;
      const raw = cells[k];
      const v = raw === '' ? null : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
      if (h.startsWith('axis:')) row.values[h.slice(5)] = v;
      else (row.summary as Record<string, unknown>)[h] = v;
    });
    return row;
  });
  return { axes, rows };
}

/** Split one CSV line (double-quoted cells may hold commas and "" escapes). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Phase onsets along c for each group of runs that differ only in c (Kalra & Barkeshli's
 * quantities, theory §5): c_loss = first c whose loss rose above its initial value,
 * c_sharp = first c whose final λ < 0.99 λ0 (or that diverged), c_max = first divergent c.
 * Each onset also reports the bracket (last c below it) so a refinement can bisect it.
 */
export interface Onset {
  group: Record<string, unknown>;
  cLoss: number | null;
  cLossBelow: number | null;
  cSharp: number | null;
  cSharpBelow: number | null;
  cMax: number | null;
  cMaxBelow: number | null;
}

export const ONSET_TESTS = {
  cLoss: (s: Partial<RunSummary>) => s.phase === 'divergent' || (s.lossMax ?? 0) > (s.lossInitial ?? Infinity) * (1 + DEFAULT_PHASE_THRESHOLDS.lossRise),
  cSharp: (s: Partial<RunSummary>) => s.phase === 'divergent' || (s.lambdaFinal ?? Infinity) < DEFAULT_PHASE_THRESHOLDS.sharpDrop * (s.lambda0 ?? 0),
  cMax: (s: Partial<RunSummary>) => s.phase === 'divergent',
} as const;
export type OnsetName = keyof typeof ONSET_TESTS;

export function groupKey(values: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(values).filter((k) => k !== 'c' && k !== 'eta').sort().map((k) => [k, values[k]]));
}

export function phaseOnsets(rows: ResultRow[]): Onset[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const k = groupKey(r.values);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const out: Onset[] = [];
  for (const [key, list] of groups) {
    const sorted = list.filter((r) => typeof r.summary.c === 'number').sort((a, b) => (a.summary.c as number) - (b.summary.c as number));
    const onset: Onset = { group: Object.fromEntries(JSON.parse(key) as [string, unknown][]), cLoss: null, cLossBelow: null, cSharp: null, cSharpBelow: null, cMax: null, cMaxBelow: null };
    for (const name of Object.keys(ONSET_TESTS) as OnsetName[]) {
      const i = sorted.findIndex((r) => ONSET_TESTS[name](r.summary));
      if (i >= 0) {
        onset[name] = sorted[i].summary.c as number;
        onset[`${name}Below`] = i > 0 ? (sorted[i - 1].summary.c as number) : null;
      }
    }
    out.push(onset);
  }
  return out;
}

export function onsetsToCsv(onsets: Onset[]): string {
  const groupKeys = [...new Set(onsets.flatMap((o) => Object.keys(o.group)))];
  const fields = ['cLoss', 'cLossBelow', 'cSharp', 'cSharpBelow', 'cMax', 'cMaxBelow'] as const;
  const lines = [[...groupKeys, ...fields].join(',')];
  for (const o of onsets) lines.push([...groupKeys.map((k) => o.group[k]), ...fields.map((f) => o[f])].map(cell).join(','));
  return lines.join('\n') + '\n';
}

const cellValue = (raw: string): unknown => (raw === '' ? null : !Number.isNaN(Number(raw)) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw);

/** onsets.csv → Onset[] (refined onsets as the sweep wrote them). */
export function parseOnsetsCsv(text: string): Onset[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const header = splitCsvLine(lines[0]);
  const fields = ['cLoss', 'cLossBelow', 'cSharp', 'cSharpBelow', 'cMax', 'cMaxBelow'];
  return lines.slice(1).map((l) => {
    const cells = splitCsvLine(l);
    const o: Record<string, unknown> = { group: {} };
    header.forEach((h, i) => {
      const v = cellValue(cells[i] ?? '');
      if (fields.includes(h)) o[h] = v;
      else (o.group as Record<string, unknown>)[h] = v;
    });
    return o as unknown as Onset;
  });
}
