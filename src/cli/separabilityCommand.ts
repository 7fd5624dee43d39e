/**
 * Body of `catapult separability <dataset>` (theory §7): is the data set linearly separable, how large is
 * the maximal separable subset I (Ji–Telgarsky), and what is the dimension of the non-separable subspace
 * span{y_β x_β : β ∉ I}? The LP is solved by HiGHS (WebAssembly, bundled in node_modules — no network).
 * Returns the report as text, or as JSON with `json: true`. The CLI wiring lives in main.ts.
 */
import type { Dataset } from '../data/dataset.ts';
import { loadCsvFile } from '../data/files.ts';
import { degenerateData, gaussianTeacherData, twoGaussiansData } from '../data/generators.ts';
import { analyzeSeparability, type SeparabilityProgress, type SeparabilityReport } from '../data/separability.ts';
import { loadMnistTask } from '../data/mnistFiles.ts';
import { parseBinaryTask } from '../data/binaryTasks.ts';

export type SeparabilityDataKind = 'degenerate' | 'gaussian' | 'two-gaussians' | 'mnist';

export interface SeparabilityCommandOptions {
  /** CSV file (features then a label column, see loadCsvFile); exclusive with `data`. */
  csv?: string;
  /** CSV label column (name or index); default: the last column. */
  labelColumn?: string | number;
  /** A generated data set instead of a CSV. */
  data?: SeparabilityDataKind;
  /** generator sizes (defaults m = 200, d = 10) */
  m?: number;
  d?: number;
  /** degenerate: fraction of +1 labels (default 0.5) */
  p?: number;
  /** gaussian: label-flip probability (default 0) */
  labelNoise?: number;
  /** two-gaussians: distance between the class means (default 2) */
  separation?: number;
  /** generator seed (default 0); mnist: the subsample seed */
  seed?: number;
  /** mnist: binary task, e.g. '3v5' (see parseBinaryTask) */
  task?: string;
  /** mnist: training images (seeded subsample; default all of the pair) */
  trainSize?: number;
  /** mnist: average pooling k×k (default 1) */
  pool?: number;
  /** mnist: 'global' (default, as the mnist recipes), 'per-pixel' or 'none' */
  standardization?: 'global' | 'per-pixel' | 'none';
  /** whole-decomposition time limit, seconds (analyzeSeparability's totalTimeLimit) */
  timeLimit?: number;
  /** 'auto' (default), 'lp' or 'newton' (analyzeSeparability's method) */
  method?: 'auto' | 'lp' | 'newton';
  /** LP box half-width B (default 1e3, see analyzeSeparability) */
  box?: number;
  /** relative rank tolerance (default 1e-6) */
  rankTol?: number;
  /** JSON instead of text */
  json?: boolean;
  /** with json: include the orthonormal basis of the non-separable subspace (d numbers per vector) */
  basis?: boolean;
}

export function separabilityDataset(opts: SeparabilityCommandOptions): Dataset {
  if (opts.csv !== undefined && opts.data !== undefined) throw new Error('separability: give either a CSV file or a generated data set (--data), not both');
  if (opts.csv !== undefined) return loadCsvFile(opts.csv, opts.labelColumn !== undefined ? { labelColumn: opts.labelColumn } : {});
  const m = opts.m ?? 200;
  const d = opts.d ?? 10;
  const seed = opts.seed ?? 0;
  switch (opts.data) {
    case 'degenerate':
      return degenerateData({ m, d, p: opts.p ?? 0.5 });
    case 'gaussian':
      return gaussianTeacherData({ m, d, seed, labelNoise: opts.labelNoise ?? 0 });
    case 'two-gaussians':
      return twoGaussiansData({ m, d, seed, separation: opts.separation ?? 2 });
    case 'mnist': {
      if (opts.task === undefined) throw new Error("separability: --data mnist needs --task (e.g. 3v5)");
      const task = parseBinaryTask(opts.task);
      return loadMnistTask({ task, seed, testSize: 1, standardization: opts.standardization ?? 'global', pool: opts.pool ?? 1, ...(opts.trainSize !== undefined ? { trainSize: opts.trainSize } : {}) }).train;
    }
    case undefined:
      throw new Error("separability: no data: give a CSV file or --data degenerate|gaussian|two-gaussians|mnist");
    default:
      throw new Error(`separability: unknown data kind '${String(opts.data)}' (expected degenerate, gaussian, two-gaussians or mnist)`);
  }
}

export async function separabilityCommand(opts: SeparabilityCommandOptions): Promise<string> {
  const ds = separabilityDataset(opts);
  if (opts.timeLimit !== undefined && !(opts.timeLimit > 0 && Number.isFinite(opts.timeLimit))) throw new Error(`separability: --time-limit must be a positive number of seconds, got ${opts.timeLimit}`);
  const r = await analyzeSeparability(ds, {
    // full-size data take minutes: every LP round, projection and Newton iteration on stderr
    onProgress: (p) => progressLine(p) && process.stderr.write(progressLine(p) + '\n'),
    ...(opts.box !== undefined ? { box: opts.box } : {}),
    ...(opts.rankTol !== undefined ? { rankTol: opts.rankTol } : {}),
    ...(opts.timeLimit !== undefined ? { totalTimeLimit: opts.timeLimit } : {}),
    ...(opts.method !== undefined ? { method: opts.method } : {}),
  });
  return opts.json ? JSON.stringify(reportJson(ds, r, Boolean(opts.basis)), null, 2) : formatSeparabilityReport(ds, r);
}

/** One stderr line per progress event ('' for a single LP that needed no working set: nothing to say). */
export function progressLine(p: SeparabilityProgress): string {
  const at = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  switch (p.phase) {
    case 'lp':
      return p.round > 1 || p.violators > 0 ? `separability [${at}]: LP round ${p.round}: working set ${p.workingSet} samples, LP ${(p.lpTimeMs / 1000).toFixed(1)} s, ${p.violators} samples to add; |N| certified ${p.certified}` : '';
    case 'newton':
      return `separability [${at}]: Newton iteration ${p.newtonIteration} on ${p.workingSet} samples (round ${p.round}): residual ${g(p.gradNorm ?? NaN)}, min weight ${g(p.minWeight ?? NaN)}; |N| certified ${p.certified}`;
    case 'project':
      return `separability [${at}]: round ${p.round}: span of ${p.dim === undefined ? '?' : p.dim} dimensions projected out, LP on the ${p.workingSet} other samples; |N| certified ${p.certified}`;
  }
}

/** Plain-JSON view of the report (typed arrays → arrays, NaN → null; the basis only on request). */
export function reportJson(ds: Dataset, r: SeparabilityReport, withBasis = false): Record<string, unknown> {
  const { basis, separableIndices, nonSeparableIndices, spectrum, rounds, separator, dualWeights, certificates, ...rest } = r;
  const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    dataset: ds.name,
    ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'number' ? num(v) : v])),
    separableIndices: Array.from(separableIndices),
    nonSeparableIndices: Array.from(nonSeparableIndices),
    spectrum: Array.from(spectrum),
    certificates: Object.fromEntries(Object.entries(certificates).map(([k, v]) => [k, typeof v === 'number' ? num(v) : v])),
    separator: Array.from(separator),
    dualWeights: Array.from(dualWeights),
    rounds: rounds.map((x) => ({ ...x, objective: num(x.objective), simplexIterations: num(x.simplexIterations) })),
    ...(withBasis ? { basis: basis.map((b) => Array.from(b)) } : {}),
  };
}

const g = (x: number, digits = 3): string => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits));

const intOrG = (x: number): string => (Math.abs(x - Math.round(x)) <= 1e-6 * Math.max(1, Math.abs(x)) ? String(Math.round(x)) : g(x, 6));

function listIndices(ix: Int32Array, max = 20): string {
  const head = Array.from(ix.subarray(0, max)).join(', ');
  return ix.length > max ? `${head}, … (${ix.length - max} more)` : head;
}

export function formatSeparabilityReport(ds: Dataset, r: SeparabilityReport): string {
  const pct = (k: number) => (r.m === 0 ? '—' : `${((100 * k) / r.m).toFixed(1)}%`);
  const lines: string[] = [];
  lines.push(`separability of ${ds.name}`);
  lines.push(`  samples m = ${r.m}, features d = ${r.d}`);
  lines.push(`  linearly separable:             ${r.separable ? 'yes' : 'no'}`);
  lines.push(`  maximal separable subset |I|:   ${r.separableCount} (${pct(r.separableCount)})`);
  lines.push(`  non-separable samples:          ${r.nonSeparableCount} (${pct(r.nonSeparableCount)})${r.nonSeparableCount > 0 && r.nonSeparableCount <= 20 ? `: ${listIndices(r.nonSeparableIndices)}` : ''}`);
  if (r.zeroCount > 0) lines.push(`  of which zero inputs x = 0:     ${r.zeroCount}`);
  let dimLine = `  non-separable subspace dim:     ${r.nonSeparableDim} of ${r.d}`;
  if (r.rankMethod !== 'none') {
    const k = r.nonSeparableDim;
    const s = r.spectrum;
    const top = s[0];
    const detail =
      r.rankMethod === 'eigen'
        ? `singular values of the unit rows: σ_1 = ${g(top)}${k > 1 ? `, σ_${k}/σ_1 = ${g(s[k - 1] / top)}` : ''}${k < s.length ? `, next σ_${k + 1}/σ_1 = ${g(s[k] / top)}` : ''}`
        : `pivoted Gram–Schmidt, smallest kept pivot ${g(s[k - 1])}`;
    dimLine += `  (rank tol ${g(r.rankTol, 2)}; ${detail})`;
  }
  lines.push(dimLine);
  if (!r.separable && r.separableCount === 0 && r.nonSeparableDim === r.d) {
    lines.push('  (no weak separator exists: as for any non-separable data in general position, I is empty)');
  }
  const iters = r.rounds.reduce((a, x) => a + (Number.isFinite(x.simplexIterations) ? x.simplexIterations : 0), 0);
  lines.push(
    r.lpStatus === 'skipped'
      ? '  LP: skipped (no nonzero sample)'
      : `  LP: ${r.solver}, ${r.rounds.length} round${r.rounds.length > 1 ? 's' : ''}, status ${r.lpStatus}, objective ${intOrG(r.objective)}, ` +
          `${iters} simplex iterations, ${r.lpTimeMs.toFixed(0)} ms (box B = ${g(r.box, 2)}, threshold s > ${g(r.threshold, 2)})`,
  );
  const retried = r.rounds.filter((x) => x.status !== 'optimal').length;
  if (retried > 0) lines.push(`  note: ${retried} LP round(s) ended '${r.rounds.find((x) => x.status !== 'optimal')!.status}' (numerical trouble) and were re-solved with a free u`);
  if (r.fractionalCount > 0) {
    lines.push(`  note: ${r.fractionalCount} sample(s) had 0 < s < 1 (margin below 1/B); recovered by ${r.rounds.length} LP rounds`);
  }
  if (r.workingSetSizes.length > 1) lines.push(`  working set: ${r.workingSetSizes.join(' → ')} samples over ${r.workingSetSizes.length} rounds`);
  if (r.method === 'newton') lines.push(`  Newton path: ${r.newtonIterations} Newton iterations (${(r.newtonTimeMs / 1000).toFixed(1)} s), ${r.projectionRounds} projection round(s)`);
  const c = r.certificates;
  const sepCert = r.separableCount > 0 ? `separator margin on I ${g(c.separatorMargin)}` : 'no separator needed (I = ∅)';
  const onN = Number.isFinite(c.separatorNonSeparableMin) ? `, min on N ${g(c.separatorNonSeparableMin)}, max |·| on N ${g(c.separatorNonSeparableMaxAbs)}` : '';
  const dualCert = c.dualStatus === 'skipped' ? 'no dual needed (N = ∅)' : `Gordan dual on N: residual ${g(c.dualResidual)}, min weight ${g(c.dualMinWeight)} (Σ = 1), margin bound ${g(c.dualMarginBound)}, ${c.dualStatus === 'newton' ? 'weights from Newton' : `LP ${c.dualStatus}`}`;
  lines.push(`  certificates ${c.verified ? 'verified' : 'NOT verified'}: ${sepCert}${onN}; ${dualCert}`);
  lines.push(`  total time ${r.timeMs.toFixed(0)} ms`);
  return lines.join('\n');
}

/** `catapult separability [csv]` */
export function registerSeparability(program: import('commander').Command): void {
  program
    .command('separability')
    .description('is a data set linearly separable? maximal separable subset and non-separable subspace (LP, theory §7)')
    .argument('[csv]', 'CSV file (features, then a label column)')
    .option('--label-column <col>', 'CSV label column (name or 0-based index; default: last)')
    .option('--data <kind>', 'generated data instead: degenerate | gaussian | two-gaussians, or mnist (with --task)')
    .option('--task <task>', 'mnist: binary task, e.g. 3v5, parity, low-high:5')
    .option('--train-size <n>', 'mnist: training images (seeded subsample; default: the whole pair)', Number)
    .option('--pool <k>', 'mnist: average pooling k×k', Number)
    .option('--standardization <s>', 'mnist: global (default) | per-pixel | none')
    .option('--time-limit <s>', 'give up after this many seconds (clear message, no output)', Number)
    .option('--method <m>', 'auto (default) | lp | newton')
    .option('--m <m>', 'generated: samples', Number)
    .option('--d <d>', 'generated: dimension', Number)
    .option('--p <p>', 'degenerate: fraction of +1 labels', Number)
    .option('--label-noise <q>', 'gaussian: label-flip probability', Number)
    .option('--separation <s>', 'two-gaussians: distance between class means', Number)
    .option('--seed <s>', 'generator seed', Number)
    .option('--json', 'JSON output')
    .option('--basis', 'with --json: include the basis of the non-separable subspace')
    .action(async (csv: string | undefined, o: Record<string, unknown>) => {
      if (!csv && !o.data) throw new Error('separability: give a CSV file or --data degenerate|gaussian|two-gaussians');
      const opts: SeparabilityCommandOptions = { ...(o as SeparabilityCommandOptions) };
      if (csv) opts.csv = csv;
      if (typeof o.labelColumn === 'string') opts.labelColumn = /^-?\d+$/.test(o.labelColumn) ? Number(o.labelColumn) : o.labelColumn;
      console.log(await separabilityCommand(opts));
    });
}
