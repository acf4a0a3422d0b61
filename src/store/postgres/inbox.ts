/** The inbox table in PostgreSQL (see src/store/inbox.ts and src/engine/inbox.ts). */
import type { PgDb, Sql } from './db.js';
import type { InboxRow, InboxStore, Lease } from '../inbox.js';

const COLUMNS = 'seq, event_id AS "eventId", session_key AS "sessionKey", turn, route, status, replies';

export class PgInboxStore implements InboxStore {
  /** `practice`: recorded on each row it adds; the queue itself is the deployment's (every view reads all of it). */
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async add(row: { eventId: string; sessionKey: string; turn: string; route: string; practice?: string }, now: number, lease: Lease): Promise<number | undefined> {
    const { rows } = await this.db.query<{ seq: number }>(
      `INSERT INTO inbox (practice, event_id, session_key, turn, route, status, received_at, updated_at, owner, lease_until)
       VALUES ($8, $1, $2, $3, $4, 'pending', $5, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
      [row.eventId, row.sessionKey, row.turn, row.route, now, lease.owner, lease.until, row.practice ?? this.practice],
    );
    return rows[0]?.seq;
  }

  /** In the unit of work: the answer lands with the turn's session, or neither does. False when the row is not the owner's to answer. */
  async markAnswered(sql: Sql, seq: number, replies: string, now: number, owner: string, until: number): Promise<boolean> {
    const { rowCount } = await sql.query(
      "UPDATE inbox SET status = 'answered', replies = $1, updated_at = $2, lease_until = $3 WHERE seq = $4 AND status = 'pending' AND owner = $5",
      [replies, now, until, seq, owner],
    );
    return rowCount === 1;
  }

  async claim(lease: Lease, now: number, opts: { platforms: readonly string[]; limit: number; mine?: string }): Promise<InboxRow[]> {
    if (opts.limit <= 0 || !opts.platforms.length) return [];
    // SKIP LOCKED: rows another replica is claiming right now are left to it, not waited for; the WHERE is
    // checked again on each row's latest version once locked, so a lease renewed meanwhile is not taken.
    const { rows } = await this.db.query<InboxRow>(
      `UPDATE inbox SET owner = $1, lease_until = $2
       WHERE seq IN (SELECT seq FROM inbox
                     WHERE status <> 'done' AND (lease_until IS NULL OR lease_until < $3 OR owner = $4)
                       AND split_part(session_key, ':', 1) = ANY($5::text[])
                     ORDER BY seq LIMIT $6 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [lease.owner, lease.until, now, opts.mine ?? null, opts.platforms, opts.limit],
    );
    return rows.sort((a, b) => a.seq - b.seq); // RETURNING's order is not the subquery's
  }

  async renew(lease: Lease, seqs: readonly number[]): Promise<number> {
    if (!seqs.length) return 0;
    return (await this.db.query("UPDATE inbox SET lease_until = $1 WHERE owner = $2 AND status <> 'done' AND seq = ANY($3::bigint[])", [lease.until, lease.owner, seqs])).rowCount ?? 0;
  }

  async hold(seq: number, lease: Lease): Promise<Pick<InboxRow, 'status' | 'replies'> | undefined> {
    const { rows } = await this.db.query<Pick<InboxRow, 'status' | 'replies'>>(
      "UPDATE inbox SET lease_until = $1 WHERE seq = $2 AND owner = $3 AND status <> 'done' RETURNING status, replies",
      [lease.until, seq, lease.owner],
    );
    return rows[0];
  }

  async release(owner: string, seqs: readonly number[]): Promise<void> {
    if (!seqs.length) return;
    await this.db.query("UPDATE inbox SET owner = NULL, lease_until = NULL WHERE owner = $1 AND status <> 'done' AND seq = ANY($2::bigint[])", [owner, seqs]);
  }

  async markDone(seq: number, now: number, owner: string): Promise<boolean> {
    // A delivered event keeps only its id (to recognise a retry): its turn, route and answer are dropped.
    const { rowCount } = await this.db.query(
      "UPDATE inbox SET status = 'done', turn = '', route = '', replies = NULL, owner = NULL, lease_until = NULL, updated_at = $1 WHERE seq = $2 AND owner = $3 AND status <> 'done'",
      [now, seq, owner],
    );
    return rowCount === 1;
  }

  async open(): Promise<InboxRow[]> {
    return (await this.db.query<InboxRow>(`SELECT ${COLUMNS} FROM inbox WHERE status <> 'done' ORDER BY seq`)).rows;
  }

  async countOpen(): Promise<number> {
    return (await this.db.query<{ n: number }>("SELECT count(*) AS n FROM inbox WHERE status <> 'done'")).rows[0]?.n ?? 0;
  }

  async prune(before: number): Promise<number> {
    return (await this.db.query("DELETE FROM inbox WHERE status = 'done' AND updated_at < $1", [before])).rowCount ?? 0;
  }
}
