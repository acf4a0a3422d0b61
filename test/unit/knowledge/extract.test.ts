import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../../src/knowledge/extract.js';
import { kn, run, warningIds } from '../../helpers.js';
import { parseCaseFacts, type CaseFacts } from '../../../src/knowledge/facts.js';
import { readCase } from '../../../src/knowledge/case.js';
import { compilePhrase, hasPhrase, tokenize } from '../../../src/knowledge/text.js';
import type { Cause } from '../../../src/knowledge/vocabulary.js';

const ask = (message: string) => {
  const { facts } = extractFacts(message, kn);
  return { facts, result: run(parseCaseFacts(facts)) };
};

/** Realistic messages, as front-desk and billing staff type them, with the lane a careful biller would give. */
const MESSAGES: [string, string | string[]][] = [
  ['pt broke #8 in a bike accident, has BCBS medical + Delta dental, bill medical?', 'medical'],
  ['should I bill medical for the wisdom teeth on the 2pm?', 'needs-info'],
  ['WT ext for 19yo, combined plan through Cigna, bill medical first?', 'medical-first'],
  ['D7240 #17 impacted, Aetna medical and MetLife dental', 'needs-info'],
  ['D7240 #32 full bony, UHC medical covers impacted teeth, Guardian dental', 'medical'],
  ['ext #30 due to decay, pt has Delta dental and BCBS medical', 'dental'],
  ['ext #30, has BCBS medical and Delta dental', 'needs-info'],
  ['biopsy of tongue lesion, Aetna medical + Delta dental', 'medical'],
  ['bx of white patch on buccal mucosa 4 weeks, Cigna medical, no dental', 'medical'],
  ['pt needs a sleep apnea appliance, dx OSA on home sleep test AHI 24, CPAP intolerant, BCBS medical, have sleep study and physician order', 'medical'],
  ['snoring appliance for pt, snoring only, has Aetna medical and Delta dental', 'patient-pay'],
  ['pt wants an oral appliance for suspected OSA, sleep study pending, UHC medical', 'needs-info'],
  ['Medicare pt needs E0486, G47.33, have sleep study + order', 'medical'],
  ['TMJ splint for medicare pt, jaw pain 6 months despite NSAIDs', ['needs-info', 'patient-pay']],
  ['TMJ splint for medicare pt, no dental insurance, jaw pain 6 months despite NSAIDs', 'patient-pay'],
  ['TMJ arthrocentesis, jaw pain and clicking for 4 months despite night guard and NSAIDs, BCBS medical', 'medical'],
  ['CBCT for TMJ, right jaw pain, failed splint, Cigna medical only', 'medical'],
  ['pano for routine checkup, Delta dental', 'dental'],
  ['I&D extraoral, facial cellulitis spreading to submandibular space, Aetna medical and Delta dental', 'medical'],
  ['I&D intraoral abscess #19, localized, Delta dental + BCBS medical', 'dental'],
  ['abscess #19 with facial swelling and fever, needs ext, has UHC medical and MetLife dental', 'medical'],
  ['pt knocked out #9 in a car accident this morning, reimplanted and splinted, BCBS medical, Delta dental', 'medical'],
  ['#8 knocked out playing hockey, combined plan w/ Cigna', 'medical-first'],
  ['crown #14 cracked while eating, pt says trauma, has Aetna medical + Delta dental', 'dental'],
  ['closed reduction of mandible fracture, hit with a baseball, 15 yo, Aetna medical + Delta', 'medical'],
  ['jaw fracture from a fall at work, workers comp?, has BCBS medical', 'medical'],
  ['implant #9 after decay, Delta dental + BCBS medical', 'dental'],
  ['implant #8 after losing it in a car accident last year, BCBS medical, Delta dental', 'medical'],
  ['implant for congenitally missing lateral, UHC medical and Delta dental', 'needs-info'],
  ['implant #9, Aetna medical and Guardian dental', 'needs-info'],
  ['3 week old w/ tongue tie and poor latch, referred by lactation consultant, has Aetna medical, no dental', 'medical'],
  ['lip tie frenectomy for 10 yo with diastema, Delta dental and Cigna medical', 'dental'],
  ['dental clearance before kidney transplant, medicare pt, #3 abscess needs ext', 'medical'],
  ['medicare pt needs ext before knee replacement, no dental insurance', 'patient-pay'],
  ['medicare pt, clearance ext before valve replacement, dx K04.7 Z01.818, have referral', 'medical'],
  ['clearance exam before chemo, pt has Aetna medical + Delta dental', 'needs-info'],
  ['whitening for wedding, has Delta dental', 'patient-pay'],
  ['veneers #7-10 cosmetic, BCBS medical and Delta dental', 'patient-pay'],
  ['SRP for diabetic pt, type 2 diabetes, Delta dental and BCBS medical, bill medical?', 'dental'],
  ['GA in hospital OR for 4 yo autistic pt, multiple caries, BCBS medical and Delta dental', 'medical'],
  ['IV sedation in office for anxious adult, Delta dental, Aetna medical', 'dental'],
  ['cyst removal lower jaw, dentigerous cyst #32, Cigna medical + Delta dental', 'medical'],
  ['pt has no insurance, needs ext #3 for decay', 'patient-pay'],
  ['D7286 lesion on lateral border of tongue, TRICARE', ['medical']],
  ['root canal #30, decay, Delta dental', 'dental'],
  ['crown #3 after root canal, Aetna dental only', 'dental'],
];

describe('free-text extraction', () => {
  it('has a realistic message for most kinds of case', () => expect(MESSAGES.length).toBeGreaterThanOrEqual(40));

  // Each message on its own: one wrong lane rule fails the message it is about.
  it.each(MESSAGES.map(([message, lanes]) => [message, [lanes].flat()] as const))('gets the lane of "%s": %j', (message, lanes) => {
    expect(lanes).toContain(ask(message).result.lane);
  });

  it('reads codes, teeth, age, payers and documents', () => {
    const { facts } = ask('62 yo pt, D7286 #19 area, dx K13.79, BCBS medical + Delta dental, have photos and pano, fee $900 cash fee $650');
    expect(facts).toMatchObject({
      procedure: 'D7286', diagnoses: ['K13.79'], patientAge: 62, fee: 900, cashFee: 650,
      coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' },
    });
    expect(facts.documentsOnHand).toEqual(expect.arrayContaining(['photos', 'imaging']));
  });

  it('does not take a missing document for one on hand', () => {
    expect(ask('OSA appliance, need sleep study, UHC medical').facts.documentsOnHand ?? []).not.toContain('sleep-study');
  });

  it('knows Medicare Advantage from Medicare, and dental carriers from medical ones', () => {
    expect(ask('Humana Medicare pt needs biopsy').facts.coverage?.medicalPayer).toBe('medicare-advantage');
    expect(ask('medicare pt needs biopsy').facts.coverage?.medicalPayer).toBe('medicare');
    expect(ask('Cigna dental only, pt needs ext').facts.coverage).toMatchObject({ dental: true, medical: false });
  });

  it('never guesses a lane from missing facts', () => {
    const { result } = ask('ext #14');
    expect(result.lane).toBe('needs-info');
    expect(result.questions.length).toBeGreaterThan(0);
  });
});

/** Signals triage would raise from the extracted facts: what the notes say once the extractor has read them. */
const signalsOf = (message: string) => readCase(extractFacts(message, kn).facts, kn).signals;

type Reading = {
  cause?: Cause | 'none';
  coverage?: NonNullable<CaseFacts['coverage']>;
  signals?: string[];
  notSignals?: string[];
  notes?: RegExp;
};

/** Issue 11 part 4: each reading was wrong on a message like these. */
const ISSUE_READINGS: [string, Reading][] = [
  ['Medicare pt, no dental, needs ext #19 before kidney transplant', { coverage: { medical: true, dental: false, medicalPayer: 'medicare' }, signals: ['medicare-listed-treatment'] }],
  ['Medicare pt no dental ins, needs ext #19', { coverage: { medical: true, dental: false, medicalPayer: 'medicare' } }],
  ['pt has medicare and no dental insurance, needs biopsy', { coverage: { medical: true, dental: false, medicalPayer: 'medicare' } }],
  ['dental: none, BCBS medical, biopsy of tongue lesion', { coverage: { medical: true, dental: false, medicalPayer: 'commercial' } }],
  ['pt (not medicare) has Aetna PPO', { coverage: { medical: true, medicalPayer: 'commercial' } }],
  ['no medicare, has Cigna through work, lesion on tongue', { coverage: { medical: true, medicalPayer: 'commercial' }, notSignals: ['work-injury'] }],
  ['bike fall, no car involved, #8 fractured', { cause: 'trauma', signals: ['accident'], notSignals: ['auto-accident'] }],
  ['pt lost wt, #30 abscess', { cause: 'infection', notSignals: ['third-molar'], notes: /lost weight/ }],
  ['wt 180 lbs, BP ok, ext #3 decay', { cause: 'decay', notSignals: ['third-molar'] }],
  ['failed PT for TMJ 6 weeks', { cause: 'tmj', signals: ['failed-conservative-care'], notes: /physical therapy/ }],
  ['6 weeks of PT and NSAIDs, still jaw pain', { cause: 'tmj', signals: ['failed-conservative-care'] }],
  ['PT broke #8 playing soccer', { cause: 'trauma', notes: /^patient broke/ }],
  ['one combined medical and dental plan, impacted #17', { cause: 'impaction', coverage: { medical: true, dental: true, combinedPlan: true } }],
  ['combined med/dental plan, WT ext', { coverage: { medical: true, dental: true, combinedPlan: true }, signals: ['third-molar'] }],
  ['UHC medical + Cigna dental, impacted #32', { cause: 'impaction', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } }],
  ['BCBS medical and Delta dental, ext #30 decay', { cause: 'decay', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } }],
  ['Aetna med / MetLife dental, ext #30 decay', { cause: 'decay', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } }],
  ['broke jaw in a car wreck', { cause: 'trauma', signals: ['auto-accident'] }],
  ['MVA last week, #9 avulsed, BCBS medical', { cause: 'trauma', signals: ['auto-accident'] }],
  ['pt was rear-ended, #8 fractured', { cause: 'trauma', signals: ['auto-accident'] }],
  ['fell at his construction job, fractured mandible', { cause: 'trauma', signals: ['work-injury', 'jaw-fracture'] }],
  ['hit in the face at work, #9 loose', { cause: 'trauma', signals: ['work-injury'] }],
  ['workplace injury, #9 knocked out, Aetna medical', { cause: 'trauma', signals: ['work-injury'] }],
  ['impactd wisdom teeth, dentl insurance delta', { cause: 'impaction', coverage: { dental: true }, notes: /impacted wisdom teeth, dental insurance/ }],
  ['#19 abcess with facial sweling, fractred cusp', { cause: 'infection', signals: ['spreading-infection'] }],
  ['Medicare + AARP supplement, Zometa for bone mets, needs #3 extracted', { coverage: { medical: true, medicalPayer: 'medicare' }, signals: ['medicare-listed-treatment', 'antiresorptive-drug'] }],
  ['AARP Medicare Advantage, needs biopsy of lesion', { coverage: { medical: true, medicalPayer: 'medicare-advantage' } }],
  ['UHC Medicare Advantage pt needs biopsy', { coverage: { medical: true, medicalPayer: 'medicare-advantage' } }],
  ['on Prolia for osteoporosis, needs ext #14, medicare', { signals: ['antiresorptive-drug', 'medicare-unlisted-reason'], notSignals: ['medicare-listed-treatment'] }],
  ['took alendronate 10 years, ext #19, Delta dental', { signals: ['antiresorptive-drug'], notSignals: ['medicare-listed-treatment'] }],
  ['zoledronic acid infusions for myeloma, #30 ext', { signals: ['antiresorptive-drug', 'medicare-listed-treatment'] }],
  ['denosumab for bone mets, ext #30, medicare', { signals: ['antiresorptive-drug', 'medicare-listed-treatment'] }],
  ['Xgeva monthly, needs #2 out, medicare', { signals: ['antiresorptive-drug', 'medicare-listed-treatment'] }],
  ['impacted #17, no infection, just routine removal, Delta dental + BCBS medical', { cause: 'impaction', notSignals: ['infection-words'] }],
  ['impacted #32 with pericoronitis, UHC medical + Cigna dental', { cause: 'infection' }],
  ['impacted #17 with dentigerous cyst, Aetna medical', { cause: 'pathology' }],
  ['Patient says the tooth broke', { cause: 'none', signals: ['tooth-broke-unknown-how'] }],
];

/** What the extractor must read from a message: its cause (or none), coverage, signals raised or not, notes. */
function expectReading(message: string, want: (typeof ISSUE_READINGS)[number][1]) {
    const { facts } = extractFacts(message, kn);
    if (want.cause === 'none') expect(facts.cause).toBeUndefined();
    else if (want.cause) expect(facts.cause).toBe(want.cause);
    if (want.coverage) expect(facts.coverage).toEqual(want.coverage);
    const signals = signalsOf(message);
    for (const s of want.signals ?? []) expect([...signals]).toContain(s);
    for (const s of want.notSignals ?? []) expect([...signals]).not.toContain(s);
    if (want.notes) expect(facts.notes).toMatch(want.notes);
}

describe('reading the message right (issue 11)', () => {
  it.each(ISSUE_READINGS)('%s', (message, want) => expectReading(message, want));

  it('does not tell a Medicare patient with no dental plan to bill dental', () => {
    expect(ask('Medicare pt no dental ins, needs ext #19').result.lane).not.toBe('dental');
    expect(ask('Medicare pt, no dental, needs ext #19 before kidney transplant').result.lane).not.toBe('dental');
  });

  it('warns about another liable payer for a car wreck or a construction job, and not when no car was involved', () => {
    expect(warningIds(ask('broke jaw in a car wreck, BCBS medical, Delta dental').result)).toContain('other-liable-payer');
    expect(warningIds(ask('fell at his construction job, fractured mandible, Aetna medical').result)).toContain('other-liable-payer');
    expect(warningIds(ask('bike fall, no car involved, #8 fractured, Aetna medical').result)).not.toContain('other-liable-payer');
  });

  it('reads separate plans as separate, so triage asks about the medical certificate, not about combined plans', () => {
    const { result } = ask('UHC medical + Cigna dental, impacted #32');
    expect(result.lane).toBe('needs-info');
    expect(result.questions.map((q) => q.field)).not.toContain('coverage.combinedPlan');
  });

  it('sends an impacted tooth on one combined plan to medical first', () => {
    expect(ask('one combined medical and dental plan, impacted #17').result.lane).toBe('medical-first');
    expect(ask('combined med/dental plan through Cigna, impactd #32').result.lane).toBe('medical-first');
  });

  it('reads sedation as given for the procedure named with it, not as the procedure (issue 21)', () => {
    const cdt = (r: ReturnType<typeof ask>) => r.result.procedureCodes.cdt.map((c) => c.code);
    for (const message of ['IV sedation for wisdom teeth removal, Aetna medical, Delta dental', 'pt needs IV sedation for extraction of #1 #16 #17 #32 impacted', 'IV sedation for extractions, Aetna medical']) {
      const r = ask(message);
      expect(r.facts.procedure, message).not.toMatch(/sedation/i);
      expect(r.result.rules.map((x) => x.id), message).not.toContain('GA-LANE-NOT-CANDIDATE');
      expect(cdt(r), message).toContain('D9239'); // the sedation is still coded, with the removal
    }
    expect(ask('IV sedation for extractions, Aetna medical').facts.procedure).toBe('extractions');
    // Sedation alone is still read as what was asked about.
    expect(ask('IV sedation, Aetna medical').facts.procedure).toBe('IV sedation');
  });

  it('reads an injury dated to a year long past as old, not today\'s trauma (issue 22, time)', () => {
    for (const message of ['ext #8, fractured in a car accident in 2019, Aetna medical, Delta dental', 'ext #8 fractured in a car accident back in 2023, Aetna medical, Delta dental']) {
      const r = ask(message);
      expect(r.result.rules.map((x) => x.id), message).toContain('R-EVIDENCE-OLD-INJURY');
      expect(r.result.lane, message).toBe('dental');
    }
    // A year named for something else does not date a new injury.
    const recent = ask('ext #8 fractured in a fall yesterday, had radiation in 2019, Aetna medical, Delta dental');
    expect(recent.result.rules.map((x) => x.id)).not.toContain('R-EVIDENCE-OLD-INJURY');
  });

  it('asks when an extraction\'s injury happened when the notes do not date it ("last year"), and not when they do (issue 22, time)', () => {
    const when = (message: string) => ask(message).result.questions.some((q) => /^When did the injury happen/.test(q.question));
    expect(when('ext #30, hit by a baseball last year, Aetna medical, Delta dental')).toBe(true);
    expect(when('ext #30, hit by a baseball this morning, Aetna medical, Delta dental')).toBe(false);
    expect(when('ext #30, hit by a baseball 3 years ago, Aetna medical, Delta dental')).toBe(false);
  });

  it('never guesses the lane for a tooth that broke without saying how', () => {
    const { facts, result } = ask('Patient says the tooth broke');
    expect(facts.cause).toBeUndefined();
    expect(result.lane).toBe('needs-info');
  });
});

/** More messages as staff write them, with what the extractor must read (a regression table, not the rules). */
const REGRESSION: [string, Reading][] = [
  ['pt has no insurance, needs ext #3 for decay', { cause: 'decay', coverage: { medical: false, dental: false } }],
  ['self pay, biopsy of lip lesion', { cause: 'pathology', coverage: { medical: false, dental: false } }],
  ['uninsured pt, abscess #30 with swelling', { cause: 'infection', coverage: { medical: false, dental: false } }],
  ['Cigna dental only, pt needs ext', { coverage: { medical: false, dental: true } }],
  ['medical only (BCBS), no dental plan, jaw fracture from a fall', { cause: 'trauma', coverage: { medical: true, dental: false, medicalPayer: 'commercial' } }],
  ['has Delta dental, no medical insurance, crown #14', { cause: 'routine', coverage: { medical: false, dental: true } }],
  ['no medical or dental insurance, whitening', { cause: 'cosmetic', coverage: { medical: false, dental: false } }],
  ['doesn\'t have dental, Aetna medical, lesion on palate', { cause: 'pathology', coverage: { medical: true, dental: false, medicalPayer: 'commercial' } }],
  ['dental n/a, medicare, biopsy', { coverage: { medical: true, dental: false, medicalPayer: 'medicare' } }],
  ['Medicaid pt, abscess #19 with facial swelling', { cause: 'infection', coverage: { medical: true, medicalPayer: 'medicaid' } }],
  ['medi-cal patient needs ext #30 decay', { cause: 'decay', coverage: { medical: true, medicalPayer: 'medicaid' } }],
  ['BCBS medical, medicaid secondary, biopsy tongue', { coverage: { medical: true, medicalPayer: 'commercial' } }],
  ['medicare w/ medicaid secondary (dual eligible), clearance before valve replacement', { cause: 'medical-clearance', coverage: { medical: true, medicalPayer: 'medicare' } }],
  ['TRICARE pt, lesion lateral tongue', { cause: 'pathology', coverage: { medical: true, medicalPayer: 'tricare' } }],
  ['Humana Medicare pt needs biopsy', { coverage: { medical: true, medicalPayer: 'medicare-advantage' } }],
  ['medicare part b, medigap plan G, ext before chemo', { cause: 'medical-clearance', coverage: { medical: true, medicalPayer: 'medicare' } }],
  ['UHC medicare supplement, ext #30 before heart valve replacement', { cause: 'medical-clearance', coverage: { medical: true, medicalPayer: 'medicare' } }],
  ['medicare advantage (Aetna), TMJ pain 6 months', { cause: 'tmj', coverage: { medical: true, medicalPayer: 'medicare-advantage' } }],
  // Medicare Advantage plans named by their brand alone (issue 22 §1.11).
  ['ext #30 abscess with facial swelling, Humana Gold Plus, no dental', { cause: 'infection', coverage: { medical: true, dental: false, medicalPayer: 'medicare-advantage' } }],
  ['Kaiser Senior Advantage, biopsy of tongue lesion', { coverage: { medical: true, medicalPayer: 'medicare-advantage' } }],
  ['UHC Dual Complete, ext before chemo', { coverage: { medical: true, medicalPayer: 'medicare-advantage' } }],
  ['pt has a chip on #9 from biting a fork, Delta dental', { coverage: { dental: true } }],
  ['WT ext for 19yo, combined plan through Cigna, bill medical first?', { coverage: { medical: true, dental: true, combinedPlan: true, medicalPayer: 'commercial' }, signals: ['third-molar'] }],
  ['all 4 wt out, Cigna medical, Delta dental', { coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' }, signals: ['third-molar'] }],
  ['medical and dental both through Aetna, one plan, D7240 #17', { coverage: { medical: true, dental: true, combinedPlan: true, medicalPayer: 'commercial' }, signals: ['impaction'] }],
  ['separate plans: Anthem medical, Guardian dental. #1 and #16 bony impacted', { cause: 'impaction', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } }],
  ['medical: Kaiser, dental: Delta, impacted #32 no symptoms', { cause: 'impaction', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } }],
  ['impacted #17 partially erupted, recurrent pericoronitis, BCBS', { cause: 'infection', coverage: { medical: true, medicalPayer: 'commercial' } }],
  ['#32 impacted w/ radiolucency on pano, ?cyst, Cigna medical', { cause: 'pathology' }],
  ['not impacted, fully erupted #16 with decay, Delta dental', { cause: 'decay', notSignals: ['impaction'] }],
  ['no swelling, abscess #19, Delta dental', { cause: 'infection', signals: ['localized-infection'], notSignals: ['spreading-infection'] }],
  ['non-restorable #19 abscess, BCBS medical', { cause: 'infection' }],
  ['tooth no. 30 abscess, Delta dental', { cause: 'infection' }],
  ['denies trauma, #8 cracked while eating popcorn', { signals: ['non-traumatic-fracture'], notSignals: ['trauma-words'] }],
  ['no history of facial trauma, jaw clicking and pain', { cause: 'tmj', notSignals: ['trauma-words'] }],
  ['car accident, not at work, #8 and #9 fractured, Aetna medical', { cause: 'trauma', signals: ['auto-accident'], notSignals: ['work-injury'] }],
  ['assaulted outside a bar, mandible fracture, uninsured', { cause: 'trauma', signals: ['third-party-liability', 'jaw-fracture'], coverage: { medical: false, dental: false } }],
  ['T-boned at an intersection, airbag hit his face, #7 avulsed', { cause: 'trauma', signals: ['auto-accident'] }],
  ['injured on the job site (warehouse), #9 knocked out, workers comp claim open', { cause: 'trauma', signals: ['work-injury'] }],
  ['kid fell off the monkey bars, #E and #F intruded, Medicaid', { cause: 'trauma', coverage: { medical: true, medicalPayer: 'medicaid' } }],
  ['pt on dialysis for ESRD, needs #14 ext before kidney transplant, medicare', { cause: 'medical-clearance', signals: ['medicare-listed-treatment'] }],
  ['starting chemo next month, dental clearance, #3 abscess', { signals: ['medicare-listed-treatment'] }],
  ['hx head and neck radiation, needs ext #31', { signals: ['medicare-listed-treatment'] }],
  ['s/p heart valve replacement, needs SRP', { signals: ['medicare-listed-treatment'] }],
  ['lump on the tongue 3 weeks, biopsy, Cigna medical', { cause: 'pathology', coverage: { medical: true, medicalPayer: 'commercial' } }],
  ['OSA diagnosed on HST, AHI 22, cpap intolerant, BCBS medical', { cause: 'sleep-apnea', coverage: { medical: true, medicalPayer: 'commercial' } }],
  ['no sleep study yet, snoring only, wants appliance', { signals: ['snoring-only'] }],
  ['tongue tie, poor latch, 2 wk old, Aetna medical', { cause: 'congenital', coverage: { medical: true, medicalPayer: 'commercial' } }],
  ['veneers #7-10 for looks, Delta dental', { cause: 'cosmetic', coverage: { dental: true } }],
  ['crown #30 after root canal, Delta dental, BCBS medical', { cause: 'routine', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } }],
  ['pt is a denial from Cigna medical, dental Delta', { coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } }],
  ['medial wall of sinus, lesion, Aetna medical', { cause: 'pathology', notes: /medial wall/ }],
  ['need the denial letter from medical before dental pays', { notes: /denial letter/ }],
];

describe('regression table of free-text readings', () => {
  it.each(REGRESSION)('%s', (message, want) => expectReading(message, want));
});

describe('negation, typos and shorthand', () => {
  const negated = (text: string, phrase: string) => !hasPhrase(tokenize(text), compilePhrase(phrase));
  it('negates within the clause and the next few words only', () => {
    expect(negated('no swelling, abscess #19', 'abscess')).toBe(false);
    expect(negated('no swelling or fever', 'fever')).toBe(true);
    expect(negated('denies any history of trauma', 'trauma')).toBe(true);
    expect(negated('no pain but swelling', 'swelling')).toBe(false);
    expect(negated('non restorable 19 abscess', 'abscess')).toBe(false);
    expect(negated("doesn't have dental insurance", 'dental insurance')).toBe(true);
    expect(negated('car not involved', 'car involved')).toBe(true);
    expect(negated('swelling: none', 'swelling')).toBe(true);
    expect(negated('tooth no 30 abscess', 'abscess')).toBe(false);
    expect(negated('tooth was knocked out', 'knock out')).toBe(false);
  });
  it('reads "denies A, B, C" with no closing "or" as a review of systems: each short finding is denied (issue 22)', () => {
    expect(negated('pt denies swelling, fever, trismus, Aetna medical', 'fever')).toBe(true);
    expect(negated('pt denies swelling, fever, trismus, Aetna medical', 'trismus')).toBe(true);
    // The list ends at what is not a finding: the insurance, a measurement, a new statement.
    expect(negated('pt denies swelling, fever, Aetna medical', 'aetna medical')).toBe(false);
    expect(negated('denies fever, facial swelling 3cm', 'swelling')).toBe(false);
    expect(negated('denies fever, needs ext #30', 'ext')).toBe(false);
    // "no" alone still needs its closing "or" to reach past a comma.
    expect(negated('no pain, swelling #19', 'swelling')).toBe(false);
    const r = ask('ext #30, pt denies swelling, fever, trismus, Aetna medical, Delta dental');
    expect(r.facts.cause).toBeUndefined();
    expect(r.result.lane).toBe('needs-info');
    expect(r.facts.coverage).toMatchObject({ medical: true, dental: true });
  });
  it('scopes a negation over the list it governs, in words and in lists (issue 22)', () => {
    // A negation that opens a list reaches every item up to the "or" that closes it.
    expect(negated('no facial swelling, fever or trismus', 'fever')).toBe(true);
    expect(negated('no facial swelling, fever or trismus', 'trismus')).toBe(true);
    expect(negated('denies fever, difficulty swallowing or limited mouth opening', 'limited mouth opening')).toBe(true);
    expect(negated('no implant, bone graft or sinus lift planned', 'sinus lift')).toBe(true);
    // Words that only qualify the negation do not use up its reach.
    expect(negated('no clinical or radiographic evidence of mandible fracture', 'mandible fracture')).toBe(true);
    expect(negated('free of swelling', 'swelling')).toBe(true);
    // A heading negation covers its list; a trailing one covers the list before it.
    expect(negated('Not planned: implants, bone graft, sinus lift.', 'bone graft')).toBe(true);
    expect(negated('implants, bone graft and sinus lift are not planned', 'implants')).toBe(true);
    expect(negated('veneers, whitening and bonding are not planned', 'whitening')).toBe(true);
    expect(negated('fever and trismus: none', 'fever')).toBe(true);
    // A form's answer after a colon: "Swelling: no", "Fracture: negative".
    expect(negated('Facial swelling: no. Trismus: negative.', 'facial swelling')).toBe(true);
    expect(negated('Facial swelling: no. Trismus: negative.', 'trismus')).toBe(true);
    expect(negated('Trauma: denies', 'trauma')).toBe(true);
    expect(negated('Facial swelling: yes', 'facial swelling')).toBe(false);
    // ...and no further: a new statement, a number after "or", a sentence end.
    expect(negated('no swelling, abscess #19 or #20', 'abscess')).toBe(false);
    expect(negated('no fever or swelling. trismus noted', 'trismus')).toBe(false);
    expect(negated('no swelling, fever but trismus', 'trismus')).toBe(false);
    expect(negated('no implant planned; bone graft today', 'bone graft')).toBe(false);
    expect(negated('patient fell and implants are not planned', 'fell')).toBe(false);
  });
  it('corrects one-letter slips in the key words and leaves real words alone', () => {
    const notes = (m: string) => extractFacts(m, kn).facts.notes;
    expect(notes('impactd #32, dentl insurance, abcess, fracutre')).toBe('impacted #32, dental insurance, abscess, fracture');
    expect(notes('medial wall, denial letter, rental car, carries Delta')).toBe('medial wall, denial letter, rental car, carries Delta');
    expect(notes('impactions and extractions')).toBe('impactions and extractions');
  });
  it('reads wt and PT from the words around them', () => {
    const notes = (m: string) => extractFacts(m, kn).facts.notes;
    expect(notes('WT ext')).toBe('wisdom teeth extraction');
    expect(notes('wt 82 kg')).toBe('weight 82 kg');
    expect(notes('4 wt out')).toBe('4 wisdom teeth out');
    expect(notes('pt lost wt')).toBe('patient lost weight');
    expect(notes('splint and PT for TMJ')).toBe('splint and physical therapy for TMJ');
    expect(notes('Medicare pt needs ext')).toBe('Medicare patient needs extraction');
    expect(notes("pt's mom called")).toBe("patient's mom called");
  });
});

describe('carriers not on the lists', () => {
  // Named as offices write them: capitalised words right before "medical" or "dental" (issue 21 §2).
  const coverage = (m: string) => extractFacts(m, kn).facts.coverage;
  it.each([
    ['wisdom teeth out, Mutual of Omaha medical', { medical: true, medicalPayer: 'commercial' }],
    ['wisdom teeth out, Physicians Mutual dental, Ambetter medical', { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' }],
    ['ext #30, Sun Health medical and Blue Ridge Dental dental', { medical: true, dental: true, combinedPlan: false }],
  ])('reads "%s"', (message, expected) => {
    expect(coverage(message)).toMatchObject(expected);
  });
  it('does not take a sentence start or a public program for a carrier', () => {
    expect(coverage('impacted #17. No dental, Aetna medical')).toMatchObject({ medical: true, dental: false });
    expect(coverage('Medicaid dental for a 12 year old')?.medicalPayer).toBe('medicaid');
  });
});

describe('fees as typed', () => {
  it.each([
    ['650 billed, cash fee 400', 650, 400],
    ['fee 900, cash fee 650', 900, 650],
    ['$650 fee and 400 cash', 650, 400],
    ['billing 650, usual 400', 650, 400],
  ])('reads "%s"', (message, fee, cashFee) => {
    expect(extractFacts(message, kn).known).toMatchObject({ fee, cashFee });
  });
  it('does not read a code or a tooth number as a fee', () => {
    expect(extractFacts('D7240 billed to Aetna, cash 400', kn).known.fee).toBeUndefined();
    expect(extractFacts('#30 fee', kn).known.fee).toBeUndefined();
  });
});
