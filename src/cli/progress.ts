import cliProgress from 'cli-progress';

/**
 * Progress for long jobs: a live bar on a terminal, a line every 10% otherwise (CI logs),
 * nothing with --quiet. Always on stderr so stdout stays parseable.
 */
export interface Progress {
  update(done: number, info?: string): void;
  stop(): void;
}

export function createProgress(total: number, label: string, quiet = false): Progress {
  if (quiet || total <= 0) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {info}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
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
  return {
    update(done, info = '') {
      if (done >= (nextTenth * total) / 10) {
        while (done >= (nextTenth * total) / 10) nextTenth++;
        process.stderr.write(`${label}: ${done}/${total} (${Math.round((100 * done) / total)}%) ${info} ${((Date.now() - start) / 1000).toFixed(1)}s\n`);
      }
    },
    stop() {},
  };
}
