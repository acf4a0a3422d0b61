/**
 * Bar charts for reports (A/R aging by payer, denials by reason, paid rate by category), drawn in this process:
 * a typed ChartSpec → a Vega-Lite spec → Vega → SVG (headless, renderer 'none') → PNG (resvg, native code).
 *
 * Why it is built this way:
 * - No browser, no chart service, no network: a chart is drawn where the numbers are, and they never leave.
 * - Callers describe a chart (ChartSpec), never write Vega: the specs are built here, from inline data only, and
 *   Vega's loader is replaced by one that refuses every URL and file, so nothing a spec says can fetch or read.
 * - The same picture everywhere: the text is set in the DejaVu Sans files bundled in assets/fonts (found from
 *   PROJECT_ROOT, so dist/ finds them too); resvg loads those and no system font. Vega lays text out with its
 *   own width measure, which on Node is a crude estimate (0.8 em a character), or system fonts if the optional
 *   `canvas` package happens to be installed; this module replaces that measure with the bundled fonts' own
 *   advance widths, so label truncation and spacing match what resvg draws on every machine.
 * - vega, vega-lite and resvg are heavy (0.3–0.5 s to import): they are imported here, dynamically, on the
 *   first render, and this module must itself be imported only dynamically (`await import(...)`) by its users
 *   and never on the `medbill triage` path (test/unit/reports/chart.test.ts checks both).
 */
import { readFileSync } from 'node:fs';
import type { Loader, Spec as VegaSpec } from 'vega';
import type { Config, TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY, FONT_FILES } from '../fonts.js';

// ---------------------------------------------------------------------------------------------------------------
// The API

/** How values are written on the axis and on the bars: dollars `$1,234`; percent takes fractions (0.85 → `85%`); count `1,234`. */
export type ValueFormat = 'dollars' | 'percent' | 'count';

export interface ChartDatum {
  /** The bar's label (a payer, a denial reason, a procedure category). */
  category: string;
  value: number;
  /** The part of the bar, when the chart is stacked (an aging bucket such as `31–60`). */
  series?: string;
}

export interface ChartSpec {
  title: string;
  /** A second, smaller line under the title (e.g. "As of 2025-06-30"). */
  subtitle?: string;
  /** `horizontal`: categories down the left, bars to the right (best for long labels); `vertical`: columns. */
  orientation: 'horizontal' | 'vertical';
  categoryAxisTitle: string;
  valueAxisTitle: string;
  valueFormat: ValueFormat;
  /**
   * The bars, in the order they are drawn (sort before calling). Rows with the same category (and series) are
   * added together. No rows gives a chart that says "No data".
   */
  data: readonly ChartDatum[];
  /**
   * Stack each bar by `series`. `order` fixes the stacking and legend order (default: first appearance);
   * `palette: 'ordered'` colours the series from green to dark red (for buckets such as aging), `'categorical'`
   * (default) gives unrelated colours.
   */
  series?: { title: string; order?: readonly string[]; palette?: 'categorical' | 'ordered' };
  /** PNG pixels per chart unit (default 2, sharp on high-density screens). The SVG is always at scale 1. */
  scale?: number;
}

export interface RenderedChart {
  svg: string;
  png: Buffer;
  /** The PNG's size in pixels (the SVG's size times `scale`). */
  width: number;
  height: number;
}

/** The font family every text in a chart is set in; its files are in assets/fonts (src/fonts.ts). */
export const CHART_FONT_FAMILY = FONT_FAMILY;
export const CHART_FONT_FILES = { regular: FONT_FILES.regular, bold: FONT_FILES.bold } as const;
export const NO_DATA_TEXT = 'No data';
/**
 * More bars or series than this make an unreadable picture. Past them, dollars and counts of the last ones are
 * added into one "Others (n)" bar or series; rates cannot be added, so the last ones are left out and the
 * subtitle says so. Either way the order of `data` decides which are kept: sort the ones that matter first.
 */
export const MAX_CATEGORIES = 40;
export const MAX_SERIES = 12;

/** Draws the chart: SVG, and the PNG made from it. Throws RangeError for a value that is not a finite number. */
export async function renderChart(chart: ChartSpec): Promise<RenderedChart> {
  const scale = chart.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new RangeError(`chart scale must be in (0, 8], not ${scale}`);
  const engine = await loadEngine();
  const problems = new Problems();
  const vlSpec = buildSpec(chart, engine.fonts);
  const vgSpec: VegaSpec = engine.compile(vlSpec, { logger: problems }).spec;
  const view = new engine.vega.View(engine.vega.parse(vgSpec), {
    renderer: 'none',
    loader: CHART_LOADER,
    logger: problems,
    logLevel: engine.vega.Warn,
  });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  // Vega reports dataflow errors to its logger and carries on: a half-drawn chart is a failed chart.
  if (problems.errors.length > 0) throw new Error(`chart "${chart.title}" failed: ${problems.errors.join('; ')}`);
  const image = await engine.resvg.renderAsync(svg, {
    font: {
      fontFiles: [CHART_FONT_FILES.regular, CHART_FONT_FILES.bold],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    logLevel: 'off',
  });
  return { svg, png: image.asPng(), width: image.width, height: image.height };
}

// ---------------------------------------------------------------------------------------------------------------
// Loading the heavy parts, once

type VegaModule = typeof import('vega');
interface Engine {
  vega: VegaModule;
  compile: (typeof import('vega-lite'))['compile'];
  resvg: typeof import('@resvg/resvg-js');
  fonts: Fonts;
}

let engine: Promise<Engine> | undefined;

function loadEngine(): Promise<Engine> {
  engine ??= (async () => {
    const fonts = { regular: new FontMetrics(CHART_FONT_FILES.regular), bold: new FontMetrics(CHART_FONT_FILES.bold) };
    const [vega, vl, resvg] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
    useBundledFontMetrics(vega, fonts);
    return { vega, compile: vl.compile, resvg, fonts };
  })().catch((e: unknown) => {
    engine = undefined; // let a later call try again (e.g. after the fonts are restored)
    throw e;
  });
  return engine;
}

/** Vega's loader for charts: every request it might make (data URLs, files, images, links) is refused; data is passed inline only. */
const refuse = (what: string) => (uri?: unknown) =>
  Promise.reject(new Error(`charts load nothing: ${what} ${typeof uri === 'string' ? JSON.stringify(uri.slice(0, 100)) : ''} refused; pass data inline`));
export const CHART_LOADER: Loader = { load: refuse('load'), sanitize: refuse('link'), http: refuse('http'), file: refuse('file') };

/** Vega's logger interface (vega-util's LoggerInterface), keeping what it is told so that errors can be thrown. */
class Problems {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  private current = 2;
  level(_?: number): number | this {
    if (_ === undefined) return this.current;
    this.current = _;
    return this;
  }
  error(...args: unknown[]): this {
    this.errors.push(args.map(describe).join(' '));
    return this;
  }
  warn(...args: unknown[]): this {
    this.warnings.push(args.map(describe).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}
const describe = (x: unknown): string => (x instanceof Error ? x.message : String(x));

// ---------------------------------------------------------------------------------------------------------------
// Text widths from the bundled fonts

/** The part of a Vega text item that its width depends on. */
interface TextItem {
  fontSize?: unknown;
  fontWeight?: unknown;
  limit?: unknown;
}
interface Fonts {
  regular: FontMetrics;
  bold: FontMetrics;
}

/**
 * Replaces Vega's text width measure (vega-scenegraph's `textMetrics.width`, a process-wide setting; vega exports
 * it but its typings do not declare it) with the bundled fonts' advance widths.
 *
 * Vega calls this one function two ways: while truncating a label to `item.limit` it measures untruncated
 * substrings and compares them with the limit, and when computing bounds it passes the whole text, expecting
 * the width after truncation. Capping the width at the limit is right for both: the truncation search sees
 * every substring that does not fit as not fitting, and a truncated label is never wider than its limit.
 */
function useBundledFontMetrics(vega: VegaModule, fonts: Fonts): void {
  const ns: object = vega;
  const tm: unknown = 'textMetrics' in ns ? ns.textMetrics : undefined;
  if (!(typeof tm === 'object' && tm !== null && 'width' in tm && typeof tm.width === 'function')) {
    throw new Error('this vega has no textMetrics.width to set: check the vega version (6.4 expected)');
  }
  const width = (item: TextItem, text: unknown): number => {
    const size = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
    const str = text == null ? '' : String(text).trim();
    const w = (isBold(item.fontWeight) ? fonts.bold : fonts.regular).width(str, size);
    const limit = Number(item.limit);
    return limit > 0 ? Math.min(w, limit) : w;
  };
  tm.width = width;
}

function isBold(weight: unknown): boolean {
  if (weight === 'bold' || weight === 'bolder') return true;
  const n = Number(weight);
  return Number.isFinite(n) && n >= 600;
}

/** Advance widths from a TrueType file's cmap, hmtx, hhea and head tables (kerning is ignored: a little wide). */
class FontMetrics {
  private readonly font: Buffer;
  private readonly unitsPerEm: number;
  private readonly hmtx: number;
  private readonly numberOfHMetrics: number;
  private readonly lookupGlyph: (cp: number) => number;
  private readonly advances = new Map<number, number>();

  constructor(readonly file: string) {
    let font: Buffer;
    try {
      font = readFileSync(file);
    } catch (e) {
      throw new Error(`chart font missing: ${file} (assets/fonts is part of medbill): ${describe(e)}`);
    }
    this.font = font;
    const tables = new Map<string, number>();
    const numTables = font.readUInt16BE(4);
    for (let i = 0; i < numTables; i++) {
      const rec = 12 + 16 * i;
      tables.set(font.toString('latin1', rec, rec + 4), font.readUInt32BE(rec + 8));
    }
    const table = (tag: string): number => {
      const at = tables.get(tag);
      if (at === undefined) throw new Error(`chart font ${file} has no ${tag} table`);
      return at;
    };
    this.unitsPerEm = font.readUInt16BE(table('head') + 18);
    this.numberOfHMetrics = font.readUInt16BE(table('hhea') + 34);
    this.hmtx = table('hmtx');
    this.lookupGlyph = cmapLookup(font, table('cmap'), file);
  }

  /** The width in pixels of `text` set at `size` pixels. */
  width(text: string, size: number): number {
    let units = 0;
    for (const ch of text) units += this.advance(ch.codePointAt(0) ?? 0);
    return (units * size) / this.unitsPerEm;
  }

  private advance(cp: number): number {
    let adv = this.advances.get(cp);
    if (adv === undefined) {
      const glyph = this.lookupGlyph(cp); // 0, the missing-glyph box, when the font has no such character
      const metric = Math.min(glyph, this.numberOfHMetrics - 1); // glyphs past the last metric share its advance
      adv = this.font.readUInt16BE(this.hmtx + 4 * metric);
      this.advances.set(cp, adv);
    }
    return adv;
  }
}

/** The code point → glyph function of the font's Unicode cmap subtable (format 12, else format 4). */
function cmapLookup(font: Buffer, cmap: number, file: string): (cp: number) => number {
  const subtables: { platform: number; encoding: number; at: number }[] = [];
  const count = font.readUInt16BE(cmap + 2);
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + 8 * i;
    subtables.push({ platform: font.readUInt16BE(rec), encoding: font.readUInt16BE(rec + 2), at: cmap + font.readUInt32BE(rec + 4) });
  }
  const unicode = subtables.filter((s) => s.platform === 0 || (s.platform === 3 && (s.encoding === 1 || s.encoding === 10)));
  const format12 = unicode.find((s) => font.readUInt16BE(s.at) === 12);
  if (format12) {
    const groups = font.readUInt32BE(format12.at + 12);
    return (cp) => {
      for (let i = 0; i < groups; i++) {
        const g = format12.at + 16 + 12 * i;
        const start = font.readUInt32BE(g);
        if (cp >= start && cp <= font.readUInt32BE(g + 4)) return font.readUInt32BE(g + 8) + (cp - start);
      }
      return 0;
    };
  }
  const format4 = unicode.find((s) => font.readUInt16BE(s.at) === 4);
  if (!format4) throw new Error(`chart font ${file} has no Unicode cmap (format 4 or 12)`);
  const at = format4.at;
  const segments = font.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let i = 0; i < segments; i++) {
      if (cp > font.readUInt16BE(ends + 2 * i)) continue;
      const start = font.readUInt16BE(starts + 2 * i);
      if (cp < start) return 0;
      const delta = font.readUInt16BE(deltas + 2 * i);
      const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * i);
      if (rangeOffset === 0) return (cp + delta) & 0xffff;
      const glyph = font.readUInt16BE(rangeOffsets + 2 * i + rangeOffset + 2 * (cp - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// ChartSpec → Vega-Lite

const INK = '#1f2933';
const MUTED = '#52606d';
const BAR = '#3b6ea8';
/** Tableau 10: distinct, colour-blind-tolerant hues. */
const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#8c564b'];
/** Green (current) to dark red (oldest), for ordered buckets; n colours are taken evenly from it. */
const ORDERED = ['#4d9a51', '#9bbf4b', '#e8c547', '#f09a3e', '#e0603a', '#c23b32', '#8f1f2a', '#5c1020'];

const FORMAT: Record<ValueFormat, string> = { dollars: '$,.0f', percent: '.0%', count: ',.0f' };
const TITLE_SIZE = 15;
const LABEL_SIZE = 11;
/** The longest category label drawn in full, in pixels; longer ones end in "…" (the SVG holds the cut text). */
const LABEL_LIMIT = { horizontal: 190, vertical: 150 } as const;
const PLOT = { horizontalWidth: 440, horizontalStep: 26, verticalHeight: 260, verticalStep: 44 } as const;

// Vega-Lite's parts, named from its public TopLevelSpec (its own names are in 'types_unstable').
type LayeredSpec = Extract<TopLevelSpec, { layer: unknown }>;
type Layer = LayeredSpec['layer'][number];
type SharedEncoding = NonNullable<LayeredSpec['encoding']>;
type PositionEncoding = NonNullable<SharedEncoding['x']>;

interface Row {
  category: string;
  value: number;
  series: string;
  order: number;
}

/** The Vega-Lite spec for a chart (exported for tests and for inspecting a chart; callers use renderChart). */
export function buildSpec(chart: ChartSpec, fonts?: Fonts): TopLevelSpec {
  const stacked = chart.series !== undefined;
  const additive = chart.valueFormat !== 'percent';
  let rows = collect(chart, stacked);
  const byCategory = limit(rows, 'category', unique(rows.map((r) => r.category)), MAX_CATEGORIES, additive);
  rows = byCategory.rows;
  const bySeries = limit(rows, 'series', stacked ? seriesOrder(rows, chart.series?.order) : [], MAX_SERIES, additive);
  rows = bySeries.rows;
  const categories = byCategory.names;
  const seriesNames = bySeries.names;
  const notes = [
    ...(chart.subtitle ? [chart.subtitle] : []),
    ...(byCategory.left > 0 ? [`The first ${categories.length} of ${categories.length + byCategory.left} shown`] : []),
    ...(bySeries.left > 0 ? [`The first ${seriesNames.length} of ${seriesNames.length + bySeries.left} series shown`] : []),
  ];
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    padding: 12,
    background: '#ffffff',
    title: {
      text: chart.title,
      ...(notes.length > 0 ? { subtitle: notes } : {}),
      limit: 640,
    },
  } as const;
  if (rows.length === 0) {
    return {
      ...base,
      width: PLOT.horizontalWidth,
      height: 120,
      data: { values: [{}] },
      mark: { type: 'text', text: NO_DATA_TEXT, fontSize: 16, color: MUTED, align: 'center', baseline: 'middle' },
      encoding: { x: { value: PLOT.horizontalWidth / 2 }, y: { value: 60 } },
    };
  }

  for (const r of rows) r.order = seriesNames.indexOf(r.series);

  const horizontal = chart.orientation === 'horizontal';
  const format = FORMAT[chart.valueFormat];
  const domain = valueDomain(rows, stacked, chart.valueFormat);
  const values = domain ? { domain } : {};
  const category: PositionEncoding = {
    field: 'category',
    type: 'nominal',
    sort: categories,
    axis: {
      title: chart.categoryAxisTitle,
      labelLimit: horizontal ? LABEL_LIMIT.horizontal : LABEL_LIMIT.vertical,
      ...(horizontal ? {} : { labelAngle: labelsFit(categories, fonts) ? 0 : -40 }),
    },
  };
  const value: PositionEncoding = {
    field: 'value',
    type: 'quantitative',
    ...(stacked ? { stack: 'zero' } : {}),
    scale: values,
    axis: {
      title: chart.valueAxisTitle,
      format,
      tickCount: 6,
      tickMinStep: chart.valueFormat === 'percent' ? 0.01 : 1,
      labelOverlap: true,
      labelSeparation: 8,
    },
  };

  const bars: Layer = stacked
    ? {
        mark: { type: 'bar' },
        encoding: {
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: seriesNames, range: palette(seriesNames.length, chart.series?.palette) },
            legend: { title: chart.series?.title ?? '', orient: 'top', direction: 'horizontal', labelLimit: 140 },
          },
          order: { field: 'order', type: 'quantitative' },
        },
      }
    : { mark: { type: 'bar', color: BAR } };
  const total: PositionEncoding = { field: 'total', type: 'quantitative', scale: values };
  const labels: Layer = {
    // The bar's total at its end: every bar says its number, so the chart reads without the axis.
    transform: [{ aggregate: [{ op: 'sum', field: 'value', as: 'total' }], groupby: ['category'] }],
    mark: horizontal
      ? { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 10, color: INK }
      : { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 10, color: INK },
    encoding: {
      ...(horizontal ? { x: total } : { y: total }),
      text: { field: 'total', type: 'quantitative', format },
    },
  };
  return {
    ...base,
    data: { values: rows },
    ...(horizontal
      ? { width: PLOT.horizontalWidth, height: { step: PLOT.horizontalStep } }
      : { width: { step: PLOT.verticalStep }, height: PLOT.verticalHeight }),
    encoding: horizontal ? { y: category, x: value } : { x: category, y: value },
    layer: [bars, labels],
  };
}

const CONFIG: Config = {
  font: CHART_FONT_FAMILY,
  title: { fontSize: TITLE_SIZE, fontWeight: 'bold', color: INK, anchor: 'start', offset: 12, subtitleFontSize: 12, subtitleColor: MUTED },
  axis: {
    labelFontSize: LABEL_SIZE,
    labelColor: INK,
    titleFontSize: 12,
    titleFontWeight: 'bold',
    titleColor: INK,
    titlePadding: 10,
    gridColor: '#e4e7eb',
    domainColor: '#9aa5b1',
    tickColor: '#9aa5b1',
  },
  axisBand: { grid: false },
  legend: { labelFontSize: LABEL_SIZE, labelColor: INK, titleFontSize: 12, titleColor: INK, symbolType: 'square' },
  view: { stroke: null },
  bar: { cornerRadius: 0 },
};

/** Trims labels, adds up repeated (category, series) rows and rejects values that are not finite numbers. */
function collect(chart: ChartSpec, stacked: boolean): Row[] {
  return merge(
    chart.data.map((d, i) => {
      if (typeof d.value !== 'number' || !Number.isFinite(d.value)) throw new RangeError(`chart "${chart.title}": row ${i} (${d.category}) has value ${String(d.value)}, not a finite number`);
      return { category: label(d.category, '(none)'), value: d.value, series: stacked ? label(d.series, '(none)') : '', order: 0 };
    }),
  );
}

function merge(rows: readonly Row[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const r of rows) {
    const key = JSON.stringify([r.category, r.series]);
    const row = byKey.get(key);
    if (row) row.value += r.value;
    else byKey.set(key, { ...r });
  }
  return [...byKey.values()];
}

/** At most `max` names of `key` (see MAX_CATEGORIES): the last ones added into "Others (n)", or left out. */
function limit(rows: Row[], key: 'category' | 'series', names: string[], max: number, additive: boolean): { rows: Row[]; names: string[]; left: number } {
  if (names.length <= max) return { rows, names, left: 0 };
  if (!additive) {
    const kept = new Set(names.slice(0, max));
    return { rows: rows.filter((r) => kept.has(r[key])), names: [...kept], left: names.length - max };
  }
  const kept = new Set(names.slice(0, max - 1));
  const others = `Others (${names.length - kept.size})`;
  return { rows: merge(rows.map((r) => (kept.has(r[key]) ? r : { ...r, [key]: others }))), names: [...kept, others], left: 0 };
}

const label = (s: string | undefined, blank: string): string => {
  const t = (s ?? '').replace(/\s+/g, ' ').trim();
  return t === '' ? blank : t;
};
const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

function seriesOrder(rows: readonly Row[], order: readonly string[] | undefined): string[] {
  const present = unique(rows.map((r) => r.series));
  const given = unique((order ?? []).map((s) => label(s, '(none)')));
  return [...given, ...present.filter((s) => !given.includes(s))];
}

function palette(n: number, kind: 'categorical' | 'ordered' | undefined): string[] {
  if (kind !== 'ordered' || n > ORDERED.length) return CATEGORICAL.slice(0, Math.max(n, 1));
  if (n === 1) return [ORDERED[0] ?? BAR];
  return Array.from({ length: n }, (_, i) => ORDERED[Math.round((i * (ORDERED.length - 1)) / (n - 1))] ?? BAR);
}

/**
 * The value axis's extent when Vega's own would mislead: rates read against 0–100% unless a value (or a stack)
 * goes past it, and a chart of zeros gets an axis from 0 to 1 rather than a single tick.
 */
function valueDomain(rows: readonly Row[], stacked: boolean, format: ValueFormat): [number, number] | undefined {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.category, (stacked ? (totals.get(r.category) ?? 0) : 0) + r.value);
  const all = [...totals.values(), ...rows.map((r) => r.value)];
  if (format === 'percent') return [Math.min(0, ...all), Math.max(1, ...all)];
  return all.every((v) => v === 0) ? [0, 1] : undefined;
}

/** Whether column labels fit side by side under their columns (else they are set at an angle). */
function labelsFit(categories: readonly string[], fonts: Fonts | undefined): boolean {
  const width = (s: string) => (fonts ? fonts.regular.width(s, LABEL_SIZE) : 0.6 * LABEL_SIZE * s.length);
  return categories.every((c) => width(c) <= PLOT.verticalStep - 4);
}
