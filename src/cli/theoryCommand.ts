import { join } from 'node:path';
import type { Command } from 'commander';
import { atomicWrite, atomicWriteJson } from '../io/atomic.ts';
import { codeVersion } from '../io/version.ts';
import { axisValues, DEFAULT_MAX_POINTS } from '../experiments/sweep.ts';
import { envLimit } from '../io/envLimits.ts';
import { resultsToCsv, type ResultRow } from '../experiments/results.ts';
import { bifurcation, predictedBoundaries, runTheory, sweepTheory, type DegenerateSetting } from '../theory/degenerate.ts';
import { emptyRow, metricsToCsv } from '../train/metrics.ts';

/** Parse "0.5,1,2" or "log:0.25:64:200" or "linear:0.5:3:26" into c values (at most `maxPoints`). */
export function parseCList(text: string, maxPoints = envLimit('CATAPULT_MAX_POINTS', DEFAULT_MAX_POINTS)): number[] {
  const m = /^(log|linear):([^:]+):([^:]+):(\d+)$/.exec(text);
  const count = m ? Number(m[4]) : text.split(',').length;
  if (count > maxPoints) throw new Error(`--c: ${count} values of c exceed the limit of ${maxPoints}; set CATAPULT_MAX_POINTS to allow more`);
  const values = m
    ? axisValues(m[1] === 'log' ? { log: [Number(m[2]), Number(m[3])], num: Number(m[4]) } : { linear: [Number(m[2]), Number(m[3])], num: Number(m[4]) })
    : text.split(',').map(Number);
  for (const v of values) if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new Error(`--c: expected positive numbers, a list "0.5,1,2" or a range "log:0.25:64:200", got '${text}'`);
  return values as number[];
}

/** Parse "transient:keep" (integers, keep ≥ 1). */
function parseBifurcation(text: string): { transient: number; keep: number } {
  const m = /^(\d+):(\d+)$/.exec(text);
  const transient = m ? Number(m[1]) : NaN, keep = m ? Number(m[2]) : NaN;
  if (!(transient >= 0 && keep >= 1)) throw new Error(`--bifurcation expects transient:keep (integers, keep ≥ 1), got '${text}'`);
  return { transient, keep };
}

export function registerTheory(program: Command): void {
  program
    .command('theory')
    .description('exact two-float recursion of the uv net on degenerate data (theory §6): phases, boundaries, bifurcation')
    .option('--loss <loss>', 'squared | logistic', 'logistic')
    .option('--p <p>', 'logistic: fraction of +1 labels', '0.3')
    .option('--y <y>', 'squared: target', '1')
    .option('--width <n>', 'width n', '1000')
    .option('--f0 <f0>', 'initial output', '0')
    .option('--lambda0 <l>', 'initial NTK curvature λ0', '2')
    .option('--c <list>', 'c values: "0.5,1,2" or "log:0.25:200:400" or "linear:a:b:num"', 'log:0.25:200:400')
    .option('--steps <T>', 'GD steps', '3000')
    .option('--bifurcation <transient:keep>', 'also write late-time f and λ after `transient` steps, `keep` values per c')
    .option('-o, --out <dir>', 'write results.csv (same columns as a network sweep) and, for one c, metrics.csv')
    .action((opts: Record<string, string | undefined>) => {
      const num = (k: string) => {
        const v = Number(opts[k]);
        if (!Number.isFinite(v)) throw new Error(`--${k}: expected a number, got '${opts[k]}'`);
        return v;
      };
      const loss = opts.loss;
      if (loss !== 'squared' && loss !== 'logistic') throw new Error(`--loss: expected squared or logistic, got '${loss}'`);
      const setting: DegenerateSetting = { loss, p: num('p'), y: num('y'), n: num('width') };
      const f0 = num('f0'), lambda0 = num('lambda0'), steps = num('steps');
      if (opts.bifurcation && !opts.out) throw new Error('--bifurcation writes bifurcation.csv and needs --out <dir>');
      const bif = opts.bifurcation ? parseBifurcation(opts.bifurcation) : null;
      const cs = parseCList(opts.c!);
      const t0 = performance.now();
      const summaries = sweepTheory(setting, f0, lambda0, cs, steps);
      const ms = performance.now() - t0;
      const b = predictedBoundaries(setting);
      console.log(`theory: ${loss}${loss === 'logistic' ? `, p = ${setting.p}` : ''}, n = ${setting.n}, f0 = ${f0}, λ0 = ${lambda0}; ${cs.length} values of c × ≤ ${steps} steps in ${ms.toFixed(0)} ms`);
      console.log(`predicted: lazy below c = ${b.cLazy ?? '—'}, divergent above c = ${b.cMax ?? 'width-dependent'} (${b.note})`);
      let prev = '';
      summaries.forEach((s, i) => {
        if (s.phase !== prev) console.log(`  from c = ${cs[i].toPrecision(4)}: ${s.phase}`);
        prev = s.phase;
      });
      if (cs.length <= 12) for (const s of summaries) console.log(`  c = ${s.c.toPrecision(4)}  ${s.phase.padEnd(9)}  loss ${s.lossInitial.toPrecision(4)} → max ${s.lossMax.toPrecision(4)} → ${s.lossFinal.toPrecision(4)}  λ ${s.lambda0.toPrecision(4)} → ${s.lambdaFinal.toPrecision(4)}  ηS_T ${(s.eta * s.sharpnessFinal).toPrecision(4)}`);
      if (!opts.out) return;
      const rows: ResultRow[] = summaries.map((s, i) => ({ index: i, hash: 'theory', values: { c: cs[i] }, summary: { ...s, etaSharpnessFinal: s.eta * s.sharpnessFinal, status: s.status as never } }));
      atomicWrite(join(opts.out, 'results.csv'), resultsToCsv(rows, ['c']));
      atomicWriteJson(join(opts.out, 'theory.json'), { setting, f0, lambda0, steps, predicted: b, code: codeVersion() });
      if (cs.length === 1) {
        const run = runTheory({ setting, f0, lambda0, c: cs[0], steps });
        const t = run.trajectory;
        const metricRows = Array.from(t.step, (step, i) => ({ ...emptyRow(step), loss: t.loss[i], lambda: t.lambda[i], sharpness: t.sharpness[i], etaLambda: t.etaLambda[i], etaSharpness: t.etaSharpness[i], fMean: t.f[i] }));
        atomicWrite(join(opts.out, 'metrics.csv'), metricsToCsv(metricRows));
      }
      if (bif) {
        const branches = bifurcation(setting, f0, lambda0, cs, bif);
        const lines = ['c,f,lambda'];
        for (const br of branches) for (let i = 0; i < br.f.length; i++) lines.push(`${br.c},${br.f[i]},${br.lambda[i]}`);
        atomicWrite(join(opts.out, 'bifurcation.csv'), lines.join('\n') + '\n');
      }
      console.log(`written: ${opts.out}`);
    });
}
