import type { Dataset } from '../data/dataset.ts';
import { powInt } from '../linalg/detmath.ts';
import type { Loss } from '../losses/losses.ts';
import { linearOutputs } from './linearOutputs.ts';
import { checkInputDim, checkParamCount, lossSecondDerivatives, type LinearPredictor, type Model, type ModelEvaluation, type ParamBlock } from './model.ts';
import { rowsCombine, rowsDot, rowsDotThenCombine } from './passes.ts';

/**
 * Diagonal linear network (neighbours §A, Woodworth et al. / Moroshko et al.):
 *   β = u₊^D − u₋^D  (element-wise powers),   f(x) = β·x,
 * θ = [u₊ (d entries), u₋ (d entries)], depth D ≥ 1. With u₊ = u₋ = α·1 at init, β starts at 0 and α
 * sets the regime: large α is the kernel regime (ℓ2-like implicit bias), small α the rich one (ℓ1-like).
 *
 * Everything is coordinate-wise, so the exact derivatives are cheap:
 *   ∂β_j/∂u±_j = ±D u±_j^{D−1} =: g±_j,     ∂²β_j/∂u±_j² = ±D(D−1) u±_j^{D−2} =: h±_j,
 *   ∇L = [g₊ ⊙ r, g₋ ⊙ r] with r = (1/m) Σ ℓ′_α x_α,
 *   ∇²L v = Jᵀ diag(ℓ″/m) J v + [h₊ ⊙ r ⊙ v₊, h₋ ⊙ r ⊙ v₋]   (J v = X (g₊ ⊙ v₊ + g₋ ⊙ v₋)),
 *   Θ = X diag(k) Xᵀ with k_j = g₊_j² + g₋_j² (the input-space kernel is diagonal).
 * Powers are integer powers by repeated squaring (`powInt`): same bits in every engine.
 */
export interface DiagonalSpec {
  d: number;
  depth: number;
}

export interface DiagonalEvaluation extends ModelEvaluation {
  /** β = u₊^D − u₋^D */
  beta: Float64Array;
  /** r = (1/m) Σ ℓ′_α x_α over the evaluated rows */
  r: Float64Array;
  /** g± = ∂β/∂u± (2d entries, u₊ part first) */
  g: Float64Array;
}

export class DiagonalLinear implements Model<DiagonalEvaluation> {
  readonly kind = 'diagonal';
  readonly d: number;
  readonly depth: number;
  readonly numParams: number;
  readonly layers: readonly ParamBlock[];
  /** β is a sum of degree-D monomials of θ */
  readonly homogeneity: number;

  constructor(spec: DiagonalSpec) {
    const { d, depth } = spec;
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`diagonal: d must be a positive integer, got ${d}`);
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`diagonal: depth must be an integer ≥ 1, got ${depth}`);
    this.d = d;
    this.depth = depth;
    this.numParams = 2 * d;
    this.layers = [
      { name: 'u+', rows: 1, cols: d, offset: 0 },
      { name: 'u-', rows: 1, cols: d, offset: d },
    ];
    this.homogeneity = depth;
  }

  spec(): DiagonalSpec & { kind: 'diagonal' } {
    return { kind: 'diagonal', d: this.d, depth: this.depth };
  }

  readonly linear: LinearPredictor<DiagonalEvaluation> = {
    endToEnd: (theta) => this.endToEnd(theta),
    inputKernelApply: (ev, r, z) => {
      const { g } = ev, d = this.d;
      for (let j = 0; j < d; j++) z[j] = (g[j] * g[j] + g[d + j] * g[d + j]) * r[j];
      return z;
    },
  };

  allocParams(init?: Float64Array): Float64Array {
    if (init !== undefined) this.checkTheta(init);
    return init !== undefined ? Float64Array.from(init) : new Float64Array(this.numParams);
  }

  /** β = u₊^D − u₋^D */
  endToEnd(theta: Float64Array, out = new Float64Array(this.d)): Float64Array {
    const { d, depth } = this;
    for (let j = 0; j < d; j++) out[j] = powInt(theta[j], depth) - powInt(theta[d + j], depth);
    return out;
  }

  /** g± = ±D u±^{D−1}: the Jacobian of β (diagonal in each half). */
  private betaJacobian(theta: Float64Array): Float64Array {
    const { d, depth } = this;
    const g = new Float64Array(2 * d);
    for (let j = 0; j < d; j++) {
      g[j] = depth * powInt(theta[j], depth - 1);
      g[d + j] = -depth * powInt(theta[d + j], depth - 1);
    }
    return g;
  }

  evaluate(theta: Float64Array, data: Dataset, loss: Loss, rows: Int32Array | null = null): DiagonalEvaluation {
    this.checkTheta(theta);
    this.checkData(data);
    const beta = this.endToEnd(theta);
    const { value, f, d1, r } = linearOutputs(beta, data, loss, rows);
    return { theta, data, loss, rows, value, f, d1, d2: null, beta, r, g: this.betaJacobian(theta) };
  }

  secondDerivatives(ev: DiagonalEvaluation): Float64Array {
    return lossSecondDerivatives(ev);
  }

  gradient(ev: DiagonalEvaluation, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    const { g, r } = ev, d = this.d;
    for (let j = 0; j < d; j++) {
      out[j] = g[j] * r[j];
      out[d + j] = g[d + j] * r[j];
    }
    return out;
  }

  gradNorm(ev: DiagonalEvaluation): number {
    const { g, r } = ev, d = this.d;
    let s = 0;
    for (let j = 0; j < d; j++) s += (g[j] * g[j] + g[d + j] * g[d + j]) * r[j] * r[j];
    return Math.sqrt(s);
  }

  descend(ev: DiagonalEvaluation, eta: number): void {
    const { g, r, theta } = ev, d = this.d;
    for (let j = 0; j < d; j++) {
      theta[j] -= eta * (g[j] * r[j]);
      theta[d + j] -= eta * (g[d + j] * r[j]);
    }
  }

  hvp(ev: DiagonalEvaluation, dir: Float64Array, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    this.checkTheta(dir);
    this.checkTheta(out);
    const { g, r, theta, data } = ev, { d, depth } = this;
    const d2 = this.secondDerivatives(ev);
    const dbeta = new Float64Array(d);
    for (let j = 0; j < d; j++) dbeta[j] = g[j] * dir[j] + g[d + j] * dir[d + j];
    const count = ev.f.length, inv = 1 / count;
    const s = new Float64Array(d);
    // Gauss–Newton part: s = (1/m) Xᵀ diag(ℓ″) X Δβ over the evaluation's rows
    rowsDotThenCombine(data.X, data.d, ev.rows, count, dbeta, (i, v) => d2[i] * v * inv, s);
    for (let j = 0; j < d; j++) {
      // curvature of β itself: h± = ±D(D−1)u±^{D−2} (zero for D = 1)
      const hp = depth >= 2 ? depth * (depth - 1) * powInt(theta[j], depth - 2) : 0;
      const hm = depth >= 2 ? -depth * (depth - 1) * powInt(theta[d + j], depth - 2) : 0;
      out[j] = g[j] * s[j] + hp * r[j] * dir[j];
      out[d + j] = g[d + j] * s[j] + hm * r[j] * dir[d + j];
    }
    return out;
  }

  ntkApply(ev: DiagonalEvaluation, u: Float64Array, out: Float64Array): void {
    const { data, rows } = ev;
    const count = ev.f.length;
    const z = new Float64Array(this.d);
    rowsCombine(data.X, data.d, rows, count, u, z);
    this.linear.inputKernelApply(ev, z, z);
    rowsDot(data.X, data.d, rows, count, z, out);
  }

  predict(theta: Float64Array, data: Dataset, ev?: DiagonalEvaluation): Float64Array {
    this.checkData(data);
    const beta = ev !== undefined && ev.theta === theta ? ev.beta : this.endToEnd(theta);
    const out = new Float64Array(data.m);
    rowsDot(data.X, data.d, null, data.m, beta, out);
    return out;
  }

  jacobianRow(theta: Float64Array, x: Float64Array): Float64Array {
    const g = this.betaJacobian(theta), d = this.d;
    const out = new Float64Array(this.numParams);
    for (let j = 0; j < d; j++) {
      out[j] = g[j] * x[j];
      out[d + j] = g[d + j] * x[j];
    }
    return out;
  }

  checkTheta(theta: Float64Array): void {
    checkParamCount(this, theta);
  }

  checkData(data: Dataset): void {
    checkInputDim(this, data);
  }
}
