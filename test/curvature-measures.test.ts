/**
 * The model curvatures of theory §4 and §7 against dense references built from explicit Jacobians
 * (Θ = J Jᵀ) and Jacobi: Gauss–Newton sharpness, and the non-separable-subspace measures κ_V and S_GN,N.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset, type Dataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { symmetricEigen } from '../src/curvature/jacobi.ts';
import { measureCurvature } from '../src/curvature/modelOperators.ts';
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
