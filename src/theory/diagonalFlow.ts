/**
 * Exact gradient flow of a diagonal linear network on the exponential loss, to minimum margins of
 * 10⁶⁴ and beyond (Moroshko et al. 2020; neighbours §A).
 *
 * Model β = u₊^D − u₋^D (element-wise), u₊ = u₋ = α·1 at t = 0, loss L = Σ_n exp(−⟨β, z_n⟩) with
 * z_n = y_n x_n (the rows of X̃). Gradient flow u̇± = ∓D u±^{D−1} r with r = X̃ᵀe^{−m}, m = X̃β.
 * With the dual clock ν_n(t) = ∫₀ᵗ e^{−m_n} and s = X̃ᵀν (so ṡ = r), each coordinate integrates in
 * closed form (verified here by differentiation; neighbours.md's constants are right):
 *   D = 2: d log u± = ±2 ds → u± = α e^{±2s}, β = α²(e^{4s} − e^{−4s}) = 2α² sinh(4s);
 *   D ≥ 3: d(u±^{2−D}) = ∓D(D−2) ds → u±^D = α^D (1 ∓ z)^{−D/(D−2)}, z = D(D−2)α^{D−2}s,
 *          β = α^D [(1−z)^{−k} − (1+z)^{−k}], k = D/(D−2)  (z ∈ (−1, 1); |z| → 1 is β → ∞).
 * In the re-parametrised time dτ = L dt (exact for the path) the clock moves with bounded speed,
 *   dν/dτ = softmax(−m),   Σ_n ν_n = τ.
 *
 * WHY an implicit integrator. At large margins the system is stiff: ∂m/∂ν = X̃ diag(dβ/ds) X̃ᵀ grows
 * like γ, and the softmax of margins that differ by O(1) out of 10⁶⁴ cannot even be formed in f64
 * (its exact limit is a sliding mode that keeps the support vectors' margins tied). Implicit Euler,
 * ν' = ν + h softmax(−m(ν')), is exactly the convex problem
 *     p = argmin_{p ∈ simplex} Φ(ν + h p)/h + Σ p_n log p_n,    ∇_ν Φ = m  (Φ = Σ_j B(s_j), B' = β),
 * whose KKT conditions (m_n + log p_n equal on the support) are resolved to relative precision in m,
 * so the step is well-posed at any γ; it is solved by Newton's method with multiplicative (mirror) steps
 * and an Armijo line search, growing lagging samples' weights from ~0 by up to e^{50} per iteration. Accuracy comes from
 * extrapolation (Richardson/Aitken–Neville on the harmonic sequence 1, 2, 3, 4 sub-steps, order 4,
 * error estimate from the last two columns, step-size control), as in SEULEX.
 *
 * Precision. Margins up to 10³⁰⁰ are plain doubles. For D ≥ 3 the state carries z, 1 − z and 1 + z
 * (each updated by the same increment), never 1 − z recomputed from z: at γ = 10⁶⁴, D = 3, 1 − z is
 * ~1e−21 and its relative precision is what β needs. β is computed with expm1/log1p for small |z|
 * (or |s| for D = 2) so that it is relatively accurate near 0 too. ε = Σ exp(−m) underflows beyond
 * γ ≈ 745: it is reported as log10 (and as 0 in the plain field).
 */
import { exp, log, log1p, pow } from '../linalg/detmath.ts';

export const DEFAULT_MARKS = [1, 10, 230, 1e4, 1e8, 1e16, 1e32, 1e64];
const LN10 = 2.302585092994046;
/** Probabilities below this are 0 (their margins exceed the support's by > 690). */
const P_MIN = 1e-300;
const LOG_P_MIN = -690.7755278982137;
const SEQ = [1, 2, 3, 4];

/** expm1 from the deterministic exp/log (Kahan's trick: exact ratio of two rounded values). */
export function expm1(x: number): number {
  if (Math.abs(x) < 1e-5) return x + x * x * (0.5 + x / 6);
  const u = exp(x);
  if (u === 1) return x;
  const um1 = u - 1;
  if (um1 === -1) return -1;
  return (um1 * x) / log(u);
}

export interface DiagonalFlowProblem {
  /** N×d row-major inputs */
  X: Float64Array;
  /** N labels ±1 */
  y: ArrayLike<number>;
  N: number;
  d: number;
  /** init scale α > 0 */
  alpha: number;
  /** depth D ≥ 2 */
  depth: number;
}

export interface DiagonalFlowOptions {
  /** minimum-margin marks to stop at, increasing (default 1, 10, 230, 1e4, 1e8, 1e16, 1e32, 1e64) */
  marks?: number[];
  /** relative tolerance of the extrapolated steps (default 1e-9) */
  rtol?: number;
  /** coordinates with |b_j| ≥ supportTol·max|b| count in the support (default 1e-3) */
  supportTol?: number;
  /** step limit (default 200 000) */
  maxSteps?: number;
  /** wall-clock limit in ms (default none; with a limit, how far the run gets depends on the machine) */
  timeLimitMs?: number;
}

export interface FlowMark {
  /** the mark (target minimum margin) */
  mark: number;
  /** minimum margin γ reached (equal to the mark to ~1e-9 relative) */
  gamma: number;
  /** re-parametrised time τ = Σ ν */
  tau: number;
  /** ε = Σ_n exp(−m_n): 0 when it underflows (see log10Eps) */
  eps: number;
  log10Eps: number;
  /** ε / N */
  meanLoss: number;
  log10MeanLoss: number;
  /** #{j : |b_j| ≥ supportTol·max|b|} */
  supportSize: number;
  /**
   * support vectors: samples with m_n − γ ≤ max(log 1000, 1e−6·γ) — softmax weight ≥ 1e−3 of the largest at
   * modest γ; at large γ, where f64 cannot resolve O(1) margin differences, normalised margin ≤ 1 + 1e−6
   */
  supportVectors: number;
  /** β / γ (min margin 1) */
  b: Float64Array;
  beta: Float64Array;
  /** accepted integrator steps so far */
  steps: number;
}

export interface DiagonalFlowResult {
  marks: FlowMark[];
  /** every requested mark reached */
  complete: boolean;
  steps: number;
  rejectedSteps: number;
  implicitSolves: number;
  newtonIterations: number;
  timeMs: number;
}

/**
 * β(s) in closed form, per coordinate (for tests and read-outs): D = 2: 2α² sinh(4s); D ≥ 3: α^D h_D(z).
 * Throws for |z| ≥ 1 (beyond the blow-up).
 */
export function betaOfS(s: number, alpha: number, depth: number): number {
  if (depth === 2) return 2 * alpha * alpha * sinh(4 * s);
  const c = depth * (depth - 2) * pow(alpha, depth - 2);
  const z = c * s;
  if (!(Math.abs(z) < 1)) throw new RangeError(`betaOfS: z = ${z} outside (−1, 1)`);
  return betaD(pow(alpha, depth), depth / (depth - 2), z, 1 - z, 1 + z);
}

function sinh(x: number): number {
  if (Math.abs(x) < 1) {
    const e = expm1(x);
    return 0.5 * (e + e / (e + 1));
  }
  const e = exp(x);
  return 0.5 * (e - 1 / e);
}

/**
 * α^D[(1−z)^{−k} − (1+z)^{−k}] from z and the carried wp = 1 − z, wm = 1 + z; pp = wp^{−k}, pm = wm^{−k}
 * when already known (they are for |z| ≥ ½, where they are used).
 */
function betaD(aD: number, k: number, z: number, wp: number, wm: number, pp = NaN, pm = NaN): number {
  if (Math.abs(z) < 0.5) {
    // e^A − e^B = e^B expm1(A − B), A − B = k log((1+z)/(1−z)) = k log1p(2z/(1−z)): no cancellation at small z
    const B = -k * log1p(z);
    return aD * exp(B) * expm1(k * log1p((2 * z) / wp));
  }
  if (Number.isNaN(pp)) {
    pp = exp(-k * log(wp));
    pm = exp(-k * log(wm));
  }
  return aD * (pp - pm);
}

/** The flow's state layout and closed forms for one (α, D, data). */
class DiagonalSystem {
  readonly N: number;
  readonly d: number;
  /** X̃ = rows y_n x_n, N×d */
  readonly Z: Float64Array;
  readonly alpha: number;
  readonly depth: number;
  /** D(D−2)α^{D−2} (D ≥ 3) */
  readonly c: number;
  readonly k: number;
  /** α^D */
  readonly aD: number;
  /** state length: ν (N), then s (d) for D = 2, or z, 1 − z, 1 + z (3d) for D ≥ 3 */
  readonly size: number;

  constructor(p: DiagonalFlowProblem) {
    const { N, d, X, y, alpha, depth } = p;
    if (!Number.isInteger(N) || N < 1 || !Number.isInteger(d) || d < 1) throw new RangeError(`diagonalFlow: N and d must be positive integers, got ${N}, ${d}`);
    if (X.length !== N * d) throw new RangeError(`diagonalFlow: X has ${X.length} entries, expected N·d = ${N * d}`);
    if (y.length !== N) throw new RangeError(`diagonalFlow: y has ${y.length} labels, expected ${N}`);
    if (!(alpha > 0 && Number.isFinite(alpha))) throw new RangeError(`diagonalFlow: alpha must be positive, got ${alpha}`);
    if (!Number.isInteger(depth) || depth < 2) throw new RangeError(`diagonalFlow: depth must be an integer ≥ 2, got ${depth}`);
    this.N = N;
    this.d = d;
    this.alpha = alpha;
    this.depth = depth;
    this.c = depth === 2 ? 0 : depth * (depth - 2) * pow(alpha, depth - 2);
    this.k = depth === 2 ? 0 : depth / (depth - 2);
    this.aD = pow(alpha, depth);
    this.Z = new Float64Array(N * d);
    for (let n = 0; n < N; n++) {
      if (y[n] !== 1 && y[n] !== -1) throw new RangeError(`diagonalFlow: labels must be ±1, got y[${n}] = ${y[n]}`);
      for (let j = 0; j < d; j++) {
        const v = X[n * d + j];
        if (!Number.isFinite(v)) throw new RangeError(`diagonalFlow: non-finite X[${n}][${j}]`);
        this.Z[n * d + j] = y[n] * v;
      }
    }
    this.size = N + (depth === 2 ? d : 3 * d);
  }

  initialState(): Float64Array {
    const st = new Float64Array(this.size);
    if (this.depth > 2) {
      const o = this.N + this.d;
      st.fill(1, o, o + 2 * this.d); // 1 − z = 1 + z = 1
    }
    return st;
  }

  /** out = y0 advanced by ν += h p (so s += h X̃ᵀp). False if it leaves the domain |z| < 1. */
  advance(y0: Float64Array, p: Float64Array, h: number, out: Float64Array): boolean {
    const { N, d, Z } = this;
    for (let n = 0; n < N; n++) out[n] = y0[n] + h * p[n];
    for (let j = 0; j < d; j++) {
      let ds = 0;
      for (let n = 0; n < N; n++) if (p[n] !== 0) ds += Z[n * d + j] * p[n];
      ds *= h;
      if (this.depth === 2) {
        out[N + j] = y0[N + j] + ds;
      } else {
        const dz = this.c * ds;
        out[N + j] = y0[N + j] + dz;
        const wp = y0[N + d + j] - dz;
        const wm = y0[N + 2 * d + j] + dz;
        if (!(wp > 0 && wm > 0)) return false;
        out[N + d + j] = wp;
        out[N + 2 * d + j] = wm;
      }
    }
    return true;
  }

  /** β and dβ/ds at a state. */
  betaAndSlope(st: Float64Array, beta: Float64Array, slope: Float64Array | null): void {
    const { N, d, alpha, depth, aD, k, c } = this;
    for (let j = 0; j < d; j++) {
      if (depth === 2) {
        const x = 4 * st[N + j];
        const e = exp(x);
        beta[j] = 2 * alpha * alpha * (Math.abs(x) < 1 ? sinh(x) : 0.5 * (e - 1 / e));
        if (slope) slope[j] = 4 * alpha * alpha * (e + 1 / e); // 8α² cosh(4s)
      } else {
        const wp = st[N + d + j], wm = st[N + 2 * d + j];
        const pp = exp(-k * log(wp)), pm = exp(-k * log(wm)); // (1 ∓ z)^{−k}
        beta[j] = betaD(aD, k, st[N + j], wp, wm, pp, pm);
        if (slope) slope[j] = aD * k * c * (pp / wp + pm / wm);
      }
    }
  }

  /** Φ = Σ_j B(s_j) with B' = β, B(0) = 0 (the potential whose ν-gradient is m). */
  potential(st: Float64Array): number {
    const { N, d, alpha, depth, aD, k, c } = this;
    let phi = 0;
    for (let j = 0; j < d; j++) {
      if (depth === 2) {
        // (α²/2)(cosh 4s − 1) = α² sinh²(2s)
        const sh = sinh(2 * st[N + j]);
        phi += alpha * alpha * sh * sh;
      } else {
        // α^D/(c(k−1)) · [(1−z)^{1−k} + (1+z)^{1−k} − 2]
        const z = st[N + j], wp = st[N + d + j], wm = st[N + 2 * d + j];
        const k1 = 1 - k;
        const bracket = Math.abs(z) < 0.5 ? expm1(k1 * log1p(-z)) + expm1(k1 * log1p(z)) : exp(k1 * log(wp)) + exp(k1 * log(wm)) - 2;
        phi += (aD / (c * (k - 1))) * bracket;
      }
    }
    return phi;
  }

  margins(beta: Float64Array, m: Float64Array): void {
    const { N, d, Z } = this;
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Z[n * d + j] * beta[j];
      m[n] = s;
    }
  }
}

/** Cholesky solve of the SPD system A x = b (n×n, A overwritten), with Jacobi scaling and a pivot floor. */
function scaledCholeskySolve(A: Float64Array, n: number, rhs: Float64Array[], out: Float64Array[], sc: Float64Array): void {
  for (let i = 0; i < n; i++) sc[i] = 1 / Math.sqrt(A[i * n + i]);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] *= sc[i] * sc[j];
  for (let j = 0; j < n; j++) {
    let dsum = A[j * n + j];
    for (let t = 0; t < j; t++) dsum -= A[j * n + t] * A[j * n + t];
    // null directions of X̃ J X̃ᵀ leave only the (relatively tiny) entropy curvature: floor the pivot
    const ljj = Math.sqrt(Math.max(dsum, 1e-14));
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let t = 0; t < j; t++) s -= A[i * n + t] * A[j * n + t];
      A[i * n + j] = s / ljj;
    }
  }
  for (let r = 0; r < rhs.length; r++) {
    const x = out[r];
    for (let i = 0; i < n; i++) {
      let s = rhs[r][i] * sc[i];
      for (let t = 0; t < i; t++) s -= A[i * n + t] * x[t];
      x[i] = s / A[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i];
      for (let t = i + 1; t < n; t++) s -= A[t * n + i] * x[t];
      x[i] = s / A[i * n + i];
    }
    for (let i = 0; i < n; i++) x[i] *= sc[i];
  }
}

interface Work {
  beta: Float64Array;
  slope: Float64Array;
  m: Float64Array;
  trial: Float64Array;
  /** Newton scratch, length N (N² for H) */
  g: Float64Array;
  H: Float64Array;
  rhs: Float64Array;
  ones: Float64Array;
  sa: Float64Array;
  sb: Float64Array;
  delta: Float64Array;
  sc: Float64Array;
  idx: number[];
  pTrial: Float64Array;
}

/**
 * One implicit Euler step of size h from y0: p = softmax(−m(y0 + h p)), by damped Newton on the convex
 * problem (see the module comment), warm-started from `p` (overwritten with the solution). Writes the new
 * state into `out`. Returns the Newton iterations used, or −1 if it did not converge.
 */
function implicitEuler(sys: DiagonalSystem, y0: Float64Array, h: number, p: Float64Array, out: Float64Array, w: Work): number {
  const { N, d, Z } = sys;
  const { g, H, idx } = w;
  const F = (st: Float64Array, pp: Float64Array): number => {
    let ent = 0;
    for (const v of pp) if (v > 0) ent += v * log(v);
    return sys.potential(st) / h + ent;
  };
  if (!sys.advance(y0, p, h, out)) {
    // the warm start overshoots the blow-up (D ≥ 3): start from uniform weights instead
    p.fill(1 / N);
    if (!sys.advance(y0, p, h, out)) return -1;
  }
  let f0 = F(out, p);
  let dPrev = Infinity;
  for (let it = 1; it <= 100; it++) {
    sys.betaAndSlope(out, w.beta, w.slope);
    sys.margins(w.beta, w.m);
    // multiplier estimate and (re)activation of zero entries the KKT conditions want positive
    let lam = 0;
    for (let n = 0; n < N; n++) if (p[n] > 0) lam += p[n] * (w.m[n] + log(p[n]));
    let activated = false;
    let lmax = -Infinity;
    for (let n = 0; n < N; n++) {
      const ln = p[n] > 0 ? log(p[n]) : lam - w.m[n];
      // hysteresis (activate above e^{−640}, drop below 1e−300) so that an entry cannot cycle
      if (p[n] === 0 && ln > LOG_P_MIN + 50) activated = true;
      g[n] = ln;
      if (p[n] > 0) lmax = Math.max(lmax, ln);
    }
    if (activated) {
      // Enter with at most 1e−3 of the largest weight and let Newton grow it: a jump straight to the KKT weight
      // (which may be e^{+1000} times the others when its margin lags far behind) would flip the vertex.
      let s = 0;
      for (let n = 0; n < N; n++) {
        if (p[n] === 0 && g[n] > LOG_P_MIN + 50) p[n] = exp(lmax + Math.min(g[n] - lmax, -6.907755278982137));
        s += p[n];
      }
      for (let n = 0; n < N; n++) p[n] /= s;
      if (!sys.advance(y0, p, h, out)) return -1;
      f0 = F(out, p);
      continue;
    }
    idx.length = 0;
    for (let n = 0; n < N; n++) if (p[n] > 0) idx.push(n);
    const na = idx.length;
    // H = h X̃_A diag(dβ/ds) X̃_Aᵀ + diag(1/p_A)
    for (let a = 0; a < na; a++) {
      const ra = idx[a] * d;
      for (let b = 0; b <= a; b++) {
        const rb = idx[b] * d;
        let s = 0;
        for (let j = 0; j < d; j++) s += Z[ra + j] * w.slope[j] * Z[rb + j];
        H[a * na + b] = H[b * na + a] = h * s;
      }
      H[a * na + a] += 1 / p[idx[a]];
      g[a] = w.m[idx[a]] + log(p[idx[a]]);
    }
    // Newton step with Σδ = 0: δ = H⁻¹(−g) − μ H⁻¹1
    const ga = w.rhs.subarray(0, na), ones = w.ones.subarray(0, na);
    for (let a = 0; a < na; a++) ga[a] = -g[a];
    const sa = w.sa.subarray(0, na), sb = w.sb.subarray(0, na);
    scaledCholeskySolve(H.subarray(0, na * na), na, [ga, ones], [sa, sb], w.sc);
    let suma = 0, sumb = 0;
    for (let a = 0; a < na; a++) {
      suma += sa[a];
      sumb += sb[a];
    }
    const mu = suma / sumb;
    let dmax = 0, slope0 = 0;
    const delta = w.delta;
    for (let a = 0; a < na; a++) {
      delta[a] = sa[a] - mu * sb[a];
      dmax = Math.max(dmax, Math.abs(delta[a]));
      slope0 += g[a] * delta[a];
    }
    // Converged: p moves by < 1e-13 and no entry wants to grow by more than a factor e (a lagging sample
    // with a tiny weight has a tiny |δ| but a large δ/p: it is far from converged).
    let grow = 0;
    for (let a = 0; a < na; a++) grow = Math.max(grow, delta[a] / p[idx[a]]);
    if (dmax <= 1e-13 && grow <= 1) return it;
    // Near the solution (quadratic region) take full steps and stop at the rounding floor, where F's
    // decrease is invisible and δ stops shrinking; far from it, a damped step with Armijo on F.
    const local = dmax < 1e-3 && grow <= 1;
    if (dmax < 1e-8 && grow <= 1 && dmax >= 0.25 * dPrev) return it;
    dPrev = dmax;
    // Multiplicative (mirror) step p_n·exp(t δ_n/p_n): to first order the Newton step, and exact for entries
    // whose weight is set by the entropy alone (p_n → exp(λ − m_n) in one step, up or down). Growth is
    // capped at e^{50} per iteration, so a lagging sample climbs from 1e−300 to O(1) in a few iterations.
    let t = 1;
    let accepted = false;
    for (let ls = 0; ls < 50 && !accepted; ls++, t *= 0.5) {
      const pt = w.pTrial;
      pt.set(p);
      let s = 0;
      for (let a = 0; a < na; a++) {
        const n = idx[a];
        const dn = delta[a];
        const v = p[n] * exp(Math.max(-745, Math.min(50, (t * dn) / p[n])));
        pt[n] = v;
        s += v;
      }
      for (let n = 0; n < N; n++) {
        pt[n] /= s;
        if (pt[n] < P_MIN) pt[n] = 0;
      }
      if (!sys.advance(y0, pt, h, w.trial)) continue;
      const f1 = F(w.trial, pt);
      // Armijo, with slack for the rounding of F (values ~Φ/h; smaller decreases are invisible)
      if (local || f1 <= f0 + 1e-4 * t * slope0 + 1e-12 * (Math.abs(f0) + 1)) {
        p.set(pt);
        out.set(w.trial);
        f0 = f1;
        accepted = true;
      }
    }
    if (!accepted) return dmax <= 1e-8 && grow <= 1 ? it : -1;
  }
  return -1;
}

/**
 * Integrate the flow from β = 0 until the minimum margin reaches each mark (the state lands on the mark
 * to ~1e-9 relative by re-solving the crossing step). Deterministic.
 */
export function diagonalFlow(problem: DiagonalFlowProblem, opts: DiagonalFlowOptions = {}): DiagonalFlowResult {
  const t0 = performance.now();
  const sys = new DiagonalSystem(problem);
  const marks = opts.marks ?? DEFAULT_MARKS;
  for (let i = 0; i < marks.length; i++) {
    if (!(marks[i] > 0 && Number.isFinite(marks[i])) || (i > 0 && !(marks[i] > marks[i - 1]))) throw new RangeError(`diagonalFlow: marks must be positive, finite and increasing, got ${marks.join(', ')}`);
  }
  const rtol = opts.rtol ?? 1e-6;
  if (!(rtol > 0 && rtol < 1)) throw new RangeError(`diagonalFlow: rtol must be in (0, 1), got ${rtol}`);
  const supportTol = opts.supportTol ?? 1e-3;
  const maxSteps = opts.maxSteps ?? 200000;
  const { N, d } = sys;
  const size = sys.size;
  const vec = () => new Float64Array(N);
  const w: Work = {
    beta: new Float64Array(d), slope: new Float64Array(d), m: vec(), trial: new Float64Array(size), pTrial: vec(),
    g: vec(), H: new Float64Array(N * N), rhs: vec(), ones: vec().fill(1), sa: vec(), sb: vec(), delta: vec(), sc: vec(), idx: [],
  };
  let y = sys.initialState();
  const pWarm = new Float64Array(N).fill(1 / N);
  let steps = 0, rejected = 0, solves = 0, newton = 0;

  const minMargin = (st: Float64Array): number => {
    sys.betaAndSlope(st, w.beta, null);
    sys.margins(w.beta, w.m);
    let mn = Infinity;
    for (const v of w.m) mn = Math.min(mn, v);
    return mn;
  };

  /** One extrapolated step of size H from y; null if a sub-step failed. Leaves the last p in pOut. */
  const table = SEQ.map(() => SEQ.map(() => new Float64Array(size)));
  const sub = new Float64Array(size), sub2 = new Float64Array(size);
  const extrapolatedStep = (y0: Float64Array, H: number, pOut: Float64Array): { y: Float64Array; err: number } | null => {
    const pStart = Float64Array.from(pOut);
    for (let j = 0; j < SEQ.length; j++) {
      const n = SEQ[j];
      const p = Float64Array.from(pStart);
      sub.set(y0);
      for (let i = 0; i < n; i++) {
        solves++;
        const its = implicitEuler(sys, sub, H / n, p, sub2, w);
        if (its < 0) return null;
        newton += its;
        sub.set(sub2);
      }
      if (j === SEQ.length - 1) pOut.set(p);
      table[j][0].set(sub);
      for (let k = 1; k <= j; k++) {
        const r = SEQ[j] / SEQ[j - k] - 1;
        const a = table[j][k - 1], b = table[j - 1][k - 1], o = table[j][k];
        for (let i = 0; i < size; i++) o[i] = a[i] + (a[i] - b[i]) / r;
      }
    }
    const K = SEQ.length - 1;
    const best = table[K][K], prev = table[K][K - 1];
    // error norm: relative for ν, s, z (floor 1e-3) and purely relative for 1 ∓ z (which may be ~1e−21)
    let err = 0;
    for (let i = 0; i < size; i++) {
      const pure = sys.depth > 2 && i >= N + d;
      if (pure && !(best[i] > 0)) return null;
      const sc = rtol * (pure ? Math.abs(best[i]) : Math.max(Math.abs(best[i]), 1e-3));
      err = Math.max(err, Math.abs(best[i] - prev[i]) / sc);
    }
    return { y: Float64Array.from(best), err };
  };

  const out: FlowMark[] = [];
  let next = 0;
  let h = 1e-2;
  let tau = 0;
  let gamma = minMargin(y);
  const timeLimit = opts.timeLimitMs ?? Infinity;
  while (next < marks.length && steps < maxSteps && performance.now() - t0 < timeLimit) {
    const pTry = Float64Array.from(pWarm);
    const res = extrapolatedStep(y, h, pTry);
    if (res === null || !(res.err <= 1)) {
      rejected++;
      h *= res === null ? 0.25 : Math.max(0.1, 0.9 * pow(res.err, -1 / SEQ.length));
      if (h < 1e-300) throw new Error(`diagonalFlow: step size underflow at τ = ${tau}, γ = ${gamma}`);
      continue;
    }
    let yNew = res.y;
    let hUsed = h;
    let gNew = minMargin(yNew);
    const mark = marks[next];
    if (gNew >= mark) {
      // Land on the mark: regula falsi (Illinois) on the step length, in log γ once γ > 0.
      const logMode = gamma > 0;
      const phi = (gm: number): number => (logMode ? log(Math.max(gm, 1e-300) / mark) : gm - mark);
      let lo = 0, flo = phi(gamma), hi = h, fhi = phi(gNew);
      let side = 0;
      for (let it = 0; it < 60 && Math.abs(gNew / mark - 1) > 1e-9; it++) {
        let hm = hi - (fhi * (hi - lo)) / (fhi - flo);
        if (!(hm > lo && hm < hi)) hm = 0.5 * (lo + hi);
        const pm = Float64Array.from(pWarm);
        const rm = extrapolatedStep(y, hm, pm);
        if (rm === null) {
          hi = hm; // treat a failed solve as past the mark: shrink
          continue;
        }
        const gm = minMargin(rm.y);
        const fm = phi(gm);
        yNew = rm.y;
        gNew = gm;
        hUsed = hm;
        pTry.set(pm);
        if (fm > 0) {
          hi = hm;
          fhi = fm;
          if (side === 1) flo /= 2;
          side = 1;
        } else {
          lo = hm;
          flo = fm;
          if (side === -1) fhi /= 2;
          side = -1;
        }
      }
    }
    steps++;
    y = yNew;
    tau += hUsed;
    gamma = gNew;
    pWarm.set(pTry);
    while (next < marks.length && gamma >= marks[next] * (1 - 1e-9)) {
      out.push(readMarks(sys, y, marks[next], tau, steps, supportTol));
      next++;
    }
    h = hUsed * Math.min(4, Math.max(0.2, 0.9 * pow(Math.max(res.err, 1e-12), -1 / SEQ.length)));
  }
  return { marks: out, complete: next === marks.length, steps, rejectedSteps: rejected, implicitSolves: solves, newtonIterations: newton, timeMs: performance.now() - t0 };
}

function readMarks(sys: DiagonalSystem, st: Float64Array, mark: number, tau: number, steps: number, supportTol: number): FlowMark {
  const { N, d } = sys;
  const beta = new Float64Array(d);
  sys.betaAndSlope(st, beta, null);
  const m = new Float64Array(N);
  sys.margins(beta, m);
  let gamma = Infinity;
  for (const v of m) gamma = Math.min(gamma, v);
  let sum = 0;
  for (const v of m) sum += exp(gamma - v);
  const lnEps = -gamma + log(sum);
  const b = beta.map((v) => v / gamma);
  let bmax = 0;
  for (const v of b) bmax = Math.max(bmax, Math.abs(v));
  let support = 0;
  for (const v of b) if (Math.abs(v) >= supportTol * bmax) support++;
  let sv = 0;
  const svGap = Math.max(6.907755278982137, 1e-6 * gamma);
  for (const v of m) if (v - gamma <= svGap) sv++;
  return {
    mark,
    gamma,
    tau,
    eps: exp(lnEps),
    log10Eps: lnEps / LN10,
    meanLoss: exp(lnEps - log(N)),
    log10MeanLoss: (lnEps - log(N)) / LN10,
    supportSize: support,
    supportVectors: sv,
    b,
    beta,
    steps,
  };
}
