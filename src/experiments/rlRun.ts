import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { writeWeightsFile } from './nodeLoaders.ts';
import { codeVersion } from '../io/version.ts';
import { configHash } from './config.ts';
import { readCompleteRun, withStagingDir } from './runDir.ts';
import type { RlConfig } from '../rl/config.ts';
import { buildFittedQ } from '../rl/setup.ts';
import { FittedQ, fittedQRowsToCsv, type FittedQRow, type FittedQSummary } from '../rl/fittedQ.ts';

/**
 * One `catapult rl` run = one directory, built like a training run's (src/experiments/runDir.ts: staged, then
 * published with summary.json last, so its presence with the right hash marks a complete run):
 *   config.json   the resolved rl config + config hash + code version + the environment it built
 *   metrics.csv   one row per fitted-Q iteration (columns: FITTED_Q_COLUMNS, src/rl/fittedQ.ts)
 *   summary.json  FittedQSummary + the config, its hash and the code version
 *   weights.json  the final value network (src/models/weightsFormat.ts)
 * Node-only.
 */
export interface RlRunSummary extends FittedQSummary {
  configHash: string;
  config: RlConfig;
  code: ReturnType<typeof codeVersion>;
}

export interface RlRunRecord {
  dir: string;
  hash: string;
  summary: RlRunSummary;
  reused: boolean;
}

export function rlRunHash(cfg: RlConfig): string {
  return configHash({ rl: cfg });
}

export function executeRlRun(cfg: RlConfig, dir: string, opts: { force?: boolean; onIteration?: (row: FittedQRow) => void } = {}): RlRunRecord {
  const hash = rlRunHash(cfg);
  if (!opts.force) {
    const done = readCompleteRun(dir, hash) as unknown as RlRunSummary | null;
    if (done) return { dir, hash, summary: done, reused: true };
  }
  const { problem, settings } = buildFittedQ(cfg);
  const fq = new FittedQ(problem, settings);
  return withStagingDir(dir, (stage) => {
    const env = { name: problem.mdp.name, states: problem.mdp.S, actions: problem.mdp.A, features: problem.features.name, d: problem.features.d, transitions: problem.transitions.n };
    atomicWriteJson(join(stage, 'config.json'), { ...cfg, configHash: hash, code: codeVersion(), env_resolved: env });
    const result = fq.run((row) => opts.onIteration?.(row));
    atomicWrite(join(stage, 'metrics.csv'), fittedQRowsToCsv(fq.rows));
    writeWeightsFile(join(stage, 'weights.json'), problem.model, fq.theta);
    const summary: RlRunSummary = { ...result, configHash: hash, config: cfg, code: codeVersion() };
    atomicWriteJson(join(stage, 'summary.json'), summary);
    return { dir, hash, summary, reused: false };
  });
}

/** metrics.csv of an rl run → rows (empty cells → NaN). */
export function readRlMetrics(dir: string): FittedQRow[] {
  const [head, ...lines] = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v === '' ? NaN : Number(v)])) as unknown as FittedQRow);
}
