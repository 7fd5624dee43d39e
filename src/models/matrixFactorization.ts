import type { Dataset } from '../data/dataset.ts';
import type { Loss } from '../losses/losses.ts';
import { linearOutputs } from './linearOutputs.ts';
import { rowsCombine, rowsDot, rowsDotThenCombine } from './passes.ts';
import { checkInputDim, checkParamCount, lossSecondDerivatives, type LinearPredictor, type Model, type ModelEvaluation, type ParamBlock } from './model.ts';

/**
 * Deep matrix factorization for matrix sensing (neighbours §B; Gissin et al. 2020, Arora et al. 2019):
 *   P(θ) = W_N ⋯ W_1  (N square n×n matrices, no NTK scaling: the product itself is the predictor),
 *   f(θ; A) = ⟨A, P⟩ = Σ_ij A_ij P_ij,
 * with the measurement matrix A given as the input x = vec(A) (row-major, d = n²). f is linear in x with
 * β = vec(P), so the model has the `linear` capability. θ holds W_1, …, W_N in that order, each row-major.
 *
 * With prefix products Q_j = W_j⋯W_1 (Q_0 = I, Q_N = P), suffix products S_j = W_N⋯W_{j+1} (S_N = I) and
 * G = mat(r), r = (1/m) Σ ℓ′_α x_α (= ∂L/∂P), the layer gradients are ∂L/∂W_j = S_jᵀ G Q_{j−1}ᵀ. Every step is
 * O(N n³) for the products plus one data pass, like the deep linear net's.
 */
export interface MatrixFactorizationSpec {
  /** side n of the square matrices (the input dimension is n²) */
  n: number;
  /** number of factors N ≥ 1 (N = 1: plain linear regression on matrices) */
  depth: number;
}

/** Everything known about the factorization at θ on one data set. */
export interface MatrixFactorizationEvaluation extends ModelEvaluation {
  /** Q_j = W_j⋯W_1, j = 0..N (Q_0 = I, Q_N = P) */
  Q: Float64Array[];
  /** S_j = W_N⋯W_{j+1}, j = 0..N (S_N = I, S_0 = P) */
  S: Float64Array[];
  /** r = (1/m) Σ ℓ′_α x_α = vec(∂L/∂P) */
  r: Float64Array;
}

/** C = op(A)·op(B) for n×n row-major matrices (op = transpose when the flag is set); fixed summation order (k ascending). */
export function matMul(n: number, A: Float64Array, B: Float64Array, transA = false, transB = false, C = new Float64Array(n * n)): Float64Array {
  const a = transA ? transpose(n, A) : A;
  const b = transB ? transpose(n, B) : B;
  C.fill(0);
  // i-k-j order: the inner loop runs along rows of B and C (contiguous)
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k];
      const bk = k * n;
      for (let j = 0; j < n; j++) C[ci + j] += aik * b[bk + j];
    }
  }
  return C;
}

function transpose(n: number, A: Float64Array): Float64Array {
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) T[j * n + i] = A[i * n + j];
  return T;
}

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** out += a·(S_jᵀ M Q_{j−1}ᵀ) for one layer block (the shape of every layer gradient). */
function addSandwich(n: number, S: Float64Array, M: Float64Array, Q: Float64Array, a: number, out: Float64Array, offset: number): void {
  const t = matMul(n, M, Q, false, true);
  const g = matMul(n, S, t, true, false);
  for (let i = 0; i < n * n; i++) out[offset + i] += a * g[i];
}

export class MatrixFactorization implements Model<MatrixFactorizationEvaluation> {
  readonly kind = 'matrix-factorization';
  readonly n: number;
  readonly d: number;
  readonly depth: number;
  readonly layers: readonly ParamBlock[];
  readonly numParams: number;
  /** f is a product of the N factors: homogeneous of degree N in θ. */
  readonly homogeneity: number;

  constructor(spec: MatrixFactorizationSpec) {
    const { n, depth } = spec;
    for (const [k, v] of Object.entries({ n, depth })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`matrix-factorization: ${k} must be a positive integer, got ${v}`);
    }
    this.n = n;
    this.d = n * n;
    this.depth = depth;
    this.layers = Array.from({ length: depth }, (_, k) => ({ name: `W${k + 1}`, rows: n, cols: n, offset: k * n * n }));
    this.numParams = depth * n * n;
    this.homogeneity = depth;
  }

  spec(): MatrixFactorizationSpec & { kind: 'matrix-factorization'; d: number } {
    return { kind: 'matrix-factorization', d: this.d, n: this.n, depth: this.depth };
  }

  /** f = vec(P)·x; the input-space kernel K R = Σ_j S_j S_jᵀ R Q_{j−1}ᵀ Q_{j−1} (Θ = X K Xᵀ). */
  readonly linear: LinearPredictor<MatrixFactorizationEvaluation> = {
    endToEnd: (theta) => this.product(theta),
    inputKernelApply: (ev, r, z) => this.kernelApply(ev, r, z),
  };

  allocParams(init?: Float64Array): Float64Array {
    if (init !== undefined) this.checkTheta(init);
    const theta = new Float64Array(this.numParams);
    if (init !== undefined) theta.set(init);
    return theta;
  }

  /** Factor W_j (j = 1..N) as a view into θ. */
  factor(theta: Float64Array, j: number): Float64Array {
    const o = (j - 1) * this.n * this.n;
    return theta.subarray(o, o + this.n * this.n);
  }

  /** Prefix products Q_0..Q_N. */
  prefixes(theta: Float64Array): Float64Array[] {
    const Q = [identity(this.n)];
    for (let j = 1; j <= this.depth; j++) Q.push(matMul(this.n, this.factor(theta, j), Q[j - 1]));
    return Q;
  }

  /** Suffix products S_0..S_N. */
  suffixes(theta: Float64Array): Float64Array[] {
    const S: Float64Array[] = new Array(this.depth + 1);
    S[this.depth] = identity(this.n);
    for (let j = this.depth - 1; j >= 0; j--) S[j] = matMul(this.n, S[j + 1], this.factor(theta, j + 1));
    return S;
  }

  /** The end-to-end matrix P = W_N⋯W_1 (row-major n×n = β). */
  product(theta: Float64Array): Float64Array {
    this.checkTheta(theta);
    return this.prefixes(theta)[this.depth];
  }

  predict(theta: Float64Array, data: Dataset, ev?: MatrixFactorizationEvaluation): Float64Array {
    this.checkData(data);
    const P = ev !== undefined && ev.theta === theta ? ev.Q[this.depth] : this.product(theta);
    const out = new Float64Array(data.m);
    rowsDot(data.X, data.d, null, data.m, P, out);
    return out;
  }

  evaluate(theta: Float64Array, data: Dataset, loss: Loss, rows: Int32Array | null = null): MatrixFactorizationEvaluation {
    this.checkTheta(theta);
    this.checkData(data);
    const Q = this.prefixes(theta);
    const S = this.suffixes(theta);
    const { value, f, d1, r } = linearOutputs(Q[this.depth], data, loss, rows);
    return { theta, data, loss, rows, value, f, d1, d2: null, Q, S, r };
  }

  secondDerivatives(ev: MatrixFactorizationEvaluation): Float64Array {
    return lossSecondDerivatives(ev);
  }

  /** ∂L/∂W_j = S_jᵀ G Q_{j−1}ᵀ for every layer. */
  gradient(ev: MatrixFactorizationEvaluation, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    out.fill(0);
    for (let j = 1; j <= this.depth; j++) addSandwich(this.n, ev.S[j], ev.r, ev.Q[j - 1], 1, out, (j - 1) * this.n * this.n);
    return out;
  }

  gradNorm(ev: MatrixFactorizationEvaluation): number {
    const g = this.gradient(ev);
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    return Math.sqrt(s);
  }

  /** θ ← θ − η∇L (the dense gradient is small: N n² entries). */
  descend(ev: MatrixFactorizationEvaluation, eta: number): void {
    const g = this.gradient(ev);
    const theta = ev.theta;
    for (let i = 0; i < g.length; i++) theta[i] -= eta * g[i];
  }

  /**
   * Exact ∇²L·V, the directional derivative of ∂L/∂W_j = S_jᵀ G Q_{j−1}ᵀ along V = (V_1..V_N):
   *   dQ_j = V_j Q_{j−1} + W_j dQ_{j−1} (dQ_0 = 0),  dS_j = dS_{j+1} W_{j+1} + S_{j+1} V_{j+1} (dS_N = 0),
   *   dG = mat((1/m) Σ ℓ″_α ⟨A_α, dQ_N⟩ x_α),
   *   (∇²L·V)_j = dS_jᵀ G Q_{j−1}ᵀ + S_jᵀ dG Q_{j−1}ᵀ + S_jᵀ G dQ_{j−1}ᵀ.
   */
  hvp(ev: MatrixFactorizationEvaluation, dir: Float64Array, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    this.checkTheta(dir);
    this.checkTheta(out);
    const { n, depth: N } = this;
    const { theta, Q, S, r, data } = ev;
    const V = (j: number) => this.factor(dir, j);
    const dQ: Float64Array[] = [new Float64Array(n * n)];
    for (let j = 1; j <= N; j++) {
      const a = matMul(n, V(j), Q[j - 1]);
      const b = matMul(n, this.factor(theta, j), dQ[j - 1]);
      for (let i = 0; i < a.length; i++) a[i] += b[i];
      dQ.push(a);
    }
    const dS: Float64Array[] = new Array(N + 1);
    dS[N] = new Float64Array(n * n);
    for (let j = N - 1; j >= 0; j--) {
      const a = matMul(n, dS[j + 1], this.factor(theta, j + 1));
      const b = matMul(n, S[j + 1], V(j + 1));
      for (let i = 0; i < a.length; i++) a[i] += b[i];
      dS[j] = a;
    }
    const d2 = this.secondDerivatives(ev);
    const count = ev.f.length;
    const inv = 1 / count;
    const dG = new Float64Array(data.d);
    rowsDotThenCombine(data.X, data.d, ev.rows, count, dQ[N], (i, s) => d2[i] * s * inv, dG);
    out.fill(0);
    for (let j = 1; j <= N; j++) {
      const o = (j - 1) * n * n;
      addSandwich(n, dS[j], r, Q[j - 1], 1, out, o);
      addSandwich(n, S[j], dG, Q[j - 1], 1, out, o);
      addSandwich(n, S[j], r, dQ[j - 1], 1, out, o);
    }
    return out;
  }

  ntkApply(ev: MatrixFactorizationEvaluation, u: Float64Array, out: Float64Array): void {
    const { data, rows } = ev;
    const count = ev.f.length;
    const r = new Float64Array(data.d);
    rowsCombine(data.X, data.d, rows, count, u, r);
    this.kernelApply(ev, r, r);
    rowsDot(data.X, data.d, rows, count, r, out);
  }

  /** z = K r = vec(Σ_j S_j S_jᵀ R Q_{j−1}ᵀ Q_{j−1}), R = mat(r); z may alias r. */
  kernelApply(ev: MatrixFactorizationEvaluation, r: Float64Array, z: Float64Array): Float64Array {
    const n = this.n;
    const acc = new Float64Array(n * n);
    for (let j = 1; j <= this.depth; j++) {
      const left = matMul(n, ev.S[j], ev.S[j], false, true);
      const right = matMul(n, ev.Q[j - 1], ev.Q[j - 1], true, false);
      const t = matMul(n, matMul(n, left, r), right);
      for (let i = 0; i < acc.length; i++) acc[i] += t[i];
    }
    z.set(acc);
    return z;
  }

  /** ∇_θ f(A) = (S_jᵀ A Q_{j−1}ᵀ)_j for one measurement x = vec(A). */
  jacobianRow(theta: Float64Array, x: Float64Array): Float64Array {
    this.checkTheta(theta);
    const Q = this.prefixes(theta);
    const S = this.suffixes(theta);
    const out = new Float64Array(this.numParams);
    for (let j = 1; j <= this.depth; j++) addSandwich(this.n, S[j], x, Q[j - 1], 1, out, (j - 1) * this.n * this.n);
    return out;
  }

  checkTheta(theta: Float64Array): void {
    checkParamCount(this, theta);
  }

  checkData(data: Dataset): void {
    checkInputDim(this, data);
  }
}
