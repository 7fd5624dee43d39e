/**
 * The diagonal model's read-outs in the explorer (neighbours §A): β's coordinates at the recorded
 * steps, its minimum margin γ = min_n y_n⟨β, x_n⟩, and, when γ > 0, the gaps of β/γ to the ℓ1 and ℓ2
 * max-margin predictors of the training data (src/theory/maxMargin.ts, solved once per run by HiGHS).
 * Pure and browser-safe: the workers compute β, γ and the references, the page the gaps (gapsOf) as
 * soon as the references arrive; the Node tests compare it with maxMargin.ts directly.
 */
import type { InitOptions } from 'highs';
import type { Dataset } from '../../src/index.ts';
import { loadHighsSolver } from '../../src/data/separability.ts';
import { l1Gap, l1MaxMargin, l2Gap, l2MaxMargin, type MaxMarginProblem } from '../../src/theory/maxMargin.ts';

/** The max-margin references of a training set, or why there are none. */
export type MaxMarginRefs =
  | {
      status: 'ok';
      /** min ‖b‖₁ and min ‖b‖₂ predictors with minimum margin 1 */
      l1: Float64Array;
      l2: Float64Array;
      /** the max margins 1/‖b₁‖₁ and 1/‖b₂‖₂ */
      l1Margin: number;
      l2Margin: number;
      ms: number;
    }
  /** no b has y_n⟨b, x_n⟩ ≥ 1 for all n: there is no max-margin solution */
  | { status: 'non-separable'; message: string; ms: number }
  /** HiGHS did not load or did not solve: the gaps are not shown (never guessed) */
  | { status: 'unavailable'; message: string; ms: number };

function problemOf(train: Dataset): MaxMarginProblem {
  return { X: train.X instanceof Float64Array ? train.X : Float64Array.from(train.X), y: train.y, N: train.m, d: train.d };
}

/**
 * Both references, once per run. `loader` goes to HiGHS' emscripten loader on its first load (the
 * browser passes `locateFile` with the wasm's asset URL); later calls reuse the loaded solver.
 */
export async function maxMarginReferences(train: Dataset, loader?: InitOptions): Promise<MaxMarginRefs> {
  const t0 = performance.now();
  try {
    await loadHighsSolver(loader);
  } catch (e) {
    return { status: 'unavailable', message: `HiGHS (WebAssembly) did not load: ${(e as Error).message}`, ms: performance.now() - t0 };
  }
  const p = problemOf(train);
  try {
    const l1 = await l1MaxMargin(p);
    const l2 = await l2MaxMargin(p);
    return { status: 'ok', l1: l1.b, l2: l2.b, l1Margin: l1.margin, l2Margin: l2.margin, ms: performance.now() - t0 };
  } catch (e) {
    const message = (e as Error).message;
    // maxMargin.ts reports HiGHS' 'infeasible' status with these words: the data are not separable
    const status = /not linearly separable/.test(message) ? 'non-separable' : 'unavailable';
    return { status, message, ms: performance.now() - t0 };
  }
}

/** γ = min_n y_n⟨β, x_n⟩ over the training set. */
export function minMargin(beta: ArrayLike<number>, train: Dataset): number {
  const { X, y, m, d } = train;
  let g = Infinity;
  for (let n = 0; n < m; n++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[n * d + j]! * beta[j]!;
    g = Math.min(g, y[n]! * s);
  }
  return g;
}

export interface GapReadout {
  gamma: number;
  /** ‖β/γ − b₁‖₁/‖b₁‖₁ and ‖β/γ − b₂‖₂/‖b₂‖₂; NaN while γ ≤ 0 or without references */
  l1Gap: number;
  l2Gap: number;
}

/** The gaps of β/γ (minimum margin 1, like the references) for a known γ; NaN while γ ≤ 0 or without references. */
export function gapsOf(beta: ArrayLike<number>, gamma: number, refs: MaxMarginRefs | null): GapReadout {
  if (!(gamma > 0) || !Number.isFinite(gamma) || refs?.status !== 'ok') return { gamma, l1Gap: NaN, l2Gap: NaN };
  const b = Float64Array.from(beta, (v) => v / gamma);
  return { gamma, l1Gap: l1Gap(b, refs.l1), l2Gap: l2Gap(b, refs.l2) };
}

/** γ and the gaps of β/γ. */
export function gapReadout(beta: ArrayLike<number>, train: Dataset, refs: MaxMarginRefs | null): GapReadout {
  return gapsOf(beta, minMargin(beta, train), refs);
}

/** Indices of the k coordinates with the largest |β| (ties: the lower index), in index order. */
export function largestCoordinates(beta: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: beta.length }, (_, j) => j);
  const mag = (j: number) => (Number.isFinite(beta[j]!) ? Math.abs(beta[j]!) : -1);
  idx.sort((a, b) => mag(b) - mag(a) || a - b);
  return idx.slice(0, Math.max(0, k)).sort((a, b) => a - b);
}
