/**
 * Axis ranges of the charts. x: all steps, or the early steps where a catapult happens (the loss
 * spike of a 1000-step run is over in a few dozen steps and would otherwise be a sliver at the
 * left edge). y: the data plus reference values that must stay in view (λ/λ0 = 1, η·S = 2), so a
 * 0.1 % drift does not fill the chart. Pure: the page applies them to its charts.
 */
export type StepView = 'all' | 'early';

/** The end of the "early steps" view: four times the step of the loss peak, at least 50, at most T. */
export function earlyStepsEnd(rows: readonly { step: number; loss: number }[], T: number): number {
  let peak = 0, max = -Infinity;
  for (const r of rows) {
    if (Number.isFinite(r.loss) && r.loss > max) {
      max = r.loss;
      peak = r.step;
    }
  }
  return Math.max(1, Math.min(T, Math.max(50, 4 * peak)));
}

/** The x range of a view (null: the data's own extent). */
export function stepRange(view: StepView, rows: readonly { step: number; loss: number }[], T: number): [number, number] | null {
  return view === 'early' ? [0, earlyStepsEnd(rows, T)] : null;
}

/** A y range covering the data and every value of `include`, padded by 5 %. */
export function includeRange(min: number | null, max: number | null, include: number[]): [number, number] {
  let lo = Math.min(...include), hi = Math.max(...include);
  if (min !== null && Number.isFinite(min)) lo = Math.min(lo, min);
  if (max !== null && Number.isFinite(max)) hi = Math.max(hi, max);
  if (hi === lo) hi = lo + 1;
  const pad = 0.05 * (hi - lo);
  return [lo - (lo === 0 ? 0 : pad), hi + pad];
}

