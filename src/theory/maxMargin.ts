/**
 * Max-margin references for linearly separable data (neighbours §A), normalised to minimum margin 1:
 *   ℓ1: b₁ = argmin ‖b‖₁ s.t. y_n⟨b, x_n⟩ ≥ 1   (an LP in b = b⁺ − b⁻, b± ≥ 0)
 *   ℓ2: b₂ = argmin ½‖b‖₂² s.t. y_n⟨b, x_n⟩ ≥ 1  (a convex QP: the hard-margin SVM without bias)
 * both solved by HiGHS (the `highs` npm package, WebAssembly; loaded once, see src/data/separability.ts).
 * The max-margin directions are b₁/‖b₁‖₁ and b₂/‖b₂‖₂ with margins 1/‖b₁‖₁ and 1/‖b₂‖₂. The gaps of a
 * predictor β with minimum margin γ > 0 are those of b = β/γ (also min margin 1):
 *   ‖b − b₁‖₁/‖b₁‖₁ and ‖b − b₂‖₂/‖b₂‖₂.
 * b₂ is unique (strictly convex); b₁ may not be (degenerate data): HiGHS returns a vertex.
 */
import { loadHighsSolver } from '../data/separability.ts';
import type { Highs } from 'highs';

export interface MaxMarginSolution {
  /** the minimum-norm predictor with min margin 1 */
  b: Float64Array;
  /** its ℓ1 or ℓ2 norm (the inverse of the max margin) */
  norm: number;
  /** max margin = 1/norm */
  margin: number;
  /** min_n y_n⟨b, x_n⟩ (1 up to the solver tolerance) */
  minMargin: number;
  status: string;
}

export interface MaxMarginProblem {
  /** N×d row-major */
  X: Float64Array;
  y: ArrayLike<number>;
  N: number;
  d: number;
}

const FEAS_TOL = 1e-10;

function rowsOf(p: MaxMarginProblem, name: string): Float64Array {
  const { X, y, N, d } = p;
  if (X.length !== N * d) throw new RangeError(`${name}: X has ${X.length} entries, expected N·d = ${N * d}`);
  if (y.length !== N) throw new RangeError(`${name}: y has ${y.length} labels, expected ${N}`);
  const Z = new Float64Array(N * d);
  for (let n = 0; n < N; n++) {
    if (y[n] !== 1 && y[n] !== -1) throw new RangeError(`${name}: labels must be ±1, got y[${n}] = ${y[n]}`);
    for (let j = 0; j < d; j++) {
      const v = X[n * d + j];
      if (!Number.isFinite(v)) throw new RangeError(`${name}: non-finite X[${n}][${j}]`);
      Z[n * d + j] = y[n] * v;
    }
  }
  return Z;
}

function statusName(highs: Highs, code: number): string {
  for (const [k, v] of Object.entries(highs.constants.modelStatus)) if (v === code) return k;
  return `status ${code}`;
}

function minMarginOf(Z: Float64Array, N: number, d: number, b: Float64Array): number {
  let mn = Infinity;
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += Z[n * d + j] * b[j];
    mn = Math.min(mn, s);
  }
  return mn;
}

/** Solve min c·x (+ ½xᵀQx) s.t. A x ≥ 1 (rows), bounds; returns x. A is N×numCols dense row-major. */
async function solve(name: string, A: Float64Array, N: number, numCols: number, colCost: Float64Array, colLower: number, quadratic: boolean): Promise<{ x: Float64Array; status: string }> {
  const highs = await loadHighsSolver();
  const starts = new Int32Array(N + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < numCols; j++) {
      const v = A[n * numCols + j];
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    }
    starts[n + 1] = indices.length;
  }
  const inf = highs.infinity;
  const model = highs.createModel();
  try {
    model.options.set({ output_flag: false, primal_feasibility_tolerance: FEAS_TOL, dual_feasibility_tolerance: FEAS_TOL, random_seed: 0 });
    model.passModel({
      numCols,
      numRows: N,
      sense: highs.constants.objectiveSense.minimize,
      colCost,
      colLower: new Float64Array(numCols).fill(colLower === -Infinity ? -inf : colLower),
      colUpper: new Float64Array(numCols).fill(inf),
      rowLower: new Float64Array(N).fill(1),
      rowUpper: new Float64Array(N).fill(inf),
      matrix: { format: 'csr', numRows: N, numCols, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
      ...(quadratic
        ? { hessian: { format: 'triangular' as const, dimension: numCols, starts: Int32Array.from({ length: numCols + 1 }, (_, i) => i), indices: Int32Array.from({ length: numCols }, (_, i) => i), values: new Float64Array(numCols).fill(1) } }
        : {}),
    });
    model.run();
    const status = statusName(highs, model.getModelStatus());
    if (status === 'infeasible') throw new Error(`${name}: the data are not linearly separable (through the origin): no b with y_n⟨b, x_n⟩ ≥ 1 for all n`);
    if (status !== 'optimal') throw new Error(`${name}: HiGHS ended with status '${status}'`);
    return { x: Float64Array.from(model.getSolution().colValue), status };
  } finally {
    model.dispose();
  }
}

/** ℓ1 max-margin predictor (min ‖b‖₁ with min margin 1) by LP. */
export async function l1MaxMargin(p: MaxMarginProblem): Promise<MaxMarginSolution> {
  const { N, d } = p;
  const Z = rowsOf(p, 'l1MaxMargin');
  // columns [b⁺ (d), b⁻ (d)], row n: Z_n·b⁺ − Z_n·b⁻ ≥ 1
  const A = new Float64Array(N * 2 * d);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < d; j++) {
      A[n * 2 * d + j] = Z[n * d + j];
      A[n * 2 * d + d + j] = -Z[n * d + j];
    }
  }
  const { x, status } = await solve('l1MaxMargin', A, N, 2 * d, new Float64Array(2 * d).fill(1), 0, false);
  const b = new Float64Array(d).map((_, j) => x[j] - x[d + j]);
  let norm = 0;
  for (const v of b) norm += Math.abs(v);
  return { b, norm, margin: 1 / norm, minMargin: minMarginOf(Z, N, d, b), status };
}

/** ℓ2 max-margin predictor (hard-margin SVM through the origin: min ½‖b‖² with min margin 1) by QP. */
export async function l2MaxMargin(p: MaxMarginProblem): Promise<MaxMarginSolution> {
  const { N, d } = p;
  const Z = rowsOf(p, 'l2MaxMargin');
  const { x, status } = await solve('l2MaxMargin', Z, N, d, new Float64Array(d), -Infinity, true);
  let sq = 0;
  for (const v of x) sq += v * v;
  const norm = Math.sqrt(sq);
  return { b: x, norm, margin: 1 / norm, minMargin: minMarginOf(Z, N, d, x), status };
}

/** ‖b − ref‖₁/‖ref‖₁ */
export function l1Gap(b: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (b.length !== ref.length) throw new RangeError(`l1Gap: lengths ${b.length} and ${ref.length} differ`);
  let num = 0, den = 0;
  for (let j = 0; j < b.length; j++) {
    num += Math.abs(b[j] - ref[j]);
    den += Math.abs(ref[j]);
  }
  return num / den;
}

/** ‖b − ref‖₂/‖ref‖₂ */
export function l2Gap(b: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (b.length !== ref.length) throw new RangeError(`l2Gap: lengths ${b.length} and ${ref.length} differ`);
  let num = 0, den = 0;
  for (let j = 0; j < b.length; j++) {
    num += (b[j] - ref[j]) ** 2;
    den += ref[j] ** 2;
  }
  return Math.sqrt(num / den);
}
