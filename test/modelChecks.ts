import assert from 'node:assert/strict';
import type { Dataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import type { Loss } from '../src/losses/losses.ts';
import type { AnyModel } from '../src/models/model.ts';
import { maxRelErrVec } from './helpers.ts';

/**
 * The derivative checks every model must pass (any implementation of src/models/model.ts), against independent
 * references: central differences of the loss, a dense finite-difference Hessian, the explicit Jacobian Gram.
 * Each returns the worst relative error (for diagnostics) and asserts it is below `tol`.
 */
export function checkGradient(model: AnyModel, theta: Float64Array, data: Dataset, loss: Loss, tol = 1e-6, h = 1e-5): number {
  const ev = model.evaluate(theta, data, loss);
  const g = model.gradient(ev);
  const fd = new Float64Array(model.numParams);
  for (let i = 0; i < model.numParams; i++) {
    const t = theta.slice();
    t[i] += h;
    const up = model.evaluate(t, data, loss).value;
    t[i] -= 2 * h;
    const dn = model.evaluate(t, data, loss).value;
    fd[i] = (up - dn) / (2 * h);
  }
  const err = maxRelErrVec(g, fd);
  assert.ok(err < tol, `${model.kind}: max relative gradient error ${err}`);
  const dense = Math.hypot(...g);
  assert.ok(Math.abs(model.gradNorm(ev) - dense) <= 1e-12 * dense + 1e-300, `${model.kind}: gradNorm ${model.gradNorm(ev)} vs ‖gradient‖ ${dense}`);
  // descend is θ − η∇L
  const t = model.allocParams(theta);
  const ev2 = model.evaluate(t, data, loss);
  model.descend(ev2, 0.1);
  const expect = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) expect[i] = theta[i] - 0.1 * g[i];
  assert.ok(maxRelErrVec(t, expect) < 1e-12, `${model.kind}: descend differs from θ − η∇L`);
  return err;
}

export function checkHvp(model: AnyModel, theta: Float64Array, data: Dataset, loss: Loss, tol = 1e-6, h = 1e-5): number {
  const P = model.numParams;
  const ev = model.evaluate(theta, data, loss);
  const H = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    const t = theta.slice();
    t[j] += h;
    const gp = model.gradient(model.evaluate(t, data, loss));
    t[j] -= 2 * h;
    const gm = model.gradient(model.evaluate(t, data, loss));
    for (let i = 0; i < P; i++) H[i * P + j] = (gp[i] - gm[i]) / (2 * h);
  }
  const rng = new Rng(1);
  let worst = 0;
  for (let trial = 0; trial < 3; trial++) {
    const dir = rng.fillNormal(new Float64Array(P));
    const hv = model.hvp(ev, dir);
    const ref = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      let s = 0;
      for (let j = 0; j < P; j++) s += H[i * P + j] * dir[j];
      ref[i] = s;
    }
    worst = Math.max(worst, maxRelErrVec(hv, ref));
  }
  assert.ok(worst < tol, `${model.kind}: HVP relative error ${worst}`);
  return worst;
}

/** ntkApply vs J Jᵀ u from jacobianRow; jacobianRow vs central differences of f. */
export function checkNtk(model: AnyModel, theta: Float64Array, data: Dataset, loss: Loss, tol = 1e-12): number {
  const ev = model.evaluate(theta, data, loss);
  const d = data.d;
  const J = Array.from({ length: data.m }, (_, a) => model.jacobianRow(theta, Float64Array.from(data.X.subarray(a * d, (a + 1) * d))));
  const u = new Rng(8).fillNormal(new Float64Array(data.m));
  const out = new Float64Array(data.m);
  model.ntkApply(ev, u, out);
  const ref = new Float64Array(data.m);
  for (let a = 0; a < data.m; a++) {
    for (let b = 0; b < data.m; b++) {
      let s = 0;
      for (let i = 0; i < model.numParams; i++) s += J[a][i] * J[b][i];
      ref[a] += s * u[b];
    }
  }
  const err = maxRelErrVec(out, ref);
  assert.ok(err < tol, `${model.kind}: NTK matvec error ${err}`);
  checkJacobianRow(model, theta, data, J[0], 1e-6);
  return err;
}

/**
 * jacobianRow(θ, x_0) against central differences of f(x_0) (x_0 = the first row of `data`); pass J to reuse one
 * already computed. Entry i must agree to tol·max(1, |J_i|).
 */
export function checkJacobianRow(model: AnyModel, theta: Float64Array, data: Dataset, J = model.jacobianRow(theta, Float64Array.from(data.X.subarray(0, data.d))), tol = 1e-7): void {
  const h = 1e-6;
  for (let i = 0; i < model.numParams; i++) {
    const t = theta.slice();
    t[i] += h;
    const up = model.predict(t, data)[0];
    t[i] -= 2 * h;
    const dn = model.predict(t, data)[0];
    assert.ok(Math.abs((up - dn) / (2 * h) - J[i]) < tol * Math.max(1, Math.abs(J[i])), `${model.kind}: Jacobian entry ${i}`);
  }
}
