import type { RunSummary } from '../train/trainer.ts';

const fmt = (x: number | null, digits = 4) => (x === null || Number.isNaN(x) ? '—' : Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toPrecision(digits));

const COLS: [string, number, (s: RunSummary) => string][] = [
  ['c', 7, (s) => fmt(s.c, 3)],
  ['phase', 10, (s) => s.phase],
  ['status', 11, (s) => s.status],
  ['loss0', 10, (s) => fmt(s.lossInitial)],
  ['lossMax', 10, (s) => fmt(s.lossMax)],
  ['@step', 6, (s) => String(s.stepOfLossMax)],
  ['lossT', 10, (s) => fmt(s.lossFinal)],
  ['λ0', 9, (s) => fmt(s.lambda0)],
  ['λT', 9, (s) => fmt(s.lambdaFinal)],
  ['ηS_T', 8, (s) => fmt(s.etaSharpnessFinal)],
];

/** One aligned line per run (or the header line). */
export function formatSummaryLine(s: RunSummary | null, header = false): string {
  return COLS.map(([name, w, get]) => (header || s === null ? name : get(s)).padStart(w)).join(' ');
}
