/**
 * The learning-rate policy of a run, under its original name: the definitions live in
 * src/train/lr/ (LRBench's function zoo, piecewise policies, the original named schedules).
 */
import { compilePolicy, type LrPolicy } from './lr/policy.ts';

export type Schedule = LrPolicy;

/** k(t) of a policy at one step (compile it once with compilePolicy for many steps). */
export function scheduleFactor(s: Schedule, t: number): number {
  return compilePolicy(s)(t);
}
