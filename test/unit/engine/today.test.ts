/**
 * "Today" is the date on the wall where something was said (src/today.ts): the practice's zone, or a digest
 * channel's own zone there, from an injected clock, never the machine's zone. Checked at the instants where
 * the UTC date and the local date differ: 02:30 UTC (the evening before in the Americas), 13:30 UTC (the next
 * day in Sydney and Auckland), and around both daylight-saving changes in Chicago and Auckland. Then through
 * the engine (a denial, a payment, a report's month, a letter's month) and the command line, where the
 * machine's clock is faked with Debian's faketime and its zone set to one the practice is not in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRACTICE_ZONE, localDate, todayIn } from '../../../src/today.js';
import { loadConfig } from '../../../src/config.js';
import { validateFactValue } from '../../../src/letters/fact-values.js';
import { openEngine, shelf } from '../../support/house.js';
import { templateById } from '../../../src/letters/templates.js';
import type { Input, Reply } from '../../../src/engine/model.js';
import { renderRepliesText } from '../../../src/reply-text.js';
import { ROOT, tempDbPath } from '../../helpers.js';
import { claimService, sqliteStorage } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';

const at = (iso: string) => () => Date.parse(iso);

describe('localDate: a zone\'s date kept for its quarter hour', () => {
  it('is the date the platform gives at every instant, for zones a quarter or half hour off, across their clock changes', () => {
    const fresh = (ms: number, zone: string) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ms);
      const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
      return `${part('year')}-${part('month')}-${part('day')}`;
    };
    // Nepal +05:45, Eucla +08:45, Chatham +12:45/+13:45, St John's -03:30/-02:30, Chicago; around both of Chatham's and
    // St John's 2026 changes, every 7 minutes (not a divisor of 15: the instants fall everywhere in a quarter hour).
    const zones = ['Asia/Kathmandu', 'Australia/Eucla', 'Pacific/Chatham', 'America/St_Johns', 'America/Chicago'];
    let checked = 0;
    for (const day of ['2026-04-04T00:00:00Z', '2026-09-26T00:00:00Z', '2026-03-08T00:00:00Z', '2026-11-01T00:00:00Z']) {
      for (let ms = Date.parse(day); ms < Date.parse(day) + 2 * 86_400_000; ms += 7 * 60_000) {
        for (const zone of zones) {
          expect(localDate(ms, zone), `${new Date(ms).toISOString()} ${zone}`).toBe(fresh(ms, zone));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(8000);
  });

  it('works an instant before 1980 out in full (offsets then were not all whole quarter hours)', () => {
    // Monrovia was 44 minutes 30 seconds behind UTC until 1972: 00:30 UTC on 1 Jan 1970 was still 31 Dec there.
    expect(localDate(Date.parse('1970-01-01T00:30:00Z'), 'Africa/Monrovia')).toBe('1969-12-31');
    expect(localDate(Date.parse('1970-01-01T00:50:00Z'), 'Africa/Monrovia')).toBe('1970-01-01');
  });
});

describe('todayIn: the local date where it was said', () => {
  // Each row: an instant, a zone, the date on the wall there, worked out by hand from the zone's offset.
  it.each([
    // 02:30 UTC: still the evening before everywhere in the Americas.
    ['2026-12-08T02:30:00Z', 'America/Chicago', '2026-12-07'],
    ['2026-12-08T02:30:00Z', 'America/New_York', '2026-12-07'],
    ['2026-12-08T02:30:00Z', 'America/Los_Angeles', '2026-12-07'],
    ['2026-12-08T02:30:00Z', 'UTC', '2026-12-08'],
    ['2026-12-08T02:30:00Z', 'Pacific/Auckland', '2026-12-08'],
    // 13:30 UTC: already the next day in Sydney (+11) and Auckland (+13), not in the Americas.
    ['2026-12-07T13:30:00Z', 'Australia/Sydney', '2026-12-08'],
    ['2026-12-07T13:30:00Z', 'Pacific/Auckland', '2026-12-08'],
    ['2026-12-07T13:30:00Z', 'America/Chicago', '2026-12-07'],
    ['2026-12-07T13:30:00Z', 'UTC', '2026-12-07'],
    // Chicago springs forward on 2026-03-08 (CST -6 → CDT -5): midnight moves an hour earlier in UTC.
    ['2026-03-08T05:30:00Z', 'America/Chicago', '2026-03-07'],
    ['2026-03-08T06:30:00Z', 'America/Chicago', '2026-03-08'],
    ['2026-03-09T04:30:00Z', 'America/Chicago', '2026-03-08'],
    ['2026-03-09T05:30:00Z', 'America/Chicago', '2026-03-09'],
    // Chicago falls back on 2026-11-01 (CDT -5 → CST -6).
    ['2026-11-01T04:30:00Z', 'America/Chicago', '2026-10-31'],
    ['2026-11-01T05:30:00Z', 'America/Chicago', '2026-11-01'],
    ['2026-11-02T05:30:00Z', 'America/Chicago', '2026-11-01'],
    ['2026-11-02T06:30:00Z', 'America/Chicago', '2026-11-02'],
    // Auckland leaves daylight time on 2026-04-05 (NZDT +13 → NZST +12) and returns to it on 2026-09-27.
    ['2026-04-04T10:30:00Z', 'Pacific/Auckland', '2026-04-04'],
    ['2026-04-04T11:30:00Z', 'Pacific/Auckland', '2026-04-05'],
    ['2026-04-05T11:30:00Z', 'Pacific/Auckland', '2026-04-05'],
    ['2026-04-05T12:30:00Z', 'Pacific/Auckland', '2026-04-06'],
    ['2026-09-26T11:30:00Z', 'Pacific/Auckland', '2026-09-26'],
    ['2026-09-26T12:30:00Z', 'Pacific/Auckland', '2026-09-27'],
    ['2026-09-27T10:30:00Z', 'Pacific/Auckland', '2026-09-27'],
    ['2026-09-27T11:30:00Z', 'Pacific/Auckland', '2026-09-28'],
  ])('at %s in %s it is %s', (instant, zone, date) => {
    expect(todayIn(zone, at(instant))).toBe(date);
  });

  it('defaults the practice to a fixed zone, not the machine\'s, and says so', async () => {
    const config = loadConfig({});
    expect(config.zone).toBe(DEFAULT_PRACTICE_ZONE);
    expect(config.zoneIsDefault).toBe(true);
    expect(loadConfig({ MEDBILL_TIME_ZONE: 'America/Denver' })).toMatchObject({ zone: 'America/Denver', zoneIsDefault: false });
    // In another process whose machine zone is Auckland, the practice's default is still the same.
    const zone = execFileSync(process.execPath, ['--input-type=module', '-e', `import { loadConfig } from ${JSON.stringify(join(ROOT, 'dist/src/config.js'))}; process.stdout.write(loadConfig({}).zone)`], { env: { ...process.env, TZ: 'Pacific/Auckland' } }).toString();
    expect(zone).toBe(DEFAULT_PRACTICE_ZONE);
  });
});

describe('dates recorded and shown through the engine', () => {
  const opened: SqliteStorage[] = [];
  afterEach(async () => {
    while (opened.length) opened.pop()?.close();
  });

  async function practice(zone: string, instant: string) {
    const db = sqliteStorage(':memory:');
    opened.push(db);
    const engine = openEngine(db, { zone, now: at(instant) });
    const claims = claimService(db, at(instant));
    const plan = await claims.draft({ caseId: 'C-TDAY2', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: '2026-11-02' }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claims.commit(plan))) throw new Error('seeding the claim failed');
    const say = (text: string, where: { channel?: string } = {}) => engine.handle({ platform: 'slack', tenant: 'T0PRAC', user: 'U0BILL', conversation: where.channel ?? 'dm', direct: !where.channel, ...where, input: { kind: 'text', text } as Input });
    return { db, claims, say };
  }
  const textOf = (rs: Reply[]) => JSON.stringify(rs);

  it('dates a denial typed at 02:30 UTC in Chicago the evening before, with the appeal deadline from it', async () => {
    const { claims, say } = await practice('America/Chicago', '2026-12-08T02:30:00Z');
    await say('C-TDAY2 denied CO-50');
    expect((await claims.get('C-TDAY2'))).toMatchObject({ status: 'denied', deniedDate: '2026-12-07', appealDeadline: '2027-06-05' });
  });

  it('dates a payment typed at 13:30 UTC in Auckland the next day', async () => {
    const { claims, say } = await practice('Pacific/Auckland', '2026-12-07T13:30:00Z');
    await say('C-TDAY2 paid $650 today');
    expect((await claims.get('C-TDAY2'))).toMatchObject({ status: 'paid', paidDate: '2026-12-08' });
  });

  it('dates what is pressed or typed in a digest channel by the channel\'s zone, not the practice\'s', async () => {
    // The practice is in Auckland (already Dec 8); the billing channel's digest runs on Chicago's clock (Dec 7).
    const { db, claims, say } = await practice('Pacific/Auckland', '2026-12-08T02:30:00Z');
    await db.digests.setChannel({ address: { platform: 'slack', tenant: 'T0PRAC', channel: 'C0BILLING' }, localTime: '08:00', zone: 'America/Chicago', weekdays: [1, 2, 3, 4, 5] }, 0);
    await say('C-TDAY2 denied CO-50', { channel: 'C0BILLING' });
    expect((await claims.get('C-TDAY2'))).toMatchObject({ deniedDate: '2026-12-07' });
    // "today" there is the channel's date too; in a direct message it is the practice's.
    expect(textOf(await say('today', { channel: 'C0BILLING' }))).toMatch(/Claims for Mon Dec 7, 2026/);
    expect(textOf(await say('today'))).toMatch(/Claims for Tue Dec 8, 2026/);
  });

  it('reports the month it still is where the practice is', async () => {
    expect(textOf(await (await practice('America/Chicago', '2026-12-01T02:30:00Z')).say('report'))).toMatch(/November 2026/);
    expect(textOf(await (await practice('Pacific/Auckland', '2026-12-01T02:30:00Z')).say('report'))).toMatch(/December 2026/);
  });

  it('refuses a letter\'s month that has not come yet where the practice is', async () => {
    const month = templateById('trauma', shelf.letters())?.facts.find((f) => f.type === 'month-year' && f.past);
    if (!month) throw new Error('the trauma letter asks the month of the injury');
    const onFirst = at('2026-12-01T02:30:00Z');
    expect(validateFactValue(month, 'December 2026', todayIn('America/Chicago', onFirst))).toMatchObject({ ok: false, problem: expect.stringMatching(/not come yet/) });
    expect(validateFactValue(month, 'December 2026', todayIn('Pacific/Auckland', onFirst))).toEqual({ ok: true, value: 'December 2026' });
  });
});

// The command line reads the machine's clock (systemClock): faked here with Debian's faketime, as CI does.
const FAKETIME = ['/usr/bin/faketime', '/usr/local/bin/faketime'].find((p) => existsSync(p));
if (!FAKETIME && process.env.CI) throw new Error('faketime is missing: .ci/run should have installed Debian\'s faketime');
if (!FAKETIME) console.log('skipped: the command-line clock tests need Debian\'s faketime (apt-get install faketime)');

/** This process's environment without a faketime of its own (CI runs these tests under faketime too). */
const outsideFaketime = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME')));

describe.skipIf(!FAKETIME)('the command line on a faked clock, on a machine in another zone', () => {
  /** `medbill ARGS` at `utc` (YYYY-MM-DD HH:MM:SS, UTC) on a machine whose own zone is Auckland. */
  const medbill = (utc: string, env: Record<string, string>, ...args: string[]) => {
    const r = spawnSync(FAKETIME ?? 'faketime', [utc, 'env', 'TZ=Pacific/Auckland', process.execPath, join(ROOT, 'bin/medbill.js'), ...args], {
      env: { ...outsideFaketime(), TZ: 'UTC', MEDBILL_LOG: 'silent', ...env }, encoding: 'utf8', timeout: 20_000,
    });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };

  it('reports Chicago\'s month at 02:30 UTC on the first of the next', async () => {
    const db = tempDbPath();
    const r = medbill('2026-12-01 02:30:00', { MEDBILL_DB: db, MEDBILL_TIME_ZONE: 'America/Chicago' }, 'report');
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^November 2026:/m);
  });

  it('reads a claims import\'s "today" in the practice\'s zone: a date later than Chicago\'s today is refused', async () => {
    const db = tempDbPath();
    const csv = join(db, '..', 'claims.csv');
    // 2026-12-08 is UTC's date (and Auckland's) at this instant, but still tomorrow in Chicago.
    writeFileSync(csv, 'payer,plan type,cpt,submitted\nAetna,commercial,41100,2026-12-08\n');
    const r = medbill('2026-12-08 02:30:00', { MEDBILL_DB: db, MEDBILL_TIME_ZONE: 'America/Chicago' }, 'claims', 'import', csv, '--dry-run');
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/2026-12-08 is after today/);
  });

  /** A database with one claim whose first follow-up is due on Dec 7 (14 days after its submission). */
  const withClaimDueDec7 = async () => {
    const path = tempDbPath();
    const db = sqliteStorage(path);
    const claims = claimService(db, at('2026-11-23T15:00:00Z'));
    const plan = (await claims.draft({ caseId: 'C-TDAY3', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: '2026-11-23' }, { who: 'test', surface: 'test' }));
    if (!plan.ok || !(await claims.commit(plan))) throw new Error('seeding the claim failed');
    await db.close();
    return path;
  };

  it('prints "today" as the chat says it where the practice is: Chicago\'s evening before at 02:30 UTC', async () => {
    const path = await withClaimDueDec7();
    const r = medbill('2026-12-08 02:30:00', { MEDBILL_DB: path, MEDBILL_TIME_ZONE: 'America/Chicago' }, 'today');
    expect(r).toMatchObject({ status: 0, err: '' });
    expect(r.out).toMatch(/^Claims for Mon Dec 7, 2026: 1 to act on\./);
    expect(r.out).toMatch(/^Follow up today \(1\):\n {2}\* C-TDAY3 · Aetna · 41100 · \$650 · 14 days since submission · follow-up due today$/m);
    // The same replies typing "today" gets at that instant, rendered as text.
    const db = sqliteStorage(path);
    try {
      const replies = await openEngine(db, { zone: 'America/Chicago', now: at('2026-12-08T02:30:00Z') }).handle({ platform: 'terminal', user: 'u', conversation: 'c', direct: true, input: { kind: 'text', text: 'today' } });
      expect(r.out).toBe(`${renderRepliesText(replies)}\n`);
    } finally {
      db.close();
    }
  });

  it('previews the digest for the practice\'s date, or a digest channel\'s own', async () => {
    const env = { MEDBILL_DB: await withClaimDueDec7(), MEDBILL_TIME_ZONE: 'America/Chicago', MEDBILL_DIGEST: 'slack:C0AKL 8:00 Pacific/Auckland every day' };
    const practiceDay = medbill('2026-12-08 02:30:00', env, 'digest', '--preview');
    expect(practiceDay.status).toBe(0);
    expect(practiceDay.out).toMatch(/^Claims for Mon Dec 7, 2026: 1 to act on\.[^]*Follow up today \(1\)/);
    expect(practiceDay.err).toMatch(/^The digest for Mon Dec 7, 2026 in America\/Chicago/);
    // Already Tuesday afternoon in Auckland: the follow-up due on the 7th is overdue there.
    const auckland = medbill('2026-12-08 02:30:00', env, 'digest', '--preview', '--channel', 'slack:C0AKL');
    expect(auckland.status).toBe(0);
    expect(auckland.out).toMatch(/^Claims for Tue Dec 8, 2026: 1 to act on\.[^]*Overdue follow-ups \(1\):\n {2}\* C-TDAY3 · .* · follow-up was due Mon Dec 7, 2026$/m);
    expect(auckland.err).toMatch(/^The digest for Tue Dec 8, 2026 for slack:C0AKL \(08:00 Pacific\/Auckland, every day\), as it would be posted; it was not posted\.$/m);
  });

  it('says when a digest channel posts nothing on that day of the week', async () => {
    // 02:30 UTC on Sunday Dec 6 is Saturday evening in Chicago: a weekday digest is not posted.
    const env = { MEDBILL_DB: await withClaimDueDec7(), MEDBILL_DIGEST: 'slack:C0BILLING 8:00 America/Chicago' };
    const r = medbill('2026-12-06 02:30:00', env, 'digest', '--preview', '--channel', 'slack:C0BILLING');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^Claims for Sat Dec 5, 2026:/);
    expect(r.err).toContain('slack:C0BILLING gets no digest on Saturdays, so nothing would be posted there today.');
  });
});
