/**
 * The WebAssembly weight kernels (src/linalg/wasm/weightKernelSource.ts) against their JS forms in blas.ts, bit for
 * bit, and whole networks with θ in a workspace against plain arrays: the backend must never change a result.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as blas from '../src/linalg/blas.ts';
import * as rowOps from '../src/linalg/rowOps.ts';
import { createWorkspace, workspaceOf, workspacesAvailable } from '../src/linalg/wasm/workspace.ts';
import { setKernelBackend } from '../src/models/passes.ts';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { gaussianInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { Rng } from '../src/linalg/prng.ts';
import { KrylovBasis, lanczosTop } from '../src/curvature/lanczos.ts';
import { hessianOperator } from '../src/curvature/modelOperators.ts';

const skip = !workspacesAvailable();
afterEach(() => setKernelBackend('auto'));

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
}

/** Normal entries with exact zeros and −0 (the zero-skipping rules must agree too), and optionally NaN/±∞. */
function vec(n: number, rng: Rng, zeros = 0.2, special = 0): Float64Array {
  const v = rng.fillNormal(new Float64Array(n));
  for (let i = 0; i < n; i++) if (rng.uniform() < zeros) v[i] = rng.uniform() < 0.5 ? 0 : -0;
  for (let i = 0; i < n; i++) if (rng.uniform() < special) v[i] = [NaN, Infinity, -Infinity, 5e-324][Math.floor(rng.uniform() * 4)];
  return v;
}

/** A matrix in a workspace and the same matrix as a plain array. */
function pair(rows: number, cols: number, rng: Rng): [Float64Array, Float64Array] {
  const ws = createWorkspace(rows * cols + 3, 1, 8 * 8 * (rows + cols + 64));
  assert.ok(ws !== null);
  const A = ws.vectors[0];
  A.set(vec(A.length, rng, 0.1));
  return [A, A.slice()];
}

const SHAPES: [number, number][] = [[1, 1], [3, 7], [5, 8], [4, 9], [7, 17], [33, 31], [16, 64], [9, 123], [70, 90]];


test('gemv, gemvT, addRowsScaled: wasm = JS, bit for bit', { skip }, () => {
  setKernelBackend('wasm');
  const rng = new Rng(1);
  for (const [rows, cols] of SHAPES) {
    const [A, Aj] = pair(rows, cols, rng);
    const ao = 3 % (A.length - rows * cols + 1);
    const x = vec(cols, rng), xr = vec(rows, rng, 0.3);
    const alpha = rng.normal();
    sameBits(rowOps.gemv(rows, cols, alpha, A, ao, x, new Float64Array(rows)), blas.gemv(rows, cols, alpha, Aj, ao, x, new Float64Array(rows)), `gemv ${rows}×${cols}`);
    sameBits(rowOps.gemvT(rows, cols, alpha, A, ao, xr, new Float64Array(cols)), blas.gemvT(rows, cols, alpha, Aj, ao, xr, new Float64Array(cols)), `gemvT ${rows}×${cols}`);
    const o1 = vec(cols, rng), o2 = o1.slice();
    rowOps.addRowsScaled(rows, cols, alpha, A, ao, xr, o1);
    blas.addRowsScaled(rows, cols, alpha, Aj, ao, xr, o2);
    sameBits(o1, o2, `addRowsScaled ${rows}×${cols}`);
    sameBits(A, Aj, 'A unchanged');
  }
});

test('rowsDotThenAxpy: wasm = JS (dots and updated rows), bit for bit, zero and NaN coefficients included', { skip }, () => {
  setKernelBackend('wasm');
  const rng = new Rng(2);
  for (const [rows, cols] of SHAPES) {
    const [A, Aj] = pair(rows, cols, rng);
    const x = vec(cols, rng);
    const coef = vec(rows, rng, 0.3);
    if (rows > 2) coef[1] = NaN;
    const o1 = new Float64Array(rows), o2 = new Float64Array(rows);
    rowOps.rowsDotThenAxpy(rows, cols, A, 2 % (A.length - rows * cols + 1), x, coef, o1);
    blas.rowsDotThenAxpy(rows, cols, Aj, 2 % (A.length - rows * cols + 1), x, coef, o2);
    sameBits(o1, o2, `dots ${rows}×${cols}`);
    sameBits(A, Aj, `updated rows ${rows}×${cols}`);
  }
});

test('setRankTwoRows: wasm = JS, bit for bit, zero coefficients and −0 included', { skip }, () => {
  setKernelBackend('wasm');
  const rng = new Rng(3);
  for (const [rows, cols] of SHAPES) {
    const [Y, Yj] = pair(rows, cols, rng);
    const x = vec(cols, rng), z = vec(cols, rng);
    const a = vec(rows, rng, 0.3), b = vec(rows, rng, 0.3);
    rowOps.setRankTwoRows(rows, cols, a, x, b, z, Y, 1 % (Y.length - rows * cols + 1));
    blas.setRankTwoRows(rows, cols, a, x, b, z, Yj, 1 % (Y.length - rows * cols + 1));
    sameBits(Y, Yj, `rank two ${rows}×${cols}`);
  }
});

test('a network with θ in a workspace gives the same bits as with plain arrays: steps, HVP, NTK, Lanczos', { skip }, () => {
  for (const [d, width, depth, m] of [[13, 21, 2, 30], [37, 29, 3, 40], [24, 33, 4, 25]]) {
    const rng = new Rng(10 + depth);
    const X = rng.fillNormal(new Float64Array(m * d));
    const y = new Float64Array(m).map(() => (rng.uniform() < 0.5 ? -1 : 1));
    const data = makeDataset(X, y, d, 'random');
    const model = new DeepLinear({ d, width, depth });
    const loss = getLoss('logistic');
    const init = gaussianInit(model, 3);
    const run = (backend: 'js' | 'wasm') => {
      setKernelBackend(backend);
      const theta = model.allocParams(init);
      assert.equal(workspaceOf(theta) !== null, backend === 'wasm', 'θ placement follows the backend');
      const losses: number[] = [];
      for (let t = 0; t < 15; t++) {
        const ev = model.evaluate(theta, data, loss);
        losses.push(ev.value);
        model.descend(ev, 0.7);
      }
      const ev = model.evaluate(theta, data, loss);
      const dir = new Rng(5).fillNormal(new Float64Array(model.numParams));
      const hvPlain = model.hvp(ev, dir);
      const resident = model.allocParams(dir);
      const hvResident = model.hvp(ev, resident, model.allocParams());
      const u = new Rng(6).fillNormal(new Float64Array(m));
      const ntk = new Float64Array(m);
      model.ntkApply(ev, u, ntk);
      const top = lanczosTop(hessianOperator(model, ev), { maxIter: 20, seed: 1 });
      return { theta: theta.slice(), losses, hvPlain, hvResident: hvResident.slice(), ntk, top: top.value };
    };
    const js = run('js'), wasm = run('wasm');
    const what = `d=${d} width=${width} depth=${depth}`;
    sameBits(wasm.losses, js.losses, `${what}: losses over 15 steps`);
    sameBits(wasm.theta, js.theta, `${what}: θ after 15 steps`);
    sameBits(wasm.hvPlain, js.hvPlain, `${what}: HVP (plain arguments)`);
    sameBits(wasm.hvResident, js.hvPlain, `${what}: HVP (resident arguments)`);
    sameBits(wasm.ntk, js.ntk, `${what}: NTK matvec`);
    assert.ok(Object.is(wasm.top, js.top), `${what}: Hessian top eigenvalue ${wasm.top} vs ${js.top}`);
  }
});

test('workspaces: views never detach, subarrays keep their memory, each workspace has its own memory', { skip }, () => {
  const a = createWorkspace(1000, 2, 4096)!, b = createWorkspace(1000, 1, 4096)!;
  assert.notEqual(a.memory, b.memory);
  const [v0, v1] = a.vectors;
  v0.fill(1);
  v1.fill(2);
  assert.equal(workspaceOf(v0), a);
  assert.equal(workspaceOf(v1.subarray(10, 20)), a);
  assert.equal(workspaceOf(b.vectors[0]), b);
  assert.equal(workspaceOf(new Float64Array(5)), null);
  for (let k = 0; k < 100; k++) a.put(new Float64Array(8), 8), a.resetScratch();
  assert.equal(v0.length, 1000);
  assert.equal(v0[999] + v1[0], 3, 'vectors are untouched by scratch use');
  assert.throws(() => a.alloc(1 << 20), /scratch overflow/);
});

test('Lanczos basis: wasm workspace, JS matrix and separate arrays give the same bits', { skip }, () => {
  const n = 301, m = 12;
  const run = (backend: 'js' | 'wasm', maxStoreBytes?: number) => {
    setKernelBackend(backend);
    const K = new KrylovBasis(n, m, maxStoreBytes);
    const rng = new Rng(4);
    const h = new Float64Array(m);
    const out: number[] = [];
    const q0 = K.row(0);
    rng.fillNormal(q0);
    const n0 = Math.hypot(...q0);
    for (let i = 0; i < n; i++) q0[i] /= n0;
    for (let j = 1; j < m; j++) {
      rng.fillNormal(K.w);
      for (let i = 0; i < n; i += 7) K.w[i] = 0;
      out.push(K.orthogonalize(j, h));
      const q = K.row(j);
      q.set(K.w);
      const nq = Math.hypot(...q);
      for (let i = 0; i < n; i++) q[i] /= nq;
    }
    const extra = rng.fillNormal(new Float64Array(n));
    out.push(K.project(m, extra, h, 2));
    for (let i = 0; i < m; i++) {
      const qi = K.row(i);
      const c = qi.reduce((acc, v, k) => acc + v * extra[k], 0);
      assert.ok(Math.abs(c) < 1e-13, `projected vector · q_${i} = ${c}`);
    }
    const s = rng.fillNormal(new Float64Array(m));
    s[3] = 0;
    return [...out, ...extra, ...K.combine(s)];
  };
  const wasm = run('wasm'), js = run('js'), separate = run('js', 0);
  sameBits(wasm, js, 'workspace vs JS matrix');
  sameBits(separate, js, 'separate arrays vs JS matrix');
});

test('lanczosTop gives the same bits with its basis in a workspace (breakdown restart included)', { skip }, () => {
  // rank-3 operator on R^40: the Krylov space is invariant after 3 steps, so Lanczos restarts from a random vector
  const n = 40, rng = new Rng(8);
  const U = Array.from({ length: 3 }, () => rng.fillNormal(new Float64Array(n)));
  const op = { dim: n, apply(x: Float64Array, y: Float64Array) {
    y.fill(0);
    U.forEach((u, k) => { const c = (k + 1) * u.reduce((s, ui, i) => s + ui * x[i], 0); for (let i = 0; i < n; i++) y[i] += c * u[i]; });
  } };
  const solve = (backend: 'js' | 'wasm') => {
    setKernelBackend(backend);
    const r = lanczosTop(op, { maxIter: 10, k: 2, tol: 1e-12, seed: 3 });
    return [...r.values, ...r.residuals, ...r.vectors[0], ...r.vectors[1]];
  };
  sameBits(solve('wasm'), solve('js'), 'lanczosTop');
});

test('row operations agree with NaN, ±∞ and denormals in the matrix, the vectors and the coefficients', { skip }, () => {
  setKernelBackend('wasm');
  const rng = new Rng(40);
  for (const [rows, cols] of SHAPES) {
    const ws = createWorkspace(rows * cols, 1, 8 * 8 * (rows + cols + 64))!;
    const A = ws.vectors[0];
    A.set(vec(A.length, rng, 0.1, 0.05));
    const Aj = A.slice();
    const x = vec(cols, rng, 0.2, 0.1), z = vec(cols, rng, 0.2, 0.1), r = vec(rows, rng, 0.3, 0.1), r2 = vec(rows, rng, 0.3, 0.1);
    const what = `${rows}×${cols}`;
    sameBits(rowOps.gemv(rows, cols, 1.5, A, 0, x, new Float64Array(rows)), blas.gemv(rows, cols, 1.5, Aj, 0, x, new Float64Array(rows)), `gemv ${what}`);
    sameBits(rowOps.gemvT(rows, cols, 1.5, A, 0, r, new Float64Array(cols)), blas.gemvT(rows, cols, 1.5, Aj, 0, r, new Float64Array(cols)), `gemvT ${what}`);
    const o1 = new Float64Array(rows), o2 = new Float64Array(rows);
    rowOps.rowsDotThenAxpy(rows, cols, A, 0, x, r, o1);
    blas.rowsDotThenAxpy(rows, cols, Aj, 0, x, r, o2);
    sameBits(o1, o2, `rowsDotThenAxpy dots ${what}`);
    sameBits(A, Aj, `rowsDotThenAxpy rows ${what}`);
    rowOps.setRankTwoRows(rows, cols, r, x, r2, z, A, 0);
    blas.setRankTwoRows(rows, cols, r, x, r2, z, Aj, 0);
    sameBits(A, Aj, `setRankTwoRows ${what}`);
  }
});

test('row operations: an input vector in the matrix\'s own workspace is used in place; bad shapes are errors', { skip }, () => {
  setKernelBackend('wasm');
  const rows = 6, cols = 37, rng = new Rng(41);
  const ws = createWorkspace(rows * cols + cols, 1, 8 * 8 * (rows + cols + 64))!;
  const V = ws.vectors[0];
  V.set(vec(V.length, rng));
  const x = V.subarray(rows * cols); // after the matrix block, same memory
  const ref = blas.gemv(rows, cols, 2, V.slice(), 0, x.slice(), new Float64Array(rows));
  sameBits(rowOps.gemv(rows, cols, 2, V, 0, x, new Float64Array(rows)), ref, 'gemv with a resident input');
  const out = new Float64Array(rows);
  assert.throws(() => rowOps.gemv(rows + 2, cols, 1, V, 0, x, new Float64Array(rows + 2)), /does not fit/);
  assert.throws(() => rowOps.gemv(rows, cols, 1, V, 0, new Float64Array(cols - 1), out), /length 36 where 37/);
  assert.throws(() => rowOps.setRankTwoRows(rows, cols, new Float64Array(rows), x, new Float64Array(rows - 1), x, V, 0), /where 6/);
  setKernelBackend('js');
  assert.throws(() => rowOps.addRowsScaled(rows, cols, 1, V, cols + 1, new Float64Array(rows), new Float64Array(cols)), /does not fit/);
});

test('workspaces above 2 GB: scratch addresses past 2^31 work (unsigned arithmetic)', { skip }, (t) => {
  setKernelBackend('wasm');
  const n = 2 ** 28 + 64; // a 2 GB vector: the scratch starts above 2^31
  const ws = createWorkspace(n, 1, 8 * 8 * 200);
  if (ws === null) {
    t.skip('could not allocate a 2 GB wasm memory here: the test did not run');
    return;
  }
  const rows = 4, cols = 16;
  const A = ws.vectors[0].subarray(n - rows * cols);
  for (let i = 0; i < A.length; i++) A[i] = (i % 7) - 2.5;
  const x = Float64Array.from({ length: cols }, (_, j) => j + 1), r = Float64Array.of(1, -2, 3, 0);
  sameBits(rowOps.gemv(rows, cols, 1, A, 0, x, new Float64Array(rows)), blas.gemv(rows, cols, 1, A.slice(), 0, x, new Float64Array(rows)), 'gemv');
  sameBits(rowOps.gemvT(rows, cols, 1, A, 0, r, new Float64Array(cols)), blas.gemvT(rows, cols, 1, A.slice(), 0, r, new Float64Array(cols)), 'gemvT');
});

test('lanczosTop reuses its basis between solves without carrying anything over', () => {
  const n = 50;
  const sym = (seed: number) => {
    const r = new Rng(seed), A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = r.normal();
    return { dim: n, apply(x: Float64Array, y: Float64Array) { for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += A[i * n + j] * x[j]; y[i] = s; } } };
  };
  const a = sym(1), b = sym(2);
  const solve = (op: ReturnType<typeof sym>, seed: number) => {
    const r = lanczosTop(op, { maxIter: 30, k: 2, seed });
    return [...r.values, ...r.residuals, ...r.vectors[0]];
  };
  for (const backend of skip ? (['js'] as const) : (['js', 'wasm'] as const)) {
    setKernelBackend(backend);
    const first = solve(a, 5);
    const allocated = KrylovBasis.allocations;
    solve(b, 9); // same shape: reuses the basis `a` left, and leaves it for the next solve of `a`
    const again = solve(a, 5);
    assert.equal(KrylovBasis.allocations, allocated, `${backend}: the two later solves allocate no basis`);
    sameBits(again, first, `${backend}: a solve after another one on the reused basis`);
  }
});

test('row operations whose vectors do not fit in the scratch fall back to JS (same bits, no error)', { skip }, () => {
  setKernelBackend('wasm');
  const rows = 3, cols = 5000, rng = new Rng(30);
  const ws = createWorkspace(rows * cols, 1, 1024)!; // far too little scratch for vectors of 5000 entries
  const A = ws.vectors[0];
  A.set(rng.fillNormal(new Float64Array(rows * cols)));
  const x = rng.fillNormal(new Float64Array(cols)), y = rng.fillNormal(new Float64Array(rows));
  sameBits(rowOps.gemv(rows, cols, 0.5, A, 0, x, new Float64Array(rows)), blas.gemv(rows, cols, 0.5, A.slice(), 0, x, new Float64Array(rows)), 'gemv');
  sameBits(rowOps.gemvT(rows, cols, 0.5, A, 0, y, new Float64Array(cols)), blas.gemvT(rows, cols, 0.5, A.slice(), 0, y, new Float64Array(cols)), 'gemvT');
});

test('Hessian Lanczos of a wide net (basis in a workspace, HVP rows on it) = JS, bit for bit', { skip }, () => {
  // uv net with 9000 hidden units: the HVP's row operations on a Lanczos basis row need vectors of 9000 entries
  const d = 3, width = 9000, m = 20, rng = new Rng(31);
  const data = makeDataset(rng.fillNormal(new Float64Array(m * d)), new Float64Array(m).map(() => (rng.uniform() < 0.5 ? -1 : 1)), d, 'wide');
  const model = new DeepLinear({ d, width, depth: 2 });
  const init = gaussianInit(model, 2);
  const top = (backend: 'js' | 'auto') => {
    setKernelBackend(backend);
    const ev = model.evaluate(model.allocParams(init), data, getLoss('squared'));
    const r = lanczosTop(hessianOperator(model, ev), { maxIter: 15, seed: 2 });
    return [r.value, r.residual, ...r.vector];
  };
  sameBits(top('auto'), top('js'), 'Hessian top pair');
});
