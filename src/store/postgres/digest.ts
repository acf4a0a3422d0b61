/** The daily digest's tables in PostgreSQL (see src/store/digest.ts). */
import { addressKey, type ChannelAddress } from '../address.js';
import { digestChannelOf, encodeWeekdays, type DigestChannel, type DigestChannelInput, type DigestPart, type DigestRun, type DigestStore } from '../digest.js';
import type { PgDb, Sql } from './db.js';
import { toChannel, toRun, type ChannelRow, type RunRow } from '../rows.js';

export class PgDigestStore implements DigestStore {
  constructor(private readonly db: PgDb) {}

  async setChannel(input: DigestChannelInput, now: number): Promise<DigestChannel> {
    return this.writeChannel(this.db, input, now);
  }

  /** In the unit of work too. */
  async writeChannel(sql: Sql, input: DigestChannelInput, now: number): Promise<DigestChannel> {
    const c = digestChannelOf(input, now);
    await sql.query(
      `INSERT INTO digest_channels (address, target, local_time, zone, weekdays, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (address) DO UPDATE SET target = excluded.target, local_time = excluded.local_time, zone = excluded.zone,
         weekdays = excluded.weekdays, updated_at = excluded.updated_at`,
      [c.key, JSON.stringify(c.target), c.localTime, c.zone, encodeWeekdays(c.weekdays), now],
    );
    return c;
  }

  async removeChannel(address: ChannelAddress): Promise<boolean> {
    return this.deleteChannelOf(this.db, address);
  }

  /** In the unit of work too. */
  async deleteChannelOf(sql: Sql, address: ChannelAddress): Promise<boolean> {
    return (await sql.query('DELETE FROM digest_channels WHERE address = $1', [addressKey(address)])).rowCount === 1;
  }

  async channel(address: ChannelAddress): Promise<DigestChannel | undefined> {
    const row = (await this.db.query<ChannelRow>('SELECT * FROM digest_channels WHERE address = $1', [addressKey(address)])).rows[0];
    return row ? toChannel(row) : undefined;
  }

  async channels(): Promise<DigestChannel[]> {
    return (await this.db.query<ChannelRow>('SELECT * FROM digest_channels ORDER BY address')).rows.map(toChannel);
  }

  async claim(key: string, localDate: string, owner: string, leaseUntil: number, now: number): Promise<boolean> {
    // One statement, so two processes cannot both win: a new row, or an unsent row whose lease has run out
    // (a concurrent claim of the same row waits for the first to commit, then sees its lease).
    const result = await this.db.query(
      `INSERT INTO digest_runs (address, local_date, owner, lease_until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (address, local_date) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
       WHERE digest_runs.sent_at IS NULL AND digest_runs.lease_until < $5`,
      [key, localDate, owner, leaseUntil, now],
    );
    return result.rowCount === 1;
  }

  async markSent(key: string, localDate: string, owner: string, messageId: string | undefined, now: number): Promise<boolean> {
    const result = await this.db.query(
      'UPDATE digest_runs SET sent_at = $1, message = $2 WHERE address = $3 AND local_date = $4 AND owner = $5 AND sent_at IS NULL',
      [now, messageId ?? null, key, localDate, owner],
    );
    return result.rowCount === 1;
  }

  async run(key: string, localDate: string): Promise<DigestRun | undefined> {
    const row = (await this.db.query<RunRow>('SELECT * FROM digest_runs WHERE address = $1 AND local_date = $2', [key, localDate])).rows[0];
    return row ? toRun(row) : undefined;
  }

  async recordPart(key: string, localDate: string, part: DigestPart, now: number): Promise<void> {
    await this.db.query(
      'INSERT INTO digest_parts (address, local_date, part, "of", message, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (address, local_date, part) DO NOTHING',
      [key, localDate, part.part, part.of, part.messageId, now],
    );
  }

  async parts(key: string, localDate: string): Promise<DigestPart[]> {
    const rows = await this.db.query<{ part: number; of: number; message: string }>(
      'SELECT part, "of", message FROM digest_parts WHERE address = $1 AND local_date = $2 ORDER BY part', [key, localDate],
    );
    return rows.rows.map((r) => ({ part: r.part, of: r.of, messageId: r.message }));
  }

  async purgeRuns(before: string): Promise<number> {
    await this.db.query('DELETE FROM digest_parts WHERE local_date < $1', [before]);
    return (await this.db.query('DELETE FROM digest_runs WHERE local_date < $1', [before])).rowCount ?? 0;
  }
}
