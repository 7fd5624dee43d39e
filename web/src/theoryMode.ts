/**
 * Theory mode: the exact two-float recursion (theory §6) for thousands of c values at once, in a
 * worker of its own, with the final λ and η·S against c and a bifurcation diagram. Reports
 * progress; Stop terminates the worker (it never yields) and starts a fresh one.
 */
import { type Phase } from '../../src/index.ts';
import { judgeTheory } from './budget.ts';
import { showBanner } from './banner.ts';
import { Chart, COLORS, emptySpec, nulls, uPlot, type SeriesSpec, type Values } from './charts.ts';
import { $, fmt } from './dom.ts';
import { PHASES, type TheoryDone } from './protocol.ts';
import { cGrid, stateToHash, stateToRunInput, type ExplorerState } from './state.ts';
import { setBadge, setProgress, setStats } from './statusBar.ts';
import { newId, WorkerClient } from './workers.ts';

export interface TheoryContext {
  state(): ExplorerState;
  /** the mode's running state changed (the page relabels its Run / Stop button) */
  changed(): void;
  dataUrl: string;
  /** cancel a start the page scheduled (a setting being typed) */
  cancelScheduled(): void;
}

let ctx: TheoryContext;
let worker: WorkerClient | null = null;

export function initTheoryMode(c: TheoryContext): void {
  ctx = c;
}

/** The theory worker (also computes the sweep's dashed theory curve). */
export const theoryWorker = (): WorkerClient => (worker ??= new WorkerClient());

const theoryCharts = {
  lambda: new Chart($('#chart-theory-lambda'), emptySpec('Final λ vs c (exact recursion)'), 'theory-lambda-chart'),
  etaS: new Chart($('#chart-theory-etas'), emptySpec('Final η·S vs c'), 'theory-etas-chart'),
  bif: new Chart($('#chart-theory-bif'), emptySpec('Bifurcation diagram'), 'theory-bif-chart'),
};
export let theoryResult: TheoryDone | null = null;
/** steps of the recursion behind theoryResult */
export let theorySteps = 0;
let theoryRequest = 0;
export let theoryRunning = false;
/** fraction of the theory grid computed (progress messages) */
export let theoryProgress = 0;

/** The theory mode's setting: the ctx.state()'s p, width, seed and data size on degenerate data and the uv net. */
export function theoryState(s: ExplorerState): ExplorerState {
  // the recursion is the two-layer deep linear net's, whichever model the live mode has
  return { ...s, data: 'degenerate', model: 'deep-linear', depth: 2, loss: s.loss === 'exponential' ? 'logistic' : s.loss };
}

/** End a theory grid in progress: its worker is terminated (it never yields) and replaced. */
export function stopTheory(): void {
  if (!theoryRunning) return;
  theoryRunning = false;
  theoryRequest = 0;
  worker?.terminate();
  worker = new WorkerClient();
  setBadge('', false, 'stopped');
  ctx.changed();
}

export function startTheory(opts: { confirmed?: boolean } = {}): void {
  ctx.cancelScheduled();
  stopTheory();
  const st = theoryState(ctx.state());
  if (st.tmin >= st.tmax) return;
  const verdict = judgeTheory(st);
  if (verdict.action !== 'run' && !opts.confirmed) {
    const asked = { ...ctx.state() };
    setBadge('', false, 'waiting for you');
    showBanner({ kind: 'warning', title: verdict.title, lines: verdict.lines, actions: [{ label: 'Compute anyway', run: () => stateToHash(ctx.state()) === stateToHash(asked) && startTheory({ confirmed: true }) }] });
    return;
  }
  const cs = cGrid(st.tmin, st.tmax, st.tn, st.cscale);
  const id = newId();
  theoryRequest = id;
  theoryRunning = true;
  theoryProgress = 0;
  setBadge('', false, 'computing…');
  setProgress(0);
  ctx.changed();
  const t0 = performance.now();
  theoryWorker().send(
    { type: 'theory', id, config: stateToRunInput(st), cs, steps: st.tsteps, bifurcation: { variable: st.bvar, transient: st.tsteps, keep: 64, width: bifurcationWidth(), height: 260 }, dataUrl: ctx.dataUrl },
    (msg) => {
      if (theoryRequest !== id) return;
      if (msg.type === 'progress') {
        theoryProgress = msg.done / msg.total;
        setProgress(theoryProgress);
        setStats([['computed', `${Math.round(theoryProgress * 100)} %`], ['c values', st.tn.toLocaleString('en-US')], ['steps', String(st.tsteps)], ['elapsed', `${((performance.now() - t0) / 1000).toFixed(1)} s`]]);
        return;
      }
      theoryRunning = false;
      ctx.changed();
      if (msg.type === 'error') {
        setBadge('', false, 'error');
        showBanner({ kind: 'error', title: 'The theory grid failed.', lines: [msg.message] });
        return;
      }
      if (msg.type !== 'theory-done') return;
      theoryResult = msg;
      theorySteps = st.tsteps;
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
  const coerced = ctx.state().data !== 'degenerate' || ctx.state().depth !== 2 || ctx.state().loss === 'exponential';
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
