import { z } from 'zod';
import { canonicalJson, configHash, configPathProblem, resolveConfig, runConfigHash, setPath, type RunConfig } from './config.ts';
import { pow } from '../linalg/detmath.ts';

/**
 * A sweep = a base run config + axes. Each axis is a dotted config path ("c", "model.width",
 * "seed", "data.p", "loss", ...) with a list of values or a log/linear range. Runs are the
 * Cartesian product in a fixed order (first axis slowest), so a run's index, its config and
 * its hash are the same on every machine: that is what makes sharding and resume exact.
 * Browser-safe.
 */
/** A name that is safe as one path segment: no separators, not '.' or '..', no hidden files. */
export const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

const RangeSchema = z.union([
  z.strictObject({ log: z.tuple([z.number().positive(), z.number().positive()]), num: z.number().int().min(1) }),
  z.strictObject({ linear: z.tuple([z.number(), z.number()]), num: z.number().int().min(1) }),
]);
/** named values: the axis takes the names (results tables show them), the config gets the values (e.g. whole schedules) */
const NamedSchema = z.strictObject({ named: z.record(z.string(), z.unknown()).refine((o) => Object.keys(o).length > 0, 'at least one named value is needed') });
const AxisSchema = z.union([z.array(z.union([z.number(), z.string(), z.boolean()])).min(1), RangeSchema, NamedSchema]);

export const SweepConfigSchema = z.strictObject({
  /** a plain name (it names the directory sweeps/<name>): letters, digits, '_', '-', '.', not starting with '.' */
  name: z.string().regex(PLAIN_NAME, "a sweep name is a plain name: letters, digits, '_', '-' and '.', not starting with '.' (no '/' or '..')").max(100).default('sweep'),
  base: z.record(z.string(), z.unknown()).default({}),
  axes: z
    .record(z.string(), AxisSchema)
    .refine((a) => Object.keys(a).length > 0, 'at least one axis is needed')
    .superRefine((a, ctx) => {
      for (const path of Object.keys(a)) {
        const problem = configPathProblem(path);
        if (problem) ctx.addIssue({ code: 'custom', path: [path], message: problem });
      }
    }),
  /** save final weights of every run (off by default: sweeps can have thousands of runs) */
  saveWeights: z.boolean().default(false),
});
export type SweepConfig = z.output<typeof SweepConfigSchema>;
type AxisValue = number | string | boolean;

export function axisValues(axis: z.output<typeof AxisSchema>): AxisValue[] {
  if (Array.isArray(axis)) return axis;
  if ('named' in axis) return Object.keys(axis.named);
  if ('log' in axis) {
    const [a, b] = axis.log;
    if (axis.num === 1) return [a];
    // exact endpoints; interior points from the log-linear formula (detmath's pow: the same grid in every engine)
    return Array.from({ length: axis.num }, (_, i) => (i === 0 ? a : i === axis.num - 1 ? b : a * pow(b / a, i / (axis.num - 1))));
  }
  const [a, b] = axis.linear;
  if (axis.num === 1) return [a];
  return Array.from({ length: axis.num }, (_, i) => (i === axis.num - 1 ? b : a + ((b - a) * i) / (axis.num - 1)));
}

export interface SweepPoint {
  index: number;
  /** axis path → value */
  values: Record<string, AxisValue>;
  config: RunConfig;
  /** configHash(config); the Node sweep runner replaces it by runHash (which also covers input-file contents) */
  hash: string;
}

export function parseSweepConfig(input: unknown): SweepConfig {
  const r = SweepConfigSchema.safeParse(input);
  if (!r.success) {
    throw new Error(`invalid sweep config:\n  ${r.error.issues.map((i) => `${i.path.join('.') || '(sweep)'}: ${i.message}`).join('\n  ')}`);
  }
  return r.data;
}

/** Default cap on the runs of one sweep (CATAPULT_MAX_RUNS in the CLI) and on grid sizes (CATAPULT_MAX_POINTS). */
export const DEFAULT_MAX_RUNS = 100_000;
export const DEFAULT_MAX_POINTS = 1_000_000;

/** Number of values of an axis, without expanding it. */
function axisLength(axis: z.output<typeof AxisSchema>): number {
  if (Array.isArray(axis)) return axis.length;
  return 'named' in axis ? Object.keys(axis.named).length : axis.num;
}

/** Refuse a sweep with more than `maxRuns` runs before expanding it (a num of 1e8 would hang). */
export function checkSweepSize(sweep: SweepConfig, maxRuns: number): number {
  const names = Object.keys(sweep.axes);
  const total = names.reduce((a, n) => a * axisLength(sweep.axes[n]), 1);
  if (total > maxRuns) {
    throw new Error(`sweep ${sweep.name}: ${total} runs (${names.map((n) => `${n}: ${axisLength(sweep.axes[n])}`).join(' × ')}) exceed the limit of ${maxRuns}; set CATAPULT_MAX_RUNS to allow more`);
  }
  return total;
}

/** All runs of a sweep, in canonical order; each config validated (errors name the run). */
export function expandSweep(sweep: SweepConfig, maxRuns = DEFAULT_MAX_RUNS): SweepPoint[] {
  checkSweepSize(sweep, maxRuns);
  const names = Object.keys(sweep.axes);
  const lists = names.map((n) => axisValues(sweep.axes[n]));
  const points: SweepPoint[] = [];
  const total = lists.reduce((a, l) => a * l.length, 1);
  for (let index = 0; index < total; index++) {
    const values: Record<string, AxisValue> = {};
    let rem = index;
    for (let k = names.length - 1; k >= 0; k--) {
      values[names[k]] = lists[k][rem % lists[k].length];
      rem = Math.floor(rem / lists[k].length);
    }
    const raw = JSON.parse(JSON.stringify(sweep.base)) as Record<string, unknown>;
    // an axis on c or eta replaces the other learning-rate field of the base
    if ('c' in values) delete raw.eta;
    if ('eta' in values) delete raw.c;
    for (const n of names) {
      const axis = sweep.axes[n];
      setPath(raw, n, !Array.isArray(axis) && 'named' in axis ? JSON.parse(JSON.stringify(axis.named[values[n] as string])) : values[n]);
    }
    let config: RunConfig;
    try {
      config = resolveConfig(raw);
    } catch (e) {
      throw new Error(`sweep run ${index} (${canonicalJson(values)}): ${(e as Error).message}`);
    }
    points.push({ index, values, config, hash: runConfigHash(config) });
  }
  return points;
}

/** The deterministic slice of shard i of N (0-based i): every N-th run starting at i. */
export function shardOf<T extends { index: number }>(points: T[], shard: { index: number; count: number } | null): T[] {
  if (!shard) return points;
  return points.filter((p) => p.index % shard.count === shard.index);
}

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 0 && index < count)) throw new Error(`--shard expects i/N with 0 ≤ i < N, got '${text}'`);
  return { index, count };
}
