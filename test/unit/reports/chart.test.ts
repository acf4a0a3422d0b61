/**
 * Report charts (src/reports/chart.ts): drawn in process, text set in the bundled font, loaded only lazily.
 * The PNGs are decoded and looked at: a chart whose text did not draw is a failed chart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChartSpec, RenderedChart } from '../../../src/reports/chart.js';

const ROOT = resolve(import.meta.dirname, '../../..');
// Loaded the way its callers must load it: dynamically.
const chartModule = () => import('../../../src/reports/chart.js');

const BUCKETS = ['0–30', '31–60', '61–90', '90+'];
const LONG_PAYER = 'Blue Cross Blue Shield of a Very Long Regional Plan Name';
const AGING: ChartSpec = {
  title: 'A/R aging by payer',
  orientation: 'horizontal',
  categoryAxisTitle: 'Payer',
  valueAxisTitle: 'Outstanding',
  valueFormat: 'dollars',
  series: { title: 'Days outstanding', order: BUCKETS, palette: 'ordered' },
  data: (
    [
      [LONG_PAYER, [12000, 5400, 2100, 800]],
      ['Aetna', [8000, 3000, 0, 4500]],
      ['UnitedHealthcare', [15000, 2000, 1234, 300]],
      ['Medicare Part B', [3000, 900, 400, 2500]],
    ] as const
  ).flatMap(([category, amounts]) => amounts.map((value, i) => ({ category, series: BUCKETS[i], value }))),
};
const DENIALS: ChartSpec = {
  title: 'Denials by reason',
  orientation: 'vertical',
  categoryAxisTitle: 'Reason',
  valueAxisTitle: 'Claims',
  valueFormat: 'count',
  data: [
    { category: 'CO-50', value: 14 },
    { category: 'CO-197', value: 9 },
    { category: 'CO-16', value: 6 },
    { category: 'CO-97', value: 3 },
  ],
};

interface Decoded {
  width: number;
  height: number;
  data: Buffer;
}
const decode = (png: Buffer): Decoded => PNG.sync.read(png);
interface Rgb {
  r: number;
  g: number;
  b: number;
}
const pixel = (img: Decoded, x: number, y: number): Rgb => {
  const i = (y * img.width + x) * 4;
  return { r: img.data.readUInt8(i), g: img.data.readUInt8(i + 1), b: img.data.readUInt8(i + 2) };
};
const isDark = ({ r, g, b }: Rgb) => 0.299 * r + 0.587 * g + 0.114 * b < 110;
const isBackground = ({ r, g, b }: Rgb) => r > 250 && g > 250 && b > 250;
type Span = readonly [from: number, to: number];
function count(img: Decoded, test: (p: Rgb) => boolean, rows: Span = [0, img.height], cols: Span = [0, img.width]): number {
  let n = 0;
  for (let y = rows[0]; y < rows[1]; y++) for (let x = cols[0]; x < cols[1]; x++) if (test(pixel(img, x, y))) n++;
  return n;
}
function colours(img: Decoded): Set<number> {
  const seen = new Set<number>();
  for (let i = 0; i < img.data.length; i += 4) seen.add(img.data.readUInt32BE(i));
  return seen;
}
/** The text the SVG draws (its <text> elements, unescaped; aria labels are left out), visible ones only. */
const svgTexts = (svg: string) =>
  [...svg.matchAll(/<text\b([^>]*)>([^<]*)<\/text>/g)]
    .filter((m) => !/opacity="0"/.test(m[1] ?? ''))
    .map((m) => (m[2] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));

function expectAPicture(r: RenderedChart): Decoded {
  const img = decode(r.png);
  expect([img.width, img.height]).toEqual([r.width, r.height]);
  const [, svgWidth = 'none', svgHeight = 'none'] = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"\s+height="(\d+(?:\.\d+)?)"/.exec(r.svg) ?? [];
  expect(r.width).toBe(Math.round(Number(svgWidth) * 2)); // default scale 2
  expect(r.height).toBe(Math.round(Number(svgHeight) * 2));
  expect(colours(img).size).toBeGreaterThan(20); // bars, text and its anti-aliasing: not a flat fill
  const content = count(img, (p) => !isBackground(p)) / (img.width * img.height);
  expect(content).toBeGreaterThan(0.05);
  expect(content).toBeLessThan(0.9);
  expect(count(img, isDark)).toBeGreaterThan(1000); // dark ink is text (and axis lines)
  return img;
}

let aging: RenderedChart;
beforeAll(async () => {
  const { renderChart } = await chartModule();
  const t0 = performance.now();
  aging = await renderChart(AGING);
  const cold = performance.now() - t0;
  const t1 = performance.now();
  await renderChart(AGING);
  console.log(`chart render: cold ${cold.toFixed(0)} ms (imports vega, vega-lite, resvg), warm ${(performance.now() - t1).toFixed(0)} ms; PNG ${aging.width}×${aging.height}, ${aging.png.length} bytes`);
});

describe('renderChart: stacked A/R aging', () => {
  it('is a PNG of the size it says, with something drawn', () => {
    expectAPicture(aging);
  });

  it('sets every text in the bundled font, and the SVG says what the chart says', () => {
    const families = new Set([...aging.svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
    expect([...families]).toEqual(['DejaVu Sans']);
    const texts = svgTexts(aging.svg);
    expect(texts).toContain('A/R aging by payer');
    for (const t of ['Payer', 'Outstanding', 'Days outstanding', ...BUCKETS, 'Aetna', 'UnitedHealthcare', 'Medicare Part B']) expect(texts).toContain(t);
    // Dollars: the axis and each bar's total.
    expect(texts).toContain('$20,300');
    expect(texts).toContain('$18,534');
    expect(texts.filter((t) => /^\$\d{1,3}(,\d{3})*$/.test(t)).length).toBeGreaterThan(6);
    // The long payer is cut with an ellipsis, not drawn in full.
    expect(texts).not.toContain(LONG_PAYER);
    expect(texts.some((t) => t.endsWith('…') && LONG_PAYER.startsWith(t.slice(0, -1)) && t.length > 12)).toBe(true);
  });

  it('draws each aging bucket in its own colour', () => {
    const img = decode(aging.png);
    const fills = [...new Set([...aging.svg.matchAll(/aria-roledescription="bar"[^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1] ?? ''))];
    expect(fills).toHaveLength(4);
    const seen = colours(img);
    for (const f of fills) expect(seen.has(((parseInt(f.slice(1), 16) << 8) | 0xff) >>> 0)).toBe(true);
  });

  it('draws the title: another title changes only the title band, which holds dark text', async () => {
    const { renderChart } = await chartModule();
    const other = await renderChart({ ...AGING, title: 'A/R aging by plan XY' });
    const a = decode(aging.png);
    const b = decode(other.png);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    let top = Infinity;
    let bottom = -1;
    for (let y = 0; y < a.height; y++)
      for (let x = 0; x < a.width; x++)
        if (a.data.readUInt32BE((y * a.width + x) * 4) !== b.data.readUInt32BE((y * b.width + x) * 4)) {
          top = Math.min(top, y);
          bottom = Math.max(bottom, y);
        }
    // padding 12 + a 15 px title, at scale 2: the band is about rows 24–60 of a ~500-row picture
    expect(bottom).toBeGreaterThan(0);
    expect(top).toBeGreaterThanOrEqual(20);
    expect(bottom).toBeLessThan(66);
    expect(count(a, isDark, [top, bottom + 1])).toBeGreaterThan(400);
    expect(count(a, isDark, [0, top])).toBe(0);
  });

  it('draws the category labels: dark text left of the bars on each row', () => {
    const img = decode(aging.png);
    // The first bar starts where the plot starts; the labels sit in the columns before it.
    const green = (p: Rgb) => p.g > p.r + 40 && p.g > p.b + 40; // the 0–30 bucket
    const plotLeft = Array.from({ length: img.width }, (_, x) => x).find((x) => count(img, green, [0, img.height], [x, x + 1]) > 20) ?? 0;
    expect(plotLeft).toBeGreaterThan(img.width * 0.2);
    expect(count(img, isDark, [0, img.height], [Math.round(img.width * 0.04), plotLeft - 12])).toBeGreaterThan(800);
  });
});

describe('renderChart: other charts', () => {
  it('draws a denials chart (vertical, counts)', async () => {
    const { renderChart } = await chartModule();
    const r = await renderChart(DENIALS);
    expectAPicture(r);
    const texts = svgTexts(r.svg);
    for (const t of ['Denials by reason', 'Reason', 'Claims', 'CO-50', 'CO-197', 'CO-16', 'CO-97', '14', '9', '6', '3']) expect(texts).toContain(t);
  });

  it('writes rates as percentages against 0–100%', async () => {
    const { renderChart } = await chartModule();
    const r = await renderChart({ ...DENIALS, title: 'Paid rate by category', orientation: 'horizontal', valueFormat: 'percent', data: [{ category: 'Trauma', value: 0.64 }, { category: 'Biopsy', value: 0.915 }] });
    const texts = svgTexts(r.svg);
    for (const t of ['64%', '92%', '0%', '100%']) expect(texts).toContain(t);
  });

  it('says "No data" for no rows, in ink, instead of failing', async () => {
    const { renderChart, NO_DATA_TEXT } = await chartModule();
    const r = await renderChart({ ...AGING, data: [] });
    expect(NO_DATA_TEXT).toBe('No data');
    expect(svgTexts(r.svg).sort()).toEqual(['A/R aging by payer', 'No data']);
    const img = decode(r.png);
    expect([img.width, img.height]).toEqual([r.width, r.height]);
    const middle: Span = [Math.round(img.height * 0.35), Math.round(img.height * 0.75)];
    expect(count(img, (p) => !isBackground(p), middle, [Math.round(img.width * 0.3), Math.round(img.width * 0.7)])).toBeGreaterThan(300);
  });

  it('adds up repeated rows and refuses values that are not numbers', async () => {
    const { renderChart } = await chartModule();
    const r = await renderChart({ ...DENIALS, data: [{ category: 'CO-50', value: 1000 }, { category: 'CO-50', value: 234 }] });
    expect(svgTexts(r.svg)).toContain('1,234');
    await expect(renderChart({ ...DENIALS, data: [{ category: 'CO-50', value: Number.NaN }] })).rejects.toThrow(RangeError);
  });

  it('keeps too many bars readable: the last amounts become "Others (n)", the last rates are left out and said so', async () => {
    const { buildSpec, MAX_CATEGORIES } = await chartModule();
    const many = Array.from({ length: MAX_CATEGORIES + 5 }, (_, i) => ({ category: `Payer ${i}`, value: 100 }));
    const dollars = JSON.stringify(buildSpec({ ...AGING, series: undefined, data: many }));
    expect(dollars).toContain('"Payer 38"');
    expect(dollars).not.toContain('"Payer 39"');
    expect(dollars).toContain('{"category":"Others (6)","value":600');
    const rates = JSON.stringify(buildSpec({ ...AGING, series: undefined, valueFormat: 'percent', data: many.map((d) => ({ ...d, value: 0.5 })) }));
    expect(rates).toContain('"Payer 39"');
    expect(rates).not.toContain('"Payer 40"');
    expect(rates).not.toContain('Others');
    expect(rates).toContain(`The first ${MAX_CATEGORIES} of ${MAX_CATEGORIES + 5} shown`);
  });

  it('is the same picture every time', async () => {
    const { renderChart } = await chartModule();
    const again = await renderChart(AGING);
    expect(again.svg).toBe(aging.svg);
    expect(again.png.equals(aging.png)).toBe(true);
  });
});

describe('chart safety and loading', () => {
  it("refuses every load Vega could attempt (URLs and files)", async () => {
    const { CHART_LOADER } = await chartModule();
    await expect(CHART_LOADER.load('https://example.com/data.json')).rejects.toThrow(/load nothing/);
    await expect(CHART_LOADER.load('/etc/passwd')).rejects.toThrow(/load nothing/);
    await expect(CHART_LOADER.sanitize('file:///etc/passwd', { context: 'href' })).rejects.toThrow(/load nothing/);
    await expect(CHART_LOADER.http('https://example.com', {})).rejects.toThrow(/load nothing/);
    await expect(CHART_LOADER.file('/etc/passwd')).rejects.toThrow(/load nothing/);
  });

  it('builds specs with inline data only', async () => {
    const { buildSpec } = await chartModule();
    for (const spec of [buildSpec(AGING), buildSpec(DENIALS), buildSpec({ ...DENIALS, data: [] })]) {
      const json = JSON.stringify(spec);
      expect(json).not.toMatch(/"url"\s*:/);
      expect(json).toContain('"values"');
    }
  });

  it('finds its fonts from the project root, with their licence beside them', async () => {
    const { CHART_FONT_FILES } = await chartModule();
    for (const file of Object.values(CHART_FONT_FILES)) {
      expect(relative(ROOT, file)).toMatch(/^assets[/\\]fonts[/\\]DejaVuSans(-Bold)?\.ttf$/);
      expect(existsSync(file)).toBe(true);
    }
    expect(readFileSync(join(ROOT, 'assets', 'fonts', 'LICENSE-DejaVu.txt'), 'utf8')).toContain('Bitstream Vera');
  });

  // vega, vega-lite and resvg take a third of a second to import: only a dynamic import may reach them.
  const HEAVY = /^(vega|vega-lite|@resvg\/resvg-js)$|reports\/chart(\.[jt]s)?$/;
  /** Static value imports (`import type` is erased, `import()` is lazy) of a TypeScript file, resolved to files or package names. */
  function staticImports(file: string): string[] {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => {
      const spec = m[1] ?? '';
      return spec.startsWith('.') ? resolve(dirname(file), spec.replace(/\.js$/, '.ts')) : spec;
    });
  }

  it('is not loaded on the `medbill triage` path (static imports from src/cli.ts)', () => {
    const seen = new Set<string>();
    const heavy: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const dep of staticImports(file)) {
        if (HEAVY.test(dep)) heavy.push(`${relative(ROOT, file)} → ${relative(ROOT, dep) || dep}`);
        else if (dep.startsWith(ROOT) && existsSync(dep)) walk(dep);
      }
    };
    walk(join(ROOT, 'src', 'cli.ts'));
    expect(seen.size).toBeGreaterThan(5);
    expect(heavy).toEqual([]);
  });

  it('is imported only dynamically, and imports vega, vega-lite and resvg only dynamically itself', () => {
    const tsFiles = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
      });
    const offenders = ['src', 'flows', 'adapters']
      .filter((d) => existsSync(join(ROOT, d)))
      .flatMap((d) => tsFiles(join(ROOT, d)))
      .flatMap((f) => staticImports(f).filter((dep) => HEAVY.test(dep)).map((dep) => `${relative(ROOT, f)} → ${relative(ROOT, dep) || dep}`));
    expect(offenders).toEqual([]);
  });
});
