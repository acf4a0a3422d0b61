/**
 * The claim form in chat, through the engine: "Claim form" under a medical answer (a case with no claim yet)
 * and under a tracked claim hands over the CMS-1500 as a PDF, to the person alone; typed "claim form" does
 * what the button does where it is shown; "C-XXXXX claim form E0486-KX" adds a modifier; a diagnosis not
 * billable on the date of service is refused with the reason, and no file.
 */
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../support/house.js';
import type { Input, Reply } from '../../../src/engine/model.js';
import { tempDbPath } from '../../helpers.js';
import { claimService, sqliteClosedAfterEach } from '../../support/storage.js';
import { choices, press } from '../../support/replies.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import { pdfText } from '../../support/pdf-text.js';
import { CMS1500_BOXES, VALUE_SIZE } from '../../../src/claims/cms1500.js';

const opened = sqliteClosedAfterEach();

function chat(db: SqliteStorage, user = 'u1') {
  const engine = openEngine(db, { zone: 'America/Chicago' });
  return (input: Input) => engine.handle({ platform: 'test', user, conversation: 'dm', direct: true, input });
}
const fileOf = (rs: Reply[]) => {
  const f = rs.flatMap((r) => r.parts).find((p) => p.kind === 'file');
  return f?.kind === 'file' ? f : undefined;
};

/** The text printed in one box of the form. */
async function box(base64: string, id: string): Promise<string> {
  const b = CMS1500_BOXES.find((x) => x.id === id);
  if (!b) throw new Error(`no box ${id}`);
  const { pieces } = await pdfText(Buffer.from(base64, 'base64'));
  return pieces.filter((p) => Math.abs(p.size - VALUE_SIZE) < 0.01 && p.x >= b.x && p.x < b.x + b.w && p.y >= b.y && p.y < b.y + b.h)
    .sort((a, c) => a.x - c.x).map((p) => p.text).join(' ').replace(/\s+/g, ' ').trim();
}

async function withClaim(db: SqliteStorage, over: Record<string, unknown> = {}) {
  const claims = claimService(db);
  const plan = await claims.draft({ caseId: 'C-7K3Q9', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['E0486'], diagnoses: ['G47.33'], billedCents: 185_000, serviceDate: '2026-11-03', submittedDate: '2026-11-04', reference: 'CLM-1001', ...over }, { who: 'test', surface: 'test' });
  if (!plan.ok || !(await claims.commit(plan))) throw new Error(`seeding failed: ${plan.ok ? 'commit' : plan.problem}`);
}

describe('the claim form in chat', () => {
  it('"Claim form" under a medical answer hands over the CMS-1500 from the answer, to the person alone', async () => {
    const db = opened(tempDbPath('medbill-form-'));
    const send = chat(db);
    const answer = await send({ kind: 'text', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
    expect(answer.at(-1)?.text).toMatch(/^Case C-[A-Z0-9]{5}[^]*MEDICAL/);
    const got = await send(press(answer, 'Claim form'));
    const file = fileOf(got);
    if (!file) throw new Error(`no file in: ${got.map((r) => r.text).join(' | ')}`);
    expect(file).toMatchObject({ mediaType: 'application/pdf', name: expect.stringMatching(/^CMS1500-C-[A-Z0-9]{5}\.pdf$/) });
    expect(got.every((r) => r.privacy === 'direct-only')).toBe(true);
    expect(got[0]?.text).toMatch(/from its answer \(no claim is tracked yet/);
    expect(await box(file.base64, '24D.1')).toBe('E0486');
    expect(await box(file.base64, '21A')).toBe('G47.33');
    expect(await box(file.base64, '1.medicare')).toBe('X');
    expect(await box(file.base64, '17')).toBe('DK [ORDERING PHYSICIAN]');
    // Typed, where the button is shown: the same form.
    const again = await send({ kind: 'text', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
    expect(fileOf(await send({ kind: 'text', text: 'claim form' }))?.mediaType).toBe('application/pdf');
    expect(choices(again).some((c) => c.label === 'Claim form')).toBe(true);
  }, 30_000);

  it('"Claim form" under a tracked claim, typed or pressed, and with a modifier given in words', async () => {
    const db = opened(tempDbPath('medbill-form-'));
    await withClaim(db);
    const send = chat(db);
    const shown = await send({ kind: 'text', text: 'claim C-7K3Q9' });
    const pressed = fileOf(await send(press(shown, 'Claim form')));
    if (!pressed) throw new Error('no file');
    expect(await box(pressed.base64, '28')).toBe('1850 00');
    expect(await box(pressed.base64, '24A.1')).toBe('11 03 26 11 03 26');
    // Still on the claim: "claim form" typed presses its button.
    const typed = await send({ kind: 'text', text: 'claim form' });
    expect(fileOf(typed)?.name).toBe('CMS1500-C-7K3Q9.pdf');
    const modified = fileOf(await send({ kind: 'text', text: 'C-7K3Q9 claim form E0486-KX' }));
    if (!modified) throw new Error('no file');
    expect(await box(modified.base64, '24D.1')).toBe('E0486 KX');
    const cms = await send({ kind: 'text', text: 'CMS-1500 for C-7K3Q9' });
    expect(fileOf(cms)?.name).toBe('CMS1500-C-7K3Q9.pdf');
  }, 30_000);

  it('refuses a diagnosis not billable on the date of service, an unknown case, and asks which case when none is named', async () => {
    const db = opened(tempDbPath('medbill-form-'));
    await withClaim(db, { procedures: ['41899'], diagnoses: ['J34.830'], serviceDate: '2026-09-30' });
    const send = chat(db);
    const refused = await send({ kind: 'text', text: 'claim form C-7K3Q9' });
    expect(fileOf(refused)).toBeUndefined();
    expect(refused[0]?.text).toMatch(/^No claim form for C-7K3Q9: Not printed: J34\.830 .*new in FY2027/);
    expect((await send({ kind: 'text', text: 'claim form C-ZZZZ9' }))[0]?.text).toMatch(/I have no claim or case C-ZZZZ9/);
    expect((await send({ kind: 'text', text: 'claim form' }))[0]?.text).toMatch(/Which case is the claim form for/);
    // Its answer is the case: the form (here refused, as above), not the claim's status.
    expect((await send({ kind: 'text', text: 'C-7K3Q9' }))[0]?.text).toMatch(/^No claim form for C-7K3Q9: Not printed: J34\.830/);
  }, 30_000);
});
