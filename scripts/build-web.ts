/**
 * Builds the explorer: prepares the MNIST subset (web/public/data), then runs vite with
 * web/vite.config.ts into dist/web.
 * Run: npm run build:web   (or node --import tsx scripts/build-web.ts)
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareWebData } from './prepare-web-data.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIST = join(ROOT, 'dist', 'web');

export async function buildWeb(opts: { quiet?: boolean } = {}): Promise<string> {
  const t0 = performance.now();
  const data = prepareWebData();
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'web', 'vite.config.ts'), logLevel: opts.quiet ? 'error' : 'warn' });
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`build: ${WEB_DIST}/index.html is missing`);
  if (!opts.quiet) console.log(`built ${WEB_DIST} (MNIST subset ${(data.bytes / 1024).toFixed(0)} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return WEB_DIST;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildWeb().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
