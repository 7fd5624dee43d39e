import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the bin runs dist/ only while its digest matches the sources (an edit, a new file, a tsconfig change make it stale)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catapult-dist-'));
  try {
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'dist'));
    copyFileSync(join(ROOT, 'bin', 'dist.js'), join(dir, 'bin', 'dist.js'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.build.json'), '{}');
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'src', 'sub', 'b.ts'), 'export const b = 2;\n');
    const which = (env: Record<string, string> = {}) => {
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'dist.js')], { encoding: 'utf8', env: { ...process.env, ...env } });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    const stamp = () => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { sourceDigest } from ${JSON.stringify(join(dir, 'bin', 'dist.js'))}; console.log(sourceDigest());`], { encoding: 'utf8' });
      writeFileSync(join(dir, 'dist', '.source-digest'), r.stdout);
    };
    assert.equal(which(), 'source', 'no stamp: never built');
    stamp();
    assert.equal(which(), 'dist');
    assert.equal(which({ CATAPULT_FROM_SOURCE: '1' }), 'source');
    appendFileSync(join(dir, 'src', 'sub', 'b.ts'), '// edited\n');
    assert.equal(which(), 'source', 'edited source');
    stamp();
    writeFileSync(join(dir, 'src', 'sub', 'c.ts'), 'export {};\n');
    assert.equal(which(), 'source', 'new source file');
    rmSync(join(dir, 'src', 'sub', 'c.ts'));
    assert.equal(which(), 'dist', 'back to the built sources');
    writeFileSync(join(dir, 'tsconfig.build.json'), '{"compilerOptions":{}}');
    assert.equal(which(), 'source', 'tsconfig changed');
    rmSync(join(dir, 'src'), { recursive: true });
    assert.equal(which(), 'dist', 'an installed package has no src/');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
