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
 * most: 10⁴ × 784 DENSE (7.8·10⁶) aborts with out-of-memory in one LP.
 *
 * Full-size data: a working set (column generation on the dual). Above `workingSetAbove` LP nonzeros (default
 * 2·10⁶) the LP runs on a working set W of samples (initially evenly spaced, ~3·10⁵ nonzeros). Its separator
 * u (one weak separator of W, strict exactly on I_W, combined over the peeling rounds) is checked on every
 * sample outside W: those with ⟨u, ẑ_α⟩ ≤ τ join W (the most violated first, `workingSetBatch` per round) and
 * the LP is solved again. When none is left, u is a weak separator of ALL samples, strict on I_W and on every
 * sample outside W, so I ⊇ I_W ∪ (rest); and I ∩ W ⊆ I_W because any weak separator of all samples is one of W.
 * Hence I = I_W ∪ (rest) exactly, with W holding only the hard samples (N and the ones that pin u down). In the
 * dual (Gordan) form this is column generation: the dual min Σ max(0, 1 − w_α) s.t. Σ w_α ẑ_α = 0, w ≥ 0 has
 * one column per sample, and only the columns that price out (violated samples) are ever added.
 * Limitation (measured on full MNIST 3 vs 5, README "Separability"): when N is large, W must hold most of it and
 * the LP's cost grows fast with |W| (2382 samples: ~4 min wall per round, 7428 samples still unseparated): the
 * LP that first meets a non-separable W must prove optimality over ~|W| simplex iterations on dense rows.
 *
 * Newton path (`method: 'newton'`, 'auto' above `newtonAbove` = 2·10⁶ LP nonzeros). N is certified without an LP:
 * by Gordan, N's rows have a strictly positive combination Σ w_β ẑ_β = 0, and the tilted objective
 * F(u) = mean_β(exp(−⟨ẑ_β, u⟩) − ⟨ẑ_β, u⟩) over a set S of rows has a minimizer iff no row of S is separable among
 * S; at the minimizer ∇F = 0 says Σ_S (exp(−t_β) + 1) ẑ_β = 0, a Gordan certificate with every weight ≥ 1 (before
 * normalizing), found by Newton (src/data/softmaxNewton.ts; cost |S|·d² per step, dense, no LP heap). Steps:
 *  1. guess N: Newton on F + (ε/2)‖u‖² for ε = 1e-8 then 1e-10 over all samples; the samples of I are pushed out
 *     (t ~ |I|γ²/(mε) for margin γ), those of N stay, so the ones whose t grew by more than 1 are guessed in I;
 *  2. project the guessed I onto span(N_c)^⊥ (pivoted Gram–Schmidt of N_c down to PROJECTION_TOL = 1e-10) and
 *     re-normalize: the LP (as above) runs on these rows only — in effect in dimension d − dim V, on |I| rows —
 *     and what it cannot separate joins N_c (repeat);
 *  3. certify N_c by Newton on F (no ridge). If it does not converge, the rows whose t keeps growing are
 *     separable after all: they leave N_c and step 2 runs again. Only a certified N_c makes the projection
 *     sound (every weak separator is orthogonal to span of a certified non-separable set), so the LP's separator,
 *     projected off span(N_c), is a weak separator of all samples, strict exactly on the rest.
 * The guesses only steer; the result stands on the two certificates, checked as below. Small cases give the
 * LP path's I exactly (test/separability.test.ts). On full MNIST pairs each Newton step is a 784² Gram matrix
 * over ~1.2·10⁴ rows (~5 s of CPU in JS); see the README for how far the full pairs get.
 *
 * Certificates (`certificates`, recomputed in float64 on all samples): the separator u with its margin on I
 * and its minimum and maximum |·| on N (≈ 0), and a Gordan dual — weights w_β > 0 on the nonzero samples of N with
 * Σ w_β ẑ_β = 0, from a second small LP (d rows × |N| columns) on the LP path or from Newton (step 3) on the
 * Newton path, normalised to Σ w = 1 — with its residual
 * ‖Σ w_β ẑ_β‖ and minimum weight. Together they prove that I is the maximal separable subset up to the
 * detection limit dualResidual / min w.
 */
import type { Dataset } from './dataset.ts';
import { symmetricEigen } from '../linalg/jacobi.ts';
import { softmaxNewton } from './softmaxNewton.ts';
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
  /**
   * Time limit of the whole decomposition, seconds (checked between Newton iterations and LP rounds, and passed to
   * each LP as its limit): past it the call throws a SeparabilityTimeLimitError saying how far it got. Default none.
   */
  totalTimeLimit?: number;
  /**
   * 'lp': the LP (on a working set above `workingSetAbove`) and the Gordan dual LP. 'newton': softmax Newton
   * certifies N, the LP runs only on the rest projected off span(N) (module comment, "Newton path").
   * 'auto' (default): 'newton' above `newtonAbove` LP nonzeros, else 'lp'.
   */
  method?: 'auto' | 'lp' | 'newton';
  /** LP nonzeros above which 'auto' takes the Newton path. Default 2·10⁶ (where the LP path needs a working set). */
  newtonAbove?: number;
  /** Extra HiGHS options for every round (e.g. { presolve: 'off' }); see the HiGHS option list. */
  highsOptions?: Record<string, string | number | boolean>;
  /** Passed to the HiGHS loader on first use (browsers: `locateFile` or `wasmBinary` for highs.wasm). */
  loader?: InitOptions;
  /**
   * LP nonzeros above which the LP runs on a working set of samples (see "Full-size data" in the module
   * comment). Default 2·10⁶. 0 forces the working set (tests).
   */
  workingSetAbove?: number;
  /** Nonzeros of the initial working set (evenly spaced samples). Default 3·10⁵ (~380 dense MNIST rows). */
  workingSetInitial?: number;
  /** At most this many violated samples join the working set per round. Default 500. */
  workingSetBatch?: number;
  /** Called after each working-set round (full-size data take minutes per round). */
  onProgress?: (p: SeparabilityProgress) => void;
}

export interface SeparabilityProgress {
  /** 'lp': a working-set LP round; 'newton': a Newton iteration; 'project': span(N_c) computed, the LP on the rest follows */
  phase: 'lp' | 'newton' | 'project';
  /** working-set round ('lp') or projection round ('newton', 'project'), from 1 */
  round: number;
  /** samples in this round's LP ('lp'), in the Newton set ('newton'), left for the LP ('project') */
  workingSet: number;
  /** samples outside the working set that its separator does not strictly separate (0: done) */
  violators: number;
  /** LP time of this round, ms */
  lpTimeMs: number;
  /** samples certified non-separable so far (Newton path; 0 on the LP path) */
  certified: number;
  /** Newton: iterations so far, ‖Σ p ẑ‖, smallest weight */
  newtonIteration?: number;
  gradNorm?: number;
  minWeight?: number;
  /** 'project': dim span(N_c) at the projection tolerance */
  dim?: number;
  /** since the call began, ms */
  elapsedMs: number;
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
  /** the method that ran ('none': no nonzero sample) */
  method: 'lp' | 'newton' | 'none';
  /** Newton path: Newton iterations, their time (ms) and the number of projection rounds; 0 on the LP path */
  newtonIterations: number;
  newtonTimeMs: number;
  projectionRounds: number;
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
  /** Sizes (samples) of the working set in each working-set round; one entry (all nonzero samples) when not needed. */
  workingSetSizes: number[];
  /** The two certificates, verified in float64 on all samples (see `SeparabilityCertificates`). */
  certificates: SeparabilityCertificates;
  /** The weak separator u (length d, in units of the unit rows ẑ_α = z_α/‖z_α‖). */
  separator: Float64Array;
  /** The Gordan dual weights on N (aligned with nonSeparableIndices, 0 for zero samples), Σ = 1; empty when N = ∅. */
  dualWeights: Float64Array;
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
  /** samples in the LP's working set, per working-set round (one entry: the whole data set) */
  workingSetSizes: number[];
  /** the separator (margin on I) and Gordan dual (residual on N) certificates, verified in float64 */
  certificates: SeparabilityCertificates;
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
    workingSetSizes: [...r.workingSetSizes],
    certificates: { ...r.certificates },
    solver: r.solver,
    timeMs: r.timeMs,
  };
}

/**
 * Evidence for I, computed afresh in float64 over ALL samples (not taken from the LP's own report):
 *  - separator (primal): u with ⟨u, ẑ_α⟩ ≥ margin > 0 for every α ∈ I and ⟨u, ẑ_β⟩ ≥ nonSeparableMin ≈ 0 for
 *    β ∈ N, so u is a weak separator of everything that is strict exactly on I: I ⊆ I_max.
 *  - dual (Gordan): weights w_β > 0 on the nonzero samples of N, Σ w = 1, with Σ w_β ẑ_β = r, ‖r‖ = dualResidual.
 *    For any unit weak separator u', Σ w_β ⟨u', ẑ_β⟩ = ⟨u', r⟩ with every term ≥ 0, so no β ∈ N is separated
 *    with margin above dualResidual / dualMinWeight (`dualMarginBound`): N ∩ I_max = ∅ up to that limit.
 */
export interface SeparabilityCertificates {
  /** min over α ∈ I of ⟨u, ẑ_α⟩/‖u‖ (geometric margin of the unit rows); Infinity when I = ∅ */
  separatorMargin: number;
  /** min over nonzero β ∈ N of ⟨u, ẑ_β⟩/‖u‖ (≈ 0, ≥ −1e-7 when valid); Infinity when N has no nonzero sample */
  separatorNonSeparableMin: number;
  /** max over nonzero β ∈ N of |⟨u, ẑ_β⟩|/‖u‖ (u vanishes on N up to this); 0 when N has no nonzero sample */
  separatorNonSeparableMaxAbs: number;
  /** ‖Σ_N w_β ẑ_β‖₂ with Σ w = 1; 0 when N has no nonzero sample */
  dualResidual: number;
  /** min_β w_β (> 0: the certificate covers every sample of N) */
  dualMinWeight: number;
  /** dualResidual / dualMinWeight: no sample of N is separable with a larger margin */
  dualMarginBound: number;
  /**
   * How the Gordan weights were found: 'optimal' (the Gordan LP, method 'lp'), 'newton' (softmax Newton, method
   * 'newton'), 'skipped' when N has no nonzero sample; any other HiGHS status means no certificate.
   */
  dualStatus: string;
  /** margin > 0 (or I = ∅), nonSeparableMin ≥ −1e-7, and (N = ∅ or) min weight > 0 with dualMarginBound ≤ 1e-6 */
  verified: boolean;
}

/** A sample of N may have ⟨u, ẑ⟩/‖u‖ down to −this (LP feasibility tolerance, scaled) and still count as weakly separated. */
const CERT_WEAK_TOL = 1e-7;
/** The dual certificate is accepted when it excludes margins above this. */
const CERT_MARGIN_BOUND = 1e-6;
const DEFAULT_WORKING_SET_ABOVE = 2e6;
/**
 * = DEFAULT_WORKING_SET_ABOVE: below it one LP is affordable, and on separable data of that size (e.g. 1000 MNIST
 * images at 28×28) the Newton guess would only add its d²-per-row steps before the same LP.
 */
const DEFAULT_NEWTON_ABOVE = 2e6;
/**
 * Small start, moderate growth: on full MNIST 3 vs 5 a start of 382 samples grown by ≤ 500 per round reached
 * 1882 samples in 40 s of CPU, while one LP on 1530 evenly spaced samples had not finished after 6.5 CPU minutes
 * (the LP's cost grows fast with its size; violated samples are the informative ones).
 */
const DEFAULT_WORKING_SET_INITIAL = 3e5;
const DEFAULT_WORKING_SET_BATCH = 500;
/**
 * Newton path: directions of span(N_c) down to this residual norm (unit rows) are projected out before the LP, so
 * ⟨u, ẑ_β⟩ ≤ PROJECTION_TOL·‖u‖ on N; rows of the rest with projections below it lie in span(N_c) (non-separable).
 */
const PROJECTION_TOL = 1e-10;
/** A Newton weight certifies sample β when ‖Σ p ẑ‖ / p_β is at most this (10× inside CERT_MARGIN_BOUND). */
const NEWTON_CERT_BOUND = 1e-7;
/** The ridge path of the first Newton round (module comment): ε falls by 100 per step. */
const NEWTON_RIDGES = [1e-8, 1e-10];
/** Newton iterations per certification attempt */
const NEWTON_MAX_ITER = 40;
/** A working set beyond this many LP nonzeros would exhaust HiGHS' 2 GB heap (~300 bytes per nonzero). */
const WORKING_SET_MAX_NNZ = 5.5e6;

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
  if (opts.totalTimeLimit !== undefined) checkPositive('totalTimeLimit', opts.totalTimeLimit);
  const rankMethod = opts.rankMethod ?? 'auto';
  if (rankMethod !== 'auto' && rankMethod !== 'eigen' && rankMethod !== 'pivoted-gs') {
    throw new RangeError(`analyzeSeparability: unknown rankMethod '${String(rankMethod)}'`);
  }
  const methodOpt = opts.method ?? 'auto';
  if (methodOpt !== 'auto' && methodOpt !== 'lp' && methodOpt !== 'newton') throw new RangeError(`analyzeSeparability: unknown method '${String(methodOpt)}' (expected auto, lp or newton)`);

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

  let totalNnz = 0;
  for (const a of nonzero) for (let j = 0, o = a * d; j < d; j++) if (Z[o + j] !== 0) totalNnz++;
  const clock = new Clock(t0, opts);
  const method: 'lp' | 'newton' = methodOpt === 'auto' ? (totalNnz + nonzero.length > (opts.newtonAbove ?? DEFAULT_NEWTON_ABOVE) ? 'newton' : 'lp') : methodOpt;
  const inI = new Uint8Array(m);
  let rounds: LpRound[] = [];
  let workingSetSizes: number[] = [];
  let solver = 'none';
  let lpStatus = 'skipped';
  let lpTimeMs = 0;
  let u: Float64Array = new Float64Array(d);
  let highs: Highs | null = null;
  let newton: NewtonPathResult | null = null;
  if (nonzero.length > 0) {
    highs = await loadHighsSolver(opts.loader);
    solver = `HiGHS ${highs.version.string} (highs-js, WebAssembly)`;
    lpStatus = 'optimal';
    if (method === 'lp') {
      const res = lpWorkingSet(highs, Z, d, nonzero, { box, threshold, maxRounds, opts, clock, certified: 0 });
      for (const a of res.separable) inI[a] = 1;
      ({ rounds, workingSetSizes, u } = res);
    } else {
      solver += ' + softmax Newton';
      newton = newtonPath(highs, Z, d, nonzero, { box, threshold, maxRounds, opts, clock, certified: 0 });
      for (const a of newton.separable) inI[a] = 1;
      ({ rounds, workingSetSizes, u } = newton);
    }
    lpTimeMs = rounds.reduce((acc, r) => acc + r.timeMs, 0);
  }

  const sep: number[] = [];
  const non: number[] = [];
  for (let a = 0; a < m; a++) (inI[a] ? sep : non).push(a);
  const nonNonzero = non.filter((a) => rowIsNonzero(Z, d, a));
  clock.check('the rank of the non-separable samples', nonNonzero.length);
  const rank = newton && newton.projection && sameRows(newton.certifiedRows, nonNonzero) && (rankMethod === 'pivoted-gs' || (rankMethod === 'auto' && Math.min(nonNonzero.length, d) > EIGEN_MAX))
    ? truncateSubspace(newton.projection, rankTol)
    : subspaceOf(Z, d, nonNonzero, rankTol, rankMethod);
  let dual: { status: string; weights: Float64Array; timeMs: number };
  if (newton && nonNonzero.length > 0) {
    if (!sameRows(newton.certifiedRows, nonNonzero)) throw new Error('analyzeSeparability: internal error: the Newton certificate does not cover N');
    dual = { status: 'newton', weights: newton.weights, timeMs: 0 };
  } else {
    dual = highs !== null && nonNonzero.length > 0 ? gordanDual(highs, Z, d, nonNonzero, clock) : { status: 'skipped', weights: new Float64Array(0), timeMs: 0 };
  }
  lpTimeMs += dual.timeMs;
  const certificates = certify(Z, d, sep, nonNonzero, u, dual.weights, dual.status);
  const dualWeights = new Float64Array(non.length);
  for (let i = 0, k = 0; i < non.length; i++) if (k < nonNonzero.length && nonNonzero[k] === non[i]) dualWeights[i] = dual.weights[k++];

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
    method: nonzero.length === 0 ? 'none' : method,
    objective: rounds.find((x) => x.status === 'optimal')?.objective ?? 0,
    rounds,
    fractionalCount: rounds.reduce((s, r) => s + r.fractional, 0),
    box,
    threshold,
    solver,
    lpTimeMs,
    newtonIterations: newton?.iterations ?? 0,
    newtonTimeMs: newton?.newtonTimeMs ?? 0,
    projectionRounds: newton?.outerRounds ?? 0,
    workingSetSizes,
    certificates,
    separator: u,
    dualWeights: nonNonzero.length > 0 ? dualWeights : new Float64Array(0),
    timeMs: performance.now() - t0,
  };
}

function sameRows(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Thrown when `totalTimeLimit` runs out; the message says how far the decomposition got. */
export class SeparabilityTimeLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeparabilityTimeLimitError';
  }
}

/** The whole call's time budget (`totalTimeLimit`) and each LP's HiGHS limit (`timeLimit`, capped by what is left). */
class Clock {
  readonly deadline: number;
  constructor(readonly t0: number, private readonly opts: SeparabilityOptions) {
    this.deadline = opts.totalTimeLimit === undefined ? Infinity : t0 + opts.totalTimeLimit * 1000;
  }
  elapsedMs(): number {
    return performance.now() - this.t0;
  }
  /** Throw if the budget is spent; `where` and `certified` go into the message. */
  check(where: string, certified: number): void {
    if (performance.now() > this.deadline) {
      throw new SeparabilityTimeLimitError(
        `analyzeSeparability: time limit of ${this.opts.totalTimeLimit} s reached after ${(this.elapsedMs() / 1000).toFixed(1)} s, during ${where} (${certified} samples certified non-separable so far); no result`,
      );
    }
  }
  /** HiGHS time_limit for the next LP, seconds (undefined: none). */
  lpLimit(): number | undefined {
    const left = (this.deadline - performance.now()) / 1000;
    const lim = Math.min(this.opts.timeLimit ?? Infinity, left);
    return Number.isFinite(lim) ? Math.max(lim, 0.001) : undefined;
  }
}

interface LpContext {
  box: number;
  threshold: number;
  maxRounds: number;
  opts: SeparabilityOptions;
  clock: Clock;
  /** samples certified non-separable so far (progress and time-limit messages) */
  certified: number;
}

/**
 * The LP on the samples `rows` of Z (module comment): one LP when it is small, else on a working set grown by the
 * samples its separator does not strictly separate. Returns the separable ones and one weak separator of all of
 * `rows`, strict exactly on them.
 */
function lpWorkingSet(highs: Highs, Z: Float64Array, d: number, rows: readonly number[], ctx: LpContext): { separable: number[]; rounds: LpRound[]; workingSetSizes: number[]; u: Float64Array } {
  const { opts, clock } = ctx;
  const rowNnz = new Map<number, number>();
  let totalNnz = 0;
  for (const a of rows) {
    let k = 0;
    for (let j = 0, o = a * d; j < d; j++) if (Z[o + j] !== 0) k++;
    rowNnz.set(a, k);
    totalNnz += k;
  }
  const above = opts.workingSetAbove ?? DEFAULT_WORKING_SET_ABOVE;
  const inW = new Set<number>();
  let W: number[];
  if (totalNnz + rows.length <= above) {
    W = [...rows];
  } else {
    const want = Math.max(1, Math.min(rows.length, Math.floor(((opts.workingSetInitial ?? DEFAULT_WORKING_SET_INITIAL) * rows.length) / totalNnz)));
    W = [];
    for (let k = 0; k < want; k++) W.push(rows[Math.floor((k * rows.length) / want)]);
  }
  for (const a of W) inW.add(a);
  const batch = opts.workingSetBatch ?? DEFAULT_WORKING_SET_BATCH;
  const rounds: LpRound[] = [];
  const workingSetSizes: number[] = [];
  const inI = new Set<number>();
  let u: Float64Array = new Float64Array(d);
  for (;;) {
    workingSetSizes.push(W.length);
    const wNnz = W.reduce((acc, a) => acc + rowNnz.get(a)! + 1, 0);
    if (wNnz > WORKING_SET_MAX_NNZ) {
      throw new Error(`analyzeSeparability: the working set grew to ${W.length} samples (${wNnz} LP nonzeros, limit ${WORKING_SET_MAX_NNZ}): too many hard samples for HiGHS' 2 GB heap; subsample the data`);
    }
    clock.check(`LP round ${workingSetSizes.length} (${W.length} samples)`, ctx.certified);
    const res = peel(highs, Z, d, W, ctx);
    rounds.push(...res.rounds);
    inI.clear();
    for (const a of res.separable) inI.add(a);
    u = res.u;
    // Samples outside W that u does not strictly separate join W (the most violated first).
    const violators: { a: number; g: number }[] = [];
    for (const a of rows) {
      if (inW.has(a)) continue;
      const g = dotRow(Z, d, a, u);
      if (g > ctx.threshold) inI.add(a);
      else violators.push({ a, g });
    }
    opts.onProgress?.({ phase: 'lp', round: workingSetSizes.length, workingSet: W.length, violators: violators.length, lpTimeMs: res.rounds.reduce((acc, r) => acc + r.timeMs, 0), certified: ctx.certified, elapsedMs: clock.elapsedMs() });
    if (violators.length === 0) break;
    violators.sort((x, y) => x.g - y.g || x.a - y.a);
    for (const v of violators.slice(0, batch)) {
      inW.add(v.a);
      W.push(v.a);
    }
    W.sort((x, y) => x - y);
  }
  return { separable: rows.filter((a) => inI.has(a)), rounds, workingSetSizes, u };
}

interface NewtonPathResult {
  separable: number[];
  u: Float64Array;
  rounds: LpRound[];
  workingSetSizes: number[];
  /** N's nonzero samples, ascending, and their Gordan weights (softmax Newton, Σ = 1) */
  certifiedRows: number[];
  weights: Float64Array;
  /** pivoted Gram–Schmidt of certifiedRows at PROJECTION_TOL (reused for the rank when it covers N) */
  projection: PivotedSubspace | null;
  iterations: number;
  newtonTimeMs: number;
  outerRounds: number;
}

/**
 * Full-size data (module comment, "Newton path"). (1) A ridge path of Newton solves guesses N_c (the samples that
 * stay put as the ridge falls). (2) The other samples are projected onto span(N_c)^⊥ and re-normalized; the LP on
 * them (small: only the guessed I) returns the ones it cannot separate, which join N_c; repeat until it separates
 * everything left. (3) Newton on the tilted objective certifies N_c (its weights are the Gordan certificate); only
 * then is the projection sound (every weak separator is orthogonal to span of a certified set), so the LP's
 * separator, projected off span(N_c), is a weak separator of all samples strict exactly on the rest. If the
 * certificate fails with no row growing, N_c is re-guessed once by the LP path on everything.
 */
function newtonPath(highs: Highs, Z: Float64Array, d: number, nonzero: readonly number[], ctx: LpContext): NewtonPathResult {
  const { opts, clock } = ctx;
  const rounds: LpRound[] = [];
  const workingSetSizes: number[] = [];
  const tn = performance.now();
  const guess = guessByRidgePath(Z, d, nonzero, ctx);
  let newtonTimeMs = performance.now() - tn;
  let iterations = guess.iterations;
  let active = guess.rows;
  let fellBack = false;
  const maxOuter = 20;
  for (let outer = 1; outer <= maxOuter; outer++) {
    const inActive = new Uint8Array(Z.length / d);
    for (const a of active) inActive[a] = 1;
    const rest = nonzero.filter((a) => !inActive[a]);
    clock.check('the span of the candidate non-separable samples', ctx.certified);
    const projection = pivotedGramSchmidt(Z, d, active, PROJECTION_TOL);
    opts.onProgress?.({ phase: 'project', round: outer, workingSet: rest.length, violators: 0, lpTimeMs: 0, certified: ctx.certified, dim: projection.basis.length, elapsedMs: clock.elapsedMs() });
    // the rest, projected onto span(N_c)^⊥ and re-normalized (I is invariant under positive row scaling)
    const P = new Float64Array(rest.length * d);
    const lpRows: number[] = [];
    const inSpan: number[] = [];
    for (let k = 0; k < rest.length; k++) {
      const r = P.subarray(k * d, (k + 1) * d);
      r.set(Z.subarray(rest[k] * d, rest[k] * d + d));
      projectOut(projection.basis, r);
      const nr = Math.sqrt(dotv(r, r));
      if (!(nr > PROJECTION_TOL)) {
        inSpan.push(rest[k]);
        continue;
      }
      for (let j = 0; j < d; j++) r[j] = Math.abs(r[j] / nr) > SMALL_ENTRY ? r[j] / nr : 0;
      lpRows.push(k);
    }
    const lp = lpRows.length > 0 ? lpWorkingSet(highs, P, d, lpRows, ctx) : { separable: [], rounds: [], workingSetSizes: [], u: new Float64Array(d) };
    rounds.push(...lp.rounds);
    workingSetSizes.push(...lp.workingSetSizes);
    const sepSet = new Set(lp.separable);
    const notSeparated = [...inSpan, ...lpRows.filter((k) => !sepSet.has(k)).map((k) => rest[k])];
    if (notSeparated.length > 0) {
      active = [...active, ...notSeparated].sort((x, y) => x - y);
      continue;
    }
    // the LP separates all the rest: certify N_c
    const t1 = performance.now();
    const cert = active.length > 0 ? certifyByNewton(Z, d, active, ctx, outer) : { certified: true, p: new Float64Array(0), iterations: 0, growing: [] };
    newtonTimeMs += performance.now() - t1;
    iterations += cert.iterations;
    if (!cert.certified && cert.growing.length > 0) {
      // guessed separable after all: set them aside (the LP above puts back any that are not)
      const gone = new Set(cert.growing);
      active = active.filter((a) => !gone.has(a));
      continue;
    }
    if (!cert.certified) {
      // no clue which sample of N_c is separable: the LP on everything, once (its N is exact, so it certifies)
      if (fellBack) throw new Error(`analyzeSeparability: the Newton certificate failed on the LP's own non-separable set (${active.length} samples)`);
      fellBack = true;
      const all = lpWorkingSet(highs, Z, d, nonzero, ctx);
      const inAll = new Set(all.separable);
      active = nonzero.filter((a) => !inAll.has(a));
      rounds.push(...all.rounds);
      workingSetSizes.push(...all.workingSetSizes);
      continue;
    }
    ctx.certified = active.length;
    const u = Float64Array.from(lp.u);
    projectOut(projection.basis, u); // exactly orthogonal to span(N_c): ⟨u, ẑ_β⟩ ≈ 0 on N
    return { separable: lp.separable.map((k) => rest[k]), u, rounds, workingSetSizes, certifiedRows: active, weights: cert.p, projection, iterations, newtonTimeMs, outerRounds: outer };
  }
  throw new Error(`analyzeSeparability: the Newton path did not settle in ${maxOuter} rounds (${active.length} candidate non-separable samples)`);
}

function newtonProgress(ctx: LpContext, what: string, n: number, done: number, outer: number) {
  return (it: { iteration: number; residual: number; minWeight: number }): void => {
    ctx.clock.check(`Newton iteration ${done + it.iteration} (${what}) on ${n} samples`, ctx.certified);
    ctx.opts.onProgress?.({ phase: 'newton', round: outer, workingSet: n, violators: 0, lpTimeMs: 0, certified: ctx.certified, newtonIteration: done + it.iteration, gradNorm: it.residual, minWeight: it.minWeight, elapsedMs: ctx.clock.elapsedMs() });
  };
}

/**
 * The guess of N: Newton on F(u) + (ε/2)‖u‖², F(u) = mean(exp(−t) − t), t = Ẑu, for ε = NEWTON_RIDGES: the samples
 * of I are pushed out to t ~ |I|γ²/(mε) (γ their margin), those of N stay near the ε = 0 solution on N, so the
 * samples whose t grows by more than 1 as ε falls 100-fold are guessed separable. A guess only: the LP on the
 * projected rest and the certificate correct it.
 */
function guessByRidgePath(Z: Float64Array, d: number, rows: readonly number[], ctx: LpContext): { rows: number[]; u: Float64Array; iterations: number } {
  const n = rows.length;
  let u: Float64Array = new Float64Array(d);
  let iterations = 0;
  let tPrev: Float64Array | null = null;
  const aside = new Uint8Array(n);
  for (const ridge of NEWTON_RIDGES) {
    const res = softmaxNewton(Z, d, rows, { kind: 'tilted-exp', ridge, u0: u, maxIter: NEWTON_MAX_ITER, tol: 1e-10, onIteration: newtonProgress(ctx, `guess, ridge ${ridge}`, n, iterations, 0) });
    iterations += res.iterations;
    u = res.u;
    const t = Float64Array.from(rows, (a) => dotRow(Z, d, a, u));
    if (tPrev) for (let i = 0; i < n; i++) if (t[i] > 1 && t[i] - tPrev[i] > 1) aside[i] = 1;
    tPrev = t;
  }
  return { rows: rows.filter((_, i) => !aside[i]), u, iterations };
}

/**
 * Certify `rows` non-separable by Newton on the tilted objective F(u) = mean(exp(−t) − t) (no ridge): its weights
 * exp(−t) + 1 cannot vanish, and at its minimizer Σ p ẑ ≈ 0 certifies every row (‖Σ p ẑ‖/p_β ≤ NEWTON_CERT_BOUND).
 * The minimizer exists iff no row is separable among the rows; when it does not converge, the rows whose t keeps
 * growing over the second half of the iterations are returned as `growing` (guessed separable).
 */
function certifyByNewton(Z: Float64Array, d: number, rows: readonly number[], ctx: LpContext, outer: number): { certified: boolean; p: Float64Array; iterations: number; growing: number[] } {
  let u: Float64Array = new Float64Array(d);
  let iterations = 0;
  let tMid: Float64Array | null = null;
  for (const half of [0, 1]) {
    const history: number[] = [];
    let done = false;
    const res = softmaxNewton(Z, d, rows, {
      kind: 'tilted-exp',
      u0: u,
      maxIter: half === 0 ? NEWTON_MAX_ITER : 8,
      tol: 0,
      stopWhen: (residual, p) => {
        let minP = Infinity;
        for (let k = 0; k < p.length; k++) if (p[k] < minP) minP = p[k];
        done = residual <= NEWTON_CERT_BOUND * minP;
        history.push(residual);
        // Newton converges quadratically once near; a residual that has not halved in 6 iterations will not vanish
        const stuck = half === 0 && history.length > 12 && residual > 0.5 * history[history.length - 7];
        return done || stuck;
      },
      onIteration: newtonProgress(ctx, 'certificate', rows.length, iterations, outer),
    });
    iterations += res.iterations;
    u = res.u;
    if (done) return { certified: true, p: res.p, iterations, growing: [] };
    const t = Float64Array.from(rows, (a) => dotRow(Z, d, a, u));
    if (half === 0) {
      tMid = t;
      continue;
    }
    const growing = rows.filter((_, i) => t[i] > 1 && t[i] - tMid![i] > 1);
    return { certified: false, p: res.p, iterations, growing };
  }
  throw new Error('unreachable');
}

function projectOut(basis: readonly Float64Array[], r: Float64Array): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const b of basis) {
      const c = dotv(b, r);
      if (c !== 0) for (let j = 0; j < r.length; j++) r[j] -= c * b[j];
    }
  }
}

/** ⟨ẑ_a, u⟩ */
function dotRow(Z: Float64Array, d: number, a: number, u: Float64Array): number {
  let s = 0;
  for (let j = 0, o = a * d; j < d; j++) s += Z[o + j] * u[j];
  return s;
}

/**
 * The peeling LP rounds on the samples `rows` (module comment): I of these samples, the rounds, and one weak
 * separator u of all of them that is strict exactly on I. Round r's separator u_r is weakly separating for the
 * samples still in play at round r, so u = c_1 u_1 + … (c_r large enough for round r's new samples to stay
 * strictly positive) is strict on every round's new samples and ≥ 0 on the rest.
 */
function peel(highs: Highs, Z: Float64Array, d: number, rows: number[], ctx: LpContext): { separable: number[]; rounds: LpRound[]; u: Float64Array } {
  const { box, threshold, maxRounds, opts, clock } = ctx;
  const rounds: LpRound[] = [];
  const perRound: { u: Float64Array; found: number[] }[] = [];
  const taken = new Set<number>();
  let remaining = rows;
  for (let r = 0; r < maxRounds && remaining.length > 0; r++) {
    let res = solveRound(highs, Z, d, remaining, box, threshold, clock.lpLimit(), opts.highsOptions);
    if (res.round.status === 'unknown' && Number.isFinite(box)) {
      // Numerical trouble (HiGHS could not clean up the final basis): retry once with a free u.
      rounds.push(res.round);
      res = solveRound(highs, Z, d, remaining, Infinity, threshold, clock.lpLimit(), opts.highsOptions);
    }
    rounds.push(res.round);
    if (res.round.status === 'timeLimit') clock.check(`an LP on ${remaining.length} samples`, ctx.certified);
    if (res.round.status !== 'optimal') {
      throw new Error(`analyzeSeparability: HiGHS ended with status '${res.round.status}' on round ${r + 1} (${remaining.length} samples, d = ${d}, box ${res.round.box})`);
    }
    perRound.push({ u: res.u!, found: res.separable });
    for (const a of res.separable) taken.add(a);
    if (res.separable.length === 0 || !(res.round.boxGain > BOX_GAIN_TOL)) break;
    remaining = remaining.filter((a) => !taken.has(a));
  }
  const u = new Float64Array(d);
  for (let r = perRound.length - 1; r >= 0; r--) {
    const { u: ur, found } = perRound[r];
    if (found.length === 0) continue;
    let worst = 0, least = Infinity;
    for (const a of found) {
      worst = Math.max(worst, -dotRow(Z, d, a, u));
      least = Math.min(least, dotRow(Z, d, a, ur));
    }
    const c = 1 + (2 * worst) / least;
    for (let j = 0; j < d; j++) u[j] = c * ur[j] + u[j];
  }
  return { separable: [...taken], rounds, u };
}

/**
 * Gordan's alternative on N: minimize Σ w s.t. Σ_β w_β ẑ_β = 0, w_β ≥ 1 (d equality rows, |N| columns). Feasible
 * iff no weak separator is strict on any sample of N. Weights returned normalised to Σ w = 1.
 */
function gordanDual(highs: Highs, Z: Float64Array, d: number, N: number[], clock: Clock): { status: string; weights: Float64Array; timeMs: number } {
  const t0 = performance.now();
  const timeLimit = clock.lpLimit();
  const n = N.length;
  let nnz = 0;
  for (const a of N) for (let j = 0, o = a * d; j < d; j++) if (Z[o + j] !== 0) nnz++;
  const starts = new Int32Array(n + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let p = 0;
  for (let k = 0; k < n; k++) {
    for (let j = 0, o = N[k] * d; j < d; j++) {
      const v = Z[o + j];
      if (v !== 0) {
        indices[p] = j;
        values[p++] = v;
      }
    }
    starts[k + 1] = p;
  }
  let model: ReturnType<Highs['createModel']> | null = null;
  try {
    model = highs.createModel();
    model.options.set({ output_flag: false, small_matrix_value: SMALL_ENTRY, primal_feasibility_tolerance: FEAS_TOL, dual_feasibility_tolerance: FEAS_TOL, random_seed: 0 });
    if (timeLimit !== undefined) model.options.set('time_limit', timeLimit);
    model.passModel({
      numCols: n,
      numRows: d,
      sense: highs.constants.objectiveSense.minimize,
      colCost: new Float64Array(n).fill(1),
      colLower: new Float64Array(n).fill(1),
      colUpper: new Float64Array(n).fill(highs.infinity),
      rowLower: new Float64Array(d),
      rowUpper: new Float64Array(d),
      matrix: { format: 'csc', numRows: d, numCols: n, starts, indices, values },
    });
    model.run();
    const status = statusName(highs, model.getModelStatus());
    if (status === 'timeLimit') clock.check(`the Gordan dual LP on ${n} samples`, 0);
    const weights = new Float64Array(n);
    if (status === 'optimal') {
      const x = model.getSolution().colValue;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += x[k];
      for (let k = 0; k < n; k++) weights[k] = x[k] / sum;
    }
    return { status, weights, timeMs: performance.now() - t0 };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) {
      highsPromise = null;
      model = null;
      throw new Error(`analyzeSeparability: HiGHS aborted on the Gordan dual LP (${d} rows, ${n} columns, ${nnz} nonzeros) — most likely out of WebAssembly memory`, { cause: err });
    }
    throw err;
  } finally {
    model?.dispose();
  }
}

/** Both certificates, recomputed in float64 on the rows (see SeparabilityCertificates). */
function certify(Z: Float64Array, d: number, I: number[], N: number[], u: Float64Array, w: Float64Array, dualStatus: string): SeparabilityCertificates {
  let nu = 0;
  for (let j = 0; j < d; j++) nu += u[j] * u[j];
  nu = Math.sqrt(nu);
  let margin = Infinity, nonSepMin = Infinity;
  for (const a of I) if (rowIsNonzero(Z, d, a)) margin = Math.min(margin, nu > 0 ? dotRow(Z, d, a, u) / nu : -Infinity);
  let nonSepMaxAbs = N.length === 0 ? 0 : -Infinity;
  for (const a of N) {
    const v = nu > 0 ? dotRow(Z, d, a, u) / nu : 0;
    nonSepMin = Math.min(nonSepMin, v);
    nonSepMaxAbs = Math.max(nonSepMaxAbs, Math.abs(v));
  }
  let dualResidual = 0, dualMinWeight = Infinity;
  if (N.length > 0) {
    const r = new Float64Array(d);
    for (let k = 0; k < N.length; k++) {
      dualMinWeight = Math.min(dualMinWeight, w[k]);
      for (let j = 0, o = N[k] * d; j < d; j++) r[j] += w[k] * Z[o + j];
    }
    dualResidual = Math.sqrt(r.reduce((acc, x) => acc + x * x, 0));
    if (dualStatus !== 'optimal' && dualStatus !== 'newton') dualResidual = NaN;
  }
  const dualMarginBound = N.length === 0 ? 0 : dualMinWeight > 0 ? dualResidual / dualMinWeight : Infinity;
  const verified = margin > 0 && nonSepMin >= -CERT_WEAK_TOL && (N.length === 0 || (dualMinWeight > 0 && dualMarginBound <= CERT_MARGIN_BOUND));
  return { separatorMargin: margin, separatorNonSeparableMin: nonSepMin, separatorNonSeparableMaxAbs: nonSepMaxAbs, dualResidual, dualMinWeight: N.length === 0 ? NaN : dualMinWeight, dualMarginBound, dualStatus, verified };
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
): { round: LpRound; separable: number[]; u: Float64Array | null } {
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
    let u: Float64Array | null = null;
    let objective = NaN;
    let fractional = 0;
    let boxActive = false;
    let boxGain = NaN;
    if (status === 'optimal') {
      objective = model.getObjectiveValue();
      const x = model.getSolution().colValue;
      u = Float64Array.from({ length: d }, (_, j) => x[j]);
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
      u,
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

interface PivotedSubspace extends Subspace {
  /** the residual norm that selected each pivot row (before re-orthogonalization) */
  selected: number[];
}

/**
 * The pivoted Gram–Schmidt at a coarser tolerance, read off a finer run: both pick the same rows until the largest
 * residual falls to the coarse tolerance, so the coarse basis is the fine one's first vectors (up to a row whose
 * re-orthogonalized pivot drops below the tolerance, which the coarse run would skip and this keeps out too).
 */
function truncateSubspace(fine: PivotedSubspace, tol: number): Subspace {
  let k = 0;
  while (k < fine.basis.length && fine.selected[k] > tol && fine.spectrum[k] > tol) k++;
  return { basis: fine.basis.slice(0, k), spectrum: fine.spectrum.slice(0, k), method: 'pivoted-gs' };
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
function pivotedGramSchmidt(Z: Float64Array, d: number, rows: readonly number[], tol: number): PivotedSubspace {
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
  const selected: number[] = [];
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
    selected.push(bn);
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
  return { basis, spectrum: Float64Array.from(pivots), method: 'pivoted-gs', selected };
}

function rowNorm(R: Float64Array, i: number, d: number): number {
  let s = 0;
  for (let t = 0, o = i * d; t < d; t++) s += R[o + t] * R[o + t];
  return Math.sqrt(s);
}
