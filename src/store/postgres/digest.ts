/** The daily digest's tables in PostgreSQL (see src/store/digest.ts). */
import { addressKey, type ChannelAddress } from '../address.js';
import { digestChannelOf, encodeWeekdays, type DigestChannel, type DigestChannelInput, type DigestPart, type DigestRun, type DigestStore } from '../digest.js';
import type { PgDb, Sql } from './db.js';
import { toChannel, toPart, toRun, type ChannelRow, type PartRow, type RunRow } from '../rows.js';

const CHANNEL_COLUMNS = 'address, target, local_time, zone, weekdays, updated_at';

export class PgDigestStore implements DigestStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async setChannel(input: DigestChannelInput, now: number): Promise<DigestChannel> {
    return this.writeChannel(this.db, input, now);
  }

  /** In the unit of work too. */
  async writeChannel(sql: Sql, input: DigestChannelInput, now: number): Promise<DigestChannel> {
    const c = digestChannelOf(input, now);
    await sql.query(
      `INSERT INTO digest_channels (practice, address, target, local_time, zone, weekdays, updated_at) VALUES ($7, $1, $2, $3, $4, $5, $6)
       ON CONFLICT (practice, address) DO UPDATE SET target = excluded.target, local_time = excluded.local_time, zone = excluded.zone,
         weekdays = excluded.weekdays, updated_at = excluded.updated_at`,
      [c.key, JSON.stringify(c.target), c.localTime, c.zone, encodeWeekdays(c.weekdays), now, this.practice],
    );
    return c;
  }

  async removeChannel(address: ChannelAddress): Promise<boolean> {
    return this.deleteChannelOf(this.db, address);
  }

  /** In the unit of work too. */
  async deleteChannelOf(sql: Sql, address: ChannelAddress): Promise<boolean> {
    return (await sql.query('DELETE FROM digest_channels WHERE practice = $1 AND address = $2', [this.practice, addressKey(address)])).rowCount === 1;
  }

  async channel(address: ChannelAddress): Promise<DigestChannel | undefined> {
    const row = (await this.db.query<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM digest_channels WHERE practice = $1 AND address = $2`, [this.practice, addressKey(address)])).rows[0];
    return row ? toChannel(row) : undefined;
  }

  async channels(): Promise<DigestChannel[]> {
    return (await this.db.query<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM digest_channels WHERE practice = $1 ORDER BY address`, [this.practice])).rows.map(toChannel);
  }

  async claim(key: string, localDate: string, owner: string, leaseUntil: number, now: number): Promise<boolean> {
    // One statement, so two processes cannot both win: a new row, or an unsent row whose lease has run out
    // (a concurrent claim of the same row waits for the first to commit, then sees its lease).
    const result = await this.db.query(
      `INSERT INTO digest_runs (practice, address, local_date, owner, lease_until) VALUES ($6, $1, $2, $3, $4)
       ON CONFLICT (practice, address, local_date) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
       WHERE digest_runs.sent_at IS NULL AND digest_runs.lease_until < $5`,
      [key, localDate, owner, leaseUntil, now, this.practice],
    );
    return result.rowCount === 1;
  }

  async markSent(key: string, localDate: string, owner: string, messageId: string | undefined, now: number): Promise<boolean> {
    const result = await this.db.query(
      'UPDATE digest_runs SET sent_at = $1, message = $2 WHERE practice = $6 AND address = $3 AND local_date = $4 AND owner = $5 AND sent_at IS NULL',
      [now, messageId ?? null, key, localDate, owner, this.practice],
    );
    return result.rowCount === 1;
  }

  async run(key: string, localDate: string): Promise<DigestRun | undefined> {
    const row = (await this.db.query<RunRow>('SELECT address, local_date, owner, lease_until, sent_at, message FROM digest_runs WHERE practice = $3 AND address = $1 AND local_date = $2', [key, localDate, this.practice])).rows[0];
    return row ? toRun(row) : undefined;
  }

  async recordPart(key: string, localDate: string, part: DigestPart, now: number): Promise<void> {
    await this.db.query(
      'INSERT INTO digest_parts (practice, address, local_date, part, "of", message, at) VALUES ($7, $1, $2, $3, $4, $5, $6) ON CONFLICT (practice, address, local_date, part) DO NOTHING',
      [key, localDate, part.part, part.of, part.messageId, now, this.practice],
    );
  }

  async parts(key: string, localDate: string): Promise<DigestPart[]> {
    const rows = await this.db.query<PartRow>(
      'SELECT part, "of", message FROM digest_parts WHERE practice = $3 AND address = $1 AND local_date = $2 ORDER BY part', [key, localDate, this.practice],
    );
    return rows.rows.map(toPart);
  }
}
