/**
 * The secondary claim (issue 24 §5): on a medical-first case, the medical plan's EOB (paid, partly paid or
 * denied) opens the dental claim, C-7K3Q9-D, in the same unit of work and exactly once; the digest follows both
 * claims, the report counts what the dental plan paid, and the chat says so and takes "C-7K3Q9-D submitted".
 */
import { describe, expect, it } from 'vitest';
import { claimService, sqliteClosedAfterEach } from '../../support/storage.js';
import { openEngine, shelf } from '../../support/house.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import { ClaimService, type ClaimChange, type NewClaim } from '../../../src/claims/service.js';
import { buildDigest, digestReplies } from '../../../src/claims/digest.js';
import { buildReport, categoryNames, reportCsv, reportReplies } from '../../../src/reports/claims-report.js';
import { renderRepliesText } from '../../../src/reply-text.js';
import { readClaimWords } from '../../../src/claims/parse.js';
import type { Input, Reply } from '../../../src/engine/model.js';
import { kn } from '../../helpers.js';
import { backOffice } from '../../support/house.js';
import { claimsCsv } from '../../../src/reports/claims-report.js';
import { describeRefusal, importClaims } from '../../../src/claims/import.js';

const db = sqliteClosedAfterEach();

const ACTOR = { who: 'test:u1', surface: 'test' };
const NOW = Date.UTC(2026, 11, 2, 15);
const medicalFirst = (caseId: string, extra: Partial<NewClaim> = {}): NewClaim => ({
  caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical-first', procedures: ['41899'], diagnoses: ['K01.1'], billedCents: 65000,
  serviceDate: '2026-11-10', submittedDate: '2026-11-12', category: 'extraction', ...extra,
});

async function track(s: ClaimService, claim: NewClaim) {
  const plan = await s.draft(claim, ACTOR);
  if (!plan.ok) throw new Error(plan.problem);
  expect(await s.commit(plan)).toBe(true);
}

async function apply(s: ClaimService, caseId: string, change: ClaimChange) {
  const p = await s.apply(caseId, change, ACTOR);
  if (!p.ok) throw new Error(p.problem);
  return p;
}

const PAID: ClaimChange = { kind: 'paid', date: '2026-12-01', amountCents: 30000 };

describe('the dental claim of a medical-first case', () => {
  it.each<[string, ClaimChange]>([
    ['paid', PAID],
    ['partly paid', { ...PAID, partial: true }],
    ['denied', { kind: 'denied', date: '2026-12-01', denial: { group: 'CO', carc: '50' } }],
  ])('opens when the medical claim is %s, with the medical claim\'s codes, date of service and what is left to recover', async (_, change) => {
    const d = db();
    const s = claimService(d, () => NOW);
    await track(s, medicalFirst('C-MFPD2'));
    const p = await apply(s, 'C-MFPD2', change);
    expect(p.opens?.after.caseId).toBe('C-MFPD2-D');
    const dental = await s.get('C-MFPD2-D');
    const left = change.kind === 'paid' ? 35000 : 65000;
    expect(dental).toMatchObject({
      caseId: 'C-MFPD2-D', payer: 'Dental plan', payerKind: 'dental', lane: 'medical-first', status: 'draft',
      procedures: ['41899'], diagnoses: ['K01.1'], serviceDate: '2026-11-10', category: 'extraction', billedCents: left, version: 1,
    });
    // A draft with a date of service: the digest lists it among the claims not submitted, not as a follow-up.
    expect(dental?.nextFollowUp).toBeUndefined();
    expect((await s.store.history('C-MFPD2-D'))[0]).toMatchObject({ action: 'created', toStatus: 'draft', change: { openedAfter: 'C-MFPD2' } });
    // Its own dates: the dental plan's filing limit and, once submitted, its own follow-ups.
    expect(s.warnings(dental ?? (() => { throw new Error('no dental claim'); })(), '2026-12-02').join(' ')).toMatch(/Timely filing: submit by 2027-02-08 \(Dental plans set filing limits/);
    const submitted = await apply(s, 'C-MFPD2-D', { kind: 'submitted', date: '2026-12-02' });
    expect(submitted.after.nextFollowUp).toBe('2026-12-16');
    expect((await s.get('C-MFPD2'))?.status).toBe(change.kind === 'denied' ? 'denied' : change.kind === 'paid' && change.partial ? 'partially-paid' : 'paid');
  });

  it.each<[string, ClaimChange[]]>([
    ['pended', [{ kind: 'pended', date: '2026-12-01' }]],
    ['records requested', [{ kind: 'records-requested', date: '2026-12-01' }]],
    ['followed up', [{ kind: 'followed-up', date: '2026-12-01' }]],
    ['closed', [{ kind: 'pended', date: '2026-12-01' }, { kind: 'closed', date: '2026-12-02' }]],
  ])('does not open while the medical claim is %s', async (_, changes) => {
    const s = claimService(db(), () => NOW);
    await track(s, medicalFirst('C-MFPN2'));
    for (const c of changes) expect((await apply(s, 'C-MFPN2', c)).opens).toBeUndefined();
    expect(await s.get('C-MFPN2-D')).toBeUndefined();
  });

  it('does not open for a medical claim (lane medical) nor for the dental claim itself when paid', async () => {
    const s = claimService(db(), () => NOW);
    await track(s, medicalFirst('C-MEDC2', { lane: 'medical' }));
    await apply(s, 'C-MEDC2', PAID);
    expect(await s.get('C-MEDC2-D')).toBeUndefined();
    await track(s, medicalFirst('C-MFDD2'));
    await apply(s, 'C-MFDD2', PAID);
    await apply(s, 'C-MFDD2-D', { kind: 'submitted', date: '2026-12-02' });
    expect((await apply(s, 'C-MFDD2-D', { kind: 'paid', date: '2026-12-05', amountCents: 15000 })).opens).toBeUndefined();
    expect(await s.get('C-MFDD2-D-D')).toBeUndefined();
  });

  it('opens exactly once: not on a second payment, nor after an undo and the payment again, nor when two updates race', async () => {
    const d = db();
    const s = claimService(d, () => NOW);
    await track(s, medicalFirst('C-MFNC3'));
    expect((await apply(s, 'C-MFNC3', { ...PAID, partial: true })).opens).toBeDefined();
    // The rest paid later: the dental claim is there already (the second payment goes to it, not to a new one).
    expect((await apply(s, 'C-MFNC3', { kind: 'paid', date: '2026-12-03', amountCents: 10000 })).opens).toBeUndefined();
    // Undone and recorded again: the dental claim stays, one of it, as it was.
    const undo = await s.revert('C-MFNC3', 'undone', ACTOR);
    expect(undo.ok && (await s.commit(undo))).toBe(true);
    expect((await apply(s, 'C-MFNC3', { kind: 'paid', date: '2026-12-03', amountCents: 10000 })).opens).toBeUndefined();
    expect(await s.store.history('C-MFNC3-D')).toHaveLength(1);

    // Two people record the EOB at once: both plan the dental claim; the second commit conflicts, and planned
    // again it has the dental claim already.
    await track(s, medicalFirst('C-MFRC2'));
    const [a, b] = [await s.plan('C-MFRC2', PAID, ACTOR), await s.plan('C-MFRC2', { kind: 'denied', date: '2026-12-01', denial: { group: 'CO', carc: '50' } }, ACTOR)];
    expect(a.ok && a.opens && b.ok && b.opens).toBeTruthy();
    expect(a.ok && (await s.commit(a))).toBe(true);
    expect(b.ok && (await s.commit(b))).toBe(false);
    expect(await s.get('C-MFRC2')).toMatchObject({ status: 'paid' });
  });

  it('writes the dental claim before the medical change, so "undo" takes back the payment, not the opening', async () => {
    const s = claimService(db(), () => NOW);
    await track(s, medicalFirst('C-MFUN2'));
    await apply(s, 'C-MFUN2', PAID);
    const target = await s.undoable(ACTOR.who, '2026-12-02', 'UTC');
    expect(target).toMatchObject({ caseId: 'C-MFUN2', entry: { action: 'paid' } });
  });

  it('uses the case\'s CDT codes when the case knows them, and is due the day of the EOB without a date of service', async () => {
    const d = db();
    const s = new ClaimService(d.claims, d.unitOfWork, shelf.claims, () => NOW, { dentalCodes: async (caseId, date) => (caseId === 'C-MFCD2' && date === '2026-12-01' ? ['D7240'] : undefined) });
    await track(s, medicalFirst('C-MFCD2', { serviceDate: undefined }));
    const p = await apply(s, 'C-MFCD2', PAID);
    expect(p.opens?.cdt).toBe(true);
    expect(await s.get('C-MFCD2-D')).toMatchObject({ procedures: ['D7240'], diagnoses: ['K01.1'], nextFollowUp: '2026-12-01' });
  });

  it('reads the dental claim\'s key in an update', () => {
    expect(readClaimWords('c-7k3q9-d submitted 12/2', '2026-12-03')).toMatchObject({ caseId: 'C-7K3Q9-D', action: 'submitted', date: '2026-12-02' });
    expect(readClaimWords('C-7K3Q9 paid $300 on 12/1', '2026-12-03')).toMatchObject({ caseId: 'C-7K3Q9', action: 'paid', amountCents: 30000 });
  });
});

describe('the digest and the report follow both claims', () => {
  it('lists the medical claim and its dental claim, each with its own key, status and dates', async () => {
    const d = db();
    const s = claimService(d, () => NOW);
    await track(s, medicalFirst('C-MFDG2'));
    await apply(s, 'C-MFDG2', { kind: 'denied', date: '2026-12-01', denial: { group: 'CO', carc: '50' } });
    const digest = await buildDigest(d.claims, '2026-12-09', shelf.claims().policy);
    const sections = Object.fromEntries(digest.sections.map((x) => [x.name, x.items.map((i) => i.caseId)]));
    expect(sections.overdue).toEqual(['C-MFDG2']); // the denial worked within the week: follow-up was due 12/8
    expect(sections.unsubmitted).toEqual(['C-MFDG2-D']);
    const shown = renderRepliesText(digestReplies(digest));
    expect(shown).toMatch(/C-MFDG2 · denied · Aetna · 41899 · \$650/);
    expect(shown).toMatch(/C-MFDG2-D · Dental plan · 41899 · \$650 · 29 days since service · served Tue Nov 10, 2026, not submitted · dental claim: send with C-MFDG2's medical EOB/);
    const buttons = digestReplies(digest).flatMap((r) => r.parts.flatMap((p) => (p.kind === 'item' ? p.choices : [])));
    expect(buttons.map((b) => b.value)).toContain('go:claim:C-MFDG2-D submitted');
  });

  it('lists a dental claim without a date of service as one to send', async () => {
    const d = db();
    const s = claimService(d, () => NOW);
    await track(s, medicalFirst('C-MFND2', { serviceDate: undefined }));
    await apply(s, 'C-MFND2', PAID);
    const shown = renderRepliesText(digestReplies(await buildDigest(d.claims, '2026-12-03', shelf.claims().policy)));
    expect(shown).toMatch(/C-MFND2-D · Dental plan · 41899 · \$350 · to send since Tue Dec 1, 2026 · dental claim: send with C-MFND2's medical EOB/);
  });

  it('counts what the dental plans paid: beside the medical recovery, in the total, and for medical-first cases', async () => {
    const d = db();
    const s = claimService(d, () => NOW);
    await track(s, medicalFirst('C-MFRP2'));
    await apply(s, 'C-MFRP2', PAID);
    await apply(s, 'C-MFRP2-D', { kind: 'submitted', date: '2026-12-02' });
    await apply(s, 'C-MFRP2-D', { kind: 'paid', date: '2026-12-05', amountCents: 15000 });
    await track(s, medicalFirst('C-MEDRP', { lane: 'medical' }));
    await apply(s, 'C-MEDRP', { kind: 'paid', date: '2026-12-03', amountCents: 20000 });
    const r = await buildReport(d.claimReports, '2026-12-07', 'America/Chicago', categoryNames(kn), shelf.claims().policy);
    expect(r.recovered).toMatchObject({ recoveredCents: 50000, paidClaims: 2, dentalRecoveredCents: 15000, dentalPaidClaims: 1, medicalFirstCents: 30000, medicalFirstClaims: 1 });
    const shown = renderRepliesText(reportReplies(r));
    expect(shown).toMatch(/Recovered from medical plans: \$500 on 2 claims/);
    expect(shown).toMatch(/Recovered from dental plans after the medical EOB: \$150 on 1 claim/);
    expect(shown).toMatch(/Recovered in all: \$650/);
    expect(shown).toMatch(/Medical-first cases: \$300 from medical plans \(1 claim\), \$150 from dental plans \(1 claim\)/);
    const csv = reportCsv(r);
    expect(csv[1]).toBe('month,recovered,paid_claims,denied_claims,denied_billed,written_off,written_off_claims,dental_recovered,dental_paid_claims,medical_first_recovered,recovered_total');
    expect(csv[2]).toBe('2026-12,500.00,2,0,0.00,0.00,0,150.00,1,300.00,650.00');
  });
});

describe('the dental claim in chat', () => {
  const text = (rs: Reply[]) => renderRepliesText(rs);
  const choices = (rs: Reply[]) => rs.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'choices' || p.kind === 'item' ? p.choices : [])));

  async function chat(d: SqliteStorage) {
    const engine = openEngine(d, { zone: 'America/Chicago', now: () => NOW });
    // A medical-first case medbill answered (an impacted wisdom tooth on a combined plan), and its medical claim.
    const facts = { procedure: 'D7240', cause: 'impaction', diagnoses: ['K01.1'], notes: 'Fully bony impacted #17.', coverage: { medical: true, dental: true, combinedPlan: true, medicalPayer: 'commercial' }, patientAge: 18 };
    expect(await d.unitOfWork.commit([{ kind: 'case.record', owner: 'test:t1:dm:u1', record: { caseId: 'C-MFCH2', procedure: 'D7240', lane: 'medical-first', updatedAt: NOW, facts } }])).toBe(true);
    await track(claimService(d, () => NOW), medicalFirst('C-MFCH2', { billedCents: undefined }));
    return (t: string | Input) => engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: typeof t === 'string' ? { kind: 'text', text: t } : t });
  }

  it('says the medical EOB opened the dental claim, with the case\'s CDT codes, and takes "C-…-D submitted"', async () => {
    const d = db();
    const send = await chat(d);
    const paid = await send('C-MFCH2 paid $300 on 12/1');
    expect(text(paid)).toMatch(/Recorded for C-MFCH2: paid \$300 on Tue Dec 1, 2026\. It is now paid; no more follow-up\. Opened the dental claim C-MFCH2-D: send it to the dental plan with the medical EOB\./);
    expect(text(paid)).toMatch(/Send it to the dental plan with the medical EOB \(explanation of benefits\) showing the medical payer's payment or denial\./);
    expect(text(paid)).toMatch(/Codes: D7240, K01\.1 \(the case's CDT codes\)/);
    expect(text(paid)).toMatch(/Timely filing: submit by 2027-02-08/);
    expect(choices(paid).map((c) => c.label)).toEqual(expect.arrayContaining(['C-MFCH2-D submitted', 'Open C-MFCH2-D']));

    const submitted = await send('C-MFCH2-D submitted 12/2');
    expect(text(submitted)).toMatch(/Recorded for C-MFCH2-D: submitted on Wed Dec 2, 2026\. It is now submitted; next follow-up Wed Dec 16, 2026\./);
    expect(text(submitted)).toMatch(/Dental claim after: the medical claim C-MFCH2/);
    // The medical claim, looked up, names its dental claim.
    expect(text(await send('C-MFCH2'))).toMatch(/Dental claim: C-MFCH2-D \(submitted\)/);
    expect(await d.claims.get('C-MFCH2')).toMatchObject({ status: 'paid', paidCents: 30000 });
    expect(await d.claims.get('C-MFCH2-D')).toMatchObject({ status: 'submitted', submittedDate: '2026-12-02', procedures: ['D7240'] });
  });

  it('the button opens the dental claim; an undo of the payment keeps it and says so', async () => {
    const d = db();
    const send = await chat(d);
    const paid = await send('C-MFCH2 paid $300 on 12/1');
    const open = choices(paid).find((c) => c.label === 'Open C-MFCH2-D');
    expect(text(await send({ kind: 'button', value: open?.value ?? '' }))).toMatch(/Claim C-MFCH2-D: not submitted yet\./);
    const undone = await send('undo');
    expect(text(undone)).toMatch(/Undone: paid on C-MFCH2\. It is submitted again; the history keeps both\. The dental claim C-MFCH2-D stays \(not submitted yet\): if it should not go out yet, type "C-MFCH2-D closed"; it is not opened again\./);
    expect(await d.claims.get('C-MFCH2-D')).toMatchObject({ status: 'draft' });
    expect(text(await send('C-MFCH2 paid $300 on 12/1'))).not.toMatch(/Opened the dental claim/);
  });

  it('says which case has no dental claim yet', async () => {
    const send = await chat(db());
    expect(text(await send('C-MFCH2-D submitted'))).toMatch(/Case C-MFCH2 has no dental claim\. medbill opens one \(C-MFCH2-D\) when the medical claim of a medical-first case is paid, partly paid or denied\./);
  });
});

describe('the import opens the dental claim too, once', () => {
  const FILE = [
    'case_id,claim_number,payer,payer_kind,procedures,diagnoses,billed,paid,service_date,submitted_date,status,paid_date,lane',
    'C-MFMP2,M-1,Aetna,commercial,41899,K01.1,650,300,11/10/2026,11/12/2026,Paid,12/01/2026,medical-first',
    'C-MFMP3,M-2,Aetna,commercial,41899,K01.1,650,,11/10/2026,11/12/2026,Open,,medical-first',
    'C-MEDMP,M-3,Aetna,commercial,41100,K13.79,650,650,11/10/2026,11/12/2026,Paid,12/01/2026,medical',
  ].join('\n') + '\n';
  const importInto = async (d: SqliteStorage, csv: string) => {
    const office = backOffice(d, { now: () => NOW });
    await office.ready();
    const r = await importClaims({ claims: office.claims, codes: office.codes, kn, unitOfWork: d.unitOfWork }, csv, { today: '2026-12-02', newId: () => 'C-NEWMP' });
    if (!r.ok) throw new Error(describeRefusal(r).join('\n'));
    return r;
  };
  const keys = async (d: SqliteStorage) => {
    const out: string[] = [];
    for await (const row of d.claimReports.exportRows()) out.push(row.case_id);
    return out.sort();
  };

  it('opens it for a medical-first claim the file shows paid, not again on the next import, and for one paid the week after', async () => {
    const d = db();
    const first = await importInto(d, FILE);
    expect([...first.plan.added].map((a) => a.caseId)).toEqual(['C-MFMP2', 'C-MFMP2-D', 'C-MFMP3', 'C-MEDMP']);
    expect([...first.plan.added][1]).toMatchObject({ line: 2, what: expect.stringMatching(/^dental claim opened after C-MFMP2's medical EOB/) });
    expect(await d.claims.get('C-MFMP2-D')).toMatchObject({ status: 'draft', payerKind: 'dental', billedCents: 35000, serviceDate: '2026-11-10' });
    expect((await d.claims.history('C-MFMP2-D'))[0]).toMatchObject({ surface: 'import', action: 'created' });

    const again = await importInto(d, FILE);
    expect([...again.plan.added]).toEqual([]);
    expect(await keys(d)).toEqual(['C-MEDMP', 'C-MFMP2', 'C-MFMP2-D', 'C-MFMP3']);

    const week2 = await importInto(d, FILE.replace('650,,11/10/2026,11/12/2026,Open,,medical-first', '650,500,11/10/2026,11/12/2026,Paid,12/02/2026,medical-first'));
    expect([...week2.plan.added].map((a) => a.caseId)).toEqual(['C-MFMP3-D']);
    expect(await d.claims.get('C-MFMP3-D')).toMatchObject({ status: 'draft', billedCents: 15000 });
  });

  it('imports its own export (dental claims included) into an empty database as the same claims', async () => {
    const a = db();
    await importInto(a, FILE);
    const s = claimService(a, () => NOW);
    await apply(s, 'C-MFMP2-D', { kind: 'submitted', date: '2026-12-02' });
    const lines: string[] = [];
    for await (const line of claimsCsv(a.claimReports)) lines.push(line);
    const exported = lines.join('\n');
    expect(exported).toMatch(/^C-MFMP2-D,,Dental plan,dental,medical-first,/m);
    const b = db();
    await importInto(b, exported);
    expect(await keys(b)).toEqual(await keys(a));
    expect(await b.claims.get('C-MFMP2-D')).toMatchObject({ status: 'submitted', payerKind: 'dental', lane: 'medical-first', submittedDate: '2026-12-02' });
  });
});
