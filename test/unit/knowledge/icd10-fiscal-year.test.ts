/**
 * Issue 22, section 2: a diagnosis is checked against the ICD-10-CM code set of its date of service's fiscal
 * year (October 1 to September 30). FY2026 and FY2027 ship in knowledge/codes/; `serviceDate` in CaseFacts
 * chooses (default: today in the practice's zone). J34.830 (odontogenic sinusitis, maxillary) is new in FY2027;
 * M86.8X8 was billable in FY2026 and is a header in FY2027 (M86.8X80, M86.8X81 face and sinuses, M86.8X89).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR, loadKnowledge } from '../../../src/knowledge/load.js';
import { fiscalYearOf, validListFile } from '../../../src/knowledge/icd10-valid.js';
import { parseCaseFacts, InvalidFactsError, type CaseFacts } from '../../../src/knowledge/facts.js';
import { triage, type TriageResult } from '../../../src/knowledge/triage.js';
import { CodeIndex } from '../../../src/knowledge/lookup.js';
import { main } from '../../../src/cli.js';
import type { Io } from '../../../src/command-line.js';
import { cli, kn, run, shared, warningIds } from '../../helpers.js';

const separate = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } as const;
const extraction = (diagnosis: string, serviceDate?: string): CaseFacts => ({
  procedure: 'D7140 extraction #3', cause: 'infection', diagnoses: [diagnosis], coverage: separate, ...(serviceDate ? { serviceDate } : {}),
});
const dxCodes = (r: TriageResult) => r.diagnosisCodes.map((d) => d.code);
const unverified = (r: TriageResult) => r.warnings.find((w) => w.id === 'unverified-diagnosis')?.message ?? '';
const ruleIds = (r: TriageResult) => r.rules.map((x) => x.id);

describe('the fiscal year of a date of service', () => {
  it.each([
    ['2025-10-01', 2026], ['2026-01-01', 2026], ['2026-09-30', 2026],
    ['2026-10-01', 2027], ['2026-12-31', 2027], ['2027-09-30', 2027], ['2027-10-01', 2028],
  ])('%s is FY%i', (date, year) => expect(fiscalYearOf(date)).toBe(year));

  it('every shipped year is found in knowledge/codes/, each list with its own count', () => {
    expect(kn.icd10Lists.years).toEqual([2026, 2027]);
    expect(kn.icd10Lists.list(2027).verify()).toEqual({ count: 74_879, problems: [] });
    expect(kn.icd10Lists.forDate('2026-09-30').year).toBe(2026);
    expect(kn.icd10Lists.forDate('2026-10-01').year).toBe(2027);
  });

  it('J34.830 is only in FY2027; M86.8X8 only in FY2026, a header over M86.8X80, M86.8X81 and M86.8X89 in FY2027', () => {
    const [fy26, fy27] = [kn.icd10Lists.list(2026), kn.icd10Lists.list(2027)];
    expect([fy26.has('J34.830'), fy27.has('J34.830')]).toEqual([false, true]);
    expect([fy26.has('M86.8X8'), fy27.has('M86.8X8')]).toEqual([true, false]);
    expect(fy27.children('M86.8X8', 5)).toEqual({ count: 3, first: ['M86.8X80', 'M86.8X81', 'M86.8X89'] });
  });

  const sharedList = shared('data/icd10cm/icd10cm_codes_2027.valid-codes-only.txt');
  it.skipIf(!sharedList)('the FY2027 list is the shared one, line for line, sorted', () => {
    const shipped = readFileSync(join(DEFAULT_KNOWLEDGE_DIR, validListFile(2027)), 'latin1').split('\n').filter(Boolean);
    const original = readFileSync(sharedList ?? '', 'latin1').split('\n').filter(Boolean);
    expect(shipped).toEqual([...original].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe('serviceDate in CaseFacts, as the contract says', () => {
  it('is a YYYY-MM-DD calendar date; anything else is refused naming the field', () => {
    expect(parseCaseFacts(extraction('K04.7', '2026-10-01')).serviceDate).toBe('2026-10-01');
    for (const bad of ['2026-02-30', '10/01/2026', '2026-10-1', '', 20261001]) {
      expect(() => parseCaseFacts({ ...extraction('K04.7'), serviceDate: bad }), String(bad)).toThrow(InvalidFactsError);
      expect(() => parseCaseFacts({ ...extraction('K04.7'), serviceDate: bad }), String(bad)).toThrow(/serviceDate/);
    }
  });
});

describe('a diagnosis is checked against the code set of its date of service', () => {
  it('J34.830 on 2026-09-30 (FY2026) is unknown: flagged, left out, and said to be new in FY2027', () => {
    const r = run(extraction('J34.830', '2026-09-30'));
    expect(dxCodes(r)).not.toContain('J34.830');
    expect(unverified(r)).toMatch(/J34\.830 \(Odontogenic sinusitis, maxillary sinus\) is not a valid ICD-10-CM code for a service on 2026-09-30 \(FY2026\): it is new in FY2027, valid for services from 2026-10-01/);
  });

  it('J34.830 on 2026-10-01 (FY2027) is valid: kept as given, no warning', () => {
    const r = run(extraction('J34.830', '2026-10-01'));
    // Its official title (knowledge/codes/icd10cm.json, from the FY2027 additions), valid from that year on.
    expect(r.diagnosisCodes[0]).toEqual({ code: 'J34.830', description: 'Odontogenic sinusitis, maxillary sinus' });
    expect(warningIds(r)).not.toContain('unverified-diagnosis');
  });

  it('M86.8X8 on 2026-09-30 (FY2026) is valid: kept, no warning', () => {
    const r = run(extraction('M86.8X8', '2026-09-30'));
    expect(dxCodes(r)[0]).toBe('M86.8X8');
    expect(warningIds(r)).not.toContain('unverified-diagnosis');
  });

  it('M86.8X8 on 2026-10-01 (FY2027) is a header: flagged, left out, its billable children named (M86.8X81 face and sinuses)', () => {
    const r = run(extraction('M86.8X8', '2026-10-01'));
    expect(dxCodes(r)).not.toContain('M86.8X8');
    expect(unverified(r)).toMatch(/M86\.8X8 was billable through FY2026, but from FY2027 \(services from 2026-10-01\) it is a header.*e\.g\. M86\.8X80, M86\.8X81, M86\.8X89/);
    // The rule cites the code set of the year the code was checked against.
    expect(r.rules.find((x) => x.id === 'R-DX-01')?.source).toMatch(/FY2027/);
  });

  it('a code deleted in FY2027 is valid before and flagged after, saying until when it was valid', () => {
    expect(warningIds(run({ ...extraction('T52.8X1A', '2026-09-30'), cause: 'unknown' }))).not.toContain('unverified-diagnosis');
    expect(unverified(run({ ...extraction('T52.8X1A', '2026-10-01'), cause: 'unknown' }))).toMatch(/T52\.8X1A is not a valid ICD-10-CM code for a service on 2026-10-01 \(FY2027\): it was valid through FY2026 \(services until 2026-09-30\)/);
  });

  it('without a serviceDate, today (as the caller gives it) is the date of service', () => {
    const before = triage(extraction('J34.830'), kn, { today: '2026-09-30' });
    expect(unverified(before)).toMatch(/J34\.830 \(Odontogenic sinusitis, maxillary sinus\) is not a valid ICD-10-CM code for a service on 2026-09-30 \(today: no date of service was given\)/);
    expect(warningIds(triage(extraction('J34.830'), kn, { today: '2026-10-01' }))).not.toContain('unverified-diagnosis');
    // A date of service given wins over today.
    expect(warningIds(triage(extraction('J34.830', '2026-10-01'), kn, { today: '2026-09-30' }))).not.toContain('unverified-diagnosis');
  });

  it('asks for today only when a diagnosis needs it (a zone\'s first lookup is slow on a cold start)', () => {
    const never = () => {
      throw new Error('today was asked for');
    };
    expect(() => triage(extraction('J34.830', '2026-10-01'), kn, { today: never })).not.toThrow();
    expect(() => triage({ procedure: 'D7140', cause: 'infection' }, kn, { today: never })).not.toThrow();
    let asked = 0;
    triage(extraction('J34.830'), kn, { today: () => (asked++, '2026-10-01') });
    expect(asked).toBe(1);
  });

  it('a date after the newest shipped list uses the newest, and says so in a rule and a warning', () => {
    const r = run(extraction('J34.830', '2027-10-01'));
    expect(dxCodes(r)[0]).toBe('J34.830');
    expect(ruleIds(r)).toContain('R-DX-YEAR');
    expect(unverified(r)).toMatch(/The date of service 2027-10-01 is in FY2028, and medbill has ICD-10-CM lists for FY2026 and FY2027 only: the diagnoses were checked against the newest, FY2027.*medbill kb import-icd10 FILE --year 2028/);
  });

  it('a date before the oldest shipped list uses the oldest, and says so', () => {
    const r = run(extraction('M86.8X8', '2025-09-30'));
    expect(dxCodes(r)[0]).toBe('M86.8X8');
    expect(unverified(r)).toMatch(/2025-09-30 is in FY2025.*checked against the oldest, FY2026/);
  });

  it('with no diagnosis given, the date changes nothing and adds no rule', () => {
    const facts = { procedure: 'D7140 extraction #3', cause: 'infection', coverage: separate } as const;
    const r = run({ ...facts, serviceDate: '2030-01-01' });
    expect(ruleIds(r)).not.toContain('R-DX-YEAR');
    expect(r).toEqual(run({ ...facts, serviceDate: '2026-10-01' }));
  });

  it('lookup by code says in which years a code is valid', () => {
    const index = new CodeIndex(kn);
    expect(index.exact('J34830')).toMatchObject({ code: 'J34.830', billable: true, description: expect.stringMatching(/new in FY2027, for services from 2026-10-01/) });
    // FY2027's dental-relevant additions carry their official titles (knowledge/codes/icd10cm.json, source CMS-ICD10CM-FY2027).
    expect(index.exact('J34.830')?.description).toBe('Odontogenic sinusitis, maxillary sinus (new in FY2027, for services from 2026-10-01)');
    expect(index.exact('M86.8X81')?.description).toBe('Other osteomyelitis, face and sinuses (new in FY2027, for services from 2026-10-01)');
    expect(index.exact('C79.83')?.description).toMatch(/^Secondary malignant neoplasm of oral cavity/);
    expect(index.exact('M86.8X8')).toMatchObject({ billable: false, description: expect.stringMatching(/valid through FY2026 .*from FY2027 a header/) });
    expect(index.exact('T52.8X1A')?.description).toMatch(/valid through FY2026 .*from FY2027 no longer valid/);
    expect(index.exact('K08.3')?.billable).toBe(true);
  });
});

describe('`medbill triage` as a process, on either side of 2026-10-01', () => {
  const lines = [
    extraction('J34.830', '2026-09-30'), extraction('J34.830', '2026-10-01'),
    extraction('M86.8X8', '2026-09-30'), extraction('M86.8X8', '2026-10-01'),
  ];

  it('--jsonl: J34.830 unknown then valid; M86.8X8 valid then a header naming M86.8X81', () => {
    const { code, out } = cli(['triage', '--jsonl', '-'], lines.map((f) => JSON.stringify(f)).join('\n'));
    expect(code).toBe(0);
    const [j26, j27, m26, m27] = out.trim().split('\n').map((l) => JSON.parse(l) as TriageResult);
    if (!j26 || !j27 || !m26 || !m27) throw new Error(`four answers expected: ${out}`);
    expect(unverified(j26)).toMatch(/J34\.830 \(Odontogenic sinusitis, maxillary sinus\) is not a valid ICD-10-CM code for a service on 2026-09-30 \(FY2026\)/);
    expect(dxCodes(j27)[0]).toBe('J34.830');
    expect(warningIds(j27)).not.toContain('unverified-diagnosis');
    expect(dxCodes(m26)[0]).toBe('M86.8X8');
    expect(warningIds(m26)).not.toContain('unverified-diagnosis');
    expect(dxCodes(m27)).not.toContain('M86.8X8');
    expect(unverified(m27)).toMatch(/M86\.8X8 .*header.*M86\.8X81/);
  });

  it('--json with a bad serviceDate: exit 2, the field named, nothing on standard output', () => {
    const { code, out, err } = cli(['triage', '--json', '-'], JSON.stringify({ ...extraction('J34.830'), serviceDate: '2026-13-01' }));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/serviceDate: must be a date written YYYY-MM-DD/);
  });
});

describe('today, for a case without a serviceDate, is the practice zone\'s (MEDBILL_TIME_ZONE), by the injected clock', () => {
  afterEach(() => vi.unstubAllEnvs());
  // 03:30 UTC on October 1 is still the evening of September 30 in New York.
  const instant = Date.UTC(2026, 9, 1, 3, 30);
  async function triageAt(zone: string): Promise<TriageResult> {
    vi.stubEnv('MEDBILL_TIME_ZONE', zone);
    vi.stubEnv('MEDBILL_DB', ':memory:');
    const file = join(mkdtempSync(join(tmpdir(), 'medbill-fy-')), 'case.json');
    writeFileSync(file, JSON.stringify(extraction('J34.830')));
    const out: string[] = [];
    const io: Io = { out: (s) => out.push(s), err: () => undefined, stdin: async () => '', stdinStream: async function* () {}, drain: async () => undefined, clock: () => instant };
    expect(await main(['triage', '--json', file], io)).toBe(0);
    return JSON.parse(out.join('')) as TriageResult;
  }

  it('in New York it is still FY2026, so J34.830 is unknown; in UTC it is FY2027, so it is valid', async () => {
    expect(unverified(await triageAt('America/New_York'))).toMatch(/J34\.830 \(Odontogenic sinusitis, maxillary sinus\) is not a valid ICD-10-CM code for a service on 2026-09-30 \(today/);
    expect(warningIds(await triageAt('UTC'))).not.toContain('unverified-diagnosis');
  });
});

describe('`medbill kb check` prints every fiscal year', () => {
  it('FY2026 and FY2027: count, dates of service and file of each, and what changed', () => {
    const { code, out } = cli(['kb', 'check']);
    expect(code).toBe(0);
    expect(out).toMatch(/FY2026: 74719 codes, services 2025-10-01 to 2026-09-30 \(knowledge\/codes\/icd10cm-valid-fy2026\.txt\)/);
    expect(out).toMatch(/FY2027: 74879 codes, services 2026-10-01 to 2027-09-30.*\(knowledge\/codes\/icd10cm-valid-fy2027\.txt\); against FY2026: 190 added, 30 no longer valid/);
  });
});

describe('next year\'s list in one command: `medbill kb import-icd10 FILE --year 2028`', () => {
  /** A copy of knowledge/ to import into (the project's own is never written by the tests). */
  function knowledgeCopy(): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'medbill-kb-')), 'knowledge');
    cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
    return dir;
  }
  const fy27 = readFileSync(join(DEFAULT_KNOWLEDGE_DIR, validListFile(2027)), 'latin1').split('\n').filter(Boolean);

  it('ships a generated FY2028 list: sorted, its source added, checked by kb check, used from 2027-10-01', () => {
    const dir = knowledgeCopy();
    // As CMS writes it: not in byte order, a title after each code, CRLF; two codes gone, two new (made up).
    const codes = [...fy27.filter((c) => c !== 'J34839' && c !== 'M868X89'), 'J34835', 'K08A1'].reverse();
    const file = join(dirname(dir), 'icd10cm_codes_2028.txt');
    writeFileSync(file, codes.map((c) => `${c.padEnd(8)}Title of ${c}`).join('\r\n') + '\r\n');
    const imported = cli(['kb', 'import-icd10', file, '--year', '2028', '--knowledge', dir]);
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/Shipped the FY2028 ICD-10-CM valid list: 74879 codes in .*icd10cm-valid-fy2028\.txt \(against FY2027: 2 added, 2 no longer valid\)/);
    expect(imported.out).toMatch(/Diagnoses of services from 2027-10-01 to 2028-09-30 are checked against it/);
    const shipped = readFileSync(join(dir, validListFile(2028)), 'latin1');
    expect(shipped.split('\n').filter(Boolean)).toEqual([...codes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(readFileSync(join(dir, 'sources.json'), 'utf8')).toMatch(/"id": "CMS-ICD10CM-FY2028"/);
    expect(readFileSync(join(dir, 'codes', 'ICD10CM-PROVENANCE.md'), 'utf8')).toMatch(/## FY2028: `icd10cm-valid-fy2028\.txt`/);

    const check = cli(['kb', 'check', '--knowledge', dir]);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/FY2028: 74879 codes, services 2027-10-01 to 2028-09-30.*against FY2027: 2 added, 2 no longer valid/);
    expect(check.out).toMatch(/FY2027: 74879 codes, services 2026-10-01 to 2027-09-30 \(/);

    const next = loadKnowledge(dir);
    expect(next.icd10Lists.years).toEqual([2026, 2027, 2028]);
    const on = (dx: string, serviceDate: string) => triage(extraction(dx, serviceDate), next, { today: '2027-10-01' });
    expect(ruleIds(on('J34.835', '2027-10-01'))).not.toContain('R-DX-YEAR');
    expect(warningIds(on('J34.835', '2027-10-01'))).not.toContain('unverified-diagnosis');
    expect(unverified(on('J34.835', '2027-09-30'))).toMatch(/J34\.835 is not a valid ICD-10-CM code for a service on 2027-09-30 \(FY2027\): it is new in FY2028/);
    expect(unverified(on('J34.839', '2027-10-01'))).toMatch(/J34\.839 \(Odontogenic sinusitis, unspecified\) is not a valid ICD-10-CM code for a service on 2027-10-01 \(FY2028\): it was valid through FY2027/);
    expect(warningIds(on('J34.839', '2027-09-30'))).not.toContain('unverified-diagnosis');

    // Again: the year is shipped, so only --replace replaces it.
    const again = cli(['kb', 'import-icd10', file, '--year', '2028', '--knowledge', dir]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/FY2028 is already shipped .*--replace/);
    expect(cli(['kb', 'import-icd10', file, '--year', '2028', '--replace', '--knowledge', dir]).out).toMatch(/Replaced the FY2028/);
    expect(readFileSync(join(dir, 'sources.json'), 'utf8').match(/CMS-ICD10CM-FY2028/g)).toHaveLength(1);
  });

  it('refuses a small generated file as partial, writing nothing; with --force it ships, and kb check names what knowledge/ suggests that it lacks', () => {
    const dir = knowledgeCopy();
    const file = join(dirname(dir), 'small.txt');
    writeFileSync(file, 'K083\nK011\nJ34830\nS025XXA\nG4733\n');
    const refused = cli(['kb', 'import-icd10', file, '--year', '2028', '--knowledge', dir]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/the file has 5 billable codes, FY2027 has 74879: it looks partial/);
    expect(existsSync(join(dir, validListFile(2028)))).toBe(false);
    expect(readFileSync(join(dir, 'sources.json'), 'utf8')).not.toMatch(/FY2028/);

    const forced = cli(['kb', 'import-icd10', file, '--year', '2028', '--force', '--knowledge', dir]);
    expect(forced.code).toBe(1);
    expect(forced.out).toMatch(/Shipped the FY2028 ICD-10-CM valid list: 5 codes/);
    expect(forced.err).toMatch(/diagnoses K13\.79: suggested, but not a valid code in FY2028/);
    expect(cli(['kb', 'check', '--knowledge', dir]).code).toBe(1);
  });

  it('says what is wrong with the arguments', () => {
    expect(cli(['kb', 'import-icd10', 'x.txt', '--year', '28']).err).toMatch(/--year 28: give the fiscal year as four digits/);
    expect(cli(['kb', 'import-icd10', 'x.txt', '--replace']).err).toMatch(/--replace only go with --year/);
    expect(cli(['kb', 'import-icd10', '--year', '2028']).err).toMatch(/import-icd10 needs a FILE/);
  });
});
