import { parentPort } from 'node:worker_threads';
import { executeRun } from './runDir.ts';
import type { JobRequest, JobReply } from './pool.ts';

/** Body of a pool worker thread: runs one job at a time, as the parent sends them. */
parentPort!.on('message', async ({ id, job, runsAtOnce }: JobRequest) => {
  let reply: JobReply;
  try {
    const rec = await executeRun(job.config, job.dir, { saveWeights: job.saveWeights, runsAtOnce });
    reply = { id, ok: true, summary: rec.summary, reused: rec.reused };
  } catch (e) {
    reply = { id, ok: false, error: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
