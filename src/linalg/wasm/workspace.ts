/**
 * Workspaces: parameter-sized vectors that live inside a WebAssembly memory, so that the weight-pass kernels
 * (weightKernelSource.ts) can run on them without copying.
 *
 * Each workspace has its own fixed-size memory (never grown, so the Float64Array views handed out never detach)
 * and its own instance of the weight module. Nothing is freed by hand: a workspace lives as long as any view of
 * its memory (or the workspace) is reachable, and the garbage collector reclaims it after that — views made with
 * `subarray` keep it alive too. Use workspaces for the few large vectors of a run (θ, the HVP's input/output),
 * not for many small ones: each one reserves address space for a whole wasm memory.
 *
 * Layout: a 64-byte header (address 0 is never a vector), `count` vectors of n f64 (64-byte aligned), then a
 * scratch area for the small vectors of one kernel call (bump-allocated, reset by each call).
 */
import { WEIGHT_WASM } from './kernelBytes.ts';

type DotFn = (a: number, cols: number, rows: number, first: number, n: number, x: number, out: number) => void;
export interface WeightExports {
  dot_f64: DotFn;
  scat_f64: (a: number, cols: number, idx: number, coef: number, n: number, r: number) => void;
  dot_axpy: (a: number, cols: number, n: number, x: number, coef: number, out: number) => void;
  rank2: (out: number, cols: number, n: number, a: number, x: number, b: number, z: number) => void;
}

const PAGE = 65536;
const HEADER = 64;
/** Below 2^32 − 1 page, so that no pointer arithmetic in the kernels wraps. */
const MAX_PAGES = 65535;
const alignUp = (n: number, a = 64): number => Math.ceil(n / a) * a;

let compiled: WebAssembly.Module | null | undefined;

/** The weight module, compiled on first use; null when WebAssembly SIMD is unavailable. */
function weightModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === 'object' && WebAssembly.validate(WEIGHT_WASM)) compiled = new WebAssembly.Module(WEIGHT_WASM);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether workspaces (and so the wasm weight kernels) are available in this engine. */
export function workspacesAvailable(): boolean {
  return weightModule() !== null;
}

/** Which workspace owns each memory buffer (a view's `.buffer` finds its workspace). */
const owners = new WeakMap<ArrayBufferLike, Workspace>();

export class Workspace {
  readonly exports: WeightExports;
  readonly memory: WebAssembly.Memory;
  /** Views of the whole memory. */
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  /** The resident vectors. */
  readonly vectors: readonly Float64Array[];
  private readonly scratchBase: number;
  private readonly scratchEnd: number;
  private top: number;

  constructor(mod: WebAssembly.Module, n: number, count: number, scratchBytes: number) {
    const stride = alignUp(8 * n);
    this.scratchBase = HEADER + count * stride;
    this.scratchEnd = this.scratchBase + alignUp(scratchBytes);
    const pages = Math.ceil(this.scratchEnd / PAGE);
    if (pages > MAX_PAGES) throw new RangeError(`workspace of ${count} × ${n} f64 exceeds the 4 GB of a wasm memory`);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.exports = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as WeightExports;
    const buf = this.memory.buffer;
    this.f64 = new Float64Array(buf);
    this.i32 = new Int32Array(buf);
    this.vectors = Array.from({ length: count }, (_, k) => new Float64Array(buf, HEADER + k * stride, n));
    this.top = this.scratchBase;
    owners.set(buf, this);
  }

  /** Starts a kernel call's scratch allocations (earlier scratch contents become garbage). */
  resetScratch(): void {
    this.top = this.scratchBase;
  }

  /** Scratch bytes a call can still allocate (each allocation is rounded up to 64 bytes). */
  scratchLeft(): number {
    return this.scratchEnd - this.top;
  }

  /** Address of `bytes` scratch bytes (64-byte aligned). */
  alloc(bytes: number): number {
    const p = this.top;
    const end = p + alignUp(Math.max(bytes, 8));
    if (end > this.scratchEnd) throw new RangeError(`workspace scratch overflow (${end - this.scratchBase} of ${this.scratchEnd - this.scratchBase} bytes)`);
    this.top = end;
    return p;
  }

  /** Copies n values of v into scratch; returns their address. */
  put(v: ArrayLike<number>, n: number): number {
    const p = this.alloc(8 * n);
    const F = this.f64, o = p >>> 3;
    for (let i = 0; i < n; i++) F[o + i] = v[i];
    return p;
  }
}

/**
 * A workspace with `count` resident vectors of n f64 plus `scratchBytes` of scratch, or null when WebAssembly SIMD
 * is unavailable or the memory cannot be allocated.
 */
export function createWorkspace(n: number, count: number, scratchBytes: number): Workspace | null {
  const mod = weightModule();
  if (mod === null) return null;
  try {
    return new Workspace(mod, n, count, scratchBytes);
  } catch {
    return null;
  }
}

/** The workspace whose memory holds v, if any (v's byteOffset is then its address in that memory). */
export function workspaceOf(v: Float64Array): Workspace | null {
  return owners.get(v.buffer) ?? null;
}
