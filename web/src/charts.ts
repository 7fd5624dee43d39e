/**
 * Charts on uPlot (a small, fast canvas library made for streaming series). Redraws are batched
 * into one requestAnimationFrame, so the main thread never does more than a frame's worth of work.
 */
import uPlot from 'uplot';
import { LABEL_MARGIN, placeRefLabels } from './refLabels.ts';
import { includeRange } from './axisRanges.ts';

export const COLORS = {
  loss: '#2563eb',
  testLoss: '#0891b2',
  lambda: '#16a34a',
  etaS: '#dc2626',
  etaLambda: '#9333ea',
  theory: 'rgba(17, 24, 39, 0.22)',
  theoryLine: '#374151',
  imported: '#f59e0b',
  lazy: '#2563eb',
  catapult: '#ea580c',
  divergent: '#dc2626',
  grid: '#e5e7eb',
  axis: '#4b5563',
};

export type Values = (number | null)[];

/**
 * One shared redraw clock for the whole page: updates are coalesced and applied together in one
 * animation frame at most every REDRAW_MS, so streaming never floods the main thread (or, in
 * software rendering, the compositor) with frames.
 */
export const REDRAW_MS = 100;
const pendingDraws = new Map<object, () => void>();
let drawTimer = 0;
let drawFrame = 0;
let lastDraw = -Infinity;

export function scheduleDraw(key: object, fn: () => void): void {
  pendingDraws.set(key, fn);
  if (drawTimer || drawFrame) return;
  const wait = Math.max(0, lastDraw + REDRAW_MS - performance.now());
  drawTimer = window.setTimeout(() => {
    drawTimer = 0;
    drawFrame = requestAnimationFrame(() => {
      drawFrame = 0;
      lastDraw = performance.now();
      const fns = Array.from(pendingDraws.values());
      pendingDraws.clear();
      for (const f of fns) f();
    });
  }, wait);
}

export function cancelDraw(key: object): void {
  pendingDraws.delete(key);
}

export interface SeriesSpec {
  label: string;
  stroke: string;
  width?: number;
  dash?: number[];
  /** points only (no line) */
  points?: boolean;
  /** connect across nulls (curvature is measured every k steps) */
  spanGaps?: boolean;
  show?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  /** horizontal reference lines */
  hLines?: { y: number; label: string; color: string }[];
  /** vertical reference lines (x values) */
  vLines?: { x: number; label: string; color: string }[];
  series: SeriesSpec[];
  /** extra drawing in the plot area (canvas pixels; `px` canvas pixels per CSS pixel) */
  draw?: (u: uPlot, px: number) => void;
  /** fixed y range */
  yRange?: [number, number];
  /** values the y range always includes (e.g. λ/λ0 = 1 and 0, η·S = 2), so a tiny change does not fill the chart */
  yInclude?: number[];
  /** plot height in CSS pixels (the legend comes below); default 230 */
  height?: number;
}

const AXIS = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1 }, font: '11px system-ui, sans-serif', labelFont: '12px system-ui, sans-serif' };

function fmtNum(v: number | null): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
  return Number(v.toPrecision(5)).toString();
}

/** Axis tick labels: compact (1e+8 rather than 100,000,000). */
function axisValues(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => {
    if (v === null || v === undefined) return '';
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(a >= 1e5 && Number.isInteger(Math.log10(a)) ? 0 : 1).replace('e+', 'e');
    return String(Number(v.toPrecision(6)));
  });
}

function drawRefLines(u: uPlot, spec: ChartSpec, px: number): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  const hs = (spec.hLines ?? []).map((h) => ({ ...h, pos: u.valToPos(h.y, 'y', true) }));
  const vs = (spec.vLines ?? []).map((v) => ({ ...v, pos: u.valToPos(v.x, 'x', true) }));
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (const h of hs) {
    ctx.strokeStyle = h.color;
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(left, h.pos);
    ctx.lineTo(left + width, h.pos);
    ctx.stroke();
  }
  for (const v of vs) {
    ctx.strokeStyle = v.color;
    ctx.lineWidth = 1.2 * px;
    ctx.setLineDash([4 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(v.pos, top);
    ctx.lineTo(v.pos, top + height);
    ctx.stroke();
  }
  ctx.restore();
  // labels outside the plot area (refLabels.ts), never over the data
  const colorOf = new Map<string, string>([...hs, ...vs].map((l) => [l.label, l.color]));
  const placed = placeRefLabels(
    u.bbox,
    hs.map((h) => ({ y: h.pos, text: h.label })),
    vs.map((v) => ({ x: v.pos, text: v.label })),
    (t) => ctx.measureText(t).width,
    px,
  );
  ctx.textAlign = 'left';
  for (const l of placed) {
    ctx.fillStyle = colorOf.get(l.text) ?? COLORS.axis;
    ctx.fillText(l.text, l.x, l.y);
  }
  ctx.restore();
}

/** The last finite value of a series at or before index `idx` (the end when idx is null). */
function lastValue(values: ArrayLike<number | null | undefined> | undefined, idx: number | null): number | null {
  if (!values) return null;
  for (let i = idx ?? values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}

/** One uPlot chart in a card, with batched redraws and PNG export. */
export class Chart {
  readonly el: HTMLElement;
  readonly body: HTMLElement;
  u: uPlot | null = null;
  spec: ChartSpec;
  private data: uPlot.AlignedData = [[]];
  redraws = 0;
  private ro: ResizeObserver;

  constructor(parent: HTMLElement, spec: ChartSpec, id: string) {
    this.spec = spec;
    this.el = document.createElement('section');
    this.el.className = 'card chart';
    this.el.id = id;
    const head = document.createElement('header');
    const h = document.createElement('h3');
    h.textContent = spec.title;
    const png = document.createElement('button');
    png.className = 'ghost small';
    png.textContent = 'PNG';
    png.title = 'Download this chart as PNG';
    png.dataset.action = 'png';
    png.addEventListener('click', () => void this.downloadPng());
    head.append(h, png);
    this.body = document.createElement('div');
    this.body.className = 'plot';
    this.el.append(head, this.body);
    parent.append(this.el);
    this.ro = new ResizeObserver(() => this.resize());
    this.ro.observe(this.body);
  }

  get title(): string {
    return this.spec.title;
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, Math.floor(this.body.clientWidth)), height: this.spec.height ?? 230 };
  }

  private resize(): void {
    if (!this.u) return;
    const s = this.size();
    if (s.width !== this.u.width || s.height !== this.u.height) this.u.setSize(s);
  }

  private pendingSetup = 0;

  /**
   * (Re)build the chart in a task of its own, `delay` ms from now (building a uPlot takes a few ms;
   * spreading the charts of a run over separate tasks keeps every main-thread task short).
   * Data given to update() meanwhile is used when it is built.
   */
  setupSoon(spec: ChartSpec, data: uPlot.AlignedData, delay = 0): void {
    clearTimeout(this.pendingSetup);
    cancelDraw(this);
    this.spec = spec;
    this.data = data;
    this.pendingSetup = window.setTimeout(() => {
      this.pendingSetup = 0;
      this.setup(this.spec, this.data);
    }, delay);
  }

  /** (Re)build the chart for a new series layout and x values, now. */
  setup(spec: ChartSpec, data: uPlot.AlignedData): void {
    clearTimeout(this.pendingSetup);
    this.pendingSetup = 0;
    cancelDraw(this);
    this.spec = spec;
    (this.el.querySelector('h3') as HTMLElement).textContent = spec.title;
    this.u?.destroy();
    this.data = data;
    this.u = new uPlot(this.options(spec, this.size(), 1), data, this.body);
    this.redraws++;
    this.onSetup?.(this.u);
  }

  /** Called after every (re)build, e.g. to attach listeners to the new plot. */
  onSetup: ((u: uPlot) => void) | null = null;

  /**
   * uPlot options for `spec` at CSS size `size`, with every length (fonts, lines, points,
   * margins) times `k`: k = 1 on the page, k > 1 for a high-resolution PNG.
   */
  private options(spec: ChartSpec, size: { width: number; height: number }, k: number): uPlot.Options {
    const px = uPlot.pxRatio * k;
    const font = (f: string) => f.replace(/(\d+)px/, (_, n: string) => `${Number(n) * k}px`);
    const axis = { ...AXIS, font: font(AXIS.font), labelFont: font(AXIS.labelFont), grid: { ...AXIS.grid, width: k }, ticks: { ...AXIS.ticks, width: k, size: 10 * k } };
    // legends show the value under the cursor, or the last value when the cursor is elsewhere
    const value = (u: uPlot, v: number | null, sidx: number, idx: number | null) => fmtNum(v ?? lastValue(u.data[sidx] as Values | undefined, idx));
    const series: uPlot.Series[] = [
      { label: spec.xLabel, value },
      ...spec.series.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: s.stroke,
          width: (s.width ?? 1.6) * k,
          dash: s.dash?.map((x) => x * k),
          spanGaps: s.spanGaps ?? false,
          show: s.show ?? true,
          value,
          ...(s.points ? { paths: () => null, points: { show: true, size: 9 * k, width: k, stroke: '#fff', fill: s.stroke } } : { points: { show: false } }),
        }),
      ),
    ];
    const include = spec.yInclude ?? [];
    return {
      ...size,
      series,
      padding: [(spec.vLines?.length ? LABEL_MARGIN.top : 10) * k, (spec.hLines?.length ? LABEL_MARGIN.right : 14) * k, null, null] as uPlot.Padding,
      scales: {
        // exactly the data's extent (uPlot's log scales would otherwise snap to powers of 10), or the zoom the page set
        x: {
          time: false,
          distr: spec.xLog ? 3 : 1,
          range: (_u, min, max) => this.xRange ?? (min === max || min === null || max === null ? [min ?? 0, (max ?? 0) + 1] : [min, max]),
        },
        y: spec.yRange
          ? { distr: spec.yLog ? 3 : 1, range: spec.yRange }
          : include.length
            ? { distr: spec.yLog ? 3 : 1, range: (_u, min, max) => includeRange(min, max, include) }
            : { distr: spec.yLog ? 3 : 1 },
      },
      axes: [
        { ...axis, label: spec.xLabel, size: 36 * k, labelSize: 18 * k, gap: 5 * k, values: axisValues },
        { ...axis, label: spec.yLabel, size: 56 * k, labelSize: 18 * k, gap: 5 * k, values: axisValues },
      ],
      legend: { live: true, show: k === 1 },
      cursor: { drag: { x: true, y: false }, show: k === 1 },
      hooks: {
        draw: [
          (u) => {
            this.spec.draw?.(u, px);
            drawRefLines(u, this.spec, px);
          },
        ],
      },
    };
  }

  /** x range the page zoomed to (null: all of the data); drag-to-zoom and double-click still work. */
  xRange: [number, number] | null = null;

  setXRange(range: [number, number] | null): void {
    this.xRange = range;
    const u = this.u;
    if (!u) return;
    const xs = u.data[0];
    if (range) u.setScale('x', { min: range[0], max: range[1] });
    else if (xs.length) u.setScale('x', { min: xs[0]!, max: xs[xs.length - 1]! });
  }

  /** Replace the data; drawn at the page's next redraw tick (updates in between coalesce). */
  update(data: uPlot.AlignedData): void {
    this.data = data;
    if (this.pendingSetup) return;
    scheduleDraw(this, () => {
      this.u?.setData(this.data);
      this.redraws++;
    });
  }

  /** Redraw now (e.g. after a run ends). */
  flush(): void {
    cancelDraw(this);
    if (this.pendingSetup) return;
    this.u?.setData(this.data);
    this.redraws++;
  }

  /** Number of non-null values of series k (1-based as in uPlot). */
  count(k: number): number {
    const s = this.data[k] as Values | undefined;
    if (!s) return 0;
    let n = 0;
    for (const v of s) if (v !== null && v !== undefined && Number.isFinite(v)) n++;
    return n;
  }

  /**
   * The chart as a PNG at twice its on-screen size (drawn again at that resolution, not scaled
   * up): title, a legend in the series' own colours, and the plot, on white.
   */
  async toPng(scale = 2): Promise<Blob> {
    const u = this.u;
    if (!u) throw new Error('no chart');
    const k = scale / uPlot.pxRatio;
    const px = uPlot.pxRatio * k;
    const holder = document.createElement('div');
    holder.style.cssText = 'position:absolute;left:-100000px;top:0';
    document.body.append(holder);
    const big = new uPlot(this.options(this.spec, { width: u.width * k, height: u.height * k }, k), this.data, holder);
    // keep the series the user hid in the legend hidden
    u.series.forEach((s, i) => i > 0 && !s.show && big.setSeries(i, { show: false }));
    // uPlot sizes and draws in a microtask after construction
    await new Promise((r) => setTimeout(r, 0));
    const src = big.ctx.canvas;
    const head = 46 * px;
    const c = document.createElement('canvas');
    c.width = src.width;
    c.height = src.height + head;
    const g = c.getContext('2d')!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, c.width, c.height);
    g.fillStyle = '#111827';
    g.font = `600 ${14 * px}px system-ui, sans-serif`;
    g.fillText(this.spec.title, 10 * px, 18 * px);
    g.font = `${11 * px}px system-ui, sans-serif`;
    let x = 10 * px;
    this.spec.series.forEach((s, i) => {
      if (!u.series[i + 1]?.show) return;
      g.strokeStyle = s.stroke;
      g.fillStyle = s.stroke;
      g.lineWidth = 3 * px;
      if (s.points) {
        g.beginPath();
        g.arc(x + 8 * px, 35 * px, 4.5 * px, 0, 2 * Math.PI);
        g.fill();
      } else {
        g.setLineDash((s.dash ?? []).map((d) => d * px));
        g.beginPath();
        g.moveTo(x, 35 * px);
        g.lineTo(x + 16 * px, 35 * px);
        g.stroke();
        g.setLineDash([]);
      }
      g.fillStyle = '#374151';
      g.fillText(s.label, x + 20 * px, 39 * px);
      x += 28 * px + g.measureText(s.label).width;
    });
    g.drawImage(src, 0, head);
    big.destroy();
    holder.remove();
    return await new Promise<Blob>((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png'));
  }

  async downloadPng(): Promise<void> {
    const blob = await this.toPng();
    download(blob, `${this.spec.title.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'chart'}.png`);
  }
}

/** A chart with no data yet (the page fills it when a run starts). */
export function emptySpec(title: string): ChartSpec {
  return { title, xLabel: 'step', yLabel: '', series: [] };
}

export function download(data: Blob | string, name: string, type = 'text/plain'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Sorted union of numeric arrays (for aligning series on one x axis). */
export function unionSorted(...lists: ArrayLike<number>[]): number[] {
  const set = new Set<number>();
  for (const l of lists) for (let i = 0; i < l.length; i++) set.add(l[i]!);
  return [...set].sort((a, b) => a - b);
}

export function nulls(n: number): Values {
  return new Array<number | null>(n).fill(null);
}

export { uPlot };
