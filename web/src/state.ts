/**
 * The explorer's whole experiment state: ONE flat object, serialized to and from the URL hash
 * (tensorflow/playground style), so a shared link restores exactly the same experiment.
 * Pure and browser/Node-agnostic: the e2e test imports it to rebuild the page's config in Node.
 */
import { resolveConfig, type DataConfig, type RunConfig } from '../../src/index.ts';
import { exp, log } from '../../src/linalg/detmath.ts';
import { LR_FUNCTIONS, LR_FUNCTION_NAMES, type LrFunctionName, type LrParam } from '../../src/train/lr/functions.ts';
import type { LrPolicy } from '../../src/train/lr/policy.ts';
import { parseLrPolicy } from '../../src/train/lr/schema.ts';

export type Mode = 'single' | 'sweep' | 'theory';
export type DataKind = 'degenerate' | 'gaussian' | 'two-gaussians' | 'mnist';
export type LossKind = 'logistic' | 'squared' | 'exponential';
export type GridScale = 'log' | 'lin';
export type ModelKind = 'deep-linear' | 'diagonal';

export interface ExplorerState {
  mode: Mode;
  // data
  data: DataKind;
  /** degenerate: fraction of +1 labels */
  p: number;
  /** samples and input dimension (degenerate / gaussian / two-gaussians) */
  m: number;
  d: number;
  /** gaussian teacher data: label noise (0 = separable) */
  noise: number;
  /** two-gaussians: separation of the class means */
  sep: number;
  // network and training
  /** the model family: the paper's deep linear net or the diagonal net β = u₊^D − u₋^D (neighbours §A) */
  model: ModelKind;
  /** deep-linear: number of weight layers L ≥ 2; diagonal: the power D ≥ 1 */
  depth: number;
  /** deep-linear only */
  width: number;
  /** diagonal only: init scale α (u₊ = u₋ = α·1, so β starts at 0) */
  alpha: number;
  /**
   * diagonal only: the learning rate η itself. At β = 0 the NTK λ0 of a diagonal net is far below the
   * loss Hessian's top eigenvalue S0 (λ0 ∝ α^(2D−2)), so η = 2c/λ0 diverges already at small c.
   */
  eta: number;
  loss: LossKind;
  /** learning rate in units of 2/λ0: η = 2c/λ0 */
  c: number;
  /** learning-rate policy (src/train/lr): LRBench's function and its parameters; k values multiply η */
  lr: LrFunctionName;
  k0: number;
  k1: number;
  gamma: number;
  /** the policy's power p (INV, POLY); `p` is taken by the data */
  pw: number;
  l: number;
  steps: number;
  seed: number;
  // measurement cadence
  /** record metrics every k steps */
  every: number;
  /** measure curvature (λ, S) every k steps */
  curv: number;
  /** record (and measure curvature) at every step before this one */
  dense: number;
  // sweep
  cmin: number;
  cmax: number;
  cn: number;
  cscale: GridScale;
  // theory
  tmin: number;
  tmax: number;
  tn: number;
  tsteps: number;
  /** bifurcation diagram: late-time f or λ */
  bvar: 'f' | 'lambda';
}

export const DEFAULT_STATE: Readonly<ExplorerState> = Object.freeze({
  mode: 'single',
  data: 'degenerate',
  p: 0.3,
  m: 100,
  d: 10,
  noise: 0.1,
  sep: 2,
  model: 'deep-linear',
  depth: 2,
  width: 1000,
  alpha: 0.1,
  eta: 0.5,
  loss: 'logistic',
  c: 6,
  lr: 'FIX',
  k0: 1,
  k1: 0.1,
  gamma: 0.5,
  pw: 1,
  l: 200,
  steps: 1000,
  seed: 0,
  every: 1,
  curv: 10,
  dense: 0,
  cmin: 0.5,
  cmax: 40,
  cn: 12,
  cscale: 'log',
  tmin: 0.1,
  tmax: 200,
  tn: 2000,
  tsteps: 1000,
  bvar: 'f',
} satisfies ExplorerState);

/**
 * The URL keys of the model choice; written only when one differs from its default, so the links of the deep
 * linear net stay as they were before the diagonal model existed.
 */
export const MODEL_KEYS = ['model', 'alpha', 'eta'] as const satisfies readonly (keyof ExplorerState)[];

/**
 * A change of model from the UI, completed: switching the default (degenerate) data to the diagonal net
 * loads neighbours §A's setting (separable Gaussian teacher data, m = 50, d = 20, exponential loss);
 * switching back to the deep linear net lifts a diagonal depth 1 to its minimum L = 2.
 */
export function modelSwitchPatch(s: ExplorerState, patch: Partial<ExplorerState>): Partial<ExplorerState> {
  if (patch.model === undefined || patch.model === s.model) return patch;
  if (patch.model === 'diagonal' && s.data === 'degenerate') return { data: 'gaussian', noise: 0, m: 50, d: 20, loss: 'exponential', ...patch };
  const minDepth = (FIELDS.depth as { min: number }).min;
  if (patch.model === 'deep-linear' && s.depth < minDepth) return { depth: minDepth, ...patch };
  return patch;
}

/** The policy functions the explorer offers: all of LRBench's but NSTEP (its l is a list of milestones). */
export const EXPLORER_LR_FUNCTIONS: readonly LrFunctionName[] = LR_FUNCTION_NAMES.filter((f) => f !== 'NSTEP');

/** The URL keys of the policy; written only when one differs from its default (so the default link is unchanged). */
export const POLICY_KEYS = ['lr', 'k0', 'k1', 'gamma', 'pw', 'l'] as const satisfies readonly (keyof ExplorerState)[];
const PARAM_KEY: Record<Exclude<LrParam, 'period'>, keyof ExplorerState> = { k0: 'k0', k1: 'k1', gamma: 'gamma', p: 'pw', l: 'l' };

/** The state keys the selected policy function reads (lr itself first). */
export function policyKeys(fn: LrFunctionName): (keyof ExplorerState)[] {
  return ['lr', ...(LR_FUNCTIONS[fn].params as LrParam[]).filter((p) => p !== 'period').map((p) => PARAM_KEY[p as Exclude<LrParam, 'period'>])];
}

/** The run config's `schedule` of a state; undefined for the default (constant η: today's runs, unchanged). */
export function stateSchedule(s: ExplorerState): LrPolicy | undefined {
  if (POLICY_KEYS.every((k) => s[k] === DEFAULT_STATE[k])) return undefined;
  const out: Record<string, unknown> = { fn: s.lr };
  for (const p of LR_FUNCTIONS[s.lr].params as LrParam[]) if (p !== 'period') out[p] = s[PARAM_KEY[p]];
  return out as LrPolicy;
}

/** The policy's problems, checked by the CLI's zod schema ("schedule.gamma: …"); empty when fine. */
export function policyProblems(s: ExplorerState): string[] {
  const sched = stateSchedule(s);
  if (!sched) return [];
  return parseLrPolicy(sched).issues.map((i) => `schedule.${i.path.join('.')}: ${i.message}`);
}

type Field =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'num'; min: number; max: number; open?: boolean };

/** What each URL key may hold. Values outside are rejected (the default is kept). */
export const FIELDS: Record<keyof ExplorerState, Field> = {
  mode: { kind: 'enum', values: ['single', 'sweep', 'theory'] },
  data: { kind: 'enum', values: ['degenerate', 'gaussian', 'two-gaussians', 'mnist'] },
  p: { kind: 'num', min: 0, max: 1 },
  m: { kind: 'int', min: 1, max: 20000 },
  d: { kind: 'int', min: 1, max: 2000 },
  noise: { kind: 'num', min: 0, max: 1 },
  sep: { kind: 'num', min: 0, max: 100 },
  model: { kind: 'enum', values: ['deep-linear', 'diagonal'] },
  // the deep linear net's range; the diagonal net's (D ≥ 1) comes from fieldOf
  depth: { kind: 'int', min: 2, max: 8 },
  width: { kind: 'int', min: 1, max: 4000 },
  alpha: { kind: 'num', min: 0, max: 100, open: true },
  eta: { kind: 'num', min: 0, max: 1e6, open: true },
  loss: { kind: 'enum', values: ['logistic', 'squared', 'exponential'] },
  c: { kind: 'num', min: 0, max: 1e6, open: true },
  lr: { kind: 'enum', values: EXPLORER_LR_FUNCTIONS },
  k0: { kind: 'num', min: 0, max: 1e6 },
  k1: { kind: 'num', min: 0, max: 1e6 },
  gamma: { kind: 'num', min: -1e6, max: 1e6 },
  pw: { kind: 'num', min: 0, max: 1e6 },
  l: { kind: 'num', min: 0, max: 1e6, open: true },
  steps: { kind: 'int', min: 0, max: 200000 },
  seed: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER },
  every: { kind: 'int', min: 1, max: 100000 },
  curv: { kind: 'int', min: 1, max: 100000 },
  dense: { kind: 'int', min: 0, max: 100000 },
  cmin: { kind: 'num', min: 0, max: 1e6, open: true },
  cmax: { kind: 'num', min: 0, max: 1e6, open: true },
  cn: { kind: 'int', min: 1, max: 200 },
  cscale: { kind: 'enum', values: ['log', 'lin'] },
  tmin: { kind: 'num', min: 0, max: 1e6, open: true },
  tmax: { kind: 'num', min: 0, max: 1e6, open: true },
  tn: { kind: 'int', min: 2, max: 20000 },
  tsteps: { kind: 'int', min: 1, max: 100000 },
  bvar: { kind: 'enum', values: ['f', 'lambda'] },
};

export const STATE_KEYS = Object.keys(DEFAULT_STATE) as (keyof ExplorerState)[];

/** The diagonal net's depth D: β = u₊^D − u₋^D is defined for every D ≥ 1 (the CLI has no upper bound; 8 keeps the page's range). */
const DIAGONAL_DEPTH: Field = { kind: 'int', min: 1, max: 8 };

/** What `key` may hold in a state of this model (the depth's range depends on the model). */
export function fieldOf(key: keyof ExplorerState, model: ModelKind = 'deep-linear'): Field {
  return key === 'depth' && model === 'diagonal' ? DIAGONAL_DEPTH : FIELDS[key];
}

/** What a value of `key` must be, in words (for messages): "a whole number from 1 to 4000". */
export function fieldRule(key: keyof ExplorerState, model: ModelKind = 'deep-linear'): string {
  const f = fieldOf(key, model);
  if (f.kind === 'enum') return `one of ${f.values.join(', ')}`;
  const n = (v: number) => (Math.abs(v) >= 1e6 && v !== Number.MAX_SAFE_INTEGER ? v.toExponential().replace('e+', 'e') : String(v));
  if (f.kind === 'int') return f.max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${n(f.min)}` : `a whole number from ${n(f.min)} to ${n(f.max)}`;
  return f.open ? `a number above ${n(f.min)} and at most ${n(f.max)}` : `a number from ${n(f.min)} to ${n(f.max)}`;
}

/** Why `text` is not a value of `key` ("1.5 is not a whole number from 1 to 4000"); null when it is one. */
export function fieldProblem(key: keyof ExplorerState, text: string, model: ModelKind = 'deep-linear'): string | null {
  if (parseField(key, text, model) !== undefined) return null;
  const shown = text.trim() === '' ? 'empty' : `${JSON.stringify(text.length > 24 ? text.slice(0, 22) + '…' : text)} is not`;
  return `${shown === 'empty' ? 'empty: needs' : shown} ${fieldRule(key, model)}${model === 'diagonal' && key === 'depth' ? ' (diagonal net)' : ''}`;
}

/** Parse one value for `key` in a state of this model; undefined when it is not acceptable. */
export function parseField<K extends keyof ExplorerState>(key: K, text: string, model: ModelKind = 'deep-linear'): ExplorerState[K] | undefined {
  const f = fieldOf(key, model);
  if (f.kind === 'enum') return (f.values.includes(text) ? text : undefined) as ExplorerState[K] | undefined;
  if (text.trim() === '') return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) return undefined;
  if (f.kind === 'int' && !Number.isInteger(v)) return undefined;
  if (v < f.min || v > f.max) return undefined;
  if (f.kind === 'num' && f.open && v === f.min) return undefined;
  return v as ExplorerState[K];
}

/** `#mode=single&data=degenerate&p=0.3&…`: every key, numbers in shortest round-trip form. */
export function stateToHash(s: ExplorerState): string {
  const params = new URLSearchParams();
  const policyDefault = POLICY_KEYS.every((k) => s[k] === DEFAULT_STATE[k]);
  const modelDefault = MODEL_KEYS.every((k) => s[k] === DEFAULT_STATE[k]);
  for (const k of STATE_KEYS) {
    if (policyDefault && (POLICY_KEYS as readonly string[]).includes(k)) continue;
    if (modelDefault && (MODEL_KEYS as readonly string[]).includes(k)) continue;
    params.set(k, String(s[k]));
  }
  return '#' + params.toString();
}

/**
 * The state in a URL hash (or query string); missing or invalid keys keep their defaults.
 * `rejected` lists the keys that were ignored, `ignored` says why, one line per key.
 */
export function stateFromHash(hash: string): { state: ExplorerState; rejected: string[]; ignored: string[] } {
  const state: ExplorerState = { ...DEFAULT_STATE };
  const rejected: string[] = [];
  const ignored: string[] = [];
  const params = new URLSearchParams(hash.replace(/^[#?]/, ''));
  // the model first: it sets the range of the depth (D ≥ 1 for the diagonal net, L ≥ 2 for the deep linear one)
  const entries = [...params].sort(([a], [b]) => Number(b === 'model') - Number(a === 'model'));
  for (const [k, v] of entries) {
    if (!Object.hasOwn(FIELDS, k)) {
      rejected.push(k);
      ignored.push(`${JSON.stringify(k.length > 24 ? k.slice(0, 22) + '…' : k)}: not a setting`);
      continue;
    }
    const key = k as keyof ExplorerState;
    const parsed = parseField(key, v, state.model);
    if (parsed === undefined) {
      rejected.push(k);
      ignored.push(`${k}: ${fieldProblem(key, v, state.model)}`);
    } else (state as unknown as Record<string, unknown>)[key] = parsed;
  }
  return { state, rejected, ignored };
}

/** The MNIST subset prepared at build time (scripts/prepare-web-data.ts). */
export const MNIST_SUBSET = Object.freeze({
  kind: 'mnist' as const,
  task: '3v8',
  positive: 3,
  negative: 8,
  trainSize: 500,
  testSize: 200,
  subsetSeed: 0,
  standardization: 'global' as const,
});
export type MnistDataConfig = typeof MNIST_SUBSET;

/**
 * A resolved run config as the explorer runs it: the CLI's RunConfig, except that `data` may be
 * the built-in MNIST subset (which the CLI cannot load from a config file).
 */
export type WebRunConfig = Omit<RunConfig, 'data'> & { data: DataConfig | MnistDataConfig };

/** The raw (unresolved) run config of a state; with a `c` override for sweeps. */
export function stateToRunInput(s: ExplorerState, c: number = s.c): Record<string, unknown> {
  let data: Record<string, unknown>;
  switch (s.data) {
    case 'degenerate':
      data = { kind: 'degenerate', m: s.m, d: s.d, p: s.p };
      break;
    case 'gaussian':
      data = { kind: 'gaussian', m: s.m, d: s.d, labelNoise: s.noise };
      break;
    case 'two-gaussians':
      data = { kind: 'two-gaussians', m: s.m, d: s.d, separation: s.sep };
      break;
    case 'mnist':
      data = { ...MNIST_SUBSET };
      break;
  }
  // the deep linear net's block is written as before the model kinds existed (kind defaults to deep-linear)
  const model = s.model === 'diagonal' ? { model: { kind: 'diagonal', depth: s.depth }, init: { kind: 'constant', value: s.alpha } } : { model: { depth: s.depth, width: s.width } };
  return {
    seed: s.seed,
    data,
    ...model,
    loss: s.loss,
    ...(s.model === 'diagonal' ? { eta: s.eta } : { c }),
    ...(stateSchedule(s) ? { schedule: stateSchedule(s) } : {}),
    steps: s.steps,
    record: { every: s.every, denseUntil: s.dense },
    // The charts show λ and η·S; the Gauss–Newton sharpness is not drawn, so it is not measured.
    curvature: { lambda: true, sharpness: true, gaussNewton: false, every: s.curv },
  };
}

/** Validate and fill defaults with the core's schema (MNIST data checked here). */
export function resolveWebConfig(input: Record<string, unknown>): WebRunConfig {
  const data = input.data as { kind?: unknown } | undefined;
  if (data && data.kind === 'mnist') {
    const { kind: _k, ...rest } = data as Record<string, unknown>;
    for (const [k, v] of Object.entries(rest)) {
      if ((MNIST_SUBSET as Record<string, unknown>)[k] !== v) throw new Error(`data.${k}: the explorer's MNIST subset has ${k} = ${String((MNIST_SUBSET as Record<string, unknown>)[k])}`);
    }
    const cfg = resolveConfig({ ...input, data: { kind: 'degenerate' } }) as unknown as WebRunConfig;
    cfg.data = { ...MNIST_SUBSET };
    return cfg;
  }
  return resolveConfig(input) as WebRunConfig;
}

export function resolveState(s: ExplorerState, c: number = s.c): WebRunConfig {
  return resolveWebConfig(stateToRunInput(s, c));
}

/** c values of a grid from lo to hi (inclusive), evenly spaced in log or linear scale (detmath's exp/log: the same c in Node and every browser). */
export function cGrid(lo: number, hi: number, n: number, scale: GridScale): number[] {
  if (n === 1) return [lo];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    out.push(scale === 'log' ? exp(log(lo) + t * (log(hi) - log(lo))) : lo + t * (hi - lo));
  }
  return out;
}

/** Problems with a state, for the UI (empty: fine). */
export function stateProblems(s: ExplorerState): string[] {
  const out: string[] = [];
  if (s.cmin >= s.cmax) out.push('sweep: c min must be below c max');
  if (s.tmin >= s.tmax) out.push('theory: c min must be below c max');
  if (s.model === 'diagonal' && s.mode === 'sweep') out.push('sweep: the c grid (η = 2c/λ0) is for the deep linear net; the diagonal model runs in the live mode');
  const policy = policyProblems(s);
  if (policy.length) return [...out, ...policy];
  try {
    resolveState(s);
  } catch (e) {
    out.push((e as Error).message);
  }
  return out;
}
