import type { Dataset } from '../data/dataset.ts';
import type { AnyModel } from '../models/model.ts';
import { DEFAULT_SRANK_DELTA, srank } from '../linalg/srank.ts';

/**
 * `record.srank`: srank_δ (δ = 0.01, src/linalg/srank.ts) of every hidden representation of the model on the
 * training data, as metric columns `srank_<layer>` (srank_h1, srank_h2, … for a deep linear net: X W₁ᵀ⋯/√·).
 * Models without hidden representations give no columns; a representation with non-finite entries gives NaN.
 */
export const SRANK_COLUMN_PREFIX = 'srank_';

export function srankColumns(model: AnyModel, theta: Float64Array, data: Dataset, delta = DEFAULT_SRANK_DELTA): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of model.hiddenRepresentations?.(theta, data) ?? []) {
    out[`${SRANK_COLUMN_PREFIX}${h.name}`] = h.values.every(Number.isFinite) ? srank(h.values, h.rows, h.cols, delta) : NaN;
  }
  return out;
}
