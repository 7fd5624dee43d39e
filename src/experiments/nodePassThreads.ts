import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { startPassThreads, type PassHelperInit, type PassThreads, type PassThreadSpawner } from '../linalg/wasm/passThreads.ts';
import { setPassThreads } from '../models/passes.ts';

/**
 * Node glue for threaded data passes (src/linalg/wasm/passThreads.ts): helper threads are worker_threads running
 * passWorker (compiled dist/ code starts compiled workers; the TypeScript sources start workers that load tsx
 * first, as the sweep pool does).
 */
const spawner: PassThreadSpawner = {
  spawn: (init: PassHelperInit) =>
    new Promise((resolve, reject) => {
      let w: Worker;
      if (import.meta.url.endsWith('.js')) w = new Worker(new URL('./passWorker.js', import.meta.url), { workerData: init });
      else {
        const tsx = import.meta.resolve('tsx/esm/api');
        const entry = new URL('./passWorker.ts', import.meta.url).href;
        const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
        w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: init });
      }
      // Never keeps the process alive: a run that forgets to stop its threads still lets the process exit.
      w.unref();
      w.once('message', () => resolve({ terminate: () => w.terminate() }));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`pass helper thread exited with code ${code} before starting`)));
    }),
};

/** `threads` threads for the data passes (threads − 1 worker threads), or null for 1 thread or no shared memory. */
export function startNodePassThreads(threads: number): Promise<PassThreads | null> {
  return startPassThreads(threads, spawner);
}

/**
 * The default number of threads of one run: the machine's cores (availableParallelism), shared among `runsAtOnce`
 * runs (a sweep's pool workers): ⌊cores / runsAtOnce⌋, at least 1. On a quiet 2-core machine two threads made a step
 * 0.75× and an NTK product 0.64× of one thread; under heavy load from other processes they were slower (README,
 * Performance): `threads: 1` is the setting for a busy machine.
 */
export function defaultThreads(runsAtOnce = 1): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, runsAtOnce)));
}


/**
 * Runs `body` with the data passes split between `threads` threads (helpers started before, stopped after, even
 * if body throws). threads = 1, or an engine without shared WebAssembly memory: body runs as is (same results).
 */
export async function withPassThreads<T>(threads: number, body: () => T | Promise<T>): Promise<T> {
  const pool = await startNodePassThreads(threads);
  if (pool === null) return await body();
  setPassThreads(pool);
  try {
    return await body();
  } finally {
    setPassThreads(null);
    await pool.stop();
  }
}
