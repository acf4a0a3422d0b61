/**
 * A large import into SQLite (src/store/sqlite/bulk.ts): past LARGE_IMPORT new claims, and more than the table
 * held, the secondary indexes of claims and their history are dropped inside the transaction and made again
 * before commit. Every index is back as it was defined, the queries still use them, and a unit that fails or
 * rolls back leaves the tables and indexes as they were.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStorage, type SqliteStorage } from '../../../src/store/sqlite/index.js';
import { LARGE_IMPORT } from '../../../src/store/sqlite/bulk.js';
import { CLAIM_READS } from '../../../src/store/sqlite/claims.js';
import { claimKeyOfCode } from '../../../src/case-id.js';
import type { StoreWrite } from '../../../src/store/unit-of-work.js';
import type { Claim } from '../../../src/store/claim.js';
import { tempDbPath } from '../../helpers.js';

const opened: (SqliteStorage | Database.Database)[] = [];
afterEach(async () => {
  for (let o = opened.pop(); o; o = opened.pop()) await o.close();
});
const open = (path = tempDbPath('medbill-bulk-')): SqliteStorage => {
  const s = openSqliteStorage(path);
  opened.push(s);
  return s;
};

/** A new claim and its history entry, as an import writes it; `n` makes its case id and claim number. */
const created = (n: number, version = 1): StoreWrite => {
  const after: Claim = {
    caseId: claimKeyOfCode(n), reference: `CLM-${n}`, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K13.79'],
    status: 'submitted', submittedDate: '2026-11-02', nextFollowUp: '2026-11-30', billedCents: 123456, createdAt: 1000, updatedAt: 1000, version,
  };
  return { kind: 'claim.change', after, entry: { at: 1000, actor: 'cli:import', surface: 'import', action: 'created', toStatus: 'submitted', change: {} }, expectedVersion: undefined };
};

/** Claims `from` to `to` (excluded), a batch of 1,000 at a time, into the open unit. */
async function write(batches: { write(w: readonly StoreWrite[]): Promise<boolean> }, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 1000) {
    const writes: StoreWrite[] = [];
    for (let n = start; n < Math.min(to, start + 1000); n++) writes.push(created(n));
    expect(await batches.write(writes)).toBe(true);
  }
}

const indexes = (s: SqliteStorage): Record<string, string> => Object.fromEntries(
  (s.db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('claims', 'claim_history') AND sql IS NOT NULL").all() as { name: string; sql: string }[]).map((r) => [r.name, r.sql]),
);
const count = (s: SqliteStorage, table: string): number => Number(s.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
const plan = (s: SqliteStorage, sql: string, ...params: unknown[]): string => (s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join('\n');

describe('SQLite: a large import', () => {
  it('drops the secondary indexes while it writes, keeps the ones it reads through, and makes every one again before commit, used as before', async () => {
    const s = open();
    const before = indexes(s);
    expect(Object.keys(before).length).toBe(11);
    const batches = await s.unitOfWork.begin();
    await write(batches, 0, LARGE_IMPORT);
    // Inside the transaction: only the indexes the import reads through are left.
    expect(Object.keys(indexes(s)).sort()).toEqual(['claim_history_case', 'claims_reference']);
    // Its batch reads still find the claims already written, by claim number and by case id.
    expect((await s.claims.find({ caseIds: [claimKeyOfCode(7)], references: ['clm-19999'] })).map((c) => c.caseId).sort()).toEqual([claimKeyOfCode(7), claimKeyOfCode(19_999)].sort());
    await write(batches, LARGE_IMPORT, LARGE_IMPORT + 1500);
    await batches.commit();
    expect(indexes(s)).toEqual(before);
    expect([count(s, 'claims'), count(s, 'claim_history')]).toEqual([LARGE_IMPORT + 1500, LARGE_IMPORT + 1500]);
    expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The digest, the report and the history read from the indexes made again.
    const due = await s.claims.due({ today: '2026-12-02', until: '2026-12-09', authUntil: '2026-12-30', unsubmittedBefore: '2026-11-01', limit: 3 });
    expect(due.sections.overdue.count).toBe(LARGE_IMPORT + 1500);
    expect(plan(s, `SELECT case_id FROM claims INDEXED BY claims_follow_up WHERE practice = ? AND open = 1 ORDER BY next_follow_up`, 'default')).toMatch(/USING (?:COVERING )?INDEX claims_follow_up/);
    expect(plan(s, 'SELECT count(*) FROM claims WHERE practice = ? AND open = 1', 'default')).toMatch(/USING COVERING INDEX claims_due/);
    expect(plan(s, CLAIM_READS.byReferences, 'default', '["clm-1"]')).toMatch(/INDEX claims_reference/);
    expect(plan(s, 'SELECT id FROM claim_history WHERE practice = ? AND actor = ? ORDER BY id DESC LIMIT 1', 'default', 'cli:import')).toMatch(/INDEX claim_history_actor/);
    expect((await s.claims.lastEntryBy('cli:import'))?.caseId).toBeDefined();
  });

  it('leaves the tables and their indexes as they were when it rolls back, or a batch conflicts, after dropping them', async () => {
    const s = open();
    const seed = await s.unitOfWork.begin();
    await write(seed, 0, 10);
    await seed.commit();
    const before = indexes(s);
    const rolledBack = await s.unitOfWork.begin();
    await write(rolledBack, 100, 100 + LARGE_IMPORT);
    expect(Object.keys(indexes(s)).length).toBe(2);
    await rolledBack.rollback();
    expect(indexes(s)).toEqual(before);
    expect(count(s, 'claims')).toBe(10);

    const conflicting = await s.unitOfWork.begin();
    await write(conflicting, 100, 100 + LARGE_IMPORT);
    // A claim that is already there: the whole unit rolls back.
    expect(await conflicting.write([created(3)])).toBe(false);
    expect(indexes(s)).toEqual(before);
    expect([count(s, 'claims'), count(s, 'claim_history')]).toEqual([10, 10]);
  });

  it('is seen by another connection with every index while it is under way', async () => {
    const path = tempDbPath('medbill-bulk-');
    const s = open(path);
    const reader = new Database(path, { readonly: true });
    opened.push(reader);
    const before = (reader.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[]).sort();
    const batches = await s.unitOfWork.begin();
    await write(batches, 0, LARGE_IMPORT);
    expect((reader.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[]).sort()).toEqual(before);
    await batches.commit();
  });

  it('runs with an 8 MB page cache, and gives the connection its own back when it ends', async () => {
    const s = open();
    const cache = () => s.db.pragma('cache_size', { simple: true });
    const own = cache();
    expect(own).not.toBe(-8000);
    const committed = await s.unitOfWork.begin();
    expect(cache()).toBe(-8000);
    await write(committed, 0, 10);
    await committed.commit();
    expect(cache()).toBe(own);
    const rolledBack = await s.unitOfWork.begin();
    await rolledBack.rollback();
    expect(cache()).toBe(own);
  });

  it('keeps the indexes when it adds fewer than LARGE_IMPORT claims, or fewer than the table holds', async () => {
    const s = open();
    const small = await s.unitOfWork.begin();
    await write(small, 0, LARGE_IMPORT - 1000);
    expect(Object.keys(indexes(s)).length).toBe(11);
    await small.commit();
    const seed = await s.unitOfWork.begin();
    await write(seed, LARGE_IMPORT, 2 * LARGE_IMPORT);
    await seed.commit();
    // The table holds 39,000 claims (LARGE_IMPORT 20,000): a unit adding 21,000 keeps its indexes.
    const next = await s.unitOfWork.begin();
    await write(next, 2 * LARGE_IMPORT, 3 * LARGE_IMPORT + 1000);
    expect(Object.keys(indexes(s)).length).toBe(11);
    await next.rollback();
  });
});
