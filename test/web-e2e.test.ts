/**
 * End-to-end test of the explorer in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; no browser is ever downloaded). Builds the site, serves it with
 * scripts/serve-web.ts on a free loopback port, then:
 *  - starts a run at a catapult learning rate on the default data: the charts update while it
 *    trains and the badge reads `catapult`; steps/s and main-thread long tasks are measured;
 *  - moves c into the lazy phase: the badge reads `lazy`;
 *  - checks the page's numbers against `catapult train` in Node for the same config;
 *  - reloads a shared URL and gets the same state and the same run;
 *  - exports CSV / PNG, imports the CLI's run as an overlay, and exercises sweep, theory and MNIST.
 * Skips (with a message) when /usr/bin/chromium is missing: CI installs it with apt.
 * CATAPULT_SCREENSHOT=docs/explorer.png (path relative to the repo) saves the screenshot there.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildWeb } from '../scripts/build-web.ts';
import { createWebServer, listen } from '../scripts/serve-web.ts';
import { compilePolicy } from '../src/train/lr/policy.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CATAPULT_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIP = HAVE_CHROMIUM ? false : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the explorer e2e test`;
if (!HAVE_CHROMIUM) console.log(`# web-e2e skipped: ${SKIP}`);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface LastRun {
  id: number;
  state: Record<string, unknown>;
  error: string | null;
  resolved: Record<string, unknown>;
  summary: { phase: string; steps: number; c: number; lambda0: number; lambdaFinal: number } | null;
  csv: string | null;
  json: string | null;
  steps: number | null;
  wallMs: number;
  trainMs: number | null;
  initMs: number | null;
  messages: number;
  backend: string;
  theoryPhase: string | null;
}
interface ChartInfo {
  redraws: number;
  series: number;
  points: number[];
}

let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const tmp = mkdtempSync(join(tmpdir(), 'catapult-e2e-'));
const longTaskInit = () => {
  const w = window as unknown as { __longtasks: { start: number; duration: number }[]; __longtaskSupported: boolean };
  w.__longtasks = [];
  w.__longtaskSupported = PerformanceObserver.supportedEntryTypes.includes('longtask');
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

async function newPage(hash = '', setup?: (p: Page) => Promise<unknown>): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  p.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
  await p.addInitScript(longTaskInit);
  await setup?.(p);
  await p.goto(`${base}/${hash}`);
  await p.waitForFunction(() => (window as unknown as { __catapult?: unknown }).__catapult !== undefined);
  return p;
}

interface Banner {
  kind: string;
  title: string;
  lines: string[];
}
const banner = (p: Page) => p.evaluate(() => (window as unknown as { __catapult: { banner(): unknown } }).__catapult.banner()) as Promise<Banner | null>;
/** The banner as the user sees it (visible, with its text), or null when hidden. */
const visibleBanner = async (p: Page): Promise<string | null> => ((await p.isVisible('#banner')) ? (await p.textContent('#banner'))! : null);

const lastRun = (p: Page) => p.evaluate(() => (window as unknown as { __catapult: { lastRun(): unknown } }).__catapult.lastRun()) as Promise<LastRun | null>;
const runId = (p: Page) => p.evaluate(() => (window as unknown as { __catapult: { runId(): number } }).__catapult.runId());
const chartInfo = (p: Page) => p.evaluate(() => (window as unknown as { __catapult: { charts(): unknown } }).__catapult.charts()) as Promise<Record<'loss' | 'lambda' | 'etaS' | 'eta', ChartInfo>>;

/** Wait until a run newer than `after` has finished; returns it. */
async function finishedRunAfter(p: Page, afterId: number, timeout = 60000): Promise<LastRun> {
  await p.waitForFunction(
    (prev) => {
      const l = (window as unknown as { __catapult: { lastRun(): { id: number } | null } }).__catapult.lastRun();
      return l !== null && l.id > prev;
    },
    afterId,
    { timeout },
  );
  return (await lastRun(p))!;
}

interface Measured {
  run: LastRun;
  seen: number[];
  before: Record<'loss' | 'lambda' | 'etaS', ChartInfo>;
  after: Record<'loss' | 'lambda' | 'etaS', ChartInfo>;
  /** Long Tasks API entries (wall clock > 50 ms) while training */
  wallLong: { start: number; duration: number }[];
  /** longest main-thread task while training: wall and thread CPU time (Chromium trace), ms */
  wallMax: number;
  cpuMax: number;
  tasks: number;
}

/** Click Run with Chromium tracing on; watch the charts grow; collect the main-thread tasks. */
async function measuredRun(p: Page): Promise<Measured> {
  const before = await chartInfo(p);
  const id0 = await runId(p);
  await browser.startTracing(p, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const tClick = await p.evaluate(() => performance.now());
  await p.click('#run');
  const seen: number[] = [];
  for (let k = 0; k < 400; k++) {
    const info = await chartInfo(p);
    const running = await p.evaluate(() => (window as unknown as { __catapult: { running(): boolean } }).__catapult.running());
    if (running) seen.push(info.loss.points[info.loss.points.length - 1]!);
    if (!running && (await runId(p)) > id0) break;
    await p.waitForTimeout(40);
  }
  const run = await finishedRunAfter(p, id0);
  const tEnd = await p.evaluate(() => performance.now());
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: { name: string; ph?: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } }[] };
  const after = await chartInfo(p);
  const mainThreads = new Set(trace.traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = trace.traceEvents.filter((e) => e.name === 'RunTask' && e.dur !== undefined && mainThreads.has(`${e.pid}:${e.tid}`));
  const lt = await p.evaluate(() => (window as unknown as { __longtasks: { start: number; duration: number }[] }).__longtasks);
  return {
    run,
    seen,
    before,
    after,
    wallLong: lt.filter((e) => e.start + e.duration >= tClick && e.start <= tEnd),
    wallMax: Math.max(0, ...tasks.map((e) => e.dur! / 1000)),
    cpuMax: Math.max(0, ...tasks.map((e) => (e.tdur ?? e.dur!) / 1000)),
    tasks: tasks.length,
  };
}

/** Run `fn` with Chromium tracing on; the longest main-thread task meanwhile, in thread CPU time (ms). */
async function mainThreadCpuMax(p: Page, fn: () => Promise<void>): Promise<{ cpuMax: number; wallMax: number; tasks: number }> {
  await browser.startTracing(p, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await fn();
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: { name: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }[] };
  const mainThreads = new Set(trace.traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = trace.traceEvents.filter((e) => e.name === 'RunTask' && e.dur !== undefined && mainThreads.has(`${e.pid}:${e.tid}`));
  return { cpuMax: Math.max(0, ...tasks.map((e) => (e.tdur ?? e.dur!) / 1000)), wallMax: Math.max(0, ...tasks.map((e) => e.dur! / 1000)), tasks: tasks.length };
}

async function setC(p: Page, c: number): Promise<void> {
  await p.fill('#c-input', String(c));
  await p.dispatchEvent('#c-input', 'change');
}

// the whole suite: ~3 min on an idle 2-core machine, more under load (the diagonal-model test added ~30 s)
describe('explorer in headless Chromium', { skip: SKIP, timeout: 360000 }, () => {
  let catapultRun: LastRun;
  let lazyRun: LastRun;
  let lazyUrl: string;

  before(async () => {
    await buildWeb({ quiet: true });
    server = createWebServer(join(ROOT, 'dist', 'web'));
    const port = await listen(server, 0);
    base = `http://127.0.0.1:${port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await newPage();
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a catapult learning rate on the default data: live charts, badge `catapult`, steps/s, no long tasks', async (t) => {
    // the page starts the default run on load; let it finish, then start runs explicitly
    const first = await finishedRunAfter(page, 0);
    assert.equal(first.summary?.phase, 'catapult');
    const state = await page.evaluate(() => (window as unknown as { __catapult: { state(): Record<string, unknown> } }).__catapult.state());
    assert.equal(state.data, 'degenerate');
    assert.equal(state.c, 6);
    const lt0 = await page.evaluate(() => (window as unknown as { __longtaskSupported: boolean }).__longtaskSupported);
    assert.ok(lt0, 'PerformanceObserver supports longtask');
    // Main-thread tasks are measured two ways: wall-clock (Long Tasks API: what a user feels, but
    // inflated when the OS deschedules the thread on a busy machine) and thread CPU time (Chromium's
    // trace: the work the page itself does). CPU time must stay under 50 ms in every attempt; the
    // wall-clock check must pass in one of up to three attempts (another process may load the CPU),
    // unless the machine is overloaded (1-minute load average above twice the cores), where it
    // measures the OS scheduler rather than the page and is only reported.
    const attempts: Measured[] = [];
    for (let k = 0; k < 3; k++) {
      const m = await measuredRun(page);
      attempts.push(m);
      const { run } = m;
      assert.equal(run.error, null);
      assert.equal(run.summary?.phase, 'catapult');
      assert.equal(run.theoryPhase, 'catapult', 'the theory prediction for the same setting');
      assert.equal(await page.textContent('#phase'), 'catapult');
      assert.equal(await page.getAttribute('#phase', 'data-final'), 'true');
      assert.ok(m.seen.length >= 2 && new Set(m.seen).size >= 2, `the loss chart grew while training (${m.seen.join(',')})`);
      assert.ok(m.after.loss.redraws - m.before.loss.redraws >= 3, `charts redrew during the run (${m.after.loss.redraws - m.before.loss.redraws})`);
      for (const key of ['loss', 'lambda', 'etaS'] as const) assert.ok(m.after[key].points.some((n) => n >= 100), `${key} chart has the run's points`);
      assert.equal(m.after.loss.points.at(-1), 1001);
      const stepsPerSec = run.steps! / (run.wallMs / 1000);
      console.log(`# run ${k + 1}: ${stepsPerSec.toFixed(0)} steps/s with live charts (${run.steps} steps in ${run.wallMs.toFixed(0)} ms, ${run.messages} messages; ` +
        `worker training only ${(run.steps! / (run.trainMs! / 1000)).toFixed(0)} steps/s); main-thread tasks while training: ${m.tasks}, longest ${m.wallMax.toFixed(1)} ms wall / ${m.cpuMax.toFixed(1)} ms CPU; ` +
        `long tasks (> 50 ms wall): ${m.wallLong.length ? JSON.stringify(m.wallLong) : 'none'}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
      if (k === 0) catapultRun = run;
      assert.ok(stepsPerSec > 50, `steps/s ${stepsPerSec}`);
      assert.ok(m.cpuMax <= 50, `no main-thread task uses more than 50 ms of CPU while training (longest ${m.cpuMax} ms)`);
      if (m.wallLong.length === 0) break;
    }
    const rates = attempts.map((m) => m.run.steps! / (m.run.wallMs / 1000));
    console.log(`# explorer default setting (uv net n=1000, degenerate m=100 d=10 p=0.3, logistic, c=6, λ and S every 10 steps, kernel ${attempts[0]!.run.backend}): ` +
      `${Math.max(...rates).toFixed(0)} steps/s with live charts (best of ${rates.length}: ${rates.map((r) => r.toFixed(0)).join(', ')}); target ≥ 500`);
    const shot = process.env.CATAPULT_SCREENSHOT ? resolve(ROOT, process.env.CATAPULT_SCREENSHOT) : join(tmp, 'explorer.png');
    await page.screenshot({ path: shot });
    console.log(`# screenshot: ${shot}`);
    const wallClean = attempts.some((m) => m.wallLong.length === 0);
    const load = loadavg()[0]!;
    if (!wallClean && load > 2 * cpus().length) {
      t.diagnostic(`ALLOWANCE USED: wall-clock long tasks in every attempt, but the machine is overloaded (load average ${load.toFixed(1)} on ${cpus().length} cores): CPU time per task stayed ≤ ${Math.max(...attempts.map((m) => m.cpuMax)).toFixed(1)} ms`);
      return;
    }
    assert.ok(wallClean, 'no main-thread task longer than 50 ms (wall clock) while training, in one of three runs');
  });

  it('c in the lazy phase: badge `lazy`', async () => {
    const id0 = await runId(page);
    await setC(page, 2);
    const run = await finishedRunAfter(page, id0);
    assert.equal(run.summary?.phase, 'lazy');
    assert.equal(run.summary?.c, 2);
    assert.equal(await page.textContent('#phase'), 'lazy');
    assert.match(page.url(), /[#&]c=2(&|$)/);
    lazyRun = run;
    lazyUrl = page.url();
  });

  it('readable charts: λ/λ0 and η·S keep their reference lines in view, legends show last values, early-steps zoom', async () => {
    type View = { width: number; height: number; x: [number, number]; y: [number, number]; legend: { label: string; value: string; shown: boolean }[] };
    const view = (n: string) => page.evaluate((name) => (window as unknown as { __catapult: { chartView(n: string): unknown } }).__catapult.chartView(name), n) as Promise<View>;
    // the lazy run of the previous test: λ moves by ~0.1 %, η·S stays below 2
    const lam = await view('lambda');
    assert.ok(lam.y[0] <= 0 && lam.y[1] >= 1 && lam.y[1] < 1.2, `λ/λ0 axis ${lam.y} shows 0 and 1`);
    const etaS = await view('etaS');
    assert.ok(etaS.y[0] <= 0 && etaS.y[1] >= 2, `η·S axis ${etaS.y} shows the line η·S = 2`);
    // legends show the last values without hovering
    for (const n of ['loss', 'lambda', 'etaS']) {
      const v = await view(n);
      for (const row of v.legend.filter((r) => r.shown)) assert.match(row.value, /^-?\d/, `${n} legend "${row.label}" reads "${row.value}"`);
    }
    // early steps: the three charts zoom to the start of the run, and back
    await page.click('[data-steps="early"]');
    for (const n of ['loss', 'lambda', 'etaS']) {
      const v = await view(n);
      assert.ok(v.x[0] === 0 && v.x[1] >= 50 && v.x[1] < 1000, `${n} x axis ${v.x} after "early steps"`);
    }
    await page.click('[data-steps="all"]');
    assert.deepEqual((await view('loss')).x, [0, 1000]);
  });

  it('the same config gives the same numbers as `catapult train` in Node', async (t) => {
    const dir = join(tmp, 'cli-run');
    const cfgPath = join(tmp, 'config.json');
    writeFileSync(cfgPath, JSON.stringify(catapultRun.resolved));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'catapult.js'), 'train', cfgPath, '-o', dir, '-q', '--force'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    const nodeCsv = readFileSync(join(dir, 'metrics.csv'), 'utf8');
    const nodeSummary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const web = catapultRun.csv!;
    const a = web.trim().split('\n'), b = nodeCsv.trim().split('\n');
    assert.equal(a[0], b[0], 'same columns');
    assert.equal(a.length, b.length, 'same recorded steps');
    assert.equal(catapultRun.summary!.phase, nodeSummary.phase);
    // Numbers agree to round-off on every row (this is a hard check) ...
    const cols = a[0]!.split(',');
    let worst = 0, worstAt = '';
    for (let i = 1; i < a.length; i++) {
      const x = a[i]!.split(','), y = b[i]!.split(',');
      cols.forEach((c, j) => {
        if (c === 'step') assert.equal(x[j], y[j]);
        if (!['loss', 'lambda', 'sharpness', 'etaSharpness', 'paramNorm'].includes(c)) return;
        assert.equal(x[j] === '', y[j] === '', `row ${i} ${c}: measured on one side only`);
        if (x[j] === '') return;
        const d = Math.abs(Number(x[j]) - Number(y[j])) / Math.max(Math.abs(Number(x[j])), 1e-300);
        if (d > worst) [worst, worstAt] = [d, `${c} at step ${x[0]}`];
      });
    }
    t.diagnostic(`largest relative difference browser vs node: ${worst.toExponential(2)} (${worstAt || 'none'})`);
    assert.ok(worst <= 1e-9, `browser and node agree to 1e-9 (worst ${worst} at ${worstAt})`);
    // ... and byte for byte: the core uses its own elementary functions (src/linalg/detmath.ts),
    // never the engine's Math.exp/log, so nothing may differ between Chromium and Node.
    if (web !== nodeCsv) {
      const firstDiff = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`metrics.csv differs from catapult train from row ${firstDiff} on:\n  browser: ${a[firstDiff]}\n  node:    ${b[firstDiff]}`);
    }
  });

  it('a shared URL reloads the same state and reproduces the run', async () => {
    const p2 = await newPage(lazyUrl.slice(lazyUrl.indexOf('#')));
    try {
      const s1 = await page.evaluate(() => (window as unknown as { __catapult: { state(): unknown } }).__catapult.state());
      const s2 = await p2.evaluate(() => (window as unknown as { __catapult: { state(): unknown } }).__catapult.state());
      assert.deepEqual(s2, s1);
      assert.equal(await p2.inputValue('#c-input'), '2');
      assert.equal(await p2.inputValue('select[data-key="data"]'), 'degenerate');
      const run = await finishedRunAfter(p2, 0);
      assert.equal(run.summary?.phase, 'lazy');
      assert.equal(run.csv, lazyRun.csv, 'the reloaded link reproduces the run bit for bit');
      assert.deepEqual(run.resolved, lazyRun.resolved);
    } finally {
      await p2.close();
    }
  });

  it('exports the run as CSV / JSON and a chart as PNG', async () => {
    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csvPath = join(tmp, 'export.csv');
    await csvDl.saveAs(csvPath);
    assert.equal(readFileSync(csvPath, 'utf8'), lazyRun.csv);
    const [jsonDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const jsonPath = join(tmp, 'export.json');
    await jsonDl.saveAs(jsonPath);
    const exported = JSON.parse(readFileSync(jsonPath, 'utf8'));
    assert.equal(exported.format, 'catapult-lab/run@1');
    assert.equal(exported.summary.phase, 'lazy');
    assert.deepEqual(exported.config, lazyRun.resolved);
    const [pngDl] = await Promise.all([page.waitForEvent('download'), page.click('#loss-chart button[data-action="png"]')]);
    const pngPath = join(tmp, 'chart.png');
    await pngDl.saveAs(pngPath);
    const png = readFileSync(pngPath);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // twice the chart's size on screen (plus the 46 px title and legend strip)
    const view = (await page.evaluate(() => (window as unknown as { __catapult: { chartView(n: string): unknown } }).__catapult.chartView('loss'))) as { width: number; height: number };
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.deepEqual([w, h], [2 * view.width, 2 * (view.height + 46)], `PNG ${w}×${h} for a ${view.width}×${view.height} chart`);
    // the legend swatches have the series' colours (the network's loss is blue), none is black
    const swatchRow = await page.evaluate(async ({ b64, y }) => {
      const img = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const c = new OffscreenCanvas(img.width, img.height);
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return Array.from(g.getImageData(0, y, img.width, 1).data);
    }, { b64: png.toString('base64'), y: 70 });
    const pixels = Array.from({ length: swatchRow.length / 4 }, (_, i) => swatchRow.slice(4 * i, 4 * i + 3));
    const near = (p: number[], rgb: number[]) => p.every((v, k) => Math.abs(v - rgb[k]!) <= 12);
    assert.ok(pixels.filter((p) => near(p, [0x25, 0x63, 0xeb])).length >= 20, 'a blue swatch for the loss');
    assert.equal(pixels.filter((p) => near(p, [0, 0, 0])).length, 0, 'no black swatch');
  });

  it("imports the CLI's run and overlays it", async () => {
    const dir = join(tmp, 'cli-run');
    const files = ['metrics.csv', 'summary.json', 'config.json'].map((f) => join(dir, f));
    const id0 = await runId(page);
    await page.setInputFiles('#import', files);
    await page.waitForSelector('#overlay-info:not([hidden])');
    assert.match((await page.textContent('#overlay-info'))!, /catapult/);
    const rows = await page.evaluate(() => (window as unknown as { __catapult: { overlayRows(): number } }).__catapult.overlayRows());
    assert.equal(rows, catapultRun.csv!.trim().split('\n').length - 1);
    const info = await chartInfo(page);
    assert.ok(info.loss.series >= 3 && info.loss.points.at(-1)! > 0, 'the overlay is drawn on the loss chart');
    // "Use its config" sets the page to the CLI run's setting and reruns it live
    await page.click('#overlay-info button:has-text("Use its config")');
    const run = await finishedRunAfter(page, id0);
    assert.equal(run.summary?.phase, 'catapult');
    assert.equal(run.summary?.c, 6);
  });

  it('sweep mode: runs on a worker pool, coloured by phase, no long main-thread task; a click replays a run', async (t) => {
    await page.evaluate(() => (window as unknown as { __catapult: { setState(p: unknown): void } }).__catapult.setState({ mode: 'sweep', cmin: 1, cmax: 12, cn: 4, steps: 300 }));
    // Long Tasks API (wall clock > 50 ms) from the click until the charts are built; as for the
    // live run, one of up to three sweeps must be clean unless the machine is overloaded.
    const longTasks: { start: number; duration: number }[][] = [];
    for (let k = 0; k < 3; k++) {
      const t0 = await page.evaluate(() => performance.now());
      const cpu = await mainThreadCpuMax(page, async () => {
        await page.click('#run');
        await page.waitForFunction(() => {
          const s = (window as unknown as { __catapult: { sweep(): { running: boolean; phases: (string | null)[] } | null } }).__catapult.sweep();
          return s !== null && !s.running && s.phases.every((p) => p !== null);
        }, null, { timeout: 60000 });
        await page.waitForTimeout(600);
      });
      const lt = await page.evaluate(() => (window as unknown as { __longtasks: { start: number; duration: number }[] }).__longtasks);
      longTasks.push(lt.filter((e) => e.start + e.duration >= t0));
      console.log(`# sweep ${k + 1}: main-thread tasks ${cpu.tasks}, longest ${cpu.wallMax.toFixed(1)} ms wall / ${cpu.cpuMax.toFixed(1)} ms CPU; long tasks (> 50 ms wall) ${longTasks[k]!.length ? JSON.stringify(longTasks[k]) : 'none'}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
      assert.ok(cpu.cpuMax <= 50, `no main-thread task uses more than 50 ms of CPU during the sweep and its chart rebuild (longest ${cpu.cpuMax.toFixed(1)} ms)`);
      if (longTasks[k]!.length === 0) break;
    }
    if (longTasks.every((l) => l.length > 0)) {
      const load = loadavg()[0]!;
      if (load > 2 * cpus().length) t.diagnostic(`ALLOWANCE USED: long tasks in every sweep, but the machine is overloaded (load average ${load.toFixed(1)} on ${cpus().length} cores), so the wall clock measures the OS scheduler: not asserted`);
      else assert.fail(`a main-thread task over 50 ms in every sweep: ${JSON.stringify(longTasks)}`);
    }
    const sw = await page.evaluate(() => (window as unknown as { __catapult: { sweep(): { cs: number[]; phases: string[] } } }).__catapult.sweep());
    assert.deepEqual(sw.phases.slice(0, 1), ['lazy']);
    assert.ok(sw.phases.includes('catapult'), sw.phases.join(','));
    // click the point of the last run (c = 12) on the final-λ chart
    const id0 = await runId(page);
    const box = await page.evaluate(() => {
      const el = document.querySelector('#sweep-lambda-chart .u-over')!.getBoundingClientRect();
      return { x: el.right - 1, y: el.top + el.height / 2 };
    });
    await page.mouse.move(box.x, box.y);
    await page.mouse.click(box.x, box.y);
    const run = await finishedRunAfter(page, id0);
    assert.equal(run.state.mode, 'single');
    assert.equal(run.summary?.c, sw.cs.at(-1));
    assert.equal(run.summary?.phase, sw.phases.at(-1));
  });

  it('theory mode: thousands of c values and the bifurcation diagram at once', async () => {
    await page.evaluate(() => (window as unknown as { __catapult: { setState(p: unknown): void } }).__catapult.setState({ mode: 'theory', steps: 1000 }));
    await page.waitForFunction(() => (window as unknown as { __catapult: { theory(): unknown } }).__catapult.theory() !== null, null, { timeout: 30000 });
    const th = await page.evaluate(() => (window as unknown as { __catapult: { theory(): { n: number; ms: number; phases: number[] } } }).__catapult.theory());
    assert.equal(th.n, 2000);
    assert.ok(th.phases.every((n) => n > 0), `all three phases appear: ${th.phases.join(',')}`);
    console.log(`# theory mode: ${th.n} values of c × 1000 steps + bifurcation in ${th.ms.toFixed(0)} ms`);
    // Export JSON in theory mode gives JSON (it used to download the CSV)
    const [jsonDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    assert.match(jsonDl.suggestedFilename(), /\.json$/);
    const jsonPath = join(tmp, 'theory.json');
    await jsonDl.saveAs(jsonPath);
    const exported = JSON.parse(readFileSync(jsonPath, 'utf8'));
    assert.equal(exported.format, 'catapult-lab/theory@1');
    assert.equal(exported.rows.length, 2000);
    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert.match(csvDl.suggestedFilename(), /\.csv$/);
  });

  it('the MNIST pair subset prepared at build time trains in the page', async () => {
    const id0 = await runId(page);
    await page.evaluate(() => (window as unknown as { __catapult: { setState(p: unknown): void } }).__catapult.setState({ mode: 'single', data: 'mnist', width: 100, steps: 20, c: 1 }));
    const run = await finishedRunAfter(page, id0);
    assert.equal(run.error, null);
    assert.equal(run.summary?.steps, 20);
    assert.match(String((run.resolved.data as { kind: string }).kind), /mnist/);
    const info = await chartInfo(page);
    assert.ok(info.loss.series >= 2, 'test loss is drawn too');
  });

  it('the diagonal model: chosen in the UI, β coordinates and the ℓ1/ℓ2 gaps drawn, equal to Node; non-separable data said so', async () => {
    interface Diag {
      refs: string | null;
      rows: number;
      shown: number[];
      betaTitle: string;
      gapsTitle: string;
      card: string;
      last: { beta: number[]; gamma: number; l1Gap: number; l2Gap: number } | null;
      gaps: [number, number, number][];
    }
    const diagonal = (p: Page) => p.evaluate(() => (window as unknown as { __catapult: { diagonal(): unknown } }).__catapult.diagonal()) as Promise<Diag | null>;
    const p = await newPage('#steps=300&curv=50');
    try {
      await finishedRunAfter(p, 0);
      assert.equal(await p.isVisible('#chart-beta'), false, 'no β chart for the deep linear net');
      // choosing the model in the UI loads neighbours §A's setting (separable Gaussian data, exponential loss)
      const id0 = await runId(p);
      await p.selectOption('#model-select', 'diagonal');
      const run = await finishedRunAfter(p, id0);
      assert.equal(run.error, null);
      // the max-margin references come from a worker of their own; the gaps are filled in when they arrive
      await p.waitForFunction(() => (window as unknown as { __catapult: { diagonal(): { refs: string | null } | null } }).__catapult.diagonal()?.refs != null, null, { timeout: 30000 });
      assert.deepEqual([run.state.model, run.state.data, run.state.noise, run.state.loss, run.state.alpha, run.state.eta], ['diagonal', 'gaussian', 0, 'exponential', 0.1, 0.5]);
      assert.deepEqual(run.resolved.model, { kind: 'diagonal', depth: 2 });
      assert.equal(await p.isVisible('input[data-key="width"]'), false, 'no width for the diagonal net');
      assert.equal(await p.isVisible('#c-input'), false, 'η, not c, for the diagonal net');
      assert.equal(await p.isVisible('#eta-input'), true);
      assert.equal(await p.textContent('#depth-label'), 'depth D');
      await p.waitForTimeout(300);
      const info = await chartInfo(p);
      const charts = info as unknown as Record<'beta' | 'gaps', ChartInfo>;
      assert.equal(await p.isVisible('#beta-chart canvas'), true, 'the β chart is drawn');
      assert.equal(charts.beta.series, 20, 'd = 20: every coordinate');
      assert.ok(charts.beta.points.every((n) => n === run.summary!.steps + 1), `β at every recorded step: ${charts.beta.points.join(',')}`);
      assert.equal(charts.gaps.series, 2);
      assert.ok(charts.gaps.points[0]! > 0 && charts.gaps.points[1]! > 0, 'gaps drawn once γ > 0');
      const dg = (await diagonal(p))!;
      assert.equal(dg.refs, 'ok');
      assert.equal(dg.betaTitle, 'β coordinates (all 20)');
      const last = dg.last!;
      assert.ok(last.gamma > 0 && Number.isFinite(last.l1Gap) && Number.isFinite(last.l2Gap), JSON.stringify(last));
      const stats = (await p.textContent('#stats'))!;
      assert.match(stats, /ℓ1 gap\s*[0-9.]+/);
      assert.match(stats, /ℓ2 gap\s*[0-9.]+/);
      assert.doesNotMatch(stats + dg.card, /NaN/);
      assert.match(dg.card, /ℓ1 max margin/);
      // the same run in Node (the core's Trainer and maxMargin.ts): the same β and gaps
      const { resolveConfig, buildProblem, Trainer } = await import('../src/index.ts');
      const { gapReadout, maxMarginReferences } = await import('../web/src/diagonalReadouts.ts');
      const { problem, settings } = buildProblem(resolveConfig(JSON.parse(JSON.stringify(run.resolved))));
      const tr = new Trainer(problem, settings);
      tr.run();
      const beta = problem.model.linear!.endToEnd(tr.theta);
      assert.deepEqual(last.beta, Array.from(beta), 'β is bit-identical to Node');
      const node = gapReadout(beta, problem.train, await maxMarginReferences(problem.train));
      assert.equal(last.gamma, node.gamma);
      assert.ok(Math.abs(last.l1Gap - node.l1Gap) <= 1e-9 && Math.abs(last.l2Gap - node.l2Gap) <= 1e-9, `browser ${last.l1Gap}, ${last.l2Gap} vs Node ${node.l1Gap}, ${node.l2Gap}`);
      console.log(`# diagonal run: γ = ${last.gamma.toPrecision(4)}, ℓ1 gap ${last.l1Gap.toPrecision(4)}, ℓ2 gap ${last.l2Gap.toPrecision(4)} (Node: ${node.l1Gap.toPrecision(4)}, ${node.l2Gap.toPrecision(4)})`);
      // non-separable data (label noise, m ≫ d) with d = 30 > 20 lines: no max-margin solution, said so; β capped
      const id1 = await runId(p);
      await p.evaluate(() => (window as unknown as { __catapult: { setState(p: unknown): void } }).__catapult.setState({ noise: 0.3, m: 200, d: 30, steps: 100 }));
      await finishedRunAfter(p, id1);
      await p.waitForFunction(() => (window as unknown as { __catapult: { diagonal(): { refs: string | null } | null } }).__catapult.diagonal()?.refs != null, null, { timeout: 30000 });
      await p.waitForTimeout(300);
      const ns = (await diagonal(p))!;
      assert.equal(ns.refs, 'non-separable');
      assert.match(ns.card, /not linearly separable.*no max-margin solution/);
      assert.match(ns.gapsTitle, /not separable/);
      assert.equal(ns.shown.length, 20);
      assert.match(ns.betaTitle, /the 20 of 30 with the largest \|β\| at the latest step/);
      assert.ok(ns.gaps.every(([, a, b]) => Number.isNaN(a) && Number.isNaN(b)), 'no gap without a reference');
    } finally {
      await p.close();
    }
    // HiGHS' wasm cannot be fetched: the page says why there are no gaps, and β still shows
    const p3 = await newPage('#model=diagonal&data=gaussian&noise=0&m=30&d=10&loss=exponential&steps=50', (q) => q.route('**/highs-*.wasm', (r) => r.fulfill({ status: 404, body: 'missing' })));
    try {
      const run = await finishedRunAfter(p3, 0);
      assert.equal(run.error, null);
      await p3.waitForFunction(() => (window as unknown as { __catapult: { diagonal(): { refs: string | null } | null } }).__catapult.diagonal()?.refs != null, null, { timeout: 30000 });
      const un = (await diagonal(p3))!;
      assert.equal(un.refs, 'unavailable');
      assert.match(un.card, /could not be computed here, so no gap is drawn.*HiGHS \(WebAssembly\) did not load/s);
      assert.match(un.gapsTitle, /not available/);
      assert.equal(un.rows, 51);
      assert.ok(un.gaps.every(([, a, b]) => Number.isNaN(a) && Number.isNaN(b)));
    } finally {
      await p3.close();
    }
  });

  it('errors stay on screen until the user acts: ignored link settings, a failed run', async () => {
    // a link with garbage and out-of-range values: the rest applies, the message names each ignored key and why
    const p1 = await newPage('#garbage&width=1e9&p=1.5&c=5');
    try {
      const run = await finishedRunAfter(p1, 0);
      assert.equal(run.summary?.c, 5, 'the valid part of the link applies');
      assert.equal(run.state.width, 1000);
      await p1.waitForTimeout(500);
      const text = await visibleBanner(p1);
      assert.ok(text, 'the banner is visible after the run finished');
      assert.match(text, /"garbage": not a setting/);
      assert.match(text, /width: "1e9" is not a whole number from 1 to 4000/);
      assert.match(text, /p: "1\.5" is not a number from 0 to 1/);
      await p1.click('#banner-close');
      assert.equal(await visibleBanner(p1), null, 'Dismiss hides it');
    } finally {
      await p1.close();
    }
    // a worker error (the MNIST subset cannot be fetched): the message says why, and stays
    const p2 = await newPage('#data=mnist&width=100&steps=20', (p) => p.route('**/data/mnist-*.bin', (r) => r.fulfill({ status: 404, body: 'missing' })));
    try {
      const run = await finishedRunAfter(p2, 0);
      assert.match(run.error ?? '', /cannot load the MNIST subset/);
      assert.equal(await p2.textContent('#phase-note'), 'error');
      await p2.waitForTimeout(800);
      const text = await visibleBanner(p2);
      assert.ok(text, 'the banner is still visible');
      assert.match(text, /The run failed\..*cannot load the MNIST subset \(200\/404\)/s);
      assert.match(text, /MNIST 3 vs 8, depth 2, width 100/);
      assert.equal((await banner(p2))?.kind, 'error');
    } finally {
      await p2.close();
    }
  });

  it('a learning-rate policy from the URL runs: metrics.csv eta = η·k(t) of src/train/lr at every step; η(t) is drawn with 2/λ and 2/S', async () => {
    const p = await newPage('#steps=300&curv=50&lr=STEP&k0=1&gamma=0.5&l=100');
    try {
      const run = await finishedRunAfter(p, 0);
      assert.equal(run.error, null);
      assert.equal(await p.inputValue('#lr-policy'), 'STEP');
      assert.equal(await p.isVisible('input[data-key="gamma"]'), true);
      assert.equal(await p.isVisible('input[data-key="k1"]'), false, 'STEP takes no k1');
      assert.deepEqual(run.resolved.schedule, { fn: 'STEP', k0: 1, gamma: 0.5, l: 100 });
      assert.equal(run.theoryPhase, null, 'the constant-η theory is not drawn under a policy');
      const lines = run.csv!.trim().split('\n');
      const cols = lines[0]!.split(',');
      const [iStep, iEta] = [cols.indexOf('step'), cols.indexOf('eta')];
      const rows = lines.slice(1).map((l) => l.split(','));
      assert.equal(rows.length, 301);
      const eta0 = Number(rows[0]![iEta]); // k(0) = 1
      assert.ok(Math.abs(eta0 - (2 * 6) / run.summary!.lambda0) <= 1e-12 * eta0, `η = 2c/λ0 (${eta0})`);
      const k = compilePolicy({ fn: 'STEP', k0: 1, gamma: 0.5, l: 100 });
      for (const r of rows) assert.equal(Number(r[iEta]), eta0 * k(Number(r[iStep])), `eta at step ${r[iStep]}`);
      assert.equal(Number(rows[250]![iEta]), eta0 / 4, 'two halvings by step 250');
      const info = (await chartInfo(p)).eta;
      assert.equal(info.series, 3, 'η(t), 2/λ, 2/S');
      assert.equal(info.points[0], 301, 'η(t) drawn at every step');
      assert.ok(info.points[1]! > 1 && info.points[2]! > 1, `2/λ and 2/S drawn (${info.points})`);
      // a bad parameter (STEP needs γ > 0) is named inline and nothing runs
      const id = await runId(p);
      await p.evaluate(() => (window as unknown as { __catapult: { setState(s: unknown): void } }).__catapult.setState({ gamma: 0 }));
      await p.waitForTimeout(600);
      assert.match((await p.textContent('#policy-problems')) ?? '', /^schedule\.gamma: /);
      assert.equal(await runId(p), id, 'no run started');
    } finally {
      await p.close();
    }
  });

  it('number fields apply on Enter or blur, never per keystroke; invalid values are shown inline and not run', async () => {
    const p = await newPage();
    try {
      const first = await finishedRunAfter(p, 0);
      const typeInto = async (key: string, text: string) => {
        await p.click(`input[data-key="${key}"]`, { clickCount: 3 });
        await p.keyboard.press('Control+A');
        await p.keyboard.type(text, { delay: 60 });
      };
      const msg = (key: string) => p.evaluate((k) => {
        const m = document.querySelector(`input[data-key="${k}"]`)!.closest('label')!.querySelector('.field-msg') as HTMLElement | null;
        return m && !m.hidden ? m.textContent : null;
      }, key);
      for (const [key, text, rule] of [['width', '1e9', /width: "1e9" is not a whole number from 1 to 4000/], ['p', '1.5', /p: "1\.5" is not a number from 0 to 1/], ['steps', '1e7', /steps: "1e7" is not a whole number from 0 to 200000/]] as const) {
        await typeInto(key, text);
        await p.waitForTimeout(500);
        assert.match((await msg(key)) ?? '', rule, `${key}: the inline message while typing`);
        await p.keyboard.press('Enter');
        await p.waitForTimeout(400);
        assert.equal(await runId(p), first.id, `typing ${text} into ${key} started no run (not even with a prefix of it)`);
        assert.match((await msg(key)) ?? '', rule, `${key}: the message stays after Enter`);
        assert.equal(await p.getAttribute(`input[data-key="${key}"]`, 'aria-invalid'), 'true');
        await p.keyboard.press('Escape');
        assert.equal(await msg(key), null, 'Escape restores the value');
      }
      const s = await p.evaluate(() => (window as unknown as { __catapult: { state(): Record<string, unknown> } }).__catapult.state());
      assert.equal(s.width, 1000);
      assert.equal(s.p, 0.3);
      assert.equal(s.steps, 1000);
      // a valid value applies on Enter, as typed (not per keystroke: 2, 20, 200)
      await typeInto('width', '200');
      await p.waitForTimeout(500);
      assert.equal(await runId(p), first.id, 'nothing runs before Enter');
      await p.keyboard.press('Enter');
      const run = await finishedRunAfter(p, first.id);
      assert.equal(run.state.width, 200);
      assert.equal(run.id, first.id + 1, 'exactly one run');
      // ... and on blur
      await typeInto('steps', '300');
      await p.click('h1');
      const run2 = await finishedRunAfter(p, run.id);
      assert.equal(run2.state.steps, 300);
    } finally {
      await p.close();
    }
  });

  it('a setting too big for the browser is refused before it runs, naming the estimate and the fields', async () => {
    const p = await newPage('#data=mnist&depth=8&width=4000');
    try {
      await p.waitForSelector('#banner:not([hidden])', { timeout: 10000 });
      await p.waitForTimeout(1500);
      const b = (await banner(p))!;
      assert.equal(b.kind, 'error');
      assert.match(b.title, /^Not run: this setting needs about [\d.]+ GB of memory; the explorer's limit is 2\.00 GB\.$/);
      assert.match(b.lines.join('\n'), /99,140,000 parameters \(depth, width, d\)/);
      assert.equal(await runId(p), 0, 'nothing ran');
      assert.equal(await p.textContent('#phase-note'), 'not run');
    } finally {
      await p.close();
    }
  });

  it('Stop terminates a busy worker: the next run starts at once', async () => {
    const p = await newPage();
    try {
      const first = await finishedRunAfter(p, 0);
      const gen0 = await p.evaluate(() => (window as unknown as { __catapult: { workerGeneration(): number } }).__catapult.workerGeneration());
      // tens of seconds of initial curvature in one call (the worker cannot see a stop message
      // before it ends); ~1 GB, under the memory limit; the time estimate asks first
      await p.evaluate(() => (window as unknown as { __catapult: { setState(p: unknown): void } }).__catapult.setState({ data: 'gaussian', m: 5000, d: 1000, width: 2000, steps: 100 }));
      await p.waitForSelector('#banner:not([hidden])');
      const ask = (await banner(p))!;
      assert.equal(ask.kind, 'warning');
      assert.match(ask.title, /^This setting would take about .* \(estimate; the explorer asks above 60 s\)\.$/);
      assert.equal(await runId(p), first.id, 'nothing runs before the user says so');
      await p.click('#banner-actions button:has-text("Run anyway")');
      await p.waitForFunction(() => (window as unknown as { __catapult: { running(): boolean } }).__catapult.running());
      await p.waitForTimeout(1500);
      assert.equal(await p.textContent('#run'), 'Stop');
      await p.click('#run');
      assert.equal(await p.evaluate(() => (window as unknown as { __catapult: { running(): boolean } }).__catapult.running()), false);
      assert.equal(await p.textContent('#phase-note'), 'stopped');
      const gen1 = await p.evaluate(() => (window as unknown as { __catapult: { workerGeneration(): number } }).__catapult.workerGeneration());
      assert.equal(gen1, gen0 + 1, 'Stop replaced the worker');
      const stoppedId = await runId(p);
      const t0 = Date.now();
      await p.evaluate(() => (window as unknown as { __catapult: { setState(p: unknown): void } }).__catapult.setState({ data: 'degenerate', m: 100, d: 10, width: 1000, steps: 1000 }));
      const next = await finishedRunAfter(p, stoppedId, 60000);
      const later = (Date.now() - t0) / 1000;
      console.log(`# after Stop of a busy run, the default run finished ${later.toFixed(1)} s later`);
      assert.ok(later < 20, `the default run finished ${later.toFixed(1)} s after Stop (a worker left computing delays it by tens of seconds)`);
      assert.equal(next.error, null);
      assert.equal(next.summary?.phase, 'catapult');
    } finally {
      await p.close();
    }
  });

  it('a long theory grid shows its progress and Stop ends it', async () => {
    const p = await newPage('#mode=theory&tn=20000&tsteps=5000');
    try {
      const status = () => p.evaluate(() => (window as unknown as { __catapult: { theoryStatus(): { running: boolean; progress: number } } }).__catapult.theoryStatus());
      await p.waitForFunction(() => (window as unknown as { __catapult: { theoryStatus(): { progress: number } } }).__catapult.theoryStatus().progress > 0, null, { timeout: 20000 });
      const a = await status();
      await p.waitForTimeout(1500);
      const b = await status();
      assert.ok(a.running && b.running, 'still running');
      assert.ok(b.progress > a.progress && b.progress < 1, `progress grows: ${a.progress} → ${b.progress}`);
      const bar = await p.evaluate(() => parseFloat((document.querySelector('#progress-bar') as HTMLElement).style.width));
      assert.ok(bar > 0 && bar < 100, `progress bar at ${bar} %`);
      assert.equal(await p.textContent('#run'), 'Stop');
      await p.click('#run');
      assert.equal((await status()).running, false);
      assert.equal(await p.textContent('#phase-note'), 'stopped');
      assert.equal(await p.textContent('#run'), 'Compute');
      // the replaced worker answers the next grid at once
      const t0 = Date.now();
      await p.evaluate(() => (window as unknown as { __catapult: { setState(p: unknown): void } }).__catapult.setState({ tn: 300, tsteps: 200 }));
      await p.waitForFunction(() => (window as unknown as { __catapult: { theory(): { n: number } | null } }).__catapult.theory()?.n === 300, null, { timeout: 10000 });
      console.log(`# theory grid stopped at ${(b.progress * 100).toFixed(0)} %; the next grid came ${((Date.now() - t0) / 1000).toFixed(1)} s later`);
    } finally {
      await p.close();
    }
  });
});
