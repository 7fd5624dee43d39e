/** Node-only file loading (kept out of the browser-safe data modules). */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Dataset } from './dataset.ts';
import { DataError, parseCsvDataset, type CsvOptions } from './csv.ts';

/**
 * Read a CSV file and parse it with `parseCsvDataset` (name defaults to the file's basename).
 * Content errors are DataErrors whose message starts with the path.
 */
export function loadCsvFile(path: string, opts: CsvOptions = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`cannot read CSV '${path}': ${why}`, { cause: err });
  }
  try {
    return parseCsvDataset(text, { ...opts, name: opts.name ?? basename(path) });
  } catch (err) {
    if (err instanceof DataError) throw new DataError(`${path}: ${err.message}`, err.line, err.column);
    throw err;
  }
}
