/**
 * From a resolved explorer config to what the core's Trainer needs, using the core's own builders
 * (buildProblem, or buildModel / buildInit / buildSettings for the MNIST subset), plus the exact
 * theory prediction (theory §6) when the setting is the one the two-float recursion describes.
 * Browser-safe.
 */
import {
  buildInit,
  DeepLinear,
  buildModel,
  buildProblem,
  buildSettings,
  getLoss,
  predictedBoundaries,
  runTheory,
  sweepTheory,
  type Boundaries,
  type DegenerateSetting,
  type Phase,
  type RunConfig,
  type TrainProblem,
  type TrainSettings,
} from '../../src/index.ts';
import type { Dataset } from '../../src/index.ts';
import { pow } from '../../src/linalg/detmath.ts';
import { onsetTest } from '../../src/experiments/onsets.ts';
import type { WebRunConfig } from './state.ts';

export function buildWebProblem(cfg: WebRunConfig, mnist: (() => { train: Dataset; test: Dataset }) | null): { problem: TrainProblem; settings: TrainSettings } {
  if (cfg.data.kind !== 'mnist') return buildProblem(cfg as RunConfig);
  if (!mnist) throw new Error('the MNIST subset is not loaded');
  const { train, test } = mnist();
  const rc = cfg as unknown as RunConfig;
  const model = buildModel(rc, train.d);
  const theta0 = buildInit(rc, model);
  return { problem: { model, loss: getLoss(cfg.loss), train, test, theta0 }, settings: buildSettings(rc) };
}

/**
 * The degenerate setting of a problem, when the exact recursion applies: degenerate data (every
 * input ±x with the same x = (1,…,1)) on the two-layer net, logistic or squared loss. Signs folded
 * into labels: p = fraction of samples with y·sign(x) = +1. For the squared loss the mean loss is
 * ½(f − (2p−1))² + 2p(1−p), so the recursion runs with target y = 2p − 1 and `lossOffset` = 2p(1−p).
 */
export interface TheorySetting {
  setting: DegenerateSetting;
  /** network output at init on x = (1,…,1) */
  f0: number;
  lossOffset: number;
}

export function degenerateSetting(problem: TrainProblem, lossName: string): TheorySetting | null {
  const { model, train, theta0 } = problem;
  if (!(model instanceof DeepLinear) || model.depth !== 2 || (lossName !== 'logistic' && lossName !== 'squared')) return null;
  const { X, y, m, d } = train;
  let pos = 0;
  for (let i = 0; i < m; i++) {
    const s = X[i * d]!;
    if (s !== 1 && s !== -1) return null;
    for (let j = 1; j < d; j++) if (X[i * d + j] !== s) return null;
    if (y[i]! * s > 0) pos++;
  }
  const p = pos / m;
  const beta = model.endToEnd(theta0);
  let f0 = 0;
  for (let j = 0; j < d; j++) f0 += beta[j]!;
  if (lossName === 'logistic') return { setting: { loss: 'logistic', p, n: model.width }, f0, lossOffset: 0 };
  return { setting: { loss: 'squared', y: 2 * p - 1, n: model.width }, f0, lossOffset: 2 * p * (1 - p) };
}

export interface TheoryPrediction {
  setting: DegenerateSetting;
  f0: number;
  lambda0: number;
  eta: number;
  c: number;
  phase: Phase;
  status: string;
  lambdaFinal: number;
  etaSharpnessFinal: number;
  boundaries: Boundaries;
  /** First divergent c of a grid above the lazy bound, for this width and number of steps (null: none up to 1e4). */
  cDiverge: number | null;
  /** Trajectory at every step 0..T' (T' ≤ T if the recursion converged or diverged). */
  trajectory: { loss: Float64Array; lambda: Float64Array; etaSharpness: Float64Array; etaLambda: Float64Array };
}

/** First divergent c (c_max, src/experiments/onsets.ts) on a log grid from `from` to 1e4 (bisection-refined), for the recursion. */
export function divergenceOnset(ts: TheorySetting, lambda0: number, steps: number, from: number): number | null {
  const cs: number[] = [];
  const lo = Math.max(from, 0.05), hi = 1e4;
  for (let i = 0; i <= 120; i++) cs.push(lo * pow(hi / lo, i / 120));
  const runs = sweepTheory(ts.setting, ts.f0, lambda0, cs, steps);
  const k = runs.findIndex((r) => onsetTest('cMax', r));
  if (k < 0) return null;
  if (k === 0) return cs[0]!;
  let a = cs[k - 1]!, b = cs[k]!;
  for (let it = 0; it < 30; it++) {
    const mid = Math.sqrt(a * b);
    if (onsetTest('cMax', sweepTheory(ts.setting, ts.f0, lambda0, [mid], steps)[0]!)) b = mid;
    else a = mid;
  }
  return b;
}

export function predictTheory(ts: TheorySetting, lambda0: number, eta: number, steps: number): TheoryPrediction {
  const run = runTheory({ setting: ts.setting, f0: ts.f0, lambda0, eta, steps });
  const tr = run.trajectory;
  const loss = tr.loss.map((v) => v + ts.lossOffset);
  const boundaries = predictedBoundaries(ts.setting);
  return {
    setting: ts.setting,
    f0: ts.f0,
    lambda0,
    eta,
    c: run.c,
    phase: run.summary.phase,
    status: run.summary.status,
    lambdaFinal: run.summary.lambdaFinal,
    etaSharpnessFinal: eta * run.summary.sharpnessFinal,
    boundaries,
    cDiverge: divergenceOnset(ts, lambda0, steps, boundaries.cLazy ?? 0.5),
    trajectory: { loss, lambda: tr.lambda, etaSharpness: tr.etaSharpness, etaLambda: tr.etaLambda },
  };
}
