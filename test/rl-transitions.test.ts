import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridworld } from '../src/rl/gridworld.ts';
import { randomMdp } from '../src/rl/randomMdp.ts';
import { allPairTransitions, sampleTransitions, type Transitions } from '../src/rl/transitions.ts';
import { epsilonGreedyPolicy, greedyPolicy, uniformPolicy, valueIteration } from '../src/rl/dp.ts';
import type { TabularMdp } from '../src/rl/mdp.ts';

/** Every transition is possible under P, carries R(s, a), and done marks absorbing successors. */
function assertConsistent(mdp: TabularMdp, tr: Transitions): void {
  for (let i = 0; i < tr.n; i++) {
    const row = tr.s[i]! * mdp.A + tr.a[i]!;
    assert.ok(mdp.P[row * mdp.S + tr.s2[i]!]! > 0, `transition ${i} impossible`);
    assert.equal(tr.r[i], mdp.R[row]);
    assert.equal(tr.done[i], mdp.absorbing[tr.s2[i]!]);
  }
}

test('allPairTransitions on a 3-cell corridor, by hand', () => {
  const g = gridworld({ width: 3, height: 1, goal: [2, 0] });
  const tr = allPairTransitions(g);
  assert.equal(tr.n, 12);
  assert.deepEqual([...tr.s], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  assert.deepEqual([...tr.a], [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
  //                        up down left right
  assert.deepEqual([...tr.s2], [0, 0, 0, 1, 1, 1, 0, 2, 2, 2, 2, 2]);
  assert.deepEqual([...tr.r], [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.deepEqual([...tr.done], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
});

test('allPairTransitions on a stochastic MDP needs a seed and samples s′ ~ P', () => {
  const m = randomMdp({ S: 5, A: 2, seed: 3, branching: 3 });
  assert.throws(() => allPairTransitions(m), /stochastic at \(s=0, a=0\); pass a seed/);
  const tr = allPairTransitions(m, { seed: 1 });
  assert.equal(tr.n, 10);
  assertConsistent(m, tr);
  assert.deepEqual(allPairTransitions(m, { seed: 1 }), tr);
});

test('sampleTransitions: consistent with the MDP, deterministic per seed, empirical P matches', () => {
  const m = randomMdp({ S: 3, A: 2, seed: 9 });
  const tr = sampleTransitions(m, { n: 60000, behaviour: uniformPolicy(m), seed: 4 });
  assertConsistent(m, tr);
  assert.deepEqual(sampleTransitions(m, { n: 100, behaviour: uniformPolicy(m), seed: 4 }).s2, tr.s2.subarray(0, 100));
  const count = new Float64Array(6), next = new Float64Array(18);
  for (let i = 0; i < tr.n; i++) {
    const row = tr.s[i]! * 2 + tr.a[i]!;
    count[row]!++;
    next[row * 3 + tr.s2[i]!]!++;
  }
  for (let row = 0; row < 6; row++) {
    assert.ok(count[row]! > 5000, `row ${row} visited ${count[row]} times`);
    for (let t = 0; t < 3; t++) {
      const p = m.P[row * 3 + t]!;
      const se = Math.sqrt((p * (1 - p)) / count[row]!);
      assert.ok(Math.abs(next[row * 3 + t]! / count[row]! - p) < 5 * se + 1e-12, `row ${row} → ${t}`);
    }
  }
});

test('sampleTransitions: episodes restart from the start state after done or the horizon', () => {
  const g = gridworld({ width: 3, height: 1, goal: [2, 0], start: [0, 0] });
  const tr = sampleTransitions(g, { n: 2000, behaviour: uniformPolicy(g), seed: 2, horizon: 5 });
  assertConsistent(g, tr);
  let t = 0;
  let episodes = 0;
  for (let i = 0; i < tr.n; i++) {
    if (t === 0) {
      assert.equal(tr.s[i], 0, `episode start at ${i}`);
      episodes++;
    } else assert.equal(tr.s[i], tr.s2[i - 1]);
    t = tr.done[i] || t + 1 >= 5 ? 0 : t + 1;
  }
  assert.ok(episodes > 400);
  // The uniform behaviour picks each action ≈ 1/4 of the time (s.e. ≈ 0.0097 at n = 2000).
  for (let a = 0; a < 4; a++) {
    const f = tr.a.filter((x) => x === a).length / tr.n;
    assert.ok(Math.abs(f - 0.25) < 0.04, `action ${a}: ${f}`);
  }
});

test('sampleTransitions: ε = 0 greedy behaviour follows Q* exactly; ε = 1 is uniform', () => {
  const g = gridworld({ width: 5, height: 5 });
  const { q } = valueIteration(g);
  const greedy = greedyPolicy(g, q);
  const tr = sampleTransitions(g, { n: 500, behaviour: epsilonGreedyPolicy(g, q, 0), seed: 1 });
  for (let i = 0; i < tr.n; i++) assert.equal(greedy[tr.s[i]! * 4 + tr.a[i]!], 1);
  assert.ok(tr.done.reduce((x, y) => x + y, 0) > 50); // every greedy episode reaches the goal within 8 steps
  assert.deepEqual(epsilonGreedyPolicy(g, q, 1), uniformPolicy(g));
  assert.throws(() => sampleTransitions(g, { n: 5, behaviour: new Float64Array(3), seed: 1 }), /policy has 3 entries/);
});
