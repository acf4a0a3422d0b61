/** The daily digest's tables in SQLite (see src/store/digest.ts): all of its SQL is here. */
import { addressKey, type ChannelAddress } from '../address.js';
import { digestChannelOf, encodeWeekdays, type DigestChannel, type DigestChannelInput, type DigestPart, type DigestRun, type DigestStore } from '../digest.js';
import type { Db } from './db.js';
import { toChannel, toRun, type ChannelRow, type RunRow } from '../rows.js';

interface PartRow { part: number; of: number; message: string }

export class SqliteDigestStore implements DigestStore {
  private readonly upsertChannel;
  private readonly deleteChannel;
  private readonly getChannel;
  private readonly listChannels;
  private readonly claimStmt;
  private readonly markSentStmt;
  private readonly getRun;
  private readonly purgeStmt;
  private readonly recordPartStmt;
  private readonly partsStmt;
  private readonly purgePartsStmt;

  constructor(db: Db) {
    this.upsertChannel = db.prepare(
      `INSERT INTO digest_channels (address, target, local_time, zone, weekdays, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (address) DO UPDATE SET target = excluded.target, local_time = excluded.local_time, zone = excluded.zone,
         weekdays = excluded.weekdays, updated_at = excluded.updated_at`,
    );
    this.deleteChannel = db.prepare('DELETE FROM digest_channels WHERE address = ?');
    this.getChannel = db.prepare<[string], ChannelRow>('SELECT * FROM digest_channels WHERE address = ?');
    this.listChannels = db.prepare<[], ChannelRow>('SELECT * FROM digest_channels ORDER BY address');
    // One statement, so two processes cannot both win: a new row, or an unsent row whose lease has run out.
    this.claimStmt = db.prepare(
      `INSERT INTO digest_runs (address, local_date, owner, lease_until) VALUES (?, ?, ?, ?)
       ON CONFLICT (address, local_date) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
       WHERE digest_runs.sent_at IS NULL AND digest_runs.lease_until < ?`,
    );
    this.markSentStmt = db.prepare(
      'UPDATE digest_runs SET sent_at = ?, message = ? WHERE address = ? AND local_date = ? AND owner = ? AND sent_at IS NULL',
    );
    this.getRun = db.prepare<[string, string], RunRow>('SELECT * FROM digest_runs WHERE address = ? AND local_date = ?');
    this.purgeStmt = db.prepare('DELETE FROM digest_runs WHERE local_date < ?');
    this.recordPartStmt = db.prepare(
      'INSERT INTO digest_parts (address, local_date, part, of, message, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (address, local_date, part) DO NOTHING',
    );
    this.partsStmt = db.prepare<[string, string], PartRow>('SELECT part, of, message FROM digest_parts WHERE address = ? AND local_date = ? ORDER BY part');
    this.purgePartsStmt = db.prepare('DELETE FROM digest_parts WHERE local_date < ?');
  }

  async setChannel(input: DigestChannelInput, now: number): Promise<DigestChannel> {
    return this.writeChannel(input, now);
  }

  /** In the unit of work too. */
  writeChannel(input: DigestChannelInput, now: number): DigestChannel {
    const c = digestChannelOf(input, now);
    this.upsertChannel.run(c.key, JSON.stringify(c.target), c.localTime, c.zone, encodeWeekdays(c.weekdays), now);
    return c;
  }

  async removeChannel(address: ChannelAddress): Promise<boolean> {
    return this.deleteChannelOf(address);
  }

  /** In the unit of work too. */
  deleteChannelOf(address: ChannelAddress): boolean {
    return this.deleteChannel.run(addressKey(address)).changes === 1;
  }

  async channel(address: ChannelAddress): Promise<DigestChannel | undefined> {
    const row = this.getChannel.get(addressKey(address));
    return row ? toChannel(row) : undefined;
  }

  async channels(): Promise<DigestChannel[]> {
    return this.listChannels.all().map(toChannel);
  }

  async claim(key: string, localDate: string, owner: string, leaseUntil: number, now: number): Promise<boolean> {
    return this.claimStmt.run(key, localDate, owner, leaseUntil, now).changes === 1;
  }

  async markSent(key: string, localDate: string, owner: string, messageId: string | undefined, now: number): Promise<boolean> {
    return this.markSentStmt.run(now, messageId ?? null, key, localDate, owner).changes === 1;
  }

  async run(key: string, localDate: string): Promise<DigestRun | undefined> {
    const row = this.getRun.get(key, localDate);
    return row ? toRun(row) : undefined;
  }

  async recordPart(key: string, localDate: string, part: DigestPart, now: number): Promise<void> {
    this.recordPartStmt.run(key, localDate, part.part, part.of, part.messageId, now);
  }

  async parts(key: string, localDate: string): Promise<DigestPart[]> {
    return this.partsStmt.all(key, localDate).map((r) => ({ part: r.part, of: r.of, messageId: r.message }));
  }

  async purgeRuns(before: string): Promise<number> {
    this.purgePartsStmt.run(before);
    return this.purgeStmt.run(before).changes;
  }
}
