import { dot, type DataArray } from '../linalg/blas.ts';
import { gemm } from '../linalg/gemm.ts';
import { deriveSeed, Rng } from '../linalg/prng.ts';
import type { Dataset } from '../data/dataset.ts';
import { lossValueAndD1, type Loss } from '../losses/losses.ts';
import { checkInputDim, checkParamCount, lossSecondDerivatives, type Model, type ModelEvaluation, type ParamBlock } from './model.ts';

/**
 * ReLU multilayer perceptron with a scalar output (neighbours §C), in matrix-matrix (layer) form over the m
 * evaluated rows:
 *   H_0 = X (m×d),  A_k = s_k H_k W_kᵀ + 1 b_kᵀ,  H_{k+1} = relu(N(A_k)) (hidden layers),  f = A_{L−1} (m×1),
 * with L = widths.length + 1 weight layers, s_k = 1/√fan_in (NTK parameterization) or 1 (standard),
 * optional biases b_k (every layer), N = identity or batch normalization (hidden layers, below), and, with weight
 * normalization, W_k = diag(g_k) V_k with the rows of V_k normalized (row i: g_i V_i/‖V_i‖, every layer).
 *
 * Objective: mean loss over the evaluated rows + (λ/2)‖θ‖² (λ = weightDecay, on every parameter); the
 * evaluation's `value`, the gradient and the HVP are of this regularized objective (the NTK is of f alone).
 *
 * Batch normalization (no learned affine: the next layer's weights carry the scale): per hidden unit,
 * N(a) = (a − μ)/σ with μ, σ² = var + ε the mean and (biased) variance over the evaluated rows (train mode, the
 * statistics are functions of θ and are differentiated through). Eval mode (`predict`, `jacobianRow`) uses the
 * statistics of the evaluation at the same θ as constants (the training set in full-batch GD), never the
 * statistics of the data being predicted: the evaluation passed to `predict`, else the one the model last
 * computed if θ is bitwise the same, else an error.
 *
 * Derivatives: backprop for the gradient, Pearlmutter's R-operator (a forward tangent pass, then the tangent of
 * the backward pass) for exact Hessian-vector products, through WN and BN (relu'' = 0 a.e.: the ReLU masks are
 * constants of the tangent passes), and Θu = J(Jᵀu) by a backward (VJP) and a forward tangent (JVP) pass.
 * All products are the fixed-order GEMM (src/linalg/gemm.ts): results are deterministic.
 */
export type Parameterization = 'ntk' | 'standard';
export type Normalization = 'none' | 'weight' | 'batch';

export interface ReluMlpOptions {
  /** hidden widths (at least one hidden layer) */
  widths: number[];
  parameterization: Parameterization;
  bias: boolean;
  normalization: Normalization;
  /** λ ≥ 0 in mean loss + (λ/2)‖θ‖² */
  weightDecay: number;
}

export interface ReluMlpSpec extends ReluMlpOptions {
  d: number;
}

/** ε in σ = √(var + ε) of batch normalization. */
export const BN_EPSILON = 1e-5;

/** One weight layer: n_out × n_in weights (W, or V under WN), WN gains g, bias b. */
interface LayerParams {
  nIn: number;
  nOut: number;
  /** s_k: 1/√n_in (NTK) or 1 (standard) */
  scale: number;
  w: ParamBlock;
  g: ParamBlock | null;
  b: ParamBlock | null;
}

/** Batch-normalization statistics of one hidden layer. */
export interface BnStats {
  mu: Float64Array;
  sigma: Float64Array;
}

/** A forward pass at θ over m rows. */
interface Forward {
  m: number;
  /** H[k]: input of layer k (m × n_in); H[0] = the data rows */
  H: DataArray[];
  /** effective weights W_k (n_out × n_in): views into θ, or computed under WN */
  W: Float64Array[];
  /** WN: normalized rows u = V_i/‖V_i‖ and the row norms, per layer */
  u: Float64Array[] | null;
  norm: Float64Array[] | null;
  /** BN per hidden layer: statistics and x̂ = N(A_k) (m × n_out) */
  bn: (BnStats & { xhat: Float64Array })[] | null;
  /** whether the BN statistics were fixed constants (eval mode) rather than computed from these rows */
  bnFixed: boolean;
  f: Float64Array;
}

/** The backward pass for one output cotangent G (∂/∂f). */
interface Backward {
  /** dA[k] = ∂/∂A_k (m × n_out) */
  dA: Float64Array[];
  /** BN layers: dZ[k] = ∂/∂x̂_k */
  dZ: (Float64Array | null)[];
  /** ∂/∂W_k of the effective weights */
  dW: Float64Array[];
}

/** The forward tangent (R-operator) of a pass in direction `dir`. */
interface Tangent {
  RW: Float64Array[];
  /** RH[k] = R{H_k}; null for the data */
  RH: (Float64Array | null)[];
  /** WN: R{u} and R{‖V_i‖} per layer */
  RU: Float64Array[] | null;
  Rnorm: Float64Array[] | null;
  /** BN: R{x̂_k}, R{σ_k} */
  Rxhat: (Float64Array | null)[];
  Rsigma: (Float64Array | null)[];
  Rf: Float64Array;
}

export interface ReluEvaluation extends ModelEvaluation {
  fw: Forward;
  /** the loss part's backward pass (G = ℓ′/m), filled by `gradient` */
  back: Backward | null;
  /** ∇ of the regularized objective, filled by `gradient` */
  grad: Float64Array | null;
}

export class ReluMlp implements Model<ReluEvaluation> {
  readonly kind = 'relu-mlp';
  readonly d: number;
  readonly options: ReluMlpOptions;
  readonly layers: readonly ParamBlock[];
  readonly numParams: number;
  readonly homogeneity: number;
  private readonly params: LayerParams[];
  /** BN eval mode: the statistics of the last evaluation and a copy of its θ (used only if θ is bitwise the same) */
  private lastStats: { theta: Float64Array; stats: BnStats[] } | null = null;

  constructor(spec: ReluMlpSpec) {
    const { d, widths, parameterization, bias, normalization, weightDecay } = spec;
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`relu-mlp: d must be a positive integer, got ${d}`);
    if (!Array.isArray(widths) || widths.length === 0) throw new RangeError('relu-mlp: widths must list at least one hidden width');
    widths.forEach((w, i) => {
      if (!Number.isInteger(w) || w < 1) throw new RangeError(`relu-mlp: widths[${i}] must be a positive integer, got ${w}`);
    });
    if (parameterization !== 'ntk' && parameterization !== 'standard') throw new RangeError(`relu-mlp: parameterization must be 'ntk' or 'standard', got '${String(parameterization)}'`);
    if (!['none', 'weight', 'batch'].includes(normalization)) throw new RangeError(`relu-mlp: normalization must be 'none', 'weight' or 'batch', got '${String(normalization)}'`);
    if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) throw new RangeError(`relu-mlp: weightDecay must be a finite number ≥ 0, got ${weightDecay}`);
    this.d = d;
    this.options = { widths: [...widths], parameterization, bias, normalization, weightDecay };
    const dims = [d, ...widths, 1];
    const blocks: ParamBlock[] = [];
    const params: LayerParams[] = [];
    let offset = 0;
    const block = (name: string, rows: number, cols: number): ParamBlock => {
      const b = { name, rows, cols, offset };
      offset += rows * cols;
      blocks.push(b);
      return b;
    };
    for (let k = 0; k + 1 < dims.length; k++) {
      const nIn = dims[k], nOut = dims[k + 1];
      const wn = normalization === 'weight';
      const w = block(`${wn ? 'V' : 'W'}${k + 1}`, nOut, nIn);
      const g = wn ? block(`g${k + 1}`, nOut, 1) : null;
      const b = bias ? block(`b${k + 1}`, nOut, 1) : null;
      params.push({ nIn, nOut, scale: parameterization === 'ntk' ? 1 / Math.sqrt(nIn) : 1, w, g, b });
    }
    this.layers = blocks;
    this.params = params;
    this.numParams = offset;
    // biases and BN break positive homogeneity; WN keeps it (f scales with the gains, V only through V/‖V‖)
    this.homogeneity = bias || normalization === 'batch' ? NaN : params.length;
  }

  /** Number of weight layers L. */
  get depth(): number {
    return this.params.length;
  }

  spec(): ReluMlpSpec & { kind: 'relu-mlp' } {
    return { kind: 'relu-mlp', d: this.d, ...this.options, widths: [...this.options.widths] };
  }

  allocParams(init?: Float64Array): Float64Array {
    if (init !== undefined) this.checkTheta(init);
    return init !== undefined ? Float64Array.from(init) : new Float64Array(this.numParams);
  }

  /**
   * Gaussian init: every weight (V under WN) N(0, scale²) in the NTK parameterization, N(0, 2·scale²/fan_in)
   * (He) in the standard one; biases 0; WN gains g_i = ‖V_i‖, so that W = V at init. The draws are those of
   * the generic `gaussianInit` (one N(0, scale²) stream over θ), rescaled.
   */
  gaussianParams(seed: number, scale = 1): Float64Array {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`init scale must be a positive number, got ${scale}`);
    const theta = new Rng(deriveSeed(seed, 'init')).fillNormal(new Float64Array(this.numParams), scale);
    for (const p of this.params) {
      const W = blockView(theta, p.w);
      if (this.options.parameterization === 'standard') {
        const he = Math.sqrt(2 / p.nIn);
        for (let i = 0; i < W.length; i++) W[i] *= he;
      }
      if (p.b !== null) blockView(theta, p.b).fill(0);
      if (p.g !== null) {
        const g = blockView(theta, p.g);
        for (let i = 0; i < p.nOut; i++) g[i] = Math.sqrt(dot(p.nIn, W, i * p.nIn, W, i * p.nIn));
      }
    }
    return theta;
  }

  evaluate(theta: Float64Array, data: Dataset, loss: Loss, rows: Int32Array | null = null): ReluEvaluation {
    this.checkTheta(theta);
    this.checkData(data);
    const X = rows === null ? data.X : gatherRows(data, rows);
    const m = rows === null ? data.m : rows.length;
    const fw = this.forward(theta, X, m, null);
    if (fw.bn !== null) this.lastStats = { theta: Float64Array.from(theta), stats: fw.bn.map(({ mu, sigma }) => ({ mu, sigma })) };
    const d1 = new Float64Array(m);
    const valueAndD1 = lossValueAndD1(loss);
    let total = 0;
    for (let i = 0; i < m; i++) total += valueAndD1(fw.f[i], data.y[rows === null ? i : rows[i]], d1, i);
    const lambda = this.options.weightDecay;
    const value = total / m + (lambda === 0 ? 0 : 0.5 * lambda * dot(theta.length, theta, 0, theta, 0));
    return { theta, data, loss, rows, value, f: fw.f, d1, d2: null, fw, back: null, grad: null };
  }

  secondDerivatives(ev: ReluEvaluation): Float64Array {
    return lossSecondDerivatives(ev);
  }

  gradient(ev: ReluEvaluation, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    if (ev.grad === null) {
      const m = ev.f.length;
      const G = new Float64Array(m);
      for (let i = 0; i < m; i++) G[i] = ev.d1[i] / m;
      const grad = new Float64Array(this.numParams);
      ev.back = this.backward(ev.theta, ev.fw, G, grad);
      const lambda = this.options.weightDecay;
      if (lambda !== 0) for (let i = 0; i < grad.length; i++) grad[i] += lambda * ev.theta[i];
      ev.grad = grad;
    }
    out.set(ev.grad);
    return out;
  }

  gradNorm(ev: ReluEvaluation): number {
    const g = this.gradient(ev);
    return Math.sqrt(dot(g.length, g, 0, g, 0));
  }

  descend(ev: ReluEvaluation, eta: number): void {
    const g = this.gradient(ev);
    const theta = ev.theta;
    for (let i = 0; i < theta.length; i++) theta[i] -= eta * g[i];
  }

  hvp(ev: ReluEvaluation, dir: Float64Array, out: Float64Array = new Float64Array(this.numParams)): Float64Array {
    this.checkTheta(dir);
    this.checkTheta(out);
    if (ev.back === null) this.gradient(ev);
    const d2 = this.secondDerivatives(ev);
    const tg = this.tangent(ev.theta, ev.fw, dir);
    const m = ev.f.length;
    const RG = new Float64Array(m);
    for (let i = 0; i < m; i++) RG[i] = (d2[i] * tg.Rf[i]) / m;
    this.tangentBackward(ev.theta, ev.fw, ev.back!, tg, RG, dir, out);
    const lambda = this.options.weightDecay;
    if (lambda !== 0) for (let i = 0; i < out.length; i++) out[i] += lambda * dir[i];
    return out;
  }

  /** Θu = J(Jᵀu): a backward pass with cotangent u (VJP), then a forward tangent in that direction (JVP). */
  ntkApply(ev: ReluEvaluation, u: Float64Array, out: Float64Array): void {
    const jtu = new Float64Array(this.numParams);
    this.backward(ev.theta, ev.fw, u, jtu);
    out.set(this.tangent(ev.theta, ev.fw, jtu).Rf);
  }

  /** Outputs for every row of `data` (BN: eval mode with the training statistics, see the class comment). */
  predict(theta: Float64Array, data: Dataset, ev?: ReluEvaluation): Float64Array {
    this.checkTheta(theta);
    this.checkData(data);
    return this.forward(theta, data.X, data.m, this.evalStats(theta, ev)).f;
  }

  /** ∇_θ f(x) for one input (BN: eval mode, statistics held fixed). */
  jacobianRow(theta: Float64Array, x: Float64Array): Float64Array {
    this.checkTheta(theta);
    if (x.length !== this.d) throw new RangeError(`relu-mlp: jacobianRow needs an input of length d = ${this.d}, got ${x.length}`);
    const fw = this.forward(theta, x, 1, this.evalStats(theta));
    const out = new Float64Array(this.numParams);
    this.backward(theta, fw, Float64Array.of(1), out);
    return out;
  }

  checkTheta(theta: Float64Array): void {
    checkParamCount(this, theta);
  }

  checkData(data: Dataset): void {
    checkInputDim(this, data);
  }

  /** The effective weight matrices W_k (WN applied) at θ, one n_out × n_in array per layer (read-outs such as ρ). */
  effectiveWeights(theta: Float64Array): { rows: number; cols: number; scale: number; W: Float64Array }[] {
    this.checkTheta(theta);
    return this.params.map((p) => ({ rows: p.nOut, cols: p.nIn, scale: p.scale, W: this.layerWeights(theta, p).W }));
  }

  /** Last-hidden-layer features H_{L−1} (m × widths[last]) of `data` (BN: eval mode). */
  lastHidden(theta: Float64Array, data: Dataset, ev?: ReluEvaluation): Float64Array {
    this.checkTheta(theta);
    this.checkData(data);
    // a full evaluation of these data at θ already holds them (its BN statistics are the eval-mode ones)
    if (ev !== undefined && ev.theta === theta && ev.data === data && ev.rows === null) return ev.fw.H[ev.fw.H.length - 1] as Float64Array;
    const fw = this.forward(theta, data.X, data.m, this.evalStats(theta, ev));
    return fw.H[fw.H.length - 1] as Float64Array;
  }

  // ---- passes -------------------------------------------------------------------------------------------------

  /** BN statistics for eval mode at θ (null when BN is off). */
  private evalStats(theta: Float64Array, ev?: ReluEvaluation): BnStats[] | null {
    if (this.options.normalization !== 'batch') return null;
    if (ev !== undefined && ev.theta === theta && ev.fw.bn !== null) return ev.fw.bn;
    const last = this.lastStats;
    if (last !== null && last.theta.length === theta.length && last.theta.every((v, i) => Object.is(v, theta[i]))) return last.stats;
    throw new RangeError('relu-mlp with batch normalization: eval mode needs the training statistics at this θ (evaluate the training set at θ first)');
  }

  /** W_k at θ: a view of θ, or under WN g_i·V_i/‖V_i‖ with u and the norms. */
  private layerWeights(theta: Float64Array, p: LayerParams): { W: Float64Array; u: Float64Array | null; norm: Float64Array | null } {
    const V = blockView(theta, p.w);
    if (p.g === null) return { W: V, u: null, norm: null };
    const g = blockView(theta, p.g);
    const { nIn, nOut } = p;
    const W = new Float64Array(nOut * nIn), u = new Float64Array(nOut * nIn), norm = new Float64Array(nOut);
    for (let i = 0; i < nOut; i++) {
      const o = i * nIn;
      const nv = Math.sqrt(dot(nIn, V, o, V, o));
      norm[i] = nv;
      for (let j = 0; j < nIn; j++) {
        u[o + j] = V[o + j] / nv;
        W[o + j] = g[i] * u[o + j];
      }
    }
    return { W, u, norm };
  }

  private forward(theta: Float64Array, X: DataArray, m: number, fixed: BnStats[] | null): Forward {
    const L = this.params.length;
    const wn = this.options.normalization === 'weight', bnOn = this.options.normalization === 'batch';
    const H: DataArray[] = [X];
    const W: Float64Array[] = [];
    const u: Float64Array[] | null = wn ? [] : null, norm: Float64Array[] | null = wn ? [] : null;
    const bn: (BnStats & { xhat: Float64Array })[] | null = bnOn ? [] : null;
    let f = new Float64Array(0);
    for (let k = 0; k < L; k++) {
      const p = this.params[k];
      const lw = this.layerWeights(theta, p);
      W.push(lw.W);
      if (u !== null) u.push(lw.u!), norm!.push(lw.norm!);
      const A = new Float64Array(m * p.nOut);
      gemm(false, true, m, p.nOut, p.nIn, p.scale, H[k], p.nIn, lw.W, p.nIn, 0, A, p.nOut);
      if (p.b !== null) addRowVector(m, p.nOut, blockView(theta, p.b), A);
      if (k === L - 1) {
        f = A;
        break;
      }
      let Z: Float64Array = A;
      if (bn !== null) {
        const stats = fixed !== null ? fixed[k] : batchStats(m, p.nOut, A);
        Z = normalizeColumns(m, p.nOut, A, stats);
        bn.push({ ...stats, xhat: Z });
      }
      H.push(relu(Z));
    }
    return { m, H, W, u, norm, bn, bnFixed: fixed !== null, f };
  }

  /**
   * Backward pass with output cotangent G (length m): writes ∂(Σ G_α f_α)/∂θ into `out` (every block), returns
   * the intermediates the HVP needs.
   */
  private backward(theta: Float64Array, fw: Forward, G: Float64Array, out: Float64Array): Backward {
    const L = this.params.length, m = fw.m;
    const dA: Float64Array[] = new Array(L), dZ: (Float64Array | null)[] = new Array(L).fill(null), dW: Float64Array[] = new Array(L);
    dA[L - 1] = Float64Array.from(G);
    for (let k = L - 1; k >= 0; k--) {
      const p = this.params[k];
      const dWk = new Float64Array(p.nOut * p.nIn);
      gemm(true, false, p.nOut, p.nIn, m, p.scale, dA[k], p.nOut, fw.H[k], p.nIn, 0, dWk, p.nIn);
      dW[k] = dWk;
      if (p.g !== null) {
        wnBackward(p, blockView(theta, p.g), fw.u![k], fw.norm![k], dWk, blockView(out, p.w), blockView(out, p.g));
      } else {
        blockView(out, p.w).set(dWk);
      }
      if (p.b !== null) columnSums(m, p.nOut, dA[k], blockView(out, p.b));
      if (k === 0) break;
      const prev = this.params[k - 1];
      const dH = new Float64Array(m * prev.nOut);
      gemm(false, false, m, prev.nOut, p.nOut, p.scale, dA[k], p.nOut, fw.W[k], p.nIn, 0, dH, prev.nOut);
      maskInPlace(dH, fw.H[k]);
      if (fw.bn !== null) {
        dZ[k - 1] = dH;
        const { xhat, sigma } = fw.bn[k - 1];
        dA[k - 1] = fw.bnFixed ? divideColumns(m, prev.nOut, dH, sigma) : bnJacobian(m, prev.nOut, dH, xhat, sigma);
      } else {
        dA[k - 1] = dH;
      }
    }
    return { dA, dZ, dW };
  }

  /** Forward tangent: R{·} of every forward quantity in direction `dir` (train-mode BN). */
  private tangent(theta: Float64Array, fw: Forward, dir: Float64Array): Tangent {
    const L = this.params.length, m = fw.m;
    const RW: Float64Array[] = [], RH: (Float64Array | null)[] = [null];
    const RU: Float64Array[] | null = fw.u !== null ? [] : null, Rnorm: Float64Array[] | null = fw.u !== null ? [] : null;
    const Rxhat: (Float64Array | null)[] = new Array(L).fill(null), Rsigma: (Float64Array | null)[] = new Array(L).fill(null);
    let Rf = new Float64Array(0);
    for (let k = 0; k < L; k++) {
      const p = this.params[k];
      const Rv = blockView(dir, p.w);
      let RWk = Rv;
      if (p.g !== null) {
        const t = wnTangent(p, blockView(theta, p.g), blockView(dir, p.g), fw.u![k], fw.norm![k], Rv);
        RWk = t.RW;
        RU!.push(t.RU), Rnorm!.push(t.Rnorm);
      }
      RW.push(RWk);
      // R{A_k} = s (R{H_k} W_kᵀ + H_k R{W_k}ᵀ) + 1 R{b}ᵀ
      const RA = new Float64Array(m * p.nOut);
      gemm(false, true, m, p.nOut, p.nIn, p.scale, fw.H[k], p.nIn, RWk, p.nIn, 0, RA, p.nOut);
      const RHk = RH[k];
      if (RHk !== null) gemm(false, true, m, p.nOut, p.nIn, p.scale, RHk, p.nIn, fw.W[k], p.nIn, 1, RA, p.nOut);
      if (p.b !== null) addRowVector(m, p.nOut, blockView(dir, p.b), RA);
      if (k === L - 1) {
        Rf = RA;
        break;
      }
      // R{H_{k+1}} = R{x̂_k} ⊙ relu′ (BN: R{x̂} itself is kept unmasked for the backward tangent)
      let RHnext = RA;
      if (fw.bn !== null) {
        const { xhat, sigma } = fw.bn[k];
        const Rx = bnJacobian(m, p.nOut, RA, xhat, sigma);
        Rxhat[k] = Rx;
        Rsigma[k] = columnMeansOfProduct(m, p.nOut, xhat, RA); // R{σ} = mean(x̂ ⊙ R{a})
        RHnext = Float64Array.from(Rx);
      }
      maskInPlace(RHnext, fw.H[k + 1]);
      RH.push(RHnext);
    }
    return { RW, RH, RU, Rnorm, Rxhat, Rsigma, Rf };
  }

  /** Tangent of the backward pass (cotangent R{G} = RG): writes the loss part of the HVP into `out`. */
  private tangentBackward(theta: Float64Array, fw: Forward, bw: Backward, tg: Tangent, RG: Float64Array, dir: Float64Array, out: Float64Array): void {
    const L = this.params.length, m = fw.m;
    let RdA = RG;
    for (let k = L - 1; k >= 0; k--) {
      const p = this.params[k];
      const dA = bw.dA[k];
      // R{dW_k} = s (R{dA_k}ᵀ H_k + dA_kᵀ R{H_k})
      const RdW = new Float64Array(p.nOut * p.nIn);
      gemm(true, false, p.nOut, p.nIn, m, p.scale, RdA, p.nOut, fw.H[k], p.nIn, 0, RdW, p.nIn);
      const RHk = tg.RH[k];
      if (RHk !== null) gemm(true, false, p.nOut, p.nIn, m, p.scale, dA, p.nOut, RHk, p.nIn, 1, RdW, p.nIn);
      if (p.g !== null) {
        wnTangentBackward(p, blockView(theta, p.g), blockView(dir, p.g), fw.u![k], fw.norm![k], tg.RU![k], tg.Rnorm![k], bw.dW[k], RdW, blockView(out, p.w), blockView(out, p.g));
      } else {
        blockView(out, p.w).set(RdW);
      }
      if (p.b !== null) columnSums(m, p.nOut, RdA, blockView(out, p.b));
      if (k === 0) break;
      // R{dH_k} = s (R{dA_k} W_k + dA_k R{W_k}), masked by relu'(·) of layer k−1
      const prev = this.params[k - 1];
      const RdH = new Float64Array(m * prev.nOut);
      gemm(false, false, m, prev.nOut, p.nOut, p.scale, RdA, p.nOut, fw.W[k], p.nIn, 0, RdH, prev.nOut);
      gemm(false, false, m, prev.nOut, p.nOut, p.scale, dA, p.nOut, tg.RW[k], p.nIn, 1, RdH, prev.nOut);
      maskInPlace(RdH, fw.H[k]);
      if (fw.bn !== null) {
        const { xhat, sigma } = fw.bn[k - 1];
        RdA = bnJacobianTangent(m, prev.nOut, xhat, sigma, bw.dZ[k - 1]!, bw.dA[k - 1], RdH, tg.Rxhat[k - 1]!, tg.Rsigma[k - 1]!);
      } else {
        RdA = RdH;
      }
    }
  }
}

/**
 * What a run's summary says about the objective when it is not the plain mean loss (a ReLU MLP with weight
 * decay), else null.
 */
export function regularizedObjectiveNote(model: { kind: string }): string | null {
  if (!(model instanceof ReluMlp) || model.options.weightDecay === 0) return null;
  return `mean loss + (λ/2)‖θ‖², λ = ${model.options.weightDecay}: loss values, gradients, HVPs and the sharpness S are of this regularized objective; λ (NTK) and S_GN are not affected`;
}

/** Parameter count of a relu-mlp without building it. */
export function reluMlpParamCount(d: number, o: Pick<ReluMlpOptions, 'widths' | 'bias' | 'normalization'>): number {
  const dims = [d, ...o.widths, 1];
  let n = 0;
  for (let k = 0; k + 1 < dims.length; k++) n += dims[k + 1] * dims[k] + (o.bias ? dims[k + 1] : 0) + (o.normalization === 'weight' ? dims[k + 1] : 0);
  return n;
}

// ---- layer kernels (row-major m × n activations; every reduction over rows runs in increasing row order) ----

function blockView(theta: Float64Array, b: ParamBlock): Float64Array {
  return theta.subarray(b.offset, b.offset + b.rows * b.cols);
}

/** The selected rows of a data set as one dense float64 matrix. */
function gatherRows(data: Dataset, rows: Int32Array): Float64Array {
  const d = data.d;
  const out = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < d; j++) out[i * d + j] = data.X[rows[i] * d + j];
  return out;
}

function addRowVector(m: number, n: number, b: Float64Array, A: Float64Array): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) A[i * n + j] += b[j];
}

/** out[j] = Σ_α A[α, j] (overwrites out). */
function columnSums(m: number, n: number, A: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j] += A[i * n + j];
}

/** mean over rows of A ⊙ B, per column. */
function columnMeansOfProduct(m: number, n: number, A: Float64Array, B: Float64Array): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) s[j] += A[i * n + j] * B[i * n + j];
  for (let j = 0; j < n; j++) s[j] /= m;
  return s;
}

function relu(Z: Float64Array): Float64Array {
  const H = new Float64Array(Z.length);
  for (let i = 0; i < Z.length; i++) H[i] = Z[i] > 0 ? Z[i] : 0;
  return H;
}

/** G ← G ⊙ relu′: entries where the layer's output H is 0 (pre-activation ≤ 0) are zeroed. */
function maskInPlace(G: Float64Array, H: DataArray): void {
  for (let i = 0; i < G.length; i++) if (!(H[i] > 0)) G[i] = 0;
}

/** Mean and σ = √(var + ε) of each column over the m rows (biased variance, two passes). */
function batchStats(m: number, n: number, A: Float64Array): BnStats {
  const mu = new Float64Array(n), v = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mu[j] += A[i * n + j];
  for (let j = 0; j < n; j++) mu[j] /= m;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const c = A[i * n + j] - mu[j];
      v[j] += c * c;
    }
  }
  const sigma = new Float64Array(n);
  for (let j = 0; j < n; j++) sigma[j] = Math.sqrt(v[j] / m + BN_EPSILON);
  return { mu, sigma };
}

function normalizeColumns(m: number, n: number, A: Float64Array, s: BnStats): Float64Array {
  const Z = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Z[i * n + j] = (A[i * n + j] - s.mu[j]) / s.sigma[j];
  return Z;
}

function divideColumns(m: number, n: number, A: Float64Array, sigma: Float64Array): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = A[i * n + j] / sigma[j];
  return out;
}

/**
 * The Jacobian of train-mode BN applied to V (it is symmetric, so this is also its transpose, the backward
 * pass): per column, (v − mean(v) − x̂·mean(v ⊙ x̂))/σ.
 */
function bnJacobian(m: number, n: number, V: Float64Array, xhat: Float64Array, sigma: Float64Array): Float64Array {
  const mv = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mv[j] += V[i * n + j];
  for (let j = 0; j < n; j++) mv[j] /= m;
  const mvx = columnMeansOfProduct(m, n, V, xhat);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = (V[i * n + j] - mv[j] - xhat[i * n + j] * mvx[j]) / sigma[j];
  return out;
}

/**
 * R{dA} for the BN backward dA = (dz − mean(dz) − x̂·mean(dz ⊙ x̂))/σ:
 *   R{dA} = −(R{σ}/σ)·dA + (R{dz} − mean(R{dz}) − R{x̂}·mean(dz ⊙ x̂) − x̂·mean(R{dz} ⊙ x̂ + dz ⊙ R{x̂}))/σ.
 */
function bnJacobianTangent(
  m: number, n: number, xhat: Float64Array, sigma: Float64Array,
  dz: Float64Array, dA: Float64Array, Rdz: Float64Array, Rxhat: Float64Array, Rsigma: Float64Array,
): Float64Array {
  const mRdz = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mRdz[j] += Rdz[i * n + j];
  for (let j = 0; j < n; j++) mRdz[j] /= m;
  const mdzx = columnMeansOfProduct(m, n, dz, xhat);
  const a = columnMeansOfProduct(m, n, Rdz, xhat), b = columnMeansOfProduct(m, n, dz, Rxhat);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const q = i * n + j;
      out[q] = -(Rsigma[j] / sigma[j]) * dA[q] + (Rdz[q] - mRdz[j] - Rxhat[q] * mdzx[j] - xhat[q] * (a[j] + b[j])) / sigma[j];
    }
  }
  return out;
}

/** WN backward, row i: dg_i = dW_i·u_i, dV_i = (g_i/‖V_i‖)(dW_i − dg_i u_i). */
function wnBackward(p: LayerParams, g: Float64Array, u: Float64Array, norm: Float64Array, dW: Float64Array, outV: Float64Array, outG: Float64Array): void {
  const n = p.nIn;
  for (let i = 0; i < p.nOut; i++) {
    const o = i * n;
    const dg = dot(n, dW, o, u, o);
    outG[i] = dg;
    const c = g[i] / norm[i];
    for (let j = 0; j < n; j++) outV[o + j] = c * (dW[o + j] - dg * u[o + j]);
  }
}

/** WN forward tangent, row i: R{‖V_i‖} = u_i·R{V_i}, R{u_i} = (R{V_i} − R{‖V_i‖} u_i)/‖V_i‖, R{W_i} = R{g_i} u_i + g_i R{u_i}. */
function wnTangent(p: LayerParams, g: Float64Array, Rg: Float64Array, u: Float64Array, norm: Float64Array, Rv: Float64Array) {
  const n = p.nIn;
  const RW = new Float64Array(p.nOut * n), RU = new Float64Array(p.nOut * n), Rnorm = new Float64Array(p.nOut);
  for (let i = 0; i < p.nOut; i++) {
    const o = i * n;
    const rn = dot(n, u, o, Rv, o);
    Rnorm[i] = rn;
    for (let j = 0; j < n; j++) {
      RU[o + j] = (Rv[o + j] - rn * u[o + j]) / norm[i];
      RW[o + j] = Rg[i] * u[o + j] + g[i] * RU[o + j];
    }
  }
  return { RW, RU, Rnorm };
}

/**
 * Tangent of the WN backward, row i (c = g_i/‖V_i‖):
 *   R{dg_i} = R{dW_i}·u_i + dW_i·R{u_i},  R{c} = R{g_i}/‖V_i‖ − g_i R{‖V_i‖}/‖V_i‖²,
 *   R{dV_i} = R{c}(dW_i − dg_i u_i) + c(R{dW_i} − R{dg_i} u_i − dg_i R{u_i}).
 */
function wnTangentBackward(
  p: LayerParams, g: Float64Array, Rg: Float64Array, u: Float64Array, norm: Float64Array, RU: Float64Array, Rnorm: Float64Array,
  dW: Float64Array, RdW: Float64Array, outV: Float64Array, outG: Float64Array,
): void {
  const n = p.nIn;
  for (let i = 0; i < p.nOut; i++) {
    const o = i * n;
    const dg = dot(n, dW, o, u, o);
    const Rdg = dot(n, RdW, o, u, o) + dot(n, dW, o, RU, o);
    outG[i] = Rdg;
    const c = g[i] / norm[i];
    const Rc = Rg[i] / norm[i] - (g[i] * Rnorm[i]) / (norm[i] * norm[i]);
    for (let j = 0; j < n; j++) outV[o + j] = Rc * (dW[o + j] - dg * u[o + j]) + c * (RdW[o + j] - Rdg * u[o + j] - dg * RU[o + j]);
  }
}
