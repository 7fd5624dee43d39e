import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function sh(cmd: string, args: string[], cwd: string, opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

/**
 * A consumer project whose lock file pins catapult-lab's dependency tree exactly as this
 * repository's lock does (its non-dev entries), so `npm ci --prefer-offline` installs it from the
 * npm cache that `npm ci` here filled (the registry only when the cache lacks a package).
 */
function consumerProject(dir: string, tarball: string): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const integrity = 'sha512-' + createHash('sha512').update(readFileSync(tarball)).digest('base64');
  const dep = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { 'catapult-lab': dep } },
    'node_modules/catapult-lab': { version: pkg.version, resolved: dep, integrity, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean; devOptional?: boolean }>)) {
    if (path === '' || entry.dev) continue;
    const { devOptional: _, ...rest } = entry;
    packages[path] = rest;
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'catapult-lab': dep } }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
}

test('npm pack → install in a project without tsx → typed import, npx catapult --version, catapult train', { timeout: 240_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'catapult-pkg-'));
  try {
    // pack (runs `prepare`: builds dist/ unless it is fresh)
    sh('npm', ['pack', '--silent', '--pack-destination', tmp], ROOT);
    const tarball = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);
    const listing = sh('tar', ['tzf', tarball], tmp).split('\n');
    for (const f of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/cli/main.js', 'package/dist/experiments/poolWorker.js', 'package/bin/catapult.js', 'package/recipes/mnist.json']) {
      assert.ok(listing.includes(f), `tarball holds ${f}`);
    }
    assert.ok(!listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/')), 'no sources or tests in the tarball');

    const app = join(tmp, 'app');
    mkdirSync(app);
    consumerProject(app, tarball);
    sh('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    assert.ok(existsSync(join(app, 'node_modules', 'catapult-lab', 'dist', 'index.js')));
    assert.ok(!existsSync(join(app, 'node_modules', 'tsx')) && !existsSync(join(app, 'node_modules', 'typescript')), 'the install pulls no tsx or typescript');

    // the bin runs the compiled CLI
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    assert.equal(sh('npx', ['--no-install', 'catapult', '--version'], app).trim(), version);
    const args = ['train', '--steps', '40', '--width', '20', '--m', '30', '--d', '5', '--c', '6', '-q', '--out'];
    sh('npx', ['--no-install', 'catapult', ...args, 'run'], app);
    // the same run from this checkout (compiled or source, whichever the bin picks): same numbers
    sh(process.execPath, [join(ROOT, 'bin', 'catapult.js'), ...args, join(tmp, 'here')], tmp);
    assert.equal(readFileSync(join(app, 'run', 'metrics.csv'), 'utf8'), readFileSync(join(tmp, 'here', 'metrics.csv'), 'utf8'));

    // the library with its types: a TypeScript consumer type-checks (a wrong type is an error,
    // so the types are real, not `any`), compiles and runs
    writeFileSync(join(app, 'use.ts'), [
      "import { resolveConfig, buildProblem, Trainer, DeepLinear, type RunSummary } from 'catapult-lab';",
      "const { problem, settings } = buildProblem(resolveConfig({ c: 3, steps: 20, model: { width: 10 } }));",
      'const s: RunSummary = new Trainer(problem, settings).run();',
      '// @ts-expect-error: steps is a number',
      'const wrong: string = s.steps;',
      'console.log(JSON.stringify({ steps: s.steps, phase: s.phase, params: new DeepLinear({ d: 10, width: 4, depth: 3 }).numParams, wrong: typeof wrong }));',
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [], outDir: 'out' }, files: ['use.ts'] }));
    sh(process.execPath, [TSC, '-p', '.'], app);
    const out = JSON.parse(sh(process.execPath, [join('out', 'use.js')], app));
    assert.deepEqual(out, { steps: 20, phase: 'lazy', params: 10 * 4 + 4 * 4 + 4, wrong: 'number' });
    // a type error in the consumer is caught (guards against the check above passing vacuously)
    writeFileSync(join(app, 'use.ts'), "import { DeepLinear } from 'catapult-lab';\nconst n: string = new DeepLinear({ d: 1, width: 1, depth: 2 }).numParams;\nconsole.log(n);\n");
    const bad = spawnSync(process.execPath, [TSC, '-p', '.'], { cwd: app, encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /Type 'number' is not assignable to type 'string'/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
