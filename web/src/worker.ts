/**
 * Training worker: runs the same TypeScript core as the CLI (src/index.ts) off the main thread.
 * Live runs advance the Trainer in chunks of ~chunkMs and post the new metric rows after each
 * chunk; sweep runs answer once; theory requests run the exact recursion for many c values and
 * rasterize the bifurcation diagram.
 */
import { bifurcation, METRIC_COLUMNS, predictedBoundaries, sweepTheory, Trainer, type Dataset, type MetricRow } from '../../src/index.ts';
import { kernelBackend } from '../../src/models/passes.ts';
import { decodeMnistAsset, type MnistAssetMeta } from './mnistAsset.ts';
import { buildWebProblem, degenerateSetting, predictTheory } from './problem.ts';
import { PHASES, type DiagonalRows, type MaxMarginRequest, type RunRequest, type TheoryOverlay, type TheoryRequest, type WorkerMessage, type WorkerRequest } from './protocol.ts';
import { resolveWebConfig, MNIST_SUBSET } from './state.ts';
import { maxMarginReferences, minMargin } from './diagonalReadouts.ts';
// HiGHS' WebAssembly binary as a build asset: emscripten finds it through `locateFile`
import highsWasmUrl from 'highs/runtime?url';

const ctx = self as unknown as DedicatedWorkerGlobalScope;
const NCOL = METRIC_COLUMNS.length;

function post(msg: WorkerMessage, transfer: Transferable[] = []): void {
  ctx.postMessage(msg, transfer);
}

let mnist: { train: Dataset; test: Dataset } | null = null;
async function loadMnist(dataUrl: string): Promise<void> {
  if (mnist) return;
  const base = `${dataUrl.replace(/\/?$/, '/')}mnist-${MNIST_SUBSET.task}`;
  const [metaRes, binRes] = await Promise.all([fetch(`${base}.json`), fetch(`${base}.bin`)]);
  if (!metaRes.ok || !binRes.ok) throw new Error(`cannot load the MNIST subset (${metaRes.status}/${binRes.status}); run npm run build:web`);
  const meta = (await metaRes.json()) as MnistAssetMeta;
  mnist = decodeMnistAsset(meta, new Uint8Array(await binRes.arrayBuffer()));
}

function packRows(rows: readonly MetricRow[], from: number, to: number): Float64Array {
  const out = new Float64Array((to - from) * NCOL);
  for (let i = from; i < to; i++) {
    const r = rows[i]!;
    for (let j = 0; j < NCOL; j++) out[(i - from) * NCOL + j] = r[METRIC_COLUMNS[j]!];
  }
  return out;
}

/** β and γ of rows from … to−1 (diagonalReadouts.ts). */
function packDiagonal(betas: readonly Float64Array[], from: number, to: number, train: Dataset): DiagonalRows {
  const d = train.d;
  const n = to - from;
  const out: DiagonalRows = { d, beta: new Float64Array(n * d), gamma: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const b = betas[from + i]!;
    out.beta.set(b, i * d);
    out.gamma[i] = minMargin(b, train);
  }
  return out;
}

/** The diagonal model's ℓ1 / ℓ2 max-margin references of a run's training data (HiGHS, once per run). */
async function maxMargin(req: MaxMarginRequest): Promise<void> {
  const cfg = resolveWebConfig(req.config);
  if (cfg.data.kind === 'mnist') await loadMnist(req.dataUrl);
  const { problem } = buildWebProblem(cfg, () => mnist!);
  const refs = await maxMarginReferences(problem.train, { locateFile: () => new URL(highsWasmUrl, self.location.href).href });
  post({ type: 'max-margin-done', id: req.id, refs });
}

/** Stop requests arrive between chunks: the loop yields through a MessageChannel (no timer clamping). */
const stopped = new Set<number>();
const yieldChannel = new MessageChannel();
const pending: (() => void)[] = [];
yieldChannel.port1.onmessage = () => pending.shift()?.();
const nextTick = (): Promise<void> =>
  new Promise((resolve) => {
    pending.push(resolve);
    yieldChannel.port2.postMessage(null);
  });

async function run(req: RunRequest): Promise<void> {
  const cfg = resolveWebConfig(req.config);
  if (cfg.data.kind === 'mnist') await loadMnist(req.dataUrl);
  const { problem, settings } = buildWebProblem(cfg, () => mnist!);
  const t0 = performance.now();
  const trainer = new Trainer(problem, settings);
  const initMs = performance.now() - t0;
  let theory: TheoryOverlay | null = null;
  if (req.withTheory) {
    const ts = degenerateSetting(problem, cfg.loss);
    if (ts) {
      const pr = predictTheory(ts, trainer.lambda0, trainer.eta, settings.steps);
      theory = {
        phase: pr.phase,
        status: pr.status,
        lambdaFinal: pr.lambdaFinal,
        etaSharpnessFinal: pr.etaSharpnessFinal,
        f0: pr.f0,
        p: pr.setting.p ?? null,
        y: pr.setting.loss === 'squared' ? (pr.setting.y ?? 1) : null,
        cLazy: pr.boundaries.cLazy,
        cMax: pr.boundaries.cMax,
        cDiverge: pr.cDiverge,
        note: pr.boundaries.note,
        ...pr.trajectory,
      };
    }
  }
  // the diagonal model streams β and γ of every row (its max-margin references come from another worker)
  const linear = problem.model.kind === 'diagonal' ? problem.model.linear : undefined;
  const transfer: Transferable[] = theory ? [theory.loss.buffer, theory.lambda.buffer, theory.etaSharpness.buffer, theory.etaLambda.buffer] : [];
  post(
    {
      type: 'start',
      id: req.id,
      eta: trainer.eta,
      c: (trainer.eta * trainer.lambda0) / 2,
      lambda0: trainer.lambda0,
      sharpness0: trainer.sharpness0,
      dataName: problem.train.name,
      m: problem.train.m,
      d: problem.train.d,
      numParams: problem.model.numParams,
      backend: kernelBackend(),
      initMs,
      resolved: cfg,
      theory,
      diagonal: linear ? { d: problem.train.d } : null,
    },
    transfer,
  );

  let trainMs = 0;
  if (!req.stream) {
    const t1 = performance.now();
    const summary = trainer.run();
    trainMs = performance.now() - t1;
    const rows = req.withMetrics ? packRows(trainer.metrics, 0, trainer.metrics.length) : undefined;
    post({ type: 'done', id: req.id, summary, steps: summary.steps, trainMs, initMs, ...(rows ? { rows } : {}) }, rows ? [rows.buffer] : []);
    return;
  }

  const target = req.chunkMs ?? 25;
  let chunk = 8;
  let sent = 0;
  let lastSent: MetricRow | undefined;
  // diagonal model: β at every recorded row (index = metrics row), captured as the row is recorded
  const betas: Float64Array[] = [];
  const capture = () => {
    while (linear && betas.length < trainer.metrics.length) betas.push(linear.endToEnd(trainer.theta));
  };
  capture();
  const advance = (n: number): boolean => {
    if (!linear) return trainer.advance(n);
    // one step at a time, so β is read at exactly the step of each new row (same steps, same results)
    for (let k = 0; k < n; k++) {
      const done = trainer.advance(1);
      capture();
      if (done) return true;
    }
    return false;
  };
  const flush = () => {
    const rows = trainer.metrics;
    // The trainer may replace its last row with a re-measured one when the run ends.
    let from = sent;
    if (sent > 0 && rows[sent - 1] !== lastSent) from = sent - 1;
    if (from >= rows.length) return;
    const packed = packRows(rows, from, rows.length);
    sent = rows.length;
    lastSent = rows[sent - 1];
    const diagonal = linear ? packDiagonal(betas, from, rows.length, problem.train) : undefined;
    const transfer: Transferable[] = [packed.buffer];
    if (diagonal) transfer.push(diagonal.beta.buffer, diagonal.gamma.buffer);
    post({ type: 'rows', id: req.id, from, rows: packed, ...(diagonal ? { diagonal } : {}), step: trainer.currentStep, trainMs }, transfer);
  };
  flush();
  for (;;) {
    await nextTick();
    if (stopped.has(req.id)) {
      stopped.delete(req.id);
      return;
    }
    const t1 = performance.now();
    const done = advance(chunk);
    const dt = performance.now() - t1;
    trainMs += dt;
    // Adapt the chunk to ~target ms: short enough to answer stop requests, long enough to amortize messages.
    chunk = Math.max(1, Math.min(100000, Math.round(chunk * Math.min(4, Math.max(0.25, target / Math.max(dt, 0.5))))));
    flush();
    if (done) break;
  }
  const summary = trainer.summary();
  post({ type: 'done', id: req.id, summary, steps: summary.steps, trainMs, initMs });
}

/**
 * y range of a bifurcation diagram: from the per-c extremes of the late-time values (1% … 99%
 * quantiles over c, so a few near-divergent columns do not flatten the rest), padded by 5%.
 */
function robustRange(values: Float64Array[]): [number, number] {
  const mins: number[] = [];
  const maxs: number[] = [];
  for (const v of values) {
    let lo = Infinity, hi = -Infinity;
    for (const x of v) {
      if (!Number.isFinite(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (lo <= hi) {
      mins.push(lo);
      maxs.push(hi);
    }
  }
  if (mins.length === 0) return [-1, 1];
  mins.sort((a, b) => a - b);
  maxs.sort((a, b) => a - b);
  let lo = mins[Math.floor(0.01 * (mins.length - 1))]!;
  let hi = maxs[Math.ceil(0.99 * (maxs.length - 1))]!;
  if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) {
    lo -= 0.5 * Math.max(1e-3, Math.abs(lo));
    hi += 0.5 * Math.max(1e-3, Math.abs(hi));
  }
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

async function theory(req: TheoryRequest): Promise<void> {
  const t0 = performance.now();
  const cfg = resolveWebConfig(req.config);
  const { problem, settings } = buildWebProblem(cfg, null);
  const ts = degenerateSetting(problem, cfg.loss);
  if (!ts) throw new Error('the exact recursion needs degenerate data, the two-layer net and the logistic or squared loss');
  // λ0 exactly as the live run measures it (the NTK of degenerate data has rank one).
  const lambda0 = new Trainer(problem, { ...settings, steps: 0 }).lambda0;
  const n = req.cs.length;
  const { variable, transient, keep, height } = req.bifurcation;
  // Work in blocks of c values (every c is independent: same results as one call) and report
  // progress after each block, in units of recursion steps.
  const total = n * (req.steps + transient + keep);
  const block = Math.max(1, Math.floor(400_000 / Math.max(1, req.steps + transient + keep)));
  let done = 0;
  const progress = (cs: number, stepsEach: number) => {
    done += cs * stepsEach;
    post({ type: 'progress', id: req.id, done, total });
  };
  const sums: ReturnType<typeof sweepTheory> = [];
  for (let i = 0; i < n; i += block) {
    const part = req.cs.slice(i, i + block);
    sums.push(...sweepTheory(ts.setting, ts.f0, lambda0, part, req.steps));
    progress(part.length, req.steps);
  }
  const phase = new Uint8Array(n);
  const lambdaFinal = new Float64Array(n);
  const etaSharpnessFinal = new Float64Array(n);
  sums.forEach((s, i) => {
    phase[i] = PHASES.indexOf(s.phase);
    lambdaFinal[i] = s.phase === 'divergent' ? NaN : s.lambdaFinal;
    etaSharpnessFinal[i] = s.phase === 'divergent' ? NaN : s.eta * s.sharpnessFinal;
  });
  const branches: ReturnType<typeof bifurcation> = [];
  for (let i = 0; i < n; i += block) {
    const part = req.cs.slice(i, i + block);
    branches.push(...bifurcation(ts.setting, ts.f0, lambda0, part, { transient, keep }));
    progress(part.length, transient + keep);
  }
  const series = branches.map((b) => (variable === 'f' ? b.f : b.lambda));
  const [yMin, yMax] = robustRange(series);
  // Rasterize at about the plot's pixel size (the c grid is evenly spaced on the chart's x scale,
  // so grid index maps linearly to columns); each pixel keeps the phase of its last c.
  const width = Math.max(1, Math.min(n, req.bifurcation.width));
  const counts = new Uint16Array(width * height);
  const colPhase = new Uint8Array(width);
  series.forEach((vals, i) => {
    const col = Math.min(width - 1, Math.floor((i * width) / n));
    colPhase[col] = phase[i]!;
    for (const v of vals) {
      if (!Number.isFinite(v)) continue;
      const row = Math.floor(((yMax - v) / (yMax - yMin)) * height);
      if (row < 0 || row >= height) continue;
      counts[row * width + col]++;
    }
  });
  const density = new Uint8Array(width * height);
  for (let i = 0; i < counts.length; i++) density[i] = counts[i] === 0 ? 0 : Math.min(255, 110 + counts[i]! * 30);
  const b = predictedBoundaries(ts.setting);
  const msg: WorkerMessage = {
    type: 'theory-done',
    id: req.id,
    lambda0,
    f0: ts.f0,
    setting: { loss: ts.setting.loss, p: ts.setting.p ?? null, y: ts.setting.loss === 'squared' ? (ts.setting.y ?? 1) : null, n: ts.setting.n },
    cLazy: b.cLazy,
    cMax: b.cMax,
    note: b.note,
    cs: Float64Array.from(req.cs),
    phase,
    lambdaFinal,
    etaSharpnessFinal,
    density,
    width,
    colPhase,
    height,
    yMin,
    yMax,
    ms: performance.now() - t0,
  };
  post(msg, [density.buffer, colPhase.buffer, phase.buffer, lambdaFinal.buffer, etaSharpnessFinal.buffer]);
}

ctx.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  if (req.type === 'stop') {
    stopped.add(req.id);
    return;
  }
  const job = req.type === 'run' ? run(req) : req.type === 'max-margin' ? maxMargin(req) : theory(req);
  job.catch((err: unknown) => post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) }));
};
