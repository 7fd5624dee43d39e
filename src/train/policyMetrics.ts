/**
 * LRBench's metrics for choosing a learning-rate policy (Wu, Liu et al. 2019), with the
 * conventions used here (README: "Metrics of a policy"):
 *  - accuracy: fraction of samples with y·f > 0 (f = 0 counts as wrong);
 *  - confidence: over the correctly classified test samples, the mean and the population std of
 *    the predicted-class probability σ(|f|) = σ(y·f) (the logistic model p(y = +1 | x) = σ(f));
 *  - cost: the first recorded step at which the training accuracy reaches a target (null if never;
 *    resolution = the recording cadence);
 *  - robustness: final test loss − final training loss (smaller = generalizes better);
 *  - variance (over seeds): the sample standard deviation (n − 1) of the final test accuracy.
 * Browser-safe.
 */
import { sigmoid } from '../losses/scalar.ts';

export interface Confidence {
  mean: number;
  std: number;
  /** number of correctly classified samples it averages over */
  count: number;
}

export function confidence(f: ArrayLike<number>, y: ArrayLike<number>): Confidence {
  const p: number[] = [];
  for (let i = 0; i < f.length; i++) if (y[i] * f[i] > 0) p.push(sigmoid(y[i] * f[i]));
  if (p.length === 0) return { mean: NaN, std: NaN, count: 0 };
  let s = 0;
  for (const v of p) s += v;
  const mean = s / p.length;
  let q = 0;
  for (const v of p) q += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(q / p.length), count: p.length };
}

/** First recorded step whose training accuracy is ≥ target, or null. */
export function stepsToAccuracy(rows: readonly { step: number; accuracy: number }[], target: number): number | null {
  for (const r of rows) if (r.accuracy >= target) return r.step;
  return null;
}

export const robustness = (testLoss: number | null, trainLoss: number): number => (testLoss === null ? NaN : testLoss - trainLoss);

/** Sample standard deviation (n − 1); NaN for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return NaN;
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) * (x - mean);
  return Math.sqrt(q / (v.length - 1));
}
