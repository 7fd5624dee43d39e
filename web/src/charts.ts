/**
 * Charts on uPlot (a small, fast canvas library made for streaming series). Redraws are batched
 * into one requestAnimationFrame, so the main thread never does more than a frame's worth of work.
 */
import uPlot from 'uplot';

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
  /** extra drawing in the plot area (canvas pixels) */
  draw?: (u: uPlot) => void;
  /** fixed y range */
  yRange?: [number, number];
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

function drawRefLines(u: uPlot, spec: ChartSpec): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const px = uPlot.pxRatio;
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  for (const h of spec.hLines ?? []) {
    const y = u.valToPos(h.y, 'y', true);
    if (!(y >= top && y <= top + height)) continue;
    ctx.strokeStyle = h.color;
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = h.color;
    ctx.textAlign = 'right';
    ctx.fillText(h.label, left + width - 4 * px, y + 13 * px);
  }
  for (const [k, v] of (spec.vLines ?? []).entries()) {
    const x = u.valToPos(v.x, 'x', true);
    if (!(x >= left && x <= left + width)) continue;
    ctx.strokeStyle = v.color;
    ctx.lineWidth = 1.2 * px;
    ctx.setLineDash([4 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = v.color;
    const right = x + 3 * px + ctx.measureText(v.label).width > left + width;
    ctx.textAlign = right ? 'right' : 'left';
    // alternate bottom / top so that neighbouring labels do not overlap
    ctx.fillText(v.label, right ? x - 3 * px : x + 3 * px, k % 2 === 0 ? top + height - 5 * px : top + 12 * px);
  }
  ctx.restore();
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
    const series: uPlot.Series[] = [
      { label: spec.xLabel, value: (_u, v) => fmtNum(v) },
      ...spec.series.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: s.stroke,
          width: s.width ?? 1.6,
          dash: s.dash,
          spanGaps: s.spanGaps ?? false,
          show: s.show ?? true,
          value: (_u, v) => fmtNum(v),
          ...(s.points ? { paths: () => null, points: { show: true, size: 9, width: 1, stroke: '#fff', fill: s.stroke } } : { points: { show: false } }),
        }),
      ),
    ];
    const opts: uPlot.Options = {
      ...this.size(),
      series,
      scales: {
        // exactly the data's extent (uPlot's log scales would otherwise snap to powers of 10)
        x: { time: false, distr: spec.xLog ? 3 : 1, range: (_u, min, max) => (min === max || min === null || max === null ? [min ?? 0, (max ?? 0) + 1] : [min, max]) },
        y: spec.yRange ? { distr: spec.yLog ? 3 : 1, range: spec.yRange } : { distr: spec.yLog ? 3 : 1 },
      },
      axes: [
        { ...AXIS, label: spec.xLabel, size: 36, labelSize: 18, values: axisValues },
        { ...AXIS, label: spec.yLabel, size: 56, labelSize: 18, values: axisValues },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      hooks: {
        draw: [
          (u) => {
            this.spec.draw?.(u);
            drawRefLines(u, this.spec);
          },
        ],
      },
    };
    this.u = new uPlot(opts, data, this.body);
    this.redraws++;
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

  /** The chart as a PNG: title, legend and the plot, on white. */
  async toPng(): Promise<Blob> {
    const u = this.u;
    if (!u) throw new Error('no chart');
    const px = uPlot.pxRatio;
    const src = u.ctx.canvas;
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
    u.series.forEach((s, i) => {
      if (i === 0 || !s.show) return;
      const label = String(s.label ?? '');
      g.strokeStyle = typeof s.stroke === 'function' ? '#000' : String(s.stroke ?? '#000');
      g.lineWidth = 2 * px;
      g.beginPath();
      g.moveTo(x, 35 * px);
      g.lineTo(x + 16 * px, 35 * px);
      g.stroke();
      g.fillStyle = '#374151';
      g.fillText(label, x + 20 * px, 39 * px);
      x += 28 * px + g.measureText(label).width;
    });
    g.drawImage(src, 0, head);
    return await new Promise<Blob>((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png'));
  }

  async downloadPng(): Promise<void> {
    const blob = await this.toPng();
    download(blob, `${this.spec.title.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'chart'}.png`);
  }
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
