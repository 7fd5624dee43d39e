import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addRowsScaled, axpy, axpy4, dot, dotLanes8, dotThenAxpy, gemv, gemvT, setRankTwoRow } from '../src/linalg/blas.ts';
import { DeepLinear, type Evaluation } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { rowsDotThenCombine } from '../src/models/passes.ts';
import { Rng } from '../src/linalg/prng.ts';

/** Same bits everywhere (distinguishes −0 from +0 and compares NaN to NaN). */
function assertSameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
}

/** Random vector with some exact zeros (the kernels skip zero coefficients). */
function vec(n: number, rng: Rng, zeros = 0.25): Float64Array {
  const v = rng.fillNormal(new Float64Array(n));
  for (let i = 0; i < n; i++) if (rng.uniform() < zeros) v[i] = 0;
  return v;
}

test('axpy4 = four axpy calls in sequence, bit for bit', () => {
  const rng = new Rng(1);
  for (let n = 0; n <= 11; n++) {
    const x = vec(4 * n + 5, rng);
    const y = vec(n + 3, rng, 0);
    const a = [rng.normal(), rng.normal() * 1e-8, rng.normal() * 1e8, rng.normal()];
    const o = [1, n + 2, 2 * n + 3, 3 * n + 4];
    const ref = y.slice();
    for (let k = 0; k < 4; k++) axpy(n, a[k], x, o[k], ref, 2);
    const got = y.slice();
    axpy4(n, a[0], a[1], a[2], a[3], x, o[0], o[1], o[2], o[3], got, 2);
    assertSameBits(got, ref, `n=${n}`);
  }
});

test('gemvT / addRowsScaled = one axpy per nonzero row in row order (naive loop), bit for bit', () => {
  const rng = new Rng(2);
  for (let rows = 0; rows <= 13; rows++) {
    for (const cols of [0, 1, 2, 3, 5, 8, 17]) {
      const A = vec(rows * cols + 3, rng, 0.05);
      const x = vec(rows, rng, 0.3);
      const alpha = rng.normal();
      const ref = new Float64Array(cols);
      for (let i = 0; i < rows; i++) {
        if (x[i] === 0) continue;
        const c = alpha * x[i];
        for (let j = 0; j < cols; j++) ref[j] = ref[j] + c * A[3 + i * cols + j];
      }
      assertSameBits(gemvT(rows, cols, alpha, A, 3, x, new Float64Array(cols).fill(7)), ref, `gemvT ${rows}×${cols}`);
      // addRowsScaled accumulates onto existing values
      const start = vec(cols, rng, 0);
      const ref2 = start.slice();
      for (let i = 0; i < rows; i++) if (x[i] !== 0) axpy(cols, alpha * x[i], A, 3 + i * cols, ref2, 0);
      const got2 = start.slice();
      addRowsScaled(rows, cols, alpha, A, 3, x, got2);
      assertSameBits(got2, ref2, `addRowsScaled ${rows}×${cols}`);
    }
  }
});

test('dotThenAxpy = dotLanes8 (old values) then axpy, bit for bit', () => {
  const rng = new Rng(3);
  for (let n = 0; n <= 35; n++) {
    const x = vec(n + 1, rng, 0.1);
    const y = vec(n + 4, rng, 0.1);
    for (const a of [0, rng.normal(), -1e-9]) {
      const ref = y.slice();
      const s = dotLanes8(n, ref, 4, x, 1);
      axpy(n, a, x, 1, ref, 4);
      const got = y.slice();
      const t = dotThenAxpy(n, a, x, 1, got, 4);
      assert.ok(Object.is(t, s), `n=${n}: dot ${t} vs ${s}`);
      assertSameBits(got, ref, `n=${n}, a=${a}`);
    }
  }
});

test('setRankTwoRow = fill(0) then axpy(a, x) then axpy(b, z), zero coefficients skipped, bit for bit', () => {
  const rng = new Rng(4);
  for (let n = 0; n <= 9; n++) {
    const x = vec(n, rng, 0.2), z = vec(n, rng, 0.2);
    x[0] = -0; // a·(−0) = −0 only survives the skipped-axpy path
    for (const [a, b] of [[0, 0], [rng.normal(), 0], [0, rng.normal()], [rng.normal(), rng.normal()], [-2, 1e-300]]) {
      const ref = vec(n + 2, rng, 0);
      ref.fill(0, 1, 1 + n);
      if (a !== 0) axpy(n, a, x, 0, ref, 1);
      if (b !== 0) axpy(n, b, z, 0, ref, 1);
      const got = ref.slice();
      got.fill(5, 1, 1 + n);
      setRankTwoRow(n, a, x, b, z, got, 1);
      assertSameBits(got, ref, `n=${n}, a=${a}, b=${b}`);
    }
  }
});

/** The HVP written the straightforward way: backward tangent by two gemvT, two gemv, two rank-one adds. */
function hvpUnfused(model: DeepLinear, ev: Evaluation, dir: Float64Array): Float64Array {
  const { theta, e, data } = ev;
  const L = model.depth;
  const q = model.forward(ev);
  const d2 = model.secondDerivatives(ev);
  const de: Float64Array[] = new Array(L + 1);
  de[L] = new Float64Array(1);
  for (let k = L - 1; k >= 0; k--) {
    const l = model.layers[k];
    const out = gemvT(l.rows, l.cols, l.scale, dir, l.offset, e[k + 1], new Float64Array(l.cols));
    const tmp = gemvT(l.rows, l.cols, l.scale, theta, l.offset, de[k + 1], new Float64Array(l.cols));
    for (let j = 0; j < l.cols; j++) out[j] += tmp[j];
    de[k] = out;
  }
  const count = ev.f.length;
  const inv = 1 / count;
  const dr = new Float64Array(data.d);
  rowsDotThenCombine(data.X, data.d, null, count, de[0], (i, s) => d2[i] * s * inv, dr);
  const dq: Float64Array[] = [dr];
  for (let k = 0; k < L - 1; k++) {
    const l = model.layers[k];
    const a = gemv(l.rows, l.cols, l.scale, dir, l.offset, q[k], new Float64Array(l.rows));
    const b = gemv(l.rows, l.cols, l.scale, theta, l.offset, dq[k], new Float64Array(l.rows));
    for (let i = 0; i < l.rows; i++) a[i] += b[i];
    dq.push(a);
  }
  const out = new Float64Array(model.numParams);
  for (const [u, v] of [[de, q], [e, dq]] as const) {
    for (let k = 0; k < L; k++) {
      const l = model.layers[k];
      for (let i = 0; i < l.rows; i++) {
        const c = 1 * u[k + 1][i] * l.scale;
        if (c !== 0) axpy(l.cols, c, v[k], 0, out, l.offset + i * l.cols);
      }
    }
  }
  return out;
}

test('the fused two-pass HVP is bit-identical to the unfused formulation', () => {
  for (const [d, width, depth, m] of [[5, 3, 2, 7], [37, 29, 3, 40], [20, 33, 4, 25], [9, 17, 5, 11]]) {
    const rng = new Rng(10 + depth);
    const X = rng.fillNormal(new Float64Array(m * d));
    const y = new Float64Array(m).map(() => (rng.uniform() < 0.5 ? -1 : 1));
    const data = makeDataset(X, y, d, 'random');
    const model = new DeepLinear({ d, width, depth });
    const theta = gaussianInit(model, 3);
    for (let i = 0; i < theta.length; i += 5) theta[i] = 0;
    const dir = vec(model.numParams, rng, 0.2);
    const loss = getLoss('logistic');
    const got = model.hvp(model.evaluate(theta, data, loss), dir);
    const ref = hvpUnfused(model, model.evaluate(theta, data, loss), dir);
    assertSameBits(got, ref, `d=${d} width=${width} depth=${depth}`);
  }
});

test('dotLanes8 is the canonical 8-lane order written out naively', () => {
  const rng = new Rng(5);
  for (let n = 0; n <= 41; n++) {
    const x = vec(n + 3, rng, 0.1), y = vec(n + 2, rng, 0.1);
    const D = n - (n % 8);
    const s = new Float64Array(8);
    for (let j = 0; j < D; j++) s[j % 8] = s[j % 8] + x[3 + j] * y[2 + j];
    let t = 0;
    for (let j = D; j < n; j++) t = t + x[3 + j] * y[2 + j];
    const ref = ((s[0] + s[2]) + (s[4] + s[6])) + ((s[1] + s[3]) + (s[5] + s[7])) + t;
    assert.ok(Object.is(dotLanes8(n, x, 3, y, 2), ref), `n=${n}`);
  }
});
