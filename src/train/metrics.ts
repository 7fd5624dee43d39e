/**
 * The columns recorded along a run, in CSV order. A value that was not measured at a step
 * (e.g. curvature between measurements, test metrics without a test set) is NaN in memory and
 * an empty cell in metrics.csv.
 */
export const METRIC_COLUMNS = [
  'step',
  'loss',
  'accuracy',
  'testLoss',
  'testAccuracy',
  'lambda',
  'sharpness',
  'sharpnessGN',
  'betaCurvature',
  'betaCurvatureNonSep',
  'kappaNonSep',
  'sharpnessGNNonSep',
  'eta',
  'etaLambda',
  'etaSharpness',
  'gradNorm',
  'paramNorm',
  'fMean',
  'marginMin',
  'marginMean',
  'normalizedMargin',
  'rho',
  'nc1',
  'lambdaConverged',
  'sharpnessConverged',
  'sharpnessGNConverged',
  'betaCurvatureConverged',
  'betaCurvatureNonSepConverged',
  'kappaNonSepConverged',
  'sharpnessGNNonSepConverged',
] as const;

/**
 * The curvature quantities (eigen-solves) a row can carry. Each has a `<key>Converged` column: 1 when that
 * solve converged (true residual ‖Aq − μq‖ ≤ max(curvature.tol, 1e-8)·|μ|, src/curvature/lanczos.ts), 0 when
 * it did not (the value is then the best Ritz value after the retry with a larger Krylov space), empty when
 * the quantity was not measured at that step. Consumers must not use a value whose flag is 0 silently.
 */
export const CURVATURE_KEYS = ['lambda', 'sharpness', 'sharpnessGN', 'betaCurvature', 'betaCurvatureNonSep', 'kappaNonSep', 'sharpnessGNNonSep'] as const;
export type CurvatureKey = (typeof CURVATURE_KEYS)[number];

/** The convergence-flag column of a curvature quantity. */
export function convergedColumn(key: CurvatureKey): MetricName {
  return `${key}Converged`;
}

export type MetricName = (typeof METRIC_COLUMNS)[number];
export type MetricRow = Record<MetricName, number>;

export const METRIC_DESCRIPTIONS: Record<MetricName, string> = {
  step: 'GD step t (metrics are measured at θ_t, before the update)',
  loss: 'mean training loss L(θ_t)',
  accuracy: 'fraction of training samples with y·f > 0',
  testLoss: 'mean loss on the test set',
  testAccuracy: 'fraction of test samples with y·f > 0',
  lambda: 'NTK curvature λ = λ_max(Θ)/m',
  sharpness: 'top algebraic eigenvalue S of the loss Hessian',
  sharpnessGN: 'Gauss–Newton sharpness S_GN = λ_max(D^½ Θ D^½)/m',
  betaCurvature: 'top eigenvalue of the loss Hessian in β (function space, f = β·x): XᵀDX/m',
  betaCurvatureNonSep: 'the same restricted to the non-separable subspace V (theory §7); 0 on separable data. Fixed by the data at the minimizer on V, the same for every η: it cannot show a learning-rate effect',
  kappaNonSep: 'κ_V = λ_max(P_V K P_V)·mean‖x‖²: the NTK restricted to the non-separable subspace V (theory §7); = λ on degenerate data; 0 on separable data',
  sharpnessGNNonSep: 'S_GN,N = λ_max(D_N^½ Θ_NN D_N^½)/m: Gauss–Newton sharpness on the non-separable samples N, m = all samples (theory §7); 0 on separable data',
  eta: 'learning rate η_t at this step (schedules change it)',
  etaLambda: 'η_t·λ',
  etaSharpness: 'η_t·S (2 is the edge of stability)',
  gradNorm: '‖∇L(θ_t)‖',
  paramNorm: '‖θ_t‖',
  fMean: 'mean output f over training samples',
  marginMin: 'min over samples of y·f',
  marginMean: 'mean over samples of y·f',
  normalizedMargin: 'min y·f / ‖θ‖^L (scale-free margin of the degree-L homogeneous net)',
  rho: 'ReLU MLP: ρ = ∏_k ‖s_k W_k‖_F of the effective layer matrices (src/train/normMargin.ts); empty for other models',
  nc1: 'ReLU MLP: neural collapse NC1 = Tr(Σ_W Σ_B⁺)/K of the last hidden layer on the training set; empty for other models',
  lambdaConverged: '1 if the solve for lambda converged, 0 if not (see CURVATURE_KEYS)',
  sharpnessConverged: '1 if the solve for sharpness converged, 0 if not',
  sharpnessGNConverged: '1 if the solve for sharpnessGN converged, 0 if not',
  betaCurvatureConverged: '1 if the solve for betaCurvature converged, 0 if not',
  betaCurvatureNonSepConverged: '1 if the solve for betaCurvatureNonSep converged, 0 if not',
  kappaNonSepConverged: '1 if the solve for kappaNonSep converged, 0 if not',
  sharpnessGNNonSepConverged: '1 if the solve for sharpnessGNNonSep converged, 0 if not',
};

export function emptyRow(step: number): MetricRow {
  const row = {} as MetricRow;
  for (const c of METRIC_COLUMNS) row[c] = NaN;
  row.step = step;
  return row;
}

/** Accuracy of outputs f against ±1 labels (y·f > 0 counts as correct). */
export function accuracy(f: Float64Array, y: Float64Array): number {
  let ok = 0;
  for (let i = 0; i < f.length; i++) if (y[i] * f[i] > 0) ok++;
  return f.length === 0 ? NaN : ok / f.length;
}

/**
 * Columns a row may carry beyond METRIC_COLUMNS, named by the model (record.srank's `srank_<layer>`,
 * src/train/srankColumns.ts; record.singularValues' `sv1..svk`), in order of first appearance; metrics.csv has them only when some row does.
 */
export function extraMetricColumns(rows: readonly MetricRow[]): string[] {
  const known = new Set<string>(METRIC_COLUMNS);
  const extra = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!known.has(k)) extra.add(k);
  return [...extra];
}

/** CSV text of metric rows (NaN or absent → empty cell; numbers in shortest round-trip form). */
export function metricsToCsv(rows: readonly MetricRow[]): string {
  const columns: string[] = [...METRIC_COLUMNS, ...extraMetricColumns(rows)];
  const lines = [columns.join(',')];
  for (const r of rows) {
    const cells = r as Record<string, number | undefined>;
    lines.push(columns.map((c) => (cells[c] === undefined || Number.isNaN(cells[c]) ? '' : String(cells[c]))).join(','));
  }
  return lines.join('\n') + '\n';
}
