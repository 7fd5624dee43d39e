import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseShard, parseSweepConfig } from '../experiments/sweep.ts';
import { mergeResults, runSweep } from '../experiments/sweepRunner.ts';
import type { Onset } from '../experiments/onsets.ts';
import { createProgress } from './progress.ts';

export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${what} ${path}: cannot be read`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${path}: not valid JSON (${(e as Error).message})`);
  }
}

export function printOnsets(onsets: Onset[]): void {
  const f = (x: number | null, below: number | null) => (x === null ? '—' : below === null ? `≤ ${x.toPrecision(4)}` : `${x.toPrecision(4)} (above ${below.toPrecision(4)})`);
  for (const o of onsets) {
    const g = Object.entries(o.group).map(([k, v]) => `${k}=${v}`).join(' ') || '(all runs)';
    console.log(`${g}: c_loss ${f(o.cLoss, o.cLossBelow)}, c_sharp ${f(o.cSharp, o.cSharpBelow)}, c_instab ${f(o.cInstab, o.cInstabBelow)}, c_max ${f(o.cMax, o.cMaxBelow)}`);
  }
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run a sweep (base config × axes) in parallel, resumable, with phase onsets')
    .argument('<sweep>', 'sweep config JSON: { "name", "base": {run config}, "axes": { "c": {"log": [0.25, 64], "num": 25}, "model.width": [100, 1000] } }')
    .option('-o, --out <dir>', 'sweep directory (default: sweeps/<name>)')
    .option('-j, --jobs <n>', 'worker threads', String(availableParallelism()))
    .option('--shard <i/N>', 'run only shard i of N (0-based); combine shards with `catapult merge`')
    .option('--refine <tol>', 'bisect each onset to this relative width in c, e.g. 0.01')
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, opts: { out?: string; jobs: string; shard?: string; refine?: string; quiet?: boolean }) => {
      const sweep = parseSweepConfig(readJson(file, 'sweep config'));
      const jobs = Number(opts.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got '${opts.jobs}'`);
      const refine = opts.refine === undefined ? null : Number(opts.refine);
      if (refine !== null && !(refine > 0 && refine < 1)) throw new Error(`--refine must be a relative width in (0, 1), got '${opts.refine}'`);
      const out = opts.out ?? join('sweeps', sweep.name);
      const shard = opts.shard ? parseShard(opts.shard) : null;
      let progress: ReturnType<typeof createProgress> | null = null;
      const t0 = Date.now();
      const res = await runSweep(sweep, out, {
        jobs,
        shard,
        refine,
        onProgress: (done, total, reused) => {
          progress ??= createProgress(total, `sweep ${sweep.name}`, Boolean(opts.quiet));
          progress.update(done, reused ? `(${reused} reused)` : '');
        },
      });
      (progress as ReturnType<typeof createProgress> | null)?.stop();
      console.log(`${res.rows.length} runs (${res.ran} run now, ${res.reused} reused) in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${res.resultsPath}`);
      if (res.onsets) printOnsets(res.onsets);
    });

  program
    .command('merge')
    .description('combine shard outputs of a sweep into one results.csv and onsets.csv')
    .argument('<dirs...>', 'sweep directories holding results*.csv')
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('--allow-partial', 'merge even if shards or runs are missing: writes results.partial.csv and onsets.partial.csv')
    .action((dirs: string[], opts: { out: string; allowPartial?: boolean }) => {
      const { rows, onsets, partial, resultsPath } = mergeResults(dirs, opts.out, { allowPartial: Boolean(opts.allowPartial) });
      if (partial) console.error(`catapult: warning: partial merge: ${partial.missingShards.length ? `shards ${partial.missingShards.join(', ')} of ${partial.shardCount} missing; ` : ''}${partial.runs}${partial.expectedRuns !== null ? ` of ${partial.expectedRuns}` : ''} runs; onsets may be wrong`);
      console.log(`merged ${rows.length} runs → ${resultsPath}`);
      printOnsets(onsets);
    });
}
