/**
 * A tiny WebAssembly binary emitter: just enough of the format (types, one imported memory, functions,
 * exports, code) and of the instruction set (i32/f64 scalars, structured control flow, a few SIMD
 * f64x2 ops) to write the data-pass kernels in `kernelSource.ts`.
 *
 * Build-time only: `scripts/gen-wasm.ts` runs it and commits the bytes to `kernelBytes.ts`; the
 * runtime never imports this file.
 *
 * Instructions are written as S-expressions: every helper returns the bytes of a (sub)expression, and
 * operands come first, as the stack machine needs (`i32.add(a, b)` = a, b, 0x6a).
 */

export type Code = number[];
export type ValType = 'i32' | 'f64' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(v: number): Code {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`uleb: ${v}`);
  const out: Code = [];
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(v: number): Code {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`sleb: ${v}`);
  const out: Code = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vec(items: Code[]): Code {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): Code {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

const cat = (...parts: Code[]): Code => parts.flat();
/** memarg: alignment exponent (a hint; must not exceed the natural one) and a constant offset. */
const memarg = (align: number, offset: number): Code => [...uleb(align), ...uleb(offset)];
const simd = (op: number): Code => [0xfd, ...uleb(op)];

/** Function-scope helpers: locals by name. */
export class Locals {
  readonly index = new Map<string, number>();
  readonly types = new Map<string, ValType>();
  readonly params: ValType[] = [];
  readonly locals: ValType[] = [];
  constructor(params: [string, ValType][], locals: [string, ValType][]) {
    for (const [n, t] of params) this.add(n, t, this.params);
    for (const [n, t] of locals) this.add(n, t, this.locals);
  }
  private add(n: string, t: ValType, list: ValType[]): void {
    if (this.index.has(n)) throw new Error(`duplicate local ${n}`);
    this.index.set(n, this.index.size);
    this.types.set(n, t);
    list.push(t);
  }
  idx(n: string): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`unknown local ${n}`);
    return i;
  }
  get = (n: string): Code => [0x20, ...uleb(this.idx(n))];
  set = (n: string, value: Code): Code => [...value, 0x21, ...uleb(this.idx(n))];
}

/** Structured control flow. Block type: empty (0x40) or one i32 result (0x7f). */
export const ctl = {
  block: (...body: Code[]): Code => cat([0x02, 0x40], ...body, [0x0b]),
  loop: (...body: Code[]): Code => cat([0x03, 0x40], ...body, [0x0b]),
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number, cond: Code): Code => [...cond, 0x0d, ...uleb(depth)],
  if: (cond: Code, then: Code[]): Code => cat(cond, [0x04, 0x40], ...then, [0x0b]),
  ifElse: (cond: Code, then: Code[], otherwise: Code[]): Code => cat(cond, [0x04, 0x40], ...then, [0x05], ...otherwise, [0x0b]),
  ifElseI32: (cond: Code, then: Code, otherwise: Code): Code => cat(cond, [0x04, 0x7f], then, [0x05], otherwise, [0x0b]),
  /** while (cond) { body }: block { loop { br_if 1 (!cond); body; br 0 } }. Body must not branch out. */
  while: (cond: Code, ...body: Code[]): Code =>
    cat([0x02, 0x40, 0x03, 0x40], cond, [0x45, 0x0d, 0x01], ...body, [0x0c, 0x00, 0x0b, 0x0b]),
};

export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v)],
  load: (addr: Code, offset = 0): Code => cat(addr, [0x28], memarg(2, offset)),
  eqz: (a: Code): Code => cat(a, [0x45]),
  ne: (a: Code, b: Code): Code => cat(a, b, [0x47]),
  ltU: (a: Code, b: Code): Code => cat(a, b, [0x49]),
  leU: (a: Code, b: Code): Code => cat(a, b, [0x4d]),
  add: (a: Code, b: Code): Code => cat(a, b, [0x6a]),
  mul: (a: Code, b: Code): Code => cat(a, b, [0x6c]),
  and: (a: Code, b: Code): Code => cat(a, b, [0x71]),
  shl: (a: Code, b: Code): Code => cat(a, b, [0x74]),
};

export const f32 = {
  load: (addr: Code, offset = 0): Code => cat(addr, [0x2a], memarg(2, offset)),
};

export const f64 = {
  const: (v: number): Code => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return [0x44, ...b];
  },
  load: (addr: Code, offset = 0): Code => cat(addr, [0x2b], memarg(3, offset)),
  store: (addr: Code, value: Code, offset = 0): Code => cat(addr, value, [0x39], memarg(3, offset)),
  ne: (a: Code, b: Code): Code => cat(a, b, [0x62]),
  add: (a: Code, b: Code): Code => cat(a, b, [0xa0]),
  mul: (a: Code, b: Code): Code => cat(a, b, [0xa2]),
  promoteF32: (a: Code): Code => cat(a, [0xbb]),
};

export const v128 = {
  /** 16-byte load; alignment hint 8 bytes (rows of odd length are only 8-byte aligned). */
  load: (addr: Code, offset = 0): Code => cat(addr, simd(0x00), memarg(3, offset)),
  store: (addr: Code, value: Code, offset = 0): Code => cat(addr, value, simd(0x0b), memarg(3, offset)),
  zero: (): Code => cat(simd(0x0c), new Array<number>(16).fill(0)),
  /** 8-byte load into the low half, high half zeroed; alignment hint 4 bytes (f32 rows). */
  load64Zero: (addr: Code, offset = 0): Code => cat(addr, simd(0x5d), memarg(2, offset)),
};

export const f64x2 = {
  splat: (a: Code): Code => cat(a, simd(0x14)),
  extractLane: (a: Code, lane: 0 | 1): Code => cat(a, simd(0x21), [lane]),
  promoteLowF32x4: (a: Code): Code => cat(a, simd(0x5f)),
  add: (a: Code, b: Code): Code => cat(a, b, simd(0xf0)),
  mul: (a: Code, b: Code): Code => cat(a, b, simd(0xf2)),
};

export interface FuncDef {
  name: string;
  locals: Locals;
  body: Code;
}

/**
 * A module that imports its memory as `env.memory` (at least `minPages` pages, no maximum) and exports functions
 * without results. (Importing the memory lets several builds of the kernels share one memory, e.g. to compare them.)
 * With `sharedMaxPages` the import is a shared memory with that maximum (threads: src/linalg/wasm/passThreads.ts).
 */
export function assembleModule(funcs: FuncDef[], minPages: number, sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  // One function type per distinct parameter list.
  const typeKeys: string[] = [];
  const typeOf = funcs.map((f) => {
    const key = f.locals.params.join(',');
    let t = typeKeys.indexOf(key);
    if (t < 0) { typeKeys.push(key); t = typeKeys.length - 1; }
    return t;
  });
  const types = typeKeys.map((k) => cat([0x60], vec(k.split(',').filter((s) => s).map((t) => [VALTYPE[t as ValType]])), vec([])));

  const section = (id: number, content: Code): Code => [id, ...uleb(content.length), ...content];
  const typeSec = section(1, vec(types));
  const limits = sharedMaxPages === undefined ? [0x00, ...uleb(minPages)] : [0x03, ...uleb(minPages), ...uleb(sharedMaxPages)];
  const importSec = section(2, vec([cat(name('env'), name('memory'), [0x02], limits)]));
  const funcSec = section(3, vec(typeOf.map((t) => uleb(t))));
  const exportSec = section(7, vec(funcs.map((f, i) => cat(name(f.name), [0x00], uleb(i)))));
  const codeSec = section(10, vec(funcs.map((f) => {
    // Locals are declared as runs of one type.
    const runs: Code[] = [];
    let k = 0;
    while (k < f.locals.locals.length) {
      const t = f.locals.locals[k];
      let n = 0;
      while (k < f.locals.locals.length && f.locals.locals[k] === t) { n++; k++; }
      runs.push([...uleb(n), VALTYPE[t]]);
    }
    const body = cat(vec(runs), f.body, [0x0b]);
    return [...uleb(body.length), ...body];
  })));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}
