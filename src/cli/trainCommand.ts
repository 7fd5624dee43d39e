import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig, setPath, type RunConfig } from '../experiments/config.ts';
import { runHash } from '../experiments/runIdentity.ts';
import { executeRun } from '../experiments/runDir.ts';
import { createProgress } from './progress.ts';
import { formatSummaryLine } from './format.ts';
import { formatMarks, fmtNum, type MarksSummary } from './marksFormat.ts';

/** Flags that are shortcuts for config fields (the rest is reachable with --set path=value). */
const SHORTCUTS: [flag: string, path: string, parse: (s: string) => unknown, help: string][] = [
  ['--c <c>', 'c', Number, 'learning rate in units of 2/λ0 (η = 2c/λ0)'],
  ['--eta <eta>', 'eta', Number, 'learning rate η'],
  ['--loss <name>', 'loss', String, 'logistic | squared | exponential'],
  ['--width <n>', 'model.width', Number, 'hidden width n'],
  ['--depth <L>', 'model.depth', Number, 'number of weight layers (2 = uv model)'],
  ['--steps <T>', 'steps', Number, 'GD steps'],
  ['--seed <s>', 'seed', Number, 'seed for data, init, batches and Lanczos'],
  ['--data <kind>', 'data.kind', String, 'degenerate | gaussian | two-gaussians | csv'],
  ['--csv <path>', 'data.path', String, 'CSV file (implies --data csv)'],
  ['--p <p>', 'data.p', Number, 'degenerate data: fraction of +1 labels'],
  ['--m <m>', 'data.m', Number, 'number of samples'],
  ['--d <d>', 'data.d', Number, 'input dimension'],
  ['--init <kind>', 'init.kind', String, 'gaussian | prescribed | file'],
  ['--init-file <path>', 'init.path', String, 'initial weights (implies --init file)'],
  ['--batch-size <k>', 'batchSize', Number, 'mini-batch SGD with batches of k (default: full batch)'],
  ['--threads <n>', 'threads', Number, 'threads for the passes over X (default: the cores; same results for any n)'],
];

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function camel(flag: string): string {
  return flag.replace(/^--/, '').split(' ')[0].replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** Config file + shortcut flags + --set overrides → raw config object (validated later). */
export function configFromCli(file: string | undefined, opts: Record<string, unknown>): Record<string, unknown> {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`config file ${file}: cannot be read`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`config file ${file}: not valid JSON (${(e as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`config file ${file}: expected a JSON object of config fields, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`);
    }
    raw = parsed as Record<string, unknown>;
  }
  if (opts.csv !== undefined) setPath(raw, 'data.kind', 'csv');
  if (opts.initFile !== undefined) setPath(raw, 'init.kind', 'file');
  for (const [flag, path, parse] of SHORTCUTS) {
    const v = opts[camel(flag)];
    if (v !== undefined) setPath(raw, path, parse(String(v)));
  }
  for (const assignment of (opts.set as string[] | undefined) ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects path=value, got '${assignment}'`);
    setPath(raw, assignment.slice(0, eq), parseValue(assignment.slice(eq + 1)));
  }
  return raw;
}

export function addRunOptions(cmd: Command): Command {
  for (const [flag, , , help] of SHORTCUTS) cmd.option(flag, help);
  return cmd.option('--set <path=value>', 'set any config field, e.g. --set data.p=0.4 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]);
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a deep linear network by gradient descent, recording loss, accuracy and curvature')
    .argument('[config]', 'JSON config file (flags override it)')
    .option('-o, --out <dir>', 'run directory (default: runs/train-<config hash>)')
    .option('-q, --quiet', 'no progress output')
    .option('--force', 'rerun even if the run directory holds a complete run of this config')
    .option('--json', 'print the summary as JSON');
  addRunOptions(cmd).action(async (file: string | undefined, opts: Record<string, unknown>) => {
    const cfg: RunConfig = resolveConfig(configFromCli(file, opts));
    const dir = (opts.out as string | undefined) ?? join('runs', `train-${runHash(cfg).slice(0, 12)}`);
    const flow = cfg.optimizer?.kind === 'flow';
    const progress = createProgress(flow ? 0 : cfg.steps, 'train', Boolean(opts.quiet));
    const rec = await executeRun(cfg, dir, { force: Boolean(opts.force), onProgress: (p) => progress.update(p.step, `loss ${p.loss.toPrecision(4)}`) });
    progress.stop();
    if (opts.json) console.log(JSON.stringify(rec.summary, null, 2));
    else {
      if (rec.reused) console.log(`(complete run found in ${dir}; use --force to rerun)`);
      const withMarks = rec.summary as typeof rec.summary & MarksSummary;
      if (flow) console.log(`exact flow (${withMarks.flow?.steps} integrator steps, τ = ${fmtNum(withMarks.flow?.tau ?? NaN)}): ${rec.summary.status}`);
      else {
        console.log(formatSummaryLine(rec.summary, true));
        console.log(formatSummaryLine(rec.summary));
      }
      if (withMarks.marks) console.log(formatMarks(withMarks));
      const files = flow ? 'config.json,marks.csv,summary.json' : `config.json,metrics.csv,summary.json,weights.json${withMarks.marks ? ',marks.csv' : ''}`;
      if (!rec.reused) console.log(`written: ${dir}/{${files}}`);
    }
  });
}
