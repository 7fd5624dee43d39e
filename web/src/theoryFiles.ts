/**
 * Export of a theory-mode grid (the exact recursion for many c values): CSV (one row per c) and
 * JSON (the setting, the predicted boundaries and the same columns). Pure functions.
 */
import { PHASES, type TheoryDone } from './protocol.ts';

export const THEORY_FORMAT = 'catapult-lab/theory@1';

/**
 * What an export needs from a theory result: TheoryDone's setting fields, with the per-c columns
 * as any array (tests pass plain arrays).
 */
export type TheoryGrid = Pick<TheoryDone, 'lambda0' | 'f0' | 'setting' | 'cLazy' | 'cMax' | 'note'> & {
  cs: ArrayLike<number>;
  /** 0 lazy, 1 catapult, 2 divergent */
  phase: ArrayLike<number>;
  lambdaFinal: ArrayLike<number>;
  etaSharpnessFinal: ArrayLike<number>;
};

const cell = (v: number): string => (Number.isNaN(v) ? '' : String(v));

export function theoryToCsv(t: TheoryGrid): string {
  const lines = ['c,phase,lambdaFinal,etaSharpnessFinal'];
  for (let i = 0; i < t.cs.length; i++) lines.push(`${t.cs[i]},${PHASES[t.phase[i]!]},${cell(t.lambdaFinal[i]!)},${cell(t.etaSharpnessFinal[i]!)}`);
  return lines.join('\n') + '\n';
}

/** JSON has no NaN: a divergent run's final values are null. */
export function theoryToJson(t: TheoryGrid, steps: number, url?: string): string {
  const num = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const rows = Array.from({ length: t.cs.length }, (_, i) => [t.cs[i]!, PHASES[t.phase[i]!]!, num(t.lambdaFinal[i]!), num(t.etaSharpnessFinal[i]!)]);
  const out = {
    format: THEORY_FORMAT,
    setting: t.setting,
    steps,
    f0: t.f0,
    lambda0: t.lambda0,
    boundaries: { cLazy: t.cLazy, cMax: t.cMax, note: t.note },
    columns: ['c', 'phase', 'lambdaFinal', 'etaSharpnessFinal'],
    rows,
    ...(url ? { url } : {}),
  };
  return JSON.stringify(out, null, 1);
}
