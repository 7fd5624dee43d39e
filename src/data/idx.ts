/**
 * IDX file parser (browser-safe: parses a Uint8Array; reading and gunzipping files lives in
 * mnistFiles.ts). IDX is the format of the official MNIST files (and Fashion-MNIST, EMNIST, …).
 *
 * Layout (all integers big-endian):
 *   bytes 0–1   0x00 0x00
 *   byte  2     element type: 0x08 ubyte, 0x09 byte (int8), 0x0B short (int16), 0x0C int (int32),
 *               0x0D float (float32), 0x0E double (float64)
 *   byte  3     number of dimensions n (≥ 1)
 *   then n uint32 sizes, then the elements in row-major order.
 *
 * The file must be exactly 4 + 4n + (product of sizes)·(element size) bytes: a shorter file is
 * reported as truncated, a longer one as having trailing bytes. Nothing is skipped or padded.
 */
import { DataError } from './csv.ts';
import type { LabeledImages } from './binaryTasks.ts';

/**
 * A malformed binary data file. `file` is the name the parser was given (usually the path);
 * `offset` the byte offset of the problem when one makes sense. The message starts with the file.
 * A subclass of DataError, so `catch (e) { if (e instanceof DataError) … }` catches both.
 */
export class FormatError extends DataError {
  readonly file: string;
  readonly offset: number | undefined;
  constructor(file: string, message: string, offset?: number) {
    super(`${file}: ${message}`);
    this.name = 'FormatError';
    this.file = file;
    this.offset = offset;
  }
}

export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** The name given to parseIdx (used in error messages). */
  readonly name: string;
  readonly type: IdxType;
  readonly dims: readonly number[];
  /**
   * The elements, row-major, in native byte order. For 'ubyte' this is a view of the input bytes
   * (no copy); for the other types a fresh array.
   */
  readonly data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'ubyte', size: 1 },
  0x09: { type: 'byte', size: 1 },
  0x0b: { type: 'short', size: 2 },
  0x0c: { type: 'int', size: 4 },
  0x0d: { type: 'float', size: 4 },
  0x0e: { type: 'double', size: 8 },
};
const TYPE_LIST = '0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double';

const hex = (v: number, digits: number): string => `0x${v.toString(16).toUpperCase().padStart(digits, '0')}`;

/** True when the bytes start with the gzip magic 1F 8B. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parse an IDX file held in memory. `name` (e.g. the path) appears in every error message. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (isGzip(bytes)) {
    throw new FormatError(name, 'gzip-compressed data; decompress it first (loadIdxFile in mnistFiles.ts does this)', 0);
  }
  if (bytes.length < 4) {
    throw new FormatError(name, `truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic number`, bytes.length);
  }
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const spec = TYPES[bytes[2]!];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !spec) {
    throw new FormatError(
      name,
      `wrong magic number ${hex(magic, 8)}: not an IDX file (expected 0x0000 then a type code — ${TYPE_LIST} — ` +
        'then the number of dimensions)',
      0,
    );
  }
  const ndims = bytes[3]!;
  if (ndims === 0) throw new FormatError(name, `magic number ${hex(magic, 8)} declares 0 dimensions`, 3);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) {
    throw new FormatError(
      name,
      `truncated header: ${ndims} dimensions need a ${header}-byte header, the file has ${bytes.length} bytes`,
      bytes.length,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let k = 0; k < ndims; k++) {
    const n = view.getUint32(4 + 4 * k, false);
    dims.push(n);
    count *= n;
  }
  const expected = header + count * spec.size;
  const layout = `${header}-byte header + ${dims.join('×')} ${spec.type}${spec.size > 1 ? ` (${spec.size} bytes each)` : ''}`;
  if (bytes.length < expected) {
    throw new FormatError(
      name,
      `truncated: expected ${expected} bytes (${layout}), found ${bytes.length} (${expected - bytes.length} missing)`,
      bytes.length,
    );
  }
  if (bytes.length > expected) {
    throw new FormatError(
      name,
      `${bytes.length - expected} trailing bytes after the data: expected ${expected} bytes (${layout}), found ${bytes.length}`,
      expected,
    );
  }
  let data: IdxData;
  switch (spec.type) {
    case 'ubyte':
      data = new Uint8Array(bytes.buffer, bytes.byteOffset + header, count);
      break;
    case 'byte':
      data = new Int8Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt8(header + i);
      break;
    case 'short':
      data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(header + 2 * i, false);
      break;
    case 'int':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(header + 4 * i, false);
      break;
    case 'float':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(header + 4 * i, false);
      break;
    case 'double':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(header + 8 * i, false);
      break;
  }
  return { name, type: spec.type, dims, data };
}

/** Encode an array as IDX bytes (the inverse of parseIdx; used by tests and for exporting subsets). */
export function encodeIdx(type: IdxType, dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)]!.type === type));
  if (!TYPES[code]) throw new RangeError(`encodeIdx: unknown type '${type}'`);
  const size = TYPES[code].size;
  if (dims.length < 1 || dims.length > 255) throw new RangeError(`encodeIdx: need 1–255 dimensions, got ${dims.length}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new RangeError(`encodeIdx: dims ${dims.join('×')} need ${count} elements, got ${data.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((n, k) => view.setUint32(4 + 4 * k, n, false));
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const o = header + i * size;
    switch (type) {
      case 'ubyte': view.setUint8(o, v); break;
      case 'byte': view.setInt8(o, v); break;
      case 'short': view.setInt16(o, v, false); break;
      case 'int': view.setInt32(o, v, false); break;
      case 'float': view.setFloat32(o, v, false); break;
      case 'double': view.setFloat64(o, v, false); break;
    }
  }
  return out;
}

/**
 * Pair an IDX image file (ubyte, ≥ 2 dims: count × …) with its IDX label file (ubyte, 1 dim:
 * count). The counts must agree. With `numClasses`, every label must be < numClasses (MNIST: 10);
 * the first offending label is reported with its index and byte offset.
 */
export function idxImagesAndLabels(images: IdxArray, labels: IdxArray, { numClasses }: { numClasses?: number } = {}): LabeledImages {
  if (images.type !== 'ubyte') throw new FormatError(images.name, `image file has element type ${images.type}, expected ubyte`, 2);
  if (labels.type !== 'ubyte') throw new FormatError(labels.name, `label file has element type ${labels.type}, expected ubyte`, 2);
  if (images.dims.length < 2) {
    throw new FormatError(images.name, `image file has ${images.dims.length} dimension, expected ≥ 2 (count × pixels…)`, 3);
  }
  if (labels.dims.length !== 1) {
    throw new FormatError(labels.name, `label file has ${labels.dims.length} dimensions (${labels.dims.join('×')}), expected 1`, 3);
  }
  const count = images.dims[0]!;
  if (labels.dims[0] !== count) {
    throw new FormatError(
      images.name,
      `image/label count mismatch: ${count} images but ${labels.dims[0]} labels in ${labels.name}`,
      4,
    );
  }
  const lab = labels.data as Uint8Array;
  if (numClasses !== undefined) {
    for (let i = 0; i < count; i++) {
      if (lab[i]! >= numClasses) {
        throw new FormatError(labels.name, `label ${i} (byte ${8 + i}) is ${lab[i]}, expected 0–${numClasses - 1}`, 8 + i);
      }
    }
  }
  const shape = images.dims.slice(1);
  return {
    images: images.data as Uint8Array,
    labels: lab,
    count,
    shape,
    d: shape.reduce((a, b) => a * b, 1),
    name: images.name,
  };
}
