/**
 * The daily digest, posted exactly once per channel and local date, however many medbill processes share
 * the database and whenever they restart (issue 13).
 *
 * Every tick (30 s by default), for each channel: the digest of a local date is due at its local time (see
 * clock.ts for daylight saving). From then until the catch-up window closes (6 h by default) a process may
 * claim the run with a lease (one SQL statement: only one process wins) and post it. A run that was claimed
 * before and never marked sent (its owner crashed, or its post failed) is taken over once the lease runs out:
 * the platform is asked first which parts of the post went out after all (`findPosted`: every message of a
 * digest carries the run key and its part, n of N), beside the parts recorded in the store as each went out
 * (all a platform that cannot be read back, Teams, has), and only the missing parts are posted. A crash
 * between two parts, or between the post and the mark, neither posts a part twice nor leaves one out; on
 * Teams a crash in the moment between a part going out and its record would post that one part again. After
 * the window a missed digest is skipped: the next day's covers it.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ChannelAddress } from '../store/address.js';
import { errorFields, silentLogger, type Logger } from '../log.js';
import type { DigestChannel, DigestPart, DigestStore } from '../store/digest.js';
import { dueInstant } from './clock.js';
import { localDate, systemClock, todayIn, type Clock } from '../today.js';
import { addDays, isoWeekday } from '../calendar.js';
import { DEFAULT_PRACTICE } from '../store/settings.js';

export interface DigestSchedulerOptions {
  /** The digest store (of practice 'default', or of the one practice there is). */
  store: DigestStore;
  /**
   * Several practices: the practices that have digest channels (Storage.digestPractices), each read from its
   * own store (`storeFor`), its runs claimed and marked there. Without it, `store` is the only one.
   */
  practices?: { list(): Promise<string[]>; storeFor(practice: string): DigestStore };
  /** Unique per process (see defaultOwner). */
  owner: string;
  now?: Clock;
  /** How long a claim keeps other processes off a run (default 2 min); also the longest a post may take. */
  leaseMs?: number;
  /** How long after its time a digest may still be posted (default 6 h), e.g. when medbill was down then. */
  catchUpMs?: number;
  /**
   * Posts the digest of `localDate` to the channel, each message keyed with `runKey` and its part so
   * findPosted can find it; the parts in `posted` are already there and must not be posted again.
   * `onPart` is called as each part goes out (the scheduler records it).
   */
  publish(target: ChannelAddress, localDate: string, runKey: string, posted: PostedPart[], onPart: (part: PostedPart) => Promise<void>, practice: string): Promise<{ messageId?: string }>;
  /** The parts already posted with `runKey`, if any (asked only when taking over an unfinished run). */
  findPosted(target: ChannelAddress, runKey: string): Promise<PostedPart[]>;
  log?: Logger;
  /** Runs of local dates older than this many days are purged (default 35). */
  keepDays?: number;
  /**
   * Drops every practice's runs of local dates before `before` (Storage.purgeDigestRuns: those of a practice
   * without channels any more too); called once a day. Without it the runs are kept.
   */
  purgeRuns?: (before: string) => Promise<number>;
}

/** One message of a run's post that went out: part `part` (1-based) of `of`. */
export type PostedPart = DigestPart;

/** The parts found on the platform and the parts recorded, one per part number (the platform's first). */
function partsOf(found: PostedPart[], recorded: PostedPart[]): PostedPart[] {
  const parts = new Map<number, PostedPart>();
  for (const p of [...found, ...recorded]) if (!parts.has(p.part)) parts.set(p.part, p);
  return [...parts.values()].sort((a, b) => a.part - b.part);
}

/** Whether the parts found are the whole post: every part 1…N of it is there. */
export function wholePost(found: PostedPart[]): boolean {
  const of = Math.max(0, ...found.map((p) => p.of));
  const have = new Set(found.map((p) => p.part));
  return of > 0 && Array.from({ length: of }, (_, i) => i + 1).every((n) => have.has(n));
}

const firstPart = (found: PostedPart[]): string | undefined => found.find((p) => p.part === 1)?.messageId;

/** A channel with the practice it belongs to and that practice's digest store. */
type Scheduled = DigestChannel & { store: DigestStore; practice: string };

/** What happened to one channel's run in a tick. */
type RunOutcome = 'posted' | 'found-posted' | 'failed' | 'busy' | 'lost';

/** An owner id unique to this process: host, pid and a random part. */
export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export const runKeyOf = (key: string, date: string): string => `digest:${key}:${date}`;

class Timeout extends Error {
  override readonly name = 'DigestPublishTimeout';
}

export class DigestScheduler {
  private readonly store: DigestStore;
  private readonly practices: DigestSchedulerOptions['practices'];
  private readonly owner: string;
  private readonly now: Clock;
  private readonly leaseMs: number;
  private readonly catchUpMs: number;
  private readonly keepDays: number;
  private readonly log: Logger;
  private readonly publish: DigestSchedulerOptions['publish'];
  private readonly purgeRuns: DigestSchedulerOptions['purgeRuns'];
  private readonly findPosted: DigestSchedulerOptions['findPosted'];
  /** Due instants already computed, by zone, time and date. */
  private readonly dueCache = new Map<string, number>();
  /** Things logged once (a skipped run, a channel whose settings cannot be read), by key. */
  private readonly noted = new Set<string>();
  private current: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private purgedOn: string | undefined;

  constructor(options: DigestSchedulerOptions) {
    this.store = options.store;
    this.practices = options.practices;
    this.owner = options.owner;
    this.now = options.now ?? systemClock;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.catchUpMs = options.catchUpMs ?? 6 * 3_600_000;
    this.keepDays = options.keepDays ?? 35;
    this.log = options.log ?? silentLogger;
    this.publish = options.publish;
    this.purgeRuns = options.purgeRuns;
    this.findPosted = options.findPosted;
    if (!this.owner) throw new Error('a digest scheduler needs an owner id unique to its process');
    if (!(this.leaseMs > 0) || !(this.catchUpMs > 0)) throw new RangeError('leaseMs and catchUpMs must be positive');
  }

  /**
   * One pass over every channel. Never runs twice at once: a call while a tick is running returns that tick.
   * Resolves when every channel's work is done; it does not throw (each channel's errors are logged).
   */
  tick(): Promise<void> {
    this.current ??= this.pass().finally(() => { this.current = undefined; });
    return this.current;
  }

  /** Ticks every `intervalMs` (default 30 s) until stop(); the timer does not keep the process alive. */
  start(intervalMs = 30_000): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => { void this.tick(); }, intervalMs);
    this.timer.unref();
  }

  /** Stops ticking; resolves when a tick under way has finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }

  /** Every practice's store, by practice ('default' alone without `practices`). */
  private async stores(): Promise<{ practice: string; store: DigestStore }[]> {
    const practices = this.practices;
    if (!practices) return [{ practice: DEFAULT_PRACTICE, store: this.store }];
    return (await practices.list()).map((practice) => ({ practice, store: practices.storeFor(practice) }));
  }

  private async pass(): Promise<void> {
    let channels: Scheduled[];
    let stores: { practice: string; store: DigestStore }[];
    try {
      stores = await this.stores();
      channels = (await Promise.all(stores.map(async ({ practice, store }) => (await store.channels()).map((c) => ({ ...c, store, practice }))))).flat();
    } catch (err) {
      this.log.log('error', 'digest.tick_failed', errorFields(err));
      return;
    }
    await Promise.all(channels.map((c) => this.channel(c).catch((err: unknown) => {
      this.log.log('error', 'digest.failed', { address: c.key, ...errorFields(err) });
    })));
    await this.purge();
  }

  /**
   * The run this channel may post now, if any: today's or (just after midnight) yesterday's, once due and
   * within the window; else `missed`: today's, when its window has closed.
   */
  private dueRun(c: Scheduled, now: number): { date: string; due: number } | { missed: string } | undefined {
    const today = localDate(now, c.zone);
    for (const date of [addDays(today, -1), today]) {
      if (!c.weekdays.includes(isoWeekday(date))) continue;
      const cacheKey = `${c.zone}|${c.localTime}|${date}`;
      let due = this.dueCache.get(cacheKey);
      if (due === undefined) {
        if (this.dueCache.size > 10_000) this.dueCache.clear();
        due = dueInstant(date, c.localTime, c.zone);
        this.dueCache.set(cacheKey, due);
      }
      if (now < due) continue;
      if (now < due + this.catchUpMs) return { date, due };
      if (date === today) return { missed: date };
    }
    return undefined;
  }

  /** Says once, when today's window has closed without a post, that the digest was skipped. */
  private async noteMissed(c: Scheduled, date: string): Promise<void> {
    const key = `missed:${c.key}:${date}`;
    if (this.noted.has(key)) return;
    if ((await c.store.run(c.key, date))?.sentAt !== undefined) {
      this.noted.add(key); // posted: nothing to say
      return;
    }
    this.noteOnce(key, 'warn', 'digest.skipped', { address: c.key, date, reason: 'past the catch-up window' });
  }

  private async channel(c: Scheduled): Promise<RunOutcome | undefined> {
    let run: { date: string; due: number } | { missed: string } | undefined;
    try {
      run = this.dueRun(c, this.now());
      if (run && 'missed' in run) await this.noteMissed(c, run.missed);
    } catch (err) {
      this.noteOnce(`bad:${c.key}:${c.zone}:${c.localTime}`, 'error', 'digest.bad_setting', { address: c.key, ...errorFields(err) });
      return undefined;
    }
    if (!run || 'missed' in run) return undefined;
    const { date, due } = run;
    const before = await c.store.run(c.key, date);
    if (before?.sentAt !== undefined) return undefined;
    const now = this.now();
    if (before && before.leaseUntil >= now) return 'busy';
    if (!(await c.store.claim(c.key, date, this.owner, now + this.leaseMs, now))) return 'busy';
    // A row that was there before the claim is an unfinished run: its post may have gone out before the crash.
    const runKey = runKeyOf(c.key, date);
    const fields = { address: c.key, date, late_ms: now - due };
    let found: PostedPart[] = [];
    if (before) {
      this.log.log('warn', 'digest.recovering', { ...fields, previous_owner: before.owner === this.owner ? 'self' : 'other' });
      try {
        found = partsOf(await this.withinLease(this.findPosted(c.target, runKey)), await c.store.parts(c.key, date));
      } catch (err) {
        this.log.log('error', 'digest.find_failed', { ...fields, ...errorFields(err) });
        return 'failed'; // the lease runs out and a later tick asks again
      }
      if (wholePost(found)) {
        await this.mark(c, date, firstPart(found), fields);
        return 'found-posted';
      }
      if (found.length) this.log.log('warn', 'digest.partly_posted', { ...fields, parts_found: found.length, parts: Math.max(...found.map((p) => p.of)) });
    }
    let messageId: string | undefined;
    try {
      const post = this.publish(c.target, date, runKey, found, (part) => this.record(c, date, part), c.practice);
      // The run's message is its first part, when an earlier attempt posted it.
      const first = firstPart(found);
      const posted = await this.withinLease(post, () => {
        // given up on, but it may still complete: then it is recorded, if this owner still holds the run
        post.then((r) => c.store.markSent(c.key, date, this.owner, first ?? r.messageId, this.now())).catch(() => {});
      });
      messageId = first ?? posted.messageId;
    } catch (err) {
      this.log.log('error', 'digest.post_failed', { ...fields, ...errorFields(err) });
      return 'failed'; // left unsent: retried (through findPosted) once the lease runs out, until the window closes
    }
    return (await this.mark(c, date, messageId, fields)) ? 'posted' : 'lost';
  }

  /** Records a part as it goes out; a failure to record is logged, not the post's failure (it went out). */
  private async record(c: Scheduled, date: string, part: PostedPart): Promise<void> {
    try {
      await c.store.recordPart(c.key, date, part, this.now());
    } catch (err) {
      this.log.log('warn', 'digest.part_not_recorded', { address: c.key, date, part: part.part, ...errorFields(err) });
    }
  }

  private async mark(c: Scheduled, date: string, messageId: string | undefined, fields: Record<string, string | number>): Promise<boolean> {
    if (await c.store.markSent(c.key, date, this.owner, messageId, this.now())) {
      this.log.log('info', 'digest.posted', fields);
      return true;
    }
    // Our lease ran out during the post and another process took the run over (it asks findPosted first).
    this.log.log('warn', 'digest.lease_lost', fields);
    return false;
  }

  /**
   * A platform call, given up on (as failed) when the lease runs out, so a call that hangs cannot hold every
   * later tick; `onTimeout` runs then.
   */
  private withinLease<T>(call: Promise<T>, onTimeout?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout('the platform took longer than the lease')), Math.min(this.leaseMs, 2_147_483_647));
      timer.unref();
    });
    return Promise.race([call, late]).finally(() => clearTimeout(timer)).catch((err: unknown) => {
      if (err instanceof Timeout) {
        call.catch(() => {}); // its outcome no longer matters here
        onTimeout?.();
      }
      throw err;
    });
  }

  /** Drops runs older than keepDays, once a day per process. */
  private async purge(): Promise<void> {
    // Housekeeping, not a date anyone sees: runs are kept keepDays, counted on UTC's calendar.
    const today = todayIn('UTC', this.now);
    if (!this.purgeRuns || this.purgedOn === today) return;
    this.purgedOn = today;
    try {
      const n = await this.purgeRuns(addDays(today, -this.keepDays));
      if (n) this.log.log('debug', 'digest.purged', { runs: n });
    } catch (err) {
      this.log.log('warn', 'digest.purge_failed', errorFields(err));
    }
  }

  private noteOnce(key: string, level: 'info' | 'warn' | 'error', event: string, fields: Record<string, string | number>): void {
    if (this.noted.has(key)) return;
    if (this.noted.size > 10_000) this.noted.clear();
    this.noted.add(key);
    this.log.log(level, event, fields);
  }
}
