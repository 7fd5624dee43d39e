/**
 * CIFAR-10 binary-format parser (browser-safe: parses a Uint8Array; reading files lives in
 * mnistFiles.ts).
 *
 * The "CIFAR-10 binary version" (cifar-10-binary.tar.gz → data_batch_1.bin … data_batch_5.bin,
 * test_batch.bin) is a sequence of 3073-byte records: 1 label byte (0–9), then 3072 pixel bytes —
 * the 1024 red values of the 32×32 image (row-major), then 1024 green, then 1024 blue.
 * The file size must be a positive multiple of 3073 and every label must be ≤ 9.
 */
import { FormatError, isGzip } from './idx.ts';
import type { LabeledImages } from './binaryTasks.ts';

export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];
export const CIFAR10_RECORD_BYTES = 3073;
const PIXELS = 3072;

/**
 * Parse one CIFAR-10 binary batch. Images come out as count × 3072 bytes in the file's order
 * (channel, row, column); shape [3, 32, 32]. `name` (e.g. the path) appears in every error.
 */
export function parseCifar10(bytes: Uint8Array, name: string): LabeledImages {
  if (isGzip(bytes)) {
    throw new FormatError(name, 'gzip-compressed data; extract the .bin batch files from cifar-10-binary.tar.gz first', 0);
  }
  const n = bytes.length;
  if (n === 0) throw new FormatError(name, 'empty file: no CIFAR-10 records', 0);
  if (n % CIFAR10_RECORD_BYTES !== 0) {
    const whole = Math.floor(n / CIFAR10_RECORD_BYTES);
    const hint = n % 3074 === 0 ? ' (the size fits 3074-byte CIFAR-100 records, which are not supported)' : '';
    throw new FormatError(
      name,
      `size ${n} bytes is not a multiple of the ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 record: ${whole} whole records ` +
        `and ${n - whole * CIFAR10_RECORD_BYTES} extra bytes — truncated or not a CIFAR-10 binary file${hint}`,
      whole * CIFAR10_RECORD_BYTES,
    );
  }
  const count = n / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const o = r * CIFAR10_RECORD_BYTES;
    const label = bytes[o]!;
    if (label > 9) {
      throw new FormatError(name, `record ${r} (byte offset ${o}): label ${label} is not a CIFAR-10 class (0–9)`, o);
    }
    labels[r] = label;
    images.set(bytes.subarray(o + 1, o + CIFAR10_RECORD_BYTES), r * PIXELS);
  }
  return { images, labels, count, shape: [3, 32, 32], d: PIXELS, name };
}

/** Encode images and labels as a CIFAR-10 binary batch (inverse of parseCifar10; for tests and exports). */
export function encodeCifar10(images: Uint8Array, labels: ArrayLike<number>): Uint8Array {
  const count = labels.length;
  if (images.length !== count * PIXELS) throw new RangeError(`encodeCifar10: ${count} labels need ${count * PIXELS} pixel bytes, got ${images.length}`);
  const out = new Uint8Array(count * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < count; r++) {
    out[r * CIFAR10_RECORD_BYTES] = labels[r]!;
    out.set(images.subarray(r * PIXELS, (r + 1) * PIXELS), r * CIFAR10_RECORD_BYTES + 1);
  }
  return out;
}
