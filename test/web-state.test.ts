/**
 * The explorer's pure parts: URL state round trip, config building with the core's schema,
 * run files (export / CLI import), and the MNIST subset asset (decoded = the core's loadMnistTask).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig, buildProblem, Trainer, metricsToCsv } from '../src/index.ts';
import { loadMnistTask } from '../src/data/mnistFiles.ts';
import { cGrid, DEFAULT_STATE, fieldProblem, FIELDS, MNIST_SUBSET, MODEL_KEYS, modelSwitchPatch, POLICY_KEYS, policyProblems, resolveState, stateProblems, stateSchedule, stateFromHash, stateToHash, stateToRunInput, type ExplorerState } from '../web/src/state.ts';
import { parseMetricsCsv, parseRunFiles, runToCsv, runToJson } from '../web/src/runFiles.ts';
import { decodeMnistAsset, encodeMnistAsset, type MnistAssetMeta } from '../web/src/mnistAsset.ts';
import { buildWebProblem, degenerateSetting, predictTheory } from '../web/src/problem.ts';
import { settingNote } from '../web/src/settingNotes.ts';
import { stateFromRunConfig } from '../web/src/importConfig.ts';
import { theoryToCsv, theoryToJson } from '../web/src/theoryFiles.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the URL hash round-trips every state exactly', () => {
  const s: ExplorerState = { ...DEFAULT_STATE, mode: 'sweep', data: 'gaussian', c: 0.1 + 0.2, p: 1 / 3, width: 321, noise: 0.05, cscale: 'lin', bvar: 'lambda', seed: 2 ** 40 + 1 };
  const back = stateFromHash(stateToHash(s));
  assert.deepEqual(back.rejected, []);
  assert.deepEqual(back.state, s);
  assert.deepEqual(stateFromHash('').state, DEFAULT_STATE);
  for (const k of Object.keys(FIELDS)) {
    const optional = (POLICY_KEYS as readonly string[]).includes(k) || (MODEL_KEYS as readonly string[]).includes(k);
    // the default policy (constant η) and model (deep linear) leave the link as it was before they existed
    assert.equal(new URLSearchParams(stateToHash(DEFAULT_STATE).slice(1)).has(k), !optional, k);
  }
});

test('learning-rate policy: URL round trip, schedule in the run config, constant η by default', () => {
  assert.equal(stateSchedule(DEFAULT_STATE), undefined);
  assert.equal(stateToRunInput(DEFAULT_STATE).schedule, undefined);
  const s: ExplorerState = { ...DEFAULT_STATE, lr: 'COS', k0: 1, k1: 0.25, l: 300, gamma: 0.9, pw: 2 };
  const back = stateFromHash(stateToHash(s));
  assert.deepEqual(back.rejected, []);
  assert.deepEqual(back.state, s);
  // only the parameters COS takes (k0, k1, l) go into the schedule; the core resolves it like the CLI
  assert.deepEqual(stateToRunInput(s).schedule, { fn: 'COS', k0: 1, k1: 0.25, l: 300 });
  assert.deepEqual(resolveState(s).schedule, resolveConfig({ ...stateToRunInput(DEFAULT_STATE), schedule: { fn: 'COS', k0: 1, k1: 0.25, l: 300 } }).schedule);
  // FIX with another k0 is a policy too (it round-trips and reaches the config)
  const fix: ExplorerState = { ...DEFAULT_STATE, k0: 0.5 };
  assert.deepEqual(stateFromHash(stateToHash(fix)).state, fix);
  assert.deepEqual(stateToRunInput(fix).schedule, { fn: 'FIX', k0: 0.5 });
  const step: ExplorerState = { ...DEFAULT_STATE, lr: 'STEP', gamma: 0.5, l: 100 };
  assert.deepEqual(stateToRunInput(step).schedule, { fn: 'STEP', k0: 1, gamma: 0.5, l: 100 });
});

test('learning-rate policy: the CLI schema validates it (messages name the parameter); bad URL values are ignored', () => {
  assert.deepEqual(policyProblems(DEFAULT_STATE), []);
  // STEP needs γ > 0 (SIG accepts any γ): the field range lets it through, zod does not
  const bad: ExplorerState = { ...DEFAULT_STATE, lr: 'STEP', gamma: 0 };
  const p = policyProblems(bad);
  assert.equal(p.length, 1);
  assert.match(p[0]!, /^schedule\.gamma: /);
  assert.deepEqual(stateProblems(bad), p);
  assert.deepEqual(policyProblems({ ...DEFAULT_STATE, lr: 'SIG', gamma: -0.1 }), []);
  const r = stateFromHash('#lr=NSTEP&k0=-1&l=0&gamma=x&pw=-2&lr=bogus');
  assert.deepEqual(r.state, DEFAULT_STATE);
  assert.deepEqual(r.rejected.sort(), ['gamma', 'k0', 'l', 'lr', 'lr', 'pw']);
  assert.ok(r.ignored.some((line) => line.startsWith('lr: "NSTEP" is not one of FIX, STEP, EXP')), r.ignored.join('\n'));
});

test('bad URL values are rejected and keep their defaults', () => {
  const r = stateFromHash('#c=-1&width=1.5&loss=hinge&p=2&steps=abc&bogus=1&c=');
  assert.deepEqual(r.state, DEFAULT_STATE);
  assert.deepEqual(r.rejected.sort(), ['bogus', 'c', 'c', 'loss', 'p', 'steps', 'width'].sort());
});

test('ignored URL keys come with the reason, one line per key; inherited names are not settings', () => {
  const r = stateFromHash('#garbage&width=1e9&p=1.5&steps=1e7&loss=hinge&toString=1&__proto__=2&depth=3');
  assert.equal(r.state.depth, 3);
  assert.equal(r.state.width, DEFAULT_STATE.width);
  assert.equal(Object.getPrototypeOf(r.state), Object.prototype);
  assert.equal(typeof r.state.toString, 'function');
  assert.deepEqual(r.ignored, [
    '"garbage": not a setting',
    'width: "1e9" is not a whole number from 1 to 4000',
    'p: "1.5" is not a number from 0 to 1',
    'steps: "1e7" is not a whole number from 0 to 200000',
    'loss: "hinge" is not one of logistic, squared, exponential',
    '"toString": not a setting',
    '"__proto__": not a setting',
  ]);
  assert.equal(fieldProblem('width', '4000'), null);
  assert.equal(fieldProblem('width', ''), 'empty: needs a whole number from 1 to 4000');
  assert.equal(fieldProblem('c', '0'), '"0" is not a number above 0 and at most 1e6');
});

test('a state resolves with the core schema, as the CLI would', () => {
  const cfg = resolveState(DEFAULT_STATE);
  assert.deepEqual(cfg, resolveConfig(JSON.parse(JSON.stringify(cfg))));
  assert.equal(cfg.data.kind, 'degenerate');
  assert.equal(cfg.model.kind === 'deep-linear' && cfg.model.width, 1000);
  assert.equal(cfg.curvature.every, 10);
  assert.equal(cfg.curvature.gaussNewton, false);
  assert.equal(resolveState(DEFAULT_STATE, 2.5).c, 2.5);
  const mn = resolveState({ ...DEFAULT_STATE, data: 'mnist' });
  assert.deepEqual(mn.data, { ...MNIST_SUBSET });
  assert.throws(() => resolveState({ ...DEFAULT_STATE, depth: 3, width: 0 }));
});

test('diagonal model: URL round trip, depth range by model, run config = the CLI config of the same run', () => {
  const s: ExplorerState = { ...DEFAULT_STATE, model: 'diagonal', depth: 1, alpha: 0.01, eta: 0.25, data: 'gaussian', noise: 0, m: 50, d: 20, loss: 'exponential', steps: 200 };
  const hash = stateToHash(s);
  for (const k of MODEL_KEYS) assert.ok(new URLSearchParams(hash.slice(1)).has(k), k);
  assert.deepEqual(stateFromHash(hash), { state: s, rejected: [], ignored: [] });
  // the model is read first whatever the key order: depth 1 is a diagonal net's depth, not a deep linear net's
  assert.equal(stateFromHash('#depth=1&model=diagonal').state.depth, 1);
  const deep = stateFromHash('#depth=1');
  assert.equal(deep.state.depth, DEFAULT_STATE.depth);
  assert.deepEqual(deep.ignored, ['depth: "1" is not a whole number from 2 to 8']);
  assert.equal(stateFromHash('#model=diagonal&depth=0').ignored[0], 'depth: "0" is not a whole number from 1 to 8 (diagonal net)');
  assert.deepEqual(stateFromHash('#model=conv&alpha=0&eta=-1').rejected, ['model', 'alpha', 'eta']);
  // the state resolves to exactly the config `catapult train` runs (model, init α, η given directly, no c)
  const cli = resolveConfig({
    seed: 0,
    data: { kind: 'gaussian', m: 50, d: 20, labelNoise: 0 },
    model: { kind: 'diagonal', depth: 1 },
    init: { kind: 'constant', value: 0.01 },
    loss: 'exponential',
    eta: 0.25,
    steps: 200,
    record: { every: 1, denseUntil: 0 },
    curvature: { lambda: true, sharpness: true, gaussNewton: false, every: 10 },
  });
  assert.deepEqual(resolveState(s), cli);
  assert.equal(resolveState(s).c, undefined);
  // the deep linear net's config is unchanged by the new fields (no model kind written, c as before)
  assert.deepEqual(stateToRunInput(DEFAULT_STATE).model, { depth: 2, width: 1000 });
  assert.equal(stateToRunInput(DEFAULT_STATE).init, undefined);
  assert.deepEqual(resolveState({ ...DEFAULT_STATE, alpha: 5, eta: 3 }), resolveState(DEFAULT_STATE));
  // the sweep's c grid is for the deep linear net and says so; theory mode runs the uv recursion whatever the model
  assert.deepEqual(stateProblems(s), []);
  assert.match(stateProblems({ ...s, mode: 'sweep' }).join('\n'), /^sweep: .*diagonal model runs in the live mode/);
  assert.deepEqual(stateProblems({ ...s, mode: 'theory' }), []);
});

test('switching the model in the UI: the default data become neighbours §A setting; back to deep linear lifts depth 1 to 2', () => {
  assert.deepEqual(modelSwitchPatch(DEFAULT_STATE, { model: 'diagonal' }), { data: 'gaussian', noise: 0, m: 50, d: 20, loss: 'exponential', model: 'diagonal' });
  // other data are kept as chosen
  const mn: ExplorerState = { ...DEFAULT_STATE, data: 'mnist' };
  assert.deepEqual(modelSwitchPatch(mn, { model: 'diagonal' }), { model: 'diagonal' });
  const d1: ExplorerState = { ...DEFAULT_STATE, model: 'diagonal', depth: 1 };
  assert.deepEqual(modelSwitchPatch(d1, { model: 'deep-linear' }), { depth: 2, model: 'deep-linear' });
  assert.deepEqual(modelSwitchPatch({ ...d1, depth: 3 }, { model: 'deep-linear' }), { model: 'deep-linear' });
  assert.deepEqual(modelSwitchPatch(DEFAULT_STATE, { c: 2 }), { c: 2 });
  assert.deepEqual(stateProblems({ ...DEFAULT_STATE, ...modelSwitchPatch(d1, { model: 'deep-linear' }), model: 'deep-linear' }), []);
});

test('c grids', () => {
  assert.deepEqual(cGrid(1, 3, 3, 'lin'), [1, 2, 3]);
  const g = cGrid(0.5, 50, 5, 'log');
  assert.equal(g.length, 5);
  assert.ok(Math.abs(g[2]! - 5) < 1e-12 && Math.abs(g[4]! - 50) < 1e-12);
});

test('run files: CSV export is the CLI format and parses back; JSON export imports', () => {
  const cfg = resolveConfig({ model: { width: 30 }, data: { m: 20, d: 4 }, steps: 30, c: 6 });
  const { problem, settings } = buildProblem(cfg);
  const tr = new Trainer(problem, settings);
  const summary = tr.run();
  const csv = runToCsv(tr.metrics);
  assert.equal(csv, metricsToCsv(tr.metrics));
  assert.equal(metricsToCsv(parseMetricsCsv(csv)), csv);
  const json = runToJson(cfg, summary, tr.metrics);
  const imp = parseRunFiles([{ name: 'run.json', text: json }]);
  assert.equal(metricsToCsv(imp.rows!), csv);
  assert.equal(imp.summary?.phase, summary.phase);
  const cli = parseRunFiles([
    { name: 'metrics.csv', text: csv },
    { name: 'summary.json', text: JSON.stringify(summary) },
    { name: 'config.json', text: JSON.stringify({ ...cfg, configHash: 'x' }) },
  ]);
  assert.equal(cli.rows!.length, tr.metrics.length);
  assert.equal(cli.summary?.lambda0, summary.lambda0);
  assert.equal((cli.config?.model as { width: number }).width, 30);
  assert.throws(() => parseRunFiles([{ name: 'summary.json', text: JSON.stringify(summary) }]), /no metrics/);
  assert.throws(() => parseRunFiles([{ name: 'x.json', text: '{"a":1}' }]), /not a run file/);
});

test('the theory overlay follows the network on degenerate data (uv net)', () => {
  for (const loss of ['logistic', 'squared'] as const) {
    const cfg = resolveState({ ...DEFAULT_STATE, loss, width: 200, steps: 200, c: loss === 'logistic' ? 6 : 1.5 });
    const { problem, settings } = buildWebProblem(cfg, null);
    const ts = degenerateSetting(problem, loss)!;
    assert.ok(ts, loss);
    const tr = new Trainer(problem, settings);
    tr.run();
    const pr = predictTheory(ts, tr.lambda0, tr.eta, settings.steps);
    assert.equal(pr.phase, tr.summary().phase, loss);
    for (const row of tr.metrics) {
      const t = row.step;
      if (t >= pr.trajectory.loss.length) continue;
      assert.ok(Math.abs(row.loss - pr.trajectory.loss[t]!) <= 1e-8 * Math.max(1, row.loss), `${loss} loss at step ${t}`);
      if (Number.isFinite(row.lambda)) assert.ok(Math.abs(row.lambda - pr.trajectory.lambda[t]!) <= 1e-8 * row.lambda, `${loss} λ at step ${t}`);
    }
  }
  const gauss = buildWebProblem(resolveState({ ...DEFAULT_STATE, data: 'gaussian' }), null);
  assert.equal(degenerateSetting(gauss.problem, 'logistic'), null);
});

test('the MNIST asset decodes to exactly the core loadMnistTask data', () => {
  const { positive, negative, trainSize, testSize, subsetSeed } = MNIST_SUBSET;
  const task = { kind: 'pair' as const, positive, negative };
  const ref = loadMnistTask({ task, trainSize, testSize, seed: subsetSeed, standardization: 'global' });
  // rebuild the bytes the way scripts/prepare-web-data.ts does, through the public encoder
  const raw = loadMnistTask({ task, trainSize, testSize, seed: subsetSeed, standardization: 'none' });
  const bytes = (X: ArrayLike<number>) => Uint8Array.from(X as ArrayLike<number>, (x) => Math.round(x * 255));
  const labels = (y: Float64Array) => Uint8Array.from(y, (v) => (v > 0 ? positive : negative));
  const meta: MnistAssetMeta = {
    format: 'catapult-lab/mnist-subset@1', positive, negative, shape: [28, 28], d: 784,
    trainCount: raw.train.m, testCount: raw.test.m, trainName: ref.train.name, testName: ref.test.name,
    mean: ref.standardization!.mean[0]!, std: ref.standardization!.std[0]!,
  };
  const dec = decodeMnistAsset(meta, encodeMnistAsset(meta, bytes(raw.train.X), bytes(raw.test.X), labels(raw.train.y), labels(raw.test.y)));
  assert.equal(dec.train.m, 500);
  assert.equal(dec.test.m, 200);
  assert.deepEqual(dec.train.X, ref.train.X);
  assert.deepEqual(dec.test.X, ref.test.X);
  assert.deepEqual(dec.train.y, ref.train.y);
  assert.equal(dec.train.name, ref.train.name);
  assert.throws(() => decodeMnistAsset(meta, new Uint8Array(10)), /expected/);
});

test('explorer run input is plain JSON (what the page sends to its workers)', () => {
  const input = stateToRunInput(DEFAULT_STATE);
  assert.deepEqual(JSON.parse(JSON.stringify(input)), input);
});

test('index.html: no select offers the same value twice, and no option contains another', () => {
  const html = readFileSync(join(ROOT, 'web', 'index.html'), 'utf8');
  const selects = [...html.matchAll(/<select[^>]*data-key="(\w+)"[^>]*>([\s\S]*?)<\/select>/g)];
  assert.ok(selects.length >= 5, `found ${selects.length} selects`);
  for (const [, key, body] of selects) {
    const values = [...body!.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    assert.equal(new Set(values).size, values.length, `${key}: duplicate option values ${values.join(',')}`);
    // every option closes before the next one opens (broken markup nests them)
    assert.equal(body!.split('<option').length - 1, body!.split('</option>').length - 1, `${key}: unclosed option`);
    for (const o of body!.split('<option').slice(1)) assert.ok(o.indexOf('</option>') !== -1 && !o.slice(0, o.indexOf('</option>')).includes('<'), `${key}: option markup ${o.trim()}`);
  }
});

test('theory-mode export: CSV has one row per c, JSON is JSON (with null for divergent values)', () => {
  const grid = {
    cs: [0.5, 5, 500], phase: [0, 1, 2], lambdaFinal: [2, 1.5, NaN], etaSharpnessFinal: [0.5, 2, NaN],
    lambda0: 2, f0: 0.1, setting: { loss: 'logistic', p: 0.3, y: null, n: 1000 }, cLazy: 1 / 0.21, cMax: null, note: 'n',
  };
  assert.equal(theoryToCsv(grid), 'c,phase,lambdaFinal,etaSharpnessFinal\n0.5,lazy,2,0.5\n5,catapult,1.5,2\n500,divergent,,\n');
  const j = JSON.parse(theoryToJson(grid, 1000));
  assert.equal(j.format, 'catapult-lab/theory@1');
  assert.equal(j.steps, 1000);
  assert.deepEqual(j.rows, [[0.5, 'lazy', 2, 0.5], [5, 'catapult', 1.5, 2], [500, 'divergent', null, null]]);
  assert.equal(j.boundaries.cLazy, 1 / 0.21);
});

test('the theory card names the data and the loss it is about', () => {
  const base = { ...DEFAULT_STATE };
  const mnist = settingNote({ ...base, data: 'mnist', loss: 'logistic' });
  assert.match(mnist, /^MNIST 3 vs 8/);
  assert.doesNotMatch(mnist, /non-separable data/i);
  const expo = settingNote({ ...base, data: 'degenerate', depth: 3, loss: 'exponential' } as ExplorerState);
  assert.match(expo, /exponential loss/);
  assert.doesNotMatch(expo, /logistic loss/);
  assert.match(settingNote({ ...base, data: 'gaussian', noise: 0, loss: 'logistic' }), /^Separable data .*logistic loss.*no catapult/);
  assert.match(settingNote({ ...base, data: 'gaussian', noise: 0.1, m: 100, d: 10, loss: 'logistic' }), /^Non-separable data/);
  assert.match(settingNote({ ...base, loss: 'squared' }), /squared loss/);
});

test('an imported run config sets the explorer, with a note for each part it cannot show', () => {
  const cfg = resolveConfig({ model: { width: 30, depth: 3 }, data: { kind: 'gaussian', m: 20, d: 4, labelNoise: 0.2 }, steps: 30, c: 6, seed: 5 });
  const { patch, notes } = stateFromRunConfig(cfg as unknown as Record<string, unknown>);
  assert.deepEqual(notes, []);
  assert.deepEqual(
    { data: patch.data, width: patch.width, depth: patch.depth, m: patch.m, d: patch.d, noise: patch.noise, steps: patch.steps, c: patch.c, seed: patch.seed },
    { data: 'gaussian', width: 30, depth: 3, m: 20, d: 4, noise: 0.2, steps: 30, c: 6, seed: 5 },
  );
  const odd = stateFromRunConfig({ model: { width: 1e9 }, data: { kind: 'csv' }, eta: 0.1, batchSize: 8, init: { kind: 'file' } }, 2.5);
  assert.equal(odd.patch.width, undefined);
  assert.equal(odd.patch.c, 2.5);
  assert.deepEqual(odd.notes, [
    "data kind 'csv' is not available here",
    'model.width: "1000000000" is not a whole number from 1 to 4000 here; kept width as it was',
    'the run gives η directly; the explorer sets c = ηλ0/2 (using the summary when present)',
    "init 'file' is not available here",
    'mini-batch SGD is not available here',
  ]);
  // inherited names are not config keys
  assert.deepEqual(stateFromRunConfig({ data: { toString: 1 } } as Record<string, unknown>).notes, []);
  // a diagonal-net config (the CLI's): model, depth 1, constant α and η taken as they are; it round-trips through the state
  const diag = { model: { kind: 'diagonal', depth: 1 }, init: { kind: 'constant', value: 0.05 }, loss: 'exponential', data: { kind: 'gaussian', m: 30, d: 8, labelNoise: 0 }, eta: 0.3, steps: 50 };
  const dp = stateFromRunConfig(diag);
  assert.deepEqual(dp.notes, []);
  assert.deepEqual({ model: dp.patch.model, depth: dp.patch.depth, alpha: dp.patch.alpha, eta: dp.patch.eta, c: dp.patch.c }, { model: 'diagonal', depth: 1, alpha: 0.05, eta: 0.3, c: undefined });
  const ds = resolveState({ ...DEFAULT_STATE, ...dp.patch });
  assert.deepEqual({ model: ds.model, init: ds.init, eta: ds.eta, data: ds.data }, { model: diag.model, init: diag.init, eta: 0.3, data: resolveConfig(diag).data });
  assert.deepEqual(stateFromRunConfig({ model: { kind: 'diagonal', depth: 2 }, c: 1, batchSize: 4 }).notes, [
    "the run gives c; the explorer sets the diagonal net's η directly (kept η as it was)",
    "init 'gaussian' is not available here for the diagonal net (only constant α)",
    'mini-batch SGD is not available here',
  ]);
  assert.deepEqual(stateFromRunConfig({ model: { kind: 'conv' } }).notes, ["model kind 'conv' is not available here"]);
});
