/**
 * `catapult incremental`: σ₀_max of the two-value incremental-learning toy model (neighbours §B) from
 * exact hitting times (src/theory/incremental.ts), against §B's criterion formula.
 */
import type { Command } from 'commander';
import { incrementalThreshold, type IncrementalResult } from '../theory/incremental.ts';

export const TABLE_DEPTHS = [1, 2, 3, 4, 6];
export const TABLE_RS = [0.5, 0.7, 0.8, 0.9];
export const DEFAULT_EPS = 0.01;

export interface IncrementalOptions {
  depth?: string;
  r?: string;
  eps?: string;
  json?: boolean;
}

function parseNumber(flag: string, text: string, ok: (v: number) => boolean, expected: string): number {
  const v = text.trim() === '' ? NaN : Number(text);
  if (!ok(v)) throw new Error(`${flag}: expected ${expected}, got '${text}'`);
  return v;
}

/** The JSON object of one (N, r, ε): the keys first, then the log10 values (no underflow) and notes. */
export function incrementalJson(x: IncrementalResult): Record<string, unknown> {
  return {
    depth: x.depth,
    r: x.r,
    eps: x.eps,
    sigma0Max: x.sigma0Max,
    criterion: x.criterion,
    ratio: x.ratio,
    log10Sigma0Max: x.log10Sigma0Max,
    log10Criterion: x.log10Criterion,
    ...(x.note ? { note: x.note } : {}),
  };
}

const sci = (x: number | null, log10: number | null): string => {
  if (x === null || log10 === null) return '—';
  if (x === 0 || !Number.isFinite(x)) return `1e${log10.toFixed(2)}`; // below the double range: from the log
  return x.toExponential(4);
};

export function incrementalTable(rows: IncrementalResult[]): string {
  const lines = [
    `ε-incremental inits of the two-value toy (σ₁* = 1, σ₂* = r, ε = ${rows[0]?.eps}): σ₀_max from exact hitting times vs §B's criterion`,
    `   N     r        σ₀_max     criterion   σ₀_max/criterion`,
  ];
  for (const x of rows) {
    lines.push(
      `${String(x.depth).padStart(4)}  ${x.r.toFixed(2).padStart(4)}  ${sci(x.sigma0Max, x.log10Sigma0Max).padStart(12)}  ${sci(x.criterion, x.log10Criterion).padStart(12)}  ${(x.ratio === null ? '—' : x.ratio.toPrecision(4)).padStart(17)}`,
    );
  }
  if (rows.some((x) => x.depth === 1 && x.sigma0Max === null)) lines.push('N = 1 is never ε-incremental for ε ≤ ½ (σ₀_max and the criterion are null).');
  lines.push('criterion (derived): N = 2: (ε^{1+r} r)^{1/(1−r)};  N ≥ 3: ε r (1−r)^{N/(N−2)}');
  return lines.join('\n');
}

/** The text or JSON output of `catapult incremental`. */
export function incrementalCommand(opts: IncrementalOptions): string {
  const depth = opts.depth === undefined ? undefined : parseNumber('--depth', opts.depth, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const r = opts.r === undefined ? undefined : parseNumber('--r', opts.r, (v) => v > 0 && v < 1, 'a number in (0, 1)');
  const eps = opts.eps === undefined ? DEFAULT_EPS : parseNumber('--eps', opts.eps, (v) => v > 0 && v < 1, 'a number in (0, 1)');
  const depths = depth === undefined ? TABLE_DEPTHS : [depth];
  const rs = r === undefined ? TABLE_RS : [r];
  const rows = depths.flatMap((N) => rs.map((rr) => incrementalThreshold(N, rr, eps)));
  if (opts.json) return JSON.stringify(rows.length === 1 ? incrementalJson(rows[0]) : rows.map(incrementalJson), null, 2);
  return incrementalTable(rows);
}

export function registerIncremental(program: Command): void {
  program
    .command('incremental')
    .description('incremental learning toy (neighbours §B): largest ε-incremental init σ₀_max vs the criterion formula')
    .option('--depth <N>', 'depth N ≥ 1 (default: the table over N ∈ {1, 2, 3, 4, 6})')
    .option('--r <r>', 'second target σ₂* = r ∈ (0, 1) (default: the table over r ∈ {0.5, 0.7, 0.8, 0.9})')
    .option('--eps <ε>', `accuracy ε ∈ (0, 1) (default ${DEFAULT_EPS})`)
    .option('--json', 'JSON: one object {depth, r, eps, sigma0Max, criterion, …} for one (N, r), else an array')
    .action((o: IncrementalOptions) => {
      console.log(incrementalCommand(o));
    });
}
