import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataError,
  degenerateData,
  gaussianTeacherData,
  makeDataset,
  parseCsvDataset,
  selectRows,
  standardize,
  subsample,
  toFloat32,
  trainTestSplit,
  twoGaussiansBayesError,
  twoGaussiansData,
  type Dataset,
} from '../src/data/index.ts';
import { loadCsvFile } from '../src/data/files.ts';
import { resolveConfig } from '../src/experiments/config.ts';

const dotRow = (ds: Dataset, i: number, w: ArrayLike<number>): number => {
  let s = 0;
  for (let j = 0; j < ds.d; j++) s += ds.X[i * ds.d + j]! * w[j]!;
  return s;
};

test('degenerateData: exact counts; flipped rows keep y·x', () => {
  const ds = degenerateData({ m: 10, d: 3, p: 0.3 });
  assert.equal(ds.m, 10);
  assert.equal(ds.d, 3);
  assert.deepEqual([...ds.y], [1, 1, 1, -1, -1, -1, -1, -1, -1, -1]);
  assert.ok(ds.X.every((v) => v === 1));

  const flipped = degenerateData({ m: 10, d: 3, p: 0.3, flipFraction: 0.4 });
  let flippedRows = 0;
  for (let i = 0; i < 10; i++) {
    const x0 = flipped.X[i * 3]!;
    if (x0 === -1) flippedRows++;
    assert.ok(i >= 6 ? x0 === -1 : x0 === 1, `row ${i}`);
    for (let j = 0; j < 3; j++) assert.equal(flipped.y[i]! * flipped.X[i * 3 + j]!, ds.y[i]! * ds.X[i * 3 + j]!);
  }
  assert.equal(flippedRows, 4);
  assert.equal(degenerateData({ m: 7, d: 2, p: 1 }).y.filter((v) => v === 1).length, 7);
  assert.equal(degenerateData({ m: 7, d: 2, p: 0 }).y.filter((v) => v === 1).length, 0);
  assert.throws(() => degenerateData({ m: 10, d: 3, p: 1.5 }), RangeError);
  assert.throws(() => degenerateData({ m: 0, d: 3, p: 0.5 }), RangeError);
  assert.throws(() => degenerateData({ m: 10, d: 3, p: 0.5, flipFraction: -0.1 }), RangeError);
});

test('gaussianTeacherData: noiseless labels follow the teacher; noise flips ≈ labelNoise', () => {
  const m = 20000, d = 8;
  const clean = gaussianTeacherData({ m, d, seed: 3 });
  for (let i = 0; i < m; i++) assert.equal(clean.y[i], dotRow(clean, i, clean.teacher) >= 0 ? 1 : -1);
  let sq = 0;
  for (let i = 0; i < m * d; i++) sq += clean.X[i]! ** 2;
  assert.ok(Math.abs(sq / m - d) < 0.2, `mean ‖x‖² = ${sq / m}`);

  const q = 0.1;
  const noisy = gaussianTeacherData({ m, d, seed: 3, labelNoise: q });
  assert.deepEqual(noisy.X, clean.X); // noise has its own stream
  assert.deepEqual(noisy.teacher, clean.teacher);
  let flips = 0;
  for (let i = 0; i < m; i++) if (noisy.y[i] !== clean.y[i]) flips++;
  const sd = Math.sqrt(m * q * (1 - q));
  assert.ok(Math.abs(flips - m * q) < 4 * sd, `flips ${flips}, expected ${m * q} ± ${4 * sd}`);

  const w = Float64Array.from([1, 0, 0]);
  const given = gaussianTeacherData({ m: 100, d: 3, seed: 1, teacher: w });
  for (let i = 0; i < 100; i++) assert.equal(given.y[i], given.X[i * 3]! >= 0 ? 1 : -1);
  assert.throws(() => gaussianTeacherData({ m: 10, d: 4, seed: 1, teacher: w }), /length 3/);
  assert.throws(() => gaussianTeacherData({ m: 10, d: 3, seed: 1, labelNoise: 2 }), RangeError);
});

test('twoGaussiansData: Bayes classifier error ≈ twoGaussiansBayesError', () => {
  assert.ok(Math.abs(twoGaussiansBayesError(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(twoGaussiansBayesError(2) - 0.15865525393145707) < 1e-7); // Φ(−1)
  assert.ok(Math.abs(twoGaussiansBayesError(2, 2) - 0.3085375387259869) < 1e-7); // Φ(−½)
  const m = 20000, d = 5, separation = 2, sigma = 1;
  const ds = twoGaussiansData({ m, d, seed: 11, separation, sigma });
  const e = new Float64Array(d).fill(1);
  let errors = 0, pos = 0;
  for (let i = 0; i < m; i++) {
    if ((dotRow(ds, i, e) >= 0 ? 1 : -1) !== ds.y[i]) errors++;
    if (ds.y[i] === 1) pos++;
  }
  const p = twoGaussiansBayesError(separation, sigma);
  const sd = Math.sqrt(p * (1 - p) / m);
  assert.ok(Math.abs(errors / m - p) < 4 * sd, `error ${errors / m}, Bayes ${p} ± ${4 * sd}`);
  assert.ok(Math.abs(pos / m - 0.5) < 4 * Math.sqrt(0.25 / m));
  assert.throws(() => twoGaussiansData({ m, d, seed: 1, separation: -1 }), RangeError);
  assert.throws(() => twoGaussiansData({ m, d, seed: 1, separation: 1, sigma: 0 }), RangeError);
});

test('generators: same seed → identical arrays, different seed → different', () => {
  const a = gaussianTeacherData({ m: 50, d: 4, seed: 7, labelNoise: 0.2 });
  const b = gaussianTeacherData({ m: 50, d: 4, seed: 7, labelNoise: 0.2 });
  const c = gaussianTeacherData({ m: 50, d: 4, seed: 8, labelNoise: 0.2 });
  assert.deepEqual(a.X, b.X);
  assert.deepEqual(a.y, b.y);
  assert.deepEqual(a.teacher, b.teacher);
  assert.notDeepEqual(a.X, c.X);
  assert.notDeepEqual(a.teacher, c.teacher);
  const g1 = twoGaussiansData({ m: 50, d: 4, seed: 7, separation: 1 });
  const g2 = twoGaussiansData({ m: 50, d: 4, seed: 7, separation: 1 });
  const g3 = twoGaussiansData({ m: 50, d: 4, seed: 9, separation: 1 });
  assert.deepEqual(g1.X, g2.X);
  assert.deepEqual(g1.y, g2.y);
  assert.notDeepEqual(g1.X, g3.X);
  assert.notDeepEqual(g1.y, g3.y);
  assert.match(a.name, /gaussianTeacher\(m=50,d=4,noise=0.2,seed=7\)/);
});

test('trainTestSplit: sizes, disjoint cover, rows match, seeded', () => {
  const ds = gaussianTeacherData({ m: 101, d: 3, seed: 1 });
  const { train, test: te, trainIndices, testIndices } = trainTestSplit(ds, { testFraction: 0.2, seed: 5 });
  assert.equal(te.m, 20);
  assert.equal(train.m, 81);
  const all = [...trainIndices, ...testIndices].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 101 }, (_, i) => i));
  for (let r = 0; r < te.m; r++) {
    const i = testIndices[r]!;
    assert.equal(te.y[r], ds.y[i]);
    assert.deepEqual(te.X.subarray(r * 3, r * 3 + 3), ds.X.subarray(i * 3, i * 3 + 3));
  }
  assert.deepEqual(trainTestSplit(ds, { testFraction: 0.2, seed: 5 }).testIndices, testIndices);
  assert.notDeepEqual(trainTestSplit(ds, { testFraction: 0.2, seed: 6 }).testIndices, testIndices);
  assert.throws(() => trainTestSplit(ds, { testFraction: 1, seed: 5 }), RangeError);
  assert.throws(() => trainTestSplit(ds, { testFraction: 0.001, seed: 5 }), /empty/);
});

test('subsample, selectRows, toFloat32', () => {
  const ds = gaussianTeacherData({ m: 30, d: 2, seed: 2 });
  const sub = subsample(ds, 10, 4);
  assert.equal(sub.m, 10);
  assert.deepEqual(subsample(ds, 10, 4).X, sub.X);
  const sel = selectRows(ds, [4, 0, 4]);
  assert.deepEqual([...sel.y], [ds.y[4], ds.y[0], ds.y[4]]);
  assert.deepEqual([...sel.X.subarray(2, 4)], [ds.X[0], ds.X[1]]);
  assert.throws(() => selectRows(ds, [30]), RangeError);
  assert.throws(() => subsample(ds, 31, 1), RangeError);
  const f32 = toFloat32(ds);
  assert.ok(f32.X instanceof Float32Array);
  assert.ok(selectRows(f32, [1, 2]).X instanceof Float32Array);
  assert.equal(f32.X[5], Math.fround(ds.X[5]!));
});

test('standardize: train mean 0 / std 1, constant features centred, test uses train stats', () => {
  const m = 500, d = 3;
  const base = gaussianTeacherData({ m, d, seed: 9 });
  const X = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    X[i * d] = 1e4 + 3 * base.X[i * d]!; // large offset: needs the two-pass variance
    X[i * d + 1] = 0.01 * base.X[i * d + 1]!;
    X[i * d + 2] = 0.1; // constant
  }
  const ds = makeDataset(X, base.y, d, 'shifted');
  const { train, test: te } = trainTestSplit(ds, { testFraction: 0.3, seed: 1 });
  const s = standardize(train, te);
  assert.equal(s.std[2], 1);
  for (let j = 0; j < d; j++) {
    let mean = 0, sq = 0;
    for (let i = 0; i < train.m; i++) mean += s.train.X[i * d + j]!;
    mean /= train.m;
    for (let i = 0; i < train.m; i++) sq += (s.train.X[i * d + j]! - mean) ** 2;
    assert.ok(Math.abs(mean) < 1e-12, `feature ${j} mean ${mean}`);
    if (j < 2) assert.ok(Math.abs(Math.sqrt(sq / train.m) - 1) < 1e-12, `feature ${j} std`);
    else assert.ok(s.train.X.every((_, k) => k % d !== 2 || Math.abs(s.train.X[k]!) < 1e-15));
  }
  const k = 7;
  assert.equal(s.test!.X[k * d], (te.X[k * d]! - s.mean[0]!) / s.std[0]!);
});

test('CSV: header, quoted fields, \\r\\n, trailing blank lines', () => {
  const ds = parseCsvDataset('age,"income, net",label\r\n30,1.5e3,1\r\n41,-2,-1\r\n"52",.5,+1\r\n\r\n\n', { name: 'people' });
  assert.equal(ds.m, 3);
  assert.equal(ds.d, 2);
  assert.equal(ds.name, 'people');
  assert.deepEqual([...ds.X], [30, 1500, 41, -2, 52, 0.5]);
  assert.deepEqual([...ds.y], [1, -1, 1]);
});

test('CSV: {0,1} labels without header, label column by index and by name', () => {
  const noHeader = parseCsvDataset('1,2,0\n3,4,1\n5,6,0\n');
  assert.deepEqual([...noHeader.y], [-1, 1, -1]);
  assert.deepEqual([...noHeader.X], [1, 2, 3, 4, 5, 6]);
  const first = parseCsvDataset('1,2,0\n0,4,1\n', { labelColumn: 0 });
  assert.deepEqual([...first.y], [1, -1]);
  assert.deepEqual([...first.X], [2, 0, 4, 1]);
  const named = parseCsvDataset('y,a\n3,0.5\n8,0.25\n', { labelColumn: 'y' });
  assert.deepEqual([...named.y], [-1, 1]); // larger numeric label is +1
  assert.deepEqual([...named.X], [0.5, 0.25]);
  // Text labels without a header: the first row's label recurs, so it is data, not a header.
  const text = parseCsvDataset('1,cat\n2,dog\n3,cat\n');
  assert.equal(text.m, 3);
  assert.deepEqual([...text.y], [-1, 1, -1]); // 'dog' > 'cat'
  // Numeric feature names with a text label column name: a header.
  assert.equal(parseCsvDataset('0,1,label\n5,6,1\n7,8,0\n').m, 2);
});

test('CSV: custom label names, dropping other labels', () => {
  const text = 'f,label\n1,three\n2,eight\n3,three\n4,five\n';
  const opts = { positive: ['eight'], negative: ['three'] };
  const dropped = parseCsvDataset(text, { ...opts, otherLabels: 'drop' });
  assert.deepEqual([...dropped.y], [-1, 1, -1]);
  assert.deepEqual([...dropped.X], [1, 2, 3]);
  assertDataError(() => parseCsvDataset(text, opts), 5, 2, /line 5, column 2 \('label'\): unknown label 'five'; expected one of 'three', 'eight'/);
  assert.throws(() => parseCsvDataset(text, { positive: ['eight'] }), /both positive and negative/);
});

function assertDataError(fn: () => unknown, line: number | undefined, column: number | undefined, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataError, `not a DataError: ${String(err)}`);
    assert.match(err.message, message);
    assert.equal(err.line, line);
    assert.equal(err.column, column);
    return true;
  });
}

test('CSV errors name the line and column', () => {
  assertDataError(() => parseCsvDataset('a,b,c,d,y\n1,2,3,4,1\n\n1,2,3,4,0\n1,2,3,1\n'), 5, undefined, /^line 5: expected 5 columns, found 4$/);
  assertDataError(() => parseCsvDataset('name,age,y\n1,2,1\n3,abc,0\n'), 3, 2, /^line 3, column 2 \('age'\): 'abc' is not a number$/);
  assertDataError(() => parseCsvDataset('1,2,1\n3,NaN,0\n'), 2, 2, /^line 2, column 2: 'NaN' is not a number$/);
  assertDataError(() => parseCsvDataset('1,2,1\n3,0x10,0\n'), 2, 2, /^line 2, column 2: '0x10' is not a number$/);
  assertDataError(() => parseCsvDataset('a,b,y\n1,,1\n'), 2, 2, /^line 2, column 2 \('b'\): empty cell/);
  assertDataError(() => parseCsvDataset('a,label\n1,0\n2,1\n3,maybe\n'), 4, 2, /^line 4, column 2 \('label'\): a third distinct label 'maybe'/);
  assertDataError(() => parseCsvDataset('a,y\n1,0\n1,1\n"2,1\n'), 4, 1, /^line 4, column 1: unterminated quoted field/);
  assertDataError(() => parseCsvDataset(''), undefined, undefined, /empty file/);
  assertDataError(() => parseCsvDataset('\n \r\n'), undefined, undefined, /empty file/);
  assertDataError(() => parseCsvDataset('a,b,label\n\n'), 1, undefined, /no data rows after the header \(line 1\)/);
  assertDataError(() => parseCsvDataset('a,b\n1,2\n', { labelColumn: 'y' }), 1, undefined, /no column named 'y' \(columns: a, b\)/);
  assertDataError(() => parseCsvDataset('1,2\n'), undefined, 2, /^column 2: all 1 rows are in one class \(label '2'\); a binary data set needs both classes$/);
  assertDataError(() => parseCsvDataset('a,y\n1,1\n2,1\n'), undefined, 2, /^column 2: all 2 rows are in one class \(label '1'\)/);
  assertDataError(() => parseCsvDataset('a,y\n1,no\n2,no\n3,maybe\n', { positive: ['yes'], negative: ['no'], otherLabels: 'drop' }), undefined, 2, /^column 2: all 2 rows are in one class \(negative labels 'no'\)/);
  assertDataError(() => parseCsvDataset('1\n2\n'), 1, undefined, /need at least one feature column/);
});

test('loadCsvFile: reads a temp file, names the data set after it, reports missing files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catapult-data-'));
  try {
    const path = join(dir, 'toy.csv');
    writeFileSync(path, 'x1,x2,cls\n1,2,no\n3,4,yes\n');
    const ds = loadCsvFile(path, { positive: ['yes'], negative: ['no'] });
    assert.equal(ds.name, 'toy.csv');
    assert.deepEqual([...ds.y], [-1, 1]);
    assert.deepEqual([...ds.X], [1, 2, 3, 4]);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,y\n1,1\nx,0\n');
    assertDataError(() => loadCsvFile(bad), 3, 1, /bad\.csv: line 3, column 1 \('a'\): 'x' is not a number/);
    assert.throws(() => loadCsvFile(join(dir, 'missing.csv')), /cannot read CSV .*missing\.csv': file not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('degenerate data: p·m must be an integer (an error naming p and m, never a silent rounding)', () => {
  assert.throws(() => degenerateData({ m: 10, d: 3, p: 0.35 }), (e: Error) => e instanceof RangeError && /p·m = 0\.35·10 = 3\.5/.test(e.message));
  assert.throws(() => degenerateData({ m: 7, d: 2, p: 0.3 }), /p·m = 0\.3·7/);
  // floating-point round-off of an exact fraction is not an error
  assert.equal(degenerateData({ m: 10, d: 3, p: 0.3 }).y.filter((v) => v === 1).length, 3);
  assert.equal(degenerateData({ m: 100, d: 3, p: 0.07 }).y.filter((v) => v === 1).length, 7);
  // in a config the message names the field
  assert.throws(() => resolveConfig({ data: { kind: 'degenerate', m: 10, p: 0.25 } }), /data\.p: p·m = 0\.25·10 = 2\.5 is not an integer/);
  assert.doesNotThrow(() => resolveConfig({ data: { kind: 'degenerate', m: 100, p: 0.25 } }));
});
