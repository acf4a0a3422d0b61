/**
 * The Teams app's icons, drawn when the package is built from the SVG sources in appPackage/ (no PNG is kept
 * in the repository: a change to a shape is a change to a few lines of SVG, and the PNGs cannot drift from it).
 * Teams wants a 192x192 full-colour icon and a 32x32 outline icon, white on transparent.
 *
 * resvg is native code and slow to load: imported here on first use, and this module is imported only by the
 * package command. No text is drawn, so no font is loaded (loadSystemFonts: false, as in src/reports/chart.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export const ICON_SOURCES = {
  color: { svg: join(PROJECT_ROOT, 'adapters', 'teams', 'appPackage', 'color.svg'), size: 192 },
  outline: { svg: join(PROJECT_ROOT, 'adapters', 'teams', 'appPackage', 'outline.svg'), size: 32 },
} as const;

export interface TeamsIcons { color: Buffer; outline: Buffer }

async function render(source: { svg: string; size: number }): Promise<Buffer> {
  const { renderAsync } = await import('@resvg/resvg-js');
  const image = await renderAsync(readFileSync(source.svg, 'utf8'), {
    fitTo: { mode: 'width', value: source.size },
    font: { loadSystemFonts: false },
    logLevel: 'off',
  });
  // An SVG whose proportions changed would give a PNG Teams refuses: say so here, not at upload.
  if (image.width !== source.size || image.height !== source.size) {
    throw new Error(`${source.svg} renders at ${image.width}x${image.height}; Teams needs ${source.size}x${source.size}`);
  }
  return image.asPng();
}

export async function renderTeamsIcons(): Promise<TeamsIcons> {
  const [color, outline] = await Promise.all([render(ICON_SOURCES.color), render(ICON_SOURCES.outline)]);
  return { color, outline };
}
