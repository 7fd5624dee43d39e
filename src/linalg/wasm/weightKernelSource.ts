/**
 * Source of the WebAssembly SIMD weight-pass kernels (build time only; see `scripts/gen-wasm.ts`): the row
 * operations of a deep linear network's weight matrices, run on parameter vectors that live in a fixed-size
 * wasm memory (src/linalg/wasm/workspace.ts). Each kernel has the exact arithmetic of its JS counterpart in
 * src/linalg/rowOps.ts, so both give the same bits.
 *
 * Exports (all pointers are byte addresses; A is row-major with `cols` f64 per row):
 *   dot_f64(A, cols, 0, 0, n, x, out)      out[i] = A_i · x                 (canonical dot order, kernelSource.ts)
 *   scat_f64(A, cols, idx, coef, n, r)     r += Σ_k coef[k] · A_{idx[k]}    (rows in list order, elementwise)
 *   dot_axpy(A, cols, n, x, coef, out)     out[i] = A_i · x (old A_i, canonical order), then
 *                                          A_i += coef[i] · x unless coef[i] = 0           (one sweep per row)
 *   rank2(out, cols, n, a, x, b, z)        out_i = (0 + a[i]·x) + b[i]·z    (elementwise; the caller handles rows
 *                                          where a[i] or b[i] is 0, whose JS form differs)
 */
import { ctl, f64, f64x2, i32, Locals, v128, assembleModule, type Code, type FuncDef } from './assembler.ts';
import { DEFAULT_SHAPE, dotKernel, scatterKernel } from './kernelSource.ts';

/** dot_axpy: one row at a time; the dot accumulates in the canonical 8-lane order of kernelSource.ts. */
function dotAxpyKernel(): FuncDef {
  const L = new Locals(
    [['a', 'i32'], ['cols', 'i32'], ['n', 'i32'], ['x', 'i32'], ['coef', 'i32'], ['out', 'i32']],
    [['i', 'i32'], ['p', 'i32'], ['q', 'i32'], ['rb', 'i32'], ['xMain', 'i32'], ['xEnd', 'i32'],
      ['a0', 'v128'], ['a1', 'v128'], ['a2', 'v128'], ['a3', 'v128'], ['c', 'v128'], ['xv', 'v128'], ['yv', 'v128'], ['v', 'v128'],
      ['t', 'f64'], ['xs', 'f64'], ['ys', 'f64'], ['cs', 'f64']],
  );
  const { get, set } = L;
  /** The row loop; with `update`, each loaded element of A_i is also written back as y + c·x. */
  const rowLoop = (update: boolean): Code[] => {
    const step: Code[] = [];
    for (let u = 0; u < 4; u++) {
      step.push(set('xv', v128.load(get('q'), 16 * u)), set('yv', v128.load(get('p'), 16 * u)));
      step.push(set(`a${u}`, f64x2.add(get(`a${u}`), f64x2.mul(get('yv'), get('xv')))));
      if (update) step.push(v128.store(get('p'), f64x2.add(get('yv'), f64x2.mul(get('c'), get('xv'))), 16 * u));
    }
    step.push(set('p', i32.add(get('p'), i32.const(64))), set('q', i32.add(get('q'), i32.const(64))));
    const tail: Code[] = [set('xs', f64.load(get('q'))), set('ys', f64.load(get('p'))), set('t', f64.add(get('t'), f64.mul(get('ys'), get('xs'))))];
    if (update) tail.push(f64.store(get('p'), f64.add(get('ys'), f64.mul(get('cs'), get('xs')))));
    tail.push(set('p', i32.add(get('p'), i32.const(8))), set('q', i32.add(get('q'), i32.const(8))));
    return [ctl.while(i32.ltU(get('q'), get('xMain')), ...step), ctl.while(i32.ltU(get('q'), get('xEnd')), ...tail)];
  };
  const row: Code[] = [
    set('p', i32.add(get('a'), i32.mul(get('i'), get('rb')))),
    set('q', get('x')),
    set('a0', v128.zero()), set('a1', v128.zero()), set('a2', v128.zero()), set('a3', v128.zero()),
    set('t', f64.const(0)),
    set('cs', f64.load(i32.add(get('coef'), i32.shl(get('i'), i32.const(3))))),
    set('c', f64x2.splat(get('cs'))),
    ctl.ifElse(f64.ne(get('cs'), f64.const(0)), rowLoop(true), rowLoop(false)),
    set('v', f64x2.add(f64x2.add(get('a0'), get('a1')), f64x2.add(get('a2'), get('a3')))),
    f64.store(i32.add(get('out'), i32.shl(get('i'), i32.const(3))),
      f64.add(f64.add(f64x2.extractLane(get('v'), 0), f64x2.extractLane(get('v'), 1)), get('t'))),
    set('i', i32.add(get('i'), i32.const(1))),
  ];
  const body: Code = [
    ...set('rb', i32.shl(get('cols'), i32.const(3))),
    ...set('xMain', i32.add(get('x'), i32.shl(i32.and(get('cols'), i32.const(-8)), i32.const(3)))),
    ...set('xEnd', i32.add(get('x'), i32.shl(get('cols'), i32.const(3)))),
    ...set('i', i32.const(0)),
    ...ctl.while(i32.ltU(get('i'), get('n')), ...row),
  ];
  return { name: 'dot_axpy', locals: L, body };
}

/** rank2: out_i[j] = (0 + a_i x[j]) + b_i z[j], two elements at a time, a scalar last element for odd cols. */
function rankTwoKernel(): FuncDef {
  const L = new Locals(
    [['out', 'i32'], ['cols', 'i32'], ['n', 'i32'], ['a', 'i32'], ['x', 'i32'], ['b', 'i32'], ['z', 'i32']],
    [['i', 'i32'], ['p', 'i32'], ['j', 'i32'], ['e2', 'i32'], ['e1', 'i32'], ['rb', 'i32'],
      ['ca', 'v128'], ['cb', 'v128'], ['zero', 'v128']],
  );
  const { get, set } = L;
  const at = (base: string): Code => i32.add(get(base), get('j'));
  const vec = (): Code => v128.store(i32.add(get('p'), get('j')),
    f64x2.add(f64x2.add(get('zero'), f64x2.mul(get('ca'), v128.load(at('x')))), f64x2.mul(get('cb'), v128.load(at('z')))));
  const scalar = (): Code => f64.store(i32.add(get('p'), get('j')),
    f64.add(f64.add(f64.const(0), f64.mul(f64x2.extractLane(get('ca'), 0), f64.load(at('x')))), f64.mul(f64x2.extractLane(get('cb'), 0), f64.load(at('z')))));
  const row: Code[] = [
    set('p', i32.add(get('out'), i32.mul(get('i'), get('rb')))),
    set('ca', f64x2.splat(f64.load(i32.add(get('a'), i32.shl(get('i'), i32.const(3)))))),
    set('cb', f64x2.splat(f64.load(i32.add(get('b'), i32.shl(get('i'), i32.const(3)))))),
    set('j', i32.const(0)),
    ctl.while(i32.ltU(get('j'), get('e2')), vec(), set('j', i32.add(get('j'), i32.const(16)))),
    ctl.if(i32.ltU(get('j'), get('e1')), [scalar()]),
    set('i', i32.add(get('i'), i32.const(1))),
  ];
  const body: Code = [
    ...set('rb', i32.shl(get('cols'), i32.const(3))),
    ...set('e2', i32.shl(i32.and(get('cols'), i32.const(-2)), i32.const(3))),
    ...set('e1', i32.shl(get('cols'), i32.const(3))),
    ...set('zero', v128.zero()),
    ...set('i', i32.const(0)),
    ...ctl.while(i32.ltU(get('i'), get('n')), ...row),
  ];
  return { name: 'rank2', locals: L, body };
}

/** The weight-kernel module's bytes. */
export function buildWeightModule(): Uint8Array<ArrayBuffer> {
  return assembleModule([dotKernel('f64', DEFAULT_SHAPE.dotRows), scatterKernel('f64', DEFAULT_SHAPE.scatterRows), dotAxpyKernel(), rankTwoKernel()], 1);
}
