/**
 * The unit of work in PostgreSQL: a turn's writes applied in one transaction on one connection (awaiting each
 * statement there is fine: nothing else runs on that connection meanwhile). A conditional write that finds
 * its row changed (a version-conditional UPDATE, or an INSERT that meets a row, touching none) throws
 * Conflict, which rolls the whole transaction back.
 */
import type { PgDb, Sql } from './db.js';
import type { StoreWrite, UnitOfWork, WriteBatches } from '../unit-of-work.js';
import type { PgSessionStore } from './sessions.js';
import type { PgCaseStore } from './cases.js';
import type { PgClaimStore } from './claims.js';
import type { PgDigestStore } from './digest.js';
import type { PgLetterStore } from './letters.js';
import type { PgInboxStore } from './inbox.js';

class Conflict extends Error {
  override readonly name = 'Conflict';
}

/**
 * Two turns that wrote the same rows in opposite orders: Postgres breaks the deadlock by rolling one back
 * (40P01; 40001 the same for a serialization failure). That turn met rows another turn was changing, which
 * is a conflict like any other: false, and its caller works it out again on what is stored now.
 */
const CONCURRENT_CHANGE = new Set(['40P01', '40001']);
const metConcurrentChange = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && CONCURRENT_CHANGE.has(err.code);

export interface PgStores {
  sessions: PgSessionStore;
  cases: PgCaseStore;
  claims: PgClaimStore;
  digests: PgDigestStore;
  letters: PgLetterStore;
  inbox: PgInboxStore;
}

/**
 * The writes each made of one statement, sent by apply() as it is called: a unit of work of these alone (a
 * turn's: its session, cases and inbox answer) goes out in one round trip (PgDb.pipelined). Any other kind
 * may take several statements, one after another's answer, so a unit with one is applied a write at a time.
 */
const ONE_STATEMENT: ReadonlySet<StoreWrite['kind']> = new Set(['session.put', 'session.delete', 'case.record', 'case.forget', 'inbox.answered']);

export class PgUnitOfWork implements UnitOfWork {
  constructor(private readonly db: PgDb, private readonly stores: () => PgStores) {}

  async commit(writes: readonly StoreWrite[]): Promise<boolean> {
    if (!writes.length) return true;
    const s = this.stores();
    if (writes.every((w) => ONE_STATEMENT.has(w.kind))) {
      try {
        return await this.db.pipelined((sql) => writes.map((w) => apply(s, sql, w)));
      } catch (err) {
        if (metConcurrentChange(err)) return false;
        throw err;
      }
    }
    try {
      await this.db.transaction(async (sql) => {
        for (const w of writes) if (!(await apply(s, sql, w))) throw new Conflict();
      });
      return true;
    } catch (err) {
      if (err instanceof Conflict || metConcurrentChange(err)) return false; // rolled back with everything before it
      throw err;
    }
  }

  async begin(): Promise<WriteBatches> {
    return new PgWriteBatches(await this.db.begin(), this.stores());
  }
}

/** An import's transaction on its own connection, written a batch at a time (see WriteBatches). */
class PgWriteBatches implements WriteBatches {
  private open = true;

  constructor(private readonly tx: Awaited<ReturnType<PgDb['begin']>>, private readonly s: PgStores) {}

  async write(writes: readonly StoreWrite[]): Promise<boolean> {
    if (!this.open) throw new Error('this unit of work is over');
    try {
      for (const w of writes) {
        if (!(await apply(this.s, this.tx.sql, w))) {
          await this.end('ROLLBACK');
          return false;
        }
      }
      return true;
    } catch (err) {
      await this.end('ROLLBACK');
      if (metConcurrentChange(err)) return false;
      throw err;
    }
  }

  async commit(): Promise<void> {
    if (!this.open) throw new Error('this unit of work is over');
    await this.end('COMMIT');
  }

  async rollback(): Promise<void> {
    if (this.open) await this.end('ROLLBACK');
  }

  private async end(how: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    this.open = false;
    await this.tx.end(how);
  }
}

/** One write; false when a conditional write found its row changed. */
async function apply(s: PgStores, sql: Sql, w: StoreWrite): Promise<boolean> {
  switch (w.kind) {
    case 'session.put': return s.sessions.putIf(sql, w.row, w.expectedVersion);
    case 'session.delete': return s.sessions.deleteIf(sql, w.key, w.expectedVersion);
    case 'case.record': await s.cases.record(sql, w.owner, w.record); return true;
    case 'case.forget': await s.cases.forget(sql, w.owner, w.caseId); return true;
    case 'claim.change': return s.claims.write(sql, w.after, w.expectedVersion, w.entry);
    case 'digest.set-channel': await s.digests.writeChannel(sql, w.channel, w.at); return true;
    case 'digest.remove-channel': await s.digests.deleteChannelOf(sql, w.address); return true;
    case 'letter.save': await s.letters.write(sql, w.letter); return true;
    case 'inbox.answered': return s.inbox.markAnswered(sql, w.seq, w.replies, w.at, w.owner, w.until);
  }
}
