import type { DataArray } from '../linalg/blas.ts';

/**
 * A binary-classification (or regression) data set: m rows of X (m×d, row-major) and targets y.
 * For classification y ∈ {−1, +1}. X may be float32 to halve memory traffic; every
 * computation on it accumulates in float64.
 */
export interface Dataset {
  readonly m: number;
  readonly d: number;
  readonly X: DataArray;
  readonly y: Float64Array;
  /** Human-readable provenance, e.g. "degenerate(m=100,d=10,p=0.3)". */
  readonly name: string;
}

export function makeDataset(X: DataArray, y: Float64Array, d: number, name: string): Dataset {
  if (d <= 0 || !Number.isInteger(d)) throw new RangeError(`dataset: d must be a positive integer, got ${d}`);
  if (X.length % d !== 0) throw new RangeError(`dataset: X has ${X.length} entries, not a multiple of d = ${d}`);
  const m = X.length / d;
  if (y.length !== m) throw new RangeError(`dataset: ${m} rows of X but ${y.length} labels`);
  return { m, d, X, y, name };
}
