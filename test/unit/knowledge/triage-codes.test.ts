/**
 * Issue 22, section 3: the codes offices bill medical most, wired into the categories that suggest them. One block
 * per item, each case scored the way shared/cases/README.md scores the published cases, in the style of
 * test/unit/knowledge/triage-audit.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { allCodes, kn, run, score, warningIds, type Expect } from '../../helpers.js';
import type { CaseFacts } from '../../../src/knowledge/facts.js';
import { extractFacts } from '../../../src/knowledge/extract.js';

const separate = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } as const;
const medicare = { medical: true, dental: false, combinedPlan: false, medicalPayer: 'medicare' } as const;
const medicaid = { medical: true, dental: true, combinedPlan: false, medicalPayer: 'medicaid' } as const;

type Case = [name: string, facts: CaseFacts, expect: Expect];
const family = (title: string, cases: Case[]) =>
  describe(title, () => {
    it.each(cases)('%s', (_name, facts, e) => expect(score(run(facts), e)).toEqual([]));
  });
const ruleIds = (f: CaseFacts) => run(f).rules.map((r) => r.id);
const said = (f: CaseFacts) => run(f).rules.map((r) => `${r.summary} ${r.source}`).join('\n');

// ------------------------------------------------------------------ E/M for the TMJ and sleep evaluations

family('the exam is billed to medical as an office visit (E/M) for a TMJ or sleep evaluation', [
  ['a TMJ evaluation, new patient', { procedure: 'TMJ evaluation', cause: 'tmj', notes: 'new patient, jaw pain and clicking for 3 months', coverage: separate, patientAge: 34 }, { lane: 'medical', preauth: ['rarely', 'not-required'], mustCodes: ['99203', '99204', 'M26.639'] }],
  ['a TMJ follow-up visit of an established patient', { procedure: 'TMJ follow-up visit', cause: 'tmj', notes: 'established patient, jaw pain improving with physical therapy', coverage: separate, patientAge: 41 }, { lane: 'medical', mustCodes: ['99213', '99214'] }],
  ['a TMJ evaluation on Medicare', { procedure: 'TMJ evaluation', cause: 'tmj', notes: 'limited opening and pain of the right joint', coverage: medicare, patientAge: 70 }, { lane: 'medical', preauth: ['not-required'], mustCodes: ['99203', 'M26.621'] }],
  ['a dental sleep evaluation of diagnosed OSA', { procedure: 'oral appliance evaluation', notes: 'diagnosed OSA, AHI 22 on a home sleep test; referred by the sleep physician for an oral appliance', coverage: separate, patientAge: 52 }, { lane: 'medical', preauth: ['rarely', 'not-required'], mustCodes: ['99203', 'G47.33'] }],
]);
it('an evaluation is not held back for the conservative-care history a splint or surgery needs, and names the E/M level rule', () => {
  const r = run({ procedure: 'TMJ evaluation', cause: 'tmj', notes: 'jaw pain', coverage: separate });
  expect(r.rules.map((x) => x.id)).toContain('TMJ-LANE-EVALUATION');
  expect(r.rules.map((x) => x.id)).not.toContain('TMJ-LANE-NEEDS-HISTORY');
  expect(r.questions.some((q) => /medical decision-making/.test(q.question) && /99205/.test(q.question))).toBe(true);
  // The appliance's codes are not suggested for the visit that evaluates for it.
  const sleep = run({ procedure: 'oral appliance evaluation', notes: 'diagnosed OSA, AHI 22', coverage: separate });
  expect(allCodes(sleep)).not.toContain('E0486');
  expect(allCodes(sleep)).not.toContain('D9947');
});

// ------------------------------------------------------------------ oral cancer and laceration diagnoses, repair codes

family('oral cancer: the diagnosis names the site the notes give (C00-C14, C41.0/C41.1, D37.0-)', [
  ['a fluoride carrier before radiation for cancer of the border of the tongue', { procedure: 'fluoride carrier', notes: 'squamous cell carcinoma of the lateral border of the tongue; radiation therapy starts next month', coverage: separate, patientAge: 61 }, { lane: 'medical', mustCodes: ['D5986', 'C02.1'] }],
  ['a mandibular resection prosthesis after an osteosarcoma', { procedure: 'mandibular resection prosthesis', notes: 'osteosarcoma of the mandible resected last year', coverage: separate, patientAge: 45 }, { lane: 'medical', mustCodes: ['21081', 'C41.1'] }],
  ['a biopsy where the earlier one was of uncertain behavior', { procedure: 'biopsy of tongue lesion', notes: 'earlier biopsy read as a neoplasm of uncertain behavior of the tongue; wider biopsy planned', coverage: separate, patientAge: 58 }, { lane: 'medical', mustCodes: ['41100', 'D37.02'] }],
]);
it('codes the cancer only from what the notes name, and says when the history code applies', () => {
  const r = run({ procedure: 'radiation shield', notes: 'oral cancer, radiation therapy planned', coverage: separate });
  expect(allCodes(r)).toContain('C06.9');
  expect(r.questions.some((q) => /pathology report/.test(q.question) && /Z85/.test(q.question))).toBe(true);
  // "Head and neck cancer" names no site: no site code is guessed.
  expect(allCodes(run({ procedure: 'radiation shield', notes: 'head and neck cancer, radiation therapy planned', coverage: separate })).filter((c) => c.startsWith('C'))).toEqual([]);
  // Clearance before radiation carries the cancer's site code beside Z01.818.
  const clearance = run({ procedure: 'extraction #30', notes: 'starting radiation therapy next month for squamous cell carcinoma of the floor of the mouth, referred by the radiation oncologist', coverage: separate });
  expect(allCodes(clearance)).toEqual(expect.arrayContaining(['C04.9']));
  expect(allCodes(run({ procedure: 'fluoride carrier', notes: 'oropharyngeal cancer, radiation planned', coverage: separate }))).toContain('C10.9');
  // No cancer in the notes: no malignancy code, whatever the site.
  expect(allCodes(run({ procedure: 'biopsy of tongue lesion', notes: 'white patch on the lateral border of the tongue', coverage: separate })).filter((c) => c.startsWith('C'))).toEqual([]);
});

family('lacerations: the repair code by site and length, the S01.5- diagnosis by kind of wound', [
  ['a 1.5 cm cut of the skin of the lower lip', { procedure: 'lip laceration repair', cause: 'trauma', notes: 'fell off a bike yesterday, 1.5 cm laceration of the lower lip skin', coverage: separate, patientAge: 9 }, { lane: 'medical', mustCodes: ['12011', 'S01.511A'] }],
  ['a 3 cm cut of the tongue', { procedure: 'suture tongue laceration', cause: 'trauma', notes: 'fell down the stairs last night, 3 cm laceration of the tongue', coverage: separate, patientAge: 6 }, { lane: 'medical', mustCodes: ['41252', 'S01.512A'] }],
  ['a 1 cm cut of the vestibule', { procedure: 'laceration repair', cause: 'trauma', notes: 'fell at school today, 1 cm laceration of the vestibule', coverage: separate, patientAge: 8 }, { lane: 'medical', mustCodes: ['40830', 'S01.512A'] }],
  ['a dog bite of the upper lip', { procedure: 'lip laceration repair', cause: 'trauma', notes: 'dog bite to the upper lip yesterday, 2 cm', coverage: separate, patientAge: 7 }, { lane: 'medical', mustCodes: ['S01.551A'] }],
  ['a cut of the lip with glass in it', { procedure: 'lip laceration repair', cause: 'trauma', notes: 'fell on glass today, glass fragment in the lip, 2 cm', coverage: separate, patientAge: 30 }, { lane: 'medical', mustCodes: ['S01.521A'] }],
  ['a full-thickness cut of the lip', { procedure: 'lip laceration repair', cause: 'trauma', notes: 'hit by a ball today, full thickness laceration of the lower lip', coverage: separate, patientAge: 15 }, { lane: 'medical', mustCodes: ['40652'] }],
]);
it('does not call a short cut long, or a cut of the tongue a cut of the lip', () => {
  const short = run({ procedure: 'suture tongue laceration', cause: 'trauma', notes: 'fell today, 2 cm laceration of the tongue', coverage: separate });
  expect(allCodes(short)).toContain('41250');
  expect(allCodes(short)).not.toContain('41252');
  expect(allCodes(short)).not.toContain('S01.511A');
});

// ------------------------------------------------------------------ maxillofacial prosthetics

family('maxillofacial prosthetics: each CDT prosthesis with its CPT code, and the non-physician HCPCS codes', [
  ['an interim obturator after a maxillectomy', { procedure: 'D5936 interim obturator', notes: 'partial maxillectomy for adenoid cystic carcinoma of the palate', coverage: separate, patientAge: 63 }, { lane: 'medical', mustCodes: ['D5936', '21079'] }],
  ['a surgical obturator placed at the resection', { procedure: 'surgical obturator', notes: 'maxillectomy for squamous cell carcinoma of the hard palate next week', coverage: separate, patientAge: 66 }, { lane: 'medical', mustCodes: ['D5931', '21076', 'C05.0'] }],
  ['a nasal prosthesis after a rhinectomy', { procedure: 'nasal prosthesis', notes: 'rhinectomy for skin cancer last year', coverage: separate, patientAge: 72 }, { lane: 'medical', mustCodes: ['D5913', '21087'] }],
  ['an ear prosthesis made by an anaplastologist, Medicare', { procedure: 'auricular prosthesis', notes: 'made by an anaplastologist; ear lost to cancer surgery', coverage: medicare, patientAge: 75 }, { lane: 'medical', mustCodes: ['L8045'] }],
  ['a palatal lift prosthesis', { procedure: 'palatal lift prosthesis', notes: 'soft palate paralysis after a stroke, hypernasal speech', coverage: separate, patientAge: 68 }, { lane: 'medical', mustCodes: ['D5955', '21083'] }],
]);
it('Medicare pays for a maxillofacial prosthesis as a prosthetic device, and the facial ones through the DME MAC', () => {
  const text = said({ procedure: 'auricular prosthesis', notes: 'made by an anaplastologist', coverage: medicare });
  expect(text).toMatch(/prosthetic device/);
  expect(text).toMatch(/A52463/);
});

family('a TMJ orthotic on a medical claim: D7880 or the unlisted 21299, never the deleted S8262', [
  ['a TMJ splint after failed conservative care', { procedure: 'TMJ splint', notes: 'jaw pain and clicking despite 3 months of soft diet and NSAIDs', coverage: separate, patientAge: 29 }, { lane: 'medical', mustCodes: ['D7880', '21299'] }],
]);
it('S8262 was discontinued in 2015: a claim that names it gets the codes payers take instead', () => {
  const r = run({ procedure: 'S8262 TMJ orthotic', cause: 'tmj', notes: 'jaw pain despite 3 months of soft diet', coverage: separate });
  expect(r.rules.map((x) => x.id)).toContain('R-NEVER-SUGGEST');
  expect(r.rules.find((x) => x.id === 'R-NEVER-SUGGEST')?.summary).toMatch(/2015/);
  expect(allCodes(r)).toContain('D7880');
  expect(allCodes(r)).not.toContain('S8262');
});

// ------------------------------------------------------------------ injections for TMD

family('TMD injections: trigger points, arthrocentesis with its drug, botulinum toxin', [
  ['trigger point injections of two muscles', { procedure: 'trigger point injections masseter and temporalis', cause: 'tmj', notes: 'myofascial pain despite splint and physical therapy for 3 months', coverage: separate, patientAge: 38 }, { lane: 'medical', mustCodes: ['20552'] }],
  ['trigger point injections of four muscles', { procedure: 'trigger point injections of 4 muscles', cause: 'tmj', notes: 'myofascial pain despite splint for 3 months', coverage: separate, patientAge: 38 }, { lane: 'medical', mustCodes: ['20553'] }],
  ['arthrocentesis with triamcinolone', { procedure: 'TMJ arthrocentesis with Kenalog injection', notes: 'closed lock despite 3 months of splint and NSAIDs', coverage: separate, patientAge: 44 }, { lane: 'medical', mustCodes: ['20605', 'J3301'] }],
  ['botulinum toxin for TMD', { procedure: 'botox injections for TMD', notes: 'myofascial pain despite splint for 6 months', coverage: separate, patientAge: 36 }, { lane: 'medical', mustCodes: ['J0585'], mustWarnings: ['low-roi'] }],
]);
it('says botulinum toxin for TMD is off-label and experimental for the payer that says so, with the source', () => {
  const r = run({ procedure: 'botox injections for TMD', notes: 'myofascial pain despite splint', coverage: separate });
  const rule = r.rules.find((x) => x.id === 'TMJ-LOW-ROI');
  expect(rule?.summary).toMatch(/experimental/);
  expect(rule?.source).toMatch(/0113/);
  expect(rule?.summary).toMatch(/64612/);
  expect(warningIds(run({ procedure: 'trigger point injections', cause: 'tmj', notes: 'myofascial pain despite splint', coverage: separate }))).not.toContain('low-roi');
});

it('botulinum toxin: the drug by its brand, no injection code suggested, and the sources that differ on 64612 and 64615 named', () => {
  const brand = (words: string) => run({ procedure: `${words} injections of the masseter for TMD`, cause: 'tmj', notes: 'myofascial pain despite splint', coverage: separate });
  expect(allCodes(brand('Botox'))).toContain('J0585');
  expect(allCodes(brand('Xeomin'))).toEqual(expect.arrayContaining(['J0588']));
  expect(allCodes(brand('Xeomin'))).not.toContain('J0585');
  expect(allCodes(brand('Dysport'))).toContain('J0586');
  expect(allCodes(brand('Myobloc'))).toContain('J0587');
  const r = brand('Botox');
  // A wrong code is worse than a missing one: the payers differ, so neither chemodenervation code is suggested.
  expect(allCodes(r)).not.toContain('64612');
  expect(allCodes(r)).not.toContain('64615');
  const rule = r.rules.find((x) => x.id === 'TMJ-LOW-ROI' && /Botulinum/.test(x.summary));
  expect(rule?.summary).toMatch(/64612 is for muscles the facial nerve supplies/);
  expect(rule?.summary).toMatch(/64615 names the trigeminal nerve but is written for chronic migraine/);
  expect(rule?.summary).toMatch(/prior authorization/);
  for (const title of [/AHIMA/, /AAPC coding forum, Botox/, /Facial Injectables/]) expect(rule?.source).toMatch(title);
  // The Medicare program's pages are cited on Medicare answers.
  const onMedicare = run({ procedure: 'Botox injections of the masseter for TMD', cause: 'tmj', notes: 'myofascial pain despite splint', coverage: medicare });
  expect(onMedicare.rules.find((x) => /Botulinum/.test(x.summary))?.source).toMatch(/Noridian JE Part B, prior authorization of botulinum/);
  expect(kn.procedureCodes.cpt.get('64615')?.description).toMatch(/both sides/);
});

it('a splint that failed is history when the visit is an arthrocentesis: no D7880 beside it', () => {
  const r = run({ procedure: 'TMJ arthrocentesis with Kenalog injection', cause: 'tmj', notes: 'closed lock despite 3 months of splint and NSAIDs', coverage: separate, patientAge: 44 });
  expect(allCodes(r)).toEqual(expect.arrayContaining(['D7870', '20605', 'J3301']));
  expect(allCodes(r)).not.toContain('D7880');
  // A splint that is the procedure is still coded.
  expect(allCodes(run({ procedure: 'TMJ splint', cause: 'tmj', notes: 'jaw pain and clicking despite 3 months of soft diet and NSAIDs', coverage: separate }))).toContain('D7880');
});

it('bruxism: G47.63 in sleep, F45.8 awake (the ICD-10-CM index), and a question when the notes do not say which', () => {
  const tmd = (notes: string) => run({ procedure: 'botox injections of the masseter', cause: 'tmj', notes, coverage: separate });
  expect(allCodes(tmd('daytime clenching, masseter pain'))).toContain('F45.8');
  expect(allCodes(tmd('daytime clenching, masseter pain'))).not.toContain('G47.63');
  expect(allCodes(tmd('grinds teeth at night, masseter pain'))).toContain('G47.63');
  expect(allCodes(tmd('grinds teeth at night, masseter pain'))).not.toContain('F45.8');
  const unsaid = tmd('bruxism, masseter pain');
  expect(allCodes(unsaid).filter((c) => c === 'F45.8' || c === 'G47.63')).toEqual([]);
  expect(unsaid.questions.some((q) => q.field === 'diagnoses' && /in sleep or while awake/.test(q.question))).toBe(true);
  expect(tmd('grinds teeth at night').questions.some((q) => /in sleep or while awake/.test(q.question))).toBe(false);
});

it('hyaluronic acid into the jaw joint: off-label, with the policies that say so, and no knee hyaluronan code suggested', () => {
  const r = run({ procedure: 'TMJ arthrocentesis with hyaluronic acid injection', cause: 'tmj', notes: 'closed lock despite 3 months of splint and NSAIDs', coverage: separate, patientAge: 44 });
  expect(allCodes(r)).toContain('20605');
  expect(allCodes(r).filter((c) => /^J73/.test(c))).toEqual([]);
  const rule = r.rules.find((x) => /Hyaluronic acid/.test(x.summary));
  expect(rule?.summary).toMatch(/off-label/);
  expect(rule?.summary).toMatch(/J7321 to J7329/);
  expect(rule?.source).toMatch(/UniCare \(Anthem\) Medical Policy DRUG\.00017/);
  expect(warningIds(r)).toContain('low-roi');
  // A steroid arthrocentesis says nothing of it.
  expect(run({ procedure: 'TMJ arthrocentesis with Kenalog injection', notes: 'closed lock despite 3 months of splint', coverage: separate }).rules.some((x) => /Hyaluronic/.test(x.summary))).toBe(false);
});

it('maxillary expansion: no expander code is suggested, and the lane says why (guides differ on D8210/D8220)', () => {
  const r = run({ procedure: 'rapid maxillary expansion', notes: 'child with diagnosed obstructive sleep apnea, narrow maxilla; medical plan denied the expansion', coverage: separate, patientAge: 8 });
  expect(allCodes(r).filter((c) => /^D82/.test(c))).toEqual([]);
  expect(r.rules.some((x) => /guides differ on D8210\/D8220/.test(x.summary) && /CDT code guides on D8210/.test(x.source))).toBe(true);
});

// ------------------------------------------------------------------ CPT codes no category reached

family('codes now reachable: bone biopsy, extraoral drainage, salivary surgery, orthognathic, hardware removal, oroantral fistula, G0330', [
  ['an open biopsy of the jaw bone', { procedure: 'biopsy of mandible radiolucency', notes: 'open incisional biopsy of the bone', coverage: separate, patientAge: 50 }, { lane: 'medical', mustCodes: ['D7285', '20240', '20245'] }],
  ['a needle biopsy of the jaw bone', { procedure: 'needle biopsy of the mandible', notes: 'radiolucency of the mandible', coverage: separate, patientAge: 50 }, { lane: 'medical', mustCodes: ['20220'] }],
  ['drainage of a submandibular space abscess through the skin', { procedure: 'incision and drainage of submandibular space abscess, extraoral', cause: 'infection', notes: 'facial swelling spreading to the neck from #19', coverage: separate, patientAge: 40 }, { lane: 'medical', mustCodes: ['D7520', '41017'] }],
  ['drainage of a skin abscess of the chin', { procedure: 'incision and drainage of skin abscess', cause: 'infection', notes: 'cutaneous abscess of the chin, draining from #25, facial swelling', coverage: separate, patientAge: 40 }, { lane: 'medical', mustCodes: ['10060'] }],
  ['a complicated submandibular stone', { procedure: 'sialolithotomy', notes: 'complicated submandibular duct stone removed through the mouth', coverage: separate, patientAge: 50 }, { lane: 'medical', mustCodes: ['42335', 'K11.5'] }],
  ['a ranula marsupialized', { procedure: 'ranula marsupialization', coverage: separate, patientAge: 20 }, { lane: 'medical', mustCodes: ['42409', 'K11.6'] }],
  ['a LeFort I in three pieces', { procedure: 'LeFort I osteotomy in three pieces', notes: 'anterior open bite with masticatory dysfunction; no graft', coverage: separate, patientAge: 22 }, { lane: 'medical', mustCodes: ['21143', 'M26.220'] }],
  ['a ramus osteotomy with a bone graft', { procedure: 'inverted L osteotomy of the mandible with bone graft', notes: 'severe mandibular hypoplasia, cannot chew', coverage: separate, patientAge: 24 }, { lane: 'medical', mustCodes: ['21194', 'M26.04'] }],
  ['arch bars removed after a fracture', { procedure: 'arch bar removal', cause: 'trauma', notes: 'closed reduction of the mandible 6 weeks ago after a fall', coverage: separate, patientAge: 30 }, { lane: 'medical', mustCodes: ['20670'] }],
  ['plates removed after orthognathic surgery', { procedure: 'removal of plates after orthognathic surgery', notes: 'infected plate from a sagittal split last year', coverage: separate, patientAge: 27 }, { lane: 'medical', mustCodes: ['20680'] }],
  ['an oroantral fistula closed', { procedure: 'oroantral fistula closure', notes: 'fistula persisting 2 months after extraction of #3', coverage: separate, patientAge: 55 }, { lane: 'medical', mustCodes: ['D7260', '30580'] }],
  ['an oroantral fistula closed with a Caldwell-Luc', { procedure: 'oroantral fistula repair with Caldwell-Luc', notes: 'chronic sinusitis with an oroantral fistula after extraction of #14', coverage: separate, patientAge: 55 }, { lane: 'medical', mustCodes: ['30580', '31030'] }],
  ['the facility code for dental rehabilitation under GA', { procedure: 'dental rehabilitation under general anesthesia', notes: 'age 4, severe early childhood caries, hospital outpatient operating room with an anesthesiologist', coverage: separate, patientAge: 4 }, { lane: 'medical', mustCodes: ['G0330'] }],
]);
it('G0330 is the facility code for dental rehabilitation, not for jaw surgery the facility bills by its own CPT code', () => {
  const fracture = run({ procedure: 'general anesthesia in the hospital operating room', cause: 'trauma', notes: 'open reduction of a fractured mandible, anesthesiologist', coverage: medicare, patientAge: 70 });
  expect(fracture.lane).toBe('medical');
  expect(allCodes(fracture)).not.toContain('G0330');
});
it('does not read a removal as a reduction, or an osteotomy named in the notes as the procedure', () => {
  const removal = allCodes(run({ procedure: 'arch bar removal', cause: 'trauma', notes: 'closed reduction of the mandible 6 weeks ago', coverage: separate }));
  expect(removal).not.toContain('21453');
  const plates = allCodes(run({ procedure: 'removal of plates after orthognathic surgery', notes: 'from a sagittal split last year', coverage: separate }));
  expect(plates).not.toContain('21196');
  // Sources differ on arch bar removal inside the global period: the rule says so.
  expect(said({ procedure: 'arch bar removal', cause: 'trauma', notes: 'closed reduction 6 weeks ago', coverage: separate })).toMatch(/AAOMS[\s\S]*AAPC|AAPC[\s\S]*AAOMS/);
});
it('every CPT code the issue names as unreachable is now a category suggestion', () => {
  const offered = new Set(kn.categories.flatMap((c) => [...c.procedureCodes.cdt, ...c.procedureCodes.cpt, ...c.procedureCodes.hcpcs].map((x) => x.code)));
  for (const code of ['20220', '20225', '20240', '20245', '41016', '41017', '41018', '10060', '42330', '42335', '42340', '21141', '21142', '21143', '21145', '21146', '21147', '21193', '21194', '21195', '21196', '20670', '20680', '30580', '31030', 'G0330', '99203', '99213', '12011', '40650', '40652', '20552', '20553', 'J0585', 'J3301', '21076', '21079', '21080', '21081', 'L8040', 'L8045']) {
    expect(offered.has(code), code).toBe(true);
  }
});

// ------------------------------------------------------------------ paediatric sleep apnea and maxillary expansion

family('a child with sleep apnea: pediatric criteria, and maxillary expansion is orthodontics unless medical approves it', [
  ['an oral appliance for a child with OSA', { procedure: 'oral appliance for sleep apnea', notes: 'diagnosed OSA on polysomnography, AHI 6; retrognathic mandible', coverage: separate, patientAge: 10 }, { lane: 'medical', preauth: ['required'], mustCodes: ['G47.33'] }],
  ['rapid maxillary expansion for a child with OSA: ask whether medical approved it', { procedure: 'rapid maxillary expansion', notes: 'diagnosed OSA on polysomnography, narrow palate with crossbite', coverage: separate, patientAge: 8 }, { lane: 'needs-info' }],
  ['the medical plan approved the expansion', { procedure: 'rapid maxillary expansion', notes: 'diagnosed OSA on polysomnography; the medical plan approved the maxillary expansion in writing', coverage: separate, patientAge: 8 }, { lane: 'medical', mustCodes: ['G47.33'] }],
  ['the medical plan did not approve it: the dental plan\'s orthodontic benefit', { procedure: 'rapid maxillary expansion', notes: 'diagnosed OSA on polysomnography; the medical plan did not approve the maxillary expansion', coverage: separate, patientAge: 8 }, { lane: 'dental' }],
  ['Medicaid: EPSDT', { procedure: 'rapid maxillary expansion', notes: 'diagnosed OSA on polysomnography, crossbite', coverage: medicaid, patientAge: 8 }, { lane: 'needs-info', laneAlso: ['dental', 'medical'] }],
  ['an expander with no sleep apnea is orthodontics', { procedure: 'palatal expander', notes: 'posterior crossbite', coverage: separate, patientAge: 9 }, { lane: 'dental' }],
]);
it('asks the expansion question with answers that settle it, and does not apply the adult AHI thresholds to a child', () => {
  const r = run({ procedure: 'rapid maxillary expansion', notes: 'diagnosed OSA on polysomnography', coverage: separate, patientAge: 8 });
  expect(r.questions[0]?.question).toMatch(/approved/);
  const child = run({ procedure: 'oral appliance for sleep apnea', notes: 'diagnosed OSA on polysomnography, AHI 6', coverage: separate, patientAge: 10 });
  expect(child.rules.map((x) => x.id)).toContain('OSA-LANE-CHILD');
  expect(ruleIds({ procedure: 'oral appliance for sleep apnea', notes: 'diagnosed OSA, AHI 6', coverage: separate, patientAge: 40 })).not.toContain('OSA-LANE-CHILD');
});

// ------------------------------------------------------------------ filing and appeal limits of auto, work and liability insurers

describe('another insurer that pays first: its filing and appeal limits, with where they come from', () => {
  it('a car accident: no-fault claims have short state deadlines (New York: 45 days)', () => {
    const r = run({ procedure: 'implant #8', cause: 'trauma', notes: 'car accident last week, knocked out #8', coverage: separate });
    const rule = r.rules.find((x) => x.id === 'R-ACC-AUTO');
    expect(rule?.summary).toMatch(/45 days/);
    expect(rule?.source).toMatch(/NYCRR/);
  });
  it('a work injury: workers\' compensation bills by the state\'s deadline (Texas: 95 days)', () => {
    const rule = run({ procedure: 'crown #9', cause: 'trauma', notes: 'hit by a pallet at work yesterday, fractured #9', coverage: separate }).rules.find((x) => x.id === 'R-ACC-WORK');
    expect(rule?.summary).toMatch(/95th day|95 days/);
    expect(rule?.source).toMatch(/133\.20/);
  });
  it('another person\'s liability: says how Medicare and the liability insurer fit, and that the sources differ', () => {
    const rule = run({ procedure: 'crown #9', cause: 'trauma', notes: 'assaulted last night, fractured #9', coverage: medicare }).rules.find((x) => x.id === 'R-ACC-LIABILITY');
    expect(rule?.summary).toMatch(/120 days/);
    expect(rule?.summary).toMatch(/differ/);
  });
});

// ------------------------------------------------------------------ typed as staff type them

describe('as staff type them in chat', () => {
  const ask = (text: string) => run(extractFacts(text, kn).facts);
  it('"TMJ eval" is an evaluation visit, "lac" a laceration, "dog bit" a bite wound', () => {
    const tmj = ask('new pt TMJ eval, jaw pain and clicking, Aetna medical + Delta dental');
    expect(tmj.lane).toBe('medical');
    expect(allCodes(tmj)).toEqual(expect.arrayContaining(['99203', '99204']));
    const lac = ask('dog bit her upper lip yesterday, 2 cm lac to repair, BCBS medical');
    expect(lac.lane).toBe('medical');
    expect(allCodes(lac)).toEqual(expect.arrayContaining(['12011', 'S01.551A']));
  });
  it('a splint that failed is history, not the procedure, when the visit is for injections', () => {
    const r = ask('botox for TMJ, failed splint, UHC medical');
    expect(allCodes(r)).toContain('J0585');
    expect(allCodes(r)).not.toContain('D7880');
    expect(allCodes(r)).not.toContain('21299');
  });
});
