/**
 * Vite config of the explorer: root web/, output dist/web, relative asset paths (works under any
 * URL prefix), ES-module workers. `npm run build:web` builds it; `npm run explore` builds and serves.
 */
import { fileURLToPath } from 'node:url';
import { createLogger, defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

// The core's optional LP solver (`highs`, used only for restricted curvature, never by the explorer)
// mentions node:module; vite warns about it on every build. Everything else is reported as usual.
const logger = createLogger('warn', { allowClearScreen: false });
const warn = logger.warn.bind(logger);
logger.warn = (msg, opts) => {
  if (msg.includes('externalized for browser compatibility') && msg.includes('node_modules/highs/')) return;
  warn(msg, opts);
};

export default defineConfig({
  customLogger: logger,
  root,
  base: './',
  publicDir: 'public',
  clearScreen: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
});
