/**
 * `node --import tsx bench/neighbours.ts`: speed of the standalone neighbour tools: the thin SVD / srank of a
 * 1000 × 64 feature matrix. Prints numbers; asserts nothing. (The diagonal-net flow and GD step: bench/diagonal.ts.)
 */
import { Rng } from '../src/linalg/prng.ts';
import { srank } from '../src/linalg/srank.ts';

{
  const m = 1000, n = 64;
  const rng = new Rng(1);
  const phi = new Float64Array(m * n).map(() => rng.normal());
  srank(phi, m, n); // warm-up
  const t = performance.now();
  const reps = 5;
  let k = 0;
  for (let i = 0; i < reps; i++) k = srank(phi, m, n);
  console.log(`srank (one-sided Jacobi SVD) of a ${m} × ${n} Gaussian matrix: ${((performance.now() - t) / reps).toFixed(1)} ms (srank_0.01 = ${k})`);
}
