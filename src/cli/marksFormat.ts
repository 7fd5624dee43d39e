import type { MarkRecord } from '../train/marks.ts';

/** The margin fields a run's summary carries when it has marks (src/experiments/runDir.ts). */
export interface MarksSummary {
  marks?: MarkRecord[];
  maxMargin?: { separable: boolean; note?: string; l1Norm?: number; l2Norm?: number };
  flow?: { steps: number; tau: number };
}

export const fmtNum = (x: number | null, digits = 4): string =>
  x === null || Number.isNaN(x) ? '—' : x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3) ? x.toExponential(digits - 1) : x.toPrecision(digits);

/** The marks of a run as an aligned table (ε as log10: it underflows beyond γ ≈ 745), with the non-separable note. */
export function formatMarks(s: MarksSummary): string {
  const marks = s.marks ?? [];
  const cols: [string, number, (m: MarkRecord) => string][] = [
    ['mark γ', 8, (m) => fmtNum(m.mark, 3)],
    ['step', 8, (m) => String(m.step)],
    ['γ', 11, (m) => fmtNum(m.gamma)],
    ['log10 ε', 11, (m) => fmtNum(m.log10Eps)],
    ['mean loss', 11, (m) => (m.meanLoss > 0 ? fmtNum(m.meanLoss, 3) : `10^${fmtNum(m.log10MeanLoss, 4)}`)],
    ['ℓ1 gap', 9, (m) => fmtNum(m.l1Gap, 3)],
    ['ℓ2 gap', 9, (m) => fmtNum(m.l2Gap, 3)],
    ['support', 8, (m) => String(m.supportSize)],
  ];
  const lines = ['marks: first step with min margin γ = min_n y_n⟨β,x_n⟩ ≥ mark; ε = Σ_n exp(−y_n⟨β,x_n⟩); mean loss = ε/N; gaps of β/γ to the max-margin predictors; support = #{j : |b_j| ≥ tol·max|b|}'];
  lines.push(cols.map(([h, w]) => h.padStart(w)).join(' '));
  for (const m of marks) lines.push(cols.map(([, w, get]) => get(m).padStart(w)).join(' '));
  if (marks.length === 0) lines.push('  (no mark reached)');
  if (s.maxMargin && !s.maxMargin.separable) lines.push(`note: ${s.maxMargin.note}`);
  return lines.join('\n');
}
