/**
 * Separability of general data (theory §7) and the curvature of the loss on the non-separable subspace.
 *
 * With z_α = y_α x_α, the maximal linearly separable subset I (Ji & Telgarsky 2019, "The implicit bias of
 * gradient descent on nonseparable data") is the set of samples that some weak separator classifies strictly:
 *     I = {α : ⟨u, z_α⟩ > 0} for a u with ⟨u, z_β⟩ ≥ 0 for every β.
 * I is UNIQUE (the sum of two weak separators is one, so the strict sets are closed under union and there is
 * a largest one), and every β ∉ I has ⟨u, z_β⟩ = 0 for every weak separator u. The non-separable samples
 * span the non-separable subspace V = span{z_β : β ∉ I}; by Gordan's theorem some strictly positive
 * combination of them vanishes, so the risk restricted to V is coercive and has a finite minimizer, while
 * along the separating direction (orthogonal to V) it decreases to zero without a minimizer. GD's iterates
 * β_t split accordingly: the V-component converges, the rest grows like log t. The catapult acts in V.
 *
 * I comes from one linear program (theory §7), solved here by HiGHS (the `highs` npm package: HiGHS 1.15
 * compiled to WebAssembly, MIT; dual simplex by default):
 *     maximize Σ_α s_α   s.t.   ⟨u, ẑ_α⟩ − s_α ≥ 0,   0 ≤ s_α ≤ 1,   −B ≤ u_j ≤ B,
 * and I = {α : s_α > τ}.
 *
 * Scale and box. The LP is not scale-invariant (the box and the cap s ≤ 1 fix a scale), but I is invariant
 * under a positive rescaling of each z_α. So every row is normalized first, ẑ_α = z_α/‖z_α‖₂ (entries in
 * [−1, 1]; entries with |ẑ_αj| ≤ 1e-12 are set to exactly 0, which HiGHS would drop anyway), and the box is
 * in these units: a sample of I with geometric margin γ (max over unit u of min_{α∈I} ⟨u, ẑ_α⟩) can reach
 * s_α = 1 once B ≥ 1/γ (‖u‖∞ ≤ ‖u‖₂). Default B = 1e3. NOT larger: with B = 1e6 HiGHS regularly ends
 * with status 'unknown' on low-rank or partly separable data (the u_j sit at ±1e6 in directions the data
 * barely touch and the final basis is ill-conditioned), and with HiGHS' default tolerances (1e-7) it even
 * returned wrong separable points. B = 1e2…1e4 and a free u gave identical, correct answers on every test
 * set; a round that still ends 'unknown' is retried once with a free u (B = ∞; the LP stays bounded by s ≤ 1).
 *
 * Margins below 1/B ("peeling"): the optimum may then leave a separable sample at s_α = 0 (e.g. ẑ_1 = (1, 0),
 * ẑ_2 ∝ (−1, ε) with B·ε < 1). Strict sets compose (if u₁ is a weak separator of everything with strict set
 * I₁ and u₂ one of the rest N₁ with strict set J, then c·u₁ + u₂ for large c is a weak separator of
 * everything with strict set I₁ ∪ J), so the LP is re-solved on the remaining samples while a round finds new
 * points AND the box binds. "Binds" is certified by the duals: boxGain = Σ |reduced cost| of the u_j at ±B
 * is the right derivative of the optimal value in B (LP sensitivity; the value is concave and nondecreasing
 * in B). If it is 0, no larger box helps, so the value already equals its B → ∞ limit |I| and every sample
 * of I has s_α = 1. A round with no sample above τ proves that the rest holds no sample with margin above
 * ~τ/B = 1e-9 (the detection limit).
 *
 * Tolerance τ = 1e-6 (option `threshold`). HiGHS runs with primal/dual feasibility tolerances 1e-9, so a
 * non-separable sample shows s_α of order 1e-9 at most; separable samples have s_α = 1 or, with margins
 * below 1/B, about B·γ. Samples with τ < s_α < 1 − τ are counted in `fractionalCount` (the box was active).
 *
 * Zero samples (x_α = 0) are never separable and add nothing to V; they are not sent to the LP.
 *
 * The non-separable dimension is the numerical rank of {ẑ_β : β ∉ I} (unit rows): by the singular values
 * of the Gram matrix (Jacobi, `symmetricEigen`) when min(|N|, d) ≤ 200, counting σ_i > rankTol·σ_max;
 * otherwise by Gram–Schmidt with row pivoting (rank-revealing QR: repeatedly take the row farthest from
 * the current span), counting directions while that distance exceeds rankTol (rows have norm 1).
 * Default rankTol = 1e-6. The Gram route resolves σ only down to ~1e-8·σ_max (eigenvalues of the squared
 * matrix are accurate to ~ε·λ_max), so rankTol should not go below ~1e-7 there; pivoted GS resolves ~1e-15.
 *
 * Practical sizes (HiGHS is single-threaded wasm; measured on a shared 2-core box, so ±2×). The LP has m rows,
 * m + d columns and (nonzeros of X) + m entries. Separable data take few simplex iterations; non-separable
 * data need about m iterations (the simplex has to prove the optimum 0 or |I|), which dominates:
 *   2000 × 50 Gaussian: 0.2–0.4 s separable, 0.5–1.3 s with label noise (≈2000 iterations);
 *   5000 × 100: 2.6 s / 7.6 s;  10⁴ × 200: 10 s / ~2 min;  10⁴ × 400 separable: 45 s;
 *   5000 × 784 dense separable: 90 s;  MNIST parity (even vs odd digit), first 10⁴ training images × 784
 *   (19% nonzero, 1.5·10⁶ entries): |I| = 1014, non-separable dimension 557, 140 s = 57 s LP + 60 s for a
 *   second (confirming) peeling round, since 3 samples had margins below 1/B + 21 s pivoted GS.
 *   (B = 1e6 gave the same I in one round.)
 * Memory: ~300 bytes of wasm heap per LP nonzero and the heap is capped at 2 GB, so about 6·10⁶ nonzeros at
 * most: 10⁴ × 784 DENSE (7.8·10⁶) aborts with out-of-memory (reported as an Error; the next call reloads
 * HiGHS). Beyond a few thousand non-separable samples, subsample.
 */
import type { Dataset } from './dataset.ts';
import { symmetricEigen } from '../curvature/jacobi.ts';
import type { Highs, InitOptions } from 'highs';

export interface SeparabilityOptions {
  /** Box half-width B for u, in units of unit-norm rows ẑ_α. Default 1e3 (see the module comment). `Infinity`: free u. */
  box?: number;
  /** s_α > threshold puts α in I. Default 1e-6. */
  threshold?: number;
  /** Relative rank tolerance for the non-separable subspace (see the module comment). Default 1e-6. */
  rankTol?: number;
  /** 'auto' (default): Gram eigen-decomposition when min(|N|, d) ≤ 200, else pivoted Gram–Schmidt. */
  rankMethod?: 'auto' | 'eigen' | 'pivoted-gs';
  /** Maximal number of LP rounds (see "peeling"). Default 20. */
  maxRounds?: number;
  /** HiGHS time limit per LP round, seconds. Default none. */
  timeLimit?: number;
  /** Extra HiGHS options for every round (e.g. { presolve: 'off' }); see the HiGHS option list. */
  highsOptions?: Record<string, string | number | boolean>;
  /** Passed to the HiGHS loader on first use (browsers: `locateFile` or `wasmBinary` for highs.wasm). */
  loader?: InitOptions;
}

export interface LpRound {
  /** samples in this round's LP */
  rows: number;
  /** the box B used (Infinity: free u, the fallback after an 'unknown' status) */
  box: number;
  /** their nonzero count (plus one −1 per row for s_α) */
  nonzeros: number;
  status: string;
  objective: number;
  /** samples with s_α > threshold found in this round */
  newSeparable: number;
  /** samples with threshold < s_α < 1 − threshold */
  fractional: number;
  /** some |u_j| reached B on a column used by the data */
  boxActive: boolean;
  /**
   * Σ |reduced cost| of the u_j at ±B: the rate at which the objective would grow with B (Infinity if the
   * duals are unavailable, 0 for a free u). 0 (≤ BOX_GAIN_TOL) certifies that no larger box helps.
   */
  boxGain: number;
  simplexIterations: number;
  timeMs: number;
}

export interface SeparabilityReport {
  m: number;
  d: number;
  /** I = everything */
  separable: boolean;
  /** |I| */
  separableCount: number;
  nonSeparableCount: number;
  /** I, ascending */
  separableIndices: Int32Array;
  /** complement of I, ascending (includes zero samples) */
  nonSeparableIndices: Int32Array;
  /** samples with x_α = 0 (never separable, no contribution to the subspace) */
  zeroCount: number;
  /** numerical rank of {z_β : β ∉ I} */
  nonSeparableDim: number;
  /** orthonormal basis of span{z_β : β ∉ I} (length nonSeparableDim, each of length d) */
  basis: Float64Array[];
  rankMethod: 'eigen' | 'pivoted-gs' | 'none';
  /**
   * 'eigen': all singular values of the unit-row matrix Ẑ_N, descending. 'pivoted-gs': the distances of
   * the pivot rows to the previous span (|R_kk|), descending-ish. Empty for 'none'.
   */
  spectrum: Float64Array;
  rankTol: number;
  /**
   * 'optimal' (every round that counted was; a round ending 'unknown' is retried with a free u and both are
   * listed in `rounds`), or 'skipped' when no LP was needed (no nonzero sample). Other statuses throw.
   */
  lpStatus: string;
  /** objective of the first optimal LP round; = |I| when the box is large enough for every margin */
  objective: number;
  rounds: LpRound[];
  /** Σ over rounds of fractional s_α (nonzero ⇒ the box was active; the result is still exact by peeling) */
  fractionalCount: number;
  box: number;
  threshold: number;
  solver: string;
  /** LP time (all rounds, building + solving), ms */
  lpTimeMs: number;
  /** total wall time including loading HiGHS (first call only) and the rank step, ms */
  timeMs: number;
}

/**
 * The scalar part of a SeparabilityReport, for a run's summary.json (`separability`): |I|, |N|, dim V and the
 * solver evidence, without the index lists and the basis.
 */
export interface SeparabilitySummary {
  m: number;
  d: number;
  separable: boolean;
  /** |I| */
  separableCount: number;
  /** |N| = m − |I| */
  nonSeparableCount: number;
  /** dim V = rank of {z_β : β ∉ I} */
  nonSeparableDim: number;
  zeroCount: number;
  lpStatus: string;
  lpRounds: number;
  solver: string;
  timeMs: number;
}

export function summarizeSeparability(r: SeparabilityReport): SeparabilitySummary {
  return {
    m: r.m,
    d: r.d,
    separable: r.separable,
    separableCount: r.separableCount,
    nonSeparableCount: r.nonSeparableCount,
    nonSeparableDim: r.nonSeparableDim,
    zeroCount: r.zeroCount,
    lpStatus: r.lpStatus,
    lpRounds: r.rounds.length,
    solver: r.solver,
    timeMs: r.timeMs,
  };
}

/** Entries of unit-norm rows at or below this are set to 0 (HiGHS' smallest allowed small_matrix_value). */
const SMALL_ENTRY = 1e-12;
/** Jacobi on min(|N|, d) above this gets slow (O(n³), ~1 s at 200, ~35 s at 784). */
const EIGEN_MAX = 200;
const FEAS_TOL = 1e-9;
/** Box half-width B (units of unit-norm rows). See the module comment for why not larger. */
const DEFAULT_BOX = 1e3;
/** boxGain above this (≈ the dual feasibility tolerance) triggers another peeling round: a spare round costs time, a missed one a wrong I. */
const BOX_GAIN_TOL = 1e-9;

let highsPromise: Promise<Highs> | null = null;

/** The HiGHS runtime, loaded once (the wasm binary is read from node_modules in Node: no network). */
export function loadHighsSolver(loader?: InitOptions): Promise<Highs> {
  if (highsPromise === null) {
    highsPromise = import('highs').then((mod) => {
      const load = (mod as unknown as { default: (o?: InitOptions) => Promise<Highs> }).default;
      return load(loader);
    });
    highsPromise.catch(() => {
      highsPromise = null;
    });
  }
  return highsPromise;
}

function checkPositive(name: string, v: number, allowInf = false): number {
  if (!(v > 0) || (!allowInf && !Number.isFinite(v)) || Number.isNaN(v)) throw new RangeError(`analyzeSeparability: ${name} must be positive${allowInf ? '' : ' and finite'}, got ${v}`);
  return v;
}

/**
 * The maximal separable subset I, its complement and the non-separable subspace of a ±1-labelled data set.
 * See the module comment for the LP, the box, the tolerances and practical sizes.
 */
export async function analyzeSeparability(ds: Dataset, opts: SeparabilityOptions = {}): Promise<SeparabilityReport> {
  const t0 = performance.now();
  const box = checkPositive('box', opts.box ?? DEFAULT_BOX, true);
  const threshold = opts.threshold ?? 1e-6;
  if (!(threshold > 0 && threshold < 0.5)) throw new RangeError(`analyzeSeparability: threshold must be in (0, 0.5), got ${threshold}`);
  const rankTol = opts.rankTol ?? 1e-6;
  if (!(rankTol > 0 && rankTol < 1)) throw new RangeError(`analyzeSeparability: rankTol must be in (0, 1), got ${rankTol}`);
  const maxRounds = opts.maxRounds ?? 20;
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new RangeError(`analyzeSeparability: maxRounds must be a positive integer, got ${maxRounds}`);
  if (opts.timeLimit !== undefined) checkPositive('timeLimit', opts.timeLimit);
  const rankMethod = opts.rankMethod ?? 'auto';
  if (rankMethod !== 'auto' && rankMethod !== 'eigen' && rankMethod !== 'pivoted-gs') {
    throw new RangeError(`analyzeSeparability: unknown rankMethod '${String(rankMethod)}'`);
  }

  const { m, d, X, y } = ds;
  // ẑ_α = y_α x_α / ‖x_α‖, tiny entries zeroed; zero rows flagged.
  const Z = new Float64Array(m * d);
  const nonzero: number[] = [];
  for (let a = 0; a < m; a++) {
    const ya = y[a];
    if (ya !== 1 && ya !== -1) throw new RangeError(`analyzeSeparability: labels must be ±1, got y[${a}] = ${ya}`);
    const o = a * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = X[o + j];
      if (!Number.isFinite(v)) throw new RangeError(`analyzeSeparability: non-finite feature X[${a}][${j}] = ${v}`);
      s += v * v;
    }
    if (s === 0) continue;
    const c = ya / Math.sqrt(s);
    let any = false;
    for (let j = 0; j < d; j++) {
      const v = c * X[o + j];
      if (Math.abs(v) > SMALL_ENTRY) {
        Z[o + j] = v;
        any = true;
      }
    }
    if (any) nonzero.push(a);
  }

  const inI = new Uint8Array(m);
  const rounds: LpRound[] = [];
  let solver = 'none';
  let lpStatus = 'skipped';
  let lpTimeMs = 0;
  if (nonzero.length > 0) {
    const highs = await loadHighsSolver(opts.loader);
    solver = `HiGHS ${highs.version.string} (highs-js, WebAssembly)`;
    lpStatus = 'optimal';
    let remaining = nonzero;
    for (let r = 0; r < maxRounds && remaining.length > 0; r++) {
      let res = solveRound(highs, Z, d, remaining, box, threshold, opts.timeLimit, opts.highsOptions);
      if (res.round.status === 'unknown' && Number.isFinite(box)) {
        // Numerical trouble (HiGHS could not clean up the final basis): retry once with a free u.
        rounds.push(res.round);
        lpTimeMs += res.round.timeMs;
        res = solveRound(highs, Z, d, remaining, Infinity, threshold, opts.timeLimit, opts.highsOptions);
      }
      rounds.push(res.round);
      lpTimeMs += res.round.timeMs;
      if (res.round.status !== 'optimal') {
        throw new Error(`analyzeSeparability: HiGHS ended with status '${res.round.status}' on round ${r + 1} (${remaining.length} samples, d = ${d}, box ${res.round.box})`);
      }
      for (const a of res.separable) inI[a] = 1;
      if (res.separable.length === 0 || !(res.round.boxGain > BOX_GAIN_TOL)) break;
      remaining = remaining.filter((a) => inI[a] === 0);
    }
  }

  const sep: number[] = [];
  const non: number[] = [];
  for (let a = 0; a < m; a++) (inI[a] ? sep : non).push(a);
  const nonNonzero = non.filter((a) => rowIsNonzero(Z, d, a));
  const rank = subspaceOf(Z, d, nonNonzero, rankTol, rankMethod);

  return {
    m,
    d,
    separable: non.length === 0,
    separableCount: sep.length,
    nonSeparableCount: non.length,
    separableIndices: Int32Array.from(sep),
    nonSeparableIndices: Int32Array.from(non),
    zeroCount: m - nonzero.length,
    nonSeparableDim: rank.basis.length,
    basis: rank.basis,
    rankMethod: rank.method,
    spectrum: rank.spectrum,
    rankTol,
    lpStatus,
    objective: rounds.find((x) => x.status === 'optimal')?.objective ?? 0,
    rounds,
    fractionalCount: rounds.reduce((s, r) => s + r.fractional, 0),
    box,
    threshold,
    solver,
    lpTimeMs,
    timeMs: performance.now() - t0,
  };
}

function rowIsNonzero(Z: Float64Array, d: number, a: number): boolean {
  for (let j = 0; j < d; j++) if (Z[a * d + j] !== 0) return true;
  return false;
}

/** One LP over the samples `rows` (indices into Z). Returns the samples with s_α > threshold. */
function solveRound(
  highs: Highs,
  Z: Float64Array,
  d: number,
  rows: number[],
  box: number,
  threshold: number,
  timeLimit: number | undefined,
  extraOptions: Record<string, string | number | boolean> = {},
): { round: LpRound; separable: number[] } {
  const t0 = performance.now();
  const n = rows.length;
  // Columns: u_0..u_{d−1}, then s_0..s_{n−1}. Row k: Σ_j ẑ_{α_k j} u_j − s_k ≥ 0 (CSR, column indices ascending).
  const colUsed = new Uint8Array(d);
  let nnz = 0;
  for (const a of rows) for (let j = 0; j < d; j++) if (Z[a * d + j] !== 0) nnz++;
  const starts = new Int32Array(n + 1);
  const indices = new Int32Array(nnz + n);
  const values = new Float64Array(nnz + n);
  let p = 0;
  for (let k = 0; k < n; k++) {
    const o = rows[k] * d;
    for (let j = 0; j < d; j++) {
      const v = Z[o + j];
      if (v !== 0) {
        indices[p] = j;
        values[p++] = v;
        colUsed[j] = 1;
      }
    }
    indices[p] = d + k;
    values[p++] = -1;
    starts[k + 1] = p;
  }
  const inf = highs.infinity;
  const B = Number.isFinite(box) ? box : inf;
  const numCols = d + n;
  const colCost = new Float64Array(numCols).fill(1, d);
  const colLower = new Float64Array(numCols).fill(-B, 0, d);
  const colUpper = new Float64Array(numCols).fill(B, 0, d).fill(1, d);
  let model: ReturnType<Highs['createModel']> | null = null;
  try {
    model = highs.createModel();
    // Options first: small_matrix_value applies when the matrix is passed.
    model.options.set({
      output_flag: false,
      small_matrix_value: SMALL_ENTRY,
      primal_feasibility_tolerance: FEAS_TOL,
      dual_feasibility_tolerance: FEAS_TOL,
      random_seed: 0,
      ...extraOptions,
    });
    if (timeLimit !== undefined) model.options.set('time_limit', timeLimit);
    model.passModel({
      numCols,
      numRows: n,
      sense: highs.constants.objectiveSense.maximize,
      colCost,
      colLower,
      colUpper,
      rowLower: new Float64Array(n),
      rowUpper: new Float64Array(n).fill(inf),
      matrix: { format: 'csr', numRows: n, numCols, starts, indices, values },
    });
    model.run();
    const status = statusName(highs, model.getModelStatus());
    const separable: number[] = [];
    let objective = NaN;
    let fractional = 0;
    let boxActive = false;
    let boxGain = NaN;
    if (status === 'optimal') {
      objective = model.getObjectiveValue();
      const x = model.getSolution().colValue;
      for (let k = 0; k < n; k++) {
        const s = x[d + k];
        if (s > threshold) separable.push(rows[k]);
        if (s > threshold && s < 1 - threshold) fractional++;
      }
      if (Number.isFinite(box)) {
        const sol = model.getSolution();
        const dualsValid = Number(model.info.get('dual_solution_status')) === highs.constants.solutionStatus.feasible;
        boxGain = 0;
        for (let j = 0; j < d; j++) {
          if (colUsed[j] && Math.abs(x[j]) >= box * (1 - 1e-9)) {
            boxActive = true;
            boxGain += dualsValid ? Math.abs(sol.colDual[j]) : Infinity;
          }
        }
      } else {
        boxGain = 0;
      }
    }
    let iterations = NaN;
    try {
      iterations = Number(model.info.get('simplex_iteration_count'));
    } catch {
      // not reported by every solver path
    }
    return {
      separable,
      round: { rows: n, box, nonzeros: nnz, status, objective, newSeparable: separable.length, fractional, boxActive, boxGain, simplexIterations: iterations, timeMs: performance.now() - t0 },
    };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) {
      // An abort kills the Emscripten runtime: drop it so that the next call loads a fresh one.
      highsPromise = null;
      model = null;
      throw new Error(
        `analyzeSeparability: HiGHS aborted on an LP with ${n} rows, ${numCols} columns and ${nnz + n} nonzeros — most likely ` +
          `out of WebAssembly memory (2 GB heap, ~300 bytes per nonzero: about 6·10⁶ nonzeros at most). Subsample the data.`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    model?.dispose();
  }
}

function statusName(highs: Highs, code: number): string {
  for (const [k, v] of Object.entries(highs.constants.modelStatus)) if (v === code) return k;
  return `status ${code}`;
}

interface Subspace {
  basis: Float64Array[];
  spectrum: Float64Array;
  method: 'eigen' | 'pivoted-gs' | 'none';
}

/** Orthonormal basis of the span of the rows `rows` of Z (unit rows), with a rank-revealing method. */
function subspaceOf(Z: Float64Array, d: number, rows: number[], tol: number, method: 'auto' | 'eigen' | 'pivoted-gs'): Subspace {
  const n = rows.length;
  if (n === 0) return { basis: [], spectrum: new Float64Array(0), method: 'none' };
  const useEigen = method === 'eigen' || (method === 'auto' && Math.min(n, d) <= EIGEN_MAX);
  return useEigen ? eigenSubspace(Z, d, rows, tol) : pivotedGramSchmidt(Z, d, rows, tol);
}

/**
 * Singular values from the smaller Gram matrix: d×d scatter ẐᵀẐ when |N| ≥ d (its eigenvectors are the
 * basis), else |N|×|N| Gram ẐẐᵀ (basis Ẑᵀv/σ, re-orthonormalized). Rank: σ_i > tol·σ_max.
 */
function eigenSubspace(Z: Float64Array, d: number, rows: number[], tol: number): Subspace {
  const n = rows.length;
  const basis: Float64Array[] = [];
  if (n >= d) {
    const S = new Float64Array(d * d);
    for (const a of rows) {
      const o = a * d;
      for (let i = 0; i < d; i++) {
        const zi = Z[o + i];
        if (zi === 0) continue;
        for (let j = i; j < d; j++) S[i * d + j] += zi * Z[o + j];
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) S[i * d + j] = S[j * d + i];
    const { values, vectors } = symmetricEigen(S, d);
    const sigma = values.map((v) => Math.sqrt(Math.max(v, 0)));
    const cut = tol * sigma[0];
    for (let k = 0; k < d && sigma[k] > cut; k++) basis.push(vectors.slice(k * d, (k + 1) * d));
    return { basis, spectrum: sigma, method: 'eigen' };
  }
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      const oi = rows[i] * d, oj = rows[j] * d;
      for (let t = 0; t < d; t++) s += Z[oi + t] * Z[oj + t];
      G[i * n + j] = s;
      G[j * n + i] = s;
    }
  }
  const { values, vectors } = symmetricEigen(G, n);
  const sigma = values.map((v) => Math.sqrt(Math.max(v, 0)));
  const cut = tol * sigma[0];
  for (let k = 0; k < n && sigma[k] > cut; k++) {
    const b = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const c = vectors[k * n + i] / sigma[k];
      if (c !== 0) for (let t = 0, o = rows[i] * d; t < d; t++) b[t] += c * Z[o + t];
    }
    basis.push(b);
  }
  orthonormalize(basis);
  return { basis, spectrum: sigma, method: 'eigen' };
}

/** Modified Gram–Schmidt, twice, in place (vectors are already nearly orthonormal). */
function orthonormalize(vs: Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k];
      for (let i = 0; i < k; i++) {
        const c = dotv(vs[i], v);
        for (let t = 0; t < v.length; t++) v[t] -= c * vs[i][t];
      }
      const nv = Math.sqrt(dotv(v, v));
      for (let t = 0; t < v.length; t++) v[t] /= nv;
    }
  }
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Rank-revealing Gram–Schmidt with row pivoting: at each step the residual row farthest from the current
 * span (largest ‖r_α‖) becomes the next direction, until every residual is ≤ tol (rows have norm 1).
 * Each new direction is re-orthogonalized against the basis ("twice is enough") before the residuals are
 * updated, so the basis is orthonormal to working precision. Cost |N|·d·rank.
 */
function pivotedGramSchmidt(Z: Float64Array, d: number, rows: number[], tol: number): Subspace {
  const n = rows.length;
  const R = new Float64Array(n * d);
  for (let i = 0; i < n; i++) R.set(Z.subarray(rows[i] * d, rows[i] * d + d), i * d);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = rowNorm(R, i, d);
  /** the norm at the last exact recomputation */
  const ref = Float64Array.from(norms);
  const active = new Uint8Array(n).fill(1);
  const basis: Float64Array[] = [];
  const pivots: number[] = [];
  while (basis.length < d) {
    let best = -1, bn = tol;
    for (let i = 0; i < n; i++) if (active[i] && norms[i] > bn) { bn = norms[i]; best = i; }
    if (best < 0) break;
    const q = R.slice(best * d, best * d + d);
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dotv(b, q);
        for (let t = 0; t < d; t++) q[t] -= c * b[t];
      }
    }
    const nq = Math.sqrt(dotv(q, q));
    active[best] = 0;
    if (!(nq > tol)) { norms[best] = 0; continue; } // the cheap norm overestimated; this row lies in the span
    for (let t = 0; t < d; t++) q[t] /= nq;
    basis.push(q);
    pivots.push(nq);
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      const o = i * d;
      let c = 0;
      for (let t = 0; t < d; t++) c += R[o + t] * q[t];
      if (c === 0) continue;
      for (let t = 0; t < d; t++) R[o + t] -= c * q[t];
      // Downdate ‖r_i‖² −= c² (Pythagoras); recompute when cancellation has eaten the digits (LAPACK xLAQP2).
      const n2 = (norms[i] - c) * (norms[i] + c);
      if (n2 > 0.01 * ref[i] * ref[i]) {
        norms[i] = Math.sqrt(n2);
      } else {
        norms[i] = ref[i] = rowNorm(R, i, d);
      }
      if (!(norms[i] > tol)) active[i] = 0;
    }
  }
  return { basis, spectrum: Float64Array.from(pivots), method: 'pivoted-gs' };
}

function rowNorm(R: Float64Array, i: number, d: number): number {
  let s = 0;
  for (let t = 0, o = i * d; t < d; t++) s += R[o + t] * R[o + t];
  return Math.sqrt(s);
}
