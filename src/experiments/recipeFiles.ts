import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { nodeLoaders } from './nodeLoaders.ts';
import { codeVersion, PACKAGE_ROOT } from '../io/version.ts';
import { Trainer } from '../train/trainer.ts';
import { canonicalJson, configHash, setPath, type RunConfig } from './config.ts';
import { runJobs, type Job } from './pool.ts';
import { buildProblem } from './problem.ts';
import { runHash } from './runIdentity.ts';
import { onsetsToCsv, phaseOnsets, type Onset } from './onsets.ts';
import { resultsToCsv, type ResultRow } from './results.ts';
import { expandSweep, parseSweepConfig, PLAIN_NAME, type SweepConfig } from './sweep.ts';
import { refineOnsets, runSweep } from './sweepRunner.ts';

/**
 * Recipe configs: the sweeps of each paper experiment, kept as data in `recipes/<name>.json`.
 *
 *   {
 *     "name": "uv-phase-vs-c",
 *     "params": { ... },                                  recipe parameters (e.g. a generated data set)
 *     "sweeps": {
 *       "<key>": { "base": {run config}, "axes": {...},   a sweep (src/experiments/sweep.ts)
 *                  "refine": 0.01,                        bisect the phase onsets (optional)
 *                  "physicalTime": 1200 }                 train every run to η·t = 1200 (optional)
 *     },
 *     "profiles": {                                       overrides of the default ('quick') profile
 *       "mini": { "params": { "dotted.path": value },
 *                 "sweeps": { "<key>": { "base": { "dotted.path": value }, "axes": { "c": [...] },
 *                                        "refine": null, "physicalTime": 100 } } },
 *       "full": { ... }
 *     }
 *   }
 *
 * String values may contain `${dataDir}`, replaced by the directory where a recipe writes the data
 * it generates.
 *
 * Fixed physical time (theory §8.4): with `physicalTime: T` each run gets steps = ⌈T/η⌉ with
 * η = 2c/λ0. λ0 does not depend on c (same data, same seeded init), so it is measured once per
 * group of runs by building the problem exactly as the run will (same Lanczos settings and seed,
 * so it is the λ0 the run itself measures); the c on the axis stays exact and the sweep keeps its
 * c grid from the lazy phase to the divergence edge.
 *
 * Node-only.
 */
export type Profile = 'mini' | 'quick' | 'full';
export const PROFILES: readonly Profile[] = ['mini', 'quick', 'full'];

const SweepEntrySchema = z.strictObject({
  base: z.record(z.string(), z.unknown()),
  axes: z.record(z.string(), z.unknown()),
  refine: z.number().positive().lt(1).nullable().default(null),
  physicalTime: z.number().positive().nullable().default(null),
  saveWeights: z.boolean().default(false),
});
const SweepOverrideSchema = z.strictObject({
  base: z.record(z.string(), z.unknown()).optional(),
  axes: z.record(z.string(), z.unknown().nullable()).optional(),
  refine: z.number().positive().lt(1).nullable().optional(),
  physicalTime: z.number().positive().nullable().optional(),
});
const ProfileOverrideSchema = z.strictObject({
  params: z.record(z.string(), z.unknown()).optional(),
  sweeps: z.record(z.string(), SweepOverrideSchema).optional(),
});
export const RecipeFileSchema = z.strictObject({
  name: z.string().regex(PLAIN_NAME, 'a recipe name is a plain name'),
  params: z.record(z.string(), z.unknown()).default({}),
  sweeps: z.record(z.string(), SweepEntrySchema),
  profiles: z.strictObject({ mini: ProfileOverrideSchema.optional(), quick: ProfileOverrideSchema.optional(), full: ProfileOverrideSchema.optional() }).default({}),
});
export type RecipeFile = z.output<typeof RecipeFileSchema>;

export interface RecipeSweepSpec {
  /** key within the recipe, e.g. 'squared' */
  key: string;
  sweep: SweepConfig;
  refine: number | null;
  physicalTime: number | null;
}

export const RECIPES_DIR = join(PACKAGE_ROOT, 'recipes');

export function loadRecipeFile(name: string, dir = RECIPES_DIR): RecipeFile {
  if (!PLAIN_NAME.test(name)) throw new Error(`recipe '${name}': a recipe name is a plain name (letters, digits, '_', '-', '.'; no '/' or '..')`);
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) throw new Error(`recipe '${name}': ${path} not found`);
  const r = RecipeFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!r.success) throw new Error(`recipe file ${path}:\n  ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  if (r.data.name !== name) throw new Error(`recipe file ${path} is named '${r.data.name}', expected '${name}'`);
  for (const [p, o] of Object.entries(r.data.profiles)) {
    for (const key of Object.keys(o?.sweeps ?? {})) {
      if (!(key in r.data.sweeps)) throw new Error(`recipe file ${path}: profile '${p}' overrides unknown sweep '${key}'`);
    }
  }
  return r.data;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function substitute(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\$\{(\w+)\}/g, (m, k: string) => (k in vars ? vars[k] : m));
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  return value;
}

/** The recipe's parameters and sweeps for one profile (overrides applied, `${vars}` substituted). */
export function resolveRecipe(file: RecipeFile, profile: Profile, vars: Record<string, string> = {}): { params: Record<string, unknown>; sweeps: RecipeSweepSpec[] } {
  const over = file.profiles[profile] ?? {};
  const params = clone(file.params);
  for (const [path, v] of Object.entries(over.params ?? {})) setPath(params, path, clone(v));
  const sweeps: RecipeSweepSpec[] = [];
  for (const [key, entry] of Object.entries(file.sweeps)) {
    const o = over.sweeps?.[key] ?? {};
    const base = clone(entry.base);
    for (const [path, v] of Object.entries(o.base ?? {})) setPath(base, path, clone(v));
    const axes: Record<string, unknown> = clone(entry.axes);
    for (const [name, v] of Object.entries(o.axes ?? {})) {
      if (v === null) delete axes[name];
      else axes[name] = clone(v);
    }
    const sweep = parseSweepConfig(substitute({ name: `${file.name}-${key}`, base, axes, saveWeights: entry.saveWeights }, vars));
    sweeps.push({
      key,
      sweep,
      refine: o.refine !== undefined ? o.refine : entry.refine,
      physicalTime: o.physicalTime !== undefined ? o.physicalTime : entry.physicalTime,
    });
  }
  return { params: substitute(params, vars) as Record<string, unknown>, sweeps };
}

/** The results of one recipe sweep. */
export interface SweepData {
  key: string;
  dir: string;
  spec: RecipeSweepSpec;
  /** ordered by run index (refinement runs are not in here) */
  rows: ResultRow[];
  onsets: Onset[];
  ran: number;
  reused: number;
  /** hash of the sweep as run (config + physical time + refinement) */
  hash: string;
}

export interface RecipeSweepOptions {
  jobs: number;
  onProgress?: (done: number, total: number, reused: number) => void;
}

/** Hash of a recipe sweep as run: what the report lists as its config hash. */
export function recipeSweepHash(spec: RecipeSweepSpec): string {
  return configHash({ sweep: spec.sweep, refine: spec.refine, physicalTime: spec.physicalTime });
}

/** λ0 as the run will measure it (same problem, same Lanczos settings and seed). */
function measureLambda0(cfg: RunConfig): number {
  const { problem, settings } = buildProblem(cfg, nodeLoaders);
  return new Trainer(problem, { ...settings, steps: 0, lr: { c: 1 }, schedule: { kind: 'constant' } }).lambda0;
}

/**
 * Run one recipe sweep into `dir` (resumable: complete runs are reused by config hash). Plain
 * sweeps go through runSweep (with onset refinement); fixed-physical-time sweeps set each run's
 * steps from its η, then run on the same pool and write the same tables.
 */
export async function runRecipeSweep(spec: RecipeSweepSpec, dir: string, opts: RecipeSweepOptions): Promise<SweepData> {
  const hash = recipeSweepHash(spec);
  if (spec.physicalTime === null) {
    const res = await runSweep(spec.sweep, dir, { jobs: opts.jobs, shard: null, refine: spec.refine, onProgress: opts.onProgress });
    const rows = [...res.rows].sort((a, b) => a.index - b.index);
    return { key: spec.key, dir, spec, rows, onsets: res.onsets ?? phaseOnsets(rows), ran: res.ran, reused: res.reused, hash };
  }
  const T = spec.physicalTime;
  const points = expandSweep(spec.sweep);
  const lambda0Cache = new Map<string, number>();
  const withSteps = (cfg: RunConfig): RunConfig => {
    if (cfg.c === undefined) throw new Error(`sweep ${spec.sweep.name}: physicalTime needs runs given by c`);
    const key = canonicalJson({ ...cfg, c: undefined, eta: undefined, steps: undefined });
    let lambda0 = lambda0Cache.get(key);
    if (lambda0 === undefined) {
      lambda0 = measureLambda0(cfg);
      lambda0Cache.set(key, lambda0);
    }
    const eta = (2 * cfg.c) / lambda0;
    return { ...cfg, steps: Math.max(1, Math.ceil(T / eta)) };
  };
  const digests = new Map<string, string>(); // each input file hashed once
  const adjusted = points.map((p) => {
    const config = withSteps(p.config);
    return { ...p, config, hash: runHash(config, digests) };
  });
  atomicWriteJson(join(dir, 'sweep.json'), { ...spec.sweep, physicalTime: T, note: 'steps = ceil(physicalTime / eta) per run, eta = 2c/lambda0', code: codeVersion() });
  const axes = Object.keys(spec.sweep.axes);
  const rows: ResultRow[] = [];
  let reused = 0;
  const jobs: Job[] = adjusted.map((p) => ({ config: p.config, dir: join(dir, 'runs', p.hash), saveWeights: spec.sweep.saveWeights }));
  await runJobs(jobs, opts.jobs, (_job, res, i) => {
    const p = adjusted[i];
    rows.push({ index: p.index, hash: p.hash, values: p.values, summary: res.summary });
    if (res.reused) reused++;
    opts.onProgress?.(rows.length, adjusted.length, reused);
  });
  rows.sort((a, b) => a.index - b.index);
  atomicWrite(join(dir, 'results.csv'), resultsToCsv(rows, axes));
  let onsets = phaseOnsets(rows);
  if (spec.refine !== null) onsets = await refineOnsets(spec.sweep, rows, onsets, dir, { jobs: opts.jobs, refine: spec.refine }, withSteps);
  atomicWrite(join(dir, 'onsets.csv'), onsetsToCsv(onsets));
  return { key: spec.key, dir, spec, rows, onsets, ran: rows.length - reused, reused, hash };
}

/** metrics.csv of a run → rows of numbers (empty cells → NaN). */
export function readRunMetrics(sweepDir: string, row: ResultRow): Record<string, number>[] {
  const path = join(sweepDir, 'runs', row.hash, 'metrics.csv');
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v === '' ? NaN : Number(v)])));
}

/** config.json of a run (the resolved config). */
export function readRunConfig(sweepDir: string, row: ResultRow): RunConfig {
  return JSON.parse(readFileSync(join(sweepDir, 'runs', row.hash, 'config.json'), 'utf8')) as RunConfig;
}
