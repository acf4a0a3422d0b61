/** `medbill practice show|set` (src/root/practice.ts): MEDBILL_PRACTICE's own settings, validated, seen by no other practice. */
import { describe, expect, it } from 'vitest';
import { cli, tempDbPath } from '../helpers.js';
import { claimService, sqliteStorage } from '../support/storage.js';

describe('medbill practice', () => {
  it('sets a practice\'s zone, follow-up days and appeal windows, which another practice does not see', () => {
    const db = tempDbPath('medbill-practice-');
    const t1 = { MEDBILL_DB: db, MEDBILL_PRACTICE: 'slack:T1', MEDBILL_TIME_ZONE: 'America/New_York' };
    const set = cli(['practice', 'set', '--zone', 'America/Chicago', '--follow-up', 'first=21', '--appeal', 'commercial=120', '--appeal', 'dental=90'], undefined, t1);
    expect(set.err).toBe('');
    expect(set.code).toBe(0);
    expect(set.out).toContain('Practice slack:T1: saved');
    const shown = cli(['practice', 'show'], undefined, t1).out;
    expect(shown).toContain('zone: America/Chicago');
    expect(shown).toContain('first follow-up: 21 days after submission (set for this practice)');
    expect(shown).toMatch(/follow-up after that: every 7 days \(knowledge\/followup\.json\)/);
    expect(shown).toContain('commercial: 120 days (set for this practice)');
    expect(shown).toContain('dental: 90 days (set for this practice)');
    expect(shown).toContain('medicare: 120 days (knowledge/followup.json)');
    // Practice T2 and the default practice have none of it.
    for (const other of [{ MEDBILL_PRACTICE: 'slack:T2' }, { MEDBILL_PRACTICE: 'default' }]) {
      const out = cli(['practice', 'show'], undefined, { MEDBILL_DB: db, MEDBILL_TIME_ZONE: 'America/New_York', ...other }).out;
      expect(out).toContain('zone: America/New_York (MEDBILL_TIME_ZONE)');
      expect(out).toContain('first follow-up: 14 days after submission (knowledge/followup.json)');
      expect(out).toContain('commercial: 180 days (knowledge/followup.json)');
    }
    // A later set keeps what it is not given; "default" drops one.
    const again = cli(['practice', 'set', '--appeal', 'dental=default'], undefined, t1).out;
    expect(again).toContain('zone: America/Chicago');
    expect(again).toContain('dental: 180 days (knowledge/followup.json)');
    expect(again).toContain('commercial: 120 days (set for this practice)');
  });

  it.each([
    [['set', '--zone', 'Mars/Olympus'], /--zone: "Mars\/Olympus" is not an IANA time zone/],
    [['set', '--zone', 'EST'], /not an IANA time zone/],
    [['set', '--appeal', 'medical=120'], /--appeal: unknown claim kind "medical" \(one of: medicare, /],
    [['set', '--follow-up', 'second=3'], /--follow-up: unknown setting "second" \(one of: first, repeat\)/],
    [['set', '--appeal', 'commercial=0'], /days must be a whole number from 1 to 730/],
    [['set', '--follow-up', 'first=-3'], /days must be a whole number from 1 to 365/],
    [['set', '--appeal', 'commercial=12.5'], /days must be a whole number/],
    [['set', '--appeal', 'commercial'], /--appeal takes NAME=DAYS/],
    [['set'], /practice set needs --zone, --follow-up or --appeal/],
    [['frobnicate'], /practice takes show or set/],
  ])('refuses %j as a usage error (exit 2), changing nothing', (args, message) => {
    const db = tempDbPath('medbill-practice-bad-');
    const res = cli(['practice', ...args], undefined, { MEDBILL_DB: db });
    expect(res.code).toBe(2);
    expect(res.err).toMatch(message);
    expect(cli(['practice', 'show'], undefined, { MEDBILL_DB: db }).out).toContain('(knowledge/followup.json)');
  });

  it('acts on MEDBILL_PRACTICE\'s claims only: today and claims update', async () => {
    const path = tempDbPath('medbill-practice-claims-');
    const db = sqliteStorage(path);
    const claims = claimService(db.practice('slack:T1'), () => Date.parse('2026-01-20T15:00:00Z'));
    const plan = await claims.draft({ caseId: 'C-7K3Q9', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['D7240'], diagnoses: ['K01.1'], billedCents: 41250, serviceDate: '2026-01-02', submittedDate: '2026-01-05' }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claims.commit(plan))) throw new Error('seed failed');
    await db.close();
    const env = (practice: string) => ({ MEDBILL_DB: path, MEDBILL_TIME_ZONE: 'America/Chicago', MEDBILL_PRACTICE: practice });
    expect(cli(['today'], undefined, env('slack:T1')).out).toContain('C-7K3Q9 · Aetna');
    expect(cli(['today'], undefined, env('default')).out).not.toContain('C-7K3Q9');
    const other = cli(['claims', 'update', 'C-7K3Q9 paid $412.50'], undefined, env('slack:T2'));
    expect(other.code).toBe(1); // nothing recorded: T2 has no such claim
    expect(other.out).toMatch(/I have no claim or case C-7K3Q9/);
    const reopened = sqliteStorage(path);
    try {
      expect(await reopened.practice('slack:T1').claims.get('C-7K3Q9')).toMatchObject({ status: 'submitted', version: 1 });
    } finally {
      await reopened.close();
    }
  }, 30_000);

  it('refuses a malformed MEDBILL_PRACTICE as a usage error', () => {
    const res = cli(['practice', 'show'], undefined, { MEDBILL_PRACTICE: 'slack T1; drop' });
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/MEDBILL_PRACTICE.*practice id/);
  });
});
