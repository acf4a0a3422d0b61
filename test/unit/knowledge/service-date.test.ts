/**
 * A date of service typed in chat (issue 22): it chooses the ICD-10-CM code set of its fiscal year, so it must
 * survive the privacy scrubber as far as that needs and no further. A date of service typed with its year keeps
 * only its fiscal year in the text ("DOS [date removed: service in FY2027]"); a date of birth, or a full date with
 * no service words before it, is removed whole, as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scrubIdentifiers } from '../../../src/privacy/scrubber.js';
import { findServiceDate } from '../../../src/knowledge/service-date.js';
import { extractFacts } from '../../../src/knowledge/extract.js';
import { openEngine } from '../../support/house.js';
import { sqliteStorage } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import type { Reply } from '../../../src/engine/model.js';
import { cli, kn } from '../../helpers.js';

describe('the scrubber keeps only the fiscal year of a date of service', () => {
  it.each([
    ['DOS 10/3/2026, sinus pain after ext #3', '10/3/2026', 'FY2027'],
    ['service date 2026-10-03', '2026-10-03', 'FY2027'],
    ['seen on Oct 3 2026 for sinus pain', 'Oct 3 2026', 'FY2027'],
    ['date of service: 9/30/2026', '9/30/2026', 'FY2026'],
    ['surgery scheduled for 1/15/2027', '1/15/2027', 'FY2027'],
    ['D.O.S. 3-Oct-2026', '3-Oct-2026', 'FY2027'],
  ])('%s', (text, date, fy) => {
    const s = scrubIdentifiers(text);
    expect(s.text).not.toContain(date);
    expect(s.text).toContain(`[date removed: service in ${fy}]`);
    expect(s.found).toContain('date');
  });

  it.each([
    ['DOB 3/4/1980', '3/4/1980'],
    ['born 1980-03-04', '1980-03-04'],
    ['pt 10/3/2026 needs ext', '10/3/2026'], // a bare full date: no service words
    ['DOS 3/4/1980', '3/4/1980'], // before ICD-10-CM: a slip (or a birth date), removed whole
    ['DOS 10/3/2026 DOB 3/4/1980', '3/4/1980'],
  ])('removes %s whole, with no fiscal year left', (text, date) => {
    const s = scrubIdentifiers(text);
    expect(s.text).not.toContain(date);
    expect(s.text).not.toMatch(/FY19/);
    expect(s.found).toContain('date');
    if (!/DOS 10/.test(text)) expect(s.text).not.toContain('service in FY');
  });

  it('scrubbing the scrubbed text again changes nothing', () => {
    const once = scrubIdentifiers('DOS 10/3/2026, J34.830').text;
    expect(scrubIdentifiers(once)).toEqual({ text: once, found: [] });
  });
});

describe('findServiceDate reads only a date that service words introduce', () => {
  it.each([
    ['DOS 10/3/2026', undefined, '2026-10-03'],
    ['service date 2026-10-03', undefined, '2026-10-03'],
    ['seen on Oct 3 2026', undefined, '2026-10-03'],
    ['DOS 10/3/26', undefined, '2026-10-03'],
    ['DOS [date removed: service in FY2027]', undefined, '2026-10-01'],
    ['DOS 10/3', '2026-12-07', '2026-10-03'], // without a year: the nearest one behind today
    ['extraction scheduled for 1/15', '2026-12-07', '2027-01-15'], // planned: the nearest one ahead
    ['DOS 10/3', undefined, undefined], // without a year and without today: not read
    ['DOB 3/4/1980', '2026-12-07', undefined],
    ['born 1980-03-04', '2026-12-07', undefined],
    ['10/3/2026 sinus pain', '2026-12-07', undefined],
    ['DOS 13/45/2026', '2026-12-07', undefined],
  ])('%s (today %s) → %s', (text, today, want) => {
    expect(findServiceDate(text, today)).toBe(want);
  });

  it('extractFacts sets CaseFacts.serviceDate', () => {
    expect(extractFacts('ext #3, odontogenic sinusitis J34.830, Aetna medical, DOS 10/3/2026', kn).facts.serviceDate).toBe('2026-10-03');
    expect(extractFacts('ext #3, Aetna medical, DOB 3/4/1980', kn).facts.serviceDate).toBeUndefined();
  });
});

describe('a date of service typed in chat chooses the code set (J34.830 is valid from 2026-10-01)', () => {
  const opened: SqliteStorage[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()?.close();
  });

  async function ask(text: string): Promise<string> {
    const d = sqliteStorage();
    opened.push(d);
    const engine = openEngine(d, { zone: 'America/Chicago', now: () => Date.parse('2026-12-07T15:00:00Z') });
    const rs: Reply[] = await engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: { kind: 'text', text } });
    return rs.map((r) => [r.text, ...r.parts.map((p) => JSON.stringify(p))].join('\n')).join('\n');
  }
  const CASE = 'ext #3 for an infection with swelling into the sinus, J34.830, Aetna medical and Delta dental separate plans';

  it('"DOS 10/3/2026" is FY2027: J34.830 is kept, and the date itself is not repeated', async () => {
    const said = await ask(`${CASE}, DOS 10/3/2026`);
    expect(said).toMatch(/date of service: in FY2027/);
    expect(said).toMatch(/J34\.830/);
    expect(said).not.toMatch(/J34\.830[^"]*is not a valid ICD-10-CM code/);
    expect(said).not.toContain('10/3/2026');
  });

  it('"DOS 9/28/2026" is FY2026: J34.830 is not valid yet', async () => {
    const said = await ask(`${CASE}, DOS 9/28/2026`);
    expect(said).toMatch(/date of service: in FY2026/);
    expect(said).toMatch(/J34\.830[^"]*is not a valid ICD-10-CM code for the date of service \(FY2026\): it is new in FY2027/);
    expect(said).not.toContain('9/28/2026');
  });

  it('"DOS 10/3" (no year) is read against the practice\'s today', async () => {
    const said = await ask(`${CASE}, DOS 10/3`);
    expect(said).toMatch(/date of service: 2026-10-03/);
    expect(said).not.toMatch(/J34\.830[^"]*is not a valid ICD-10-CM code/);
  });

  it('a date of service said after the case is described updates it', async () => {
    const d = sqliteStorage();
    opened.push(d);
    const engine = openEngine(d, { zone: 'America/Chicago', now: () => Date.parse('2026-12-07T15:00:00Z') });
    const send = async (text: string) => (await engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: { kind: 'text', text } }))
      .map((r) => [r.text, ...r.parts.map((p) => JSON.stringify(p))].join('\n')).join('\n');
    expect(await send(CASE)).toMatch(/J34\.830[^"]*is not a valid ICD-10-CM code for a service on 2026-12-07|J34\.830/);
    const later = await send('DOS 10/3/2026');
    expect(later).toMatch(/date of service: in FY2027/);
    expect(later).not.toMatch(/J34\.830[^"]*is not a valid ICD-10-CM code/);
  });

  it('medbill ask reads the date of service from the words (nothing is scrubbed on the command line)', () => {
    const { code, out } = cli(['ask', '--json', `${CASE}, DOS 10/3/2026`]);
    expect(code).toBe(0);
    const { facts, result } = JSON.parse(out) as { facts: { serviceDate?: string }; result: { diagnosisCodes: { code: string }[] } };
    expect(facts.serviceDate).toBe('2026-10-03');
    expect(result.diagnosisCodes.map((c) => c.code)).toContain('J34.830');
  });
});
