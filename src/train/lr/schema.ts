/**
 * Validation of a learning-rate policy (the run config's `schedule`). A bad policy gives one
 * message per problem naming the parameter: "schedule.gamma: …", "schedule.piecewise.1.until: …".
 * Browser-safe (zod only).
 */
import { z } from 'zod';
import { LR_FUNCTIONS, LR_FUNCTION_NAMES, type LrFunctionName, type LrParam } from './functions.ts';
import { compilePolicy, type LegacySchedule, type LrPolicy } from './policy.ts';

const positiveInt = () => z.number().int().positive();
const rate = () => z.number().min(0).finite();

/** The original named schedules, exactly as before (their resolved configs and hashes are unchanged). */
export const LegacyScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  z.strictObject({ kind: z.literal('step'), at: z.number().int().min(0), factor: z.number().positive() }),
  z.strictObject({ kind: z.literal('multistep'), milestones: z.array(z.number().int().min(0)), factor: z.number().positive() }),
  z.strictObject({ kind: z.literal('exponential'), gamma: z.number().positive() }),
  z.strictObject({ kind: z.literal('inverse'), gamma: z.number().min(0), power: z.number().min(0) }),
  z.strictObject({ kind: z.literal('polynomial'), steps: positiveInt(), power: z.number().min(0), min: z.number().min(0).default(0) }),
  z.strictObject({ kind: z.literal('cosine'), steps: positiveInt(), min: z.number().min(0).default(0) }),
  z.strictObject({ kind: z.literal('triangular'), halfPeriod: positiveInt(), min: z.number().min(0) }),
]);
const LEGACY_KINDS = LegacyScheduleSchema.options.map((o) => o.shape.kind.value);

/** Parameter schemas; γ's range depends on the function (a decay needs γ > 0, INV only 1 + γt > 0). */
function paramSchema(fn: LrFunctionName, p: LrParam): z.ZodType {
  switch (p) {
    case 'k0':
      return fn === 'WARMUP_EXP' ? z.number().positive().finite() : rate();
    case 'k1':
      return fn === 'WARMUP_EXP' ? z.number().positive().finite() : rate();
    case 'gamma':
      return fn === 'INV' ? z.number().min(0).finite() : fn === 'SIG' ? z.number().finite() : z.number().positive().finite();
    case 'p':
      return z.number().min(0).finite();
    case 'l':
      return fn === 'NSTEP' ? z.array(z.number().int().min(0)).min(1) : z.number().positive().finite();
    case 'period':
      return z.enum(['half', 'full']).default('half');
  }
}

const FUNCTION_SCHEMAS = Object.fromEntries(
  LR_FUNCTION_NAMES.map((fn) => {
    const shape: Record<string, z.ZodType> = { fn: z.literal(fn), floor: rate().optional() };
    for (const p of LR_FUNCTIONS[fn].params as LrParam[]) shape[p] = paramSchema(fn, p);
    return [fn, z.strictObject(shape)];
  }),
) as Record<LrFunctionName, z.ZodObject>;

type Issue = { path: (string | number)[]; message: string };

function zodIssues(err: z.ZodError, prefix: (string | number)[]): Issue[] {
  return err.issues.map((iss) => {
    const path = [...prefix, ...(iss.path as (string | number)[])];
    if (iss.code === 'unrecognized_keys') return { path, message: `unknown parameter(s) ${iss.keys.join(', ')}` };
    return { path, message: iss.message };
  });
}

function parseFunction(v: Record<string, unknown>, prefix: (string | number)[], extra: Record<string, z.ZodType>): { value?: Record<string, unknown>; issues: Issue[] } {
  const fn = v.fn as LrFunctionName;
  if (typeof fn !== 'string' || !(fn in LR_FUNCTIONS)) {
    return { issues: [{ path: [...prefix, 'fn'], message: `unknown function ${JSON.stringify(v.fn)}; expected one of ${LR_FUNCTION_NAMES.join(', ')}` }] };
  }
  const r = FUNCTION_SCHEMAS[fn].extend(extra).safeParse(v);
  if (!r.success) {
    const takes = `${fn} takes ${[...LR_FUNCTIONS[fn].params, ...Object.keys(extra).filter((k) => k === 'until')].join(', ')}`;
    const issues = r.error.issues.map((iss) => (iss.code === 'invalid_type' && v[String(iss.path[0])] === undefined ? { ...iss, message: `missing (${takes})` } : iss));
    return { issues: zodIssues(new z.ZodError(issues), prefix) };
  }
  return { value: r.data, issues: [] };
}

/** Validate a policy; returns it with defaults filled in, or the list of problems. */
export function parseLrPolicy(input: unknown): { value?: LrPolicy; issues: Issue[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { issues: [{ path: [], message: 'expected an object: {kind: …}, {fn: …} or {piecewise: [...]}' }] };
  }
  const v = input as Record<string, unknown>;
  const absolute = { absolute: z.boolean().optional() };
  let out: { value?: Record<string, unknown>; issues: Issue[] };
  if ('kind' in v) {
    if (!LEGACY_KINDS.includes(v.kind as never)) return { issues: [{ path: ['kind'], message: `unknown kind ${JSON.stringify(v.kind)}; expected one of ${LEGACY_KINDS.join(', ')} (or give fn: one of LRBench's functions)` }] };
    const r = LegacyScheduleSchema.safeParse(v);
    out = r.success ? { value: r.data as LegacySchedule, issues: [] } : { issues: zodIssues(r.error, []) };
  } else if ('piecewise' in v) {
    const issues: Issue[] = [];
    for (const k of Object.keys(v)) if (k !== 'piecewise' && k !== 'absolute') issues.push({ path: [k], message: 'unknown field (a piecewise policy has piecewise and absolute)' });
    if (v.absolute !== undefined && typeof v.absolute !== 'boolean') issues.push({ path: ['absolute'], message: 'expected true or false' });
    const segs = v.piecewise;
    if (!Array.isArray(segs) || segs.length === 0) return { issues: [{ path: ['piecewise'], message: 'expected a non-empty list of segments' }] };
    const parsed: Record<string, unknown>[] = [];
    let prev = 0;
    segs.forEach((s, i) => {
      const path = ['piecewise', i];
      if (s === null || typeof s !== 'object') return void issues.push({ path, message: 'expected a segment {until, fn, …}' });
      const last = i === segs.length - 1;
      const r = parseFunction(s as Record<string, unknown>, path, last ? {} : { until: positiveInt() });
      issues.push(...r.issues);
      if (!r.value) return;
      if (!last) {
        const until = r.value.until as number;
        if (!(until > prev)) issues.push({ path: [...path, 'until'], message: `boundaries must increase: ${until} after ${prev}` });
        prev = until;
      }
      parsed.push(r.value);
    });
    out = { value: { piecewise: parsed, ...(v.absolute !== undefined ? { absolute: v.absolute } : {}) }, issues };
  } else if ('fn' in v) {
    out = parseFunction(v, [], absolute);
  } else {
    return { issues: [{ path: [], message: 'a schedule needs kind (a named schedule), fn (one of LRBench\'s functions) or piecewise' }] };
  }
  if (out.issues.length > 0 || !out.value) return { issues: out.issues };
  const policy = out.value as LrPolicy;
  if (policy.absolute && !(compilePolicy(policy)(0) > 0)) return { issues: [{ path: ['absolute'], message: 'absolute rates need k(0) > 0 (the run\'s base η is k(0))' }] };
  return { value: policy, issues: [] };
}

/** The config field: a policy, default {kind: 'constant'}. */
export const LrPolicySchema = z
  .unknown()
  .optional()
  .transform((input, ctx): LrPolicy => {
    const r = parseLrPolicy(input === undefined ? { kind: 'constant' } : input);
    for (const iss of r.issues) ctx.addIssue({ code: 'custom', path: iss.path, message: iss.message });
    return r.value ?? { kind: 'constant' };
  });
