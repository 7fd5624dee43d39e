import type { DataArray } from '../linalg/blas.ts';
import { ConfigError, type RunConfig } from './config.ts';
import type { TrainProblem } from '../train/trainer.ts';
import { modelSizeFields } from '../models/registry.ts';

/**
 * Sanity of a built problem before training: data and initial weights must be finite and of a sane
 * size. Curvature is of fourth order in the data and of order 2L in the weights, so values far
 * beyond this bound overflow float64 in the first Lanczos step ("operator produced non-finite
 * values") instead of giving a run. Errors name the config fields that produced the values.
 * Browser-safe.
 */
export const MAX_INPUT_MAGNITUDE = 1e50;

/** Which config fields produced the data (for messages). */
function dataSource(cfg: RunConfig): string {
  const dc = cfg.data;
  switch (dc.kind) {
    case 'csv':
      return `data file ${dc.path} (data.path)`;
    case 'two-gaussians':
      return `two-gaussians data (data.sigma = ${dc.sigma}, data.separation = ${dc.separation})`;
    default:
      return `${dc.kind} data`;
  }
}

/** Which config fields produced the initial weights (for messages). */
function initSource(cfg: RunConfig): string {
  const ic = cfg.init;
  switch (ic.kind) {
    case 'gaussian':
      return `initial weights (init.scale = ${ic.scale})`;
    case 'constant':
      return `initial weights (init.value = ${ic.value})`;
    case 'orthogonal':
      return `initial weights (init.scale = ${ic.scale})`;
    case 'prescribed':
      return `initial weights (init.lambda0 = ${ic.lambda0}, init.f0 = ${ic.f0})`;
    case 'file':
      return `weights file ${ic.path} (init.path)`;
  }
}

/** Index and value of the first entry that is non-finite or beyond the bound, or null. */
function firstBad(a: DataArray): { i: number; v: number } | null {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!(Math.abs(v) <= MAX_INPUT_MAGNITUDE)) return { i, v };
  }
  return null;
}

function why(v: number): string {
  return Number.isFinite(v) ? `is beyond ±${MAX_INPUT_MAGNITUDE} (float64 curvature would overflow)` : 'is not finite';
}

/** Throws a ConfigError naming the source when data or initial weights are non-finite or absurd. */
export function checkProblemInputs(cfg: RunConfig, problem: TrainProblem): void {
  for (const [set, data] of [['training', problem.train], ['test', problem.test]] as const) {
    if (!data) continue;
    const bad = firstBad(data.X);
    if (bad) throw new ConfigError(`${dataSource(cfg)}: ${set} feature X[${Math.floor(bad.i / data.d)}][${bad.i % data.d}] = ${bad.v} ${why(bad.v)}`);
  }
  const bad = firstBad(problem.theta0);
  if (bad) throw new ConfigError(`${initSource(cfg)}: parameter ${bad.i} = ${bad.v} ${why(bad.v)}`);
}

/**
 * Failures of the first evaluation (non-finite loss or curvature at θ0) come from inputs that are
 * finite but too large together (deep nets multiply L layers): say so, naming both sources.
 */
export function explainInitFailure(cfg: RunConfig, err: Error): Error {
  if (!/non-finite|not finite/.test(err.message)) return err;
  return new ConfigError(`at initialization: ${err.message}: the ${dataSource(cfg)} and ${initSource(cfg)} are too large together for float64 (${'depth' in cfg.model ? `model.depth = ${cfg.model.depth}` : modelSizeFields(cfg.model)}); scale them down`);
}
