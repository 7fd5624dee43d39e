/**
 * Figures of learning-rate policies: η(t) of several policies, and a trained run's η(t) against
 * the stability thresholds 2/λ_t and 2/S_t with the steps where η·S crosses 2 marked.
 * Pure functions of plain data, in the look of specs.ts; browser-safe.
 */
import { FIGURE_CONFIG, type VegaLiteSpec } from './specs.ts';
import type { EdgeCrossing } from '../train/lr/stability.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function top(body: VegaLiteSpec, title?: string, subtitle?: string): VegaLiteSpec {
  const spec: VegaLiteSpec = { $schema: SCHEMA, config: FIGURE_CONFIG, ...body };
  if (title !== undefined) spec.title = subtitle === undefined ? { text: title } : { text: title, subtitle };
  return spec;
}

export interface EtaSeries {
  label: string;
  rows: readonly { step: number; eta: number }[];
}

/** η(t) of one or more policies against the step. */
export function etaScheduleSpec(series: readonly EtaSeries[], opts: { title?: string; subtitle?: string; yTitle?: string; yLog?: boolean; width?: number; height?: number } = {}): VegaLiteSpec {
  const values = series.flatMap((s) => s.rows.filter((r) => finite(r.step) && finite(r.eta) && (!opts.yLog || r.eta > 0)).map((r) => ({ policy: s.label, step: r.step, eta: r.eta })));
  const labels = series.map((s) => s.label);
  return top(
    {
      width: opts.width ?? 460,
      height: opts.height ?? 220,
      data: { values },
      mark: { type: 'line', strokeWidth: 1.6, interpolate: 'linear' },
      encoding: {
        x: { field: 'step', type: 'quantitative', axis: { title: 'step t' } },
        y: { field: 'eta', type: 'quantitative', scale: opts.yLog ? { type: 'log' } : { zero: true }, axis: { title: opts.yTitle ?? 'η(t)', format: '~g' } },
        // more than ten policies: a 20-colour palette so that no two share a colour
        color: { field: 'policy', type: 'nominal', sort: labels, ...(labels.length > 10 ? { scale: { scheme: 'tableau20' } } : {}), legend: labels.length > 1 ? { title: null, labelLimit: 420 } : null },
      },
    },
    opts.title,
    opts.subtitle,
  );
}

export interface StabilityFigureRow {
  step: number;
  eta: number;
  lambda: number;
  sharpness: number;
}

/**
 * η(t) (line, at every step of `eta` when given, else at the recorded rows) over the thresholds
 * 2/λ_t and 2/S_t (measured points, log y); vertical rules where η·S crosses 2 (orange: up, blue:
 * back down).
 */
export function etaStabilitySpec(rows: readonly StabilityFigureRow[], crossings: readonly EdgeCrossing[], opts: { title?: string; subtitle?: string; eta?: readonly { step: number; eta: number }[] } = {}): VegaLiteSpec {
  const values: { step: number; value: number; series: string }[] = [];
  for (const r of opts.eta ?? rows) if (finite(r.eta) && r.eta > 0) values.push({ step: r.step, value: r.eta, series: 'η(t)' });
  for (const r of rows) {
    if (finite(r.lambda) && r.lambda > 0) values.push({ step: r.step, value: 2 / r.lambda, series: '2/λ_t' });
    if (finite(r.sharpness) && r.sharpness > 0) values.push({ step: r.step, value: 2 / r.sharpness, series: '2/S_t' });
  }
  const domain = ['η(t)', '2/λ_t', '2/S_t'];
  const color = { field: 'series', type: 'nominal', scale: { domain, range: ['#222222', '#1f77b4', '#d62728'] }, legend: { title: null } };
  const x = { field: 'step', type: 'quantitative', axis: { title: 'step t' } };
  const y = { field: 'value', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'learning rate / threshold (log)', format: '~g' } };
  const layers: VegaLiteSpec[] = [];
  for (const [direction, stroke] of [['up', '#ff7f0e'], ['down', '#1f77b4']] as const) {
    const marks = crossings.filter((c) => c.direction === direction).map((c) => ({ ...c, label: direction === 'up' ? 'η·S ↑ 2' : 'η·S ↓ 2' }));
    if (marks.length === 0) continue;
    layers.push({
      data: { values: marks },
      mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.1, color: stroke },
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        tooltip: [{ field: 'label', type: 'nominal' }, { field: 'step', type: 'quantitative' }, { field: 'etaSharpness', type: 'quantitative', format: '.4g', title: 'η·S' }],
      },
    });
  }
  layers.push({ data: { values: values.filter((v) => v.series === 'η(t)') }, mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x, y, color } });
  layers.push({ data: { values: values.filter((v) => v.series !== 'η(t)') }, mark: { type: 'point', filled: true, size: 16, opacity: 0.85 }, encoding: { x, y, color, tooltip: [{ field: 'series', type: 'nominal' }, { field: 'step', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.4g' }] } });
  const sub = opts.subtitle ?? (crossings.length ? `η·S crosses 2 at t = ${crossings.map((c) => `${c.step}${c.direction === 'up' ? '↑' : '↓'}`).slice(0, 12).join(', ')}${crossings.length > 12 ? ', …' : ''}` : 'η·S stays on one side of 2 at every measured step');
  return top({ width: 460, height: 240, layer: layers }, opts.title ?? 'η(t) against the stability thresholds', sub);
}

/** The toy surface as a heat map with optimizer paths drawn over it (one colour per policy). */
export function toySurfaceSpec(grid: readonly { x: number; y: number; z: number }[], paths: readonly { label: string; points: readonly { iteration: number; x: number; y: number; z: number }[] }[], opts: { title?: string; subtitle?: string; step: number }): VegaLiteSpec {
  const labels = paths.map((p) => p.label);
  const pts = paths.flatMap((p) => p.points.map((q) => ({ ...q, policy: p.label })));
  const x = { field: 'x', type: 'quantitative', scale: { domain: [-1.5, 1.5], nice: false }, axis: { title: 'x' } };
  const y = { field: 'y', type: 'quantitative', scale: { domain: [-1.5, 1.5], nice: false }, axis: { title: 'y' } };
  const color = { field: 'policy', type: 'nominal', sort: labels, scale: { domain: labels, range: ['#111111', '#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#9467bd'] }, legend: { title: 'policy', labelLimit: 420 } };
  return top(
    {
      width: 360,
      height: 360,
      resolve: { scale: { color: 'independent' } },
      layer: [
        {
          data: { values: grid.map((g) => ({ x: g.x - opts.step / 2, x2: g.x + opts.step / 2, y: g.y - opts.step / 2, y2: g.y + opts.step / 2, z: g.z })) },
          mark: { type: 'rect' },
          encoding: { x, x2: { field: 'x2' }, y, y2: { field: 'y2' }, color: { field: 'z', type: 'quantitative', scale: { scheme: 'greys', reverse: true }, legend: { title: 'z' } } },
        },
        { data: { values: pts }, mark: { type: 'line', strokeWidth: 1.8, point: { size: 14, filled: true } }, encoding: { x, y, color, order: { field: 'iteration', type: 'quantitative' } } },
      ],
    },
    opts.title,
    opts.subtitle,
  );
}
