import { join } from 'node:path';
import type { Command } from 'commander';
import { atomicWrite } from '../io/atomic.ts';
import { configHash } from '../experiments/config.ts';
import { compilePolicy, isAbsolute, policyLabel, type LrPolicy } from '../train/lr/policy.ts';
import { parseLrPolicy } from '../train/lr/schema.ts';
import { etaScheduleSpec } from '../report/lrFigures.ts';
import { writeFigure } from '../report/render.ts';

/** Parse and validate a policy given as JSON text; errors name the field ("schedule.gamma: …"). */
export function parsePolicyJson(text: string): LrPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`schedule: not valid JSON (${(e as Error).message}): ${text}`);
  }
  const r = parseLrPolicy(raw);
  if (!r.value) throw new Error(`invalid schedule:\n  ${r.issues.map((i) => `${['schedule', ...i.path].join('.')}: ${i.message}`).join('\n  ')}`);
  return r.value;
}

/** η(t) = η·k(t) for t = 0..steps (η_t = k(t) for an absolute policy), by the function training uses. */
export function scheduleTable(policy: LrPolicy, steps: number, eta: number): { step: number; factor: number; eta: number }[] {
  const k = compilePolicy(policy);
  const base = isAbsolute(policy) ? 1 : eta;
  return Array.from({ length: steps + 1 }, (_, t) => ({ step: t, factor: k(t), eta: base * k(t) }));
}

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description("η(t) of a learning-rate policy as CSV and a figure, e.g. '{\"fn\":\"TRIEXP\",\"k0\":0.1,\"k1\":1,\"gamma\":0.995,\"l\":50}'")
    .argument('<spec>', 'the policy as JSON: {"kind": …}, {"fn": …} or {"piecewise": [...]} (README: learning-rate policies)')
    .option('--steps <T>', 'steps t = 0..T', '1000')
    .option('--eta <eta>', 'base η the k values multiply (ignored for absolute policies)', '1')
    .option('-o, --out <dir>', 'output directory (default schedules/<hash of the policy>)')
    .action(async (spec: string, opts: { steps: string; eta: string; out?: string }) => {
      const steps = Number(opts.steps), eta = Number(opts.eta);
      if (!Number.isInteger(steps) || steps < 0) throw new Error(`--steps: expected a non-negative integer, got '${opts.steps}'`);
      if (!(eta > 0) || !Number.isFinite(eta)) throw new Error(`--eta: expected a positive number, got '${opts.eta}'`);
      const policy = parsePolicyJson(spec);
      const rows = scheduleTable(policy, steps, eta);
      const bad = rows.find((r) => !Number.isFinite(r.eta) || r.eta < 0);
      if (bad) throw new Error(`schedule: η(${bad.step}) = ${bad.eta} is not a non-negative finite rate`);
      const out = opts.out ?? join('schedules', configHash(policy));
      atomicWrite(join(out, 'eta.csv'), ['step,factor,eta', ...rows.map((r) => `${r.step},${r.factor},${r.eta}`)].join('\n') + '\n');
      const label = policyLabel(policy);
      await writeFigure(out, 'eta', etaScheduleSpec([{ label, rows }], { title: `η(t): ${label}`, subtitle: isAbsolute(policy) ? 'absolute rates' : `η(t) = η·k(t), η = ${eta}` }));
      const etas = rows.map((r) => r.eta);
      console.log(`${label}: η from ${Math.min(...etas).toPrecision(4)} to ${Math.max(...etas).toPrecision(4)} over t = 0..${steps}`);
      console.log(`written: ${join(out, 'eta.csv')}, ${join(out, 'eta.{svg,png}')}`);
    });
}
