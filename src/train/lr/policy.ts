/**
 * A learning-rate policy: one function of LRBench's zoo, a piecewise policy, or one of the
 * original named schedules (kept as a config form; each is an instance of a zoo function with
 * the same arithmetic, so old configs give bit-identical runs and keep their config hashes).
 *
 * η_t = η·k(t): the k values are multipliers of the run's η (given as η or as c = ηλ0/2), so
 * k(0) = 1 keeps c's meaning at step 0. With `absolute: true` the k values are the rates
 * themselves, η_t = k(t) (the run's base η is then k(0)).
 *
 * Piecewise: `{piecewise: [{until: 100, fn: …}, {until: 300, fn: …}, {fn: …}]}`; segment i holds
 * for until_{i−1} ≤ t < until_i and restarts t there: k(t) = f_i(t − until_{i−1}) (LRBench's
 * piecewiseLR). Browser-safe.
 */
import { LR_FUNCTIONS, type LrFunctionName, type LrParams } from './functions.ts';

/** The original named schedules (factor of η). */
export type LegacySchedule =
  | { kind: 'constant' }
  /** ×factor once, at step `at` (annealing: a catapult-phase η for `at` steps, then smaller) */
  | { kind: 'step'; at: number; factor: number }
  /** ×factor at each milestone */
  | { kind: 'multistep'; milestones: number[]; factor: number }
  /** ×gamma^t */
  | { kind: 'exponential'; gamma: number }
  /** ×1/(1 + gamma·t)^power */
  | { kind: 'inverse'; gamma: number; power: number }
  /** ×(1 − t/T)^power, floored at `min` */
  | { kind: 'polynomial'; steps: number; power: number; min: number }
  /** cosine from 1 to `min` over `steps`, then `min` */
  | { kind: 'cosine'; steps: number; min: number }
  /** triangular cycles between `min` and 1 with half-period `halfPeriod`, starting at 1 */
  | { kind: 'triangular'; halfPeriod: number; min: number };

/** One zoo function with its parameters; `floor`: k(t) = max(floor, f(t)). */
export type LrFunctionSpec = { fn: LrFunctionName; floor?: number } & Partial<LrParams>;
export type LrSegment = LrFunctionSpec & { until?: number };
export type LrPolicy = (LegacySchedule | LrFunctionSpec | { piecewise: LrSegment[] }) & { absolute?: boolean };

/** The zoo form of a named schedule (same values, bit for bit). */
export function legacyAsPolicy(s: LegacySchedule): LrFunctionSpec | { piecewise: LrSegment[] } {
  switch (s.kind) {
    case 'constant':
      return { fn: 'FIX', k0: 1 };
    case 'step':
      return { fn: 'NSTEP', k0: 1, gamma: s.factor, l: [s.at] };
    case 'multistep':
      return { fn: 'NSTEP', k0: 1, gamma: s.factor, l: s.milestones };
    case 'exponential':
      return { fn: 'EXP', k0: 1, gamma: s.gamma };
    case 'inverse':
      return { fn: 'INV', k0: 1, gamma: s.gamma, p: s.power };
    case 'polynomial':
      return { fn: 'POLY', k0: 0, k1: 1, p: s.power, l: s.steps, floor: s.min };
    case 'cosine':
      return { piecewise: [{ until: s.steps, fn: 'COS', k0: s.min, k1: 1, l: s.steps }, { fn: 'FIX', k0: s.min }] };
    case 'triangular':
      return { fn: 'DTRI', k0: s.min, k1: 1, l: s.halfPeriod };
  }
}

const DEFAULTS: LrParams = { k0: NaN, k1: NaN, gamma: NaN, p: NaN, l: NaN, period: 'half' };

function compileFunction(spec: LrFunctionSpec): (t: number) => number {
  const q: LrParams = { ...DEFAULTS, ...spec };
  const f = LR_FUNCTIONS[spec.fn].f;
  const floor = spec.floor;
  return floor === undefined ? (t) => f(t, q) : (t) => Math.max(floor, f(t, q));
}

/** k(t) as a function of the step; the one definition training, `catapult schedule` and reports use. */
export function compilePolicy(policy: LrPolicy): (t: number) => number {
  const p = 'kind' in policy ? legacyAsPolicy(policy) : policy;
  if ('fn' in p) return compileFunction(p);
  // the last segment holds to the end whatever its `until`
  const segs = p.piecewise.map((s, i, all) => ({ until: i === all.length - 1 ? Infinity : s.until ?? Infinity, k: compileFunction(s) }));
  return (t) => {
    let start = 0;
    for (const s of segs) {
      if (t < s.until) return s.k(t - start);
      start = s.until;
    }
    return NaN; // unreachable: the last `until` is ∞
  };
}

/** True when the policy's k values are rates, not multipliers of η. */
export const isAbsolute = (policy: LrPolicy): boolean => policy.absolute === true;

/** Short readable label ("TRIEXP(k0=0.1, k1=1, gamma=0.99, l=50)", "piecewise[WARMUP_LIN→COS]"). */
export function policyLabel(policy: LrPolicy): string {
  if ('kind' in policy) return policy.kind;
  if ('piecewise' in policy) return `piecewise[${policy.piecewise.map((s) => s.fn).join('→')}]`;
  const args = Object.entries(policy)
    .filter(([k]) => k !== 'fn' && k !== 'absolute' && !(k === 'period' && policy.period === 'half'))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : v}`);
  return `${policy.fn}(${args.join(', ')})`;
}
