import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridworld } from '../src/rl/gridworld.ts';
import { randomMdp } from '../src/rl/randomMdp.ts';
import { allPairTransitions, sampleTransitions, type Transitions } from '../src/rl/transitions.ts';
import { bootstrapTargets, oracleTargets, policyEvaluationTargets, qOnNextStates } from '../src/rl/targets.ts';
import { epsilonGreedyPolicy, maxAbsDiff, policyQ, uniformPolicy, valueIteration } from '../src/rl/dp.ts';

// Three hand-made transitions with A = 2 and γ = 0.5.
const tr: Transitions = {
  n: 3,
  s: Int32Array.from([0, 1, 2]),
  a: Int32Array.from([1, 0, 1]),
  r: Float64Array.from([1, 0, 2]),
  s2: Int32Array.from([1, 2, 0]),
  done: Uint8Array.from([0, 0, 1]),
};
// Q table (S = 3, A = 2): Q(0,·) = (4, −2), Q(1,·) = (3, 5), Q(2,·) = (−1, −6).
const qTable = Float64Array.from([4, -2, 3, 5, -1, -6]);

test('qOnNextStates gathers Q(s′, ·); oracle targets read Q(s, a)', () => {
  assert.deepEqual([...qOnNextStates(tr, qTable, 2)], [3, 5, -1, -6, 4, -2]);
  assert.deepEqual([...oracleTargets(tr, qTable, 2)], [-2, 3, -6]);
  assert.throws(() => oracleTargets(tr, qTable.subarray(0, 4), 2), /no entry for \(s=2, a=1\)/);
});

test('bootstrap targets by hand: r + γ(1 − done) max Q(s′, ·)', () => {
  const y = bootstrapTargets(tr, qOnNextStates(tr, qTable, 2), 2, 0.5);
  // 1 + 0.5·max(3, 5) = 3.5;  0 + 0.5·max(−1, −6) = −0.5;  done: 2.
  assert.deepEqual([...y], [3.5, -0.5, 2]);
  assert.throws(() => bootstrapTargets(tr, new Float64Array(5), 2, 0.5), /qNext has 5 entries, expected n·A = 6/);
});

test('policy-evaluation targets by hand: r + γ(1 − done) Σ π(a′|s′) Q(s′, a′)', () => {
  // π(·|0) = (1, 0), π(·|1) = (0.25, 0.75), π(·|2) = (0.5, 0.5).
  const pi = Float64Array.from([1, 0, 0.25, 0.75, 0.5, 0.5]);
  const y = policyEvaluationTargets(tr, qOnNextStates(tr, qTable, 2), pi, 2, 0.5);
  // 1 + 0.5·(0.75 + 3.75) = 3.25;  0 + 0.5·(−0.5 − 3) = −1.75;  done: 2.
  assert.deepEqual([...y], [3.25, -1.75, 2]);
});

test('at the fixed point the bootstrapped targets equal the oracle: Q* on a gridworld, Q^π on a random MDP', () => {
  const g = gridworld({ width: 6, height: 6, walls: [[2, 2], [2, 3]] });
  const qStar = valueIteration(g).q;
  const all = allPairTransitions(g);
  assert.ok(maxAbsDiff(bootstrapTargets(all, qOnNextStates(all, qStar, 4), 4, g.gamma), oracleTargets(all, qStar, 4)) < 1e-10);
  // A behaviour-sampled data set hits the goal (done = 1) at least once and still agrees.
  const sampled = sampleTransitions(g, { n: 3000, behaviour: epsilonGreedyPolicy(g, qStar, 0.2), seed: 5 });
  assert.ok(sampled.done.some((d) => d === 1));
  assert.ok(maxAbsDiff(bootstrapTargets(sampled, qOnNextStates(sampled, qStar, 4), 4, g.gamma), oracleTargets(sampled, qStar, 4)) < 1e-10);

  // Deterministic-successor check for policy evaluation (a stochastic MDP's sampled s′ would not match
  // the expectation, so use a branching-1 random MDP: every row is deterministic).
  const m = randomMdp({ S: 8, A: 3, seed: 4, branching: 1, gamma: 0.8 });
  const pi = uniformPolicy(m);
  const qPi = policyQ(m, pi);
  const pairs = allPairTransitions(m);
  assert.ok(maxAbsDiff(policyEvaluationTargets(pairs, qOnNextStates(pairs, qPi, 3), pi, 3, 0.8), oracleTargets(pairs, qPi, 3)) < 1e-10);
  // And away from the fixed point they differ (the test can fail).
  const perturbed = qPi.map((v, i) => v + (i % 2));
  assert.ok(maxAbsDiff(policyEvaluationTargets(pairs, qOnNextStates(pairs, perturbed, 3), pi, 3, 0.8), oracleTargets(pairs, perturbed, 3)) > 0.1);
});
