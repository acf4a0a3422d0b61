/**
 * `medbill claim-form C-XXXXX --out FILE.pdf` as a process against a database file: the PDF of a resubmitted
 * claim (item 22 code 7 with its first claim number, the modifier given), of a case with no claim yet, and the
 * refusals (exit 2, nothing written): an unknown case, not a case ID, a diagnosis not valid on the date of service.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDbPath } from '../helpers.js';
import { claimService, sqliteStorage } from '../support/storage.js';
import { pdfText } from '../support/pdf-text.js';
import { CMS1500_BOXES, VALUE_SIZE } from '../../src/claims/cms1500.js';

const dir = mkdtempSync(join(tmpdir(), 'medbill-claim-form-'));
const actor = { who: 'test', surface: 'test' };

/** A database with a claim sent, denied and sent again under a new number, one with a stale diagnosis, and a case with no claim. */
async function practiceDb(): Promise<string> {
  const path = tempDbPath('medbill-claim-form-');
  const db = sqliteStorage(path);
  const claims = claimService(db, () => Date.parse('2026-11-20T15:00:00Z'));
  const apply = async (p: Awaited<ReturnType<typeof claims.plan>>) => {
    if (!p.ok || !(await claims.commit(p))) throw new Error(`seeding failed: ${p.ok ? 'commit' : p.problem}`);
  };
  await apply(await claims.draft({ caseId: 'C-7K3Q9', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['E0486'], diagnoses: ['G47.33'], billedCents: 185_000, serviceDate: '2026-11-03', submittedDate: '2026-11-04', reference: 'CLM-1001', authNumber: 'PA-55812' }, actor));
  await apply(await claims.plan('C-7K3Q9', { kind: 'denied', date: '2026-11-12', denial: { group: 'CO', carc: '4' } }, actor));
  await apply(await claims.plan('C-7K3Q9', { kind: 'submitted', date: '2026-11-18', reference: 'CLM-1001-R' }, actor));
  await apply(await claims.draft({ caseId: 'C-8M4R2', payer: 'Delta Medical', payerKind: 'commercial', lane: 'medical', procedures: ['41899'], diagnoses: ['J34.830'], serviceDate: '2026-09-30' }, actor));
  await db.unitOfWork.commit([{ kind: 'case.record', owner: 'slack:U1', record: { caseId: 'C-3MNPQ', procedure: 'E0486', lane: 'medical', updatedAt: 1, facts: { procedure: 'E0486', cause: 'sleep-apnea', diagnoses: ['G47.33'], coverage: { medical: true, medicalPayer: 'medicare' } } } }]);
  await db.close();
  return path;
}

async function boxText(file: string, id: string): Promise<string> {
  const b = CMS1500_BOXES.find((x) => x.id === id);
  if (!b) throw new Error(`no box ${id}`);
  const { pieces } = await pdfText(readFileSync(file));
  return pieces.filter((p) => Math.abs(p.size - VALUE_SIZE) < 0.01 && p.x >= b.x && p.x < b.x + b.w && p.y >= b.y && p.y < b.y + b.h)
    .sort((a, c) => a.x - c.x).map((p) => p.text).join(' ').replace(/\s+/g, ' ').trim();
}

describe('medbill claim-form', () => {
  it('writes the CMS-1500 of a resubmitted claim: code 7 with the first claim number, the modifier given, the total', async () => {
    const env = { MEDBILL_DB: await practiceDb(), MEDBILL_TIME_ZONE: 'America/Chicago' };
    const out = join(dir, 'claim.pdf');
    const r = cli(['claim-form', 'c-7k3q9', '--out', out, '--modifier', 'E0486-KX'], undefined, env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^CMS-1500 for C-7K3Q9 written to .*claim\.pdf \(from its tracked claim\)\./);
    expect(r.out).toMatch(/^ {2}- place of service \(24B\): 11, office/m);
    expect(await boxText(out, '22.code')).toBe('7');
    expect(await boxText(out, '22.ref')).toBe('CLM-1001');
    expect(await boxText(out, '24D.1')).toBe('E0486 KX');
    expect(await boxText(out, '24A.1')).toBe('11 03 26 11 03 26');
    expect(await boxText(out, '23')).toBe('PA-55812');
    expect(await boxText(out, '28')).toBe('1850 00');
    expect(await boxText(out, '2')).toBe('[PATIENT NAME]');

    // A case with no claim yet: the codes of its answer.
    const fromCase = join(dir, 'case.pdf');
    const c = cli(['claim-form', 'C-3MNPQ', '--out', fromCase], undefined, env);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toMatch(/from its triage answer: no claim is tracked yet/);
    expect(await boxText(fromCase, '24D.1')).toBe('E0486');
    expect(await boxText(fromCase, '1.medicare')).toBe('X');

    // Refused, exit 2, nothing written.
    const stale = join(dir, 'stale.pdf');
    const s = cli(['claim-form', 'C-8M4R2', '--out', stale], undefined, env);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/^medbill: Not printed: J34\.830 .*not a valid ICD-10-CM code for a service on 2026-09-30 \(FY2026\)/);
    expect(existsSync(stale)).toBe(false);
    const unknown = cli(['claim-form', 'C-ZZZZ9', '--out', join(dir, 'none.pdf')], undefined, env);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no claim or case C-ZZZZ9/);
    expect(cli(['claim-form', 'C-7K3Q9', '--out', join(dir, 'x.pdf'), '--modifier', '41100-59'], undefined, env).err).toMatch(/41100 is not on case C-7K3Q9's claim \(its codes: E0486\)/);
  }, 60_000);

  it('refuses what is not a case ID or not a .pdf, and lists itself in the help', () => {
    const notId = cli(['claim-form', 'CLM-1001']);
    expect(notId.code).toBe(2);
    expect(notId.err).toMatch(/"CLM-1001" is not a medbill case ID/);
    expect(cli(['claim-form', 'C-7K3Q9', '--out', 'claim.docx']).err).toMatch(/must end in \.pdf/);
    expect(cli(['claim-form']).code).toBe(2);
    expect(cli(['--help']).out).toContain('medbill claim-form C-XXXXX');
    expect(cli(['claim-form', '--help']).out).toMatch(/^Usage: medbill claim-form C-XXXXX/);
  });
});
