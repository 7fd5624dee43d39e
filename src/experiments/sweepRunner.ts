import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { codeVersion } from '../io/version.ts';
import { resolveConfig, type RunConfig } from './config.ts';
import { runHash } from './runIdentity.ts';
import { runJobs, type Job } from './pool.ts';
import { ONSET_NAMES, onsetTest, onsetsToCsv, phaseOnsets, type Onset } from './onsets.ts';
import { parseResultsCsv, resultsToCsv, type ResultRow } from './results.ts';
import { checkSweepSize, DEFAULT_MAX_RUNS, expandSweep, parseSweepConfig, shardOf, type SweepConfig } from './sweep.ts';
import { envLimit } from '../io/envLimits.ts';

/**
 * Sweep directory layout:
 *   sweep.json                    the sweep config + code version
 *   runs/<config hash>/           one run directory per run (config, metrics, summary)
 *   results.csv                   one row per run (results.shard-i-of-N.csv for a shard)
 *   onsets.csv                    c_loss, c_sharp, c_instab, c_max per group (unsharded runs and merges; src/experiments/onsets.ts)
 * Resume: a run whose directory holds a complete summary with the same hash is not rerun, so a
 * killed sweep loses only the runs in flight; tables are rewritten atomically as runs finish.
 */
export interface SweepOptions {
  jobs: number;
  shard: { index: number; count: number } | null;
  /** bisect each onset to this relative width in c (null: no refinement) */
  refine: number | null;
  onProgress?: (done: number, total: number, reused: number) => void;
}

export interface SweepOutcome {
  rows: ResultRow[];
  onsets: Onset[] | null;
  ran: number;
  reused: number;
  resultsPath: string;
}

export function resultsFileName(shard: SweepOptions['shard']): string {
  return shard ? `results.shard-${shard.index}-of-${shard.count}.csv` : 'results.csv';
}

export async function runSweep(sweep: SweepConfig, outDir: string, opts: SweepOptions): Promise<SweepOutcome> {
  // run keys cover input-file contents (a sweep over an edited CSV reruns); each file is hashed once
  const digests = new Map<string, string>();
  const points = shardOf(expandSweep(sweep, envLimit('CATAPULT_MAX_RUNS', DEFAULT_MAX_RUNS)), opts.shard).map((p) => ({ ...p, hash: runHash(p.config, digests) }));
  const axes = Object.keys(sweep.axes);
  // a shard records which shard of how many it is (merge checks that all are there)
  atomicWriteJson(join(outDir, 'sweep.json'), { ...sweep, ...(opts.shard ? { shard: opts.shard } : {}), code: codeVersion() });
  const rows: ResultRow[] = [];
  const resultsPath = join(outDir, resultsFileName(opts.shard));
  let reused = 0, lastWrite = 0;
  const jobs: Job[] = points.map((p) => ({ config: p.config, dir: join(outDir, 'runs', p.hash), saveWeights: sweep.saveWeights }));
  await runJobs(jobs, opts.jobs, (_job, res, i) => {
    const p = points[i];
    rows.push({ index: p.index, hash: p.hash, values: p.values, summary: res.summary });
    if (res.reused) reused++;
    opts.onProgress?.(rows.length, points.length, reused);
    if (Date.now() - lastWrite > 2000) {
      atomicWrite(resultsPath, resultsToCsv(rows, axes));
      lastWrite = Date.now();
    }
  });
  atomicWrite(resultsPath, resultsToCsv(rows, axes));
  let onsets: Onset[] | null = null;
  if (!opts.shard) {
    onsets = phaseOnsets(rows);
    if (opts.refine !== null) onsets = await refineOnsets(sweep, rows, onsets, outDir, opts);
    atomicWrite(join(outDir, 'onsets.csv'), onsetsToCsv(onsets));
  }
  return { rows, onsets, ran: rows.length - reused, reused, resultsPath };
}

/**
 * Bisect each onset between its bracketing grid points (geometric midpoints) until the bracket
 * is narrower than `refine`·c, with the same onset rule as the grid (c_instab against the group's
 * lazy baseline from the grid). All open brackets advance together, one round at a time, on the
 * pool; each bracket's sequence of midpoints does not depend on the others, so results are
 * deterministic. `adjust` finishes each midpoint's config (fixed-physical-time sweeps set its steps).
 */
export async function refineOnsets(sweep: SweepConfig, rows: ResultRow[], onsets: Onset[], outDir: string, opts: Pick<SweepOptions, 'jobs' | 'refine'>, adjust: (config: RunConfig) => RunConfig = (c) => c): Promise<Onset[]> {
  const tol = opts.refine!;
  const byGroup = new Map<Onset, ResultRow>();
  for (const o of onsets) {
    const row = rows.find((r) => Object.entries(o.group).every(([k, v]) => r.values[k] === v));
    if (row) byGroup.set(o, row);
  }
  type Bracket = { onset: Onset; name: (typeof ONSET_NAMES)[number]; lo: number; hi: number };
  let open: Bracket[] = [];
  const digests = new Map<string, string>(); // each input file hashed once over all rounds
  for (const o of onsets) {
    for (const name of ONSET_NAMES) {
      const hi = o[name], lo = o[`${name}Below`];
      if (hi !== null && lo !== null) open.push({ onset: o, name, lo, hi });
    }
  }
  const base = (o: Onset) => JSON.parse(readFileSync(join(outDir, 'runs', byGroup.get(o)!.hash, 'config.json'), 'utf8')) as Record<string, unknown>;
  while ((open = open.filter((b) => (b.hi - b.lo) / b.hi > tol)).length > 0) {
    const jobs: Job[] = open.map((b) => {
      const raw = base(b.onset);
      for (const k of ['configHash', 'code', 'data_resolved', 'eta']) delete raw[k];
      raw.c = Math.sqrt(b.lo * b.hi);
      const config = adjust(resolveConfig(raw));
      return { config, dir: join(outDir, 'runs', runHash(config, digests)), saveWeights: sweep.saveWeights };
    });
    const results = new Array<boolean>(open.length);
    await runJobs(jobs, opts.jobs, (_job, res, i) => {
      results[i] = onsetTest(open[i].name, res.summary, open[i].onset.lazyRatio);
    });
    open.forEach((b, i) => {
      const mid = Math.sqrt(b.lo * b.hi);
      if (results[i]) b.hi = mid;
      else b.lo = mid;
      b.onset[b.name] = b.hi;
      b.onset[`${b.name}Below`] = b.lo;
    });
  }
  return onsets;
}

export interface MergeOptions {
  /** merge even if shards or runs are missing; the tables are then written as results.partial.csv / onsets.partial.csv */
  allowPartial?: boolean;
}

export interface MergeOutcome {
  rows: ResultRow[];
  onsets: Onset[];
  /** null when complete; otherwise what is missing */
  partial: { missingShards: number[]; shardCount: number | null; runs: number; expectedRuns: number | null } | null;
  resultsPath: string;
}

/** Number of runs of the sweep recorded in a sweep directory's sweep.json (null if it cannot tell). */
function expectedRuns(dir: string): number | null {
  const path = join(dir, 'sweep.json');
  if (!existsSync(path)) return null;
  try {
    const { code: _c, shard: _s, physicalTime: _p, note: _n, ...sweep } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return checkSweepSize(parseSweepConfig(sweep), Infinity);
  } catch {
    return null;
  }
}

/**
 * Combine shard outputs (or any results tables of the same sweep) into one results.csv. Each
 * shard's table is named results.shard-i-of-N.csv: a merge without all N shards, or with fewer
 * runs than the sweep has, fails naming what is missing, unless `allowPartial` (then the tables
 * are written as *.partial.csv, with merge.json saying what is missing).
 */
export function mergeResults(dirs: string[], outDir: string, opts: MergeOptions = {}): MergeOutcome {
  const byIndex = new Map<number, ResultRow>();
  let axes: string[] | null = null;
  const shardCounts = new Set<number>();
  const shardsSeen = new Set<number>();
  let unsharded = false;
  let expected: number | null = null;
  for (const dir of dirs) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^results(\.shard-\d+-of-\d+)?\.csv$/.test(f)) : [];
    if (files.length === 0) throw new Error(`merge: ${dir} holds no results*.csv`);
    expected ??= expectedRuns(dir);
    for (const f of files) {
      const sh = /^results\.shard-(\d+)-of-(\d+)\.csv$/.exec(f);
      if (sh) {
        shardsSeen.add(Number(sh[1]));
        shardCounts.add(Number(sh[2]));
      } else unsharded = true;
      const t = parseResultsCsv(readFileSync(join(dir, f), 'utf8'));
      if (axes && axes.join() !== t.axes.join()) throw new Error(`merge: ${join(dir, f)} has axes [${t.axes}] but earlier tables have [${axes}]`);
      axes = t.axes;
      for (const r of t.rows) {
        const prev = byIndex.get(r.index);
        if (prev && prev.hash !== r.hash) throw new Error(`merge: run ${r.index} has config hash ${r.hash} in ${join(dir, f)} but ${prev.hash} elsewhere: not the same sweep`);
        byIndex.set(r.index, r);
      }
    }
  }
  if (shardCounts.size > 1) throw new Error(`merge: the tables come from different shardings (of ${[...shardCounts].join(', ')} shards)`);
  const shardCount = shardCounts.size === 1 ? [...shardCounts][0] : null;
  const missingShards = shardCount === null || unsharded ? [] : Array.from({ length: shardCount }, (_, i) => i).filter((i) => !shardsSeen.has(i));
  const rows = [...byIndex.values()];
  const incomplete = missingShards.length > 0 || (expected !== null && rows.length < expected);
  if (incomplete && !opts.allowPartial) {
    const what = missingShards.length > 0
      ? `shard${missingShards.length > 1 ? 's' : ''} ${missingShards.join(', ')} of ${shardCount} missing (${missingShards.map((i) => `results.shard-${i}-of-${shardCount}.csv`).join(', ')})`
      : `${expected! - rows.length} of ${expected} runs missing (a shard did not finish?)`;
    throw new Error(`merge: ${what}; rerun them, or pass --allow-partial to write a partial result`);
  }
  const onsets = phaseOnsets(rows);
  const suffix = incomplete ? '.partial' : '';
  const resultsPath = join(outDir, `results${suffix}.csv`);
  atomicWrite(resultsPath, resultsToCsv(rows, axes ?? []));
  atomicWrite(join(outDir, `onsets${suffix}.csv`), onsetsToCsv(onsets));
  const partial = incomplete ? { missingShards, shardCount, runs: rows.length, expectedRuns: expected } : null;
  atomicWriteJson(join(outDir, 'merge.json'), { partial: incomplete, sources: dirs, shardCount, missingShards, runs: rows.length, expectedRuns: expected });
  return { rows, onsets, partial, resultsPath };
}
