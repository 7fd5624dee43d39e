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

  /** Address of `bytes` bytes kept for the kernel's lifetime (e.g. a control block), or −1. */
  reserve(bytes: number): number {
    return this.heap.alloc(bytes);
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
    // (a shared memory's buffer is a SharedArrayBuffer whose length grows; a new object after growth)
    if (this.v === null || this.buf !== buf || this.v.f64.buffer.byteLength !== buf.byteLength) {
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

/** Maximum pages of the shared memory of threaded passes (a shared memory needs a declared maximum). */
export const SHARED_MAX_PAGES = MAX_PAGES;

function readUleb(b: Uint8Array, p: number): [number, number] {
  let v = 0, shift = 0, byte: number;
  do {
    byte = b[p++];
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [v, p];
}
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/**
 * The kernel module `bytes` (as built by assembleModule: one import, env.memory) with its memory import declared
 * shared with maximum `maxPages` — a shared memory can only be imported so. The same code: the result equals
 * assembleModule(…, sharedMaxPages) (checked by a test), derived here so that kernelBytes.ts holds each module once.
 */
export function sharedMemoryVariant(bytes: Uint8Array, maxPages = SHARED_MAX_PAGES): Uint8Array<ArrayBuffer> {
  const out: number[] = Array.from(bytes.subarray(0, 8));
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p];
    const [size, start] = readUleb(bytes, p + 1);
    let content = Array.from(bytes.subarray(start, start + size));
    if (id === 2) {
      // vec(1) · name "env" · name "memory" · 0x02 (memory) · limits 0x00 min  →  limits 0x03 min max
      const at = 1 + 4 + 7;
      if (content[0] !== 1 || content[at] !== 0x02 || content[at + 1] !== 0x00) throw new Error('unexpected kernel module import section');
      content = [...content.slice(0, at + 1), 0x03, ...content.slice(at + 2), ...uleb(maxPages)];
    }
    out.push(id, ...uleb(content.length), ...content);
    p = start + size;
  }
  return new Uint8Array(out);
}

/** The data-pass kernels (f64 and f32) instantiated on a shared memory; null where that is unavailable. */
export function instantiateSharedKernels(memory: WebAssembly.Memory): KernelExports | null {
  try {
    const load = (bytes: Uint8Array<ArrayBuffer>) => new WebAssembly.Instance(new WebAssembly.Module(sharedMemoryVariant(bytes)), { env: { memory } }).exports;
    return { ...load(KERNEL_WASM), ...load(KERNEL_F32_WASM) } as unknown as KernelExports;
  } catch {
    return null;
  }
}

/**
 * A second kernel whose memory is a shared WebAssembly.Memory, for passes split between threads (passThreads.ts);
 * null where shared memory or WebAssembly SIMD is unavailable (e.g. a browser page without cross-origin isolation).
 */
export function createSharedKernel(): WasmKernel | null {
  try {
    if (typeof WebAssembly !== 'object' || wasmKernel() === null) return null;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
    const exports = instantiateSharedKernels(memory);
    return exports === null ? null : new WasmKernel(exports, memory);
  } catch {
    return null;
  }
}

/** Drops the cached wasm copy of X, if any (needed only if X is mutated after use). */
export function forgetWasmData(X: DataArray): void {
  instance?.forget(X);
}
