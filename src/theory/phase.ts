/**
 * Phase of a gradient-descent run (theory §5). The same rule classifies theory-recursion runs and
 * full network runs, so their phase diagrams are directly comparable.
 *
 * Rule, in order:
 *  - divergent: the run diverged (non-finite value, or |f| or λ beyond the run's bound);
 *  - catapult:  the loss rose above its initial value at some step,
 *               lossMax > lossInitial·(1 + lossRise), AND the NTK curvature ended clearly lower,
 *               lambdaFinal < sharpDrop·lambda0;
 *  - lazy:      otherwise.
 * Defaults: lossRise = 1e-9 (relative, above round-off of a monotone run), sharpDrop = 0.99.
 */

export type Phase = 'lazy' | 'catapult' | 'divergent';

export interface PhaseThresholds {
  /** Relative loss rise that counts as "the loss went up". */
  lossRise: number;
  /** The curvature must end below sharpDrop·λ0. */
  sharpDrop: number;
}

export const DEFAULT_PHASE_THRESHOLDS: Readonly<PhaseThresholds> = Object.freeze({ lossRise: 1e-9, sharpDrop: 0.99 });

export interface PhaseInput {
  diverged: boolean;
  lossInitial: number;
  /** Maximum loss over the run, including the initial one. */
  lossMax: number;
  lambda0: number;
  lambdaFinal: number;
}

export function classifyPhase(run: PhaseInput, thresholds: Partial<PhaseThresholds> = {}): Phase {
  const { lossRise, sharpDrop } = { ...DEFAULT_PHASE_THRESHOLDS, ...thresholds };
  if (run.diverged) return 'divergent';
  const lossRose = run.lossMax > run.lossInitial * (1 + lossRise);
  const curvatureDropped = run.lambdaFinal < sharpDrop * run.lambda0;
  return lossRose && curvatureDropped ? 'catapult' : 'lazy';
}
