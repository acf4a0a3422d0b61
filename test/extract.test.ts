import { describe, expect, it } from 'vitest';
import { extractFacts } from '../src/knowledge/extract.js';
import { kn, run } from './helpers.js';
import { parseCaseFacts } from '../src/knowledge/facts.js';

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
  it(`gets the right lane for at least 85% of ${MESSAGES.length} realistic messages`, () => {
    const wrong: string[] = [];
    for (const [message, lanes] of MESSAGES) {
      const { result } = ask(message);
      if (![lanes].flat().includes(result.lane)) wrong.push(`${message} → ${result.lane} (expected ${lanes})`);
    }
    const rate = 1 - wrong.length / MESSAGES.length;
    if (wrong.length) console.log(`free text: ${wrong.length} wrong of ${MESSAGES.length}:\n${wrong.join('\n')}`);
    expect(MESSAGES.length).toBeGreaterThanOrEqual(40);
    expect(rate).toBeGreaterThanOrEqual(0.85);
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
