import { INSTABILITY_DROP } from './onsets.ts';

/**
 * Phases of runs on real data, told apart against a lazy baseline (theory §5 on real data).
 *
 * The trainer's rule (src/theory/phase.ts: the loss rose above its initial value and λ_T < 0.99·λ0)
 * is exact for degenerate data but misleads on real data: there λ *grows* several-fold during lazy
 * training (the weights grow along the separable directions), the loss can rise in the first steps
 * (an early catapult) or spike again late, after hundreds to thousands of steps, when η·S_t has
 * climbed to 2 (a late catapult), and GD can settle at the edge of stability without any spike.
 * This module classifies a run from its trajectory and the baseline of small-c (lazy) runs on the
 * same data. Browser-safe, pure; the trainer's own phase (and so every degenerate-data result) is
 * unchanged.
 *
 * Rule, in order:
 *  - divergent:         the run diverged;
 *  - catapult-early:    the loss rose above its initial value within the first `earlySteps` steps,
 *                       and the run ends flatter than the lazy baseline: λ_T/λ0 < 0.98·(baseline
 *                       λ_T/λ0) (a transient drop of λ right after the rise does not count: any
 *                       instability has one; on separable data λ then grows past the baseline);
 *  - catapult-late:     a late loss rise (below) across which λ fell (first λ measured after the
 *                       rise < 0.98 × last λ measured before it): a catapult from the grown λ;
 *  - edge-of-stability: no such catapult, but η·S reached the edge, max η·S_t over the last half
 *                       of the run ≥ `eosLevel` (1.8);
 *  - lazy:              otherwise.
 * A *late loss rise* is a recorded step after `earlySteps` where the loss exceeds the lowest loss
 * recorded before it by the factor `riseFactor` (1.5); it is recorded with its step, its height
 * (peak loss / that running minimum) and η·S at the last curvature measurement before the rise.
 */
export type RealPhase = 'lazy' | 'edge-of-stability' | 'catapult-early' | 'catapult-late' | 'divergent';
export const REAL_PHASES: readonly RealPhase[] = ['lazy', 'edge-of-stability', 'catapult-early', 'catapult-late', 'divergent'];

export interface RealPhaseThresholds {
  earlySteps: number;
  riseFactor: number;
  eosLevel: number;
}
export const DEFAULT_REAL_PHASE_THRESHOLDS: Readonly<RealPhaseThresholds> = Object.freeze({ earlySteps: 20, riseFactor: 1.5, eosLevel: 1.8 });

export interface TrajectoryPoint {
  step: number;
  loss: number;
  /** η_t·S_t where curvature was measured, NaN elsewhere */
  etaSharpness: number;
  /** λ_t where curvature was measured, NaN elsewhere */
  lambda: number;
}

export interface LossRise {
  /** step of the peak of the rise */
  step: number;
  /** peak loss / lowest loss recorded before the rise */
  height: number;
  /** η·S at the last curvature measurement before the rise began (NaN if none) */
  etaSharpness: number;
  /** λ measured after the rise / λ measured before it (NaN if either is missing) */
  lambdaDrop: number;
}

export interface RealPhaseInput {
  diverged: boolean;
  lossInitial: number;
  lambda0: number;
  lambdaFinal: number;
  trajectory: readonly TrajectoryPoint[];
}

export interface RealPhaseResult {
  phase: RealPhase;
  /** λ_T/λ0 divided by the baseline's λ_T/λ0 */
  lambdaVsBaseline: number;
  earlyRise: boolean;
  /** the first late loss rise (null: none) */
  lateRise: LossRise | null;
  /** all late loss rises */
  lateRises: LossRise[];
  /** max η·S_t over the last half of the run */
  lateEtaSharpnessMax: number;
}

/** Late loss rises: each maximal stretch where loss > riseFactor·(running minimum before it), after earlySteps. */
export function lateLossRises(traj: readonly TrajectoryPoint[], t: RealPhaseThresholds = DEFAULT_REAL_PHASE_THRESHOLDS): LossRise[] {
  const out: LossRise[] = [];
  let runMin = Infinity, lastEtaS = NaN, lastLambda = NaN;
  let cur: (LossRise & { lambdaBefore: number }) | null = null;
  const close = (after: number) => {
    const { lambdaBefore, ...rise } = cur!;
    out.push({ ...rise, lambdaDrop: after / lambdaBefore });
    cur = null;
  };
  for (const p of traj) {
    const rising = p.step > t.earlySteps && Number.isFinite(runMin) && p.loss > t.riseFactor * runMin;
    if (rising) {
      if (!cur) cur = { step: p.step, height: p.loss / runMin, etaSharpness: lastEtaS, lambdaDrop: NaN, lambdaBefore: lastLambda };
      else if (p.loss / runMin > cur.height) {
        cur.step = p.step;
        cur.height = p.loss / runMin;
      }
      continue;
    }
    // the first λ measured once the rise is over closes it
    if (cur && Number.isFinite(p.lambda)) close(p.lambda);
    if (!cur) {
      if (p.loss < runMin) runMin = p.loss;
      if (Number.isFinite(p.etaSharpness)) lastEtaS = p.etaSharpness;
      if (Number.isFinite(p.lambda)) lastLambda = p.lambda;
    }
  }
  if (cur) close(NaN);
  return out;
}

/** Classify one run; `baselineRatio` is λ_T/λ0 of the lazy baseline run(s) on the same data. */
export function classifyRealPhase(run: RealPhaseInput, baselineRatio: number, thresholds: Partial<RealPhaseThresholds> = {}): RealPhaseResult {
  const t = { ...DEFAULT_REAL_PHASE_THRESHOLDS, ...thresholds };
  const traj = run.trajectory;
  const lastStep = traj.length ? traj[traj.length - 1].step : 0;
  const lateEtaSharpnessMax = Math.max(-Infinity, ...traj.filter((p) => p.step >= lastStep / 2 && Number.isFinite(p.etaSharpness)).map((p) => p.etaSharpness));
  const lambdaVsBaseline = run.lambdaFinal / run.lambda0 / baselineRatio;
  const lateRises = run.diverged ? [] : lateLossRises(traj, t);
  const earlyRise = traj.some((p) => p.step <= t.earlySteps && p.loss > run.lossInitial * (1 + 1e-9));
  const earlyDrop = lambdaVsBaseline < INSTABILITY_DROP;
  let phase: RealPhase;
  if (run.diverged) phase = 'divergent';
  else if (earlyRise && earlyDrop) phase = 'catapult-early';
  else if (lateRises.some((r) => r.lambdaDrop < INSTABILITY_DROP)) phase = 'catapult-late';
  else if (lateEtaSharpnessMax >= t.eosLevel) phase = 'edge-of-stability';
  else phase = 'lazy';
  return { phase, lambdaVsBaseline, earlyRise, lateRise: lateRises[0] ?? null, lateRises, lateEtaSharpnessMax };
}

export const isCatapult = (p: RealPhase): boolean => p === 'catapult-early' || p === 'catapult-late';

/**
 * Equal-training-loss comparison: the first recorded step at which the loss is ≤ target, and the
 * metrics there (null if the run never reaches it).
 */
export function firstAtLoss<T extends Record<string, number>>(rows: readonly T[], target: number): T | null {
  return rows.find((r) => r.loss <= target) ?? null;
}
