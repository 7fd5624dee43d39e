/**
 * Stands in for `node:module` in the browser build. HiGHS' ES module (highs/build/highs.mjs) imports
 * it only when it runs under Node (to read its wasm from disk); in the page the wasm comes by URL
 * (worker.ts passes `locateFile`), so this is never called.
 */
export function createRequire(): never {
  throw new Error('node:module is not available in the browser');
}
