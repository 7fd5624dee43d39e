/**
 * The validated description of one `catapult rl` run (fitted Q iteration / fitted policy evaluation,
 * src/rl/fittedQ.ts). Like the training config: every field that changes the numbers is in here, unknown
 * fields and bad values are errors naming the field, and a resolved config (defaults filled in) plus the
 * code version reproduces a run bit for bit. Browser-safe.
 */
import { z } from 'zod';
import { ConfigError, configIssueLines, InitConfigSchema, ModelConfigSchema, withDefaultKind } from '../experiments/config.ts';

const positiveInt = () => z.number().int().positive();
const cell = () => z.tuple([z.number().int().min(0), z.number().int().min(0)]);
const discount = () => z.number().min(0).lt(1).default(0.9);

export const EnvConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** deterministic gridworld (src/rl/gridworld.ts): goal reward 1, absorbing goal */
    kind: z.literal('gridworld'),
    width: positiveInt().default(10),
    height: positiveInt().default(10),
    walls: z.array(cell()).default([]),
    /** default: the bottom-right cell */
    goal: cell().optional(),
    gamma: discount(),
  }),
  z.strictObject({
    /** seeded random MDP (src/rl/randomMdp.ts); its seed is the run's seed */
    kind: z.literal('random-mdp'),
    states: positiveInt().default(20),
    actions: positiveInt().default(4),
    /** reachable next states per (s, a); default all */
    branching: positiveInt().optional(),
    gamma: discount(),
  }),
]);

export const FeaturesConfigSchema = z.discriminatedUnion('kind', [
  /** φ(s, a) = e_{s·A+a} (tabular) */
  z.strictObject({ kind: z.literal('one-hot') }),
  /** gridworld only: (x, y) in [0, 1]² and a one-hot action */
  z.strictObject({ kind: z.literal('grid-xy') }),
  /** random Fourier features √(2/D) cos(W z + b) of z = base features (seeded by the run's seed) */
  z.strictObject({
    kind: z.literal('fourier'),
    base: z.enum(['one-hot', 'grid-xy']).default('one-hot'),
    D: positiveInt().default(64),
    bandwidth: z.number().positive().default(1),
  }),
]);

export const RlDataConfigSchema = z.discriminatedUnion('kind', [
  /** every (s, a) pair once (s′ sampled where the MDP is stochastic) */
  z.strictObject({ kind: z.literal('all-pairs') }),
  /** transitions from episodes of the uniform random behaviour policy */
  z.strictObject({ kind: z.literal('sampled'), transitions: positiveInt().default(1000), horizon: positiveInt().default(100) }),
]);

const KINDS: Record<string, readonly string[]> = {
  env: EnvConfigSchema.options.map((o) => o.shape.kind.value),
  features: FeaturesConfigSchema.options.map((o) => o.shape.kind.value),
  data: RlDataConfigSchema.options.map((o) => o.shape.kind.value),
  model: ModelConfigSchema.options.map((o) => o.shape.kind.value),
  init: InitConfigSchema.options.map((o) => o.shape.kind.value),
};

export const RlConfigSchema = z
  .strictObject({
    /** seeds the init, random MDPs, random features, sampled transitions and the λ0 solve */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    env: z.preprocess(withDefaultKind('gridworld'), EnvConfigSchema).prefault({ kind: 'gridworld' }),
    features: z.preprocess(withDefaultKind('one-hot'), FeaturesConfigSchema).prefault({ kind: 'one-hot' }),
    data: z.preprocess(withDefaultKind('all-pairs'), RlDataConfigSchema).prefault({ kind: 'all-pairs' }),
    /** control: fitted Q iteration towards Q*; evaluation: fitted evaluation of the uniform random policy (Q^π) */
    task: z.enum(['control', 'evaluation']).default('control'),
    /** bootstrap: r + γ max (or E_π) Q_{k−1}(s′, ·); oracle: regression onto Q* (or Q^π) from exact DP */
    targets: z.enum(['bootstrap', 'oracle']).default('bootstrap'),
    model: z.preprocess(withDefaultKind('deep-linear'), ModelConfigSchema).prefault({ kind: 'deep-linear' }),
    init: z.preprocess(withDefaultKind('gaussian'), InitConfigSchema).prefault({ kind: 'gaussian' }),
    /** learning rate in units of 2/λ0 (λ0 of the NTK on the training rows at init): η = 2c/λ0 (give c or eta) */
    c: z.number().positive().optional(),
    eta: z.number().positive().optional(),
    /** K: fitted-Q iterations (target updates) */
    iterations: positiveInt().default(100),
    /** n: full-batch GD steps per iteration */
    stepsPerIteration: positiveInt().default(100),
    /** coefficient of the rank penalty (σ_max² − σ_min²)/m on the penultimate features (0: off) */
    rankPenalty: z.number().min(0).default(0),
    /** δ of srank_δ */
    srankDelta: z.number().min(0).lt(1).default(0.01),
    /** diverged when any |Q| on the training rows exceeds this */
    divergeBound: z.number().positive().default(1e8),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.c !== undefined && cfg.eta !== undefined) ctx.addIssue({ code: 'custom', path: ['eta'], message: 'give either c or eta, not both' });
    const gridOnly = cfg.features.kind === 'grid-xy' || (cfg.features.kind === 'fourier' && cfg.features.base === 'grid-xy');
    if (gridOnly && cfg.env.kind !== 'gridworld') {
      ctx.addIssue({ code: 'custom', path: cfg.features.kind === 'fourier' ? ['features', 'base'] : ['features', 'kind'], message: `'grid-xy' features need env.kind 'gridworld', got '${cfg.env.kind}'` });
    }
    if (cfg.init.kind === 'prescribed' || cfg.init.kind === 'file') {
      ctx.addIssue({ code: 'custom', path: ['init', 'kind'], message: `'${cfg.init.kind}' init is not available for rl runs; use 'gaussian' or 'constant'` });
    }
    if (cfg.env.kind === 'random-mdp' && cfg.env.branching !== undefined && cfg.env.branching > cfg.env.states) {
      ctx.addIssue({ code: 'custom', path: ['env', 'branching'], message: `must be ≤ env.states = ${cfg.env.states}` });
    }
    if (cfg.env.kind === 'gridworld') {
      const { width, height } = cfg.env;
      const outside = (c: readonly number[]) => c[0]! >= width || c[1]! >= height;
      cfg.env.walls.forEach((w, i) => {
        if (outside(w)) ctx.addIssue({ code: 'custom', path: ['env', 'walls', i], message: `(${w[0]}, ${w[1]}) is outside the ${width}×${height} grid` });
      });
      if (cfg.env.goal && outside(cfg.env.goal)) ctx.addIssue({ code: 'custom', path: ['env', 'goal'], message: `(${cfg.env.goal[0]}, ${cfg.env.goal[1]}) is outside the ${width}×${height} grid` });
    }
  });

export type RlConfig = z.output<typeof RlConfigSchema>;

/** Validate and fill defaults (c = 0.5 when neither c nor eta is given); a bad field gives one message per problem, naming it. */
export function resolveRlConfig(input: unknown): RlConfig {
  const r = RlConfigSchema.safeParse(input === undefined ? {} : input);
  if (!r.success) throw new ConfigError(`invalid rl config:\n  ${configIssueLines(r.error.issues, KINDS).join('\n  ')}`);
  const cfg = r.data;
  if (cfg.c === undefined && cfg.eta === undefined) cfg.c = 0.5;
  return cfg;
}
