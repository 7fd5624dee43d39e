/**
 * Vite config of the explorer: root web/, output dist/web, relative asset paths (works under any
 * URL prefix), ES-module workers. `npm run build:web` builds it; `npm run explore` builds and serves.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
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
  // HiGHS (the diagonal model's max-margin references) imports node:module under Node only
  resolve: { alias: { 'node:module': fileURLToPath(new URL('./src/nodeModuleStub.ts', import.meta.url)) } },
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
});
