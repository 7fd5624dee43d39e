/**
 * Where the labels of a chart's reference lines go: outside the plot area, so they never cover
 * the data. Horizontal lines (η·S = 2) are labelled in the right margin at their height;
 * vertical lines (c*, c_max) above the plot at their x, on a second row when two would collide.
 * Pure geometry, in canvas pixels.
 */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface PlacedLabel {
  text: string;
  /** left x and baseline y of the text */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Margins (CSS px) the chart reserves for the labels: right for horizontal lines, top for vertical ones. */
export const LABEL_MARGIN = { right: 64, top: 30, rowHeight: 13, gap: 4 };

export function placeRefLabels(
  plot: Box,
  hLines: { y: number; text: string }[],
  vLines: { x: number; text: string }[],
  measure: (text: string) => number,
  px = 1,
): PlacedLabel[] {
  const out: PlacedLabel[] = [];
  const h = 11 * px;
  const gap = LABEL_MARGIN.gap * px;
  for (const l of hLines) {
    if (!(l.y >= plot.top && l.y <= plot.top + plot.height)) continue;
    out.push({ text: l.text, x: plot.left + plot.width + gap, y: l.y + h / 2 - 1 * px, width: measure(l.text), height: h });
  }
  // vertical lines: rows above the plot, the nearest row first; a label moves up a row when it
  // would overlap one already placed in its row, and left when it would run past the right edge
  const rows: { from: number; to: number }[][] = [[], []];
  for (const l of [...vLines].sort((a, b) => a.x - b.x)) {
    if (!(l.x >= plot.left && l.x <= plot.left + plot.width)) continue;
    const w = measure(l.text);
    const x = Math.min(l.x - w / 2, plot.left + plot.width + LABEL_MARGIN.right * px - w);
    const from = Math.max(plot.left, x);
    const row = rows.findIndex((r) => r.every((o) => from + w + gap <= o.from || from >= o.to + gap));
    const k = row < 0 ? rows.length - 1 : row;
    rows[k]!.push({ from, to: from + w });
    out.push({ text: l.text, x: from, y: plot.top - gap - k * LABEL_MARGIN.rowHeight * px, width: w, height: h });
  }
  return out;
}
