/**
 * Binary classification tasks carved out of multi-class labelled images (MNIST, CIFAR-10, …).
 * Browser-safe: works on arrays already in memory.
 *
 * Sign conventions (y = +1 / −1):
 *   pair      label === positive → +1, label === negative → −1, other labels are dropped
 *   parity    even label → +1, odd label → −1 (all rows kept)
 *   low-high  label ≥ threshold → +1, label < threshold → −1 (threshold defaults to 5; all rows kept)
 */
import { deriveSeed, Rng } from '../linalg/prng.ts';
import { DataError } from './csv.ts';
import { makeDataset, type Dataset } from './dataset.ts';

export type BinaryTask =
  | { kind: 'pair'; positive: number; negative: number }
  | { kind: 'parity' }
  | { kind: 'low-high'; threshold?: number };

/** Images with integer class labels, e.g. from idxImagesAndLabels or parseCifar10. */
export interface LabeledImages {
  /** count × d bytes, row-major (one image per row, in the file's pixel order). */
  readonly images: Uint8Array;
  /** count class labels. */
  readonly labels: Uint8Array;
  readonly count: number;
  /** Shape of one image, e.g. [28, 28] (MNIST) or [3, 32, 32] (CIFAR-10: channel, row, column). */
  readonly shape: readonly number[];
  /** Features per image: the product of shape. */
  readonly d: number;
  readonly name: string;
}

export interface BinaryTaskOptions {
  /** At most this many rows (a seeded uniform subsample of the task's rows); default: all. */
  limit?: number;
  /** Seed for the subsample (default 0). Recorded in the dataset name when a subsample is taken. */
  seed?: number;
  /** 'unit' (default): pixels/255 ∈ [0, 1]; 'raw': values as stored. */
  scale?: 'unit' | 'raw';
  /** Prefix of the dataset name, e.g. "mnist-train" (default "images"). */
  name?: string;
  /** Class names for the dataset name, e.g. CIFAR-10's; default: the label numbers. */
  classNames?: readonly string[];
}

function checkTask(task: BinaryTask): void {
  const isLabel = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 255;
  if (task.kind === 'pair') {
    if (!isLabel(task.positive) || !isLabel(task.negative)) {
      throw new RangeError(`binary task: class labels must be integers in [0, 255], got ${task.positive} and ${task.negative}`);
    }
    if (task.positive === task.negative) throw new RangeError(`binary task: positive and negative class are both ${task.positive}`);
  } else if (task.kind === 'low-high') {
    const t = task.threshold ?? 5;
    if (!Number.isInteger(t) || t < 1 || t > 255) throw new RangeError(`binary task: threshold must be an integer in [1, 255], got ${t}`);
  } else if (task.kind !== 'parity') {
    throw new RangeError(`binary task: unknown kind '${(task as { kind: unknown }).kind}'`);
  }
}

/** The label → sign map of a task: +1, −1, or 0 for a label the task drops. */
export function taskSign(task: BinaryTask): (label: number) => 1 | -1 | 0 {
  checkTask(task);
  switch (task.kind) {
    case 'pair':
      return (l) => (l === task.positive ? 1 : l === task.negative ? -1 : 0);
    case 'parity':
      return (l) => (l % 2 === 0 ? 1 : -1);
    case 'low-high': {
      const t = task.threshold ?? 5;
      return (l) => (l >= t ? 1 : -1);
    }
  }
}

/** "+1 class vs −1 class", e.g. "3 vs 8", "even vs odd", ">=5 vs <5", "cat vs dog". */
export function describeTask(task: BinaryTask, classNames?: readonly string[]): string {
  checkTask(task);
  const cls = (l: number): string => classNames?.[l] ?? String(l);
  switch (task.kind) {
    case 'pair':
      return `${cls(task.positive)} vs ${cls(task.negative)}`;
    case 'parity':
      return 'even vs odd';
    case 'low-high': {
      const t = task.threshold ?? 5;
      return `>=${t} vs <${t}`;
    }
  }
}

/**
 * Parse a task from text (CLI / config): "3v8", "3vs8", "3-vs-8", "3 vs 8", "3,8" (first = +1);
 * "parity" / "even-odd"; "low-high" / "low-high:5" / "high-low:5" (threshold, default 5).
 */
export function parseBinaryTask(spec: string): BinaryTask {
  const s = spec.trim().toLowerCase();
  const pair = /^(\d+)\s*(?:v|vs|-vs-|,|\s+vs\s+)\s*(\d+)$/.exec(s);
  if (pair) {
    const task: BinaryTask = { kind: 'pair', positive: Number(pair[1]), negative: Number(pair[2]) };
    checkTask(task);
    return task;
  }
  if (s === 'parity' || s === 'even-odd' || s === 'even-vs-odd') return { kind: 'parity' };
  const lh = /^(?:low-high|high-low|lowhigh)(?::(\d+))?$/.exec(s);
  if (lh) {
    const task: BinaryTask = { kind: 'low-high', threshold: lh[1] === undefined ? 5 : Number(lh[1]) };
    checkTask(task);
    return task;
  }
  throw new RangeError(`unknown binary task '${spec}': expected e.g. "3v8", "parity" or "low-high[:5]"`);
}

/**
 * A binary-classification Dataset from images with class labels. Keeps only the rows the task
 * uses (all rows for parity / low-high), then, if more than `limit` remain, a seeded uniform
 * subsample of `limit` of them. Rows stay in their original order. X is float32.
 *
 * `dims` is the number of features per image, or the shape of one image (e.g. [28, 28]).
 * Throws if the task leaves no rows or only one class (before subsampling).
 * Name: "<name>[3 vs 8, 11982 rows]" or "<name>[3 vs 8, 500 of 11982 rows, seed 0]".
 */
export function makeBinaryTask(
  images: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number | readonly number[],
  task: BinaryTask,
  opts: BinaryTaskOptions = {},
): Dataset {
  const sign = taskSign(task);
  const d = typeof dims === 'number' ? dims : dims.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`makeBinaryTask: features per image must be a positive integer, got ${d}`);
  const count = labels.length;
  if (images.length !== count * d) {
    throw new RangeError(`makeBinaryTask: ${count} labels × ${d} features need ${count * d} pixel values, got ${images.length}`);
  }
  const { limit, seed = 0, scale = 'unit', name = 'images', classNames } = opts;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new RangeError(`makeBinaryTask: limit must be a positive integer, got ${limit}`);
  }
  if (scale !== 'unit' && scale !== 'raw') throw new RangeError(`makeBinaryTask: scale must be 'unit' or 'raw', got '${scale}'`);
  const what = describeTask(task, classNames);

  let rows = new Int32Array(count);
  let n = 0;
  let nPos = 0;
  for (let i = 0; i < count; i++) {
    const s = sign(labels[i]!);
    if (s === 0) continue;
    rows[n++] = i;
    if (s > 0) nPos++;
  }
  if (n === 0) throw new DataError(`${name}: task ${what} selects no rows out of ${count}`);
  if (nPos === 0 || nPos === n) {
    throw new DataError(`${name}: task ${what} has only one class (${nPos} positive, ${n - nPos} negative rows)`);
  }
  rows = rows.subarray(0, n);
  let label = `${what}, ${n} rows`;
  if (limit !== undefined && limit < n) {
    const perm = new Rng(deriveSeed(seed, 'binaryTask')).shuffle(rows.slice());
    rows = perm.subarray(0, limit).sort();
    label = `${what}, ${limit} of ${n} rows, seed ${seed}`;
  }

  const k = rows.length;
  const X = new Float32Array(k * d);
  const y = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    const i = rows[r]!;
    const src = i * d;
    const dst = r * d;
    // Exact division: (v/255 rounded to float32) rather than v·(1/255), so 255 maps to exactly 1.
    if (scale === 'unit') for (let j = 0; j < d; j++) X[dst + j] = images[src + j]! / 255;
    else for (let j = 0; j < d; j++) X[dst + j] = images[src + j]!;
    y[r] = sign(labels[i]!);
  }
  return makeDataset(X, y, d, `${name}[${label}]`);
}

/** makeBinaryTask on a LabeledImages (name defaults to its name). */
export function binaryTaskFrom(data: LabeledImages, task: BinaryTask, opts: BinaryTaskOptions = {}): Dataset {
  return makeBinaryTask(data.images, data.labels, data.d, task, { name: data.name, ...opts });
}

/** Concatenate image sets of the same shape (e.g. the five CIFAR-10 training batches). */
export function concatLabeledImages(parts: readonly LabeledImages[], name?: string): LabeledImages {
  if (parts.length === 0) throw new RangeError('concatLabeledImages: no parts');
  const first = parts[0]!;
  if (parts.length === 1 && name === undefined) return first;
  for (const p of parts) {
    if (p.shape.join('×') !== first.shape.join('×')) {
      throw new DataError(`${p.name}: image shape ${p.shape.join('×')} differs from ${first.name}'s ${first.shape.join('×')}`);
    }
  }
  const count = parts.reduce((a, p) => a + p.count, 0);
  const images = new Uint8Array(count * first.d);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images.subarray(0, p.count * p.d), at * first.d);
    labels.set(p.labels.subarray(0, p.count), at);
    at += p.count;
  }
  return { images, labels, count, shape: first.shape, d: first.d, name: name ?? parts.map((p) => p.name).join('+') };
}
