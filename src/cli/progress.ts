import cliProgress from 'cli-progress';

/**
 * Progress for long jobs: a live bar with an ETA on a terminal; otherwise (CI logs) a line every 10%, and at least
 * every LINE_EVERY_MS so that a slow job (e.g. curvature at every step of a big net) never looks stuck; nothing
 * with --quiet. Always on stderr so stdout stays parseable.
 */
const LINE_EVERY_MS = 15000;

/** "1m05s"-style duration. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
export interface Progress {
  update(done: number, info?: string): void;
  stop(): void;
}

export function createProgress(total: number, label: string, quiet = false): Progress {
  if (quiet || total <= 0) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {info}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      update: (done, info = '') => bar.update(done, { info }),
      stop: () => bar.stop(),
    };
  }
  let nextTenth = 1;
  const start = Date.now();
  let last = start;
  return {
    update(done, info = '') {
      const now = Date.now();
      const tenth = done >= (nextTenth * total) / 10;
      if (!tenth && now - last < LINE_EVERY_MS) return;
      while (done >= (nextTenth * total) / 10) nextTenth++;
      last = now;
      const elapsed = now - start;
      const eta = done > 0 && done < total ? ` ETA ${formatDuration((elapsed * (total - done)) / done)}` : '';
      process.stderr.write(`${label}: ${done}/${total} (${Math.round((100 * done) / total)}%) ${info} ${(elapsed / 1000).toFixed(1)}s${eta}\n`);
    },
    stop() {},
  };
}
