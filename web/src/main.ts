/**
 * The explorer page: one state object (state.ts) mirrored in the URL hash, the live run and its
 * charts, export / import, mode switching, and the automation hooks. Elsewhere: the fields
 * (fieldInputs.ts), the error banner (banner.ts), cost limits (budget.ts), sweep and theory modes
 * (sweepMode.ts, theoryMode.ts), workers (workers.ts, worker.ts), charts (charts.ts).
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { classifyPhase, METRIC_COLUMNS, type MetricRow } from '../../src/index.ts';
import { Chart, COLORS, emptySpec, download, nulls, scheduleDraw, unionSorted, uPlot, type ChartSpec, type SeriesSpec, type Values } from './charts.ts';
import { compilePolicy, isAbsolute } from '../../src/train/lr/policy.ts';
import { PHASES, type RunDone, type RunRows, type RunStarted } from './protocol.ts';
import { gapsOf, largestCoordinates, type MaxMarginRefs } from './diagonalReadouts.ts';
import { cleanImportedConfig, parseRunFiles, rowsFromPacked, runToCsv, runToJson, type ImportedRun } from './runFiles.ts';
import {
  cGrid,
  DEFAULT_STATE,
  FIELDS,
  parseField,
  resolveState,
  stateFromHash,
  stateProblems,
  stateSchedule,
  policyKeys,
  policyProblems,
  POLICY_KEYS,
  EXPLORER_LR_FUNCTIONS,
  stateToHash,
  stateToRunInput,
  modelSwitchPatch,
  type ExplorerState,
} from './state.ts';
import { settingNote } from './settingNotes.ts';
import { $, $$, escapeHtml, flash, fmt } from './dom.ts';
import { setBadge, setProgress, setStats } from './statusBar.ts';
import { newId, WorkerClient } from './workers.ts';
import { bindFieldInputs, fieldDrafts, syncFields } from './fieldInputs.ts';
import { initTheoryMode, startTheory, stopTheory, theoryProgress, theoryResult, theoryRunning, theorySteps } from './theoryMode.ts';
import { initSweepMode, markSweepStale, poolSize, renderSweep, renderSweepCard, startSweep, stopSweep, sweep, sweepCsv } from './sweepMode.ts';
import { stepRange, type StepView } from './axisRanges.ts';
import { estimateRun, judgeRun } from './budget.ts';
import { bannerMessage, bindBanner, clearBanner, showBanner } from './banner.ts';
import { theoryToCsv, theoryToJson } from './theoryFiles.ts';
import { stateFromRunConfig } from './importConfig.ts';

const dataUrl = new URL('data/', document.baseURI).href;
let liveWorker: WorkerClient | null = null;
/** how many times the live worker was replaced (Stop terminates it) */
let workerGeneration = 0;
const live = (): WorkerClient => (liveWorker ??= new WorkerClient());

// ---------------------------------------------------------------------------------------------
// state <-> URL <-> controls


const initial = stateFromHash(location.hash);
let state: ExplorerState = initial.state;
const TRAINING_KEYS = new Set<keyof ExplorerState>(['data', 'p', 'm', 'd', 'noise', 'sep', 'model', 'depth', 'width', 'alpha', 'eta', 'loss', 'c', ...POLICY_KEYS, 'steps', 'seed', 'every', 'curv', 'dense']);

// the policy <select> lists every function the explorer offers (the page has FIX only)
for (const fn of EXPLORER_LR_FUNCTIONS.slice(1)) $<HTMLSelectElement>('#lr-policy').add(new Option(fn, fn));
const THEORY_KEYS = new Set<keyof ExplorerState>(['data', 'p', 'm', 'd', 'model', 'width', 'loss', 'seed', 'tmin', 'tmax', 'tn', 'tsteps', 'bvar', 'cscale']);

function writeUrl(): void {
  const hash = stateToHash(state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function roundC(c: number): number {
  return Number(c.toPrecision(3));
}

function syncControls(): void {
  syncFields(state);
  const range = $<HTMLInputElement>('#c-range');
  if (document.activeElement !== range) range.value = String(Math.log10(state.c));
  for (const el of $$('[data-show]')) el.hidden = !(el.dataset.show ?? '').split(' ').includes(state.data);
  for (const el of $$('[data-model]')) el.hidden = el.dataset.model !== state.model;
  $('#depth-label').textContent = state.model === 'diagonal' ? 'depth D' : 'depth L';
  for (const el of $$('[data-mode-only]')) el.hidden = el.dataset.modeOnly !== state.mode;
  for (const b of $$('[data-mode]')) b.setAttribute('aria-selected', String(b.dataset.mode === state.mode));
  const dataHint: Record<string, string> = {
    degenerate: 'Every input is ±x, x = (1,…,1): the exact two-float recursion applies (uv net). p ∈ {0, 1} is separable.',
    gaussian: 'x ~ N(0, I), y = sign(w·x); label noise > 0 makes the data non-separable, 0 separable.',
    'two-gaussians': 'Two overlapping Gaussian classes: non-separable for large m.',
    mnist: 'MNIST digits 3 (+1) vs 8 (−1): 500 training and 200 test images, prepared at build time; d = 784.',
  };
  $('#data-hint').textContent = dataHint[state.data] ?? '';
  const usedPolicyKeys = policyKeys(state.lr) as string[];
  for (const el of $$('[data-policy]')) el.hidden = !usedPolicyKeys.includes(el.dataset.policy ?? '');
  $('#policy-problems').textContent = policyProblems(state).join('\n');
  $('#problems').textContent = stateProblems(state).join('\n');
  $('#run').textContent = state.mode === 'sweep' ? (sweep?.running ? 'Stop' : 'Run sweep') : state.mode === 'theory' ? (theoryRunning ? 'Stop' : 'Compute') : liveRun && !liveRun.finished ? 'Stop' : 'Run';
  $('#run').classList.toggle('running', (state.mode === 'single' && !!liveRun && !liveRun.finished) || (state.mode === 'sweep' && !!sweep?.running) || (state.mode === 'theory' && theoryRunning));
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

/** The link's keys that were not used, and why; the rest of the link applies. */
function showIgnoredUrlKeys(ignored: string[]): void {
  if (!ignored.length) return;
  showBanner({
    kind: 'warning',
    title: `The link's ${ignored.length === 1 ? 'setting' : `${ignored.length} settings`} below ${ignored.length === 1 ? 'was' : 'were'} ignored; ${ignored.length === 1 ? 'it keeps its' : 'they keep their'} default value.`,
    lines: ignored,
  });
}

/** One line naming a setting, for error messages. */
function describeSetting(s: ExplorerState): string {
  const data = s.data === 'mnist' ? 'MNIST 3 vs 8' : `${s.data} data, m = ${s.m}, d = ${s.d}`;
  if (s.model === 'diagonal') return `${data}, diagonal net D = ${s.depth}, α = ${s.alpha}, ${s.loss} loss, η = ${s.eta}, ${s.steps} steps`;
  return `${data}, depth ${s.depth}, width ${s.width}, ${s.loss} loss, c = ${s.c}, ${s.steps} steps`;
}

function bindControls(): void {
  bindBanner();
  for (const b of $$('[data-steps]')) {
    b.addEventListener('click', () => {
      stepView = b.dataset.steps as StepView;
      applyStepView();
    });
  }
  bindFieldInputs(
    () => state,
    (patch) => {
      clearBanner();
      setState(modelSwitchPatch(state, patch), { delay: 0 });
    },
  );
  const range = $<HTMLInputElement>('#c-range');
  range.addEventListener('input', () => {
    clearBanner();
    setState({ c: roundC(10 ** Number(range.value)) }, { delay: 40 });
  });
  for (const b of $$('[data-mode]')) b.addEventListener('click', () => {
      clearBanner();
      setState({ mode: b.dataset.mode as ExplorerState['mode'] });
    });
  $('#run').addEventListener('click', () => {
    clearBanner();
    if (state.mode === 'single') {
      if (liveRun && !liveRun.finished) stopRun();
      else startRun();
    } else if (state.mode === 'sweep') {
      if (sweep?.running) stopSweep();
      else startSweep();
    } else if (theoryRunning) stopTheory();
    else startTheory();
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
    const parsed = stateFromHash(location.hash);
    showIgnoredUrlKeys(parsed.ignored);
    const next = parsed.state;
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


// ---------------------------------------------------------------------------------------------
// live run

const charts = {
  loss: new Chart($('#chart-loss'), emptySpec('Training loss'), 'loss-chart'),
  lambda: new Chart($('#chart-lambda'), emptySpec('NTK curvature λ / λ₀'), 'lambda-chart'),
  etaS: new Chart($('#chart-etas'), emptySpec('η·S (edge of stability at 2)'), 'etas-chart'),
  eta: new Chart($('#chart-eta'), emptySpec('learning rate η(t) vs 2/λ and 2/S'), 'eta-chart'),
  beta: new Chart($('#chart-beta'), emptySpec('β coordinates'), 'beta-chart'),
  gaps: new Chart($('#chart-gaps'), emptySpec('gaps to the max-margin predictors'), 'gaps-chart'),
};
const LIVE_CHARTS = ['loss', 'lambda', 'etaS', 'eta'] as const;
/** the diagonal model's charts (drawn for its runs only) */
const DIAGONAL_CHARTS = ['beta', 'gaps'] as const;
const STEP_CHARTS = [...LIVE_CHARTS, ...DIAGONAL_CHARTS] as const;
/** β chart: this many coordinates at most, those with the largest |β| at the latest recorded step */
const BETA_LINES = 20;

/** The diagonal model's read-outs per metrics row (same index as LiveRun.rows). */
interface DiagonalTrace {
  d: number;
  beta: Float64Array[];
  gamma: number[];
  l1Gap: number[];
  l2Gap: number[];
  /** the coordinates drawn (largestCoordinates at the latest row) */
  shown: number[];
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
  lastMessageAt: number;
  done: RunDone | null;
  finished: boolean;
  error: string | null;
  wallMs: number;
  resolve: ((r: LiveRun) => void)[];
  diag: DiagonalTrace | null;
  /** diagonal model: the max-margin references from their own worker (null while it computes them) */
  refs: MaxMarginRefs | null;
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

const SERIES_KEYS = ['loss', 'testLoss', 'lambda', 'etaS', 'etaLambda', 'etaT', 'twoOverLambda', 'twoOverS', 'thLoss', 'thLambda', 'thEtaS', 'impLoss', 'impLambda', 'impEtaS'] as const;

const pos = (v: number): number | null => (Number.isFinite(v) && v > 0 ? v : null);
const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

function putRow(run: LiveRun, i: number, r: MetricRow): void {
  run.s.loss![i] = pos(r.loss);
  run.s.testLoss![i] = pos(r.testLoss);
  // λ/λ0: a lazy run's 0.1 % drift stays a flat line at 1 instead of filling the chart
  run.s.lambda![i] = fin(r.lambda / (run.started?.lambda0 ?? NaN));
  run.s.etaS![i] = fin(r.etaSharpness);
  run.s.etaLambda![i] = fin(r.etaLambda);
  run.s.twoOverLambda![i] = pos(2 / r.lambda);
  run.s.twoOverS![i] = pos(2 / r.sharpness);
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
  // η(t) over the whole run, from the policy itself (the trainer's own function), as soon as η is known
  if (st) {
    const sched = stateSchedule(run.state);
    const k = sched ? compilePolicy(sched) : () => 1;
    const absolute = sched ? isAbsolute(sched) : false;
    run.x.forEach((t, i) => (run.s.etaT![i] = pos(absolute ? k(t) : st.eta * k(t))));
  }
  const th = st?.theory;
  if (th) {
    const L = th.loss.length;
    const converged = th.status === 'converged';
    run.x.forEach((t, i) => {
      const k = t < L ? t : converged ? L - 1 : -1;
      if (k < 0) return;
      run.s.thLoss![i] = pos(th.loss[k]!);
      run.s.thLambda![i] = fin(th.lambda[k]! / st!.lambda0);
      run.s.thEtaS![i] = fin(th.etaSharpness[k]!);
    });
  }
  const impLambda0 = overlay?.summary?.lambda0 ?? imp.find((r) => Number.isFinite(r.lambda))?.lambda ?? NaN;
  for (const r of imp) {
    const i = run.index.get(r.step)!;
    run.s.impLoss![i] = pos(r.loss);
    run.s.impLambda![i] = fin(r.lambda / impLambda0);
    run.s.impEtaS![i] = fin(r.etaSharpness);
  }
}

function liveSpecs(run: LiveRun): Record<(typeof LIVE_CHARTS)[number], [ChartSpec, Values[]]> {
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
    [theory('theory λ/λ₀'), s.thLambda!, th],
    [{ label: 'λ/λ₀', stroke: COLORS.lambda, width: 2, spanGaps: true }, s.lambda!, true],
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
    lambda: [
      {
        title: 'NTK curvature λ / λ₀',
        xLabel: 'step',
        yLabel: 'λ / λ₀',
        hLines: [{ y: 1, label: 'λ = λ₀', color: '#6b7280' }],
        yInclude: [0, 1],
        series: lambda.series,
      },
      lambda.data,
    ],
    etaS: [
      {
        title: 'η·S — sharpness × learning rate',
        xLabel: 'step',
        yLabel: 'η·S',
        hLines: [{ y: 2, label: 'η·S = 2', color: '#6b7280' }],
        yInclude: [0, 2],
        series: etaS.series,
      },
      etaS.data,
    ],
    // the stability thresholds: GD on a quadratic with curvature λ (or S) is stable while η < 2/λ
    eta: [
      {
        title: 'learning rate η(t) vs 2/λ and 2/S',
        xLabel: 'step',
        yLabel: 'rate',
        yLog: true,
        series: [
          { label: 'η(t)', stroke: COLORS.loss, width: 1.8 },
          { label: '2/λ', stroke: COLORS.lambda, width: 1.4, spanGaps: true },
          { label: '2/S', stroke: COLORS.etaS, width: 1.4, spanGaps: true },
        ],
      },
      [s.etaT!, s.twoOverLambda!, s.twoOverS!],
    ],
  };
}

function setupLiveCharts(run: LiveRun): void {
  const specs = liveSpecs(run);
  LIVE_CHARTS.forEach((k, i) => {
    const [spec, data] = specs[k];
    charts[k].setupSoon(spec, [run.x, ...data] as uPlot.AlignedData, i);
  });
  if (run.diag) {
    const ds = diagonalSpecs(run);
    DIAGONAL_CHARTS.forEach((k, i) => charts[k].setupSoon(ds[k][0], [run.x, ...ds[k][1]] as uPlot.AlignedData, LIVE_CHARTS.length + i));
  }
}

const betaColor = (j: number): string => `hsl(${(j * 137.508) % 360}, 70%, ${j % 2 ? 38 : 50}%)`;

/** β coordinates and the ℓ1/ℓ2 gaps over the run's x axis (steps). */
function diagonalSpecs(run: LiveRun): Record<(typeof DIAGONAL_CHARTS)[number], [ChartSpec, Values[]]> {
  const tr = run.diag!;
  const n = run.x.length;
  const betas = tr.shown.map(() => nulls(n));
  const l1 = nulls(n), l2 = nulls(n);
  run.rows.forEach((r, i) => {
    const k = run.index.get(r.step);
    const b = tr.beta[i];
    if (k === undefined || !b) return;
    tr.shown.forEach((j, s) => (betas[s]![k] = fin(b[j]!)));
    l1[k] = pos(tr.l1Gap[i]!);
    l2[k] = pos(tr.l2Gap[i]!);
  });
  const capped = tr.d > tr.shown.length;
  const refs = run.refs;
  const gapsTitle =
    refs === null ? 'gaps: computing the max-margin predictors (HiGHS)…' : refs.status === 'ok' ? 'gaps of β/γ to the ℓ1 and ℓ2 max-margin predictors' : refs.status === 'non-separable' ? 'gaps: none (the data are not separable)' : 'gaps: not available (HiGHS did not run)';
  return {
    beta: [
      {
        title: capped ? `β coordinates (the ${tr.shown.length} of ${tr.d} with the largest |β| at the latest step)` : `β coordinates (all ${tr.d})`,
        xLabel: 'step',
        yLabel: 'β_j',
        hLines: [{ y: 0, label: '0', color: '#9ca3af' }],
        series: tr.shown.map((j) => ({ label: `β${j + 1}`, stroke: betaColor(j), width: 1.3 })),
      },
      betas,
    ],
    gaps: [
      {
        title: gapsTitle,
        xLabel: 'step',
        // log scale: the gaps start large (β/γ at a tiny γ) and the interesting part is how close to 0 they get
        yLabel: 'relative gap',
        yLog: true,
        series: [
          { label: 'ℓ1 gap ‖β/γ − b₁‖₁/‖b₁‖₁', stroke: COLORS.catapult, width: 1.8, spanGaps: true },
          { label: 'ℓ2 gap ‖β/γ − b₂‖₂/‖b₂‖₂', stroke: COLORS.lazy, width: 1.8, spanGaps: true },
        ],
      },
      [l1, l2],
    ],
  };
}

/** Which coordinates the β chart shows (changes rebuild it; otherwise only its data). */
function pickShown(tr: DiagonalTrace): boolean {
  const last = tr.beta[tr.beta.length - 1];
  const shown = last ? largestCoordinates(last, BETA_LINES) : Array.from({ length: Math.min(tr.d, BETA_LINES) }, (_, j) => j);
  const changed = shown.length !== tr.shown.length || shown.some((j, i) => j !== tr.shown[i]);
  tr.shown = shown;
  return changed;
}

let stepView: StepView = 'all';

/** Apply the step axis view (all / early steps) to the three live charts. */
function applyStepView(run: LiveRun | null = liveRun): void {
  const T = run?.done?.steps ?? run?.state.steps ?? state.steps;
  const range = stepRange(stepView, run?.rows ?? [], T);
  for (const k of STEP_CHARTS) charts[k].setXRange(range);
  for (const b of $$('[data-steps]')) b.setAttribute('aria-pressed', String(b.dataset.steps === stepView));
}

function updateLiveCharts(run: LiveRun): void {
  if (stepView === 'early') applyStepView(run);
  const specs = liveSpecs(run);
  for (const k of LIVE_CHARTS) charts[k].update([run.x, ...specs[k][1]] as uPlot.AlignedData);
  if (run.diag) {
    const changed = pickShown(run.diag);
    const ds = diagonalSpecs(run);
    for (const k of DIAGONAL_CHARTS) {
      if (k === 'beta' && changed) charts.beta.setupSoon(ds.beta[0], [run.x, ...ds.beta[1]] as uPlot.AlignedData);
      else charts[k].update([run.x, ...ds[k][1]] as uPlot.AlignedData);
    }
  }
}

/**
 * End the live run now: the worker may be deep in a long computation (a big init, a slow step)
 * and would only see a stop message after it, so it is terminated and a fresh one started.
 */
function stopRun(): void {
  const r = liveRun;
  if (r && !r.finished) {
    freshLiveWorker();
    r.error = 'stopped';
    finishLive(r, null);
    setBadge('', false, 'stopped');
  }
}

function freshLiveWorker(): void {
  liveWorker?.terminate();
  liveWorker = new WorkerClient();
  workerGeneration++;
}

function finishLive(run: LiveRun, done: RunDone | null): void {
  run.done = done;
  run.finished = true;
  if (stepView === 'early') applyStepView(run);
  run.wallMs = performance.now() - run.tStart;
  for (const k of STEP_CHARTS) charts[k].flush();
  syncControls();
  for (const r of run.resolve) r(run);
  run.resolve = [];
}

/**
 * Start a live run of the current state (ending the one in progress). Refuses a setting over the
 * memory limit and asks before one over the time limit (budget.ts); resolves to null then.
 */
function startRun(opts: { confirmed?: boolean } = {}): Promise<LiveRun | null> {
  clearTimeout(runTimer);
  const prev = liveRun;
  if (prev && !prev.finished) {
    // A worker that answers every ~25 ms sees a stop message at once (and keeps its compiled
    // code for the next run); one busy with an init or a slow step is replaced.
    if (prev.started && performance.now() - prev.lastMessageAt < 300) {
      live().send({ type: 'stop', id: prev.id }, () => {});
      live().forget(prev.id);
      prev.error = 'stopped';
      finishLive(prev, null);
    } else stopRun();
  }
  const problems = stateProblems(state);
  if (problems.length) {
    setBadge('', false, 'invalid setting');
    return Promise.resolve(null);
  }
  const verdict = judgeRun(estimateRun(state));
  if (verdict.action === 'refuse' || (verdict.action === 'ask' && !opts.confirmed)) {
    const asked = { ...state };
    setBadge('', false, verdict.action === 'refuse' ? 'not run' : 'waiting for you');
    showBanner({
      kind: verdict.action === 'refuse' ? 'error' : 'warning',
      title: verdict.title,
      lines: verdict.lines,
      actions: verdict.action === 'ask' ? [{ label: 'Run anyway', run: () => stateToHash(state) === stateToHash(asked) && void startRun({ confirmed: true }) }] : [],
    });
    return Promise.resolve(null);
  }
  const run: LiveRun = {
    id: newId(),
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
    lastMessageAt: 0,
    done: null,
    finished: false,
    error: null,
    wallMs: NaN,
    resolve: [],
    diag: null,
    refs: null,
  };
  liveRun = run;
  requestMaxMargin(run);
  setBadge('', false, 'starting…');
  setProgress(0);
  syncControls();
  const promise = new Promise<LiveRun>((resolve) => run.resolve.push(resolve));
  live().send(
    // the exact theory is for a constant η: a learning-rate policy runs without it
    { type: 'run', id: run.id, config: stateToRunInput(run.state), stream: true, withTheory: !stateSchedule(run.state), dataUrl, chunkMs: 25 },
    (msg) => {
      if (liveRun !== run) return;
      run.messages++;
      run.lastMessageAt = performance.now();
      if (msg.type === 'start') onStart(run, msg);
      else if (msg.type === 'rows') onRows(run, msg);
      else if (msg.type === 'done') onDone(run, msg);
      else if (msg.type === 'error') {
        run.error = msg.message;
        setBadge('', false, 'error');
        showBanner({ kind: 'error', title: 'The run failed.', lines: [msg.message, `Setting: ${describeSetting(run.state)}.`] });
        finishLive(run, null);
      }
    },
  );
  return promise;
}

/** The diagonal model's max-margin references: a worker of its own, replaced with every run. */
let refsWorker: WorkerClient | null = null;

function requestMaxMargin(run: LiveRun): void {
  refsWorker?.terminate();
  refsWorker = null;
  if (run.state.model !== 'diagonal') return;
  const w = (refsWorker = new WorkerClient());
  w.send({ type: 'max-margin', id: newId(), config: stateToRunInput(run.state), dataUrl }, (msg) => {
    if (msg.type !== 'max-margin-done' && msg.type !== 'error') return;
    if (refsWorker === w) {
      w.terminate();
      refsWorker = null;
    }
    if (liveRun !== run) return;
    onMaxMargin(run, msg.type === 'max-margin-done' ? msg.refs : { status: 'unavailable', message: msg.message, ms: NaN });
  });
}

/** The references arrived: gaps for every row so far (later rows get them as they come). */
function onMaxMargin(run: LiveRun, refs: MaxMarginRefs): void {
  run.refs = refs;
  const tr = run.diag;
  if (tr) {
    tr.beta.forEach((b, i) => {
      const g = gapsOf(b, tr.gamma[i]!, refs);
      tr.l1Gap[i] = g.l1Gap;
      tr.l2Gap[i] = g.l2Gap;
    });
    const ds = diagonalSpecs(run);
    charts.gaps.setupSoon(ds.gaps[0], [run.x, ...ds.gaps[1]] as uPlot.AlignedData);
  }
  if (run.started) {
    renderTheoryCard(run);
    renderLiveStats(run);
  }
}

function onStart(run: LiveRun, msg: RunStarted): void {
  run.started = msg;
  run.diag = msg.diagonal ? { d: msg.diagonal.d, beta: [], gamma: [], l1Gap: [], l2Gap: [], shown: [] } : null;
  if (run.diag) pickShown(run.diag);
  run.tStart = performance.now();
  realign(run);
  setupLiveCharts(run);
  renderTheoryCard(run);
  renderLiveStats(run);
}

function onRows(run: LiveRun, msg: RunRows): void {
  const rows = rowsFromPacked(msg.rows);
  run.rows.length = msg.from;
  const tr = run.diag;
  const dg = msg.diagonal;
  if (tr && dg) {
    for (const a of [tr.beta, tr.gamma, tr.l1Gap, tr.l2Gap]) a.length = msg.from;
    for (let i = 0; i < dg.gamma.length; i++) {
      const beta = dg.beta.slice(i * dg.d, (i + 1) * dg.d);
      const g = gapsOf(beta, dg.gamma[i]!, run.refs);
      tr.beta.push(beta);
      tr.gamma.push(g.gamma);
      tr.l1Gap.push(g.l1Gap);
      tr.l2Gap.push(g.l2Gap);
    }
  }
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
  if (st && run.diag) {
    // the diagonal net's rate is η itself: η·S₀ < 2 is stability at init
    items.push(['η', fmt(st.eta)], ['η·S₀', fmt(st.eta * st.sharpness0)], ['λ₀', fmt(st.lambda0)], ['params', st.numParams.toLocaleString('en-US')]);
  } else if (st) {
    items.push(['η', fmt(st.eta)], ['λ₀', fmt(st.lambda0)], ['c', fmt(st.c)], ['params', st.numParams.toLocaleString('en-US')], ['kernel', st.backend]);
  }
  const last = run.rows[run.rows.length - 1];
  if (last) items.push(['loss', fmt(last.loss)], ['λ', fmt(run.lambdaLast)]);
  const tr = run.diag;
  if (tr && tr.gamma.length) {
    const i = tr.gamma.length - 1;
    items.push(['γ', fmt(tr.gamma[i]!)], ['ℓ1 gap', fmt(tr.l1Gap[i]!)], ['ℓ2 gap', fmt(tr.l2Gap[i]!)]);
  }
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
  $('#theory-card h3').textContent = 'Theory prediction';
  const st = run.started;
  const th = st?.theory;
  const sum = run.done?.summary;
  const mini = (p: string) => `<span class="mini" data-phase="${p}">${p}</span>`;
  const rows: string[] = [];
  if (st?.diagonal) {
    renderDiagonalCard(run);
    return;
  }
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
    rows.push(`<p>${escapeHtml(settingNote(run.state))}</p>`);
    if (sum) rows.push(`<p>This run: ${mini(sum.phase)} · final λ = ${fmt(sum.lambdaFinal)} · η·S = ${fmt(sum.etaSharpnessFinal)}</p>`);
  } else rows.push('<p>…</p>');
  if (st) rows.push(`<p class="hint">Data: ${st.dataName} (m = ${st.m}, d = ${st.d}).</p>`);
  body.innerHTML = rows.join('');
}

/** The diagonal model's card: what the β and gap charts show, the max-margin references (or why there are none). */
function renderDiagonalCard(run: LiveRun): void {
  const st = run.started!;
  const refs = run.refs;
  const s = run.state;
  const rows: string[] = [];
  $('#theory-card h3').textContent = 'Diagonal net: kernel or rich';
  // λ0 ≪ S0 is the rule near β = 0 (small α); it is said only when these numbers show it
  const scale = st.lambda0 < 0.1 * st.sharpness0 ? `c = ηλ₀/2 = ${fmt(st.c)} is not the scale here: λ₀ = ${fmt(st.lambda0)} ≪ S₀ = ${fmt(st.sharpness0)}` : `λ₀ = ${fmt(st.lambda0)}, S₀ = ${fmt(st.sharpness0)}`;
  rows.push(`<p>β = u₊^${s.depth} − u₋^${s.depth}, u₊ = u₋ = α·1 = ${fmt(s.alpha)} at init (neighbours §A). GD with η = ${fmt(st.eta)}: η·S₀ = ${fmt(st.eta * st.sharpness0)} (stable at init below 2; ${scale}).</p>`);
  if (refs === null) {
    rows.push('<p>Computing the ℓ1 and ℓ2 max-margin predictors of the training data (HiGHS, WebAssembly, in a worker of its own; the run does not wait). The gaps are drawn when they arrive.</p>');
  } else if (refs.status === 'ok') {
    rows.push('<table>');
    rows.push(`<tr><td>ℓ1 max margin</td><td>${fmt(refs.l1Margin)}</td><td>b₁ = argmin ‖b‖₁ with y·⟨b, x⟩ ≥ 1 (LP)</td></tr>`);
    rows.push(`<tr><td>ℓ2 max margin</td><td>${fmt(refs.l2Margin)}</td><td>b₂ = argmin ‖b‖₂ with y·⟨b, x⟩ ≥ 1 (QP)</td></tr>`);
    const i = run.diag?.gamma.length ? run.diag.gamma.length - 1 : -1;
    if (i >= 0) rows.push(`<tr><td>latest step</td><td colspan="2">γ = ${fmt(run.diag!.gamma[i]!)} · ℓ1 gap ${fmt(run.diag!.l1Gap[i]!)} · ℓ2 gap ${fmt(run.diag!.l2Gap[i]!)}</td></tr>`);
    rows.push('</table>');
    rows.push(`<p class="hint">Solved once for this run by HiGHS (WebAssembly) in ${fmt(refs.ms)} ms. The gaps compare β/γ (γ = min margin, so β/γ has margin 1 like b₁, b₂) with each reference; they are drawn once γ > 0. Rich regime (small α): the ℓ1 gap goes to 0 as γ grows; kernel regime (large α): the ℓ2 gap does.</p>`);
  } else if (refs.status === 'non-separable') {
    rows.push(`<p><strong>The training data are not linearly separable (through the origin): there is no max-margin solution, so no gap is drawn.</strong> β's coordinates are still shown. Use Gaussian teacher data with label noise 0 for separable data.</p>`);
    rows.push(`<p class="hint">${escapeHtml(refs.message)}</p>`);
  } else {
    rows.push(`<p><strong>The max-margin references could not be computed here, so no gap is drawn</strong> (none is guessed): ${escapeHtml(refs.message)}. β's coordinates and the margin γ are still shown.</p>`);
  }
  rows.push(`<p class="hint">Data: ${st.dataName} (m = ${st.m}, d = ${st.d}).</p>`);
  $('#theory-body').innerHTML = rows.join('');
}

// ---------------------------------------------------------------------------------------------
// export / import

function liveRunFile(): { json: string; csv: string; name: string } | null {
  const run = liveRun;
  if (!run || !run.started || !run.done?.summary) return null;
  const s = run.state;
  // the diagonal net's rate is η itself (c is not its scale)
  const rate = s.model === 'diagonal' ? `diagonal-D${s.depth}-alpha${s.alpha}-eta${s.eta}` : `c${run.started.c.toPrecision(4)}`;
  const name = `catapult-${s.data}-${rate}-seed${s.seed}`;
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
    if (kind === 'csv') download(theoryToCsv(theoryResult), 'catapult-theory.csv', 'text/csv');
    else download(theoryToJson(theoryResult, theorySteps, location.href), 'catapult-theory.json', 'application/json');
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
    showBanner({ kind: 'error', title: 'Import failed.', lines: [(e as Error).message] });
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
  const { patch, notes } = stateFromRunConfig(cfg, overlay?.summary?.c);
  if (notes.length) showBanner({ kind: 'warning', title: 'Part of the imported run cannot be shown here:', lines: notes });
  setState({ ...patch, mode: 'single' });
}

// ---------------------------------------------------------------------------------------------
// mode switching

/** Show a sweep point's run live. */
function replay(s: ExplorerState): void {
  state = s;
  writeUrl();
  syncControls();
  showMode();
  void startRun();
}


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
    return r ? r.error : 'not started';
  },
  workerGeneration: () => workerGeneration,
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
  charts: () => ({ loss: chartInfo(charts.loss), lambda: chartInfo(charts.lambda), etaS: chartInfo(charts.etaS), eta: chartInfo(charts.eta), beta: chartInfo(charts.beta), gaps: chartInfo(charts.gaps) }),
  /** the diagonal model's read-outs of the live run (null for the deep linear net) */
  diagonal: () => {
    const r = liveRun;
    const tr = r?.diag;
    if (!r || !tr) return null;
    const i = tr.gamma.length - 1;
    return {
      refs: r.refs?.status ?? null,
      rows: tr.gamma.length,
      shown: tr.shown,
      betaTitle: charts.beta.title,
      gapsTitle: charts.gaps.title,
      card: $('#theory-body').textContent,
      last: i >= 0 ? { beta: Array.from(tr.beta[i]!), gamma: tr.gamma[i]!, l1Gap: tr.l1Gap[i]!, l2Gap: tr.l2Gap[i]! } : null,
      gaps: tr.gamma.map((g, k) => [g, tr.l1Gap[k]!, tr.l2Gap[k]!]),
    };
  },
  stepView: (v: StepView) => {
    stepView = v;
    applyStepView();
  },
  /** size, scales and legend texts of a live chart */
  chartView: (name: 'loss' | 'lambda' | 'etaS') => {
    const u = charts[name].u;
    if (!u) return null;
    return {
      width: u.width,
      height: u.height,
      x: [u.scales.x!.min, u.scales.x!.max],
      y: [u.scales.y!.min, u.scales.y!.max],
      legend: Array.from(charts[name].el.querySelectorAll('.u-legend tr')).map((tr) => ({ label: tr.querySelector('.u-label')?.textContent ?? '', value: tr.querySelector('.u-value')?.textContent ?? '', shown: !tr.classList.contains('u-off') })),
    };
  },
  sweep: () => (sweep ? { running: sweep.running, cs: sweep.cs, phases: sweep.results.map((r) => r?.summary.phase ?? null) } : null),
  theoryStatus: () => ({ running: theoryRunning, progress: theoryProgress }),
  theory: () => (theoryResult ? { n: theoryResult.cs.length, ms: theoryResult.ms, phases: PHASES.map((p, k) => [...theoryResult!.phase].filter((x) => x === k).length) } : null),
  /** Run a config (explorer run input) in a fresh worker; resolves to its metrics CSV and summary. */
  runConfig: (config: Record<string, unknown>) =>
    new Promise((resolve, reject) => {
      const w = new WorkerClient();
      const id = newId();
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
  banner: () => bannerMessage(),
  drafts: () => fieldDrafts(),
  columns: METRIC_COLUMNS,
};

// ---------------------------------------------------------------------------------------------

initSweepMode({ state: () => state, changed: () => syncControls(), replay, dataUrl });
initTheoryMode({ state: () => state, changed: () => syncControls(), dataUrl, cancelScheduled: () => clearTimeout(theoryTimer) });
bindControls();
writeUrl();
syncControls();
showIgnoredUrlKeys(initial.ignored);
renderSweepCard();
showMode();
