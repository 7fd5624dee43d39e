/**
 * Extreme eigenpairs of a symmetric operator by Lanczos with full reorthogonalization.
 *
 * The Krylov basis q_1..q_j is kept (O(maxIter·dim) memory) and every new vector is
 * orthogonalized against all of it (after the three-term step, one classical Gram–Schmidt pass,
 * repeated when it cancels much: the DGKS test), so no ghost eigenvalues appear and the tridiagonal
 * T_j = QᵀAQ is accurate. No restarts: the basis
 * grows until the Ritz pairs converge or maxIter is reached.
 *
 * Convergence is judged on the cheap estimate ‖A y − θ y‖ = |β_j s_j| (y = Q s a Ritz vector,
 * s_j its last component) every CHECK_EVERY steps (every step early on for big operators); the answer is then verified with one fresh
 * matvec per returned pair, and `residual` / `converged` report that true residual.
 *
 * Limits of any single-vector Krylov method: a start vector with no component along an
 * eigenvector never sees it (e.g. a warm start that is exactly another eigenvector), and of a
 * multiple eigenvalue only one copy is found.
 */
import { axpy, dot, dotLanes8, norm2 } from '../linalg/blas.ts';
import { addRowsScaled, gemv } from '../linalg/rowOps.ts';
import { backendChoice } from '../linalg/wasm/backend.ts';
import { createWorkspace } from '../linalg/wasm/workspace.ts';
import { Rng } from '../linalg/prng.ts';
import { symmetricEigen } from '../linalg/jacobi.ts';
import type { EigResult, LinearOperator } from './operator.ts';

export interface LanczosOptions {
  /** Maximum Krylov dimension (= Lanczos matvecs); default min(dim, 80), capped at dim. */
  maxIter?: number;
  /** Relative residual to stop at: ‖A y − θ y‖ ≤ tol·|θ|. Default 1e-10. */
  tol?: number;
  /** Seed of the random start vector (and of restart vectors after an invariant subspace). Default 0. */
  seed?: number;
  /** Warm start, e.g. the previous eigenvector; random if absent. Copied, not kept. */
  start?: Float64Array;
  /** Which end of the spectrum, algebraically. Default 'largest'. */
  which?: 'largest' | 'smallest';
  /** How many eigenpairs. Default 1. */
  k?: number;
}

export interface LanczosResult extends EigResult {
  /** The k eigenvalues, from the requested end inwards (descending for 'largest', ascending for 'smallest'). */
  values: number[];
  /** Unit eigenvectors matching `values`. */
  vectors: Float64Array[];
  /** True residuals ‖A q − μ q‖ matching `values`. */
  residuals: number[];
}

/** Check convergence every few steps: the small eigenproblem costs O(j³), a matvec may be cheap... */
const CHECK_EVERY = 5;
/**
 * ...but from this dimension on, and while the check is cheap (j ≤ 40: ~2 ms), a step (matvec and sweeps over the
 * basis) costs more than the check, and stopping at the first converged step saves steps.
 */
const CHECK_EVERY_STEP_DIM = 4096;
const CHECK_EVERY_STEP_MAX_J = 40;
/** ‖w‖ ≤ this·‖A q_j‖ after reorthogonalization: A q_j lies in the basis, i.e. an invariant subspace. */
const BREAKDOWN = 1e-12;
/** Stands in for |μ| = 0 in relative tolerances. */
const TINY = 1e-300;
/**
 * Floor of the tolerance behind `converged`. The stopping test uses the estimate |β_j s_j|,
 * which can fall below what a fresh matvec reproduces in floating point (‖A‖·ε·√dim-ish);
 * the flag must not fail for round-off alone.
 */
const CONVERGED_TOL_FLOOR = 1e-8;

/**
 * Top-k algebraic eigenpairs of `op` ('largest', default) or bottom-k ('smallest').
 *
 * `converged` ⇔ every returned pair has true residual ‖A q − μ q‖ ≤ max(tol, 1e-8)·max(|μ|, 1e-300).
 * `iterations` counts all matvecs: the Lanczos steps plus k for the final residuals.
 * Deterministic: the same operator, options and seed give bit-identical results.
 */
export function lanczosTop(op: LinearOperator, opts: LanczosOptions = {}): LanczosResult {
  const n = checkDim(op, 'lanczosTop');
  const m = Math.min(checkCount('lanczosTop', 'maxIter', opts.maxIter ?? 80), n);
  const tol = checkTol('lanczosTop', opts.tol ?? 1e-10);
  const which = opts.which ?? 'largest';
  if (which !== 'largest' && which !== 'smallest') {
    throw new RangeError(`lanczosTop: which must be 'largest' or 'smallest', got ${String(which)}`);
  }
  const k = checkCount('lanczosTop', 'k', opts.k ?? 1);
  if (k > m) throw new RangeError(`lanczosTop: k = ${k} exceeds the Krylov dimension min(maxIter, dim) = ${m}`);
  const store = KrylovBasis.acquire(n, m);
  try {
    return lanczosWith(store, op, n, m, tol, which, k, opts);
  } finally {
    KrylovBasis.release(store);
  }
}

function lanczosWith(store: KrylovBasis, op: LinearOperator, n: number, m: number, tol: number, which: 'largest' | 'smallest', k: number, opts: LanczosOptions): LanczosResult {
  const rng = new Rng(opts.seed ?? 0);
  const alpha: number[] = [];
  /** beta[i] couples q_i and q_{i+1}; 0 where an invariant subspace was found. */
  const beta: number[] = [];
  const w = store.w;
  const h = new Float64Array(m);
  let q = store.row(0);
  q.set(initialVector(n, rng, opts.start, 'lanczosTop'));
  let matvecs = 0;
  let ritz: RitzPairs | undefined;

  for (;;) {
    const j = alpha.length + 1; // q = q_{j−1} is the newest of the j basis vectors (rows of the store)
    op.apply(q, w);
    matvecs++;
    const normAq = norm2(w);
    // The q_j coefficient of A q_j is α_j; the others are β_{j−1} (already in T) and round-off.
    const a = store.orthogonalize(j, h);
    const b = norm2(w);
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error('lanczosTop: operator produced non-finite values');
    const breakdown = b <= BREAKDOWN * normAq;
    alpha.push(a);
    beta.push(breakdown ? 0 : b);

    if (j % (n >= CHECK_EVERY_STEP_DIM && j <= CHECK_EVERY_STEP_MAX_J ? 1 : CHECK_EVERY) === 0 || j === m || breakdown) {
      const pairs = ritzPairs(alpha, beta, which, Math.min(k, j));
      ritz = pairs;
      if (j >= k && pairs.estimates.every((e, i) => e <= tol * Math.max(Math.abs(pairs.values[i]), TINY))) break;
    }
    if (j === m) break;
    if (breakdown) {
      // Eigenpairs outside the invariant subspace are still wanted: continue from a fresh
      // random direction orthogonal to it (T gets a zero coupling, i.e. a new block).
      q = store.row(j);
      rng.fillNormal(q);
      store.project(j, q, h, 2);
    } else {
      q = store.row(j);
      q.set(w);
    }
    const nq = norm2(q);
    for (let i = 0; i < n; i++) q[i] /= nq;
  }

  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const residuals: number[] = [];
  const Ay = new Float64Array(n);
  // The loop only exits right after a check (j === m always checks), so `ritz` matches the final T.
  for (const s of ritz!.coeffs) {
    const y = store.combine(s);
    const ny = norm2(y);
    for (let i = 0; i < n; i++) y[i] /= ny;
    op.apply(y, Ay);
    matvecs++;
    const mu = dot(n, y, 0, Ay, 0);
    values.push(mu);
    vectors.push(y);
    residuals.push(residualNorm(y, Ay, mu));
  }
  return {
    value: values[0],
    vector: vectors[0],
    residual: residuals[0],
    iterations: matvecs,
    converged: values.every((mu, i) => isConverged(residuals[i], mu, tol)),
    values,
    vectors,
    residuals,
  };
}

interface RitzPairs {
  values: number[];
  /** Coordinates of each Ritz vector in the Lanczos basis. */
  coeffs: Float64Array[];
  /** Residual estimates |β_j s_j|. */
  estimates: number[];
}

/** The `count` extreme Ritz pairs of the j×j tridiagonal T (j = alpha.length). */
function ritzPairs(alpha: number[], beta: number[], which: 'largest' | 'smallest', count: number): RitzPairs {
  const j = alpha.length;
  const T = new Float64Array(j * j);
  for (let i = 0; i < j; i++) {
    T[i * j + i] = alpha[i];
    if (i + 1 < j) {
      T[i * j + i + 1] = beta[i];
      T[(i + 1) * j + i] = beta[i];
    }
  }
  const eig = symmetricEigen(T, j); // descending; row r is the eigenvector of values[r]
  const out: RitzPairs = { values: [], coeffs: [], estimates: [] };
  for (let c = 0; c < count; c++) {
    const r = which === 'largest' ? c : j - 1 - c;
    const s = eig.vectors.slice(r * j, (r + 1) * j);
    out.values.push(eig.values[r]);
    out.coeffs.push(s);
    out.estimates.push(Math.abs(beta[j - 1] * s[j - 1]));
  }
  return out;
}

/** A Gram–Schmidt pass is repeated when it leaves less than this fraction of ‖w‖ (Daniel–Gragg–Kaufman–Stewart). */
const DGKS = Math.SQRT1_2;
/** Operators of at least this dimension keep the basis in a wasm workspace in 'auto' mode (SIMD sweeps). */
const WORKSPACE_MIN_DIM = 16384;
/** Bytes of bases kept for reuse between solves (a trainer alternates sample-space and parameter-space solves). */
const SPARE_MAX_BYTES = 512 * 2 ** 20;
/** Largest basis kept in one array (larger ones, or ones a wasm memory cannot hold, use one array per vector). */
const MAX_STORE_BYTES = 2 ** 31;

/**
 * The Lanczos basis q_0..q_{m−1} and the work vector w, as rows of one matrix when it fits (in a wasm workspace for
 * big operators, so that the Gram–Schmidt sweeps run as SIMD kernels on it in place), else as separate arrays.
 * Every path has the arithmetic of rowOps.gemv / rowOps.addRowsScaled (dotLanes8 dots, row-ordered elementwise
 * updates), so where the basis lives does not change any result.
 */
export class KrylovBasis {
  /** The matrix of rows 0..m (row m = w), or null when the rows are separate arrays. */
  private readonly Q: Float64Array | null;
  private readonly rows: Float64Array[];
  readonly w: Float64Array;

  /** Bases allocated by `acquire` so far (a diagnostic: reuse shows as solves that allocate nothing). */
  static allocations = 0;
  /** Bases of finished solves, most recent first, reused by the next solves of the same shape (no fresh pages). */
  private static spares: KrylovBasis[] = [];

  /** A basis for a solve (a spare one when one fits, else a new one); give it back with `release`. */
  static acquire(n: number, m: number): KrylovBasis {
    const resident = KrylovBasis.wantsResident(n);
    const k = KrylovBasis.spares.findIndex((s) => s.n === n && s.m === m && s.resident === resident);
    if (k >= 0) return KrylovBasis.spares.splice(k, 1)[0];
    KrylovBasis.allocations++;
    return new KrylovBasis(n, m);
  }

  /** Keeps b for reuse, within SPARE_MAX_BYTES in all (the least recently used ones are dropped). */
  static release(b: KrylovBasis): void {
    const spares = [b, ...KrylovBasis.spares];
    let total = 0;
    KrylovBasis.spares = spares.filter((s) => (total += 8 * s.n * (s.m + 1)) <= SPARE_MAX_BYTES);
  }

  private static wantsResident(n: number): boolean {
    const choice = backendChoice();
    return choice === 'wasm' || (choice === 'auto' && n >= WORKSPACE_MIN_DIM);
  }

  private readonly resident: boolean;

  /**
   * m basis vectors of dimension n; `maxStoreBytes` (a test hook) caps the one-matrix layout. Rows are written
   * before they are read, so a basis can be reused without clearing.
   */
  constructor(private readonly n: number, private readonly m: number, maxStoreBytes = MAX_STORE_BYTES) {
    const bytes = 8 * n * (m + 1);
    let Q: Float64Array | null = null;
    this.resident = KrylovBasis.wantsResident(n);
    if (bytes <= maxStoreBytes) {
      // Scratch for the row operations of an operator applied to a basis row (a model's HVP works on the rows of
      // its direction, which is a basis row here): four vectors of up to n entries. Untouched pages cost nothing.
      const scratch = 4 * (8 * n + 64);
      Q = (this.resident ? createWorkspace(n * (m + 1), 1, scratch)?.vectors[0] : undefined) ?? new Float64Array(n * (m + 1));
    }
    this.Q = Q;
    this.rows = Array.from({ length: m + 1 }, (_, i) => (Q !== null ? Q.subarray(i * n, (i + 1) * n) : new Float64Array(n)));
    this.w = this.rows[m];
  }

  row(i: number): Float64Array {
    return this.rows[i];
  }

  /** h[k] = q_{i0+k} · v for k < count. */
  private dots(i0: number, count: number, v: Float64Array, h: Float64Array): void {
    if (this.Q !== null) gemv(count, this.n, 1, this.Q, i0 * this.n, v, h);
    else for (let k = 0; k < count; k++) h[k] = 1 * dotLanes8(this.n, this.rows[i0 + k], 0, v, 0);
  }

  /** v += Σ_{k<count} (alpha·h[k]) q_{i0+k}, in row order (rows with h[k] = 0 skipped). */
  private addRows(i0: number, count: number, alpha: number, h: Float64Array, v: Float64Array): void {
    if (this.Q !== null) addRowsScaled(count, this.n, alpha, this.Q, i0 * this.n, h, v);
    else for (let k = 0; k < count; k++) if (h[k] !== 0) axpy(this.n, alpha * h[k], this.rows[i0 + k], 0, v, 0);
  }

  /**
   * w ← (I − QQᵀ) w for the new Krylov vector w = A q_{j−1}; returns its total coefficient along q_{j−1} (α).
   * First the two large components, along q_{j−1} and q_{j−2}, are removed directly (the three-term recurrence);
   * what is left along the rest of the basis is round-off, which one classical Gram–Schmidt pass over the whole
   * basis removes (repeated only when it cancels much of w: the DGKS test). For a big operator the basis does not
   * fit in any cache, so a step is bounded by reading the basis: two sweeps, where Gram–Schmidt twice needs four.
   */
  orthogonalize(j: number, h: Float64Array): number {
    const w = this.w;
    const h1 = h.subarray(0, 1);
    this.dots(j - 1, 1, w, h1);
    const a = h1[0];
    this.addRows(j - 1, 1, -1, h1, w);
    if (j >= 2) {
      this.dots(j - 2, 1, w, h1);
      this.addRows(j - 2, 1, -1, h1, w);
    }
    return a + this.project(j, w, h, 1);
  }

  /**
   * Classical Gram–Schmidt passes v ← v − Q_j(Q_jᵀv) against q_0..q_{j−1}: at least `minPasses`, then again while a
   * pass cancels more than 1 − DGKS of ‖v‖ (at most three). Returns the total coefficient along q_{j−1}.
   */
  project(j: number, v: Float64Array, h: Float64Array, minPasses: number): number {
    let last = 0;
    let before = norm2(v);
    for (let pass = 0; pass < 3; pass++) {
      this.dots(0, j, v, h);
      this.addRows(0, j, -1, h, v);
      last += h[j - 1];
      const after = norm2(v);
      if (pass + 1 >= minPasses && !(after < DGKS * before)) break;
      before = after;
    }
    return last;
  }

  /** A new array y = Σ_i s[i] q_i (a Ritz vector; uses w as the accumulator). */
  combine(s: Float64Array): Float64Array {
    this.w.fill(0);
    this.addRows(0, s.length, 1, s, this.w);
    return this.w.slice();
  }
}

// Shared with power.ts.

/** The `converged` flag of every solver here: residual ≤ max(tol, 1e-8)·max(|μ|, 1e-300). */
export function isConverged(residual: number, mu: number, tol: number): boolean {
  return residual <= Math.max(tol, CONVERGED_TOL_FLOOR) * Math.max(Math.abs(mu), TINY);
}

/** ‖y − μ x‖ without allocating (y = A x). */
export function residualNorm(x: Float64Array, y: Float64Array, mu: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const r = y[i] - mu * x[i];
    s += r * r;
  }
  return Math.sqrt(s);
}

/** A unit copy of `start`, or a random unit vector from `rng`. */
export function initialVector(n: number, rng: Rng, start: Float64Array | undefined, who: string): Float64Array {
  const q = start ? Float64Array.from(start) : rng.fillNormal(new Float64Array(n));
  if (q.length !== n) throw new RangeError(`${who}: start has length ${q.length}, operator dim is ${n}`);
  const nq = norm2(q);
  if (!(nq > 0 && Number.isFinite(nq))) throw new RangeError(`${who}: start must be finite and nonzero`);
  for (let i = 0; i < n; i++) q[i] /= nq;
  return q;
}

export function checkDim(op: LinearOperator, who: string): number {
  if (!Number.isInteger(op.dim) || op.dim < 1) throw new RangeError(`${who}: operator dim must be a positive integer, got ${op.dim}`);
  return op.dim;
}

export function checkCount(who: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${who}: ${name} must be a positive integer, got ${v}`);
  return v;
}

export function checkTol(who: string, tol: number): number {
  if (!(tol >= 0 && Number.isFinite(tol))) throw new RangeError(`${who}: tol must be finite and ≥ 0, got ${tol}`);
  return tol;
}
