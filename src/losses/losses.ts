import { exp, log1p } from '../linalg/detmath.ts';
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
  /**
   * value(f, y), with d1(f, y) written to d1Out[i]: the same bits as the two calls, sharing their work (the
   * per-sample part of a training step). Optional: `lossValueAndD1(loss)` falls back to the two calls.
   */
  valueAndD1?(f: number, y: number, d1Out: Float64Array, i: number): number;
}

const logistic: Loss = {
  name: 'logistic',
  value: (f, y) => log1pExp(-y * f),
  d1: (f, y) => -y * sigmoid(-y * f),
  d2: (f, y) => {
    const z = y * f;
    return sigmoid(z) * sigmoid(-z);
  },
  valueAndD1: (f, y, d1Out, i) => {
    // log1pExp(x) and σ(x) at x = −y·f, written out around their common e^{−|x|}
    const x = -y * f;
    const e = exp(-Math.abs(x));
    d1Out[i] = -y * (x >= 0 ? 1 / (1 + e) : e / (1 + e));
    const l = log1p(e);
    return x > 0 ? x + l : l;
  },
};

const squared: Loss = {
  name: 'squared',
  value: (f, y) => 0.5 * (f - y) * (f - y),
  d1: (f, y) => f - y,
  d2: () => 1,
  valueAndD1: (f, y, d1Out, i) => {
    d1Out[i] = f - y;
    return 0.5 * (f - y) * (f - y);
  },
};

const exponential: Loss = {
  name: 'exponential',
  value: (f, y) => exp(-y * f),
  d1: (f, y) => -y * exp(-y * f),
  d2: (f, y) => y * y * exp(-y * f),
  valueAndD1: (f, y, d1Out, i) => {
    const e = exp(-y * f);
    d1Out[i] = -y * e;
    return e;
  },
};

const LOSSES: Record<LossName, Loss> = { logistic, squared, exponential };

/** loss.valueAndD1 when the loss has it, else value and d1 separately (same results); resolve once, call per sample. */
export function lossValueAndD1(loss: Loss): (f: number, y: number, d1Out: Float64Array, i: number) => number {
  if (loss.valueAndD1 !== undefined) return loss.valueAndD1.bind(loss); // bound: a class-based loss may use `this`
  return (f, y, d1Out, i) => {
    d1Out[i] = loss.d1(f, y);
    return loss.value(f, y);
  };
}

export function getLoss(name: LossName): Loss {
  const loss = LOSSES[name];
  if (!loss) throw new RangeError(`unknown loss '${String(name)}'; expected one of ${LOSS_NAMES.join(', ')}`);
  return loss;
}
