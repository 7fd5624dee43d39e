/**
 * Offline data sets of transitions (s, a, r, s′, done) from a tabular MDP, as parallel arrays.
 * done = 1 when s′ is absorbing, so a bootstrapped target drops γ·Q(s′, ·) there.
 */
import { deriveSeed, Rng } from '../linalg/prng.ts';
import type { TabularMdp } from './mdp.ts';
import { sampleCategorical } from './mdp.ts';
import { checkPolicy } from './dp.ts';

export interface Transitions {
  readonly n: number;
  readonly s: Int32Array;
  readonly a: Int32Array;
  readonly r: Float64Array;
  readonly s2: Int32Array;
  readonly done: Uint8Array;
}

function emptyTransitions(n: number): Transitions {
  return { n, s: new Int32Array(n), a: new Int32Array(n), r: new Float64Array(n), s2: new Int32Array(n), done: new Uint8Array(n) };
}

/** The single next state of a deterministic (s, a) row, or −1 if the row is stochastic. */
function deterministicNext(mdp: TabularMdp, row: number): number {
  const { S, P } = mdp;
  for (let t = 0; t < S; t++) {
    const p = P[row * S + t]!;
    if (p === 1) return t;
    if (p !== 0) return -1;
  }
  return -1;
}

/**
 * Every (s, a) pair once, in order s·A + a. In a deterministic MDP s′ is the unique successor;
 * in a stochastic one s′ is drawn from P(· | s, a), which needs `seed`.
 */
export function allPairTransitions(mdp: TabularMdp, { seed }: { seed?: number } = {}): Transitions {
  const { S, A, P, R, absorbing } = mdp;
  const out = emptyTransitions(S * A);
  const rng = seed === undefined ? undefined : new Rng(deriveSeed(seed, 'rl.allPairTransitions'));
  for (let row = 0; row < S * A; row++) {
    let next = deterministicNext(mdp, row);
    if (next < 0) {
      if (!rng) throw new RangeError(`allPairTransitions: ${mdp.name} is stochastic at (s=${Math.floor(row / A)}, a=${row % A}); pass a seed`);
      next = sampleCategorical(P, row * S, S, rng.uniform());
    }
    out.s[row] = Math.floor(row / A);
    out.a[row] = row % A;
    out.r[row] = R[row]!;
    out.s2[row] = next;
    out.done[row] = absorbing[next]!;
  }
  return out;
}

export interface SampleTransitionsOptions {
  /** Number of transitions. */
  n: number;
  /** Behaviour policy π(a|s), S×A row-major (e.g. uniformPolicy or epsilonGreedyPolicy). */
  behaviour: Float64Array;
  seed: number;
  /** Episode length cap; an episode also ends on entering an absorbing state. Default 100. */
  horizon?: number;
}

/**
 * n transitions from episodes of the behaviour policy: s_0 ~ start, a ~ π(·|s), s′ ~ P(·|s, a);
 * a new episode starts (s_0 ~ start) after done or after `horizon` steps.
 */
export function sampleTransitions(mdp: TabularMdp, { n, behaviour, seed, horizon = 100 }: SampleTransitionsOptions): Transitions {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sampleTransitions: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`sampleTransitions: horizon must be a positive integer, got ${horizon}`);
  checkPolicy(mdp, behaviour);
  const { S, A, P, R, start, absorbing } = mdp;
  const rng = new Rng(deriveSeed(seed, 'rl.sampleTransitions'));
  const out = emptyTransitions(n);
  let s = -1;
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (s < 0) {
      s = sampleCategorical(start, 0, S, rng.uniform());
      t = 0;
    }
    const a = sampleCategorical(behaviour, s * A, A, rng.uniform());
    const row = s * A + a;
    const next = sampleCategorical(P, row * S, S, rng.uniform());
    out.s[i] = s;
    out.a[i] = a;
    out.r[i] = R[row]!;
    out.s2[i] = next;
    out.done[i] = absorbing[next]!;
    t++;
    s = absorbing[next] || t >= horizon ? -1 : next;
  }
  return out;
}
