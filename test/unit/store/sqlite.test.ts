/** The storage ports' suite against SQLite, in memory and in a file (WAL, as medbill opens it). */
import { describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../src/store/sqlite/index.js';
import { tempDbPath } from '../../helpers.js';
import { storageSuite } from './suite.js';

storageSuite('SQLite in memory', () => openSqliteStorage(':memory:'));
storageSuite('SQLite file', () => openSqliteStorage(tempDbPath('medbill-store-')));

describe('SQLite: a claim by its claim number', () => {
  it('is read from the claims_reference index, not a scan of every claim', () => {
    const s = openSqliteStorage(':memory:');
    try {
      const plan = s.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM claims INDEXED BY claims_reference WHERE practice = ? AND reference = ? COLLATE NOCASE ORDER BY case_id LIMIT 5").all('default', 'a1005') as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/SEARCH claims USING (?:COVERING )?INDEX claims_reference \(practice=\? AND reference=\?\)/);
    } finally {
      void s.close();
    }
  });
});
