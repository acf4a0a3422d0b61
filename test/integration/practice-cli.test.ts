/** `medbill practice show|set` (src/root/practice.ts): MEDBILL_PRACTICE's own settings, validated, seen by no other practice. */
import { describe, expect, it } from 'vitest';
import { cli, tempDbPath } from '../helpers.js';

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

  it('refuses a malformed MEDBILL_PRACTICE as a usage error', () => {
    const res = cli(['practice', 'show'], undefined, { MEDBILL_PRACTICE: 'slack T1; drop' });
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/MEDBILL_PRACTICE.*practice id/);
  });
});
