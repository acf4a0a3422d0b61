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
    expect(pendingMigrations(9, SQLITE_MIGRATIONS).map((m) => [m.version, m.name])).toEqual([[10, 'claim-history-undo'], [11, 'report-indexes'], [12, 'digest-parts'], [13, 'held'], [14, 'claims-by-reference'], [15, 'practices'], [16, 'slack-installations'], [17, 'inbox-leases']]);
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

  it('brings a file from before practices up to date with every row kept under practice default', async () => {
    const before = MIGRATIONS.indexOf('practices');
    const path = fileAt(before);
    const db = new Database(path);
    db.exec(`INSERT INTO sessions VALUES ('slack::C1:U1', 'triage', 1, '{"step":"asked","slots":{}}', '[]', 3, 1, 9999999999999);
      INSERT INTO cases (case_id, owner, procedure, lane, updated_at, facts) VALUES ('C-OLD22', 'slack::C1:U1', 'biopsy', 'medical', 1, '{"lane":"medical"}');
      INSERT INTO claims (case_id, payer, payer_kind, lane, procedures, diagnoses, status, open, created_at, updated_at, version, reference)
        VALUES ('C-OLD22', 'Aetna', 'commercial', 'medical', '["41100"]', '[]', 'submitted', 1, 1, 1, 1, 'A1005');
      INSERT INTO claim_history (case_id, at, actor, surface, action, to_status, change) VALUES ('C-OLD22', 1, 'cli', 'cli', 'created', 'submitted', '{}');
      INSERT INTO letters VALUES ('C-OLD22', 'osa', 1, '{"ahi":"24"}', NULL, 'k', 1);
      INSERT INTO conversation_refs VALUES ('slack::channel:C1', 'slack', '{"address":{}}', 1);
      INSERT INTO digest_channels VALUES ('slack::C1', '{"platform":"slack","channel":"C1"}', '08:00', 'America/Chicago', '12345', 1);
      INSERT INTO digest_runs VALUES ('slack::C1', '2026-12-01', 'p1', 5, 6, 'm1');
      INSERT INTO digest_parts VALUES ('slack::C1', '2026-12-01', 1, 1, 'm1', 6);
      INSERT INTO held (token, kind, bytes, until) VALUES ('tok', 'file', x'00', 9999999999999);
      INSERT INTO inbox (event_id, session_key, turn, route, status, received_at, updated_at) VALUES ('slack:Ev1', 'k', '{}', '{}', 'pending', 1, 1);`);
    db.close();
    const storage = openSqliteStorage(path);
    try {
      expect(storage.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(storage.db.pragma('foreign_key_check')).toEqual([]);
      expect((await storage.sessions.get('slack::C1:U1'))?.version).toBe(3);
      expect(await storage.cases.get('C-OLD22')).toMatchObject({ procedure: 'biopsy', facts: { lane: 'medical' } });
      expect((await storage.claims.byReference('a1005')).map((c) => c.caseId)).toEqual(['C-OLD22']);
      expect((await storage.claims.history('C-OLD22')).map((h) => h.action)).toEqual(['created']);
      expect(await storage.letters.get('C-OLD22')).toMatchObject({ facts: { ahi: '24' } });
      expect(await storage.references.get('slack::channel:C1')).toEqual({ address: {} });
      expect((await storage.digests.channels()).map((c) => c.zone)).toEqual(['America/Chicago']);
      expect(await storage.digests.run('slack::C1', '2026-12-01')).toMatchObject({ sentAt: 6, messageId: 'm1' });
      expect(await storage.digests.parts('slack::C1', '2026-12-01')).toEqual([{ part: 1, of: 1, messageId: 'm1' }]);
      expect(await storage.held.get('tok', 'file', undefined, 1)).toMatchObject({ kind: 'file' });
      expect((await storage.inbox.open()).map((r) => r.eventId)).toEqual(['slack:Ev1']);
      expect(await storage.digestPractices()).toEqual(['default']);
      // Another practice sees none of it.
      const other = storage.practice('slack:T9');
      expect(await other.claims.get('C-OLD22')).toBeUndefined();
      expect(await other.digests.channels()).toEqual([]);
      // The rebuilt claims keep taking history rows (the history's foreign key follows the renamed table).
      const claim = { ...(await storage.claims.get('C-OLD22')), caseId: 'C-OLD22', status: 'paid' as const, version: 2 };
      expect(await storage.unitOfWork.commit([{ kind: 'claim.change', after: { ...claim, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: [], diagnoses: [], createdAt: 1, updatedAt: 2 }, expectedVersion: 1, entry: { at: 2, actor: 'cli', surface: 'cli', action: 'paid', toStatus: 'paid', change: {} } }])).toBe(true);
    } finally {
      await storage.close();
    }
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
