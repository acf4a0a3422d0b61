/** The storage ports' suite against SQLite, in memory and in a file (WAL, as medbill opens it). */
import { describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../src/store/sqlite/index.js';
import { CLAIM_READS } from '../../../src/store/sqlite/claims.js';
import { tempDbPath } from '../../helpers.js';
import { storageSuite } from './suite.js';

storageSuite('SQLite in memory', () => openSqliteStorage(':memory:'));
storageSuite('SQLite file', () => openSqliteStorage(tempDbPath('medbill-store-')));

describe('SQLite: claims read by key', () => {
  // A new database has no statistics: the plans are the ones an import into it gets.
  const plan = (sql: string, ...params: unknown[]): string => {
    const s = openSqliteStorage(':memory:');
    try {
      return (s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join('\n');
    } finally {
      void s.close();
    }
  };

  it('by claim number, from the claims_reference index, not a scan of every claim', () => {
    expect(plan(CLAIM_READS.byReference, 'default', 'a1005', 5)).toMatch(/SEARCH claims USING (?:COVERING )?INDEX claims_reference \(practice=\? AND reference=\?\)/);
  });

  it("an import's batch of claim numbers and of case ids, each key from an index, not a scan of every claim per batch", () => {
    expect(plan(CLAIM_READS.byReferences, 'default', '["a1005","a1006"]')).toMatch(/SEARCH claims USING (?:COVERING )?INDEX claims_reference \(practice=\? AND reference=\?\)/);
    expect(plan(CLAIM_READS.byCaseIds, 'default', '["C-AAAA2"]')).toMatch(/SEARCH claims USING PRIMARY KEY \(practice=\? AND case_id=\?\)/);
  });
});
