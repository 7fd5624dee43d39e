#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so the same sources serve Node and the browser
// without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
