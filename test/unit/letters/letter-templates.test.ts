/**
 * Letter-of-medical-necessity templates (knowledge/letters/) and the renderer: every template loads and
 * renders for every payer kind and every choice, with no gap but the identifier placeholders; a missing
 * required fact or a bad value is refused; a broken template is refused naming its file; the OSA letter for
 * Medicare states the LCD L33611 criteria; rendering is fast.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR } from '../../../src/knowledge/load.js';
import { MEDICAL_PAYERS, type MedicalPayer } from '../../../src/knowledge/vocabulary.js';
import { scrubIdentifiers } from '../../../src/privacy/scrubber.js';
import { IDENTIFIER_PLACEHOLDERS, type LetterCode } from '../../../src/letters/model.js';
import { LetterError, letterText, renderLetter, templateNarrative } from '../../../src/letters/render.js';
import { missingFacts, optionalFacts, validateFactValue } from '../../../src/letters/fact-values.js';
import { codesFromTriage, factsFromCase } from '../../../src/letters/prefill.js';
import { loadLetterTemplates, templateById, templateFor, type FactDef, type LetterTemplate } from '../../../src/letters/templates.js';
import { ROOT } from '../../helpers.js';
import { openShelf } from '../../../src/root/shelf.js';

const templates = loadLetterTemplates();
const TODAY = '2026-06-15';
const PROCEDURES: LetterCode[] = [{ system: 'CPT', code: '41899', description: 'unlisted procedure, dentoalveolar structures' }];
const DIAGNOSES: LetterCode[] = [{ system: 'ICD-10-CM', code: 'K04.7', description: 'Periapical abscess without sinus' }];

/** A valid answer for a fact, from its type alone. */
function sample(f: FactDef): string {
  switch (f.type) {
    case 'text': return `clinical finding for ${f.id}`;
    case 'number': {
      const lo = f.min ?? 0;
      const hi = f.max ?? lo + 100;
      return String(f.integer ? Math.round((lo + hi) / 2) : (lo + hi) / 2);
    }
    case 'yes-no': return f.expect ?? 'yes';
    case 'choice': return f.options[0]!.value;
    case 'month-year': return 'March 2024';
    case 'duration': return '6 weeks';
  }
}
const complete = (t: LetterTemplate) => Object.fromEntries(t.facts.map((f) => [f.id, sample(f)]));
/** The required facts alone, conditional ones included as their conditions come true. */
function requiredOnly(t: LetterTemplate, payerKind: MedicalPayer, start: Record<string, string> = {}): Record<string, string> {
  const values = { ...start };
  for (let missing = missingFacts(t, values, payerKind); missing.length; missing = missingFacts(t, values, payerKind)) {
    for (const f of missing) values[f.id] = sample(f);
  }
  return values;
}
const render = (t: LetterTemplate, values: Record<string, string>, payerKind: MedicalPayer, extra: Partial<Parameters<typeof renderLetter>[1]> = {}) =>
  renderLetter(t, { caseId: 'case-1', values, payerKind, procedures: PROCEDURES, diagnoses: DIAGNOSES, today: TODAY, ...extra });

/** Every bracketed gap and every brace left in the text, the identifier placeholders aside. */
function gaps(text: string): string[] {
  let rest = text;
  for (const p of IDENTIFIER_PLACEHOLDERS) rest = rest.split(p).join('');
  return rest.match(/[[\]{}]/g) ?? [];
}

/** Every answer a choice or yes-no fact can take, one at a time, the others at their sample. */
function variations(t: LetterTemplate): Record<string, string>[] {
  const base = complete(t);
  const out: Record<string, string>[] = [base];
  for (const f of t.facts) {
    const answers = f.type === 'choice' ? f.options.map((o) => o.value) : f.type === 'yes-no' && !f.expect ? ['yes', 'no'] : [];
    for (const a of answers) out.push({ ...base, [f.id]: a });
  }
  return out;
}

describe('letter templates: loading', () => {
  it('loads a template for every category that needs a letter', () => {
    const needed = [
      'osa-appliance', 'tmj', 'biopsy', 'jaw-fracture', 'dental-trauma', 'laceration', 'infection-drainage', 'jaw-lesion-excision',
      'implant-reconstruction', 'cleft', 'frenectomy', 'medical-clearance', 'imaging', 'general-anesthesia', 'jaw-osteonecrosis', 'oral-cancer',
    ];
    expect(templates.length).toBeGreaterThanOrEqual(14);
    for (const c of needed) expect(templateFor(c, templates)?.categories, c).toContain(c);
    expect(templateFor('cosmetic', templates)).toBeUndefined();
    expect(templateFor('jaw-fracture', templates)).toBe(templateFor('dental-trauma', templates));
    expect(templateById('osa-appliance', templates)?.file).toBe('knowledge/letters/osa-appliance.json');
  });

  it('is read once by the composition root, and afresh by each load', () => {
    const shelf = openShelf();
    expect(shelf.letters()).toBe(shelf.letters());
    expect(shelf.letters().map((t) => t.id)).toEqual(templates.map((t) => t.id));
    expect(loadLetterTemplates(join(DEFAULT_KNOWLEDGE_DIR, 'letters', '.')).map((t) => t.id)).toEqual(templates.map((t) => t.id));
    const fresh = loadLetterTemplates();
    expect(fresh).not.toBe(templates);
    expect(fresh.map((t) => t.id)).toEqual(templates.map((t) => t.id));
  });

  it('is never imported by triage (src/knowledge)', () => {
    const dir = join(ROOT, 'src', 'knowledge');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/from\s+['"]\.\.\/letters\//);
    }
  });

  it('asks only clinical questions: no question asks for a full date, a name or an ID', () => {
    for (const t of templates) {
      for (const f of t.facts) {
        expect(f.ask, `${t.id} ${f.id}`).not.toMatch(/\b(?:date of birth|birth ?date|dob|patient'?s name|member|id number|social security|phone|address|exact date)\b/i);
        if (f.type === 'month-year') expect(f.ask, `${t.id} ${f.id}`).toMatch(/month and year/i);
      }
    }
  });

  it('cites a source for every policy point and serves its categories once', () => {
    const seen = new Set<string>();
    for (const t of templates) {
      for (const p of t.policyPoints) expect(p.source.length).toBeGreaterThan(0);
      for (const c of t.categories) {
        expect(seen.has(c), c).toBe(false);
        seen.add(c);
      }
    }
  });
});

describe('letter templates: rendering', () => {
  it.each(templates.map((t) => [t.id, t] as const))('%s renders from a complete fact set for every payer kind and every answer, with no gap', (_id, t) => {
    for (const payerKind of MEDICAL_PAYERS) {
      for (const values of variations(t)) {
        const draft = render(t, values, payerKind);
        const text = letterText(draft);
        expect(gaps(text), `${t.id} ${payerKind} ${JSON.stringify(values)}`).toEqual([]);
        for (const p of IDENTIFIER_PLACEHOLDERS) expect(text).toContain(p);
        // A statement kept on file (Original Medicare's E0486) is addressed to no reviewer; every other letter is.
        expect(text).toContain(draft.onFile ? `sent to ${draft.payer} on request` : `To: ${draft.payer} medical review`);
        expect(text).toContain('Re: [PATIENT NAME], [DATE OF BIRTH], [MEMBER ID]');
        expect(text).toContain('Procedure: CPT 41899');
        expect(text).toContain('Diagnosis: ICD-10-CM K04.7');
        expect(draft.narrativeBy).toBe('template');
        expect(draft.templateId).toBe(t.id);
        expect(draft.attachments.length).toBeGreaterThan(0);
        for (const f of draft.facts) expect(t.facts.some((d) => d.id === f.id)).toBe(true);
      }
    }
  });

  it.each(templates.map((t) => [t.id, t] as const))('%s renders from its required facts alone', (_id, t) => {
    for (const payerKind of MEDICAL_PAYERS) {
      const text = letterText(render(t, requiredOnly(t, payerKind), payerKind));
      expect(gaps(text)).toEqual([]);
      expect(text).not.toMatch(/\s{3,}|\.\.|\s[.,]/);
    }
  });

  it.each(templates.map((t) => [t.id, t] as const))('%s refuses a letter when any single required fact is missing', (_id, t) => {
    // Each answer of each required choice as a start, so that facts required only under a condition are dropped too.
    const starts = [{}, ...t.facts.flatMap((f) => (f.required && f.type === 'choice' ? f.options.map((o) => ({ [f.id]: o.value })) : []))];
    for (const payerKind of MEDICAL_PAYERS) for (const start of starts) {
      const values = requiredOnly(t, payerKind, start);
      for (const id of Object.keys(values)) {
        const without = { ...values, [id]: '' };
        expect(missingFacts(t, without, payerKind).map((f) => f.id)).toEqual([id]);
        let error: unknown;
        try {
          render(t, without, payerKind);
        } catch (err) {
          error = err;
        }
        expect(error, `${t.id} ${payerKind} without ${id}`).toBeInstanceOf(LetterError);
        expect((error as LetterError).missing.map((f) => f.id)).toEqual([id]);
        expect((error as LetterError).message).toContain(t.facts.find((f) => f.id === id)!.label);
      }
    }
  });

  it('asks a required fact that has a condition once the condition holds', () => {
    const onj = templateById('jaw-osteonecrosis', templates)!;
    // AAOMS staging is for medication-related osteonecrosis: asked for a drug, never for osteoradionecrosis (issue 22).
    const drug = { onjCause: 'antiresorptive-osteoporosis' };
    expect(missingFacts(onj, { ...drug, stage: 'stage-0' }).map((f) => f.id)).not.toContain('exposedDuration');
    expect(missingFacts(onj, { ...drug, stage: 'stage-2' }).map((f) => f.id)).toContain('exposedDuration');
    expect(missingFacts(onj, drug).map((f) => f.id)).toContain('stage');
    expect(missingFacts(onj, { onjCause: 'radiation' }).map((f) => f.id)).not.toContain('stage');
    expect(letterText(render(onj, requiredOnly(onj, 'commercial', { onjCause: 'radiation' }), 'commercial'))).not.toMatch(/AAOMS|Stage:/);
    const values = requiredOnly(onj, 'commercial', { ...drug, stage: 'stage-2', exposedDuration: '10 weeks' });
    expect(letterText(render(onj, values, 'commercial'))).toContain('probed to bone, for 10 weeks.');
    expect(() => render(onj, { ...values, exposedDuration: '' }, 'commercial')).toThrow(/How long bone has been exposed/);
    expect(letterText(render(onj, { ...values, stage: 'stage-0' }, 'commercial'))).not.toContain('10 weeks');
  });

  it('lists missing facts in ask order, and optional ones separately', () => {
    const t = templateById('osa-appliance', templates)!;
    const missing = missingFacts(t, {}, 'commercial').map((f) => f.id);
    expect(missing).toEqual(t.facts.filter((f) => f.required && !f.payers).map((f) => f.id));
    expect(missingFacts(t, {}, 'medicare').map((f) => f.id)).toEqual(expect.arrayContaining(['eventCount', 'faceToFace', 'pdacListed']));
    expect(missingFacts(t, {}).map((f) => f.id)).toContain('faceToFace');
    expect(optionalFacts(t, {}, 'commercial').map((f) => f.id)).toEqual(['patientAge', 'orderMonth']);
  });

  it('asks a conditional fact only when its condition holds, and never writes it otherwise', () => {
    const osa = templateById('osa-appliance', templates)!;
    expect(optionalFacts(osa, { papStatus: 'failed' }, 'commercial').map((f) => f.id)).toEqual(['patientAge', 'papTrialLength', 'papDetails', 'orderMonth']);
    expect(optionalFacts(osa, { papStatus: 'declined' }, 'commercial').map((f) => f.id)).toEqual(['patientAge', 'papDetails', 'orderMonth']);
    expect(optionalFacts(osa, { papStatus: 'Tried and not tolerated' }, 'commercial').map((f) => f.id)).toContain('papTrialLength');
    const text = letterText(render(osa, { ...complete(osa), papStatus: 'not-tried', papTrialLength: '2 months', papDetails: 'mask leaks' }, 'commercial'));
    expect(text).not.toContain('2 months');
    expect(text).not.toContain('mask leaks');
    const trauma = templateById('trauma', templates)!;
    const none = letterText(render(trauma, { ...complete(trauma), otherPayer: 'none', otherPayerResponse: 'yes' }, 'commercial'));
    expect(none).not.toContain('response is enclosed');
    expect(none).not.toContain('Primary payer');
    const auto = render(trauma, { ...complete(trauma), otherPayer: 'auto', otherPayerResponse: 'yes' }, 'medicare');
    expect(letterText(auto)).toContain('The other insurer\'s response is enclosed.');
    expect(letterText(auto)).toContain('Medicare Secondary Payer');
    expect(auto.attachments).toContain('Primary payer\'s EOB or denial');
    const onj = templateById('jaw-osteonecrosis', templates)!;
    expect(optionalFacts(onj, { onjCause: 'radiation' }).map((f) => f.id)).toEqual(expect.arrayContaining(['radiationMonth', 'radiationDose']));
    expect(optionalFacts(onj, { onjCause: 'radiation' }).map((f) => f.id)).not.toContain('drug');
  });

  it('carries no identifier: the scrubber finds none outside the placeholders', () => {
    for (const t of templates) {
      let text = letterText(render(t, complete(t), 'commercial', { payer: 'Aetna' }));
      for (const p of IDENTIFIER_PLACEHOLDERS) text = text.split(p).join('');
      expect(scrubIdentifiers(text).found, t.id).toEqual([]);
    }
  });

  it('writes the payer line from the name or the payer kind, never an ID', () => {
    const t = templateById('tmj', templates)!;
    expect(render(t, complete(t), 'commercial', { payer: 'Aetna' }).payer).toBe('Aetna');
    expect(render(t, complete(t), 'commercial').payer).toBe('Health plan');
    expect(render(templateById('osa-appliance', templates)!, complete(templateById('osa-appliance', templates)!), 'medicare').payer).toBe('Medicare DME MAC');
    expect(() => render(t, complete(t), 'commercial', { payer: 'Aetna W123456789' })).toThrow(LetterError);
    expect(() => render(t, complete(t), 'commercial', { payer: 'BCBS [MEMBER ID]' })).toThrow(LetterError);
  });

  it('needs at least one code, and plain code descriptions', () => {
    const t = templateById('biopsy', templates)!;
    expect(() => render(t, complete(t), 'commercial', { procedures: [], diagnoses: [] })).toThrow(/at least one/);
    expect(() => render(t, complete(t), 'commercial', { diagnoses: [{ system: 'ICD-10-CM', code: 'K13.79', description: 'see {notes}' }] })).toThrow(LetterError);
  });

  it('uses the LLM narrative when given (narrativeBy llm), and refuses one with a gap', () => {
    const t = templateById('tmj', templates)!;
    const values = complete(t);
    const own = templateNarrative(t, { values, payerKind: 'commercial', today: TODAY });
    expect(own[0]).toContain('I am writing to request coverage');
    const narrative = ['The patient has had jaw pain for 8 months despite a splint and physical therapy.', 'Imaging shows disc displacement.'];
    const draft = render(t, values, 'commercial', { narrative });
    expect(draft.narrativeBy).toBe('llm');
    expect(draft.sections.find((s) => s.heading === 'Clinical history')!.paragraphs).toEqual(narrative);
    // The facts stay those the template states, for the LLM check.
    expect(draft.facts).toEqual(render(t, values, 'commercial').facts);
    expect(() => render(t, values, 'commercial', { narrative: ['The patient [NAME] has pain.'] })).toThrow(LetterError);
    expect(() => render(t, values, 'commercial', { narrative: ['See {symptoms}.'] })).toThrow(LetterError);
    expect(() => render(t, values, 'commercial', { narrative: ['Dear [PATIENT NAME], hello.'] })).toThrow(LetterError);
    expect(() => render(t, values, 'commercial', { narrative: [] })).toThrow(LetterError);
  });

  it('lists the codes from a triage answer', () => {
    const codes = codesFromTriage({
      procedureCodes: { cdt: [{ code: 'D9947', description: 'custom sleep apnea appliance' }], cpt: [], hcpcs: [{ code: 'E0486', description: 'oral appliance' }] },
      diagnosisCodes: [{ code: 'G47.33', description: 'Obstructive sleep apnea (adult) (pediatric)' }],
    });
    expect(codes.procedures.map((c) => `${c.system} ${c.code}`)).toEqual(['HCPCS E0486', 'CDT D9947']);
    expect(codes.diagnoses).toEqual([{ system: 'ICD-10-CM', code: 'G47.33', description: 'Obstructive sleep apnea (adult) (pediatric)' }]);
  });
});

describe('letter templates: the OSA letter', () => {
  const t = templateById('osa-appliance', templates)!;
  const values = {
    ...complete(t), sleepTestType: 'hst', ahi: '24', eventCount: '150', papStatus: 'failed', papTrialLength: '3 months',
    symptoms: 'excessive daytime sleepiness (Epworth 14), witnessed apneas, hypertension', device: 'a hinged mandibular advancement device',
  };

  it('states the Medicare LCD L33611 criteria in the Medicare variant', () => {
    const draft = render(t, values, 'medicare', { procedures: [{ system: 'HCPCS', code: 'E0486', description: 'custom oral appliance for sleep apnea' }], diagnoses: [{ system: 'ICD-10-CM', code: 'G47.33', description: 'Obstructive sleep apnea (adult) (pediatric)' }] });
    const text = letterText(draft);
    expect(draft.payer).toBe('Medicare DME MAC');
    expect(text).toContain('LCD L33611');
    // A: face-to-face evaluation before the test.
    expect(text).toContain('evaluated the patient face to face for obstructive sleep apnea before the sleep test');
    // B: the sleep test and the thresholds, with this patient's values.
    expect(text).toContain('a home sleep apnea test (HST) in March 2024');
    expect(text).toContain('AHI/RDI) of 24 events per hour, with 150 apneas and hypopneas in total');
    expect(text).toContain('15 or more events per hour with at least 30 events');
    expect(text).toContain('5 to 14 events per hour with at least 10 events and documented excessive daytime sleepiness, impaired cognition, mood disorder or insomnia, or hypertension, ischemic heart disease or a history of stroke');
    // C: ordered after the test, order on file before the claim.
    expect(text).toContain('ordered the appliance after reviewing the sleep test report');
    // PAP: not tolerated, and the appliance is not a PAP backup.
    expect(text).toContain('could not tolerate it');
    expect(text).toContain('not a backup to a PAP device');
    // D and coding: a licensed dentist, a PDAC-listed E0486 device.
    expect(text).toContain('the device is coded HCPCS E0486 (custom-fabricated, with a fixed mechanical hinge)');
    expect(text).toContain('listed by the Pricing, Data Analysis and Coding (PDAC) contractor under that code');
    expect(text).toContain('provided and billed by a licensed dentist');
    expect(draft.attachments).toEqual(expect.arrayContaining(['Sleep study with the physician\'s interpretation', 'Physician\'s written order', 'Treatment history']));
    expect(draft.facts.find((f) => f.id === 'ahi')?.value).toBe('24');
  });

  it('is a statement of medical necessity kept on file for Original Medicare, not a request to the DME MAC (issue 22)', () => {
    const draft = render(t, values, 'medicare');
    const text = letterText(draft);
    expect(text).not.toMatch(/medical review|request coverage|This request/);
    expect(text).toMatch(/statement of medical necessity/i);
    expect(text).toMatch(/kept .*on file|on request/);
    expect(text).toContain('no prior authorization');
    // Medicare Advantage plans and commercial plans may review it before the appliance is made: a request.
    expect(letterText(render(t, values, 'medicare-advantage'))).toContain('request coverage');
    expect(letterText(render(t, values, 'commercial'))).toContain('To: Health plan medical review');
  });

  it('names the device\'s own code: K1027 for a device without a fixed hinge, never "billed as E0486" (issue 22)', () => {
    for (const payerKind of MEDICAL_PAYERS) {
      const text = letterText(render(t, { ...values, deviceCode: 'k1027' }, payerKind));
      expect(text, payerKind).toContain('K1027');
      expect(text, payerKind).not.toMatch(/E0486/);
    }
    expect(letterText(render(t, { ...values, deviceCode: 'e0486' }, 'commercial'))).toContain('HCPCS E0486');
    expect(factsFromCase(t, { procedure: 'custom oral appliance', notes: 'monoblock, no hinge' }, TODAY).values.deviceCode).toBe('k1027');
    expect(factsFromCase(t, { procedure: 'E0486' }, TODAY).values.deviceCode).toBe('e0486');
  });

  it('does not call PAP "not an option" when the patient declined it (issue 22)', () => {
    for (const payerKind of ['medicare', 'commercial'] as const) {
      const declined = letterText(render(t, { ...values, papStatus: 'declined' }, payerKind));
      expect(declined).not.toMatch(/not an option/);
      expect(declined).toContain('declined positive airway pressure');
    }
    expect(letterText(render(t, { ...values, papStatus: 'failed' }, 'commercial'))).toMatch(/cannot use positive airway pressure/);
  });

  it('states a PAP contraindication when that is the reason', () => {
    const text = letterText(render(t, { ...values, papStatus: 'contraindicated' }, 'medicare'));
    expect(text).toContain('has determined that positive airway pressure (PAP) therapy is contraindicated');
  });

  it('asks Medicare\'s facts only for Medicare, and refuses a letter the LCD would deny', () => {
    const commercial = letterText(render(t, { ...values, eventCount: '', faceToFace: '', pdacListed: '' }, 'commercial'));
    expect(commercial).not.toContain('L33611');
    expect(commercial).toContain('Plan coverage criteria');
    expect(commercial).toContain('The PAP trial lasted 3 months.');
    const f2f = t.facts.find((f) => f.id === 'faceToFace')!;
    const no = validateFactValue(f2f, 'no', TODAY);
    expect(no.ok).toBe(false);
    expect(!no.ok && no.problem).toMatch(/face to face before the sleep test/);
    expect(() => render(t, { ...values, faceToFace: 'no' }, 'medicare')).toThrow(/face to face/);
    expect(() => render(t, { ...values, eventCount: '' }, 'medicare')).toThrow(/Total respiratory events/);
  });

  it('prefills what the triage case knows', () => {
    const { values: prefilled, payerKind } = factsFromCase(t, {
      procedure: 'oral appliance for sleep apnea',
      notes: 'Home sleep test showed AHI of 22.5. Patient could not tolerate CPAP.',
      patientAge: 64,
      coverage: { medical: true, medicalPayer: 'medicare' },
    }, TODAY);
    expect(payerKind).toBe('medicare');
    expect(prefilled).toEqual({ patientAge: '64', sleepTestType: 'hst', ahi: '22.5', papStatus: 'failed' });
    expect(missingFacts(t, prefilled, payerKind).map((f) => f.id)).not.toContain('ahi');
  });

  it('prefills other templates from diagnoses, the cause and drug names', () => {
    expect(factsFromCase(templateById('trauma', templates)!, { procedure: 'closed reduction', diagnoses: ['S02.650A'], notes: 'car accident' }, TODAY).values)
      .toEqual({ injuryHow: 'car accident', injuryWhere: 'motor-vehicle', jawFracture: 'yes', treatment: 'closed reduction' });
    expect(factsFromCase(templateById('implant-reconstruction', templates)!, { procedure: 'implant', cause: 'trauma', patientAge: 95 }, TODAY).values)
      .toEqual({ patientAge: '95', lossCause: 'trauma' });
    expect(factsFromCase(templateById('jaw-osteonecrosis', templates)!, { procedure: 'sequestrectomy', notes: 'on Prolia for 4 years' }, TODAY).values)
      .toEqual({ drug: 'Prolia' });
    expect(factsFromCase(templateById('frenectomy', templates)!, { procedure: 'frenotomy', patientAge: 0 }, TODAY).values).toEqual({});
    expect(factsFromCase(templateById('frenectomy', templates)!, { procedure: 'frenectomy', patientAge: 7 }, TODAY).values).toEqual({ age: '7 years' });
  });

  it.each([
    ['pt fell off bicycle, luxated #8 and #9, splinting, Aetna medical, age 12', 'fell off bicycle', 'luxated #8 and #9'],
    ['#8 avulsed playing hockey, reimplanted and splinted, BCBS medical', 'playing hockey', '#8 avulsed'],
    ['jaw fracture from a car accident, closed reduction, UHC medical', 'a car accident', 'jaw fracture'],
    ['pt was hit by a baseball, #7, #8 fractured', 'hit by a baseball', '#7, #8 fractured'],
    ['Patient tripped on the stairs; #8 avulsed', 'tripped on the stairs', '#8 avulsed'],
    ['closed reduction, Medicare, age 70', undefined, undefined],
  ])('reads how an injury happened and the injuries from a trauma case\'s notes: %s', (notes, injuryHow, injuries) => {
    const values = factsFromCase(templateById('trauma', templates)!, { procedure: 'D7270', cause: 'trauma', notes }, TODAY).values;
    expect(values.injuryHow).toBe(injuryHow);
    expect(values.injuries).toBe(injuries);
    expect(values.treatment, 'a code alone is not the treatment in words').toBeUndefined();
  });

  it.each([
    ['biopsy of tongue lesion, Aetna medical, age 55', 'the tongue'],
    ['excisional biopsy left lateral border of tongue, 8mm white patch', 'the left lateral border of the tongue'],
    ['white lesion on the floor of the mouth', 'the floor of the mouth'],
    ['biopsy of a lesion, Aetna medical', undefined],
  ])('reads where a lesion is from a biopsy case: %s', (notes, site) => {
    expect(factsFromCase(templateById('biopsy', templates)!, { procedure: 'biopsy', notes }, TODAY).values.lesionSite).toBe(site);
  });

  it('writes an age over 89 as "90 or older"', () => {
    const draft = render(t, { ...values, patientAge: '95' }, 'commercial');
    expect(letterText(draft)).toContain('The patient is 90 years old or older.');
    expect(draft.facts.find((f) => f.id === 'patientAge')?.value).toBe('90 or older');
  });
});

describe('letter templates: facts written as sentences', () => {
  const narrativeOf = (id: string, values: Record<string, string>) => {
    const t = templateById(id, templates)!;
    return templateNarrative(t, { values: { ...requiredOnly(t, 'commercial'), ...values }, payerKind: 'commercial', today: TODAY }).join('\n');
  };

  it('writes the age, a list of symptoms and the reason PAP failed as a clinician would', () => {
    const text = narrativeOf('osa-appliance', { patientAge: '67', symptoms: 'Loud snoring, daytime sleepiness, witnessed apneas', papStatus: 'failed', papDetails: 'stopped for mask intolerance' });
    expect(text).toContain('The patient is 67 years old.');
    expect(text).toContain('The patient reports loud snoring, daytime sleepiness and witnessed apneas.');
    expect(text).toContain('The patient stopped for mask intolerance.');
    expect(narrativeOf('osa-appliance', { papStatus: 'failed', papDetails: 'Mask leaks and claustrophobia' })).toContain('This was because of mask leaks and claustrophobia.');
    expect(narrativeOf('osa-appliance', { symptoms: 'excessive daytime sleepiness (Epworth 14, documented); hypertension' }))
      .toContain('The patient reports excessive daytime sleepiness (Epworth 14, documented) and hypertension.');
  });

  it.each([
    ['fell off bicycle', 'The patient fell off bicycle.'],
    ['pt tripped on the stairs', 'The patient tripped on the stairs.'],
    ['struck by a ball', 'The patient was struck by a ball.'],
    ['a car accident', 'The injury was caused by a car accident.'],
  ])('writes how an injury happened (%s) as a sentence', (injuryHow, sentence) => {
    const text = narrativeOf('trauma', { injuryHow, injuryMonth: 'March 2026', injuryWhere: 'sports', injuries: 'luxated #8 and #9' });
    expect(text).toContain(`The patient was injured in March 2026 during sports or recreation. ${sentence}`);
    expect(text).toContain('The examination found luxated #8 and #9.');
  });

  it('leaves no "Label: value" fragment in any template\'s narrative, necessity or without-treatment section', () => {
    for (const t of templates) {
      const draft = render(t, complete(t), 'commercial');
      const kept = t.sections.filter((s) => s.narrative || s.role === 'necessity' || s.role === 'without-treatment').map((s) => s.heading);
      for (const p of draft.sections.filter((s) => kept.includes(s.heading)).flatMap((s) => s.paragraphs)) {
        expect(p, t.id).not.toMatch(/^(?:[A-Z][a-z]+)(?: [a-z]+){0,3}: /);
        expect(p, t.id).not.toMatch(/\baged \d/);
      }
    }
  });
});

describe('letter templates: checking a value', () => {
  const osa = templateById('osa-appliance', templates)!;
  const fact = (t: LetterTemplate, id: string) => t.facts.find((f) => f.id === id)!;
  const ok = (f: FactDef, raw: string) => {
    const r = validateFactValue(f, raw, TODAY);
    return r.ok ? r.value : `problem: ${r.problem}`;
  };

  it('numbers: in bounds, whole where asked, units allowed', () => {
    const ahi = fact(osa, 'ahi');
    expect(ok(ahi, '24')).toBe('24');
    expect(ok(ahi, '24.50')).toBe('24.5');
    expect(ok(ahi, '24 events/hr')).toBe('24');
    expect(ok(ahi, 'about 31 per hour')).toBe('31');
    expect(ok(ahi, '250')).toMatch(/problem: 250 is out of range: please give a number between 0 and 200 \(events per hour\)/);
    expect(ok(ahi, '-1')).toMatch(/^problem/);
    expect(ok(ahi, 'moderate')).toMatch(/^problem/);
    expect(ok(ahi, '24 or 25')).toMatch(/^problem/);
    expect(ok(fact(osa, 'eventCount'), '30.5')).toMatch(/whole number/);
  });

  it('choices: by value, label, alias or number; anything else lists the options', () => {
    const pap = fact(osa, 'papStatus');
    expect(ok(pap, 'failed')).toBe('failed');
    expect(ok(pap, 'Tried and not tolerated')).toBe('failed');
    expect(ok(pap, 'refused')).toBe('declined');
    expect(ok(pap, '2')).toBe('contraindicated');
    expect(ok(pap, 'maybe')).toBe('problem: Please choose one of: 1. Tried and not tolerated; 2. Contraindicated; 3. Declined by the patient; 4. Not tried.');
    expect(ok(pap, '9')).toMatch(/^problem/);
  });

  it('yes/no, with the answer a criterion needs', () => {
    const order = fact(osa, 'orderAfterTest');
    expect(ok(order, 'Yes')).toBe('yes');
    expect(ok(order, 'y')).toBe('yes');
    expect(ok(order, 'no')).toMatch(/problem: .*written order/);
    expect(ok(order, 'perhaps')).toBe('problem: Please answer yes or no.');
    expect(ok(fact(templateById('trauma', templates)!, 'jawFracture'), 'no')).toBe('no');
  });

  it('month and year only: a full date is refused as an identifier', () => {
    const month = fact(osa, 'sleepTestMonth');
    expect(ok(month, 'March 2025')).toBe('March 2025');
    expect(ok(month, 'mar 2025')).toBe('March 2025');
    expect(ok(month, 'Sept. 2025')).toBe('September 2025');
    expect(ok(month, '03/2025')).toBe('March 2025');
    expect(ok(month, '2025-11')).toBe('November 2025');
    for (const full of ['03/14/2025', 'March 14, 2025', '14 March 2025', '2025-03-14', '3-14-25']) expect(ok(month, full), full).toMatch(/problem: Only the month and year/);
    expect(ok(month, 'December 2026')).toMatch(/has not come yet/);
    expect(ok(month, 'last spring')).toMatch(/^problem/);
    expect(ok(month, '13/2025')).toMatch(/^problem/);
  });

  it('durations', () => {
    const d = fact(osa, 'papTrialLength');
    expect(ok(d, '6 weeks')).toBe('6 weeks');
    expect(ok(d, 'six wks')).toBe('6 weeks');
    expect(ok(d, 'about 3 months')).toBe('about 3 months');
    expect(ok(d, '1 year and 6 months')).toBe('1 year and 6 months');
    expect(ok(d, 'a month')).toBe('1 month');
    expect(ok(d, 'more than 2 years')).toBe('more than 2 years');
    expect(ok(d, 'forever')).toMatch(/^problem/);
    expect(ok(d, '0 days')).toMatch(/^problem/);
    expect(ok(d, '500 years')).toMatch(/^problem/);
  });

  it('text: trimmed, and refused when it carries an identifier or a gap', () => {
    const s = fact(osa, 'symptoms');
    expect(ok(s, '  daytime sleepiness,\n snoring. ')).toBe('daytime sleepiness, snoring');
    expect(ok(s, 'seen by [name removed] for snoring')).toMatch(/removed as an identifier/);
    expect(ok(s, 'snoring since 03/14/2019')).toMatch(/full date/);
    expect(ok(s, 'call 555-123-4567')).toMatch(/phone/);
    expect(ok(s, 'see {notes}')).toMatch(/brackets and braces/);
    expect(ok(s, 'x'.repeat(600))).toMatch(/under 500 characters/);
    expect(ok(fact(templateById('trauma', templates)!, 'injuries'), 'fractured #8 and #9, teeth 7 8 9 10 mobile')).toBe('fractured #8 and #9, teeth 7 8 9 10 mobile');
  });
});

describe('letter templates: a broken template is refused, naming the file', () => {
  function brokenCopy(file: string, edit: (j: Record<string, any>) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'medbill-letters-'));
    cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.txt') });
    const path = join(dir, 'letters', file);
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
    edit(json);
    writeFileSync(path, JSON.stringify(json));
    return join(dir, 'letters');
  }
  const OSA = 'osa-appliance.json';
  const NAME = 'knowledge/letters/osa-appliance.json';

  it('a copy of the shipped templates loads', () => {
    expect(loadLetterTemplates(brokenCopy(OSA, () => {})).length).toBe(templates.length);
  });
  it('an unknown fact reference', () => {
    const dir = brokenCopy(OSA, (j) => j.sections[1].paragraphs.push('See {nope}.'));
    expect(() => loadLetterTemplates(dir)).toThrow(NAME);
    expect(() => loadLetterTemplates(dir)).toThrow('{nope} is not a declared fact');
  });
  it('an unknown source', () => {
    const dir = brokenCopy(OSA, (j) => { j.policyPoints[0].source = ['NOPE-123']; });
    expect(() => loadLetterTemplates(dir)).toThrow(/osa-appliance\.json policyPoints\[0\]: source "NOPE-123" is not defined in knowledge\/sources\.json/);
  });
  it('an optional fact written without a when', () => {
    const dir = brokenCopy(OSA, (j) => j.sections[1].paragraphs.push('The trial lasted {papTrialLength}.'));
    expect(() => loadLetterTemplates(dir)).toThrow(/osa-appliance\.json .*\{papTrialLength\} is optional/);
  });
  it('a payer-limited fact written for every payer', () => {
    const dir = brokenCopy(OSA, (j) => j.sections[0].paragraphs.push('Events: {eventCount}.'));
    expect(() => loadLetterTemplates(dir)).toThrow(/\{eventCount\} is required only for medicare, medicare-advantage/);
  });
  it('a required fact never written', () => {
    const dir = brokenCopy(OSA, (j) => j.facts.push({ id: 'unused', label: 'Unused', type: 'text', required: true, ask: 'Unused?', phrase: '{value}' }));
    expect(() => loadLetterTemplates(dir)).toThrow(/osa-appliance\.json facts unused: a required fact must be written/);
  });
  it('an unknown category, document kind, or condition value', () => {
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => j.categories.push('teeth-whitening')))).toThrow(/osa-appliance\.json categories: category "teeth-whitening"/);
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => j.attachments.push('x-ray')))).toThrow(/osa-appliance\.json attachments\[\d+\]/);
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => { j.attachments[4].when.is = ['maybe']; }))).toThrow(/when papStatus names "maybe"/);
  });
  it('a square bracket in the text, no narrative section, a wrong file name, bad JSON', () => {
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => j.sections[1].paragraphs.push('Signed [DOCTOR]')))).toThrow(/square brackets are reserved/);
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => { delete j.sections[0].narrative; }))).toThrow(/exactly one section with "narrative": true/);
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => { j.id = 'osa'; }))).toThrow(/must be named after the template id/);
    const dir = brokenCopy(OSA, () => {});
    writeFileSync(join(dir, 'tmj.json'), '{ "id": "tmj", ');
    expect(() => loadLetterTemplates(dir)).toThrow('knowledge/letters/tmj.json: is not valid JSON');
  });
  it('a fact condition on a later fact, or a conditional fact written without a when', () => {
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => { j.facts[1].when = 'ahi'; }))).toThrow(/facts sleepTestType: when names "ahi", which must be a fact declared before it/);
    expect(() => loadLetterTemplates(brokenCopy(OSA, (j) => { j.facts.find((f: any) => f.id === 'symptoms').when = { fact: 'sleepTestType', is: ['psg'] }; })))
      .toThrow(/\{symptoms\} is asked only under its own when/);
  });
  it('two templates for one category', () => {
    const dir = brokenCopy('tmj.json', (j) => j.categories.push('osa-appliance'));
    expect(() => loadLetterTemplates(dir)).toThrow(/tmj\.json: category "osa-appliance" is already served by knowledge\/letters\/osa-appliance\.json/);
  });
});

describe('letter templates: rendering again', () => {
  // The time is the bench's figure (npm run bench: p99 under 50 ms); here, that a render depends only on its input.
  it('renders every template for every payer kind the same way each time', () => {
    for (const t of templates) {
      const values = complete(t);
      for (const payer of MEDICAL_PAYERS) {
        const first = letterText(render(t, values, payer));
        for (let i = 0; i < 20; i++) expect(letterText(render(t, values, payer))).toBe(first);
      }
    }
  });
});
