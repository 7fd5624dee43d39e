/**
 * The page's side of a Web Worker (worker.ts): requests go out with an id, and every message that
 * comes back is handed to that request's handler. A worker that fails (its script throws, or it
 * runs out of memory) reports an error to every pending request.
 */
import type { WorkerMessage, WorkerRequest } from './protocol.ts';

let nextId = 1;
/** A fresh request / run id (ids are unique across all workers of the page). */
export const newId = (): number => nextId++;

export type Handler = (msg: WorkerMessage) => void;

export class WorkerClient {
  private readonly w: Worker;
  private readonly handlers = new Map<number, Handler>();
  constructor() {
    this.w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const h = this.handlers.get(e.data.id);
      if (!h) return;
      if (e.data.type === 'done' || e.data.type === 'error' || e.data.type === 'theory-done' || e.data.type === 'max-margin-done') this.handlers.delete(e.data.id);
      h(e.data);
    };
    this.w.onerror = (e) => {
      for (const [id, h] of this.handlers) h({ type: 'error', id, message: e.message || 'the worker stopped without a message (it may have run out of memory)' });
      this.handlers.clear();
    };
  }
  send(req: WorkerRequest, handler: Handler): void {
    if (req.type !== 'stop') this.handlers.set(req.id, handler);
    this.w.postMessage(req);
  }
  forget(id: number): void {
    this.handlers.delete(id);
  }
  get busy(): boolean {
    return this.handlers.size > 0;
  }
  terminate(): void {
    this.w.terminate();
    this.handlers.clear();
  }
}
