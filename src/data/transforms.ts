/**
 * Row selection, splitting and feature scaling (browser-safe). Nothing mutates its input.
 */
import type { DataArray } from '../linalg/blas.ts';
import { deriveSeed, Rng } from '../linalg/prng.ts';
import { makeDataset, type Dataset } from './dataset.ts';

/** The rows `indices` of ds, in that order, keeping the storage type (float32 stays float32). */
export function selectRows(ds: Dataset, indices: ArrayLike<number>, name = `${ds.name}[${indices.length} rows]`): Dataset {
  const { d, m } = ds;
  const k = indices.length;
  const X: DataArray = ds.X instanceof Float32Array ? new Float32Array(k * d) : new Float64Array(k * d);
  const y = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    const i = indices[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= m) throw new RangeError(`selectRows: index ${i} out of range [0, ${m})`);
    X.set(ds.X.subarray(i * d, (i + 1) * d), r * d);
    y[r] = ds.y[i]!;
  }
  return makeDataset(X, y, d, name);
}

function permutation(m: number, seed: number, label: string): Int32Array {
  const perm = new Int32Array(m);
  for (let i = 0; i < m; i++) perm[i] = i;
  return new Rng(deriveSeed(seed, label)).shuffle(perm);
}

export interface Split {
  train: Dataset;
  test: Dataset;
  /** Row indices into the original data set (shuffled order, as used in train/test). */
  trainIndices: Int32Array;
  testIndices: Int32Array;
}

/**
 * Seeded random split: round(testFraction·m) rows go to test, the rest to train, both in shuffled
 * order. Both parts must be non-empty.
 */
export function trainTestSplit(ds: Dataset, { testFraction, seed }: { testFraction: number; seed: number }): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`trainTestSplit: testFraction must be in (0, 1), got ${testFraction}`);
  const nTest = Math.round(testFraction * ds.m);
  if (nTest === 0 || nTest === ds.m) {
    throw new RangeError(`trainTestSplit: testFraction ${testFraction} of ${ds.m} rows leaves an empty train or test set`);
  }
  const perm = permutation(ds.m, seed, 'trainTestSplit');
  const trainIndices = perm.slice(0, ds.m - nTest);
  const testIndices = perm.slice(ds.m - nTest);
  return {
    train: selectRows(ds, trainIndices, `${ds.name}[train]`),
    test: selectRows(ds, testIndices, `${ds.name}[test]`),
    trainIndices,
    testIndices,
  };
}

/** k distinct rows chosen uniformly at random (seeded), kept in their original order. */
export function subsample(ds: Dataset, k: number, seed: number): Dataset {
  if (!Number.isInteger(k) || k < 1 || k > ds.m) throw new RangeError(`subsample: k must be an integer in [1, ${ds.m}], got ${k}`);
  const rows = permutation(ds.m, seed, 'subsample').slice(0, k).sort();
  return selectRows(ds, rows, `${ds.name}[subsample ${k},seed=${seed}]`);
}

/** The same data stored as float32 (halves memory traffic; arithmetic stays float64). */
export function toFloat32(ds: Dataset): Dataset {
  if (ds.X instanceof Float32Array) return ds;
  return makeDataset(Float32Array.from(ds.X), ds.y, ds.d, ds.name);
}

/**
 * Per-feature affine map x_j → (x_j − mean_j)/std_j. `std` is the population standard deviation
 * (divisor m) of the training data, replaced by 1 for constant features, so those are only centred.
 */
export interface Standardization {
  mean: Float64Array;
  std: Float64Array;
}

/** Apply a standardization computed elsewhere (e.g. on the training set). Output is float64. */
export function applyStandardization(ds: Dataset, { mean, std }: Standardization): Dataset {
  const { m, d } = ds;
  if (mean.length !== d || std.length !== d) throw new RangeError(`applyStandardization: stats have ${mean.length} features, data have ${d}`);
  const X = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = (ds.X[i * d + j]! - mean[j]!) / std[j]!;
  }
  return makeDataset(X, ds.y, d, `${ds.name}[standardized]`);
}

/**
 * Standardize features with statistics of `train` only (no test leakage), applied to both.
 * Inputs then have ‖x‖² ≈ d, the scale the networks expect (theory §2). Output is float64;
 * call `toFloat32` afterwards if wanted.
 */
export function standardize(train: Dataset, test?: Dataset): Standardization & { train: Dataset; test?: Dataset } {
  const { m, d } = train;
  if (test && test.d !== d) throw new RangeError(`standardize: train has ${d} features, test has ${test.d}`);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) {
      const v = train.X[i * d + j]!;
      mean[j] += v;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  for (let j = 0; j < d; j++) mean[j] /= m;
  // Corrected two-pass algorithm: the residual sum fixes the mean's rounding error, so the
  // result is accurate even when |mean| ≫ std.
  const resid = new Float64Array(d);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) {
      const c = train.X[i * d + j]! - mean[j]!;
      resid[j] += c;
      std[j] += c * c;
    }
  }
  for (let j = 0; j < d; j++) {
    mean[j] += resid[j]! / m;
    // "Constant" means exactly constant: any real spread, however small, is rescaled to 1.
    std[j] = min[j] === max[j] ? 1 : Math.sqrt((std[j]! - (resid[j]! * resid[j]!) / m) / m);
  }
  const stats = { mean, std };
  const out: Standardization & { train: Dataset; test?: Dataset } = { ...stats, train: applyStandardization(train, stats) };
  if (test) out.test = applyStandardization(test, stats);
  return out;
}

/**
 * Label noise: exactly round(fraction·m) labels flipped (y → −y), the rows chosen by a seeded
 * permutation. An exact count (not a coin per row) keeps the noise level the same for every seed.
 */
export function flipLabels(ds: Dataset, fraction: number, seed: number): Dataset {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`flipLabels: fraction must be in [0, 1], got ${fraction}`);
  const k = Math.round(fraction * ds.m);
  if (k === 0) return ds;
  const y = Float64Array.from(ds.y);
  const rows = permutation(ds.m, seed, 'labelNoise');
  for (let r = 0; r < k; r++) y[rows[r]!] = -y[rows[r]!]!;
  return makeDataset(ds.X, y, ds.d, `${ds.name}[${k} labels flipped, seed ${seed}]`);
}

/**
 * Average pooling of images (rows of X in row-major h×w pixel order) over k×k blocks: h×w → (h/k)×(w/k).
 * Fewer features make a subsample of a fixed size harder to separate linearly (Cover: random
 * labels are separable up to m ≈ 2d), and every data pass cheaper.
 */
export function poolImages(ds: Dataset, shape: readonly [number, number], k: number): Dataset {
  const [h, w] = shape;
  if (h * w !== ds.d) throw new RangeError(`poolImages: image shape ${h}×${w} does not match ${ds.d} features`);
  if (!Number.isInteger(k) || k < 1 || h % k !== 0 || w % k !== 0) throw new RangeError(`poolImages: pool size ${k} must divide the image sides ${h} and ${w}`);
  if (k === 1) return ds;
  const H = h / k, W = w / k, D = H * W;
  const X: DataArray = ds.X instanceof Float32Array ? new Float32Array(ds.m * D) : new Float64Array(ds.m * D);
  for (let i = 0; i < ds.m; i++) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        let s = 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) s += ds.X[i * ds.d + (r * k + a) * w + c * k + b]!;
        X[i * D + r * W + c] = s / (k * k);
      }
    }
  }
  return makeDataset(X, ds.y, D, `${ds.name}[pooled ${k}×${k}]`);
}
