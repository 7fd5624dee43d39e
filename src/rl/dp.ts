/**
 * Exact dynamic programming on a tabular MDP: Bellman operators, Q* by value iteration,
 * Q^π by a direct linear solve, greedy policies and exact returns.
 *
 * Q tables and policies are S×A row-major Float64Arrays: Q[s·A + a], π[s·A + a] = π(a | s).
 */
import type { TabularMdp } from './mdp.ts';
import { solveDense } from './denseSolve.ts';

/** (T* Q)(s, a) = R(s, a) + γ Σ_s' P(s'|s, a) max_a' Q(s', a'). */
export function bellmanOptimality(mdp: TabularMdp, q: Float64Array, out: Float64Array = new Float64Array(mdp.S * mdp.A)): Float64Array {
  return backup(mdp, stateValuesGreedy(mdp, q), out);
}

/** (T^π Q)(s, a) = R(s, a) + γ Σ_s' P(s'|s, a) Σ_a' π(a'|s') Q(s', a'). */
export function bellmanPolicy(mdp: TabularMdp, pi: Float64Array, q: Float64Array, out: Float64Array = new Float64Array(mdp.S * mdp.A)): Float64Array {
  return backup(mdp, stateValuesUnder(mdp, pi, q), out);
}

/** V(s) = max_a Q(s, a). */
export function stateValuesGreedy(mdp: TabularMdp, q: Float64Array): Float64Array {
  const { S, A } = mdp;
  const v = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let m = -Infinity;
    for (let a = 0; a < A; a++) m = Math.max(m, q[s * A + a]!);
    v[s] = m;
  }
  return v;
}

/** V^π(s) = Σ_a π(a|s) Q(s, a). */
export function stateValuesUnder(mdp: TabularMdp, pi: Float64Array, q: Float64Array): Float64Array {
  const { S, A } = mdp;
  const v = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let acc = 0;
    for (let a = 0; a < A; a++) acc += pi[s * A + a]! * q[s * A + a]!;
    v[s] = acc;
  }
  return v;
}

/** R + γ P V, the one-step backup of state values V. */
function backup(mdp: TabularMdp, v: Float64Array, out: Float64Array): Float64Array {
  const { S, A, P, R, gamma } = mdp;
  for (let row = 0; row < S * A; row++) {
    let acc = 0;
    for (let t = 0; t < S; t++) acc += P[row * S + t]! * v[t]!;
    out[row] = R[row]! + gamma * acc;
  }
  return out;
}

/** ‖x − y‖∞. */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

export interface ValueIterationResult {
  q: Float64Array;
  iterations: number;
  /** Last step size ‖Q_{k+1} − Q_k‖∞. */
  lastStep: number;
  /** Guaranteed bound on ‖Q − Q*‖∞: γ/(1−γ) · lastStep (≤ tol when converged). */
  errorBound: number;
}

/**
 * Q* by value iteration from Q_0 = 0.
 * Stopping rule: T* is a γ-contraction in ‖·‖∞, so ‖Q_{k+1} − Q*‖∞ ≤ γ/(1−γ) ‖Q_{k+1} − Q_k‖∞;
 * we stop once ‖Q_{k+1} − Q_k‖∞ ≤ tol·(1−γ)/γ, which guarantees ‖Q_{k+1} − Q*‖∞ ≤ tol.
 */
export function valueIteration(mdp: TabularMdp, { tol = 1e-12, maxIterations = 100_000 } = {}): ValueIterationResult {
  return iterateToFixedPoint(mdp, (q, out) => bellmanOptimality(mdp, q, out), tol, maxIterations, 'valueIteration');
}

/** Q^π by iterating T^π from 0 with the same contraction stopping rule (a reference for policyQ). */
export function iteratePolicyEvaluation(mdp: TabularMdp, pi: Float64Array, { tol = 1e-12, maxIterations = 100_000 } = {}): ValueIterationResult {
  checkPolicy(mdp, pi);
  return iterateToFixedPoint(mdp, (q, out) => bellmanPolicy(mdp, pi, q, out), tol, maxIterations, 'iteratePolicyEvaluation');
}

function iterateToFixedPoint(
  mdp: TabularMdp,
  operator: (q: Float64Array, out: Float64Array) => Float64Array,
  tol: number,
  maxIterations: number,
  who: string,
): ValueIterationResult {
  if (!(tol > 0)) throw new RangeError(`${who}: tol must be positive, got ${tol}`);
  const { gamma } = mdp;
  const stepTol = gamma === 0 ? Infinity : (tol * (1 - gamma)) / gamma;
  let q = new Float64Array(mdp.S * mdp.A);
  let next = new Float64Array(mdp.S * mdp.A);
  for (let k = 1; k <= maxIterations; k++) {
    operator(q, next);
    const step = maxAbsDiff(next, q);
    [q, next] = [next, q];
    if (step <= stepTol) return { q, iterations: k, lastStep: step, errorBound: gamma === 0 ? 0 : (gamma / (1 - gamma)) * step };
  }
  throw new RangeError(`${who}: no convergence to tol ${tol} within ${maxIterations} iterations (γ = ${gamma})`);
}

/** Throws unless π has S·A non-negative entries with rows summing to 1. */
export function checkPolicy(mdp: TabularMdp, pi: Float64Array): void {
  const { S, A } = mdp;
  if (pi.length !== S * A) throw new RangeError(`policy has ${pi.length} entries, expected S·A = ${S * A}`);
  for (let s = 0; s < S; s++) {
    let sum = 0;
    for (let a = 0; a < A; a++) {
      if (!(pi[s * A + a]! >= 0)) throw new RangeError(`policy: π(a=${a} | s=${s}) = ${pi[s * A + a]} is not a probability`);
      sum += pi[s * A + a]!;
    }
    if (Math.abs(sum - 1) > 1e-12) throw new RangeError(`policy: π(· | s=${s}) sums to ${sum}, not 1`);
  }
}

/**
 * Q^π exactly: solve (I − γ P^π) q = R with P^π[(s,a), (s',a')] = P(s'|s,a) π(a'|s'),
 * an (S·A)×(S·A) dense system.
 */
export function policyQ(mdp: TabularMdp, pi: Float64Array): Float64Array {
  checkPolicy(mdp, pi);
  const { S, A, P, R, gamma } = mdp;
  const n = S * A;
  const M = new Float64Array(n * n);
  for (let row = 0; row < n; row++) {
    M[row * n + row] = 1;
    for (let t = 0; t < S; t++) {
      const p = P[row * S + t]!;
      if (p === 0) continue;
      for (let b = 0; b < A; b++) M[row * n + t * A + b]! -= gamma * p * pi[t * A + b]!;
    }
  }
  return solveDense(M, R, n);
}

/** Deterministic greedy policy argmax_a Q(s, a) as one-hot rows; ties go to the lowest action index. */
export function greedyPolicy(mdp: TabularMdp, q: Float64Array): Float64Array {
  const { S, A } = mdp;
  const pi = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let best = 0;
    for (let a = 1; a < A; a++) if (q[s * A + a]! > q[s * A + best]!) best = a;
    pi[s * A + best] = 1;
  }
  return pi;
}

/** Uniform random policy π(a|s) = 1/A. */
export function uniformPolicy(mdp: TabularMdp): Float64Array {
  return new Float64Array(mdp.S * mdp.A).fill(1 / mdp.A);
}

/** ε-greedy w.r.t. Q: (1−ε) on the greedy action (lowest index on ties) plus ε/A on every action. */
export function epsilonGreedyPolicy(mdp: TabularMdp, q: Float64Array, epsilon: number): Float64Array {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilon must be in [0, 1], got ${epsilon}`);
  const pi = greedyPolicy(mdp, q);
  for (let i = 0; i < pi.length; i++) pi[i] = (1 - epsilon) * pi[i]! + epsilon / mdp.A;
  return pi;
}

/** Exact expected discounted return of π from the start distribution: Σ_s μ(s) Σ_a π(a|s) Q^π(s, a). */
export function policyReturn(mdp: TabularMdp, pi: Float64Array): number {
  const v = stateValuesUnder(mdp, pi, policyQ(mdp, pi));
  let ret = 0;
  for (let s = 0; s < mdp.S; s++) ret += mdp.start[s]! * v[s]!;
  return ret;
}
