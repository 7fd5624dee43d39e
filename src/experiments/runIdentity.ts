import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { configHash, runConfigHash, type RunConfig } from './config.ts';

/**
 * A run's identity: its resolved config plus the content of every input file it reads (CSV data,
 * an init weights file). Two runs with the same config but an edited file are different runs, so
 * resume never reuses results computed from stale data. Runs that read no files keep the plain
 * config hash (so their directories and tables are unchanged). Node-only.
 */

/** The config fields that name input files, with their paths. */
export function inputFiles(cfg: RunConfig): { field: string; path: string }[] {
  const files: { field: string; path: string }[] = [];
  if (cfg.data.kind === 'csv') files.push({ field: 'data.path', path: cfg.data.path });
  if (cfg.init.kind === 'file') files.push({ field: 'init.path', path: cfg.init.path });
  return files;
}

/**
 * SHA-256 of a file's bytes; an unreadable file gets a marker instead, so the run goes on to fail
 * with the loader's own message ("cannot read CSV …") rather than a hashing error.
 * `cache` (path → digest) lets a sweep read each file once.
 */
function fileDigest(path: string, cache?: Map<string, string>): string {
  const known = cache?.get(path);
  if (known !== undefined) return known;
  let digest: string;
  try {
    digest = 'sha256:' + createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    digest = 'unreadable';
  }
  cache?.set(path, digest);
  return digest;
}

/** field → content digest of each input file (empty for runs without input files). */
export function inputDigests(cfg: RunConfig, cache?: Map<string, string>): Record<string, string> {
  return Object.fromEntries(inputFiles(cfg).map((f) => [f.field, fileDigest(f.path, cache)]));
}

/**
 * The run key: runConfigHash(cfg) without input files, else the hash of config + file digests (`threads` left out
 * in both: a speed setting that does not change any result).
 */
export function runHash(cfg: RunConfig, cache?: Map<string, string>): string {
  const inputs = inputDigests(cfg, cache);
  if (Object.keys(inputs).length === 0) return runConfigHash(cfg);
  const { threads: _speedOnly, ...config } = cfg;
  return configHash({ config, inputs });
}
