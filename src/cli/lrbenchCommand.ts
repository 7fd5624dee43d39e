import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { atomicWrite } from '../io/atomic.ts';
import { codeVersion } from '../io/version.ts';
import { analyzeRuns, lrbenchFigures, lrbenchSweep, lrbenchTables, parseLrbenchConfig, policyStats } from '../recipes/lrbench.ts';
import { runSweep } from '../experiments/sweepRunner.ts';
import { renderReportHtml, type ReportFigure } from '../report/html.ts';
import { writeFigure } from '../report/render.ts';
import { createProgress } from './progress.ts';
import { readJson } from './sweepCommand.ts';

export function registerLrbench(program: Command): void {
  program
    .command('lrbench')
    .description('learning-rate policies × seeds on one problem (resumable, worker pool): metrics ranked per policy, figures, HTML report')
    .argument('<config>', 'JSON: { "name", "base": {run config}, "policies": {"name": {"fn": …}, …}, "seeds": [0, 1, 2], "targetAccuracy": 0.9 }')
    .option('-o, --out <dir>', 'benchmark directory (default: lrbench/<name>)')
    .option('-j, --jobs <n>', 'worker processes', String(availableParallelism()))
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, opts: { out?: string; jobs: string; quiet?: boolean }) => {
      const cfg = parseLrbenchConfig(readJson(file, 'lrbench config'));
      const jobs = Number(opts.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got '${opts.jobs}'`);
      const out = opts.out ?? join('lrbench', cfg.name);
      const t0 = Date.now();
      let progress: ReturnType<typeof createProgress> | null = null;
      const res = await runSweep(lrbenchSweep(cfg), out, {
        jobs,
        shard: null,
        refine: null,
        onProgress: (done, total, reused) => {
          progress ??= createProgress(total, `lrbench ${cfg.name}`, Boolean(opts.quiet));
          progress.update(done, reused ? `(${reused} reused)` : '');
        },
      });
      (progress as ReturnType<typeof createProgress> | null)?.stop();
      const stats = policyStats(analyzeRuns(res.rows, out, cfg.targetAccuracy), cfg.policies);
      const tables = lrbenchTables(stats, cfg.targetAccuracy);
      const figures: ReportFigure[] = [];
      for (const f of lrbenchFigures(stats, cfg.policies)) {
        const w = await writeFigure(join(out, 'report', 'figures'), f.name, f.spec);
        figures.push({ png: `figures/${f.name}.png`, svg: `figures/${f.name}.svg`, caption: f.caption, width: w.width / 2 });
      }
      const v = codeVersion();
      const html = join(out, 'report', 'index.html');
      atomicWrite(
        html,
        renderReportHtml({
          title: `Learning-rate policies: ${cfg.name}`,
          subtitle: 'Computed by `catapult lrbench` from the runs it made (metric definitions: README, "Metrics of a policy").',
          meta: [
            ['code', `catapult-lab ${v.packageVersion}${v.gitCommit ? `, commit ${v.gitCommit.slice(0, 12)}` : ''}`],
            ['runs', `${res.rows.length} (${Object.keys(cfg.policies).length} policies × ${cfg.seeds.length} seeds; ${res.ran} run now, ${res.reused} reused) in ${out}/runs`],
          ],
          sections: [{ id: 'policies', title: 'Policies', description: 'Each policy trains the same problem from the same seeds; the tables rank the policies by each metric.', verdicts: [], figures, tables, facts: [] }],
        }),
      );
      const ranking = tables[1];
      console.log(ranking.header.join(' | '));
      for (const r of ranking.rows) console.log(r.join(' | '));
      console.log(`${res.rows.length} runs (${res.ran} run now, ${res.reused} reused) in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${html}`);
    });
}
