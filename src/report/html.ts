/**
 * A self-contained HTML report: inline CSS, no scripts, figures as relative PNG files linked to
 * their SVG versions, tables, and a verdict table (claim, measured, predicted, ✓/✗). Every string
 * is escaped; the caller supplies all content (computed from runs). Browser-safe (pure).
 */
import type { Verdict } from '../experiments/verdicts.ts';

export interface ReportFigure {
  /** path of the PNG relative to the HTML file */
  png: string;
  /** path of the SVG relative to the HTML file */
  svg: string;
  caption: string;
  /** display width in CSS px (the PNG is rendered at 2× this) */
  width?: number;
}

export interface ReportTable {
  caption: string;
  header: string[];
  rows: string[][];
}

export interface ReportSection {
  id: string;
  title: string;
  description: string;
  verdicts: Verdict[];
  figures: ReportFigure[];
  tables: ReportTable[];
  /** small facts about how the section was computed (sweeps, hashes, timing) */
  facts: [string, string][];
  /** the part of the report this section belongs to (a study); consecutive sections of one group share a heading */
  group?: { id: string; title: string; description: string };
}

export interface ReportDocument {
  title: string;
  subtitle?: string;
  meta: [string, string][];
  sections: ReportSection[];
  /** show a summary verdict table of all sections at the top (default true) */
  summary?: boolean;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** URL-escape each path segment of a relative path. */
function href(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Width and height of a PNG from its IHDR chunk (null if the bytes are not a PNG). */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b)) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

export function verdictMark(pass: boolean | null): string {
  return pass === true ? '✓' : pass === false ? '✗' : '—';
}

const CSS = `
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:24px 28px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin:0 0 4px}h2.study{font-size:1.5em;border-bottom:3px solid #888;margin-top:2.6em}
h2{font-size:1.3em;margin:2.2em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:1.05em;margin:1.4em 0 .4em}
.sub{color:#555;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.88em}
th,td{border:1px solid #d8d8d8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.mark{text-align:center;font-size:1.15em;font-weight:bold}
tr.pass td.mark{color:#1a7f37}tr.fail td.mark{color:#c62828}tr.obs td.mark{color:#777}
tr.fail{background:#fff4f4}
.meta td:first-child{color:#555;white-space:nowrap}
figure{display:inline-block;margin:8px 16px 16px 0;vertical-align:top;max-width:100%}
figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#444;max-width:640px}
.rule{color:#666;font-size:.85em}
details{margin:6px 0 14px}summary{cursor:pointer;color:#333}
.score{font-weight:600}
nav a{margin-right:12px}
`;

function verdictRows(verdicts: readonly Verdict[], section?: string): string {
  return verdicts
    .map((v) => {
      const cls = v.pass === true ? 'pass' : v.pass === false ? 'fail' : 'obs';
      const sec = section === undefined ? '' : `<td>${escapeHtml(section)}</td>`;
      return `<tr class="${cls}">${sec}<td>${escapeHtml(v.claim)}<div class="rule">${escapeHtml(v.rule)}</div></td><td>${escapeHtml(v.measured)}</td><td>${escapeHtml(v.predicted)}</td><td class="mark">${verdictMark(v.pass)}</td></tr>`;
    })
    .join('\n');
}

function verdictTable(verdicts: readonly Verdict[], withSection: { name: string; verdicts: readonly Verdict[] }[] | null = null): string {
  if (withSection) {
    const head = '<tr><th>experiment</th><th>claim</th><th>measured</th><th>predicted</th><th>verdict</th></tr>';
    return `<table class="verdicts">${head}\n${withSection.map((s) => verdictRows(s.verdicts, s.name)).join('\n')}</table>`;
  }
  const head = '<tr><th>claim</th><th>measured</th><th>predicted</th><th>verdict</th></tr>';
  return `<table class="verdicts">${head}\n${verdictRows(verdicts)}</table>`;
}

const looksNumeric = (s: string) => /^[−-]?[\d.]+(e[−+-]?\d+)?$|^—$/.test(s);

function table(t: ReportTable): string {
  const head = `<tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td${looksNumeric(c) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>${head}\n${body}</table>`;
}

export function score(verdicts: readonly Verdict[]): { pass: number; fail: number; obs: number } {
  return {
    pass: verdicts.filter((v) => v.pass === true).length,
    fail: verdicts.filter((v) => v.pass === false).length,
    obs: verdicts.filter((v) => v.pass === null).length,
  };
}

export function renderReportHtml(doc: ReportDocument): string {
  const all = doc.sections.flatMap((s) => s.verdicts);
  const sc = score(all);
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(doc.title)}</title>\n<style>${CSS}</style>\n</head>\n<body>`);
  parts.push(`<h1>${escapeHtml(doc.title)}</h1>`);
  if (doc.subtitle) parts.push(`<p class="sub">${escapeHtml(doc.subtitle)}</p>`);
  parts.push(`<table class="meta">${doc.meta.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('\n')}</table>`);
  const groups = groupSections(doc.sections);
  const grouped = groups.some((g) => g.group !== undefined);
  if (grouped) {
    parts.push(`<nav>${groups.map((g) => {
      const gs = score(g.sections.flatMap((s) => s.verdicts));
      const title = g.group ? `<a href="#${href(g.group.id)}"><b>${escapeHtml(g.group.title)}</b></a> (${gs.pass} ✓ ${gs.fail} ✗ ${gs.obs} —): ` : '';
      return `<div>${title}${g.sections.map((s) => `<a href="#${href(s.id)}">${escapeHtml(s.title)}</a>`).join(' ')}</div>`;
    }).join('\n')}</nav>`);
  } else if (doc.sections.length > 1) parts.push(`<nav>${doc.sections.map((s) => `<a href="#${href(s.id)}">${escapeHtml(s.title)}</a>`).join(' ')}</nav>`);
  if ((doc.summary ?? true) && all.length) {
    parts.push(`<h2 id="verdicts">Verdicts</h2>`);
    parts.push(`<p class="score">${sc.pass} ✓, ${sc.fail} ✗, ${sc.obs} observations (—), of ${all.length} claims.</p>`);
    parts.push(verdictTable(all, doc.sections.map((s) => ({ name: s.title, verdicts: s.verdicts }))));
  }
  for (const g of groups) {
    if (g.group) parts.push(`<section class="study" id="${escapeHtml(g.group.id)}">\n<h2 class="study">${escapeHtml(g.group.title)}</h2>\n<p>${escapeHtml(g.group.description)}</p>`);
    for (const s of g.sections) renderSection(s, parts, g.group ? 'h3' : 'h2');
    if (g.group) parts.push('</section>');
  }
  parts.push('</body>\n</html>\n');
  return parts.join('\n');
}

/** Consecutive sections of the same group (ungrouped sections form groups of their own kind). */
function groupSections(sections: readonly ReportSection[]): { group?: ReportSection['group']; sections: ReportSection[] }[] {
  const out: { group?: ReportSection['group']; sections: ReportSection[] }[] = [];
  for (const s of sections) {
    const last = out[out.length - 1];
    if (last && last.group?.id === s.group?.id) last.sections.push(s);
    else out.push({ group: s.group, sections: [s] });
  }
  return out;
}

function renderSection(s: ReportSection, parts: string[], heading: 'h2' | 'h3'): void {
  {
    parts.push(`<section id="${escapeHtml(s.id)}">`);
    parts.push(`<${heading}>${escapeHtml(s.title)}</${heading}>`);
    parts.push(`<p>${escapeHtml(s.description)}</p>`);
    if (s.verdicts.length) parts.push(verdictTable(s.verdicts));
    for (const f of s.figures) {
      parts.push(`<figure><a href="${href(f.svg)}"><img src="${href(f.png)}"${f.width ? ` width="${Math.round(f.width)}"` : ''} alt="${escapeHtml(f.caption)}"></a><figcaption>${escapeHtml(f.caption)} <a href="${href(f.svg)}">SVG</a></figcaption></figure>`);
    }
    for (const t of s.tables) {
      parts.push(`<details${t.rows.length <= 12 ? ' open' : ''}><summary>${escapeHtml(t.caption)} (${t.rows.length} rows)</summary>${table(t)}</details>`);
    }
    if (s.facts.length) parts.push(`<table class="meta">${s.facts.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('\n')}</table>`);
    parts.push('</section>');
  }
}
