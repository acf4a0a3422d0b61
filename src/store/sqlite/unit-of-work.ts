/**
 * The unit of work in SQLite: a turn's writes applied in one IMMEDIATE transaction, synchronously, so no other
 * work on this single connection can interleave with it (there is no await inside). A conditional write that
 * finds its row changed throws Conflict, which rolls the whole transaction back.
 *
 * A unit written in batches (`begin`, for an import) keeps its IMMEDIATE transaction open across awaits: each
 * batch is applied synchronously inside it, and while it is open a `commit` on this connection is refused
 * rather than joining it. Other connections (another process) wait on the database lock meanwhile, as they
 * would for one large commit.
 */
import { setCacheSize, type Db } from './db.js';
import type { StoreWrite, UnitOfWork, WriteBatches } from '../unit-of-work.js';
import type { SqliteSessionStore } from './sessions.js';
import type { SqliteCaseStore } from './cases.js';
import type { SqliteClaimStore } from './claims.js';
import type { SqliteDigestStore } from './digest.js';
import type { SqliteLetterStore } from './letters.js';
import type { SqliteInboxStore } from './inbox.js';
import { DeferredIndexes } from './bulk.js';

class Conflict extends Error {
  override readonly name = 'Conflict';
}

export interface SqliteStores {
  sessions: SqliteSessionStore;
  cases: SqliteCaseStore;
  claims: SqliteClaimStore;
  digests: SqliteDigestStore;
  letters: SqliteLetterStore;
  inbox: SqliteInboxStore;
}

export class SqliteUnitOfWork implements UnitOfWork {
  /** The unit written in batches that holds this connection's transaction, if one is open. */
  private batches?: SqliteWriteBatches;

  constructor(private readonly db: Db, private readonly stores: () => SqliteStores, private readonly beforeFirstWrite?: () => void) {}

  async commit(writes: readonly StoreWrite[]): Promise<boolean> {
    // Another practice's view shares the connection: its open import holds it too (inTransaction).
    if (this.batches || this.db.inTransaction) throw new Error('a unit of work written in batches (an import) holds this connection: commit after it ends');
    if (!writes.length) return true;
    this.beforeFirstWrite?.();
    const s = this.stores();
    try {
      this.db.transaction(() => {
        for (const w of writes) if (!apply(s, w)) throw new Conflict();
      }).immediate();
      return true;
    } catch (err) {
      if (err instanceof Conflict) return false; // rolled back with everything before it
      throw err;
    }
  }

  async begin(): Promise<WriteBatches> {
    if (this.batches || this.db.inTransaction) throw new Error('a transaction is already open on this connection');
    this.db.exec('BEGIN IMMEDIATE');
    const batches = new SqliteWriteBatches(this.db, this.stores(), () => {
      if (this.batches === batches) this.batches = undefined;
    });
    this.batches = batches;
    return batches;
  }
}

/**
 * The page cache (cache_size: KiB when negative) while a unit written in batches is open: its transaction
 * outgrows any cache (an import of 200,000 rows writes over 100 MB of pages), and this build's default of 16 MB
 * held 12 MB more at the import's peak than 8 MB did, for the same CPU time.
 */
const BATCHES_CACHE = -8000;

class SqliteWriteBatches implements WriteBatches {
  private open = true;
  private readonly indexes: DeferredIndexes;
  private readonly cache: number;

  constructor(private readonly db: Db, private readonly s: SqliteStores, private readonly ended: () => void) {
    this.indexes = new DeferredIndexes(db);
    this.cache = setCacheSize(db, BATCHES_CACHE);
  }

  async write(writes: readonly StoreWrite[]): Promise<boolean> {
    if (!this.open) throw new Error('this unit of work is over');
    try {
      let newClaims = 0;
      for (let i = 0; i < writes.length; i++) {
        const w = writes[i];
        if (!w) continue;
        if (w.kind === 'claim.change' && w.expectedVersion === undefined) newClaims++;
        // A new claim and the changes planned on it right after (an import's row: created, then submitted,
        // denied, appealed…) land as its last state, inserted once, with every history entry: the same rows
        // as writing each in turn, without updating the claim (and its indexes) once per change.
        const chain = w.kind === 'claim.change' && w.expectedVersion === undefined ? newClaimChain(writes, i) : [];
        const last = chain.at(-1);
        if (last) {
          if (!this.s.claims.insertWithHistory(last.after, chain.map((c) => c.entry))) return this.conflict();
          i += chain.length - 1;
        } else if (!apply(this.s, w)) return this.conflict();
      }
      this.indexes.inserted(newClaims);
      return true;
    } catch (err) {
      this.end('ROLLBACK');
      throw err;
    }
  }

  async commit(): Promise<void> {
    if (!this.open) throw new Error('this unit of work is over');
    try {
      this.indexes.restore();
    } catch (err) {
      this.end('ROLLBACK');
      throw err;
    }
    this.end('COMMIT');
  }

  private conflict(): false {
    this.end('ROLLBACK');
    return false;
  }

  async rollback(): Promise<void> {
    if (this.open) this.end('ROLLBACK');
  }

  private end(how: 'COMMIT' | 'ROLLBACK'): void {
    this.open = false;
    this.ended();
    // A failed COMMIT leaves the transaction open: roll it back, so the connection is usable again.
    try {
      if (this.db.inTransaction) this.db.exec(how);
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      setCacheSize(this.db, this.cache);
    }
  }
}

type ClaimChange = Extract<StoreWrite, { kind: 'claim.change' }>;

/** The new claim at `writes[start]` and the changes to it that follow it at once, each on the version the one before made. */
function newClaimChain(writes: readonly StoreWrite[], start: number): ClaimChange[] {
  const chain: ClaimChange[] = [];
  for (let i = start; i < writes.length; i++) {
    const w = writes[i];
    const prev = chain.at(-1);
    if (w?.kind !== 'claim.change' || (prev ? w.after.caseId !== prev.after.caseId || w.expectedVersion !== prev.after.version : w.expectedVersion !== undefined)) break;
    chain.push(w);
  }
  return chain.length > 1 ? chain : [];
}

/** One write; false when a conditional write found its row changed. */
function apply(s: SqliteStores, w: StoreWrite): boolean {
  switch (w.kind) {
    case 'session.put': return s.sessions.putIf(w.row, w.expectedVersion);
    case 'session.delete': return s.sessions.deleteIf(w.key, w.expectedVersion);
    case 'case.record': s.cases.record(w.owner, w.record); return true;
    case 'case.forget': s.cases.forget(w.owner, w.caseId); return true;
    case 'claim.change': return s.claims.write(w.after, w.expectedVersion, w.entry);
    case 'digest.set-channel': s.digests.writeChannel(w.channel, w.at); return true;
    case 'digest.remove-channel': s.digests.deleteChannelOf(w.address); return true;
    case 'letter.save': s.letters.write(w.letter); return true;
    case 'inbox.answered': return s.inbox.markAnswered(w.seq, w.replies, w.at, w.owner, w.until);
  }
}
