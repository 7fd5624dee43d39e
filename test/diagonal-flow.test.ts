import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/prng.ts';
import { betaOfS, diagonalFlow, expm1 } from '../src/theory/diagonalFlow.ts';

/** Small separable problem: Gaussian x, labels from a sparse teacher. */
function problem(seed: number, N: number, d: number) {
  const rng = new Rng(seed);
  const X = new Float64Array(N * d).map(() => rng.normal());
  const y = new Float64Array(N).map((_, n) => (X[n * d] - 0.5 * X[n * d + 1] >= 0 ? 1 : -1));
  return { X, y, N, d };
}

/** Independent reference: the gradient flow on (u₊, u₋) in real time plus the clock ν̇ = e^{−m}, state [u₊, u₋, ν]. */
function uFlowRhs(X: Float64Array, y: Float64Array, N: number, d: number, D: number) {
  return (st: Float64Array): Float64Array => {
    const up = st.subarray(0, d), um = st.subarray(d, 2 * d);
    const beta = new Float64Array(d).map((_, j) => up[j] ** D - um[j] ** D);
    const e = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      let m = 0;
      for (let j = 0; j < d; j++) m += y[n] * X[n * d + j] * beta[j];
      e[n] = Math.exp(-m);
    }
    const out = new Float64Array(2 * d + N);
    for (let j = 0; j < d; j++) {
      let r = 0;
      for (let n = 0; n < N; n++) r += y[n] * X[n * d + j] * e[n];
      out[j] = D * up[j] ** (D - 1) * r;
      out[d + j] = -D * um[j] ** (D - 1) * r;
    }
    out.set(e, 2 * d);
    return out;
  };
}

function rk4Step(f: (s: Float64Array) => Float64Array, s: Float64Array, h: number): Float64Array<ArrayBufferLike> {
  const add = (a: Float64Array, b: Float64Array, c: number) => a.map((v, i) => v + c * b[i]);
  const k1 = f(s), k2 = f(add(s, k1, h / 2)), k3 = f(add(s, k2, h / 2)), k4 = f(add(s, k3, h));
  return s.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
}

function stats(st: Float64Array, X: Float64Array, y: Float64Array, N: number, d: number, D: number) {
  const beta = new Float64Array(d).map((_, j) => st[j] ** D - st[d + j] ** D);
  let gamma = Infinity, L = 0;
  for (let n = 0; n < N; n++) {
    let m = 0;
    for (let j = 0; j < d; j++) m += y[n] * X[n * d + j] * beta[j];
    gamma = Math.min(gamma, m);
    L += Math.exp(-m);
  }
  return { beta, gamma, L };
}

/** RK4 on the u-flow with steps uniform in τ (dt = κ/L), landing on each mark by bisecting the crossing step. */
function referenceAtMarks(X: Float64Array, y: Float64Array, N: number, d: number, D: number, alpha: number, marks: number[], kappa: number): Float64Array[] {
  const f = uFlowRhs(X, y, N, d, D);
  let st: Float64Array<ArrayBufferLike> = new Float64Array(2 * d + N);
  st.fill(alpha, 0, 2 * d);
  const out: Float64Array[] = [];
  for (const mark of marks) {
    for (;;) {
      const { L } = stats(st, X, y, N, d, D);
      const dt = kappa / L;
      const next = rk4Step(f, st, dt);
      if (stats(next, X, y, N, d, D).gamma < mark) {
        st = next;
        continue;
      }
      let lo = 0, hi = dt;
      for (let i = 0; i < 80; i++) {
        const mid = 0.5 * (lo + hi);
        if (stats(rk4Step(f, st, mid), X, y, N, d, D).gamma < mark) lo = mid;
        else hi = mid;
      }
      st = rk4Step(f, st, hi);
      const s = stats(st, X, y, N, d, D);
      out.push(s.beta.map((v) => v / s.gamma));
      break;
    }
  }
  return out;
}

const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
};

test('expm1 and the closed form β(s): values, small-argument accuracy, the blow-up', () => {
  for (const x of [1e-12, -3e-7, 1e-3, 0.3, -2, 30]) assert.ok(Math.abs(expm1(x) - Math.expm1(x)) <= 2e-16 * Math.abs(Math.expm1(x)) + 1e-300);
  assert.ok(Math.abs(betaOfS(0.1, 0.5, 2) - 2 * 0.25 * Math.sinh(0.4)) < 1e-16);
  // small s, D = 2: relative accuracy (no cancellation): β ≈ 8α²s
  assert.ok(Math.abs(betaOfS(1e-13, 2, 2) / (8 * 4 * 1e-13) - 1) < 1e-12);
  for (const D of [3, 4, 5]) {
    const alpha = 0.7;
    const c = D * (D - 2) * alpha ** (D - 2);
    for (const s of [1e-9, 0.05 / c, 0.5 / c, 0.99 / c, -0.9 / c]) {
      const z = c * s;
      const ref = alpha ** D * ((1 - z) ** (-D / (D - 2)) - (1 + z) ** (-D / (D - 2)));
      const tol = Math.abs(z) < 1e-6 ? 1e-6 : 1e-13; // the naive reference loses digits at tiny z
      assert.ok(Math.abs(betaOfS(s, alpha, D) / ref - 1) < tol, `D ${D} s ${s}`);
    }
    // small-z slope: β ≈ α^D·2k·z
    const z = 1e-10;
    assert.ok(Math.abs(betaOfS(z / c, alpha, D) / (alpha ** D * 2 * (D / (D - 2)) * z) - 1) < 1e-9);
  }
  assert.throws(() => betaOfS(1, 1, 3), /outside/);
});

test('closed form: β(X̃ᵀν) equals the β of an RK4 integration of the gradient flow on (u₊, u₋), D = 2, 3, 4', () => {
  const { X, y, N, d } = problem(3, 5, 7);
  for (const [D, alpha] of [[2, 0.5], [2, 2], [3, 0.8], [4, 1.1]] as const) {
    const f = uFlowRhs(X, y, N, d, D);
    let st: Float64Array<ArrayBufferLike> = new Float64Array(2 * d + N);
    st.fill(alpha, 0, 2 * d);
    const T = 0.2, n = 6000;
    for (let i = 0; i < n; i++) st = rk4Step(f, st, T / n);
    const nu = st.subarray(2 * d);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s += y[k] * X[k * d + j] * nu[k];
      const bu = st[j] ** D - st[d + j] ** D;
      assert.ok(Math.abs(betaOfS(s, alpha, D) - bu) <= 1e-10 * Math.max(1, Math.abs(bu)), `D ${D} α ${alpha} j ${j}: ${betaOfS(s, alpha, D)} vs ${bu}`);
    }
  }
});

test('flow at marks γ = 1, 10 matches a τ-uniform RK4 integration of the u-flow (b = β/γ to 1e-6)', () => {
  const { X, y, N, d } = problem(5, 6, 8);
  for (const [D, alpha] of [[2, 0.3], [2, 3], [3, 0.5], [3, 0.02]] as const) {
    const marks = [1, 10];
    const res = diagonalFlow({ X, y, N, d, alpha, depth: D }, { marks, rtol: 1e-10 });
    assert.ok(res.complete);
    const ref = referenceAtMarks(X, y, N, d, D, alpha, marks, 2e-3 / Math.max(1, alpha ** D)); // τ-scale of the dynamics ~ 1/α^D
    for (let i = 0; i < marks.length; i++) {
      assert.ok(Math.abs(res.marks[i].gamma / marks[i] - 1) < 1e-8);
      const e = maxRelDiff(res.marks[i].b, ref[i]);
      assert.ok(e < 1e-6, `D ${D} α ${alpha} γ ${marks[i]}: flow vs RK4 ${e}`);
    }
  }
});

test('plain GD on (u₊, u₋) agrees with the flow at γ = 1 and 3, with an error that halves when η halves', () => {
  const { X, y, N, d } = problem(7, 6, 8);
  for (const [D, alpha] of [[2, 0.5], [3, 0.7]] as const) {
    const marks = [1, 3];
    const flow = diagonalFlow({ X, y, N, d, alpha, depth: D }, { marks, rtol: 1e-10 });
    const gdAtMarks = (eta: number): Float64Array[] => {
      const up = new Float64Array(d).fill(alpha), um = new Float64Array(d).fill(alpha);
      const res: Float64Array[] = [];
      let prev = stats(Float64Array.from([...up, ...um]), X, y, N, d, D);
      for (const mark of marks) {
        while (prev.gamma < mark) {
          const e = new Float64Array(N);
          for (let n = 0; n < N; n++) {
            let m = 0;
            for (let j = 0; j < d; j++) m += y[n] * X[n * d + j] * prev.beta[j];
            e[n] = Math.exp(-m);
          }
          for (let j = 0; j < d; j++) {
            let r = 0;
            for (let n = 0; n < N; n++) r += y[n] * X[n * d + j] * e[n];
            const gp = D * up[j] ** (D - 1) * r, gm = D * um[j] ** (D - 1) * r;
            up[j] += eta * gp;
            um[j] -= eta * gm;
          }
          const cur = stats(Float64Array.from([...up, ...um]), X, y, N, d, D);
          if (cur.gamma >= mark) {
            // linear interpolation in γ between the two iterates around the mark (O(η²))
            const th = (mark - prev.gamma) / (cur.gamma - prev.gamma);
            res.push(prev.beta.map((v, j) => (v + th * (cur.beta[j] - v)) / mark));
          }
          prev = cur;
        }
      }
      return res;
    };
    for (let i = 0; i < marks.length; i++) {
      const errs = [4e-3, 2e-3, 1e-3].map((eta) => maxRelDiff(gdAtMarks(eta)[i], flow.marks[i].b));
      const r1 = errs[0] / errs[1], r2 = errs[1] / errs[2];
      assert.ok(errs[2] < 0.05, `D ${D} γ ${marks[i]}: GD error ${errs[2]}`);
      assert.ok(r1 > 1.7 && r1 < 2.3 && r2 > 1.7 && r2 < 2.3, `D ${D} γ ${marks[i]}: errors ${errs.map((e) => e.toExponential(3)).join(', ')}`);
    }
  }
});

test('the flow reaches γ = 1e64 (D = 2, 3): marks land on their values, b has min margin 1, log10 ε ≈ −γ/ln 10', () => {
  const { X, y, N, d } = problem(11, 8, 16);
  for (const [D, alpha] of [[2, 1], [2, 0.01], [3, 1], [3, 100]] as const) {
    const res = diagonalFlow({ X, y, N, d, alpha, depth: D });
    assert.ok(res.complete, `D ${D} α ${alpha}: reached ${res.marks.length} marks`);
    assert.equal(res.marks.length, 8);
    let prevTau = 0;
    for (const m of res.marks) {
      assert.ok(Math.abs(m.gamma / m.mark - 1) < 1e-8, `γ ${m.gamma} vs mark ${m.mark}`);
      assert.ok(m.tau > prevTau);
      prevTau = m.tau;
      // b has min margin exactly 1
      let mn = Infinity;
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += y[n] * X[n * d + j] * m.b[j];
        mn = Math.min(mn, s);
      }
      assert.ok(Math.abs(mn - 1) < 1e-12);
      // ε = Σ e^{−m_n} ∈ [e^{−γ}, N e^{−γ}]
      const lnEps = m.log10Eps * Math.LN10;
      assert.ok(lnEps <= -m.gamma + Math.log(N) + 1e-9 * m.gamma && lnEps >= -m.gamma - 1e-9 * m.gamma);
      assert.ok(Math.abs(m.log10MeanLoss - (m.log10Eps - Math.log10(N))) < 1e-9 * Math.max(1, Math.abs(m.log10Eps)));
      if (m.gamma > 745) assert.equal(m.eps, 0);
      assert.ok(m.supportSize >= 1 && m.supportSize <= d && m.supportVectors >= 1);
    }
  }
});

test('into the stiff regime: the flow at γ = 100 and 230 matches a fine τ-uniform RK4 of the u-flow', () => {
  const { X, y, N, d } = problem(13, 6, 8);
  for (const [D, alpha] of [[2, 1], [3, 1]] as const) {
    const marks = [100, 230];
    const res = diagonalFlow({ X, y, N, d, alpha, depth: D }, { marks, rtol: 1e-10 });
    const ref = referenceAtMarks(X, y, N, d, D, alpha, marks, 2e-4);
    for (let i = 0; i < marks.length; i++) {
      const e = maxRelDiff(res.marks[i].b, ref[i]);
      assert.ok(e < 1e-5, `D ${D} γ ${marks[i]}: flow vs RK4 ${e}`);
    }
  }
});

test('deterministic: the same problem twice gives bit-identical marks', () => {
  const p = problem(2, 8, 16);
  const a = diagonalFlow({ ...p, alpha: 0.1, depth: 3 }), b = diagonalFlow({ ...p, alpha: 0.1, depth: 3 });
  assert.deepEqual(a.marks.map((m) => [m.gamma, m.tau, m.log10Eps, m.supportSize, m.supportVectors, Array.from(m.b)]), b.marks.map((m) => [m.gamma, m.tau, m.log10Eps, m.supportSize, m.supportVectors, Array.from(m.b)]));
  assert.equal(a.steps, b.steps);
});

test('bad problems are rejected with a message naming the field', () => {
  const { X, y, N, d } = problem(1, 4, 3);
  assert.throws(() => diagonalFlow({ X, y, N, d, alpha: 0, depth: 2 }), /alpha/);
  assert.throws(() => diagonalFlow({ X, y, N, d, alpha: 1, depth: 1 }), /depth/);
  assert.throws(() => diagonalFlow({ X, y: [1, 0, 1, 1], N, d, alpha: 1, depth: 2 }), /labels/);
  assert.throws(() => diagonalFlow({ X: X.subarray(1), y, N, d, alpha: 1, depth: 2 }), /entries/);
  assert.throws(() => diagonalFlow({ X, y, N, d, alpha: 1, depth: 2 }, { marks: [10, 1] }), /marks/);
});
