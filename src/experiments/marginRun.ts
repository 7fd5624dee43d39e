/**
 * The margin side of a run (neighbours §A): the max-margin references its marks are measured against, and
 * runs of the exact diagonal-net flow (`optimizer: {kind: "flow"}`), which replace the trainer for that
 * optimizer and produce the same marks. Browser-safe (HiGHS is WebAssembly; files are written by the caller).
 */
import type { Dataset } from '../data/dataset.ts';
import { diagonalFlow, type DiagonalFlowResult } from '../theory/diagonalFlow.ts';
import { l1MaxMargin, l2MaxMargin, type MaxMarginProblem } from '../theory/maxMargin.ts';
import { markRecord, type MarkRecord, type MaxMarginRefs } from '../train/marks.ts';
import type { RunSummary } from '../train/trainer.ts';
import type { MarksConfig, RunConfig } from './config.ts';

function marginProblem(train: Dataset): MaxMarginProblem {
  return { X: Float64Array.from(train.X), y: train.y, N: train.m, d: train.d };
}

/** ℓ1 (LP) and ℓ2 (QP) max-margin predictors of the training data, or a note saying why there are none. */
export async function maxMarginRefs(train: Dataset): Promise<MaxMarginRefs> {
  const p = marginProblem(train);
  try {
    const [l1, l2] = [await l1MaxMargin(p), await l2MaxMargin(p)];
    return { separable: true, b1: l1.b, b2: l2.b, l1Norm: l1.norm, l2Norm: l2.norm };
  } catch (e) {
    if (!/not linearly separable/.test((e as Error).message)) throw e;
    return { separable: false, note: `the training data are not linearly separable through the origin (the max-margin LP is infeasible): no ℓ1/ℓ2 max-margin predictor, so the marks have no gaps; a mark γ > 0 is never reached` };
  }
}

/** What summary.json says about the references. */
export function maxMarginSummary(refs: MaxMarginRefs): Record<string, unknown> {
  return refs.separable ? { separable: true, l1Norm: refs.l1Norm, l2Norm: refs.l2Norm, l1Margin: 1 / refs.l1Norm, l2Margin: 1 / refs.l2Norm } : { separable: false, note: refs.note };
}

export interface FlowRun {
  records: MarkRecord[];
  result: DiagonalFlowResult;
  summary: RunSummary;
}

/**
 * The exact flow from u₊ = u₋ = α·1 (α = init.value) to the last mark; the config has passed the flow checks of
 * config.ts. Its summary is a RunSummary so that sweeps, results.csv and reports take flow runs as they are:
 * status 'marks-reached' (or 'max-steps': the integrator's step limit), steps = accepted integrator steps,
 * mean exponential loss 1 at β = 0 and at the last mark reached, no curvature (NaN), phase 'lazy' (a gradient
 * flow's loss never rises: §5's rule gives lazy), plus `flow` (integrator counts, τ) — no wall-clock time, so a
 * rerun is bit-identical.
 */
export function runFlow(cfg: RunConfig, train: Dataset, marks: MarksConfig, refs: MaxMarginRefs): FlowRun {
  const opt = cfg.optimizer;
  if (opt?.kind !== 'flow' || cfg.model.kind !== 'diagonal' || cfg.init.kind !== 'constant') throw new Error("runFlow: needs optimizer 'flow', a diagonal model and constant init (config checks)");
  if (!refs.separable) throw new RangeError(`optimizer 'flow': ${refs.note}. The flow needs separable data (e.g. data.m < data.d)`);
  const result = diagonalFlow({ ...marginProblem(train), alpha: cfg.init.value, depth: cfg.model.depth }, { marks: marks.at, rtol: opt.rtol, maxSteps: opt.maxSteps, supportTol: marks.supportTol });
  const records = result.marks.map((m) => markRecord(m.mark, m.steps, m.tau, m.gamma, m.log10Eps * Math.LN10, train.m, m.beta, refs, marks.supportTol));
  const last = records[records.length - 1];
  const tau = result.marks.length ? result.marks[result.marks.length - 1].tau : 0;
  const summary: RunSummary & { flow: Record<string, number> } = {
    status: result.complete ? 'marks-reached' : 'max-steps',
    steps: result.steps,
    eta: NaN, c: NaN,
    lambda0: NaN, sharpness0: NaN, sharpnessGN0: NaN, lambdaFinal: NaN, sharpnessFinal: NaN, sharpnessGNFinal: NaN,
    kappaNonSep0: NaN, sharpnessGNNonSep0: NaN, kappaNonSepFinal: NaN, sharpnessGNNonSepFinal: NaN, etaSharpnessFinal: NaN,
    lossInitial: 1, lossMax: 1, stepOfLossMax: 0,
    lossFinal: last ? last.meanLoss : 1,
    accuracyFinal: last ? 1 : NaN,
    testLossFinal: null, testAccuracyFinal: null, testConfidenceMean: null, testConfidenceStd: null,
    phase: 'lazy',
    divergedAt: null,
    solver: {},
    curvatureSolves: { solves: 0, retried: 0, unconverged: 0, byQuantity: {} },
    warnings: result.complete ? [] : [`the flow stopped at its step limit optimizer.maxSteps = ${opt.maxSteps} after ${records.length} of ${marks.at.length} marks`],
    flow: { steps: result.steps, rejectedSteps: result.rejectedSteps, implicitSolves: result.implicitSolves, newtonIterations: result.newtonIterations, tau },
  };
  return { records, result, summary };
}
