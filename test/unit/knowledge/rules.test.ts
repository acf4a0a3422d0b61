import { describe, expect, it } from 'vitest';
import { allCodes, docKinds, run, warningIds } from '../../helpers.js';
import type { CaseFacts } from '../../../src/knowledge/facts.js';

const separate = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } as const;
const combined = { medical: true, dental: true, combinedPlan: true, medicalPayer: 'commercial' } as const;
const medicare = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'medicare' } as const;
const ruleIds = (f: CaseFacts) => run(f).rules.map((r) => r.id);

describe('fees, credentialing, other payers', () => {
  it('warns when the fee is above the cash fee, in any lane, and not when it is equal', () => {
    expect(warningIds(run({ procedure: 'D7140', cause: 'decay', coverage: separate, fee: 400, cashFee: 300 }))).toContain('fee-above-cash-fee');
    expect(warningIds(run({ procedure: 'D7286', cause: 'pathology', coverage: separate, fee: 300, cashFee: 300 }))).not.toContain('fee-above-cash-fee');
  });
  it('reminds about credentialing on medical lanes only', () => {
    expect(warningIds(run({ procedure: '41100', cause: 'pathology', coverage: separate }))).toContain('credentialing');
    expect(warningIds(run({ procedure: 'D7140', cause: 'decay', coverage: separate }))).not.toContain('credentialing');
  });
  it('flags auto, work and liability insurers for injuries, and asks when the notes do not say', () => {
    for (const notes of ['rear-ended in a car accident', 'hurt at work on a ladder', 'assaulted outside a bar']) {
      const r = run({ procedure: 'D7270', cause: 'trauma', notes, coverage: separate });
      expect(warningIds(r)).toContain('other-liable-payer');
      expect(docKinds(r)).toContain('accident-details');
    }
    const unknown = run({ procedure: 'D7270', cause: 'trauma', notes: 'fell off a bike', coverage: separate });
    expect(warningIds(unknown)).not.toContain('other-liable-payer');
    expect(unknown.questions.some((q) => /car accident, at work/.test(q.question))).toBe(true);
  });
});

describe('reading the facts together', () => {
  it('a crown cracked while eating is not trauma', () => {
    const r = run({ procedure: 'cracked tooth #14', cause: 'trauma', notes: 'crown cracked while eating popcorn', coverage: separate });
    expect(r.lane).toBe('dental');
    expect(r.rules.map((x) => x.id)).toContain('R-EVIDENCE-NONTRAUMATIC');
  });
  it('an "apnea" appliance whose only diagnosis is snoring is not covered', () => {
    const r = run({ procedure: 'D9947', cause: 'sleep-apnea', diagnoses: ['R06.83'], coverage: separate });
    expect(r.lane).toBe('patient-pay');
    expect(r.rules.map((x) => x.id)).toEqual(expect.arrayContaining(['R-EVIDENCE-SNORING', 'OSA-LANE-SNORING']));
  });
  it('diagnoses outweigh a cause label that contradicts them', () => {
    const r = run({ procedure: 'D7140', cause: 'decay', diagnoses: ['S03.2XXA'], notes: 'tooth knocked loose', coverage: separate });
    expect(r.lane).toBe('medical');
    expect(ruleIds({ procedure: 'D7140', cause: 'decay', diagnoses: ['S03.2XXA'], coverage: separate })).toContain('R-EVIDENCE-DIAGNOSIS');
  });
  it('reads the cause from the notes when none is given', () => {
    const r = run({ procedure: 'D7140', notes: 'abscess with facial cellulitis spreading to the submandibular space', coverage: separate });
    expect(r.lane).toBe('medical');
    expect(r.rules.map((x) => x.id)).toContain('R-EVIDENCE-INFERRED');
  });
});

describe('diagnosis checks', () => {
  const base = { procedure: 'D7286', cause: 'pathology', coverage: separate } as const;
  it.each([
    ['K10.2', /does not exist in ICD-10-CM/],
    ['K08', /header|category/],
    ['M26.61', /header for TMJ adhesions/],
    ['S02.5', /header|7th character|category/],
    // Checked against the shipped official list: no longer "could not be verified", but known to be invalid.
    ['X99.999', /not a valid ICD-10-CM code in the official list/],
    ['banana', /not an ICD-10-CM code/],
  ])('%s gets unverified-diagnosis', (code, message) => {
    const r = run({ ...base, diagnoses: [code] });
    expect(warningIds(r)).toContain('unverified-diagnosis');
    expect(r.warnings.find((w) => w.id === 'unverified-diagnosis')!.message).toMatch(message);
    expect(r.diagnosisCodes.map((d) => d.code)).not.toContain(code);
  });
  it('accepts undotted codes and lists them with the official title', () => {
    const r = run({ ...base, diagnoses: ['k1379'] });
    expect(r.diagnosisCodes[0]).toEqual({ code: 'K13.79', description: 'Other lesions of oral mucosa' });
    expect(warningIds(r)).not.toContain('unverified-diagnosis');
  });
  it('flags a diagnosis that does not fit the case', () => {
    const r = run({ procedure: 'D0367', cause: 'tmj', diagnoses: ['M26.621', 'K02.52'], notes: 'failed splint', coverage: separate });
    expect(r.warnings.find((w) => w.id === 'unverified-diagnosis')!.message).toMatch(/K02\.52.*does not fit/);
  });
  it('flags routine dental diagnoses on a medical claim', () => {
    expect(warningIds(run({ ...base, diagnoses: ['Z01.20'] }))).toContain('unverified-diagnosis');
  });
});

describe('lanes by coverage and payer', () => {
  it('combined plans send surgical and wisdom-tooth extractions to medical first, with the EOB for dental', () => {
    const r = run({ procedure: 'D7240', cause: 'routine', coverage: combined });
    expect(r.lane).toBe('medical-first');
    expect(docKinds(r)).toContain('primary-eob');
  });
  it('separate plans: an impacted tooth depends on the medical certificate', () => {
    const r = run({ procedure: 'D7240', cause: 'routine', coverage: separate });
    expect(r.lane).toBe('needs-info');
    expect(r.questions[0]!.question).toMatch(/impacted in bone/);
    expect(run({ procedure: 'D7240', cause: 'routine', notes: 'medical plan covers impacted teeth', coverage: separate }).lane).toBe('medical');
  });
  it('asks which insurance when the lane depends on it, and decides when it does not', () => {
    const r = run({ procedure: 'D7140', cause: 'decay' });
    expect(r.lane).toBe('needs-info');
    expect(r.questions[0]!.field).toBe('coverage');
    expect(run({ procedure: 'D9975', cause: 'cosmetic' }).lane).toBe('patient-pay');
    expect(run({ procedure: '41100', cause: 'pathology', coverage: { medical: true, dental: false } }).lane).toBe('medical');
  });
  it('asks which kind of medical plan when Medicare would change the answer', () => {
    const r = run({ procedure: 'D7270', cause: 'trauma', notes: 'fell', coverage: { medical: true, dental: false } });
    expect(r.lane).toBe('needs-info');
    expect(r.questions[0]!.field).toBe('coverage.medicalPayer');
  });
  it('no insurance at all: the patient pays', () => {
    expect(run({ procedure: '41100', cause: 'pathology', coverage: { medical: false, dental: false } }).lane).toBe('patient-pay');
  });
});

describe('Medicare dental services tied to covered treatment', () => {
  const clearance = (notes: string, extra: Partial<CaseFacts> = {}) => run({ procedure: 'D7140', cause: 'medical-clearance', diagnoses: ['K04.7', 'Z01.818'], notes, coverage: medicare, ...extra });
  it.each(['kidney transplant', 'stem cell transplant', 'aortic valve replacement', 'chemotherapy for lymphoma', 'CAR-T therapy', 'Xgeva for bone metastases', 'radiation for head and neck cancer', 'dialysis for ESRD'])('pays before %s, with KX and coordination', (notes) => {
    const r = clearance(`clearance before ${notes}`);
    expect(r.lane).toBe('medical');
    // Medicare-linked dental care is one cross-cutting rule (rules.json MCR-LINKED-KX), whatever the procedure.
    expect(r.rules.find((x) => x.id === 'MCR-LINKED-KX')?.summary).toMatch(/KX/);
    expect(docKinds(r)).toContain('referral');
    expect(warningIds(r)).toContain('credentialing');
  });
  it('does not pay for diabetes or a joint replacement', () => {
    expect(clearance('clearance before knee replacement').lane).toBe('patient-pay');
    expect(clearance('clearance for diabetes', { coverage: { ...medicare, dental: true } }).lane).toBe('dental');
  });
  it('uses GY for a denial when Medicaid is secondary', () => {
    const r = clearance('clearance before hip replacement; Medicaid secondary needs a Medicare denial');
    expect(r.lane).toBe('medical-first');
    expect(r.rules.map((x) => x.summary).join(' ')).toMatch(/GY/);
  });
  it('excludes routine extractions', () => {
    expect(run({ procedure: 'D7140', cause: 'decay', coverage: { ...medicare, dental: true } }).lane).toBe('dental');
  });
  it('pays an oral appliance as DME through an enrolled supplier', () => {
    const r = run({ procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], coverage: medicare, documentsOnHand: ['sleep-study', 'physician-order'] });
    expect(r.lane).toBe('medical');
    expect(warningIds(r)).toContain('dme-enrollment');
    expect(r.documents.find((d) => d.kind === 'sleep-study')!.why).toMatch(/AHI\/RDI of 15 or more/);
  });
  it('does not pay a TMJ splint', () => {
    expect(run({ procedure: 'D7880', cause: 'tmj', notes: 'failed NSAIDs', coverage: medicare }).lane).toBe('patient-pay');
  });
});

describe('procedure-specific rules', () => {
  it('OSA appliance without a physician diagnosis needs info', () => {
    const r = run({ procedure: 'oral appliance', cause: 'sleep-apnea', notes: 'suspected OSA, sleep study scheduled', coverage: separate });
    expect(r.lane).toBe('needs-info');
    expect(r.questions[0]!.question).toMatch(/sleep study/);
  });
  it('CBCT for TMJ: medical, likely preauth, accreditation warning, 70486', () => {
    const r = run({ procedure: 'D0367', cause: 'tmj', diagnoses: ['M26.621'], coverage: separate });
    expect(r).toMatchObject({ lane: 'medical', preauth: 'likely' });
    expect(warningIds(r)).toEqual(expect.arrayContaining(['cbct-accreditation', 'preauth-missing']));
    expect(allCodes(r)).toContain('70486');
    expect(warningIds(run({ ...{ procedure: 'D0367', cause: 'tmj', coverage: separate }, documentsOnHand: ['prior-authorization'] }))).not.toContain('preauth-missing');
  });
  it('infection: extraoral drainage is medical, intraoral is dental', () => {
    expect(run({ procedure: 'D7520', cause: 'infection', coverage: separate }).lane).toBe('medical');
    expect(run({ procedure: 'D7510', cause: 'infection', coverage: separate }).lane).toBe('dental');
  });
  it('biopsy CPT follows the site', () => {
    expect(run({ procedure: 'biopsy', notes: 'lesion on the palate', cause: 'pathology', coverage: separate }).procedureCodes.cpt.map((c) => c.code)).toEqual(['42100']);
    expect(run({ procedure: 'biopsy', notes: 'mass in the oropharynx', cause: 'pathology', coverage: separate }).procedureCodes.cpt.map((c) => c.code)).toEqual(['42800']);
    const unknownSite = run({ procedure: 'biopsy', cause: 'pathology', coverage: separate });
    expect(unknownSite.procedureCodes.cpt).toEqual([]);
    expect(unknownSite.questions.some((q) => /Where is the lesion/.test(q.question))).toBe(true);
  });
  it('never suggests 21025 for a tumor, and says so when it is given', () => {
    const r = run({ procedure: '21025', cause: 'pathology', notes: 'excision of a mandibular tumor', coverage: separate });
    expect(allCodes(r)).not.toContain('21025');
    expect(allCodes(r)).toEqual(expect.arrayContaining(['21040']));
    expect(r.rules.map((x) => x.id)).toContain('R-NEVER-SUGGEST');
  });
  it('frenectomy: tongue-tie with feeding problems is medical, lip frenum is dental', () => {
    expect(run({ procedure: '41010', cause: 'congenital', notes: 'poor latch', patientAge: 0, coverage: separate }).lane).toBe('medical');
    expect(run({ procedure: 'D7961', cause: 'congenital', notes: 'diastema', patientAge: 12, coverage: separate }).lane).toBe('dental');
  });
  it('general anesthesia in a hospital for a young child is medical; in-office sedation is dental', () => {
    expect(run({ procedure: 'D9222', cause: 'decay', notes: 'hospital OR case with anesthesiologist', patientAge: 4, coverage: separate }).lane).toBe('medical');
    expect(run({ procedure: 'D9239', cause: 'decay', notes: 'in office', patientAge: 40, coverage: separate }).lane).toBe('dental');
  });
  it('perio tied to diabetes stays dental with a low-roi warning', () => {
    const r = run({ procedure: 'scaling and root planing', cause: 'systemic-condition', notes: 'type 2 diabetes', coverage: separate });
    expect(r.lane).toBe('dental');
    expect(warningIds(r)).toContain('low-roi');
  });
  it('an implant after trauma is medical; after decay, dental', () => {
    expect(run({ procedure: 'implant #8', cause: 'trauma', notes: 'lost in a fall', coverage: separate }).lane).toBe('medical');
    expect(run({ procedure: 'implant #19', cause: 'decay', coverage: separate }).lane).toBe('dental');
  });
  it('every answer lists its rules with their sources', () => {
    const r = run({ procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], coverage: separate, documentsOnHand: ['sleep-study', 'physician-order'] });
    expect(r.rules.length).toBeGreaterThan(0);
    for (const rule of r.rules) expect(rule.source.length).toBeGreaterThan(5);
  });
});
