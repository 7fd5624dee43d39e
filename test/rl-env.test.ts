import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridworld, cellXY } from '../src/rl/gridworld.ts';
import { randomMdp } from '../src/rl/randomMdp.ts';
import { sampleCategorical, validateMdp } from '../src/rl/mdp.ts';

const UP = 0, DOWN = 1, LEFT = 2, RIGHT = 3;

/** The unique next state of a deterministic (s, a), checking the row is one-hot. */
function nextOf(P: Float64Array, S: number, A: number, s: number, a: number): number {
  let next = -1;
  for (let t = 0; t < S; t++) {
    const p = P[(s * A + a) * S + t]!;
    if (p === 0) continue;
    assert.equal(p, 1, `row (${s},${a}) is not deterministic`);
    assert.equal(next, -1, `row (${s},${a}) has two next states`);
    next = t;
  }
  return next;
}

test('gridworld default: 10×10, 4 actions, goal bottom-right absorbing, reward 1 only on entering it', () => {
  const g = gridworld();
  assert.equal(g.S, 100);
  assert.equal(g.A, 4);
  assert.equal(g.gamma, 0.9);
  assert.deepEqual(cellXY(g, g.goalState), [9, 9]);
  let rewarded = 0;
  for (let s = 0; s < g.S; s++) for (let a = 0; a < 4; a++) {
    const t = nextOf(g.P, g.S, g.A, s, a);
    const r = g.R[s * 4 + a]!;
    if (s === g.goalState) {
      assert.equal(t, s);
      assert.equal(r, 0);
    } else {
      assert.equal(r, t === g.goalState ? 1 : 0);
      if (r === 1) rewarded++;
    }
  }
  assert.equal(rewarded, 2); // from (8,9) right and from (9,8) down
  assert.equal(g.absorbing[g.goalState], 1);
  assert.equal(g.absorbing.reduce((x, y) => x + y, 0), 1);
  assert.equal(g.start[g.goalState], 0);
  assert.ok(Math.abs(g.start.reduce((x, y) => x + y, 0) - 1) < 1e-12);
});

test('gridworld moves by hand on a 3×3 grid with a wall in the centre', () => {
  // . . .      states in row-major order, skipping the wall:
  // . # .      (0,0)=0 (1,0)=1 (2,0)=2 (0,1)=3 (2,1)=4 (0,2)=5 (1,2)=6 (2,2)=7
  // . . G
  const g = gridworld({ width: 3, height: 3, walls: [[1, 1]], goal: [2, 2], gamma: 0.5 });
  assert.equal(g.S, 8);
  assert.equal(g.stateOfCell[4], -1);
  const expected: Record<number, [number, number, number, number]> = {
    //      up down left right
    0: [0, 3, 0, 1],
    1: [1, 1, 0, 2], // down is the wall: stay
    2: [2, 4, 1, 2],
    3: [0, 5, 3, 3], // right is the wall: stay
    4: [2, 7, 4, 4], // left is the wall
    5: [3, 5, 5, 6],
    6: [6, 6, 5, 7], // up is the wall
    7: [7, 7, 7, 7], // goal absorbs
  };
  for (let s = 0; s < 8; s++) for (let a = 0; a < 4; a++) {
    assert.equal(nextOf(g.P, g.S, g.A, s, a), expected[s]![a], `s=${s} a=${a}`);
  }
  assert.equal(g.R[4 * 4 + DOWN], 1);
  assert.equal(g.R[6 * 4 + RIGHT], 1);
  assert.equal(g.R[7 * 4 + UP], 0);
  assert.equal(g.R[5 * 4 + LEFT], 0);
});

test('gridworld start cell and bad input', () => {
  const g = gridworld({ width: 4, height: 1, goal: [3, 0], start: [0, 0] });
  assert.deepEqual([...g.start], [1, 0, 0, 0]);
  assert.throws(() => gridworld({ goal: [10, 0] }), /goal \(10, 0\) is outside the 10×10 grid/);
  assert.throws(() => gridworld({ walls: [[2, 2]], goal: [2, 2] }), /goal \(2, 2\) is a wall/);
  assert.throws(() => gridworld({ walls: [[0, -1]] }), /walls\[0\]/);
  assert.throws(() => gridworld({ gamma: 1 }), /gamma must be in \[0, 1\)/);
});

test('randomMdp: deterministic per seed, rows are distributions with the requested support', () => {
  const a = randomMdp({ S: 7, A: 3, seed: 11, branching: 2 });
  const b = randomMdp({ S: 7, A: 3, seed: 11, branching: 2 });
  const c = randomMdp({ S: 7, A: 3, seed: 12, branching: 2 });
  assert.deepEqual(a.P, b.P);
  assert.deepEqual(a.R, b.R);
  assert.notDeepEqual(a.P, c.P);
  validateMdp(a);
  for (let row = 0; row < 21; row++) {
    let support = 0;
    for (let t = 0; t < 7; t++) if (a.P[row * 7 + t]! > 0) support++;
    assert.equal(support, 2);
  }
  // Rewards do not depend on the transition options (separate streams).
  assert.deepEqual(randomMdp({ S: 7, A: 3, seed: 11 }).R, a.R);
});

test('randomMdp: flat Dirichlet marginals and uniform rewards match their moments', () => {
  // Dirichlet(1,1,1) marginal is Beta(1,2): mean 1/3, variance 2/(9·4) = 1/18. Reward U[0,1): 1/2, 1/12.
  const S = 3, A = 4000;
  const m = randomMdp({ S, A, seed: 5 });
  const n = S * A;
  let mean = 0, sq = 0, rMean = 0, rSq = 0;
  for (let row = 0; row < n; row++) {
    const p = m.P[row * S]!;
    mean += p / n;
    sq += (p * p) / n;
    rMean += m.R[row]! / n;
    rSq += (m.R[row]! * m.R[row]!) / n;
  }
  // Standard errors: ~0.236/√12000 ≈ 0.0022 for the mean; tolerances are ≈ 4 s.e.
  assert.ok(Math.abs(mean - 1 / 3) < 0.009, `mean ${mean}`);
  assert.ok(Math.abs(sq - mean * mean - 1 / 18) < 0.006, `var ${sq - mean * mean}`);
  assert.ok(Math.abs(rMean - 0.5) < 0.011, `reward mean ${rMean}`);
  assert.ok(Math.abs(rSq - rMean * rMean - 1 / 12) < 0.006, `reward var ${rSq - rMean * rMean}`);
});

test('validateMdp names the offending entry; sampleCategorical inverts the CDF', () => {
  const g = gridworld({ width: 2, height: 1, goal: [1, 0] });
  const P = g.P.slice();
  P[0] = 0.5;
  assert.throws(() => validateMdp({ ...g, P }), /P\(· \| s=0, a=0\) sums to 0\.5, not 1/);
  const p = [0.2, 0, 0.5, 0.3];
  assert.equal(sampleCategorical(p, 0, 4, 0), 0);
  assert.equal(sampleCategorical(p, 0, 4, 0.19999), 0);
  assert.equal(sampleCategorical(p, 0, 4, 0.2), 2);
  assert.equal(sampleCategorical(p, 0, 4, 0.69), 2);
  assert.equal(sampleCategorical(p, 0, 4, 0.7), 3);
  assert.equal(sampleCategorical(p, 0, 4, 0.9999999999), 3);
  assert.equal(sampleCategorical([0, 0, 1, 9], 1, 2, 0.5), 1);
});
