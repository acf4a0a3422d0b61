/** The repository's folder, from this module in sim/ (run by vitest) or in dist/sim/ (npm run sim). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin/medbill.js'))) return dir;
  }
  throw new Error(`no medbill checkout above ${from}`);
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
