/**
 * Learning-rate functions (src/train/lr/) against values written out from LRBench's formulas
 * (neighbours §D) with Python's math module (asin/sin for the triangle waves, as in LRBench's
 * code) — not from this implementation — and the original named schedules bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cos, pow } from '../src/linalg/detmath.ts';
import { LR_FUNCTION_NAMES, lrFunctionValue, type LrFunctionName, type LrParams } from '../src/train/lr/functions.ts';
import { compilePolicy, type LegacySchedule, type LrPolicy } from '../src/train/lr/policy.ts';
import { parseLrPolicy } from '../src/train/lr/schema.ts';
import { resolveConfig } from '../src/experiments/config.ts';

const l = 10;
const TS = [0, 1, l / 2, l, (3 * l) / 2, 2 * l, 5 * l];
const BAND: Partial<LrParams> = { k0: 0.1, k1: 1, gamma: 0.99, p: 2, l };
const PARAMS: Partial<Record<LrFunctionName, Partial<LrParams>>> = {
  STEP: { k0: 1, gamma: 0.5, l },
  NSTEP: { k0: 1, gamma: 0.5, l: [1, 10, 15] },
  INV: { k0: 1, gamma: 0.1, p: 0.75 },
  SIG: { k0: 1, gamma: 0.5, l },
};

// k(t) at t = 0, 1, l/2, l, 3l/2, 2l, 5l (l = 10; k0 = 0.1, k1 = 1, γ = 0.99, p = 2 unless PARAMS says otherwise)
const EXPECTED: Record<LrFunctionName, number[]> = {
  FIX: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
  STEP: [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.03125],
  NSTEP: [1.0, 0.5, 0.5, 0.25, 0.125, 0.125, 0.125],
  EXP: [0.1, 0.099, 0.09509900499, 0.09043820750088044, 0.08600583546412885, 0.08179069375972309, 0.06050060671375364],
  INV: [1.0, 0.9310124446222228, 0.7377879464668811, 0.5946035575013605, 0.5029733718731741, 0.4386913376508308, 0.26084743001221455],
  POLY: [1.0, 0.8290000000000001, 0.325, 0.1, 0.1, 0.1, 0.1],
  SIG: [0.0066928509242848554, 0.01098694263059318, 0.07585818002124355, 0.5, 0.9241418199787566, 0.9933071490757153, 0.9999999979388463],
  TRI: [0.1, 0.19, 0.5499999999999999, 1.0, 0.5500000000000002, 0.10000000000000007, 1.0],
  DTRI: [1.0, 0.9100000000000004, 0.5500000000000002, 0.10000000000000007, 0.5499999999999999, 1.0, 0.10000000000000021],
  TRI2: [0.1, 0.19, 0.5499999999999999, 1.0, 0.5500000000000002, 0.10000000000000005, 0.325],
  DTRI2: [1.0, 0.9100000000000004, 0.5500000000000002, 0.10000000000000005, 0.32499999999999996, 0.55, 0.10000000000000003],
  TRIEXP: [0.1, 0.18910000000000002, 0.5279455224549999, 0.913943867507924, 0.4870262595885799, 0.10000000000000006, 0.6445054604237828],
  DTRIEXP: [1.0, 0.9019000000000004, 0.527945522455, 0.10000000000000007, 0.4870262595885798, 0.8361162438375077, 0.10000000000000013],
  SIN: [0.1, 0.2407910185362078, 0.7363961030678927, 1.0, 0.7363961030678928, 0.10000000000000012, 1.0],
  DSIN: [1.0, 0.988919506535624, 0.7363961030678928, 0.10000000000000012, 0.7363961030678927, 1.0, 0.10000000000000034],
  SIN2: [0.1, 0.2407910185362078, 0.7363961030678927, 1.0, 0.7363961030678928, 0.10000000000000006, 0.325],
  DSIN2: [1.0, 0.988919506535624, 0.7363961030678928, 0.10000000000000006, 0.4181980515339464, 0.55, 0.10000000000000005],
  SINEXP: [0.1, 0.23938310835084572, 0.7052063618127008, 0.913943867507924, 0.6473377853046998, 0.10000000000000009, 0.6445054604237828],
  DSINEXP: [1.0, 0.9800303114702678, 0.7052063618127009, 0.1000000000000001, 0.6473377853046997, 0.8361162438375077, 0.1000000000000002],
  COS: [1.0, 0.9779754323328191, 0.55, 0.1, 0.5499999999999999, 1.0, 0.1],
  UPCOS: [0.1, 0.12202456766718092, 0.5499999999999999, 1.0, 0.5500000000000002, 0.1, 1.0],
  COS2: [1.0, 0.9779754323328191, 0.55, 0.1, 0.32499999999999996, 0.55, 0.1],
  UPCOS2: [0.1, 0.12202456766718092, 0.5499999999999999, 1.0, 0.5500000000000002, 0.1, 0.325],
  COSEXP: [1.0, 0.9691956780094909, 0.5279455224549999, 0.1, 0.4870262595885797, 0.8361162438375077, 0.1],
  UPCOSEXP: [0.1, 0.12180432199050911, 0.5279455224549998, 0.913943867507924, 0.4870262595885799, 0.1, 0.6445054604237828],
  RSW: [0.1, 0.91, 0.55, 0.1, 0.55, 0.1, 0.1],
  RSW2: [0.1, 0.91, 0.55, 0.1, 0.325, 0.1, 0.1],
  RSWEXP: [0.1, 0.9019, 0.5279455224549999, 0.1, 0.4870262595885798, 0.1, 0.1],
  SINRSW: [0.1, 0.988919506535624, 0.7363961030678927, 0.1, 0.7363961030678927, 0.1, 0.1],
  SINRSW2: [0.1, 0.988919506535624, 0.7363961030678927, 0.1, 0.4181980515339464, 0.1, 0.1],
  SINRSWEXP: [0.1, 0.9800303114702678, 0.7052063618127008, 0.1, 0.6473377853046997, 0.1, 0.1],
  COSRSW: [0.1, 0.9779754323328191, 0.5499999999999999, 0.1, 0.5499999999999999, 0.1, 0.1],
  COSRSW2: [0.1, 0.9779754323328191, 0.5499999999999999, 0.1, 0.32499999999999996, 0.1, 0.1],
  COSRSWEXP: [0.1, 0.9691956780094909, 0.5279455224549999, 0.1, 0.4870262595885798, 0.1, 0.1],
  WARMUP_LIN: [0.1, 0.19, 0.55, 1.0, 1.0, 1.0, 1.0],
  WARMUP_EXP: [0.1, 0.12589254117941673, 0.316227766016838, 1.0, 1.0, 1.0, 1.0],
};

test('every LR function matches the hand-computed values at t = 0, 1, l/2, l, 3l/2, 2l, 5l to 1e-12', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), [...LR_FUNCTION_NAMES].sort(), 'a value table for every function');
  for (const name of LR_FUNCTION_NAMES) {
    const q = PARAMS[name] ?? BAND;
    TS.forEach((t, i) => {
      const got = lrFunctionValue(name, q, t);
      assert.ok(Math.abs(got - EXPECTED[name][i]) <= 1e-12, `${name}(t = ${t}) = ${got}, expected ${EXPECTED[name][i]}`);
    });
  }
});

test('COS: the full-period convention with l = 20 is the half-period one with l = 10', () => {
  const expected = [1.0, 0.9779754323328191, 0.55, 0.1, 0.5499999999999999, 1.0, 0.1];
  TS.forEach((t, i) => assert.ok(Math.abs(lrFunctionValue('COS', { ...BAND, l: 20, period: 'full' }, t) - expected[i]) <= 1e-12, `t = ${t}`));
  // and not the half-period reading of l = 20 (at t = 10 that is halfway, 0.55)
  assert.ok(Math.abs(lrFunctionValue('COS', { ...BAND, l: 20 }, 10) - 0.55) <= 1e-12);
});

test('piecewise policies restart t at each boundary', () => {
  const k = compilePolicy({
    piecewise: [
      { until: 10, fn: 'WARMUP_LIN', k0: 0, k1: 1, l: 10 },
      { until: 30, fn: 'COS', k0: 0.1, k1: 1, l: 20 },
      { fn: 'EXP', k0: 0.1, gamma: 0.5 },
    ],
  });
  const cases: [number, number][] = [
    [0, 0], [9, 0.9],
    [10, 1.0], // COS at its own t = 0
    [29, 0.10554024673218806], // COS at t = 19 of l = 20: 0.9·½(1 + cos(19π/20)) + 0.1
    [30, 0.1], [32, 0.025], // EXP at its own t = 0 and 2
  ];
  for (const [t, v] of cases) assert.ok(Math.abs(k(t) - v) <= 1e-12, `k(${t}) = ${k(t)}, expected ${v}`);
});

test('NSTEP has no global state: any call order, several instances, milestones passed together', () => {
  const a = compilePolicy({ fn: 'NSTEP', k0: 1, gamma: 0.5, l: [1, 10, 15] });
  const b = compilePolicy({ fn: 'NSTEP', k0: 2, gamma: 0.1, l: [5] });
  assert.equal(a(50), 0.125); // all three milestones at the first call (LRBench's counter would give 0.5)
  assert.equal(a(0), 1);
  assert.equal(b(4), 2);
  assert.equal(a(12), 0.25);
  assert.ok(Math.abs(b(5) - 0.2) <= 1e-15);
  assert.equal(a(12), 0.25);
});

/** The schedules as they were before the LR zoo (copied from the old src/train/schedules.ts). */
function oldScheduleFactor(s: LegacySchedule, t: number): number {
  switch (s.kind) {
    case 'constant': return 1;
    case 'step': return t >= s.at ? s.factor : 1;
    case 'multistep': { let f = 1; for (const ms of s.milestones) if (t >= ms) f *= s.factor; return f; }
    case 'exponential': return pow(s.gamma, t);
    case 'inverse': return 1 / pow(1 + s.gamma * t, s.power);
    case 'polynomial': return Math.max(s.min, pow(Math.max(0, 1 - t / s.steps), s.power));
    case 'cosine': return t >= s.steps ? s.min : s.min + (1 - s.min) * 0.5 * (1 + cos((Math.PI * t) / s.steps));
    case 'triangular': {
      const phase = (t % (2 * s.halfPeriod)) / s.halfPeriod;
      const x = phase <= 1 ? 1 - phase : phase - 1;
      return s.min + (1 - s.min) * x;
    }
  }
}

test('the original named schedules are zoo instances with bit-identical values', () => {
  const legacy: LegacySchedule[] = [
    { kind: 'constant' },
    { kind: 'step', at: 37, factor: 0.3 },
    { kind: 'multistep', milestones: [50, 10, 300], factor: 0.7 },
    { kind: 'exponential', gamma: 0.997 },
    { kind: 'inverse', gamma: 0.013, power: 0.75 },
    { kind: 'polynomial', steps: 333, power: 1.7, min: 0.05 },
    { kind: 'polynomial', steps: 100, power: 0, min: 0 },
    { kind: 'cosine', steps: 257, min: 0.013 },
    { kind: 'triangular', halfPeriod: 23, min: 0.17 },
  ];
  for (const s of legacy) {
    const k = compilePolicy(s);
    for (let t = 0; t <= 1200; t++) assert.equal(Object.is(k(t), oldScheduleFactor(s, t)) || k(t) === oldScheduleFactor(s, t), true, `${s.kind} at t = ${t}: ${k(t)} vs ${oldScheduleFactor(s, t)}`);
  }
});

test('validation names the bad parameter', () => {
  const msg = (schedule: unknown) => {
    try {
      resolveConfig({ schedule });
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.match(msg({ fn: 'TRIEXP', k0: 0.1, k1: 1, l: 10 }), /schedule\.gamma: missing \(TRIEXP takes k0, k1, gamma, l\)/);
  assert.match(msg({ fn: 'TRIX', k0: 1 }), /schedule\.fn: unknown function "TRIX"; expected one of FIX, STEP/);
  assert.match(msg({ fn: 'COS', k0: 0, k1: 1, l: 5, lr: 2 }), /schedule: unknown parameter\(s\) lr/);
  assert.match(msg({ fn: 'STEP', k0: 1, gamma: 0.5, l: 0 }), /schedule\.l: /);
  assert.match(msg({ fn: 'COS', k0: 0, k1: 1, l: 5, period: 'quarter' }), /schedule\.period: /);
  assert.match(msg({ piecewise: [{ until: 10, fn: 'FIX', k0: 1 }, { until: 5, fn: 'FIX', k0: 1 }, { fn: 'EXP', k0: 1, gamma: 0 }] }), /schedule\.piecewise\.1\.until: boundaries must increase[\s\S]*schedule\.piecewise\.2\.gamma: /);
  assert.match(msg({ piecewise: [{ fn: 'FIX', k0: 1 }, { fn: 'FIX', k0: 1 }] }), /schedule\.piecewise\.0\.until: missing/);
  assert.match(msg({ kind: 'cosine' }), /schedule\.steps: /);
  assert.match(msg({ kind: 'linear' }), /schedule\.kind: unknown kind "linear"/);
  assert.equal(msg({ fn: 'TRIEXP', k0: 0.1, k1: 1, gamma: 0.99, l: 10 }), 'ok');
  assert.match((() => { try { resolveConfig({ c: 2, schedule: { fn: 'FIX', k0: 0.1, absolute: true } }); return 'ok'; } catch (e) { return (e as Error).message; } })(), /schedule\.absolute: .*give no c or eta/);
  assert.match(msg({ fn: 'WARMUP_LIN', k0: 0, k1: 1, l: 5, absolute: true }), /schedule\.absolute: absolute rates need k\(0\) > 0/);
});

test('policies parse with defaults; an absolute policy sets η itself', () => {
  const r = parseLrPolicy({ fn: 'COS', k0: 0, k1: 1, l: 5 });
  assert.deepEqual(r.value, { fn: 'COS', k0: 0, k1: 1, l: 5, period: 'half' });
  const cfg = resolveConfig({ schedule: { fn: 'EXP', k0: 0.5, gamma: 0.9, absolute: true } });
  assert.equal(cfg.c, undefined);
  assert.equal(cfg.eta, undefined);
  const k = compilePolicy(cfg.schedule as LrPolicy);
  assert.equal(k(2), 0.5 * pow(0.9, 2));
});

test('training with an absolute policy: η_t = k(t) and the base η is k(0); a relative one multiplies η', async () => {
  const { buildProblem } = await import('../src/experiments/problem.ts');
  const { Trainer } = await import('../src/train/trainer.ts');
  const base = { data: { kind: 'gaussian', m: 20, d: 4 }, model: { width: 8 }, steps: 12, record: { every: 1, denseUntil: 0 }, curvature: { every: 6, maxIter: 15 } };
  const abs = buildProblem(resolveConfig({ ...base, schedule: { fn: 'EXP', k0: 0.3, gamma: 0.5, absolute: true } }));
  const tr = new Trainer(abs.problem, abs.settings);
  const s = tr.run();
  assert.equal(s.eta, 0.3);
  for (const row of tr.metrics) assert.equal(row.eta, 0.3 * pow(0.5, row.step), `step ${row.step}`);
  const rel = buildProblem(resolveConfig({ ...base, eta: 0.2, schedule: { fn: 'STEP', k0: 2, gamma: 0.5, l: 5 } }));
  const tr2 = new Trainer(rel.problem, rel.settings);
  tr2.run();
  // 0.2·2·0.5^⌊t/5⌋: 0.4 for t < 5, 0.2 for 5 ≤ t < 10, 0.1 from 10
  assert.deepEqual(tr2.metrics.map((r) => r.eta), [0.4, 0.4, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1]);
});
