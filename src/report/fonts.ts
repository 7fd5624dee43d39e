/**
 * The one font every figure uses, shipped inside an npm package (dejavu-fonts-ttf) so that a
 * clean machine renders text identically without system fonts, plus exact advance-width text
 * measurement read from the same TrueType files (vega otherwise guesses 0.8·fontSize per
 * character when no canvas package is installed, which misplaces axis titles and legends).
 * Node-only.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Family name to put in specs; the TTFs below register under this name in resvg. */
export const FIGURE_FONT_FAMILY = 'DejaVu Sans';

const FACE_FILES = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  oblique: 'DejaVuSans-Oblique.ttf',
  boldOblique: 'DejaVuSans-BoldOblique.ttf',
} as const;
type Face = keyof typeof FACE_FILES;

let fontDir: string | undefined;
function dejavuDir(): string {
  if (fontDir === undefined) {
    const require = createRequire(import.meta.url);
    fontDir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  }
  return fontDir;
}

/** Absolute paths of the DejaVu Sans TTF faces (regular, bold, oblique, bold oblique). */
export function figureFontFiles(): string[] {
  return Object.values(FACE_FILES).map((f) => join(dejavuDir(), f));
}

/** Horizontal advance of each code point in em units, read from a TrueType font's cmap and hmtx. */
export class AdvanceTable {
  private readonly cache = new Map<number, number>();
  private constructor(
    private readonly view: DataView,
    private readonly unitsPerEm: number,
    private readonly numHMetrics: number,
    private readonly hmtx: number,
    private readonly glyphOf: (cp: number) => number,
  ) {}

  static fromFile(path: string): AdvanceTable {
    const buf = readFileSync(path);
    return AdvanceTable.fromBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  }

  static fromBytes(bytes: Uint8Array): AdvanceTable {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tables = new Map<string, number>();
    const numTables = v.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const rec = 12 + 16 * i;
      const tag = String.fromCharCode(v.getUint8(rec), v.getUint8(rec + 1), v.getUint8(rec + 2), v.getUint8(rec + 3));
      tables.set(tag, v.getUint32(rec + 8));
    }
    const need = (tag: string): number => {
      const off = tables.get(tag);
      if (off === undefined) throw new Error(`font has no '${tag}' table`);
      return off;
    };
    const unitsPerEm = v.getUint16(need('head') + 18);
    const numHMetrics = v.getUint16(need('hhea') + 34);
    return new AdvanceTable(v, unitsPerEm, numHMetrics, need('hmtx'), cmapLookup(v, need('cmap')));
  }

  /** Advance width of one code point, in em (missing glyphs use glyph 0, .notdef). */
  advance(cp: number): number {
    let a = this.cache.get(cp);
    if (a === undefined) {
      const gid = this.glyphOf(cp);
      const idx = Math.min(gid, this.numHMetrics - 1);
      a = this.view.getUint16(this.hmtx + 4 * idx) / this.unitsPerEm;
      this.cache.set(cp, a);
    }
    return a;
  }

  /** Width of a string in em (no kerning: DejaVu's kerning moves labels by well under a pixel). */
  width(text: string): number {
    let w = 0;
    for (const ch of text) w += this.advance(ch.codePointAt(0) as number);
    return w;
  }
}

/** Code point → glyph id from the best Unicode cmap subtable (format 12, else format 4). */
function cmapLookup(v: DataView, cmap: number): (cp: number) => number {
  const n = v.getUint16(cmap + 2);
  let fmt4 = -1;
  let fmt12 = -1;
  for (let i = 0; i < n; i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = v.getUint16(rec);
    const encoding = v.getUint16(rec + 2);
    const sub = cmap + v.getUint32(rec + 4);
    const format = v.getUint16(sub);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && fmt12 < 0) fmt12 = sub;
    if (format === 4 && fmt4 < 0) fmt4 = sub;
  }
  if (fmt12 >= 0) {
    const groups = v.getUint32(fmt12 + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = fmt12 + 16 + 12 * mid;
        const start = v.getUint32(g);
        const end = v.getUint32(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return v.getUint32(g + 8) + (cp - start);
      }
      return 0;
    };
  }
  if (fmt4 >= 0) {
    const segCount = v.getUint16(fmt4 + 6) / 2;
    const ends = fmt4 + 14;
    const starts = ends + 2 * segCount + 2;
    const deltas = starts + 2 * segCount;
    const rangeOffsets = deltas + 2 * segCount;
    return (cp) => {
      if (cp > 0xffff) return 0;
      for (let i = 0; i < segCount; i++) {
        if (cp > v.getUint16(ends + 2 * i)) continue;
        const start = v.getUint16(starts + 2 * i);
        if (cp < start) return 0;
        const delta = v.getUint16(deltas + 2 * i);
        const ro = v.getUint16(rangeOffsets + 2 * i);
        if (ro === 0) return (cp + delta) & 0xffff;
        const gid = v.getUint16(rangeOffsets + 2 * i + ro + 2 * (cp - start));
        return gid === 0 ? 0 : (gid + delta) & 0xffff;
      }
      return 0;
    };
  }
  throw new Error('font has no Unicode cmap subtable');
}

const tables = new Map<Face, AdvanceTable>();
function table(face: Face): AdvanceTable {
  let t = tables.get(face);
  if (t === undefined) {
    t = AdvanceTable.fromFile(join(dejavuDir(), FACE_FILES[face]));
    tables.set(face, t);
  }
  return t;
}

/** The subset of a vega text item that text measurement reads. */
export interface TextItemLike {
  text?: unknown;
  fontSize?: number | string;
  fontWeight?: number | string;
  fontStyle?: string;
  limit?: number;
  ellipsis?: string;
  dir?: string;
}

function isBold(w: unknown): boolean {
  if (w === undefined || w === null) return false;
  if (typeof w === 'number') return w >= 600;
  const s = String(w);
  return s === 'bold' || s === 'bolder' || Number(s) >= 600;
}

/** Width in px of `text` as DejaVu Sans at the item's size, weight and style. */
export function measureText(item: TextItemLike, text: string): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  if (size <= 0 || text === '') return 0;
  const oblique = item.fontStyle === 'italic' || item.fontStyle === 'oblique';
  const bold = isBold(item.fontWeight);
  const face: Face = bold ? (oblique ? 'boldOblique' : 'bold') : oblique ? 'oblique' : 'regular';
  return size * table(face).width(text);
}

/**
 * Replacement for vega's textMetrics.width(item, line): the text as vega will draw it (trimmed,
 * truncated with an ellipsis to item.limit as vega does) measured with the real font.
 */
export function vegaTextWidth(item: TextItemLike, line: unknown): number {
  const text = line == null ? '' : String(line).trim();
  const full = measureText(item, text);
  const limit = Number(item.limit);
  if (!(limit > 0) || full <= limit) return full;
  const ellipsis = item.ellipsis ?? '…';
  const rtl = item.dir === 'rtl';
  // Longest prefix (suffix for rtl) that fits with the ellipsis, as vega's truncate does.
  let lo = 0;
  let hi = text.length - 1;
  const part = (k: number): string => (rtl ? ellipsis + text.slice(text.length - k) : text.slice(0, k) + ellipsis);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measureText(item, part(mid)) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return measureText(item, part(lo));
}
