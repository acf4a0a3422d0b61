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
  it('lets only adapters/ and src/root import a platform SDK (Slack, Teams, a browser driver)', () => {
    const everyOther = [...tsFiles(join(ROOT, 'src')).filter((f) => !f.startsWith(join(ROOT, 'src', 'root'))), ...tsFiles(join(ROOT, 'flows'))];
    expect(everyOther.length).toBeGreaterThan(50);
    const importing = everyOther.filter((f) => importsOf(f).some((i) => PLATFORM_SDK.test(i)));
    expect(importing.map((f) => relative(ROOT, f))).toEqual([]);
    // The rule is not vacuous: the adapters do import them.
    expect(tsFiles(join(ROOT, 'adapters')).some((f) => importsOf(f).some((i) => PLATFORM_SDK.test(i)))).toBe(true);
  });
  // Storage behind ports: src/store holds the interfaces; each database (and its SQL, FTS5 included) lives in
  // its own folder only: SQLite in src/store/sqlite, PostgreSQL in src/store/postgres.
  const sqlite = join('src', 'store', 'sqlite');
  const postgres = join('src', 'store', 'postgres');
  const inStoreImpl = (f: string) => f.includes(sqlite) || f.includes(postgres);
  const everyFile = () => [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'flows')), ...tsFiles(join(ROOT, 'adapters'))];
  /** Packages a file imports, statically or with import(), type-only imports included. */
  const packagesOf = (f: string) => [...importsOf(f), ...[...readFileSync(f, 'utf8').matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? '')];
  const SQL = /\b(SELECT|INSERT INTO|INSERT OR|UPDATE \w+ SET|DELETE FROM|CREATE (?:TABLE|INDEX|VIRTUAL TABLE|EXTENSION)|TRUNCATE|PRAGMA|fts5)\b/;
  it('keeps SQL in src/store/sqlite and src/store/postgres', () => {
    const outside = everyFile().filter((f) => !inStoreImpl(f) && SQL.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
    // Not vacuous: both folders do hold SQL.
    for (const dir of [sqlite, postgres]) expect(tsFiles(join(ROOT, dir)).some((f) => SQL.test(readFileSync(f, 'utf8')))).toBe(true);
  });
  it('lets only src/store/sqlite import better-sqlite3', () => {
    const outside = everyFile().filter((f) => !f.includes(sqlite) && packagesOf(f).some((i) => i === 'better-sqlite3'));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
  });
  it('lets only src/store/postgres import pg (node-postgres)', () => {
    const outside = everyFile().filter((f) => !f.includes(postgres) && packagesOf(f).some((i) => i === 'pg' || i.startsWith('pg-') || i.startsWith('pg/')));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
    expect(tsFiles(join(ROOT, postgres)).some((f) => packagesOf(f).includes('pg'))).toBe(true);
  });
  it('keeps the store ports below everything: src/store imports no engine, service, flow or root, and only the root and the tests name src/store/sqlite or src/store/postgres', () => {
    const up = tsFiles(join(ROOT, 'src/store')).flatMap((f) => importsOf(f).filter((i) => /\/(engine|claims|letters|reports|scheduler|root)\/|\/flows\/|^\.\.\/(?:\.\.\/)?(?:app|cli)\.js$/.test(i)).map((i) => `${relative(ROOT, f)} → ${i}`));
    expect(up).toEqual([]);
    const users = everyFile().filter((f) => !inStoreImpl(f) && importsOf(f).some((i) => i.includes('store/sqlite/') || i.includes('store/postgres/')));
    expect(users.map((f) => relative(ROOT, f)).filter((f) => !/^src\/(root\/|app\.ts$|cli\.ts$)/.test(f))).toEqual([]);
  });
  it('keeps the two stores apart: neither implementation imports the other', () => {
    const crossing = [
      ...tsFiles(join(ROOT, sqlite)).filter((f) => importsOf(f).some((i) => i.includes('/postgres/'))),
      ...tsFiles(join(ROOT, postgres)).filter((f) => importsOf(f).some((i) => i.includes('/sqlite/'))),
    ];
    expect(crossing.map((f) => relative(ROOT, f))).toEqual([]);
  });
});

/**
 * The house's layers (README "How the code is laid out"), bottom to top. A file imports only its own layer
 * and the ones below; nothing imports in a circle. A new file must be given a layer here.
 */
const LAYERS: [string, RegExp][] = [
  ['basics', /^src\/(today|log|calendar|case-id|paths|fonts|http|lines|zod-message|config|command-line|money|practice-id)\.ts$/],
  ['knowledge and privacy', /^src\/(knowledge|privacy)\//],
  ['store ports and their SQLite and PostgreSQL implementations', /^src\/store\//],
  ['engine', /^src\/engine\//],
  ['services', /^src\/(claims|letters|reports|scheduler)\/|^src\/reply-text\.ts$/],
  ['flows', /^flows\//],
  ['adapters', /^adapters\//],
  ['composition root', /^src\/(root\/|cli\.ts$)/],
];
const layerOf = (file: string) => LAYERS.findIndex(([, re]) => re.test(file));

/** Every import of a file (static, re-export, dynamic), as repo paths of .ts files; packages are left out. */
function localImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? '');
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, join(ROOT, file, '..', s)).replace(/\.js$/, '.ts'));
}

describe('the house plan', () => {
  const files = ['src', 'flows', 'adapters'].flatMap((d) => tsFiles(join(ROOT, d))).map((f) => relative(ROOT, f).split('\\').join('/'));
  const graph = new Map(files.map((f) => [f, localImports(f).filter((i) => files.includes(i))]));

  it.each(files)('%s belongs to a layer', (file) => expect(layerOf(file), `give ${file} a layer in LAYERS`).toBeGreaterThanOrEqual(0));

  it('has no import from a lower layer to a higher one', () => {
    const upward = [...graph].flatMap(([from, tos]) => tos.filter((to) => layerOf(to) > layerOf(from)).map((to) => `${from} (${LAYERS[layerOf(from)]?.[0]}) -> ${to} (${LAYERS[layerOf(to)]?.[0]})`));
    expect(upward).toEqual([]);
  });

  it('has no import circle', () => {
    // Tarjan's strongly connected components: any component of two or more files is a circle.
    let index = 0;
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const circles: string[][] = [];
    const visit = (v: string) => {
      order.set(v, index);
      low.set(v, index++);
      stack.push(v);
      for (const w of graph.get(v) ?? []) {
        if (!order.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
        } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) ?? 0, order.get(w) ?? 0));
      }
      if (low.get(v) === order.get(v)) {
        const component: string[] = [];
        for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) component.push(w);
        if (component.length > 1) circles.push(component.sort());
      }
    };
    for (const f of files) if (!order.has(f)) visit(f);
    expect(circles).toEqual([]);
  });

  it('keeps the engine generic: it imports no service and no flow', () => {
    const services = /^(src\/(claims|letters|reports|scheduler)\/|flows\/)/;
    const bad = [...graph].filter(([from]) => from.startsWith('src/engine/')).flatMap(([from, tos]) => tos.filter((t) => services.test(t)).map((t) => `${from} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it('builds services only in the composition root', () => {
    const builds = /\bnew (Engine|ClaimService|LetterService|DigestStore|DigestScheduler|Inbox|Outbound|CodeIndex)\b/;
    const outside = files.filter((f) => layerOf(f) !== LAYERS.length - 1 && builds.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(outside).toEqual([]);
  });

  it('has nothing below the root import the root', () => {
    const bad = [...graph].filter(([from]) => layerOf(from) !== LAYERS.length - 1).flatMap(([from, tos]) => tos.filter((t) => layerOf(t) === LAYERS.length - 1).map((t) => `${from} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it('keeps no knowledge in a process-wide cache (the root loads it once and hands it down)', () => {
    const kept = /^let cached\b|\bdefaultKnowledge\(/m;
    expect(files.filter((f) => kept.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });
});
