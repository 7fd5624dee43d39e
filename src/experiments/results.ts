import type { RunSummary } from '../train/trainer.ts';

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

/** One CSV cell (empty for null/NaN; quoted when it holds a comma, quote or newline). */
export const csvCell = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function resultsToCsv(rows: ResultRow[], axes: string[]): string {
  const sorted = [...rows].sort((a, b) => a.index - b.index);
  const lines = [['index', 'hash', ...axes.map((a) => `axis:${a}`), ...SUMMARY_FIELDS].join(',')];
  for (const r of sorted) {
    lines.push([r.index, r.hash, ...axes.map((a) => r.values[a]), ...SUMMARY_FIELDS.map((f) => (r.summary as Record<string, unknown>)[f])].map(csvCell).join(','));
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
