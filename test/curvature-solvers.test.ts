import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denseOperator, lanczosTop, powerIteration, scaledOperator, symmetricEigen } from '../src/curvature/index.ts';
import type { LinearOperator } from '../src/curvature/index.ts';
import { Rng } from '../src/linalg/prng.ts';

/** Symmetric n×n with N(0,1) entries (GOE-like): indefinite, no spectral gap to speak of. */
function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      A[i * n + j] = x;
      A[j * n + i] = x;
    }
  }
  return A;
}

/** Q diag(d) Q with the Householder reflection Q = I − 2uuᵀ/uᵀu (symmetric, orthogonal). */
function knownSpectrum(d: number[], seed: number): Float64Array {
  const n = d.length;
  const u = new Rng(seed).fillNormal(new Float64Array(n));
  const uu = u.reduce((s, x) => s + x * x, 0);
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] = (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * d[k] * Q[j * n + k];
      A[i * n + j] = s;
    }
  }
  // Make it exactly symmetric (the sums above round differently for (i,j) and (j,i)).
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  return A;
}

function matvec(A: Float64Array, n: number, x: Float64Array): Float64Array {
  const out = new Float64Array(n);
  denseOperator(A, n).apply(x, out);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function dotp(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function relErr(x: number, ref: number): number {
  return Math.abs(x - ref) / Math.abs(ref);
}

/** An operator that counts its matvecs. */
function counting(op: LinearOperator): LinearOperator & { calls: number } {
  const c = {
    dim: op.dim,
    calls: 0,
    apply(x: Float64Array, out: Float64Array) {
      c.calls++;
      op.apply(x, out);
    },
  };
  return c;
}

test('jacobi: A v = λ v, orthonormal eigenvectors, descending values on random symmetric matrices', () => {
  let worstRes = 0;
  let worstOrth = 0;
  for (const n of [1, 2, 3, 10, 60, 150]) {
    const A = randomSymmetric(n, 100 + n);
    const { values, vectors } = symmetricEigen(A, n);
    for (let j = 0; j + 1 < n; j++) assert.ok(values[j] >= values[j + 1], 'descending');
    for (let j = 0; j < n; j++) {
      const v = vectors.subarray(j * n, (j + 1) * n);
      const Av = matvec(A, n, v);
      for (let i = 0; i < n; i++) worstRes = Math.max(worstRes, Math.abs(Av[i] - values[j] * v[i]));
      for (let l = 0; l < n; l++) {
        const g = dotp(v, vectors.subarray(l * n, (l + 1) * n));
        worstOrth = Math.max(worstOrth, Math.abs(g - (l === j ? 1 : 0)));
      }
    }
  }
  assert.ok(worstRes < 1e-10, `max |Av − λv| = ${worstRes}`);
  assert.ok(worstOrth < 1e-12, `max |VᵀV − I| = ${worstOrth}`);
});

test('jacobi: recovers a known spectrum (indefinite, with a repeated eigenvalue) to 1e-12', () => {
  const rng = new Rng(7);
  const d = Array.from({ length: 80 }, () => 10 * (rng.uniform() - 0.4));
  d[5] = d[6] = d[7] = 3.25; // triple eigenvalue
  d[10] = 0;
  const A = knownSpectrum(d, 8);
  const { values } = symmetricEigen(A, d.length);
  const expected = [...d].sort((a, b) => b - a);
  const err = maxAbsDiff(values, expected) / Math.max(...d.map(Math.abs));
  assert.ok(err < 1e-12, `relative eigenvalue error ${err}`);
});

test('jacobi: trivial sizes and invalid input', () => {
  assert.deepEqual(symmetricEigen(new Float64Array(0), 0).values, new Float64Array(0));
  const z = symmetricEigen(new Float64Array(4), 2);
  assert.deepEqual([...z.values], [0, 0]);
  assert.deepEqual([...z.vectors], [1, 0, 0, 1]);
  assert.throws(() => symmetricEigen(new Float64Array(5), 2), RangeError);
  assert.throws(() => symmetricEigen(new Float64Array(4), 1.5), RangeError);
  assert.throws(() => symmetricEigen(Float64Array.from([1, NaN, NaN, 1]), 2), RangeError);
  assert.throws(() => symmetricEigen(Float64Array.from([1, Infinity, Infinity, 1]), 2), RangeError);
  assert.throws(() => symmetricEigen(Float64Array.from([1, 2, 3, 1]), 2), RangeError);
});

test('lanczos: top and bottom algebraic eigenvalue of indefinite matrices (n = 50, 200) vs jacobi', () => {
  for (const n of [50, 200]) {
    for (const seed of [1, 2]) {
      const A = randomSymmetric(n, 1000 * seed + n);
      const ref = symmetricEigen(A, n).values;
      assert.ok(ref[0] > 0 && ref[n - 1] < 0, 'indefinite');
      const op = denseOperator(A, n);
      for (const which of ['largest', 'smallest'] as const) {
        const r = lanczosTop(op, { which });
        const expected = which === 'largest' ? ref[0] : ref[n - 1];
        assert.ok(relErr(r.value, expected) < 1e-9, `n=${n} ${which}: ${r.value} vs ${expected}`);
        assert.equal(r.converged, true, `n=${n} ${which} converged`);
        assert.ok(r.residual <= 1e-8 * Math.abs(r.value), `residual ${r.residual}`);
        // The reported residual is the true one.
        const Av = matvec(A, n, r.vector);
        const res = Math.hypot(...Av.map((x, i) => x - r.value * r.vector[i]));
        assert.ok(Math.abs(res - r.residual) <= 1e-12 * Math.abs(r.value));
        assert.ok(Math.abs(dotp(r.vector, r.vector) - 1) < 1e-14, 'unit vector');
        assert.ok(r.iterations <= Math.min(n, 80) + 1);
      }
    }
  }
});

test('lanczos: top algebraic (not largest magnitude) when the negative side dominates', () => {
  const d = [2, 1, 0.5, -1, -3, -50, -80];
  const A = knownSpectrum(d, 3);
  const r = lanczosTop(denseOperator(A, d.length));
  assert.ok(relErr(r.value, 2) < 1e-12, `${r.value}`);
  const s = lanczosTop(denseOperator(A, d.length), { which: 'smallest' });
  assert.ok(relErr(s.value, -80) < 1e-12, `${s.value}`);
  // largest of −A is −(smallest of A)
  const neg = lanczosTop(scaledOperator(denseOperator(A, d.length), -1));
  assert.ok(relErr(neg.value, 80) < 1e-12, `${neg.value}`);
});

test('lanczos: top-3 and bottom-3 eigenpairs vs jacobi', () => {
  const n = 120;
  const A = randomSymmetric(n, 31);
  const ref = symmetricEigen(A, n);
  const op = denseOperator(A, n);
  for (const which of ['largest', 'smallest'] as const) {
    const r = lanczosTop(op, { k: 3, which, maxIter: n });
    assert.equal(r.values.length, 3);
    assert.equal(r.converged, true);
    for (let c = 0; c < 3; c++) {
      const idx = which === 'largest' ? c : n - 1 - c;
      assert.ok(relErr(r.values[c], ref.values[idx]) < 1e-9, `${which} #${c}: ${r.values[c]} vs ${ref.values[idx]}`);
      assert.ok(r.residuals[c] <= 1e-8 * Math.abs(r.values[c]));
      // Eigenvectors agree up to sign (the eigenvalues here are simple).
      const align = Math.abs(dotp(r.vectors[c], ref.vectors.subarray(idx * n, (idx + 1) * n)));
      assert.ok(1 - align < 1e-9, `alignment ${align}`);
    }
    assert.equal(r.value, r.values[0]);
    assert.equal(r.vector, r.vectors[0]);
    assert.equal(r.residual, r.residuals[0]);
  }
});

test('lanczos: rank-one operator λ·11ᵀ is exact after two steps (invariant subspace)', () => {
  const n = 100;
  const lambda = 2.5;
  const ones = new Float64Array(n).fill(1);
  const op = counting({
    dim: n,
    apply(x, out) {
      out.fill(lambda * dotp(ones, x));
    },
  });
  const r = lanczosTop(op);
  assert.ok(relErr(r.value, lambda * n) < 1e-14, `${r.value}`);
  assert.equal(r.iterations, 3); // two Lanczos steps + residual check
  assert.equal(op.calls, r.iterations);
  assert.equal(r.converged, true);
  assert.ok(Math.abs(Math.abs(r.vector[0]) - 1 / Math.sqrt(n)) < 1e-14);

  const warm = lanczosTop(op, { start: ones });
  assert.ok(relErr(warm.value, lambda * n) < 1e-14);
  assert.equal(warm.iterations, 2);

  // Beyond the invariant subspace Lanczos continues from a fresh direction: the 0 eigenvalue.
  const top2 = lanczosTop(op, { k: 2 });
  assert.ok(relErr(top2.values[0], lambda * n) < 1e-14);
  assert.ok(Math.abs(top2.values[1]) < 1e-12 * lambda * n, `${top2.values[1]}`);
  assert.ok(top2.residuals[1] < 1e-12 * lambda * n);
});

test('lanczos and power iteration: dim = 1', () => {
  const op = denseOperator(Float64Array.from([-3]), 1);
  for (const which of ['largest', 'smallest'] as const) {
    const r = lanczosTop(op, { which });
    assert.equal(r.value, -3);
    assert.equal(Math.abs(r.vector[0]), 1);
    assert.equal(r.residual, 0);
    assert.equal(r.converged, true);
    assert.equal(r.iterations, 2);
  }
  const p = powerIteration(op);
  assert.equal(p.value, -3);
  assert.equal(p.residual, 0);
  assert.equal(p.converged, true);
  assert.equal(p.iterations, 1);
});

test('power iteration: top eigenvalue of a PSD matrix vs jacobi', () => {
  const n = 60;
  const rng = new Rng(5);
  const B = rng.fillNormal(new Float64Array(n * 2 * n));
  const A = new Float64Array(n * n); // A = B Bᵀ / 2n, Wishart, PSD
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < 2 * n; k++) s += B[i * 2 * n + k] * B[j * 2 * n + k];
      A[i * n + j] = s / (2 * n);
    }
  }
  const ref = symmetricEigen(A, n).values;
  const p = powerIteration(denseOperator(A, n), { maxIter: 5000 });
  assert.equal(p.converged, true, `residual ${p.residual} after ${p.iterations}`);
  assert.ok(relErr(p.value, ref[0]) < 1e-9, `${p.value} vs ${ref[0]}`);
  assert.ok(p.residual <= 1e-10 * p.value);
  const l = lanczosTop(denseOperator(A, n));
  assert.ok(relErr(l.value, ref[0]) < 1e-9);
  assert.ok(l.iterations < p.iterations, `lanczos ${l.iterations} vs power ${p.iterations}`);

  // Warm start after a small perturbation.
  const A2 = A.map((a, i) => a + 1e-4 * Math.cos(Math.floor(i / n) + (i % n))); // symmetric
  const cold = powerIteration(denseOperator(A2, n), { maxIter: 5000 });
  const warm = powerIteration(denseOperator(A2, n), { maxIter: 5000, start: p.vector });
  assert.ok(cold.converged && warm.converged);
  assert.ok(relErr(warm.value, cold.value) < 1e-9);
  assert.ok(warm.iterations < cold.iterations, `power warm ${warm.iterations} vs cold ${cold.iterations}`);
});

test('power iteration: largest magnitude, signed', () => {
  const A = knownSpectrum([2, 1, -0.5, -6], 9);
  const p = powerIteration(denseOperator(A, 4));
  assert.ok(relErr(p.value, -6) < 1e-12, `${p.value}`);
  assert.equal(p.converged, true);
});

test('warm start from the previous eigenvector cuts iterations after a small perturbation', () => {
  const n = 200;
  const A = randomSymmetric(n, 77);
  const cold0 = lanczosTop(denseOperator(A, n), { maxIter: n });
  const E = randomSymmetric(n, 78);
  const A2 = A.map((a, i) => a + 1e-4 * E[i]);
  const ref = symmetricEigen(A2, n).values[0];
  const cold = lanczosTop(denseOperator(A2, n), { maxIter: n });
  const warm = lanczosTop(denseOperator(A2, n), { maxIter: n, start: cold0.vector });
  assert.ok(cold.converged && warm.converged);
  assert.ok(relErr(warm.value, ref) < 1e-9 && relErr(cold.value, ref) < 1e-9);
  assert.ok(warm.iterations < cold.iterations, `warm ${warm.iterations} vs cold ${cold.iterations}`);

});

test('deterministic: identical inputs give bit-identical outputs; the seed matters', () => {
  const n = 80;
  const op = denseOperator(randomSymmetric(n, 12), n);
  const bits = (v: Float64Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const a = lanczosTop(op, { k: 2, seed: 3 });
  const b = lanczosTop(op, { k: 2, seed: 3 });
  assert.ok(Object.is(a.value, b.value) && a.iterations === b.iterations && a.residual === b.residual);
  assert.deepEqual(a.values, b.values);
  for (let c = 0; c < 2; c++) assert.ok(bits(a.vectors[c]).equals(bits(b.vectors[c])));
  const c = lanczosTop(op, { k: 2, seed: 4 });
  assert.ok(!bits(a.vector).equals(bits(c.vector)));
  const p = powerIteration(op, { seed: 3, maxIter: 50 });
  const q = powerIteration(op, { seed: 3, maxIter: 50 });
  assert.ok(Object.is(p.value, q.value) && bits(p.vector).equals(bits(q.vector)));
});

test('too few iterations on a hard matrix: converged = false, honest residual', () => {
  const n = 200;
  const A = randomSymmetric(n, 99);
  const ref = symmetricEigen(A, n).values[0];
  const r = lanczosTop(denseOperator(A, n), { maxIter: 2 });
  assert.equal(r.converged, false);
  assert.equal(r.iterations, 3);
  assert.ok(r.value < ref, 'Ritz values lie inside the spectrum');
  assert.ok(r.residual > 1e-8 * Math.abs(r.value), `${r.residual}`);
  const p = powerIteration(denseOperator(A, n), { maxIter: 10 });
  assert.equal(p.converged, false);
  assert.equal(p.iterations, 10);
});

test('lanczos and power iteration: invalid options', () => {
  const op = denseOperator(randomSymmetric(4, 1), 4);
  assert.throws(() => lanczosTop(op, { start: new Float64Array(3).fill(1) }), RangeError);
  assert.throws(() => lanczosTop(op, { start: new Float64Array(4) }), RangeError);
  assert.throws(() => lanczosTop(op, { k: 3, maxIter: 2 }), RangeError);
  assert.throws(() => lanczosTop(op, { maxIter: 0 }), RangeError);
  assert.throws(() => lanczosTop(op, { tol: -1 }), RangeError);
  assert.throws(() => lanczosTop({ dim: 0, apply() {} }), RangeError);
  assert.throws(() => powerIteration(op, { maxIter: 1.5 }), RangeError);
  assert.throws(() => lanczosTop({ dim: 2, apply: (_x, out) => out.fill(NaN) }), /non-finite/);
});
