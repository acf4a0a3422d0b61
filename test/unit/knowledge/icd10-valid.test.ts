/**
 * Issue 11 (ICD-10-CM): the official FY2026 valid-codes list ships in knowledge/codes/ and every diagnosis
 * is checked against it with no database. A valid code the person gave is kept as given; only invalid
 * codes and headers are flagged, with billable children suggested. Procedure codes given always appear.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR } from '../../../src/knowledge/load.js';
import { Icd10CodeSets, ValidIcd10List, validListFile } from '../../../src/knowledge/icd10-valid.js';
import { checkValidList } from '../../../src/knowledge/check.js';
import { codeSetOf, normalizeIcd10 } from '../../../src/knowledge/codes.js';
import type { TriageResult } from '../../../src/knowledge/triage.js';
import { cli, kn, run, shared, warningIds } from '../../helpers.js';

const SHIPPED = join(DEFAULT_KNOWLEDGE_DIR, validListFile(2026));
const lines = readFileSync(SHIPPED, 'latin1').split('\n').filter(Boolean);
const EIGHT = ['C01', 'S02.651A', 'S02.652A', 'S02.671A', 'I10', 'C83.30', 'G80.9', 'F79'];
const separate = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } as const;
const fracture = { procedure: 'open reduction of mandible fracture', cause: 'trauma', notes: 'fracture of the angle of the left mandible, bike accident', coverage: separate } as const;

const dxCodes = (r: TriageResult) => r.diagnosisCodes.map((d) => d.code);
const unverified = (r: TriageResult) => r.warnings.find((w) => w.id === 'unverified-diagnosis')?.message ?? '';

describe('the shipped valid-codes list', () => {
  const list = new ValidIcd10List(SHIPPED);

  it('holds the 74,719 FY2026 codes, sorted in byte order as the binary search needs', () => {
    expect(list.verify()).toEqual({ count: 74_719, problems: [] });
  });

  it('finds every code in it, dotted or not, and nothing that is not in it', () => {
    const all = new Set(lines);
    for (const code of lines) expect(list.has(code)).toBe(true);
    for (const code of lines.filter((_, i) => i % 7 === 0)) {
      expect(list.has(normalizeIcd10(code))).toBe(true);
      // Near misses: a prefix, a longer code, a changed last character: the answer agrees with a Set.
      for (const near of [code.slice(0, -1), `${code}0`, `${code.slice(0, -1)}Z`]) expect(list.has(near)).toBe(all.has(near));
    }
    expect(list.has('A000')).toBe(true);
    expect(list.has('U099')).toBe(true);
    expect(list.has('A00')).toBe(false);
    expect(list.has('Z99.99')).toBe(false);
  });

  it('lists the billable children of a header, with their count, and none for a leaf or an unknown code', () => {
    const k08 = list.children('K08', 3);
    expect(k08.count).toBe(lines.filter((c) => c.startsWith('K08')).length);
    expect(k08.first).toEqual(['K08.0', 'K08.101', 'K08.102']);
    expect(list.children('S02.6', 2, (c) => (c.endsWith('A') ? 0 : 1)).first).toEqual(['S02.600A', 'S02.601A']);
    expect(list.children('K08.3', 4).count).toBe(0);
    expect(list.children('K10', 4).count).toBe(0);
  });

  it('a list out of order is refused by kb check, because binary search would miss codes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medbill-icd-'));
    writeFileSync(join(dir, 'list.txt'), 'A000\nC4400\nC4A0\nC430\nk08\n');
    const { problems } = new ValidIcd10List(join(dir, 'list.txt')).verify();
    expect(problems.join('\n')).toMatch(/line 4 \(C430\) is not after line 3/);
    expect(problems.join('\n')).toMatch(/line 5 is not an undotted ICD-10-CM code/);
  });

  const sharedList = shared('data/icd10cm/icd10cm_codes_2026.valid-codes-only.txt');
  it.skipIf(!sharedList)('is the shared CMS list, line for line, sorted', () => {
    const original = readFileSync(sharedList ?? '', 'latin1').split('\n').filter(Boolean);
    expect(lines).toEqual([...original].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe('every ICD-10-CM code knowledge/ names is valid', () => {
  it('kb check agrees: knowledge/ billable codes in the list, headers not, prefixes match something', () => {
    expect(checkValidList(kn).problems).toEqual([]);
  });

  it('every code a category or rule can suggest is valid, and every prefix a signal or rule matches on has valid codes under it', () => {
    const found: { file: string; key: string; code: string }[] = [];
    const walk = (file: string, node: unknown, key: string) => {
      if (typeof node === 'string') {
        // ICD-10-CM shaped (a letter, a digit, then more; "S0" is a prefix) and not a CDT, CPT or HCPCS code.
        const icdShaped = /^[A-Z]\d[0-9A-Z]?(\.[0-9A-Z]{1,4})?$/.test(node) && !['cdt', 'cpt', 'hcpcs'].includes(codeSetOf(node) ?? '');
        if (['code', 'diagnoses', 'prefix', 'instead'].includes(key) && icdShaped) found.push({ file, key, code: normalizeIcd10(node) });
      } else if (Array.isArray(node)) for (const x of node) walk(file, x, key);
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(file, v, k);
    };
    const files = ['signals.json', 'rules.json', 'never-suggest.json', ...readdirSync(join(DEFAULT_KNOWLEDGE_DIR, 'categories')).map((f) => `categories/${f}`)];
    for (const file of files) {
      const json = JSON.parse(readFileSync(join(DEFAULT_KNOWLEDGE_DIR, file), 'utf8')) as unknown;
      // never-suggest.json lists wrong codes on purpose (K10, the M26.61 header); what it suggests instead must be valid.
      walk(file, file === 'never-suggest.json' ? (json as { neverSuggest: { instead: string[] }[] }).neverSuggest.map((n) => ({ instead: n.instead })) : json, '');
    }
    expect(found.length).toBeGreaterThan(50);
    // In every shipped year's list: a suggestion is made whatever the date of service.
    for (const year of kn.icd10Lists.years) {
      const list = kn.icd10Lists.list(year);
      const bad = found.filter(({ key, code }) => {
        if (list.has(code)) return false;
        // A prefix ("S0", "K08.11") is fine when signals or rules match codes with it and valid codes start with it.
        const prefixUse = key === 'prefix' || key === 'diagnoses';
        return !(prefixUse && list.children(code, 0).count > 0);
      });
      expect(bad, `FY${year}`).toEqual([]);
    }
  });
});

describe('diagnoses given are checked against the official list by default', () => {
  it.each(EIGHT)('%s is kept, not flagged, not replaced', (code) => {
    const r = run({ ...fracture, diagnoses: [code] });
    expect(dxCodes(r)[0]).toBe(code);
    expect(warningIds(r)).not.toContain('unverified-diagnosis');
  });

  it.each([
    ['a jaw fracture', fracture, ['S02.651A', 'S02.652A', 'S02.671A']],
    ['a biopsy', { procedure: 'biopsy of tongue lesion', cause: 'pathology', coverage: separate }, ['C01', 'C83.30']],
    ['extractions under general anesthesia', { procedure: 'D9222', notes: 'full-mouth extractions under general anesthesia in the OR', coverage: separate }, ['G80.9', 'F79', 'I10']],
  ] as const)('in %s, all are kept, in the order given, with no warning at all', (_what, facts, codes) => {
    const r = run({ ...facts, diagnoses: [...codes] });
    expect(dxCodes(r).slice(0, codes.length)).toEqual(codes);
    expect(unverified(r)).toBe('');
  });

  it('keeps all eight together, past the cap on diagnoses, none called unverified, invalid or a header', () => {
    const r = run({ ...fracture, diagnoses: EIGHT });
    expect(dxCodes(r).slice(0, 8)).toEqual(EIGHT);
    // The only remark allowed is the contract's "does not fit the procedure" (a cancer code on a fracture
    // case), which keeps the code; nothing may doubt that a valid code exists.
    expect(unverified(r)).not.toMatch(/not a valid|not in medbill|could not be verified|header|not billable/);
  });

  it('S02.652A stays S02.652A: the side-unspecified sibling is not offered beside it', () => {
    const r = run({ ...fracture, diagnoses: ['S02.652A'] });
    expect(dxCodes(r)).toContain('S02.652A');
    expect(dxCodes(r)).not.toContain('S02.650A');
    // Without a diagnosis, the notes still lead to the angle code as a suggestion.
    expect(dxCodes(run(fracture))).toContain('S02.650A');
  });

  it('normalizes a code given without its dot, and uses the official title when medbill has it', () => {
    const r = run({ ...fracture, diagnoses: ['S02652A', 'k011'] });
    expect(dxCodes(r).slice(0, 2)).toEqual(['S02.652A', 'K01.1']);
    expect(r.diagnosisCodes[1]).toEqual({ code: 'K01.1', description: 'Impacted teeth' });
    expect(r.diagnosisCodes[0]?.description).toMatch(/valid ICD-10-CM code .*no title/);
  });

  it('flags an invalid code, naming it, and leaves it out', () => {
    const r = run({ ...fracture, diagnoses: ['S02.652A', 'C01.0'] });
    expect(dxCodes(r)).not.toContain('C01.0');
    expect(unverified(r)).toMatch(/C01\.0 is not a valid ICD-10-CM code in the official list/);
    expect(unverified(r)).not.toMatch(/S02\.652A/);
  });

  it('flags a header, naming it and suggesting its billable children with a count', () => {
    const k08 = run({ procedure: 'D7286', cause: 'pathology', diagnoses: ['K08'], coverage: separate });
    expect(dxCodes(k08)).not.toContain('K08');
    expect(unverified(k08)).toMatch(/K08 \(Other disorders of teeth and supporting structures\) is a header .* e\.g\. K08\.0, K08\.101, K08\.102, K08\.103 \(\d+ more\)/);
    const s026 = run({ ...fracture, diagnoses: ['S02.6'] });
    expect(unverified(s026)).toMatch(/S02\.6 .*7th character.*e\.g\. S02\.600A, S02\.601A, S02\.602A, S02\.609A \(140 more\)/);
    expect(unverified(run({ ...fracture, diagnoses: ['S02.65'] }))).toMatch(/S02\.65 .*S02\.650A, S02\.651A, S02\.652A/);
  });
});

describe('procedure codes given always appear', () => {
  it.each([
    ['D1110', 'cdt', /cleaning/],
    ['41899', 'cpt', /unlisted/],
  ] as const)('%s appears with its description whatever category wins', (code, set, description) => {
    for (const facts of [fracture, { procedure: code, cause: 'sleep-apnea', notes: 'moderate OSA, AHI 24', coverage: separate }, { procedure: code, cause: 'cosmetic' }] as const) {
      const r = run({ ...facts, procedure: `${code} ${facts.procedure === code ? '' : facts.procedure}`.trim() });
      expect(r.procedureCodes[set].find((c) => c.code === code)?.description).toMatch(description);
    }
  });

  it('every code written in the procedure field appears, not only the first', () => {
    const r = run({ ...fracture, procedure: 'extraction #30 D7210 and 41899' });
    expect(r.procedureCodes.cdt.map((c) => c.code)).toContain('D7210');
    expect(r.procedureCodes.cpt.map((c) => c.code)).toContain('41899');
  });

  it('a well-formed code medbill does not know still appears, saying so', () => {
    const r = run({ ...fracture, procedure: '99999' });
    expect(r.procedureCodes.cpt[0]).toEqual({ code: '99999', description: expect.stringMatching(/medbill does not know it/) });
    expect(r.rules.map((x) => x.id)).toContain('R-CODE-NOT-IN-TABLE');
  });
});

describe('the command line, with no database', () => {
  it('triage --json keeps the eight valid codes with MEDBILL_DB=:memory:', () => {
    const { code, out } = cli(['triage', '--json', '-'], JSON.stringify({ ...fracture, diagnoses: EIGHT }));
    expect(code).toBe(0);
    const r = JSON.parse(out) as TriageResult;
    expect(dxCodes(r).slice(0, 8)).toEqual(EIGHT);
    expect(unverified(r)).not.toMatch(/not a valid|not in medbill|could not be verified|header|not billable/);
    const one = JSON.parse(cli(['triage', '--json', '-'], JSON.stringify({ ...fracture, diagnoses: ['S02.652A'] })).out) as TriageResult;
    expect(dxCodes(one)[0]).toBe('S02.652A');
    expect(dxCodes(one)).not.toContain('S02.650A');
    expect(warningIds(one)).not.toContain('unverified-diagnosis');
  });

  it('kb check prints the size of the official list', () => {
    const { code, out } = cli(['kb', 'check']);
    expect(code).toBe(0);
    expect(out).toMatch(/FY2026: 74719 codes, services 2025-10-01 to 2026-09-30 \(knowledge\/codes\/icd10cm-valid-fy2026\.txt\)/);
  });

  it('kb check fails when the shipped list is damaged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medbill-icd-'));
    mkdirSync(join(dir, 'codes'));
    // loadKnowledge reads knowledge/ from the project, so the damaged copy is checked directly.
    writeFileSync(join(dir, validListFile(2026)), lines.filter((c) => c !== 'K011').join('\n') + '\n');
    const damaged = { ...kn, icd10Lists: new Icd10CodeSets(dir, [2026]) };
    expect(checkValidList(damaged).problems).toContain('codes/icd10cm.json K01.1: marked billable, but it is not in codes/icd10cm-valid-fy2026.txt');
  });

  it('kb check says when knowledge/ has no list at all (knowledge/ still loads: a list is read only for a diagnosis)', () => {
    const none = { ...kn, icd10Lists: new Icd10CodeSets(mkdtempSync(join(tmpdir(), 'medbill-icd-')), []) };
    expect(checkValidList(none).problems).toEqual(['codes/: no ICD-10-CM valid list (icd10cm-valid-fyYYYY.txt): every diagnosis is checked against one']);
  });

  it('lookup finds a valid code outside knowledge/ by code', () => {
    const { code, out } = cli(['lookup', 'I10']);
    expect(code).toBe(0);
    expect(out).toMatch(/I10 .*valid ICD-10-CM code/);
  });

  it('an imported order file gives titles, but does not decide which codes are valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medbill-icd-'));
    const file = join(dir, 'order.txt');
    // A two-line file in the CMS order-file layout (order, code, flag, short title, long title).
    const line = (order: string, code: string, title: string) => `${order} ${code.padEnd(7)} 1 ${title.padEnd(60)} ${title}`;
    writeFileSync(file, `${line('00001', 'I10', 'Essential (primary) hypertension')}\n${line('00002', 'K0000', 'Made-up code for this test')}\n`);
    const db = join(dir, 'medbill.db');
    expect(cli(['kb', 'import-icd10', file], undefined, { MEDBILL_DB: db }).code).toBe(0);
    const r = JSON.parse(cli(['triage', '--json', '-'], JSON.stringify({ ...fracture, diagnoses: ['I10', 'K00.00', 'F79'] }), { MEDBILL_DB: db }).out) as TriageResult;
    expect(r.diagnosisCodes.slice(0, 2)).toEqual([
      { code: 'I10', description: 'Essential (primary) hypertension' },
      // F79 is not in the imported file: still valid, by the shipped list.
      { code: 'F79', description: expect.stringMatching(/valid ICD-10-CM code/) },
    ]);
    expect(unverified(r)).toMatch(/K00\.00 is not a valid ICD-10-CM code/);
  });

  const valid = shared('data/icd10cm/icd10cm_codes_2026.valid-codes-only.txt');
  it.skipIf(!valid)('kb check --icd10 passes against the shared CMS list', () => {
    const { code, out } = cli(['kb', 'check', '--icd10', valid ?? '']);
    expect(code).toBe(0);
    expect(out).toMatch(/agree with/);
  });
});
