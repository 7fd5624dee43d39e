/**
 * The explorer's cost estimates (web/src/budget.ts): parameter and data sizes against the core's
 * own model and data, and the verdicts for the settings of issue 10 (refuse / ask / run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProblem, type RunConfig } from '../src/index.ts';
import { dataShape, estimateRun, estimateSweep, estimateTheory, judgeRun, judgeTheory, MEMORY_LIMIT, paramCount } from '../web/src/budget.ts';
import { DEFAULT_STATE, resolveState, type ExplorerState } from '../web/src/state.ts';

const st = (patch: Partial<ExplorerState>): ExplorerState => ({ ...DEFAULT_STATE, ...patch });

test('parameter count and data size are the core model\'s and data\'s', () => {
  for (const patch of [{}, { depth: 3, width: 37, d: 5, m: 10 }, { depth: 5, width: 8, data: 'gaussian' as const, d: 7, m: 13 }, { depth: 2, width: 3, data: 'two-gaussians' as const, d: 4, m: 9 }]) {
    const s = st(patch);
    const { problem } = buildProblem(resolveState(s) as RunConfig);
    assert.equal(paramCount(s.d, s.width, s.depth), problem.model.numParams, JSON.stringify(patch));
    const cost = estimateRun(s);
    assert.equal(cost.params, problem.model.numParams);
    assert.deepEqual(dataShape(s), { m: problem.train.m, d: problem.train.d });
    // X and y of the training set
    assert.equal(cost.memory.data, problem.train.X.byteLength + problem.train.y.byteLength);
  }
  assert.deepEqual(dataShape(st({ data: 'mnist' })), { m: 500, d: 784 });
  // 784·4000 + 6·4000² + 4000, by hand
  assert.equal(paramCount(784, 4000, 8), 99_140_000);
});

test('the sharpness Lanczos basis dominates big nets: 41 vectors of P numbers', () => {
  const c = estimateRun(st({ depth: 3, width: 4000 }));
  assert.equal(c.memory.lanczos, 8 * 41 * (c.params + 100));
  assert.ok(c.memory.total > MEMORY_LIMIT);
});

test('verdicts: the issue\'s settings are refused, long ones asked about, the default runs', () => {
  assert.equal(judgeRun(estimateRun(st({ data: 'mnist', depth: 8, width: 4000 }))).action, 'refuse');
  const big = judgeRun(estimateRun(st({ m: 20000, d: 2000, depth: 4, width: 4000 })));
  assert.equal(big.action, 'refuse');
  assert.match(big.title, /needs about 18\.\d GB of memory/);
  assert.equal(judgeRun(estimateRun(DEFAULT_STATE)).action, 'run');
  assert.ok(estimateRun(DEFAULT_STATE).seconds.total < 10);
  assert.equal(judgeRun(estimateRun(st({ data: 'mnist', width: 100, steps: 20 }))).action, 'run');
  assert.equal(judgeRun(estimateRun(st({ steps: 200000 }))).action, 'ask');
  assert.equal(judgeRun(estimateRun(st({ data: 'gaussian', m: 5000, d: 1000, width: 2000, steps: 100 }))).action, 'ask');
  // a sweep holds one run per worker in memory at once and takes cn / workers rounds
  const sw = estimateSweep(st({ cn: 12 }), 4);
  assert.equal(sw.concurrent, 4);
  assert.equal(sw.memory, 4 * estimateRun(DEFAULT_STATE).memory.total);
  assert.equal(sw.seconds, 3 * estimateRun(DEFAULT_STATE).seconds.total);
  // the theory grid: the default is quick, the largest asks
  assert.equal(judgeTheory(DEFAULT_STATE).action, 'run');
  assert.equal(judgeTheory(st({ tn: 20000, tsteps: 100000 })).action, 'ask');
  assert.ok(estimateTheory(st({ tn: 20000, tsteps: 100000 })).seconds > 60);
});

test('diagonal model: 2d parameters (the core model\'s count); β at every recorded step is counted and can be refused', () => {
  const s = st({ model: 'diagonal', depth: 3, alpha: 0.1, data: 'gaussian', m: 40, d: 17, steps: 100, every: 1, dense: 0 });
  const { problem } = buildProblem(resolveState(s) as RunConfig);
  const cost = estimateRun(s);
  assert.equal(cost.params, problem.model.numParams);
  assert.equal(cost.params, 34);
  // 101 rows (steps 0…100) × 17 coordinates × 8 bytes, held by the worker and the page
  assert.equal(cost.memory.trajectory, 2 * 8 * 101 * 17);
  assert.equal(estimateRun(st({ ...s, every: 10 })).memory.trajectory, 2 * 8 * 11 * 17);
  assert.equal(estimateRun(DEFAULT_STATE).memory.trajectory, 0);
  // 200 000 recorded steps × 2000 coordinates: 6.4 GB of β: refused
  const big = judgeRun(estimateRun(st({ ...s, d: 2000, steps: 200000 })));
  assert.equal(big.action, 'refuse');
  assert.ok(big.lines.some((l) => /^β at every recorded step/.test(l)), big.lines.join('\n'));
});
