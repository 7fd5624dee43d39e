import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * File-system failures as one line naming the path and the real cause ("cannot write
 * runs/x/metrics.csv: no space left on device (ENOSPC)"), instead of Node's messages, which name
 * no file for a failed write and say ENOENT for a recursive mkdir on a read-only mount. Node-only.
 */
const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a parent is not a directory',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

export class FsError extends Error {
  readonly code: string | undefined;
  constructor(action: string, path: string, err: unknown, why?: string) {
    const code = (err as NodeJS.ErrnoException).code;
    super(`cannot ${action} ${path}: ${code ? `${why ?? CAUSES[code] ?? (err as Error).message} (${code})` : (err as Error).message}`, { cause: err });
    this.name = 'FsError';
    this.code = code;
  }
}

/** Run `fn`; an fs error becomes an FsError naming `action` and `path` (FsErrors pass through). */
export function explainFs<T>(action: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FsError || !(err as NodeJS.ErrnoException).code) throw err;
    throw new FsError(action, path, err);
  }
}

/**
 * mkdir -p one level at a time, so the error names the directory that could not be created and its
 * real cause (Node's recursive mkdir reports ENOENT on some read-only mounts and loops forever on /proc).
 */
export function ensureDir(path: string): void {
  const missing: string[] = [];
  let p = path;
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new FsError('create directory', path, Object.assign(new Error(`${p} is a file`), { code: 'ENOTDIR' }), `${p} is a file, not a directory`);
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // created concurrently
      throw new FsError('create directory', dir, err);
    }
  }
}
