import { test } from 'node:test';
import assert from 'node:assert/strict';
import { log1pExp, sigmoid } from '../src/losses/scalar.ts';
import { Rng } from '../src/linalg/prng.ts';
import {
  bifurcation,
  classifyPhase,
  hessianTop,
  lossCurv,
  lossGrad,
  lossValue,
  predictedBoundaries,
  runTheory,
  sweepTheory,
  theoryStep,
  type DegenerateSetting,
} from '../src/theory/index.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// ---- An independent uv network on degenerate data: θ = [U (n×d, row-major), v (n)], x = (1,…,1). ----

/** L'(f), written independently of the module. */
function refGrad(f: number, s: DegenerateSetting): number {
  if (s.loss === 'squared') return f - (s.y ?? 1);
  const p = s.p as number;
  return -p / (1 + Math.exp(f)) + (1 - p) / (1 + Math.exp(-f));
}

function forward(theta: Float64Array, n: number, d: number): { a: Float64Array; f: number; lambda: number } {
  const a = new Float64Array(n);
  let f = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    let ai = 0;
    for (let j = 0; j < d; j++) ai += theta[i * d + j];
    a[i] = ai / Math.sqrt(d);
    const vi = theta[n * d + i];
    f += vi * a[i];
    sq += a[i] * a[i] + vi * vi;
  }
  return { a, f: f / Math.sqrt(n), lambda: sq / n };
}

function gradient(theta: Float64Array, n: number, d: number, s: DegenerateSetting): Float64Array {
  const { a, f } = forward(theta, n, d);
  const g = refGrad(f, s);
  const out = new Float64Array(theta.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = (g * theta[n * d + i]) / Math.sqrt(n * d);
    out[n * d + i] = (g * a[i]) / Math.sqrt(n);
  }
  return out;
}

/** Dense Hessian by central differences of the analytic gradient, symmetrized. */
function fdHessian(theta: Float64Array, n: number, d: number, s: DegenerateSetting): Float64Array[] {
  const m = theta.length;
  const h = 1e-5;
  const H = Array.from({ length: m }, () => new Float64Array(m));
  for (let j = 0; j < m; j++) {
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[j] += h;
    tm[j] -= h;
    const gp = gradient(tp, n, d, s);
    const gm = gradient(tm, n, d, s);
    for (let i = 0; i < m; i++) H[i][j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) H[i][j] = H[j][i] = 0.5 * (H[i][j] + H[j][i]);
  return H;
}

/** Cyclic Jacobi eigenvalues of a small symmetric matrix, sorted ascending. */
function jacobiEigenvalues(input: Float64Array[]): number[] {
  const A = input.map((r) => Float64Array.from(r));
  const m = A.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) (i === j ? (total += A[i][j] ** 2) : (off += A[i][j] ** 2));
    if (off <= 1e-30 * (total + off)) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        if (A[p][q] === 0) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - sn * akq;
          A[k][q] = sn * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - sn * aqk;
          A[q][k] = sn * apk + c * aqk;
        }
      }
    }
  }
  return A.map((r, i) => r[i]).sort((x, y) => x - y);
}

/** Prescribed-(f0, λ0) init of theory §6 (n even). */
function prescribedTheta(n: number, d: number, f0: number, lambda0: number): Float64Array {
  const theta = new Float64Array(n * d + n);
  const r = Math.sqrt(lambda0 / 2);
  const c0 = (2 * f0) / (lambda0 * Math.sqrt(n));
  const s0 = Math.sqrt(1 - c0 * c0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) theta[i * d + j] = r / Math.sqrt(d);
    theta[n * d + i] = r * (c0 + s0 * (i % 2 === 0 ? 1 : -1));
  }
  return theta;
}

const settings: DegenerateSetting[] = [
  { loss: 'squared', y: 1, n: 2 },
  { loss: 'squared', y: -2.5, n: 2 },
  { loss: 'logistic', p: 0.3, n: 2 },
  { loss: 'logistic', p: 1, n: 2 },
];

// ---- (a) squared loss, wide network ----

test('squared loss, n = 1e6: lazy at c = 0.5, catapult at c = 1.5, divergent at c = 2.5', () => {
  const setting: DegenerateSetting = { loss: 'squared', n: 1e6 };
  const base = { setting, f0: 0.01, lambda0: 2, steps: 100_000 };

  const lazy = runTheory({ ...base, c: 0.5 });
  assert.equal(lazy.status, 'converged');
  assert.equal(lazy.summary.phase, 'lazy');
  assert.ok(rel(lazy.summary.lambdaFinal, 2) < 1e-5, `λ changed: ${lazy.summary.lambdaFinal}`);

  const cat = runTheory({ ...base, c: 1.5 });
  assert.equal(cat.status, 'converged');
  assert.equal(cat.summary.phase, 'catapult');
  assert.ok(cat.summary.lambdaFinal < 2);
  assert.ok(cat.eta * cat.summary.lambdaFinal < 2);
  assert.ok(cat.summary.lossMax > 1e4, 'catapult peak is O(n)');

  const div = runTheory({ ...base, c: 2.5 });
  assert.equal(div.status, 'diverged');
  assert.equal(div.summary.phase, 'divergent');
});

// ---- (b) logistic loss ----

test('logistic p = 0.3, n = 100: lazy below c* ≈ 4.76, catapult above with ηS_∞ ≈ 2', () => {
  const setting: DegenerateSetting = { loss: 'logistic', p: 0.3, n: 100 };
  const { cLazy } = predictedBoundaries(setting);
  assert.ok(cLazy !== null && Math.abs(cLazy - 1 / 0.21) < 1e-12);
  // λ0 = 32 keeps η²/n small (η = 0.5 at c = 8): the gap 2 − ηS_∞ scales like η²/n.
  const base = { setting, f0: 0, lambda0: 32, steps: 200_000 };

  const lazy = runTheory({ ...base, c: 3 });
  assert.equal(lazy.status, 'converged');
  assert.equal(lazy.summary.phase, 'lazy');
  assert.ok(Math.abs(lazy.summary.fFinal - Math.log(0.3 / 0.7)) < 1e-10);

  const cat = runTheory({ ...base, c: 8, recordEvery: 100 });
  assert.equal(cat.status, 'converged');
  assert.equal(cat.summary.phase, 'catapult');
  const etaS = cat.eta * cat.summary.sharpnessFinal;
  assert.ok(Math.abs(etaS - 2) < 1e-3, `ηS_final = ${etaS}`);
  assert.ok(etaS < 2);
  // At the minimizer L'' = p(1−p), so S = p(1−p)λ.
  assert.ok(rel(cat.summary.sharpnessFinal, 0.21 * cat.summary.lambdaFinal) < 1e-9);
});

test('logistic separable (p = 1 and p = 0): λ never decreases, phase lazy', () => {
  for (const p of [1, 0]) {
    for (const lambda0 of [2, 32]) {
      const setting: DegenerateSetting = { loss: 'logistic', p, n: 100 };
      assert.deepEqual(predictedBoundaries(setting), { cLazy: null, cMax: null, note: 'separable: no catapult' });
      const run = runTheory({ setting, f0: 0, lambda0, c: 8, steps: 5000 });
      assert.equal(run.status, 'max-steps');
      assert.equal(run.summary.phase, 'lazy');
      const lam = run.trajectory.lambda;
      assert.equal(lam.length, 5001);
      for (let t = 1; t < lam.length; t++) assert.ok(lam[t] >= lam[t - 1], `λ decreased at step ${t}`);
      assert.ok(run.summary.lossFinal < run.summary.lossInitial);
    }
  }
});

// ---- (c) hessianTop against a brute-force Hessian ----

test('hessianTop equals the top eigenvalue of the finite-difference Hessian (n = 2, d = 1)', () => {
  const rng = new Rng(7);
  for (const setting of settings) {
    // Prescribed family at several (f0, λ0), and random parameters (the formula needs only f, λ).
    const thetas = [
      prescribedTheta(2, 1, 0.3, 1.5),
      prescribedTheta(2, 1, -0.6, 1),
      prescribedTheta(2, 1, 1.2, 2),
      ...Array.from({ length: 5 }, () => rng.fillNormal(new Float64Array(4))),
    ];
    for (const theta of thetas) {
      const { f, lambda } = forward(theta, 2, 1);
      const top = jacobiEigenvalues(fdHessian(theta, 2, 1, setting)).at(-1) as number;
      const formula = hessianTop(f, lambda, setting);
      assert.ok(rel(formula, top) < 1e-6, `${JSON.stringify(setting)} f=${f} λ=${lambda}: ${formula} vs ${top}`);
    }
  }
});

test('full Hessian spectrum: 2×2 block, ±g/√n with multiplicity n−1, zeros (n = 3, d = 2)', () => {
  const rng = new Rng(11);
  const [n, d] = [3, 2];
  for (const setting of [{ loss: 'squared', y: 1, n }, { loss: 'logistic', p: 0.3, n }] as DegenerateSetting[]) {
    const theta = rng.fillNormal(new Float64Array(n * d + n));
    const { f, lambda } = forward(theta, n, d);
    const g = lossGrad(f, setting);
    const h = lossCurv(f, setting);
    const disc = Math.sqrt((h * lambda) ** 2 + (4 * g * (2 * h * f + g)) / n);
    const predicted = [
      0.5 * (h * lambda + disc),
      0.5 * (h * lambda - disc),
      ...Array(n - 1).fill(g / Math.sqrt(n)),
      ...Array(n - 1).fill(-g / Math.sqrt(n)),
      ...Array(n * (d - 1)).fill(0),
    ].sort((x, y) => x - y);
    const computed = jacobiEigenvalues(fdHessian(theta, n, d, setting));
    const scale = Math.max(...computed.map(Math.abs));
    predicted.forEach((e, i) => assert.ok(Math.abs(e - computed[i]) < 1e-6 * scale, `eigenvalue ${i}: ${e} vs ${computed[i]}`));
  }
});

// ---- The recursion against gradient descent on the parameters ----

test('theoryStep reproduces GD on the uv network parameters (n = 4, d = 3, random init)', () => {
  const rng = new Rng(3);
  const [n, d] = [4, 3];
  const cases: [DegenerateSetting, number][] = [
    [{ loss: 'squared', y: 1, n }, 1.3],
    [{ loss: 'logistic', p: 0.3, n }, 6],
  ];
  for (const [setting, c] of cases) {
    // Weights of scale 3 make λ0 large and η²/n small enough for a catapult that converges at n = 4.
    const theta = rng.fillNormal(new Float64Array(n * d + n), 3);
    let state = forward(theta, n, d);
    const eta = (2 * c) / state.lambda;
    for (let t = 0; t < 30; t++) {
      const grad = gradient(theta, n, d, setting);
      for (let i = 0; i < theta.length; i++) theta[i] -= eta * grad[i];
      const next = theoryStep(state, eta, setting);
      const net = forward(theta, n, d);
      assert.ok(Number.isFinite(net.f) && Number.isFinite(net.lambda));
      // f = v·a/√n can cancel: its round-off scales with λ√n ≥ 2|f|, not with |f|.
      assert.ok(Math.abs(next.f - net.f) < 1e-12 * net.lambda * Math.sqrt(n), `f at step ${t}: ${next.f} vs ${net.f}`);
      assert.ok(rel(next.lambda, net.lambda) < 1e-12, `λ at step ${t}`);
      state = net;
    }
  }
});

// ---- (d) speed, and consistency of the sweep with single runs ----

test('sweepTheory: 2000 c values × 1000 steps in well under 5 s', (t) => {
  const setting: DegenerateSetting = { loss: 'logistic', p: 1, n: 100 };
  const cs = Array.from({ length: 2000 }, (_, i) => 0.25 + (i * 12) / 2000);
  const start = performance.now();
  const out = sweepTheory(setting, 0, 2, cs, 1000);
  const ms = performance.now() - start;
  t.diagnostic(`sweepTheory 2000 × 1000 steps (separable, never stops early): ${ms.toFixed(0)} ms`);
  assert.equal(out.length, 2000);
  assert.ok(out.every((s) => s.steps === 1000 && s.status === 'max-steps'));
  assert.ok(ms < 5000);
});

test('sweepTheory summaries equal runTheory summaries', () => {
  const setting: DegenerateSetting = { loss: 'squared', n: 1000 };
  const cs = [0.5, 1.2, 1.9, 2.5];
  const sweep = sweepTheory(setting, 0.1, 2, cs, 3000);
  cs.forEach((c, i) => assert.deepEqual(sweep[i], runTheory({ setting, f0: 0.1, lambda0: 2, c, steps: 3000 }).summary));
  assert.deepEqual(
    sweep.map((s) => s.phase),
    ['lazy', 'catapult', 'catapult', 'divergent'],
  );
});

// ---- (e) loss stability ----

test('logistic loss, gradient and curvature are exact and finite at p ∈ {0, 1}, |f| = 800', () => {
  const L = (f: number, p: number) => lossValue(f, { loss: 'logistic', p, n: 1 });
  // e^{−800} underflows, so log(1 + e^{−800}) rounds to exactly 0.
  assert.equal(L(800, 1), 0);
  assert.equal(L(-800, 1), 800);
  assert.equal(L(800, 0), 800);
  assert.equal(L(-800, 0), 0);
  assert.ok(rel(L(800, 0.3), 560) < 1e-12);
  assert.ok(rel(L(-800, 0.3), 240) < 1e-12);
  assert.equal(L(Infinity, 1), 0);
  assert.equal(L(-Infinity, 0), 0);
  // Small tails keep full relative precision: log(1+e^{−40}) = e^{−40}(1 − e^{−40}/2 + …).
  assert.ok(rel(L(40, 1), Math.exp(-40) * (1 - Math.exp(-40) / 2)) < 1e-12);
  assert.ok(rel(L(-40, 0), Math.exp(-40)) < 1e-12);
  for (const p of [0, 1, 0.3]) {
    for (const f of [-800, 800]) {
      const s: DegenerateSetting = { loss: 'logistic', p, n: 4 };
      const g = lossGrad(f, s);
      const expectedG = f > 0 ? 1 - p : -p; // σ(±800) is 1 or 0 to double precision
      assert.ok(Math.abs(g - expectedG) < 1e-12, `g(${f}, p=${p}) = ${g}`);
      assert.ok(Number.isFinite(lossCurv(f, s)) && lossCurv(f, s) >= 0);
      assert.ok(Number.isFinite(hessianTop(f, 1e4, s)));
    }
  }
  assert.ok(rel(lossGrad(-40, { loss: 'logistic', p: 1, n: 1 }), -1 / (1 + Math.exp(-40))) < 1e-15);
  assert.ok(rel(lossGrad(40, { loss: 'logistic', p: 1, n: 1 }), -Math.exp(-40) / (1 + Math.exp(-40))) < 1e-12);
});

test('scalar helpers: sigmoid and log1pExp are stable and accurate', () => {
  assert.equal(sigmoid(800), 1);
  assert.equal(sigmoid(-800), 0);
  assert.equal(sigmoid(0), 0.5);
  assert.ok(rel(sigmoid(-40), Math.exp(-40) / (1 + Math.exp(-40))) < 1e-15);
  assert.equal(log1pExp(800), 800);
  assert.equal(log1pExp(-800), 0);
  assert.ok(rel(log1pExp(-40), Math.exp(-40)) < 1e-12);
  assert.ok(rel(log1pExp(1), Math.log(1 + Math.E)) < 1e-15);
  assert.ok(rel(log1pExp(0), Math.LN2) < 1e-15);
});

// ---- Bookkeeping ----

test('runTheory records step 0, every recordEvery steps and the last step; validates input', () => {
  const setting: DegenerateSetting = { loss: 'logistic', p: 1, n: 10 };
  const run = runTheory({ setting, f0: 0, lambda0: 1, c: 2, steps: 23, recordEvery: 5 });
  assert.deepEqual(Array.from(run.trajectory.step), [0, 5, 10, 15, 20, 23]);
  assert.equal(run.trajectory.f.at(-1), run.summary.fFinal);
  assert.ok(rel(run.trajectory.etaSharpness[0], run.eta * run.summary.sharpness0) < 1e-15);
  assert.equal(run.c, 2);
  assert.equal(runTheory({ setting, f0: 0, lambda0: 1, eta: 4, steps: 1 }).c, 2);
  assert.throws(() => runTheory({ setting, f0: 0, lambda0: 1, steps: 1 }), RangeError);
  assert.throws(() => runTheory({ setting, f0: 2, lambda0: 1, c: 1, steps: 1 }), /not realizable/);
  assert.throws(() => runTheory({ setting: { loss: 'logistic', n: 10 }, f0: 0, lambda0: 1, c: 1, steps: 1 }), RangeError);
});

test('classifyPhase applies the documented thresholds', () => {
  const base = { diverged: false, lossInitial: 1, lossMax: 1, lambda0: 1, lambdaFinal: 1 };
  assert.equal(classifyPhase(base), 'lazy');
  assert.equal(classifyPhase({ ...base, diverged: true }), 'divergent');
  assert.equal(classifyPhase({ ...base, lossMax: 2, lambdaFinal: 0.98 }), 'catapult');
  assert.equal(classifyPhase({ ...base, lossMax: 2, lambdaFinal: 0.995 }), 'lazy');
  assert.equal(classifyPhase({ ...base, lossMax: 1 + 1e-12, lambdaFinal: 0.5 }), 'lazy');
  assert.equal(classifyPhase({ ...base, lossMax: 2, lambdaFinal: 0.995 }, { sharpDrop: 0.999 }), 'catapult');
  assert.deepEqual(predictedBoundaries({ loss: 'squared', n: 8 }).cMax, 2);
});

test('bifurcation: fixed point in the lazy phase, NaN after divergence', () => {
  const setting: DegenerateSetting = { loss: 'squared', y: 1, n: 1000 };
  const [lazy, div] = bifurcation(setting, 0.1, 2, [0.5, 3], { transient: 200, keep: 8 });
  assert.equal(lazy.f.length, 8);
  assert.ok(!lazy.diverged && lazy.f.every((f) => Math.abs(f - 1) < 1e-12));
  assert.ok(lazy.lambda.every((l) => l === lazy.lambda[0]));
  assert.ok(div.diverged && div.f.every(Number.isNaN) && div.lambda.every(Number.isNaN));
});
