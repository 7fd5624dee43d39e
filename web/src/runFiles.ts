/**
 * Run files: export a run as JSON / CSV, and read runs made by the CLI (a run directory's
 * config.json, summary.json, metrics.csv) or exported here, for overlays. Pure functions.
 */
import { emptyRow, METRIC_COLUMNS, metricsToCsv, type MetricName, type MetricRow, type RunSummary } from '../../src/index.ts';

export const RUN_FORMAT = 'catapult-lab/run@1';

export interface RunFile {
  format: typeof RUN_FORMAT;
  source: string;
  config: unknown;
  summary: RunSummary | null;
  columns: readonly string[];
  /** one array per row in `columns` order; null for a value not measured (NaN) */
  metrics: (number | null)[][];
  url?: string;
}

export function rowsFromPacked(packed: Float64Array): MetricRow[] {
  const n = METRIC_COLUMNS.length;
  const rows: MetricRow[] = [];
  for (let i = 0; i + n <= packed.length; i += n) {
    const r = emptyRow(packed[i]!);
    for (let j = 0; j < n; j++) r[METRIC_COLUMNS[j]!] = packed[i + j]!;
    rows.push(r);
  }
  return rows;
}

/** JSON has no NaN/Infinity: NaN → null; ±Infinity → the strings "Infinity" / "-Infinity". */
function jsonNumber(v: number): number | null | string {
  if (Number.isNaN(v)) return null;
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return v;
}

export function runToJson(config: unknown, summary: RunSummary | null, rows: readonly MetricRow[], url?: string): string {
  const out = {
    format: RUN_FORMAT,
    source: 'catapult-lab explorer',
    config,
    summary: summary ? Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, typeof v === 'number' ? jsonNumber(v) : v])) : null,
    columns: METRIC_COLUMNS,
    metrics: rows.map((r) => METRIC_COLUMNS.map((c) => jsonNumber(r[c]))),
    ...(url ? { url } : {}),
  };
  return JSON.stringify(out, null, 1) + '\n';
}

export function runToCsv(rows: readonly MetricRow[]): string {
  return metricsToCsv(rows);
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined || v === '') return NaN;
  if (typeof v === 'number') return v;
  const n = Number(v);
  return Number.isNaN(n) ? NaN : n;
}

/** metrics.csv (the CLI's format: header of metric names, empty cell = not measured). */
export function parseMetricsCsv(text: string, what = 'metrics.csv'): MetricRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error(`${what}: empty`);
  const header = lines[0]!.split(',').map((h) => h.trim());
  if (!header.includes('step') || !header.includes('loss')) throw new Error(`${what}: expected a header with 'step' and 'loss' columns`);
  const known = header.map((h) => ((METRIC_COLUMNS as readonly string[]).includes(h) ? (h as MetricName) : null));
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${what}: line ${i + 2} has ${cells.length} cells, expected ${header.length}`);
    const row = emptyRow(NaN);
    cells.forEach((cell, j) => {
      const k = known[j];
      if (k) row[k] = toNumber(cell.trim());
    });
    return row;
  });
}

function rowsFromJsonMetrics(metrics: unknown, columns: unknown, what: string): MetricRow[] {
  if (typeof metrics === 'string') return parseMetricsCsv(metrics, what);
  if (!Array.isArray(metrics)) throw new Error(`${what}: 'metrics' must be an array or CSV text`);
  const cols = Array.isArray(columns) ? (columns as string[]) : (METRIC_COLUMNS as readonly string[]);
  return metrics.map((m) => {
    const row = emptyRow(NaN);
    if (Array.isArray(m)) {
      cols.forEach((c, j) => {
        if ((METRIC_COLUMNS as readonly string[]).includes(c)) row[c as MetricName] = toNumber(m[j]);
      });
    } else if (m && typeof m === 'object') {
      for (const c of METRIC_COLUMNS) if (c in (m as object)) row[c] = toNumber((m as Record<string, unknown>)[c]);
    }
    return row;
  });
}

export interface ImportedRun {
  name: string;
  config: Record<string, unknown> | null;
  summary: Partial<RunSummary> | null;
  rows: MetricRow[] | null;
}

/**
 * Read one or more files into one run. Accepted: this page's run JSON; the CLI's metrics.csv,
 * summary.json and config.json (pick them together); any JSON with a `metrics` array.
 */
export function parseRunFiles(files: { name: string; text: string }[]): ImportedRun {
  const out: ImportedRun = { name: files.map((f) => f.name).join(' + '), config: null, summary: null, rows: null };
  for (const { name, text } of files) {
    if (/\.csv$/i.test(name) || /^\s*step,/.test(text)) {
      out.rows = parseMetricsCsv(text, name);
      continue;
    }
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${name}: not JSON or CSV (${(e as Error).message})`);
    }
    if (obj === null || typeof obj !== 'object') throw new Error(`${name}: expected a JSON object`);
    if ('metrics' in obj) {
      out.rows = rowsFromJsonMetrics(obj.metrics, obj.columns, name);
      if (obj.config && typeof obj.config === 'object') out.config = obj.config as Record<string, unknown>;
      if (obj.summary && typeof obj.summary === 'object') out.summary = obj.summary as Partial<RunSummary>;
    } else if ('phase' in obj && 'lambda0' in obj) {
      out.summary = obj as Partial<RunSummary>;
    } else if ('model' in obj || 'data' in obj) {
      out.config = obj;
    } else {
      throw new Error(`${name}: not a run file (expected metrics, a summary or a config)`);
    }
  }
  if (!out.rows) throw new Error('no metrics found: pick metrics.csv (with config.json / summary.json) or a run JSON');
  if (out.rows.some((r) => !Number.isFinite(r.step))) throw new Error(`${out.name}: every row needs a step`);
  return out;
}

/** A config from a file, stripped of bookkeeping fields, for applying to the explorer. */
export function cleanImportedConfig(cfg: Record<string, unknown>): Record<string, unknown> {
  const { configHash: _h, code: _c, data_resolved: _d, ...rest } = cfg;
  return rest;
}
