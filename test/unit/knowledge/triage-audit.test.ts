/**
 * Issue 22, section 1: what an expert audit found wrong, one block per item, each case written from the public
 * rule it cites and scored the way shared/cases/README.md scores the unpublished cases.
 */
import { describe, expect, it } from 'vitest';
import { allCodes, kn, run, score, warningIds, type Expect } from '../../helpers.js';
import type { CaseFacts } from '../../../src/knowledge/facts.js';

const separate = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } as const;
const medicare = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'medicare' } as const;
const medicareDental = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'medicare' } as const;
const advantage = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'medicare-advantage' } as const;

type Case = [name: string, facts: CaseFacts, expect: Expect];
const family = (title: string, cases: Case[]) =>
  describe(title, () => {
    it.each(cases)('%s', (_name, facts, e) => expect(score(run(facts), e)).toEqual([]));
  });
const ruleIds = (f: CaseFacts) => run(f).rules.map((r) => r.id);

// ------------------------------------------------------------------ 1-2: cone-beam CT capture-only codes

describe('cone-beam CT capture-only codes (D0380-D0384)', () => {
  it('D0381 is the lower arch and D0382 the upper, as D0365 and D0366', () => {
    expect(kn.procedureCodes.cdt.get('D0381')?.description).toMatch(/lower/);
    expect(kn.procedureCodes.cdt.get('D0382')?.description).toMatch(/upper/);
    expect(kn.procedureCodes.cdt.get('D0365')?.description).toMatch(/lower/);
    expect(kn.procedureCodes.cdt.get('D0366')?.description).toMatch(/upper/);
  });
});
family('a capture-only CBCT is imaging, not routine dental care', [
  ['D0382 for a cyst of the maxilla', { procedure: 'D0382 cbct', cause: 'pathology', notes: 'cbct maxilla for a cyst', coverage: separate, patientAge: 40 }, { lane: 'medical', laneAlso: ['medical-first'], mustCodes: ['D0382'], mustWarnings: ['cbct-accreditation'], mustNotWarnings: ['low-roi'] }],
  ['D0381 for a lesion of the mandible', { procedure: 'D0381', cause: 'pathology', notes: 'radiolucency of the mandible', coverage: separate, patientAge: 52 }, { lane: 'medical', laneAlso: ['medical-first'], mustCodes: ['D0381'], mustNotWarnings: ['low-roi'] }],
  ['D0384 TMJ capture', { procedure: 'D0384 cbct tmj capture', cause: 'tmj', coverage: separate }, { lane: 'medical', laneAlso: ['medical-first', 'needs-info'], mustCodes: ['D0384'], mustNotWarnings: ['low-roi'] }],
]);
it('the capture-only codes are the imaging category, and CBCT with the CT rules', () => {
  for (const code of ['D0380', 'D0381', 'D0382', 'D0383', 'D0384']) {
    const r = run({ procedure: code, cause: 'pathology', coverage: separate });
    expect(r.rules.map((x) => x.id), code).toContain('IMG-LANE-CBCT-MEDICAL');
  }
});
it('one full arch is D0365 (lower) or D0366 (upper), never D0367 (both jaws)', () => {
  const lower = run({ procedure: 'cbct of the full lower arch', cause: 'pathology', coverage: separate });
  expect(allCodes(lower)).toContain('D0365');
  expect(allCodes(lower)).not.toContain('D0367');
  const upper = run({ procedure: 'cbct full upper arch', cause: 'pathology', coverage: separate });
  expect(allCodes(upper)).toContain('D0366');
  expect(allCodes(upper)).not.toContain('D0367');
});

// ------------------------------------------------------------------ 3: Medicare imaging follows the procedure

family('Medicare pays for an image only when it pays for the procedure it serves (BPM ch. 16 sec. 140, ch. 15 sec. 150)', [
  ['a pano before removing impacted teeth, no dental plan', { procedure: 'D0330 panoramic x-ray', cause: 'impaction', notes: 'pano to evaluate impacted #17 #32 before removal', coverage: medicare, patientAge: 67 }, { lane: 'patient-pay' }],
  ['the same pano with a dental plan', { procedure: 'D0330', cause: 'impaction', notes: 'pano before removal of impacted #32', coverage: medicareDental, patientAge: 67 }, { lane: 'dental' }],
  ['a CBCT for implant planning', { procedure: 'cbct', cause: 'routine', notes: 'implant planning #30', coverage: medicare, patientAge: 70 }, { lane: 'patient-pay', mustNotWarnings: ['cbct-accreditation'] }],
  ['Medicaid secondary needs the denial: GY', { procedure: 'D0330', cause: 'impaction', notes: 'pano before removal of impacted #17; Medicaid secondary needs a Medicare denial', coverage: medicare, patientAge: 66 }, { lane: 'medical-first' }],
  ['a pano for a jaw fracture is covered', { procedure: '70355', cause: 'trauma', notes: 'fell, fractured mandible, closed reduction planned', coverage: medicare, patientAge: 71 }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['70355'] }],
  ['a CBCT of a jaw cyst is covered', { procedure: 'cbct', cause: 'pathology', notes: 'radiolucency of the mandible, enucleation planned', coverage: medicare, patientAge: 73 }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['70486'], mustWarnings: ['cbct-accreditation'] }],
  ['a pano for an abscessed tooth: which procedure decides', { procedure: 'panoramic x-ray', cause: 'infection', notes: 'abscess #19', coverage: medicare, patientAge: 75 }, { lane: 'needs-info' }],
  ['Medicare Advantage follows Original Medicare', { procedure: 'D0330', cause: 'impaction', notes: 'impacted #17', coverage: advantage, patientAge: 68 }, { lane: 'patient-pay' }],
]);
it('asks which procedure the image is for when only that decides', () => {
  const r = run({ procedure: 'panoramic x-ray', cause: 'infection', notes: 'abscess #19', coverage: medicare, patientAge: 75 });
  expect(r.questions[0]?.question).toMatch(/which procedure/i);
  expect(ruleIds({ procedure: 'D0330', cause: 'impaction', coverage: medicare })).toContain('IMG-LANE-MEDICARE-EXCLUDED');
});

// ------------------------------------------------------------------ 4: anesthesia and facility on Medicare

family('Medicare: anesthesia and the facility follow the dental procedure (state mandates do not bind Medicare)', [
  ['an adult on Medicare, extractions under GA in a hospital', { procedure: 'extractions under general anesthesia', notes: 'full mouth extractions in the hospital OR with an anesthesiologist; medically compromised, COPD', coverage: medicare, patientAge: 72 }, { lane: 'patient-pay', mustNotWarnings: ['preauth-missing'] }],
  ['the same with a dental plan', { procedure: 'D9222', notes: 'extractions in the hospital operating room, anesthesiologist; medically compromised', coverage: medicareDental, patientAge: 72 }, { lane: 'dental' }],
  ['Medicare Advantage, no dental plan', { procedure: 'general anesthesia for extractions', notes: 'hospital, anesthesiologist, developmental disability', coverage: advantage, patientAge: 68 }, { lane: 'patient-pay' }],
  ['GA for a covered jaw-fracture reduction is covered with it', { procedure: 'general anesthesia in the hospital', cause: 'trauma', notes: 'open reduction of a fractured mandible in the OR', coverage: medicare, patientAge: 70 }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['00170'] }],
  ['a young child on a commercial plan is still medical by the state mandate', { procedure: 'general anesthesia', notes: 'age 4, severe early childhood caries, hospital OR with anesthesiologist', coverage: separate, patientAge: 4 }, { lane: 'medical' }],
]);
it('names the narrow inpatient exception instead of the state mandates for Medicare', () => {
  const r = run({ procedure: 'extractions under general anesthesia', notes: 'hospital OR, anesthesiologist, medically compromised', coverage: medicare, patientAge: 72 });
  expect(r.rules.map((x) => x.id)).not.toContain('GA-LANE-FACILITY');
  expect(r.rules.map((x) => x.summary).join(' ')).not.toMatch(/state mandate/i);
  expect(r.questions.some((q) => /inpatient/i.test(q.question))).toBe(true);
});

// ------------------------------------------------------------------ 5: implants after a tumor on Medicare

family('Medicare: ridge reconstruction with the tumor removal is covered; implants are not (42 CFR 411.15(i))', [
  ['implants a year after an ameloblastoma resection', { procedure: 'endosteal implants', cause: 'pathology', notes: 'implants to restore the mandible, placed a year after resection of an ameloblastoma', coverage: medicare, patientAge: 70 }, { lane: 'patient-pay' }],
  ['implants in the same surgery as the resection are still tooth replacement', { procedure: 'D6010 implants', cause: 'pathology', notes: 'ameloblastoma resection with immediate implants at the same surgery', coverage: medicareDental, patientAge: 70 }, { lane: 'dental' }],
  ['ridge reconstruction at the same surgery as the tumor removal', { procedure: 'mandibular reconstruction with bone graft', cause: 'pathology', notes: 'ameloblastoma resection with reconstruction at the same surgery', coverage: medicare, patientAge: 68 }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['21215'] }],
  ['ridge reconstruction two years after the resection', { procedure: 'ridge reconstruction with bone graft', cause: 'pathology', notes: 'ameloblastoma of the mandible resected two years ago; delayed reconstruction', coverage: medicare, patientAge: 68 }, { lane: 'patient-pay' }],
  ['ridge reconstruction, timing not said: ask', { procedure: 'ridge reconstruction with bone graft', cause: 'pathology', notes: 'after resection of an ameloblastoma of the mandible', coverage: medicare, patientAge: 68 }, { lane: 'needs-info' }],
  ['commercial implants after a tumor stay medical', { procedure: 'endosteal implants', cause: 'pathology', notes: 'implants after resection of an ameloblastoma', coverage: separate, patientAge: 50 }, { lane: 'medical', mustCodes: ['21248'] }],
]);
it('never suggests 21248 or 21249 for Medicare, even when the notes name implants', () => {
  for (const f of [
    { procedure: 'endosteal implants', cause: 'pathology', notes: 'implants a year after resection of an ameloblastoma', coverage: medicare },
    { procedure: 'mandibular reconstruction with bone graft', cause: 'pathology', notes: 'ameloblastoma resection with reconstruction at the same surgery; implants later', coverage: medicare },
    { procedure: 'ridge reconstruction with bone graft', cause: 'pathology', notes: 'ameloblastoma resected; implants to follow', coverage: advantage },
  ] as CaseFacts[]) {
    const codes = allCodes(run(f));
    expect(codes, f.notes).not.toContain('21248');
    expect(codes, f.notes).not.toContain('21249');
  }
  expect(run({ procedure: 'ridge reconstruction with bone graft', cause: 'pathology', notes: 'after resection of an ameloblastoma', coverage: medicare }).questions[0]?.question).toMatch(/same operation/);
});

// ------------------------------------------------------------------ 6: the Medicare-linked list, as listed

family('Medicare-linked dental care only for the treatments Medicare lists (a KX on anything else is a false attestation)', [
  ['extraction before prostate radiation', { procedure: 'extraction #30', notes: 'patient starting radiation therapy for prostate cancer next month, referred by oncologist', coverage: medicare, patientAge: 72 }, { lane: 'patient-pay' }],
  ['extraction before head and neck radiation', { procedure: 'extraction #30', notes: 'starting radiation therapy for tongue cancer next month, referred by the radiation oncologist', coverage: medicare, patientAge: 72 }, { lane: 'medical', mustDocuments: ['referral'] }],
  ['radiation, site not said: ask', { procedure: 'extraction #30', notes: 'starting radiation therapy next month, referred by oncologist', coverage: medicare, patientAge: 72 }, { lane: 'needs-info' }],
  ['chemotherapy is listed for any cancer', { procedure: 'D7140', notes: 'chemotherapy for prostate cancer starts next week; oncologist asked for dental clearance', coverage: medicare, patientAge: 70 }, { lane: 'medical' }],
  ['Reclast for osteoporosis is not a high-dose antiresorptive for cancer', { procedure: 'D7140', notes: 'zoledronic acid (Reclast) yearly for osteoporosis; physician referral', coverage: medicare, patientAge: 76 }, { lane: 'patient-pay' }],
  ['Zometa for bone metastases is', { procedure: 'D7140', notes: 'Zometa for bone metastases from breast cancer starts soon; oncologist referral', coverage: medicare, patientAge: 66 }, { lane: 'medical' }],
  ['zoledronic acid, reason not said: ask', { procedure: 'D7140', notes: 'about to start zoledronic acid infusions; physician referral', coverage: medicare, patientAge: 74 }, { lane: 'needs-info' }],
  ['kidney failure is not dialysis: ask', { procedure: 'D7140', notes: 'kidney failure, nephrologist referral', coverage: medicare, patientAge: 68 }, { lane: 'needs-info' }],
  ['dialysis for ESRD is listed', { procedure: 'D7140', notes: 'ESRD on hemodialysis, nephrologist referral', coverage: medicare, patientAge: 68 }, { lane: 'medical' }],
  ['a tooth transplant is not an organ transplant', { procedure: 'D7272', cause: 'routine', notes: 'transplant #16 into the #19 site', coverage: medicareDental, patientAge: 66 }, { lane: 'dental' }],
  ['a listed treatment with no dental plan and no referral: ask for the coordination, not GY', { procedure: 'D7140', notes: 'kidney transplant evaluation next month', coverage: medicare, patientAge: 64 }, { lane: 'needs-info' }],
]);
it('never attests KX for an unlisted treatment, and says what the list is when it asks', () => {
  const prostate = run({ procedure: 'extraction #30', notes: 'patient starting radiation therapy for prostate cancer next month, referred by oncologist', coverage: medicare, patientAge: 72 });
  expect(prostate.rules.map((x) => x.id)).not.toContain('MCR-LINKED-KX');
  const transplant = run({ procedure: 'D7272', cause: 'routine', notes: 'transplant #16 into the #19 site, referred by oral surgeon', coverage: medicareDental, patientAge: 66 });
  expect(transplant.rules.map((x) => x.id).filter((id) => id.startsWith('MCR-LINKED'))).toEqual([]);
  const unclear = run({ procedure: 'extraction #30', notes: 'starting radiation therapy next month, referred by oncologist', coverage: medicare, patientAge: 72 });
  expect(unclear.questions[0]?.question).toMatch(/head and neck/);
  expect(unclear.rules.map((x) => x.id)).toContain('MCR-LINKED-UNCLEAR');
});

// ------------------------------------------------------------------ 7: osteonecrosis of the jaw on Medicare

family('osteonecrosis on Medicare: what Medicare lists, and whether it reaches beyond the alveolus (BPM ch. 16 sec. 140)', [
  ['MRONJ after alendronate, extent not said: ask', { procedure: 'sequestrectomy', diagnoses: ['M87.180'], notes: 'MRONJ after alendronate, exposed bone #30 area.', coverage: medicare, patientAge: 78 }, { lane: 'needs-info' }],
  ['MRONJ after alendronate reaching the inferior border with a pathologic fracture', { procedure: 'resection of necrotic bone', diagnoses: ['M87.180'], notes: 'MRONJ after alendronate for osteoporosis; osteolysis to the inferior border of the mandible, pathologic fracture.', coverage: medicare, patientAge: 78 }, { lane: 'medical', preauth: ['not-required'] }],
  ['MRONJ from Xgeva for bone metastases, oncologist referral', { procedure: 'debridement of necrotic bone', diagnoses: ['M87.180'], notes: 'on Xgeva for bone metastases from prostate cancer; oncologist referred; exposed bone #19 area', coverage: medicare, patientAge: 74 }, { lane: 'medical', mustDocuments: ['referral'] }],
  ['Medicare Advantage, no dental plan, no referral: ask, never medical-first', { procedure: 'debridement of necrotic bone', diagnoses: ['M87.180'], notes: 'on Xgeva for bone metastases; exposed bone #19 area', coverage: advantage, patientAge: 74 }, { lane: 'needs-info' }],
  ['Medicare Advantage, beyond the alveolus: medical', { procedure: 'resection of necrotic bone', diagnoses: ['M87.180'], notes: 'on Xgeva for bone metastases; necrosis extends to the inferior border with an extraoral fistula', coverage: advantage, patientAge: 74 }, { lane: 'medical' }],
  ['osteoradionecrosis after radiation for tongue cancer', { procedure: 'debridement of necrotic bone mandible', diagnoses: ['M27.8', 'Z92.3'], notes: 'osteoradionecrosis two years after radiation therapy for tongue cancer; referred by the radiation oncologist', coverage: medicare, patientAge: 66 }, { lane: 'medical' }],
  ['a commercial plan still pays for it as jaw surgery', { procedure: 'sequestrectomy', diagnoses: ['M87.180'], notes: 'MRONJ after alendronate, exposed bone #30 area.', coverage: separate, patientAge: 70 }, { lane: 'medical' }],
]);
it('says what decides an osteoporosis-dose necrosis on Medicare, and cites no page for what it does not say', () => {
  const r = run({ procedure: 'sequestrectomy', diagnoses: ['M87.180'], notes: 'MRONJ after alendronate, exposed bone #30 area.', coverage: medicare, patientAge: 78 });
  expect(r.questions[0]?.question).toMatch(/alveol/);
  expect(r.questions[0]?.question).toMatch(/cancer/);
  const commercial = run({ procedure: 'sequestrectomy', diagnoses: ['M87.180'], notes: 'MRONJ after alendronate', coverage: separate });
  const lane = commercial.rules.find((x) => x.id === 'ONJ-LANE-MEDICAL');
  expect(lane?.source).not.toMatch(/Noridian|Palmetto/);
});
it('M87.180 comes with its note: the adverse-effect code for the drug', () => {
  const r = run({ procedure: 'sequestrectomy', notes: 'MRONJ after zoledronic acid', coverage: separate });
  expect(allCodes(r)).toContain('M87.180');
  expect(r.questions.some((q) => /T36.T50/.test(q.question) && /adverse effect/.test(q.question))).toBe(true);
});

// ------------------------------------------------------------------ 9: CT accreditation is national for Medicare

it('the CT accreditation warning states the national Medicare rule (MIPPA sec. 135, since 2012), not "some regions"', () => {
  for (const coverage of [medicare, separate]) {
    const r = run({ procedure: '70486', cause: 'pathology', notes: 'cbct of a jaw cyst', coverage });
    const message = r.warnings.find((w) => w.id === 'cbct-accreditation')?.message ?? '';
    expect(message).not.toMatch(/some regions/);
    expect(message).toMatch(/2012/);
    expect(message).toMatch(/technical component/);
    expect(message).toMatch(/Physician Fee Schedule/);
  }
  expect(warningIds(run({ procedure: '70355', cause: 'pathology', coverage: medicare }))).not.toContain('cbct-accreditation');
});

// ------------------------------------------------------------------ 10: smaller findings

family('jaw fractures: the maxilla and mandible reduction codes, not only the alveolus', [
  ['closed reduction of the mandible, dental plan only', { procedure: 'closed reduction of mandible fracture with arch bars', cause: 'trauma', notes: 'fell from a ladder at home, fractured left mandible body', coverage: { medical: false, dental: true, combinedPlan: false }, patientAge: 30 }, { lane: 'dental', mustCodes: ['D7640'] }],
  ['open reduction of the mandible', { procedure: 'ORIF mandible fracture', cause: 'trauma', notes: 'fractured mandible angle, fell off a bike', coverage: separate, patientAge: 25 }, { lane: 'medical', mustCodes: ['D7630', '21461'] }],
  ['closed reduction of a maxillary fracture', { procedure: 'closed reduction of maxillary fracture', cause: 'trauma', notes: 'LeFort I fracture, fell down the stairs', coverage: separate, patientAge: 45 }, { lane: 'medical', mustCodes: ['D7620', 'S02.411A'] }],
  ['an alveolus fracture keeps its own code', { procedure: 'closed reduction of alveolar fracture', cause: 'trauma', notes: 'fell, alveolus of the mandible fractured #24-#25', coverage: separate, patientAge: 9 }, { lane: 'medical', mustCodes: ['D7670'] }],
]);
it('does not call an alveolus or a maxilla fracture a mandible reduction', () => {
  expect(allCodes(run({ procedure: 'closed reduction of alveolar fracture', cause: 'trauma', notes: 'alveolus of the mandible fractured', coverage: separate }))).not.toContain('D7640');
  expect(allCodes(run({ procedure: 'closed reduction of maxillary fracture', cause: 'trauma', notes: 'fell', coverage: separate }))).not.toContain('D7640');
});

family('a LeFort I osteotomy is orthognathic surgery, not trauma', [
  ['LeFort I osteotomy for a class III malocclusion', { procedure: 'orthognathic surgery, LeFort I osteotomy', notes: 'class III skeletal malocclusion with masticatory dysfunction; elective osteotomy, no injury', coverage: separate }, { lane: 'medical', laneAlso: ['medical-first'], mustCodes: ['21141', 'M26.213'], mustNotWarnings: ['other-liable-payer'] }],
  ['bilateral sagittal split for mandibular hypoplasia', { procedure: 'BSSO', notes: 'mandibular hypoplasia, cannot bite through food', coverage: separate, patientAge: 19 }, { lane: 'medical', mustCodes: ['21196', 'M26.04'] }],
]);
it('reads no injury into an osteotomy', () => {
  const r = run({ procedure: 'orthognathic surgery, LeFort I osteotomy', notes: 'class III skeletal malocclusion with masticatory dysfunction', coverage: separate });
  expect(r.rules.map((x) => x.id)).not.toContain('R-ACC-02');
  expect(r.questions.some((q) => /car accident/.test(q.question))).toBe(false);
});

family('cysts and tumors of the upper jaw have their CPT codes', [
  ['enucleation of a maxillary keratocyst', { procedure: 'enucleation of cyst right maxilla', cause: 'pathology', notes: 'odontogenic keratocyst of the maxilla, 2 cm', coverage: separate, patientAge: 40 }, { lane: 'medical', mustCodes: ['21030', 'D7451'] }],
  ['a maxillary tumor needing an intraoral bone cut', { procedure: 'excision of tumor of the maxilla with intraoral osteotomy', cause: 'pathology', notes: 'ameloblastoma of the maxilla', coverage: separate, patientAge: 50 }, { lane: 'medical', mustCodes: ['21048'] }],
  ['a mandibular cyst keeps 21040', { procedure: 'enucleation of cyst of the mandible', cause: 'pathology', notes: 'dentigerous cyst of the mandible', coverage: separate, patientAge: 30 }, { lane: 'medical', mustCodes: ['21040'] }],
]);
it('never says the upper-jaw codes are missing', () => {
  const r = run({ procedure: 'cyst excision', cause: 'pathology', coverage: separate });
  for (const q of r.questions) expect(q.question).not.toMatch(/not in medbill's table/);
  expect(allCodes(run({ procedure: 'enucleation of cyst right maxilla', cause: 'pathology', coverage: separate }))).not.toContain('21040');
});

family('Medicare and teeth removed with a jaw-fracture reduction (its example is wiring and immobilization)', [
  ['a tooth in the fracture line removed in the same operation', { procedure: 'D7140', cause: 'trauma', notes: 'mandible fracture; #17 in the fracture line removed in the same operation as the reduction', coverage: medicare, patientAge: 70 }, { lane: 'medical' }],
  ['not said whether it is part of the reduction: ask', { procedure: 'D7140', cause: 'trauma', notes: 'mandible fracture last month', coverage: medicare, patientAge: 70 }, { lane: 'needs-info' }],
  ['an extraction done separately from the reduction is excluded', { procedure: 'D7140', cause: 'trauma', notes: 'mandible fracture reduced three months ago; extraction done separately', coverage: medicareDental, patientAge: 70 }, { lane: 'dental' }],
]);
it('does not say Medicare pays for removing teeth as part of a fracture reduction', () => {
  const r = run({ procedure: 'D7140', cause: 'trauma', notes: 'mandible fracture; #17 removed in the same operation as the reduction', coverage: medicare });
  expect(r.rules.map((x) => x.summary).join(' ')).not.toMatch(/pays for removing teeth as part of/);
  expect(r.rules.map((x) => x.summary).join(' ')).toMatch(/wiring/);
});

it('G47.63 (sleep-related bruxism) only for grinding in sleep', () => {
  expect(allCodes(run({ procedure: 'TMJ evaluation', cause: 'tmj', notes: 'daytime clenching and grinding, jaw pain', coverage: separate }))).not.toContain('G47.63');
  expect(allCodes(run({ procedure: 'TMJ evaluation', cause: 'tmj', notes: 'bruxism, jaw pain', coverage: separate }))).not.toContain('G47.63');
  expect(allCodes(run({ procedure: 'TMJ evaluation', cause: 'tmj', notes: 'grinds her teeth at night, jaw pain in the morning', coverage: separate }))).toContain('G47.63');
  expect(allCodes(run({ procedure: 'TMJ evaluation', cause: 'tmj', notes: 'sleep bruxism, jaw pain', coverage: separate }))).toContain('G47.63');
});

it('does not state that Medicare denies K1027 devices: the DME MAC decides them case by case', () => {
  const r = run({ procedure: 'custom oral appliance', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'AHI 24; monoblock, no hinge', coverage: medicare, documentsOnHand: ['sleep-study', 'physician-order'] });
  const said = [...r.rules.map((x) => `${x.summary} ${x.source}`), ...r.procedureCodes.hcpcs.map((c) => c.description)].join(' ');
  expect(said).not.toMatch(/K1027[^.;]*denied|denie[sd] K1027|K1027 is denied/i);
  expect(said).toMatch(/case by case/);
});

// ------------------------------------------------------------------ 11: negation and time

family('what the notes say is absent or not planned is not read as present', [
  ['no facial swelling, fever or trismus: an abscess confined to the tooth', { procedure: 'D7510 incision and drainage', cause: 'infection', notes: 'abscess #19; no facial swelling, fever or trismus', coverage: separate, patientAge: 40 }, { lane: 'dental' }],
  ['denies fever, difficulty swallowing or limited opening', { procedure: 'incision and drainage', cause: 'infection', notes: 'vestibular abscess #30, denies fever, difficulty swallowing or limited opening', coverage: separate, patientAge: 40 }, { lane: 'dental' }],
  ['cosmetic work listed as not planned is not a cosmetic request', { procedure: 'crown #9', notes: 'broke #9 in a fall at the park yesterday; veneers, whitening and bonding are not planned', coverage: separate, patientAge: 30 }, { lane: 'medical', laneAlso: ['needs-info'] }],
  ['no clinical or radiographic evidence of a mandible fracture', { procedure: 'D7140', cause: 'infection', notes: 'abscess #30 confined to the tooth; no clinical or radiographic evidence of mandible fracture', coverage: medicare, patientAge: 70 }, { lane: 'patient-pay' }],
]);

family('an old injury is not today\'s trauma (accident benefits: diagnosed within 6 months, treated within 12)', [
  ['an implant for a tooth lost in an accident twelve years ago', { procedure: 'implant #8', cause: 'trauma', notes: 'lost #8 in a bike accident 12 years ago, bridge failed', coverage: separate, patientAge: 40 }, { lane: 'dental', mustNotWarnings: ['other-liable-payer'] }],
  ['a crown on a tooth broken in a car accident as a child', { procedure: 'crown #9', notes: '#9 fractured in a car accident as a child, old composite failing', coverage: separate, patientAge: 35 }, { lane: 'dental', mustNotWarnings: ['other-liable-payer'] }],
  ['a tooth knocked out last week is today\'s trauma', { procedure: 'implant #8', cause: 'trauma', notes: 'knocked out #8 in a bike accident last week', coverage: separate, patientAge: 40 }, { lane: 'medical' }],
  ['a tooth lost three months ago is still within the benefit', { procedure: 'implant #8', cause: 'trauma', notes: 'lost #8 in a fall 3 months ago', coverage: separate, patientAge: 40 }, { lane: 'medical' }],
]);
it('says why an old injury is read as dental care', () => {
  const r = run({ procedure: 'implant #8', cause: 'trauma', notes: 'lost #8 in a bike accident 12 years ago', coverage: separate });
  expect(r.rules.map((x) => x.id)).toContain('R-EVIDENCE-OLD-INJURY');
  expect(r.questions.some((q) => /car accident/.test(q.question))).toBe(false);
});
it('asks when the injury happened when the notes do not say', () => {
  const r = run({ procedure: 'implant #8', cause: 'trauma', notes: 'lost #8 in a fall', coverage: separate });
  expect(r.questions.some((q) => /When did the injury happen/.test(q.question))).toBe(true);
  expect(run({ procedure: 'implant #8', cause: 'trauma', notes: 'lost #8 in a fall last week', coverage: separate }).questions.some((q) => /When did the injury happen/.test(q.question))).toBe(false);
});
