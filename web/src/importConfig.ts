/**
 * From an imported run's config (a CLI config.json or a JSON exported here) to explorer settings,
 * with one note per part the explorer cannot show (another data kind, η given directly, an init
 * other than Gaussian, mini-batches, a value outside the explorer's range and why). A diagonal-net
 * config sets the diagonal model with its η and constant init α. Pure.
 */
import { fieldProblem, parseField, type ExplorerState } from './state.ts';

const PATHS: [string, keyof ExplorerState][] = [
  ['seed', 'seed'], ['model.depth', 'depth'], ['model.width', 'width'], ['loss', 'loss'], ['c', 'c'], ['steps', 'steps'],
  ['data.m', 'm'], ['data.d', 'd'], ['data.p', 'p'], ['data.labelNoise', 'noise'], ['data.separation', 'sep'],
  ['record.every', 'every'], ['record.denseUntil', 'dense'], ['curvature.every', 'curv'],
];

/** `summaryC`: the run's c from its summary, used when the config gives η instead of c. */
export function stateFromRunConfig(cfg: Record<string, unknown>, summaryC?: number): { patch: Partial<ExplorerState>; notes: string[] } {
  const get = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined), cfg);
  const patch: Partial<ExplorerState> = {};
  const notes: string[] = [];
  // the model first: it decides the depth's range and whether η is taken as it is
  const modelKind = get('model.kind') ?? 'deep-linear';
  const diagonal = modelKind === 'diagonal';
  if (modelKind === 'deep-linear' || diagonal) patch.model = modelKind;
  else notes.push(`model kind '${String(modelKind)}' is not available here`);
  const model = diagonal ? 'diagonal' : 'deep-linear';
  const kind = get('data.kind');
  if (kind === 'degenerate' || kind === 'gaussian' || kind === 'two-gaussians' || kind === 'mnist') patch.data = kind;
  else if (kind !== undefined) notes.push(`data kind '${String(kind)}' is not available here`);
  for (const [path, key] of PATHS) {
    const v = get(path);
    if (v === undefined) continue;
    const parsed = parseField(key, String(v), model);
    if (parsed === undefined) notes.push(`${path}: ${fieldProblem(key, String(v), model)} here; kept ${key} as it was`);
    else (patch as Record<string, unknown>)[key] = parsed;
  }
  if (diagonal) {
    // the explorer's diagonal net: η given directly, init constant α
    const eta = get('eta');
    if (eta !== undefined) {
      const parsed = parseField('eta', String(eta), model);
      if (parsed === undefined) notes.push(`eta: ${fieldProblem('eta', String(eta), model)} here; kept eta as it was`);
      else patch.eta = parsed;
    } else if (get('c') !== undefined) notes.push('the run gives c; the explorer sets the diagonal net\'s η directly (kept η as it was)');
    const alpha = get('init.value');
    if (get('init.kind') === 'constant' && alpha !== undefined) {
      const parsed = parseField('alpha', String(alpha), model);
      if (parsed === undefined) notes.push(`init.value: ${fieldProblem('alpha', String(alpha), model)} here; kept α as it was`);
      else patch.alpha = parsed;
    } else notes.push(`init '${String(get('init.kind') ?? 'gaussian')}' is not available here for the diagonal net (only constant α)`);
    delete patch.c;
    delete patch.width;
  } else {
    if (get('eta') !== undefined) {
      notes.push('the run gives η directly; the explorer sets c = ηλ0/2 (using the summary when present)');
      if (summaryC !== undefined) patch.c = summaryC;
    }
    if (get('init.kind') !== undefined && get('init.kind') !== 'gaussian') notes.push(`init '${String(get('init.kind'))}' is not available here`);
  }
  if (get('batchSize') !== undefined && get('batchSize') !== null) notes.push('mini-batch SGD is not available here');
  return { patch, notes };
}
