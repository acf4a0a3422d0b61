/**
 * The unit of work in SQLite: a turn's writes applied in one IMMEDIATE transaction, synchronously, so no other
 * work on this single connection can interleave with it (there is no await inside). A conditional write that
 * finds its row changed throws Conflict, which rolls the whole transaction back.
 */
import type { Db } from './db.js';
import type { StoreWrite, UnitOfWork } from '../unit-of-work.js';
import type { SqliteSessionStore } from './sessions.js';
import type { SqliteCaseStore } from './cases.js';
import type { SqliteClaimStore } from './claims.js';
import type { SqliteDigestStore } from './digest.js';
import type { SqliteLetterStore } from './letters.js';
import type { SqliteInboxStore } from './inbox.js';

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
  constructor(private readonly db: Db, private readonly stores: () => SqliteStores, private readonly beforeFirstWrite?: () => void) {}

  async commit(writes: readonly StoreWrite[]): Promise<boolean> {
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
    case 'inbox.answered': s.inbox.markAnswered(w.seq, w.replies, w.at); return true;
  }
}
