// Is dist/ (the compiled package) built from the sources in this checkout? The build records a
// digest of everything tsc reads (src/ and the tsconfigs) in dist/.source-digest; code runs
// from dist/ only when the digest still matches, so an edit in src/ is never shadowed by stale
// compiled code. Plain JavaScript: it runs before any TypeScript loader exists.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIGEST_FILE = join(ROOT, 'dist', '.source-digest');
const INPUTS = ['tsconfig.json', 'tsconfig.build.json'];

function listFiles(dir, rel, out) {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) listFiles(dir, r, out);
    else out.push(r);
  }
  return out;
}

/**
 * sha256 over the paths and contents of src/** and the tsconfigs (sorted: independent of readdir
 * order) and the compiler's version.
 */
export function sourceDigest() {
  const h = createHash('sha256');
  h.update(`typescript ${typescriptVersion()}\0`);
  const files = [...INPUTS, ...listFiles(join(ROOT, 'src'), '', []).map((f) => `src/${f}`)].sort();
  for (const f of files) {
    const p = join(ROOT, f);
    if (!existsSync(p)) continue;
    h.update(`${f}\0`).update(readFileSync(p)).update('\0');
  }
  return h.digest('hex');
}

function typescriptVersion() {
  try {
    const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
    return JSON.parse(readFileSync(pkg, 'utf8')).version;
  } catch {
    return 'none'; // an installed package: no compiler, and no src/ either
  }
}

/**
 * 'dist': run the compiled code. 'source': run src/ through tsx (a checkout whose dist/ is
 * missing or stale). An installed package has no src/ and always runs dist/.
 */
export function codeToRun() {
  if (!existsSync(join(ROOT, 'src'))) return 'dist';
  if (process.env.CATAPULT_FROM_SOURCE === '1') return 'source';
  if (!existsSync(DIGEST_FILE)) return 'source';
  return readFileSync(DIGEST_FILE, 'utf8').trim() === sourceDigest() ? 'dist' : 'source';
}

/**
 * `npm run build` (and `prepare`, i.e. npm ci / npm pack): nothing to do if dist/ is fresh
 * (`--force` rebuilds). Otherwise the stamp goes first (dist/ counts as stale while tsc writes
 * it), tsc compiles src/ into dist/ (in place: dist/web, the explorer's build, is not ours to
 * touch), files of deleted sources are removed, and the stamp is the digest of the sources taken
 * *before* tsc ran: if a source changed meanwhile, dist/ stays stale and the bin runs the sources.
 */
export function build(force = false) {
  const before = sourceDigest();
  if (!force && existsSync(DIGEST_FILE) && readFileSync(DIGEST_FILE, 'utf8').trim() === before) {
    console.error('build: dist/ is up to date');
    return 0;
  }
  rmSync(DIGEST_FILE, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  const dist = join(ROOT, 'dist');
  for (const f of listFiles(dist, '', [])) {
    const base = f.replace(/(\.d\.ts|\.js)$/, '');
    if (base !== f && !f.startsWith('web/') && !existsSync(join(ROOT, 'src', `${base}.ts`))) rmSync(join(dist, f));
  }
  if (sourceDigest() !== before) {
    console.error('build: sources changed during the build; dist/ is left marked stale (run npm run build again)');
    return 1;
  }
  writeFileSync(DIGEST_FILE, before + '\n');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--build') process.exitCode = build(process.argv.includes('--force'));
  else console.log(codeToRun());
}
