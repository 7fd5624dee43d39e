/**
 * Marks of a linear-predictor run (neighbours §A): the first time the minimum margin
 * γ = min_n y_n⟨β, x_n⟩ reaches each mark, record how far training is (ε, mean loss, γ) and where β
 * points (gaps of b = β/γ to the ℓ1 and ℓ2 max-margin predictors, support size).
 *
 *   ε = Σ_n exp(−m_n)  (a sum, as in Moroshko et al.), carried as ln ε = −γ + ln Σ_n exp(γ − m_n) so that
 *       log10Eps survives where ε itself underflows (γ ≳ 745); meanLoss = ε/N (the mean exponential loss).
 *   supportSize = #{j : |b_j| ≥ supportTol·max_k |b_k|}  (default supportTol 1e-3).
 *   l1Gap = ‖b − b₁‖₁/‖b₁‖₁, l2Gap = ‖b − b₂‖₂/‖b₂‖₂ with b₁, b₂ the max-margin predictors normalised to
 *       min margin 1 (src/theory/maxMargin.ts); null when the data are not linearly separable.
 * A discrete run can jump over several marks in one step: each of them is recorded at that step (its γ
 * is then above the mark). Browser-safe (the max-margin references are solved by the caller).
 */
import { exp, log } from '../linalg/detmath.ts';
import { csvCell } from '../experiments/results.ts';

export const DEFAULT_SUPPORT_TOL = 1e-3;
const LN10 = 2.302585092994046;

/** The ℓ1 and ℓ2 max-margin predictors (min margin 1), or why there are none. */
export type MaxMarginRefs = { separable: true; b1: Float64Array; b2: Float64Array; l1Norm: number; l2Norm: number } | { separable: false; note: string };

export interface MarkRecord {
  /** the mark (target minimum margin) */
  mark: number;
  /** GD step (or flow integrator step) at which γ first reached the mark */
  step: number;
  /** flow runs: re-parametrised time τ = Σ_n ν_n; null for GD */
  tau: number | null;
  /** minimum margin γ at that step (≥ mark; equal to ~1e-9 for the flow, which lands on the mark) */
  gamma: number;
  /** Σ_n exp(−m_n); 0 when it underflows (see log10Eps) */
  eps: number;
  log10Eps: number;
  /** ε/N */
  meanLoss: number;
  log10MeanLoss: number;
  l1Gap: number | null;
  l2Gap: number | null;
  supportSize: number;
  /** b = β/γ */
  b: number[];
}

/** The CSV columns of marks.csv, in order. */
export const MARK_COLUMNS = ['mark', 'step', 'tau', 'gamma', 'eps', 'log10Eps', 'meanLoss', 'log10MeanLoss', 'l1Gap', 'l2Gap', 'supportSize'] as const;

/** ‖b − ref‖_p/‖ref‖_p for p = 1, 2 (the same definitions as src/theory/maxMargin.ts). */
function gap(b: ArrayLike<number>, ref: ArrayLike<number>, p: 1 | 2): number {
  let num = 0, den = 0;
  for (let j = 0; j < b.length; j++) {
    const e = Math.abs(b[j] - ref[j]), r = Math.abs(ref[j]);
    num += p === 1 ? e : e * e;
    den += p === 1 ? r : r * r;
  }
  return p === 1 ? num / den : Math.sqrt(num / den);
}

export function supportSize(b: ArrayLike<number>, tol = DEFAULT_SUPPORT_TOL): number {
  let mx = 0;
  for (let j = 0; j < b.length; j++) mx = Math.max(mx, Math.abs(b[j]));
  if (mx === 0) return 0;
  let k = 0;
  for (let j = 0; j < b.length; j++) if (Math.abs(b[j]) >= tol * mx) k++;
  return k;
}

/** min margin and ln Σ exp(−m) of a vector of margins, without overflow or underflow. */
export function marginStats(margins: ArrayLike<number>): { gamma: number; lnEps: number } {
  let gamma = Infinity;
  for (let n = 0; n < margins.length; n++) gamma = Math.min(gamma, margins[n]);
  let sum = 0;
  for (let n = 0; n < margins.length; n++) sum += exp(gamma - margins[n]);
  return { gamma, lnEps: -gamma + log(sum) };
}

/** One mark from the state at a step: γ, ln ε, β (the gaps and support come from b = β/γ). */
export function markRecord(mark: number, step: number, tau: number | null, gamma: number, lnEps: number, N: number, beta: ArrayLike<number>, refs: MaxMarginRefs | null, supportTol = DEFAULT_SUPPORT_TOL): MarkRecord {
  const b = Array.from(beta, (v) => v / gamma);
  const sep = refs !== null && refs.separable ? refs : null;
  const lnMean = lnEps - log(N);
  return {
    mark,
    step,
    tau,
    gamma,
    eps: exp(lnEps),
    log10Eps: lnEps / LN10,
    meanLoss: exp(lnMean),
    log10MeanLoss: lnMean / LN10,
    l1Gap: sep ? gap(b, sep.b1, 1) : null,
    l2Gap: sep ? gap(b, sep.b2, 2) : null,
    supportSize: supportSize(b, supportTol),
    b,
  };
}

/** Validate a marks list: positive, finite, strictly increasing. */
export function checkMarks(marks: readonly number[]): void {
  if (marks.length === 0) throw new RangeError('marks: give at least one mark');
  for (let i = 0; i < marks.length; i++) {
    if (!(marks[i] > 0 && Number.isFinite(marks[i])) || (i > 0 && !(marks[i] > marks[i - 1]))) throw new RangeError(`marks must be positive, finite and increasing, got ${marks.join(', ')}`);
  }
}

/**
 * Watches a discrete run: `observe` takes the margins and β after each step and records every mark the
 * minimum margin has reached for the first time. `done` once the last mark is recorded.
 */
export class MarkRecorder {
  readonly records: MarkRecord[] = [];
  private next = 0;

  constructor(
    readonly marks: readonly number[],
    readonly refs: MaxMarginRefs | null,
    readonly supportTol = DEFAULT_SUPPORT_TOL,
  ) {
    checkMarks(marks);
  }

  get done(): boolean {
    return this.next >= this.marks.length;
  }

  /** Margins m_n = y_n f_n at `step`; β is only computed (by `beta()`) when a mark is reached. */
  observe(step: number, margins: ArrayLike<number>, beta: () => ArrayLike<number>): void {
    if (this.done) return;
    let gmin = Infinity;
    for (let n = 0; n < margins.length; n++) gmin = Math.min(gmin, margins[n]);
    if (!(gmin >= this.marks[this.next])) return;
    const { gamma, lnEps } = marginStats(margins);
    const bt = beta();
    while (!this.done && gamma >= this.marks[this.next]) {
      this.records.push(markRecord(this.marks[this.next], step, null, gamma, lnEps, margins.length, bt, this.refs, this.supportTol));
      this.next++;
    }
  }
}

/** marks.csv: one row per mark reached (columns MARK_COLUMNS; empty = not defined, e.g. gaps on non-separable data). */
export function marksToCsv(records: readonly MarkRecord[]): string {
  const lines = [MARK_COLUMNS.join(',')];
  for (const r of records) lines.push(MARK_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return lines.join('\n') + '\n';
}
