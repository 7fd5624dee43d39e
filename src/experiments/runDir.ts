import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { nodeLoaders, writeWeightsFile } from '../io/loaders.ts';
import { codeVersion } from '../io/version.ts';
import { metricsToCsv } from '../train/metrics.ts';
import { Trainer, type RunSummary, type TrainProgress } from '../train/trainer.ts';
import { canonicalJson, type RunConfig } from './config.ts';
import { inputDigests, runHash } from './runIdentity.ts';
import { buildProblem } from './problem.ts';
import { analyzeSeparability } from '../data/separability.ts';

/**
 * One run = one directory:
 *   config.json   the fully resolved config + code version + config hash
 *   metrics.csv   one row per recorded step (columns: src/train/metrics.ts)
 *   summary.json  status, phase, initial/peak/final values (RunSummary) + config hash
 *   weights.json  final parameters (src/models/weightsFormat.ts)
 * Every file is written atomically; summary.json is written last, so its presence with the
 * right hash means the run is complete and a rerun can skip it.
 */
export interface RunRecord {
  dir: string;
  hash: string;
  summary: RunSummary;
  /** true when an existing complete run was reused */
  reused: boolean;
}

export function readCompleteRun(dir: string, hash: string): RunSummary | null {
  const path = join(dir, 'summary.json');
  if (!existsSync(path)) return null;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as RunSummary & { configHash?: string };
    return s.configHash === hash ? s : null;
  } catch {
    return null;
  }
}

export interface ExecuteOptions {
  /** rerun even if a complete run with the same config exists */
  force?: boolean;
  onProgress?: (p: TrainProgress) => void;
  /** skip weights.json (sweeps with thousands of runs) */
  saveWeights?: boolean;
}

/**
 * The non-separable subspace depends only on the training data, which the data config and seed
 * determine: a sweep over c or width solves the LP once per data set and process, not per run.
 */
const basisCache = new Map<string, Promise<Float64Array[]>>();
function nonSeparableBasis(cfg: RunConfig, train: Parameters<typeof analyzeSeparability>[0]): Promise<Float64Array[]> {
  const key = canonicalJson({ data: cfg.data, seed: cfg.seed });
  let basis = basisCache.get(key);
  if (!basis) {
    basis = analyzeSeparability(train).then((r) => r.basis);
    basisCache.set(key, basis);
  }
  return basis;
}

/** Content digests of the input files, recorded next to the resolved data (only for runs that read files). */
function inputsField(cfg: RunConfig): { inputs?: Record<string, string> } {
  const inputs = inputDigests(cfg);
  return Object.keys(inputs).length ? { inputs } : {};
}

export async function executeRun(cfg: RunConfig, dir: string, opts: ExecuteOptions = {}): Promise<RunRecord> {
  const hash = runHash(cfg);
  if (!opts.force) {
    const done = readCompleteRun(dir, hash);
    if (done) return { dir, hash, summary: done, reused: true };
  }
  const { problem, settings } = buildProblem(cfg, nodeLoaders);
  atomicWriteJson(join(dir, 'config.json'), { ...cfg, configHash: hash, code: codeVersion(), data_resolved: { train: problem.train.name, m: problem.train.m, d: problem.train.d, test: problem.test?.name ?? null, ...inputsField(cfg) } });
  // the non-separable subspace (an LP, theory §7) is computed once, before training
  if (cfg.curvature.restricted) problem.nonSeparableBasis = await nonSeparableBasis(cfg, problem.train);
  const trainer = new Trainer(problem, settings);
  const summary = trainer.run(opts.onProgress);
  atomicWrite(join(dir, 'metrics.csv'), metricsToCsv(trainer.metrics));
  if (opts.saveWeights !== false) writeWeightsFile(join(dir, 'weights.json'), problem.model, trainer.theta);
  atomicWriteJson(join(dir, 'summary.json'), { ...summary, configHash: hash });
  return { dir, hash, summary, reused: false };
}
