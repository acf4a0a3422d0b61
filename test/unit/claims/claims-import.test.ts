/**
 * `medbill claims import`, `medbill claims export` and `medbill report`: the CSV reader, the column names and
 * words PM systems use, the checks that keep a bad file (or a patient identifier) out, the one transaction,
 * and the commands as a user runs them (bin/medbill.js from dist/: run `npx tsc -p tsconfig.build.json` first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claimService, sqliteStorage } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import { buildReport, categoryNames, claimsCsv, reportCsv, reportReplies } from '../../../src/reports/claims-report.js';
import { describeImport, describeRefusal, IMPORT_BATCH, importClaims, ImportFileError, type ImportOptions, type ImportRefused, type ImportSummary } from '../../../src/claims/import.js';
import { parseCsv } from '../../../src/claims/csv.js';
import { isIdentifierColumn, normalizeHeader } from '../../../src/claims/import-columns.js';
import { mapPayerKind, mapStatus, parseImportDate } from '../../../src/claims/import-values.js';
import { cli, kn, ROOT, tempDbPath } from '../../helpers.js';
import { backOffice, shelf } from '../../support/house.js';

const opened: SqliteStorage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});
function db(path = ':memory:'): SqliteStorage {
  const d = sqliteStorage(path);
  opened.push(d);
  return d;
}

const NOW = Date.UTC(2026, 11, 2, 15);
const TODAY = '2026-12-02';
const LETTERS = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** A case id made of `n` (the same id for the same n). */
const caseIdOf = (n: number, prefix = 'N') => `C-${prefix}${[3, 2, 1, 0].map((p) => LETTERS[Math.floor(n / LETTERS.length ** p) % LETTERS.length]).join('')}`;
let ids = 0;
const options = (extra: Partial<ImportOptions> = {}): ImportOptions => ({ today: TODAY, newId: () => caseIdOf(++ids), ...extra });
/** What the root hands an import: the claims (on the tests' clock), the code index over `d` (once open), the knowledge, where it writes. */
const over = async (d: SqliteStorage) => {
  const office = backOffice(d, { now: () => NOW });
  await office.ready();
  return { claims: office.claims, codes: office.codes, kn, unitOfWork: d.unitOfWork };
};
const count = (d: SqliteStorage, table: 'claims' | 'claim_history') => (d.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/** Every line of the CSV export. */
async function csvLines(d: SqliteStorage): Promise<string[]> {
  const out: string[] = [];
  for await (const line of claimsCsv(d.claimReports)) out.push(line);
  return out;
}

async function imported(d: SqliteStorage, csv: string | Uint8Array, extra: Partial<ImportOptions> = {}): Promise<ImportSummary> {
  const r = await importClaims(await over(d), csv, options(extra));
  if (!r.ok) throw new Error(describeRefusal(r).join('\n'));
  return r;
}
async function refused(d: SqliteStorage, csv: string, extra: Partial<ImportOptions> = {}): Promise<ImportRefused> {
  const r = await importClaims(await over(d), csv, options(extra));
  if (r.ok) throw new Error('the file was imported');
  return r;
}
const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

describe('parseCsv', () => {
  it('reads plain fields, empty fields and a last line without a line break', async () => {
    expect(await parseCsv('a,b,c\n1,,3\n,,\nx,y,z')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] }, { line: 2, fields: ['1', '', '3'] }, { line: 3, fields: ['', '', ''] }, { line: 4, fields: ['x', 'y', 'z'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and numbers records by the line they start on', async () => {
    const text = 'a,b\n"1,5","say ""hi"""\n"multi\nline\r\nfield",2\nlast,"" \n';
    expect(await parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1,5', 'say "hi"'] },
      { line: 3, fields: ['multi\nline\r\nfield', '2'] },
      { line: 6, fields: ['last', ''] },
    ]);
  });

  it('accepts CRLF, LF and a lone CR, and skips a UTF-8 BOM', async () => {
    expect((await parseCsv('\uFEFFa,b\r\n1,2\r3,4\n5,6\r\n')).map((r) => [r.line, ...r.fields])).toEqual([[1, 'a', 'b'], [2, '1', '2'], [3, '3', '4'], [4, '5', '6']]);
  });

  it('keeps a trailing empty field and a quote inside an unquoted field', async () => {
    expect(await parseCsv('a,b,\n5" ruler,x,\n')).toEqual([{ line: 1, fields: ['a', 'b', ''] }, { line: 2, fields: ['5" ruler', 'x', ''] }]);
  });

  it('reads an empty file as no records, and a blank line as one empty field', async () => {
    expect(await parseCsv('')).toEqual([]);
    expect(await parseCsv('\uFEFF')).toEqual([]);
    expect(await parseCsv('a\n\nb\n')).toEqual([{ line: 1, fields: ['a'] }, { line: 2, fields: [''] }, { line: 3, fields: ['b'] }]);
  });

  it('names the line of a quote never closed and of text after a closing quote', async () => {
    await expect(parseCsv('a,b\n1,2\n3,"open\nstill open\n')).rejects.toThrow(/^line 3: a quoted field is never closed/);
    await expect(parseCsv('a,b\n"x"y,2\n')).rejects.toThrow(/^line 2: text after the closing quote/);
  });
});

describe('dates, statuses, plan types and column names', () => {
  it.each([
    ['2026-11-14', '2026-11-14'], ['11/14/2026', '2026-11-14'], ['11/14/26', '2026-11-14'], ['1/5/2026', '2026-01-05'], ['14-Nov-2026', '2026-11-14'],
    ['14 Nov 2026', '2026-11-14'], ['Nov 14, 2026', '2026-11-14'], ['November 14 2026', '2026-11-14'], ['Sept 3, 2026', '2026-09-03'], ['20261114', '2026-11-14'],
    ['2026-11-14T00:00:00', '2026-11-14'], ['11/14/2026 12:00 AM', '2026-11-14'], [' 2026/11/14 ', '2026-11-14'], ['11-14-2026', '2026-11-14'],
  ])('reads the date %s', (text, iso) => expect(parseImportDate(text)).toBe(iso));

  it.each(['2/30/2026', '13/1/2026', '14/11/2026', '2026-13-01', 'tomorrow', '11/14', 'Nov 14', '46340', '', 'Foo 3, 2026'])('refuses %j as a date', (text) => {
    expect(parseImportDate(text)).toBeUndefined();
  });

  it('maps PM status words', async () => {
    expect(['open', 'Pending', 'SUBMITTED', 'sent'].map(mapStatus)).toEqual(['submitted', 'submitted', 'submitted', 'submitted']);
    expect(['paid', 'Closed-Paid', 'paid in full'].map(mapStatus)).toEqual(['paid', 'paid', 'paid']);
    expect(['partial', 'partially-paid', 'Written Off', 'write-off', 'appealed', 'denied', 'records-requested', 'void'].map(mapStatus))
      .toEqual(['partially-paid', 'partially-paid', 'written-off', 'written-off', 'appealed', 'denied', 'records-requested', 'closed']);
    // A clearinghouse rejection is not a denial.
    expect(['rejected', 'Clearinghouse Rejected'].map(mapStatus)).toEqual(['rejected', 'rejected']);
    expect(mapStatus('sent to the moon')).toBeUndefined();
  });

  it('maps plan types, including medbill\'s own names', async () => {
    expect(['Medicare', 'Medicare Part B', 'MA', 'Medicare Advantage', 'medicare-advantage', 'Medi-Cal', 'PPO', 'Commercial', 'TRICARE', 'VA'].map(mapPayerKind))
      .toEqual(['medicare', 'medicare', 'medicare-advantage', 'medicare-advantage', 'medicare-advantage', 'medicaid', 'commercial', 'commercial', 'tricare', 'other']);
    // The insurers that pay first for an injury are kinds of their own: their filing and appeal limits differ.
    expect(['workers comp', "Worker's Compensation", 'WC', 'PIP', 'No-Fault', 'Auto', 'med pay', 'Liability', 'Third Party', 'workers-comp'].map(mapPayerKind))
      .toEqual(['workers-comp', 'workers-comp', 'workers-comp', 'auto', 'auto', 'auto', 'auto', 'liability', 'liability', 'workers-comp']);
    expect(mapPayerKind('Aetna')).toBeUndefined();
  });

  it('normalizes column names and knows which name identifiers', async () => {
    expect(normalizeHeader('Claim #')).toBe('claim number');
    expect(normalizeHeader('claim_no')).toBe('claim number');
    expect(normalizeHeader(' Date-Submitted ')).toBe('date submitted');
    for (const c of ['Patient Name', 'patient', 'DOB', 'Member ID', 'SSN', 'MRN', 'Address', 'Phone', 'First Name', 'Name', 'Insurance ID', 'Subscriber #', 'Email']) expect(isIdentifierColumn(c), c).toBe(true);
    for (const c of ['Provider', 'Office', 'Payer ID', 'Notes', 'Rendering NPI']) expect(isIdentifierColumn(c), c).toBe(false);
  });
});

// Aliases, a BOM, CRLF, mixed date formats and amounts, a quoted note over two lines, and a column medbill does not read.
const GOOD = '\uFEFF' + crlf([
  'Claim #,Insurance,Plan Type,Procedure Codes,Dx,Amount Billed,Paid,DOS,Date Submitted,Claim Status,Denial Reason,Denial Date,Date Paid,Prior Auth,Notes',
  'A-1,Aetna,Commercial,41100,K13.79,"$1,234.56",,11/3/2026,11/05/26,Open,,,,PA-7781,"first line',
  'second line, with a comma"',
  'A-2,Medicare,Medicare Part B,"21470-RT, 41100",S02.5XXA,650,412.00,14-Oct-2026,"Oct 20, 2026",closed-paid,,,2026-11-18,,',
  'A-3,Humana Gold Plus,MA,41100,,650.00,,2026-09-01,2026-09-03,Denied,CO-50,2026-10-01,,,',
  'A-4,Cigna,PPO,D7240,k011,980,100,09/15/2026,9/16/2026,Partial,,,10/20/2026,,"he said ""ok"""',
  'A-5,Aetna,commercial,41100,K13.79,650,,2026-11-20,2026-11-21,rejected,,,,,',
  'A-6,Medicaid,,E0486,G47.33,1500,,2026-08-01,2026-08-02,records requested,,,,,',
  'A-7,BCBS,commercial,41100,,650,,2026-06-01,2026-06-02,appealed,CO-197,2026-07-01,,,',
  'A-8,Aetna,commercial,41100,,650,,2026-11-25,,,,,,,',
  'A-9,Aetna,commercial,41100,,650,650,2026-05-01,2026-05-02,paid,,,,,',
]);

describe('importClaims', () => {
  const byRef = async (d: SqliteStorage, ref: string) => {
    const s = claimService(d);
    const row = (await csvLines(d)).slice(1).find((l) => l.includes(`,${ref},`));
    const caseId = row?.split(',')[0] ?? '';
    return { claim: (await s.get(caseId))!, history: await s.store.history(caseId) };
  };

  it('files each claim under the kind of procedure its codes name, unless the file says; the report names it in words', async () => {
    const d = db();
    (await imported(d, crlf([
      'claim_number,payer,payer_kind,procedures,diagnoses,category,billed,submitted_date',
      'K-1,Aetna,commercial,41100,K13.79,,650,2026-11-02',
      'K-2,Cigna,commercial,D7240 41899,K01.1,,900,2026-11-03',
      'K-3,BCBS,commercial,42330,K11.5,,700,2026-11-04',
      'K-4,Aetna,commercial,99203,M26.621,,200,2026-11-05',
      'K-5,Cigna,commercial,21080,C05.0,,2400,2026-11-06',
      'K-6,Aetna,commercial,D5932,Q35.9,cleft,2400,2026-11-06',
      'K-7,Aetna,commercial,70540,,,1200,2026-11-07',
    ])));
    const category = async (ref: string) => (await byRef(d, ref)).claim.category;
    expect(await Promise.all(['K-1', 'K-2', 'K-3', 'K-4', 'K-5', 'K-6'].map(category))).toEqual(['biopsy', 'extraction', 'salivary', 'tmj', 'maxillofacial-prosthesis', 'cleft']);
    // An MRI of the face names no procedure category: "Other procedures" in the report.
    expect(await category('K-7')).toBeUndefined();
    const report = await buildReport(d.claimReports, TODAY, 'America/Chicago', categoryNames(kn), shelf.claims().policy);
    const rows = report.byCategory.map((r) => r.key);
    expect(rows).toEqual(expect.arrayContaining(['Biopsy of an oral lesion', 'Tooth extraction, wisdom teeth included', 'Salivary gland problems', 'TMJ disorder treatment', 'Maxillofacial prosthetics', 'Cleft lip and palate care', 'Other procedures']));
    expect(rows).not.toContain('other');
    expect(rows).not.toContain('biopsy');
    const shown = reportReplies(report).flatMap((r) => r.parts).find((p) => p.kind === 'table' && p.title === 'By kind of procedure');
    expect(shown?.kind === 'table' && shown.rows.map((r) => r[0])).toContain('Salivary gland problems');
    expect(reportCsv(report).join('\n')).toMatch(/\nSalivary gland problems,1,/);
    // The names the composition root's knowledge gives.
    expect((await buildReport(d.claimReports, TODAY, 'America/Chicago', categoryNames(shelf.knowledge()), shelf.claims().policy)).byCategory.map((r) => r.key)).toContain('Biopsy of an oral lesion');
  });

  it('imports a good file with the right statuses, amounts and follow-up dates', async () => {
    const d = db();
    const r = (await imported(d, GOOD));
    expect(r).toMatchObject({ claims: 9, open: 7, dryRun: false, unused: ['Notes'], dropped: [] });
    expect(r.byStatus).toEqual({ draft: 2, submitted: 1, 'records-requested': 1, 'partially-paid': 1, denied: 1, appealed: 1, paid: 2 });
    // Open: 1234.56 + 650 (A-3) + (980 - 100) + 650 (A-5) + 1500 + 650 (A-7) + 650.
    expect(r.outstandingCents).toBe(123456 + 65000 + 88000 + 65000 + 150000 + 65000 + 65000);
    expect(describeImport(r)[0]).toBe('Imported 9 claims (7 open, $6,214.56 outstanding).');

    expect((await byRef(d, 'A-1')).claim).toMatchObject({
      status: 'submitted', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K13.79'], billedCents: 123456,
      serviceDate: '2026-11-03', submittedDate: '2026-11-05', nextFollowUp: '2026-11-19', authNumber: 'PA-7781', reference: 'A-1',
    });
    const a2 = (await byRef(d, 'A-2')).claim;
    expect(a2).toMatchObject({ status: 'paid', payerKind: 'medicare', procedures: ['21470', '41100'], paidCents: 41200, paidDate: '2026-11-18', submittedDate: '2026-10-20' });
    expect(a2.nextFollowUp).toBeUndefined();
    expect((await byRef(d, 'A-3')).claim).toMatchObject({ status: 'denied', payerKind: 'medicare-advantage', deniedDate: '2026-10-01', appealDeadline: '2026-11-30', denial: { group: 'CO', carc: '50' } });
    expect((await byRef(d, 'A-4')).claim).toMatchObject({ status: 'partially-paid', procedures: ['D7240'], diagnoses: ['K01.1'], paidCents: 10000, paidDate: '2026-10-20', nextFollowUp: '2026-10-27' });
    // A clearinghouse rejection never reached the payer: not submitted, to be sent again.
    const a5 = (await byRef(d, 'A-5')).claim;
    expect(a5.status).toBe('draft');
    expect(a5.submittedDate).toBeUndefined();
    expect((await byRef(d, 'A-6')).claim).toMatchObject({ status: 'records-requested', payerKind: 'medicaid', recordsDue: '2026-08-16', nextFollowUp: '2026-08-16' });
    expect((await byRef(d, 'A-7')).claim).toMatchObject({ status: 'appealed', deniedDate: '2026-07-01', denial: { group: 'CO', carc: '197' }, nextFollowUp: '2026-07-15' });
    expect((await byRef(d, 'A-8')).claim).toMatchObject({ status: 'draft', serviceDate: '2026-11-25' });
    // Paid in full without a payment date: paid, and no date is made up.
    const a9 = (await byRef(d, 'A-9')).claim;
    expect(a9).toMatchObject({ status: 'paid', paidCents: 65000 });
    expect(a9.paidDate).toBeUndefined();
  });

  it('records the history as the import: surface "import", actor "cli:import", one entry per status reached', async () => {
    const d = db();
    await imported(d, GOOD);
    const { history } = (await byRef(d, 'A-7'));
    expect(history.map((h) => [h.action, h.toStatus])).toEqual([['created', 'submitted'], ['denied', 'denied'], ['appealed', 'appealed']]);
    const all = d.db.prepare('SELECT DISTINCT surface, actor FROM claim_history').all();
    expect(all).toEqual([{ surface: 'import', actor: 'cli:import' }]);
    expect((await byRef(d, 'A-9')).history.at(-1)?.change).not.toHaveProperty('paidDate');
  });

  it('keeps case ids from the file and makes new ones', async () => {
    const d = db();
    await imported(d, 'case_id,payer,payer_kind,cpt\nC-7K3Q9,Aetna,commercial,41100\n,Aetna,commercial,41100\n');
    const cases = (await csvLines(d)).slice(1).map((l) => l.split(',')[0]);
    expect(cases).toContain('C-7K3Q9');
    expect(cases.every((c) => /^C-[A-HJ-NP-Z2-9]{5}$/.test(c ?? ''))).toBe(true);
  });

  it('checks each claim\'s diagnoses against the ICD-10-CM code set of its date of service (FY2027 from 2026-10-01)', async () => {
    const d = db();
    const header = 'Claim #,Insurance,Plan Type,CPT,ICD10,Billed,DOS,Submitted,Status';
    const r = (await refused(d, [
      header,
      'F-1,Aetna,commercial,41100,J34.830,650,9/14/2026,9/20/2026,open',
      'F-2,Aetna,commercial,41100,M86.8X8,650,11/2/2026,11/5/2026,open',
      'F-3,Aetna,commercial,41100,J34.830,650,11/2/2026,11/5/2026,open',
      'F-4,Aetna,commercial,41100,M86.8X8,650,9/14/2026,9/20/2026,open',
    ].join('\n')));
    const text = (line: number) => r.problems.find((p) => p.line === line)?.problems.join(' | ') ?? '';
    expect(r.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(text(2)).toMatch(/diagnosis J34\.830 \(Odontogenic sinusitis, maxillary sinus\) is not a valid ICD-10-CM code for a service on 2026-09-14 \(FY2026\): it is new in FY2027/);
    expect(text(3)).toMatch(/diagnosis M86\.8X8 was billable through FY2026, but from FY2027 .* header.*M86\.8X81/);
    // Without a date of service, today's code set (the import's today, 2026-12-02: FY2027).
    expect((await imported(d, [header, 'F-3,Aetna,commercial,41100,J34.830,650,11/2/2026,11/5/2026,open', 'F-4,Aetna,commercial,41100,M86.8X8,650,9/14/2026,9/20/2026,open', 'F-5,Aetna,commercial,41100,J34.830,650,,,draft'].join('\n'))).claims).toBe(3);
  });

  it('reports every bad row by the line it starts on, and imports nothing', async () => {
    const d = db();
    const csv = [
      'Claim #,Insurance,Plan Type,CPT,ICD10,Billed,Paid,DOS,Submitted,Status,Comment',
      'B-1,Aetna,commercial,41100,K13.79,650,,11/3/2026,11/5/2026,open,"a note',
      'over two lines"',
      'B-2,Aetna,commercial,99999,K13.79,650,,11/3/2026,11/5/2026,open,',
      'B-3,Aetna,commercial,41100,K08,abc,,13/45/2026,,paid,',
      'B-4,Aetna,commercial,41100,K13.79,650,,11/3/2026,11/5/2026,sent to the moon,',
      'B-5,Cigna,,41100,,650,,,2026-11-05,denied,',
      'B-6,Cigna,commercial,41100,,650,,,2026-11-05,open,,extra',
      'B-7,,commercial,,,650,,,2027-01-05,open,',
      'B-1,Aetna,commercial,41100,,650,,,2026-11-05,open,',
    ].join('\n');
    const r = (await refused(d, csv));
    expect(r.rows).toBe(8);
    // B-1's note runs over two lines, so B-2 starts on line 4.
    expect(r.problems.map((p) => p.line)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    const text = (line: number) => r.problems.find((p) => p.line === line)?.problems.join(' | ') ?? '';
    expect(text(4)).toMatch(/procedure code 99999 is not in medbill's code tables/);
    expect(text(5)).toMatch(/K08 is a category, not a billable/);
    expect(text(5)).toMatch(/"abc" is not an amount/);
    expect(text(5)).toMatch(/"13\/45\/2026" is not a date/);
    expect(text(5)).toMatch(/paid needs its submitted date/);
    expect(text(6)).toMatch(/"sent to the moon" is not a status/);
    expect(text(7)).toMatch(/plan type is not given/);
    expect(text(7)).toMatch(/denied claim needs its denial date/);
    expect(text(8)).toMatch(/has 12 fields but the header has 11/);
    expect(text(9)).toMatch(/payer \("Insurance"\) is empty/);
    expect(text(9)).toMatch(/procedure codes \("CPT"\) is empty/);
    expect(text(9)).toMatch(/2027-01-05 is after today/);
    expect(text(10)).toMatch(/claim number "B-1" is also on line 2/);
    expect(count(d, 'claims')).toBe(0);
    expect(count(d, 'claim_history')).toBe(0);
    const message = describeRefusal(r);
    expect(message[0]).toBe('nothing was imported: 7 rows of 8 cannot be imported.');
    expect(message[1]).toMatch(/^ {2}line 4: /);
  });

  it('lists at most 50 bad rows', async () => {
    const rows = Array.from({ length: 70 }, (_, i) => `X-${i},Aetna,commercial,99999`);
    const r = (await refused(db(), ['claim_number,payer,payer_kind,cpt', ...rows].join('\n')));
    const message = describeRefusal(r);
    expect(message.filter((l) => l.startsWith('  line '))).toHaveLength(50);
    expect(message).toContain('  … and 20 more rows.');
  });

  it('refuses a file with a column of patient identifiers, unless it is dropped unread', async () => {
    const csv = 'Patient Name,DOB,Payer,Plan type,CPT\nJane Roe,1/1/1970,Aetna,commercial,41100\n';
    const d = db();
    await expect(importClaims(await over(d), csv, options())).rejects.toThrow(ImportFileError);
    await expect(importClaims(await over(d), csv, options())).rejects.toThrow(/columns "Patient Name", "DOB" look like they hold patient identifiers.*--ignore-column "Patient Name"/);
    await expect(importClaims(await over(d), csv, options({ ignoreColumns: ['patient name'] }))).rejects.toThrow(/column "DOB"/);
    const r = (await imported(d, csv, { ignoreColumns: ['Patient Name', 'dob'] }));
    expect(r).toMatchObject({ claims: 1, dropped: ['Patient Name', 'DOB'] });
    const stored = JSON.stringify(d.db.prepare('SELECT * FROM claims').all()) + JSON.stringify(d.db.prepare('SELECT * FROM claim_history').all());
    expect(stored).not.toMatch(/Jane|Roe|1970/);
    await expect(importClaims(await over(d), csv, options({ ignoreColumns: ['Patient Name', 'DOB', 'Chart'] }))).rejects.toThrow(/--ignore-column "Chart": the file has no such column/);
  });

  it('refuses a row with an identifier typed into a text cell, without repeating it', async () => {
    const d = db();
    const csv = 'claim_number,payer,payer_kind,cpt,prior auth\nA-1,Aetna,commercial,41100,PA-1\nA-2,Aetna,commercial,41100,pt Jane Roe 555-867-5309\nA-3,Aetna,commercial,41100,123-45-6789\n';
    const r = (await refused(d, csv));
    expect(r.problems.map((p) => p.line)).toEqual([3, 4]);
    expect(r.problems[0]!.problems[0]).toMatch(/authorization number \("prior auth"\) looks like it holds a patient identifier \((phone, name|name, phone)\)/);
    expect(r.problems[1]!.problems[0]).toMatch(/\(ssn\)/);
    expect(describeRefusal(r).join('\n')).not.toMatch(/Jane|Roe|867|6789/);
    expect(count(d, 'claims')).toBe(0);
  });

  it('tells an unchanged row by its steps against the stored claim, without replaying its claim', async () => {
    // Every status a PM export gives, with payments, denials and dates (as the bench's file has them).
    const statuses = ['open', 'paid', 'denied', 'partial', 'appealed', 'pended', 'written off', 'rejected', 'closed', 'records requested', 'paid'];
    const rows = statuses.map((status, i) => {
      const paid = status === 'paid' ? (i > 5 ? '' : '400') : status === 'partial' ? '100' : status === 'closed' ? '50' : '';
      const denied = ['denied', 'appealed', 'written off'].includes(status) ? '11/12/2026' : '';
      return `R-${i},Aetna,commercial,41100,K13.79,"$1,234.56",${paid},11/1/2026,11/2/2026,${status},${denied ? 'CO-50' : ''},${denied},${status === 'paid' && !paid ? '11/20/2026' : ''}`;
    });
    const csv = ['claim_number,payer,payer_kind,cpt,dx,billed,paid,dos,submitted_date,status,denial,denied_date,paid_date', ...rows].join('\n');
    const d = db();
    await imported(d, csv);
    const to = await over(d);
    const replays = [vi.spyOn(to.claims, 'draftUnstored'), vi.spyOn(to.claims, 'planFrom')];
    const r = await importClaims(to, csv, options());
    expect(r.ok && { ...r.plan, added: [...r.plan.added] }).toEqual({ added: [], updated: [], unchanged: statuses.map((_, i) => i + 2), conflicts: [] });
    for (const spy of replays) expect(spy).not.toHaveBeenCalled();
    // A row that did change is still replayed and updated.
    const paidNow = csv.replace('R-0,Aetna,commercial,41100,K13.79,"$1,234.56",,', 'R-0,Aetna,commercial,41100,K13.79,"$1,234.56",1234.56,');
    const changed = await importClaims(to, paidNow, options());
    expect(changed.ok && changed.plan.updated.map((p) => p.line)).toEqual([2]);
  });

  it('imports the same export twice as nothing new: every row unchanged, nothing written', async () => {
    const d = db();
    await imported(d, GOOD);
    const historyBefore = count(d, 'claim_history');
    const r = await imported(d, GOOD);
    expect({ ...r.plan, added: [...r.plan.added] }).toEqual({ added: [], updated: [], unchanged: [2, 4, 5, 6, 7, 8, 9, 10, 11], conflicts: [] });
    expect(r.claims).toBe(0);
    expect(describeImport(r)).toEqual(['Imported 9 rows: 0 new, 0 updated, 9 unchanged, 0 conflicts.', '  unchanged: lines 2, 4-11', 'Not read (medbill does not use it): Notes.']);
    expect(count(d, 'claims')).toBe(9);
    expect(count(d, 'claim_history')).toBe(historyBefore);
  });

  it('makes again a case id made for a new row that a claim in medbill already has', async () => {
    const d = db();
    await imported(d, 'case_id,payer,payer_kind,cpt\nC-TAKEN,Aetna,commercial,41100\n');
    const made = ['C-TAKEN', 'C-FRESH'];
    const r = await imported(d, 'claim_number,payer,payer_kind,cpt\nA-1,Cigna,commercial,41100\n', { newId: () => made.shift() ?? 'C-WRONG' });
    expect([...r.plan.added].map((p) => p.caseId)).toEqual(['C-FRESH']);
    expect((await d.claims.get('C-TAKEN'))?.payer).toBe('Aetna');
    expect((await d.claims.get('C-FRESH'))?.reference).toBe('A-1');
  });

  it('checks no case id it makes against the store when the practice has no claims (its own ids are kept apart as it reads)', async () => {
    const d = db();
    const to = await over(d);
    const find = vi.spyOn(to.claims.store, 'find');
    const rows = Array.from({ length: 3 }, (_, i) => `A-${i},Cigna,commercial,41100`);
    const r = await importClaims(to, ['claim_number,payer,payer_kind,cpt', ...rows].join('\n'), options());
    expect(r.ok && r.claims).toBe(3);
    // The batch's one read of the claims its claim numbers name, and none for the ids made.
    expect(find).toHaveBeenCalledTimes(1);
  });

  it('refuses a duplicate case id in the file; a case that already has a claim is matched, not refused', async () => {
    const d = db();
    await imported(d, 'case_id,payer,payer_kind,cpt\nC-7K3Q9,Aetna,commercial,41100\n');
    const r = (await refused(d, 'case_id,payer,payer_kind,cpt\nC-7K3Q9,Aetna,commercial,41100\nC-AAAAA,Aetna,commercial,41100\nC-AAAAA,Aetna,commercial,41100\nC-0OI1L,Aetna,commercial,41100\n'));
    expect(r.problems).toEqual([
      { line: 4, problems: [expect.stringMatching(/case C-AAAAA is also on line 3/)] },
      { line: 5, problems: [expect.stringMatching(/not a medbill case id/)] },
    ]);
    expect(count(d, 'claims')).toBe(1);
  });

  it('refuses a file without a header naming the payer and the codes, and an empty file', async () => {
    await expect(importClaims(await over(db()), 'Aetna,commercial,41100\n', options())).rejects.toThrow(/the first line must name the columns, and no column gives the payer .* or the procedure codes/);
    await expect(importClaims(await over(db()), 'payer,plan type\nAetna,commercial\n', options())).rejects.toThrow(/no column gives the procedure codes/);
    await expect(importClaims(await over(db()), '\uFEFF\r\n', options())).rejects.toThrow(/the file is empty/);
    await expect(importClaims(await over(db()), 'payer,cpt\n', options())).rejects.toThrow(/a header but no claims/);
    await expect(importClaims(await over(db()), 'payer,insurance,cpt\nA,B,41100\n', options())).rejects.toThrow(/columns "payer" and "insurance" both give the payer/);
    await expect(importClaims(await over(db()), 'payer,cpt\n"Aetna,41100\n', options())).rejects.toThrow(/not valid CSV: line 2: a quoted field is never closed/);
  });

  it('uses --payer-kind for rows that do not say their plan type', async () => {
    const d = db();
    await imported(d, 'payer,cpt,submitted\nAetna,41100,2026-11-02\nMedicare,41100,2026-11-02\n', { payerKind: 'commercial' });
    expect(d.db.prepare('SELECT payer, payer_kind FROM claims ORDER BY payer').all()).toEqual([{ payer: 'Aetna', payer_kind: 'commercial' }, { payer: 'Medicare', payer_kind: 'medicare' }]);
  });

  it('checks and writes nothing on a dry run', async () => {
    const d = db();
    const r = (await imported(d, GOOD, { dryRun: true }));
    expect(r).toMatchObject({ dryRun: true, claims: 9, open: 7 });
    expect(describeImport(r)[0]).toBe('Checked 9 claims: all can be imported (7 open, $6,214.56 outstanding). Nothing was written (--dry-run).');
    expect(count(d, 'claims')).toBe(0);
    expect(count(d, 'claim_history')).toBe(0);
  });

  it('writes all rows or none: a row failing while it is written leaves the database untouched', async () => {
    const d = db();
    await imported(d, 'case_id,payer,payer_kind,cpt\nC-7K3Q9,Aetna,commercial,41100\n');
    // The 40th row of 50 fails inside SQLite, after 39 claims and their history were written in the transaction.
    const failing = caseIdOf(39, 'F');
    d.db.exec(`CREATE TRIGGER fail_one BEFORE INSERT ON claims WHEN NEW.case_id = '${failing}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const rows = Array.from({ length: 50 }, (_, i) => `${caseIdOf(i, 'F')},Aetna,commercial,41100,2026-11-0${(i % 9) + 1},paid,100`);
    const csv = ['case_id,payer,payer_kind,cpt,submitted,status,paid', ...rows].join('\n');
    expect(rows[39]?.startsWith(`${failing},`)).toBe(true);
    await expect(importClaims(await over(d), csv, options())).rejects.toThrow(/disk full/);
    expect(count(d, 'claims')).toBe(1);
    expect(count(d, 'claim_history')).toBe(1);
    d.db.exec('DROP TRIGGER fail_one');
    expect((await imported(d, csv)).claims).toBe(50);
    expect(count(d, 'claims')).toBe(51);
  });

  it('writes nothing when a bad row comes after a batch already written into the transaction', async () => {
    const d = db();
    const rows = Array.from({ length: IMPORT_BATCH + 500 }, (_, i) => `W-${i},Aetna,commercial,${i === IMPORT_BATCH + 200 ? '99999' : '41100'},2026-11-02`);
    const r = await refused(d, ['claim_number,payer,payer_kind,cpt,submitted', ...rows].join('\n'));
    expect(r.problems.map((p) => p.line)).toEqual([IMPORT_BATCH + 202]);
    expect(count(d, 'claims')).toBe(0);
    expect(count(d, 'claim_history')).toBe(0);
    // The connection is free again: the same file without the bad row imports.
    expect((await imported(d, ['claim_number,payer,payer_kind,cpt,submitted', ...rows.filter((row) => !row.includes('99999'))].join('\n'))).claims).toBe(IMPORT_BATCH + 499);
  });

  it('imports its own export again: the same claims', async () => {
    const a = db();
    await imported(a, GOOD);
    const exported = (await csvLines(a)).join('\n');
    const b = db();
    expect((await imported(b, exported)).claims).toBe(9);
    expect((await csvLines(b)).join('\n')).toBe(exported);
  });

  it('imports 10,000 rows in one transaction, quickly', async () => {
    const payers = [['Aetna', 'commercial'], ['Medicare', 'medicare'], ['Humana Gold Plus', 'MA'], ['Medicaid', 'medicaid']];
    const statuses = ['open', 'open', 'paid', 'denied', 'partial', 'appealed', 'pended', 'written off', 'rejected', 'closed'];
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const [payer, kind] = payers[i % payers.length]!;
      const status = statuses[i % statuses.length]!;
      const m = (i % 10) + 1;
      const paid = status === 'paid' ? '400' : status === 'partial' ? '100' : '';
      const denied = status === 'denied' || status === 'appealed' || status === 'written off' ? `${m + 1}/2/2026` : '';
      return `CLM-${i},${payer},${kind},"41100 21470",K13.79,"$1,234.56",${paid},${m}/1/2026,${m}/2/2026,${status},${denied ? 'CO-50' : ''},${denied}`;
    });
    const csv = ['claim_number,payer,payer_kind,cpt,dx,billed,paid,dos,submitted_date,status,denial,denied_date', ...rows].join('\r\n');
    const d = db(tempDbPath('medbill-import-'));
    d.db.pragma('temp_store = MEMORY'); // as `medbill claims import` opens it
    const started = performance.now();
    const r = (await imported(d, csv, { newId: undefined }));
    const ms = performance.now() - started;
    console.log(`imported 10,000 rows in ${Math.round(ms)} ms`); // a figure to read, not a limit: speed is the bench's
    expect(r.claims).toBe(10_000);
    expect(count(d, 'claims')).toBe(10_000);
  });
});

describe('bad cells: decimal commas, a file not in UTF-8, identifier columns however they are written', () => {
  it('refuses an amount with a decimal comma by its line, and keeps thousands separators', async () => {
    const d = db();
    const r = await refused(d, 'claim_number,payer,payer_kind,cpt,billed,paid,submitted\nD-1,Aetna,commercial,41100,"650,00",,2026-11-02\nD-2,Aetna,commercial,41100,"1,234.56","1,234",2026-11-02\nD-3,Aetna,commercial,41100,"1.234,56",,2026-11-02\n');
    expect(r.problems).toEqual([
      { line: 2, problems: [expect.stringMatching(/the amount billed \("billed"\) "650,00" is ambiguous: is the comma a decimal point\? write 650\.00/)] },
      { line: 4, problems: [expect.stringMatching(/"1\.234,56" is ambiguous/)] },
    ]);
    expect(count(d, 'claims')).toBe(0);
    await imported(d, 'claim_number,payer,payer_kind,cpt,billed,paid,submitted\nD-2,Aetna,commercial,41100,"1,234.56","1,234",2026-11-02\n');
    expect(d.db.prepare('SELECT billed_cents, paid_cents FROM claims').get()).toEqual({ billed_cents: 123456, paid_cents: 123400 });
  });

  it('reads a file that is not UTF-8 as Windows-1252, and says so', async () => {
    const d = db();
    const latin1 = Buffer.from('claim_number,payer,payer_kind,cpt\nL-1,Caf\xe9 Dental Plan,commercial,41100\n', 'latin1');
    const r = await imported(d, latin1);
    expect(d.db.prepare('SELECT payer FROM claims').get()).toEqual({ payer: 'Café Dental Plan' });
    expect(r.encoding).toBe('Windows-1252');
    expect(describeImport(r)).toContain('Read as Windows-1252: the file is not UTF-8 (check accented names, e.g. the payers\', came out right).');
    // UTF-8 bytes are read as UTF-8, without a note.
    const utf8 = await imported(db(), Buffer.from('claim_number,payer,payer_kind,cpt\nL-1,Café Dental Plan,commercial,41100\n', 'utf8'));
    expect(utf8.encoding).toBeUndefined();
    expect(describeImport(utf8).join('\n')).not.toMatch(/Windows-1252/);
  });

  it.each(['PatientName', 'D.O.B.', 'E-mail', 'BirthDt', 'Resp Party', 'PATIENTNAME', 'MemberID'])('refuses the file for an identifier column written %j, naming it', async (name) => {
    expect(isIdentifierColumn(name)).toBe(true);
    const csv = `${name},payer,payer_kind,cpt\nx,Aetna,commercial,41100\n`;
    await expect(importClaims(await over(db()), csv, options())).rejects.toThrow(new RegExp(`column "${name.replace(/\./g, '\\.')}" looks like it holds patient identifiers`));
  });

  it('reads run-together and dotted column names as the words they are', async () => {
    expect(['PayerName', 'CPTCodes', 'D.O.S.', 'ClaimNo', 'PayerID'].map(normalizeHeader)).toEqual(['payer name', 'cpt codes', 'dos', 'claim number', 'payer id']);
    expect(isIdentifierColumn('PayerID')).toBe(false);
  });
});

describe('the weekly re-import', () => {
  /** Last week's export (GOOD) as this week's: A-1 paid, A-4 paid in full, A-3 as it was, and a new claim A-10. */
  const WEEK2 = GOOD
    .replace('A-1,Aetna,Commercial,41100,K13.79,"$1,234.56",,11/3/2026,11/05/26,Open,,,,', 'A-1,Aetna,Commercial,41100,K13.79,"$1,234.56","$1,234.56",11/3/2026,11/05/26,Paid,,,11/30/2026,')
    .replace('A-4,Cigna,PPO,D7240,k011,980,100,09/15/2026,9/16/2026,Partial,,,10/20/2026,', 'A-4,Cigna,PPO,D7240,k011,980,980,09/15/2026,9/16/2026,Paid,,,11/20/2026,')
    + 'A-10,Aetna,commercial,41100,,700,,2026-11-28,2026-11-30,open,,,,,\r\n';
  const CHAT = { who: 'slack:U1', surface: 'slack' };
  const caseOf = async (d: SqliteStorage, ref: string) => (await csvLines(d)).slice(1).find((l) => l.includes(`,${ref},`))?.split(',')[0] ?? '';

  it('adds the new rows, updates what the file says is newer, leaves the rest, and reports a later change made in medbill', async () => {
    expect(WEEK2).not.toBe(GOOD);
    const d = db();
    await imported(d, GOOD);
    const s = claimService(d, () => NOW);
    // After the file's last date for A-3 (denied 2026-10-01), a biller recorded the appeal in Slack.
    const a3 = await caseOf(d, 'A-3');
    expect((await s.apply(a3, { kind: 'appealed', date: '2026-12-01' }, CHAT)).ok).toBe(true);
    const claimsBefore = count(d, 'claims');
    const historyBefore = count(d, 'claim_history');

    // The dry run prints the plan and writes nothing.
    const dry = await imported(d, WEEK2, { dryRun: true });
    expect([...dry.plan.added].map((p) => p.line)).toEqual([12]);
    expect(dry.plan.updated.map((p) => [p.line, p.reference])).toEqual([[2, 'A-1'], [6, 'A-4']]);
    expect(dry.plan.unchanged).toEqual([4, 7, 8, 9, 10, 11]);
    expect(dry.plan.conflicts.map((p) => [p.line, p.reference, p.caseId])).toEqual([[5, 'A-3', a3]]);
    const text = describeImport(dry);
    expect(text[0]).toBe('Checked 10 rows: 1 new, 2 updated, 6 unchanged, 1 conflict. Nothing was written (--dry-run).');
    expect(text[1]).toMatch(/^ {2}line 2: updated: C-\w{5} \(A-1\) submitted → paid; paid \$1,234\.56, paid on 2026-11-30$/);
    expect(text[2]).toMatch(/^ {2}line 5: conflict: C-\w{5} \(A-3\) medbill recorded "appealed" \(appealed\) on 2026-12-02 from slack, after the file's 2026-10-01; the file says denied: not overwritten/);
    expect(text[3]).toMatch(/^ {2}line 6: updated: C-\w{5} \(A-4\) partly paid → paid; paid \$980, paid on 2026-11-20$/);
    expect(text[4]).toMatch(/^ {2}line 12: new: C-\w{5} \(A-10\) submitted$/);
    expect(text[5]).toBe('  unchanged: lines 4, 7-11');
    expect(count(d, 'claims')).toBe(claimsBefore);
    expect(count(d, 'claim_history')).toBe(historyBefore);

    const r = await imported(d, WEEK2);
    expect(describeImport(r)[0]).toBe('Imported 10 rows: 1 new, 2 updated, 6 unchanged, 1 conflict.');
    expect(count(d, 'claims')).toBe(claimsBefore + 1);
    // Each update is one history entry of the import's, from the status medbill had to the file's.
    const a1 = await caseOf(d, 'A-1');
    expect(await s.get(a1)).toMatchObject({ status: 'paid', paidCents: 123456, paidDate: '2026-11-30' });
    expect((await s.get(a1))?.nextFollowUp).toBeUndefined();
    expect((await s.store.history(a1)).at(-1)).toMatchObject({ action: 'paid', actor: 'cli:import', surface: 'import', fromStatus: 'submitted', toStatus: 'paid' });
    expect(await s.get(await caseOf(d, 'A-4'))).toMatchObject({ status: 'paid', paidCents: 98000, paidDate: '2026-11-20' });
    // The conflict is left as medbill has it.
    expect(await s.get(a3)).toMatchObject({ status: 'appealed' });
    expect((await s.store.history(a3)).at(-1)).toMatchObject({ actor: 'slack:U1', action: 'appealed' });
    expect(count(d, 'claim_history')).toBe(historyBefore + 3);
    // Once more: nothing new, the conflict still reported.
    const again = await imported(d, WEEK2);
    expect([again.plan.added.length, again.plan.updated.length, again.plan.unchanged.length, again.plan.conflicts.length]).toEqual([0, 0, 9, 1]);
  });

  it('matches by the claim number first, else by case id, and updates amounts and dates as well as the status', async () => {
    const d = db();
    await imported(d, 'case_id,claim_number,payer,payer_kind,cpt,billed,submitted\nC-7K3Q9,,Aetna,commercial,41100,650,2026-11-02\n,R-9,Cigna,commercial,41100,500,2026-11-03\n');
    const r = await imported(d, 'case_id,claim_number,payer,payer_kind,cpt,billed,paid,submitted,status,denial,denied_date\nC-7K3Q9,,Aetna,commercial,41100,700,,2026-11-02,open,,\n,R-9,Cigna,commercial,41100,500,,2026-11-03,denied,CO-50,2026-11-25\n');
    expect(r.plan.updated.map((p) => p.line)).toEqual([2, 3]);
    const s = claimService(d);
    expect(await s.get('C-7K3Q9')).toMatchObject({ status: 'submitted', billedCents: 70000 });
    expect((await s.store.history('C-7K3Q9')).at(-1)).toMatchObject({ action: 'imported', surface: 'import', change: { billedCents: 70000 }, before: { billedCents: 65000 } });
    expect(await s.get(await caseOf(d, 'R-9'))).toMatchObject({ status: 'denied', deniedDate: '2026-11-25', denial: { group: 'CO', carc: '50' }, appealDeadline: expect.stringMatching(/^20\d\d-/) });
    expect(count(d, 'claims')).toBe(2);
  });

  it('refuses a row whose claim number is another case than its case id says, and two rows for one claim', async () => {
    const d = db();
    await imported(d, 'case_id,claim_number,payer,payer_kind,cpt\nC-7K3Q9,R-1,Aetna,commercial,41100\nC-7K3Q8,R-2,Aetna,commercial,41100\n');
    const r = await refused(d, 'case_id,claim_number,payer,payer_kind,cpt\nC-7K3Q8,R-1,Aetna,commercial,41100\n,R-2,Aetna,commercial,41100\nC-7K3Q9,,Aetna,commercial,41100\n,R-1x,Aetna,commercial,41100\nC-7K3Q8,,Aetna,commercial,41100\n');
    expect(r.problems).toEqual([
      { line: 2, problems: [expect.stringMatching(/claim number "R-1" is case C-7K3Q9 in medbill, but the case id \("case_id"\) says C-7K3Q8/)] },
      { line: 6, problems: [expect.stringMatching(/case C-7K3Q8 is also on line 2/)] },
    ]);
    // Two rows for one claim: by its claim number on one, by its case id on the other.
    const twice = await refused(d, 'case_id,claim_number,payer,payer_kind,cpt\n,R-2,Aetna,commercial,41100\nC-7K3Q8,,Aetna,commercial,41100\n');
    expect(twice.problems).toEqual([{ line: 3, problems: [expect.stringMatching(/case C-7K3Q8 is also on line 2: one row per claim/)] }]);
  });

  it('records a status the file moves a claim to as that change, so the report counts a records request', async () => {
    const d = db();
    await imported(d, 'claim_number,payer,payer_kind,cpt,submitted\nQ-1,Medicaid,medicaid,E0486,2026-11-02\n');
    await imported(d, 'claim_number,payer,payer_kind,cpt,submitted,status,status_date\nQ-1,Medicaid,medicaid,E0486,2026-11-02,records requested,2026-11-20\n');
    const caseId = await caseOf(d, 'Q-1');
    expect(await claimService(d).get(caseId)).toMatchObject({ status: 'records-requested', recordsDue: expect.stringMatching(/^2026-1[12]-/) });
    expect((await claimService(d).store.history(caseId)).at(-1)).toMatchObject({ action: 'records-requested', fromStatus: 'submitted', surface: 'import' });
    const report = await buildReport(d.claimReports, TODAY, 'America/Chicago', categoryNames(kn), shelf.claims().policy);
    expect(report.byPayer.find((r) => r.key === 'Medicaid')).toMatchObject({ submitted: 1, recordsRequested: 1 });
  });

  it('does not move a claim back from a final status the file is behind on', async () => {
    const d = db();
    await imported(d, 'claim_number,payer,payer_kind,cpt,billed,paid,submitted,status,paid_date\nP-1,Aetna,commercial,41100,650,650,2026-11-02,paid,2026-11-20\n');
    const r = await imported(d, 'claim_number,payer,payer_kind,cpt,billed,paid,submitted,status,paid_date\nP-1,Aetna,commercial,41100,650,,2026-11-02,open,\n');
    expect(r.plan.conflicts).toEqual([expect.objectContaining({ line: 2, what: expect.stringMatching(/medbill has it paid and the file says submitted, which a claim cannot go back to/) })]);
    expect(await claimService(d).get(await caseOf(d, 'P-1'))).toMatchObject({ status: 'paid' });
  });
});

describe('the commands', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'medbill-claims-cli-'));
  const file = (name: string, text: string) => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };
  const good = file('good.csv', GOOD);

  it('claims import prints what was imported; export and report show it', async () => {
    const env = { MEDBILL_DB: tempDbPath('medbill-cli-import-'), MEDBILL_TIME_ZONE: 'America/Chicago' };
    const r = cli(['claims', 'import', good], undefined, env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Imported 9 claims \(7 open, \$6,214\.56 outstanding\)\.\nBy status: 2 not submitted, 1 submitted, 1 records requested, 2 paid, 1 partly paid, 1 denied, 1 appealed\.\nNot read \(medbill does not use it\): Notes\.\n$/);

    const exported = cli(['claims', 'export'], undefined, env);
    expect(exported.code).toBe(0);
    const lines = exported.out.trim().split('\n');
    expect(lines[0]).toMatch(/^case_id,claim_number,payer,payer_kind,/);
    expect(lines).toHaveLength(10);
    expect(lines.find((l) => l.includes(',A-3,'))).toMatch(/Humana Gold Plus,medicare-advantage,medical,biopsy,41100,,650\.00,,2026-09-01,2026-09-03,denied,.*CO-50/);
    // The export imports again into an empty database.
    const again = cli(['claims', 'import', file('export.csv', exported.out)], undefined, { ...env, MEDBILL_DB: tempDbPath('medbill-cli-again-') });
    expect(again.out).toMatch(/^Imported 9 claims/);
    // …and into the same one again as nothing new: every claim number is already there, unchanged.
    const twice = cli(['claims', 'import', good], undefined, env);
    expect(twice.err).toBe('');
    expect(twice.code).toBe(0);
    expect(twice.out).toMatch(/^Imported 9 rows: 0 new, 0 updated, 9 unchanged, 0 conflicts\.\n {2}unchanged: lines 2, 4-11\n/);

    const report = cli(['report'], undefined, env);
    expect(report.code).toBe(0);
    expect(report.out).toMatch(/^Claims report as of \d{4}-\d{2}-\d{2}\./);
    expect(report.out).toMatch(/A\/R aging: outstanding by payer and days since submission:\n {2}Payer +0-30 days +31-60 days +61-90 days +90\+ days\n/);
    for (const payer of ['Aetna', 'Humana Gold Plus', 'Medicaid', 'BCBS', 'Cigna']) expect(report.out).toMatch(new RegExp(`\\n {2}${payer} +\\S`));
    expect(report.out).toMatch(/By payer \(claims submitted in the last 12 months\):/);
    // The two claims not submitted (A-5 rejected, A-8 never sent) are listed apart with their claim numbers, against Aetna's 90 days.
    expect(report.out).toMatch(/\nNot submitted yet: 2 claims, \$1,300 billed, against the timely-filing limit from the date of service:\n {2}Claim .*\n {2}C-[A-Z0-9]{5} \(A-5\) +Aetna +Biopsy of an oral lesion +\$650 +2026-11-20 +\d+ +90 days +2027-02-18 +(?:\d+|late by \d+)\n {2}C-[A-Z0-9]{5} \(A-8\) +Aetna +Biopsy of an oral lesion +\$650 +2026-11-25 +\d+ +90 days +2027-02-23 +(?:\d+|late by \d+)\n/);

    const csv = cli(['report', '--csv'], undefined, env);
    expect(csv.code).toBe(0);
    expect(csv.out).toMatch(/^Month: \w+ \d{4} \(as of \d{4}-\d{2}-\d{2}\)\nmonth,recovered,paid_claims,/);
    expect(csv.out).toMatch(/\nA\/R aging: outstanding by payer and days since submission\npayer,days,claims,outstanding\n/);
    expect(csv.out).toMatch(/\nHumana Gold Plus,\d+-?\d*\+?,1,650\.00\n/);
    expect(csv.out).toMatch(/\nBy payer \(claims submitted in the last 12 months\)\npayer,submitted,paid,paid_rate,denied,records_requested,avg_days_to_pay\n/);
    expect(csv.out).toMatch(/\nC-[A-Z0-9]{5},A-8,Aetna,commercial,Biopsy of an oral lesion,650\.00,2026-11-25,\d+,90 days,2027-02-23,-?\d+\n/);
    const sections = await parseCsv(csv.out);
    expect(sections.every((r) => r.fields.length >= 1)).toBe(true);

    const png = join(tmp, 'aging.png');
    const chart = cli(['report', '--chart', png], undefined, env);
    expect(chart.code).toBe(0);
    expect(chart.err).toMatch(/chart written to/);
    const bytes = readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(statSync(png).size).toBeGreaterThan(1024);
    const svg = join(tmp, 'aging.svg');
    expect(cli(['report', '--csv', '--chart', svg], undefined, env).code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*Humana Gold Plus[\s\S]*<\/svg>\s*$/);
  });

  it('claims import lists the bad rows on stderr, exits 2 and imports nothing', async () => {
    const env = { MEDBILL_DB: tempDbPath('medbill-cli-bad-') };
    const bad = file('bad.csv', 'claim_number,payer,payer_kind,cpt\nA-1,Aetna,commercial,41100\nA-2,Aetna,commercial,99999\nA-3,Aetna,,41100\n');
    const r = cli(['claims', 'import', bad], undefined, env);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^medbill: nothing was imported: 2 rows of 3 cannot be imported\.\n {2}line 3: procedure code 99999 .*\n {2}line 4: the plan type is not given/);
    expect(cli(['claims', 'export'], undefined, env).out.trim().split('\n')).toHaveLength(1);
  });

  it('claims import reads a Windows-1252 file with a note', async () => {
    const env = { MEDBILL_DB: tempDbPath('medbill-cli-latin1-') };
    const path = join(tmp, 'latin1.csv');
    writeFileSync(path, Buffer.from('claim_number,payer,payer_kind,cpt\nL-1,Caf\xe9 Dental Plan,commercial,41100\n', 'latin1'));
    const r = cli(['claims', 'import', path], undefined, env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nRead as Windows-1252: the file is not UTF-8/);
    expect(cli(['claims', 'export'], undefined, env).out).toMatch(/,L-1,Café Dental Plan,/);
  });

  it('claims import refuses a patient-name column, exit 2', async () => {
    const r = cli(['claims', 'import', file('names.csv', 'Patient Name,Payer,CPT\nJane Roe,Aetna,41100\n')], undefined, { MEDBILL_DB: tempDbPath() });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/column "Patient Name" looks like it holds patient identifiers/);
    expect(r.err).not.toMatch(/Jane/);
    const ok = cli(['claims', 'import', file('names.csv', 'Patient Name,Payer,CPT\nJane Roe,Aetna,41100\n'), '--ignore-column', 'Patient Name', '--payer-kind', 'commercial'], undefined, { MEDBILL_DB: tempDbPath() });
    expect(ok.out).toMatch(/^Imported 1 claim \(1 open, \$0 outstanding\)\.\nBy status: 1 not submitted\.\nDropped unread: Patient Name\.\n$/);
  });

  it('claims import streams a large file: 30,000 rows in a process whose heap is capped at 48 MB', async () => {
    // The whole file, every parsed row and every planned write were held at once before (200,000 rows peaked at
    // about 1 GiB): this ran out of memory. Now a batch of rows is in memory at a time.
    const rows = Array.from({ length: 30_000 }, (_, i) => {
      const m = (i % 9) + 1;
      return `M-${i},Aetna,commercial,"41100 21470",K13.79,"$1,234.56",${i % 3 === 0 ? '400' : ''},${m}/1/2026,${m}/2/2026,${i % 3 === 0 ? 'paid' : 'open'}`;
    });
    const path = file('large.csv', ['claim_number,payer,payer_kind,cpt,dx,billed,paid,dos,submitted_date,status', ...rows].join('\r\n') + '\r\n');
    const db = tempDbPath('medbill-cli-large-');
    const r = spawnSync(process.execPath, ['--max-old-space-size=48', join(ROOT, 'bin/medbill.js'), 'claims', 'import', path], {
      encoding: 'utf8', env: { ...process.env, MEDBILL_DB: db, MEDBILL_LOG: 'silent' }, timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Imported 30,000 claims \(20,000 open, /);
    expect(cli(['claims', 'export'], undefined, { MEDBILL_DB: db }).out.trim().split('\n')).toHaveLength(30_001);
  }, 180_000);

  it('claims import --dry-run writes nothing (and creates no database)', async () => {
    const path = tempDbPath('medbill-cli-dry-');
    const r = cli(['claims', 'import', good, '--dry-run'], undefined, { MEDBILL_DB: path });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Checked 9 claims: all can be imported .* Nothing was written \(--dry-run\)\./);
    expect(existsSync(path)).toBe(false);
    cli(['claims', 'import', file('one.csv', 'payer,payer_kind,cpt\nAetna,commercial,41100\n')], undefined, { MEDBILL_DB: path });
    expect(cli(['claims', 'import', good, '--dry-run'], undefined, { MEDBILL_DB: path }).code).toBe(0);
    expect(cli(['claims', 'export'], undefined, { MEDBILL_DB: path }).out.trim().split('\n')).toHaveLength(2);
  });

  it('report on an empty database says there is nothing yet, and draws no chart', async () => {
    const path = tempDbPath('medbill-cli-empty-');
    const png = join(tmp, 'empty.png');
    const r = cli(['report', '--chart', png], undefined, { MEDBILL_DB: path });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^No claims to report on yet\./);
    expect(r.err).toMatch(/no aging chart to draw/);
    expect(existsSync(png)).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(cli(['claims', 'export'], undefined, { MEDBILL_DB: path }).out).toMatch(/^case_id,claim_number,[a-z_,]+\n$/);
  });

  it('has help, and exit 2 for bad arguments', async () => {
    expect(cli(['claims', '--help']).out).toMatch(/Usage: medbill claims import FILE\.csv[\s\S]*payer_kind[\s\S]*rejected/);
    expect(cli(['help', 'report']).out).toMatch(/Usage: medbill report \[--csv\] \[--chart FILE\.png\|FILE\.svg\]/);
    expect(cli(['--help']).out).toMatch(/medbill claims import FILE\.csv[\s\S]*medbill report/);
    for (const args of [['claims'], ['claims', 'import'], ['claims', 'import', 'a.csv', 'b.csv'], ['claims', 'import', good, '--payer-kind', 'aetna'], ['claims', 'import', good, '--frob'], ['claims', 'export', 'x'], ['report', '--chart', 'x.gif'], ['report', '--pdf']]) {
      const r = cli(args, undefined, { MEDBILL_DB: tempDbPath() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/^medbill: /);
    }
    expect(cli(['claims', 'import', join(tmp, 'nope.csv')]).err).toMatch(/file not found/);
  });
});
