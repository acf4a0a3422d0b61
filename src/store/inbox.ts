/**
 * The inbox table: incoming events recorded before they are acknowledged (see src/engine/inbox.ts).
 * A row is `pending` until its turn is applied, `answered` (with the replies) once the turn's session write
 * has committed, and `done` once the replies were delivered. Done rows are kept for a day so that a
 * platform's re-delivery of the same event is recognised and not answered twice.
 */
import type { Db } from './db.js';

export type InboxStatus = 'pending' | 'answered' | 'done';

export interface InboxRow {
  seq: number;
  eventId: string;
  sessionKey: string;
  /** JSON, as the engine wrote it. */
  turn: string;
  /** JSON, as the adapter wrote it. */
  route: string;
  status: InboxStatus;
  replies: string | null;
}

export class InboxStore {
  private readonly insertStmt;
  private readonly answeredStmt;
  private readonly doneStmt;
  private readonly openStmt;
  private readonly countOpenStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO inbox (event_id, session_key, turn, route, status, received_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
    );
    this.answeredStmt = db.prepare("UPDATE inbox SET status = 'answered', replies = ?, updated_at = ? WHERE seq = ? AND status = 'pending'");
    // A delivered event keeps only its id (to recognise a retry): its turn, route and answer are dropped.
    this.doneStmt = db.prepare("UPDATE inbox SET status = 'done', turn = '', route = '', replies = NULL, updated_at = ? WHERE seq = ?");
    this.openStmt = db.prepare<[], { seq: number; eventId: string; sessionKey: string; turn: string; route: string; status: InboxStatus; replies: string | null }>(
      `SELECT seq, event_id AS eventId, session_key AS sessionKey, turn, route, status, replies
       FROM inbox WHERE status <> 'done' ORDER BY seq`,
    );
    this.countOpenStmt = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inbox WHERE status <> 'done'");
    this.pruneStmt = db.prepare("DELETE FROM inbox WHERE status = 'done' AND updated_at < ?");
  }

  /**
   * Records an event unless its id was seen before: one statement both marks it seen and stores it.
   * Returns the row's sequence number, or undefined for a repeat.
   */
  add(row: { eventId: string; sessionKey: string; turn: string; route: string }, now: number): number | undefined {
    const inserted = this.insertStmt.get(row.eventId, row.sessionKey, row.turn, row.route, now, now) as { seq: number } | undefined;
    return inserted?.seq;
  }

  /** Stores the answer; call inside the transaction that writes the turn's session, so both or neither land. */
  markAnswered(seq: number, replies: string, now: number): void {
    this.answeredStmt.run(replies, now, seq);
  }

  markDone(seq: number, now: number): void {
    this.doneStmt.run(now, seq);
  }

  /** Everything acknowledged and not yet delivered, in arrival order (for a restart). */
  open(): InboxRow[] {
    return this.openStmt.all();
  }

  countOpen(): number {
    return this.countOpenStmt.get()?.n ?? 0;
  }

  /** Forgets delivered events older than `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
