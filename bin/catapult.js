#!/usr/bin/env node
// Runs the compiled package (dist/) when it is built from the current sources, else the
// TypeScript sources through tsx's loader (a checkout with edits not yet built: slower start,
// never stale code). See bin/dist.js.
import { codeToRun } from './dist.js';

if (codeToRun() === 'dist') {
  await import('../dist/cli/main.js');
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    console.error('catapult: dist/ is missing or older than src/, and tsx (a dev dependency) is not installed to run the sources: run `npm run build`');
    process.exit(2);
  }
  tsx.register();
  await import('../src/cli/main.ts');
}
