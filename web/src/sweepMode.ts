/**
 * Sweep mode: the network for a grid of c values on a pool of workers (one per core, at most 4),
 * the final λ, η·S and loss rise against c coloured by phase, the exact recursion dashed in, the
 * onsets c_loss, c_sharp, c_instab, c_max (src/experiments/onsets.ts); a click on a point replays that run live.
 */
import { type Phase, type RunSummary } from '../../src/index.ts';
import { gridOnsets, type Onset } from '../../src/experiments/onsets.ts';
import { estimateSweep, judgeRun } from './budget.ts';
import { showBanner } from './banner.ts';
import { Chart, COLORS, emptySpec, nulls, unionSorted, uPlot, type ChartSpec, type SeriesSpec, type Values } from './charts.ts';
import { $, fmt } from './dom.ts';
import { PHASES, type RunDone, type TheoryDone } from './protocol.ts';
import { cGrid, stateProblems, stateToHash, stateToRunInput, type ExplorerState } from './state.ts';
import { theoryWorker } from './theoryMode.ts';
import { newId, WorkerClient } from './workers.ts';

export interface SweepContext {
  state(): ExplorerState;
  /** the sweep's running state changed (the page relabels its Run / Stop button) */
  changed(): void;
  /** show this state's run live (a click on a sweep point) */
  replay(s: ExplorerState): void;
  dataUrl: string;
}

let ctx: SweepContext;

export function initSweepMode(c: SweepContext): void {
  ctx = c;
}

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
  /** messages of the runs that failed */
  errors: string[];
}
export let sweep: Sweep | null = null;
let pool: WorkerClient[] = [];

const sweepCharts = {
  lambda: new Chart($('#chart-sweep-lambda'), emptySpec('Final λ vs c'), 'sweep-lambda-chart'),
  etaS: new Chart($('#chart-sweep-etas'), emptySpec('Final η·S vs c'), 'sweep-etas-chart'),
  loss: new Chart($('#chart-sweep-loss'), emptySpec('Loss rise vs c'), 'sweep-loss-chart'),
};

export function poolSize(): number {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
}

export function stopSweep(): void {
  if (!sweep) return;
  sweep.running = false;
  for (const w of pool) w.terminate();
  pool = [];
  renderSweep();
  ctx.changed();
}

export function markSweepStale(): void {
  if (sweep && !sweep.running) {
    sweep.stale = true;
    renderSweepCard();
  }
}

export function startSweep(opts: { confirmed?: boolean } = {}): void {
  if (sweep?.running) stopSweep();
  const problems = stateProblems(ctx.state());
  if (problems.length) return;
  const cost = estimateSweep(ctx.state(), poolSize());
  const verdict = judgeRun(cost.run, `this sweep (${ctx.state().cn} runs, ${cost.concurrent} at a time)`, cost.concurrent, cost.seconds);
  if (verdict.action === 'refuse' || (verdict.action === 'ask' && !opts.confirmed)) {
    const asked = { ...ctx.state() };
    showBanner({
      kind: verdict.action === 'refuse' ? 'error' : 'warning',
      title: verdict.title,
      lines: verdict.lines,
      actions: verdict.action === 'ask' ? [{ label: 'Run anyway', run: () => stateToHash(ctx.state()) === stateToHash(asked) && startSweep({ confirmed: true }) }] : [],
    });
    return;
  }
  const st = { ...ctx.state() };
  const cs = cGrid(st.cmin, st.cmax, st.cn, st.cscale);
  const n = poolSize();
  while (pool.length < n) pool.push(new WorkerClient());
  const sw: Sweep = { id: newId(), state: st, cs, results: cs.map(() => null), pool, running: true, t0: performance.now(), ms: 0, theory: null, stale: false, errors: [] };
  sweep = sw;
  let next = 0;
  let finished = 0;
  const take = (w: WorkerClient) => {
    if (sweep !== sw || !sw.running || next >= cs.length) return;
    const i = next++;
    w.send({ type: 'run', id: newId(), config: stateToRunInput(st, cs[i]), stream: false, withTheory: false, dataUrl: ctx.dataUrl }, (msg) => {
      if (sweep !== sw) return;
      if (msg.type === 'done') sw.results[i] = msg;
      else if (msg.type === 'error') {
        sw.errors.push(`c = ${fmt(cs[i]!)}: ${msg.message}`);
        showBanner({ kind: 'error', title: `${sw.errors.length} of the sweep's runs failed.`, lines: sw.errors.slice(0, 6) });
      }
      else return;
      finished++;
      sw.ms = performance.now() - sw.t0;
      if (finished === cs.length) {
        sw.running = false;
        ctx.changed();
      }
      renderSweep();
      take(w);
    });
  };
  for (const w of pool) take(w);
  // the theory curve for the same setting, on a fine grid (when the recursion applies)
  const tcs = cGrid(st.cmin, st.cmax, 400, st.cscale);
  theoryWorker().send(
    { type: 'theory', id: newId(), config: stateToRunInput(st), cs: tcs, steps: st.steps, bifurcation: { variable: 'f', transient: 1, keep: 1, width: 1, height: 1 }, dataUrl: ctx.dataUrl },
    (msg) => {
      if (sweep !== sw || msg.type !== 'theory-done') return;
      sw.theory = msg;
      renderSweep();
    },
  );
  ctx.changed();
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

export function renderSweep(): void {
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
  const drawDivergent = (u: uPlot, px: number) => {
    const ctx = u.ctx;
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
  specs.forEach(([chart, spec, data], k) => {
    const layout = JSON.stringify([spec.title, spec.series.length, log, vlines]);
    if (chart.el.dataset.layout !== layout || !chart.u) {
      // one chart per task: building all three at once took one 53–67 ms task
      chart.setupSoon(spec, [xs, ...data] as uPlot.AlignedData, k);
      chart.el.dataset.layout = layout;
    } else {
      chart.spec = spec;
      chart.update([xs, ...data] as uPlot.AlignedData);
    }
  });
  renderSweepCard();
}

for (const chart of Object.values(sweepCharts)) chart.onSetup = (u) => attachReplay(u);

function attachReplay(u: uPlot): void {
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
    ctx.replay({ ...sw.state, c: sw.cs[best]!, mode: 'single' });
  });
}


export function renderSweepCard(): void {
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

export function sweepCsv(): string {
  const sw = sweep!;
  const keys = ['phase', 'status', 'steps', 'eta', 'lambda0', 'lambdaFinal', 'sharpnessFinal', 'etaSharpnessFinal', 'lossInitial', 'lossMax', 'lossFinal', 'accuracyFinal'] as const;
  const lines = [['c', ...keys].join(',')];
  sw.cs.forEach((c, i) => {
    const s = sw.results[i]?.summary as RunSummary | undefined;
    lines.push([c, ...keys.map((k) => (s ? (typeof s[k] === 'number' && Number.isNaN(s[k]) ? '' : String(s[k])) : ''))].join(','));
  });
  return lines.join('\n') + '\n';
}
