import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bifurcation,
  predictedBoundaries,
  runTheory,
  sweepTheory,
  type DegenerateSetting,
} from '../src/theory/index.ts';
import { DeepLinear } from '../src/models/deepLinear.ts';
import { prescribedInit } from '../src/models/init.ts';
import { getLoss } from '../src/losses/losses.ts';
import { degenerateData } from '../src/data/generators.ts';
import { Trainer, DEFAULT_TRAIN_SETTINGS } from '../src/train/trainer.ts';
import {
  PHASE_COLORS,
  PHASES,
  bifurcationPoints,
  bifurcationSpec,
  boundariesFromPrediction,
  curvatureVsCSpec,
  logAxisProps,
  metricVsCSpec,
  onsetsFromRows,
  overlaySpec,
  phaseDiagramSpec,
  theoryRows,
  trajectorySpec,
  type RunSeries,
  type SweepRowLike,
  type VegaLiteSpec,
} from '../src/report/specs.ts';
import { renderSpec, writeFigure } from '../src/report/render.ts';
import { AdvanceTable, figureFontFiles, measureText } from '../src/report/fonts.ts';

// ---- data: real numbers from the theory recursion and a real (tiny) network -----------------

const squared: DegenerateSetting = { loss: 'squared', y: 1, n: 1000 };
const logistic = (n: number): DegenerateSetting => ({ loss: 'logistic', p: 0.3, n });
const sqBounds = boundariesFromPrediction(predictedBoundaries(squared));

function theoryRun(setting: DegenerateSetting, c: number, steps: number, f0 = 0): RunSeries {
  const r = runTheory({ setting, f0, lambda0: 1, c, steps });
  return { label: `c = ${c} (${r.summary.phase})`, c, phase: r.summary.phase, rows: theoryRows(r.trajectory) };
}

const logC = (lo: number, hi: number, k: number) => Array.from({ length: k }, (_, i) => lo * Math.pow(hi / lo, i / (k - 1)));

/** The two-layer network on degenerate data from the prescribed (f0, λ0) init (theory §6). */
function networkRun(c: number, steps: number): RunSeries {
  const n = 64, d = 5;
  const model = new DeepLinear({ d, width: n, depth: 2 });
  const trainer = new Trainer(
    { model, loss: getLoss('squared'), train: degenerateData({ m: 10, d, p: 1 }), theta0: prescribedInit(model, 0.3, 1) },
    {
      ...DEFAULT_TRAIN_SETTINGS,
      steps,
      lr: { c },
      record: { every: 1, denseUntil: 0 },
      curvature: { lambda: true, sharpness: true, gaussNewton: false, every: 1, maxIter: 60, tol: 1e-10 },
    },
  );
  const summary = trainer.run();
  return { label: `c = ${c} (${summary.phase})`, c, phase: summary.phase, rows: trainer.metrics };
}

// ---- checks ---------------------------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, 'PNG signature');
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(String.fromCharCode(...png.subarray(12, 16)), 'IHDR');
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  assert.ok(m, 'svg has width and height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** Set CATAPULT_FIGURE_DIR to keep every figure the tests render (for looking at them). */
const KEEP_DIR = process.env.CATAPULT_FIGURE_DIR;

/** Renders, checks SVG and PNG, returns the render time in ms. */
async function checkFigure(name: string, spec: VegaLiteSpec, texts: string[]): Promise<number> {
  const t0 = performance.now();
  const fig = await renderSpec(spec);
  const ms = performance.now() - t0;
  if (KEEP_DIR !== undefined) await writeFigure(KEEP_DIR, name, spec);
  assert.deepEqual(fig.warnings, [], 'no vega-lite/vega warnings');
  assert.ok(fig.svg.startsWith('<svg'), 'SVG starts with <svg');
  assert.ok(fig.svg.trimEnd().endsWith('</svg>'), 'SVG ends with </svg>');
  assert.equal((fig.svg.match(/<svg\b/g) ?? []).length, (fig.svg.match(/<\/svg>/g) ?? []).length);
  for (const t of texts) assert.ok(fig.svg.includes(`>${t}</text>`), `SVG contains the text "${t}"`);
  assert.ok(!/NaN|Infinity/.test(fig.svg), 'no NaN/Infinity in SVG');
  const s = svgSize(fig.svg);
  const p = pngSize(fig.png);
  assert.deepEqual(p, { width: fig.width, height: fig.height });
  assert.equal(p.width, Math.round(2 * s.width), 'PNG is 2× the SVG');
  assert.equal(p.height, Math.round(2 * s.height), 'PNG is 2× the SVG');
  assert.ok(p.width >= 400 && p.width <= 5000 && p.height >= 300 && p.height <= 3000, `plausible size ${p.width}×${p.height}`);
  assert.ok(fig.png.length > 5000, 'PNG is not blank');
  return ms;
}

const C_TITLE = 'c = ηλ₀/2 (log scale)';
const times: Record<string, number> = {};

test('trajectory figure: loss (log), λ, η·S with the line η·S = 2', async () => {
  const runs = [0.3, 1.3, 1.8, 2.02].map((c) => theoryRun(squared, c, 40));
  assert.deepEqual(runs.map((r) => r.phase), ['lazy', 'catapult', 'catapult', 'divergent']);
  const spec = trajectorySpec(runs, { title: 'Squared loss, uv network: trajectories' });
  times.trajectories = await checkFigure('trajectories', spec, [
    'training loss L (log scale)',
    'NTK curvature λ',
    'η·S (η × Hessian sharpness)',
    'η·S = 2',
    'step t',
    'c = 1.3 (catapult)',
  ]);
});

test('curvature vs c: λ_T/λ0 and η·S_T on a log c axis with predicted boundaries and theory line', async () => {
  const sweep = sweepTheory(squared, 0, 1, logC(0.25, 4, 25), 3000);
  const line = sweepTheory(squared, 0, 1, logC(0.25, 4, 120), 3000).map((r) => ({ ...r, series: 'theory' }));
  assert.ok(sweep.some((r) => r.phase === 'catapult') && sweep.some((r) => r.phase === 'divergent'));
  const spec = curvatureVsCSpec([...sweep, ...line], { boundaries: sqBounds, title: 'Final curvature vs c' });
  times['curvature-vs-c'] = await checkFigure('curvature-vs-c', spec, [C_TITLE, 'final curvature λ_T / λ₀', 'η·S at the end of training', 'c_lazy = 1', 'c_max = 2', 'theory', 'catapult']);
});

test('phase diagram (c × width) coloured by phase with onset curves', async () => {
  const rows: (SweepRowLike & { width: number })[] = [];
  for (const n of [16, 64, 256, 1024]) {
    for (const s of sweepTheory(logistic(n), 0, 1, logC(2, 128, 16), 3000)) rows.push({ ...s, width: n });
  }
  const onsets = onsetsFromRows(rows, 'width');
  assert.equal(onsets.length, 4);
  // c_max grows with width (the catapult window widens, theory §5)
  assert.ok((onsets[3].cMax ?? Infinity) > (onsets[0].cMax ?? 0));
  const spec = phaseDiagramSpec(rows, {
    y: 'width',
    onsets,
    boundaries: boundariesFromPrediction(predictedBoundaries(logistic(64))),
    title: 'Phase diagram, logistic loss p = 0.3',
  });
  times['phase-diagram'] = await checkFigure('phase-diagram', spec, [C_TITLE, 'width n (log scale)', 'c_loss (loss rises)', 'c_max (diverges)', 'c_lazy = 4.76', 'divergent']);

  // depth variant: linear y, and duplicate seeds resolved by majority
  const depthRows = rows.map((r) => ({ ...r, depth: Math.log2(r.width) - 2 }));
  const depthSpec = phaseDiagramSpec([...depthRows, ...depthRows], { y: 'depth' });
  await checkFigure('phase-diagram-depth', depthSpec, ['depth L']);
});

test('theory vs network overlay: the real two-layer network against the recursion', async () => {
  const cs = [0.7, 1.5];
  const network = cs.map((c) => networkRun(c, 30));
  const theory = cs.map((c) => theoryRun({ loss: 'squared', y: 1, n: 64 }, c, 30, 0.3));
  // labels match (same phase from both) so the overlay pairs them
  assert.deepEqual(network.map((r) => r.label), theory.map((r) => r.label));
  const spec = overlaySpec(network, theory, { title: 'Theory vs network (n = 64)' });
  times.overlay = await checkFigure('overlay', spec, ['network', 'theory', 'source', 'NTK curvature λ']);
});

test('bifurcation diagram and a generic metric vs c', async () => {
  const setting = logistic(2);
  const branches = bifurcation(setting, 0, 1, Array.from({ length: 150 }, (_, i) => 3 + (2.1 * i) / 149), { transient: 1000, keep: 32 });
  const spec = bifurcationSpec(bifurcationPoints(branches), { field: 'f', boundaries: boundariesFromPrediction(predictedBoundaries(setting)) });
  times.bifurcation = await checkFigure('bifurcation', spec, ['late-time output f', 'c = ηλ₀/2']);

  const sweep = sweepTheory(squared, 0, 1, logC(0.25, 4, 25), 3000);
  const m = metricVsCSpec(sweep, 'lossMax', { yLog: true, yTitle: 'peak training loss (log scale)', boundaries: sqBounds });
  times['metric-vs-c'] = await checkFigure('metric-vs-c', m, ['peak training loss (log scale)', C_TITLE]);
});

test('writeFigure writes svg, png and vl.json atomically and leaves no temp files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'catapult-fig-'));
  try {
    const spec = trajectorySpec([theoryRun(squared, 1.5, 30)], { title: 'one run' });
    const w = await writeFigure(join(dir, 'nested'), 'one-run', spec);
    for (const p of [w.svgPath, w.pngPath, w.specPath]) assert.ok(existsSync(p), p);
    assert.deepEqual(readdirSync(join(dir, 'nested')).sort(), ['one-run.png', 'one-run.svg', 'one-run.vl.json']);
    assert.equal(readFileSync(w.svgPath, 'utf8'), w.svg);
    assert.deepEqual(pngSize(readFileSync(w.pngPath)), { width: w.width, height: w.height });
    const back = JSON.parse(readFileSync(w.specPath, 'utf8')) as VegaLiteSpec;
    assert.equal(back.$schema, spec.$schema);
    // a rewrite replaces the files in place, with identical output
    const again = await writeFigure(join(dir, 'nested'), 'one-run', spec);
    assert.equal(again.svg, w.svg);
    assert.deepEqual(again.png, w.png);
    assert.equal(readdirSync(join(dir, 'nested')).length, 3);
    await assert.rejects(writeFigure(dir, '../escape', spec));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rendering is offline: a spec asking for a URL fails instead of fetching', async () => {
  const spec = { data: { url: 'https://example.invalid/data.json' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } };
  await assert.rejects(renderSpec(spec));
});

test('phase colours are fixed in every figure', () => {
  const specs = [
    curvatureVsCSpec([{ c: 1, phase: 'lazy', lambda0: 1, lambdaFinal: 1, etaSharpnessFinal: 1 }]),
    phaseDiagramSpec([{ c: 1, phase: 'catapult', width: 8 } as SweepRowLike], { y: 'width' }),
    metricVsCSpec([{ c: 1, phase: 'divergent' }], 'lossMax'),
  ];
  const expected = PHASES.map((p) => PHASE_COLORS[p]);
  assert.deepEqual(expected, ['#1f77b4', '#ff7f0e', '#d62728']);
  for (const spec of specs) {
    const scales = JSON.stringify(spec).match(/"domain":\["lazy","catapult","divergent"\],"range":\[[^\]]*\]/g) ?? [];
    assert.ok(scales.length > 0);
    for (const s of scales) assert.ok(s.endsWith(JSON.stringify(expected).slice(1, -1) + ']'), s);
  }
});

test('log axis ticks: whole decades, at most ~6 labels', () => {
  assert.deepEqual(logAxisProps([0.5, 3]), { format: '~g' });
  assert.deepEqual(logAxisProps([0.3, 500]), { values: [0.1, 1, 10, 100, 1000], format: '~g' });
  assert.deepEqual(logAxisProps([0.05, 4]), { format: '~g' });
  const wide = logAxisProps([1e-25, 10]);
  assert.ok(wide.values !== undefined && wide.values.length <= 7 && wide.format === '.0e');
  assert.ok(wide.values.every((v) => Number.isInteger(Math.log10(v))));
});

test('text is measured with the shipped DejaVu Sans', () => {
  for (const f of figureFontFiles()) assert.ok(existsSync(f), f);
  const t = AdvanceTable.fromFile(figureFontFiles()[0]);
  // DejaVu Sans advances (units per em 2048): 'i' = 569, 'W' = 2025, space = 651
  assert.equal(t.advance('i'.codePointAt(0) as number), 569 / 2048);
  assert.equal(t.advance('W'.codePointAt(0) as number), 2025 / 2048);
  assert.ok(t.advance('λ'.codePointAt(0) as number) > 0.4, 'Greek is covered');
  assert.ok(measureText({ fontSize: 12, fontWeight: 'bold' }, 'step t') > measureText({ fontSize: 12 }, 'step t'));
});

test('render times: every figure above was rendered, each within 30 s', () => {
  console.log('  render ms:', Object.entries(times).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
  assert.deepEqual(Object.keys(times).sort(), ['bifurcation', 'curvature-vs-c', 'metric-vs-c', 'overlay', 'phase-diagram', 'trajectories']);
  for (const [k, ms] of Object.entries(times)) assert.ok(ms > 0 && ms < 30_000, `${k}: ${ms} ms`);
});

test('catapult plot makes SVG and PNG figures for a sweep and a run directory, including divergent runs', async (t) => {
  const { mkdtempSync, writeFileSync, readFileSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { parseSweepConfig } = await import('../src/experiments/sweep.ts');
  const { runSweep } = await import('../src/experiments/sweepRunner.ts');
  const { plotDir } = await import('../src/cli/plotCommand.ts');
  const dir = mkdtempSync(join(tmpdir(), 'catapult-plot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sweep = parseSweepConfig({
    name: 'plot-test',
    base: { data: { kind: 'degenerate', m: 10, d: 4, p: 1 }, init: { kind: 'prescribed', f0: 0.5, lambda0: 2 }, loss: 'squared', model: { width: 50 }, steps: 200, record: { every: 20, denseUntil: 20 }, curvature: { every: 50, gaussNewton: false } },
    axes: { c: [0.5, 1.5, 3] },
  });
  await runSweep(sweep, dir, { jobs: 1, shard: null, refine: null });
  const files = await plotDir(dir);
  assert.ok(files.length >= 2);
  for (const name of ['curvature-vs-c', 'trajectories']) {
    const svg = readFileSync(join(dir, 'figures', `${name}.svg`), 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), name);
    const png = readFileSync(join(dir, 'figures', `${name}.png`));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.ok(png.length > 5000);
  }
  writeFileSync(join(dir, 'x'), '');
  const runDir = join(dir, 'runs', readFileSync(join(dir, 'results.csv'), 'utf8').split('\n')[3].split(',')[1]);
  await plotDir(runDir);
  assert.ok(existsSync(join(runDir, 'figures', 'trajectory.png')));
});
