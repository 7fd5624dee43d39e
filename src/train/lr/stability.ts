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
