/**
 * The claims report a practice reads (issue 24 §4, §2): claims not submitted yet listed apart, against their
 * timely-filing limits, and kept out of the aging; denials by reason this month and over the last 12 months;
 * kinds of procedure in words; the practice's claim number beside the case ID wherever a claim is listed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStorage } from '../../support/storage.js';
import { shelf } from '../../support/house.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import type { Claim } from '../../../src/store/claim.js';
import type { StoreWrite } from '../../../src/store/unit-of-work.js';
import { buildReport, categoryNames, reportCsv, reportReplies, type Report } from '../../../src/reports/claims-report.js';
import { renderRepliesText } from '../../../src/reply-text.js';
import { kn } from '../../helpers.js';

const TODAY = '2026-12-02';
const NOW = Date.UTC(2026, 11, 2, 15);
const opened: SqliteStorage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

const claim = (caseId: string, extra: Partial<Claim>): Claim => ({
  caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K13.79'], status: 'submitted',
  billedCents: 10_000, createdAt: NOW, updatedAt: NOW, version: 1, ...extra,
});

const CLAIMS: Claim[] = [
  claim('C-SUBM1', { reference: 'A1001', category: 'extraction', submittedDate: '2026-11-20', serviceDate: '2026-11-18', billedCents: 50_000 }),
  // Served in June and never submitted: 185 days since the service, past the commercial 90 days.
  claim('C-DRFT1', { reference: 'A1005', category: 'biopsy', status: 'draft', serviceDate: '2026-06-01', billedCents: 65_000 }),
  // Medicare's 12 months from the service, no claim number, no category.
  claim('C-DRFT2', { payer: 'Medicare', payerKind: 'medicare', status: 'draft', serviceDate: '2026-11-10', billedCents: 20_000 }),
  // Tracked today without a date of service: it would have aged as 0-30 days from its creation.
  claim('C-DRFT3', { reference: 'A1009', category: 'tmj', status: 'draft', billedCents: 30_000 }),
  claim('C-DEN01', { reference: 'A1002', status: 'denied', submittedDate: '2026-11-02', deniedDate: '2026-12-01', denial: { group: 'CO', carc: '50' }, billedCents: 40_000 }),
  claim('C-DEN02', { status: 'denied', submittedDate: '2026-04-20', deniedDate: '2026-05-10', denial: { group: 'CO', carc: '16' }, billedCents: 20_000 }),
  claim('C-DEN03', { status: 'denied', submittedDate: '2026-02-01', deniedDate: '2026-02-20', denial: { group: 'CO', carc: '16' }, billedCents: 5_000 }),
  // Denied more than 12 months ago (and written off long since): in neither denials table.
  claim('C-DEN04', { status: 'written-off', submittedDate: '2025-10-20', deniedDate: '2025-11-15', denial: { group: 'CO', carc: '97' }, updatedAt: Date.UTC(2025, 11, 1) }),
];

async function report(): Promise<Report> {
  const d = sqliteStorage();
  opened.push(d);
  const writes: StoreWrite[] = CLAIMS.map((c) => ({ kind: 'claim.change', after: c, entry: { at: NOW, actor: 'test:u1', surface: 'test', action: 'created', toStatus: c.status, change: {} }, expectedVersion: undefined }));
  expect(await d.unitOfWork.commit(writes)).toBe(true);
  return buildReport(d.claimReports, TODAY, 'America/Chicago', categoryNames(kn), shelf.claims().policy);
}

const table = (r: Report, title: RegExp) => {
  const part = reportReplies(r).flatMap((x) => x.parts).find((p) => p.kind === 'table' && title.test(p.title));
  return part?.kind === 'table' ? part : undefined;
};

describe('the claims report: claims not submitted yet', () => {
  it('keeps them out of the aging and lists them apart, the fewest days left to file first', async () => {
    const r = await report();
    // Aging is days since submission: only the four open claims that were submitted.
    expect(r.aging).toEqual([{ payer: 'Aetna', bucket: '0-30', count: 2, cents: 90_000 }, { payer: 'Aetna', bucket: '90+', count: 2, cents: 25_000 }]);
    expect(r.notSubmitted.count).toBe(3);
    expect(r.notSubmitted.cents).toBe(115_000);
    expect(r.notSubmitted.items).toEqual([
      { caseId: 'C-DRFT1', reference: 'A1005', payer: 'Aetna', payerKind: 'commercial', category: 'Biopsy of an oral lesion', billedCents: 65_000, serviceDate: '2026-06-01', daysSinceService: 184, filingLimit: '90 days', filingDeadline: '2026-08-30', daysLeft: -94 },
      { caseId: 'C-DRFT2', reference: null, payer: 'Medicare', payerKind: 'medicare', category: 'Other procedures', billedCents: 20_000, serviceDate: '2026-11-10', daysSinceService: 22, filingLimit: '12 months', filingDeadline: '2027-11-10', daysLeft: 343 },
      { caseId: 'C-DRFT3', reference: 'A1009', payer: 'Aetna', payerKind: 'commercial', category: 'TMJ disorder treatment', billedCents: 30_000, serviceDate: null, daysSinceService: null, filingLimit: '90 days', filingDeadline: null, daysLeft: null },
    ]);
  });

  it('shows them in chat with the claim number beside the case ID and the kind of procedure in words', async () => {
    const r = await report();
    const shown = table(r, /^Not submitted yet/);
    expect(shown?.title).toBe('Not submitted yet: 3 claims, $1,150 billed, against the timely-filing limit from the date of service');
    expect(shown?.columns).toEqual(['Claim', 'Payer', 'Kind of procedure', 'Billed', 'Date of service', 'Days since service', 'Filing limit', 'File by', 'Days left']);
    expect(shown?.rows).toEqual([
      ['C-DRFT1 (A1005)', 'Aetna', 'Biopsy of an oral lesion', '$650', '2026-06-01', '184', '90 days', '2026-08-30', 'late by 94'],
      ['C-DRFT2', 'Medicare', 'Other procedures', '$200', '2026-11-10', '22', '12 months', '2027-11-10', '343'],
      ['C-DRFT3 (A1009)', 'Aetna', 'TMJ disorder treatment', '$300', 'not given', '—', '90 days', '—', '—'],
    ]);
    // Kinds of procedure in words, never as ids, in every table.
    const cells = reportReplies(r).flatMap((x) => x.parts).flatMap((p) => (p.kind === 'table' ? p.rows.flat() : []));
    const ids = new Set(kn.categories.map((c) => c.id));
    expect(cells.filter((c) => ids.has(c))).toEqual([]);
    expect(cells).toEqual(expect.arrayContaining(['Biopsy of an oral lesion', 'TMJ disorder treatment', 'Other procedures', 'Tooth extraction, wisdom teeth included']));
    expect(renderRepliesText(reportReplies(r))).toMatch(/\n {2}C-DRFT1 \(A1005\) +Aetna +Biopsy of an oral lesion +\$650 +2026-06-01 +184 +90 days +2026-08-30 +late by 94\n/);
    const csv = reportCsv(r).join('\n');
    expect(csv).toMatch(/\n"Not submitted yet, against the timely-filing limit from the date of service"\ncase_id,claim_number,payer,payer_kind,category,billed,service_date,days_since_service,filing_limit,file_by,days_left\n/);
    expect(csv).toMatch(/\nC-DRFT1,A1005,Aetna,commercial,Biopsy of an oral lesion,650\.00,2026-06-01,184,90 days,2026-08-30,-94\n/);
    expect(csv).toMatch(/\nC-DRFT3,A1009,Aetna,commercial,TMJ disorder treatment,300\.00,,,90 days,,\n/);
  });

  it('lists at most 25 in chat, the most urgent, and says the CSV has them all', async () => {
    const d = sqliteStorage();
    opened.push(d);
    const drafts = Array.from({ length: 30 }, (_, i) => claim(`C-MANY${'ABCDEFGHJKMNPQRSTUVWXYZ23456789'[i] ?? 'A'}`, { status: 'draft', serviceDate: `2026-10-${String(i + 1).padStart(2, '0')}` }));
    const writes: StoreWrite[] = drafts.map((c) => ({ kind: 'claim.change', after: c, entry: { at: NOW, actor: 'test:u1', surface: 'test', action: 'created', toStatus: 'draft', change: {} }, expectedVersion: undefined }));
    expect(await d.unitOfWork.commit(writes)).toBe(true);
    const r = await buildReport(d.claimReports, TODAY, 'America/Chicago', categoryNames(kn), shelf.claims().policy);
    expect(r.aging).toEqual([]);
    expect(reportReplies(r)[0]?.text).toBe(`Claims report as of ${TODAY}.`);
    const shown = table(r, /^Not submitted yet/);
    expect(shown?.title).toMatch(/^Not submitted yet: 30 claims, \$3,000 billed, .*; the 25 with the fewest days left \(medbill report --csv lists all\)$/);
    expect(shown?.rows.map((row) => row[4])).toEqual(drafts.slice(0, 25).map((c) => c.serviceDate));
    expect(reportCsv(r).filter((l) => l.startsWith('C-MANY'))).toHaveLength(30);
  });
});

describe('the claims report: denials by reason', () => {
  it('counts this month and the last 12 months, side by side', async () => {
    const r = await report();
    expect(r.year).toEqual({ from: '2026-01-01', label: 'January 2026 to December 2026' });
    expect(r.denials).toEqual([{ reason: 'CO-50', count: 1, cents: 40_000 }]);
    expect(r.denialsYear).toEqual([{ reason: 'CO-16', count: 2, cents: 25_000 }, { reason: 'CO-50', count: 1, cents: 40_000 }]);
    const shown = table(r, /^Denials by reason/);
    expect(shown).toEqual({
      kind: 'table', title: 'Denials by reason, December 2026 and the last 12 months (January 2026 to December 2026)',
      columns: ['Reason', 'Claims, December 2026', 'Billed, December 2026', 'Claims, 12 months', 'Billed, 12 months'],
      rows: [['CO-16', '0', '$0', '2', '$250'], ['CO-50', '1', '$400', '1', '$400']],
    });
    const csv = reportCsv(r).join('\n');
    expect(csv).toMatch(/\n"Denials by reason, December 2026"\nreason,claims,billed\nCO-50,1,400\.00\n\n/);
    expect(csv).toMatch(/\n"Denials by reason, the last 12 months \(January 2026 to December 2026\)"\nreason,claims,billed\nCO-16,2,250\.00\nCO-50,1,400\.00\n\n/);
  });
});
