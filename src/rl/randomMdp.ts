/**
 * Seeded random tabular MDPs (the "random MDP" environment of value-learning studies).
 *
 * Transitions: for every (s, a), `branching` distinct next states drawn uniformly without
 * replacement (default: all S, i.e. dense), weighted by a flat Dirichlet(1, …, 1) draw
 * (normalised Exp(1) variates −log u). Rewards R(s, a) ~ Uniform[0, 1). Start: uniform.
 * No absorbing states. Streams for transitions and rewards are derived separately, so changing
 * one option never shifts the other's numbers.
 */
import { deriveSeed, Rng } from '../linalg/prng.ts';
import { log } from '../linalg/detmath.ts';
import type { TabularMdp } from './mdp.ts';
import { validateMdp } from './mdp.ts';

export interface RandomMdpOptions {
  S: number;
  A: number;
  seed: number;
  /** Number of reachable next states per (s, a), 1 ≤ branching ≤ S; default S (dense). */
  branching?: number;
  /** Discount; default 0.9. */
  gamma?: number;
}

export function randomMdp({ S, A, seed, branching = S, gamma = 0.9 }: RandomMdpOptions): TabularMdp {
  if (!Number.isInteger(S) || S <= 0) throw new RangeError(`randomMdp: S must be a positive integer, got ${S}`);
  if (!Number.isInteger(A) || A <= 0) throw new RangeError(`randomMdp: A must be a positive integer, got ${A}`);
  if (!Number.isInteger(branching) || branching < 1 || branching > S) {
    throw new RangeError(`randomMdp: branching must be an integer in [1, S = ${S}], got ${branching}`);
  }
  const trng = new Rng(deriveSeed(seed, 'rl.randomMdp.transitions'));
  const rrng = new Rng(deriveSeed(seed, 'rl.randomMdp.rewards'));
  const P = new Float64Array(S * A * S);
  const R = new Float64Array(S * A);
  const order = new Int32Array(S);
  for (let row = 0; row < S * A; row++) {
    for (let i = 0; i < S; i++) order[i] = i;
    // Partial Fisher–Yates: the first `branching` entries are a uniform random subset.
    for (let i = 0; i < branching; i++) {
      const j = i + trng.int(S - i);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let total = 0;
    for (let i = 0; i < branching; i++) {
      const w = -log(1 - trng.uniform()); // Exp(1); 1 − u ∈ (0, 1] keeps log finite
      P[row * S + order[i]!] = w;
      total += w;
    }
    if (total === 0) P[row * S + order[0]!] = total = 1; // all draws exactly 0: probability ~2^-53·b
    for (let i = 0; i < branching; i++) P[row * S + order[i]!]! /= total;
    R[row] = rrng.uniform();
  }
  const start = new Float64Array(S).fill(1 / S);
  const mdp: TabularMdp = {
    S, A, P, R, gamma, start,
    absorbing: new Uint8Array(S),
    name: `randomMdp(S=${S},A=${A},branching=${branching},γ=${gamma},seed=${seed})`,
  };
  validateMdp(mdp);
  return mdp;
}
