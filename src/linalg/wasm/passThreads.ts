/**
 * Data passes split between threads on shared memory (browser-safe: standard SharedArrayBuffer, shared
 * WebAssembly.Memory and Atomics; how a thread is started is injected, see `PassThreadSpawner`; the Node glue is
 * src/experiments/nodePassThreads.ts).
 *
 * X and every array of a pass live in one shared WebAssembly.Memory (a `WasmKernel` of its own, runtime.ts). Each
 * helper thread instantiates the same kernel modules on that memory and runs `runLanes` for its lanes
 * (passLanes.ts), so the arithmetic is the calling thread's, and the lane structure makes the result independent
 * of the thread count.
 *
 * Protocol (Int32 words of a control block in the shared memory): the caller writes the job, bumps SEQ and
 * notifies; each helper runs its lanes and stores SEQ into its DONE word. In the fused pass a helper stores its
 * finished super-step into DOTS and waits for COEF (the caller's coefficients of that super-step). Waits spin
 * briefly (the other thread is usually about to answer), then sleep in Atomics.wait. ABORT ends a pass whose
 * caller failed (e.g. the coefficient callback threw); ERROR reports a helper's failure; STOP ends the helpers.
 */
import { JOB_FIELDS, LANES, runLanes, type PassJob } from './passLanes.ts';
import { createSharedKernel, instantiateSharedKernels, type WasmKernel } from './runtime.ts';

const SEQ = 0, STOP = 1, COEF = 2, ERROR = 3, ABORT = 4, THREADS = 5;
const JOB = 16;
/** Each helper's words on a cache line of their own: DONE, DOTS. */
const HELPER = (h: number): number => 64 + 16 * h;
const DONE = 0, DOTS = 1;
/** Most threads (caller + helpers) a pass can use: one per lane (more would have nothing to do). */
export const MAX_PASS_THREADS = LANES;
const CTL_BYTES = 4 * HELPER(MAX_PASS_THREADS);

/** Loads before sleeping: a few tens of µs of spinning, about one block's work. */
const SPIN = 20000;
/** Sleep slices (ms) while waiting, so that failures (ERROR, ABORT, STOP) are noticed. */
const SLICE_MS = 50;

/** Waits until i32[at] satisfies `ok`; `check` runs between sleeps (it may throw). */
function waitFor(i32: Int32Array, at: number, ok: (v: number) => boolean, check?: () => void): void {
  for (let k = 0; ; k++) {
    const v = Atomics.load(i32, at);
    if (ok(v)) return;
    if (k >= SPIN) {
      check?.();
      Atomics.wait(i32, at, v, SLICE_MS);
    }
  }
}

/** What a helper thread needs: the shared memory, the control block's address and its own index (1, 2, …). */
export interface PassHelperInit {
  memory: WebAssembly.Memory;
  ctl: number;
  index: number;
}

/**
 * The body of a helper thread: runs its lanes of every pass the caller posts, until STOP. Blocks its thread
 * (Atomics.wait): run it in a worker. `ready` is called once the kernels are instantiated.
 */
export function runPassHelper(init: PassHelperInit, ready: () => void = () => {}): void {
  const { memory, index } = init;
  const K = instantiateSharedKernels(memory);
  if (K === null) throw new Error('pass helper: WebAssembly SIMD on shared memory is unavailable');
  let f64 = new Float64Array(memory.buffer), i32 = new Int32Array(memory.buffer);
  const c = init.ctl >>> 2, me = c + HELPER(index);
  let seq = Atomics.load(i32, c + SEQ);
  ready();
  for (;;) {
    waitFor(i32, c + SEQ, (v) => v !== seq);
    seq = Atomics.load(i32, c + SEQ);
    if (Atomics.load(i32, c + STOP) !== 0) return;
    if (memory.buffer.byteLength !== i32.buffer.byteLength) {
      f64 = new Float64Array(memory.buffer);
      i32 = new Int32Array(memory.buffer);
    }
    const T = i32[c + THREADS];
    if (index < T) {
      const job = {} as PassJob;
      JOB_FIELDS.forEach((k, n) => (job[k] = i32[c + JOB + n]));
      try {
        runLanes(job, index, T, K, { f64, i32 }, (s) => {
          Atomics.store(i32, me + DOTS, s + 1);
          Atomics.notify(i32, me + DOTS);
          waitFor(i32, c + COEF, (v) => v > s || Atomics.load(i32, c + ABORT) !== 0);
          return Atomics.load(i32, c + ABORT) === 0;
        });
      } catch {
        Atomics.store(i32, c + ERROR, 1);
      }
    }
    Atomics.store(i32, me + DONE, seq);
    Atomics.notify(i32, me + DONE);
  }
}

/** Starts one helper thread; resolves once the helper called `ready`. */
export interface PassThreadSpawner {
  spawn(init: PassHelperInit): Promise<{ terminate(): unknown }>;
}

/** The caller's side: T threads in all (this one and T − 1 helpers) sharing `kernel`'s memory. */
export class PassThreads {
  private stopped = false;

  constructor(
    readonly kernel: WasmKernel,
    private readonly ctl: number,
    readonly threads: number,
    private readonly helpers: { terminate(): unknown }[],
  ) {}

  /**
   * Runs a pass on all threads. `exchange(s, lane)` is the caller's coefficient step of the fused pass (it is
   * always called with lane −1 here: the whole super-step, once every thread has its dots).
   */
  run(job: PassJob, exchange: (s: number, lane: number) => void): void {
    if (this.stopped) throw new Error('pass threads were stopped');
    const V = this.kernel.views(), i32 = V.i32, c = this.ctl >>> 2, T = this.threads;
    JOB_FIELDS.forEach((k, n) => (i32[c + JOB + n] = job[k]));
    i32[c + THREADS] = T;
    for (let h = 1; h < T; h++) Atomics.store(i32, c + HELPER(h) + DOTS, 0);
    Atomics.store(i32, c + COEF, 0);
    Atomics.store(i32, c + ABORT, 0);
    const seq = Atomics.add(i32, c + SEQ, 1) + 1;
    Atomics.notify(i32, c + SEQ);
    const helperFailed = () => {
      if (Atomics.load(i32, c + ERROR) !== 0) throw new Error('a pass helper thread failed');
    };
    let failure: unknown = null;
    try {
      runLanes(job, 0, T, this.kernel.exports, V, (s) => {
        for (let h = 1; h < T; h++) waitFor(i32, c + HELPER(h) + DOTS, (v) => v > s, helperFailed);
        exchange(s, -1);
        Atomics.store(i32, c + COEF, s + 1);
        Atomics.notify(i32, c + COEF);
        return true;
      });
    } catch (e) {
      failure = e;
      Atomics.store(i32, c + ABORT, 1);
      Atomics.notify(i32, c + COEF);
    }
    for (let h = 1; h < T; h++) waitFor(i32, c + HELPER(h) + DONE, (v) => v === seq);
    if (Atomics.load(i32, c + ERROR) !== 0) {
      Atomics.store(i32, c + ERROR, 0);
      throw new Error('a pass helper thread failed', { cause: failure ?? undefined });
    }
    if (failure !== null) throw failure;
  }

  /** Ends the helpers (they return from runPassHelper) and terminates their threads. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const i32 = this.kernel.views().i32, c = this.ctl >>> 2;
    Atomics.store(i32, c + STOP, 1);
    Atomics.add(i32, c + SEQ, 1);
    Atomics.notify(i32, c + SEQ);
    await Promise.all(this.helpers.map((h) => h.terminate()));
  }
}

/**
 * T threads for the data passes (T − 1 helpers started with `spawner`), or null when T ≤ 1 or the engine has no
 * shared WebAssembly memory (the passes then run on the calling thread: same results).
 */
export async function startPassThreads(threads: number, spawner: PassThreadSpawner): Promise<PassThreads | null> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const T = Math.min(threads, MAX_PASS_THREADS);
  if (T <= 1) return null;
  const kernel = createSharedKernel();
  if (kernel === null) return null;
  const ctl = kernel.reserve(CTL_BYTES);
  if (ctl < 0) return null;
  new Int32Array(kernel.memory.buffer, ctl, CTL_BYTES >>> 2).fill(0);
  const helpers: { terminate(): unknown }[] = [];
  try {
    for (let h = 1; h < T; h++) helpers.push(await spawner.spawn({ memory: kernel.memory, ctl, index: h }));
  } catch (e) {
    await Promise.all(helpers.map((w) => w.terminate()));
    throw e;
  }
  return new PassThreads(kernel, ctl, T, helpers);
}
