/**
 * Matrix sensing data (neighbours §B, deep matrix sensing): a low-rank target W* = U diag(s) Vᵀ (n×n, U and V
 * Haar-random with orthonormal columns) observed through m Gaussian linear measurements
 *   y_α = ⟨A_α, W*⟩ = Σ_ij (A_α)_ij W*_ij,   (A_α)_ij ~ N(0, 1) i.i.d.,
 * each input row x_α = vec(A_α) (row-major, d = n²). The labels are real numbers, not ±1: train with the
 * squared loss ½(f − y)², whose mean over the measurements has expectation ½‖P − W*‖_F² + const over the
 * draw of A (E[AAᵀ-products] = I), so the population problem is exactly matrix recovery.
 * Deterministic from the seed (separate streams for the target and the measurements). Browser-safe.
 */
import { deriveSeed, Rng } from '../linalg/prng.ts';
import { randomOrthonormal } from '../linalg/orthogonal.ts';
import { makeDataset, type Dataset } from './dataset.ts';

export interface MatrixSensingOptions {
  /** side of the square target (d = n²) */
  n: number;
  /** rank of the target */
  rank: number;
  /** number of measurements */
  m: number;
  seed: number;
  /** the target's singular values (length rank, positive); default 12/i, i = 1..rank (§B's diag(12, 6, 4, 3) for rank 4) */
  singularValues?: readonly number[];
}

export interface MatrixSensingDataset extends Dataset {
  /** W* (n×n row-major) */
  readonly target: Float64Array;
  /** its singular values, descending */
  readonly targetSingularValues: Float64Array;
  readonly n: number;
}

/** The default target spectrum: 12/i for i = 1..rank. */
export function defaultSensingSpectrum(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => 12 / (i + 1));
}

export function matrixSensingData({ n, rank, m, seed, singularValues }: MatrixSensingOptions): MatrixSensingDataset {
  for (const [k, v] of Object.entries({ n, rank, m })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`matrixSensingData: ${k} must be a positive integer, got ${v}`);
  }
  if (rank > n) throw new RangeError(`matrixSensingData: rank ${rank} exceeds n = ${n}`);
  const s = singularValues === undefined ? defaultSensingSpectrum(rank) : [...singularValues];
  if (s.length !== rank) throw new RangeError(`matrixSensingData: singularValues has ${s.length} entries, expected rank = ${rank}`);
  if (!s.every((v) => v > 0 && Number.isFinite(v))) throw new RangeError(`matrixSensingData: singularValues must be positive and finite, got [${s.join(', ')}]`);
  const sorted = Float64Array.from(s).sort().reverse();
  const targetRng = new Rng(deriveSeed(seed, 'matrixSensing/target'));
  const U = randomOrthonormal(targetRng, n, rank);
  const V = randomOrthonormal(targetRng, n, rank);
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < rank; k++) acc += U[i * rank + k] * sorted[k] * V[j * rank + k];
      W[i * n + j] = acc;
    }
  }
  const d = n * n;
  const X = new Rng(deriveSeed(seed, 'matrixSensing/measurements')).fillNormal(new Float64Array(m * d));
  const y = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    let acc = 0;
    for (let i = 0; i < d; i++) acc += X[a * d + i] * W[i];
    y[a] = acc;
  }
  const name = `matrixSensing(n=${n},rank=${rank},m=${m},s=[${Array.from(sorted).join(',')}],seed=${seed})`;
  return { ...makeDataset(X, y, d, name), target: W, targetSingularValues: sorted, n };
}
