/** `catapult schedule` and the η-vs-stability figure of `catapult plot` (src/cli/scheduleCommand.ts, src/train/lr/stability.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { edgeCrossings, alwaysBelowEdge, edgeOfStabilityReadouts } from '../src/train/lr/stability.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'bin', 'catapult.js');
function catapult(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const csv = (path: string) => {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v === '' ? NaN : Number(v)])));
};

test('edgeCrossings marks the first measured step on the other side of η·S = 2', () => {
  const rows = [
    { step: 0, eta: 1, sharpness: 1.5 }, // 1.5
    { step: 1, eta: 1, sharpness: NaN }, // not measured
    { step: 2, eta: 1, sharpness: 2 }, // 2: counts as crossed (≥ 2)
    { step: 3, eta: 0.5, sharpness: 5 }, // 2.5
    { step: 4, eta: 0.5, sharpness: 3 }, // 1.5
  ];
  assert.deepEqual(edgeCrossings(rows), [{ step: 2, direction: 'up', etaSharpness: 2 }, { step: 4, direction: 'down', etaSharpness: 1.5 }]);
  assert.equal(alwaysBelowEdge(rows), false);
  assert.equal(alwaysBelowEdge(rows.filter((r) => r.step !== 2 && r.step !== 3)), true);
});

test('catapult schedule writes η(t) (the function training uses) as CSV and a figure; a trained run plots η against 2/λ and 2/S', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catapult-lr-'));
  const spec = '{"fn":"TRI","k0":0.5,"k1":2,"l":7}';
  const r = catapult(['schedule', spec, '--steps', '40', '--eta', '0.25', '--out', 's'], dir);
  assert.equal(r.code, 0, r.err);
  const rows = csv(join(dir, 's', 'eta.csv'));
  assert.equal(rows.length, 41);
  // TRI by hand: t = 7 is the top (k1 = 2), t = 14 the bottom (k0 = 0.5), t = 3: 0.5 + 1.5·3/7
  assert.ok(Math.abs(rows[7].eta - 0.5) < 1e-15 && Math.abs(rows[14].eta - 0.125) < 1e-15);
  assert.ok(Math.abs(rows[3].factor - (0.5 + (1.5 * 3) / 7)) < 1e-12);
  for (const ext of ['svg', 'png']) assert.ok(existsSync(join(dir, 's', `eta.${ext}`)));
  // a run with that policy: its metrics' η column is η·k(t) with the same k
  const t = catapult(['train', '--steps', '40', '--width', '20', '--m', '30', '--d', '5', '-q', '--c', '1', '--set', `schedule=${spec}`, '--set', 'record.denseUntil=41', '--out', 'run'], dir);
  assert.equal(t.code, 0, t.err);
  const eta0 = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')).eta;
  const k = csv(join(dir, 's', 'eta.csv'));
  for (const m of csv(join(dir, 'run', 'metrics.csv'))) assert.equal(m.eta, eta0 * k[m.step].factor, `step ${m.step}`);
  const p = catapult(['plot', 'run'], dir);
  assert.equal(p.code, 0, p.err);
  const svg = readFileSync(join(dir, 'run', 'figures', 'eta-stability.svg'), 'utf8');
  assert.match(svg, /2\/S_t/);
  // bad specs: one message naming the parameter, exit code 2
  const bad = catapult(['schedule', '{"fn":"COS","k0":0,"k1":1}', '--steps', '10'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /schedule\.l: missing \(COS takes k0, k1, l, period\)/);
  assert.match(catapult(['schedule', '{fn:', '--steps', '10'], dir).err, /schedule: not valid JSON/);
});

test('edgeOfStabilityReadouts: first step with η·S ≥ 1.9, the fraction of later measured steps in [1.8, 2.2], unmeasured steps skipped', () => {
  const S = [0.5, 1.0, NaN, 1.95, 2.1, 1.5, 2.0, 1.81];
  const rows = S.map((x, i) => ({ step: 10 * i, eta: 1, sharpness: x }));
  const r = edgeOfStabilityReadouts(rows);
  assert.equal(r.stepReached, 30);
  // after step 30: 2.1, 1.5, 2.0, 1.81 → 3 of 4 in the band
  assert.equal(r.fractionInBand, 0.75);
  assert.equal(r.stepsAfter, 4);
  assert.equal(r.max, 2.1);
  assert.equal(r.sharpnessFirst, 0.5);
  assert.equal(r.sharpnessLast, 1.81);
  // η scales S: the same run at η = 0.5 never reaches 1.9
  const never = edgeOfStabilityReadouts(rows.map((x) => ({ ...x, eta: 0.5 })));
  assert.equal(never.stepReached, null);
  assert.equal(never.fractionInBand, null);
  // reached at the last measured step: nothing after it
  assert.equal(edgeOfStabilityReadouts([{ step: 0, eta: 1, sharpness: 1 }, { step: 5, eta: 1, sharpness: 2 }]).fractionInBand, null);
});
