import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridworld } from '../src/rl/gridworld.ts';
import { randomMdp } from '../src/rl/randomMdp.ts';
import { solveDense } from '../src/rl/denseSolve.ts';
import {
  bellmanOptimality,
  epsilonGreedyPolicy,
  greedyPolicy,
  iteratePolicyEvaluation,
  maxAbsDiff,
  policyQ,
  policyReturn,
  uniformPolicy,
  valueIteration,
} from '../src/rl/dp.ts';
import { Rng } from '../src/linalg/prng.ts';

const UP = 0, DOWN = 1, LEFT = 2, RIGHT = 3;

test('solveDense: hand-solved system that needs a row swap, and a random system by residual', () => {
  // [0 2 1; 1 1 0; 2 0 3] x = [7, 3, 11] has x = (1, 2, 3) by substitution.
  const x = solveDense(Float64Array.from([0, 2, 1, 1, 1, 0, 2, 0, 3]), Float64Array.from([7, 3, 11]), 3);
  assert.ok(maxAbsDiff(x, [1, 2, 3]) < 1e-15, `${x}`);
  const n = 30, rng = new Rng(3);
  const M = rng.fillNormal(new Float64Array(n * n));
  const b = rng.fillNormal(new Float64Array(n));
  const y = solveDense(M, b, n);
  let res = 0;
  for (let i = 0; i < n; i++) {
    let s = -b[i]!;
    for (let j = 0; j < n; j++) s += M[i * n + j]! * y[j]!;
    res = Math.max(res, Math.abs(s));
  }
  assert.ok(res < 1e-12, `residual ${res}`);
  assert.throws(() => solveDense(new Float64Array(4), new Float64Array(2), 2), /singular/);
});

test('policyQ (linear solve) equals iterating the Bellman operator T^π to convergence', () => {
  const mdp = randomMdp({ S: 12, A: 3, seed: 7, branching: 4, gamma: 0.95 });
  const rng = new Rng(8);
  const pi = new Float64Array(mdp.S * mdp.A);
  for (let s = 0; s < mdp.S; s++) {
    let z = 0;
    for (let a = 0; a < mdp.A; a++) z += pi[s * mdp.A + a] = rng.uniform() + 0.01;
    for (let a = 0; a < mdp.A; a++) pi[s * mdp.A + a]! /= z;
  }
  for (const p of [pi, uniformPolicy(mdp)]) {
    const exact = policyQ(mdp, p);
    const iter = iteratePolicyEvaluation(mdp, p, { tol: 1e-12 });
    assert.ok(iter.errorBound <= 1e-12);
    assert.ok(maxAbsDiff(exact, iter.q) < 1e-10, `diff ${maxAbsDiff(exact, iter.q)}`);
  }
  const g = gridworld({ gamma: 0.9 });
  const eps = epsilonGreedyPolicy(g, valueIteration(g).q, 0.3);
  assert.ok(maxAbsDiff(policyQ(g, eps), iteratePolicyEvaluation(g, eps).q) < 1e-10);
});

test('Q* from value iteration satisfies the Bellman optimality equation to 1e−10 and equals Q^greedy', () => {
  for (const mdp of [randomMdp({ S: 20, A: 4, seed: 1, gamma: 0.9 }), gridworld({ walls: [[3, 3], [3, 4], [4, 3]] })]) {
    const { q } = valueIteration(mdp, { tol: 1e-12 });
    assert.ok(maxAbsDiff(bellmanOptimality(mdp, q), q) < 1e-10, mdp.name);
    assert.ok(maxAbsDiff(policyQ(mdp, greedyPolicy(mdp, q)), q) < 1e-10, mdp.name);
  }
});

test('value iteration stopping rule: ‖Q − Q*‖∞ ≤ tol when ‖Q_{k+1} − Q_k‖∞ ≤ tol(1−γ)/γ', () => {
  const mdp = randomMdp({ S: 15, A: 3, seed: 2, gamma: 0.97 });
  const exact = valueIteration(mdp, { tol: 1e-13 }).q;
  for (const tol of [1e-2, 1e-4, 1e-6]) {
    const r = valueIteration(mdp, { tol });
    assert.ok(r.lastStep <= (tol * (1 - 0.97)) / 0.97);
    assert.ok(r.errorBound <= tol);
    const err = maxAbsDiff(r.q, exact);
    assert.ok(err <= tol, `tol ${tol}: error ${err}`);
    assert.ok(err <= r.errorBound + 1e-13);
  }
  assert.throws(() => valueIteration(mdp, { tol: 1e-12, maxIterations: 3 }), /no convergence/);
});

test('1-D corridor: Q* is γ^(d−1) toward the goal, computed by hand', () => {
  // Cells x = 0..5 in one row, goal at x = 5, distance d = 5 − x.
  const gamma = 0.9;
  const g = gridworld({ width: 6, height: 1, goal: [5, 0], start: [0, 0], gamma });
  const { q } = valueIteration(g);
  const V = (d: number) => (d === 0 ? 0 : gamma ** (d - 1));
  for (let x = 0; x < 5; x++) {
    const d = 5 - x;
    assert.ok(Math.abs(q[x * 4 + RIGHT]! - V(d)) < 1e-12, `x=${x} right`);
    assert.ok(Math.abs(q[x * 4 + UP]! - gamma * V(d)) < 1e-12, `x=${x} up (stays)`);
    assert.ok(Math.abs(q[x * 4 + DOWN]! - gamma * V(d)) < 1e-12, `x=${x} down (stays)`);
    const leftTo = x === 0 ? d : d + 1; // at the left edge, left stays
    assert.ok(Math.abs(q[x * 4 + LEFT]! - gamma * V(leftTo)) < 1e-12, `x=${x} left`);
  }
  // Literal values: Q*(0, right) = 0.9^4, Q*(4, right) = 1, goal row 0.
  assert.ok(Math.abs(q[0 * 4 + RIGHT]! - 0.6561) < 1e-12);
  assert.ok(Math.abs(q[4 * 4 + RIGHT]! - 1) < 1e-12);
  assert.deepEqual([...q.subarray(20, 24)], [0, 0, 0, 0]);
  // The greedy policy walks right; its exact return from x = 0 is 0.9^4.
  const pi = greedyPolicy(g, q);
  for (let x = 0; x < 5; x++) assert.equal(pi[x * 4 + RIGHT], 1);
  assert.ok(Math.abs(policyReturn(g, pi) - 0.6561) < 1e-12);
});

test('policyReturn of the uniform policy on a 2-cell corridor: V = (1/4)/(1 − 3γ/4)', () => {
  const gamma = 0.9;
  const g = gridworld({ width: 2, height: 1, goal: [1, 0], gamma });
  assert.ok(Math.abs(policyReturn(g, uniformPolicy(g)) - 0.25 / (1 - 0.75 * gamma)) < 1e-14);
});

test('walls are respected: the optimal path detours around them', () => {
  // x: 0 1 2          S . G      Manhattan distance S→G is 2, but the wall column (1,0),(1,1)
  //    . # .          . # .      forces S→(0,1)→(0,2)→(1,2)→(2,2)→(2,1)→G: 6 steps, V*(S) = γ^5.
  //    . . .
  const gamma = 0.8;
  const g = gridworld({ width: 3, height: 3, walls: [[1, 0], [1, 1]], goal: [2, 0], start: [0, 0], gamma });
  const { q } = valueIteration(g);
  const s0 = g.stateOfCell[0]!;
  assert.ok(Math.abs(Math.max(...q.subarray(s0 * 4, s0 * 4 + 4)) - gamma ** 5) < 1e-12);
  assert.ok(Math.abs(q[s0 * 4 + RIGHT]! - gamma ** 6) < 1e-12); // bumps into the wall, stays
  assert.equal(greedyPolicy(g, q)[s0 * 4 + DOWN], 1);
  assert.ok(Math.abs(policyReturn(g, greedyPolicy(g, q)) - gamma ** 5) < 1e-12);
  // Without the walls the distance is 2.
  const open = gridworld({ width: 3, height: 3, goal: [2, 0], start: [0, 0], gamma });
  assert.ok(Math.abs(policyReturn(open, greedyPolicy(open, valueIteration(open).q)) - gamma) < 1e-12);
});
