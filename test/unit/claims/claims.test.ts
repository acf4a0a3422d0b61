/**
 * Claims: the status machine (every move allowed and refused), the dates the follow-up policy sets, updates
 * typed as staff type them, the claim flow through the engine (from a triage answer to paid), the daily
 * digest's sections, and what stays out of the database.
 */
import { describe, expect, it } from 'vitest';
import { claimService, sqliteClosedAfterEach } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import { openEngine } from '../../support/house.js';
import { ClaimService, screened, type ClaimChange, type NewClaim } from '../../../src/claims/service.js';
import { CLAIM_STATUSES, type ClaimStatus } from '../../../src/store/claim.js';
import { readClaimWords } from '../../../src/claims/parse.js';
import { findDate } from '../../../src/claims/dates.js';
import { parseAmount } from '../../../src/money.js';
import { buildDigest, digestReplies } from '../../../src/claims/digest.js';
import type { Input, Reply } from '../../../src/engine/model.js';

const db = sqliteClosedAfterEach();

const ACTOR = { who: 'test:u1', surface: 'test' };
const base = (caseId: string, extra: Partial<NewClaim> = {}): NewClaim => ({
  caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, ...extra,
});

async function open(service: ClaimService, claim: NewClaim) {
  const plan = (await service.draft(claim, ACTOR));
  if (!plan.ok) throw new Error(plan.problem);
  expect((await service.commit(plan))).toBe(true);
  return plan.after;
}

/** A change that moves a claim to `to` (a follow-up or a snooze keeps the status). */
function changeTo(to: ClaimStatus, date = '2026-12-02'): ClaimChange {
  switch (to) {
    case 'paid': return { kind: 'paid', date, amountCents: 100 };
    case 'partially-paid': return { kind: 'paid', date, amountCents: 100, partial: true };
    case 'denied': return { kind: 'denied', date, denial: { group: 'CO', carc: '50' } };
    case 'draft': throw new Error('nothing moves back to draft');
    default: return { kind: to, date } as ClaimChange;
  }
}

/** A claim brought to `status` along allowed moves. */
async function claimIn(service: ClaimService, caseId: string, status: ClaimStatus) {
  await open(service, base(caseId));
  const path: Record<ClaimStatus, ClaimStatus[]> = {
    draft: [], submitted: ['submitted'], pended: ['submitted', 'pended'], 'records-requested': ['submitted', 'records-requested'],
    paid: ['submitted', 'paid'], 'partially-paid': ['submitted', 'partially-paid'], denied: ['submitted', 'denied'],
    appealed: ['submitted', 'denied', 'appealed'], 'written-off': ['submitted', 'denied', 'written-off'], closed: ['submitted', 'paid', 'closed'],
  };
  for (const step of path[status]) {
    const p = (await service.apply(caseId, changeTo(step), ACTOR));
    if (!p.ok) throw new Error(p.problem);
  }
  expect((await service.get(caseId))?.status).toBe(status);
}

/**
 * Every status move a claim may make, written out by hand from the rules (src/store/claim.ts, README
 * "Claims"): a payer can pend, ask for records, pay or deny a submitted claim (or one it pended or asked
 * records for, which is still before the payer); a denial is appealed, resubmitted, written off, or paid
 * after all; an appeal is won (paid), lost (denied again), pended or answered with a records request; a
 * partial payment is paid in full, appealed or written off for the rest. Paid, written off and closed are
 * final except for closing (a paid claim is not paid again); anything not yet final can be closed. The same
 * status again is the same event once more (pended again, another partial payment, a second-level appeal);
 * a resubmission is submitted → submitted. Nothing moves back to draft.
 *
 * Deliberately not derived from TRANSITIONS: a wrong entry there must fail here.
 */
const ALLOWED: Record<ClaimStatus, readonly ClaimStatus[]> = {
  draft: ['submitted', 'closed'],
  submitted: ['submitted', 'pended', 'records-requested', 'paid', 'partially-paid', 'denied', 'closed'],
  pended: ['pended', 'submitted', 'records-requested', 'paid', 'partially-paid', 'denied', 'closed'],
  'records-requested': ['records-requested', 'submitted', 'pended', 'paid', 'partially-paid', 'denied', 'closed'],
  denied: ['denied', 'submitted', 'appealed', 'paid', 'partially-paid', 'written-off', 'closed'],
  appealed: ['appealed', 'pended', 'records-requested', 'paid', 'partially-paid', 'denied', 'closed'],
  'partially-paid': ['partially-paid', 'paid', 'appealed', 'written-off', 'closed'],
  paid: ['closed'],
  'written-off': ['closed'],
  closed: [],
};

describe('the claim status machine', () => {
  const service = () => claimService(db());
  let n = 0;
  const id = () => `C-${'ABCDEFGHJK'[Math.floor(n / 10) % 10]}${'ABCDEFGHJK'[n++ % 10]}234`;

  it('has a row for every status and names only statuses', async () => {
    expect(Object.keys(ALLOWED).sort()).toEqual([...CLAIM_STATUSES].sort());
    for (const to of Object.values(ALLOWED).flat()) expect(CLAIM_STATUSES).toContain(to);
  });

  for (const from of CLAIM_STATUSES) {
    for (const to of CLAIM_STATUSES.filter((s) => s !== 'draft')) {
      const allowed = ALLOWED[from].includes(to);
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, async () => {
        const s = service();
        const caseId = id();
        await claimIn(s, caseId, from);
        const before = (await s.get(caseId));
        const history = (await s.store.history(caseId)).length;
        const plan = (await s.apply(caseId, changeTo(to), ACTOR));
        if (allowed) {
          expect(plan.ok, plan.ok ? '' : plan.problem).toBe(true);
          expect((await s.get(caseId))?.status).toBe(to);
          expect((await s.store.history(caseId))).toHaveLength(history + 1);
          expect((await s.store.history(caseId)).at(-1)).toMatchObject({ fromStatus: from, toStatus: to });
        } else {
          expect(plan.ok).toBe(false);
          if (!plan.ok) expect(plan.problem).toMatch(new RegExp(`^Case ${caseId} is .*, so it cannot be marked `));
          expect((await s.get(caseId))).toEqual(before); // nothing written
          expect((await s.store.history(caseId))).toHaveLength(history);
        }
      });
    }
  }

  it('does not pay a paid claim again, nor write off or close a claim twice: they are final but for closing', async () => {
    const s = claimService(db());
    await open(s, base('C-FNAL2', { submittedDate: '2026-11-12' }));
    await s.apply('C-FNAL2', { kind: 'paid', date: '2026-12-01', amountCents: 65000 }, ACTOR);
    const again = (await s.apply('C-FNAL2', { kind: 'paid', date: '2026-12-02', amountCents: 65000 }, ACTOR));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.problem).toBe('Case C-FNAL2 is paid, so it cannot be marked paid. From here it can be: closed.');
    expect((await s.get('C-FNAL2'))?.paidCents).toBe(65000);
    expect((await s.apply('C-FNAL2', { kind: 'closed', date: '2026-12-03' }, ACTOR)).ok).toBe(true);
    expect((await s.apply('C-FNAL2', { kind: 'closed', date: '2026-12-04' }, ACTOR)).ok).toBe(false);
    expect((await s.store.history('C-FNAL2')).map((e) => e.action)).toEqual(['created', 'paid', 'closed']);
  });

  it('keeps every change in the history: who, when, what, from which surface', async () => {
    const s = service();
    await open(s, base('C-HSTRY', { submittedDate: '2026-11-12' }));
    await s.apply('C-HSTRY', { kind: 'denied', date: '2026-11-30', denial: { group: 'CO', carc: '16', rarc: 'N290' } }, { who: 'slack:U1', surface: 'slack' });
    const h = (await s.store.history('C-HSTRY'));
    expect(h.map((e) => [e.action, e.fromStatus, e.toStatus, e.actor, e.surface])).toEqual([
      ['created', undefined, 'submitted', 'test:u1', 'test'],
      ['denied', 'submitted', 'denied', 'slack:U1', 'slack'],
    ]);
    expect(h[1]?.change).toMatchObject({ status: 'denied', deniedDate: '2026-11-30', denial: { group: 'CO', carc: '16', rarc: 'N290' } });
  });

  it('writes a planned change only if the claim is still as it was planned on', async () => {
    const s = service();
    await open(s, base('C-RACE2', { submittedDate: '2026-11-12' }));
    const first = (await s.plan('C-RACE2', { kind: 'paid', date: '2026-12-01', amountCents: 41200 }, ACTOR));
    const second = (await s.plan('C-RACE2', { kind: 'denied', date: '2026-12-01', denial: { group: 'CO', carc: '50' } }, ACTOR));
    if (!first.ok || !second.ok) throw new Error('both plans are allowed on their own');
    expect((await s.commit(first))).toBe(true);
    expect((await s.commit(second))).toBe(false); // planned on the submitted claim, which is paid now
    expect((await s.get('C-RACE2'))?.status).toBe('paid');
    expect((await s.store.history('C-RACE2'))).toHaveLength(2);
  });

  it('refuses a claim number or payer that looks like a patient identifier, and stores nothing', async () => {
    const s = service();
    const plan = (await s.draft(base('C-PRVC2', { reference: 'Maria Garcia DOB 3/4/1961' }), ACTOR));
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.problem).toMatch(/patient identifier/);
    expect((await s.get('C-PRVC2'))).toBeUndefined();
  });

  it('screens a claim an import has not marked as screened, and keeps the mark out of what it stores', async () => {
    const s = service();
    const plain = s.draftUnstored(base('C-PRVC3', { payer: 'Maria Garcia DOB 3/4/1961' }), ACTOR);
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.problem).toMatch(/patient identifier/);
    const marked = s.draftUnstored(screened(base('C-PRVC4', { reference: 'A1005' })), ACTOR);
    expect(marked.ok).toBe(true);
    if (marked.ok) {
      expect(Object.getOwnPropertySymbols(marked.after)).toEqual([]);
      expect(Object.getOwnPropertySymbols(marked.entry.change)).toEqual([]);
    }
  });
});

describe('the follow-up policy on claims', () => {
  it('sets the first follow-up 14 days after submission, then every 7 days after a follow-up', async () => {
    const s = claimService(db());
    expect((await open(s, base('C-FLWUP', { submittedDate: '2026-11-20' }))).nextFollowUp).toBe('2026-12-04');
    await s.apply('C-FLWUP', { kind: 'followed-up', date: '2026-12-04' }, ACTOR);
    expect((await s.get('C-FLWUP'))?.nextFollowUp).toBe('2026-12-11');
  });

  it('gives Medicare 120 days and a commercial plan 180 days to appeal, and takes the plan\'s own window', async () => {
    const s = claimService(db());
    await open(s, base('C-MCARE', { payerKind: 'medicare', payer: 'Medicare', submittedDate: '2026-10-01' }));
    await open(s, base('C-CMRCL', { submittedDate: '2026-10-01' }));
    await s.apply('C-MCARE', { kind: 'denied', date: '2026-11-02', denial: { group: 'CO', carc: '50' } }, ACTOR);
    await s.apply('C-CMRCL', { kind: 'denied', date: '2026-11-02', denial: { group: 'CO', carc: '50' } }, ACTOR);
    expect((await s.get('C-MCARE'))?.appealDeadline).toBe('2027-03-02'); // 120 days
    expect((await s.get('C-CMRCL'))?.appealDeadline).toBe('2027-05-01'); // 180 days
    await s.apply('C-CMRCL', { kind: 'appeal-deadline', days: 90 }, ACTOR);
    expect((await s.get('C-CMRCL'))?.appealDeadline).toBe('2027-01-31');
    expect(s.deadline((await s.get('C-CMRCL'))!)).toEqual({ days: 90, basis: 'set for this plan by hand' });
  });

  it('ends follow-up when a claim is paid in full or written off', async () => {
    const s = claimService(db());
    await open(s, base('C-PAYDX', { submittedDate: '2026-11-01' }));
    await s.apply('C-PAYDX', { kind: 'paid', date: '2026-12-01', amountCents: 41200 }, ACTOR);
    expect((await s.get('C-PAYDX'))).toMatchObject({ status: 'paid', paidCents: 41200, paidDate: '2026-12-01' });
    expect((await s.get('C-PAYDX'))?.nextFollowUp).toBeUndefined();
  });
});

describe('claim updates as staff type them', () => {
  const today = '2026-12-02';
  it.each([
    ['C-7K3Q9 paid $412 on 12/3', { caseId: 'C-7K3Q9', action: 'paid', amountCents: 41200, date: '2025-12-03' }],
    ['c-7k3q9 paid 412.50 yesterday', { caseId: 'C-7K3Q9', action: 'paid', amountCents: 41250, date: '2026-12-01' }],
    ['C-7K3Q9 denied CO-50', { caseId: 'C-7K3Q9', action: 'denied', denialText: 'CO-50' }],
    ['C-7K3Q9 was denied for no prior auth on 11/30', { caseId: 'C-7K3Q9', action: 'denied', denialText: 'no prior auth', date: '2026-11-30' }],
    ['C-7K3Q9 records requested, due 1/15', { caseId: 'C-7K3Q9', action: 'records-requested', due: '2027-01-15' }],
    ['C-7K3Q9 snooze a week', { caseId: 'C-7K3Q9', action: 'snoozed', until: '2026-12-09' }],
    ['C-7K3Q9 written off', { caseId: 'C-7K3Q9', action: 'written-off' }],
    ['C-7K3Q9 resubmitted corrected claim 12/1', { caseId: 'C-7K3Q9', action: 'submitted', date: '2026-12-01' }],
    ['C-7K3Q9', { caseId: 'C-7K3Q9' }],
  ])('reads "%s"', (text, expected) => {
    expect(readClaimWords(text, today)).toEqual(expected);
  });

  it('reads dates and amounts, and leaves tooth numbers and codes alone', async () => {
    expect(findDate('paid on Nov 30', today)).toBe('2026-11-30');
    expect(findDate('due 1/15', today, 'future')).toBe('2027-01-15');
    expect(findDate('teeth #3/4 extracted', today)).toBeUndefined();
    expect(parseAmount('paid $1,234.56')).toBe(123456);
    expect(parseAmount('D7240 on #17')).toBeUndefined();
  });
});

describe('the claim flow in the engine', () => {
  function chat(d: SqliteStorage, user = 'u1') {
    const engine = openEngine(d, { zone: 'America/Chicago', now: () => Date.parse('2026-12-02T15:00:00Z') });
    const said: Reply[] = [];
    const send = async (input: Input) => {
      const out = await engine.handle({ platform: 'test', user, conversation: 'dm', direct: true, input });
      said.push(...out);
      return out;
    };
    return { engine, send, said };
  }
  const text = (rs: Reply[]) => rs.map((r) => [r.text, ...r.parts.flatMap((p) => (p.kind === 'list' ? [p.title, ...p.items.map((i) => i.text)] : p.kind === 'facts' ? p.rows.map((x) => `${x.label}: ${x.value}`) : p.kind === 'item' ? [p.text] : []))].join('\n')).join('\n');
  const choices = (rs: Reply[]) => rs.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'choices' || p.kind === 'item' ? p.choices : [])));

  it('tracks a claim from a triage answer, with its codes filled in, and records a denial with its remedy and deadline', async () => {
    const d = db();
    const { send } = chat(d);
    const answer = await send({ kind: 'text', text: 'biopsy of tongue lesion, Aetna medical, age 55' });
    const track = choices(answer).find((c) => c.label === 'Track this claim');
    expect(track?.value).toMatch(/^go:claim:track C-/);
    const caseId = /C-[A-Z0-9]{5}/.exec(track?.value ?? '')?.[0] ?? '';
    const formReply = await send({ kind: 'button', value: track?.value ?? '' });
    const form = formReply.flatMap((r) => r.parts).find((p) => p.kind === 'form');
    expect(form?.kind === 'form' && form.fields.find((f) => f.name === 'procedures')?.initial).toBe('41100');
    // The payer as the case named it (issue 21 §4).
    expect(form?.kind === 'form' && form.fields.find((f) => f.name === 'payer')?.initial).toBe('Aetna');
    const created = await send({ kind: 'form', form: 'claim-new', values: { payer: 'Aetna', procedures: '41100', diagnoses: 'K14.8', billed: '650', serviceDate: '11/10', submittedDate: '11/12' } });
    expect(text(created)).toMatch(new RegExp(`Now tracking claim ${caseId} \\(submitted\\)\\. First follow-up Thu Nov 26, 2026`));

    const denied = await send({ kind: 'text', text: `${caseId} denied CO-50` });
    expect(text(denied)).toMatch(/CO-50: .*medically necessary/i);
    expect(text(denied)).toMatch(/Appeal by Mon May 31, 2027/);
    expect(text(denied)).toMatch(/Letter of medical necessity/);
    expect((await claimService(d).get(caseId))).toMatchObject({ status: 'denied', appealDeadline: '2027-05-31', denial: { group: 'CO', carc: '50' } });
  });

  it('a denial on a Medicare or TRICARE claim adds that payer\'s appeal advice from knowledge/denials.json, with its sources', async () => {
    const d = db();
    await open(claimService(d), base('C-MCRDN', { payerKind: 'medicare', payer: 'Medicare', submittedDate: '2026-11-12' }));
    await open(claimService(d), base('C-TRCAR', { payerKind: 'tricare', payer: 'TRICARE', submittedDate: '2026-11-12' }));
    const { send } = chat(d);
    const medicare = text(await send({ kind: 'text', text: 'C-MCRDN denied CO-50' }));
    expect(medicare).toMatch(/redetermination in writing \(form CMS-20027/);
    expect(medicare).toMatch(/Noridian JD DME: Redetermination/);
    const tricare = text(await send({ kind: 'text', text: 'C-TRCAR denied CO-50' }));
    expect(tricare).toMatch(/appoints it in writing/);
    expect(tricare).not.toMatch(/CMS-20027/);
  });

  it('a claim to an auto, workers\' compensation or liability insurer gets that insurer\'s filing limit', async () => {
    const d = db();
    const { send } = chat(d);
    await send({ kind: 'text', text: 'claim new' });
    const asked = await send({ kind: 'form', form: 'claim-new', values: { payer: 'Progressive', procedures: 'D7140', billed: '300', serviceDate: '11/20' } });
    expect(text(asked)).toMatch(/Which kind of plan is Progressive\?/);
    const kinds = choices(asked).map((c) => c.label);
    expect(kinds).toEqual(expect.arrayContaining(['Auto (no-fault, PIP)', "Workers' comp", 'Liability', 'Medicare', 'Other']));
    const created = await send({ kind: 'button', value: choices(asked).find((c) => c.label === 'Auto (no-fault, PIP)')?.value ?? '' });
    const caseId = /C-[A-Z0-9]{5}/.exec(text(created))?.[0] ?? '';
    const claim = (await claimService(d).get(caseId));
    expect(claim?.payerKind).toBe('auto');
    // Typed words name the kind too.
    await send({ kind: 'text', text: 'claim new' });
    await send({ kind: 'form', form: 'claim-new', values: { payer: 'Texas Mutual', procedures: 'D7140', billed: '300', serviceDate: '11/20' } });
    const typed = await send({ kind: 'text', text: "it's workers comp" });
    const wcCase = /C-[A-Z0-9]{5}/.exec(text(typed))?.[0] ?? '';
    expect((await claimService(d).get(wcCase))?.payerKind).toBe('workers-comp');
  });

  it('asks for what an update leaves out: the amount of a payment, whether it settles the claim', async () => {
    const d = db();
    await open(claimService(d), base('C-ASKPD', { submittedDate: '2026-11-12' }));
    const { send } = chat(d);
    const ask = await send({ kind: 'text', text: 'C-ASKPD paid' });
    expect(ask.flatMap((r) => r.parts).some((p) => p.kind === 'form' && p.id === 'claim-paid')).toBe(true);
    const partial = await send({ kind: 'form', form: 'claim-paid', values: { amount: '412', date: '12/1' } });
    expect(text(partial)).toMatch(/\$412 of \$650 billed/);
    await send({ kind: 'button', value: 'claim:partial:open' });
    expect((await claimService(d).get('C-ASKPD'))).toMatchObject({ status: 'partially-paid', paidCents: 41200, paidDate: '2026-12-01', nextFollowUp: '2026-12-08' });
  });

  it('"Followed up" from the digest asks the outcome and schedules the next follow-up', async () => {
    const d = db();
    await open(claimService(d), base('C-FLLWP', { submittedDate: '2026-11-01' }));
    const { send } = chat(d);
    const outcome = await send({ kind: 'button', value: 'go:claim:C-FLLWP followed up' });
    expect(choices(outcome).map((c) => c.label)).toContain('Still processing');
    await send({ kind: 'button', value: choices(outcome).find((c) => c.label === 'Still processing')?.value ?? '' });
    expect((await claimService(d).get('C-FLLWP'))?.nextFollowUp).toBe('2026-12-09');
  });

  it.each([
    // What the payer said, typed after "Followed up" or in the same message; each as the button would record it.
    ['C-TYPD2 followed up', 'still processing', { status: 'submitted', nextFollowUp: '2026-12-09' }],
    ['C-TYPD2 followed up', 'pended', { status: 'pended' }],
    ['C-TYPD2 followed up', 'denied CO-16', { status: 'denied', denial: { group: 'CO', carc: '16' }, deniedDate: '2026-12-02' }],
    ['C-TYPD2 followed up', 'they want records', { status: 'records-requested' }],
    ['C-TYPD2 followed up', '1', { status: 'submitted', nextFollowUp: '2026-12-09' }],
    ['C-TYPD2 followed up, still processing', undefined, { status: 'submitted', nextFollowUp: '2026-12-09' }],
    ['C-TYPD2 called them, they want records', undefined, { status: 'records-requested' }],
  ] as const)('reads "%s" then "%s" as the outcome', async (first, second, expected) => {
    const d = db();
    await open(claimService(d), base('C-TYPD2', { submittedDate: '2026-11-01' }));
    const { send } = chat(d);
    const asked = await send({ kind: 'text', text: first });
    if (second !== undefined) {
      expect(text(asked)).toMatch(/What did the payer say about C-TYPD2/);
      expect(text(await send({ kind: 'text', text: second }))).not.toMatch(/didn't catch/);
    }
    expect((await claimService(d).get('C-TYPD2'))).toMatchObject(expected);
  });

  it('reads a typed answer to "settled or still open?" after a part payment', async () => {
    const d = db();
    await open(claimService(d), base('C-PRTL2', { submittedDate: '2026-11-01' }));
    const { send } = chat(d);
    expect(text(await send({ kind: 'text', text: 'C-PRTL2 paid $400' }))).toMatch(/still open/);
    await send({ kind: 'text', text: 'rest is still open' });
    expect((await claimService(d).get('C-PRTL2'))).toMatchObject({ status: 'partially-paid', paidCents: 40000 });
    await open(claimService(d), base('C-PRTL3', { submittedDate: '2026-11-01' }));
    await send({ kind: 'text', text: 'C-PRTL3 paid $400' });
    await send({ kind: 'text', text: "that's all, the rest is the plan's adjustment" });
    expect((await claimService(d).get('C-PRTL3'))).toMatchObject({ status: 'paid', paidCents: 40000 });
  });

  it('undoes a payment recorded by mistake, keeps both in the history, and takes the denial after it', async () => {
    const d = db();
    await open(claimService(d), base('C-UNDW2', { submittedDate: '2026-11-01' }));
    const { send } = chat(d);
    await send({ kind: 'text', text: 'C-UNDW2 paid $650 on 12/1' });
    const refused = text(await send({ kind: 'text', text: 'C-UNDW2 denied CO-197' }));
    expect(refused).toMatch(/is paid, so it cannot be marked denied/);
    expect(refused).toMatch(/type "undo"/);
    const undone = await send({ kind: 'text', text: 'undo' });
    expect(text(undone)).toMatch(/Undone: paid on C-UNDW2\. It is submitted again/);
    expect(choices(undone).map((c) => c.label)).toEqual(expect.arrayContaining(['Paid', 'Denied']));
    const claim = (await claimService(d).get('C-UNDW2'));
    expect(claim).toMatchObject({ status: 'submitted', version: 3 });
    expect(claim?.paidCents).toBeUndefined();
    expect(claim?.paidDate).toBeUndefined();
    const history = (await claimService(d).store.history('C-UNDW2'));
    expect(history.map((h) => h.action)).toEqual(['created', 'paid', 'undone']);
    expect(history[2]).toMatchObject({ actor: 'test:u1', fromStatus: 'paid', toStatus: 'submitted', reverts: history[1]?.id });
    await send({ kind: 'text', text: 'C-UNDW2 denied CO-197' });
    expect((await claimService(d).get('C-UNDW2'))).toMatchObject({ status: 'denied', denial: { carc: '197' } });
    // An undo is not undone again; there is nothing left of this person's to take back.
    expect(text(await send({ kind: 'text', text: 'undo' }))).toMatch(/Undone: denied on C-UNDW2/);
    expect(text(await send({ kind: 'text', text: 'undo' }))).toMatch(/cannot be taken back/);
  });

  it('undoes only the person\'s own change of the same day; a correction takes back anyone\'s', async () => {
    const d = db();
    await open(claimService(d), base('C-UNDW3', { submittedDate: '2026-11-01' }));
    await chat(d, 'u1').send({ kind: 'text', text: 'C-UNDW3 paid $650' });
    const other = chat(d, 'u2');
    expect(text(await other.send({ kind: 'text', text: 'undo' }))).toMatch(/no change to a claim today/);
    expect(text(await other.send({ kind: 'text', text: 'undo C-UNDW3' }))).toMatch(/type "C-UNDW3 correct"/);
    expect((await claimService(d).get('C-UNDW3'))?.status).toBe('paid');
    expect(text(await other.send({ kind: 'text', text: 'C-UNDW3 correct' }))).toMatch(/Corrected: paid \(recorded by test:u1\) on C-UNDW3/);
    expect((await claimService(d).store.history('C-UNDW3')).at(-1)).toMatchObject({ action: 'corrected', actor: 'test:u2', toStatus: 'submitted' });
    // The next day where the practice is (Chicago), yesterday's change is no longer undone by "undo".
    await open(claimService(d), base('C-UNDW4', { submittedDate: '2026-11-01' }));
    await chat(d, 'u1').send({ kind: 'text', text: 'C-UNDW4 pended' });
    const tomorrow = openEngine(d, { zone: 'America/Chicago', now: () => Date.parse('2026-12-03T15:00:00Z') });
    const late = await tomorrow.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: { kind: 'text', text: 'undo' } });
    expect(text(late)).toMatch(/no change to a claim today/);
    expect((await claimService(d).get('C-UNDW4'))?.status).toBe('pended');
  });

  it('says what is allowed when an update does not fit the claim, and changes nothing', async () => {
    const d = db();
    await open(claimService(d), base('C-DRAFT'));
    const { send } = chat(d);
    const out = await send({ kind: 'text', text: 'C-DRAFT paid $100' });
    expect(text(out)).toMatch(/not submitted yet, so it cannot be marked paid\. From here it can be: submitted, closed/);
    expect((await claimService(d).get('C-DRAFT'))?.status).toBe('draft');
  });
});

describe('the daily digest', () => {
  it('lists what is due by section, with totals, and a claim\'s buttons start the claim flow', async () => {
    const d = db();
    const s = claimService(d);
    await open(s, base('C-VRDUE', { submittedDate: '2026-11-01' })); // follow-up was due 11/15
    await open(s, base('C-TDAY2', { submittedDate: '2026-11-18' })); // due 12/2
    await open(s, base('C-LATER', { submittedDate: '2026-11-30' })); // due 12/14: not listed
    await open(s, base('C-APPEL', { submittedDate: '2026-06-01' }));
    await s.apply('C-APPEL', { kind: 'denied', date: '2026-06-15', denial: { group: 'CO', carc: '50' } }, ACTOR); // appeal by 12/12
    await open(s, base('C-UNSUB', { serviceDate: '2026-11-10' })); // served, never submitted
    const digest = (await buildDigest(s.store, '2026-12-02', s.kn.policy));
    const counts = Object.fromEntries(digest.sections.map((x) => [x.name, x.items.map((i) => i.caseId)]));
    expect(counts).toMatchObject({ overdue: ['C-VRDUE'], today: ['C-TDAY2'], appeals: ['C-APPEL'], unsubmitted: ['C-UNSUB'] });
    expect(digest.open.count).toBe(5);
    const [r] = digestReplies(digest);
    const items = r?.parts.filter((p) => p.kind === 'item') ?? [];
    const overdue = items.find((p) => p.kind === 'item' && p.text.startsWith('C-VRDUE'));
    expect(overdue?.kind === 'item' && overdue.text).toMatch(/C-VRDUE · Aetna · 41100 · \$650 · 31 days since submission · follow-up was due/);
    expect(overdue?.kind === 'item' && overdue.choices.map((c) => [c.label, c.value])).toEqual([
      ['Followed up', 'go:claim:C-VRDUE followed up'], ['Paid', 'go:claim:C-VRDUE paid'], ['Denied', 'go:claim:C-VRDUE denied'], ['Snooze', 'go:claim:C-VRDUE snooze'],
    ]);
    expect(r?.privacy).toBe('any');
    // A denied claim says so on its line and offers the appeal, not another denial; one not sent yet offers "Submitted".
    const appeal = items.find((p) => p.kind === 'item' && p.text.startsWith('C-APPEL'));
    expect(appeal?.kind === 'item' && appeal.text).toMatch(/^C-APPEL · denied · Aetna/);
    expect(appeal?.kind === 'item' && appeal.choices.map((c) => c.label)).toEqual(['Followed up', 'Paid', 'Appealed', 'Snooze']);
    const unsent = items.find((p) => p.kind === 'item' && p.text.startsWith('C-UNSUB'));
    expect(unsent?.kind === 'item' && unsent.choices.map((c) => [c.label, c.value])).toEqual([['Submitted', 'go:claim:C-UNSUB submitted'], ['Snooze', 'go:claim:C-UNSUB snooze']]);
  });
});

describe('a claim\'s diagnoses are checked against the code set of its date of service (issue 22)', () => {
  it('the new-claim form refuses J34.830 for a service in September 2026 (FY2026) and takes it for one in October (FY2027)', async () => {
    const d = db();
    const engine = openEngine(d, { zone: 'America/Chicago', now: () => Date.parse('2026-10-05T15:00:00Z') });
    const send = (input: Input) => engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input });
    const said = (rs: Reply[]) => rs.map((r) => r.text).join('\n');
    const form = (rs: Reply[]) => rs.flatMap((r) => r.parts).find((p) => p.kind === 'form');
    expect(form(await send({ kind: 'text', text: 'claim new' }))?.kind).toBe('form');
    const values = { payer: 'Aetna', procedures: '41100', diagnoses: 'J34.830', billed: '650' };
    const september = await send({ kind: 'form', form: 'claim-new', values: { ...values, serviceDate: '9/28' } });
    expect(said(september)).toMatch(/J34\.830 \(Odontogenic sinusitis, maxillary sinus\) is not a valid ICD-10-CM code for a service on 2026-09-28 \(FY2026\): it is new in FY2027/);
    expect(form(september)?.kind).toBe('form');
    const october = await send({ kind: 'form', form: 'claim-new', values: { ...values, serviceDate: '10/2' } });
    const caseId = /Now tracking claim (C-[A-Z0-9]{5})/.exec(said(october))?.[1] ?? '';
    expect((await claimService(d).get(caseId))).toMatchObject({ serviceDate: '2026-10-02', diagnoses: ['J34.830'] });
  });
});
