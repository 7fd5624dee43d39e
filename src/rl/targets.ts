/**
 * Regression targets for fitted Q iteration / fitted policy evaluation on a transition data set.
 *
 * Next-state values come in as an n×A row-major matrix qNext[i·A + a′] = Q(s′_i, a′), so any
 * current Q — a table, a network evaluated on φ(s′_i, a′) — can supply them.
 */
import type { Transitions } from './transitions.ts';

function checkNext(who: string, tr: Transitions, qNext: Float64Array, A: number, gamma: number): void {
  if (qNext.length !== tr.n * A) throw new RangeError(`${who}: qNext has ${qNext.length} entries, expected n·A = ${tr.n * A}`);
  if (!(gamma >= 0 && gamma < 1)) throw new RangeError(`${who}: gamma must be in [0, 1), got ${gamma}`);
}

/** y_i = r_i + γ (1 − done_i) V_i, with V_i = nextValue(i) the value of s′_i (not called when done). */
function backedUpTargets(tr: Transitions, gamma: number, nextValue: (i: number) => number): Float64Array {
  const y = new Float64Array(tr.n);
  for (let i = 0; i < tr.n; i++) y[i] = tr.done[i] ? tr.r[i]! : tr.r[i]! + gamma * nextValue(i);
  return y;
}

/** Bootstrapped optimality targets y_i = r_i + γ (1 − done_i) max_a′ Q(s′_i, a′). */
export function bootstrapTargets(tr: Transitions, qNext: Float64Array, A: number, gamma: number): Float64Array {
  checkNext('bootstrapTargets', tr, qNext, A, gamma);
  return backedUpTargets(tr, gamma, (i) => {
    let m = -Infinity;
    for (let a = 0; a < A; a++) m = Math.max(m, qNext[i * A + a]!);
    return m;
  });
}

/** Bootstrapped policy-evaluation targets y_i = r_i + γ (1 − done_i) Σ_a′ π(a′|s′_i) Q(s′_i, a′); π is S×A. */
export function policyEvaluationTargets(tr: Transitions, qNext: Float64Array, pi: Float64Array, A: number, gamma: number): Float64Array {
  checkNext('policyEvaluationTargets', tr, qNext, A, gamma);
  return backedUpTargets(tr, gamma, (i) => {
    const off = tr.s2[i]! * A;
    if (off + A > pi.length) throw new RangeError(`policyEvaluationTargets: π has no row for state ${tr.s2[i]}`);
    let acc = 0;
    for (let a = 0; a < A; a++) acc += pi[off + a]! * qNext[i * A + a]!;
    return acc;
  });
}

/** Q(s′_i, ·) from an S×A table, as the n×A matrix the bootstrapped targets take. */
export function qOnNextStates(tr: Transitions, qTable: Float64Array, A: number): Float64Array {
  const out = new Float64Array(tr.n * A);
  for (let i = 0; i < tr.n; i++) {
    const off = tr.s2[i]! * A;
    if (off + A > qTable.length) throw new RangeError(`qOnNextStates: Q table has no row for state ${tr.s2[i]}`);
    out.set(qTable.subarray(off, off + A), i * A);
  }
  return out;
}

/** Oracle regression targets y_i = Q(s_i, a_i) from an exact table (Q* or Q^π). */
export function oracleTargets(tr: Transitions, qTable: Float64Array, A: number): Float64Array {
  const y = new Float64Array(tr.n);
  for (let i = 0; i < tr.n; i++) {
    const k = tr.s[i]! * A + tr.a[i]!;
    if (k >= qTable.length || tr.a[i]! >= A) throw new RangeError(`oracleTargets: Q table has no entry for (s=${tr.s[i]}, a=${tr.a[i]})`);
    y[i] = qTable[k]!;
  }
  return y;
}
