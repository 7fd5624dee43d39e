/**
 * Where a learning-rate policy meets the curvature: the steps at which η(t)·S_t crosses 2 (GD on
 * a quadratic with curvature S is stable iff η·S < 2). Curvature is measured at some recorded
 * steps only, so a crossing is reported at the first measured step on the new side.
 * Browser-safe.
 */
export interface StabilityRow {
  step: number;
  eta: number;
  /** S_t (NaN where not measured) */
  sharpness: number;
}

export interface EdgeCrossing {
  step: number;
  /** 'up': η·S went from < 2 to ≥ 2; 'down': back below 2 */
  direction: 'up' | 'down';
  etaSharpness: number;
}

export function edgeCrossings(rows: readonly StabilityRow[]): EdgeCrossing[] {
  const out: EdgeCrossing[] = [];
  let above: boolean | null = null;
  for (const r of rows) {
    const x = r.eta * r.sharpness;
    if (!Number.isFinite(x)) continue;
    const now = x >= 2;
    if (above !== null && now !== above) out.push({ step: r.step, direction: now ? 'up' : 'down', etaSharpness: x });
    above = now;
  }
  return out;
}

/** True when η(t)·S_t < 2 at every measured step (the run never left the stable region). */
export function alwaysBelowEdge(rows: readonly StabilityRow[]): boolean {
  return rows.every((r) => !Number.isFinite(r.eta * r.sharpness) || r.eta * r.sharpness < 2);
}

/** Relative tolerance of a loss rise: round-off is not a rise. */
const RISE_TOL = 1e-9;

/** Recorded steps at which the loss rose above the previous recorded value. */
export function lossRises(rows: readonly { step: number; loss: number }[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < rows.length; i++) if (rows[i].loss > rows[i - 1].loss * (1 + RISE_TOL)) out.push(rows[i].step);
  return out;
}

export interface CatapultEvent {
  /** first recorded step of the rise, step of the peak, first step back at or below the pre-rise loss (null: never) */
  start: number;
  peak: number;
  end: number | null;
  lossBefore: number;
  lossPeak: number;
  lambdaBefore: number;
  lambdaAfter: number;
}

/**
 * Catapult events: a loss rise (from row i−1 to i) that is followed, once the loss is back at or
 * below its pre-rise value (or at the end of the run), by a curvature clearly lower than before
 * the rise: λ_after < 0.99·λ_before, with λ_before the last measured λ up to row i−1 and
 * λ_after the first measured λ from the return on (the last one if the loss never returns).
 * Rises without such a drop (e.g. oscillations that leave λ alone) are not events.
 */
export function catapultEvents(rows: readonly { step: number; loss: number; lambda: number }[]): CatapultEvent[] {
  const out: CatapultEvent[] = [];
  let i = 1;
  while (i < rows.length) {
    if (!(rows[i].loss > rows[i - 1].loss * (1 + RISE_TOL))) {
      i++;
      continue;
    }
    const before = rows[i - 1].loss;
    let peak = i, j = i;
    while (j < rows.length && !(rows[j].loss <= before)) {
      if (rows[j].loss > rows[peak].loss) peak = j;
      j++;
    }
    let lb = NaN;
    for (let k = i - 1; k >= 0 && Number.isNaN(lb); k--) if (Number.isFinite(rows[k].lambda)) lb = rows[k].lambda;
    let la = NaN;
    for (let k = j; k < rows.length && Number.isNaN(la); k++) if (Number.isFinite(rows[k].lambda)) la = rows[k].lambda;
    for (let k = rows.length - 1; k >= i && Number.isNaN(la); k--) if (Number.isFinite(rows[k].lambda)) la = rows[k].lambda;
    if (la < 0.99 * lb) out.push({ start: rows[i].step, peak: rows[peak].step, end: j < rows.length ? rows[j].step : null, lossBefore: before, lossPeak: rows[peak].loss, lambdaBefore: lb, lambdaAfter: la });
    i = Math.max(j, i + 1);
  }
  return out;
}

/** Read-outs of the edge of stability (Cohen et al. 2021) from one run's measured η_t·S_t. */
export interface EdgeOfStabilityReadouts {
  /** first measured step with η·S ≥ `reach` (null: never) */
  stepReached: number | null;
  /** fraction of the measured steps after `stepReached` with η·S inside `band` (null when never reached or nothing after) */
  fractionInBand: number | null;
  /** measured steps after `stepReached` */
  stepsAfter: number;
  /** largest measured η·S */
  max: number;
  /** S at the first and last measured step */
  sharpnessFirst: number;
  sharpnessLast: number;
}

/**
 * Progressive sharpening and the edge of stability in numbers: when η_t·S_t first reaches `reach` (default 1.9),
 * and how much of the rest of the run it then spends inside `band` (default [1.8, 2.2]): "hovering at 2".
 */
export function edgeOfStabilityReadouts(rows: readonly StabilityRow[], opts: { reach?: number; band?: readonly [number, number] } = {}): EdgeOfStabilityReadouts {
  const reach = opts.reach ?? 1.9;
  const [lo, hi] = opts.band ?? [1.8, 2.2];
  const measured = rows.filter((r) => Number.isFinite(r.eta * r.sharpness));
  const at = measured.findIndex((r) => r.eta * r.sharpness >= reach);
  const after = at < 0 ? [] : measured.slice(at + 1);
  const inBand = after.filter((r) => r.eta * r.sharpness >= lo && r.eta * r.sharpness <= hi).length;
  return {
    stepReached: at < 0 ? null : measured[at].step,
    fractionInBand: after.length === 0 ? null : inBand / after.length,
    stepsAfter: after.length,
    max: measured.reduce((m, r) => Math.max(m, r.eta * r.sharpness), -Infinity),
    sharpnessFirst: measured.length ? measured[0].sharpness : NaN,
    sharpnessLast: measured.length ? measured[measured.length - 1].sharpness : NaN,
  };
}
