/**
 * Renders Vega-Lite specs (specs.ts) to SVG with vega's headless View and rasterizes the SVG to
 * PNG with resvg. Everything runs in-process and offline: no browser, no canvas package, no
 * network (the view's loader refuses to load anything), and the only font is DejaVu Sans shipped
 * by the dejavu-fonts-ttf npm package, used both to lay out text and to draw it. Node-only.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { atomicWrite } from '../io/atomic.ts';
import { FIGURE_FONT_FAMILY, figureFontFiles, vegaTextWidth, type TextItemLike } from './fonts.ts';
import type { VegaLiteSpec } from './specs.ts';

export interface RenderOptions {
  /** PNG pixels per SVG pixel; default 2. */
  scale?: number;
}

export interface RenderedFigure {
  svg: string;
  png: Uint8Array;
  /** PNG size in pixels. */
  width: number;
  height: number;
  /** Vega-Lite / vega warnings (not printed). */
  warnings: string[];
}

interface VegaTextMetrics {
  width: (item: TextItemLike, text: unknown) => number;
}

let textMetricsInstalled = false;
/** Make vega lay out text with the real DejaVu Sans advance widths (once per process). */
function installTextMetrics(): void {
  if (textMetricsInstalled) return;
  const tm = (vega as unknown as { textMetrics: VegaTextMetrics }).textMetrics;
  tm.width = vegaTextWidth;
  textMetricsInstalled = true;
}

/** A loader that loads nothing: figures carry their data inline and never touch the network. */
function offlineLoader(): vega.Loader {
  const loader = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`figures load no external resources (asked for ${uri})`);
  };
  loader.load = refuse;
  loader.sanitize = refuse;
  return loader;
}

let fontFiles: string[] | undefined;

/** Collects vega / vega-lite log messages instead of printing them. */
function collectingLogger(errors: string[], warnings: string[]) {
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  return vega.logger(vega.Warn, undefined, (method, _level, args) => {
    // vega reports a refused load only as a warning; for a figure it is fatal.
    const msg = text(args);
    (method === 'error' || msg.startsWith('Loading failed') ? errors : warnings).push(msg);
  });
}

/**
 * Vega-Lite spec → Vega spec → headless view → SVG string. Throws if vega reports an error
 * (e.g. a data source it may not load); warnings are returned.
 */
export async function specToSvg(spec: VegaLiteSpec): Promise<{ svg: string; warnings: string[] }> {
  installTextMetrics();
  const errors: string[] = [];
  const warnings: string[] = [];
  const logger = collectingLogger(errors, warnings);
  const vgSpec = compile(spec as unknown as TopLevelSpec, { logger }).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: offlineLoader(), logger });
  try {
    // Clip-path/gradient ids restart per figure, so the same spec always gives the same SVG.
    vega.resetSVGDefIds();
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`vega could not render the figure: ${errors.join('; ')}`);
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

/** SVG → PNG with resvg on a white background, `scale` PNG pixels per SVG pixel. */
export function svgToPng(svg: string, scale = 2): { png: Uint8Array; width: number; height: number } {
  fontFiles ??= figureFontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles,
      defaultFontFamily: FIGURE_FONT_FAMILY,
      sansSerifFamily: FIGURE_FONT_FAMILY,
    },
  });
  const img = resvg.render();
  const png = img.asPng();
  return { png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width: img.width, height: img.height };
}

/** Renders a Vega-Lite spec to SVG text and a PNG at `scale`× (default 2). */
export async function renderSpec(spec: VegaLiteSpec, opts: RenderOptions = {}): Promise<RenderedFigure> {
  const { svg, warnings } = await specToSvg(spec);
  const { png, width, height } = svgToPng(svg, opts.scale ?? 2);
  return { svg, png, width, height, warnings };
}

export interface WrittenFigure extends RenderedFigure {
  svgPath: string;
  pngPath: string;
  specPath: string;
  /** Wall time of compile + render + rasterize, in ms. */
  ms: number;
}

/**
 * Writes `<dir>/<name>.svg`, `.png` and `.vl.json` (the spec, which vega-embed or the online
 * editor can open), each atomically (temp file in `dir`, then rename).
 */
export async function writeFigure(dir: string, name: string, spec: VegaLiteSpec, opts: RenderOptions = {}): Promise<WrittenFigure> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`figure name must be a plain file name, got '${name}'`);
  const t0 = performance.now();
  const fig = await renderSpec(spec, opts);
  const ms = performance.now() - t0;
  mkdirSync(dir, { recursive: true });
  const svgPath = join(dir, `${name}.svg`);
  const pngPath = join(dir, `${name}.png`);
  const specPath = join(dir, `${name}.vl.json`);
  atomicWrite(specPath, JSON.stringify(spec, null, 1) + '\n');
  atomicWrite(svgPath, fig.svg);
  atomicWrite(pngPath, fig.png);
  return { ...fig, svgPath, pngPath, specPath, ms };
}
