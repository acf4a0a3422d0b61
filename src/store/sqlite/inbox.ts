/** The inbox table in SQLite (see src/store/inbox.ts and src/engine/inbox.ts). */
import type { Db } from './db.js';
import type { InboxRow, InboxStore } from '../inbox.js';

export class SqliteInboxStore implements InboxStore {
  private readonly insertStmt;
  private readonly answeredStmt;
  private readonly doneStmt;
  private readonly openStmt;
  private readonly countOpenStmt;
  private readonly pruneStmt;

  /** `practice`: recorded on each row it adds; the queue itself is the deployment's (every view reads all of it). */
  constructor(db: Db, private readonly practice: string) {
    this.insertStmt = db.prepare<[string, string, string, string, string, number, number], { seq: number }>(
      `INSERT INTO inbox (practice, event_id, session_key, turn, route, status, received_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
    );
    this.answeredStmt = db.prepare("UPDATE inbox SET status = 'answered', replies = ?, updated_at = ? WHERE seq = ? AND status = 'pending'");
    // A delivered event keeps only its id (to recognise a retry): its turn, route and answer are dropped.
    this.doneStmt = db.prepare("UPDATE inbox SET status = 'done', turn = '', route = '', replies = NULL, updated_at = ? WHERE seq = ?");
    this.openStmt = db.prepare<[], InboxRow>(
      `SELECT seq, event_id AS eventId, session_key AS sessionKey, turn, route, status, replies
       FROM inbox WHERE status <> 'done' ORDER BY seq`,
    );
    this.countOpenStmt = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inbox WHERE status <> 'done'");
    this.pruneStmt = db.prepare("DELETE FROM inbox WHERE status = 'done' AND updated_at < ?");
  }

  async add(row: { eventId: string; sessionKey: string; turn: string; route: string; practice?: string }, now: number): Promise<number | undefined> {
    return this.insertStmt.get(row.practice ?? this.practice, row.eventId, row.sessionKey, row.turn, row.route, now, now)?.seq;
  }

  /** In the unit of work: the answer lands with the turn's session, or neither does. */
  markAnswered(seq: number, replies: string, now: number): void {
    this.answeredStmt.run(replies, now, seq);
  }

  async markDone(seq: number, now: number): Promise<void> {
    this.doneStmt.run(now, seq);
  }

  async open(): Promise<InboxRow[]> {
    return this.openStmt.all();
  }

  async countOpen(): Promise<number> {
    return this.countOpenStmt.get()?.n ?? 0;
  }

  async prune(before: number): Promise<number> {
    return this.pruneStmt.run(before).changes;
  }
}
