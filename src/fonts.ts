/**
 * The fonts medbill draws with (charts, the claim form): DejaVu Sans (and Sans Mono for the claim form's values), bundled in assets/fonts (its licence
 * beside it), so a picture or a PDF looks the same on every machine and carries its own font.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.js';

export const FONT_FAMILY = 'DejaVu Sans';
export const FONT_FILES = {
  regular: join(PROJECT_ROOT, 'assets', 'fonts', 'DejaVuSans.ttf'),
  bold: join(PROJECT_ROOT, 'assets', 'fonts', 'DejaVuSans-Bold.ttf'),
  mono: join(PROJECT_ROOT, 'assets', 'fonts', 'DejaVuSansMono.ttf'),
} as const;
