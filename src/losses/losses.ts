import { exp } from '../linalg/detmath.ts';
import { log1pExp, sigmoid } from './scalar.ts';

/**
 * Per-sample losses ℓ(f, y) with their first two derivatives in f. The training loss is the
 * mean over samples (theory §1). Each is written to stay finite and precise for large |f|:
 * logistic uses log1p/σ forms that never subtract nearly equal numbers.
 */
export type LossName = 'logistic' | 'squared' | 'exponential';
export const LOSS_NAMES: readonly LossName[] = ['logistic', 'squared', 'exponential'];

export interface Loss {
  readonly name: LossName;
  value(f: number, y: number): number;
  /** ∂ℓ/∂f */
  d1(f: number, y: number): number;
  /** ∂²ℓ/∂f² */
  d2(f: number, y: number): number;
}

const logistic: Loss = {
  name: 'logistic',
  value: (f, y) => log1pExp(-y * f),
  d1: (f, y) => -y * sigmoid(-y * f),
  d2: (f, y) => {
    const z = y * f;
    return sigmoid(z) * sigmoid(-z);
  },
};

const squared: Loss = {
  name: 'squared',
  value: (f, y) => 0.5 * (f - y) * (f - y),
  d1: (f, y) => f - y,
  d2: () => 1,
};

const exponential: Loss = {
  name: 'exponential',
  value: (f, y) => exp(-y * f),
  d1: (f, y) => -y * exp(-y * f),
  d2: (f, y) => y * y * exp(-y * f),
};

const LOSSES: Record<LossName, Loss> = { logistic, squared, exponential };

export function getLoss(name: LossName): Loss {
  const loss = LOSSES[name];
  if (!loss) throw new RangeError(`unknown loss '${String(name)}'; expected one of ${LOSS_NAMES.join(', ')}`);
  return loss;
}
