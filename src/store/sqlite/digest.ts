/** The daily digest's tables in SQLite (see src/store/digest.ts): all of its SQL is here. */
import { addressKey, type ChannelAddress } from '../address.js';
import { digestChannelOf, encodeWeekdays, type DigestChannel, type DigestChannelInput, type DigestPart, type DigestRun, type DigestStore } from '../digest.js';
import type { Db } from './db.js';
import { toChannel, toPart, toRun, type ChannelRow, type PartRow, type RunRow } from '../rows.js';

export class SqliteDigestStore implements DigestStore {
  private readonly upsertChannel;
  private readonly deleteChannel;
  private readonly getChannel;
  private readonly listChannels;
  private readonly claimStmt;
  private readonly markSentStmt;
  private readonly getRun;
  private readonly recordPartStmt;
  private readonly partsStmt;

  constructor(db: Db, private readonly practice: string) {
    this.upsertChannel = db.prepare(
      `INSERT INTO digest_channels (practice, address, target, local_time, zone, weekdays, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (practice, address) DO UPDATE SET target = excluded.target, local_time = excluded.local_time, zone = excluded.zone,
         weekdays = excluded.weekdays, updated_at = excluded.updated_at`,
    );
    this.deleteChannel = db.prepare('DELETE FROM digest_channels WHERE practice = ? AND address = ?');
    this.getChannel = db.prepare<[string, string], ChannelRow>('SELECT * FROM digest_channels WHERE practice = ? AND address = ?');
    this.listChannels = db.prepare<[string], ChannelRow>('SELECT * FROM digest_channels WHERE practice = ? ORDER BY address');
    // One statement, so two processes cannot both win: a new row, or an unsent row whose lease has run out.
    this.claimStmt = db.prepare(
      `INSERT INTO digest_runs (practice, address, local_date, owner, lease_until) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (practice, address, local_date) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
       WHERE digest_runs.sent_at IS NULL AND digest_runs.lease_until < ?`,
    );
    this.markSentStmt = db.prepare(
      'UPDATE digest_runs SET sent_at = ?, message = ? WHERE practice = ? AND address = ? AND local_date = ? AND owner = ? AND sent_at IS NULL',
    );
    this.getRun = db.prepare<[string, string, string], RunRow>('SELECT * FROM digest_runs WHERE practice = ? AND address = ? AND local_date = ?');
    this.recordPartStmt = db.prepare(
      'INSERT INTO digest_parts (practice, address, local_date, part, of, message, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (practice, address, local_date, part) DO NOTHING',
    );
    this.partsStmt = db.prepare<[string, string, string], PartRow>('SELECT part, of, message FROM digest_parts WHERE practice = ? AND address = ? AND local_date = ? ORDER BY part');
  }

  async setChannel(input: DigestChannelInput, now: number): Promise<DigestChannel> {
    return this.writeChannel(input, now);
  }

  /** In the unit of work too. */
  writeChannel(input: DigestChannelInput, now: number): DigestChannel {
    const c = digestChannelOf(input, now);
    this.upsertChannel.run(this.practice, c.key, JSON.stringify(c.target), c.localTime, c.zone, encodeWeekdays(c.weekdays), now);
    return c;
  }

  async removeChannel(address: ChannelAddress): Promise<boolean> {
    return this.deleteChannelOf(address);
  }

  /** In the unit of work too. */
  deleteChannelOf(address: ChannelAddress): boolean {
    return this.deleteChannel.run(this.practice, addressKey(address)).changes === 1;
  }

  async channel(address: ChannelAddress): Promise<DigestChannel | undefined> {
    const row = this.getChannel.get(this.practice, addressKey(address));
    return row ? toChannel(row) : undefined;
  }

  async channels(): Promise<DigestChannel[]> {
    return this.listChannels.all(this.practice).map(toChannel);
  }

  async claim(key: string, localDate: string, owner: string, leaseUntil: number, now: number): Promise<boolean> {
    return this.claimStmt.run(this.practice, key, localDate, owner, leaseUntil, now).changes === 1;
  }

  async markSent(key: string, localDate: string, owner: string, messageId: string | undefined, now: number): Promise<boolean> {
    return this.markSentStmt.run(now, messageId ?? null, this.practice, key, localDate, owner).changes === 1;
  }

  async run(key: string, localDate: string): Promise<DigestRun | undefined> {
    const row = this.getRun.get(this.practice, key, localDate);
    return row ? toRun(row) : undefined;
  }

  async recordPart(key: string, localDate: string, part: DigestPart, now: number): Promise<void> {
    this.recordPartStmt.run(this.practice, key, localDate, part.part, part.of, part.messageId, now);
  }

  async parts(key: string, localDate: string): Promise<DigestPart[]> {
    return this.partsStmt.all(this.practice, key, localDate).map(toPart);
  }
}
