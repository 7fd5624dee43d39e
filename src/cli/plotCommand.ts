import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseOnsetsCsv, phaseOnsets } from '../experiments/onsets.ts';
import { parseResultsCsv, type ResultRow } from '../experiments/results.ts';
import { predictedBoundaries, sweepTheory } from '../theory/degenerate.ts';
import { boundariesFromPrediction, curvatureVsCSpec, metricVsCSpec, phaseDiagramSpec, trajectorySpec, type Boundary, type RunSeries, type SweepRowLike } from '../report/specs.ts';
import { writeFigure } from '../report/render.ts';
import { etaStabilitySpec } from '../report/lrFigures.ts';
import { edgeCrossings } from '../train/lr/stability.ts';
import { scheduleTable } from './scheduleCommand.ts';
import type { Phase } from '../theory/phase.ts';

/** metrics.csv → rows of numbers (empty cells → NaN). */
export function readMetricsCsv(path: string): Record<string, number>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v === '' ? NaN : Number(v)])));
}

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>;

/** Predicted boundaries when the run config is the uv net on degenerate data (theory §5–§6). */
export function boundariesFor(cfg: Record<string, any> | null): Boundary[] {
  if (!cfg || cfg.data?.kind !== 'degenerate' || cfg.model?.depth !== 2 || (cfg.loss !== 'squared' && cfg.loss !== 'logistic')) return [];
  return boundariesFromPrediction(predictedBoundaries({ loss: cfg.loss, p: cfg.data.p, n: cfg.model.width }));
}

function sweepRows(rows: ResultRow[], axes: string[]): (SweepRowLike & Record<string, unknown>)[] {
  return rows.map((r) => ({ ...(r.summary as Record<string, unknown>), ...Object.fromEntries(axes.map((a) => [a.replace(/^model\./, ''), r.values[a]])) }) as SweepRowLike & Record<string, unknown>);
}

export async function plotDir(dir: string): Promise<string[]> {
  const out = join(dir, 'figures');
  const written: string[] = [];
  const emit = async (name: string, spec: object) => {
    await writeFigure(out, name, spec as Record<string, unknown>);
    written.push(join(out, `${name}.{svg,png}`));
  };
  if (existsSync(join(dir, 'metrics.csv')) && !existsSync(join(dir, 'results.csv'))) {
    const summary = existsSync(join(dir, 'summary.json')) ? readJson(join(dir, 'summary.json')) : null;
    const c = summary?.c ?? NaN;
    const metrics = readMetricsCsv(join(dir, 'metrics.csv'));
    await emit('trajectory', trajectorySpec([{ label: `c = ${Number(c).toPrecision(3)}`, c, rows: metrics as never, phase: summary?.phase }], { title: `Run ${dir}` }));
    // η(t) against 2/λ_t and 2/S_t, with the steps where η·S crosses 2
    const stab = metrics.map((r) => ({ step: r.step, eta: r.eta, lambda: r.lambda, sharpness: r.sharpness }));
    const cfg = existsSync(join(dir, 'config.json')) ? readJson(join(dir, 'config.json')) : null;
    const eta = summary && cfg ? scheduleTable(cfg.schedule ?? { kind: 'constant' }, summary.steps, summary.eta) : undefined;
    await emit('eta-stability', etaStabilitySpec(stab, edgeCrossings(stab), { title: `η(t) against 2/λ_t and 2/S_t: ${dir}`, ...(eta ? { eta } : {}) }));
    return written;
  }
  if (!existsSync(join(dir, 'results.csv'))) throw new Error(`plot: ${dir} holds neither a run (metrics.csv) nor a sweep (results.csv)`);
  const { axes, rows } = parseResultsCsv(readFileSync(join(dir, 'results.csv'), 'utf8'));
  const sweep = existsSync(join(dir, 'sweep.json')) ? readJson(join(dir, 'sweep.json')) : null;
  const firstCfgPath = rows.length && existsSync(join(dir, 'runs', rows[0].hash, 'config.json')) ? join(dir, 'runs', rows[0].hash, 'config.json') : null;
  const cfg = firstCfgPath ? readJson(firstCfgPath) : null;
  const boundaries = boundariesFor(cfg);
  const data = sweepRows(rows, axes);
  // theory overlay for the uv net on degenerate data with a prescribed init: exact curve
  if (cfg && boundaries.length && cfg.init?.kind === 'prescribed' && axes.length === 1 && axes[0] === 'c') {
    const cs = data.map((r) => r.c).sort((a, b) => a - b);
    const fine = Array.from({ length: 300 }, (_, i) => cs[0] * Math.pow(cs[cs.length - 1] / cs[0], i / 299));
    const th = sweepTheory({ loss: cfg.loss, p: cfg.data.p, y: 1, n: cfg.model.width }, cfg.init.f0, cfg.init.lambda0, fine, cfg.steps);
    for (const s of th) data.push({ ...s, etaSharpnessFinal: s.eta * s.sharpnessFinal, series: 'theory' });
  }
  const title = sweep?.name ? `Sweep ${sweep.name}` : `Results ${dir}`;
  const groups = axes.filter((a) => a !== 'c' && a !== 'eta');
  await emit('curvature-vs-c', curvatureVsCSpec(data, { boundaries, title }));
  if (rows.some((r) => typeof r.summary.testAccuracyFinal === 'number')) await emit('test-accuracy-vs-c', metricVsCSpec(data, 'testAccuracyFinal', { boundaries, title, yTitle: 'final test accuracy' }));
  const onsets = existsSync(join(dir, 'onsets.csv')) ? parseOnsetsCsv(readFileSync(join(dir, 'onsets.csv'), 'utf8')) : phaseOnsets(rows);
  for (const y of ['width', 'depth'] as const) {
    if (!groups.includes(`model.${y}`)) continue;
    // onset curves only where the groups differ in this axis alone
    const curves = groups.length === 1 ? onsets.map((o) => ({ y: Number(o.group[`model.${y}`]), cLoss: o.cLoss, cSharp: o.cSharp, cMax: o.cMax })) : undefined;
    await emit(`phase-diagram-${y}`, phaseDiagramSpec(data, { y, boundaries, title, ...(curves ? { onsets: curves } : {}) }));
  }
  // trajectories of up to one run per phase and two more, from the first group
  const withRuns = rows.filter((r) => existsSync(join(dir, 'runs', r.hash, 'metrics.csv')));
  if (withRuns.length) {
    const key = (r: ResultRow) => JSON.stringify(groups.map((g) => r.values[g]));
    const first = withRuns.filter((r) => key(r) === key(withRuns[0])).sort((a, b) => (a.summary.c as number) - (b.summary.c as number));
    const picks = new Map<string, ResultRow>();
    for (const ph of ['lazy', 'catapult', 'divergent']) {
      const list = first.filter((r) => r.summary.phase === ph);
      if (list.length) picks.set(list[0].hash, list[0]);
      if (list.length > 2) picks.set(list[list.length - 1].hash, list[list.length - 1]);
    }
    const series: RunSeries[] = [...picks.values()].map((r) => ({ label: `c = ${Number(r.summary.c).toPrecision(3)}`, c: r.summary.c as number, phase: r.summary.phase as Phase, rows: readMetricsCsv(join(dir, 'runs', r.hash, 'metrics.csv')) as never }));
    await emit('trajectories', trajectorySpec(series, { title, stepScale: 'symlog' }));
  }
  return written;
}

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description('make figures (SVG + PNG) for a run or sweep directory into <dir>/figures')
    .argument('<dir>', 'run directory (metrics.csv) or sweep/theory directory (results.csv)')
    .action(async (dir: string) => {
      const files = await plotDir(dir);
      for (const f of files) console.log(`written: ${f}`);
    });
}
