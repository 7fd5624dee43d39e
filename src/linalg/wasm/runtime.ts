/**
 * Runtime of the WebAssembly SIMD data-pass kernels: instantiation, the kernel's linear memory (a small
 * first-fit heap that grows on demand) and the cache of data matrices copied into it.
 *
 * Portable: the module bytes are embedded (`kernelBytes.ts`), compiled synchronously with
 * `new WebAssembly.Module` (two modules, f64 and f32 kernels, each under Chrome's 4 KB limit for synchronous
 * compilation on the main thread), no file loading, no fetch. If WebAssembly or its SIMD proposal is missing, `wasmKernel()` is
 * null and the callers use their JS code.
 *
 * Data cache: a data matrix X is copied into wasm memory on first use and the copy is reused for as long as
 * the X object lives (WeakMap keyed by the typed array; a FinalizationRegistry returns its memory to the heap
 * once X is collected). ASSUMPTION: X is never mutated after it is first passed to a pass; nothing in this
 * codebase does. Code that does must call `forgetWasmData(X)` afterwards, or the kernels see the old values.
 *
 * Memory growth (`memory.grow`) detaches every JS view of the old buffer: `views()` re-creates them whenever
 * the buffer changed; callers take views only after all allocations of a call.
 */
import type { DataArray } from '../blas.ts';
import { KERNEL_F32_WASM, KERNEL_WASM } from './kernelBytes.ts';

type DotFn = (x: number, d: number, rows: number, first: number, n: number, w: number, out: number) => void;
type ScatFn = (x: number, d: number, idx: number, coef: number, n: number, r: number) => void;

export interface KernelExports {
  dot_f64: DotFn;
  dot_f32: DotFn;
  scat_f64: ScatFn;
  scat_f32: ScatFn;
}

const PAGE = 65536;
/** Keep the heap below 2^32 − 1 page so that no `ptr + bytes` wraps in the kernels' unsigned i32 arithmetic. */
const MAX_PAGES = 65535;
/** Address 0 means "no row list" to the kernels: the heap starts above it. */
const HEAP_BASE = 64;
const ALIGN = 64;

const alignUp = (n: number, a = ALIGN): number => Math.ceil(n / a) * a;

/** First-fit allocator over the kernel's memory; grows the memory when no hole fits. */
class Heap {
  private top = HEAP_BASE;
  /** Free holes below `top`, sorted by address, never adjacent (coalesced). */
  private holes: { ptr: number; size: number }[] = [];
  private sizes = new Map<number, number>();

  constructor(private readonly memory: WebAssembly.Memory) {}

  /** Address of `bytes` fresh bytes (64-byte aligned), or −1 if the memory cannot grow enough. */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    for (let k = 0; k < this.holes.length; k++) {
      const h = this.holes[k];
      if (h.size < size) continue;
      const ptr = h.ptr;
      if (h.size === size) this.holes.splice(k, 1);
      else { h.ptr += size; h.size -= size; }
      this.sizes.set(ptr, size);
      return ptr;
    }
    // Extend `top`, absorbing a hole that ends there (holes are coalesced, so at most the last one).
    let ptr = this.top;
    const last = this.holes[this.holes.length - 1];
    if (last !== undefined && last.ptr + last.size === this.top) { ptr = last.ptr; }
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) return -1;
      try { this.memory.grow(pages); } catch { return -1; }
    }
    if (ptr !== this.top) this.holes.pop();
    this.top = end;
    this.sizes.set(ptr, size);
    return ptr;
  }

  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    if (ptr + size === this.top) {
      this.top = ptr;
      const last = this.holes[this.holes.length - 1];
      if (last !== undefined && last.ptr + last.size === this.top) { this.top = last.ptr; this.holes.pop(); }
      return;
    }
    let k = 0;
    while (k < this.holes.length && this.holes[k].ptr < ptr) k++;
    this.holes.splice(k, 0, { ptr, size });
    const next = this.holes[k + 1];
    if (next !== undefined && ptr + size === next.ptr) { this.holes[k].size += next.size; this.holes.splice(k + 1, 1); }
    const prev = this.holes[k - 1];
    if (prev !== undefined && prev.ptr + prev.size === ptr) { prev.size += this.holes[k].size; this.holes.splice(k, 1); }
  }

  /** Bytes in use (allocated blocks), for tests. */
  usedBytes(): number {
    let s = 0;
    for (const v of this.sizes.values()) s += v;
    return s;
  }
}

export interface Views {
  f64: Float64Array;
  f32: Float32Array;
  i32: Int32Array;
}

interface Cached {
  ptr: number;
  token: object;
}

/** The instantiated kernel plus its heap, data cache and scratch area. */
export class WasmKernel {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  private readonly heap: Heap;
  private readonly data = new WeakMap<DataArray, Cached>();
  private readonly registry: FinalizationRegistry<number>;
  private cachedCount = 0;
  private scratchPtr = -1;
  private scratchSize = 0;
  private buf: ArrayBuffer | null = null;
  private v: Views | null = null;
  /** Set while a pass runs wasm code with views taken: a re-entrant pass (from a callback) must use JS. */
  busy = false;

  constructor(exports: KernelExports, memory: WebAssembly.Memory) {
    this.exports = exports;
    this.memory = memory;
    this.heap = new Heap(this.memory);
    this.registry = new FinalizationRegistry<number>((ptr) => {
      this.heap.free(ptr);
      this.cachedCount--;
    });
  }

  /** Address of X's copy in wasm memory (copied on first use), or −1 if it does not fit. */
  dataPtr(X: DataArray): number {
    const hit = this.data.get(X);
    if (hit !== undefined) return hit.ptr;
    const ptr = this.heap.alloc(X.byteLength);
    if (ptr < 0) return -1;
    if (X instanceof Float64Array) new Float64Array(this.memory.buffer, ptr, X.length).set(X);
    else new Float32Array(this.memory.buffer, ptr, X.length).set(X);
    const token = {};
    this.data.set(X, { ptr, token });
    this.registry.register(X, ptr, token);
    this.cachedCount++;
    return ptr;
  }

  /** Drops X's cached copy (call after mutating X). */
  forget(X: DataArray): void {
    const hit = this.data.get(X);
    if (hit === undefined) return;
    this.data.delete(X);
    this.registry.unregister(hit.token);
    this.heap.free(hit.ptr);
    this.cachedCount--;
  }

  /** Address of a scratch area of at least `bytes` bytes (reused across calls), or −1. */
  scratch(bytes: number): number {
    if (this.scratchSize >= bytes) return this.scratchPtr;
    const size = alignUp(Math.max(bytes, 2 * this.scratchSize, 64 * 1024));
    if (this.scratchPtr >= 0) this.heap.free(this.scratchPtr);
    this.scratchPtr = -1;
    this.scratchSize = 0;
    const ptr = this.heap.alloc(size);
    if (ptr < 0) return -1;
    this.scratchPtr = ptr;
    this.scratchSize = size;
    return ptr;
  }

  /** Typed views of the current memory buffer (re-created after growth). */
  views(): Views {
    const buf = this.memory.buffer as ArrayBuffer;
    if (this.v === null || this.buf !== buf) {
      this.buf = buf;
      this.v = { f64: new Float64Array(buf), f32: new Float32Array(buf), i32: new Int32Array(buf) };
    }
    return this.v;
  }

  /** Statistics, for tests and diagnostics. */
  stats(): { memoryBytes: number; usedBytes: number; cachedArrays: number } {
    return { memoryBytes: this.memory.buffer.byteLength, usedBytes: this.heap.usedBytes(), cachedArrays: this.cachedCount };
  }

  isCached(X: DataArray): boolean {
    return this.data.has(X);
  }
}

let instance: WasmKernel | null | undefined;

/** The kernel, instantiated on first call; null when WebAssembly SIMD is unavailable. */
export function wasmKernel(): WasmKernel | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    if (typeof WebAssembly === 'object' && WebAssembly.validate(KERNEL_WASM) && WebAssembly.validate(KERNEL_F32_WASM)) {
      // Two modules (f64 and f32 kernels), each small enough for synchronous compilation, on one memory.
      const memory = new WebAssembly.Memory({ initial: 1 });
      const load = (bytes: Uint8Array<ArrayBuffer>) => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
      const exports = { ...load(KERNEL_WASM), ...load(KERNEL_F32_WASM) } as unknown as KernelExports;
      instance = new WasmKernel(exports, memory);
    }
  } catch {
    instance = null;
  }
  return instance;
}

/** Drops the cached wasm copy of X, if any (needed only if X is mutated after use). */
export function forgetWasmData(X: DataArray): void {
  instance?.forget(X);
}
