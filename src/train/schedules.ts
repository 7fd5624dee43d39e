/**
 * Learning-rate policies, as multipliers of the base η (so c keeps its meaning at step 0):
 * η_t = η · factor(t). The set follows LRBench's functions (Wu et al. 2019) that make sense for
 * full-batch GD; curvature is tracked along whichever is used. Powers and the cosine come from
 * detmath (engine-independent), not Math.
 */
import { cos, pow } from '../linalg/detmath.ts';

export type Schedule =
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
  /** triangular cycles between `min` and 1 with half-period `halfPeriod` (LRBench 'triangular') */
  | { kind: 'triangular'; halfPeriod: number; min: number };

export function scheduleFactor(s: Schedule, t: number): number {
  switch (s.kind) {
    case 'constant':
      return 1;
    case 'step':
      return t >= s.at ? s.factor : 1;
    case 'multistep': {
      let f = 1;
      for (const ms of s.milestones) if (t >= ms) f *= s.factor;
      return f;
    }
    case 'exponential':
      return pow(s.gamma, t);
    case 'inverse':
      return 1 / pow(1 + s.gamma * t, s.power);
    case 'polynomial':
      return Math.max(s.min, pow(Math.max(0, 1 - t / s.steps), s.power));
    case 'cosine':
      return t >= s.steps ? s.min : s.min + (1 - s.min) * 0.5 * (1 + cos((Math.PI * t) / s.steps));
    case 'triangular': {
      const phase = (t % (2 * s.halfPeriod)) / s.halfPeriod; // 0..2
      const x = phase <= 1 ? 1 - phase : phase - 1; // 1 → 0 → 1: starts at the base η
      return s.min + (1 - s.min) * x;
    }
  }
}
