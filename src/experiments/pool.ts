import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../io/version.ts';
import type { RunConfig } from './config.ts';
import { executeRun } from './runDir.ts';
import type { RunSummary } from '../train/trainer.ts';

/**
 * Runs training jobs on a pool of worker processes (one per core by default). Each job is a
 * complete, independent run written to its own directory, so the numbers cannot depend on the
 * pool size or the order jobs finish in. jobs = 1 runs in this process.
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

type Message = { id: number; ok: true; summary: RunSummary; reused: boolean } | { id: number; ok: false; error: string };

export async function runJobs(jobs: Job[], workers: number, onDone: (job: Job, result: JobResult, index: number) => void): Promise<void> {
  if (workers <= 1 || jobs.length <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      const rec = await executeRun(jobs[i].config, jobs[i].dir, { saveWeights: jobs[i].saveWeights });
      onDone(jobs[i], { summary: rec.summary, reused: rec.reused }, i);
    }
    return;
  }
  const bin = join(PACKAGE_ROOT, 'bin', 'catapult.js');
  const children: ChildProcess[] = [];
  let next = 0;
  let failure: Error | null = null;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const startJob = (child: ChildProcess) => {
      if (failure || next >= jobs.length) {
        child.kill();
        if (running === 0) (failure ? reject(failure) : resolve());
        return;
      }
      const id = next++;
      running++;
      child.send({ id, job: jobs[id] });
    };
    for (let w = 0; w < Math.min(workers, jobs.length); w++) {
      const child = fork(bin, ['__worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (msg: Message) => {
        running--;
        if (msg.ok) onDone(jobs[msg.id], { summary: msg.summary, reused: msg.reused }, msg.id);
        else failure ??= new Error(`run ${jobs[msg.id].dir}: ${msg.error}`);
        startJob(child);
      });
      child.on('exit', (code) => {
        if (code && !failure) {
          failure = new Error(`a worker process exited with code ${code}`);
          for (const c of children) c.kill();
          reject(failure);
        }
      });
      startJob(child);
    }
  }).finally(() => {
    for (const c of children) if (c.connected) c.kill();
  });
}

/** Body of a worker process: run jobs sent by the parent until disconnected. */
export function workerMain(): void {
  process.on('message', async (msg: { id: number; job: Job }) => {
    try {
      const rec = await executeRun(msg.job.config, msg.job.dir, { saveWeights: msg.job.saveWeights });
      process.send!({ id: msg.id, ok: true, summary: rec.summary, reused: rec.reused });
    } catch (e) {
      process.send!({ id: msg.id, ok: false, error: (e as Error).message });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
