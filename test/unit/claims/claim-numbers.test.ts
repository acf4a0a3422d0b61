/**
 * The practice's claim numbers (issue 24 §2): a claim imported with its claim number is named by it wherever
 * a case ID is typed ("A1005 paid $5200 on 12/1"), and listed with it beside the case ID (the digest, "today",
 * "claim list", the confirmations). A number shaped like a code is a claim when medbill knows it or when a
 * claim verb follows it; an unknown one with a claim verb is answered as an unknown claim, not looked up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { claimService, sqliteStorage } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import { backOffice, openEngine } from '../../support/house.js';
import { importClaims } from '../../../src/claims/import.js';
import { buildDigest, digestReplies } from '../../../src/claims/digest.js';
import { claimNumberLead } from '../../../src/claims/parse.js';
import { renderRepliesText } from '../../../src/reply-text.js';
import { scrubIdentifiers } from '../../../src/privacy/scrubber.js';
import type { Input, Reply } from '../../../src/engine/model.js';
import { kn } from '../../helpers.js';
import { renderMessages } from '../../../adapters/slack/blocks.js';
import { renderCards } from '../../../adapters/teams/cards.js';
import { blockKitProblems } from '../../support/block-kit.js';
import { cardProblems } from '../../support/adaptive-cards.js';

const opened: SqliteStorage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

const NOW = Date.parse('2026-12-02T15:00:00Z');
const TODAY = '2026-12-02';

/** The practice's export: A1005 (shaped like a HCPCS code) submitted 11/1, its follow-up overdue; A1009 a draft. */
const CSV = [
  'case_id,claim_number,payer,payer_kind,procedures,diagnoses,billed,service_date,submitted_date,status',
  'C-NMBR2,A1005,Aetna,commercial,41100,K14.8,5200,2026-10-28,2026-11-01,submitted',
  'C-NMBR3,A1009,Aetna,commercial,41100,K14.8,650,2026-11-10,,draft',
].join('\n');

async function withImport(): Promise<SqliteStorage> {
  const d = sqliteStorage();
  opened.push(d);
  const office = backOffice(d, { now: () => NOW });
  await office.ready();
  const r = await importClaims({ claims: office.claims, codes: office.codes, kn, unitOfWork: d.unitOfWork }, CSV, { today: TODAY });
  if (!r.ok) throw new Error('the import was refused');
  return d;
}

function chat(d: SqliteStorage) {
  const engine = openEngine(d, { zone: 'America/Chicago', now: () => NOW });
  return (input: Input | string): Promise<Reply[]> => engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: typeof input === 'string' ? { kind: 'text', text: input } : input });
}

const text = (rs: Reply[]) => renderRepliesText(rs);
const choices = (rs: Reply[]) => rs.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'choices' || p.kind === 'item' ? p.choices : [])));

describe('the claim number leading a message', () => {
  it.each([
    ['A1005 paid $5200 on 12/1', { number: 'A1005', rest: 'paid $5200 on 12/1', verb: true }],
    ['#2024-118 followed up', { number: '2024-118', rest: 'followed up', verb: true }],
    ['claim no. A1005 was denied CO-50', { number: 'A1005', rest: 'was denied CO-50', verb: true }],
    ['A1005?', { number: 'A1005', rest: '', verb: false }],
    ['claim ID CLM889123 denied CO-50', { number: 'CLM889123', rest: 'denied CO-50', verb: true }],
  ])('reads %j', (typed, expected) => expect(claimNumberLead(typed)).toEqual(expected));

  it.each(['C-7K3Q9 paid', '12/1 paid', '$412 paid', 'Aetna paid $300', 'A1005 is a weird code', 'pt broke #8 in a fall'])('finds none in %j', (typed) => {
    expect(claimNumberLead(typed)).toBeUndefined();
  });

  it('is not scrubbed as an identifier when typed', () => {
    for (const typed of ['A1005 paid $5200 on 12/1', 'claim #A1005 denied CO-50', 'CLM-2024-0118 followed up, still processing', 'claim id CLM889123 denied CO-50', 'Claim ID 20241118 paid $50']) {
      expect(scrubIdentifiers(typed)).toEqual({ text: typed, found: [] });
    }
    // An ID that is not the claim's still goes.
    expect(scrubIdentifiers('member id CLM889123 denied').found).toEqual(['member-id']);
    expect(scrubIdentifiers('claim for member id W123456789').found).toEqual(['member-id']);
  });
});

describe('a claim named by the practice\'s claim number in chat', () => {
  it('records "A1005 paid $5200 on 12/1" on the claim imported as A1005, and says which claim it was', async () => {
    const d = await withImport();
    const send = chat(d);
    const out = await send('A1005 paid $5200 on 12/1');
    expect(text(out)).toMatch(/Recorded for C-NMBR2 \(A1005\): paid \$5,200 on Tue Dec 1, 2026\. It is now paid/);
    expect(await claimService(d).get('C-NMBR2')).toMatchObject({ status: 'paid', paidCents: 520000, paidDate: '2026-12-01' });
    // Not a triage, not a code lookup.
    expect(text(out)).not.toMatch(/A1005.*(?:not in medbill's code tables|codes? found)/i);
  });

  it('takes the number in any letter case, after "claim #", and with a question pending', async () => {
    const d = await withImport();
    const send = chat(d);
    await send('biopsy of tongue lesion, Aetna medical, age 55'); // a triage answer is open
    expect(text(await send('claim #a1005 followed up, still processing'))).toMatch(/Recorded for C-NMBR2 \(A1005\): followed up/);
    // "Which claim?" answered with the number.
    expect(text(await send('claim'))).toMatch(/Which claim\? Type its case ID or the practice's claim number/);
    expect(text(await send('A1009'))).toMatch(/Claim C-NMBR3 \(A1009\): not submitted yet/);
    expect(text(await send('submitted 12/2'))).toMatch(/Recorded for C-NMBR3 \(A1009\): submitted on Wed Dec 2, 2026/);
  });

  it('answers a known number alone with its claim, and offers the code lookup when the number is shaped like a code', async () => {
    const d = await withImport();
    const send = chat(d);
    const out = await send('A1005');
    expect(text(out)).toMatch(/Claim C-NMBR2 \(A1005\): submitted/);
    expect(choices(out).map((c) => [c.label, c.value])).toContainEqual(['Look up code A1005', 'go:lookup:A1005']);
    // An unknown number alone is what it was: a code to look up.
    expect(text(await send('A1006'))).not.toMatch(/claim numbered/);
  });

  it('says "I don\'t know a claim numbered …" for an unknown number with a claim verb, with what to do, and changes nothing', async () => {
    const d = await withImport();
    const send = chat(d);
    const out = await send('A1006 paid $5200 on 12/1');
    expect(text(out)).toMatch(/I don't know a claim numbered A1006\. Check the number, or use the claim's case ID/);
    expect(text(out)).toMatch(/claim list/);
    expect(choices(out).map((c) => c.label)).toEqual(['Open claims', 'Look up code A1006']);
    expect((await claimService(d).get('C-NMBR2'))?.status).toBe('submitted');
    // A short plain number is left to the question it answers: no claim has 412.
    await send('C-NMBR2 paid'); // "How much did the payer pay on C-NMBR2 (A1005)?"
    expect(text(await send('412 paid on 12/1'))).not.toMatch(/claim numbered/);
  });

  it('refuses a new claim with a number another case\'s claim has, and asks which claim when two already share one', async () => {
    const d = await withImport();
    const s = claimService(d);
    const second = { caseId: 'C-NMBR4', reference: 'a1005', payer: 'Cigna', payerKind: 'commercial' as const, lane: 'medical' as const, procedures: ['41100'], diagnoses: [] };
    expect(await s.draft(second, { who: 'test:u1', surface: 'test' })).toEqual({ ok: false, problem: expect.stringMatching(/^Claim number a1005 is already the claim of case C-NMBR2/) });
    // Two claims with one number from before that check (written as the store takes any claim).
    const plan = s.draftUnstored(second, { who: 'test:u1', surface: 'test' });
    if (!plan.ok) throw new Error(plan.problem);
    expect(await s.commit(plan)).toBe(true);
    const out = await chat(d)('A1005 denied CO-50');
    expect(text(out)).toMatch(/Claim number A1005 is on 2 claims\. Which one\?/);
    expect(choices(out).map((c) => c.label)).toEqual(['Open C-NMBR2 (A1005)', 'Open C-NMBR4 (a1005)']);
  });
});

describe('the claim number beside the case ID wherever claims are listed', () => {
  it('the digest (and "today") lists "C-NMBR2 · A1005 · …"', async () => {
    const d = await withImport();
    const s = claimService(d);
    const digest = digestReplies(await buildDigest(s.store, TODAY, s.kn.policy));
    const lines = digest.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'item' ? [p.text] : [])));
    expect(lines).toContainEqual(expect.stringMatching(/^C-NMBR2 · A1005 · Aetna · 41100 · \$5,200 · 31 days since submission/));
    expect(text(await chat(d)('today'))).toMatch(/C-NMBR2 · A1005 · Aetna/);
  });

  it('the digest as Slack blocks, as a Teams card and as text shows "C-NMBR2 · A1005"', async () => {
    const d = await withImport();
    const s = claimService(d);
    const [digest] = digestReplies(await buildDigest(s.store, TODAY, s.kn.policy));
    if (!digest) throw new Error('no digest');
    const slack = renderMessages(digest);
    const sections = slack.flatMap((m) => (m.blocks as { type: string; text?: { text?: string } }[]).map((b) => b.text?.text ?? ''));
    expect(sections).toContainEqual(expect.stringMatching(/^C-NMBR2 · A1005 · Aetna · 41100 · \$5,200/));
    expect(sections).toContainEqual(expect.stringMatching(/^C-NMBR3 · A1009 · Aetna · 41100 · \$650 · 22 days since service · served/));
    for (const m of slack) expect(blockKitProblems(m.blocks as Record<string, unknown>[])).toEqual([]);
    const cards = renderCards(digest);
    for (const c of cards) expect(cardProblems(c)).toEqual([]);
    expect(JSON.stringify(cards)).toMatch(/"text":"C-NMBR2 · A1005 · Aetna · 41100/);
    expect(renderRepliesText([digest])).toMatch(/C-NMBR2 · A1005 · Aetna · 41100 · \$5,200/);
  });

  it('"claim list" has a claim number column and opens each claim by both names', async () => {
    const d = await withImport();
    const out = await chat(d)('claim list');
    const table = out.flatMap((r) => r.parts).find((p) => p.kind === 'table');
    expect(table?.kind === 'table' && table.columns).toEqual(['Case', 'Claim number', 'Payer', 'Status', 'Billed', 'Next follow-up']);
    expect(table?.kind === 'table' && table.rows.map((r) => r.slice(0, 2))).toEqual([['C-NMBR2', 'A1005'], ['C-NMBR3', 'A1009']]);
    expect(choices(out).map((c) => c.label)).toEqual(['Open C-NMBR2 (A1005)', 'Open C-NMBR3 (A1009)']);
  });
});
