/**
 * Extra Vega-Lite figures of the reproduction report (src/recipes/), in the look of
 * specs.ts (same config, fonts, phase colours). Pure functions of plain data; browser-safe.
 */
import { FIGURE_CONFIG, PHASE_COLORS, PHASES, type Boundary, type VegaLiteSpec } from './specs.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function top(body: VegaLiteSpec, title?: string, subtitle?: string): VegaLiteSpec {
  const spec: VegaLiteSpec = { $schema: SCHEMA, config: FIGURE_CONFIG, ...body };
  if (title !== undefined) spec.title = subtitle === undefined ? { text: title } : { text: title, subtitle };
  return spec;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export interface XYPoint {
  x: number;
  y: number;
  /** legend entry, e.g. 'network' or 'exact recursion' */
  source: string;
}

export interface XYOptions {
  xTitle: string;
  yTitle: string;
  xLog?: boolean;
  yLog?: boolean;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
  /** sources drawn as lines (others as points); default: none */
  lineSources?: readonly string[];
}

/** y against x (e.g. a quantity against the width n): points per source, some sources as lines. */
export function xySpec(points: readonly XYPoint[], opts: XYOptions): VegaLiteSpec {
  const ok = points.filter((p) => finite(p.x) && finite(p.y) && (!opts.xLog || p.x > 0) && (!opts.yLog || p.y > 0));
  const sources = [...new Set(ok.map((p) => p.source))];
  const lineSources = new Set(opts.lineSources ?? []);
  const palette = ['#222222', '#ff7f0e', '#1f77b4', '#2ca02c', '#9467bd'];
  const color = { field: 'source', type: 'nominal', scale: { domain: sources, range: sources.map((_, i) => palette[i % palette.length]) }, legend: { title: null } };
  const xs = [...new Set(ok.map((p) => p.x))].sort((a, b) => a - b);
  const xScale = opts.xLog && xs.length ? { type: 'log', domain: [xs[0] / 1.5, xs[xs.length - 1] * 1.5], nice: false } : { zero: false };
  const x = { field: 'x', type: 'quantitative', scale: xScale, axis: { title: opts.xTitle, format: '~g', ...(opts.xLog && xs.length <= 12 ? { values: xs } : {}) } };
  const y = { field: 'y', type: 'quantitative', scale: opts.yLog ? { type: 'log' } : { zero: false }, axis: { title: opts.yTitle, format: '~g' } };
  const tooltip = [{ field: 'source', type: 'nominal' }, { field: 'x', type: 'quantitative', format: '.4g' }, { field: 'y', type: 'quantitative', format: '.4g' }];
  const layers: VegaLiteSpec[] = [];
  const lines = ok.filter((p) => lineSources.has(p.source));
  const dots = ok.filter((p) => !lineSources.has(p.source));
  if (lines.length) layers.push({ data: { values: lines }, mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 1.6, point: { size: 18 } }, encoding: { x, y, color, tooltip } });
  if (dots.length) layers.push({ data: { values: dots }, mark: { type: 'point', filled: true, size: 70, opacity: 0.9 }, encoding: { x, y, color, tooltip } });
  return top({ width: opts.width ?? 340, height: opts.height ?? 230, layer: layers }, opts.title, opts.subtitle);
}

export interface SeriesCPoint {
  c: number;
  value: number;
  series: string;
  phase: string;
}

export interface SeriesVsCOptions {
  yTitle: string;
  yLog?: boolean;
  boundaries?: readonly Boundary[];
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

/** One quantity against c (log axis) for several series (colour), the phase of each run as the point shape. */
export function seriesVsCSpec(points: readonly SeriesCPoint[], opts: SeriesVsCOptions): VegaLiteSpec {
  const ok = points.filter((p) => finite(p.c) && p.c > 0 && finite(p.value) && (!opts.yLog || p.value > 0));
  const series = [...new Set(ok.map((p) => p.series))];
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b'];
  const x: { field: string; type: string; scale: Record<string, unknown>; axis: Record<string, unknown> } = { field: 'c', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'c = ηλ₀/2 (log scale)', format: '~g' } };
  const y = { field: 'value', type: 'quantitative', scale: opts.yLog ? { type: 'log' } : { zero: false }, axis: { title: opts.yTitle, format: '~g' } };
  const color = { field: 'series', type: 'nominal', scale: { domain: series, range: series.map((_, i) => palette[i % palette.length]) }, legend: { title: null, labelLimit: 360 } };
  const cs = ok.map((p) => p.c);
  if (cs.length) Object.assign(x.scale, { domain: [Math.min(...cs) / 1.15, Math.max(...cs) * 1.15], nice: false });
  const layers: VegaLiteSpec[] = [];
  const bounds = (opts.boundaries ?? []).filter((b) => finite(b.c) && b.c > 0);
  if (bounds.length) {
    layers.push({ data: { values: bounds }, mark: { type: 'rule', strokeDash: [5, 4], color: '#555', strokeWidth: 1.2 }, encoding: { x: { field: 'c', type: 'quantitative' } } });
    layers.push({ data: { values: bounds }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 10, color: '#333' }, encoding: { x: { field: 'c', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } });
  }
  layers.push({ data: { values: ok }, mark: { type: 'line', strokeWidth: 1.2, opacity: 0.6 }, encoding: { x, y, color, detail: { field: 'series' } } });
  layers.push({
    data: { values: ok },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.95 },
    encoding: {
      x,
      y,
      color,
      shape: { field: 'phase', type: 'nominal', scale: { domain: [...PHASES], range: ['circle', 'diamond', 'triangle-up'] }, legend: { title: 'phase' } },
      tooltip: [{ field: 'series', type: 'nominal' }, { field: 'c', type: 'quantitative', format: '.4g' }, { field: 'value', type: 'quantitative', format: '.4g' }, { field: 'phase', type: 'nominal' }],
    },
  });
  return top({ width: opts.width ?? 420, height: opts.height ?? 260, layer: layers }, opts.title, opts.subtitle);
}

export interface StepSeries {
  label: string;
  rows: readonly { step: number; value: number }[];
}

/** One metric against the step for a few runs (one colour each). */
export function stepSeriesSpec(runs: readonly StepSeries[], opts: { yTitle: string; yLog?: boolean; title?: string; subtitle?: string; width?: number; height?: number }): VegaLiteSpec {
  const values = runs.flatMap((r) => r.rows.filter((p) => finite(p.step) && finite(p.value) && (!opts.yLog || p.value > 0)).map((p) => ({ run: r.label, step: p.step, value: p.value })));
  const labels = runs.map((r) => r.label);
  return top(
    {
      width: opts.width ?? 420,
      height: opts.height ?? 240,
      data: { values },
      mark: { type: 'line', strokeWidth: 1.8 },
      encoding: {
        x: { field: 'step', type: 'quantitative', axis: { title: 'step t' } },
        y: { field: 'value', type: 'quantitative', scale: opts.yLog ? { type: 'log' } : { zero: false }, axis: { title: opts.yTitle, format: '~g' } },
        color: { field: 'run', type: 'nominal', sort: labels, scale: { domain: labels, scheme: { name: 'viridis', extent: [0, 0.82] } }, legend: { title: 'run' } },
      },
    },
    opts.title,
    opts.subtitle,
  );
}

/** Values per category (e.g. per training protocol), one dot per seed, the mean as a tick. */
export function categoryDotSpec(points: readonly { category: string; value: number; label: string }[], opts: { yTitle: string; title?: string; subtitle?: string }): VegaLiteSpec {
  const ok = points.filter((p) => finite(p.value));
  const cats = [...new Set(ok.map((p) => p.category))];
  const x = { field: 'category', type: 'nominal', sort: cats, axis: { title: null, labelAngle: 0 } };
  const y = { field: 'value', type: 'quantitative', scale: { zero: false }, axis: { title: opts.yTitle, format: '~g' } };
  return top(
    {
      width: Math.max(220, 120 * cats.length),
      height: 240,
      data: { values: ok },
      layer: [
        { mark: { type: 'point', filled: true, size: 70, color: PHASE_COLORS.catapult, opacity: 0.85 }, encoding: { x, y, tooltip: [{ field: 'label', type: 'nominal' }, { field: 'value', type: 'quantitative', format: '.4g' }] } },
        { mark: { type: 'tick', color: '#222', thickness: 2, size: 40 }, encoding: { x, y: { ...y, aggregate: 'mean' } } },
      ],
    },
    opts.title,
    opts.subtitle,
  );
}
