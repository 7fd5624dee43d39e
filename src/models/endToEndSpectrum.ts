import { singularValues } from '../linalg/svd.ts';
import { DeepLinear } from './deepLinear.ts';
import { MatrixFactorization } from './matrixFactorization.ts';
import type { AnyModel } from './model.ts';

/**
 * Singular values (descending) of a model's end-to-end linear map, the read-out of incremental learning
 * (neighbours §B: deep matrix sensing learns the target's singular values one at a time):
 *  - matrix factorization: σ(P), P = W_N⋯W_1;
 *  - deep linear net: σ of the map from x to the last hidden layer, M = (W_{L−1}/√n)⋯(W_1/√d) (NTK scales
 *    included, the read-out v excluded: f = vᵀM x/√n), an n×d matrix; for the uv net M = U/√d.
 * Other model kinds have no such map: an error naming the kind. `k` keeps the top k (all when absent).
 * Browser-safe.
 */
export function endToEndSingularValues(model: AnyModel, theta: Float64Array, k?: number): Float64Array {
  let sv: Float64Array;
  if (model instanceof MatrixFactorization) {
    sv = singularValues(model.product(theta), model.n, model.n);
  } else if (model instanceof DeepLinear) {
    const M = hiddenMap(model, theta);
    sv = singularValues(M, model.width, model.d);
  } else {
    throw new RangeError(`singular values of the end-to-end map (record.singularValues) are defined for the matrix-factorization and deep-linear models, not '${model.kind}'`);
  }
  return k === undefined ? sv : sv.slice(0, k);
}

/** M = (W_{L−1}/√cols)⋯(W_1/√d), width × d row-major. */
function hiddenMap(model: DeepLinear, theta: Float64Array): Float64Array {
  model.checkTheta(theta);
  const { width: n, d } = model;
  const first = model.layers[0];
  let M = new Float64Array(n * d);
  const W1 = model.layerView(theta, 0);
  for (let i = 0; i < M.length; i++) M[i] = first.scale * W1[i];
  for (let k = 1; k < model.depth - 1; k++) {
    const l = model.layers[k];
    const W = model.layerView(theta, k);
    const next = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < n; p++) {
        const w = l.scale * W[i * n + p];
        if (w === 0) continue;
        for (let j = 0; j < d; j++) next[i * d + j] += w * M[p * d + j];
      }
    }
    M = next;
  }
  return M;
}
