/**
 * Issue 11, parts 2-4: one block per family, each case written from the public rule it cites (domain.md,
 * CMS and payer text), scored the way shared/cases/README.md scores the unpublished cases.
 */
import { describe, expect, it } from 'vitest';
import { allCodes, run, score, type Expect } from '../../helpers.js';
import type { CaseFacts } from '../../../src/knowledge/facts.js';

const separate = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } as const;
const combined = { medical: true, dental: true, combinedPlan: true, medicalPayer: 'commercial' } as const;
const medicalOnly = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'commercial' } as const;
const medicare = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'medicare' } as const;
const medicareDental = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'medicare' } as const;
const medicaid = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'medicaid' } as const;
const advantage = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'medicare-advantage' } as const;
const tricare = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'tricare' } as const;

type Case = [name: string, facts: CaseFacts, expect: Expect];
const family = (title: string, cases: Case[]) =>
  describe(title, () => {
    it.each(cases)('%s', (_name, facts, e) => expect(score(run(facts), e)).toEqual([]));
  });

family('routine and restorative dental care', [
  ['routine D0150 today is dental, not a clearance', { procedure: 'D0150', cause: 'routine', notes: 'New patient comprehensive exam.', coverage: separate, patientAge: 34 }, { lane: 'dental', preauth: ['not-required'], mustCodes: ['D0150'], mustNotWarnings: ['preauth-missing', 'credentialing'] }],
  ['a cleaning with no cause given is still dental', { procedure: 'D1110', coverage: separate, patientAge: 40 }, { lane: 'dental', mustCodes: ['D1110'] }],
  ['a crown with no dental plan: the patient pays', { procedure: 'D2740', cause: 'decay', notes: '#14 cracked cusp, large old filling', coverage: medicalOnly, patientAge: 52 }, { lane: 'patient-pay', mustCodes: ['D2740'] }],
  ['root canal on Medicare with a dental plan: dental', { procedure: 'D3310', cause: 'infection', diagnoses: ['K04.02'], coverage: medicareDental, patientAge: 71 }, { lane: 'dental', mustCodes: ['D3310'] }],
  ['a denture in plain words', { procedure: 'new upper denture', cause: 'routine', coverage: separate, patientAge: 68 }, { lane: 'dental' }],
  ['orthodontics for crowding', { procedure: 'D8080', cause: 'routine', notes: 'Crowding, comprehensive braces.', coverage: separate, patientAge: 13 }, { lane: 'dental', mustCodes: ['D8080'] }],
]);

family('cosmetic work', [
  ['whitening D9975 with no cause', { procedure: 'D9975', coverage: separate, patientAge: 29 }, { lane: 'patient-pay', mustCodes: ['D9975'] }],
  ['in-office whitening before a wedding', { procedure: 'D9972', cause: 'routine', notes: 'wants whiter teeth for her wedding, cosmetic', coverage: separate }, { lane: 'patient-pay' }],
  ['veneers for looks', { procedure: 'porcelain veneers #7-#10', cause: 'cosmetic', notes: 'smile makeover', coverage: combined }, { lane: 'patient-pay' }],
  ['gum contouring for a gummy smile', { procedure: 'gum contouring', notes: 'gummy smile, for looks', coverage: separate }, { lane: 'patient-pay' }],
]);

describe('Medicaid', () => {
  it('a Medicaid child has EPSDT dental benefits even when dental is not ticked, and is never patient-pay', () => {
    const r = run({ procedure: 'D2391', cause: 'decay', coverage: medicaid, patientAge: 8 });
    expect(r.lane).toBe('dental');
    expect(r.rules.map((x) => x.id)).toContain('R-MEDICAID-EPSDT');
    expect(r.rules.find((x) => x.id === 'R-MEDICAID-EPSDT')?.summary).toMatch(/447\.15/);
  });
  it('a Medicaid child extraction is dental', () => {
    expect(run({ procedure: 'D7140', cause: 'decay', coverage: medicaid, patientAge: 15 }).lane).toBe('dental');
  });
  it('adult Medicaid dental varies by state: ask rather than quote the patient', () => {
    const r = run({ procedure: 'D7140', cause: 'decay', notes: 'non-restorable #30', coverage: medicaid, patientAge: 45 });
    expect(r.lane).toBe('needs-info');
    expect(r.questions[0]?.question).toMatch(/varies by state/);
  });
  it('asks how the state runs a Medicaid child\'s dental benefit, not "one combined plan or two" (issue 21)', () => {
    const r = run({ procedure: 'wisdom teeth extraction', coverage: { medical: true, medicalPayer: 'medicaid' }, patientAge: 12 });
    expect(r.lane).toBe('needs-info');
    const q = r.questions.find((x) => x.field === 'coverage.combinedPlan');
    expect(q?.question).toMatch(/Medicaid dental benefit part of the Medicaid health plan .*separate Medicaid dental program/);
    expect(r.questions.some((x) => /one combined plan, or two separate plans/.test(x.question))).toBe(false);
    expect(r.rules.map((x) => x.id)).toContain('R-MEDICAID-DENTAL-DELIVERY');
    // An adult on a commercial plan is still asked about one plan or two.
    const adult = run({ procedure: 'wisdom teeth extraction', coverage: { medical: true, dental: true, medicalPayer: 'commercial' }, patientAge: 30 });
    expect(adult.questions.some((x) => /one combined plan, or two separate plans/.test(x.question))).toBe(true);
  });
  it('cosmetic work for a Medicaid child is still not covered care', () => {
    expect(run({ procedure: 'D9975', cause: 'cosmetic', coverage: medicaid, patientAge: 17 }).lane).toBe('patient-pay');
  });
});

family('Medicare-linked dental care (cross-cutting)', [
  ['dialysis extraction in words, with the nephrologist\'s referral', { procedure: 'extraction #30', cause: 'infection', diagnoses: ['K04.7', 'N18.6'], notes: 'ESRD on dialysis; nephrologist referral to clear infection.', coverage: medicare, patientAge: 66, documentsOnHand: ['referral'] }, { lane: 'medical', preauth: ['not-required'], mustDocuments: ['referral'], mustCodes: ['K04.7'], mustWarnings: ['credentialing'], mustNotWarnings: ['preauth-missing'] }],
  ['the same case coded D7140', { procedure: 'D7140', cause: 'infection', diagnoses: ['K04.7', 'N18.6'], notes: 'ESRD on dialysis; nephrologist referral.', coverage: medicare, patientAge: 66, documentsOnHand: ['referral'] }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['D7140'] }],
  ['exam before a kidney transplant', { procedure: 'D0150', cause: 'medical-clearance', notes: 'Transplant team asked for dental clearance before kidney transplant.', coverage: medicare, patientAge: 58 }, { lane: 'medical', preauth: ['not-required'], mustDocuments: ['referral'], mustCodes: ['D0150'] }],
  ['scaling and root planing before chemotherapy', { procedure: 'D4341', cause: 'infection', diagnoses: ['K05.323'], notes: 'Oncologist referred for infection control before chemotherapy.', coverage: medicare, patientAge: 70 }, { lane: 'medical', preauth: ['not-required'] }],
  ['I&D before heart valve replacement, no coordination documented: GY', { procedure: 'D7510', cause: 'infection', notes: 'Scheduled for aortic valve replacement next month; localized abscess #19.', coverage: medicareDental, patientAge: 74 }, { lane: 'medical-first', laneAlso: ['medical'] }],
  ['TRICARE adjunctive dental before head and neck radiation', { procedure: 'D7140', cause: 'medical-clearance', notes: 'Extractions before radiation therapy for head and neck cancer; oncologist request.', coverage: tricare, patientAge: 55 }, { lane: 'medical', preauth: ['required'], mustWarnings: ['preauth-missing'] }],
]);

it('Medicare-linked care names KX, and GY when the link is not documented', () => {
  const kx = run({ procedure: 'D7140', cause: 'infection', diagnoses: ['K04.7', 'N18.6'], notes: 'dialysis, nephrologist referral', coverage: medicare, patientAge: 66 });
  expect(kx.rules.find((x) => x.id === 'MCR-LINKED-KX')?.summary).toMatch(/KX/);
  const gy = run({ procedure: 'D7140', cause: 'infection', diagnoses: ['K04.7', 'N18.6'], notes: 'on dialysis', coverage: medicareDental, patientAge: 66 });
  expect(gy.rules.find((x) => x.id === 'MCR-LINKED-GY')?.summary).toMatch(/GY/);
});

family('osteonecrosis of the jaw', [
  ['MRONJ debridement coded D7550 is not an infection drainage', { procedure: 'D7550', cause: 'pathology', diagnoses: ['M87.180'], notes: 'Exposed necrotic bone lower left, on zoledronic acid for bone metastases; sequestrectomy.', coverage: separate, patientAge: 67 }, { lane: 'medical', mustDocuments: ['medical-history', 'imaging'], mustCodes: ['M87.180', 'D7550'] }],
  ['osteoradionecrosis: M27.8 with Z92.3, never 41000', { procedure: 'debridement of necrotic bone mandible', diagnoses: ['M27.8', 'Z92.3'], notes: 'Osteoradionecrosis of the mandible two years after radiation therapy for tongue cancer.', coverage: separate, patientAge: 63 }, { lane: 'medical', mustCodes: ['M27.8', 'Z92.3'] }],
  // Issue 22: an osteoporosis-dose necrosis confined to the tooth-bearing bone may be excluded dental care on Medicare (BPM ch. 16 sec. 140): asked, not assumed covered.
  ['MRONJ on Medicare after alendronate: extent and cause decide, so ask', { procedure: 'sequestrectomy', diagnoses: ['M87.180'], notes: 'MRONJ after alendronate, exposed bone #30 area.', coverage: medicare, patientAge: 78 }, { lane: 'needs-info' }],
  ['MRONJ on Medicare beyond the alveolus is a covered jaw disease', { procedure: 'sequestrectomy', diagnoses: ['M87.180'], notes: 'MRONJ after alendronate, exposed bone #30 area extending to the inferior border.', coverage: medicare, patientAge: 78 }, { lane: 'medical', preauth: ['not-required'] }],
]);
it('osteoradionecrosis never gets floor-of-mouth drainage', () => {
  const r = run({ procedure: 'D7550', diagnoses: ['M27.8', 'Z92.3'], notes: 'osteoradionecrosis, floor of mouth region, mandible', coverage: separate });
  expect(allCodes(r)).not.toContain('41000');
});

family('cleft lip and palate', [
  ['alveolar bone graft 42210 is medical, not a congenital implant', { procedure: 'alveolar bone graft', cause: 'congenital', diagnoses: ['Q37.1'], notes: 'Unilateral cleft lip and palate, 9 years old, cleft team plan.', coverage: separate, patientAge: 9 }, { lane: 'medical', mustCodes: ['42210'], mustDocuments: ['letter-of-medical-necessity'] }],
  ['orthodontics certified as part of cleft care', { procedure: 'D8080', cause: 'congenital', diagnoses: ['Q37.9'], notes: 'Cleft palate; orthodontics certified by the craniofacial surgeon as part of cleft care.', coverage: separate, patientAge: 12 }, { lane: 'medical' }],
  ['an obturator for a cleft palate', { procedure: 'interim obturator', diagnoses: ['Q35.9'], notes: 'cleft palate, speech problems', coverage: medicalOnly, patientAge: 6 }, { lane: 'medical', mustCodes: ['D5936'] }],
  ['a cleaning for a cleft patient stays dental', { procedure: 'D1120', cause: 'routine', diagnoses: ['Q37.9'], coverage: separate, patientAge: 10 }, { lane: 'dental' }],
]);

family('oral cancer, salivary glands, orthognathic surgery, lacerations, jaw dislocation', [
  ['obturator after maxillectomy for cancer', { procedure: 'definitive obturator', notes: 'Maxillectomy for squamous cell carcinoma of the palate.', coverage: separate, patientAge: 64 }, { lane: 'medical', mustCodes: ['D5932'], mustDocuments: ['pathology-report'] }],
  ['extractions before radiation for oral cancer (commercial)', { procedure: 'D7210', cause: 'pathology', notes: 'Tongue cancer; extractions before radiation therapy per radiation oncologist.', coverage: separate, patientAge: 59 }, { lane: 'medical' }],
  ['salivary stone removal', { procedure: 'removal of salivary stone', notes: 'Sialolith in Wharton\'s duct, submandibular gland swelling at meals.', coverage: separate, patientAge: 44 }, { lane: 'medical', preauth: ['rarely', 'not-required', 'unknown'], mustCodes: ['K11.5'] }],
  ['orthognathic surgery: medical, precertification', { procedure: 'orthognathic surgery', cause: 'congenital', diagnoses: ['M26.04'], notes: 'Mandibular hypoplasia, cannot bite through food; BSSO planned.', coverage: separate, patientAge: 19 }, { lane: 'medical', preauth: ['required', 'likely'], mustDocuments: ['letter-of-medical-necessity', 'imaging'], mustWarnings: ['preauth-missing'] }],
  ['orthognathic surgery on Medicare needs no preauth', { procedure: 'orthognathic surgery', cause: 'congenital', notes: 'sagittal split for severe open bite, chewing impaired', coverage: medicare, patientAge: 66 }, { lane: 'medical', preauth: ['not-required'], mustNotWarnings: ['preauth-missing'] }],
  ['tongue laceration from a fall', { procedure: 'repair tongue laceration', cause: 'trauma', notes: 'Fell off a scooter, 2 cm laceration of the tongue.', coverage: separate, patientAge: 7 }, { lane: 'medical', mustCodes: ['41250'], mustDocuments: ['accident-details'] }],
  ['jaw locked open: closed reduction 21480, not D7810', { procedure: 'reduction of dislocated jaw', notes: 'Jaw locked open after yawning; reduced manually.', coverage: separate, patientAge: 33 }, { lane: 'medical', mustCodes: ['21480', 'D7820'] }],
]);
it('the word "open" in "locked open" does not make the reduction open', () => {
  const r = run({ procedure: 'reduction of dislocated jaw', notes: 'jaw locked open after yawning', coverage: separate });
  expect(allCodes(r)).not.toContain('D7810');
  expect(allCodes(r)).not.toContain('21490');
});

family('TMJ surgery on Medicare', [
  ['TMJ arthroplasty after failed splint therapy is covered', { procedure: '21240', cause: 'tmj', diagnoses: ['M26.641'], notes: 'Failed splint therapy and NSAIDs for 8 months; right TMJ arthroplasty.', coverage: medicare, patientAge: 67 }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['21240'], mustNotWarnings: ['preauth-missing'] }],
  ['arthrocentesis on Medicare', { procedure: 'TMJ arthrocentesis', cause: 'tmj', diagnoses: ['M26.631'], notes: 'closed lock, splint did not help', coverage: medicare, patientAge: 70 }, { lane: 'medical', preauth: ['not-required'] }],
  ['a TMJ splint on Medicare is still not covered', { procedure: 'D7880', cause: 'tmj', notes: 'bruxism, jaw pain', coverage: medicare, patientAge: 70 }, { lane: 'patient-pay' }],
]);
it('TMJ surgery on Medicare is not given A9270', () => {
  const r = run({ procedure: '21240', cause: 'tmj', notes: 'failed splint', coverage: medicare });
  expect(allCodes(r)).not.toContain('A9270');
});

family('sleep apnea appliances', [
  ['a sleep study on hand with AHI 3 is not a diagnosis', { procedure: 'E0486', cause: 'sleep-apnea', notes: 'Home sleep test AHI 3, snoring.', coverage: separate, documentsOnHand: ['sleep-study'], patientAge: 45 }, { lane: 'patient-pay' }],
  ['Medicare AHI 22 with order after the test', { procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'PSG AHI 22; sleep physician order written after reviewing the study.', coverage: medicare, documentsOnHand: ['sleep-study', 'physician-order'], patientAge: 70 }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['E0486'], mustWarnings: ['dme-enrollment'], mustNotWarnings: ['preauth-missing'] }],
  ['Medicare AHI 9 with hypertension is covered', { procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'HST AHI 9, treated hypertension.', coverage: medicare, documentsOnHand: ['sleep-study', 'physician-order'], patientAge: 68 }, { lane: 'medical' }],
  ['Medicare AHI 9 with nothing else documented: ask', { procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'HST AHI 9.', coverage: medicare, documentsOnHand: ['sleep-study', 'physician-order'], patientAge: 68 }, { lane: 'needs-info' }],
  ['Medicare: a backup to CPAP for travel is not covered', { procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'AHI 31, uses CPAP at home, wants an appliance for travel.', coverage: medicare, documentsOnHand: ['sleep-study', 'physician-order'], patientAge: 72 }, { lane: 'patient-pay' }],
  ['a device without a fixed hinge is K1027', { procedure: 'custom oral appliance', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'AHI 18, could not tolerate CPAP; monoblock design, no hinge.', coverage: separate, documentsOnHand: ['sleep-study', 'physician-order'], patientAge: 50 }, { lane: 'medical', preauth: ['likely', 'required'], mustCodes: ['K1027'] }],
]);

family('broken appliances and broken teeth', [
  ['a broken denture is a repair, not trauma', { procedure: 'repair broken denture', notes: 'Patient dropped her upper denture and it cracked.', coverage: separate, patientAge: 75 }, { lane: 'dental', mustNotWarnings: ['other-liable-payer'] }],
  ['a broken retainer with no dental plan', { procedure: 'broken retainer', coverage: medicalOnly, patientAge: 16 }, { lane: 'patient-pay' }],
  ['"the tooth broke" does not say how', { procedure: 'broken tooth #9', notes: 'Patient says the tooth broke.', coverage: separate, patientAge: 30 }, { lane: 'needs-info' }],
]);
it('asks how the tooth broke', () => {
  const r = run({ procedure: 'broken tooth #9', notes: 'Patient says the tooth broke.', coverage: separate });
  expect(r.questions[0]?.question).toMatch(/How did the tooth break/);
});

family('impacted teeth without pathology (cause impaction)', [
  ['combined plan: medical first', { procedure: 'D7240', cause: 'impaction', diagnoses: ['K01.1'], notes: 'Fully bony impacted #17, no symptoms.', coverage: combined, patientAge: 18 }, { lane: 'medical-first', mustDocuments: ['primary-eob'], mustCodes: ['K01.1'] }],
  ['separate plans: ask whether the certificate lists it', { procedure: 'wisdom tooth removal', cause: 'impaction', coverage: separate, patientAge: 20 }, { lane: 'needs-info' }],
  ['separate plans, certificate lists impacted teeth', { procedure: 'D7240', cause: 'impaction', notes: 'Medical plan covers impacted teeth embedded in bone.', coverage: separate, patientAge: 22 }, { lane: 'medical' }],
  ['Medicare excludes it', { procedure: 'D7240', cause: 'impaction', coverage: medicareDental, patientAge: 67 }, { lane: 'dental' }],
  ['impaction with a dentigerous cyst is pathology', { procedure: 'D7240', cause: 'impaction', diagnoses: ['K09.0'], notes: 'Dentigerous cyst around #32.', coverage: separate, patientAge: 24 }, { lane: 'medical' }],
]);

family('prior authorization by payer kind', [
  ['commercial biopsy: rarely, no preauth warning', { procedure: '41100', cause: 'pathology', diagnoses: ['K13.21'], notes: 'white patch lateral tongue 6 weeks', coverage: separate, patientAge: 58 }, { lane: 'medical', preauth: ['rarely', 'not-required'], mustNotWarnings: ['preauth-missing'] }],
  ['commercial emergency fracture care: rarely', { procedure: '21453', cause: 'trauma', diagnoses: ['S02.609A'], notes: 'Emergency: fell off a ladder at home last night, mandible fracture.', coverage: separate, patientAge: 41 }, { lane: 'medical', preauth: ['rarely', 'not-required'], mustNotWarnings: ['preauth-missing'] }],
  ['Medicare biopsy: not required', { procedure: 'D7286', cause: 'pathology', diagnoses: ['K13.79'], coverage: medicare, patientAge: 72 }, { lane: 'medical', preauth: ['not-required'], mustNotWarnings: ['preauth-missing'] }],
  ['Medicare CBCT: not required', { procedure: 'D0367', cause: 'tmj', diagnoses: ['M26.621'], notes: 'failed splint', coverage: medicare, patientAge: 69 }, { lane: 'medical', preauth: ['not-required'], mustNotWarnings: ['preauth-missing'] }],
  ['Medicare Advantage OSA appliance: plan-specific, ask', { procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'AHI 20', coverage: advantage, documentsOnHand: ['sleep-study', 'physician-order'], patientAge: 70 }, { lane: 'medical', preauth: ['unknown'], mustNotWarnings: ['preauth-missing'] }],
  ['commercial implant after trauma: likely, warns', { procedure: '21248', cause: 'trauma', notes: 'lost #8 and #9 in a fall last year', coverage: separate, patientAge: 35 }, { lane: 'medical', preauth: ['likely', 'required'], mustWarnings: ['preauth-missing'] }],
  ['approval on hand: no warning', { procedure: '21248', cause: 'trauma', notes: 'lost #8 in a fall', coverage: separate, documentsOnHand: ['prior-authorization'], patientAge: 35 }, { lane: 'medical', mustNotWarnings: ['preauth-missing'] }],
]);
it('Medicaid preauth is plan-specific and asked about', () => {
  const r = run({ procedure: '21248', cause: 'trauma', notes: 'lost #8 in a fall', coverage: medicaid, patientAge: 30 });
  expect(r.preauth).toBe('unknown');
  expect(r.questions.some((q) => /prior authorization/.test(q.question))).toBe(true);
});

// ------------------------------------------------------------------ only what applies (issues 11 and 12)

describe('questions and warnings that apply to this case', () => {
  const separate = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } as const;

  it('does not ask about a car once the person said no car was involved', () => {
    const withCar = run({ procedure: 'D7140', cause: 'trauma', notes: 'bike fall, #8 fractured', coverage: separate });
    const noCar = run({ procedure: 'D7140', cause: 'trauma', notes: 'bike fall, no car involved, #8 fractured', coverage: separate });
    expect(withCar.questions.some((q) => /car accident/.test(q.question))).toBe(true);
    expect(noCar.questions.some((q) => /\bcar\b/.test(q.question))).toBe(false);
    expect(noCar.questions.some((q) => /at work, or caused by someone else/.test(q.question))).toBe(true);
  });

  it('says nothing about commercial plans or Medicare in the credentialing rule of a Medicaid answer', () => {
    const r = run({ procedure: 'D7140', cause: 'infection', notes: 'abscess #19 with facial swelling', coverage: { medical: true, dental: false, medicalPayer: 'medicaid' }, patientAge: 40 });
    const cred = [...r.warnings.filter((w) => w.id === 'credentialing').map((w) => w.message), ...r.rules.filter((x) => x.id === 'R-CRED-01').map((x) => x.summary)];
    for (const text of cred) expect(text).not.toMatch(/enrolled with Medicare\)|the commercial medical plan/);
  });
});

it('Original Medicare has no dental benefit: with the dental plan unknown, a combined plan is not one of the possibilities', () => {
  const r = run({ procedure: 'extraction', notes: 'before heart valve replacement', coverage: { medical: true, medicalPayer: 'medicare' } });
  const coverage = r.rules.find((x) => x.id === 'R-NEEDS-COVERAGE');
  expect(coverage?.summary).toMatch(/separate medical and dental plans/);
  expect(coverage?.summary).not.toMatch(/one combined plan/);
});
