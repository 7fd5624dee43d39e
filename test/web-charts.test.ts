/**
 * The explorer's chart geometry (pure parts): y ranges that keep reference values in view, the
 * early-steps zoom, and reference-line labels placed outside the plot without overlapping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { earlyStepsEnd, includeRange, stepRange } from '../web/src/axisRanges.ts';
import { LABEL_MARGIN, placeRefLabels, type Box } from '../web/src/refLabels.ts';

test('a lazy run\'s λ/λ0 (0.999…1) keeps 0 and 1 in view instead of filling the chart', () => {
  const [lo, hi] = includeRange(0.999, 1, [0, 1]);
  assert.equal(lo, 0);
  assert.ok(Math.abs(hi - 1.05) < 1e-12, String(hi));
  // the 0.1 % change spans 0.1 % of the axis, not all of it
  assert.ok((1 - 0.999) / (hi - lo) < 0.001);
  // η·S of a lazy run (0.3…0.31) keeps the line η·S = 2 in view; a spike extends the range
  assert.deepEqual(includeRange(0.3, 0.31, [0, 2]), [0, 2.1]);
  const [, top] = includeRange(0.5, 20, [0, 2]);
  assert.ok(top > 20);
  assert.deepEqual(includeRange(null, null, [0, 2]), [0, 2.1]);
});

test('early steps: four times the loss peak\'s step, at least 50, at most T', () => {
  const rows = (peak: number) => Array.from({ length: 1001 }, (_, t) => ({ step: t, loss: t === peak ? 5 : 1 }));
  assert.equal(earlyStepsEnd(rows(30), 1000), 120);
  assert.equal(earlyStepsEnd(rows(0), 1000), 50);
  assert.equal(earlyStepsEnd(rows(400), 1000), 1000);
  assert.equal(earlyStepsEnd(rows(5), 20), 20);
  assert.deepEqual(stepRange('early', rows(30), 1000), [0, 120]);
  assert.equal(stepRange('all', rows(30), 1000), null);
});

test('reference labels sit outside the plot and do not overlap each other', () => {
  const plot: Box = { left: 56, top: 30, width: 400, height: 200 };
  const measure = (t: string) => 6.5 * t.length;
  const labels = placeRefLabels(
    plot,
    [{ y: 80, text: 'η·S = 2' }, { y: 500, text: 'off the chart' }],
    [{ x: 200, text: 'c* = 1/(p(1−p))' }, { x: 215, text: 'c_max (theory)' }, { x: 455, text: 'first divergent' }],
    measure,
  );
  assert.deepEqual(labels.map((l) => l.text).sort(), ['c* = 1/(p(1−p))', 'c_max (theory)', 'first divergent', 'η·S = 2']);
  const boxOf = (l: (typeof labels)[number]) => ({ x0: l.x, x1: l.x + l.width, y0: l.y - l.height, y1: l.y });
  for (const l of labels) {
    const b = boxOf(l);
    const inside = b.x1 > plot.left && b.x0 < plot.left + plot.width && b.y1 > plot.top && b.y0 < plot.top + plot.height;
    assert.ok(!inside, `${l.text} overlaps the plot area: ${JSON.stringify(b)}`);
    assert.ok(b.y0 >= 0 && b.x1 <= plot.left + plot.width + LABEL_MARGIN.right, `${l.text} fits in the margins`);
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = boxOf(labels[i]!), b = boxOf(labels[j]!);
      assert.ok(a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0, `${labels[i]!.text} overlaps ${labels[j]!.text}`);
    }
  }
});
