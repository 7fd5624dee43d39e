import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lib from '../src/index.ts';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

test('the library entry exports the engine', () => {
  for (const name of ['DeepLinear', 'Trainer', 'lanczosTop', 'runTheory', 'resolveConfig', 'buildProblem', 'Rng', 'degenerateData', 'parseCsvDataset']) {
    assert.ok(name in lib, name);
  }
  // a script can train from a config object
  const cfg = lib.resolveConfig({ steps: 20, c: 3, model: { width: 10 } });
  const { problem, settings } = lib.buildProblem(cfg);
  const s = new lib.Trainer(problem, settings).run();
  assert.equal(s.steps, 20);
});

test('the browser-safe core imports nothing from Node', () => {
  // every module reachable from src/index.ts must be free of node: imports
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    assert.ok(!/from ['"]node:/.test(text) && !/import\(['"]node:/.test(text), `${file.slice(SRC.length)} imports a Node module`);
    for (const m of text.matchAll(/from ['"](\.[^'"]+)['"]/g)) {
      const dep = join(dirname(file), m[1]);
      if (statSync(dep, { throwIfNoEntry: false })?.isFile()) visit(dep);
    }
  };
  visit(join(SRC, 'index.ts'));
  assert.ok(seen.size > 10);
});
