/**
 * Dependencies point one way (design.md): src/root (composition) → adapters → src/engine → (registry) → flows
 * → src services → src/store. Nothing outside src/root and adapters/ imports an adapter or a platform SDK,
 * and the engine never imports flows/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
const PLATFORM_SDK = /^(@slack\/|botbuilder|@microsoft\/|express$|playwright)/;

describe('module boundaries', () => {
  // Everything but the composition root (src/root) and the adapters themselves, src's top-level files included.
  const topLevel = readdirSync(join(ROOT, 'src')).filter((n) => n.endsWith('.ts')).map((n) => join(ROOT, 'src', n));
  const core = [...topLevel, ...['src/engine', 'src/knowledge', 'src/privacy', 'src/store', 'flows'].flatMap((d) => tsFiles(join(ROOT, d)))];
  it('has core modules to check', () => expect(core.length).toBeGreaterThan(20));
  it.each(core.map((f) => relative(ROOT, f)))('%s imports no adapter and no platform SDK', (file) => {
    const bad = importsOf(join(ROOT, file)).filter((i) => i.includes('/adapters/') || PLATFORM_SDK.test(i));
    expect(bad).toEqual([]);
  });
  it.each(tsFiles(join(ROOT, 'src/engine')).map((f) => relative(ROOT, f)))('%s does not import flows/ (the engine receives the registry)', (file) => {
    expect(importsOf(join(ROOT, file)).filter((i) => i.includes('/flows/') || i.startsWith('../flows'))).toEqual([]);
  });
  it('keeps SQL behind src/store', () => {
    const outside = [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'flows')), ...tsFiles(join(ROOT, 'adapters'))]
      .filter((f) => !f.includes(`${join('src', 'store')}`) && /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE)\b/.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
