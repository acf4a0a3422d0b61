/**
 * PostgreSQL beyond the ports' suite (test/unit/store/postgres.test.ts): migrations as replicas meet them,
 * writes that must happen once when several processes share the database (each storage here has its own
 * pool, as a process would), the ICD-10-CM title search ordered as SQLite's FTS5 orders it, and the
 * composition root choosing Postgres from MEDBILL_DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import pg from 'pg';
import { describePostgres, freshDatabaseUrl } from '../support/postgres.js';
import { openPostgresStorage, PostgresStorage } from '../../src/store/postgres/index.js';
import { openSqliteStorage } from '../../src/store/sqlite/index.js';
import { schemaVersion } from '../../src/store/postgres/db.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/migrations.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import type { Storage } from '../../src/store/storage.js';
import type { IcdFileEntry } from '../../src/knowledge/icd10-file.js';
import { DigestScheduler } from '../../src/scheduler/digest-scheduler.js';
import { loadConfig } from '../../src/config.js';
import { openConfiguredStorage } from '../../src/root/storage.js';
import { claimService } from '../support/storage.js';
import { cli, ROOT, tempDbPath } from '../helpers.js';
import { writeFileSync } from 'node:fs';

const opened: Storage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});
const open = (url: string): PostgresStorage => {
  const s = openPostgresStorage(url, { maxConnections: 4 });
  opened.push(s);
  return s;
};

async function rows<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text)).rows;
  } finally {
    await c.end();
  }
}

/**
 * A loopback TCP proxy to the test cluster's socket that counts the client's turns to speak (each time it sends
 * after the server spoke, or first: statements sent together are one turn; one sent after another's answer is
 * two) and the statements it asks the server to parse (Parse messages: a prepared statement is parsed once).
 */
async function turnCountingProxy(url: string): Promise<{ url: string; turns: () => number; parses: () => number; close: () => Promise<void> }> {
  const target = new URL(url);
  const socket = join(target.searchParams.get('host') ?? '/tmp', `.s.PGSQL.${target.port || '5432'}`);
  let turns = 0;
  let parses = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ path: socket });
    let serverSpoke = true;
    // The client's messages after its startup message (which has no type byte): a type byte, then a length.
    let pending = Buffer.alloc(0);
    let started = false;
    client.on('data', (d) => {
      if (serverSpoke) turns++;
      serverSpoke = false;
      upstream.write(d);
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const at = started ? 1 : 0;
        if (pending.length < at + 4) break;
        const size = at + pending.readUInt32BE(at);
        if (pending.length < size) break;
        if (started && pending[0] === 0x50) parses++; // 'P'
        started = true;
        pending = pending.subarray(size);
      }
    });
    upstream.on('data', (d) => {
      serverSpoke = true;
      client.write(d);
    });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(a);
      a.on('close', () => b.destroy());
      a.on('error', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as AddressInfo).port);
  proxied.searchParams.delete('host');
  return {
    url: proxied.toString(),
    turns: () => turns,
    parses: () => parses,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describePostgres('PostgreSQL: migrations', () => {
  it('runs every step once, recorded by number and name, when three replicas open a new database together', async () => {
    const url = await freshDatabaseUrl();
    const first = open(url);
    const replicas = [first, open(url), open(url)];
    await Promise.all(replicas.map((r) => r.opened()));
    const applied = await rows<{ version: number; name: string }>(url, 'SELECT version, name FROM schema_migrations ORDER BY version');
    expect(applied).toEqual(MIGRATIONS.map((name, i) => ({ version: i + 1, name })));
    expect(await schemaVersion(first.db)).toBe(LATEST_SCHEMA_VERSION);
    // Opened again later: nothing to do.
    await open(url).opened();
    expect(await rows(url, 'SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
    // The title search's trigram index exists (Debian's postgresql ships pg_trgm).
    expect(await rows(url, "SELECT 1 FROM pg_indexes WHERE indexname = 'icd10cm_titles_trgm'")).toHaveLength(1);
  });

  it('brings a database from before practices up to date with every row kept under practice default', async () => {
    const url = await freshDatabaseUrl();
    const before = MIGRATIONS.indexOf('practices');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // The database as the medbill before practices left it: its steps, recorded, and rows in its tables.
      await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      for (const [i, name] of MIGRATIONS.slice(0, before).entries()) {
        if (POSTGRES_MIGRATIONS[name]) await c.query(POSTGRES_MIGRATIONS[name]);
        await c.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [i + 1, name]);
      }
      await c.query(`INSERT INTO claims (case_id, payer, payer_kind, lane, procedures, diagnoses, status, open, created_at, updated_at, version, reference)
        VALUES ('C-PRE22', 'Aetna', 'commercial', 'medical', '["41100"]', '[]', 'submitted', 1, 1, 1, 1, 'A1005')`);
      await c.query("INSERT INTO claim_history (case_id, at, actor, surface, action, to_status, change) VALUES ('C-PRE22', 1, 'cli', 'cli', 'created', 'submitted', '{}')");
      await c.query("INSERT INTO cases (case_id, owner, procedure, lane, updated_at) VALUES ('C-PRE22', 'k', 'biopsy', 'medical', 1)");
      await c.query(`INSERT INTO digest_channels VALUES ('slack::C1', '{"platform":"slack","channel":"C1"}', '08:00', 'America/Chicago', '12345', 1)`);
    } finally {
      await c.end();
    }
    const storage = open(url);
    await storage.opened();
    expect(await schemaVersion(storage.db)).toBe(LATEST_SCHEMA_VERSION);
    expect((await storage.claims.byReference('a1005')).map((x) => x.caseId)).toEqual(['C-PRE22']);
    expect((await storage.claims.history('C-PRE22')).map((h) => h.action)).toEqual(['created']);
    expect(await storage.cases.get('C-PRE22')).toMatchObject({ procedure: 'biopsy' });
    expect(await storage.digestPractices()).toEqual(['default']);
    expect(await storage.practice('slack:T9').claims.get('C-PRE22')).toBeUndefined();
    // The history's foreign key now names the practice too: a claim of another practice takes its own history.
    const other = claimService(storage.practice('slack:T9'));
    const plan = await other.draft({ caseId: 'C-PRE22', payer: 'Cigna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: '2026-11-02' }, { who: 'test', surface: 'test' });
    if (!plan.ok) throw new Error(plan.problem);
    expect(await other.commit(plan)).toBe(true);
    expect((await storage.claims.get('C-PRE22'))?.payer).toBe('Aetna');
  });

  it('refuses a database a newer medbill has migrated, and says so on every query', async () => {
    const url = await freshDatabaseUrl();
    await open(url).opened();
    await rows(url, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${LATEST_SCHEMA_VERSION + 1}, 'from-the-future', 0)`);
    const newer = open(url);
    await expect(newer.opened()).rejects.toThrow(/newer than this medbill knows/);
    await expect(newer.check()).rejects.toThrow(/newer than this medbill knows/);
  });
});

describePostgres('PostgreSQL: several processes on one database', () => {
  it('applies one of two "paid" presses on the same claim, from two processes at once', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [open(url), open(url)];
    const first = claimService(a);
    const draft = await first.draft({ caseId: 'C-PGPD2', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: '2026-11-02' }, { who: 'test:u1', surface: 'test' });
    if (!draft.ok) throw new Error(draft.problem);
    expect(await first.commit(draft)).toBe(true);
    const services = [claimService(a), claimService(b)];
    for (let round = 0; round < 5; round++) {
      // Both plan on the same version first, then both commit at once.
      const plans = await Promise.all(services.map(async (s, i) => ({ s, p: await s.plan('C-PGPD2', { kind: 'followed-up', date: '2026-11-20' }, { who: `test:u${i}`, surface: 'test' }) })));
      const results = await Promise.all(plans.map(({ s, p }) => (p.ok ? s.commit(p) : Promise.resolve(false))));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    const history = await a.claims.history('C-PGPD2');
    expect(history).toHaveLength(6);
    expect((await b.claims.get('C-PGPD2'))?.version).toBe(6);
  });

  it('answers a deadlock between two turns as a conflict for one of them, not an error', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [open(url), open(url)];
    const session = (key: string, version: number) => ({ key, flow: 'triage', flowVersion: 1, state: { step: 'asked', slots: {} }, history: [], version, updatedAt: 1, expiresAt: 10_000 });
    const put = (key: string) => ({ kind: 'session.put' as const, row: session(key, 2), expectedVersion: 1 });
    expect(await a.unitOfWork.commit(['s1', 's2', 's3'].map((k) => ({ kind: 'session.put' as const, row: session(k, 1), expectedVersion: undefined })))).toBe(true);
    // Made to interleave: a third connection holds s3, so turn A takes s1 and waits; turn B takes s2 and waits
    // for s1; s3 let go, A goes on to s2, held by B: a deadlock, which Postgres breaks by rolling one back.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    const waiting = async (n: number) => {
      for (let i = 0; i < 200; i++) {
        const w = await rows<{ n: number }>(url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
        if ((w[0]?.n ?? 0) >= n) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`never ${n} waiting`);
    };
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM sessions WHERE key = 's3' FOR UPDATE");
      const one = a.unitOfWork.commit([put('s1'), put('s3'), put('s2')]);
      await waiting(1);
      const other = b.unitOfWork.commit([put('s2'), put('s1')]);
      await waiting(2);
      await holder.query('COMMIT');
      expect((await Promise.all([one, other])).sort()).toEqual([false, true]);
    } finally {
      await holder.end();
    }
    expect((await a.sessions.get('s1'))?.version).toBe(2);
    expect((await a.sessions.get('s2'))?.version).toBe(2);
  });

  it('sends a turn\'s writes together (one round trip, then COMMIT), prepared once per connection; one that fails rolls the others back and is the error reported', async () => {
    const url = await freshDatabaseUrl();
    const proxy = await turnCountingProxy(url);
    try {
      const s = open(proxy.url);
      await s.db.query('SELECT 1'); // migrated, and a connection open before counting
      const record = (caseId: string) => ({ kind: 'case.record' as const, owner: 'k', record: { caseId, procedure: 'biopsy', lane: 'medical' as const, updatedAt: 5 } });
      const put = (flow: string, key = 'k') => ({ kind: 'session.put' as const, row: { key, flow, flowVersion: 1, state: { step: 'answer' }, history: [], version: 1, updatedAt: 1, expiresAt: 10_000 }, expectedVersion: undefined });
      const before = proxy.turns();
      expect(await s.unitOfWork.commit([record('C-PIPE2'), record('C-PIPE3'), put('triage')])).toBe(true);
      // BEGIN and the three writes go out before any answer comes back; COMMIT after their answers: two turns.
      expect(proxy.turns() - before).toBe(2);
      expect((await s.cases.get('C-PIPE3'))?.lane).toBe('medical');
      // The same statements again (another session): prepared on this connection already, none parsed again.
      const parsed = proxy.parses();
      expect(await s.unitOfWork.commit([record('C-PIPE7'), record('C-PIPE8'), put('triage', 'k2')])).toBe(true);
      expect(proxy.parses() - parsed).toBe(0);
      expect((await s.sessions.get('k2'))?.flow).toBe('triage');
      // A later schema step adding a column while this process runs (another replica migrated): its prepared
      // reads keep working, since none of them selects * ("cached plan must not change result type").
      const stored = async () => [(await s.sessions.get('k2'))?.flow, (await s.digests.channel({ platform: 'slack', channel: 'C1' }))?.zone];
      await s.unitOfWork.commit([{ kind: 'digest.set-channel', channel: { address: { platform: 'slack', channel: 'C1' }, localTime: '08:00', zone: 'UTC', weekdays: [1] }, at: 1 }]);
      expect(await stored()).toEqual(['triage', 'UTC']);
      for (const table of ['sessions', 'digest_channels', 'digest_runs', 'letters', 'slack_installations']) await rows(url, `ALTER TABLE ${table} ADD COLUMN later TEXT`);
      expect(await stored()).toEqual(['triage', 'UTC']);
      // A text with a NUL byte is refused by PostgreSQL (22021): the write before it is rolled back, the one
      // after it never lands, and the error is the refused write's, not "current transaction is aborted".
      await expect(s.unitOfWork.commit([record('C-PIPE4'), put('tri\u0000age'), record('C-PIPE5')])).rejects.toMatchObject({ code: '22021' });
      expect(await s.cases.get('C-PIPE4')).toBeUndefined();
      expect(await s.cases.get('C-PIPE5')).toBeUndefined();
      // The connection is rolled back and fit for the next turn.
      expect(await s.unitOfWork.commit([record('C-PIPE6')])).toBe(true);
      expect((await s.sessions.get('k'))?.flow).toBe('triage');
    } finally {
      await proxy.close();
    }
  });

  it('gives a digest run to exactly one of twenty processes claiming it at the same instant', async () => {
    const url = await freshDatabaseUrl();
    const replicas = Array.from({ length: 5 }, () => open(url));
    await Promise.all(replicas.map((r) => r.opened()));
    // Twenty claims, four from each of the five processes.
    const claims = await Promise.all(replicas.flatMap((r, n) => [0, 1, 2, 3].map((k) => r.digests.claim('slack:T1:channel:C1', '2026-02-10', `p${n * 4 + k}`, 2000, 1000))));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('posts a channel\'s digest once when two schedulers on two processes tick at its time', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [open(url), open(url)];
    await a.digests.setChannel({ address: { platform: 'slack', tenant: 'T1', channel: 'C1' }, localTime: '08:00', zone: 'America/Chicago', weekdays: [1, 2, 3, 4, 5, 6, 7] }, 0);
    const posts: string[] = [];
    const now = () => Date.parse('2026-02-10T14:00:30Z'); // 08:00:30 in Chicago
    const scheduler = (s: Storage, owner: string) => new DigestScheduler({
      store: s.digests, owner, now,
      publish: async (_target, date) => {
        await new Promise((r) => setTimeout(r, 20)); // the platform takes a moment: the other ticks meanwhile
        posts.push(`${owner} ${date}`);
        return { messageId: `m-${owner}` };
      },
      findPosted: async () => [],
    });
    const ticking = [scheduler(a, 'A'), scheduler(b, 'B')];
    await Promise.all(ticking.map((s) => s.tick()));
    await Promise.all(ticking.map((s) => s.tick()));
    expect(posts).toHaveLength(1);
    expect(await a.digests.run('slack:T1:channel:C1', '2026-02-10')).toMatchObject({ sentAt: now() });
  });
});

describePostgres('PostgreSQL: the ICD-10-CM title search', () => {
  const shipped = JSON.parse(readFileSync(`${ROOT}/knowledge/codes/icd10cm.json`, 'utf8')) as { codes: { code: string; title: string; billable: boolean }[] };
  const entries: IcdFileEntry[] = shipped.codes.map((c) => ({ code: c.code, title: c.title, billable: c.billable }));
  const QUERIES = [['tooth'], ['teeth'], ['caries'], ['dental', 'caries'], ['malignant', 'neoplasm'], ['neo', 'lip'], ['fracture'], ['apnea'], ['sleep', 'apn'], ['jaw'], ['cyst'], ['of'], ['abscess'], ['pain'], ['unspecified']];

  it('finds and orders codes as SQLite\'s FTS5 does, in the query and in the view, on the shipped list', async () => {
    expect(entries.length).toBeGreaterThan(300);
    const sqlite = openSqliteStorage(':memory:');
    opened.push(sqlite);
    const postgres = open(await freshDatabaseUrl());
    await sqlite.icd10.replace(entries, 'icd10cm.json', 'order');
    await postgres.icd10.replace(entries, 'icd10cm.json', 'order');
    const [sqliteView, postgresView] = [await sqlite.icd10.view(), await postgres.icd10.view()];
    let compared = 0;
    for (const words of QUERIES) {
      const expected = (await sqlite.icd10.search(words, 12)).map((c) => c.code);
      expect((await postgres.icd10.search(words, 12)).map((c) => c.code), words.join(' ')).toEqual(expected);
      expect(postgresView?.search(words, 12).map((c) => c.code), `view: ${words.join(' ')}`).toEqual(sqliteView?.search(words, 12).map((c) => c.code));
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(60); // the queries do find codes
    expect(postgresView?.get('K08.3')).toEqual(sqliteView?.get('K08.3'));
  });

  it('imports the full CMS list in seconds and answers a search from the index', async () => {
    // The full list: every shipped valid code, titled from knowledge/ where it has one (74,000 rows).
    const titles = new Map(entries.map((e) => [e.code, e.title]));
    const valid = readFileSync(`${ROOT}/knowledge/codes/icd10cm-valid-fy2026.txt`, 'utf8').split('\n').filter(Boolean);
    const all: IcdFileEntry[] = valid.map((raw) => {
      const code = raw.length > 3 ? `${raw.slice(0, 3)}.${raw.slice(3)}` : raw;
      return { code, title: titles.get(code) ?? `Condition ${code} of the ${['upper', 'lower', 'left', 'right'][raw.length % 4]} site`, billable: true };
    });
    const postgres = open(await freshDatabaseUrl());
    let t = Date.now();
    await postgres.icd10.replace(all, 'valid.txt', 'order');
    const importMs = Date.now() - t;
    t = Date.now();
    const hits = await postgres.icd10.search(['malig', 'lip'], 5);
    const searchMs = Date.now() - t;
    console.log(`PostgreSQL ICD-10-CM: imported ${all.length} codes in ${importMs} ms; "malig lip" answered in ${searchMs} ms`);
    expect(all.length).toBeGreaterThan(70_000);
    expect(hits.map((h) => h.code)).toContain('C00.0');
    expect(importMs).toBeLessThan(20_000);
  });
});

describePostgres('PostgreSQL: chosen by MEDBILL_DATABASE_URL', () => {
  it('opens Postgres instead of the SQLite file, and refuses a URL of another kind', async () => {
    const url = await freshDatabaseUrl();
    const storage = openConfiguredStorage(loadConfig({ MEDBILL_DATABASE_URL: url, MEDBILL_DB: '/nonexistent/never-created.db' }));
    opened.push(storage);
    expect(storage).toBeInstanceOf(PostgresStorage);
    await storage.check();
    expect(() => loadConfig({ MEDBILL_DATABASE_URL: 'mysql://db/medbill' })).toThrow(/MEDBILL_DATABASE_URL: a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it('medbill kb import-icd10 loads the list into it, and lookup searches it there', async () => {
    const url = await freshDatabaseUrl();
    // Two lines of a CMS order file (fixed columns): R42 is outside knowledge/, so only the import knows its title.
    const line = (order: number, code: string, billable: 0 | 1, title: string) => `${String(order).padStart(5, '0')} ${code.padEnd(7)} ${billable} ${title.slice(0, 60).padEnd(60)} ${title}`;
    const file = tempDbPath('medbill-icd-').replace(/medbill\.db$/, 'order.txt');
    writeFileSync(file, `${line(1, 'R42', 1, 'Dizziness and giddiness')}\n${line(2, 'R430', 1, 'Anosmia')}\n`);
    const env = { MEDBILL_DATABASE_URL: url, MEDBILL_DB: '/nonexistent/never.db' };
    const imported = cli(['kb', 'import-icd10', file], undefined, env);
    expect(imported.err).toBe('');
    expect(imported.out).toMatch(/Imported 2 ICD-10-CM codes \(order format\) into postgres:\/\/medbill@localhost\/medbill_/);
    expect(cli(['lookup', 'giddiness'], undefined, env).out).toMatch(/R42/);
    expect(cli(['lookup', 'giddiness'], undefined, { MEDBILL_DB: tempDbPath() }).out).not.toMatch(/R42/); // the SQLite file has no import
  });

  it('medbill serve runs on it: the start line names it without the password, /healthz answers', async () => {
    const url = new URL(await freshDatabaseUrl());
    url.password = 'not-needed-here';
    const child = spawn(process.execPath, [`${ROOT}/bin/medbill.js`, 'serve'], { env: { ...process.env, PORT: '0', MEDBILL_DATABASE_URL: url.toString(), MEDBILL_LOG: 'silent' } });
    let out = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /open (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      child.once('exit', () => reject(new Error(`serve exited early: ${out}`)));
      setTimeout(() => reject(new Error(`no address printed: ${out}`)), 15_000);
    });
    expect(out).toMatch(/database postgres:\/\/medbill:\*\*\*\*@localhost\/medbill_/);
    expect(out).not.toContain('not-needed-here');
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    // A turn through the whole engine: its session is written by the unit of work, in Postgres.
    const res = await fetch(`${address}/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'pg-user-one', text: 'ext #30 due to decay, BCBS medical and Delta dental' }) });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toMatch(/dental/i);
    const bare = new URL(url);
    bare.password = '';
    expect(await rows(bare.toString(), "SELECT key FROM sessions WHERE key LIKE '%pg-user-one%'")).toHaveLength(1);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
