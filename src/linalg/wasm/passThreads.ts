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
 * Protocol (Int32 words of a control block in the shared memory). A pass is one phase (dot, combine: 4 units, one
 * per lane) or one phase per super-step (fused: the scatters of the previous super-step, whose coefficients the
 * caller computed after the previous phase, and the dots of this one; passLanes.UNIT_FUSED_STEP). For each phase the caller writes its description, opens it (PHASE = new
 * generation, CLAIM = generation·256, no unit claimed) and notifies; every thread, the caller included, claims units (its own lanes first) with a
 * compare-and-swap on CLAIM until none is left, runs them and counts them in DONE; the caller waits until DONE
 * reaches the number of units. A helper that is asleep or descheduled (a busy shared machine) therefore never
 * holds up a pass: the caller runs its units. Waits spin briefly, then sleep in Atomics.wait. ERROR reports a
 * helper's failure; STOP ends the helpers.
 */
import { JOB_FIELDS, LANES, runUnit, superSteps, UNIT_FUSED_STEP, UNIT_LANE, zeroPartials, PASS_FUSED, type MemViews, type PassJob, type PassKernels } from './passLanes.ts';
import { createSharedKernel, instantiateSharedKernels, type WasmKernel } from './runtime.ts';

const PHASE = 0, STOP = 1, CLAIM = 2, DONE = 3, ERROR = 4, OP = 5, UNITS = 6, STEP = 7;
const JOB = 16;
const CTL_BYTES = 4 * (JOB + JOB_FIELDS.length);
/**
 * CLAIM = generation·256 + a bit mask of the claimed units (at most 2·LANES = 8); generations modulo 2^23. A full
 * mask closes a phase.
 */
const GEN_MASK = (1 << 23) - 1;
const CLOSED = 0xff;
/** Most threads (caller + helpers) a pass can use: one per lane (more would have nothing to do). */
export const MAX_PASS_THREADS = LANES;

/** Loads before sleeping: some tens of µs of spinning (the next phase usually comes that soon). */
const SPIN = 20000;
/** Sleep slices (ms) while waiting, so that a failure (ERROR) is noticed. */
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

/**
 * Claims and runs units of the open phase of generation `gen` until none is left (also when the phase is over
 * already: then no claim succeeds). Thread t of T takes the units of its own lanes (ℓ ≡ t mod T) first, so that a
 * block's dots and scatter run on one core (the block is re-read from that core's cache), then any left over (a
 * late thread's). Returns false if a unit threw.
 */
function workOn(i32: Int32Array, c: number, gen: number, t: number, T: number, job: PassJob, K: PassKernels, V: MemViews): boolean {
  const op = i32[c + OP], n = i32[c + UNITS], s = i32[c + STEP];
  const tag = (gen & GEN_MASK) * 256;
  let ok = true;
  for (;;) {
    const cl = Atomics.load(i32, c + CLAIM);
    if (cl - (cl & 0xff) !== tag) return ok;
    let u = -1;
    for (let pass = 0; pass < 2 && u < 0; pass++) {
      for (let k = 0; k < n; k++) {
        if (cl & (1 << k)) continue;
        if (pass === 1 || (k % LANES) % T === t) { u = k; break; }
      }
    }
    if (u < 0) return ok;
    if (Atomics.compareExchange(i32, c + CLAIM, cl, cl | (1 << u)) !== cl) continue;
    try {
      runUnit(job, op, u, s, K, V);
    } catch {
      ok = false;
    }
    Atomics.add(i32, c + DONE, 1);
    Atomics.notify(i32, c + DONE);
  }
}

/** What a helper thread needs: the shared memory and the control block's address. */
export interface PassHelperInit {
  memory: WebAssembly.Memory;
  ctl: number;
  /** this helper's index t (1 … threads − 1) and the thread count: its preferred lanes are ℓ ≡ t mod threads */
  index: number;
  threads: number;
}

/**
 * The body of a helper thread: works on every phase the caller opens, until STOP. Blocks its thread
 * (Atomics.wait): run it in a worker. `ready` is called once the kernels are instantiated.
 */
export function runPassHelper(init: PassHelperInit, ready: () => void = () => {}): void {
  const { memory } = init;
  const K = instantiateSharedKernels(memory);
  if (K === null) throw new Error('pass helper: WebAssembly SIMD on shared memory is unavailable');
  let V: MemViews = { f64: new Float64Array(memory.buffer), i32: new Int32Array(memory.buffer) };
  const c = init.ctl >>> 2;
  let gen = Atomics.load(V.i32, c + PHASE);
  ready();
  const job = {} as PassJob;
  for (;;) {
    waitFor(V.i32, c + PHASE, (v) => v !== gen);
    gen = Atomics.load(V.i32, c + PHASE);
    if (Atomics.load(V.i32, c + STOP) !== 0) return;
    if (memory.buffer.byteLength !== V.i32.buffer.byteLength) V = { f64: new Float64Array(memory.buffer), i32: new Int32Array(memory.buffer) };
    const i32 = V.i32;
    JOB_FIELDS.forEach((k, n) => (job[k] = i32[c + JOB + n]));
    if (!workOn(i32, c, gen, init.index, init.threads, job, K, V)) Atomics.store(i32, c + ERROR, 1);
  }
}

/** Starts one helper thread; resolves once the helper called `ready`. */
export interface PassThreadSpawner {
  spawn(init: PassHelperInit): Promise<{ terminate(): unknown }>;
}

/** The caller's side: T threads in all (this one and T − 1 helpers) sharing `kernel`'s memory. */
export class PassThreads {
  private stopped = false;
  private gen = 0;

  constructor(
    readonly kernel: WasmKernel,
    private readonly ctl: number,
    readonly threads: number,
    private readonly helpers: { terminate(): unknown }[],
  ) {}

  /**
   * Runs a pass on all threads. `coefficients(s, −1)` is the caller's step of the fused pass: the coefficients of
   * super-step s (idx, coef, nz of every lane) from its dots.
   */
  run(job: PassJob, coefficients: (s: number, lane: number) => void): void {
    if (this.stopped) throw new Error('pass threads were stopped');
    const V = this.kernel.views(), i32 = V.i32, c = this.ctl >>> 2;
    JOB_FIELDS.forEach((k, n) => (i32[c + JOB + n] = job[k]));
    if (job.kind !== PASS_FUSED) return this.phase(job, V, UNIT_LANE, LANES, 0);
    zeroPartials(job, V);
    // phase s: the scatters of super-step s − 1 and the dots of s; between phases, the coefficients of s
    for (let s = 0, S = superSteps(job); s <= S; s++) {
      this.phase(job, V, UNIT_FUSED_STEP, 2 * LANES, s);
      if (s < S) coefficients(s, -1);
    }
  }

  /** Opens a phase of n units, works on it, waits for the units helpers claimed. */
  private phase(job: PassJob, V: MemViews, op: number, n: number, s: number): void {
    const i32 = V.i32, c = this.ctl >>> 2;
    i32[c + OP] = op;
    i32[c + UNITS] = n;
    i32[c + STEP] = s;
    Atomics.store(i32, c + DONE, 0);
    const gen = (this.gen = (this.gen + 1) & GEN_MASK);
    Atomics.store(i32, c + CLAIM, gen * 256);
    Atomics.store(i32, c + PHASE, gen);
    Atomics.notify(i32, c + PHASE);
    const ok = workOn(i32, c, gen, 0, this.threads, job, this.kernel.exports, V);
    waitFor(i32, c + DONE, (v) => v >= n);
    // Close the phase before the next one's description is written: a late helper that read this generation can
    // no longer claim a unit (all bits set), so it never runs a unit with a mix of two phases' fields.
    Atomics.store(i32, c + CLAIM, gen * 256 + CLOSED);
    if (!ok || Atomics.load(i32, c + ERROR) !== 0) {
      Atomics.store(i32, c + ERROR, 0);
      throw new Error(ok ? 'a pass helper thread failed' : 'a pass unit failed on the calling thread');
    }
  }

  /** Ends the helpers (they return from runPassHelper) and terminates their threads. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const i32 = this.kernel.views().i32, c = this.ctl >>> 2;
    Atomics.store(i32, c + STOP, 1);
    Atomics.store(i32, c + PHASE, (this.gen = (this.gen + 1) & GEN_MASK));
    Atomics.notify(i32, c + PHASE);
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
    for (let h = 1; h < T; h++) helpers.push(await spawner.spawn({ memory: kernel.memory, ctl, index: h, threads: T }));
  } catch (e) {
    await Promise.all(helpers.map((w) => w.terminate()));
    throw e;
  }
  return new PassThreads(kernel, ctl, T, helpers);
}
