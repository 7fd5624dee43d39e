import { curvatureVsCSpec, type Boundary } from '../report/specs.ts';
import { bracketText, fmt, ONSET_TOLERANCE, phaseList, type Bracket, type Verdict } from '../experiments/verdicts.ts';
import { runsTable, sweepRowsForSpecs, type FigureOut, type Recipe, type TableOut } from './common.ts';
import { onsetOf } from './paperShared.ts';

/**
 * The catapult beyond linear networks (Lewkowycz et al. 2020; neighbours §C): a one-hidden-layer ReLU MLP (NTK
 * parameterization, no biases) on Gaussian teacher data, swept over c = ηλ0/2 at three widths with the squared loss,
 * and once with the logistic loss on non-separable data. The onsets are bisected like the paper's: c_loss (the loss
 * first rises) and c_max (divergence).
 *
 * Predictions and their conditions:
 *  - c_loss = 1: at the start of training the loss is locally the quadratic of the NTK regime, whose top curvature is
 *    λ0, so GD leaves it exactly when η > 2/λ0, for any architecture, in the wide limit; at finite width λ moves a
 *    little during training, so c_loss sits slightly above 1 and approaches it with width (the rule of the mnist recipe).
 *  - c_max: linear (uv) networks diverge at c = 2 (theory §5); Lewkowycz et al. measured η_max ≈ 12/λ0 (c ≈ 6) for
 *    wide ReLU networks with the squared loss. Their number comes from their architectures and data, not a theorem,
 *    so the verdict asks only the architecture-independent part: ReLU nets survive past the linear nets' c = 2.
 */
export const reluCatapult: Recipe = {
  name: 'relu-catapult',
  study: 'relu',
  title: 'ReLU MLPs: lazy, catapult and divergent phases, and where they begin',
  description:
    'A one-hidden-layer ReLU MLP (NTK parameterization, no biases) on Gaussian data labelled by a random linear teacher with label noise, full-batch GD for a fixed number of steps over a log grid of c = ηλ₀/2, onsets bisected: c_loss (first c whose loss rises) and c_max (first divergent c), at three widths with the squared loss, and with the logistic loss on non-separable labels.',
  analyze({ sweeps }) {
    const figures: FigureOut[] = [];
    const tables: TableOut[] = [];
    const verdicts: Verdict[] = [];
    const sq = sweeps.squared;
    const widths = [...new Set(sq.rows.map((r) => String(r.values['model.widths'])))].sort((a, b) => Number(a) - Number(b));
    const onsetRows: string[][] = [];
    const brackets = widths.map((w) => {
      const o = onsetOf(sq, { 'model.widths': w });
      const loss: Bracket = { c: o?.cLoss ?? null, below: o?.cLossBelow ?? null };
      const max: Bracket = { c: o?.cMax ?? null, below: o?.cMaxBelow ?? null };
      onsetRows.push([w, bracketText(loss), bracketText(max)]);
      return { w, loss, max };
    });
    tables.push({ caption: 'Squared loss: bisected onsets per width (c = ηλ₀/2).', header: ['width', 'c_loss', 'c_max'], rows: onsetRows });
    const widest = brackets[brackets.length - 1];
    if (widest) {
      const narrowest = brackets[0];
      const allAbove = brackets.every((b) => b.loss.c !== null && b.loss.c >= 1 - ONSET_TOLERANCE);
      const approaches = widest.loss.c !== null && narrowest.loss.c !== null && widest.loss.c - 1 <= narrowest.loss.c - 1;
      verdicts.push({
        claim: 'Squared loss: the loss starts to rise at c = 1 (η = 2/λ₀), as for linear networks, approached as the width grows',
        measured: `c_loss by width: ${brackets.map((b) => `${b.w}: ${bracketText(b.loss)}`).join('; ')}`,
        predicted: 'c_loss ≥ 1, → 1 with width (the NTK quadratic at initialization is unstable for η > 2/λ₀; exact in the wide limit)',
        pass: allAbove && approaches,
        rule: `every bisected c_loss ≥ 1 − ${ONSET_TOLERANCE}, and c_loss − 1 at the largest width ≤ at the smallest`,
      });
      const below = widest.max.below;
      verdicts.push({
        claim: `Squared loss: ReLU networks survive beyond the linear networks' divergence point c = 2 (width ${widest.w})`,
        measured: `c_max ${bracketText(widest.max)}; all widths: ${brackets.map((b) => `${b.w}: ${fmt(b.max.c, 3)}`).join(', ')}`,
        predicted: 'c_max > 2 (uv networks: c_max = 2, theory §5; Lewkowycz et al. measured c_max ≈ 6 on their wide ReLU nets)',
        pass: widest.max.c === null ? true : below !== null && below >= 2 * (1 - ONSET_TOLERANCE),
        rule: `at the largest width, the last non-divergent c below the c_max bracket is ≥ 2·(1 − ${ONSET_TOLERANCE}) (✓ too when no c on the grid diverges)`,
      });
    }
    const bounds: Boundary[] = widest && widest.max.c !== null ? [{ c: widest.max.c, label: 'c_max' }] : [];
    if (widest?.loss.c != null) bounds.push({ c: widest.loss.c, label: 'c_loss' });
    figures.push({
      name: 'curvature-vs-c-squared',
      caption: 'Squared loss: final λ/λ₀ and η·S_T against c, every width (rules: the widest net\'s onsets).',
      spec: curvatureVsCSpec(sweepRowsForSpecs(sq.rows), { boundaries: bounds, title: 'ReLU MLP, squared loss', ratioLog: true }),
    });
    tables.push(runsTable(sq, 'Squared loss: every grid run'));
    const lg = sweeps.logistic;
    if (lg) {
      const o = onsetOf(lg);
      verdicts.push({
        claim: 'Logistic loss, non-separable labels: the phases along c',
        measured: `${phaseList(lg.rows)}; c_loss ${bracketText({ c: o?.cLoss ?? null, below: o?.cLossBelow ?? null })}, c_max ${bracketText({ c: o?.cMax ?? null, below: o?.cMaxBelow ?? null })}`,
        predicted: 'reported: for linear nets a catapult phase exists on non-separable data (theory §5); for ReLU nets there is no exact prediction',
        pass: null,
        rule: 'observation',
      });
      figures.push({ name: 'curvature-vs-c-logistic', caption: 'Logistic loss, non-separable labels: final λ/λ₀ and η·S_T against c.', spec: curvatureVsCSpec(sweepRowsForSpecs(lg.rows), { title: 'ReLU MLP, logistic loss', ratioLog: true }) });
      tables.push(runsTable(lg, 'Logistic loss: every grid run'));
    }
    return { figures, tables, verdicts };
  },
};
