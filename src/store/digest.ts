/**
 * The daily digest's port: where it goes (a channel, its local time, its IANA zone and the ISO weekdays it
 * posts on) and what was posted (one run per channel and local date, claimed by one process with a lease and
 * marked sent once posted, each part recorded as it goes out). Platform ids only; no message text is stored.
 */
import { addressKey, type ChannelAddress } from './address.js';

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

/** One message of a run's post that went out: part `part` (1-based) of `of`, with the platform's id for it. */
export interface DigestPart { part: number; of: number; messageId: string }

export interface DigestStore {
  /**
   * Sets (or changes) where and when a channel gets the digest (see digestChannelOf). Throws on a malformed
   * time or weekday list (the zone is the caller's to check, with isValidZone).
   */
  setChannel(input: DigestChannelInput, now: number): Promise<DigestChannel>;
  /** Stops the digest for a channel; false when it had none. Runs already recorded stay until purged. */
  removeChannel(address: ChannelAddress): Promise<boolean>;
  channel(address: ChannelAddress): Promise<DigestChannel | undefined>;
  /** Every channel that gets a digest, in key order. */
  channels(): Promise<DigestChannel[]>;
  /**
   * Claims the run of `key` on `localDate` for `owner` until `leaseUntil`: true when this owner won it (no
   * run yet, or an unsent one whose lease ended before `now`). Atomic across processes: one winner.
   */
  claim(key: string, localDate: string, owner: string, leaseUntil: number, now: number): Promise<boolean>;
  /**
   * Records the run as posted, only if `owner` still holds it and it was not already marked; false otherwise
   * (another process took the run over after this owner's lease ran out).
   */
  markSent(key: string, localDate: string, owner: string, messageId: string | undefined, now: number): Promise<boolean>;
  run(key: string, localDate: string): Promise<DigestRun | undefined>;
  /**
   * Records that one part of the run's post went out, whoever holds the run now (it is there either way), so
   * a process taking the run over posts only the others, also on a platform whose posts cannot be looked up.
   */
  recordPart(key: string, localDate: string, part: DigestPart, now: number): Promise<void>;
  /** The parts recorded for the run, in part order. */
  parts(key: string, localDate: string): Promise<DigestPart[]>;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The weekdays as stored ("12345"), sorted and without repeats; throws on anything outside 1–7 or none at all. */
export function encodeWeekdays(days: number[]): string {
  const set = [...new Set(days)].sort((a, b) => a - b);
  if (!set.length || set.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new RangeError('weekdays must be ISO weekdays 1 (Monday) to 7 (Sunday), at least one');
  return set.join('');
}

export const decodeWeekdays = (s: string): number[] => [...s].map(Number).filter((d) => d >= 1 && d <= 7);

/**
 * The channel as every implementation keeps it: checked (throws on a malformed time or weekday list), and
 * without its thread: a digest set from inside a thread goes to the channel.
 */
export function digestChannelOf(input: DigestChannelInput, now: number): DigestChannel {
  if (!HHMM.test(input.localTime)) throw new RangeError('localTime must be HH:MM (00:00 to 23:59)');
  if (!input.zone.trim()) throw new RangeError('zone is required');
  const weekdays = encodeWeekdays(input.weekdays);
  const a = input.address;
  const target: ChannelAddress = a.tenant === undefined ? { platform: a.platform, channel: a.channel } : { platform: a.platform, tenant: a.tenant, channel: a.channel };
  return { key: addressKey(target), target, localTime: input.localTime, zone: input.zone, weekdays: decodeWeekdays(weekdays), updatedAt: now };
}
