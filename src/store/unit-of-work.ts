/**
 * The unit of work: a turn's writes, planned as data while the turn decides (flows may await an LLM or a
 * file render meanwhile) and applied together, all or none, by `commit`. A conditional write (a session or a
 * claim written only if it is still at the version it was read at) that finds its row changed makes the whole
 * commit roll back and return false: the caller works the turn out again on what is stored now.
 */
import type { ChannelAddress } from './address.js';
import type { CaseInput } from './cases.js';
import type { Claim, HistoryEntry } from './claim.js';
import type { DigestChannelInput } from './digest.js';
import type { StoredLetter } from './letters.js';
import type { SessionRow } from './sessions.js';

export type StoreWrite =
  /** The session, only if it is still at `expectedVersion` (undefined: only if there is none). */
  | { kind: 'session.put'; row: SessionRow<unknown>; expectedVersion: number | undefined }
  /** Drops the session, only if it is still at `expectedVersion`. */
  | { kind: 'session.delete'; key: string; expectedVersion: number }
  /** A case answered or set aside, for its owner's list (facts left out keep the stored ones). */
  | { kind: 'case.record'; owner: string; record: CaseInput }
  /** One of this person's cases dropped (one they undid); another person's case is never touched. */
  | { kind: 'case.forget'; owner: string; caseId: string }
  /**
   * A claim as planned (ClaimService.plan/draft/revert) with its history entry: a new claim when
   * `expectedVersion` is undefined (a conflict if the case has one already), else only if it is still at it.
   */
  | { kind: 'claim.change'; after: Claim; entry: HistoryEntry; expectedVersion: number | undefined }
  | { kind: 'digest.set-channel'; channel: DigestChannelInput; at: number }
  | { kind: 'digest.remove-channel'; address: ChannelAddress }
  | { kind: 'letter.save'; letter: StoredLetter }
  /**
   * An inbox event's answer, stored with the turn that made it, so both or neither land: only while the row
   * is pending and `owner` holds it (a conflict otherwise, so a turn is applied once); its lease runs to `until`.
   */
  | { kind: 'inbox.answered'; seq: number; replies: string; at: number; owner: string; until: number };

export interface UnitOfWork {
  /**
   * Applies every write in order, in one transaction. False, with nothing written, when a conditional write
   * found its row changed; throws (also with nothing written) on any other failure.
   */
  commit(writes: readonly StoreWrite[]): Promise<boolean>;
  /**
   * A unit of work too large to plan at once (an import of 200,000 claims): one transaction, begun here, that
   * takes the writes a batch at a time as they are planned and lands all of them or none (see WriteBatches).
   */
  begin(): Promise<WriteBatches>;
}

/**
 * An open unit of work written in batches. `write` applies a batch in order inside the one transaction: false
 * when a conditional write found its row changed, and a throw on any other failure, each time with the whole
 * transaction rolled back (nothing of any batch written) and the unit over. `commit` lands every batch written;
 * `rollback` drops them (and does nothing once the unit is over), so a caller that stops early calls it.
 * While it is open, the implementation may refuse other commits on the same connection.
 */
export interface WriteBatches {
  write(writes: readonly StoreWrite[]): Promise<boolean>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
