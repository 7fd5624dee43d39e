/**
 * Source of the WebAssembly SIMD data-pass kernels (build time only; see `scripts/gen-wasm.ts`).
 *
 * The module imports its memory (`env.memory`) and exports, for E ∈ {f64, f32} (the element type of X; all
 * arithmetic is f64):
 *
 *   dot_E(x, d, rows, first, n, w, out)
 *     for i in [0, n): row = rows ? i32[rows + 4(first+i)] : first + i;
 *                      f64[out + 8i] = x_row · w        (canonical order below)
 *   scat_E(x, d, idx, coef, n, r)
 *     for i in [0, n), in order: f64 r[j] += coef[i] · x_{idx[i]}[j] for j < d   (elementwise, no FMA)
 *
 * All pointers are byte addresses in the module's memory, compared unsigned.
 *
 * CANONICAL DOT ORDER (the JS fallback in src/models/passes.ts implements exactly the same):
 *   D = d − d mod 8. Partial sums s_0..s_7, each starting at +0: s_t accumulates x[j]·w[j] for j ≡ t (mod 8),
 *   j < D, in increasing j (s_t = s_t + x[j]·w[j], product rounded, then sum rounded).
 *   Four f64x2 accumulators hold (s0,s1), (s2,s3), (s4,s5), (s6,s7); they reduce as
 *   ((s0,s1)+(s2,s3)) + ((s4,s5)+(s6,s7)) lane-wise, then lane 0 + lane 1:
 *       main = ((s0+s2) + (s4+s6)) + ((s1+s3) + (s5+s7)).
 *   Tail: t = +0, then t = t + x[j]·w[j] for j = D .. d−1 in order. Result: main + t.
 *
 * SCATTER ORDER: rows are applied in list order; each element r[j] gets r[j] + c·x[j] (product rounded, then sum
 * rounded) once per row. The kernel keeps G consecutive rows' updates of r[j] in a register before storing,
 * which is the same sequence of roundings as G separate passes.
 *
 * Shapes (rows per group: 2 for the dot, 4 for the scatter) are performance knobs only; the results do not depend
 * on them. They were picked by measurement: more dot rows = more concurrent memory streams (helps when X comes
 * from memory: 4 rows streamed at ~20 GB/s where 2 rows managed ~10 GB/s on the reference machine) but more
 * accumulator spills in V8's code (hurts a little when X is cached); 4 is the best compromise.
 */
import { ctl, f32, f64, f64x2, i32, Locals, v128, assembleModule, type Code, type FuncDef } from './assembler.ts';

export type Elem = 'f64' | 'f32';

/** Vector (2 elements) of X at addr, promoted to f64x2. */
function loadX2(e: Elem, addr: Code, offset = 0): Code {
  return e === 'f64' ? v128.load(addr, offset) : f64x2.promoteLowF32x4(v128.load64Zero(addr, offset));
}
/** One element of X at addr, as f64. */
function loadX1(e: Elem, addr: Code): Code {
  return e === 'f64' ? f64.load(addr) : f64.promoteF32(f32.load(addr));
}
const shiftOf = (e: Elem): number => (e === 'f64' ? 3 : 2);

/**
 * dot_E: R rows at a time (R interleaved streams from memory; each w vector is loaded once for the R rows). A last
 * incomplete group repeats its first row in the missing slots and stores those duplicates onto that row's own
 * output (same value), so there is a single code path. Each row has its own four accumulators: the order is the
 * canonical one.
 */
export function dotKernel(e: Elem, R = 2): FuncDef {
  const ks = Array.from({ length: R }, (_, k) => k);
  const L = new Locals(
    [['x', 'i32'], ['d', 'i32'], ['rows', 'i32'], ['first', 'i32'], ['n', 'i32'], ['w', 'i32'], ['out', 'i32']],
    [['i', 'i32'], ['q', 'i32'], ['rb', 'i32'], ['wMain', 'i32'], ['wEnd', 'i32'], ['pos', 'i32'],
      ...ks.map((k) => [`p${k}`, 'i32'] as [string, 'i32']),
      ...ks.map((k) => [`o${k}`, 'i32'] as [string, 'i32']),
      ...ks.flatMap((k) => [0, 1, 2, 3].map((a) => [`a${k}_${a}`, 'v128'] as [string, 'v128'])),
      ['wv', 'v128'], ['v', 'v128'],
      ...ks.map((k) => [`t${k}`, 'f64'] as [string, 'f64']), ['wt', 'f64']],
  );
  const { get, set } = L;
  const sh = shiftOf(e);
  const es = 1 << sh;
  /** Address of row `pos` (local) of the selection. */
  const rowAddr = (): Code => {
    const row = ctl.ifElseI32(i32.ne(get('rows'), i32.const(0)), i32.load(i32.add(get('rows'), i32.shl(get('pos'), i32.const(2)))), get('pos'));
    return i32.add(get('x'), i32.mul(row, get('rb')));
  };
  const group: Code[] = [];
  group.push(set('pos', i32.add(get('first'), get('i'))), set('p0', rowAddr()), set('o0', i32.add(get('out'), i32.shl(get('i'), i32.const(3)))));
  for (const k of ks.slice(1)) {
    const inRange = i32.ltU(i32.add(get('i'), i32.const(k)), get('n'));
    group.push(set('pos', i32.add(i32.add(get('first'), get('i')), i32.const(k))));
    group.push(set(`p${k}`, ctl.ifElseI32(inRange, rowAddr(), get('p0'))));
    group.push(set(`o${k}`, ctl.ifElseI32(inRange, i32.add(get('o0'), i32.const(8 * k)), get('o0'))));
  }
  for (const k of ks) {
    for (let a = 0; a < 4; a++) group.push(set(`a${k}_${a}`, v128.zero()));
    group.push(set(`t${k}`, f64.const(0)));
  }
  group.push(set('q', get('w')));
  const step: Code[] = [];
  for (let a = 0; a < 4; a++) {
    step.push(set('wv', v128.load(get('q'), 16 * a)));
    for (const k of ks) {
      step.push(set(`a${k}_${a}`, f64x2.add(get(`a${k}_${a}`), f64x2.mul(loadX2(e, get(`p${k}`), 2 * es * a), get('wv')))));
    }
  }
  for (const k of ks) step.push(set(`p${k}`, i32.add(get(`p${k}`), i32.const(8 * es))));
  step.push(set('q', i32.add(get('q'), i32.const(64))));
  group.push(ctl.while(i32.ltU(get('q'), get('wMain')), ...step));
  const tail: Code[] = [set('wt', f64.load(get('q')))];
  for (const k of ks) {
    tail.push(set(`t${k}`, f64.add(get(`t${k}`), f64.mul(loadX1(e, get(`p${k}`)), get('wt')))));
    tail.push(set(`p${k}`, i32.add(get(`p${k}`), i32.const(es))));
  }
  tail.push(set('q', i32.add(get('q'), i32.const(8))));
  group.push(ctl.while(i32.ltU(get('q'), get('wEnd')), ...tail));
  for (const k of ks) {
    group.push(set('v', f64x2.add(f64x2.add(get(`a${k}_0`), get(`a${k}_1`)), f64x2.add(get(`a${k}_2`), get(`a${k}_3`)))));
    group.push(f64.store(get(`o${k}`), f64.add(f64.add(f64x2.extractLane(get('v'), 0), f64x2.extractLane(get('v'), 1)), get(`t${k}`))));
  }
  group.push(set('i', i32.add(get('i'), i32.const(R))));
  const body: Code = [
    ...set('rb', i32.shl(get('d'), i32.const(sh))),
    ...set('wMain', i32.add(get('w'), i32.shl(i32.and(get('d'), i32.const(-8)), i32.const(3)))),
    ...set('wEnd', i32.add(get('w'), i32.shl(get('d'), i32.const(3)))),
    ...set('i', i32.const(0)),
    ...ctl.while(i32.ltU(get('i'), get('n')), ...group),
  ];
  return { name: `dot_${e}`, locals: L, body };
}

/**
 * scat_E: G rows per group (r[j] gets the G updates in a register before it is stored), then the remaining rows
 * one at a time. The vector loop is unrolled twice; odd d ends with a scalar element.
 */
export function scatterKernel(e: Elem, G = 4): FuncDef {
  const ks = (g: number): number[] => Array.from({ length: g }, (_, k) => k);
  const L = new Locals(
    [['x', 'i32'], ['d', 'i32'], ['idx', 'i32'], ['coef', 'i32'], ['n', 'i32'], ['r', 'i32']],
    [['i', 'i32'], ['rb', 'i32'], ['e4', 'i32'], ['e2', 'i32'], ['e1', 'i32'], ['rp', 'i32'],
      ...ks(G).map((k) => [`p${k}`, 'i32'] as [string, 'i32']),
      ...ks(G).map((k) => [`c${k}`, 'v128'] as [string, 'v128']),
      ['v', 'v128'], ['s', 'f64']],
  );
  const { get, set } = L;
  const sh = shiftOf(e);
  const es = 1 << sh;
  /** r[rp + 16u .. +16) += Σ_k c_k x_k[...] in row order. */
  const vecStep = (g: number, u: number): Code[] => {
    const out: Code[] = [set('v', v128.load(get('rp'), 16 * u))];
    for (const k of ks(g)) out.push(set('v', f64x2.add(get('v'), f64x2.mul(get(`c${k}`), loadX2(e, get(`p${k}`), 2 * es * u)))));
    out.push(v128.store(get('rp'), get('v'), 16 * u));
    return out;
  };
  const advance = (g: number, elems: number): Code[] => [
    set('rp', i32.add(get('rp'), i32.const(8 * elems))),
    ...ks(g).map((k) => set(`p${k}`, i32.add(get(`p${k}`), i32.const(es * elems)))),
  ];
  const group = (g: number): Code[] => {
    const out: Code[] = [];
    for (const k of ks(g)) {
      out.push(set(`p${k}`, i32.add(get('x'), i32.mul(i32.load(i32.add(get('idx'), i32.shl(get('i'), i32.const(2))), 4 * k), get('rb')))));
      out.push(set(`c${k}`, f64x2.splat(f64.load(i32.add(get('coef'), i32.shl(get('i'), i32.const(3))), 8 * k))));
    }
    out.push(set('rp', get('r')));
    out.push(ctl.while(i32.ltU(get('rp'), get('e4')), ...vecStep(g, 0), ...vecStep(g, 1), ...advance(g, 4)));
    out.push(ctl.if(i32.ltU(get('rp'), get('e2')), [...vecStep(g, 0), ...advance(g, 2)]));
    const tail: Code[] = [set('s', f64.load(get('rp')))];
    for (const k of ks(g)) tail.push(set('s', f64.add(get('s'), f64.mul(f64x2.extractLane(get(`c${k}`), 0), loadX1(e, get(`p${k}`))))));
    tail.push(f64.store(get('rp'), get('s')));
    out.push(ctl.if(i32.ltU(get('rp'), get('e1')), tail));
    out.push(set('i', i32.add(get('i'), i32.const(g))));
    return out;
  };
  const body: Code = [
    ...set('rb', i32.shl(get('d'), i32.const(sh))),
    ...set('e4', i32.add(get('r'), i32.shl(i32.and(get('d'), i32.const(-4)), i32.const(3)))),
    ...set('e2', i32.add(get('r'), i32.shl(i32.and(get('d'), i32.const(-2)), i32.const(3)))),
    ...set('e1', i32.add(get('r'), i32.shl(get('d'), i32.const(3)))),
    ...set('i', i32.const(0)),
    ...ctl.while(i32.leU(i32.add(get('i'), i32.const(G)), get('n')), ...group(G)),
    ...ctl.while(i32.ltU(get('i'), get('n')), ...group(1)),
  ];
  return { name: `scat_${e}`, locals: L, body };
}

/** Rows per group of the kernels (performance knobs only: results do not depend on them). */
export interface KernelShape { dotRows: number; scatterRows: number }
export const DEFAULT_SHAPE: KernelShape = { dotRows: 4, scatterRows: 8 };

/**
 * A kernel module with the kernels for the given element types of X. The runtime loads the f64 and the f32 kernels
 * as two modules sharing one memory, each under Chrome's 4 KB limit for synchronous compilation on a browser main
 * thread; tests may build them together.
 */
export function buildKernelModule(shape: KernelShape = DEFAULT_SHAPE, elems: readonly Elem[] = ['f64', 'f32'], sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  const { dotRows: R, scatterRows: G } = shape;
  return assembleModule([...elems.map((e) => dotKernel(e, R)), ...elems.map((e) => scatterKernel(e, G))], 1, sharedMaxPages);
}
