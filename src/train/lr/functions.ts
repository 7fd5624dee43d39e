/**
 * LRBench's learning-rate functions k(t) (Wu, Liu et al. 2019; the definitions of its code,
 * LRBench/lr/LRfunctions.py), plus linear and exponential warm-up. t is the iteration (step),
 * k(t) the value the policy gives: a multiple of the run's η by default (see policy.ts).
 *
 * Conventions kept from LRBench's code (and its off-by-ones):
 *  - k0 is the base / lower value and k1 the upper one; POLY goes from k1 at t = 0 to k0 at t = l
 *    (and stays at k0 past l: clamped, the code would take a power of a negative number);
 *    COS goes from k1 at t = 0 to k0 at t = l (l = half period) and back up (periodic).
 *  - the cyclic families have period 2l: TRI/SIN rise from k0 at t = 0 to k1 at t = l; the D…
 *    variants start at the top (t shifted by l); UPCOS is COS shifted by l.
 *  - …2 halves the amplitude every period (2l), …EXP multiplies it by γ^t.
 *  - the saw-tooth (restart) families use s = −t/l − ⌊−t/l⌋ = 1 − frac(t/l) (0 at multiples of l):
 *    they are at k0 exactly at t = 0, l, 2l, … and jump to just below k1 at the next step.
 *  - NSTEP counts the milestones l_i ≤ t (no global state; the code's one-step-per-call
 *    counter would miss two milestones passed at once).
 *  - TRI's (2/π)|asin(sin(πt/2l))| is computed as the exact triangle wave (same values up to
 *    rounding); powers, exp, sin, cos come from detmath (bit-identical in every engine).
 * Browser-safe.
 */
import { cos, exp, pow, sin } from '../../linalg/detmath.ts';

export type LrParam = 'k0' | 'k1' | 'gamma' | 'p' | 'l' | 'period';

export interface LrParams {
  k0: number;
  k1: number;
  gamma: number;
  p: number;
  /** cycle / step length; NSTEP: the milestones */
  l: number | number[];
  /** COS family: l is the half period (LRBench's code, default) or the full period (the paper's table) */
  period: 'half' | 'full';
}

type Fn = (t: number, q: LrParams) => number;

const L = (q: LrParams) => q.l as number;
/** COS family: the half period under either convention. */
const halfPeriod = (q: LrParams) => (q.period === 'full' ? (q.l as number) / 2 : (q.l as number));

/** (2/π)|asin(sin(πt/2l))|: 0 at t = 0, 1 at t = l, 0 at 2l (period 2l). */
function triangle(t: number, l: number): number {
  const phase = (t % (2 * l)) / l; // 0..2
  return phase <= 1 ? phase : 2 - phase;
}
/** The same wave shifted by l (1 at t = 0); this arithmetic is the one the legacy 'triangular' schedule used. */
function triangleDown(t: number, l: number): number {
  const phase = (t % (2 * l)) / l;
  return phase <= 1 ? 1 - phase : phase - 1;
}
/** |sin(πt/2l)| */
const sinWave = (t: number, l: number) => Math.abs(sin((Math.PI * t) / (2 * l)));
/** ½(1 + cos(πt/l)) */
const cosWave = (t: number, l: number) => 0.5 * (1 + cos((Math.PI * t) / l));
/** s = −t/l − ⌊−t/l⌋ ∈ [0, 1): the saw-tooth phase of LRBench's restart families */
function saw(t: number, l: number): number {
  const u = (-1 * t) / l;
  return u - Math.floor(u);
}
const halving = (n: number) => pow(2, Math.floor(n));

/** amplitude-shaped function: (k1 − k0)·shape(t) + k0 */
const band = (shape: (t: number, q: LrParams) => number): Fn => (t, q) => (q.k1 - q.k0) * shape(t, q) + q.k0;

export const LR_FUNCTIONS = {
  FIX: { params: ['k0'], f: (_t, q) => q.k0 },
  STEP: { params: ['k0', 'gamma', 'l'], f: (t, q) => q.k0 * pow(q.gamma, Math.floor(t / L(q))) },
  NSTEP: {
    params: ['k0', 'gamma', 'l'],
    f: (t, q) => {
      // repeated products (not pow): the legacy step/multistep schedules' arithmetic
      let f = 1;
      for (const ms of q.l as number[]) if (t >= ms) f *= q.gamma;
      return q.k0 * f;
    },
  },
  EXP: { params: ['k0', 'gamma'], f: (t, q) => q.k0 * pow(q.gamma, t) },
  INV: { params: ['k0', 'gamma', 'p'], f: (t, q) => q.k0 / pow(1 + q.gamma * t, q.p) },
  POLY: { params: ['k0', 'k1', 'p', 'l'], f: band((t, q) => pow(1 - Math.min(t, L(q)) / L(q), q.p)) },
  SIG: { params: ['k0', 'gamma', 'l'], f: (t, q) => q.k0 / (1 + exp(-q.gamma * (t - L(q)))) },
  TRI: { params: ['k0', 'k1', 'l'], f: band((t, q) => triangle(t, L(q))) },
  DTRI: { params: ['k0', 'k1', 'l'], f: band((t, q) => triangleDown(t, L(q))) },
  TRI2: { params: ['k0', 'k1', 'l'], f: band((t, q) => triangle(t, L(q)) / halving(t / (2 * L(q)))) },
  DTRI2: { params: ['k0', 'k1', 'l'], f: band((t, q) => triangleDown(t, L(q)) / halving((t + L(q)) / (2 * L(q)))) },
  TRIEXP: { params: ['k0', 'k1', 'gamma', 'l'], f: band((t, q) => triangle(t, L(q)) * pow(q.gamma, t)) },
  DTRIEXP: { params: ['k0', 'k1', 'gamma', 'l'], f: band((t, q) => triangleDown(t, L(q)) * pow(q.gamma, t)) },
  SIN: { params: ['k0', 'k1', 'l'], f: band((t, q) => sinWave(t, L(q))) },
  DSIN: { params: ['k0', 'k1', 'l'], f: band((t, q) => sinWave(t + L(q), L(q))) },
  SIN2: { params: ['k0', 'k1', 'l'], f: band((t, q) => sinWave(t, L(q)) / halving(t / (2 * L(q)))) },
  DSIN2: { params: ['k0', 'k1', 'l'], f: band((t, q) => sinWave(t + L(q), L(q)) / halving((t + L(q)) / (2 * L(q)))) },
  SINEXP: { params: ['k0', 'k1', 'gamma', 'l'], f: band((t, q) => sinWave(t, L(q)) * pow(q.gamma, t)) },
  DSINEXP: { params: ['k0', 'k1', 'gamma', 'l'], f: band((t, q) => sinWave(t + L(q), L(q)) * pow(q.gamma, t)) },
  COS: { params: ['k0', 'k1', 'l', 'period'], f: band((t, q) => cosWave(t, halfPeriod(q))) },
  UPCOS: { params: ['k0', 'k1', 'l', 'period'], f: band((t, q) => cosWave(t + halfPeriod(q), halfPeriod(q))) },
  COS2: { params: ['k0', 'k1', 'l', 'period'], f: band((t, q) => cosWave(t, halfPeriod(q)) / halving((t + halfPeriod(q)) / (2 * halfPeriod(q)))) },
  UPCOS2: { params: ['k0', 'k1', 'l', 'period'], f: band((t, q) => cosWave(t + halfPeriod(q), halfPeriod(q)) / halving(t / (2 * halfPeriod(q)))) },
  COSEXP: { params: ['k0', 'k1', 'gamma', 'l', 'period'], f: band((t, q) => cosWave(t, halfPeriod(q)) * pow(q.gamma, t)) },
  UPCOSEXP: { params: ['k0', 'k1', 'gamma', 'l', 'period'], f: band((t, q) => cosWave(t + halfPeriod(q), halfPeriod(q)) * pow(q.gamma, t)) },
  RSW: { params: ['k0', 'k1', 'l'], f: band((t, q) => saw(t, L(q))) },
  RSW2: { params: ['k0', 'k1', 'l'], f: band((t, q) => saw(t, L(q)) / halving(t / L(q))) },
  RSWEXP: { params: ['k0', 'k1', 'gamma', 'l'], f: band((t, q) => saw(t, L(q)) * pow(q.gamma, t)) },
  SINRSW: { params: ['k0', 'k1', 'l'], f: band((t, q) => sin((Math.PI / 2) * saw(t, L(q)))) },
  SINRSW2: { params: ['k0', 'k1', 'l'], f: band((t, q) => sin((Math.PI / 2) * saw(t, L(q))) / halving(t / L(q))) },
  SINRSWEXP: { params: ['k0', 'k1', 'gamma', 'l'], f: band((t, q) => sin((Math.PI / 2) * saw(t, L(q))) * pow(q.gamma, t)) },
  COSRSW: { params: ['k0', 'k1', 'l'], f: band((t, q) => 0.5 * (1 - cos(Math.PI * saw(t, L(q))))) },
  COSRSW2: { params: ['k0', 'k1', 'l'], f: band((t, q) => (0.5 * (1 - cos(Math.PI * saw(t, L(q))))) / halving(t / L(q))) },
  COSRSWEXP: { params: ['k0', 'k1', 'gamma', 'l'], f: band((t, q) => 0.5 * (1 - cos(Math.PI * saw(t, L(q)))) * pow(q.gamma, t)) },
  /** linear warm-up from k0 to k1 over l steps, then k1 */
  WARMUP_LIN: { params: ['k0', 'k1', 'l'], f: band((t, q) => Math.min(t, L(q)) / L(q)) },
  /** exponential (geometric) warm-up k0·(k1/k0)^{t/l} over l steps, then k1 (k0 > 0) */
  WARMUP_EXP: { params: ['k0', 'k1', 'l'], f: (t, q) => q.k0 * pow(q.k1 / q.k0, Math.min(t, L(q)) / L(q)) },
} satisfies Record<string, { params: LrParam[]; f: Fn }>;

export type LrFunctionName = keyof typeof LR_FUNCTIONS;
export const LR_FUNCTION_NAMES = Object.keys(LR_FUNCTIONS) as LrFunctionName[];

/** k(t) of a named function; parameters a function does not use are ignored. */
export function lrFunctionValue(name: LrFunctionName, params: Partial<LrParams>, t: number): number {
  const q: LrParams = { k0: NaN, k1: NaN, gamma: NaN, p: NaN, l: NaN, period: 'half', ...params };
  return LR_FUNCTIONS[name].f(t, q);
}
