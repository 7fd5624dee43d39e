import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rl from '../src/rl/index.ts';

test('src/rl imports nothing from Node (the browser runs it) and the barrel exports every module', () => {
  const dir = join(import.meta.dirname, '..', 'src', 'rl');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 9);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
      // zod (the config schema) is a pure-JS dependency the explorer already bundles
      assert.ok(m[1]!.startsWith('.') || m[1] === 'zod', `${f} imports '${m[1]}'`);
      assert.ok(!m[1]!.includes('/io/') && !m[1]!.includes('/cli/'), `${f} imports Node-side '${m[1]}'`);
    }
    if (f !== 'index.ts') assert.ok(readFileSync(join(dir, 'index.ts'), 'utf8').includes(`'./${f}'`), `index.ts misses ${f}`);
  }
  for (const name of ['gridworld', 'randomMdp', 'valueIteration', 'policyQ', 'sampleTransitions', 'randomFourierFeatures', 'bootstrapTargets', 'FittedQ', 'rankPenalty', 'resolveRlConfig', 'buildFittedQ']) {
    assert.equal(typeof (rl as Record<string, unknown>)[name], 'function', name);
  }
});
