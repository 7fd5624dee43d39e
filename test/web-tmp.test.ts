/**
 * The explorer's Node-side tests clean up after themselves: run them with TMPDIR pointing at a
 * fresh directory and check it is empty afterwards. (The e2e test removes its directory the same
 * way, in its `after` hook; it is too slow to run twice here.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

test('web-server and web-state tests leave no temporary directories behind', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'catapult-webtmp-'));
  try {
    for (const file of ['test/web-server.test.ts', 'test/web-state.test.ts']) {
      // a child of the test runner would report to it instead of running (NODE_TEST_CONTEXT)
      const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', file], { cwd: ROOT, encoding: 'utf8', env: { ...env, TMPDIR: sandbox, NODE_OPTIONS: '' } });
      assert.match(r.stdout, /# pass [1-9]/, `${file} ran its tests`);
      assert.equal(r.status, 0, `${file} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
      const left = readdirSync(sandbox).filter((n) => !/^tsx-\d+$/.test(n)); // tsx's own IPC directory
      assert.deepEqual(left, [], `${file} left ${readdirSync(sandbox).join(', ')} in its TMPDIR`);
    }
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
});
