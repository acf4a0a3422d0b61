/**
 * The database the configuration names, opened: PostgreSQL when MEDBILL_DATABASE_URL is set, else the SQLite
 * file MEDBILL_DB. Light on purpose (a cold triage opens it): neither driver's services come with it, and
 * the Postgres driver loads only when a URL is set.
 */
import { existsSync } from 'node:fs';
import type { Storage } from '../store/storage.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import { openPostgresStorage } from '../store/postgres/index.js';
import type { Config } from '../config.js';

/**
 * The configured database, its schema brought up to date as it opens. `existing` (SQLite): only if the file
 * is there, else an empty database in memory, so a command that only looks creates nothing. `serving` (SQLite):
 * a process that answers requests, whose write-ahead log is checkpointed off the request path.
 */
export function openConfiguredStorage(config: Config, opts: { existing?: boolean; serving?: boolean } = {}): Storage {
  if (config.databaseUrl) return openPostgresStorage(config.databaseUrl);
  const path = opts.existing && (config.dbPath === ':memory:' || !existsSync(config.dbPath)) ? ':memory:' : config.dbPath;
  return openSqliteStorage(path, { checkpointThread: opts.serving ?? false });
}
