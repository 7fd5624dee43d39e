import { randomOrthonormal } from '../linalg/orthogonal.ts';
import { deriveSeed, Rng } from '../linalg/prng.ts';
import type { DeepLinear } from './deepLinear.ts';
import type { AnyModel } from './model.ts';

/**
 * NTK-parameterization init: every weight i.i.d. N(0, scale²) (scale = 1 is the standard). The ReLU MLP rescales
 * the same draws for its parameterization, biases and WN gains (the optional Model.gaussianParams).
 */
export function gaussianInit(model: AnyModel, seed: number, scale = 1): Float64Array {
  if (model.gaussianParams) return model.gaussianParams(seed, scale);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`init scale must be a positive number, got ${scale}`);
  return new Rng(deriveSeed(seed, 'init')).fillNormal(new Float64Array(model.numParams), scale);
}

/** Every parameter equal to `value` (the diagonal net's u₊ = u₋ = α·1, which starts at β = 0). */
export function constantInit(model: AnyModel, value: number): Float64Array {
  if (!Number.isFinite(value)) throw new RangeError(`init value must be a finite number, got ${value}`);
  return new Float64Array(model.numParams).fill(value);
}

/**
 * Every weight block = scale·O with O Haar-random orthogonal (one stream, blocks in order). For the matrix
 * factorization this is the balanced init: P(0) = scale^N·(orthogonal), all singular values exactly scale^N, and
 * W_{j+1}ᵀW_{j+1} = W_j W_jᵀ (Arora et al.'s balancedness). Needs square blocks.
 */
export function orthogonalInit(model: AnyModel, seed: number, scale = 1): Float64Array {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`init scale must be a positive number, got ${scale}`);
  const rng = new Rng(deriveSeed(seed, 'init/orthogonal'));
  const theta = new Float64Array(model.numParams);
  for (const l of model.layers) {
    if (l.rows !== l.cols) throw new RangeError(`'orthogonal' init needs square weight blocks; ${model.kind} block ${l.name} is ${l.rows}×${l.cols}`);
    const O = randomOrthonormal(rng, l.rows, l.cols);
    for (let i = 0; i < O.length; i++) theta[l.offset + i] = scale * O[i];
  }
  return theta;
}

/**
 * Two-layer (uv) net with prescribed output f0 and NTK curvature λ0 on degenerate data
 * x = (1,…,1) (theory §6): a_i = √(λ0/2), U = a 1ᵀ/√d, c0 = 2 f0/(λ0 √n), s0 = √(1 − c0²),
 * v_i = √(λ0/2)(c0 + s0 (−1)^i). Needs an even width and |c0| ≤ 1.
 */
export function prescribedInit(model: DeepLinear, f0: number, lambda0: number): Float64Array {
  const n = model.width;
  if (model.depth !== 2) throw new RangeError(`prescribed init is defined for the two-layer net (depth 2), got depth ${model.depth}`);
  if (n % 2 !== 0) throw new RangeError(`prescribed init needs an even width, got ${n}`);
  if (!(lambda0 > 0)) throw new RangeError(`prescribed init needs lambda0 > 0, got ${lambda0}`);
  const c0 = (2 * f0) / (lambda0 * Math.sqrt(n));
  if (!(Math.abs(c0) <= 1)) {
    throw new RangeError(`prescribed init: |f0| must be ≤ λ0·√n/2 = ${(lambda0 * Math.sqrt(n)) / 2}, got f0 = ${f0}`);
  }
  const s0 = Math.sqrt(1 - c0 * c0);
  const a = Math.sqrt(lambda0 / 2);
  const theta = new Float64Array(model.numParams);
  const U = model.layerView(theta, 0);
  const v = model.layerView(theta, 1);
  const d = model.d;
  const u = a / Math.sqrt(d);
  U.fill(u);
  for (let i = 0; i < n; i++) v[i] = a * (c0 + s0 * (i % 2 === 0 ? 1 : -1));
  return theta;
}
