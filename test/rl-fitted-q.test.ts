import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { getLoss } from '../src/losses/losses.ts';
import { Rng } from '../src/linalg/prng.ts';
import { singularValues } from '../src/linalg/svd.ts';
import { ConfigError } from '../src/experiments/config.ts';
import {
  allPairTransitions, buildFittedQ, FittedQ, greedyPolicy, greedyReturn, gridworld, oneHotFeatures, policyReturn, randomMdp, rankPenalty, resolveRlConfig, uniformPolicy, valueIteration,
  type FittedQProblem, type FittedQSettings,
} from '../src/rl/index.ts';

const randn = (n: number, seed: number) => new Rng(seed).fillNormal(new Float64Array(n), 1);

/** Plain triple-loop product C = A Bᵀ · s (A: m×k, B: n×k). */
function matmulT(A: Float64Array, B: Float64Array, m: number, k: number, n: number, s: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let t = 0; t < k; t++) acc += A[i * k + t]! * B[j * k + t]!;
    C[i * n + j] = acc * s;
  }
  return C;
}

test('DeepLinear.hiddenRepresentations equals the direct products X W1ᵀ/√d, (X W1ᵀ/√d) W2ᵀ/√n', () => {
  const d = 5, n = 4, m = 7;
  const net = new DeepLinear({ d, width: n, depth: 3 });
  const theta = gaussianInit(net, 3);
  const X = randn(m * d, 11);
  const reps = net.hiddenRepresentations(theta, makeDataset(X, new Float64Array(m), d, 't'));
  assert.deepEqual(reps.map((r) => [r.name, r.rows, r.cols]), [['h1', m, n], ['h2', m, n]]);
  const h1 = matmulT(X, net.layerView(theta, 0), m, d, n, 1 / Math.sqrt(d));
  const h2 = matmulT(h1, net.layerView(theta, 1), m, n, n, 1 / Math.sqrt(n));
  for (let i = 0; i < m * n; i++) {
    assert.ok(Math.abs(reps[0].values[i] - h1[i]) <= 1e-13 * (1 + Math.abs(h1[i])), `h1[${i}]`);
    assert.ok(Math.abs(reps[1].values[i] - h2[i]) <= 1e-13 * (1 + Math.abs(h2[i])), `h2[${i}]`);
  }
  // the read-out of the last representation is the network output
  const f = net.predict(theta, makeDataset(X, new Float64Array(m), d, 't'));
  const v = net.layerView(theta, 2);
  for (let a = 0; a < m; a++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += reps[1].values[a * n + j] * v[j];
    assert.ok(Math.abs(acc / Math.sqrt(n) - f[a]) <= 1e-12 * (1 + Math.abs(f[a])));
  }
});

test('DeepLinear.hiddenRepresentationVjp matches central finite differences of ⟨G, h_k⟩ (every layer)', () => {
  const d = 4, n = 3, m = 5;
  const net = new DeepLinear({ d, width: n, depth: 4 });
  const theta = gaussianInit(net, 5);
  const data = makeDataset(randn(m * d, 6), new Float64Array(m), d, 't');
  for (let layer = 0; layer < 3; layer++) {
    const G = randn(m * n, 20 + layer);
    const objective = (th: Float64Array) => {
      const h = net.hiddenRepresentations(th, data)[layer].values;
      let s = 0;
      for (let i = 0; i < h.length; i++) s += G[i] * h[i];
      return s;
    };
    const g = net.hiddenRepresentationVjp(theta, data, layer, G);
    // passing the representations at the same θ gives the same vector
    assert.deepEqual(Array.from(net.hiddenRepresentationVjp(theta, data, layer, G, net.hiddenRepresentations(theta, data))), Array.from(g));
    const h = 1e-6;
    for (let p = 0; p < net.numParams; p++) {
      const tp = theta.slice(); tp[p] += h;
      const tm = theta.slice(); tm[p] -= h;
      const fd = (objective(tp) - objective(tm)) / (2 * h);
      assert.ok(Math.abs(fd - g[p]) <= 1e-6 * (1 + Math.abs(fd)), `layer ${layer}, θ[${p}]: vjp ${g[p]}, fd ${fd}`);
    }
  }
});

test('rank penalty: value (σ_max² − σ_min²)/m from the SVD and gradient vs finite differences, tall and wide Φ', () => {
  for (const [m, n] of [[7, 3], [3, 6]] as const) {
    const phi = randn(m * n, 40 + m);
    const pen = rankPenalty(phi, m, n);
    const sv = singularValues(phi, m, n);
    const k = Math.min(m, n);
    assert.ok(Math.abs(pen.value - (sv[0] ** 2 - sv[k - 1] ** 2) / m) <= 1e-12 * pen.value, `${m}×${n} value`);
    assert.ok(Math.abs(pen.sigmaMax - sv[0]) <= 1e-12 * sv[0] && Math.abs(pen.sigmaMin - sv[k - 1]) <= 1e-10 * sv[0]);
    const h = 1e-6;
    for (let i = 0; i < m * n; i++) {
      const p = phi.slice(); p[i] += h;
      const q = phi.slice(); q[i] -= h;
      const fd = (rankPenalty(p, m, n).value - rankPenalty(q, m, n).value) / (2 * h);
      assert.ok(Math.abs(fd - pen.grad[i]) <= 1e-6 * (1 + Math.abs(fd)), `${m}×${n} entry ${i}: grad ${pen.grad[i]}, fd ${fd}`);
    }
  }
});

test('rank penalty through the network: the VJP of ∇_Φ P matches finite differences of P(h_{L−1}(θ)) in θ', () => {
  const d = 6, n = 4, m = 8;
  const net = new DeepLinear({ d, width: n, depth: 3 });
  const theta = gaussianInit(net, 9);
  const data = makeDataset(randn(m * d, 10), new Float64Array(m), d, 't');
  const P = (th: Float64Array) => {
    const h = net.hiddenRepresentations(th, data)[1];
    return rankPenalty(h.values, m, n).value;
  };
  const phi = net.hiddenRepresentations(theta, data)[1];
  const g = net.hiddenRepresentationVjp(theta, data, 1, rankPenalty(phi.values, m, n).grad);
  const h = 1e-6;
  let checked = 0;
  for (let p = 0; p < net.numParams; p++) {
    const tp = theta.slice(); tp[p] += h;
    const tm = theta.slice(); tm[p] -= h;
    const fd = (P(tp) - P(tm)) / (2 * h);
    assert.ok(Math.abs(fd - g[p]) <= 1e-6 * (1 + Math.abs(fd)), `θ[${p}]: ${g[p]} vs fd ${fd}`);
    checked++;
  }
  assert.equal(checked, net.numParams);
  // the read-out does not move Φ
  const v = net.layers[2];
  for (let i = v.offset; i < v.offset + v.cols; i++) assert.equal(g[i], 0);
});

test('greedyReturn (S×S solve) equals dp.policyReturn of the greedy policy', () => {
  const mdp = randomMdp({ S: 6, A: 3, seed: 4, gamma: 0.8 });
  const q = randn(18, 5);
  const a = greedyReturn(mdp, q), b = policyReturn(mdp, greedyPolicy(mdp, q));
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${a} vs ${b}`);
});

function tinyProblem(gamma: number, width = 6): FittedQProblem {
  const mdp = randomMdp({ S: 4, A: 2, seed: 1, gamma, branching: 2 });
  const features = oneHotFeatures(mdp.S, mdp.A);
  const model = new DeepLinear({ d: features.d, width, depth: 2 });
  return { mdp, features, transitions: allPairTransitions(mdp, { seed: 2 }), model, theta0: gaussianInit(model, 7), policy: null };
}
const settings = (over: Partial<FittedQSettings>): FittedQSettings => ({ iterations: 10, stepsPerIteration: 50, lr: { c: 0.5 }, targets: 'oracle', rankPenalty: 0, srankDelta: 0.01, seed: 0, ...over });

test('fitted Q with oracle targets on a tiny MDP converges to Q* (two-layer linear net on one-hot features)', () => {
  const problem = tinyProblem(0.9);
  const fq = new FittedQ(problem, settings({ iterations: 40, stepsPerIteration: 500, lr: { c: 0.05 } }));
  const s = fq.run();
  assert.equal(s.status, 'completed');
  const qStar = valueIteration(problem.mdp).q;
  const q = fq.qTable();
  let worst = 0;
  for (let i = 0; i < q.length; i++) worst = Math.max(worst, Math.abs(q[i] - qStar[i]) / Math.max(...qStar.map(Math.abs)));
  assert.ok(worst < 1e-6, `max |Q − Q*|/max|Q*| = ${worst}`);
  assert.ok(s.qErrorFinal < 1e-6);
  assert.ok(Math.abs(s.returnFinal - s.returnReference) <= 1e-12 * Math.abs(s.returnReference));
  assert.equal(fq.rows.length, 41);
  assert.ok(fq.rows.every((r, i) => r.iteration === i && r.step === i * 500));
});

test('bootstrapped fitted Q with γ = 0 is plain GD regression onto r (bit for bit)', () => {
  const problem = tinyProblem(0);
  const K = 4, n = 25, eta = 3;
  const fq = new FittedQ(problem, settings({ iterations: K, stepsPerIteration: n, lr: { eta }, targets: 'bootstrap' }));
  fq.run();
  // reference: K·n GD steps on the fixed data (X = one-hot rows, y = r)
  const { model, transitions: tr, features } = problem;
  const X = new Float64Array(tr.n * features.d);
  for (let i = 0; i < tr.n; i++) features.write(tr.s[i], tr.a[i], X, i * features.d);
  const data = makeDataset(X, Float64Array.from(tr.r), features.d, 'r');
  const theta = problem.theta0.slice();
  for (let t = 0; t < K * n; t++) model.descend(model.evaluate(theta, data, getLoss('squared')), eta);
  assert.deepEqual(Array.from(fq.theta), Array.from(theta));
  // and with γ = 0 the oracle (Q* = R) arm is the same run
  const oracle = new FittedQ(problem, settings({ iterations: K, stepsPerIteration: n, lr: { eta }, targets: 'oracle' }));
  oracle.run();
  assert.deepEqual(Array.from(oracle.theta), Array.from(theta));
});

test('fitted policy evaluation with oracle targets reaches Q^π; the penalty arm runs and lowers the penalty', () => {
  const tiny = tinyProblem(0.5);
  const problem: FittedQProblem = { ...tiny, policy: uniformPolicy(tiny.mdp) };
  const fq = new FittedQ(problem, settings({ iterations: 20, stepsPerIteration: 400, lr: { c: 0.05 } }));
  assert.ok(fq.run().qErrorFinal < 1e-6);
  const gw = gridworld({ width: 3, height: 3, gamma: 0.8 });
  const base = { mdp: gw, features: oneHotFeatures(gw.S, gw.A), transitions: allPairTransitions(gw), policy: null };
  const mk = () => new DeepLinear({ d: gw.S * gw.A, width: 4, depth: 2 });
  const m1 = mk(), m2 = mk();
  const plain = new FittedQ({ ...base, model: m1, theta0: gaussianInit(m1, 1) }, settings({ targets: 'bootstrap', iterations: 5, stepsPerIteration: 40, lr: { c: 0.3 } }));
  const pen = new FittedQ({ ...base, model: m2, theta0: gaussianInit(m2, 1) }, settings({ targets: 'bootstrap', iterations: 5, stepsPerIteration: 40, lr: { c: 0.3 }, rankPenalty: 1 }));
  plain.run();
  pen.run();
  assert.ok(pen.rows[5].penalty < plain.rows[5].penalty, `penalty ${pen.rows[5].penalty} vs ${plain.rows[5].penalty}`);
});

test('fitted Q is deterministic: same config → bit-identical rows', () => {
  const cfg = resolveRlConfig({ env: { width: 3, height: 3 }, model: { width: 4, depth: 3 }, iterations: 3, stepsPerIteration: 10, rankPenalty: 0.5 });
  const run = () => {
    const { problem, settings: s } = buildFittedQ(cfg);
    const fq = new FittedQ(problem, s);
    fq.run();
    return JSON.stringify(fq.rows);
  };
  assert.equal(run(), run());
});

test('rl config: defaults, and errors that name the field', () => {
  const cfg = resolveRlConfig({});
  assert.equal(cfg.env.kind, 'gridworld');
  assert.equal(cfg.c, 0.5);
  assert.equal(cfg.srankDelta, 0.01);
  const bad: [unknown, RegExp][] = [
    [{ iterations: 0 }, /iterations: /],
    [{ targets: 'cheat' }, /targets: /],
    [{ bogus: 1 }, /bogus: unknown field/],
    [{ env: { kind: 'gridworld', wall: [] } }, /env\.wall: unknown field/],
    [{ env: { kind: 'maze' } }, /env\.kind: unknown kind; expected one of gridworld, random-mdp/],
    [{ env: { kind: 'random-mdp' }, features: { kind: 'grid-xy' } }, /features\.kind: 'grid-xy' features need env\.kind 'gridworld'/],
    [{ c: 1, eta: 1 }, /eta: give either c or eta/],
    [{ env: { width: 3, height: 3, walls: [[5, 0]] } }, /env\.walls\.0: \(5, 0\) is outside the 3×3 grid/],
    [{ rankPenalty: -1 }, /rankPenalty: /],
    [{ srankDelta: 1 }, /srankDelta: /],
    [{ init: { kind: 'file', path: 'x' } }, /init\.kind: 'file' init is not available/],
  ];
  for (const [input, re] of bad) {
    assert.throws(() => resolveRlConfig(input), (e: Error) => e instanceof ConfigError && re.test(e.message), JSON.stringify(input));
  }
});
