/** The inbox table in SQLite (see src/store/inbox.ts and src/engine/inbox.ts). */
import type { Db } from './db.js';
import type { InboxRow, InboxStore, Lease } from '../inbox.js';

const COLUMNS = 'seq, event_id AS eventId, session_key AS sessionKey, turn, route, status, replies';

export class SqliteInboxStore implements InboxStore {
  private readonly insertStmt;
  private readonly answeredStmt;
  private readonly doneStmt;
  private readonly claimStmt;
  private readonly renewStmt;
  private readonly holdStmt;
  private readonly releaseStmt;
  private readonly openStmt;
  private readonly countOpenStmt;
  private readonly pruneStmt;

  /** `practice`: recorded on each row it adds; the queue itself is the deployment's (every view reads all of it). */
  constructor(db: Db, private readonly practice: string) {
    this.insertStmt = db.prepare<[string, string, string, string, string, number, number, string, number], { seq: number }>(
      `INSERT INTO inbox (practice, event_id, session_key, turn, route, status, received_at, updated_at, owner, lease_until)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
    );
    this.answeredStmt = db.prepare<[string, number, number, number, string]>(
      "UPDATE inbox SET status = 'answered', replies = ?, updated_at = ?, lease_until = ? WHERE seq = ? AND status = 'pending' AND owner = ?",
    );
    // A delivered event keeps only its id (to recognise a retry): its turn, route and answer are dropped.
    this.doneStmt = db.prepare<[number, number, string]>(
      "UPDATE inbox SET status = 'done', turn = '', route = '', replies = NULL, owner = NULL, lease_until = NULL, updated_at = ? WHERE seq = ? AND owner = ? AND status <> 'done'",
    );
    // One statement: SQLite runs it under its write lock, so no other connection claims the same rows.
    this.claimStmt = db.prepare<[string, number, number, string | null, string, number], InboxRow>(
      `UPDATE inbox SET owner = ?, lease_until = ?
       WHERE seq IN (SELECT seq FROM inbox
                     WHERE status <> 'done' AND (lease_until IS NULL OR lease_until < ? OR owner = ?)
                       AND substr(session_key, 1, instr(session_key, ':') - 1) IN (SELECT value FROM json_each(?))
                     ORDER BY seq LIMIT ?)
       RETURNING ${COLUMNS}`,
    );
    this.renewStmt = db.prepare<[number, string, string]>("UPDATE inbox SET lease_until = ? WHERE owner = ? AND status <> 'done' AND seq IN (SELECT value FROM json_each(?))");
    this.holdStmt = db.prepare<[number, number, string], Pick<InboxRow, 'status' | 'replies'>>(
      "UPDATE inbox SET lease_until = ? WHERE seq = ? AND owner = ? AND status <> 'done' RETURNING status, replies",
    );
    this.releaseStmt = db.prepare<[string, string]>(
      "UPDATE inbox SET owner = NULL, lease_until = NULL WHERE owner = ? AND status <> 'done' AND seq IN (SELECT value FROM json_each(?))",
    );
    this.openStmt = db.prepare<[], InboxRow>(`SELECT ${COLUMNS} FROM inbox WHERE status <> 'done' ORDER BY seq`);
    this.countOpenStmt = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inbox WHERE status <> 'done'");
    this.pruneStmt = db.prepare("DELETE FROM inbox WHERE status = 'done' AND updated_at < ?");
  }

  async add(row: { eventId: string; sessionKey: string; turn: string; route: string; practice?: string }, now: number, lease: Lease): Promise<number | undefined> {
    return this.insertStmt.get(row.practice ?? this.practice, row.eventId, row.sessionKey, row.turn, row.route, now, now, lease.owner, lease.until)?.seq;
  }

  /** In the unit of work: the answer lands with the turn's session, or neither does. False when the row is not the owner's to answer. */
  markAnswered(seq: number, replies: string, now: number, owner: string, until: number): boolean {
    return this.answeredStmt.run(replies, now, until, seq, owner).changes === 1;
  }

  async claim(lease: Lease, now: number, opts: { platforms: readonly string[]; limit: number; mine?: string }): Promise<InboxRow[]> {
    if (opts.limit <= 0 || !opts.platforms.length) return [];
    const rows = this.claimStmt.all(lease.owner, lease.until, now, opts.mine ?? null, JSON.stringify(opts.platforms), opts.limit);
    return rows.sort((a, b) => a.seq - b.seq); // RETURNING's order is not the subquery's
  }

  async renew(lease: Lease, seqs: readonly number[]): Promise<number> {
    return seqs.length ? this.renewStmt.run(lease.until, lease.owner, JSON.stringify(seqs)).changes : 0;
  }

  async hold(seq: number, lease: Lease): Promise<Pick<InboxRow, 'status' | 'replies'> | undefined> {
    return this.holdStmt.get(lease.until, seq, lease.owner);
  }

  async release(owner: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length) this.releaseStmt.run(owner, JSON.stringify(seqs));
  }

  async markDone(seq: number, now: number, owner: string): Promise<boolean> {
    return this.doneStmt.run(now, seq, owner).changes === 1;
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
