import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DENIALS_FILE, FOLLOWUP_FILE, loadClaimKnowledge } from '../../../src/knowledge/followup-denials.js';
import { denialCode, matchDenialPhrase, parseDenial, remedyFor, resubmissionAdvice, resubmissionChecklist } from '../../../src/claims/denials.js';
import { knowledgeCounts } from '../../../src/knowledge/check.js';
import { DEFAULT_KNOWLEDGE_DIR, KnowledgeError, loadKnowledge } from '../../../src/knowledge/load.js';
import { cli } from '../../helpers.js';
import { openShelf } from '../../../src/root/shelf.js';

const kn = loadClaimKnowledge();

describe('knowledge/denials.json', () => {
  it('loads and validates, and the composition root reads the default directory once', () => {
    expect(kn.carcs.length).toBeGreaterThanOrEqual(30);
    expect(kn.rarcs.size).toBeGreaterThanOrEqual(10);
    const shelf = openShelf();
    expect(shelf.claims()).toBe(shelf.claims());
    // No process-wide copy: each load reads the files again.
    expect(loadClaimKnowledge(DEFAULT_KNOWLEDGE_DIR)).not.toBe(kn);
  });

  const required = [
    'CO-4', 'CO-11', 'CO-16', 'CO-18', 'CO-19', 'CO-20', 'CO-21', 'CO-22', 'CO-27', 'CO-29', 'CO-50', 'CO-96', 'CO-97', 'CO-109',
    'CO-151', 'CO-167', 'CO-197', 'CO-198', 'CO-204', 'CO-236', 'CO-252', 'PR-1', 'PR-2', 'PR-3', 'PR-204', 'OA-23',
  ];
  it.each(required)('has %s with a meaning, a fix and a defined source', (code) => {
    const e = kn.byGroupCode.get(code);
    expect(e, code).toBeDefined();
    expect(e!.meaning.length).toBeGreaterThan(10);
    expect(e!.fix.length).toBeGreaterThan(0);
    expect(e!.source.length).toBeGreaterThan(0);
    for (const id of e!.source) expect(kn.sources.has(id), id).toBe(true);
  });

  it('has the common remark codes, each with a source', () => {
    for (const code of ['N115', 'N386', 'N290', 'M127', 'MA130', 'N479']) {
      const r = kn.rarcs.get(code);
      expect(r, code).toBeDefined();
      for (const id of r!.source) expect(kn.sources.has(id)).toBe(true);
    }
  });

  it('names documents that documents.json describes', () => {
    for (const e of kn.carcs) for (const kind of e.attach) expect(kn.documentLabels.has(kind)).toBe(true);
  });
});

describe('a broken claim file is refused with the entry named', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  function brokenCopy(file: string, edit: (data: any) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'medbill-claims-kb-'));
    dirs.push(dir);
    cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    edit(data);
    writeFileSync(join(dir, file), JSON.stringify(data, null, 1));
    return dir;
  }
  const refused = (dir: string) => {
    try {
      loadClaimKnowledge(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(KnowledgeError);
      return (err as Error).message;
    }
    throw new Error('the broken copy was accepted');
  };
  const co50 = (data: any) => data.carcs.find((e: any) => e.group === 'CO' && e.carc === '50');

  it('an unknown action', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => { co50(d).action = 'pray'; }));
    expect(message).toMatch(/knowledge\/denials\.json is not valid/);
    expect(message).toMatch(/carcs\[\d+\] \(CO-50\)\.action/);
  });

  it('a source that sources.json does not define', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => { co50(d).source.push('NO-SUCH-SOURCE'); }));
    expect(message).toMatch(/denials\.json CO-50: source "NO-SUCH-SOURCE" is not defined/);
  });

  it('a document kind that does not exist', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => { co50(d).attach.push('xray'); }));
    expect(message).toMatch(/\(CO-50\)\.attach/);
  });

  it('the same CARC and group twice', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => { d.carcs.push({ ...co50(d), phrases: ['something else entirely'] }); }));
    expect(message).toMatch(/CO-50 is already listed/);
  });

  it('an extra group that collides with another entry', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => { d.carcs.find((e: any) => e.carc === '204' && e.group === 'CO').otherGroups = ['PR']; }));
    expect(message).toMatch(/PR-204 is already listed/);
  });

  it('one phrase on two entries', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => { co50(d).phrases.push('timely filing'); }));
    expect(message).toMatch(/phrase "timely filing" is also a phrase of CO-29/);
  });

  it('a malformed CARC and a malformed remark code', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => { co50(d).carc = '50a'; d.rarcs[0].code = 'X1'; }));
    expect(message).toMatch(/carcs\[\d+\] \(CO-50a\)\.carc/);
    expect(message).toMatch(/rarcs\[0\] \(X1\)\.code/);
  });

  it('checklist advice the checklist needs, an unknown placeholder, or an advice source that does not exist', () => {
    const message = refused(brokenCopy(DENIALS_FILE, (d) => {
      d.advice = d.advice.filter((a: any) => a.id !== 'void-claim');
      d.advice.find((a: any) => a.id === 'tricare-appeal').text = 'Appeal by {deadline}.';
      d.advice.find((a: any) => a.id === 'medicare-redetermination').source.push('NO-SUCH-SOURCE');
    }));
    expect(message).toMatch(/advice: "void-claim" is missing/);
    expect(message).toMatch(/advice tricare-appeal: \{deadline\} is not a placeholder/);
    expect(message).toMatch(/advice medicare-redetermination: source "NO-SUCH-SOURCE" is not defined/);
  });

  it('a follow-up value outside its allowed range, and a payer kind left out', () => {
    const message = refused(brokenCopy(FOLLOWUP_FILE, (d) => { d.followUp.firstAfterSubmissionDays.value = 30; delete d.appealDeadlines.tricare; }));
    expect(message).toMatch(/knowledge\/followup\.json is not valid/);
    expect(message).toMatch(/followUp\.firstAfterSubmissionDays\.value: value must lie between min and max/);
    expect(message).toMatch(/appealDeadlines\.tricare/);
  });

  it('medbill kb check reports it like the other files', () => {
    const dir = brokenCopy(DENIALS_FILE, (d) => { co50(d).attach.push('xray'); });
    expect(() => knowledgeCounts(loadKnowledge(dir))).toThrow(/denials\.json is not valid:\n.*\(CO-50\)\.attach/);
  });

  it('a filing limit with both days and months', () => {
    const message = refused(brokenCopy(FOLLOWUP_FILE, (d) => { d.timelyFiling.commercial.months = 6; }));
    expect(message).toMatch(/timelyFiling\.commercial: give either days or months/);
  });
});

describe('medbill kb check', () => {
  it('prints the denial and follow-up counts', () => {
    const { code, out } = cli(['kb', 'check']);
    expect(code).toBe(0);
    expect(out).toMatch(/denial reasons: +\d+ CARC entries, \d+ remark codes/);
    expect(out).toMatch(/appeal days: +medicare 120, .*commercial 180/);
    expect(out).toMatch(/timely filing: +medicare 12 months/);
  });
});

describe('parseDenial', () => {
  const codes: [string, object][] = [
    ['CO-50', { group: 'CO', carc: '50' }],
    ['co 50', { group: 'CO', carc: '50' }],
    ['CO50', { group: 'CO', carc: '50' }],
    ['CO–50 (en dash)', { group: 'CO', carc: '50' }],
    ['CARC 50', { carc: '50' }],
    ['carc: 197', { carc: '197' }],
    ['reason 50', { carc: '50' }],
    ['reason code 29 on the EOB', { carc: '29' }],
    ['denial code 4', { carc: '4' }],
    ['PR-1', { group: 'PR', carc: '1' }],
    ['PR 204', { group: 'PR', carc: '204' }],
    ['OA-23', { group: 'OA', carc: '23' }],
    ['oa 23', { group: 'OA', carc: '23' }],
    ['CO-18 duplicate', { group: 'CO', carc: '18' }],
    ['N115', { rarc: 'N115' }],
    ['remark code N999', { rarc: 'N999' }],
    ['CO-16 N290', { group: 'CO', carc: '16', rarc: 'N290' }],
    ['CO-16, MA130', { group: 'CO', carc: '16', rarc: 'MA130' }],
    ['C-7K3Q9 denied CO-197 no auth', { group: 'CO', carc: '197' }],
    ['denied 197', { carc: '197' }],
    ['denied: 29', { carc: '29' }],
    ['CO-999', { group: 'CO', carc: '999' }],
    ['PI-B7', { group: 'PI', carc: 'B7' }],
    ['CO-45 $120, PR-2 $30', { group: 'PR', carc: '2' }],
    ['CO-45 only', { group: 'CO', carc: '45' }],
  ];
  it.each(codes)('reads the code in %j', (text, expected) => {
    expect(parseDenial(text, kn)).toEqual(expected);
  });

  const words: [string, string][] = [
    ['denied for medical necessity', 'CO-50'],
    ['not medically necessary per the reviewer', 'CO-50'],
    ['Denied: timely filing', 'CO-29'],
    ['no prior authorization on file', 'CO-197'],
    ['they said no auth', 'CO-197'],
    ['prior auth denied', 'CO-39'],
    ['duplicate claim', 'OA-18'],
    ['coordination of benefits', 'CO-22'],
    ['other insurance primary', 'CO-22'],
    ['applied to deductible', 'PR-1'],
    ['coinsurance', 'PR-2'],
    ['copay', 'PR-3'],
    ['bundled with the surgery', 'CO-97'],
    ['included in another service', 'CO-97'],
    ['coverage terminated in May', 'CO-27'],
    ['patient not eligible', 'CO-27'],
    ['missing modifier', 'CO-4'],
    ['diagnosis doesn\'t match the procedure', 'CO-11'],
    ['not covered under the plan', 'CO-204'],
    ['non-covered charge', 'CO-96'],
    ['they want records, documentation required', 'CO-252'],
    ['workers comp should pay', 'CO-19'],
    ['car accident, auto insurance first', 'CO-21'],
    ['wrong payer', 'CO-109'],
    ['rendering provider not credentialed', 'CO-185'],
    ['denied, the medical plan says submit to dental plan', 'CO-270'],
  ];
  it.each(words)('reads the plain words %j', (text, code) => {
    const d = parseDenial(text, kn);
    expect(d && denialCode(d)).toBe(code);
    expect(d?.words).toBe(text.trim());
  });

  it('prefers a code to the words around it', () => {
    expect(parseDenial('CO-97 but they said medical necessity', kn)).toEqual({ group: 'CO', carc: '97' });
  });

  it('keeps the remark with words', () => {
    expect(parseDenial('medical necessity, N115', kn)).toMatchObject({ group: 'CO', carc: '50', rarc: 'N115' });
  });

  const notDenials = [
    'paid $412 on 12/3', 'tooth 19', '#19', 'D7240', '41899', 'extraction of tooth 32 on 3/14', 'K08.3', 'CO2 laser excision',
    'OA 2 weeks ago', 'denied 12/3', 'denied $412', 'denied on 12/3', 'denied 2 lines', 'procedure code 16', 'resubmission code 7',
    'zip code 123', 'the patient paid 50', 'Colorado 80202', 'submitted yesterday', 'prior auth approved, auth number 12345', '',
  ];
  it.each(notDenials)('finds no denial in %j', (text) => {
    expect(parseDenial(text, kn)).toBeUndefined();
  });

  it('matches words with common endings and small gaps', () => {
    expect(matchDenialPhrase('the service was BUNDLED', kn)?.carc).toBe('97');
    expect(matchDenialPhrase('lack of any medical necessity', kn)?.carc).toBe('50');
  });
});

describe('remedyFor', () => {
  it('CO-50: appeal with the letter of medical necessity and the notes', () => {
    const r = remedyFor({ group: 'CO', carc: '50' }, kn)!;
    expect(r.code).toBe('CO-50');
    expect(r.action).toBe('appeal');
    expect(r.attach).toEqual(expect.arrayContaining(['letter-of-medical-necessity', 'clinical-notes']));
    expect(r.fix.join(' ')).toMatch(/letter of medical necessity/i);
    expect(r.sources.map((s) => s.id)).toContain('X12-CARC');
    expect(r.groupMatched).toBe(true);
  });

  it('falls back from group and CARC to the CARC alone', () => {
    const r = remedyFor({ group: 'PI', carc: '50' }, kn)!;
    expect(r.code).toBe('CO-50');
    expect(r.groupMatched).toBe(false);
    expect(remedyFor({ carc: '29' }, kn)?.code).toBe('CO-29');
    expect(remedyFor({ group: 'PR', carc: '50' }, kn)?.groupMatched).toBe(true);
    expect(remedyFor({ group: 'CO', carc: '18' }, kn)?.code).toBe('OA-18');
  });

  it('tells PR-204 (bill the patient) from CO-204 (another payer)', () => {
    expect(remedyFor({ group: 'PR', carc: '204' }, kn)?.action).toBe('bill-patient');
    expect(remedyFor({ group: 'CO', carc: '204' }, kn)?.action).toBe('rebill-other-payer');
  });

  it('returns the remark and nothing for an unknown code', () => {
    expect(remedyFor({ group: 'CO', carc: '16', rarc: 'N290' }, kn)?.remark?.code).toBe('N290');
    expect(remedyFor({ group: 'CO', carc: '999' }, kn)).toBeUndefined();
    expect(remedyFor({ rarc: 'N115' }, kn)).toBeUndefined();
  });
});

describe('resubmissionChecklist', () => {
  it('a corrected claim: item 22 code 7 with the original claim number', () => {
    const list = resubmissionChecklist({ group: 'CO', carc: '16', rarc: 'N290' }, kn, { originalClaimNumber: '2025123456' });
    const text = list.join('\n');
    expect(text).toMatch(/item 22: resubmission code 7 \(replacement of prior claim\) and the payer's original claim number \(2025123456\)/);
    expect(text).toMatch(/code 8 \(void\/cancel of prior claim\)/);
    expect(text).toMatch(/Remark N290/);
    expect(text).toMatch(/24J/);
  });

  it('a claim the payer could not process goes out as a new claim', () => {
    const text = resubmissionChecklist({ group: 'CO', carc: '16', rarc: 'MA130' }, kn).join('\n');
    expect(text).toMatch(/Send a new claim, not a replacement/);
    expect(text).not.toMatch(/resubmission code 7/);
  });

  it('an appeal: the letter, the notes, the denial, and the deadline', () => {
    const list = resubmissionChecklist({ group: 'CO', carc: '50' }, kn, { payerKind: 'medicare', deniedDate: '2025-03-03' });
    expect(list).toContain('Attach: Letter of medical necessity');
    expect(list).toContain('Attach: Clinical notes (SOAP) for the visit');
    expect(list).toContain('Attach: the denial (EOB or remittance advice) you are appealing');
    expect(list.join('\n')).toMatch(/CMS-20027/);
    expect(list.join('\n')).toMatch(/by 2025-07-01 \(120 days from the denial\)/);
  });

  it('CO-197 asks for no approval to attach when the case\'s answer said none was required (issue 21 §4)', () => {
    const usual = resubmissionChecklist({ group: 'CO', carc: '197' }, kn);
    expect(usual).toContain('Attach: Prior authorization approval');
    const none = resubmissionChecklist({ group: 'CO', carc: '197' }, kn, { preauth: 'not-required' });
    expect(none.join('\n')).not.toMatch(/Attach: Prior authorization/);
    expect(none.join('\n')).toMatch(/said the plan requires no prior authorization/);
    expect(resubmissionChecklist({ group: 'CO', carc: '197' }, kn, { preauth: 'likely' })).toEqual(usual);
  });

  it('an appeal without dates says to use the notice', () => {
    expect(resubmissionChecklist({ group: 'CO', carc: '197' }, kn)).toContain('File within the appeal deadline on the denial notice.');
  });

  it('coordination of benefits: bill the primary, attach its EOB', () => {
    const list = resubmissionChecklist({ group: 'CO', carc: '22' }, kn);
    expect(list.join('\n')).toMatch(/Bill the primary plan/);
    expect(list).toContain("Attach: Primary payer's EOB or denial");
  });

  it('an unknown code says so', () => {
    expect(resubmissionChecklist({ group: 'CO', carc: '999' }, kn)[0]).toMatch(/no entry for CO-999/);
  });
});

describe('the appeal and correction advice is data in knowledge/denials.json, with its sources', () => {
  it('each payer kind\'s advice comes with the sources it rests on', () => {
    const medicare = resubmissionAdvice({ group: 'CO', carc: '50' }, kn, { payerKind: 'medicare' });
    expect(medicare.steps.join('\n')).toMatch(/redetermination in writing \(form CMS-20027/);
    expect(medicare.source).toEqual(expect.arrayContaining(['NORIDIAN-REDET', 'CFR-405-942']));
    const tricare = resubmissionAdvice({ group: 'CO', carc: '50' }, kn, { payerKind: 'tricare' });
    expect(tricare.steps.join('\n')).toMatch(/appoints it in writing/);
    expect(tricare.source).toContain('TRICARE-APPEALS');
    const corrected = resubmissionAdvice({ group: 'CO', carc: '16', rarc: 'N290' }, kn, { payerKind: 'medicare' });
    expect(corrected.steps.join('\n')).toMatch(/reopening/);
    expect(corrected.source).toEqual(expect.arrayContaining(['NUCC-ITEM22', 'CMS-REOPENING']));
    // A commercial appeal gets neither payer's advice.
    const commercial = resubmissionAdvice({ group: 'CO', carc: '50' }, kn, { payerKind: 'commercial' }).steps.join('\n');
    expect(commercial).not.toMatch(/CMS-20027|appoints it in writing/);
    for (const entry of kn.advice.values()) for (const id of entry.source) expect(kn.sources.has(id), `${entry.id} ${id}`).toBe(true);
  });

  it('a billing lead\'s edit of the advice changes the checklist: no appeal text is left in the code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medbill-advice-kb-'));
    try {
      cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
      const file = join(dir, DENIALS_FILE);
      const data = JSON.parse(readFileSync(file, 'utf8'));
      data.advice.find((a: any) => a.id === 'medicare-redetermination').text = 'Medicare: file the redetermination through the MAC\'s portal.';
      data.advice.find((a: any) => a.id === 'replacement-claim').text = 'Item 22: code 7 and claim{claimNumber}.';
      writeFileSync(file, JSON.stringify(data, null, 1));
      const edited = loadClaimKnowledge(dir);
      const appeal = resubmissionChecklist({ group: 'CO', carc: '50' }, edited, { payerKind: 'medicare' }).join('\n');
      expect(appeal).toMatch(/through the MAC's portal/);
      expect(appeal).not.toMatch(/CMS-20027/);
      expect(resubmissionChecklist({ group: 'CO', carc: '16' }, edited, { originalClaimNumber: '99' })).toContain('Item 22: code 7 and claim (99).');
      const source = readFileSync(new URL('../../../src/claims/denials.ts', import.meta.url), 'utf8');
      expect(source).not.toMatch(/CMS-20027|appoints it in writing|resubmission code 7/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
