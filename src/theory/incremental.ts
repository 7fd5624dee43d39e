/**
 * Incremental learning in the two-value toy model (Gissin, Shalev-Shwartz & Daniely 2020; neighbours §B).
 *
 * One value σ = w^N of a depth-N factorisation trained by gradient flow on ½(σ − σ*)² follows
 *     σ̇ = N² σ^{2−2/N} (σ* − σ),
 * and the time to go from a to b (0 < a ≤ b < σ*) is the hitting time
 *     T(a → b; σ*) = ∫_a^b dσ / (N² σ^{2−2/N} (σ* − σ)).
 * Closed forms: N = 1 (exponential approach) T = log((σ*−a)/(σ*−b)); N = 2 (logistic curve)
 * T = (log(b/a) + log((σ*−a)/(σ*−b)))/(4σ*). For N ≥ 3 we integrate in s = log σ, where the
 * integrand e^{s(2/N−1)}/(N²(σ*−e^s)) is smooth, with adaptive Gauss–Kronrod (relative error ~1e-13).
 *
 * Two values σ₁* = 1 > σ₂* = r from the same init σ₀ are ε-incremental when, at the first time σ₁
 * reaches 1−ε, σ₂ ≤ εr. σ₂ increases, so this is g(σ₀) = T(σ₀ → εr; r) − T(σ₀ → 1−ε; 1) ≥ 0, and g is
 * strictly decreasing in σ₀ (dg/dσ₀ = [1/(1−σ₀) − 1/(r−σ₀)]/(N²σ₀^{2−2/N}) < 0): the incremental inits
 * are exactly (0, σ₀_max] with g(σ₀_max) = 0, found by bisection on log σ₀ (so that N = 2's
 * exponentially small σ₀_max, e.g. ~1e-400, is found even where σ₀ itself underflows). For N ≥ 3 the
 * difference is one integral without cancellation:
 *     g = ∫_{σ₀}^{εr} σ^{−(2−2/N)} (1−r) / (N²(r−σ)(1−σ)) dσ − T(εr → 1−ε; 1).
 *
 * N = 1: g(0⁺) = log(ε/(1−ε)), so for ε ≤ ½ no init is incremental ("never", σ₀_max = null); for
 * ε > ½ a positive σ₀_max exists but the notion is vacuous (σ₁ is only required to reach 1−ε < ½).
 * If εr ≥ 1−ε (only possible for ε > ½), σ₁ starts at its target for every σ₀ ≥ 1−ε and σ₀_max = εr.
 *
 * The criteria of §B (derived, our formalisation, not the paper's numbers):
 *   N = 2: σ₀ ≤ (ε^{1+r} r)^{1/(1−r)};   N ≥ 3: σ₀ ≲ ε r (1−r)^{N/(N−2)};   N = 1: never (null).
 */
import { exp, log, log1p, pow } from '../linalg/detmath.ts';
import { integrate } from './quadrature.ts';

const LN10 = 2.302585092994046;

function checkDepth(N: number): void {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`depth must be an integer ≥ 1, got ${N}`);
}

/** σ̇ of the toy flow. */
export function toyFlowRate(N: number, sigmaStar: number, sigma: number): number {
  return N * N * pow(sigma, 2 - 2 / N) * (sigmaStar - sigma);
}

/**
 * T(a → b; σ*) with a = e^{logA}: closed forms for N ≤ 2 (unless `quadrature`), adaptive quadrature
 * in log σ otherwise. Requires a ≤ b < σ* (a > b gives the negative time).
 */
function hittingTimeLog(N: number, sigmaStar: number, logA: number, b: number, quadrature: boolean): number {
  const a = exp(logA);
  if (!quadrature && N === 1) return log1p((b - a) / (sigmaStar - b));
  if (!quadrature && N === 2) return (log(b) - logA + log1p((b - a) / (sigmaStar - b))) / (4 * sigmaStar);
  const k = 2 / N - 1;
  const f = (s: number): number => exp(k * s) / (N * N * (sigmaStar - exp(s)));
  return integrate(f, logA, log(b)).value;
}

/** Time for the toy flow σ̇ = N²σ^{2−2/N}(σ*−σ) to go from `from` to `to` (0 < from, to < σ*). */
export function hittingTime(N: number, sigmaStar: number, from: number, to: number, opts: { quadrature?: boolean } = {}): number {
  checkDepth(N);
  if (!(sigmaStar > 0) || !(from > 0) || !(to > 0) || !(from < sigmaStar) || !(to < sigmaStar)) {
    throw new RangeError(`hittingTime: need 0 < from, to < σ* (got from ${from}, to ${to}, σ* ${sigmaStar})`);
  }
  return hittingTimeLog(N, sigmaStar, log(from), to, Boolean(opts.quadrature));
}

export interface IncrementalResult {
  depth: number;
  r: number;
  eps: number;
  /** largest ε-incremental init σ₀ (may underflow to 0 for N = 2: see log10Sigma0Max); null: never */
  sigma0Max: number | null;
  log10Sigma0Max: number | null;
  /** §B's criterion evaluated; null for N = 1 */
  criterion: number | null;
  log10Criterion: number | null;
  /** sigma0Max / criterion (null if either is null) */
  ratio: number | null;
  note?: string;
}

function checkUnit(name: string, v: number): void {
  if (!(v > 0 && v < 1)) throw new RangeError(`${name} must be in (0, 1), got ${v}`);
}

/** log of §B's criterion; null for N = 1. */
export function log10Criterion(N: number, r: number, eps: number): number | null {
  if (N === 1) return null;
  if (N === 2) return ((1 + r) * log(eps) + log(r)) / (1 - r) / LN10;
  return (log(eps) + log(r) + (N / (N - 2)) * log1p(-r)) / LN10;
}

/** σ₀_max(N, r, ε) from exact hitting times, and §B's criterion. */
export function incrementalThreshold(N: number, r: number, eps: number): IncrementalResult {
  checkDepth(N);
  checkUnit('r', r);
  checkUnit('eps', eps);
  const lc = log10Criterion(N, r, eps);
  const criterion = N === 1 ? null : N === 2 ? pow(pow(eps, 1 + r) * r, 1 / (1 - r)) : eps * r * pow(1 - r, N / (N - 2));
  // lnMax: natural log of σ₀_max (exact exp where representable; the log10 values never underflow)
  const out = (lnMax: number | null, note?: string): IncrementalResult => {
    const sigma0Max = lnMax === null ? null : exp(lnMax);
    const log10Max = lnMax === null ? null : lnMax / LN10;
    const ratio = log10Max === null || lc === null ? null : sigma0Max! > 0 && criterion! > 0 ? sigma0Max! / criterion! : pow(10, log10Max - lc);
    return { depth: N, r, eps, sigma0Max, log10Sigma0Max: log10Max, criterion, log10Criterion: lc, ratio, ...(note ? { note } : {}) };
  };
  const target1 = 1 - eps;
  const target2 = eps * r;
  if (target2 >= target1) return out(log(target2), 'εr ≥ 1−ε: σ₁ starts at or above 1−ε for every σ₀ ≥ 1−ε, so σ₀_max = εr');
  if (N === 1 && eps <= 0.5) return out(null, 'depth 1 is never ε-incremental for ε ≤ ½: as σ₀ → 0, σ₂ reaches εr before σ₁ reaches 1−ε');

  // g(u), u = log σ₀ < log(εr): T₂ − T₁ ≥ 0 ⇔ incremental; strictly decreasing in u.
  let g: (u: number) => number;
  if (N <= 2) {
    g = (u) => hittingTimeLog(N, r, u, target2, false) - hittingTimeLog(N, 1, u, target1, false);
  } else {
    const p = 2 - 2 / N;
    const c = hittingTimeLog(N, 1, log(target2), target1, false);
    const diff = (s: number): number => {
      const x = exp(s);
      return (exp((1 - p) * s) * (1 - r)) / (N * N * (r - x) * (1 - x));
    };
    const hi = log(target2);
    g = (u) => integrate(diff, u, hi).value - c;
  }
  let uHi = log(target2);
  let step = 1;
  let uLo = uHi - step;
  while (!(g(uLo) > 0)) {
    uHi = uLo;
    step *= 2;
    uLo -= step;
    if (uLo < -1e6) throw new Error(`incrementalThreshold: no incremental init found down to σ₀ = e^${uLo} (N ${N}, r ${r}, ε ${eps})`);
  }
  // Bisection in log σ₀ to full double precision of u.
  while (uHi - uLo > 4e-16 * Math.max(1, Math.abs(uLo))) {
    const mid = 0.5 * (uLo + uHi);
    if (!(mid > uLo && mid < uHi)) break;
    if (g(mid) >= 0) uLo = mid;
    else uHi = mid;
  }
  return out(uLo);
}
