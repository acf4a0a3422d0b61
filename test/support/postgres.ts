/**
 * PostgreSQL for a test file: a fresh database per call in the run's throwaway cluster (postgres-setup.ts),
 * or the reason there is none. A file that needs it uses `describePostgres`, which skips with the reason
 * printed, or fails under CI=true.
 */
import { describe, inject } from 'vitest';
import pg from 'pg';
import { openPostgresStorage, type PostgresStorage } from '../../src/store/postgres/index.js';
import { underCi } from './postgres-setup.js';
import { createDatabase } from './postgres-cluster.js';

const server = inject('postgres');
let made = 0;
const urls = new WeakMap<PostgresStorage, string>();
const freshUrlOf = (s: PostgresStorage): string => {
  const url = urls.get(s);
  if (!url) throw new Error('not a storage of freshPostgresStorage');
  return url;
};

/** Why the Postgres tests skip here, or undefined when they run. */
export function postgresSkipReason(): string | undefined {
  return 'skipped' in server ? server.skipped : undefined;
}

/** Like describe, on Postgres: skipped with the reason printed when there is none (a failure under CI). */
export function describePostgres(name: string, fn: () => void): void {
  const reason = postgresSkipReason();
  if (reason && underCi(process.env)) throw new Error(`CI is set: "${name}" would be skipped: ${reason}`);
  if (reason) console.log(`skipped: ${name}: ${reason}`);
  describe.skipIf(reason !== undefined)(name, fn);
}

/** A new, empty database in the test server; its URL. */
export async function freshDatabaseUrl(): Promise<string> {
  if (!('url' in server)) throw new Error(`no PostgreSQL: ${server.skipped}`);
  const name = `medbill_t${process.pid}_${++made}_${Math.random().toString(36).slice(2, 8)}`;
  return createDatabase(server.url, name);
}

/** Storage on a new database, its schema migrated (half a second: CREATE DATABASE and the migrations). */
export async function freshPostgresStorage(): Promise<PostgresStorage> {
  const url = await freshDatabaseUrl();
  const storage = openPostgresStorage(url, { maxConnections: 4 });
  urls.set(storage, url);
  await storage.opened();
  return storage;
}

let fileDatabase: Promise<string> | undefined;

/**
 * Storage on this test file's database, emptied: every table but schema_migrations truncated (identities
 * restarted), so each test starts as on a new database in tens of milliseconds instead of half a second.
 */
export async function emptyPostgresStorage(): Promise<PostgresStorage> {
  const url = await (fileDatabase ??= freshPostgresStorage().then(async (s) => {
    await s.close();
    return freshUrlOf(s);
  }));
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ t: string }>("SELECT quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'");
    if (rows.length) await admin.query(`TRUNCATE ${rows.map((r) => r.t).join(', ')} RESTART IDENTITY CASCADE`);
  } finally {
    await admin.end();
  }
  const storage = openPostgresStorage(url, { maxConnections: 4 });
  await storage.opened();
  return storage;
}
