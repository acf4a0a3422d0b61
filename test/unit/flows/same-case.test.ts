/**
 * One patient, one case (issue 21): sameCase() decides whether a message typed into a case is about it, about
 * another patient, or unclear; the triage flow uses it after an answer and while a question is pending, and
 * the case it sets aside stays in the store exactly as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { caseReading, messageReading, removalProcedure, sameCase, type CaseReading, type Verdict } from '../../../flows/same-case.js';
import { extractFacts } from '../../../src/knowledge/extract.js';
import type { CaseFacts } from '../../../src/knowledge/facts.js';
import { openEngine } from '../../support/house.js';
import type { Input, Reply } from '../../../src/engine/model.js';
import { flowContext } from '../../support/flow-context.js';
import { kn, tempDbPath } from '../../helpers.js';
import { sqliteStorage } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';

const ctx = flowContext();

/** A case as the flow holds it after this message: the facts it states, the message in the notes. */
function caseFrom(text: string, more: Partial<CaseFacts> = {}): Partial<CaseFacts> {
  const known = extractFacts(text, kn).known;
  return { procedure: known.procedure ?? text, ...known, ...more, notes: text };
}
const decide = (current: Partial<CaseFacts>, text: string) => sameCase(caseReading(ctx, current), messageReading(ctx, text, extractFacts(text, kn).known));

const wisdom = caseFrom('should I bill medical for the wisdom teeth?', { coverage: { medical: true, dental: true, combinedPlan: true } });
const biopsy = caseFrom('biopsy of a tongue lesion');
const biopsyAnswered = caseFrom('biopsy of a tongue lesion, Aetna medical and Delta dental');
const ext30 = caseFrom('ext #30, abscess with facial swelling, Aetna medical and Delta dental');
const broke8 = caseFrom('pt broke #8 in a fall at the park, BCBS medical + Delta dental separate plans');
const teen = caseFrom('19 yo needs wisdom teeth out, impacted, Aetna medical and Delta dental, separate plans');
const implantCase = caseFrom('D7240 for an impacted wisdom tooth with a cyst, Aetna medical and Delta dental, separate plans');

const TABLE: [string, Partial<CaseFacts>, string, Verdict][] = [
  // The cases.
  ['a trauma case after a wisdom-teeth answer', wisdom, 'pt fractured #8 and #9 in a bike accident, has BCBS medical and Delta dental', 'new'],
  ['a whole extraction case while a biopsy waits', biopsy, 'pt needs tooth #30 pulled, abscess with swelling, Cigna medical and MetLife dental', 'new'],
  ['an extraction typed as the answer to a biopsy', biopsy, 'pt needs #32 ext, impacted, Aetna medical + Delta dental', 'new'],
  // Words that say another patient.
  ['"new pt"', ext30, 'new pt, ext with an abscess', 'new'],
  ['"another patient"', ext30, 'another patient, same thing', 'new'],
  ['"next one"', ext30, 'next one: abscess with facial swelling, needs ext', 'new'],
  ['"new patient exam" is a procedure, not another patient', caseFrom('new patient exam and cleaning, Delta dental'), 'new patient exam, Delta dental and BCBS medical', 'same'],
  // A different age.
  ['another age', teen, '45 yo, wisdom teeth, impacted', 'new'],
  ['the same age', teen, '19 yo, impacted', 'same'],
  // Other teeth, other kinds of procedure (verbs too).
  ['only other teeth', broke8, '#3, decay', 'new'],
  ['a tooth the case has', ext30, '#30 is abscessed', 'same'],
  ['"removed" after a biopsy', biopsyAnswered, '#14 removed, decay, Delta dental only', 'new'],
  ['"out" after a biopsy', biopsy, 'wants #3 out, infection with swelling', 'new'],
  ['"extract" after a biopsy', biopsy, 'extract #3', 'new'],
  ['a biopsy after an extraction', ext30, 'biopsy of a lip lesion', 'new'],
  // A whole case description.
  ['the same procedure with other insurance', biopsyAnswered, 'biopsy of a tongue lesion, Medicare, no dental', 'new'],
  ['the whole case again', biopsyAnswered, 'biopsy of a tongue lesion, Aetna medical and Delta dental', 'new'],
  ['the same procedure with the insurance the case lacks', caseFrom('should I bill medical for the wisdom teeth?'), 'wisdom teeth, BCBS medical and Delta dental', 'same'],
  // Refinements and corrections.
  ['"actually it\'s a combined plan"', implantCase, "actually it's a combined plan", 'same'],
  ['"it was actually a car accident, he has geico"', broke8, 'it was actually a car accident, he has geico', 'same'],
  ['"sorry, I meant #9"', broke8, 'sorry, I meant #9', 'same'],
  ['"actually she is 46 yo"', teen, 'actually she is 46 yo', 'same'],
  ['a cause after the answer', caseFrom('extraction #30, Aetna medical and Delta dental, separate plans'), 'suspicious lesion, pathology', 'same'],
  ['a coverage answer', biopsy, 'Aetna medical and Delta dental', 'same'],
  ['a plan kind answer', ext30, 'Medicare', 'same'],
  ['"same patient" with another procedure', ext30, 'same pt also needs a biopsy of a lip lesion', 'same'],
  // Truly unclear: asked.
  ['other teeth "too"', ext30, '#31 too', 'ask'],
  ['a correction that is also a whole other case', biopsyAnswered, 'sorry, pt needs #30 pulled, abscess, Cigna medical and MetLife dental', 'ask'],
  // Nothing to compare with yet.
  ['a case with no facts yet', {}, 'pt needs #30 pulled, Cigna medical', 'same'],
];

describe('sameCase: same patient, new patient, or ask', () => {
  it.each(TABLE)('%s', (_name, current, text, verdict) => {
    const decision = decide(current, text);
    expect(decision.verdict, decision.reasons.join('; ')).toBe(verdict);
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  it('is a function of its readings alone: the same readings, the same decision with the same reasons', async () => {
    const current: CaseReading = { facts: { procedure: 'biopsy', cause: 'pathology' }, kind: 'biopsy', teeth: [] };
    const message = { text: 'pt needs #30 pulled', facts: {}, namedKind: 'extraction', teeth: ['30'] };
    const first = sameCase(current, message);
    expect(first).toEqual({ verdict: 'new', reasons: ['another kind of procedure (extraction, the case is biopsy)'] });
    expect(sameCase(current, message)).toEqual(first);
    expect(current).toEqual({ facts: { procedure: 'biopsy', cause: 'pathology' }, kind: 'biopsy', teeth: [] });
  });

  it('reads wisdom teeth as the third molars', async () => {
    expect(caseReading(ctx, { procedure: 'wisdom teeth' }).teeth).toEqual(['1', '16', '17', '32']);
    expect(decide({ procedure: 'wisdom teeth', coverage: { medical: true } }, '#17 is the worst one').verdict).toBe('same');
  });

  it('reads removal verbs as an extraction, not a knocked-out tooth or a removed cyst', async () => {
    expect(removalProcedure('#14 removed')).toBe('extraction #14');
    expect(removalProcedure('wants #3 out')).toBe('extraction #3');
    expect(removalProcedure('tooth pulled')).toBe('extraction');
    expect(removalProcedure('#8 knocked out')).toBeUndefined();
    expect(removalProcedure('remove the cyst')).toBeUndefined();
    expect(removalProcedure('out of network')).toBeUndefined();
  });
});

// ------------------------------------------------------------------ through the engine, with the case store

const opened: SqliteStorage[] = [];
afterEach(async () => {
  while (opened.length) opened.pop()?.close();
});

function setup() {
  const db = sqliteStorage(tempDbPath());
  opened.push(db);
  const engine = openEngine(db);
  let latest: Reply[] = [];
  const say = async (input: Input | string) => {
    latest = await engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: typeof input === 'string' ? { kind: 'text', text: input } : input });
    return latest.map((r) => r.text).join('\n');
  };
  const press = (label: string) => {
    for (const r of latest) for (const p of r.parts) if (p.kind === 'choices') for (const c of p.choices) if (c.label.startsWith(label)) return say({ kind: 'button', value: c.value });
    throw new Error(`no button ${label}`);
  };
  const caseIds = (text: string) => [...text.matchAll(/\bC-[A-Z0-9]{5}\b/g)].map((m) => m[0]);
  /** A stored case as its letter or claim reads it: everything but when it was last recorded. */
  const stored = async (caseId: string | undefined) => {
    const file = (await engine.caseFile(caseId ?? ''));
    return file && { caseId: file.caseId, owner: file.owner, procedure: file.procedure, lane: file.lane, facts: file.facts };
  };
  return { engine, say, press, caseIds, stored };
}

describe('the case set aside stays as it was', () => {
  it('after an answer: the new patient\'s message does not touch the answered case, and fills the new one at once', async () => {
    const { engine, say, press, caseIds, stored } = setup();
    const [first] = caseIds(await say('should I bill medical for the wisdom teeth?'));
    await press('One combined plan');
    const kept = await stored(first);
    expect(kept?.lane).toBe('medical-first');
    const text = await say('pt fractured #8 and #9 in a bike accident, has BCBS medical and Delta dental');
    expect(text).toContain(`Starting a new case; case ${first} is kept`);
    const second = caseIds(text).find((id) => id !== first);
    expect(await stored(first)).toEqual(kept);
    expect((await engine.caseFile(second ?? ''))).toMatchObject({ lane: 'medical', facts: { cause: 'trauma', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } } });
  });

  it('while a question is pending: the waiting case is kept with its own facts only', async () => {
    const { engine, say, caseIds } = setup();
    const [first] = caseIds(await say('biopsy of a tongue lesion'));
    const text = await say('pt needs tooth #30 pulled, abscess with swelling, Cigna medical and MetLife dental');
    expect(text).toContain(`case ${first} is kept`);
    const kept = (await engine.caseFile(first ?? ''));
    expect(kept?.facts).toEqual({ procedure: 'biopsy of a tongue lesion', cause: 'pathology', notes: 'biopsy of a tongue lesion' });
    expect(kept?.lane).toBe('needs-info');
    const second = caseIds(text).find((id) => id !== first);
    expect((await engine.caseFile(second ?? ''))?.facts).toMatchObject({ cause: 'infection', coverage: { medical: true, dental: true } });
  });

  it('asked, "New patient" keeps the case as it was; "Same patient" refines it', async () => {
    const { engine, say, press, caseIds, stored } = setup();
    const [first] = caseIds(await say('ext #30, abscess with facial swelling, Aetna medical and Delta dental'));
    const kept = await stored(first);
    expect(await say('#31 too')).toMatch(/same patient as case C-/);
    expect(await stored(first)).toEqual(kept); // nothing is applied while it is asked
    expect(await press('New patient')).toContain(`case ${first} is kept`);
    expect(await stored(first)).toEqual(kept);

    await say('new case');
    const [other] = caseIds(await say('ext #19, abscess with facial swelling, Aetna medical and Delta dental'));
    expect(await say('#20 too')).toMatch(/same patient/);
    expect(await say('same')).toMatch(/Updated case/);
    expect(String((await engine.caseFile(other ?? ''))?.facts.notes)).toContain('#20 too');
  });
});

describe('undo: the person\'s last change to a case', () => {
  it('takes back a change of facts, in the stored case too', async () => {
    const { engine, say, caseIds, stored } = setup();
    const [id] = caseIds(await say('pt broke #8 in a fall at the park, BCBS medical + Delta dental separate plans'));
    const before = await stored(id);
    await say("actually it's a combined plan");
    expect((await stored(id))?.lane).toBe('medical-first');
    expect(await say('undo')).toMatch(/Undone: insurance: one combined medical and dental plan/);
    expect(await stored(id)).toEqual(before);
    expect((await engine.recentCases({ platform: 'test', user: 'u1', conversation: 'dm' })).map((c) => c.caseId)).toEqual([id]);
  });

  it('drops a case started by mistake, and the case it set aside is back as it was', async () => {
    const { engine, say, caseIds, stored } = setup();
    const [first] = caseIds(await say('biopsy of a tongue lesion, Aetna medical and Delta dental'));
    const kept = await stored(first);
    const second = caseIds(await say('biopsy of a tongue lesion, Medicare, no dental')).find((id) => id !== first);
    expect((await stored(second))?.lane).toBe('medical');
    const text = await say('undo');
    expect(text).toContain(`Undone: case ${second} is dropped. Back to case ${first}, as it was.`);
    expect((await engine.caseFile(second ?? ''))).toBeUndefined();
    expect(await stored(first)).toEqual(kept);
    expect((await engine.recentCases({ platform: 'test', user: 'u1', conversation: 'dm' })).map((c) => c.caseId)).toEqual([first]);
    // The case is the current one again: a change refines it.
    expect(await say("actually it's a combined plan")).toMatch(new RegExp(`Updated insurance: one combined[^]*Case ${first}: `));
  });

  it('never drops another person\'s case', async () => {
    const db = sqliteStorage(':memory:');
    opened.push(db);
    const cases = db.cases;
    await db.unitOfWork.commit([{ kind: 'case.record', owner: 'test::dm:ann', record: { caseId: 'C-ANN01', procedure: 'biopsy', lane: 'medical', updatedAt: 1 } }]);
    await db.unitOfWork.commit([{ kind: 'case.forget', owner: 'test::dm:bob', caseId: 'C-ANN01' }]);
    expect((await cases.get('C-ANN01'))?.owner).toBe('test::dm:ann');
    await db.unitOfWork.commit([{ kind: 'case.forget', owner: 'test::dm:ann', caseId: 'C-ANN01' }]);
    expect(await cases.get('C-ANN01')).toBeUndefined();
  });
});
