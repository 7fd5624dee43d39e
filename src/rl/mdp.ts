/**
 * A finite tabular MDP with dense float64 tables (sizes here are ≤ a few hundred states, so
 * dense P costs at most a few MB and keeps every sum exact in index order → deterministic).
 *
 * Layout (row-major):
 * - P[(s·A + a)·S + s'] = P(s' | s, a); every (s, a) row sums to 1.
 * - R[s·A + a] = expected reward for taking a in s.
 * - start[s] = start-state distribution μ(s) (sums to 1).
 * - absorbing[s] = 1 if s is terminal: it loops to itself with reward 0 under every action, so
 *   a transition into it carries done = 1 and bootstrapped targets drop the γ·Q(s′) term.
 */
export interface TabularMdp {
  readonly S: number;
  readonly A: number;
  readonly P: Float64Array;
  readonly R: Float64Array;
  readonly gamma: number;
  readonly start: Float64Array;
  readonly absorbing: Uint8Array;
  /** Human-readable provenance, e.g. "gridworld(10x10,goal=(9,9),γ=0.9)". */
  readonly name: string;
}

/** Tolerance for "each row of P sums to 1" (rows built by normalisation are exact to a few ulps). */
const ROW_SUM_TOL = 1e-12;

/** Checks shapes, probabilities and γ ∈ [0, 1); throws a RangeError naming the offending entry. */
export function validateMdp(mdp: TabularMdp): void {
  const { S, A, P, R, gamma, start, absorbing, name } = mdp;
  const where = `mdp ${name}`;
  if (!Number.isInteger(S) || S <= 0) throw new RangeError(`${where}: S must be a positive integer, got ${S}`);
  if (!Number.isInteger(A) || A <= 0) throw new RangeError(`${where}: A must be a positive integer, got ${A}`);
  if (!(gamma >= 0 && gamma < 1)) throw new RangeError(`${where}: gamma must be in [0, 1), got ${gamma}`);
  if (P.length !== S * A * S) throw new RangeError(`${where}: P has ${P.length} entries, expected S·A·S = ${S * A * S}`);
  if (R.length !== S * A) throw new RangeError(`${where}: R has ${R.length} entries, expected S·A = ${S * A}`);
  if (start.length !== S) throw new RangeError(`${where}: start has ${start.length} entries, expected S = ${S}`);
  if (absorbing.length !== S) throw new RangeError(`${where}: absorbing has ${absorbing.length} entries, expected S = ${S}`);
  for (let row = 0; row < S * A; row++) {
    let sum = 0;
    for (let t = 0; t < S; t++) {
      const p = P[row * S + t]!;
      if (!(p >= 0)) throw new RangeError(`${where}: P(s'=${t} | s=${Math.floor(row / A)}, a=${row % A}) = ${p} is not a probability`);
      sum += p;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOL) {
      throw new RangeError(`${where}: P(· | s=${Math.floor(row / A)}, a=${row % A}) sums to ${sum}, not 1`);
    }
    if (!Number.isFinite(R[row]!)) throw new RangeError(`${where}: R(s=${Math.floor(row / A)}, a=${row % A}) = ${R[row]} is not finite`);
  }
  let mass = 0;
  for (let s = 0; s < S; s++) {
    if (!(start[s]! >= 0)) throw new RangeError(`${where}: start[${s}] = ${start[s]} is not a probability`);
    mass += start[s]!;
  }
  if (Math.abs(mass - 1) > ROW_SUM_TOL) throw new RangeError(`${where}: start distribution sums to ${mass}, not 1`);
}

/** Index of the categorical outcome of u ∈ [0, 1) under probabilities p[off .. off+n) (inverse CDF). */
export function sampleCategorical(p: ArrayLike<number>, off: number, n: number, u: number): number {
  let acc = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const pi = p[off + i]!;
    if (pi <= 0) continue;
    acc += pi;
    last = i;
    if (u < acc) return i;
  }
  // Rounding may leave acc a few ulps below 1: fall back to the last outcome with mass.
  if (last < 0) throw new RangeError('sampleCategorical: all probabilities are zero');
  return last;
}
