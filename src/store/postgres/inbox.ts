/** The inbox table in PostgreSQL (see src/store/inbox.ts and src/engine/inbox.ts). */
import type { PgDb, Sql } from './db.js';
import type { InboxRow, InboxStore } from '../inbox.js';

export class PgInboxStore implements InboxStore {
  /** `practice`: recorded on each row it adds; the queue itself is the deployment's (every view reads all of it). */
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async add(row: { eventId: string; sessionKey: string; turn: string; route: string; practice?: string }, now: number): Promise<number | undefined> {
    const { rows } = await this.db.query<{ seq: number }>(
      `INSERT INTO inbox (practice, event_id, session_key, turn, route, status, received_at, updated_at)
       VALUES ($6, $1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
      [row.eventId, row.sessionKey, row.turn, row.route, now, row.practice ?? this.practice],
    );
    return rows[0]?.seq;
  }

  /** In the unit of work: the answer lands with the turn's session, or neither does. */
  async markAnswered(sql: Sql, seq: number, replies: string, now: number): Promise<void> {
    await sql.query("UPDATE inbox SET status = 'answered', replies = $1, updated_at = $2 WHERE seq = $3 AND status = 'pending'", [replies, now, seq]);
  }

  async markDone(seq: number, now: number): Promise<void> {
    // A delivered event keeps only its id (to recognise a retry): its turn, route and answer are dropped.
    await this.db.query("UPDATE inbox SET status = 'done', turn = '', route = '', replies = NULL, updated_at = $1 WHERE seq = $2", [now, seq]);
  }

  async open(): Promise<InboxRow[]> {
    return (await this.db.query<InboxRow>(
      `SELECT seq, event_id AS "eventId", session_key AS "sessionKey", turn, route, status, replies
       FROM inbox WHERE status <> 'done' ORDER BY seq`)).rows;
  }

  async countOpen(): Promise<number> {
    return (await this.db.query<{ n: number }>("SELECT count(*) AS n FROM inbox WHERE status <> 'done'")).rows[0]?.n ?? 0;
  }

  async prune(before: number): Promise<number> {
    return (await this.db.query("DELETE FROM inbox WHERE status = 'done' AND updated_at < $1", [before])).rowCount ?? 0;
  }
}
