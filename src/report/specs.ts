/**
 * Vega-Lite specifications of the project's figures, built from plain data by pure functions.
 * Browser-safe: no Node imports; render them in Node with render.ts or in a page with vega-embed.
 *
 * Conventions shared by every figure:
 *  - phases have fixed colours (PHASE_COLORS: lazy blue, catapult orange, divergent red);
 *  - c = ηλ0/2 is drawn on a log axis, with predicted boundaries as dashed vertical rules;
 *  - η·S = 2 (edge of stability) is a dashed horizontal rule;
 *  - non-finite values (NaN: not measured; ±∞: blown up) are left out of the data, and so are
 *    non-positive values on log axes.
 */

import { phaseOnsets, type OnsetRow } from '../experiments/onsets.ts';
import type { Phase } from '../theory/phase.ts';

/** A Vega-Lite top-level spec as plain JSON-able data. */
export type VegaLiteSpec = { [key: string]: unknown };

export const PHASES: readonly Phase[] = ['lazy', 'catapult', 'divergent'];

/** Phase colours used by every figure. */
export const PHASE_COLORS: Readonly<Record<Phase, string>> = Object.freeze({
  lazy: '#1f77b4',
  catapult: '#ff7f0e',
  divergent: '#d62728',
});

/** Font family of every figure (the renderer ships it; browsers fall back to sans-serif). */
export const FIGURE_FONT = 'DejaVu Sans';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const INK = '#333';
const RULE = '#555';

/** Shared look of every figure. */
export const FIGURE_CONFIG = Object.freeze({
  font: FIGURE_FONT,
  background: 'white',
  padding: 10,
  view: { stroke: '#c8c8c8' },
  axis: {
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titleColor: '#222',
    labelFontSize: 11,
    labelColor: '#333',
    gridColor: '#ececec',
    domainColor: '#888',
    tickColor: '#888',
  },
  legend: { titleFontSize: 12, titleFontWeight: 'normal', labelFontSize: 11, symbolStrokeWidth: 2 },
  title: { fontSize: 15, anchor: 'start', offset: 10, subtitleFontSize: 11.5, subtitleColor: '#555' },
  concat: { spacing: 24 },
});

const C_TITLE = 'c = ηλ₀/2 (log scale)';

// ---------------------------------------------------------------------------------------------
// Input shapes

/** One recorded step of a run; MetricRow (src/train/metrics.ts) fits, and so does theoryRows(). */
export interface TrajectoryRow {
  step: number;
  loss?: number;
  lambda?: number;
  etaSharpness?: number;
  etaLambda?: number;
}

/** One run's trajectory with the label shown in the legend. */
export interface RunSeries {
  label: string;
  c: number;
  rows: readonly TrajectoryRow[];
  /** Optional: divergent runs do not set the y range of the λ and η·S panels. */
  phase?: Phase;
}

/** A sweep summary row (TheorySummary and the sweep's summary rows fit). */
export interface SweepRowLike {
  c: number;
  phase?: Phase | string;
  eta?: number;
  lambda0?: number;
  lambdaFinal?: number;
  sharpnessFinal?: number;
  etaSharpnessFinal?: number;
  /** 'theory' rows are drawn as a line, all others as points coloured by phase. */
  series?: string;
}

/** A predicted boundary in c, drawn as a labelled vertical rule. */
export interface Boundary {
  c: number;
  label: string;
}

/** Onsets over a sweep at one width/depth (theory §5); null/NaN = not reached. */
export interface Onset {
  y: number;
  cLoss?: number | null;
  cSharp?: number | null;
  cInstab?: number | null;
  cMax?: number | null;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function num(x: unknown): number {
  if (typeof x === 'number') return x;
  if (x === null || x === undefined || x === '') return NaN;
  return Number(x);
}

function field(row: object, name: string): unknown {
  return (row as Record<string, unknown>)[name];
}

function finite(x: number): boolean {
  return Number.isFinite(x);
}

/** A number in short form for labels: 1, 2, 4.76, 0.25. */
export function fmtNum(x: number): string {
  if (!finite(x)) return String(x);
  return String(Number(x.toPrecision(3)));
}

/**
 * Axis ticks for a log axis over [lo, hi]: whole decades, every k-th one so that at most ~6 are
 * labelled (vega's default labels 1, 2, 5 in every decade and crowds wide ranges). No explicit
 * ticks for data spanning under two decades, where vega's default ticks are fine.
 */
export function logAxisProps(values: readonly number[]): { values?: number[]; format: string } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v > 0 && finite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi >= lo)) return { format: '~g' };
  const e0 = Math.floor(Math.log10(lo) + 1e-9);
  const e1 = Math.ceil(Math.log10(hi) - 1e-9);
  const plain = e0 >= -3 && e1 <= 4;
  if (hi / lo < 100) return { format: plain ? '~g' : '.1e' };
  const k = Math.ceil((e1 - e0) / 6);
  const ticks: number[] = [];
  for (let e = Math.ceil(e0 / k) * k; e <= e1; e += k) ticks.push(Number(`1e${e}`));
  return { values: ticks, format: plain ? '~g' : '.0e' };
}

/** Labelled rules for theory's predicted boundaries (predictedBoundaries() fits). */
export function boundariesFromPrediction(b: { cLazy: number | null; cMax: number | null }): Boundary[] {
  const out: Boundary[] = [];
  if (b.cLazy !== null && finite(b.cLazy)) out.push({ c: b.cLazy, label: `c_lazy = ${fmtNum(b.cLazy)}` });
  if (b.cMax !== null && finite(b.cMax)) out.push({ c: b.cMax, label: `c_max = ${fmtNum(b.cMax)}` });
  return out;
}

/** Rows of a theory trajectory (runTheory(...).trajectory), for trajectorySpec/overlaySpec. */
export function theoryRows(t: {
  step: ArrayLike<number>;
  loss: ArrayLike<number>;
  lambda: ArrayLike<number>;
  etaSharpness: ArrayLike<number>;
  etaLambda?: ArrayLike<number>;
}): TrajectoryRow[] {
  const rows: TrajectoryRow[] = [];
  for (let i = 0; i < t.step.length; i++) {
    rows.push({
      step: t.step[i],
      loss: t.loss[i],
      lambda: t.lambda[i],
      etaSharpness: t.etaSharpness[i],
      etaLambda: t.etaLambda === undefined ? NaN : t.etaLambda[i],
    });
  }
  return rows;
}

/** Points of a bifurcation diagram from theory's bifurcation() branches (NaN states dropped). */
export function bifurcationPoints(
  branches: readonly { c: number; f: ArrayLike<number>; lambda: ArrayLike<number> }[],
): { c: number; f: number; lambda: number }[] {
  const out: { c: number; f: number; lambda: number }[] = [];
  for (const b of branches) {
    for (let i = 0; i < b.f.length; i++) {
      if (finite(b.f[i]) && finite(b.lambda[i])) out.push({ c: b.c, f: b.f[i], lambda: b.lambda[i] });
    }
  }
  return out;
}

/**
 * Onsets of theory §5 per value of `y` ('width' or 'depth'), sorted by y: the one onset rule of
 * src/experiments/onsets.ts (c_loss, c_sharp, c_instab, c_max) on rows of summary fields.
 */
export function onsetsFromRows(rows: readonly object[], y: string): Onset[] {
  const onsetRows: OnsetRow[] = [];
  rows.forEach((r, index) => {
    const yv = num(field(r, y));
    if (!finite(yv)) return;
    const summary: OnsetRow['summary'] = { c: num(field(r, 'c')), phase: field(r, 'phase') as OnsetRow['summary']['phase'], lossInitial: num(field(r, 'lossInitial')), lossMax: num(field(r, 'lossMax')), lambda0: num(field(r, 'lambda0')), lambdaFinal: num(field(r, 'lambdaFinal')) };
    onsetRows.push({ index, values: { [y]: yv }, summary });
  });
  return phaseOnsets(onsetRows)
    .map((o) => ({ y: Number(o.group[y]), cLoss: o.cLoss, cSharp: o.cSharp, cInstab: o.cInstab, cMax: o.cMax }))
    .sort((a, b) => a.y - b.y);
}

function phaseColor(title: string | null = 'phase'): VegaLiteSpec {
  return {
    field: 'phase',
    type: 'nominal',
    scale: { domain: [...PHASES], range: PHASES.map((p) => PHASE_COLORS[p]) },
    legend: { title, symbolType: 'circle' },
  };
}

function cAxis(domain?: [number, number], title: string | null = C_TITLE): VegaLiteSpec {
  const scale: VegaLiteSpec = { type: 'log' };
  if (domain !== undefined) Object.assign(scale, { domain, nice: false });
  return { field: 'c', type: 'quantitative', scale, axis: { title, format: '~g', labelOverlap: 'greedy', labelSeparation: 4 } };
}

/** Vertical dashed rules with labels at the predicted boundaries. */
function boundaryLayers(boundaries: readonly Boundary[]): { rules: VegaLiteSpec[]; labels: VegaLiteSpec[] } {
  const values = boundaries.filter((b) => finite(b.c) && b.c > 0).map((b) => ({ c: b.c, label: b.label }));
  if (values.length === 0) return { rules: [], labels: [] };
  return {
    rules: [
      {
        data: { values },
        mark: { type: 'rule', strokeDash: [5, 4], color: RULE, strokeWidth: 1.3 },
        encoding: { x: { field: 'c', type: 'quantitative' } },
      },
    ],
    // Drawn last, over the data, with a white halo.
    labels: haloText(values, BOUNDARY_LABEL_MARK, RULE, {
      x: { field: 'c', type: 'quantitative' },
      y: { value: BOUNDARY_LABEL_TOP },
      text: { field: 'label' },
    }),
  };
}

/** A text layer drawn over a white copy of itself with a thick stroke, to stay legible over data. */
function haloText(values: object[], mark: object, color: string, encoding: VegaLiteSpec): VegaLiteSpec[] {
  return [
    { data: { values }, mark: { ...mark, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round', opacity: 0.85 }, encoding },
    { data: { values }, mark: { ...mark, color }, encoding },
  ];
}

/** Boundary labels sit just above the plot frame, starting at their rule, clear of the data. */
const BOUNDARY_LABEL_MARK = { type: 'text', align: 'left', baseline: 'bottom', dx: -2, dy: -3, fontSize: 10.5 } as const;
const BOUNDARY_LABEL_TOP = 0;

/** Horizontal dashed rule at η·S = 2 with a label at the right end. */
function edgeOfStabilityLayers(labelText = 'η·S = 2', side: 'above' | 'below' = 'above'): VegaLiteSpec[] {
  return [
    {
      data: { values: [{ y: 2 }] },
      mark: { type: 'rule', strokeDash: [6, 4], color: RULE, strokeWidth: 1.3 },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    },
    {
      data: { values: [{ y: 2, label: labelText }] },
      mark: side === 'above'
        ? { type: 'text', align: 'right', baseline: 'bottom', dx: -3, dy: -2, fontSize: 10, color: RULE }
        : { type: 'text', align: 'right', baseline: 'top', dx: -3, dy: 3, fontSize: 10, color: RULE },
      encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: 'width' }, text: { field: 'label' } },
    },
  ];
}

function withTitle(spec: VegaLiteSpec, title?: string, subtitle?: string): VegaLiteSpec {
  if (title === undefined && subtitle === undefined) return spec;
  return { ...spec, title: { text: title ?? '', ...(subtitle === undefined ? {} : { subtitle }) } };
}

function top(body: VegaLiteSpec, title?: string, subtitle?: string): VegaLiteSpec {
  return withTitle({ $schema: SCHEMA, config: FIGURE_CONFIG, ...body }, title, subtitle);
}

// ---------------------------------------------------------------------------------------------
// Trajectories

type TrajMetric = 'loss' | 'lambda' | 'etaSharpness' | 'etaLambda';

const TRAJ_TITLES: Record<TrajMetric, string> = {
  loss: 'training loss L (log scale)',
  lambda: 'NTK curvature λ',
  etaSharpness: 'η·S (η × Hessian sharpness)',
  etaLambda: 'η·λ',
};

export interface TrajectoryOptions {
  title?: string;
  subtitle?: string;
  /** Panel size in px. Defaults 260 × 190. */
  width?: number;
  height?: number;
  /** x scale of step: 'linear' (default) or 'symlog' (resolves early steps and long tails). */
  stepScale?: 'linear' | 'symlog';
  /** Third panel: 'etaSharpness' (default) or 'etaLambda' (η·λ, = η·S for squared loss). */
  sharpnessField?: 'etaSharpness' | 'etaLambda';
  /** Draw points on the lines; default: when a run has ≤ 60 recorded values. */
  points?: boolean;
  /** Legend title; default 'run'. */
  legendTitle?: string;
}

interface LongRow {
  run: string;
  c: number;
  step: number;
  value: number;
  /** 'network' / 'theory' in the overlay. */
  source?: string;
}

function longRows(runs: readonly RunSeries[], metric: TrajMetric, positive: boolean, source?: string): LongRow[] {
  const out: LongRow[] = [];
  for (const r of runs) {
    for (const row of r.rows) {
      const v = num(row[metric]);
      const s = num(row.step);
      if (!finite(v) || !finite(s) || (positive && !(v > 0))) continue;
      out.push(source === undefined ? { run: r.label, c: r.c, step: s, value: v } : { run: r.label, c: r.c, step: s, value: v, source });
    }
  }
  return out;
}

/**
 * A y range that a divergent run does not stretch: the range of the other runs, widened a bit
 * (×10 on a log axis); undefined when there is nothing to protect.
 */
function clippedDomain(runs: readonly RunSeries[], metric: TrajMetric, log: boolean): [number, number] | undefined {
  const calm = runs.filter((r) => r.phase !== 'divergent');
  if (calm.length === runs.length || calm.length === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of calm) {
    for (const row of r.rows) {
      const v = num(row[metric]);
      if (!finite(v) || (log && !(v > 0))) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (metric === 'etaSharpness' || metric === 'etaLambda') hi = Math.max(hi, 2);
  if (!(hi >= lo)) return undefined;
  if (log) return [lo / 2, hi * 10];
  const pad = 0.15 * (hi - lo || Math.abs(hi) || 1);
  return [Math.max(0, lo - pad), hi + pad];
}

function yAxis(title: string, log: boolean, values: readonly { value: number }[], domain?: [number, number]): VegaLiteSpec {
  if (!log) return { title, format: '~g' };
  return { title, ...logAxisProps(domain ?? values.map((v) => v.value)) };
}

function runColor(labels: string[], title: string): VegaLiteSpec {
  return {
    field: 'run',
    type: 'nominal',
    sort: labels,
    scale: { domain: labels, scheme: { name: 'viridis', extent: [0, 0.82] } },
    legend: { title },
  };
}

function trajectoryPanel(
  runs: readonly RunSeries[],
  metric: TrajMetric,
  o: Required<Pick<TrajectoryOptions, 'width' | 'height' | 'stepScale'>> & { points: boolean; colorTitle: string },
): VegaLiteSpec {
  const log = metric === 'loss';
  const domain = clippedDomain(runs, metric, log);
  // Clipping alone leaves astronomically large path coordinates in the SVG (a divergent run),
  // which the rasterizer cannot handle: clamp to just beyond the visible range instead.
  const values = domain === undefined ? longRows(runs, metric, log) : longRows(runs, metric, log).map((r) => ({ ...r, value: Math.min(Math.max(r.value, domain[0] - (log ? 0 : domain[1] - domain[0])), log ? domain[1] * 10 : domain[1] + (domain[1] - domain[0])) }));
  const yScale: VegaLiteSpec = log ? { type: 'log' } : { zero: false };
  if (domain !== undefined) Object.assign(yScale, { domain, nice: false });
  const labels = runs.map((r) => r.label);
  const layers: VegaLiteSpec[] = [
    {
      data: { values },
      mark: { type: 'line', strokeWidth: 1.8, clip: true, point: o.points ? { size: 14, filled: true } : false },
      encoding: {
        x: { field: 'step', type: 'quantitative', scale: { type: o.stepScale }, axis: { title: 'step t' } },
        y: { field: 'value', type: 'quantitative', scale: yScale, axis: yAxis(TRAJ_TITLES[metric], log, values, domain) },
        color: runColor(labels, o.colorTitle),
        tooltip: [
          { field: 'run', type: 'nominal' },
          { field: 'step', type: 'quantitative' },
          { field: 'value', type: 'quantitative', format: '.4g', title: metric },
        ],
      },
    },
  ];
  if (metric === 'etaSharpness' || metric === 'etaLambda') {
    layers.push(...edgeOfStabilityLayers(metric === 'etaSharpness' ? 'η·S = 2' : 'η·λ = 2'));
  }
  return { width: o.width, height: o.height, layer: layers };
}

/**
 * Loss (log y), λ and η·S against the step for a few runs, one colour per run (ordered as given,
 * e.g. by c), with the dashed line η·S = 2.
 */
export function trajectorySpec(runs: readonly RunSeries[], opts: TrajectoryOptions = {}): VegaLiteSpec {
  const maxLen = Math.max(0, ...runs.map((r) => r.rows.length));
  const o = {
    width: opts.width ?? 260,
    height: opts.height ?? 190,
    stepScale: opts.stepScale ?? 'linear',
    points: opts.points ?? maxLen <= 60,
    colorTitle: opts.legendTitle ?? 'run',
  } as const;
  const third = opts.sharpnessField ?? 'etaSharpness';
  return top(
    {
      hconcat: (['loss', 'lambda', third] as const).map((m) => trajectoryPanel(runs, m, o)),
      resolve: { scale: { color: 'shared' } },
    },
    opts.title,
    opts.subtitle,
  );
}

export interface OverlayOptions extends TrajectoryOptions {
  /** Panels to draw; default loss, λ, η·S. */
  metrics?: readonly TrajMetric[];
  /** Legend labels of the two sources. */
  networkLabel?: string;
  theoryLabel?: string;
}

/**
 * Theory vs network: the same runs from the network (thick translucent lines) and from the
 * theory recursion (thin dashed lines on top), matched by label.
 */
export function overlaySpec(
  network: readonly RunSeries[],
  theory: readonly RunSeries[],
  opts: OverlayOptions = {},
): VegaLiteSpec {
  const netLabel = opts.networkLabel ?? 'network';
  const thLabel = opts.theoryLabel ?? 'theory';
  const metrics = opts.metrics ?? ['loss', 'lambda', 'etaSharpness'];
  const width = opts.width ?? 260;
  const height = opts.height ?? 190;
  const labels = [...new Set([...network, ...theory].map((r) => r.label))];
  const panels = metrics.map((metric): VegaLiteSpec => {
    const log = metric === 'loss';
    const values = [...longRows(network, metric, log, netLabel), ...longRows(theory, metric, log, thLabel)];
    const domain = clippedDomain([...network, ...theory], metric, log);
    const yScale: VegaLiteSpec = log ? { type: 'log' } : { zero: false };
    if (domain !== undefined) Object.assign(yScale, { domain, nice: false });
    const sourceLegend = { title: 'source' };
    const layers: VegaLiteSpec[] = [
      {
        data: { values },
        mark: { type: 'line', clip: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', scale: { type: opts.stepScale ?? 'linear' }, axis: { title: 'step t' } },
          y: { field: 'value', type: 'quantitative', scale: yScale, axis: yAxis(TRAJ_TITLES[metric], log, values, domain) },
          color: runColor(labels, opts.legendTitle ?? 'run'),
          strokeDash: { field: 'source', type: 'ordinal', sort: [netLabel, thLabel], scale: { domain: [netLabel, thLabel], range: [[1, 0], [5, 3]] }, legend: sourceLegend },
          strokeWidth: { field: 'source', type: 'ordinal', sort: [netLabel, thLabel], scale: { domain: [netLabel, thLabel], range: [5, 1.6] }, legend: sourceLegend },
          opacity: { field: 'source', type: 'ordinal', sort: [netLabel, thLabel], scale: { domain: [netLabel, thLabel], range: [0.4, 1] }, legend: sourceLegend },
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'source', type: 'nominal' },
            { field: 'step', type: 'quantitative' },
            { field: 'value', type: 'quantitative', format: '.6g', title: metric },
          ],
        },
      },
    ];
    if (metric === 'etaSharpness' || metric === 'etaLambda') layers.push(...edgeOfStabilityLayers(metric === 'etaSharpness' ? 'η·S = 2' : 'η·λ = 2'));
    return { width, height, layer: layers };
  });
  return top({ hconcat: panels, resolve: { scale: { color: 'shared', strokeDash: 'shared', strokeWidth: 'shared', opacity: 'shared' } } }, opts.title, opts.subtitle);
}

// ---------------------------------------------------------------------------------------------
// Quantities against c

interface CPoint {
  c: number;
  value: number;
  phase: string;
  series: string;
}

function etaSharpnessOf(r: SweepRowLike): number {
  const direct = num(r.etaSharpnessFinal);
  if (finite(direct)) return direct;
  const eta = finite(num(r.eta)) ? num(r.eta) : (2 * num(r.c)) / num(r.lambda0);
  return eta * num(r.sharpnessFinal);
}

export interface CPanelOptions {
  boundaries?: readonly Boundary[];
  width?: number;
  height?: number;
  /** y axis title. */
  yTitle: string;
  yLog?: boolean;
  /** Extra horizontal dashed rule (e.g. η·S = 2). */
  edgeOfStability?: boolean;
  /** Legend title of the theory line. */
  theoryLabel?: string;
  /** Force the c range. */
  cDomain?: [number, number];
}

/**
 * One panel of a quantity against c: network points coloured by phase, a theory line if rows
 * with series 'theory' are present, divergent runs as red triangles along the top edge.
 */
function cPanel(rows: readonly SweepRowLike[], value: (r: SweepRowLike) => number, o: CPanelOptions): VegaLiteSpec {
  const pts: CPoint[] = [];
  const line: CPoint[] = [];
  const diverged: { c: number; phase: string; series: string }[] = [];
  const log = o.yLog ?? false;
  for (const r of rows) {
    const c = num(r.c);
    if (!(c > 0) || !finite(c)) continue;
    const series = r.series ?? 'network';
    const phase = String(r.phase ?? 'lazy');
    if (phase === 'divergent') {
      if (series !== 'theory') diverged.push({ c, phase, series });
      continue;
    }
    const v = value(r);
    if (!finite(v) || (log && !(v > 0))) continue;
    (series === 'theory' ? line : pts).push({ c, value: v, phase, series });
  }
  line.sort((a, b) => a.c - b.c);
  const x = cAxis(o.cDomain);
  const all = [...pts, ...line];
  const yScale: VegaLiteSpec = log ? { type: 'log' } : { zero: false };
  if (o.edgeOfStability && all.length > 0) {
    // Room above the η·S = 2 rule for its label.
    let lo = 0;
    let hi = 2;
    for (const p of all) {
      lo = Math.min(lo, p.value);
      hi = Math.max(hi, p.value);
    }
    yScale.domain = [lo, hi * 1.1];
  }
  const y = { field: 'value', type: 'quantitative', scale: yScale, axis: yAxis(o.yTitle, log, all) };
  const tooltip = [
    { field: 'c', type: 'quantitative', format: '.4g' },
    { field: 'value', type: 'quantitative', format: '.4g', title: o.yTitle },
    { field: 'phase', type: 'nominal' },
    { field: 'series', type: 'nominal' },
  ];
  const bounds = boundaryLayers(o.boundaries ?? []);
  const layers: VegaLiteSpec[] = [...bounds.rules];
  if (o.edgeOfStability) layers.push(...edgeOfStabilityLayers('η·S = 2', diverged.length > 0 ? 'below' : 'above'));
  if (line.length > 0) {
    const th = o.theoryLabel ?? 'theory';
    layers.push({
      data: { values: line.map((p) => ({ ...p, series: th })) },
      mark: { type: 'line', color: INK, strokeWidth: 1.5, clip: true },
      encoding: {
        x,
        y,
        strokeDash: { field: 'series', type: 'nominal', scale: { domain: [th], range: [[1, 0]] }, legend: { title: null } },
        tooltip,
      },
    });
  }
  layers.push({
    data: { values: pts },
    mark: { type: 'point', filled: true, size: 46, opacity: 0.9, stroke: 'white', strokeWidth: 0.6, clip: true },
    encoding: { x, y, color: phaseColor(), tooltip },
  });
  if (diverged.length > 0) {
    layers.push({
      data: { values: diverged },
      mark: { type: 'point', shape: 'triangle-up', filled: true, size: 50, opacity: 0.9 },
      encoding: {
        x,
        y: { value: 7 },
        color: phaseColor(),
        tooltip: [{ field: 'c', type: 'quantitative', format: '.4g' }, { field: 'phase', type: 'nominal' }],
      },
    });
  }
  layers.push(...bounds.labels);
  return { width: o.width ?? 340, height: o.height ?? 230, layer: layers };
}

export interface CurvatureVsCOptions {
  boundaries?: readonly Boundary[];
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
  /** Log y for λ_final/λ0 (default false). */
  ratioLog?: boolean;
  theoryLabel?: string;
}

/**
 * Final λ/λ0 and η·S_final against c (log axis) side by side: points coloured by phase, the
 * theory line for rows with series 'theory', dashed rules at the predicted boundaries and at
 * η·S = 2. Divergent runs are marked along the top edge.
 */
export function curvatureVsCSpec(rows: readonly SweepRowLike[], opts: CurvatureVsCOptions = {}): VegaLiteSpec {
  const common = { boundaries: opts.boundaries ?? [], width: opts.width, height: opts.height, theoryLabel: opts.theoryLabel };
  const cs = rows.map((r) => num(r.c)).filter((c) => c > 0 && finite(c));
  const cDomain: [number, number] | undefined = cs.length > 0 ? [Math.min(...cs) / 1.15, Math.max(...cs) * 1.15] : undefined;
  return top(
    {
      hconcat: [
        cPanel(rows, (r) => num(r.lambdaFinal) / num(r.lambda0), { ...common, cDomain, yTitle: 'final curvature λ_T / λ₀', yLog: opts.ratioLog ?? false }),
        cPanel(rows, etaSharpnessOf, { ...common, cDomain, yTitle: 'η·S at the end of training', edgeOfStability: true }),
      ],
      resolve: { scale: { color: 'shared' } },
    },
    opts.title,
    opts.subtitle,
  );
}

export interface MetricVsCOptions {
  boundaries?: readonly Boundary[];
  title?: string;
  subtitle?: string;
  yTitle?: string;
  yLog?: boolean;
  width?: number;
  height?: number;
  /** Draw the η·S = 2 rule (for sharpness-like fields). */
  edgeOfStability?: boolean;
  theoryLabel?: string;
}

/** Any numeric summary field (e.g. testAccuracyFinal, lossMax) against c, coloured by phase. */
export function metricVsCSpec(rows: readonly SweepRowLike[], fieldName: string, opts: MetricVsCOptions = {}): VegaLiteSpec {
  const cs = rows.map((r) => num(r.c)).filter((c) => c > 0 && finite(c));
  const cDomain: [number, number] | undefined = cs.length > 0 ? [Math.min(...cs) / 1.15, Math.max(...cs) * 1.15] : undefined;
  const panel = cPanel(rows, (r) => num(field(r, fieldName)), {
    boundaries: opts.boundaries ?? [],
    yTitle: opts.yTitle ?? fieldName,
    yLog: opts.yLog,
    width: opts.width ?? 420,
    height: opts.height ?? 260,
    edgeOfStability: opts.edgeOfStability,
    theoryLabel: opts.theoryLabel,
    cDomain,
  });
  return top(panel, opts.title, opts.subtitle);
}

// ---------------------------------------------------------------------------------------------
// Phase diagram

export interface PhaseDiagramOptions {
  /** Row field on the y axis. */
  y: 'width' | 'depth';
  onsets?: readonly Onset[];
  boundaries?: readonly Boundary[];
  /** Log y (default: true for width, false for depth). */
  yLog?: boolean;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

/** Cell edges around sorted distinct values: midpoints (geometric on a log axis), mirrored at the ends. */
function cellEdges(values: readonly number[], log: boolean): Map<number, [number, number]> {
  const v = [...new Set(values)].sort((a, b) => a - b);
  const edges = new Map<number, [number, number]>();
  const mid = (a: number, b: number) => (log ? Math.sqrt(a * b) : (a + b) / 2);
  for (let i = 0; i < v.length; i++) {
    let lo: number;
    let hi: number;
    if (v.length === 1) {
      lo = log ? v[i] / Math.SQRT2 : v[i] - 0.5;
      hi = log ? v[i] * Math.SQRT2 : v[i] + 0.5;
    } else {
      lo = i > 0 ? mid(v[i - 1], v[i]) : log ? (v[0] * v[0]) / mid(v[0], v[1]) : 2 * v[0] - mid(v[0], v[1]);
      hi = i < v.length - 1 ? mid(v[i], v[i + 1]) : log ? (v[i] * v[i]) / mid(v[i - 1], v[i]) : 2 * v[i] - mid(v[i - 1], v[i]);
    }
    edges.set(v[i], [lo, hi]);
  }
  return edges;
}

const ONSET_NAMES = { cLoss: 'c_loss (loss rises)', cSharp: 'c_sharp (λ drops)', cMax: 'c_max (diverges)' } as const;

/**
 * The (c, width) or (c, depth) phase diagram: one cell per grid point coloured by the majority
 * phase over seeds (fixed phase colours), with the onset curves c_loss, c_sharp, c_max on top and
 * optional predicted boundaries.
 */
export function phaseDiagramSpec(rows: readonly SweepRowLike[], opts: PhaseDiagramOptions): VegaLiteSpec {
  const yName = opts.y;
  const yLog = opts.yLog ?? yName === 'width';
  // Majority phase per (c, y); ties go to the later phase (lazy < catapult < divergent).
  const cells = new Map<string, { c: number; y: number; counts: Record<string, number> }>();
  for (const r of rows) {
    const c = num(r.c);
    const y = num(field(r, yName));
    if (!(c > 0) || !finite(c) || !finite(y) || (yLog && !(y > 0))) continue;
    const key = `${c}|${y}`;
    let cell = cells.get(key);
    if (cell === undefined) cells.set(key, (cell = { c, y, counts: {} }));
    const p = String(r.phase ?? 'lazy');
    cell.counts[p] = (cell.counts[p] ?? 0) + 1;
  }
  const yEdges = cellEdges([...cells.values()].map((c) => c.y), yLog);
  const cByY = new Map<number, number[]>();
  for (const cell of cells.values()) {
    const list = cByY.get(cell.y) ?? [];
    list.push(cell.c);
    cByY.set(cell.y, list);
  }
  const cEdges = new Map<number, Map<number, [number, number]>>();
  for (const [y, list] of cByY) cEdges.set(y, cellEdges(list, true));
  const values = [...cells.values()].map((cell) => {
    let phase = 'lazy';
    let best = -1;
    for (const p of PHASES) {
      const n = cell.counts[p] ?? 0;
      if (n > 0 && n >= best) {
        best = n;
        phase = p;
      }
    }
    const total = Object.values(cell.counts).reduce((a, b) => a + b, 0);
    const [c0, c1] = (cEdges.get(cell.y) as Map<number, [number, number]>).get(cell.c) as [number, number];
    const [y0, y1] = yEdges.get(cell.y) as [number, number];
    return { c: cell.c, y: cell.y, c0, c1, y0, y1, phase, runs: total, agree: best / total };
  });
  let cMin = Infinity;
  let cMaxEdge = -Infinity;
  for (const v of values) {
    cMin = Math.min(cMin, v.c0);
    cMaxEdge = Math.max(cMaxEdge, v.c1);
  }
  const yTitle = yName === 'width' ? `width n${yLog ? ' (log scale)' : ''}` : `depth L${yLog ? ' (log scale)' : ''}`;
  const xScale = values.length > 0 ? { type: 'log', domain: [cMin, cMaxEdge], nice: false } : { type: 'log' };
  const yEdgeList = [...yEdges.values()].flat();
  const yScale: VegaLiteSpec = yLog ? { type: 'log', base: 2, nice: false } : { zero: false, nice: false };
  if (yEdgeList.length > 0) yScale.domain = [Math.min(...yEdgeList), Math.max(...yEdgeList)];
  const yTickValues = [...yEdges.keys()];
  const x = { field: 'c0', type: 'quantitative', scale: xScale, axis: { title: C_TITLE, format: '~g', labelOverlap: 'greedy', labelSeparation: 4 } };
  const layers: VegaLiteSpec[] = [
    {
      data: { values },
      mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x,
        x2: { field: 'c1' },
        y: { field: 'y0', type: 'quantitative', scale: yScale, axis: { title: yTitle, values: yTickValues, format: '~g', grid: false } },
        y2: { field: 'y1' },
        color: phaseColor(),
        opacity: { value: 0.85 },
        tooltip: [
          { field: 'c', type: 'quantitative', format: '.4g' },
          { field: 'y', type: 'quantitative', title: yName },
          { field: 'phase', type: 'nominal' },
          { field: 'runs', type: 'quantitative' },
          { field: 'agree', type: 'quantitative', format: '.0%', title: 'share of runs in this phase' },
        ],
      },
    },
  ];
  const onsetRows: { onset: string; y: number; c: number }[] = [];
  for (const o of opts.onsets ?? []) {
    for (const key of ['cLoss', 'cSharp', 'cMax'] as const) {
      const c = num(o[key]);
      if (c > 0 && finite(c) && finite(o.y)) onsetRows.push({ onset: ONSET_NAMES[key], y: o.y, c });
    }
  }
  if (onsetRows.length > 0) {
    const names = Object.values(ONSET_NAMES);
    const onsetEnc = {
      x: { field: 'c', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative' },
      order: { field: 'y', type: 'quantitative' },
      strokeDash: {
        field: 'onset',
        type: 'nominal',
        scale: { domain: names, range: [[1, 0], [6, 3], [2, 2]] },
        legend: {
          title: 'onset',
          symbolType: 'stroke',
          symbolStrokeWidth: 2,
          symbolSize: 400,
          encode: { symbols: { update: { stroke: { value: '#111' }, fill: { value: 'transparent' } } } },
        },
      },
    };
    layers.push({
      data: { values: onsetRows },
      mark: { type: 'line', color: '#111', strokeWidth: 2, point: { filled: true, size: 36, color: '#111' }, clip: true },
      encoding: onsetEnc,
    });
  }
  // Boundaries as rules over the full height (drawn in the c0 field so they share the x scale).
  const bounds = (opts.boundaries ?? []).filter((b) => b.c > 0 && finite(b.c)).map((b) => ({ c0: b.c, label: b.label }));
  if (bounds.length > 0) {
    layers.push(
      { data: { values: bounds }, mark: { type: 'rule', strokeDash: [5, 4], color: '#222', strokeWidth: 1.4 }, encoding: { x: { field: 'c0', type: 'quantitative' } } },
      ...haloText(bounds, BOUNDARY_LABEL_MARK, '#111', {
        x: { field: 'c0', type: 'quantitative' },
        y: { value: BOUNDARY_LABEL_TOP },
        text: { field: 'label' },
      }),
    );
  }
  return top({ width: opts.width ?? 440, height: opts.height ?? 260, layer: layers }, opts.title, opts.subtitle);
}

// ---------------------------------------------------------------------------------------------
// Bifurcation diagram

export interface BifurcationOptions {
  /** Which late-time state to draw; default 'lambda'. */
  field?: 'f' | 'lambda';
  boundaries?: readonly Boundary[];
  /** Log c axis (default false: the interesting range is narrow). */
  xLog?: boolean;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

/** Late-time states (f or λ) against c (theory §9), one small dot per recorded state. */
export function bifurcationSpec(points: readonly { c: number; f?: number; lambda?: number }[], opts: BifurcationOptions = {}): VegaLiteSpec {
  const which = opts.field ?? 'lambda';
  // A periodic orbit revisits the same states: keep one dot per (c, value to 5 digits).
  const seen = new Set<string>();
  const values: { c: number; value: number }[] = [];
  for (const p of points) {
    const v = num(p[which]);
    if (!finite(v) || !finite(p.c) || (opts.xLog && !(p.c > 0))) continue;
    const key = `${p.c}|${v.toPrecision(5)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    values.push({ c: p.c, value: v });
  }
  const x = {
    field: 'c',
    type: 'quantitative',
    scale: opts.xLog ? { type: 'log' } : { zero: false },
    axis: { title: opts.xLog ? C_TITLE : 'c = ηλ₀/2', format: '~g' },
  };
  const bounds = boundaryLayers(opts.boundaries ?? []);
  const layers: VegaLiteSpec[] = [
    ...bounds.rules,
    {
      data: { values },
      mark: { type: 'circle', size: 5, opacity: 0.6, color: INK, clip: true },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, axis: { title: which === 'f' ? 'late-time output f' : 'late-time curvature λ', format: '.4~g' } },
      },
    },
    ...bounds.labels,
  ];
  return top({ width: opts.width ?? 460, height: opts.height ?? 280, layer: layers }, opts.title, opts.subtitle);
}
