/** The one place that opens SQLite: WAL mode, busy timeout, and migrations applied in order on open. Only src/store/sqlite/ uses it. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pendingMigrations } from '../migrations.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/**
 * Each step of the shared list runs once, in order, each in its own transaction; `user_version` records how far
 * the file has come. It is read again under the write lock: another process opening the file at the same
 * moment (replicas starting together) may have run the step meanwhile.
 */
function migrate(db: Db) {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  for (const step of pendingMigrations(version(), SQLITE_MIGRATIONS)) {
    db.transaction(() => {
      if (version() >= step.version) return;
      if (step.sql) db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
}

/** Throws if the database cannot answer a query (for /healthz). */
export function checkDb(db: Db): void {
  db.prepare('SELECT 1').get();
}

/** Sets the connection's page cache (`cache_size`: KiB when negative) and returns the one it had, to set back. */
export function setCacheSize(db: Db, size: number): number {
  const before = Number(db.pragma('cache_size', { simple: true }));
  db.pragma(`cache_size = ${size}`);
  return before;
}
