import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveRlConfig } from '../rl/config.ts';
import { executeRlRun, rlRunHash } from '../experiments/rlRun.ts';
import { createProgress } from './progress.ts';
import { configFromCli } from './trainCommand.ts';

/** `catapult rl <config>`: fitted Q iteration / policy evaluation with srank read-outs (src/rl/fittedQ.ts). */
export function registerRl(program: Command): void {
  program
    .command('rl')
    .description('fitted Q iteration / policy evaluation with a value network: srank of the features, value error, greedy return per iteration')
    .argument('<config>', 'JSON rl config file (see README: catapult rl)')
    .option('-o, --out <dir>', 'run directory (default: runs/rl-<config hash>)')
    .option('-q, --quiet', 'no progress output')
    .option('--force', 'rerun even if the run directory holds a complete run of this config')
    .option('--set <path=value>', 'set any config field, e.g. --set targets=oracle (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print the summary as JSON')
    .action((file: string, opts: Record<string, unknown>) => {
      const cfg = resolveRlConfig(configFromCli(file, { set: opts.set }));
      const dir = (opts.out as string | undefined) ?? join('runs', `rl-${rlRunHash(cfg).slice(0, 12)}`);
      const progress = createProgress(cfg.iterations, 'rl', Boolean(opts.quiet));
      const delta = cfg.srankDelta;
      const rec = executeRlRun(cfg, dir, {
        force: Boolean(opts.force),
        onIteration: (r) => progress.update(r.iteration, `srank_${delta} ${r.srank}, ‖Q−Q_ref‖/‖Q_ref‖ ${r.qError.toPrecision(3)}, return ${r.greedyReturn.toPrecision(4)}`),
      });
      progress.stop();
      const s = rec.summary;
      if (opts.json) console.log(JSON.stringify(s, null, 2));
      else {
        if (rec.reused) console.log(`(complete run found in ${dir}; use --force to rerun)`);
        console.log(
          `${s.status} after ${s.iterations} iterations (${s.steps} GD steps, η = ${s.eta.toPrecision(4)}): srank_${s.srankDelta} ${s.srankInitial} → ${s.srankFinal} (min ${s.srankMin}, width ${s.penultimateWidth}); ` +
            `‖Q−Q_ref‖/‖Q_ref‖ = ${s.qErrorFinal.toPrecision(3)}; greedy return ${s.returnFinal.toPrecision(4)} (reference ${s.returnReference.toPrecision(4)})`,
        );
        if (!rec.reused) console.log(`written: ${dir}/{config.json,metrics.csv,summary.json,weights.json}`);
      }
    });
}
