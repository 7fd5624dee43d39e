import { ConfigError, type RunConfig } from './config.ts';
import { modelParamCount, modelSizeFields } from '../models/registry.ts';

/**
 * A run's memory and time, estimated from its config before anything is allocated, so an
 * impossible run (width 1e9, depth 1e5) is refused with a message naming the fields instead of
 * failing deep inside an allocation or running for days. Browser-safe; the limits come from the
 * caller (Node: CATAPULT_MAX_MEMORY_GB, CATAPULT_MAX_HOURS, see runDir.ts).
 */
export interface RunCost {
  params: number;
  /** bytes: parameter-sized vectors (θ, gradient, HVP work), data, Lanczos bases */
  bytes: { params: number; data: number; lanczos: number; total: number };
  /** estimated seconds on one core (order of magnitude) */
  seconds: number;
}

/** Input dimension known from the config alone (CSV: unknown until read; 1 is a lower bound). */
function inputDim(cfg: RunConfig): number {
  const dc = cfg.data;
  return dc.kind === 'mnist' ? 784 : dc.kind === 'csv' ? 1 : dc.kind === 'matrix-sensing' ? dc.n * dc.n : dc.d;
}

function samples(cfg: RunConfig): number {
  const dc = cfg.data;
  return dc.kind === 'mnist' ? dc.trainSize + dc.testSize : dc.kind === 'csv' ? 1 : dc.m;
}

/** Parameter-sized vectors alive at once besides the Lanczos basis (θ, θ0, gradient factors, HVP and Lanczos work vectors). */
const PARAM_VECTORS = 8;
/** Arithmetic rate used for the time estimate (the bench net runs ~5e9 simple operations/s; a margin for busy machines). */
const OPS_PER_SECOND = 2e9;

export function estimateRunCost(cfg: RunConfig): RunCost {
  const d = inputDim(cfg), m = samples(cfg);
  const params = modelParamCount(cfg.model, d);
  const k = cfg.curvature.maxIter;
  const wantsS = cfg.curvature.sharpness;
  // the ReLU MLP works in layer form: m × width activations (a dozen alive in an HVP) and ~6·m·P flops per step
  const relu = cfg.model.kind === 'relu-mlp' ? cfg.model.widths.reduce((a, b) => a + b, 0) : 0;
  const bytes = {
    params: 8 * PARAM_VECTORS * params,
    data: (cfg.data.storage === 'float32' ? 4 : 8) * m * d + 8 * 4 * m + 8 * 12 * m * relu,
    // the sharpness basis lives in parameter space, λ and S_GN bases in sample space
    lanczos: 8 * k * ((wantsS ? params : 0) + m),
    total: 0,
  };
  bytes.total = bytes.params + bytes.data + bytes.lanczos;
  // one step: a pass over X and a few over θ; one curvature measurement: k operator products and the reorthogonalization
  const step = relu > 0 ? 6 * m * params : 4 * m * d + 6 * params;
  const measurement = 3 * k * 2 * step + 4 * k * k * ((wantsS ? params : 0) + 2 * m);
  const anyCurvature = cfg.curvature.lambda || cfg.curvature.sharpness || cfg.curvature.gaussNewton;
  const measurements = anyCurvature ? Math.min(cfg.steps, cfg.record.denseUntil) + cfg.steps / cfg.curvature.every + 1 : 1;
  const seconds = (cfg.steps * step + measurements * measurement) / OPS_PER_SECOND;
  return { params, bytes, seconds };
}

const GB = 2 ** 30;
const fmtBytes = (b: number) => (b >= 1024 * GB ? `${(b / (1024 * GB)).toPrecision(3)} TB` : b >= GB ? `${(b / GB).toPrecision(3)} GB` : `${(b / 2 ** 20).toPrecision(3)} MB`);
const fmtTime = (s: number) => (s >= 86400 ? `${(s / 86400).toPrecision(3)} days` : s >= 3600 ? `${(s / 3600).toPrecision(3)} h` : `${s.toPrecision(3)} s`);

/** Refuse a run whose estimate exceeds the limits; the message names the fields that drive the cost. */
export function checkRunCost(cfg: RunConfig, limits: { maxBytes: number; maxSeconds: number }): RunCost {
  const cost = estimateRunCost(cfg);
  const { bytes } = cost;
  if (bytes.total > limits.maxBytes) {
    const fields = bytes.data > bytes.params + bytes.lanczos
      ? `data.m, data.d (${samples(cfg)} × ${inputDim(cfg)} samples × features)`
      : `${modelSizeFields(cfg.model)} (${cost.params.toExponential(2)} parameters)`;
    throw new ConfigError(
      `${fields}: the run needs about ${fmtBytes(bytes.total)} (parameters ${fmtBytes(bytes.params)}, data ${fmtBytes(bytes.data)}, ` +
        `Lanczos bases ${fmtBytes(bytes.lanczos)}, curvature.maxIter = ${cfg.curvature.maxIter}) but the limit is ${fmtBytes(limits.maxBytes)} (CATAPULT_MAX_MEMORY_GB)`,
    );
  }
  if (cost.seconds > limits.maxSeconds) {
    throw new ConfigError(
      `steps = ${cfg.steps}, ${modelSizeFields(cfg.model)}, curvature.every = ${cfg.curvature.every}: ` +
        `the run is estimated to take ${fmtTime(cost.seconds)} (${cost.params.toExponential(2)} parameters), above the limit of ${fmtTime(limits.maxSeconds)}; ` +
        'set CATAPULT_MAX_HOURS to allow it',
    );
  }
  return cost;
}
