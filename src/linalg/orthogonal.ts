import type { Rng } from './prng.ts';

/**
 * A random rows×cols matrix (row-major, cols ≤ rows) with orthonormal columns, Haar-distributed: the Q of the QR
 * factorisation (with R's diagonal made positive) of a Gaussian matrix, by modified Gram–Schmidt applied twice
 * (the second pass restores orthogonality to working precision). Deterministic given the generator's state.
 * Browser-safe.
 */
export function randomOrthonormal(rng: Rng, rows: number, cols: number): Float64Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || cols > rows) {
    throw new RangeError(`randomOrthonormal: need integers 1 ≤ cols ≤ rows, got ${rows}×${cols}`);
  }
  // columns stored contiguously while orthogonalising
  const C = rng.fillNormal(new Float64Array(rows * cols));
  for (let j = 0; j < cols; j++) {
    const cj = j * rows;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const ck = k * rows;
        let s = 0;
        for (let i = 0; i < rows; i++) s += C[ck + i] * C[cj + i];
        for (let i = 0; i < rows; i++) C[cj + i] -= s * C[ck + i];
      }
    }
    let nrm = 0;
    for (let i = 0; i < rows; i++) nrm += C[cj + i] * C[cj + i];
    nrm = Math.sqrt(nrm);
    // a Gaussian column in the span of the previous ones has probability zero
    if (!(nrm > 0)) throw new RangeError('randomOrthonormal: degenerate draw');
    for (let i = 0; i < rows; i++) C[cj + i] /= nrm;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = C[j * rows + i];
  return out;
}
