/**
 * Damped Newton on the log-sum-exp ("softmax") objective of a set of unit rows ẑ_α (theory §7):
 *     G(u) = log Σ_α exp(−⟨ẑ_α, u⟩) + (ε/2)‖u‖²,
 * with weights p = softmax(−Ẑu) (Σ p = 1), gradient ∇G = −Σ p_α ẑ_α + εu and Hessian
 * Σ p_α ẑ_α ẑ_αᵀ − (Σ p ẑ)(Σ p ẑ)ᵀ + εI.
 *
 * Why: for ε = 0, G has a minimizer iff no weak separator of the rows is strict on any of them (Gordan), and at
 * the minimizer ∇G = 0 says Σ p_α ẑ_α = 0 with every p_α > 0 — a Gordan certificate on ALL the rows at once,
 * found with dense linear algebra of cost |rows|·d² per step instead of an LP over 10⁴ dense columns (which
 * HiGHS' wasm build cannot hold). When some rows are separable among the rows, G has no minimizer: along the
 * separating direction their weights decay geometrically while the others converge, which identifies them.
 * With ε > 0 the minimizer always exists (used to rank candidates: separable rows get weights ~ε).
 *
 * Browser-safe (no Node imports); deterministic (fixed loop orders).
 */

export interface SoftmaxNewtonOptions {
  /**
   * 'lse' (default): G(u) = log Σ exp(−⟨ẑ, u⟩), weights softmax(−Ẑu). 'tilted-exp': F(u) = mean(exp(−t) − t),
   * t = Ẑu, weights ∝ exp(−t) + 1 — bounded below, so they make a certificate whose smallest weight is not
   * lost in the residual; its minimizer exists under the same condition (no row separable among the rows).
   */
  kind?: 'lse' | 'tilted-exp';
  /** ε ≥ 0 (default 0) */
  ridge?: number;
  /** starting point (length d; default 0) */
  u0?: Float64Array;
  /** default 60 */
  maxIter?: number;
  /** stop when ‖∇G‖ ≤ tol (default 1e-15) */
  tol?: number;
  /** checked before every iteration (and at the end): true stops with stopReason 'stopWhen' */
  stopWhen?: (residual: number, p: Float64Array) => boolean;
  /** called after every iteration */
  onIteration?: (it: { iteration: number; value: number; gradNorm: number; residual: number; step: number; minWeight: number }) => void;
}

export interface SoftmaxNewtonResult {
  u: Float64Array;
  /** certificate weights on `rows` (aligned), Σ = 1: softmax(−Ẑu) for 'lse', ∝ exp(−Ẑu) + 1 for 'tilted-exp' */
  p: Float64Array;
  /** G(u) */
  value: number;
  /** ‖∇‖ at u */
  gradNorm: number;
  /** ‖Σ p ẑ‖ (Σ p = 1): the certificate's residual */
  residual: number;
  iterations: number;
  /** ‖∇G‖ ≤ tol */
  converged: boolean;
  /** why it stopped: 'tol', 'stopWhen', 'maxIter', 'no-descent' (the line search or the factorization failed) */
  stopReason: 'tol' | 'stopWhen' | 'maxIter' | 'no-descent';
}

/** log Σ exp(−t), the softmax weights of −t, for t = Ẑu over `rows`. */
function softmaxAt(Z: Float64Array, d: number, rows: readonly number[], u: Float64Array, p: Float64Array): number {
  const n = rows.length;
  let top = -Infinity;
  for (let k = 0; k < n; k++) {
    let t = 0;
    for (let j = 0, o = rows[k] * d; j < d; j++) t += Z[o + j] * u[j];
    p[k] = -t;
    if (-t > top) top = -t;
  }
  let sum = 0;
  for (let k = 0; k < n; k++) sum += p[k] = Math.exp(p[k] - top);
  for (let k = 0; k < n; k++) p[k] /= sum;
  return top + Math.log(sum);
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(s);
}

/** Σ_k p_k ẑ_{rows[k]} */
function weightedSum(Z: Float64Array, d: number, rows: readonly number[], p: Float64Array): Float64Array {
  const s = new Float64Array(d);
  for (let k = 0; k < rows.length; k++) {
    const w = p[k];
    if (w === 0) continue;
    for (let j = 0, o = rows[k] * d; j < d; j++) s[j] += w * Z[o + j];
  }
  return s;
}

/**
 * Upper triangle (then mirrored) of Σ_k p_k ẑ_k ẑ_kᵀ, blocked over samples so that H (d² doubles) is streamed
 * once per block of BLOCK rows rather than once per row.
 */
export function weightedGram(Z: Float64Array, d: number, rows: readonly number[], p: ArrayLike<number>): Float64Array {
  const BLOCK = 32;
  const H = new Float64Array(d * d);
  const coef = new Float64Array(BLOCK);
  for (let b0 = 0; b0 < rows.length; b0 += BLOCK) {
    const nb = Math.min(BLOCK, rows.length - b0);
    for (let i = 0; i < d; i++) {
      const hi = i * d;
      let any = false;
      for (let k = 0; k < nb; k++) {
        coef[k] = p[b0 + k] * Z[rows[b0 + k] * d + i];
        if (coef[k] !== 0) any = true;
      }
      if (!any) continue;
      // four samples per pass over the row of H: a quarter of the loads and stores of H
      let k = 0;
      for (; k + 4 <= nb; k += 4) {
        const c0 = coef[k], c1 = coef[k + 1], c2 = coef[k + 2], c3 = coef[k + 3];
        const o0 = rows[b0 + k] * d - hi, o1 = rows[b0 + k + 1] * d - hi, o2 = rows[b0 + k + 2] * d - hi, o3 = rows[b0 + k + 3] * d - hi;
        for (let j = hi + i, end = hi + d; j < end; j++) H[j] += c0 * Z[o0 + j] + c1 * Z[o1 + j] + c2 * Z[o2 + j] + c3 * Z[o3 + j];
      }
      for (; k < nb; k++) {
        const c = coef[k];
        if (c === 0) continue;
        const o = rows[b0 + k] * d;
        for (let j = i; j < d; j++) H[hi + j] += c * Z[o + j];
      }
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) H[i * d + j] = H[j * d + i];
  return H;
}

/** In-place Cholesky of A + shift·I (lower, row-major); false if a pivot is not positive. */
function cholesky(A: Float64Array, d: number, shift: number): boolean {
  for (let i = 0; i < d; i++) A[i * d + i] += shift;
  for (let j = 0; j < d; j++) {
    const oj = j * d;
    let s = A[oj + j];
    for (let k = 0; k < j; k++) s -= A[oj + k] * A[oj + k];
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    A[oj + j] = l;
    for (let i = j + 1; i < d; i++) {
      const oi = i * d;
      let t = A[oi + j];
      for (let k = 0; k < j; k++) t -= A[oi + k] * A[oj + k];
      A[oi + j] = t / l;
    }
  }
  return true;
}

function choleskySolve(L: Float64Array, d: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < d; i++) {
    let s = x[i];
    for (let k = 0, oi = i * d; k < i; k++) s -= L[oi + k] * x[k];
    x[i] = s / L[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < d; k++) s -= L[k * d + i] * x[k];
    x[i] = s / L[i * d + i];
  }
  return x;
}

/** The objective at v: its value, and in `h` the Hessian weights, in `c` the certificate weights (Σ = 1), with ∇ = −scale·Σ c ẑ + εv. */
function evaluate(kind: 'lse' | 'tilted-exp', Z: Float64Array, d: number, rows: readonly number[], v: Float64Array, h: Float64Array, c: Float64Array): { value: number; scale: number } {
  if (kind === 'lse') {
    const value = softmaxAt(Z, d, rows, v, h);
    c.set(h);
    return { value, scale: 1 };
  }
  const n = rows.length;
  let value = 0, sum = 0;
  for (let k = 0; k < n; k++) {
    let t = 0;
    for (let j = 0, o = rows[k] * d; j < d; j++) t += Z[o + j] * v[j];
    const e = Math.exp(-t);
    h[k] = e / n;
    c[k] = e + TILT;
    sum += c[k];
    value += (e - TILT * t) / n;
  }
  for (let k = 0; k < n; k++) c[k] /= sum;
  return { value, scale: sum / n };
}

/** The tilt c of the 'tilted-exp' objective: every certificate weight is at least c/Σ. */
const TILT = 1;

/**
 * Minimize the objective over u ∈ R^d (module comment) by Newton steps with backtracking. The Hessian is singular
 * outside span(rows) (and, for LSE, along the optimum's zero-gradient directions), so each solve adds a relative
 * shift of 1e-13·trace, raised ×100 on a failed factorization; the gradient lies in span(rows) + εu, so the
 * shift only damps directions that do not change the objective.
 */
export function softmaxNewton(Z: Float64Array, d: number, rows: readonly number[], opts: SoftmaxNewtonOptions = {}): SoftmaxNewtonResult {
  const eps = opts.ridge ?? 0;
  const kind = opts.kind ?? 'lse';
  const maxIter = opts.maxIter ?? 60;
  const tol = opts.tol ?? 1e-15;
  const n = rows.length;
  let u = opts.u0 ? Float64Array.from(opts.u0) : new Float64Array(d);
  const h = new Float64Array(n), p = new Float64Array(n);
  const valueAt = (v: Float64Array, hq: Float64Array, cq: Float64Array): { value: number; scale: number } => {
    let r = 0;
    if (eps > 0) for (let j = 0; j < d; j++) r += v[j] * v[j];
    const e = evaluate(kind, Z, d, rows, v, hq, cq);
    return { value: e.value + 0.5 * eps * r, scale: e.scale };
  };
  let cur = valueAt(u, h, p);
  let value = cur.value;
  /** ∇ and the certificate residual ‖Σ c ẑ‖ */
  const gradientAt = (v: Float64Array, cq: Float64Array, scale: number): { g: Float64Array; residual: number } => {
    const g = weightedSum(Z, d, rows, cq);
    const residual = norm(g);
    for (let j = 0; j < d; j++) g[j] = eps * v[j] - scale * g[j];
    return { g, residual };
  };
  let { g, residual } = gradientAt(u, p, cur.scale);
  let gradNorm = norm(g);
  let it = 0;
  const ht = new Float64Array(n), pt = new Float64Array(n);
  let stopReason: SoftmaxNewtonResult['stopReason'] = 'maxIter';
  let stalls = 0;
  for (; ; it++) {
    if (gradNorm <= tol) { stopReason = 'tol'; break; }
    if (opts.stopWhen?.(residual, p)) { stopReason = 'stopWhen'; break; }
    if (it >= maxIter) break;
    const H = weightedGram(Z, d, rows, h);
    if (kind === 'lse') {
      // − m mᵀ with m = Σ p ẑ = εu − g
      for (let i = 0; i < d; i++) {
        const mi = eps * u[i] - g[i];
        for (let j = 0; j < d; j++) H[i * d + j] -= mi * (eps * u[j] - g[j]);
      }
    }
    let trace = 0;
    for (let i = 0; i < d; i++) trace += H[i * d + i];
    let shift = eps + 1e-13 * Math.max(trace, 1e-300);
    const Hc = new Float64Array(d * d);
    let ok = false;
    for (let attempt = 0; attempt < 8 && !ok; attempt++, shift *= 100) {
      Hc.set(H);
      ok = cholesky(Hc, d, shift);
    }
    if (!ok) { stopReason = 'no-descent'; break; }
    const step = choleskySolve(Hc, d, g);
    for (let j = 0; j < d; j++) step[j] = -step[j];
    let slope = 0;
    for (let j = 0; j < d; j++) slope += g[j] * step[j];
    // Armijo backtracking. Near the optimum the decrease (~‖g‖²) drowns in the value's rounding (~1e-16·|value|):
    // there a step is also accepted when the value did not rise beyond rounding and the gradient shrank.
    let a = 1;
    let accepted = false;
    const un = new Float64Array(d);
    const noise = 1e-14 * Math.max(1, Math.abs(value));
    const valueBefore = value;
    for (let bt = 0; bt < 40; bt++, a *= 0.5) {
      for (let j = 0; j < d; j++) un[j] = u[j] + a * step[j];
      const tr = valueAt(un, ht, pt);
      const v = tr.value;
      let take = v <= value + 1e-4 * a * slope;
      let gTrial: { g: Float64Array; residual: number } | null = null;
      if (!take && v <= value + noise) {
        gTrial = gradientAt(un, pt, tr.scale);
        take = norm(gTrial.g) < gradNorm;
      }
      if (take) {
        u = Float64Array.from(un);
        h.set(ht);
        p.set(pt);
        value = v;
        ({ g, residual } = gTrial ?? gradientAt(u, p, tr.scale));
        accepted = true;
        break;
      }
    }
    if (!accepted) { stopReason = 'no-descent'; break; }
    const prevGrad = gradNorm;
    gradNorm = norm(g);
    // at the rounding floor steps no longer help: stop after 3 that neither lower the value nor halve ‖∇‖
    stalls = valueBefore - value <= noise && gradNorm > 0.5 * prevGrad ? stalls + 1 : 0;
    if (stalls >= 3) { stopReason = 'no-descent'; it++; break; }
    if (opts.onIteration) {
      let minWeight = Infinity;
      for (let k = 0; k < n; k++) if (p[k] < minWeight) minWeight = p[k];
      opts.onIteration({ iteration: it + 1, value, gradNorm, residual, step: a, minWeight });
    }
  }
  return { u, p, value, gradNorm, residual, iterations: it, converged: gradNorm <= tol, stopReason };
}
