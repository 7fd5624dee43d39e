#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so the same sources serve Node and the browser
// without a build step.
import { register } from 'tsx/esm/api';

register();
if (process.argv[2] === '__worker') {
  // sweep pool workers skip the CLI (and its plotting imports): faster start-up
  const { workerMain } = await import('../src/experiments/pool.ts');
  workerMain();
} else {
  await import('../src/cli/main.ts');
}
