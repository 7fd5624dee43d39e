import { log } from '../linalg/detmath.ts';
import type { Onset } from './onsets.ts';
import type { ResultRow } from './results.ts';

/**
 * Verdicts: a claim of the paper/theory, the value measured by this run of the toolkit, the
 * predicted value, and whether they agree. Every string here is built from numbers passed in,
 * so a report never carries a hand-written result. Browser-safe, pure.
 */
export interface Verdict {
  /** the claim, in words (the numbers in it are the predictions, computed or from theory §5) */
  claim: string;
  measured: string;
  predicted: string;
  /** true ✓, false ✗, null: an observation reported as measured (no expected outcome) */
  pass: boolean | null;
  /** how the verdict is decided (tolerance, statistic) */
  rule: string;
}

/** Relative tolerance for an onset to match a predicted boundary (on top of the grid bracket). */
export const ONSET_TOLERANCE = 0.03;

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(Math.max(0, digits - 1)).replace('e+', 'e');
  return String(Number(x.toPrecision(digits)));
}

export function median(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = Math.floor(v.length / 2);
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

export function mean(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

function ranks(xs: readonly number[]): number[] {
  const idx = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation (NaN with fewer than 2 points or zero variance). */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return NaN;
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) * (xs[i] - mx);
    syy += (ys[i] - my) * (ys[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Spearman rank correlation (ties get average ranks). */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  return pearson(ranks(xs), ranks(ys));
}

/** Least-squares line y = a + b·x. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) * (xs[i] - mx);
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { intercept: my - slope * mx, slope };
}

/** Slope of log y against log x (the exponent of a power law). */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): number {
  const ok = xs.map((x, i) => [x, ys[i]] as const).filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y));
  return linearFit(ok.map(([x]) => log(x)), ok.map(([, y]) => log(y))).slope;
}

/** Non-decreasing (strictly increasing with strict = true). */
export function isMonotoneIncreasing(ys: readonly number[], strict = false): boolean {
  for (let i = 1; i < ys.length; i++) if (strict ? !(ys[i] > ys[i - 1]) : !(ys[i] >= ys[i - 1])) return false;
  return ys.length > 0;
}

/** An onset as measured: the first c with the property, and the last c below it without it. */
export interface Bracket {
  c: number | null;
  below: number | null;
}

export function bracketText(b: Bracket): string {
  if (b.c === null) return 'not reached on the grid';
  if (b.below === null) return `≤ ${fmt(b.c)} (first grid point)`;
  return `${fmt(b.c)} (bracket ${fmt(b.below)} – ${fmt(b.c)})`;
}

/**
 * Does a measured onset bracket (below, c] agree with a predicted boundary? Yes when the
 * prediction lies in the bracket widened by `tol` relatively on both sides: "within the grid
 * resolution" for a plain grid, "within tol" once the bracket is refined below tol.
 */
export function bracketMatches(b: Bracket, predicted: number, tol = ONSET_TOLERANCE): boolean {
  if (b.c === null || b.below === null) return false;
  return predicted >= b.below * (1 - tol) && predicted <= b.c * (1 + tol);
}

/** Onset verdict: the measured onset bracket against a predicted boundary. */
export function onsetVerdict(claim: string, b: Bracket, predicted: number, predictedText: string, tol = ONSET_TOLERANCE): Verdict {
  return {
    claim,
    measured: bracketText(b),
    predicted: predictedText,
    pass: bracketMatches(b, predicted, tol),
    rule: `the prediction lies in the measured bracket (last c without, first c with the property), widened by ${Math.round(tol * 100)}%`,
  };
}

/**
 * The catapult onset of a group: the first c where the loss rises AND λ drops (both properties
 * hold above it when each is monotone in c), i.e. the larger of the c_loss and c_sharp brackets.
 */
export function catapultOnset(o: Onset): Bracket {
  const loss: Bracket = { c: o.cLoss, below: o.cLossBelow };
  const sharp: Bracket = { c: o.cSharp, below: o.cSharpBelow };
  if (loss.c === null) return sharp;
  if (sharp.c === null) return loss;
  return loss.c >= sharp.c ? loss : sharp;
}

export const cOf = (r: ResultRow): number => Number(r.summary.c);
export const sortByC = (rows: readonly ResultRow[]): ResultRow[] => [...rows].sort((a, b) => cOf(a) - cOf(b));
export const phaseOf = (r: ResultRow): string => String(r.summary.phase);

/** Rows grouped by the value of one axis (insertion order = first appearance). */
export function groupByAxis(rows: readonly ResultRow[], axis: string): Map<unknown, ResultRow[]> {
  const out = new Map<unknown, ResultRow[]>();
  for (const r of rows) {
    const k = r.values[axis];
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(r);
  }
  return out;
}

/** "c = 0.5 lazy, c = 1.5 catapult" for a list of rows. */
export function phaseList(rows: readonly ResultRow[]): string {
  return sortByC(rows).map((r) => `c = ${fmt(cOf(r), 3)} ${phaseOf(r)}`).join(', ');
}

/** Sample mean, standard deviation (n − 1) and standard error of the mean. */
export function seedStats(xs: readonly number[]): { mean: number; sd: number; se: number; n: number } {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  const m = mean(v);
  const sd = n > 1 ? Math.sqrt(v.reduce((a, x) => a + (x - m) * (x - m), 0) / (n - 1)) : NaN;
  return { mean: m, sd, se: sd / Math.sqrt(n), n };
}

/**
 * Paired comparison over seeds: differences a_s − b_s for the seeds both have. `verdict`:
 * 'better' when mean > 2·SE, 'worse' when mean < −2·SE, else 'not distinguishable'.
 */
export function pairedDifference(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): { mean: number; se: number; n: number; verdict: 'better' | 'worse' | 'not distinguishable' } {
  const d = [...a.keys()].filter((k) => b.has(k)).map((k) => a.get(k)! - b.get(k)!);
  const st = seedStats(d);
  const verdict = st.n >= 2 && st.mean > 2 * st.se ? 'better' : st.n >= 2 && st.mean < -2 * st.se ? 'worse' : 'not distinguishable';
  return { mean: st.mean, se: st.se, n: st.n, verdict };
}

/**
 * A final curvature may enter a verdict only if its eigen-solve converged: the unconverged runs
 * (and the largest residual) for a summary.solver key over some runs.
 */
export function solverCheck(rows: readonly ResultRow[], key: string): { ok: boolean; missing: number; unconverged: string[]; maxResidual: number } {
  let missing = 0, maxResidual = 0;
  const unconverged: string[] = [];
  for (const r of rows) {
    const e = ((r.summary as Record<string, any>).solver ?? {})[key] as { residual?: number; converged?: boolean } | undefined;
    if (!e) {
      missing++;
      continue;
    }
    if (Number.isFinite(e.residual)) maxResidual = Math.max(maxResidual, e.residual!);
    if (!e.converged) unconverged.push(`c = ${fmt(cOf(r), 3)}${r.values.seed !== undefined ? ` seed ${r.values.seed}` : ''}`);
  }
  return { ok: missing === 0 && unconverged.length === 0, missing, unconverged, maxResidual };
}

export function solverText(chk: ReturnType<typeof solverCheck>, what: string): string {
  if (chk.missing) return `${what}: no solver record in ${chk.missing} runs`;
  return chk.unconverged.length ? `${what}: UNCONVERGED in ${chk.unconverged.join(', ')}` : `${what}: all converged, max residual ${fmt(chk.maxResidual, 2)}`;
}
