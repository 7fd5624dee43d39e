import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reproduce } from '../src/cli/reproduceCommand.ts';
import { loadRecipeFile, PROFILES, resolveRecipe } from '../src/experiments/recipeFiles.ts';
import { RECIPES, recipesByNames, recipesFor, studyOf } from '../src/recipes/registry.ts';
import { mixedSeparabilityCsv } from '../src/recipes/restrictedFlatness.ts';
import { studyByName } from '../src/experiments/studies.ts';
import { tempDirs } from './helpers.ts';
import { bracketMatches, logLogSlope, spearman } from '../src/experiments/verdicts.ts';
import { escapeHtml, renderReportHtml } from '../src/report/html.ts';

const tmp = tempDirs();

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'catapult.js');

test('every recipe has a config file that resolves for every profile', () => {
  for (const r of RECIPES) {
    const file = loadRecipeFile(r.name);
    for (const p of PROFILES) {
      const { sweeps } = resolveRecipe(file, p, { dataDir: '/data' });
      assert.ok(sweeps.length > 0, `${r.name}/${p}`);
      for (const s of sweeps) assert.equal(s.sweep.name, `${r.name}-${s.key}`);
    }
  }
  // profile overrides change only what they name
  const file = loadRecipeFile('uv-phase-vs-c');
  const q = resolveRecipe(file, 'quick').sweeps.find((s) => s.key === 'squared')!;
  const m = resolveRecipe(file, 'mini').sweeps.find((s) => s.key === 'squared')!;
  assert.equal((q.sweep.base.model as { width: number }).width, 1000);
  assert.equal((m.sweep.base.model as { width: number }).width, 100);
  assert.equal((m.sweep.base.model as { depth: number }).depth, 2);
  assert.equal(q.refine, 0.01);
  assert.equal(m.refine, 0.02);
  const rf = resolveRecipe(loadRecipeFile('restricted-flatness'), 'mini', { dataDir: '/x' }).sweeps[0];
  assert.equal((rf.sweep.base.data as { path: string }).path, '/x/mixed-separability.csv');
});

test('verdict statistics', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 9, 8, 1]), -1);
  assert.ok(Math.abs(spearman([1, 2, 3], [1, 1, 2]) - Math.sqrt(3) / 2) < 1e-12);
  assert.ok(Math.abs(logLogSlope([1, 4, 16], [3, 6, 12]) - 0.5) < 1e-12);
  assert.ok(bracketMatches({ c: 1.01, below: 0.995 }, 1));
  assert.ok(!bracketMatches({ c: 1.5, below: 1.2 }, 1));
  assert.ok(!bracketMatches({ c: 1, below: null }, 1));
  assert.equal(escapeHtml('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  const csv = mixedSeparabilityCsv({ d: 4, dNonSep: 2, mNonSep: 5, mSep: 3, seed: 1 });
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, 9);
  assert.equal(lines[1].split(',').slice(2, 4).join(), '0,0');
  assert.equal(csv, mixedSeparabilityCsv({ d: 4, dNonSep: 2, mNonSep: 5, mSep: 3, seed: 1 }));
});

test('a miniature reproduction writes the report with computed verdicts, and resumes', { timeout: 240_000 }, async () => {
  const out = tmp('catapult-repro-');
  const res = await reproduce({ profile: 'mini', out, jobs: 1, only: null, quiet: true });
  const dir = join(out, 'paper-mini');
  assert.equal(res.html, join(dir, 'index.html'));
  const html = readFileSync(res.html, 'utf8');
  // every recipe has a section with verdict rows; every referenced figure exists
  for (const r of recipesFor('mini')) {
    assert.match(html, new RegExp(`<section id="${r.name}">`), r.name);
    const run = res.runs.find((x) => x.recipe.name === r.name)!;
    assert.ok(run.output.verdicts.length > 0, `${r.name} has verdicts`);
    for (const v of run.output.verdicts) assert.ok(html.includes(escapeHtml(v.measured)), `${r.name}: measured value in the HTML`);
  }
  const refs = [...html.matchAll(/(?:src|href)="(figures\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.filter((f) => f.endsWith('.png')).length >= 15, `${refs.length} figure references`);
  for (const f of refs) assert.ok(existsSync(join(dir, decodeURIComponent(f))), f);
  assert.ok(!/https?:\/\//.test(html.replace(/https:\/\/vega\.github\.io[^"]*/g, '')), 'no external resources');
  const vj = JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8'));
  assert.equal(vj.verdicts.length, res.verdicts.length);

  // verdicts the theory guarantees at this size
  const find = (recipe: string, re: RegExp) => {
    const v = res.verdicts.find((x) => x.recipe === recipe && re.test(x.verdict.claim));
    assert.ok(v, `${recipe}: ${re}`);
    return v.verdict;
  };
  assert.equal(find('uv-trajectories', /^Squared loss: lazy/).pass, true);
  assert.equal(find('uv-trajectories', /separable \(p = 1\): no catapult/).pass, true);
  assert.equal(find('uv-trajectories', /exact two-float recursion/).pass, true);
  const cLoss = find('uv-phase-vs-c', /Squared loss: the loss starts to rise/);
  assert.equal(cLoss.pass, true, cLoss.measured);
  const cMax = find('uv-phase-vs-c', /Squared loss: divergence/);
  assert.equal(cMax.pass, true, cMax.measured);
  assert.equal(find('uv-phase-vs-c', /separable \(p = 1\): no catapult/).pass, true);
  assert.equal(find('uv-phase-vs-c', /phase the exact recursion gives/).pass, true);
  assert.equal(find('width-scaling', /loss peaks later/).pass, true);
  assert.equal(find('width-scaling', /divergence edge c_max grows/).pass, true);
  assert.equal(find('gaussian-deep', /^Separable data: no catapult/).pass, true);
  assert.equal(find('restricted-flatness', /planted structure/).pass, true);
  // non-separable MNIST: the LP sees both arms as designed, and the non-separable arm catapults at some c
  const contrast = find('mnist-nonseparable', /catapult phase exists on the non-separable training set/);
  assert.match(contrast.measured, /seed 0: \|I\| \d+, dim V [1-9]\d*/);
  assert.match(contrast.measured, /\(2 of 2 training sets separable\)/);
  assert.doesNotMatch(contrast.measured, /majority of seeds at c = none/);
  assert.match(find('mnist-nonseparable', /best test accuracy lies in the catapult phase/).measured, /paired difference .* \(SE, 2 seeds\)/);
  // the measured onsets are numbers from the runs: c_loss within the refined bracket around 1
  const sq = res.runs.find((r) => r.recipe.name === 'uv-phase-vs-c')!.sweeps.squared.onsets[0];
  assert.ok(sq.cLoss! > 0.97 && sq.cLoss! < 1.03 && sq.cMax! > 1.94 && sq.cMax! < 2.06, JSON.stringify(sq));

  // a second invocation reuses every run and gives the same verdicts
  const again = await reproduce({ profile: 'mini', out, jobs: 1, only: ['uv-phase-vs-c'], quiet: true });
  assert.equal(again.runs[0].ran, 0);
  assert.deepEqual(again.verdicts, res.verdicts.filter((v) => v.recipe === 'uv-phase-vs-c'));
});

test('catapult report <sweep-dir> writes an HTML report with figures and onset verdicts', { timeout: 120_000 }, () => {
  const dir = tmp('catapult-report-');
  const sweep = {
    name: 'sq',
    base: { data: { kind: 'degenerate', m: 10, d: 10, p: 1 }, model: { depth: 2, width: 100 }, init: { kind: 'prescribed', f0: 0.1, lambda0: 2 }, loss: 'squared', steps: 150, record: { every: 50, denseUntil: 0 }, curvature: { every: 150, gaussNewton: false } },
    axes: { c: { log: [0.5, 3], num: 8 } },
  };
  writeFileSync(join(dir, 's.json'), JSON.stringify(sweep));
  const s = spawnSync(process.execPath, [BIN, 'sweep', 's.json', '-q', '-j', '1', '--out', 'sw', '--refine', '0.02'], { cwd: dir, encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  const r = spawnSync(process.execPath, [BIN, 'report', 'sw'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(join(dir, 'sw', 'report', 'index.html'), 'utf8');
  assert.match(html, /Squared loss: the loss starts to rise at c = 1/);
  assert.match(html, /<tr class="pass">/);
  const pngs = readdirSync(join(dir, 'sw', 'report', 'figures')).filter((f) => f.endsWith('.png'));
  assert.ok(pngs.includes('curvature-vs-c.png'), pngs.join());
  for (const m of html.matchAll(/src="(figures\/[^"]+)"/g)) assert.ok(existsSync(join(dir, 'sw', 'report', m[1])), m[1]);
  const bad = spawnSync(process.execPath, [BIN, 'report', 'nowhere'], { cwd: dir, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no results\.csv/);
});

test('studies: --only takes recipe or study names; the report has one part per study', () => {
  assert.deepEqual(recipesByNames(['lr-policies'], 'quick').map((r) => r.name), ['lr-policies']);
  const paper = recipesByNames(['paper'], 'quick');
  assert.ok(paper.length >= 5 && paper.every((r) => studyOf(r) === 'paper'), paper.map((r) => r.name).join());
  // a study name selects only the recipes of the profile; repeats are dropped; order follows the names
  assert.ok(!paper.some((r) => r.name === 'fashion-nonseparable'));
  assert.deepEqual(recipesByNames(['uv-phase-vs-c', 'paper'], 'quick')[0].name, 'uv-phase-vs-c');
  assert.equal(recipesByNames(['uv-phase-vs-c', 'paper'], 'quick').length, paper.length);
  assert.throws(() => recipesByNames(['nope'], 'quick'), /unknown recipe or study 'nope'.*studies: paper, lr-policies/);
  for (const r of RECIPES) assert.ok(studyByName(studyOf(r)), `${r.name} has a known study`);
  const section = (id: string, group?: { id: string; title: string; description: string }) => ({
    id, title: `T ${id}`, description: 'd', verdicts: [{ claim: 'c', rule: 'r', measured: 'm', predicted: 'p', pass: id === 'b' ? false : true }], figures: [], tables: [], facts: [], ...(group ? { group } : {}),
  });
  const g1 = { id: 'study-one', title: 'Study one', description: 'first' }, g2 = { id: 'study-two', title: 'Study two', description: 'second' };
  const html = renderReportHtml({ title: 't', meta: [], sections: [section('a', g1), section('b', g1), section('c', g2)] });
  assert.equal(html.match(/<h2 class="study">/g)?.length, 2);
  assert.ok(html.indexOf('Study one') < html.indexOf('<h3>T a</h3>') && html.indexOf('<h3>T b</h3>') < html.indexOf('<h2 class="study">Study two'));
  assert.match(html, /Study one<\/b><\/a> \(1 ✓ 1 ✗ 0 —\)/);
  // without groups, sections stay h2 (sweep reports)
  assert.match(renderReportHtml({ title: 't', meta: [], sections: [section('a')] }), /<h2>T a<\/h2>/);
});
