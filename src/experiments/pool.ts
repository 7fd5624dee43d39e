import { readdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunConfig } from './config.ts';
import { executeRun, removeOwnStaging } from './runDir.ts';
import type { RunSummary } from '../train/trainer.ts';

/**
 * Runs training jobs on a pool of worker threads (one per core by default), one job at a time per
 * worker. Each job is a complete, independent run written to its own directory, so the numbers
 * cannot depend on the pool size or the order jobs finish in. jobs = 1 runs in this thread.
 *
 * The workers persist between calls (a refined sweep calls runJobs once per bisection round) and
 * are unref'd while idle, so they never keep the process alive. Compiled code (dist/) starts
 * compiled workers; the TypeScript sources start workers that load tsx first.
 */
export interface Job {
  config: RunConfig;
  dir: string;
  saveWeights: boolean;
}
export interface JobResult {
  summary: RunSummary;
  reused: boolean;
}
export interface JobRequest { id: number; job: Job; runsAtOnce: number }
export type JobReply = { id: number; ok: true; summary: RunSummary; reused: boolean } | { id: number; ok: false; error: string };

const idle: Worker[] = [];

function startWorker(): Worker {
  let w: Worker;
  if (import.meta.url.endsWith('.js')) w = new Worker(new URL('./poolWorker.js', import.meta.url));
  else {
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./poolWorker.ts', import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
    w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  }
  w.once('exit', () => {
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
  });
  return w;
}

/** Stray temp files of atomic writes that a terminated worker thread may leave (same pid). */
function removeOwnTempFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const f of names) if (f.includes(`.tmp-${process.pid}-`)) rmSync(join(dir, f), { force: true });
}

export async function runJobs(jobs: Job[], workers: number, onDone: (job: Job, result: JobResult, index: number) => void): Promise<void> {
  if (workers <= 1 || jobs.length <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      const rec = await executeRun(jobs[i].config, jobs[i].dir, { saveWeights: jobs[i].saveWeights });
      onDone(jobs[i], { summary: rec.summary, reused: rec.reused }, i);
    }
    return;
  }
  const pool: Worker[] = [];
  while (pool.length < Math.min(workers, jobs.length)) pool.push(idle.pop() ?? startWorker());
  const inFlight = new Map<Worker, number>();
  const listeners = new Map<Worker, Record<'message' | 'error' | 'exit', (...args: any[]) => void>>();
  let next = 0, done = 0;
  let failure: Error | null = null;

  // SIGINT/SIGTERM: stop the workers (not the runs' files: completed runs stay, runs in flight
  // are dropped and redone by a rerun), one line on stderr, exit with the signal's status.
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    const dirs = [...inFlight.values()].map((id) => jobs[id].dir);
    void Promise.all(pool.map((w) => w.terminate())).then(() => {
      for (const dir of dirs) {
        removeOwnTempFiles(dir);
        removeOwnStaging(dir);
      }
      process.stderr.write(`catapult: ${signal}: stopped with ${done} of ${jobs.length} runs complete (${dirs.length} in flight dropped); rerun the same command to resume\n`);
      process.exit(128 + constants.signals[signal]);
    });
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  try {
    await new Promise<void>((resolve, reject) => {
      const settle = () => {
        if (inFlight.size === 0) (failure ? reject(failure) : resolve());
      };
      const feed = (w: Worker) => {
        if (failure || next >= jobs.length) return settle();
        const id = next++;
        inFlight.set(w, id);
        w.postMessage({ id, job: jobs[id], runsAtOnce: pool.length } satisfies JobRequest);
      };
      const what = (w: Worker) => {
        const id = inFlight.get(w);
        return id === undefined ? 'a pool worker' : `run ${jobs[id].dir}`;
      };
      for (const w of pool) {
        w.ref();
        listeners.set(w, {
          message: (msg: JobReply) => {
            inFlight.delete(w);
            if (msg.ok) {
              done++;
              try {
                onDone(jobs[msg.id], { summary: msg.summary, reused: msg.reused }, msg.id);
              } catch (e) {
                failure ??= e as Error; // e.g. the results table cannot be written: no new runs, then reject
              }
            } else failure ??= new Error(`run ${jobs[msg.id].dir}: ${msg.error}`);
            feed(w);
          },
          // a worker that dies (out of memory, a crash outside the run's try) fails the pool
          error: (e: Error) => {
            failure ??= new Error(`${what(w)}: ${e.message}`);
          },
          exit: (code: number) => {
            failure ??= new Error(`${what(w)}: worker thread exited with code ${code}`);
            pool.splice(pool.indexOf(w), 1);
            inFlight.delete(w);
            settle();
          },
        });
        for (const [event, fn] of Object.entries(listeners.get(w)!)) w.on(event, fn);
        feed(w);
      }
    });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    for (const w of pool) {
      for (const [event, fn] of Object.entries(listeners.get(w) ?? {})) w.off(event, fn);
      w.unref();
      idle.push(w);
    }
  }
}
