import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { configHash } from '../experiments/config.ts';
import { PROFILES, type Profile } from '../experiments/recipeFiles.ts';
import { RECIPES, recipesByNames, recipesFor, runRecipe, studyOf, type RecipeRun } from '../recipes/registry.ts';
import { STUDIES, studyByName } from '../experiments/studies.ts';
import { parseOnsetsCsv, phaseOnsets, type Onset } from '../experiments/onsets.ts';
import { parseResultsCsv, type ResultRow } from '../experiments/results.ts';
import { catapultOnset, fmt, onsetVerdict, bracketText, type Verdict } from '../experiments/verdicts.ts';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { codeVersion } from '../io/version.ts';
import { pngSize, renderReportHtml, score, verdictMark, type ReportDocument, type ReportSection, type ReportTable } from '../report/html.ts';
import { writeFigure } from '../report/render.ts';
import { predictedBoundaries } from '../theory/degenerate.ts';
import { plotDir } from './plotCommand.ts';
import { createProgress, type Progress } from './progress.ts';

/**
 * `catapult reproduce`: run the paper's recipes (src/recipes/, configs in recipes/)
 * for a profile and write reports/paper-<profile>/index.html with figures, tables and computed
 * verdicts. Resumable: sweeps live in reports/paper-<profile>/sweeps/ and complete runs are
 * reused by config hash. `catapult report <sweep-dir>`: the same kind of report for any sweep.
 */
export interface ReproduceOptions {
  profile: Profile;
  /** parent directory of the report (default 'reports') */
  out: string;
  jobs: number;
  /** recipe names to run (null: all) */
  only: string[] | null;
  quiet?: boolean;
  /** where progress lines go (default: stderr) */
  log?: (line: string) => void;
}

export interface ReproduceResult {
  dir: string;
  html: string;
  runs: RecipeRun[];
  seconds: number;
  verdicts: { recipe: string; verdict: Verdict }[];
}

function versionText(): string {
  const v = codeVersion();
  return `catapult-lab ${v.packageVersion}${v.gitCommit ? `, commit ${v.gitCommit.slice(0, 12)}${v.gitDirty ? ' (uncommitted changes)' : ''}` : ''}`;
}

export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const t0 = Date.now();
  const started = new Date().toISOString();
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const name = `paper-${opts.profile}`;
  const dir = join(opts.out, name);
  const figDir = join(dir, 'figures');
  const recipes = opts.only ? recipesByNames(opts.only, opts.profile) : recipesFor(opts.profile);
  const runs: RecipeRun[] = [];
  const sections: ReportSection[] = [];
  for (const [i, recipe] of recipes.entries()) {
    if (!opts.quiet) log(`[${i + 1}/${recipes.length}] ${recipe.name}: ${recipe.title}`);
    let bar: Progress | null = null;
    const run = await runRecipe(recipe, opts.profile, { sweeps: join(dir, 'sweeps'), data: join(dir, 'data') }, {
      jobs: opts.jobs,
      onSweep: () => {
        bar?.stop();
        bar = null;
      },
      onProgress: (spec, done, total, reused) => {
        bar ??= createProgress(total, `  ${spec.sweep.name}`, Boolean(opts.quiet));
        bar.update(done, reused ? `(${reused} reused)` : '');
      },
    });
    (bar as Progress | null)?.stop();
    const figures = [];
    for (const f of run.output.figures) {
      const base = `${recipe.name}-${f.name}`;
      const w = await writeFigure(figDir, base, f.spec);
      figures.push({ png: `figures/${base}.png`, svg: `figures/${base}.svg`, caption: f.caption, width: w.width / 2 });
    }
    const sc = score(run.output.verdicts);
    if (!opts.quiet) log(`  done in ${run.seconds.toFixed(1)} s (${run.ran} runs now, ${run.reused} reused): ${sc.pass} ✓ ${sc.fail} ✗ ${sc.obs} —`);
    runs.push(run);
    const study = studyByName(studyOf(recipe))!;
    sections.push({
      id: recipe.name,
      group: { id: `study-${study.name}`, title: study.title, description: study.description },
      title: recipe.title,
      description: recipe.description,
      verdicts: run.output.verdicts,
      figures,
      tables: run.output.tables,
      facts: [
        ...Object.values(run.sweeps).map((sd): [string, string] => [
          `sweep ${sd.spec.sweep.name}`,
          `${sd.rows.length} grid runs (${sd.ran} run now, ${sd.reused} reused)${sd.spec.refine ? `, onsets bisected to ${sd.spec.refine}` : ''}${sd.spec.physicalTime ? `, physical time η·t = ${sd.spec.physicalTime}` : ''}; config hash ${sd.hash}; ${relative(dir, sd.dir)}/`,
        ]),
        ['recipe config', `recipes/${recipe.name}.json (profile ${opts.profile})`],
        ['compute time', `${run.seconds.toFixed(1)} s`],
      ],
    });
  }
  const seconds = (Date.now() - t0) / 1000;
  const ran = runs.reduce((a, r) => a + r.ran, 0), reused = runs.reduce((a, r) => a + r.reused, 0);
  const doc: ReportDocument = {
    title: `catapult-lab reproduction: the paper (Huang et al. 2020) and its neighbours (${opts.profile} profile)`,
    subtitle: 'Every number, figure and verdict below was computed by `catapult reproduce` from the runs it made; nothing is written by hand.',
    meta: [
      ['code', versionText()],
      ['profile', `${opts.profile}${opts.only ? ` (recipes: ${recipes.map((r) => r.name).join(', ')})` : ''}`],
      ['started', started],
      ['wall time', `${seconds.toFixed(1)} s (this invocation; ${ran} runs made, ${reused} reused from earlier invocations)`],
      ['machine', `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ${opts.jobs} worker${opts.jobs === 1 ? '' : 's'}`],
      ['recipe config hashes', runs.map((r) => `${r.recipe.name} ${configHash(Object.values(r.sweeps).map((s) => s.hash))}`).join('; ')],
    ],
    sections,
  };
  const html = join(dir, 'index.html');
  atomicWrite(html, renderReportHtml(doc));
  const verdicts = runs.flatMap((r) => r.output.verdicts.map((v) => ({ recipe: r.recipe.name, verdict: v })));
  atomicWriteJson(join(dir, 'verdicts.json'), { profile: opts.profile, code: codeVersion(), started, wallSeconds: seconds, verdicts: verdicts.map((v) => ({ recipe: v.recipe, ...v.verdict })) });
  return { dir, html, runs, seconds, verdicts };
}

/** The verdict table as plain text lines (for the terminal). */
export function verdictLines(verdicts: { recipe: string; verdict: Verdict }[]): string[] {
  return verdicts.map(({ recipe, verdict: v }) => `${verdictMark(v.pass)} [${recipe}] ${v.claim}\n    measured: ${v.measured}\n    predicted: ${v.predicted}`);
}

// ---------------------------------------------------------------------------------------------
// catapult report <sweep-dir>

/** Onset verdicts for a sweep of the uv net on degenerate data (theory §5); [] otherwise. */
export function sweepOnsetVerdicts(cfg: Record<string, any> | null, onsets: Onset[], rows: ResultRow[]): Verdict[] {
  if (!cfg || cfg.data?.kind !== 'degenerate' || cfg.model?.depth !== 2) return [];
  const out: Verdict[] = [];
  const label = (o: Onset) => (Object.keys(o.group).length ? ` [${Object.entries(o.group).map(([k, v]) => `${k} = ${v}`).join(', ')}]` : '');
  if (cfg.loss === 'squared' && cfg.data.p === 1) {
    for (const o of onsets) {
      out.push(onsetVerdict(`Squared loss: the loss starts to rise at c = 1${label(o)}`, { c: o.cLoss, below: o.cLossBelow }, 1, '1 (theory §5)'));
      out.push(onsetVerdict(`Squared loss: divergence at c = 2${label(o)}`, { c: o.cMax, below: o.cMaxBelow }, 2, '2 (theory §5)'));
    }
  } else if (cfg.loss === 'logistic') {
    const p = Number(cfg.data.p);
    if (p > 0 && p < 1) {
      const b = predictedBoundaries({ loss: 'logistic', p, n: cfg.model.width });
      for (const o of onsets) out.push(onsetVerdict(`Logistic loss, p = ${p}: catapult onset at c* = 1/(p(1−p))${label(o)}`, catapultOnset(o), b.cLazy!, `${fmt(b.cLazy)} (theory §5)`));
    } else {
      const cat = rows.filter((r) => r.summary.phase === 'catapult').length;
      out.push({ claim: `Logistic loss, separable (p = ${p}): no catapult`, measured: `${cat} catapult runs of ${rows.length}`, predicted: 'none (theory §5)', pass: cat === 0, rule: 'no run in the catapult phase' });
    }
  }
  return out;
}

const TABLE_FIELDS = ['phase', 'status', 'steps', 'c', 'eta', 'lambda0', 'lambdaFinal', 'etaSharpnessFinal', 'lossInitial', 'lossMax', 'stepOfLossMax', 'lossFinal', 'accuracyFinal', 'testAccuracyFinal'] as const;

/** Build <dir>/report/index.html for a sweep (or theory) directory. Returns the HTML path. */
export async function buildSweepReport(dir: string): Promise<string> {
  if (!existsSync(join(dir, 'results.csv'))) throw new Error(`report: ${dir} holds no results.csv (not a sweep directory)`);
  const t0 = Date.now();
  await plotDir(dir);
  const reportDir = join(dir, 'report');
  const figOut = join(reportDir, 'figures');
  mkdirSync(figOut, { recursive: true });
  const figures = [];
  for (const f of readdirSync(join(dir, 'figures')).filter((x) => x.endsWith('.png')).sort()) {
    const base = f.slice(0, -4);
    for (const ext of ['png', 'svg']) copyFileSync(join(dir, 'figures', `${base}.${ext}`), join(figOut, `${base}.${ext}`));
    const size = pngSize(readFileSync(join(figOut, `${base}.png`)));
    figures.push({ png: `figures/${base}.png`, svg: `figures/${base}.svg`, caption: base.replace(/-/g, ' '), ...(size ? { width: size.width / 2 } : {}) });
  }
  const { axes, rows } = parseResultsCsv(readFileSync(join(dir, 'results.csv'), 'utf8'));
  const sweep = existsSync(join(dir, 'sweep.json')) ? (JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as Record<string, any>) : null;
  const cfgPath = rows.length ? join(dir, 'runs', rows[0].hash, 'config.json') : '';
  const cfg = cfgPath && existsSync(cfgPath) ? (JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, any>) : null;
  const onsets = existsSync(join(dir, 'onsets.csv')) ? parseOnsetsCsv(readFileSync(join(dir, 'onsets.csv'), 'utf8')) : phaseOnsets(rows);
  const verdicts = sweepOnsetVerdicts(cfg, onsets, rows);
  const resultsTable: ReportTable = {
    caption: 'Results (results.csv)',
    header: [...axes, ...TABLE_FIELDS],
    rows: [...rows].sort((a, b) => a.index - b.index).map((r) => [...axes.map((a) => String(r.values[a] ?? '—')), ...TABLE_FIELDS.map((f) => {
      const v = (r.summary as Record<string, unknown>)[f];
      return typeof v === 'number' ? fmt(v) : v === null || v === undefined ? '—' : String(v);
    })]),
  };
  const onsetTable: ReportTable = {
    caption: 'Onsets per group (c_loss: loss rises; c_sharp: λ_T < 0.99 λ₀; c_max: divergence)',
    header: ['group', 'c_loss', 'c_sharp', 'c_max'],
    rows: onsets.map((o) => [Object.entries(o.group).map(([k, v]) => `${k} = ${v}`).join(', ') || '(all runs)', bracketText({ c: o.cLoss, below: o.cLossBelow }), bracketText({ c: o.cSharp, below: o.cSharpBelow }), bracketText({ c: o.cMax, below: o.cMaxBelow })]),
  };
  const { code: _code, ...sweepCfg } = sweep ?? {};
  const name = String(sweep?.name ?? dir);
  const doc: ReportDocument = {
    title: `Sweep report: ${name}`,
    subtitle: 'Generated by `catapult report` from the sweep directory; every number comes from its runs.',
    meta: [
      ['code', versionText()],
      ['sweep directory', dir],
      ['sweep config hash', sweep ? configHash(sweepCfg) : '—'],
      ['runs', `${rows.length} (${rows.filter((r) => r.summary.phase === 'lazy').length} lazy, ${rows.filter((r) => r.summary.phase === 'catapult').length} catapult, ${rows.filter((r) => r.summary.phase === 'divergent').length} divergent)`],
      ['generated', new Date().toISOString()],
    ],
    sections: [
      {
        id: 'sweep',
        title: name,
        description: cfg ? `Axes: ${axes.join(', ')}. Base: ${cfg.loss} loss, ${cfg.data?.kind} data, depth ${cfg.model?.depth}, width ${cfg.model?.width}${axes.includes('model.width') ? ' (first run)' : ''}, ${cfg.steps} steps.` : `Axes: ${axes.join(', ')}.`,
        verdicts,
        figures,
        tables: [onsetTable, resultsTable],
        facts: [['report time', `${((Date.now() - t0) / 1000).toFixed(1)} s`]],
      },
    ],
    summary: false,
  };
  const html = join(reportDir, 'index.html');
  atomicWrite(html, renderReportHtml(doc));
  return html;
}

// ---------------------------------------------------------------------------------------------

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description("run the paper's recipes (recipes/*.json) and write a self-contained HTML report with computed verdicts")
    .option('-p, --profile <profile>', `size profile: ${PROFILES.join(' | ')}`, 'quick')
    .option('-o, --out <dir>', 'parent directory of the report (writes <out>/paper-<profile>/)', 'reports')
    .option('-j, --jobs <n>', 'worker processes', String(availableParallelism()))
    .option('--only <names>', `comma-separated recipe or study names; the report then holds only these (recipes: ${RECIPES.map((r) => r.name).join(', ')}; studies: ${STUDIES.map((s) => s.name).join(', ')})`)
    .option('-q, --quiet', 'no progress output')
    .action(async (o: { profile: string; out: string; jobs: string; only?: string; quiet?: boolean }) => {
      if (!PROFILES.includes(o.profile as Profile)) throw new Error(`--profile must be one of ${PROFILES.join(', ')}, got '${o.profile}'`);
      const jobs = Number(o.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got '${o.jobs}'`);
      const only = o.only ? o.only.split(',').map((x) => x.trim()).filter(Boolean) : null;
      if (only) recipesByNames(only, o.profile as Profile);
      const res = await reproduce({ profile: o.profile as Profile, out: o.out, jobs, only, quiet: o.quiet });
      const sc = score(res.verdicts.map((v) => v.verdict));
      console.log(verdictLines(res.verdicts).join('\n'));
      console.log(`\n${sc.pass} ✓, ${sc.fail} ✗, ${sc.obs} observations — wall time ${res.seconds.toFixed(1)} s → ${res.html}`);
    });

  program
    .command('report')
    .description('build <sweep-dir>/report/index.html: figures, results table, onsets vs predicted boundaries')
    .argument('<sweep-dir>', 'a sweep directory (results.csv)')
    .action(async (dir: string) => {
      const html = await buildSweepReport(dir);
      console.log(`written: ${html}`);
    });
}
