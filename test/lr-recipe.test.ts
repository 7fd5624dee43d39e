/** The lr-policies recipe's pieces: the edge-of-stability verdict (can fail) and LRBench's toy surface. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edgeVerdict } from '../src/recipes/lrPolicies.ts';
import { nesterovPath, toySurface } from '../src/recipes/toySurface.ts';
import type { PolicyRun } from '../src/recipes/lrbench.ts';

const run = (policy: string, belowEdge: boolean, rises: number[], phase = 'lazy') => ({ policy, seed: 0, belowEdge, rises, summary: { phase }, events: [], rows: [], cost: null, robustness: NaN }) as PolicyRun;

test('edge verdict: ✓ when runs below η·S = 2 never rise, ✗ when one does, no verdict when none stays below', () => {
  assert.equal(edgeVerdict([run('a', true, []), run('b', false, [3], 'catapult')]).pass, true);
  const bad = edgeVerdict([run('a', true, []), run('c', true, [7, 8])]);
  assert.equal(bad.pass, false);
  assert.match(bad.measured, /1 of them had a loss rise \(c seed 0 at t = 7, 8\)/);
  assert.equal(edgeVerdict([run('b', false, [3], 'catapult')]).pass, null);
  // divergent runs are not counted as stable ones
  assert.equal(edgeVerdict([run('d', true, [1], 'divergent')]).pass, null);
});

test('LRBench toy surface: values from its formula (Python), and Nesterov paths', () => {
  const cases: [number, number, number][] = [
    [0.75, 1.0, 0.18389917721010815],
    [1, -0.5, -4.972984758728372],
    [-1, 0.5, -6.40537924655543],
    [0.3, -0.2, -2.5886292508735496],
  ];
  for (const [x, y, z] of cases) assert.ok(Math.abs(toySurface(x, y) - z) < 1e-12, `z(${x}, ${y}) = ${toySurface(x, y)}`);
  // one Nesterov step from rest: v = g, p − η(1 + β)g; with η = 0 the point stays put
  const still = nesterovPath(() => 0, { iterations: 3 });
  assert.deepEqual(still.map((p) => [p.x, p.y]), [[0.75, 1], [0.75, 1], [0.75, 1], [0.75, 1]]);
  const one = nesterovPath(() => 0.01, { iterations: 1, beta: 0.9 });
  const h = 1e-6, gx = (toySurface(0.75 + h, 1) - toySurface(0.75 - h, 1)) / (2 * h);
  assert.ok(Math.abs(one[1].x - (0.75 - 0.01 * 1.9 * gx)) < 1e-15);
  // the notebook's FIX policy goes downhill over 50 iterations
  const fix = nesterovPath(() => 0.025);
  assert.equal(fix.length, 51);
  assert.ok(fix[50].z < fix[0].z - 1);
});
