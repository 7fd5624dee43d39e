/** Momentum and Nesterov (src/train/optimizer.ts) against GD and hand-coded recursions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildProblem } from '../src/experiments/problem.ts';
import { Trainer } from '../src/train/trainer.ts';

function trainer(cfg: Record<string, unknown>) {
  const { problem, settings } = buildProblem(resolveConfig({ curvature: { every: 5, maxIter: 20 }, record: { every: 5, denseUntil: 10 }, ...cfg }));
  return new Trainer(problem, settings);
}

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('momentum and Nesterov with β = 0 are GD bit for bit (full-batch and mini-batch, plain and resident θ)', () => {
  const cases = [
    { data: { kind: 'gaussian', m: 24, d: 6, labelNoise: 0.1 }, model: { depth: 3, width: 12 }, c: 3 },
    { data: { kind: 'gaussian', m: 24, d: 6, labelNoise: 0.1 }, model: { depth: 3, width: 12 }, c: 3, batchSize: 8 },
    // ≥ 16384 parameters: θ lives in a wasm workspace
    { data: { kind: 'gaussian', m: 16, d: 64 }, model: { depth: 2, width: 256 }, c: 4, loss: 'squared' },
  ];
  for (const base of cases) {
    const gd = trainer({ ...base, steps: 40 });
    gd.run();
    for (const kind of ['momentum', 'nesterov']) {
      const mo = trainer({ ...base, steps: 40, optimizer: { kind, beta: 0 } });
      mo.run();
      assert.equal(bits(mo.theta), bits(gd.theta), `${kind}, ${JSON.stringify(base)}`);
      assert.equal(JSON.stringify(mo.metrics), JSON.stringify(gd.metrics));
    }
    // and β > 0 changes the iterates
    const mo = trainer({ ...base, steps: 40, optimizer: { kind: 'momentum', beta: 0.5 } });
    mo.run();
    assert.notEqual(bits(mo.theta), bits(gd.theta));
  }
});

/**
 * uv net f(x) = (1/√n) vᵀ (1/√d) W x with the squared loss L = (1/2m) Σ (f − y)²: its gradient
 * written out by hand (no model code): ∂L/∂W = (1/m) Σ r_α s v x_αᵀ, ∂L/∂v = (1/m) Σ r_α s W x_α,
 * s = 1/√(nd), r = f − y.
 */
function handGradient(theta: Float64Array, X: ArrayLike<number>, y: Float64Array, d: number, n: number): Float64Array {
  const m = y.length, s = 1 / Math.sqrt(n * d), g = new Float64Array(theta.length);
  const W = (i: number, j: number) => theta[i * d + j], v = (i: number) => theta[n * d + i];
  for (let a = 0; a < m; a++) {
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) h[i] += W(i, j) * X[a * d + j];
    let f = 0;
    for (let i = 0; i < n; i++) f += v(i) * h[i];
    const r = (f * s - y[a]) / m;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) g[i * d + j] += r * s * v(i) * X[a * d + j];
      g[n * d + i] += r * s * h[i];
    }
  }
  return g;
}

test('heavy-ball momentum follows Polyak\'s recursion θ+ = θ − η∇L + β(θ − θ−), and Nesterov PyTorch\'s, on the squared loss', () => {
  const n = 5, d = 3, T = 25, eta = 0.4, beta = 0.7;
  const base = { data: { kind: 'gaussian', m: 10, d }, model: { depth: 2, width: n }, loss: 'squared', eta, steps: T };
  for (const kind of ['momentum', 'nesterov'] as const) {
    const tr = trainer({ ...base, optimizer: { kind, beta } });
    const { X, y } = tr.problem.train;
    let theta = Float64Array.from(tr.problem.theta0), prev = Float64Array.from(theta);
    const vel = new Float64Array(theta.length);
    let worst = 0;
    for (let t = 0; t < T; t++) {
      const g = handGradient(theta, X, y, d, n);
      const next = new Float64Array(theta.length);
      for (let i = 0; i < theta.length; i++) {
        if (kind === 'momentum') next[i] = theta[i] - eta * g[i] + beta * (theta[i] - prev[i]);
        else {
          vel[i] = beta * vel[i] + g[i];
          next[i] = theta[i] - eta * (g[i] + beta * vel[i]);
        }
      }
      prev = theta;
      theta = next;
      tr.advance(1);
      let num = 0, den = 0;
      for (let i = 0; i < theta.length; i++) {
        num = Math.max(num, Math.abs(tr.theta[i] - theta[i]));
        den = Math.max(den, Math.abs(theta[i]));
      }
      worst = Math.max(worst, num / den);
    }
    assert.ok(worst < 1e-12, `${kind}: max relative deviation ${worst}`);
    // the recursion really moved and differs from GD
    const gd = trainer(base);
    gd.advance(T);
    let diff = 0;
    for (let i = 0; i < theta.length; i++) diff = Math.max(diff, Math.abs(gd.theta[i] - theta[i]));
    assert.ok(diff > 1e-3, `${kind} vs GD: ${diff}`);
  }
});

test('mini-batch momentum is deterministic', () => {
  const cfg = { data: { kind: 'gaussian', m: 24, d: 6, labelNoise: 0.1 }, model: { depth: 3, width: 12 }, c: 2, batchSize: 6, steps: 30, optimizer: { kind: 'nesterov', beta: 0.9 } };
  const a = trainer(cfg), b = trainer(cfg);
  a.run();
  b.run();
  assert.equal(bits(a.theta), bits(b.theta));
});
