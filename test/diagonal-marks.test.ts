import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MarkRecorder, marginStats, marksToCsv, supportSize, MARK_COLUMNS, type MarkRecord } from '../src/train/marks.ts';
import { l1Gap, l2Gap, l1MaxMargin, l2MaxMargin } from '../src/theory/maxMargin.ts';
import { diagonalFlow } from '../src/theory/diagonalFlow.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { executeRun } from '../src/experiments/runDir.ts';
import { buildData } from '../src/experiments/problem.ts';
import { tempDirs } from './helpers.ts';

const tmp = tempDirs('catapult-marks-');

test('marginStats: γ and ln ε against direct sums, and where ε underflows', () => {
  const m = [0.3, 2, 1.1, 5];
  const { gamma, lnEps } = marginStats(m);
  assert.equal(gamma, 0.3);
  const direct = m.reduce((a, v) => a + Math.exp(-v), 0);
  assert.ok(Math.abs(lnEps - Math.log(direct)) < 1e-14);
  // γ = 1000: Σ exp(−m) underflows, ln ε = −1000 + ln(1 + e^{−1}) does not
  const big = marginStats([1000, 1001]);
  assert.ok(Math.abs(big.lnEps - (-1000 + Math.log(1 + Math.exp(-1)))) < 1e-12);
});

test('supportSize: |b_j| ≥ tol·max|b| (the threshold itself counts), 0 for b = 0', () => {
  assert.equal(supportSize([1, -1e-3, 0.5e-3, 0]), 2);
  assert.equal(supportSize([1, -1e-3, 0.5e-3, 0], 1e-4), 3);
  assert.equal(supportSize([0, 0]), 0);
});

test('MarkRecorder: first step at or past each mark; a jump over several marks records each at that step; gaps against maxMargin.ts', () => {
  const refs = { separable: true as const, b1: Float64Array.from([1, 0]), b2: Float64Array.from([0.8, 0.4]), l1Norm: 1, l2Norm: Math.hypot(0.8, 0.4) };
  const rec = new MarkRecorder([1, 10, 100], refs);
  const beta = (g: number) => () => [g * 0.9, g * 0.3];
  rec.observe(0, [0, 0], beta(0));
  rec.observe(1, [0.9, 2], beta(0.9));
  assert.equal(rec.records.length, 0);
  rec.observe(2, [1.2, 3], beta(1.2));
  rec.observe(3, [5, 3], beta(3)); // γ = 3: nothing new
  rec.observe(4, [150, 120], beta(120)); // jumps over 10 and 100
  assert.deepEqual(rec.records.map((r) => [r.mark, r.step]), [[1, 2], [10, 4], [100, 4]]);
  assert.ok(rec.done);
  const r = rec.records[0];
  assert.equal(r.gamma, 1.2);
  assert.ok(Math.abs(r.eps - (Math.exp(-1.2) + Math.exp(-3))) < 1e-15);
  assert.ok(Math.abs(r.meanLoss - r.eps / 2) < 1e-15);
  assert.ok(Math.abs(r.log10Eps - Math.log10(r.eps)) < 1e-14);
  // b = β/γ = (0.9, 0.3): ℓ1 gap ‖(−0.1, 0.3)‖₁/1 = 0.4, ℓ2 gap ‖(0.1, −0.1)‖₂/‖(0.8, 0.4)‖₂
  assert.ok(Math.abs(r.l1Gap! - 0.4) < 1e-12);
  assert.ok(Math.abs(r.l2Gap! - Math.hypot(0.1, 0.1) / Math.hypot(0.8, 0.4)) < 1e-12);
  assert.equal(r.l1Gap, l1Gap(r.b, refs.b1));
  assert.ok(Math.abs(r.l2Gap! - l2Gap(r.b, refs.b2)) < 1e-15);
  assert.equal(r.tau, null);
  // marks.csv: the header and one row per mark, gaps empty without references
  const none = new MarkRecorder([1], { separable: false, note: 'x' });
  none.observe(7, [2, 3], beta(2));
  const csv = marksToCsv(none.records).trim().split('\n');
  assert.equal(csv[0], MARK_COLUMNS.join(','));
  const cells = csv[1].split(',');
  assert.equal(cells[MARK_COLUMNS.indexOf('l1Gap')], '');
  assert.equal(cells[MARK_COLUMNS.indexOf('step')], '7');
  assert.throws(() => new MarkRecorder([1, 1], null), /increasing/);
});

/** A small separable diagonal-net problem through the config (gaussian x, sparse teacher). */
const base = {
  model: { kind: 'diagonal', depth: 2 },
  init: { kind: 'constant', value: 0.5 },
  loss: 'exponential',
  data: { kind: 'gaussian', m: 6, d: 8, teacherSparsity: 2 },
  seed: 3,
};
const quiet = { record: { every: 1000000, denseUntil: 0 }, curvature: { every: 1000000, sharpness: false, gaussNewton: false } };

function readMarks(dir: string): { csv: Record<string, string>[]; summary: { marks: MarkRecord[]; maxMargin: { separable: boolean; note?: string }; status: string } } {
  const [head, ...lines] = readFileSync(join(dir, 'marks.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const csv = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
  return { csv, summary: JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) };
}

test('a GD run of a diagonal net records its marks: marks.csv = summary.marks, each at the first step with marginMin ≥ mark (metrics.csv), stops at the last', async () => {
  const dir = join(tmp(), 'gd');
  const cfg = resolveConfig({ ...base, eta: 0.02, steps: 100000, record: { every: 1, denseUntil: 0 }, curvature: { every: 1000000, sharpness: false, gaussNewton: false }, marks: { at: [1, 3] } });
  await executeRun(cfg, dir);
  const { csv, summary } = readMarks(dir);
  assert.equal(summary.status, 'marks-reached');
  assert.equal(summary.maxMargin.separable, true);
  assert.equal(csv.length, 2);
  const metrics = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const cols = metrics[0].split(',');
  const marginMin = new Map(metrics.slice(1).map((l) => {
    const c = l.split(',');
    return [Number(c[cols.indexOf('step')]), Number(c[cols.indexOf('marginMin')])] as const;
  }));
  for (const [i, m] of summary.marks.entries()) {
    assert.equal(Number(csv[i].gamma), m.gamma);
    assert.equal(Number(csv[i].step), m.step);
    assert.ok(m.gamma >= m.mark && marginMin.get(m.step)! === m.gamma, `mark ${m.mark}: γ ${m.gamma}`);
    assert.ok(marginMin.get(m.step - 1)! < m.mark, `mark ${m.mark}: already reached before step ${m.step}`);
    assert.ok(m.l1Gap! > 0 && m.l2Gap! > 0 && m.supportSize >= 1 && m.supportSize <= 8);
  }
  assert.equal(Math.max(...marginMin.keys()), summary.marks[1].step, 'the run ends at the last mark');
});

test('non-separable data: marks without gaps and a note saying why; the flow refuses such data', async () => {
  const dir = join(tmp(), 'nonsep');
  const raw = { model: { kind: 'diagonal', depth: 2 }, init: { kind: 'constant', value: 0.5 }, loss: 'exponential', data: { kind: 'degenerate', m: 10, d: 3, p: 0.3 }, eta: 0.1, steps: 20, ...quiet };
  await executeRun(resolveConfig(raw), dir);
  const { csv, summary } = readMarks(dir);
  assert.equal(csv.length, 0);
  assert.equal(summary.marks.length, 0);
  assert.equal(summary.maxMargin.separable, false);
  assert.match(summary.maxMargin.note!, /not linearly separable/);
  const flow = resolveConfig({ ...raw, eta: undefined, steps: undefined, record: undefined, curvature: undefined, optimizer: { kind: 'flow' } });
  await assert.rejects(executeRun(flow, join(tmp(), 'nonsep-flow')), /not linearly separable/);
});

test('optimizer flow: config checks name the field', () => {
  const flow = { ...base, optimizer: { kind: 'flow' } };
  assert.doesNotThrow(() => resolveConfig(flow));
  assert.equal(resolveConfig(flow).c, undefined, 'no default c for the flow');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ model: { kind: 'deep-linear' } }, /model\.kind: optimizer 'flow'.*'diagonal'/],
    [{ model: { kind: 'diagonal', depth: 1 } }, /model\.depth: optimizer 'flow' needs model\.depth ≥ 2/],
    [{ loss: 'logistic' }, /loss: .*'exponential'/],
    [{ init: { kind: 'gaussian' } }, /init\.kind: .*constant/],
    [{ init: { kind: 'constant', value: -1 } }, /init\.value: .*α = init\.value > 0/],
    [{ c: 2 }, /c: optimizer 'flow' has no learning rate/],
    [{ batchSize: 2 }, /batchSize: .*full-batch/],
  ];
  for (const [over, re] of cases) assert.throws(() => resolveConfig({ ...flow, ...over }), re, JSON.stringify(over));
  assert.throws(() => resolveConfig({ ...base, data: { kind: 'gaussian', m: 6, d: 8, teacherSparsity: 9 } }), /data\.teacherSparsity: at most data\.d = 8/);
  assert.throws(() => resolveConfig({ ...base, eta: 1, cUnit: 'sharpness0' }), /cUnit: .*give c/);
});

test('a flow run writes config.json, marks.csv and summary.json with the marks of diagonalFlow and the gaps of the HiGHS references; bit-identical rerun', async () => {
  const cfg = resolveConfig({ ...base, optimizer: { kind: 'flow' }, marks: { at: [1, 10, 1e4] } });
  const dir = join(tmp(), 'flow');
  const rec = await executeRun(cfg, dir);
  assert.equal(rec.summary.status, 'marks-reached');
  const { csv, summary } = readMarks(dir);
  assert.equal(csv.length, 3);
  // independent: the same flow and references called directly
  const { train } = buildData(cfg);
  const p = { X: Float64Array.from(train.X), y: train.y, N: train.m, d: train.d };
  const direct = diagonalFlow({ ...p, alpha: 0.5, depth: 2 }, { marks: [1, 10, 1e4] });
  const [b1, b2] = [(await l1MaxMargin(p)).b, (await l2MaxMargin(p)).b];
  for (const [i, m] of summary.marks.entries()) {
    const f = direct.marks[i];
    assert.equal(m.gamma, f.gamma);
    assert.equal(m.step, f.steps);
    assert.equal(m.tau, f.tau);
    assert.ok(Math.abs(m.log10Eps - f.log10Eps) <= 1e-12 * Math.abs(f.log10Eps));
    assert.equal(m.supportSize, f.supportSize);
    assert.ok(Math.abs(m.l1Gap! - l1Gap(f.b, b1)) < 1e-12);
    assert.ok(Math.abs(m.l2Gap! - l2Gap(f.b, b2)) < 1e-12);
    assert.equal(Number(csv[i].mark), m.mark);
  }
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(config.optimizer.kind, 'flow');
  assert.ok(config.code, 'code version recorded');
  const dir2 = join(tmp(), 'flow2');
  await executeRun(cfg, dir2);
  assert.equal(readFileSync(join(dir2, 'marks.csv'), 'utf8'), readFileSync(join(dir, 'marks.csv'), 'utf8'));
  assert.equal(readFileSync(join(dir2, 'summary.json'), 'utf8'), readFileSync(join(dir, 'summary.json'), 'utf8'));
});

test('plain GD (the trainer, through the config) agrees with the flow at modest γ: at the γ where GD first passes 1 and 3, β/‖β‖ of the flow at that same γ differs by an error that halves when η halves', async () => {
  const unit = (b: number[]) => {
    const n = Math.hypot(...b);
    return b.map((v) => v / n);
  };
  for (const [depth, alpha] of [[2, 0.5], [3, 0.7]] as const) {
    const cfgOf = (over: Record<string, unknown>) => resolveConfig({ ...base, model: { kind: 'diagonal', depth }, init: { kind: 'constant', value: alpha }, ...over });
    const errs: number[][] = [];
    for (const eta of [0.04, 0.02, 0.01]) {
      const rec = await executeRun(cfgOf({ eta, steps: 1000000, marks: { at: [1, 3] }, ...quiet }), join(tmp(), `gd-${depth}-${eta}`));
      const gd = (rec.summary as unknown as { marks: MarkRecord[] }).marks;
      assert.equal(gd.length, 2);
      // the flow landed on GD's own γ at each mark (GD overshoots the mark by O(η))
      const flowRec = await executeRun(cfgOf({ optimizer: { kind: 'flow', rtol: 1e-10 }, marks: { at: gd.map((m) => m.gamma) } }), join(tmp(), `flow-${depth}-${eta}`));
      const flow = (flowRec.summary as unknown as { marks: MarkRecord[] }).marks;
      errs.push(gd.map((m, i) => {
        assert.ok(Math.abs(flow[i].gamma / m.gamma - 1) < 1e-8);
        const a = unit(m.b), b = unit(flow[i].b);
        return Math.hypot(...a.map((v, j) => v - b[j]));
      }));
    }
    for (let i = 0; i < 2; i++) {
      const e = errs.map((x) => x[i]);
      const r1 = e[0] / e[1], r2 = e[1] / e[2];
      assert.ok(e[2] < 0.05, `D ${depth} mark ${i}: GD direction error ${e[2]}`);
      assert.ok(r1 >= 1.6 && r1 <= 2.5 && r2 >= 1.6 && r2 <= 2.5, `D ${depth} mark ${i}: errors ${e.map((x) => x.toExponential(3)).join(', ')} (ratios ${r1.toFixed(3)}, ${r2.toFixed(3)})`);
    }
  }
});

test('catapult train prints the marks table (GD and flow) and exits 2 naming the field on a bad flow config', () => {
  const dir = tmp();
  const MAIN = join(import.meta.dirname, '..', 'bin', 'catapult.js');
  const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  writeFileSync(join(dir, 'flow.json'), JSON.stringify({ ...base, optimizer: { kind: 'flow' }, marks: { at: [1, 1e64] } }));
  const f = run(['train', 'flow.json', '--out', 'flow', '-q']);
  assert.equal(f.status, 0, f.stderr);
  assert.match(f.stdout, /exact flow \(\d+ integrator steps, τ = [\d.]+\): marks-reached/);
  const lines = f.stdout.split('\n').filter((l) => /^\s*1\.00e\+64\s/.test(l) || /^\s*1\.00\s/.test(l));
  assert.equal(lines.length, 2, f.stdout);
  assert.match(lines[1], /-4\.343e\+63/, 'log10 ε at γ = 1e64');
  assert.match(f.stdout, /written: flow\/\{config\.json,marks\.csv,summary\.json\}/);
  const g = run(['train', 'flow.json', '--out', 'gd', '-q', '--set', 'optimizer={"kind":"gd"}', '--eta', '0.05', '--steps', '5000', '--set', 'marks.at=[1,2]']);
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stdout, /marks-reached/);
  assert.match(g.stdout, /mark γ\s+step\s+γ\s+log10 ε/);
  const bad = run(['train', 'flow.json', '--out', 'bad', '-q', '--loss', 'logistic']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /loss: optimizer 'flow' integrates the exponential loss/);
});

test('marks are opt-in for other linear models: a deep linear net with a marks block records them (b = β/γ from its end-to-end β), without one it has none', async () => {
  const raw = { model: { kind: 'deep-linear', depth: 2, width: 10 }, loss: 'exponential', data: { kind: 'gaussian', m: 6, d: 8, teacherSparsity: 2 }, seed: 3, eta: 0.05, steps: 20000, ...quiet };
  const dir = join(tmp(), 'deep');
  const rec = await executeRun(resolveConfig({ ...raw, marks: { at: [0.5, 1] } }), dir);
  const { summary } = readMarks(dir);
  assert.equal(rec.summary.status, 'marks-reached');
  assert.equal(summary.marks.length, 2);
  // min margin of b is 1 by construction: min_n y_n⟨b, x_n⟩ = γ/γ
  const cfg = resolveConfig(raw);
  const { train } = buildData(cfg);
  for (const m of summary.marks) {
    let mn = Infinity;
    for (let n = 0; n < train.m; n++) {
      let f = 0;
      for (let j = 0; j < train.d; j++) f += m.b[j] * train.X[n * train.d + j];
      mn = Math.min(mn, train.y[n] * f);
    }
    assert.ok(Math.abs(mn - 1) < 1e-12, `min margin of b: ${mn}`);
  }
  const plain = await executeRun(cfg, join(tmp(), 'deep-plain'));
  assert.equal((plain.summary as { marks?: unknown }).marks, undefined);
});
