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
  const core = [...topLevel, ...['src/engine', 'src/knowledge', 'src/store', 'flows'].flatMap((d) => tsFiles(join(ROOT, d)))];
  it('has core modules to check', () => expect(core.length).toBeGreaterThan(20));
  it.each(core.map((f) => relative(ROOT, f)))('%s imports no adapter and no platform SDK', (file) => {
    const bad = importsOf(join(ROOT, file)).filter((i) => i.includes('/adapters/') || PLATFORM_SDK.test(i));
    expect(bad).toEqual([]);
  });
  it.each(tsFiles(join(ROOT, 'src/engine')).map((f) => relative(ROOT, f)))('%s does not import flows/ (the engine receives the registry)', (file) => {
    expect(importsOf(join(ROOT, file)).filter((i) => i.includes('/flows/') || i.startsWith('../flows'))).toEqual([]);
  });
  // Storage behind ports: src/store holds the interfaces; SQLite (and its SQL, FTS5 included) lives in src/store/sqlite only.
  const sqlite = join('src', 'store', 'sqlite');
  const everyFile = () => [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'flows')), ...tsFiles(join(ROOT, 'adapters'))];
  it('keeps SQL in src/store/sqlite', () => {
    const outside = everyFile()
      .filter((f) => !f.includes(sqlite) && /\b(SELECT|INSERT INTO|INSERT OR|UPDATE \w+ SET|DELETE FROM|CREATE (?:TABLE|INDEX|VIRTUAL TABLE)|PRAGMA|fts5)\b/.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
  });
  it('lets only src/store/sqlite import better-sqlite3', () => {
    const outside = everyFile().filter((f) => !f.includes(sqlite) && importsOf(f).some((i) => i === 'better-sqlite3'));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
  });
  it('keeps the store ports below everything: src/store imports no engine, service, flow or root, and only the root and the tests name src/store/sqlite', () => {
    const up = tsFiles(join(ROOT, 'src/store')).flatMap((f) => importsOf(f).filter((i) => /\/(engine|claims|letters|reports|scheduler|root)\/|\/flows\/|^\.\.\/(?:\.\.\/)?(?:app|cli)\.js$/.test(i)).map((i) => `${relative(ROOT, f)} → ${i}`));
    expect(up).toEqual([]);
    const users = everyFile().filter((f) => !f.includes(sqlite) && importsOf(f).some((i) => i.includes('store/sqlite/')));
    expect(users.map((f) => relative(ROOT, f)).filter((f) => !/^src\/(root\/|app\.ts$|cli\.ts$)/.test(f))).toEqual([]);
  });
});
