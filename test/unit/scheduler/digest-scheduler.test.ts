/**
 * The daily digest (issue 13, part 4): exactly once per channel and local date, at the channel's local
 * time, across daylight saving, restarts, crashes between the claim and the post, and several processes on
 * one database. Time is a fake clock here (the tick loop is driven by hand), except in the multi-process test.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import { addressKey, type ChannelAddress } from '../../../src/store/address.js';
import type { Logger } from '../../../src/log.js';
import { sqliteStorage } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import { canonicalZone, dueInstant, parseLocalTime } from '../../../src/scheduler/clock.js';
import { isValidZone, localDate } from '../../../src/today.js';
import { addDays, isoWeekday } from '../../../src/calendar.js';
import { DigestScheduler, defaultOwner, runKeyOf, wholePost, type PostedPart } from '../../../src/scheduler/digest-scheduler.js';
import { describeSchedule, parseDigestSetting } from '../../../src/scheduler/digest-settings.js';
import { ROOT, tempDbPath } from '../../helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const utc = (iso: string) => Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString();
const chan = (channel: string, tenant = 'T1'): ChannelAddress => ({ platform: 'slack', tenant, channel });
const WEEKDAYS = [1, 2, 3, 4, 5];
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

interface Post { key: string; date: string; runKey: string; at: number; owner: string }

/** A platform that remembers what was posted (by run key), shared by every scheduler of a test. */
class FakePlatform {
  posts: Post[] = [];
  messages = new Map<string, string>();
  finds: string[] = [];
  failNext = new Map<string, number>(); // channel id -> how many posts to fail
  post(owner: string, now: number, target: ChannelAddress, date: string, runKey: string): { messageId: string } {
    const fails = this.failNext.get(target.channel) ?? 0;
    if (fails > 0) {
      this.failNext.set(target.channel, fails - 1);
      throw new Error('Slack said no to the digest for patient Jane Roe'); // text that must never reach the log
    }
    const messageId = `m${this.posts.length + 1}`;
    this.posts.push({ key: addressKey(target), date, runKey, at: now, owner });
    this.messages.set(runKey, messageId);
    return { messageId };
  }
}

class Clock {
  constructor(public t: number) {}
  now = () => this.t;
}

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, event, fields = {}) => { lines.push(JSON.stringify({ level, event, ...fields })); } };
}

function scheduler(db: SqliteStorage, clock: Clock, platform: FakePlatform, options: { owner?: string; leaseMs?: number; catchUpMs?: number; log?: Logger } = {}) {
  const owner = options.owner ?? 'A';
  return new DigestScheduler({
    store: db.digests,
    owner,
    now: clock.now,
    leaseMs: options.leaseMs,
    catchUpMs: options.catchUpMs,
    log: options.log,
    publish: async (target, date, runKey) => platform.post(owner, clock.t, target, date, runKey),
    findPosted: async (_target, runKey) => {
      platform.finds.push(runKey);
      const messageId = platform.messages.get(runKey);
      return messageId ? [{ part: 1, of: 1, messageId }] : [];
    },
  });
}

/** Ticks every `step` from `from` (inclusive) to `to` (exclusive). */
async function tickThrough(s: DigestScheduler, clock: Clock, from: number, to: number, step = 30_000) {
  for (clock.t = from; clock.t < to; clock.t += step) await s.tick();
}

async function setUp(channels: { id: string; time: string; zone: string; days?: number[] }[], path = ':memory:') {
  const db = sqliteStorage(path);
  const store = db.digests;
  for (const c of channels) await store.setChannel({ address: chan(c.id), localTime: c.time, zone: c.zone, weekdays: c.days ?? EVERY_DAY }, 0);
  return { db, store };
}

const key = (id: string) => addressKey(chan(id));
const postsOf = (p: FakePlatform, id: string) => p.posts.filter((x) => x.key === key(id)).map((x) => ({ date: x.date, at: iso(x.at) }));

describe('clock: local dates and due instants', () => {
  it('knows zones, local dates and ISO weekdays', async () => {
    expect(isValidZone('America/Chicago')).toBe(true);
    expect(isValidZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidZone('')).toBe(false);
    expect(canonicalZone('america/chicago')).toBe('America/Chicago');
    expect(canonicalZone('utc')).toBe('UTC');
    expect(canonicalZone('Nowhere/Special')).toBeUndefined();
    expect(localDate(utc('2026-02-10T05:59:59'), 'America/Chicago')).toBe('2026-02-09');
    expect(localDate(utc('2026-02-10T06:00:00'), 'America/Chicago')).toBe('2026-02-10');
    expect(localDate(utc('2026-02-10T13:00:00'), 'Australia/Sydney')).toBe('2026-02-11');
    expect(isoWeekday('2026-02-09')).toBe(1);
    expect(isoWeekday('2026-02-14')).toBe(6);
    expect(isoWeekday('2026-03-08')).toBe(7);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(() => isoWeekday('2026-02-30')).toThrow(RangeError);
    expect(() => dueInstant('2026-02-10', '8:00', 'America/Chicago')).toThrow(RangeError);
    expect(() => dueInstant('2026-02-10', '08:00', 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('places an ordinary time, in zones east and west', async () => {
    expect(iso(dueInstant('2026-02-10', '08:00', 'America/Chicago'))).toBe('2026-02-10T14:00:00.000Z');
    expect(iso(dueInstant('2026-07-10', '08:00', 'America/Chicago'))).toBe('2026-07-10T13:00:00.000Z');
    expect(iso(dueInstant('2026-02-10', '08:00', 'UTC'))).toBe('2026-02-10T08:00:00.000Z');
    expect(iso(dueInstant('2026-02-10', '08:00', 'Pacific/Kiritimati'))).toBe('2026-02-09T18:00:00.000Z');
    expect(iso(dueInstant('2026-02-10', '08:00', 'Pacific/Pago_Pago'))).toBe('2026-02-10T19:00:00.000Z');
  });

  it('spring forward: a time in the gap is due when the gap ends (luxon alone would shift it an hour later)', async () => {
    // America/Chicago, 2026-03-08: 02:00 CST becomes 03:00 CDT (08:00Z); 02:00–02:59 never happen.
    expect(iso(DateTime.fromObject({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, { zone: 'America/Chicago' }).toMillis())).toBe('2026-03-08T08:30:00.000Z');
    expect(iso(dueInstant('2026-03-08', '02:30', 'America/Chicago'))).toBe('2026-03-08T08:00:00.000Z'); // 03:00 CDT
    expect(iso(dueInstant('2026-03-08', '02:00', 'America/Chicago'))).toBe('2026-03-08T08:00:00.000Z');
    expect(iso(dueInstant('2026-03-08', '01:59', 'America/Chicago'))).toBe('2026-03-08T07:59:00.000Z');
    expect(iso(dueInstant('2026-03-08', '03:00', 'America/Chicago'))).toBe('2026-03-08T08:00:00.000Z');
    expect(iso(dueInstant('2026-03-08', '08:00', 'America/Chicago'))).toBe('2026-03-08T13:00:00.000Z');
    // Europe/London, 2026-03-29: 01:00 GMT becomes 02:00 BST. Australia/Sydney, 2026-10-04: 02:00 AEST becomes 03:00 AEDT.
    expect(iso(dueInstant('2026-03-29', '01:30', 'Europe/London'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(dueInstant('2026-10-04', '02:30', 'Australia/Sydney'))).toBe('2026-10-03T16:00:00.000Z');
  });

  it('fall back: a time that happens twice is due at its first occurrence (luxon alone picks the second)', async () => {
    // America/Chicago, 2026-11-01: 02:00 CDT becomes 01:00 CST (07:00Z); 01:00–01:59 happen twice.
    expect(iso(DateTime.fromObject({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, { zone: 'America/Chicago' }).toMillis())).toBe('2026-11-01T07:30:00.000Z');
    expect(iso(dueInstant('2026-11-01', '01:30', 'America/Chicago'))).toBe('2026-11-01T06:30:00.000Z'); // 01:30 CDT
    expect(iso(dueInstant('2026-11-01', '01:00', 'America/Chicago'))).toBe('2026-11-01T06:00:00.000Z');
    expect(iso(dueInstant('2026-11-01', '02:00', 'America/Chicago'))).toBe('2026-11-01T08:00:00.000Z');
    expect(iso(dueInstant('2026-11-01', '08:00', 'America/Chicago'))).toBe('2026-11-01T14:00:00.000Z');
    expect(iso(dueInstant('2026-10-25', '01:30', 'Europe/London'))).toBe('2026-10-25T00:30:00.000Z'); // BST, not GMT
    expect(iso(dueInstant('2026-04-05', '02:30', 'Australia/Sydney'))).toBe('2026-04-04T15:30:00.000Z'); // AEDT, not AEST
  });

  it('is, for every day of 2026 in zones with odd transitions, the first instant the clock reads that time or later', async () => {
    // Lord Howe moves its clocks by 30 minutes; Santiago and Havana change theirs at midnight (a date starts at 01:00).
    const zones = ['America/Chicago', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago', 'America/Havana'];
    for (const zone of zones) {
      const z = IANAZone.create(zone);
      const reads = (ms: number) => ms + z.offset(ms) * MIN; // the wall clock, as if it were UTC
      for (let date = '2026-01-01'; date < '2027-01-01'; date = addDays(date, 1)) {
        for (const time of ['00:00', '00:30', '01:30', '02:00', '02:30']) {
          const due = dueInstant(date, time, zone);
          const target = utc(`${date}T${time}`);
          const ok = reads(due) >= target && reads(due - 1) < target && reads(due) < utc(`${date}T00:00`) + 24 * HOUR;
          if (!ok) throw new Error(`${zone} ${date} ${time}: due ${iso(due)}, reads ${iso(reads(due))}, a moment before ${iso(reads(due - 1))}`);
        }
      }
    }
  });

  it('reads times as people type them', async () => {
    const cases: [string, string | undefined][] = [
      ['8:00', '08:00'], ['08:00', '08:00'], ['8am', '08:00'], ['8 am', '08:00'], ['8:30 am', '08:30'], ['8:30pm', '20:30'],
      ['7:30AM', '07:30'], ['12am', '00:00'], ['12pm', '12:00'], ['12:15 a.m.', '00:15'], ['16:45', '16:45'], ['noon', '12:00'],
      ['8.30', '08:30'], ['8', undefined], ['24:00', undefined], ['8:60', undefined], ['13pm', undefined], ['0am', undefined], ['eight', undefined], ['', undefined],
    ];
    for (const [text, want] of cases) expect([text, parseLocalTime(text)]).toEqual([text, want]);
  });
});

describe('DigestStore', () => {
  it('keeps a channel (without its thread), changes it, lists and removes it', async () => {
    const { store } = await setUp([]);
    const set = (await store.setChannel({ address: { ...chan('C1'), thread: '123.4' }, localTime: '08:00', zone: 'America/Chicago', weekdays: [5, 1, 2, 3, 4, 1] }, 10));
    expect(set).toEqual({ key: 'slack:T1:channel:C1', target: chan('C1'), localTime: '08:00', zone: 'America/Chicago', weekdays: [1, 2, 3, 4, 5], updatedAt: 10 });
    await store.setChannel({ address: chan('C1'), localTime: '07:30', zone: 'America/New_York', weekdays: EVERY_DAY }, 20);
    await store.setChannel({ address: chan('C0'), localTime: '09:00', zone: 'UTC', weekdays: [7] }, 20);
    expect((await store.channel(chan('C1')))).toMatchObject({ localTime: '07:30', zone: 'America/New_York', weekdays: EVERY_DAY, updatedAt: 20 });
    expect((await store.channels()).map((c) => c.key)).toEqual([key('C0'), key('C1')]);
    await expect(store.setChannel({ address: chan('C2'), localTime: '8:00', zone: 'UTC', weekdays: [1] }, 0)).rejects.toThrow(RangeError);
    await expect(store.setChannel({ address: chan('C2'), localTime: '08:00', zone: 'UTC', weekdays: [] }, 0)).rejects.toThrow(RangeError);
    await expect(store.setChannel({ address: chan('C2'), localTime: '08:00', zone: 'UTC', weekdays: [0] }, 0)).rejects.toThrow(RangeError);
    expect((await store.removeChannel(chan('C1')))).toBe(true);
    expect((await store.removeChannel(chan('C1')))).toBe(false);
    expect((await store.channel(chan('C1')))).toBeUndefined();
  });

  it('lets one owner claim a run, another only after the lease ends, and nobody once it is sent', async () => {
    const { db, store } = await setUp([]);
    const k = key('C1');
    expect((await store.claim(k, '2026-02-10', 'A', 1000, 0))).toBe(true);
    expect((await store.claim(k, '2026-02-10', 'B', 1500, 500))).toBe(false);
    expect((await store.claim(k, '2026-02-10', 'B', 2000, 1000))).toBe(false); // lease_until < now, strictly
    expect((await store.claim(k, '2026-02-11', 'B', 2000, 500))).toBe(true); // another date is another run
    expect((await store.claim(k, '2026-02-10', 'B', 2001, 1001))).toBe(true);
    expect((await store.run(k, '2026-02-10'))).toEqual({ key: k, localDate: '2026-02-10', owner: 'B', leaseUntil: 2001 });
    expect((await store.markSent(k, '2026-02-10', 'A', 'mA', 1100))).toBe(false); // A lost it
    expect((await store.markSent(k, '2026-02-10', 'B', 'mB', 1100))).toBe(true);
    expect((await store.markSent(k, '2026-02-10', 'B', 'mB2', 1200))).toBe(false); // once
    expect((await store.run(k, '2026-02-10'))).toMatchObject({ owner: 'B', sentAt: 1100, messageId: 'mB' });
    expect((await store.claim(k, '2026-02-10', 'C', 99_999, 50_000))).toBe(false);
    expect((await db.purgeDigestRuns('2026-02-11'))).toBe(1);
    expect((await store.run(k, '2026-02-10'))).toBeUndefined();
    expect((await store.run(k, '2026-02-11'))).toBeDefined();
  });
});

describe('DigestScheduler', () => {
  it('posts at 08:00 Chicago time on a weekday, not at 07:59, once though it ticks every 30 s all day', async () => {
    const { db } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago', days: WEEKDAYS }]);
    const p = new FakePlatform();
    const clock = new Clock(utc('2026-02-10T13:59:00')); // Tuesday 07:59 CST
    const s = scheduler(db, clock, p);
    await s.tick();
    clock.t = utc('2026-02-10T13:59:59.999');
    await s.tick();
    expect(p.posts).toEqual([]);
    clock.t = utc('2026-02-10T14:00:00');
    await s.tick();
    expect(postsOf(p, 'C1')).toEqual([{ date: '2026-02-10', at: '2026-02-10T14:00:00.000Z' }]);
    await tickThrough(s, clock, utc('2026-02-10T06:00'), utc('2026-02-11T06:00')); // the whole local day
    expect(p.posts).toHaveLength(1);
    expect(p.posts[0]!.runKey).toBe('digest:slack:T1:channel:C1:2026-02-10');
    expect((await db.digests.run(key('C1'), '2026-02-10'))).toMatchObject({ owner: 'A', messageId: 'm1' });
  });

  it('posts Monday to Friday and not on the weekend', async () => {
    const { db } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago', days: WEEKDAYS }, { id: 'C7', time: '08:00', zone: 'America/Chicago', days: EVERY_DAY }]);
    const p = new FakePlatform();
    const clock = new Clock(0);
    const s = scheduler(db, clock, p);
    await tickThrough(s, clock, utc('2026-02-09T06:00'), utc('2026-02-16T06:00'), 5 * MIN); // Monday to Sunday, local
    expect(postsOf(p, 'C1').map((x) => x.date)).toEqual(['2026-02-09', '2026-02-10', '2026-02-11', '2026-02-12', '2026-02-13']);
    expect(postsOf(p, 'C7').map((x) => x.date)).toEqual(['2026-02-09', '2026-02-10', '2026-02-11', '2026-02-12', '2026-02-13', '2026-02-14', '2026-02-15']);
    expect(postsOf(p, 'C1').every((x) => x.at.endsWith('T14:00:00.000Z'))).toBe(true);
  });

  it('posts once per local date across daylight saving in Chicago, London and Sydney, at the first instant due', async () => {
    const channels = [
      { id: 'CHI0130', time: '01:30', zone: 'America/Chicago' }, { id: 'CHI0230', time: '02:30', zone: 'America/Chicago' }, { id: 'CHI0800', time: '08:00', zone: 'America/Chicago' },
      { id: 'LON0130', time: '01:30', zone: 'Europe/London' }, { id: 'LON0800', time: '08:00', zone: 'Europe/London' },
      { id: 'SYD0230', time: '02:30', zone: 'Australia/Sydney' }, { id: 'SYD0800', time: '08:00', zone: 'Australia/Sydney' },
    ];
    const expected: Record<string, Record<string, string>> = {
      // spring forward: the gap's end; fall back: the first 01:30
      CHI0230: { '2026-03-08': '2026-03-08T08:00:00.000Z' },
      CHI0130: { '2026-11-01': '2026-11-01T06:30:00.000Z' },
      CHI0800: { '2026-03-08': '2026-03-08T13:00:00.000Z', '2026-11-01': '2026-11-01T14:00:00.000Z' },
      LON0130: { '2026-03-29': '2026-03-29T01:00:00.000Z', '2026-10-25': '2026-10-25T00:30:00.000Z' },
      LON0800: { '2026-03-29': '2026-03-29T07:00:00.000Z', '2026-10-25': '2026-10-25T08:00:00.000Z' },
      SYD0230: { '2026-10-04': '2026-10-03T16:00:00.000Z', '2026-04-05': '2026-04-04T15:30:00.000Z' },
      SYD0800: { '2026-10-04': '2026-10-03T21:00:00.000Z', '2026-04-05': '2026-04-04T22:00:00.000Z' },
    };
    // Each transition's local day, ticking every 30 s (a few hours either side).
    const spans: [string, string, string[]][] = [
      ['2026-03-08T04:00', '2026-03-09T08:00', ['CHI0130', 'CHI0230', 'CHI0800']],
      ['2026-10-31T23:00', '2026-11-02T07:00', ['CHI0130', 'CHI0230', 'CHI0800']],
      ['2026-03-28T22:00', '2026-03-30T01:00', ['LON0130', 'LON0800']],
      ['2026-10-24T22:00', '2026-10-26T01:00', ['LON0130', 'LON0800']],
      ['2026-10-03T12:00', '2026-10-04T14:00', ['SYD0230', 'SYD0800']],
      ['2026-04-04T12:00', '2026-04-05T14:00', ['SYD0230', 'SYD0800']],
    ];
    for (const [from, to, ids] of spans) {
      const { db } = await setUp(channels.filter((c) => ids.includes(c.id)));
      const p = new FakePlatform();
      const clock = new Clock(0);
      const s = scheduler(db, clock, p, { catchUpMs: HOUR });
      await tickThrough(s, clock, utc(from), utc(to));
      for (const id of ids) {
        const c = channels.find((x) => x.id === id)!;
        const posts = postsOf(p, id);
        // exactly one per local date whose due instant falls in the span, at that instant
        const dates = [...new Set(posts.map((x) => x.date))];
        expect(dates.length, `${id} in ${from}…${to}`).toBe(posts.length);
        for (const x of posts) expect(x.at, `${id} ${x.date}`).toBe(iso(dueInstant(x.date, c.time, c.zone)));
        for (let d = localDate(utc(from), c.zone); d <= localDate(utc(to), c.zone); d = addDays(d, 1)) {
          const due = dueInstant(d, c.time, c.zone);
          if (due >= utc(from) && due < utc(to)) expect(dates, `${id} ${d}`).toContain(d);
        }
        for (const [d, at] of Object.entries(expected[id] ?? {})) {
          if (at >= iso(utc(from)) && at < iso(utc(to))) expect(posts.find((x) => x.date === d)?.at, `${id} ${d}`).toBe(at);
        }
      }
    }
  });

  it('posts once after a restart before the post, and not again after a restart after it', async () => {
    const path = tempDbPath();
    await (await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }], path)).db.close();
    const p = new FakePlatform();
    const clock = new Clock(utc('2026-02-10T13:00')); // 07:00 local
    const first = scheduler(sqliteStorage(path), clock, p, { owner: defaultOwner() });
    await first.tick();
    expect(p.posts).toEqual([]);
    // "restart": a new process (a new connection and scheduler, another owner) at 08:00:30
    clock.t = utc('2026-02-10T14:00:30');
    const second = scheduler(sqliteStorage(path), clock, p, { owner: defaultOwner() });
    await second.tick();
    await second.tick();
    expect(p.posts).toHaveLength(1);
    clock.t = utc('2026-02-10T14:05');
    const third = scheduler(sqliteStorage(path), clock, p, { owner: defaultOwner() });
    await tickThrough(third, clock, clock.t, utc('2026-02-10T23:00'));
    expect(p.posts).toHaveLength(1);
    expect(p.finds).toEqual([]); // nothing needed recovering
  });

  it('catches up a missed digest within the window and skips an older one', async () => {
    const { db } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago', days: WEEKDAYS }]);
    const p = new FakePlatform();
    const log = logger();
    // down at 08:00, started at 10:00: posted once, at 10:00
    const clock = new Clock(utc('2026-02-10T16:00'));
    const s = scheduler(db, clock, p, { log });
    await tickThrough(s, clock, clock.t, utc('2026-02-11T06:00'));
    expect(postsOf(p, 'C1')).toEqual([{ date: '2026-02-10', at: '2026-02-10T16:00:00.000Z' }]);
    // started at 16:00 the next day (8 h late, the window is 6 h): skipped; the day after posts at 08:00
    const clock2 = new Clock(utc('2026-02-11T22:00'));
    const s2 = scheduler(db, clock2, p, { log, owner: 'B' });
    await tickThrough(s2, clock2, clock2.t, utc('2026-02-13T06:00'));
    expect(postsOf(p, 'C1')).toEqual([{ date: '2026-02-10', at: '2026-02-10T16:00:00.000Z' }, { date: '2026-02-12', at: '2026-02-12T14:00:00.000Z' }]);
    expect(log.lines.filter((l) => l.includes('digest.skipped'))).toHaveLength(1); // said once, not every tick
    // the window's edges: one ms before it closes posts; at its end does not
    const { db: db2 } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }]);
    const p2 = new FakePlatform();
    const edge = new Clock(utc('2026-02-10T14:00') + 6 * HOUR);
    await scheduler(db2, edge, p2).tick();
    expect(p2.posts).toEqual([]);
    edge.t -= 1;
    await scheduler(db2, edge, p2).tick();
    expect(p2.posts).toHaveLength(1);
  });

  it('catches up a late-evening digest missed over midnight (yesterday\'s run, still within the window)', async () => {
    const { db } = await setUp([{ id: 'C1', time: '23:30', zone: 'America/Chicago' }]);
    const p = new FakePlatform();
    const clock = new Clock(utc('2026-02-11T06:30')); // 00:30 on the 11th, local
    await scheduler(db, clock, p).tick();
    expect(postsOf(p, 'C1')).toEqual([{ date: '2026-02-10', at: '2026-02-11T06:30:00.000Z' }]);
  });

  it('after a crash between claim and post, waits for the lease, then asks the platform before posting', async () => {
    for (const alreadyPosted of [true, false]) {
      const { db, store } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }]);
      const p = new FakePlatform();
      const t0 = utc('2026-02-10T14:00:10');
      const runKey = runKeyOf(key('C1'), '2026-02-10');
      // owner A claims and dies; with alreadyPosted, its message went out just before the crash
      expect((await store.claim(key('C1'), '2026-02-10', 'A', t0 + 120_000, t0))).toBe(true);
      if (alreadyPosted) p.messages.set(runKey, 'mA');
      const clock = new Clock(t0 + 1000);
      const b = scheduler(db, clock, p, { owner: 'B' });
      await tickThrough(b, clock, clock.t, t0 + 120_000 + 1); // every 30 s until the lease ends (inclusive)
      expect(p.posts).toEqual([]);
      expect(p.finds).toEqual([]);
      clock.t = t0 + 120_001;
      await b.tick();
      expect(p.finds).toEqual([runKey]);
      if (alreadyPosted) {
        expect(p.posts).toEqual([]);
        expect((await store.run(key('C1'), '2026-02-10'))).toMatchObject({ owner: 'B', messageId: 'mA' });
      } else {
        expect(p.posts.map((x) => x.owner)).toEqual(['B']);
        expect((await store.run(key('C1'), '2026-02-10'))).toMatchObject({ owner: 'B', messageId: 'm1' });
      }
      await tickThrough(b, clock, clock.t, utc('2026-02-11T06:00'));
      expect(p.finds).toHaveLength(1);
      expect(p.posts).toHaveLength(alreadyPosted ? 0 : 1);
    }
  });

  it('posts a digest of several parts whole once: cut short after part 1, the next owner posts only parts 2 and 3', async () => {
    const { db, store } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }]);
    const clock = new Clock(utc('2026-02-10T14:00:10'));
    const runKey = runKeyOf(key('C1'), '2026-02-10');
    /** The platform's messages of the run, by part; part 2's first post fails (the process died there). */
    const parts = new Map<number, string>();
    const sent: { part: number; owner: string }[] = [];
    const finds: number[][] = [];
    let failPart2 = true;
    const partsOf = (): PostedPart[] => [...parts].map(([part, messageId]) => ({ part, of: 3, messageId }));
    const make = (owner: string) => new DigestScheduler({
      store: db.digests, owner, now: clock.now,
      publish: async (_target, _date, k, posted) => {
        expect(k).toBe(runKey);
        let first: string | undefined;
        for (const part of [1, 2, 3]) {
          if (posted.some((p) => p.part === part)) continue;
          if (part === 2 && failPart2) { failPart2 = false; throw new Error('the connection dropped'); }
          parts.set(part, `m${part}`);
          sent.push({ part, owner });
          first ??= `m${part}`;
        }
        return first ? { messageId: first } : {};
      },
      findPosted: async () => { finds.push([...parts.keys()]); return partsOf(); },
    });
    await make('A').tick();
    expect(sent).toEqual([{ part: 1, owner: 'A' }]);
    const b = make('B');
    await tickThrough(b, clock, clock.t, utc('2026-02-10T14:02:10')); // A's lease
    expect(sent).toHaveLength(1);
    await tickThrough(b, clock, clock.t, utc('2026-02-11T06:00'));
    expect(finds).toEqual([[1]]);
    expect(sent).toEqual([{ part: 1, owner: 'A' }, { part: 2, owner: 'B' }, { part: 3, owner: 'B' }]);
    // The run's message is its first part, posted by A.
    expect(await store.run(key('C1'), '2026-02-10')).toMatchObject({ owner: 'B', messageId: 'm1' });
    expect(wholePost(partsOf())).toBe(true);
    expect(wholePost([{ part: 1, of: 3, messageId: 'm1' }, { part: 3, of: 3, messageId: 'm3' }])).toBe(false);
    expect(wholePost([])).toBe(false);
  });

  it('keeps going when one channel fails, retries it after the lease, and never logs the error text', async () => {
    const { db } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }, { id: 'C2', time: '08:00', zone: 'America/Chicago' }, { id: 'C3', time: '08:00', zone: 'Mars/Olympus_Mons' }]);
    const p = new FakePlatform();
    p.failNext.set('C1', 1);
    const log = logger();
    const clock = new Clock(utc('2026-02-10T14:00'));
    const s = scheduler(db, clock, p, { log });
    await s.tick();
    expect(postsOf(p, 'C2')).toHaveLength(1);
    expect(postsOf(p, 'C1')).toEqual([]);
    await tickThrough(s, clock, clock.t + 30_000, utc('2026-02-10T15:00'));
    expect(postsOf(p, 'C1')).toEqual([{ date: '2026-02-10', at: '2026-02-10T14:02:30.000Z' }]); // the first tick after 2 min
    expect(p.finds).toEqual([runKeyOf(key('C1'), '2026-02-10')]); // a retry is a recovery: the failed post may have gone out
    expect(p.posts).toHaveLength(2);
    const text = log.lines.join('\n');
    expect(text).toMatch(/digest\.post_failed/);
    expect(text).toMatch(/digest\.bad_setting/);
    expect(log.lines.filter((l) => l.includes('digest.bad_setting'))).toHaveLength(1);
    expect(text).not.toMatch(/Jane|Roe|Slack said no|Mars/);
  });

  it('gives up on a post that keeps failing when the catch-up window closes', async () => {
    const { db } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }]);
    const p = new FakePlatform();
    p.failNext.set('C1', Infinity);
    let attempts = 0;
    let last = 0;
    const clock = new Clock(0);
    const s = new DigestScheduler({
      store: db.digests, owner: 'A', now: clock.now, catchUpMs: HOUR,
      publish: async () => { attempts++; last = clock.t; throw new Error('down'); },
      findPosted: async () => [],
    });
    await tickThrough(s, clock, utc('2026-02-10T13:00'), utc('2026-02-10T20:00'));
    expect(attempts).toBe(24); // 14:00, then every lease (2 min, seen at the next 30 s tick: 2.5 min) within the hour
    expect(last).toBeLessThan(utc('2026-02-10T15:00'));
  });

  it('never runs two ticks at once, and gives up waiting on a post that hangs past the lease', async () => {
    const { store } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }]);
    let release: (v: { messageId?: string }) => void = () => {};
    let calls = 0;
    const clock = new Clock(utc('2026-02-10T14:00'));
    const s = new DigestScheduler({
      store, owner: 'A', now: clock.now, leaseMs: 50, // real ms for the hang timer; the clock stands still
      publish: () => { calls++; return new Promise((r) => { release = r; }); },
      findPosted: async () => [],
    });
    const a = s.tick();
    const b = s.tick();
    expect(b).toBe(a);
    await a; // resolves after the 50 ms lease, without the post
    expect(calls).toBe(1);
    expect((await store.run(key('C1'), '2026-02-10'))?.sentAt).toBeUndefined();
    release({ messageId: 'late' }); // the post completes after all: still recorded, this owner still holds the run
    await vi.waitFor(async () => expect((await store.run(key('C1'), '2026-02-10'))).toMatchObject({ messageId: 'late' }));
  });

  it('ticks on its own timer once started, and stops', async () => {
    const { db } = await setUp([{ id: 'C1', time: '08:00', zone: 'America/Chicago' }]);
    const p = new FakePlatform();
    const clock = new Clock(utc('2026-02-10T14:00'));
    // Each pass reads the clock: counting the reads shows the timer ticking, with no sleep to guess at.
    let reads = 0;
    const read = clock.now;
    clock.now = () => (reads++, read());
    const s = scheduler(db, clock, p);
    s.start(5);
    await vi.waitFor(() => expect(p.posts).toHaveLength(1));
    const after = reads;
    await vi.waitFor(() => expect(reads).toBeGreaterThanOrEqual(after + 3)); // more passes on the timer
    await s.stop();
    expect(p.posts).toHaveLength(1);
  });

  it('posts each channel\'s digest exactly once across three real processes on one database file', async (ctx) => {
    const worker = `${ROOT}/test/support/digest-worker.js`;
    const built = `${ROOT}/dist/src/scheduler/digest-scheduler.js`;
    if (!existsSync(built)) {
      console.log(`skipped: ${built} is not built (run npx tsc -p tsconfig.build.json, or npm test)`);
      ctx.skip();
      return;
    }
    const path = tempDbPath();
    const ids = ['P1', 'P2', 'P3', 'P4', 'P5'];
    const zones = ['America/Chicago', 'America/New_York', 'America/Denver', 'America/Los_Angeles', 'America/Phoenix'];
    // all due at the same instant, 14:00:00Z (08:00 in Chicago), each in its own zone's local time
    await (await setUp(ids.map((id, i) => ({ id, time: DateTime.fromMillis(utc('2026-02-10T14:00'), { zone: zones[i]! }).toFormat('HH:mm'), zone: zones[i]! })), path)).db.close();
    const out = `${path}.posts`;
    writeFileSync(out, '');
    const realStart = Date.now() + 1200; // time for all three to load, also on a busy machine
    const fakeStart = utc('2026-02-10T14:00') - 300; // they tick 300 ms before the digests are due, then race
    const runs = ['W1', 'W2', 'W3'].map((owner) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [worker, path, out, owner, String(fakeStart), String(realStart), '1500']);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    }));
    const results = await Promise.all(runs);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(Number(/ticks=(\d+)/.exec(r.stdout)?.[1])).toBeGreaterThan(5); // they did race (a busy machine ticks less)
    }
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
    expect(lines.sort()).toEqual(ids.map((id) => runKeyOf(key(id), '2026-02-10')).sort());
    const db = sqliteStorage(path);
    const store = db.digests;
    for (const id of ids) expect((await store.run(key(id), '2026-02-10'))?.sentAt).toBeDefined();
    db.close();
  }, 20_000);
});

describe('parseDigestSetting', () => {
  it('reads a time, a zone and the days', async () => {
    expect(parseDigestSetting('here 8:00 America/Chicago')).toEqual({ kind: 'set', localTime: '08:00', zone: 'America/Chicago', weekdays: WEEKDAYS });
    expect(parseDigestSetting('here 7:30am America/New_York weekdays')).toEqual({ kind: 'set', localTime: '07:30', zone: 'America/New_York', weekdays: WEEKDAYS });
    expect(parseDigestSetting('here 8:00 America/Denver every day')).toEqual({ kind: 'set', localTime: '08:00', zone: 'America/Denver', weekdays: EVERY_DAY });
    expect(parseDigestSetting('digest here 8:30 am america/los_angeles daily')).toEqual({ kind: 'set', localTime: '08:30', zone: 'America/Los_Angeles', weekdays: EVERY_DAY });
    expect(parseDigestSetting('here at 4pm in Europe/London mon-sat')).toEqual({ kind: 'set', localTime: '16:00', zone: 'Europe/London', weekdays: [1, 2, 3, 4, 5, 6] });
    expect(parseDigestSetting('here 9:00 Australia/Sydney mon, wed, fri')).toEqual({ kind: 'set', localTime: '09:00', zone: 'Australia/Sydney', weekdays: [1, 3, 5] });
    expect(parseDigestSetting('8:00 UTC weekends')).toEqual({ kind: 'set', localTime: '08:00', zone: 'UTC', weekdays: [6, 7] });
  });

  it('reads no day or zone out of the names every object has', async () => {
    for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(parseDigestSetting(`here 8:00 America/Chicago ${word}`)).toMatchObject({ kind: 'error' });
    }
  });

  it('asks for what is missing', async () => {
    const noZone = parseDigestSetting('here 9:00');
    expect(noZone).toMatchObject({ kind: 'incomplete', missing: ['zone'], localTime: '09:00', weekdays: WEEKDAYS });
    expect(noZone.kind === 'incomplete' && noZone.message).toMatch(/time zone.*here 09:00 America\/Chicago/);
    expect(parseDigestSetting('here America/Chicago')).toMatchObject({ kind: 'incomplete', missing: ['time'], zone: 'America/Chicago' });
    expect(parseDigestSetting('here')).toMatchObject({ kind: 'incomplete', missing: ['time', 'zone'] });
  });

  it('turns it off, or shows it', async () => {
    for (const t of ['off', 'here off', 'off here', 'digest off', 'OFF']) expect(parseDigestSetting(t)).toEqual({ kind: 'off' });
    for (const t of ['', 'show', 'show here', 'digest', '  Show ']) expect(parseDigestSetting(t)).toEqual({ kind: 'show' });
  });

  it('says clearly what is wrong', async () => {
    const message = (t: string) => {
      const r = parseDigestSetting(t);
      expect(r.kind, t).toBe('error');
      return r.kind === 'error' ? r.message : '';
    };
    expect(message('here 8:00 America/Chikago')).toMatch(/not a time zone I know.*America\/Chicago/);
    expect(message('here 8:00 CST')).toMatch(/say America\/Chicago/);
    expect(message('here 8:00 EST')).toMatch(/America\/New_York/);
    expect(message('here 8:00 Chicago')).toMatch(/did you mean America\/Chicago/);
    expect(message('here 25:00 America/Chicago')).toMatch(/not a time of day/);
    expect(message('here 8 America/Chicago')).toMatch(/morning or evening/);
    expect(message('here 8:00 9:00 America/Chicago')).toMatch(/Two times/);
    expect(message('here 8:00 America/Chicago Europe/London')).toMatch(/Two time zones/);
    expect(message('tomorrow please')).toMatch(/did not understand/);
    expect(message('here 8:00 America/Chicago fortnightly')).toMatch(/did not understand "fortnightly"/);
  });

  it('reads a schedule back', async () => {
    expect(describeSchedule({ localTime: '08:00', zone: 'America/Chicago', weekdays: WEEKDAYS })).toBe('08:00 America/Chicago, weekdays');
    expect(describeSchedule({ localTime: '07:30', zone: 'UTC', weekdays: EVERY_DAY })).toBe('07:30 UTC, every day');
    expect(describeSchedule({ localTime: '07:30', zone: 'UTC', weekdays: [1, 3] })).toBe('07:30 UTC, Mon Wed');
  });
});
