/**
 * The model curvatures of theory §4 and §7 against dense references built from explicit Jacobians
 * (Θ = J Jᵀ) and Jacobi: Gauss–Newton sharpness, and the non-separable-subspace measures κ_V and S_GN,N.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/experiments/config.ts';
import { executeRun } from '../src/experiments/runDir.ts';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset, type Dataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { symmetricEigen } from '../src/linalg/jacobi.ts';
import { measureCurvature, measureOperator } from '../src/curvature/modelOperators.ts';
import { denseOperator } from '../src/curvature/operator.ts';
import { lanczosTop } from '../src/curvature/lanczos.ts';
import { gaussNewtonOnSamplesOperator, kappaNonSepOperator, meanSquaredNorm } from '../src/curvature/restricted.ts';
import { degenerateData } from '../src/data/generators.ts';
import { analyzeSeparability } from '../src/data/separability.ts';
import { CURVATURE_KEYS, convergedColumn, metricsToCsv } from '../src/train/metrics.ts';
import { DEFAULT_TRAIN_SETTINGS, Trainer, type TrainProblem, type TrainSettings } from '../src/train/trainer.ts';
import { relErr } from './helpers.ts';

const SOLVER = { maxIter: 200, tol: 1e-12, seed: 1 };

function randomData(m: number, d: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const X = rng.fillNormal(new Float64Array(m * d));
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) y[i] = rng.uniform() < 0.5 ? -1 : 1;
  return makeDataset(X, y, d, 'random');
}

/** Θ = J Jᵀ (m×m) from explicit Jacobian rows. */
function denseNtk(model: DeepLinear, theta: Float64Array, data: Dataset): Float64Array {
  const { m, d } = data;
  const J = Array.from({ length: m }, (_, a) => model.jacobianRow(theta, Float64Array.from(data.X.subarray(a * d, (a + 1) * d))));
  const T = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      let s = 0;
      for (let i = 0; i < model.numParams; i++) s += J[a][i] * J[b][i];
      T[a * m + b] = s;
    }
  }
  return T;
}

test('S_GN = λ for the squared loss (D = 1)', () => {
  const model = new DeepLinear({ d: 6, width: 8, depth: 3 });
  const data = randomData(12, 6, 3);
  const theta = gaussianInit(model, 2);
  const ev = model.evaluate(theta, data, getLoss('squared'));
  const lam = measureCurvature('ntk', model, ev, SOLVER);
  const gn = measureCurvature('gauss-newton', model, ev, SOLVER);
  assert.ok(lam.converged && gn.converged);
  assert.ok(relErr(gn.value, lam.value) < 1e-12, `S_GN ${gn.value} vs λ ${lam.value}`);
});

test('S_GN = λ_max(D^½ Θ D^½)/m against a dense Jacobian reference (logistic loss, non-constant D)', () => {
  const model = new DeepLinear({ d: 5, width: 6, depth: 3 });
  const data = randomData(10, 5, 7);
  // scale 1.5: outputs of order several units, so ℓ'' varies strongly across samples
  const theta = gaussianInit(model, 5, 1.5);
  const loss = getLoss('logistic');
  const ev = model.evaluate(theta, data, loss);
  const m = data.m;
  const D = Array.from(ev.f, (f, a) => loss.d2(f, data.y[a]));
  const spread = Math.max(...D) / Math.min(...D);
  assert.ok(spread > 3, `the test needs a non-constant D (max/min ℓ'' = ${spread})`);
  const T = denseNtk(model, theta, data);
  const M = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) M[a * m + b] = (Math.sqrt(D[a]) * T[a * m + b] * Math.sqrt(D[b])) / m;
  const ref = symmetricEigen(M, m).values[0];
  const gn = measureCurvature('gauss-newton', model, ev, SOLVER);
  assert.ok(gn.converged, `residual ${gn.residual}`);
  assert.ok(relErr(gn.value, ref) < 1e-10, `S_GN ${gn.value} vs dense ${ref}`);
});

function settings(over: Partial<Omit<TrainSettings, 'curvature'>> & { curvature?: Partial<TrainSettings['curvature']> }): TrainSettings {
  return { ...DEFAULT_TRAIN_SETTINGS, ...over, curvature: { ...DEFAULT_TRAIN_SETTINGS.curvature, ...over.curvature } };
}

function smallProblem(): TrainProblem {
  const model = new DeepLinear({ d: 6, width: 10, depth: 3 });
  return { model, loss: getLoss('logistic'), train: randomData(24, 6, 13), theta0: gaussianInit(model, 3) };
}

for (const steps of [20, 25]) {
  test(`summary.solver: real final entries for λ, S, S_GN from the last measurement (last step ${steps % 10 === 0 ? 'already measured' : 'measured at the end'})`, () => {
    const problem = smallProblem();
    const tr = new Trainer(problem, settings({ steps, lr: { c: 2 }, record: { every: 10, denseUntil: 0 }, curvature: { every: 10 } }));
    const s = tr.run();
    const last = tr.metrics[tr.metrics.length - 1];
    assert.equal(last.step, steps);
    const ev = problem.model.evaluate(tr.theta, problem.train, problem.loss);
    const kinds = { lambda: 'ntk', sharpness: 'hessian', sharpnessGN: 'gauss-newton' } as const;
    for (const [key, kind] of Object.entries(kinds)) {
      const r = s.solver[`${key}Final`];
      assert.ok(r, `${key}Final present`);
      assert.ok(r.iterations > 0, `${key}Final: iterations ${r.iterations}`);
      assert.ok(Number.isFinite(r.residual) && r.residual >= 0, `${key}Final: residual ${r.residual}`);
      assert.equal(r.value, last[key as 'lambda']);
      assert.equal(r.value, s[`${key}Final` as 'lambdaFinal']);
      assert.equal(r.converged, r.residual <= 1e-7 * Math.abs(r.value));
      const ref = measureCurvature(kind, problem.model, ev, SOLVER);
      assert.ok(relErr(r.value, ref.value) < 1e-6, `${key}Final ${r.value} vs an independent solve ${ref.value}`);
    }
  });
}

test('every curvature value carries a converged flag; unconverged solves are flagged and counted', () => {
  const problem = smallProblem();
  // maxIter 1 (retry cap 5) cannot converge on 24 samples: flags 0 and counts expected
  const tr = new Trainer(problem, settings({ steps: 6, lr: { c: 1 }, record: { every: 1, denseUntil: 10 }, curvature: { every: 1, maxIter: 1 } }));
  const s = tr.run();
  let zeros = 0, flagged = 0;
  for (const row of tr.metrics) {
    for (const key of CURVATURE_KEYS) {
      const flag = row[convergedColumn(key)];
      if (Number.isNaN(row[key])) {
        assert.ok(Number.isNaN(flag), `${key} not measured at step ${row.step} but flagged`);
        continue;
      }
      assert.ok(flag === 0 || flag === 1, `${key} at step ${row.step}: flag ${flag}`);
      flagged++;
      if (flag === 0) zeros++;
    }
  }
  assert.ok(zeros > 0, 'some solves must be unconverged with maxIter 1');
  assert.equal(s.curvatureSolves.unconverged, zeros);
  assert.equal(s.curvatureSolves.solves, flagged);
  assert.ok(s.curvatureSolves.retried >= zeros);
  assert.match(metricsToCsv(tr.metrics).split('\n')[0], /,lambdaConverged,sharpnessConverged,sharpnessGNConverged,/);
  // with an unconverged λ0, η from c is recorded as a warning
  assert.equal(s.solver.lambda0.converged, false);
  assert.match(s.warnings.join('\n'), /unconverged λ0/);
  // the default solver converges on the same problem, and then there is no warning
  const ok = new Trainer(problem, settings({ steps: 6, lr: { c: 1 }, record: { every: 1, denseUntil: 10 }, curvature: { every: 1 } })).run();
  assert.equal(ok.curvatureSolves.unconverged, 0);
  assert.deepEqual(ok.warnings, []);
});

test('measureOperator: an unconverged solve is retried from its Ritz vector with a larger Krylov space', () => {
  // slowly converging spectrum: 1, 0.99, 0.98, ... (small relative gap at the top)
  const n = 200;
  const A = new Float64Array(n * n);
  const rng = new Rng(2);
  // a random orthogonal similarity of a diagonal, by two Householder reflections
  const diag = Array.from({ length: n }, (_, i) => 1 - 0.01 * i);
  const u = rng.fillNormal(new Float64Array(n));
  const uu = u.reduce((a, x) => a + x * x, 0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const qik = (i === k ? 1 : 0) - (2 * u[i] * u[k]) / uu;
        const qjk = (j === k ? 1 : 0) - (2 * u[j] * u[k]) / uu;
        sum += qik * diag[k] * qjk;
      }
      A[i * n + j] = sum;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  const op = denseOperator(A, n);
  const first = lanczosTop(op, { maxIter: 10, tol: 1e-10, seed: 1 });
  assert.equal(first.converged, false);
  const est = measureOperator(op, { maxIter: 10, tol: 1e-10, seed: 1, retryMaxIter: 120 });
  assert.equal(est.retried, true);
  assert.ok(est.converged, `retry residual ${est.residual}`);
  assert.ok(Math.abs(est.value - 1) < 1e-9, `value ${est.value}`);
  assert.ok(est.iterations > first.iterations);
  const noRetry = measureOperator(op, { maxIter: 10, tol: 1e-10, seed: 1, retryMaxIter: 10 });
  assert.equal(noRetry.retried, false);
  assert.equal(noRetry.value, first.value);
});

test('κ_V = λ on degenerate data (V = span{x}), at every measured step of a catapult run', async () => {
  const d = 8;
  const ds = degenerateData({ m: 60, d, p: 0.3, flipFraction: 0.25 });
  const sep = await analyzeSeparability(ds);
  assert.equal(sep.nonSeparableDim, 1);
  const model = new DeepLinear({ d, width: 12, depth: 3 });
  const problem: TrainProblem = { model, loss: getLoss('logistic'), train: ds, theta0: gaussianInit(model, 1), nonSeparableBasis: sep.basis, nonSeparableIndices: sep.nonSeparableIndices };
  const tr = new Trainer(problem, settings({ steps: 40, lr: { c: 8 }, record: { every: 5, denseUntil: 10 }, curvature: { every: 5, restricted: true, tol: 1e-10 } }));
  const s = tr.run();
  let rows = 0;
  for (const row of tr.metrics) {
    if (Number.isNaN(row.lambda)) continue;
    rows++;
    assert.ok(relErr(row.kappaNonSep, row.lambda) < 1e-8, `step ${row.step}: κ_V ${row.kappaNonSep} vs λ ${row.lambda}`);
    // N = every sample here, so S_GN,N = S_GN
    assert.ok(relErr(row.sharpnessGNNonSep, row.sharpnessGN) < 1e-8, `step ${row.step}: S_GN,N ${row.sharpnessGNNonSep} vs S_GN ${row.sharpnessGN}`);
    assert.equal(row.kappaNonSepConverged, 1);
  }
  assert.ok(rows >= 10);
  assert.ok(relErr(s.kappaNonSep0, s.lambda0) < 1e-8);
  assert.ok(relErr(s.kappaNonSepFinal, s.lambdaFinal) < 1e-8);
  assert.ok(s.solver.kappaNonSepFinal.iterations > 0 && s.solver.sharpnessGNNonSepFinal.iterations > 0);
  assert.ok(s.kappaNonSepFinal < s.kappaNonSep0, `the catapult lowers κ_V: ${s.kappaNonSep0} → ${s.kappaNonSepFinal}`);
});

test('κ_V and S_GN,N against dense references (explicit Jacobians, Jacobi) on a small net', () => {
  const d = 6, m = 14;
  const model = new DeepLinear({ d, width: 7, depth: 3 });
  const data = randomData(m, d, 31);
  const theta = gaussianInit(model, 8, 1.3);
  const loss = getLoss('logistic');
  const ev = model.evaluate(theta, data, loss);
  // K_ij = ∇θβ_i · ∇θβ_j (f = β·x, so ∇θ f(x) = Σ_i x_i ∇θβ_i and Θ = X K Xᵀ): the Jacobian row of a unit input
  const Jb = Array.from({ length: d }, (_, i) => {
    const e = new Float64Array(d);
    e[i] = 1;
    return model.jacobianRow(theta, e);
  });
  const K = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) K[i * d + j] = Jb[i].reduce((acc, v, t) => acc + v * Jb[j][t], 0);
  // V: a random 3-dimensional subspace (orthonormal basis by Gram–Schmidt)
  const rng = new Rng(5);
  const basis: Float64Array[] = [];
  for (let k = 0; k < 3; k++) {
    const v = rng.fillNormal(new Float64Array(d));
    for (const b of basis) {
      const c = b.reduce((a, x, t) => a + x * v[t], 0);
      for (let t = 0; t < d; t++) v[t] -= c * b[t];
    }
    const nv = Math.hypot(...v);
    basis.push(v.map((x) => x / nv));
  }
  // P_V K P_V as a d×d matrix
  const P = new Float64Array(d * d);
  for (const b of basis) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) P[i * d + j] += b[i] * b[j];
  const mul = (A: Float64Array, B: Float64Array) => {
    const C = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) C[i * d + j] += A[i * d + k] * B[k * d + j];
    return C;
  };
  const PKP = mul(mul(P, K), P);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) PKP[j * d + i] = PKP[i * d + j] = 0.5 * (PKP[i * d + j] + PKP[j * d + i]);
  let meanSq = 0;
  for (let t = 0; t < data.X.length; t++) meanSq += data.X[t] * data.X[t];
  meanSq /= m;
  assert.ok(relErr(meanSquaredNorm(data), meanSq) < 1e-14);
  const kappaRef = symmetricEigen(PKP, d).values[0] * meanSq;
  const kappa = measureOperator(kappaNonSepOperator(model, ev, basis, meanSquaredNorm(data)), SOLVER);
  assert.ok(kappa.converged);
  assert.ok(relErr(kappa.value, kappaRef) < 1e-10, `κ_V ${kappa.value} vs dense ${kappaRef}`);
  // κ_V < λ_max(K)·mean‖x‖² unless V contains K's top eigenvector
  assert.ok(kappa.value < symmetricEigen(K, d).values[0] * meanSq);

  // S_GN,N on N = a subset of samples, divided by the full m
  const N = Int32Array.of(1, 4, 5, 8, 12);
  const T = denseNtk(model, theta, data);
  const D = Array.from(ev.f, (f, a) => loss.d2(f, data.y[a]));
  const n = N.length;
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M[i * n + j] = (Math.sqrt(D[N[i]]) * T[N[i] * m + N[j]] * Math.sqrt(D[N[j]])) / m;
  const ref = symmetricEigen(M, n).values[0];
  const gnN = measureOperator(gaussNewtonOnSamplesOperator(model, ev, N), SOLVER);
  assert.ok(gnN.converged);
  assert.ok(relErr(gnN.value, ref) < 1e-10, `S_GN,N ${gnN.value} vs dense ${ref}`);
  const gn = measureCurvature('gauss-newton', model, ev, SOLVER);
  assert.ok(gnN.value <= gn.value * (1 + 1e-12), 'interlacing: S_GN,N ≤ S_GN');
});

test('a run with curvature.restricted writes separability (|I|, dim V) and κ_V, S_GN,N into summary.json and metrics.csv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'i9-sep-'));
  try {
    // degenerate data: I = ∅, dim V = 1
    const cfg = resolveConfig({ data: { kind: 'degenerate', m: 20, d: 5, p: 0.3 }, model: { depth: 3, width: 10 }, loss: 'logistic', c: 2, steps: 10, record: { every: 5, denseUntil: 0 }, curvature: { every: 5, restricted: true } });
    await executeRun(cfg, dir, { saveWeights: false });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.separability.separableCount, 0);
    assert.equal(summary.separability.nonSeparableCount, 20);
    assert.equal(summary.separability.nonSeparableDim, 1);
    assert.equal(summary.separability.separable, false);
    assert.equal(summary.separability.certificates.verified, true);
    assert.ok(summary.separability.certificates.dualResidual < 1e-9);
    assert.equal(summary.separability.certificates.dualStatus, 'optimal');
    assert.ok(relErr(summary.kappaNonSepFinal, summary.lambdaFinal) < 1e-8);
    assert.ok(relErr(summary.kappaNonSep0, summary.lambda0) < 1e-8);
    assert.ok(summary.solver.kappaNonSepFinal.iterations > 0);
    const header = readFileSync(join(dir, 'metrics.csv'), 'utf8').split('\n')[0].split(',');
    for (const col of ['kappaNonSep', 'sharpnessGNNonSep', 'kappaNonSepConverged', 'sharpnessGNNonSepConverged', 'betaCurvatureNonSep']) assert.ok(header.includes(col), col);
    // without restricted curvature there is no separability block
    const plain = resolveConfig({ ...cfg, curvature: { ...cfg.curvature, restricted: false } });
    const dir2 = join(dir, 'plain');
    await executeRun(plain, dir2, { saveWeights: false });
    const s2 = JSON.parse(readFileSync(join(dir2, 'summary.json'), 'utf8'));
    assert.equal(s2.separability, undefined);
    assert.equal(s2.kappaNonSepFinal, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
