import type { Dataset } from '../data/dataset.ts';
import { lossValueAndD1, type Loss } from '../losses/losses.ts';
import { rowsDotThenCombine } from './passes.ts';

/**
 * The one data pass of a model that is linear in x (f_α = β·x_α): outputs, mean loss, ℓ′ and the gradient's
 * aggregated input r = (1/m) Σ ℓ′_α x_α over the evaluated rows. Shared by every linear-in-x model so they
 * round alike.
 */
export function linearOutputs(beta: Float64Array, data: Dataset, loss: Loss, rows: Int32Array | null): { value: number; f: Float64Array; d1: Float64Array; r: Float64Array } {
  const count = rows === null ? data.m : rows.length;
  const f = new Float64Array(count);
  const d1 = new Float64Array(count);
  const y = data.y;
  const inv = 1 / count;
  let total = 0;
  const r = new Float64Array(data.d);
  const valueAndD1 = lossValueAndD1(loss);
  rowsDotThenCombine(data.X, data.d, rows, count, beta, (i, s) => {
    const yi = y[rows === null ? i : rows[i]];
    f[i] = s;
    total += valueAndD1(s, yi, d1, i);
    return d1[i] * inv;
  }, r);
  return { value: total * inv, f, d1, r };
}
