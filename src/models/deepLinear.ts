import { axpy, dot } from '../linalg/blas.ts';
import { addRowsScaled, gemv, gemvT, rowsDotThenAxpy, setRankTwoRows } from '../linalg/rowOps.ts';
import { backendChoice } from '../linalg/wasm/backend.ts';
import { createWorkspace, workspaceOf, type Workspace } from '../linalg/wasm/workspace.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Loss } from '../losses/losses.ts';
import { linearOutputs } from './linearOutputs.ts';
import { rowsCombine, rowsDot, rowsDotThenCombine } from './passes.ts';
import { checkInputDim, checkParamCount, lossSecondDerivatives, type LinearPredictor, type Model, type ModelEvaluation, type ParamBlock } from './model.ts';

/**
 * Deep linear network in NTK scaling (theory §2):
 *   h_0 = x,  h_{k+1} = W_k h_k / √cols_k  (k = 0..L−1),  f = h_L,
 * with W_0 = W_1 of the paper (n×d), hidden layers n×n, and the read-out v stored as a 1×n
 * matrix, so every layer is handled by the same code. L = depth ≥ 2 weight layers (L = 2 is
 * the uv model). All parameters live in one flat Float64Array θ, layer by layer, row-major.
 *
 * Because the output is scalar, every layer's gradient is rank one (theory §3): with
 * e_k = ∂f/∂h_k (backward vectors, no data) and q_k = A_k r, r = Σ_α g_α x_α (forward vectors
 * on one aggregated input), ∂L/∂W_k = e_{k+1} q_kᵀ / √cols_k. One pass over X per step.
 */
export interface DeepLinearSpec {
  /** input dimension */
  d: number;
  /** hidden width n */
  width: number;
  /** number of weight layers L ≥ 2 */
  depth: number;
}

export interface LayerInfo extends ParamBlock {
  /** 1/√cols: the NTK scale factor of this layer */
  scale: number;
}

/** Everything known about the network at one parameter vector θ on one data set. */
export interface Evaluation extends ModelEvaluation {
  /** e_k = ∂f/∂h_k, k = 0..L (e_0 = β, the end-to-end vector) */
  e: Float64Array[];
  /** r = (1/m) Σ ℓ'_α x_α (the gradient's aggregated input) */
  r: Float64Array;
  /**
   * q_k = A_k r, k = 0..L−1 (q_0 = r), computed on first use (`forward`). A plain GD step never
   * needs them separately: `descend` computes each q_{k+1} row while updating that row of W_k.
   */
  q: Float64Array[] | null;
}

/** Rows per block in the HVP's weight passes (a performance knob only: results do not depend on it). */
const HVP_ROW_BLOCK = 32;
/**
 * Networks with at least this many parameters keep θ (and the HVP's vectors) in a wasm workspace in 'auto' mode,
 * so the weight passes run as WebAssembly SIMD; smaller ones stay plain Float64Arrays (same results).
 */
const WORKSPACE_MIN_PARAMS = 16384;

export class DeepLinear implements Model<Evaluation> {
  readonly kind = 'deep-linear';
  readonly d: number;
  readonly width: number;
  readonly depth: number;
  readonly layers: readonly LayerInfo[];
  readonly numParams: number;
  /** Resident input/output vectors for HVPs whose arguments are plain arrays (created on first use). */
  private hvpVectors: Workspace | null | undefined;

  constructor(spec: DeepLinearSpec) {
    const { d, width, depth } = spec;
    for (const [k, v] of Object.entries({ d, width, depth })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`deep-linear: ${k} must be a positive integer, got ${v}`);
    }
    if (depth < 2) throw new RangeError(`deep-linear: depth must be ≥ 2 weight layers, got ${depth}`);
    this.d = d;
    this.width = width;
    this.depth = depth;
    const layers: LayerInfo[] = [];
    let offset = 0;
    for (let k = 0; k < depth; k++) {
      const rows = k === depth - 1 ? 1 : width;
      const cols = k === 0 ? d : width;
      const name = k === depth - 1 ? 'v' : `W${k + 1}`;
      layers.push({ name, rows, cols, offset, scale: 1 / Math.sqrt(cols) });
      offset += rows * cols;
    }
    this.layers = layers;
    this.numParams = offset;
    this.homogeneity = depth;
  }

  /** f is a product of the L layers: homogeneous of degree L in θ. */
  readonly homogeneity: number;

  spec(): DeepLinearSpec & { kind: 'deep-linear' } {
    return { kind: 'deep-linear', d: this.d, width: this.width, depth: this.depth };
  }

  /** f = β·x: the end-to-end vector and the input-space kernel K (Θ = X K Xᵀ). */
  readonly linear: LinearPredictor<Evaluation> = {
    endToEnd: (theta) => this.endToEnd(theta),
    inputKernelApply: (ev, r, z) => this.kernelApply(ev.theta, ev.e, r, z),
  };

  /**
   * A parameter vector for this network (a copy of `init` if given, else zeros). In the default 'auto' backend,
   * large networks get a vector that lives in a WebAssembly workspace, so that steps, HVPs and NTK products on it
   * run the SIMD weight kernels; otherwise a plain Float64Array. Results are identical either way.
   */
  allocParams(init?: Float64Array): Float64Array {
    if (init !== undefined) this.checkTheta(init);
    const ws = this.wantsWorkspace() ? createWorkspace(this.numParams, 1, this.scratchBytes()) : null;
    const theta = ws !== null ? ws.vectors[0] : new Float64Array(this.numParams);
    if (init !== undefined) theta.set(init);
    return theta;
  }

  private wantsWorkspace(): boolean {
    const choice = backendChoice();
    return choice === 'wasm' || (choice === 'auto' && this.numParams >= WORKSPACE_MIN_PARAMS);
  }

  /** Scratch for one row operation: a few vectors of the longest layer dimension. */
  private scratchBytes(): number {
    return 8 * 8 * (Math.max(this.d, this.width) + 64);
  }

  /** A view of layer k inside θ. */
  layerView(theta: Float64Array, k: number): Float64Array {
    const l = this.layers[k];
    return theta.subarray(l.offset, l.offset + l.rows * l.cols);
  }

  /** Backward vectors e_k = ∂f/∂h_k for k = L..0; e[0] = β so that f(x) = β·x. */
  backward(theta: Float64Array): Float64Array[] {
    const L = this.depth;
    const e: Float64Array[] = new Array(L + 1);
    e[L] = Float64Array.of(1);
    for (let k = L - 1; k >= 0; k--) {
      const l = this.layers[k];
      e[k] = gemvT(l.rows, l.cols, l.scale, theta, l.offset, e[k + 1], new Float64Array(l.cols));
    }
    return e;
  }

  /** End-to-end vector β (f(x) = β·x). */
  endToEnd(theta: Float64Array): Float64Array {
    return this.backward(theta)[0];
  }

  /** Forward chain q_0 = r, q_{k+1} = W_k q_k / √cols_k, for k < L (q_L = β·r is not needed). */
  forwardChain(theta: Float64Array, r: Float64Array): Float64Array[] {
    const q: Float64Array[] = [r];
    for (let k = 0; k < this.depth - 1; k++) {
      const l = this.layers[k];
      q.push(gemv(l.rows, l.cols, l.scale, theta, l.offset, q[k], new Float64Array(l.rows)));
    }
    return q;
  }

  /** Outputs f_α = β·x_α for every row of a data set. */
  predict(theta: Float64Array, data: Dataset, ev?: Evaluation): Float64Array {
    this.checkData(data);
    const beta = ev !== undefined && ev.theta === theta ? ev.e[0] : this.endToEnd(theta);
    const out = new Float64Array(data.m);
    rowsDot(data.X, data.d, null, data.m, beta, out);
    return out;
  }

  /**
   * Loss, outputs and the gradient's rank-one factors at θ, in one pass over the data.
   * `rows` restricts to a mini-batch (then f, d1 have batch length and the loss is the batch mean).
   */
  evaluate(theta: Float64Array, data: Dataset, loss: Loss, rows: Int32Array | null = null): Evaluation {
    this.checkTheta(theta);
    this.checkData(data);
    const e = this.backward(theta);
    const { value, f, d1, r } = linearOutputs(e[0], data, loss, rows);
    return { theta, data, loss, rows, value, f, d1, d2: null, e, r, q: null };
  }

  /** The forward vectors q_k of an evaluation (computed once, before θ changes). */
  forward(ev: Evaluation): Float64Array[] {
    return (ev.q ??= this.forwardChain(ev.theta, ev.r));
  }

  /** ‖∇L‖ from the rank-one factors: Σ_k ‖e_{k+1}‖² ‖q_k‖² / cols_k. */
  gradNorm(ev: Evaluation): number {
    let s = 0;
    for (let k = 0; k < this.depth; k++) {
      const l = this.layers[k];
      const q = this.forward(ev);
      s += dot(l.rows, ev.e[k + 1], 0, ev.e[k + 1], 0) * dot(l.cols, q[k], 0, q[k], 0) * l.scale * l.scale;
    }
    return Math.sqrt(s);
  }

  /** Dense gradient ∇L (length numParams) into out. */
  gradient(ev: Evaluation, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    out.fill(0);
    this.addRankOne(out, ev.e, this.forward(ev), 1);
    return out;
  }

  /**
   * θ ← θ − η ∇L, applied as one rank-one update per layer (no dense gradient is formed). Each row of W_k is swept
   * once (rowsDotThenAxpy): q_{k+1}[i] from the old row while the row is updated, the same arithmetic as
   * forwardChain followed by the rank-one updates. The evaluation is stale afterwards.
   */
  descend(ev: Evaluation, eta: number): void {
    const theta = ev.theta;
    let qk = ev.r;
    for (let k = 0; k < this.depth; k++) {
      const l = this.layers[k];
      const ek = ev.e[k + 1];
      const coef = new Float64Array(l.rows);
      for (let i = 0; i < l.rows; i++) coef[i] = -eta * ek[i] * l.scale;
      const next = new Float64Array(l.rows);
      rowsDotThenAxpy(l.rows, l.cols, theta, l.offset, qk, coef, next);
      for (let i = 0; i < l.rows; i++) next[i] = l.scale * next[i];
      qk = next;
    }
  }

  /** target_k += alpha · a_{k+1} b_kᵀ / √cols_k for every layer. */
  private addRankOne(target: Float64Array, a: Float64Array[], b: Float64Array[], alpha: number): void {
    for (let k = 0; k < this.depth; k++) {
      const l = this.layers[k];
      const ak = a[k + 1];
      for (let i = 0; i < l.rows; i++) {
        const c = alpha * ak[i] * l.scale;
        if (c !== 0) axpy(l.cols, c, b[k], 0, target, l.offset + i * l.cols);
      }
    }
  }

  /** ℓ''(f_α) for every sample, cached on the evaluation. */
  secondDerivatives(ev: Evaluation): Float64Array {
    return lossSecondDerivatives(ev);
  }

  /**
   * Exact Hessian-vector product ∇²L · dir (Pearlmutter's R-operator over the rank-one
   * gradient, theory §3). One pass over the data, like a gradient, and two passes over the weights:
   *  1. layers L−1..0, row i of W_k and of ΔW_k (= dir) read together: the backward tangent
   *     Δe_k = (ΔW_kᵀ e_{k+1} + W_kᵀ Δe_{k+1}) / √cols_k (two gemvT accumulations, summed at the end of the
   *     layer) and a_k = ΔW_k q_k / √cols_k (q from the evaluation, known before the data pass);
   *  2. after the data pass gives Δq_0 = Δr, layers 0..L−1: Δq_{k+1} = a_k + W_k Δq_k / √cols_k and the output
   *     row i of layer k written once, out = (Δe_{k+1}[i] q_k + e_{k+1}[i] Δq_k) / √cols_k.
   * Each quantity has the arithmetic of the unfused formulation (gemvT, gemv, two rank-one adds into a zeroed
   * `out`, in that order), so the result does not depend on the fusion.
   */
  hvp(ev: Evaluation, dir: Float64Array, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    this.checkTheta(dir);
    this.checkTheta(out);
    // When θ runs on the wasm kernels, plain-array arguments go through resident copies (two memcpy's, far
    // cheaper than running the weight passes in JS).
    const dirResident = workspaceOf(dir) !== null, outResident = workspaceOf(out) !== null;
    if (workspaceOf(ev.theta) !== null && !(dirResident && outResident)) {
      // null is cached too: a failed allocation is not retried on every call
      if (this.hvpVectors === undefined) this.hvpVectors = createWorkspace(this.numParams, 2, this.scratchBytes());
      const ws = this.hvpVectors;
      if (ws !== null) {
        const [rdir, rout] = ws.vectors;
        if (!dirResident) rdir.set(dir);
        const target = outResident ? out : rout;
        this.hvpResident(ev, dirResident ? dir : rdir, target);
        if (target !== out) out.set(target);
        return out;
      }
    }
    return this.hvpResident(ev, dir, out);
  }

  private hvpResident(ev: Evaluation, dir: Float64Array, out: Float64Array): Float64Array {
    const { theta, e, data } = ev;
    const L = this.depth;
    const q = this.forward(ev);
    const d2 = this.secondDerivatives(ev);
    // pass 1
    const de: Float64Array[] = new Array(L + 1);
    const a: (Float64Array | null)[] = new Array(L).fill(null);
    de[L] = new Float64Array(1);
    for (let k = L - 1; k >= 0; k--) {
      const l = this.layers[k];
      const acc = new Float64Array(l.cols);
      const tmp = new Float64Array(l.cols);
      const ak = k < L - 1 ? new Float64Array(l.rows) : null;
      const ek = e[k + 1], dek = de[k + 1];
      // Rows in blocks: the block of dir is still in cache for the gemv after the two accumulations (each
      // accumulation sees the rows in order, so blocking does not change any rounding).
      const B = HVP_ROW_BLOCK;
      for (let i0 = 0; i0 < l.rows; i0 += B) {
        const nb = Math.min(B, l.rows - i0);
        const o = l.offset + i0 * l.cols;
        addRowsScaled(nb, l.cols, l.scale, dir, o, ek.subarray(i0, i0 + nb), acc);
        addRowsScaled(nb, l.cols, l.scale, theta, o, dek.subarray(i0, i0 + nb), tmp);
        if (ak !== null) gemv(nb, l.cols, l.scale, dir, o, q[k], ak.subarray(i0, i0 + nb));
      }
      for (let j = 0; j < l.cols; j++) acc[j] += tmp[j];
      de[k] = acc;
      a[k] = ak;
    }
    const count = ev.f.length;
    const inv = 1 / count;
    const dr = new Float64Array(data.d);
    // Δf_α = x_α·Δβ; Δr = Σ ℓ''_α Δf_α x_α / m over the evaluation's rows (its mini-batch, if any).
    rowsDotThenCombine(data.X, data.d, ev.rows, count, de[0], (i, s) => d2[i] * s * inv, dr);
    // pass 2
    let dqk = dr;
    for (let k = 0; k < L; k++) {
      const l = this.layers[k];
      const ak = a[k];
      const next = ak === null ? null : new Float64Array(l.rows);
      const qk = q[k], dek = de[k + 1], ek = e[k + 1];
      // out row i = (Δe_{k+1}[i] q_k + e_{k+1}[i] Δq_k)/√cols_k (1 · Δe[i] · scale of the rank-one add = Δe[i] · scale)
      const c1 = new Float64Array(l.rows), c2 = new Float64Array(l.rows);
      for (let i = 0; i < l.rows; i++) { c1[i] = dek[i] * l.scale; c2[i] = ek[i] * l.scale; }
      const B = HVP_ROW_BLOCK;
      for (let i0 = 0; i0 < l.rows; i0 += B) {
        const nb = Math.min(B, l.rows - i0);
        if (next !== null) {
          // Δq_{k+1}[i] = a_k[i] + (W_k Δq_k)[i]/√cols_k: gemv, then the sum
          gemv(nb, l.cols, l.scale, theta, l.offset + i0 * l.cols, dqk, next.subarray(i0, i0 + nb));
          for (let i = i0; i < i0 + nb; i++) next[i] = ak![i] + next[i];
        }
        setRankTwoRows(nb, l.cols, c1.subarray(i0, i0 + nb), qk, c2.subarray(i0, i0 + nb), dqk, out, l.offset + i0 * l.cols);
      }
      if (next !== null) dqk = next;
    }
    return out;
  }

  /**
   * Θu with Θ_αβ = ∇f(x_α)·∇f(x_β) the (un-normalized) NTK on the evaluation's rows (u, out: one entry per
   * evaluated sample). Θ = X K Xᵀ with K = Σ_k (‖e_{k+1}‖²/cols_k) A_kᵀ A_k: two data passes and two layer
   * chains, never a parameter-sized vector.
   */
  ntkApply(ev: Evaluation, u: Float64Array, out: Float64Array): void {
    const { theta, e, data, rows } = ev;
    const count = ev.f.length;
    const r = new Float64Array(data.d);
    rowsCombine(data.X, data.d, rows, count, u, r);
    this.kernelApply(theta, e, r, r);
    rowsDot(data.X, data.d, rows, count, r, out);
  }

  /** z = K r in input space (Horner form of Σ_k w_k A_kᵀ A_k r); z may alias r. */
  kernelApply(theta: Float64Array, e: Float64Array[], r: Float64Array, z: Float64Array): Float64Array {
    const L = this.depth;
    const q = this.forwardChain(theta, r);
    const w = (k: number) => dot(this.layers[k].rows, e[k + 1], 0, e[k + 1], 0) * this.layers[k].scale * this.layers[k].scale;
    let acc: Float64Array = new Float64Array(q[L - 1].length);
    for (let i = 0; i < acc.length; i++) acc[i] = w(L - 1) * q[L - 1][i];
    for (let k = L - 1; k >= 1; k--) {
      const l = this.layers[k - 1]; // step back from level k to level k−1 through W_{k−1}
      const next = gemvT(l.rows, l.cols, l.scale, theta, l.offset, acc, new Float64Array(l.cols));
      const wk = w(k - 1);
      for (let i = 0; i < next.length; i++) next[i] += wk * q[k - 1][i];
      acc = next;
    }
    z.set(acc);
    return z;
  }

  /** Jacobian row ∇_θ f(x) for one input (dense; for tests and tiny problems). */
  jacobianRow(theta: Float64Array, x: Float64Array): Float64Array {
    const e = this.backward(theta);
    const q = this.forwardChain(theta, x);
    const out = new Float64Array(this.numParams);
    this.addRankOne(out, e, q, 1);
    return out;
  }

  checkTheta(theta: Float64Array): void {
    checkParamCount(this, theta);
  }

  checkData(data: Dataset): void {
    checkInputDim(this, data);
  }
}
