import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureDir, explainFs } from './fsErrors.ts';

/** CATAPULT_FSYNC=1: fsync before the rename, so results also survive a power loss (slower sweeps). */
const FSYNC = process.env.CATAPULT_FSYNC === '1';

/**
 * Write a file so that readers see either the old content or the complete new content, never a
 * partial file: write a temp file in the same directory, then rename it over the target (rename
 * is atomic within one file system). A killed process leaves at most a stray temp file.
 */
export function atomicWrite(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  // errors name the target file and the cause (ENOSPC, EACCES, EROFS, …)
  explainFs('write', path, () => {
    try {
      const fd = openSync(tmp, 'w');
      try {
        const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        if (FSYNC) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  });
}

/** JSON with a trailing newline, written atomically. */
export function atomicWriteJson(path: string, value: unknown): void {
  atomicWrite(path, JSON.stringify(value, null, 2) + '\n');
}
