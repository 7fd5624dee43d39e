import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { nodeLoaders, writeWeightsFile } from '../io/loaders.ts';
import { codeVersion } from '../io/version.ts';
import { metricsToCsv } from '../train/metrics.ts';
import { Trainer, type RunSummary, type TrainProgress } from '../train/trainer.ts';
import { canonicalJson, configHash, type RunConfig } from './config.ts';
import { buildProblem } from './problem.ts';
import { analyzeSeparability, summarizeSeparability, type SeparabilityReport } from '../data/separability.ts';

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
const separabilityCache = new Map<string, Promise<SeparabilityReport>>();
function separabilityOf(cfg: RunConfig, train: Parameters<typeof analyzeSeparability>[0]): Promise<SeparabilityReport> {
  const key = canonicalJson({ data: cfg.data, seed: cfg.seed });
  let rep = separabilityCache.get(key);
  if (!rep) {
    rep = analyzeSeparability(train);
    separabilityCache.set(key, rep);
  }
  return rep;
}

export async function executeRun(cfg: RunConfig, dir: string, opts: ExecuteOptions = {}): Promise<RunRecord> {
  const hash = configHash(cfg);
  if (!opts.force) {
    const done = readCompleteRun(dir, hash);
    if (done) return { dir, hash, summary: done, reused: true };
  }
  const { problem, settings } = buildProblem(cfg, nodeLoaders);
  atomicWriteJson(join(dir, 'config.json'), { ...cfg, configHash: hash, code: codeVersion(), data_resolved: { train: problem.train.name, m: problem.train.m, d: problem.train.d, test: problem.test?.name ?? null } });
  // the non-separable subspace (an LP, theory §7) is computed once, before training
  if (cfg.curvature.restricted) {
    const sep = await separabilityOf(cfg, problem.train);
    problem.nonSeparableBasis = sep.basis;
    problem.nonSeparableIndices = sep.nonSeparableIndices;
    problem.separability = summarizeSeparability(sep);
  }
  const trainer = new Trainer(problem, settings);
  const summary = trainer.run(opts.onProgress);
  atomicWrite(join(dir, 'metrics.csv'), metricsToCsv(trainer.metrics));
  if (opts.saveWeights !== false) writeWeightsFile(join(dir, 'weights.json'), problem.model, trainer.theta);
  atomicWriteJson(join(dir, 'summary.json'), { ...summary, configHash: hash });
  return { dir, hash, summary, reused: false };
}
