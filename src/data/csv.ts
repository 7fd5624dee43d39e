/**
 * CSV → Dataset (browser-safe: parses a string; reading files lives in files.ts).
 *
 * Format: comma-separated, one row per line (\n or \r\n), fields optionally in double quotes
 * ("" inside quotes is a literal quote; quoted fields may contain commas but not newlines).
 * Blank lines are skipped. Every non-label column must hold finite decimal numbers (exponent
 * notation allowed); empty cells, NaN, Infinity and hex literals are rejected. Lines and columns in error messages
 * are 1-based and count physical lines of the text.
 */
import { makeDataset, type Dataset } from './dataset.ts';

/** A problem with the content of a data file, located by 1-based line and column when known. */
export class DataError extends Error {
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(message: string, line?: number, column?: number) {
    super(message);
    this.name = 'DataError';
    this.line = line;
    this.column = column;
  }
}

export interface CsvOptions {
  /** Header name, or 0-based column index (negative counts from the end). Default: last column. */
  labelColumn?: string | number;
  /** Label strings mapped to +1 / −1 (exact string match after trimming). Give both or neither. */
  positive?: string[];
  negative?: string[];
  /** With positive/negative: rows with any other label are an error (default) or dropped. */
  otherLabels?: 'error' | 'drop';
  /**
   * 'auto' (default): the first row is a header if any feature cell in it is non-numeric, or its
   * label cell is non-numeric and appears in no other row (so text labels are not taken for a header).
   * Always a header when labelColumn is a name.
   */
  header?: boolean | 'auto';
  name?: string;
}

/** A finite decimal number, or undefined. (Number() alone would also accept '' and 0x/0b/0o literals.) */
function parseNumber(cell: string): number | undefined {
  if (cell === '') return undefined;
  const v = Number(cell);
  if (!Number.isFinite(v)) return undefined;
  if (cell.length > 2 && cell[0] === '0' && 'xXbBoO'.includes(cell[1]!)) return undefined;
  return v;
}

function isNumeric(cell: string): boolean {
  return parseNumber(cell) !== undefined;
}

/** Split one line into trimmed cells, honouring simple double-quoted fields. */
function splitLine(text: string, line: number): string[] {
  if (!text.includes('"')) {
    const cells = text.split(',');
    if (/\s/.test(text)) for (let c = 0; c < cells.length; c++) cells[c] = cells[c]!.trim();
    return cells;
  }
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    let cell: string;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new DataError(`line ${line}, column ${cells.length + 1}: unterminated quoted field`, line, cells.length + 1);
        value += text.slice(i, q);
        i = q + 1;
        if (text[i] !== '"') break;
        value += '"';
        i++;
      }
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (i < text.length && text[i] !== ',') {
        throw new DataError(`line ${line}, column ${cells.length + 1}: unexpected text after closing quote`, line, cells.length + 1);
      }
      cell = value.trim();
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      cell = text.slice(i, end).trim();
      i = end;
    }
    cells.push(cell);
    if (i >= text.length) return cells;
    i++; // skip the comma
  }
}

/**
 * Parse CSV text into a Dataset with y ∈ {−1, +1}.
 *
 * Labels, without `positive`/`negative`: there must be exactly two distinct labels, and the
 * larger becomes +1 — numerically when all labels are numbers ("0"/"1", "-1"/"1", "-1"/"+1",
 * "3"/"8" → 8 is +1), otherwise by JavaScript string comparison ("cat"/"dog" → "dog" is +1).
 * A single class (all rows with the same label) is an error.
 *
 * One pass, features parsed straight into the output array: memory is the text plus X.
 */
export function parseCsvDataset(text: string, opts: CsvOptions = {}): Dataset {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const k0 = lines.findIndex((l) => l.trim() !== '');
  if (k0 < 0) throw new DataError('empty file: no rows');
  const firstLine = k0 + 1;
  const first = splitLine(lines[k0]!, firstLine);
  const width = first.length;
  if (width < 2) throw new DataError(`line ${firstLine}: need at least one feature column and a label column, found ${width} column`, firstLine);
  const label = resolveLabelColumn(first, firstLine, width, opts.labelColumn);
  // undefined: first row looks like data except for a text label; decided once all labels are known.
  let header = initialHeader(first, label, opts);
  const where = (line: number, col: number): string => `line ${line}, column ${col + 1}${header ? ` ('${first[col]}')` : ''}`;

  const d = width - 1;
  let X = new Float64Array(lines.length * d); // upper bound on rows; trimmed at the end
  const labels: string[] = [];
  const lineOf: number[] = [];
  const addRow = (cells: string[], line: number): void => {
    if (cells.length !== width) throw new DataError(`line ${line}: expected ${width} columns, found ${cells.length}`, line);
    let o = labels.length * d;
    for (let c = 0; c < width; c++) {
      const cell = cells[c]!;
      if (cell === '') throw new DataError(`${where(line, c)}: empty cell (missing values are not supported)`, line, c + 1);
      if (c === label) continue;
      const v = parseNumber(cell);
      if (v === undefined) throw new DataError(`${where(line, c)}: '${cell}' is not a number`, line, c + 1);
      X[o++] = v;
    }
    labels.push(cells[label]!);
    lineOf.push(line);
  };
  if (header !== true) addRow(first, firstLine);
  for (let k = k0 + 1; k < lines.length; k++) {
    if (lines[k]!.trim() !== '') addRow(splitLine(lines[k]!, k + 1), k + 1);
  }
  if (header === undefined) {
    header = !labels.slice(1).includes(labels[0]!);
    if (header) {
      X = X.subarray(d);
      labels.shift();
      lineOf.shift();
    }
  }
  if (labels.length === 0) throw new DataError(`no data rows after the header (line ${firstLine})`, firstLine);

  const labelOf = labelMapping(labels, lineOf, label, opts, where);
  const y = new Float64Array(labels.length);
  let m = 0;
  for (let i = 0; i < labels.length; i++) {
    const s = labelOf(i);
    if (s === 0) continue; // dropped: compact X in place
    if (m !== i) X.copyWithin(m * d, i * d, (i + 1) * d);
    y[m++] = s;
  }
  if (m === 0) throw new DataError('no rows left: every label was dropped by otherLabels: "drop"');
  // with positive/negative lists every kept row can still fall in one class
  const kept = y.subarray(0, m);
  if (kept.every((v) => v === kept[0])) throw oneClass(label + 1, m, `${kept[0] === 1 ? 'positive' : 'negative'} labels ${(kept[0] === 1 ? opts.positive! : opts.negative!).map((l) => `'${l}'`).join(', ')}`);
  return makeDataset(X.slice(0, m * d), y.slice(0, m), d, opts.name ?? 'csv');
}

function resolveLabelColumn(first: string[], line: number, width: number, spec: string | number | undefined): number {
  if (spec === undefined) return width - 1;
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < -width || spec >= width) {
      throw new RangeError(`labelColumn ${spec} is out of range for ${width} columns`);
    }
    return spec < 0 ? width + spec : spec;
  }
  const hits = first.flatMap((c, i) => (c === spec ? [i] : []));
  if (hits.length === 0) throw new DataError(`line ${line}: no column named '${spec}' (columns: ${first.join(', ')})`, line);
  if (hits.length > 1) throw new DataError(`line ${line}: column name '${spec}' appears ${hits.length} times`, line);
  return hits[0]!;
}

/** true / false when the first row alone decides; undefined when only the label cell is text. */
function initialHeader(first: string[], label: number, opts: CsvOptions): boolean | undefined {
  if (typeof opts.labelColumn === 'string') {
    if (opts.header === false) throw new RangeError('labelColumn given by name needs a header row (header: false was given)');
    return true;
  }
  if (opts.header !== undefined && opts.header !== 'auto') return opts.header;
  if (first.some((c, i) => i !== label && !isNumeric(c))) return true;
  return isNumeric(first[label]!) ? false : undefined;
}

/** A binary task needs both classes: training would be degenerate and separability trivially true. */
function oneClass(col: number, rows: number, cls: string): DataError {
  return new DataError(`column ${col}: all ${rows} rows are in one class (${cls}); a binary data set needs both classes`, undefined, col);
}

/** Returns a function giving row i's label: +1, −1, or 0 for a dropped row. */
function labelMapping(
  labels: string[],
  lineOf: number[],
  label: number,
  opts: CsvOptions,
  where: (line: number, c: number) => string,
): (i: number) => number {
  const col = label + 1;
  const { positive, negative } = opts;
  if (positive || negative) {
    if (!positive || !negative) throw new RangeError('give both positive and negative label lists, or neither');
    const overlap = positive.filter((p) => negative.includes(p));
    if (overlap.length > 0) throw new RangeError(`labels ${overlap.map((s) => `'${s}'`).join(', ')} are both positive and negative`);
    const map = new Map<string, number>([
      ...negative.map((s): [string, number] => [s.trim(), -1]),
      ...positive.map((s): [string, number] => [s.trim(), 1]),
    ]);
    const expected = [...map.keys()].map((s) => `'${s}'`).join(', ');
    return (i) => {
      const v = map.get(labels[i]!);
      if (v !== undefined) return v;
      if (opts.otherLabels === 'drop') return 0;
      throw new DataError(`${where(lineOf[i]!, label)}: unknown label '${labels[i]}'; expected one of ${expected}`, lineOf[i], col);
    };
  }

  const numeric = labels.every(isNumeric);
  const key = (s: string): string | number => (numeric ? Number(s) : s);
  const seen: (string | number)[] = [];
  for (let i = 0; i < labels.length; i++) {
    const k = key(labels[i]!);
    if (seen.includes(k)) continue;
    if (seen.length === 2) {
      throw new DataError(
        `${where(lineOf[i]!, label)}: a third distinct label '${labels[i]}' (already have '${seen[0]}', '${seen[1]}'); ` +
          'pass positive/negative to choose the two classes',
        lineOf[i],
        col,
      );
    }
    seen.push(k);
  }
  if (seen.length === 1) throw oneClass(col, labels.length, `label '${labels[0]}'`);
  const pos = seen[0]! > seen[1]! ? seen[0]! : seen[1]!;
  return (i) => (key(labels[i]!) === pos ? 1 : -1);
}
