/**
 * The daily digest's tables (all of its SQL is here): where it goes (`digest_channels`: a channel, its local
 * time, its IANA zone and the ISO weekdays it posts on) and what was posted (`digest_runs`: one row per
 * channel and local date, claimed by one process with a lease and marked sent once posted). Platform ids
 * only; no message text is stored.
 */
import { addressKey, type ChannelAddress } from './address.js';
import type { Db } from './db.js';

export interface DigestChannelInput {
  address: ChannelAddress;
  /** 'HH:MM', 24-hour, local to `zone`. */
  localTime: string;
  /** IANA zone, e.g. America/Chicago. */
  zone: string;
  /** ISO weekdays it posts on: 1 = Monday … 7 = Sunday. */
  weekdays: number[];
}

export interface DigestChannel {
  /** addressKey() of the channel. */
  key: string;
  /** Where to post (the channel, without a thread). */
  target: ChannelAddress;
  localTime: string;
  zone: string;
  weekdays: number[];
  updatedAt: number;
}

export interface DigestRun {
  key: string;
  localDate: string;
  /** The process that holds (or last held) the lease. */
  owner: string;
  leaseUntil: number;
  sentAt?: number;
  /** The platform's id of the posted message, when it gave one. */
  messageId?: string;
}

interface ChannelRow { address: string; target: string; local_time: string; zone: string; weekdays: string; updated_at: number }
interface RunRow { address: string; local_date: string; owner: string; lease_until: number; sent_at: number | null; message: string | null }

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The weekdays as stored ("12345"), sorted and without repeats; throws on anything outside 1–7 or none at all. */
export function encodeWeekdays(days: number[]): string {
  const set = [...new Set(days)].sort((a, b) => a - b);
  if (!set.length || set.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new RangeError('weekdays must be ISO weekdays 1 (Monday) to 7 (Sunday), at least one');
  return set.join('');
}

const decodeWeekdays = (s: string): number[] => [...s].map(Number).filter((d) => d >= 1 && d <= 7);

function toChannel(r: ChannelRow): DigestChannel {
  return { key: r.address, target: JSON.parse(r.target) as ChannelAddress, localTime: r.local_time, zone: r.zone, weekdays: decodeWeekdays(r.weekdays), updatedAt: r.updated_at };
}

function toRun(r: RunRow): DigestRun {
  const run: DigestRun = { key: r.address, localDate: r.local_date, owner: r.owner, leaseUntil: r.lease_until };
  if (r.sent_at !== null) run.sentAt = r.sent_at;
  if (r.message !== null) run.messageId = r.message;
  return run;
}

export class DigestStore {
  private readonly upsertChannel;
  private readonly deleteChannel;
  private readonly getChannel;
  private readonly listChannels;
  private readonly claimStmt;
  private readonly markSentStmt;
  private readonly getRun;
  private readonly purgeStmt;

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
  }

  /**
   * Sets (or changes) where and when a channel gets the digest. The channel is kept without its thread: a
   * digest set from inside a thread goes to the channel. Throws on a malformed time or weekday list (the
   * zone is the caller's to check, with isValidZone).
   */
  setChannel(input: DigestChannelInput, now: number): DigestChannel {
    if (!HHMM.test(input.localTime)) throw new RangeError('localTime must be HH:MM (00:00 to 23:59)');
    if (!input.zone.trim()) throw new RangeError('zone is required');
    const weekdays = encodeWeekdays(input.weekdays);
    const a = input.address;
    const target: ChannelAddress = a.tenant === undefined ? { platform: a.platform, channel: a.channel } : { platform: a.platform, tenant: a.tenant, channel: a.channel };
    const key = addressKey(target);
    this.upsertChannel.run(key, JSON.stringify(target), input.localTime, input.zone, weekdays, now);
    return { key, target, localTime: input.localTime, zone: input.zone, weekdays: decodeWeekdays(weekdays), updatedAt: now };
  }

  /** Stops the digest for a channel; false when it had none. Runs already recorded stay until purged. */
  removeChannel(address: ChannelAddress): boolean {
    return this.deleteChannel.run(addressKey(address)).changes === 1;
  }

  channel(address: ChannelAddress): DigestChannel | undefined {
    const row = this.getChannel.get(addressKey(address));
    return row ? toChannel(row) : undefined;
  }

  /** Every channel that gets a digest, in key order. */
  channels(): DigestChannel[] {
    return this.listChannels.all().map(toChannel);
  }

  /**
   * Claims the run of `key` on `localDate` for `owner` until `leaseUntil`: true when this owner won it (no
   * row yet, or an unsent row whose lease ended before `now`). One statement, atomic across processes.
   */
  claim(key: string, localDate: string, owner: string, leaseUntil: number, now: number): boolean {
    return this.claimStmt.run(key, localDate, owner, leaseUntil, now).changes === 1;
  }

  /**
   * Records the run as posted, only if `owner` still holds it and it was not already marked; false otherwise
   * (another process took the run over after this owner's lease ran out).
   */
  markSent(key: string, localDate: string, owner: string, messageId: string | undefined, now: number): boolean {
    return this.markSentStmt.run(now, messageId ?? null, key, localDate, owner).changes === 1;
  }

  run(key: string, localDate: string): DigestRun | undefined {
    const row = this.getRun.get(key, localDate);
    return row ? toRun(row) : undefined;
  }

  /** Drops the runs of local dates before `before` ('YYYY-MM-DD'); returns how many. */
  purgeRuns(before: string): number {
    return this.purgeStmt.run(before).changes;
  }
}
