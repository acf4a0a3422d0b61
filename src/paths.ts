/**
 * The project root, found from this module's own location (src/ under vitest, dist/src/ when built), so
 * that knowledge/ and the web page are found from any working directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'knowledge'))) return dir;
    if (dirname(dir) === dir) throw new Error(`medbill: no project root (package.json beside knowledge/) above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
