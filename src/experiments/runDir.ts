import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { ensureDir, explainFs } from '../io/fsErrors.ts';
import { nodeLoaders, writeWeightsFile } from './nodeLoaders.ts';
import { codeVersion } from '../io/version.ts';
import { metricsToCsv } from '../train/metrics.ts';
import { Trainer, type RunSummary, type TrainProgress } from '../train/trainer.ts';
import { canonicalJson, marksOf, type RunConfig } from './config.ts';
import { MarkRecorder, marksToCsv, type MarkRecord, type MaxMarginRefs } from '../train/marks.ts';
import { maxMarginRefs, maxMarginSummary, runFlow } from './marginRun.ts';
import { buildData, buildInit, buildModel } from './problem.ts';
import { getLoss } from '../losses/losses.ts';
import type { Dataset } from '../data/dataset.ts';
import { envLimit } from '../io/envLimits.ts';
import { checkRunCost } from './runCost.ts';
import { inputDigests, runHash } from './runIdentity.ts';
import { checkProblemInputs, explainInitFailure } from './inputChecks.ts';
import { buildProblem } from './problem.ts';
import { defaultThreads, withPassThreads } from './nodePassThreads.ts';
import { analyzeSeparability, summarizeSeparability, type SeparabilityReport } from '../data/separability.ts';

/**
 * One run = one directory:
 *   config.json   the fully resolved config + code version + config hash
 *   metrics.csv   one row per recorded step (columns: src/train/metrics.ts)
 *   summary.json  status, phase, initial/peak/final values (RunSummary) + config hash
 *   weights.json  final parameters (src/models/weightsFormat.ts)
 *   marks.csv     runs with marks (diagonal models): one row per minimum-margin mark reached (src/train/marks.ts)
 * A flow run (optimizer 'flow') has config.json, marks.csv and summary.json only.
 * The files are built in a staging directory next to it and published when the run is complete
 * (summary.json last), so its presence with the right hash means the run is complete and a rerun
 * can skip it, and a failed or killed run leaves no half-written directory.
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
  /** runs executing at once in this process (a sweep pool's size): the default `threads` shares the cores among them */
  runsAtOnce?: number;
}

/**
 * Data matrices with fewer entries than this train on one thread whatever `threads` says (starting a helper thread
 * costs more than it saves there; the results are the same).
 */
export const THREADED_MIN_ENTRIES = 1 << 18;

/** How many threads a run's passes use: cfg.threads, else the default share of the cores; 1 for small data. */
export function runThreads(cfg: RunConfig, entries: number, runsAtOnce = 1): number {
  if (entries < THREADED_MIN_ENTRIES) return 1;
  return cfg.threads ?? defaultThreads(runsAtOnce);
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

/** The max-margin references depend only on the training data: solved once per data set and process. */
const maxMarginCache = new Map<string, Promise<MaxMarginRefs>>();
function maxMarginOf(cfg: RunConfig, train: Dataset): Promise<MaxMarginRefs> {
  const key = canonicalJson({ data: cfg.data, seed: cfg.seed });
  let refs = maxMarginCache.get(key);
  if (!refs) {
    refs = maxMarginRefs(train);
    maxMarginCache.set(key, refs);
    refs.catch(() => maxMarginCache.delete(key));
  }
  return refs;
}

/** summary.json's margin fields: the marks reached and the references (with the note for non-separable data). */
function marksFields(records: readonly MarkRecord[], refs: MaxMarginRefs): Record<string, unknown> {
  return { marks: records, maxMargin: maxMarginSummary(refs) };
}

/**
 * Limits for one run: memory CATAPULT_MAX_MEMORY_GB (default 80% of this machine's RAM), estimated
 * time CATAPULT_MAX_HOURS (default 24).
 */
export function runLimits(env: NodeJS.ProcessEnv = process.env): { maxBytes: number; maxSeconds: number } {
  return { maxBytes: envLimit('CATAPULT_MAX_MEMORY_GB', (0.8 * totalmem()) / 2 ** 30, env) * 2 ** 30, maxSeconds: envLimit('CATAPULT_MAX_HOURS', 24, env) * 3600 };
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
  checkRunCost(cfg, runLimits());
  const marks = marksOf(cfg);
  if (cfg.optimizer?.kind === 'flow') return executeFlowRun(cfg, dir, hash, marks!);
  const { problem, settings } = buildProblem(cfg, nodeLoaders);
  checkProblemInputs(cfg, problem);
  // the non-separable subspace (an LP, theory §7) is computed once, before training
  if (cfg.curvature.restricted) {
    const sep = await separabilityOf(cfg, problem.train);
    problem.nonSeparableBasis = sep.basis;
    problem.nonSeparableIndices = sep.nonSeparableIndices;
    problem.separability = summarizeSeparability(sep);
  }
  // the max-margin references (an LP and a QP, async) are solved before the synchronous training loop
  let refs: MaxMarginRefs | null = null;
  if (marks) {
    if (!problem.model.linear) throw new Error(`marks: model.kind '${problem.model.kind}' has no end-to-end linear predictor β, so margins and gaps are not defined; remove marks`);
    refs = await maxMarginOf(cfg, problem.train);
  }
  let trainer: Trainer;
  try {
    trainer = new Trainer(problem, settings);
  } catch (e) {
    throw explainInitFailure(cfg, e as Error);
  }
  const recorder = marks ? watchMarks(trainer, marks.at, refs, marks.supportTol, marks.stop) : null;
  // Files are built in a temporary sibling and published only when the run is complete, so a
  // failure (bad input, a full disk, a kill) never leaves a half-written run directory.
  const run = () => withStagingDir(dir, (stage) => {
    atomicWriteJson(join(stage, 'config.json'), { ...cfg, configHash: hash, code: codeVersion(), data_resolved: { train: problem.train.name, m: problem.train.m, d: problem.train.d, test: problem.test?.name ?? null, ...inputsField(cfg) } });
    const summary = trainer.run(opts.onProgress);
    atomicWrite(join(stage, 'metrics.csv'), metricsToCsv(trainer.metrics));
    if (opts.saveWeights !== false) writeWeightsFile(join(stage, 'weights.json'), problem.model, trainer.theta);
    const full = recorder ? { ...summary, ...marksFields(recorder.records, refs!) } : summary;
    if (recorder) atomicWrite(join(stage, 'marks.csv'), marksToCsv(recorder.records));
    atomicWriteJson(join(stage, 'summary.json'), { ...full, configHash: hash });
    return { dir, hash, summary: full, reused: false };
  });
  // helper threads for the passes over X, for this run only (stopped when it ends, also on failure)
  return withPassThreads(runThreads(cfg, problem.train.m * problem.train.d, opts.runsAtOnce), run);
}

/** Record marks along a GD run: at init and after every step (trainer.afterStep); optionally stop at the last. */
function watchMarks(trainer: Trainer, at: readonly number[], refs: MaxMarginRefs | null, supportTol: number, stop: boolean): MarkRecorder {
  const rec = new MarkRecorder(at, refs, supportTol);
  const model = trainer.problem.model;
  const observe = (step: number, ev: typeof trainer.evaluation) => {
    const y = ev.data.y, f = ev.f;
    const margins = new Float64Array(f.length);
    for (let n = 0; n < f.length; n++) margins[n] = y[n] * f[n];
    rec.observe(step, margins, () => model.linear!.endToEnd(ev.theta));
    return stop && rec.done;
  };
  observe(0, trainer.evaluation);
  trainer.afterStep = observe;
  return rec;
}

/** A run of the exact flow: config.json, marks.csv and summary.json (no metrics, no weights). */
async function executeFlowRun(cfg: RunConfig, dir: string, hash: string, marks: NonNullable<ReturnType<typeof marksOf>>): Promise<RunRecord> {
  const { train } = buildData(cfg, nodeLoaders);
  const model = buildModel(cfg, train.d);
  checkProblemInputs(cfg, { model, loss: getLoss(cfg.loss), train, theta0: buildInit(cfg, model, nodeLoaders) });
  const refs = await maxMarginOf(cfg, train);
  const flow = runFlow(cfg, train, marks, refs);
  return withStagingDir(dir, (stage) => {
    atomicWriteJson(join(stage, 'config.json'), { ...cfg, configHash: hash, code: codeVersion(), data_resolved: { train: train.name, m: train.m, d: train.d, test: null, ...inputsField(cfg) } });
    atomicWrite(join(stage, 'marks.csv'), marksToCsv(flow.records));
    const summary = { ...flow.summary, ...marksFields(flow.records, refs) };
    atomicWriteJson(join(stage, 'summary.json'), { ...summary, configHash: hash });
    return { dir, hash, summary, reused: false };
  });
}

/** The files of a run directory, summary.json last (its presence marks a complete run). */
const RUN_FILES = ['config.json', 'metrics.csv', 'weights.json', 'marks.csv', 'summary.json'];
const STAGING = '.partial-';

/**
 * Run `build` on a fresh staging directory next to `dir`, then publish its files into `dir`:
 * a new directory is renamed into place in one step; an existing one (rerun with --force, or a
 * stale run of another config) gets its summary.json removed first and the new files moved in,
 * summary.json last. On failure the staging directory is removed and `dir` is untouched.
 * Staging directories of killed processes are removed on the next run of the same directory.
 */
export function withStagingDir<T>(dir: string, build: (stage: string) => T): T {
  const parent = dirname(resolve(dir));
  const prefix = `${basename(resolve(dir))}${STAGING}`;
  removeStaleStaging(parent, prefix);
  ensureDir(dirname(dir));
  const stage = join(parent, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  explainFs('create directory', stage, () => mkdirSync(stage));
  try {
    const result = build(stage);
    explainFs('write run directory', dir, () => {
      if (!existsSync(dir)) renameSync(stage, dir);
      else {
        rmSync(join(dir, 'summary.json'), { force: true });
        for (const f of RUN_FILES) {
          if (existsSync(join(stage, f))) renameSync(join(stage, f), join(dir, f));
          else rmSync(join(dir, f), { force: true });
        }
      }
    });
    return result;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Remove this process's own staging directories of `dir`: a sweep stopped by a signal has
 * terminated the worker threads (same pid) that were building them, so nobody else will.
 */
export function removeOwnStaging(dir: string): void {
  const parent = dirname(resolve(dir));
  const prefix = `${basename(resolve(dir))}${STAGING}${process.pid}-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) rmSync(join(parent, name), { recursive: true, force: true });
}

/** Remove staging directories for `prefix` left by processes that no longer run. */
function removeStaleStaging(parent: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (pid > 0 && pid !== process.pid && !processAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
