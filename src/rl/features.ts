/**
 * State–action feature maps φ(s, a) for value regression: a scalar network on φ(s, a) is a Q(s, a).
 * A feature matrix is m×d row-major float64, ready to be a Dataset's X (see featureDataset).
 */
import { deriveSeed, Rng } from '../linalg/prng.ts';
import { cos } from '../linalg/detmath.ts';
import { makeDataset, type Dataset } from '../data/dataset.ts';
import type { Gridworld } from './gridworld.ts';

export interface FeatureMap {
  readonly d: number;
  readonly name: string;
  /** Writes φ(s, a) into out[offset .. offset + d). */
  write(s: number, a: number, out: Float64Array, offset: number): void;
}

/** One-hot of the pair: φ(s, a) = e_{s·A + a} ∈ R^{S·A} (the tabular case). */
export function oneHotFeatures(S: number, A: number): FeatureMap {
  return {
    d: S * A,
    name: `oneHot(S=${S},A=${A})`,
    write(s, a, out, offset) {
      out.fill(0, offset, offset + S * A);
      out[offset + s * A + a] = 1;
    },
  };
}

/**
 * Gridworld coordinates normalised to [0, 1] (x/(width−1), y/(height−1); 0 on a 1-wide axis)
 * followed by a one-hot of the action: d = 2 + A.
 */
export function gridCoordinateFeatures(g: Gridworld): FeatureMap {
  const sx = g.width > 1 ? 1 / (g.width - 1) : 0;
  const sy = g.height > 1 ? 1 / (g.height - 1) : 0;
  return {
    d: 2 + g.A,
    name: `gridXY+oneHotAction(${g.width}x${g.height})`,
    write(s, a, out, offset) {
      const c = g.cellOf[s]!;
      out[offset] = (c % g.width) * sx;
      out[offset + 1] = Math.floor(c / g.width) * sy;
      out.fill(0, offset + 2, offset + 2 + g.A);
      out[offset + 2 + a] = 1;
    },
  };
}

export interface RandomFourierOptions {
  /** Number of features D. */
  D: number;
  seed: number;
  /** Gaussian-kernel bandwidth ℓ: W ~ N(0, 1/ℓ²), so E[φ(z)·φ(z′)] = exp(−‖z − z′‖²/(2ℓ²)). Default 1. */
  bandwidth?: number;
}

export interface RandomFourierMap extends FeatureMap {
  /** D × base.d frequencies, row-major. */
  readonly W: Float64Array;
  /** D phases in [0, 2π). */
  readonly b: Float64Array;
}

/**
 * Random Fourier features (Rahimi & Recht) of a base map z = ψ(s, a): φ = √(2/D) cos(W z + b).
 * cos is detmath's (fdlibm), so features are bit-identical across engines.
 */
export function randomFourierFeatures(base: FeatureMap, { D, seed, bandwidth = 1 }: RandomFourierOptions): RandomFourierMap {
  if (!Number.isInteger(D) || D < 1) throw new RangeError(`randomFourierFeatures: D must be a positive integer, got ${D}`);
  if (!(bandwidth > 0)) throw new RangeError(`randomFourierFeatures: bandwidth must be positive, got ${bandwidth}`);
  const k = base.d;
  const W = new Rng(deriveSeed(seed, 'rl.rff.W')).fillNormal(new Float64Array(D * k), 1 / bandwidth);
  const prng = new Rng(deriveSeed(seed, 'rl.rff.b'));
  const b = new Float64Array(D);
  for (let j = 0; j < D; j++) b[j] = 2 * Math.PI * prng.uniform();
  const z = new Float64Array(k);
  const scale = Math.sqrt(2 / D);
  return {
    d: D,
    name: `rff(D=${D},ℓ=${bandwidth},seed=${seed};${base.name})`,
    W,
    b,
    write(s, a, out, offset) {
      base.write(s, a, z, 0);
      for (let j = 0; j < D; j++) {
        let acc = b[j]!;
        for (let i = 0; i < k; i++) acc += W[j * k + i]! * z[i]!;
        out[offset + j] = scale * cos(acc);
      }
    },
  };
}

export interface FeatureMatrix {
  /** m × d row-major. */
  readonly X: Float64Array;
  readonly m: number;
  readonly d: number;
}

/** Rows φ(s_i, a_i) for parallel arrays of states and actions (e.g. a Transitions' s and a). */
export function featureMatrix(map: FeatureMap, s: ArrayLike<number>, a: ArrayLike<number>): FeatureMatrix {
  if (s.length !== a.length) throw new RangeError(`featureMatrix: ${s.length} states but ${a.length} actions`);
  const m = s.length;
  const X = new Float64Array(m * map.d);
  for (let i = 0; i < m; i++) map.write(s[i]!, a[i]!, X, i * map.d);
  return { X, m, d: map.d };
}

/** Rows φ(s, a) for every pair in order s·A + a: the matrix whose products give a full Q table. */
export function allPairsFeatureMatrix(map: FeatureMap, S: number, A: number): FeatureMatrix {
  const s = new Int32Array(S * A);
  const a = new Int32Array(S * A);
  for (let row = 0; row < S * A; row++) {
    s[row] = Math.floor(row / A);
    a[row] = row % A;
  }
  return featureMatrix(map, s, a);
}

/** A regression Dataset with X = the feature matrix and y = targets (one per row). */
export function featureDataset(features: FeatureMatrix, targets: Float64Array, name: string): Dataset {
  return makeDataset(features.X, targets, features.d, name);
}
