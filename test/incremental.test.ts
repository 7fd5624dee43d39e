import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hittingTime, incrementalThreshold, toyFlowRate } from '../src/theory/incremental.ts';
import { integrate } from '../src/theory/quadrature.ts';
import { incrementalCommand } from '../src/cli/incrementalCommand.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/** σ(T) of σ̇ = N²σ^{2−2/N}(σ*−σ) by classical RK4 with n steps (written independently of the module). */
function rk4Flow(N: number, sStar: number, s0: number, T: number, n: number): number {
  const f = (s: number) => N * N * Math.pow(s, 2 - 2 / N) * (sStar - s);
  const h = T / n;
  let s = s0;
  for (let i = 0; i < n; i++) {
    const k1 = f(s), k2 = f(s + 0.5 * h * k1), k3 = f(s + 0.5 * h * k2), k4 = f(s + h * k3);
    s += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return s;
}

test('Gauss–Kronrod quadrature: polynomials exactly, smooth and near-singular integrands to 1e-13', () => {
  assert.ok(rel(integrate((x) => x ** 20, 0, 1).value, 1 / 21) < 1e-14);
  assert.ok(rel(integrate(Math.exp, -3, 2).value, Math.exp(2) - Math.exp(-3)) < 1e-14);
  const b = 1 - 1e-4;
  const near = integrate((x) => 1 / (1 - x), 0, b);
  assert.ok(near.converged && near.evaluations < 5000 && rel(near.value, -Math.log(1 - b)) < 1e-12, JSON.stringify(near));
  assert.ok(rel(integrate((x) => 1 / x, 2, 1).value, -Math.log(2)) < 1e-14);
});

test('hitting times match a fine RK4 integration of the toy flow (N = 1, 2, 3, 4, 6)', () => {
  for (const N of [1, 2, 3, 4, 6]) {
    for (const [sStar, a, b] of [[1, 0.01, 0.9], [0.7, 0.05, 0.6], [1, 0.2, 0.999]] as const) {
      const T = hittingTime(N, sStar, a, b);
      const s = rk4Flow(N, sStar, a, T, 40000);
      assert.ok(rel(s, b) < 1e-9, `N ${N}, σ* ${sStar}: RK4 σ(T) = ${s}, target ${b}`);
      assert.equal(toyFlowRate(N, sStar, b) > 0, true);
    }
  }
});

test('N = 1, 2 closed forms agree with the quadrature path to 1e-12', () => {
  for (const N of [1, 2]) {
    for (const [sStar, a, b] of [[1, 1e-12, 0.99], [0.5, 1e-3, 0.499], [1, 0.3, 0.31]] as const) {
      const closed = hittingTime(N, sStar, a, b);
      const quad = hittingTime(N, sStar, a, b, { quadrature: true });
      assert.ok(rel(quad, closed) < 1e-12, `N ${N}: ${quad} vs ${closed}`);
    }
  }
  // hand value, N = 2: T = (log 99 + log(0.99/0.01))/4 = log(99)/2 from 0.01 to 0.99
  assert.ok(rel(hittingTime(2, 1, 0.01, 0.99), Math.log(99) / 2) < 1e-15);
});

/**
 * Independent check of σ₀_max: integrate σ₂ against σ₁ (d log σ₂/d log σ₁ = f₂(σ₂)σ₁/(f₁(σ₁)σ₂)) by RK4 from
 * σ₁ = σ₂ = σ₀ to σ₁ = 1 − ε, and return σ₂ there. No hitting time is used.
 */
function sigma2WhenSigma1Reaches(N: number, r: number, eps: number, s0: number, n = 20000): number {
  const p = 2 - 2 / N;
  const rhs = (l1: number, l2: number) => {
    const s1 = Math.exp(l1), s2 = Math.exp(l2);
    return Math.pow(s2 / s1, p - 1) * (r - s2) / (1 - s1);
  };
  const a = Math.log(s0), b = Math.log(1 - eps), h = (b - a) / n;
  let l1 = a, l2 = a;
  for (let i = 0; i < n; i++) {
    const k1 = rhs(l1, l2), k2 = rhs(l1 + h / 2, l2 + (h / 2) * k1), k3 = rhs(l1 + h / 2, l2 + (h / 2) * k2), k4 = rhs(l1 + h, l2 + h * k3);
    l2 += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    l1 = a + (i + 1) * h;
  }
  return Math.exp(l2);
}

test('σ₀_max: at σ₀_max, σ₂ = εr exactly when σ₁ reaches 1−ε (independent RK4 in σ₁); below it is incremental, above not', () => {
  for (const N of [2, 3, 4, 6]) {
    for (const [r, eps] of [[0.5, 0.01], [0.8, 0.05]] as const) {
      const x = incrementalThreshold(N, r, eps);
      const s0 = x.sigma0Max as number;
      assert.ok(s0 > 0 && s0 < eps * r);
      const s2 = sigma2WhenSigma1Reaches(N, r, eps, s0);
      assert.ok(rel(s2, eps * r) < 1e-7, `N ${N} r ${r} ε ${eps}: σ₂ = ${s2} vs εr = ${eps * r}`);
      assert.ok(sigma2WhenSigma1Reaches(N, r, eps, s0 * 0.98) < eps * r);
      assert.ok(sigma2WhenSigma1Reaches(N, r, eps, s0 * 1.02) > eps * r);
    }
  }
});

test('σ₀_max is monotone: larger for larger ε and depth, smaller for r closer to 1; criteria within a small factor', () => {
  for (const N of [2, 3, 4, 6]) {
    let prev = Infinity;
    for (const r of [0.3, 0.5, 0.7, 0.8, 0.9, 0.95]) {
      const v = incrementalThreshold(N, r, 0.01).log10Sigma0Max as number;
      assert.ok(v < prev, `N ${N}: not decreasing in r at ${r}`);
      prev = v;
    }
    prev = -Infinity;
    for (const eps of [1e-4, 1e-3, 0.01, 0.05, 0.2]) {
      const v = incrementalThreshold(N, 0.7, eps).log10Sigma0Max as number;
      assert.ok(v > prev, `N ${N}: not increasing in ε at ${eps}`);
      prev = v;
    }
  }
  for (const r of [0.5, 0.7, 0.9]) {
    let prev = -Infinity;
    for (const N of [2, 3, 4, 6, 10]) {
      const x = incrementalThreshold(N, r, 0.01);
      assert.ok((x.log10Sigma0Max as number) > prev);
      prev = x.log10Sigma0Max as number;
      assert.ok((x.ratio as number) > 0.5 && (x.ratio as number) < 1.5, `N ${N} r ${r}: ratio ${x.ratio}`);
    }
  }
  // N = 2 far below the double range: still found (in log space), and within a small factor of the criterion
  const deep = incrementalThreshold(2, 0.99, 0.01);
  assert.equal(deep.sigma0Max, 0);
  assert.ok((deep.log10Sigma0Max as number) < -390 && Math.abs((deep.log10Sigma0Max as number) - (deep.log10Criterion as number)) < 1.5);
});

test('depth 1: never incremental for ε ≤ ½ (null); for ε > ½ the closed-form root r(1−2ε)/(r(1−ε)−ε)', () => {
  for (const r of [0.5, 0.9]) for (const eps of [0.01, 0.3, 0.5]) {
    const x = incrementalThreshold(1, r, eps);
    assert.equal(x.sigma0Max, null);
    assert.equal(x.criterion, null);
    assert.match(x.note ?? '', /never/);
  }
  const x = incrementalThreshold(1, 0.5, 0.6);
  assert.ok(rel(x.sigma0Max as number, (0.5 * (1 - 1.2)) / (0.5 * 0.4 - 0.6)) < 1e-13);
  assert.throws(() => incrementalThreshold(0, 0.5, 0.1), /depth/);
  assert.throws(() => incrementalThreshold(2.5, 0.5, 0.1), /depth/);
  assert.throws(() => incrementalThreshold(2, 1, 0.1), /r must be/);
  assert.throws(() => incrementalThreshold(2, 0.5, 0), /eps must be/);
});

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'catapult.js');
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, 'incremental', ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('catapult incremental: JSON object, table, bad input exits 2 naming the flag', () => {
  const j = cli(['--depth', '3', '--r', '0.8', '--eps', '0.01', '--json']);
  assert.equal(j.code, 0, j.err);
  const o = JSON.parse(j.out);
  for (const k of ['depth', 'r', 'eps', 'sigma0Max', 'criterion']) assert.ok(k in o, k);
  assert.equal(o.sigma0Max, incrementalThreshold(3, 0.8, 0.01).sigma0Max);
  assert.ok(rel(o.criterion, 0.01 * 0.8 * 0.2 ** 3) < 1e-14);
  const one = JSON.parse(cli(['--depth', '1', '--r', '0.5', '--eps', '0.01', '--json']).out);
  assert.equal(one.sigma0Max, null);
  assert.equal(one.criterion, null);
  const t = cli([]);
  assert.equal(t.code, 0, t.err);
  assert.equal(t.out.split('\n').filter((l) => /^\s+\d\s+0\.\d\d/.test(l)).length, 20); // 5 depths × 4 r
  const bad = cli(['--depth', '0', '--json']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--depth: expected an integer ≥ 1, got '0'/);
  // the other bad inputs, in process (the same function the command runs)
  for (const [o, flag] of [[{ depth: '2.5' }, '--depth'], [{ depth: '' }, '--depth'], [{ r: '1' }, '--r'], [{ r: 'x' }, '--r'], [{ r: '0' }, '--r'], [{ eps: '0' }, '--eps'], [{ eps: '1.5' }, '--eps']] as const) {
    assert.throws(() => incrementalCommand(o), new RegExp(`^Error: ${flag}: expected`), JSON.stringify(o));
  }
});
