import type { ModelEvaluation } from './model.ts';

/** ℓ''(f_α, y_α) for every evaluated sample, cached on the evaluation (the same for every model). */
export function lossSecondDerivatives(ev: ModelEvaluation): Float64Array {
  if (ev.d2 === null) {
    const d2 = new Float64Array(ev.f.length);
    const { rows, data } = ev;
    for (let i = 0; i < d2.length; i++) d2[i] = ev.loss.d2(ev.f[i], data.y[rows === null ? i : rows[i]]);
    ev.d2 = d2;
  }
  return ev.d2;
}
