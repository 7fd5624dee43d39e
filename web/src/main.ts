/**
 * The explorer page: one state object (state.ts) mirrored in the URL hash; training, sweeps and the
 * theory recursion run in Web Workers (worker.ts) on the same core as the CLI; charts are uPlot.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { classifyPhase, METRIC_COLUMNS, type MetricRow, type Phase, type RunSummary } from '../../src/index.ts';
import { gridOnsets, type Onset } from '../../src/experiments/onsets.ts';
import { Chart, COLORS, download, nulls, scheduleDraw, unionSorted, uPlot, type ChartSpec, type SeriesSpec, type Values } from './charts.ts';
import { PHASES, type RunDone, type RunRows, type RunStarted, type TheoryDone, type WorkerMessage, type WorkerRequest } from './protocol.ts';
import { cleanImportedConfig, parseRunFiles, rowsFromPacked, runToCsv, runToJson, type ImportedRun } from './runFiles.ts';
import {
  cGrid,
  DEFAULT_STATE,
  FIELDS,
  parseField,
  resolveState,
  stateFromHash,
  stateProblems,
  stateToHash,
  stateToRunInput,
  type ExplorerState,
} from './state.ts';

// ---------------------------------------------------------------------------------------------
// workers

let nextId = 1;
type Handler = (msg: WorkerMessage) => void;

class WorkerClient {
  private readonly w: Worker;
  private readonly handlers = new Map<number, Handler>();
  constructor() {
    this.w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const h = this.handlers.get(e.data.id);
      if (!h) return;
      if (e.data.type === 'done' || e.data.type === 'error' || e.data.type === 'theory-done') this.handlers.delete(e.data.id);
      h(e.data);
    };
    this.w.onerror = (e) => {
      for (const [id, h] of this.handlers) h({ type: 'error', id, message: e.message || 'worker error' });
      this.handlers.clear();
    };
  }
  send(req: WorkerRequest, handler: Handler): void {
    if (req.type !== 'stop') this.handlers.set(req.id, handler);
    this.w.postMessage(req);
  }
  forget(id: number): void {
    this.handlers.delete(id);
  }
  get busy(): boolean {
    return this.handlers.size > 0;
  }
  terminate(): void {
    this.w.terminate();
    this.handlers.clear();
  }
}

const dataUrl = new URL('data/', document.baseURI).href;
let liveWorker: WorkerClient | null = null;
let theoryWorker: WorkerClient | null = null;
const live = (): WorkerClient => (liveWorker ??= new WorkerClient());
const theoryW = (): WorkerClient => (theoryWorker ??= new WorkerClient());

// ---------------------------------------------------------------------------------------------
// state <-> URL <-> controls

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => document.querySelector(sel) as T;
const $$ = <T extends HTMLElement = HTMLElement>(sel: string): T[] => Array.from(document.querySelectorAll(sel)) as T[];

const initial = stateFromHash(location.hash);
let state: ExplorerState = initial.state;
const TRAINING_KEYS = new Set<keyof ExplorerState>(['data', 'p', 'm', 'd', 'noise', 'sep', 'depth', 'width', 'loss', 'c', 'steps', 'seed', 'every', 'curv', 'dense']);
const THEORY_KEYS = new Set<keyof ExplorerState>(['data', 'p', 'm', 'd', 'width', 'loss', 'seed', 'tmin', 'tmax', 'tn', 'tsteps', 'bvar', 'cscale']);

function writeUrl(): void {
  const hash = stateToHash(state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function roundC(c: number): number {
  return Number(c.toPrecision(3));
}

function syncControls(): void {
  for (const el of $$<HTMLInputElement | HTMLSelectElement>('[data-key]')) {
    const key = el.dataset.key as keyof ExplorerState;
    if (document.activeElement === el && el instanceof HTMLInputElement && el.type === 'number') continue;
    el.value = String(state[key]);
    el.classList.remove('bad');
  }
  const range = $<HTMLInputElement>('#c-range');
  if (document.activeElement !== range) range.value = String(Math.log10(state.c));
  for (const el of $$('[data-show]')) el.hidden = !(el.dataset.show ?? '').split(' ').includes(state.data);
  for (const el of $$('[data-mode-only]')) el.hidden = el.dataset.modeOnly !== state.mode;
  for (const b of $$('[data-mode]')) b.setAttribute('aria-selected', String(b.dataset.mode === state.mode));
  const dataHint: Record<string, string> = {
    degenerate: 'Every input is ±x, x = (1,…,1): the exact two-float recursion applies (uv net). p ∈ {0, 1} is separable.',
    gaussian: 'x ~ N(0, I), y = sign(w·x); label noise > 0 makes the data non-separable, 0 separable.',
    'two-gaussians': 'Two overlapping Gaussian classes: non-separable for large m.',
    mnist: 'MNIST digits 3 (+1) vs 8 (−1): 500 training and 200 test images, prepared at build time; d = 784.',
  };
  $('#data-hint').textContent = dataHint[state.data] ?? '';
  $('#problems').textContent = stateProblems(state).join('\n');
  $('#run').textContent = state.mode === 'sweep' ? (sweep?.running ? 'Stop' : 'Run sweep') : state.mode === 'theory' ? 'Compute' : liveRun && !liveRun.finished ? 'Stop' : 'Run';
  $('#run').classList.toggle('running', (state.mode === 'single' && !!liveRun && !liveRun.finished) || (state.mode === 'sweep' && !!sweep?.running));
}

let runTimer = 0;
let theoryTimer = 0;

function setState(patch: Partial<ExplorerState>, opts: { autorun?: boolean; delay?: number } = {}): void {
  const changed = (Object.keys(patch) as (keyof ExplorerState)[]).filter((k) => patch[k] !== undefined && patch[k] !== state[k]);
  state = { ...state, ...patch };
  writeUrl();
  syncControls();
  if (changed.includes('mode')) showMode();
  const autorun = opts.autorun ?? true;
  if (!autorun) return;
  if (state.mode === 'single' && changed.some((k) => TRAINING_KEYS.has(k))) {
    clearTimeout(runTimer);
    runTimer = window.setTimeout(() => startRun(), opts.delay ?? 120);
  }
  if (state.mode === 'theory' && changed.some((k) => THEORY_KEYS.has(k))) {
    clearTimeout(theoryTimer);
    theoryTimer = window.setTimeout(() => startTheory(), opts.delay ?? 150);
  }
  if (state.mode === 'sweep' && changed.some((k) => TRAINING_KEYS.has(k) && k !== 'c')) markSweepStale();
}

function bindControls(): void {
  for (const el of $$<HTMLInputElement | HTMLSelectElement>('[data-key]')) {
    const key = el.dataset.key as keyof ExplorerState;
    const apply = (final: boolean) => {
      const v = parseField(key, el.value);
      if (v === undefined) {
        el.classList.add('bad');
        return;
      }
      el.classList.remove('bad');
      setState({ [key]: v } as Partial<ExplorerState>, { delay: final ? 0 : 300 });
    };
    if (el instanceof HTMLSelectElement) el.addEventListener('change', () => apply(true));
    else {
      el.addEventListener('input', () => apply(false));
      el.addEventListener('change', () => apply(true));
    }
  }
  const range = $<HTMLInputElement>('#c-range');
  range.addEventListener('input', () => setState({ c: roundC(10 ** Number(range.value)) }, { delay: 40 }));
  for (const b of $$('[data-mode]')) b.addEventListener('click', () => setState({ mode: b.dataset.mode as ExplorerState['mode'] }));
  $('#run').addEventListener('click', () => {
    if (state.mode === 'single') {
      if (liveRun && !liveRun.finished) stopRun();
      else startRun();
    } else if (state.mode === 'sweep') {
      if (sweep?.running) stopSweep();
      else startSweep();
    } else startTheory();
  });
  $('#share').addEventListener('click', () => {
    writeUrl();
    const btn = $('#share');
    void navigator.clipboard?.writeText(location.href).then(
      () => flash(btn, 'Copied!'),
      () => flash(btn, 'Link in the address bar'),
    );
  });
  $('#export-json').addEventListener('click', () => exportRun('json'));
  $('#export-csv').addEventListener('click', () => exportRun('csv'));
  $<HTMLInputElement>('#import').addEventListener('change', (e) => void importFiles((e.target as HTMLInputElement).files));
  window.addEventListener('hashchange', () => {
    const next = stateFromHash(location.hash).state;
    if (stateToHash(next) !== stateToHash(state)) {
      const modeChanged = next.mode !== state.mode;
      state = next;
      syncControls();
      if (modeChanged) showMode();
      if (state.mode === 'single') startRun();
      if (state.mode === 'theory') startTheory();
    }
  });
}

function flash(el: HTMLElement, text: string): void {
  const old = el.textContent;
  el.textContent = text;
  setTimeout(() => (el.textContent = old), 1200);
}

// ---------------------------------------------------------------------------------------------
// status bar

function setBadge(phase: Phase | '', final: boolean, note: string): void {
  const b = $('#phase');
  b.textContent = phase || '–';
  b.dataset.phase = phase;
  b.dataset.final = String(final);
  $('#phase-note').textContent = note;
}

function setStats(items: [string, string][]): void {
  const dl = $('#stats');
  dl.replaceChildren(
    ...items.map(([k, v]) => {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      div.append(dt, dd);
      return div;
    }),
  );
}

function setProgress(frac: number): void {
  $('#progress-bar').style.width = `${Math.max(0, Math.min(1, frac)) * 100}%`;
}

const fmt = (v: number | null | undefined, digits = 4): string => {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
};

// ---------------------------------------------------------------------------------------------
// live run

const charts = {
  loss: new Chart($('#chart-loss'), emptySpec('Training loss'), 'loss-chart'),
  lambda: new Chart($('#chart-lambda'), emptySpec('NTK curvature λ'), 'lambda-chart'),
  etaS: new Chart($('#chart-etas'), emptySpec('η·S (edge of stability at 2)'), 'etas-chart'),
};

function emptySpec(title: string): ChartSpec {
  return { title, xLabel: 'step', yLabel: '', series: [] };
}

interface LiveRun {
  id: number;
  state: ExplorerState;
  started: RunStarted | null;
  rows: MetricRow[];
  x: number[];
  index: Map<number, number>;
  s: Record<string, Values>;
  lossMax: number;
  lambdaLast: number;
  t0: number;
  tStart: number;
  messages: number;
  done: RunDone | null;
  finished: boolean;
  error: string | null;
  wallMs: number;
  resolve: ((r: LiveRun) => void)[];
}

let liveRun: LiveRun | null = null;
let overlay: ImportedRun | null = null;

/** Steps at which the trainer records a row: t < denseUntil or t ≡ 0 (mod every), and the last. */
function recordSteps(T: number, every: number, dense: number): number[] {
  const out: number[] = [];
  for (let t = 0; t <= T; t++) if (t < dense || t % every === 0) out.push(t);
  if (out[out.length - 1] !== T) out.push(T);
  return out;
}

const SERIES_KEYS = ['loss', 'testLoss', 'lambda', 'etaS', 'etaLambda', 'thLoss', 'thLambda', 'thEtaS', 'impLoss', 'impLambda', 'impEtaS'] as const;

const pos = (v: number): number | null => (Number.isFinite(v) && v > 0 ? v : null);
const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

function putRow(run: LiveRun, i: number, r: MetricRow): void {
  run.s.loss![i] = pos(r.loss);
  run.s.testLoss![i] = pos(r.testLoss);
  run.s.lambda![i] = fin(r.lambda);
  run.s.etaS![i] = fin(r.etaSharpness);
  run.s.etaLambda![i] = fin(r.etaLambda);
}

/** Align everything (trainer rows, theory, overlay) on one x axis of steps. */
function realign(run: LiveRun): void {
  const st = run.started;
  // a diverged run ends early: the x axis then ends where it did
  const sum = run.done?.summary;
  const T = sum && sum.status === 'diverged' ? sum.steps : st ? (st.resolved as { steps: number }).steps : run.state.steps;
  const planned = recordSteps(T, run.state.every, run.state.dense);
  const imp = overlay?.rows ?? [];
  run.x = unionSorted(planned, run.rows.map((r) => r.step), imp.map((r) => r.step));
  run.index = new Map(run.x.map((t, i) => [t, i]));
  const n = run.x.length;
  run.s = Object.fromEntries(SERIES_KEYS.map((k) => [k, nulls(n)]));
  run.rows.forEach((r) => putRow(run, run.index.get(r.step)!, r));
  const th = st?.theory;
  if (th) {
    const L = th.loss.length;
    const converged = th.status === 'converged';
    run.x.forEach((t, i) => {
      const k = t < L ? t : converged ? L - 1 : -1;
      if (k < 0) return;
      run.s.thLoss![i] = pos(th.loss[k]!);
      run.s.thLambda![i] = fin(th.lambda[k]!);
      run.s.thEtaS![i] = fin(th.etaSharpness[k]!);
    });
  }
  for (const r of imp) {
    const i = run.index.get(r.step)!;
    run.s.impLoss![i] = pos(r.loss);
    run.s.impLambda![i] = fin(r.lambda);
    run.s.impEtaS![i] = fin(r.etaSharpness);
  }
}

function liveSpecs(run: LiveRun): { loss: [ChartSpec, Values[]]; lambda: [ChartSpec, Values[]]; etaS: [ChartSpec, Values[]] } {
  const th = !!run.started?.theory;
  const imp = !!overlay;
  const hasTest = run.state.data === 'mnist';
  const s = run.s;
  const pick = (list: [SeriesSpec, Values, boolean][]) => {
    const on = list.filter((e) => e[2]);
    return { series: on.map((e) => e[0]), data: on.map((e) => e[1]) };
  };
  const impName = overlay ? `imported (${overlay.name.length > 24 ? overlay.name.slice(0, 22) + '…' : overlay.name})` : '';
  // theory first (drawn underneath, wide and pale), the network on top
  const theory = (label: string): SeriesSpec => ({ label, stroke: COLORS.theory, width: 5 });
  const loss = pick([
    [theory('theory'), s.thLoss!, th],
    [{ label: 'loss', stroke: COLORS.loss, width: 1.5 }, s.loss!, true],
    [{ label: 'test loss', stroke: COLORS.testLoss, width: 1.5 }, s.testLoss!, hasTest],
    [{ label: impName, stroke: COLORS.imported, width: 1.4 }, s.impLoss!, imp],
  ]);
  const lambda = pick([
    [theory('theory λ'), s.thLambda!, th],
    [{ label: 'λ', stroke: COLORS.lambda, width: 2, spanGaps: true }, s.lambda!, true],
    [{ label: impName, stroke: COLORS.imported, width: 1.4, spanGaps: true }, s.impLambda!, imp],
  ]);
  const etaS = pick([
    [theory('theory η·S'), s.thEtaS!, th],
    [{ label: 'η·S', stroke: COLORS.etaS, width: 1.5, spanGaps: true }, s.etaS!, true],
    // η·λ = η·S for the squared loss; for the logistic loss it is ~4× larger: off by default (click the legend)
    [{ label: 'η·λ', stroke: COLORS.etaLambda, width: 1.3, spanGaps: true, show: run.state.loss === 'squared' }, s.etaLambda!, true],
    [{ label: impName, stroke: COLORS.imported, width: 1.4, spanGaps: true }, s.impEtaS!, imp],
  ]);
  return {
    loss: [{ title: 'Training loss', xLabel: 'step', yLabel: 'loss', yLog: true, series: loss.series }, loss.data],
    lambda: [{ title: 'NTK curvature λ', xLabel: 'step', yLabel: 'λ', series: lambda.series }, lambda.data],
    etaS: [
      {
        title: 'η·S — sharpness × learning rate',
        xLabel: 'step',
        yLabel: 'η·S',
        hLines: [{ y: 2, label: 'η·S = 2', color: '#6b7280' }],
        series: etaS.series,
      },
      etaS.data,
    ],
  };
}

function setupLiveCharts(run: LiveRun): void {
  const specs = liveSpecs(run);
  (['loss', 'lambda', 'etaS'] as const).forEach((k, i) => {
    const [spec, data] = specs[k];
    charts[k].setupSoon(spec, [run.x, ...data] as uPlot.AlignedData, i);
  });
}

function updateLiveCharts(run: LiveRun): void {
  const specs = liveSpecs(run);
  for (const k of ['loss', 'lambda', 'etaS'] as const) charts[k].update([run.x, ...specs[k][1]] as uPlot.AlignedData);
}

function stopRun(): void {
  const r = liveRun;
  if (r && !r.finished) {
    live().send({ type: 'stop', id: r.id }, () => {});
    live().forget(r.id);
    r.error = 'stopped';
    finishLive(r, null);
    setBadge('', false, 'stopped');
  }
}

function finishLive(run: LiveRun, done: RunDone | null): void {
  run.done = done;
  run.finished = true;
  run.wallMs = performance.now() - run.tStart;
  for (const k of ['loss', 'lambda', 'etaS'] as const) charts[k].flush();
  syncControls();
  for (const r of run.resolve) r(run);
  run.resolve = [];
}

function startRun(): Promise<LiveRun> {
  clearTimeout(runTimer);
  if (liveRun && !liveRun.finished) {
    live().send({ type: 'stop', id: liveRun.id }, () => {});
    live().forget(liveRun.id);
  }
  const problems = stateProblems(state);
  if (problems.length) {
    setBadge('', false, 'invalid setting');
    return Promise.reject(new Error(problems.join('; ')));
  }
  const run: LiveRun = {
    id: nextId++,
    state: { ...state },
    started: null,
    rows: [],
    x: [],
    index: new Map(),
    s: {},
    lossMax: -Infinity,
    lambdaLast: NaN,
    t0: performance.now(),
    tStart: NaN,
    messages: 0,
    done: null,
    finished: false,
    error: null,
    wallMs: NaN,
    resolve: [],
  };
  liveRun = run;
  setBadge('', false, 'starting…');
  setProgress(0);
  syncControls();
  const promise = new Promise<LiveRun>((resolve) => run.resolve.push(resolve));
  live().send(
    { type: 'run', id: run.id, config: stateToRunInput(run.state), stream: true, withTheory: true, dataUrl, chunkMs: 25 },
    (msg) => {
      if (liveRun !== run) return;
      run.messages++;
      if (msg.type === 'start') onStart(run, msg);
      else if (msg.type === 'rows') onRows(run, msg);
      else if (msg.type === 'done') onDone(run, msg);
      else if (msg.type === 'error') {
        run.error = msg.message;
        setBadge('', false, 'error');
        $('#problems').textContent = msg.message;
        finishLive(run, null);
      }
    },
  );
  return promise;
}

function onStart(run: LiveRun, msg: RunStarted): void {
  run.started = msg;
  run.tStart = performance.now();
  realign(run);
  setupLiveCharts(run);
  renderTheoryCard(run);
  renderLiveStats(run);
}

function onRows(run: LiveRun, msg: RunRows): void {
  const rows = rowsFromPacked(msg.rows);
  run.rows.length = msg.from;
  let aligned = true;
  for (const r of rows) {
    run.rows.push(r);
    if (!run.index.has(r.step)) aligned = false;
    if (r.loss > run.lossMax) run.lossMax = r.loss;
    if (Number.isFinite(r.lambda)) run.lambdaLast = r.lambda;
  }
  if (!aligned) {
    realign(run);
  } else {
    for (const r of rows) putRow(run, run.index.get(r.step)!, r);
  }
  updateLiveCharts(run);
  scheduleStatus(run);
}

const statusKey = {};
function scheduleStatus(run: LiveRun): void {
  scheduleDraw(statusKey, () => {
    if (liveRun !== run || run.finished) return;
    const st = run.started;
    if (st && run.rows.length) {
      const phase = classifyPhase({ diverged: false, lossInitial: run.rows[0]!.loss, lossMax: run.lossMax, lambda0: st.lambda0, lambdaFinal: run.lambdaLast });
      setBadge(phase, false, 'so far…');
    }
    renderLiveStats(run);
  });
}

function currentStep(run: LiveRun): number {
  return run.rows.length ? run.rows[run.rows.length - 1]!.step : 0;
}

function renderLiveStats(run: LiveRun): void {
  const st = run.started;
  const T = run.state.steps;
  const step = run.done?.steps ?? currentStep(run);
  setProgress(T > 0 ? step / T : 1);
  const elapsed = (run.finished ? run.wallMs : performance.now() - run.tStart) / 1000;
  const items: [string, string][] = [
    ['step', `${step} / ${T}`],
    ['steps/s', elapsed > 0 && step > 0 ? fmt(step / elapsed, 3) : '–'],
  ];
  if (st) {
    items.push(['η', fmt(st.eta)], ['λ₀', fmt(st.lambda0)], ['c', fmt(st.c)], ['params', st.numParams.toLocaleString('en-US')], ['kernel', st.backend]);
  }
  const last = run.rows[run.rows.length - 1];
  if (last) items.push(['loss', fmt(last.loss)], ['λ', fmt(run.lambdaLast)]);
  setStats(items);
}

function onDone(run: LiveRun, msg: RunDone): void {
  if (msg.summary.status === 'diverged') {
    run.done = msg;
    realign(run);
    setupLiveCharts(run);
  }
  finishLive(run, msg);
  const s = msg.summary;
  setBadge(s.phase, true, s.status === 'diverged' ? `diverged at step ${s.divergedAt}` : 'final phase');
  renderLiveStats(run);
  renderTheoryCard(run);
}

function renderTheoryCard(run: LiveRun): void {
  const body = $('#theory-body');
  const st = run.started;
  const th = st?.theory;
  const sum = run.done?.summary;
  const mini = (p: string) => `<span class="mini" data-phase="${p}">${p}</span>`;
  const rows: string[] = [];
  if (th && st) {
    const setting = th.p !== null ? `logistic, p = ${fmt(th.p)}` : `squared, target 2p−1 = ${fmt(th.y)}`;
    rows.push(`<p>Exact two-float recursion (theory §6) from this network's own init: f₀ = ${fmt(th.f0)}, λ₀ = ${fmt(st.lambda0)}, ${setting}, n = ${run.state.width}. Drawn as the wide grey curves on the charts.</p>`);
    rows.push('<table>');
    rows.push(`<tr><td>predicted phase</td><td>${mini(th.phase)}</td><td>${sum ? `network: ${mini(sum.phase)}` : ''}</td></tr>`);
    rows.push(`<tr><td>final λ</td><td>${fmt(th.lambdaFinal)}</td><td>${sum ? `network: ${fmt(sum.lambdaFinal)}` : ''}</td></tr>`);
    rows.push(`<tr><td>final η·S</td><td>${fmt(th.etaSharpnessFinal)}</td><td>${sum ? `network: ${fmt(sum.etaSharpnessFinal)}` : ''}</td></tr>`);
    const lazy = th.cLazy !== null ? `lazy for c < ${fmt(th.cLazy)}` : 'no catapult (separable)';
    const div = th.cMax !== null ? `divergent for c > ${fmt(th.cMax)}` : th.cDiverge !== null ? `divergent above c ≈ ${fmt(th.cDiverge)} (n = ${run.state.width}, T = ${run.state.steps})` : 'no divergence below c = 10⁴';
    rows.push(`<tr><td>boundaries</td><td colspan="2">${lazy}; ${div}</td></tr>`);
    rows.push('</table>');
    rows.push(`<p class="hint">${th.note}</p>`);
    if (run.state.curv > 1) rows.push(`<p class="hint">The network's curvature is measured every ${run.state.curv} steps: where the dynamics oscillate with period 2, that samples one branch of the oscillation (the theory curve shows both).</p>`);
  } else if (st) {
    rows.push(`<p>The exact recursion covers degenerate data on the two-layer net with the logistic or squared loss; this setting (${run.state.data}, depth ${run.state.depth}, ${run.state.loss}) has no exact prediction.</p>`);
    if (run.state.loss === 'squared') rows.push('<p>Theory §5 (wide nets, squared loss): lazy for c &lt; 1, catapult for 1 &lt; c &lt; 2, divergent for c &gt; 2; deeper linear nets diverge a little above 2.</p>');
    else if (run.state.data === 'gaussian' && run.state.noise === 0) rows.push('<p>Separable data with the logistic loss: the loss falls for every η and λ does not decrease (theory §5): expect no catapult.</p>');
    else rows.push('<p>Non-separable data, logistic loss: above a data-dependent lazy bound the loss rises, λ decays and GD settles with η·S ≈ 2 (theory §5).</p>');
    if (sum) rows.push(`<p>This run: ${mini(sum.phase)} · final λ = ${fmt(sum.lambdaFinal)} · η·S = ${fmt(sum.etaSharpnessFinal)}</p>`);
  } else rows.push('<p>…</p>');
  if (st) rows.push(`<p class="hint">Data: ${st.dataName} (m = ${st.m}, d = ${st.d}).</p>`);
  body.innerHTML = rows.join('');
}

// ---------------------------------------------------------------------------------------------
// export / import

function liveRunFile(): { json: string; csv: string; name: string } | null {
  const run = liveRun;
  if (!run || !run.started || !run.done?.summary) return null;
  const name = `catapult-${run.state.data}-c${run.started.c.toPrecision(4)}-seed${run.state.seed}`;
  return { json: runToJson(run.started.resolved, run.done.summary, run.rows, location.href), csv: runToCsv(run.rows), name };
}

function exportRun(kind: 'json' | 'csv'): void {
  if (state.mode === 'sweep' && sweep) {
    const csv = sweepCsv();
    if (kind === 'csv') download(csv, 'catapult-sweep.csv', 'text/csv');
    else download(JSON.stringify({ format: 'catapult-lab/sweep@1', state: sweep.state, cs: sweep.cs, summaries: sweep.results.map((r) => r?.summary ?? null) }, null, 1), 'catapult-sweep.json', 'application/json');
    return;
  }
  if (state.mode === 'theory' && theoryResult) {
    const t = theoryResult;
    const lines = ['c,phase,lambdaFinal,etaSharpnessFinal'];
    t.cs.forEach((c, i) => lines.push(`${c},${PHASES[t.phase[i]!]},${Number.isNaN(t.lambdaFinal[i]) ? '' : t.lambdaFinal[i]},${Number.isNaN(t.etaSharpnessFinal[i]) ? '' : t.etaSharpnessFinal[i]}`));
    download(lines.join('\n') + '\n', 'catapult-theory.csv', 'text/csv');
    return;
  }
  const f = liveRunFile();
  if (!f) {
    flash($(kind === 'json' ? '#export-json' : '#export-csv'), 'No finished run');
    return;
  }
  if (kind === 'json') download(f.json, `${f.name}.json`, 'application/json');
  else download(f.csv, `${f.name}.csv`, 'text/csv');
}

async function importFiles(list: FileList | null): Promise<void> {
  if (!list || list.length === 0) return;
  try {
    const files = await Promise.all(Array.from(list).map(async (f) => ({ name: f.name, text: await f.text() })));
    importRun(parseRunFiles(files));
  } catch (e) {
    $('#problems').textContent = `import: ${(e as Error).message}`;
  } finally {
    $<HTMLInputElement>('#import').value = '';
  }
}

function importRun(run: ImportedRun): void {
  overlay = run;
  const info = $('#overlay-info');
  info.hidden = false;
  const s = run.summary;
  const desc = s ? ` · phase ${s.phase ?? '?'}, c = ${fmt(s.c ?? NaN)}, final λ = ${fmt(s.lambdaFinal ?? NaN)}` : '';
  info.innerHTML = '';
  const text = document.createElement('span');
  text.textContent = `Overlay: ${run.name} (${run.rows?.length ?? 0} rows${desc})`;
  info.append(text);
  if (run.config) {
    const use = document.createElement('button');
    use.className = 'ghost small';
    use.textContent = 'Use its config';
    use.addEventListener('click', () => applyConfig(cleanImportedConfig(run.config!)));
    info.append(use);
  }
  const rm = document.createElement('button');
  rm.className = 'ghost small';
  rm.textContent = 'Remove';
  rm.addEventListener('click', () => {
    overlay = null;
    info.hidden = true;
    if (liveRun) {
      realign(liveRun);
      setupLiveCharts(liveRun);
    }
  });
  info.append(rm);
  if (state.mode !== 'single') setState({ mode: 'single' }, { autorun: false });
  if (liveRun?.started) {
    realign(liveRun);
    setupLiveCharts(liveRun);
  }
}

/** Set the explorer from a run config (CLI config.json or an exported run); warns about what it cannot show. */
function applyConfig(cfg: Record<string, unknown>): void {
  const get = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), cfg);
  const patch: Partial<ExplorerState> = {};
  const notes: string[] = [];
  const map: [string, keyof ExplorerState][] = [
    ['seed', 'seed'], ['model.depth', 'depth'], ['model.width', 'width'], ['loss', 'loss'], ['c', 'c'], ['steps', 'steps'],
    ['data.m', 'm'], ['data.d', 'd'], ['data.p', 'p'], ['data.labelNoise', 'noise'], ['data.separation', 'sep'],
    ['record.every', 'every'], ['record.denseUntil', 'dense'], ['curvature.every', 'curv'],
  ];
  const kind = get('data.kind');
  if (kind === 'degenerate' || kind === 'gaussian' || kind === 'two-gaussians' || kind === 'mnist') patch.data = kind;
  else if (kind !== undefined) notes.push(`data kind '${String(kind)}' is not available here`);
  for (const [path, key] of map) {
    const v = get(path);
    if (v === undefined) continue;
    const parsed = parseField(key, String(v));
    if (parsed === undefined) notes.push(`${path} = ${String(v)} is outside the explorer's range`);
    else (patch as Record<string, unknown>)[key] = parsed;
  }
  if (get('eta') !== undefined) notes.push('the run gives η directly; the explorer sets c = ηλ0/2 (using the summary when present)');
  if (get('eta') !== undefined && overlay?.summary?.c !== undefined) patch.c = overlay.summary.c;
  if (get('init.kind') !== undefined && get('init.kind') !== 'gaussian') notes.push(`init '${String(get('init.kind'))}' is not available here`);
  if (get('batchSize') !== undefined && get('batchSize') !== null) notes.push('mini-batch SGD is not available here');
  $('#problems').textContent = notes.join('\n');
  setState({ ...patch, mode: 'single' });
}

// ---------------------------------------------------------------------------------------------
// sweep

interface Sweep {
  id: number;
  state: ExplorerState;
  cs: number[];
  results: (RunDone | null)[];
  pool: WorkerClient[];
  running: boolean;
  t0: number;
  ms: number;
  theory: TheoryDone | null;
  stale: boolean;
}
let sweep: Sweep | null = null;
let pool: WorkerClient[] = [];

const sweepCharts = {
  lambda: new Chart($('#chart-sweep-lambda'), emptySpec('Final λ vs c'), 'sweep-lambda-chart'),
  etaS: new Chart($('#chart-sweep-etas'), emptySpec('Final η·S vs c'), 'sweep-etas-chart'),
  loss: new Chart($('#chart-sweep-loss'), emptySpec('Loss rise vs c'), 'sweep-loss-chart'),
};

function poolSize(): number {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
}

function stopSweep(): void {
  if (!sweep) return;
  sweep.running = false;
  for (const w of pool) w.terminate();
  pool = [];
  renderSweep();
  syncControls();
}

function markSweepStale(): void {
  if (sweep && !sweep.running) {
    sweep.stale = true;
    renderSweepCard();
  }
}

function startSweep(): void {
  if (sweep?.running) stopSweep();
  const problems = stateProblems(state);
  if (problems.length) return;
  const st = { ...state };
  const cs = cGrid(st.cmin, st.cmax, st.cn, st.cscale);
  const n = poolSize();
  while (pool.length < n) pool.push(new WorkerClient());
  const sw: Sweep = { id: nextId++, state: st, cs, results: cs.map(() => null), pool, running: true, t0: performance.now(), ms: 0, theory: null, stale: false };
  sweep = sw;
  let next = 0;
  let finished = 0;
  const take = (w: WorkerClient) => {
    if (sweep !== sw || !sw.running || next >= cs.length) return;
    const i = next++;
    w.send({ type: 'run', id: nextId++, config: stateToRunInput(st, cs[i]), stream: false, withTheory: false, dataUrl }, (msg) => {
      if (sweep !== sw) return;
      if (msg.type === 'done') sw.results[i] = msg;
      else if (msg.type === 'error') $('#problems').textContent = `sweep c = ${fmt(cs[i]!)}: ${msg.message}`;
      else return;
      finished++;
      sw.ms = performance.now() - sw.t0;
      if (finished === cs.length) {
        sw.running = false;
        syncControls();
      }
      renderSweep();
      take(w);
    });
  };
  for (const w of pool) take(w);
  // the theory curve for the same setting, on a fine grid (when the recursion applies)
  const tcs = cGrid(st.cmin, st.cmax, 400, st.cscale);
  theoryW().send(
    { type: 'theory', id: nextId++, config: stateToRunInput(st), cs: tcs, steps: st.steps, bifurcation: { variable: 'f', transient: 1, keep: 1, width: 1, height: 1 }, dataUrl },
    (msg) => {
      if (sweep !== sw || msg.type !== 'theory-done') return;
      sw.theory = msg;
      renderSweep();
    },
  );
  syncControls();
  renderSweep();
}

function phaseSeries(xs: number[], cs: number[], values: (number | null)[], phases: (Phase | null)[]): Values[] {
  const idx = new Map(xs.map((c, i) => [c, i]));
  return PHASES.map((p) => {
    const out = nulls(xs.length);
    cs.forEach((c, k) => {
      if (phases[k] === p) out[idx.get(c)!] = values[k] ?? null;
    });
    return out;
  });
}

function sweepOnsets(sw: Sweep): Onset {
  return gridOnsets(sw.cs, sw.results.map((r) => r?.summary));
}

function renderSweep(): void {
  const sw = sweep;
  if (!sw) return;
  const th = sw.theory;
  const tcs = th ? [...th.cs] : [];
  const xs = unionSorted(sw.cs, tcs);
  const sums = sw.results.map((r) => r?.summary ?? null);
  const phases = sums.map((s) => s?.phase ?? null);
  const tIdx = new Map(xs.map((c, i) => [c, i]));
  const thSeries = (vals: Float64Array | null): Values => {
    const out = nulls(xs.length);
    if (th && vals) tcs.forEach((c, k) => (out[tIdx.get(c)!] = Number.isFinite(vals[k]!) ? vals[k]! : null));
    return out;
  };
  const divergentCs = sw.cs.filter((_, i) => phases[i] === 'divergent');
  const drawDivergent = (u: uPlot) => {
    const ctx = u.ctx;
    const px = uPlot.pxRatio;
    ctx.save();
    ctx.strokeStyle = COLORS.divergent;
    ctx.lineWidth = 2 * px;
    for (const c of divergentCs) {
      const x = u.valToPos(c, 'x', true);
      const y = u.bbox.top + 8 * px;
      const r = 4 * px;
      ctx.beginPath();
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
      ctx.stroke();
    }
    ctx.restore();
  };
  const vlines = [] as { x: number; label: string; color: string }[];
  if (th?.cLazy != null) vlines.push({ x: th.cLazy, label: 'c* (theory)', color: '#6b7280' });
  if (th?.cMax != null) vlines.push({ x: th.cMax, label: 'c_max (theory)', color: '#6b7280' });
  const pointSeries = (unit: string): SeriesSpec[] =>
    PHASES.map((p) => ({ label: `${p}${unit}`, stroke: COLORS[p], points: true }));
  const thSpec: SeriesSpec[] = th ? [{ label: 'theory', stroke: COLORS.theoryLine, dash: [5, 4], width: 1.3, spanGaps: true }] : [];
  const log = sw.state.cscale === 'log';
  const lam = phaseSeries(xs, sw.cs, sums.map((s) => (s && Number.isFinite(s.lambdaFinal) ? s.lambdaFinal : null)), phases);
  const eta = phaseSeries(xs, sw.cs, sums.map((s) => (s && Number.isFinite(s.etaSharpnessFinal) ? s.etaSharpnessFinal : null)), phases);
  const rise = phaseSeries(xs, sw.cs, sums.map((s) => (s && s.lossInitial > 0 && Number.isFinite(s.lossMax) ? s.lossMax / s.lossInitial : null)), phases);
  const specs: [Chart, ChartSpec, Values[]][] = [
    [sweepCharts.lambda, { title: 'Final λ vs c (click a point to replay)', xLabel: 'c', yLabel: 'λ_T', xLog: log, series: [...pointSeries(''), ...thSpec], vLines: vlines, draw: drawDivergent }, [...lam, ...(th ? [thSeries(th.lambdaFinal)] : [])]],
    [sweepCharts.etaS, { title: 'Final η·S vs c', xLabel: 'c', yLabel: 'η·S_T', xLog: log, series: [...pointSeries(''), ...thSpec], vLines: vlines, hLines: [{ y: 2, label: 'η·S = 2', color: '#6b7280' }], draw: drawDivergent }, [...eta, ...(th ? [thSeries(th.etaSharpnessFinal)] : [])]],
    [sweepCharts.loss, { title: 'Peak loss / initial loss vs c', xLabel: 'c', yLabel: 'max L / L₀', xLog: log, yLog: true, series: pointSeries(''), vLines: vlines, hLines: [{ y: 1, label: 'no rise', color: '#6b7280' }], draw: drawDivergent }, rise],
  ];
  for (const [chart, spec, data] of specs) {
    const layout = JSON.stringify([spec.title, spec.series.length, log, vlines]);
    if (chart.el.dataset.layout !== layout || !chart.u) {
      chart.setup(spec, [xs, ...data] as uPlot.AlignedData);
      chart.el.dataset.layout = layout;
      attachReplay(chart);
    } else {
      chart.spec = spec;
      chart.update([xs, ...data] as uPlot.AlignedData);
    }
  }
  renderSweepCard();
}

function attachReplay(chart: Chart): void {
  const u = chart.u;
  if (!u) return;
  u.over.style.cursor = 'pointer';
  // pointer events: uPlot swallows the click that follows its mousedown/mouseup
  let downX = NaN;
  u.over.addEventListener('pointerdown', (e) => (downX = e.clientX));
  u.over.addEventListener('pointerup', (e) => {
    if (!(Math.abs(e.clientX - downX) < 5)) return;
    const sw = sweep;
    const left = e.clientX - u.over.getBoundingClientRect().left;
    if (!sw || left < 0) return;
    // nearest finished run, in pixels
    let best = -1, bestD = Infinity;
    sw.cs.forEach((c, i) => {
      if (!sw.results[i]) return;
      const d = Math.abs(u.valToPos(c, 'x') - left);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    if (best < 0 || bestD > 30) return;
    replay(sw, best);
  });
}

function replay(sw: Sweep, i: number): void {
  const c = sw.cs[i]!;
  state = { ...sw.state, c, mode: 'single' };
  writeUrl();
  syncControls();
  showMode();
  void startRun();
}

function renderSweepCard(): void {
  const sw = sweep;
  const body = $('#sweep-body');
  if (!sw) {
    body.innerHTML = '<p>Runs the network for a grid of c values on several workers, then draws the final λ and η·S against c, coloured by phase. Click a point to replay that run live.</p>';
    return;
  }
  const done = sw.results.filter(Boolean).length;
  const on = sweepOnsets(sw);
  const counts = PHASES.map((p) => `${sw.results.filter((r) => r?.summary.phase === p).length} ${p}`).join(', ');
  body.innerHTML = [
    `<p>${done} / ${sw.cs.length} runs on ${pool.length || poolSize()} workers · ${(sw.ms / 1000).toFixed(1)} s${sw.running ? ' · running…' : ''}${sw.stale ? ' · <b>settings changed: run the sweep again</b>' : ''}</p>`,
    `<table><tr><td>phases</td><td>${counts}</td></tr>`,
    `<tr><td>c_loss (loss rises)</td><td>${fmt(on.cLoss)}</td></tr><tr><td>c_sharp (λ drops)</td><td>${fmt(on.cSharp)}</td></tr><tr><td>c_instab (λ below the smallest c's)</td><td>${fmt(on.cInstab)}</td></tr><tr><td>c_max (diverges)</td><td>${fmt(on.cMax)}</td></tr></table>`,
    sw.theory ? `<p class="hint">Dashed: the exact recursion for the same setting (${sw.theory.note}).</p>` : '',
    '<p class="hint">First grid value with the property (Kalra &amp; Barkeshli\'s onsets, theory §5). ✕ marks divergent runs.</p>',
  ].join('');
}

function sweepCsv(): string {
  const sw = sweep!;
  const keys = ['phase', 'status', 'steps', 'eta', 'lambda0', 'lambdaFinal', 'sharpnessFinal', 'etaSharpnessFinal', 'lossInitial', 'lossMax', 'lossFinal', 'accuracyFinal'] as const;
  const lines = [['c', ...keys].join(',')];
  sw.cs.forEach((c, i) => {
    const s = sw.results[i]?.summary as RunSummary | undefined;
    lines.push([c, ...keys.map((k) => (s ? (typeof s[k] === 'number' && Number.isNaN(s[k]) ? '' : String(s[k])) : ''))].join(','));
  });
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// theory mode

const theoryCharts = {
  lambda: new Chart($('#chart-theory-lambda'), emptySpec('Final λ vs c (exact recursion)'), 'theory-lambda-chart'),
  etaS: new Chart($('#chart-theory-etas'), emptySpec('Final η·S vs c'), 'theory-etas-chart'),
  bif: new Chart($('#chart-theory-bif'), emptySpec('Bifurcation diagram'), 'theory-bif-chart'),
};
let theoryResult: TheoryDone | null = null;
let theoryRequest = 0;

/** The theory mode's setting: the state's p, width, seed and data size on degenerate data and the uv net. */
function theoryState(s: ExplorerState): ExplorerState {
  return { ...s, data: 'degenerate', depth: 2, loss: s.loss === 'exponential' ? 'logistic' : s.loss };
}

function startTheory(): void {
  clearTimeout(theoryTimer);
  const st = theoryState(state);
  if (st.tmin >= st.tmax) return;
  const cs = cGrid(st.tmin, st.tmax, st.tn, st.cscale);
  const id = nextId++;
  theoryRequest = id;
  setBadge('', false, 'computing…');
  const t0 = performance.now();
  theoryW().send(
    { type: 'theory', id, config: stateToRunInput(st), cs, steps: st.tsteps, bifurcation: { variable: st.bvar, transient: st.tsteps, keep: 64, width: bifurcationWidth(), height: 260 }, dataUrl },
    (msg) => {
      if (theoryRequest !== id) return;
      if (msg.type === 'error') {
        $('#problems').textContent = msg.message;
        return;
      }
      if (msg.type !== 'theory-done') return;
      theoryResult = msg;
      renderTheory(msg, st, performance.now() - t0);
    },
  );
}

/** Pixel width of the bifurcation plot area (its card minus the y axis), for the worker's raster. */
function bifurcationWidth(): number {
  const w = theoryCharts.bif.body.clientWidth || 700;
  return Math.max(100, Math.round((w - 60) * (window.devicePixelRatio || 1)));
}

function renderTheory(t: TheoryDone, st: ExplorerState, wallMs: number): void {
  const xs = [...t.cs];
  const log = st.cscale === 'log';
  const phases = [...t.phase].map((k) => PHASES[k]!);
  const byPhase = (vals: Float64Array): Values[] =>
    PHASES.map((p) => xs.map((_, i) => (phases[i] === p && Number.isFinite(vals[i]!) ? vals[i]! : null)));
  const firstOf = (p: Phase) => {
    const i = phases.indexOf(p);
    return i < 0 ? null : xs[i]!;
  };
  const cCat = firstOf('catapult');
  const cDiv = firstOf('divergent');
  const vlines: { x: number; label: string; color: string }[] = [];
  if (t.cLazy !== null) vlines.push({ x: t.cLazy, label: t.setting.loss === 'logistic' ? 'c* = 1/(p(1−p))' : 'c = 1', color: '#6b7280' });
  if (t.cMax !== null) vlines.push({ x: t.cMax, label: 'c = 2', color: '#6b7280' });
  if (cDiv !== null && t.cMax === null) vlines.push({ x: cDiv, label: 'first divergent', color: COLORS.divergent });
  const lineSeries = (): SeriesSpec[] => PHASES.map((p) => ({ label: p, stroke: COLORS[p], width: 2 }));
  theoryCharts.lambda.setup(
    { title: 'Final λ vs c (exact recursion)', xLabel: 'c', yLabel: 'λ_T', xLog: log, series: lineSeries(), vLines: vlines },
    [xs, ...byPhase(t.lambdaFinal)] as uPlot.AlignedData,
  );
  theoryCharts.etaS.setup(
    { title: 'Final η·S vs c', xLabel: 'c', yLabel: 'η·S_T', xLog: log, series: lineSeries(), vLines: vlines, hLines: [{ y: 2, label: 'η·S = 2', color: '#6b7280' }] },
    [xs, ...byPhase(t.etaSharpnessFinal)] as uPlot.AlignedData,
  );
  // bifurcation: a density image (computed in the worker), one column per c, coloured by phase
  const n = xs.length, h = t.height, W = t.width;
  const img = new ImageData(W, h);
  const rgb = PHASES.map((p) => {
    const hex = COLORS[p].slice(1);
    return [0, 2, 4].map((o) => parseInt(hex.slice(o, o + 2), 16));
  });
  for (let r = 0; r < h; r++) {
    for (let i = 0; i < W; i++) {
      const a = t.density[r * W + i]!;
      if (!a) continue;
      const [R, G, B] = rgb[t.colPhase[i]!]!;
      const o = (r * W + i) * 4;
      img.data[o] = R!;
      img.data[o + 1] = G!;
      img.data[o + 2] = B!;
      img.data[o + 3] = a;
    }
  }
  const off = document.createElement('canvas');
  off.width = W;
  off.height = h;
  off.getContext('2d')!.putImageData(img, 0, 0);
  const bvar = st.bvar === 'f' ? 'f' : 'λ';
  theoryCharts.bif.setup(
    {
      title: `Bifurcation diagram: late-time ${bvar} vs c (steps ${st.tsteps}…${st.tsteps + 63})`,
      xLabel: 'c',
      yLabel: bvar,
      xLog: log,
      yRange: [t.yMin, t.yMax],
      series: [{ label: `${bvar} (density)`, stroke: COLORS.catapult }],
      vLines: vlines,
      draw: (u) => {
        const { left, top, width, height } = u.bbox;
        const ctx = u.ctx;
        ctx.save();
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(off, left, top, width, height);
        ctx.restore();
      },
    },
    [xs, nulls(n)] as uPlot.AlignedData,
  );
  const mini = (p: string) => `<span class="mini" data-phase="${p}">${p}</span>`;
  const setting = t.setting.loss === 'logistic' ? `logistic, p = ${fmt(t.setting.p)}` : `squared, target 2p−1 = ${fmt(t.setting.y)}`;
  const coerced = state.data !== 'degenerate' || state.depth !== 2 || state.loss === 'exponential';
  $('#theory-mode-body').innerHTML = [
    `<p>${n.toLocaleString('en-US')} values of c × ${st.tsteps} steps, plus the bifurcation diagram, in ${t.ms.toFixed(0)} ms (worker; ${wallMs.toFixed(0)} ms on the page).</p>`,
    '<table>',
    `<tr><td>setting</td><td>${setting}, n = ${t.setting.n}</td></tr>`,
    `<tr><td>init</td><td>f₀ = ${fmt(t.f0)}, λ₀ = ${fmt(t.lambda0)} (seed ${st.seed})</td></tr>`,
    `<tr><td>first ${mini('catapult')}</td><td>c = ${fmt(cCat)}</td></tr>`,
    `<tr><td>first ${mini('divergent')}</td><td>c = ${fmt(cDiv)}</td></tr>`,
    '</table>',
    `<p class="hint">${t.note}</p>`,
    coerced ? '<p class="hint">The recursion describes degenerate data on the two-layer net: it uses this page\'s p, m, d, width and seed with that data and net (exponential loss → logistic).</p>' : '',
  ].join('');
  setBadge('', false, 'theory');
  setStats([
    ['c values', n.toLocaleString('en-US')],
    ['steps', String(st.tsteps)],
    ['time', `${t.ms.toFixed(0)} ms`],
    ['λ₀', fmt(t.lambda0)],
  ]);
  setProgress(1);
}

// ---------------------------------------------------------------------------------------------
// mode switching

function showMode(): void {
  syncControls();
  if (state.mode === 'single') {
    if (liveRun) {
      renderLiveStats(liveRun);
      if (liveRun.done?.summary) setBadge(liveRun.done.summary.phase, true, 'final phase');
    } else void startRun();
  } else if (state.mode === 'sweep') {
    setBadge('', false, 'sweep');
    setStats([['grid', `${state.cn} values of c from ${fmt(state.cmin)} to ${fmt(state.cmax)} (${state.cscale})`], ['workers', String(poolSize())]]);
    if (sweep) renderSweep();
    else renderSweepCard();
  } else startTheory();
  // charts in hidden containers have zero width: resize after the layout settles
  requestAnimationFrame(() => window.dispatchEvent(new Event('resize')));
}

// ---------------------------------------------------------------------------------------------
// test / automation hooks (used by the e2e test; harmless for users)

declare global {
  interface Window {
    __catapult: unknown;
  }
}

function chartInfo(c: Chart) {
  const n = c.u ? c.u.series.length - 1 : 0;
  return { redraws: c.redraws, series: n, points: Array.from({ length: n }, (_, k) => c.count(k + 1)) };
}

window.__catapult = {
  defaults: DEFAULT_STATE,
  fields: Object.keys(FIELDS),
  state: () => ({ ...state }),
  setState: (patch: Partial<ExplorerState>) => setState(patch),
  run: async () => {
    const r = await startRun();
    return r.error;
  },
  running: () => !!liveRun && !liveRun.finished,
  runId: () => liveRun?.id ?? 0,
  lastRun: () => {
    const r = liveRun;
    if (!r || !r.finished) return null;
    const f = liveRunFile();
    return {
      id: r.id,
      state: r.state,
      error: r.error,
      resolved: r.started?.resolved ?? null,
      summary: r.done?.summary ?? null,
      csv: f?.csv ?? null,
      json: f?.json ?? null,
      steps: r.done?.steps ?? null,
      wallMs: r.wallMs,
      trainMs: r.done?.trainMs ?? null,
      initMs: r.done?.initMs ?? null,
      messages: r.messages,
      backend: r.started?.backend ?? null,
      theoryPhase: r.started?.theory?.phase ?? null,
    };
  },
  charts: () => ({ loss: chartInfo(charts.loss), lambda: chartInfo(charts.lambda), etaS: chartInfo(charts.etaS) }),
  sweep: () => (sweep ? { running: sweep.running, cs: sweep.cs, phases: sweep.results.map((r) => r?.summary.phase ?? null) } : null),
  theory: () => (theoryResult ? { n: theoryResult.cs.length, ms: theoryResult.ms, phases: PHASES.map((p, k) => [...theoryResult!.phase].filter((x) => x === k).length) } : null),
  /** Run a config (explorer run input) in a fresh worker; resolves to its metrics CSV and summary. */
  runConfig: (config: Record<string, unknown>) =>
    new Promise((resolve, reject) => {
      const w = new WorkerClient();
      const id = nextId++;
      let resolved: unknown = null;
      w.send({ type: 'run', id, config, stream: false, withMetrics: true, withTheory: false, dataUrl }, (msg) => {
        if (msg.type === 'start') resolved = msg.resolved;
        else if (msg.type === 'done') {
          w.terminate();
          resolve({ resolved, summary: msg.summary, csv: runToCsv(rowsFromPacked(msg.rows!)) });
        } else if (msg.type === 'error') {
          w.terminate();
          reject(new Error(msg.message));
        }
      });
    }),
  importRun: (files: { name: string; text: string }[]) => importRun(parseRunFiles(files)),
  overlayRows: () => overlay?.rows?.length ?? 0,
  resolveState: () => resolveState(state),
  columns: METRIC_COLUMNS,
};

// ---------------------------------------------------------------------------------------------

bindControls();
writeUrl();
syncControls();
if (initial.rejected.length) $('#problems').textContent = `ignored URL keys: ${initial.rejected.join(', ')}`;
renderSweepCard();
showMode();
