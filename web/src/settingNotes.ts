/**
 * What theory says about a setting the exact two-float recursion does not cover (theory §5), for
 * the live run's theory card. Pure: one sentence per (data, loss), never a claim the data do not
 * support (MNIST is not "non-separable"; the exponential loss is not the logistic one).
 */
import type { ExplorerState } from './state.ts';

/** Is the training set linearly separable, as far as the setting tells? null: depends on the draw. */
function separability(s: Pick<ExplorerState, 'data' | 'p' | 'noise' | 'm' | 'd'>): { separable: boolean | null; why: string } {
  switch (s.data) {
    case 'degenerate':
      return s.p === 0 || s.p === 1 ? { separable: true, why: 'degenerate data with p ∈ {0, 1}' } : { separable: false, why: `degenerate data with p = ${s.p}` };
    case 'gaussian':
      return s.noise === 0 ? { separable: true, why: 'Gaussian teacher data without label noise' } : { separable: s.m <= s.d ? null : false, why: `Gaussian teacher data with label noise ${s.noise}` };
    case 'two-gaussians':
      return { separable: s.m <= s.d ? null : false, why: 'two overlapping Gaussian classes' };
    case 'mnist':
      // 500 images in 784 pixels: fewer samples than dimensions, so usually separable; not proven here.
      return { separable: null, why: 'MNIST 3 vs 8 (500 training images, d = 784: fewer samples than pixels)' };
  }
}

export function settingNote(s: Pick<ExplorerState, 'data' | 'p' | 'noise' | 'm' | 'd' | 'loss'>): string {
  if (s.loss === 'squared') return 'Theory §5 (wide nets, squared loss): lazy for c < 1, catapult for 1 < c < 2, divergent for c > 2; deeper linear nets diverge a little above 2.';
  const { separable, why } = separability(s);
  const lossName = s.loss === 'logistic' ? 'logistic loss' : 'exponential loss';
  const data = separable === true ? `Separable data (${why})` : separable === false ? `Non-separable data (${why})` : `${why[0]!.toUpperCase()}${why.slice(1)}, possibly separable`;
  const tail =
    separable === true
      ? 'the loss falls for every η and λ does not decrease (theory §5): expect no catapult.'
      : separable === false
        ? 'above a data-dependent lazy bound the loss rises, λ decays and GD settles with η·S ≈ 2 (theory §5).'
        : 'on separable data the loss falls for every η (no catapult); on the non-separable part a large η makes the loss rise and λ decay (theory §5, §7).';
  const exp = s.loss === 'exponential' ? ' The exponential loss, like the logistic one, has curvature that vanishes as the margins grow, so the same picture holds qualitatively; there is no exact prediction for it.' : '';
  return `${data}, ${lossName}: ${tail}${exp}`;
}
