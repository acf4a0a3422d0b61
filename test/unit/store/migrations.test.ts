/**
 * One numbered list of schema steps for both stores (src/store/migrations.ts). A SQLite file made before the
 * list was shared, or at any earlier step, opens and is brought up to date; a newer one is refused.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, pendingMigrations } from '../../../src/store/migrations.js';
import { SQLITE_MIGRATIONS } from '../../../src/store/sqlite/migrations.js';
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres/migrations.js';
import { openSqliteStorage } from '../../../src/store/sqlite/index.js';
import { tempDbPath } from '../../helpers.js';

/** A file at `version`, made the way medbill made it then: each step's SQL, and user_version. */
function fileAt(version: number): string {
  const path = tempDbPath('medbill-migrate-');
  const db = new Database(path);
  for (const name of MIGRATIONS.slice(0, version)) db.exec(SQLITE_MIGRATIONS[name]);
  db.pragma(`user_version = ${version}`);
  db.close();
  return path;
}

describe('schema migrations', () => {
  it('gives both stores SQL for the same numbered steps, and only what a database still needs', () => {
    expect(Object.keys(SQLITE_MIGRATIONS)).toEqual([...MIGRATIONS]);
    expect(Object.keys(POSTGRES_MIGRATIONS)).toEqual([...MIGRATIONS]);
    expect(pendingMigrations(0, SQLITE_MIGRATIONS).map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(pendingMigrations(9, SQLITE_MIGRATIONS).map((m) => [m.version, m.name])).toEqual([[10, 'claim-history-undo'], [11, 'report-indexes'], [12, 'digest-parts'], [13, 'held'], [14, 'claims-by-reference'], [15, 'slack-installations'], [16, 'inbox-leases']]);
    expect(pendingMigrations(LATEST_SCHEMA_VERSION, SQLITE_MIGRATIONS)).toEqual([]);
    expect(() => pendingMigrations(LATEST_SCHEMA_VERSION + 1, SQLITE_MIGRATIONS)).toThrow(/newer than this medbill knows/);
  });

  it.each([0, 1, 4, 6, 7, 9, 10])('brings a SQLite file at step %i up to date, keeping its rows', async (version) => {
    const path = fileAt(version);
    if (version >= 4) {
      const db = new Database(path);
      db.prepare("INSERT INTO cases (case_id, owner, procedure, lane, updated_at) VALUES ('C-OLD22', 'k', 'biopsy', 'medical', 1)").run();
      db.close();
    }
    const storage = openSqliteStorage(path);
    expect(storage.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    if (version >= 4) expect(await storage.cases.get('C-OLD22')).toMatchObject({ caseId: 'C-OLD22', facts: {} });
    // The last steps' columns and indexes are there: a claim with an undoable history entry, read by the report.
    const claim = { caseId: 'C-NEW22', payer: 'Aetna', payerKind: 'commercial' as const, lane: 'medical' as const, procedures: ['41100'], diagnoses: [], status: 'submitted' as const, createdAt: 1, updatedAt: 1, version: 1 };
    expect(await storage.unitOfWork.commit([{ kind: 'claim.change', after: claim, expectedVersion: undefined, entry: { at: 1, actor: 'a', surface: 'test', action: 'created', toStatus: 'submitted', change: {}, before: {} } }])).toBe(true);
    expect(await storage.claims.lastEntry('C-NEW22')).toMatchObject({ before: {} });
    await storage.close();
  });

  it('opens a file already at the latest step without running anything again', async () => {
    const path = fileAt(LATEST_SCHEMA_VERSION);
    const storage = openSqliteStorage(path); // step 7 dropped seen_events: running it again would throw
    expect(storage.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    await storage.close();
  });

  it('refuses a SQLite file from a newer medbill', () => {
    const path = fileAt(0);
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStorage(path)).toThrow(/newer than this medbill knows/);
  });
});
