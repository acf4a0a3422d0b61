/**
 * The CMS-1500 a claim goes out on: the PDF read back with pdfjs-dist, the text found in each box of the layout
 * table (by where it sits), checked against what medbill filled: item 21's diagnoses, 24A–J per line, 22, 23, 17,
 * 28. Identifier boxes hold bracketed placeholders and nothing else; no value lies outside a box. A diagnosis
 * not billable on the date of service is refused, not printed.
 */
import { describe, expect, it } from 'vitest';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { claimFormPdf, fillClaimForm, requestFromCase, requestFromClaim, resubmissionOf, PLACEHOLDERS, type ClaimFormRequest } from '../../../src/claims/claim-form.js';
import { CMS1500_BOXES, PAGE, valueOrigin, VALUE_SIZE, type FormBox } from '../../../src/claims/cms1500.js';
import type { Claim, HistoryEntry } from '../../../src/store/claim.js';
import { NO_DIRECTORY } from '../../../src/knowledge/evidence.js';
import { kn, TEST_TODAY } from '../../helpers.js';
import { pdfText, type TextPiece } from '../../support/pdf-text.js';

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const inside = (b: FormBox, p: TextPiece) => p.x >= b.x - 0.01 && p.x < b.x + b.w && p.y >= b.y && p.y < b.y + b.h;

/** The values printed on the page, box by box (value-size text only: the printed labels are smaller). */
async function readBoxes(pdf: Uint8Array) {
  const { pages, pieces } = await pdfText(pdf);
  const values = pieces.filter((p) => Math.abs(p.size - VALUE_SIZE) < 0.01);
  const boxes = new Map<string, TextPiece[]>();
  const outside: TextPiece[] = [];
  for (const p of values) {
    const b = CMS1500_BOXES.find((x) => !x.heading && inside(x, p));
    if (!b) outside.push(p);
    else boxes.set(b.id, [...(boxes.get(b.id) ?? []), p]);
  }
  const text = (id: string) => squash((boxes.get(id) ?? []).sort((a, b) => a.x - b.x).map((p) => p.text).join(' '));
  return { pages, boxes, outside, text };
}

const claim = (over: Partial<Claim> = {}): Claim => ({
  caseId: 'C-7K3Q9', payer: 'Noridian Medicare', payerKind: 'medicare', lane: 'medical', procedures: ['E0486-KX'], diagnoses: ['G47.33'],
  billedCents: 185_000, serviceDate: '2026-11-14', submittedDate: '2026-11-16', authNumber: 'PA-55812', reference: 'CLM-1001', status: 'submitted',
  createdAt: 1, updatedAt: 1, version: 3, ...over,
});
const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({ at: 1, actor: 'slack:U1', surface: 'slack', action: 'submitted', toStatus: 'submitted', change: {}, ...over });
const resubmitted: HistoryEntry[] = [
  entry({ id: 1, action: 'created', toStatus: 'submitted' }),
  entry({ id: 2, action: 'denied', fromStatus: 'submitted', toStatus: 'denied' }),
  entry({ id: 3, action: 'submitted', fromStatus: 'denied', toStatus: 'submitted' }),
];

describe('the CMS-1500 of a claim', () => {
  it('prints every box it fills where the layout puts it: 21, 24A–J, 22, 23, 17, 28, item 1 and the payer', async () => {
    const request = requestFromClaim(claim(), resubmitted);
    const made = await claimFormPdf(request, kn, TEST_TODAY);
    if (!made.ok) throw new Error(made.problem);
    expect(made.filename).toBe('CMS1500-C-7K3Q9.pdf');
    expect(Buffer.from(made.pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const read = await readBoxes(made.pdf);
    expect(read.pages).toBe(1);
    expect(read.outside).toEqual([]);

    expect(read.text('21.ind')).toBe('0');
    expect(read.text('21A')).toBe('G47.33');
    expect(read.text('21B')).toBe('');
    expect(read.text('24A.1')).toBe('11 14 26 11 14 26');
    expect(read.text('24B.1')).toBe('11');
    expect(read.text('24D.1')).toBe('E0486 KX');
    expect(read.text('24E.1')).toBe('A');
    expect(read.text('24F.1')).toBe('1850 00'); // one line: its charge is the total
    expect(read.text('24G.1')).toBe('1');
    expect(read.text('24J.1')).toBe('[NPI]');
    expect(read.text('24D.2')).toBe('');
    expect(read.text('22.code')).toBe('7');
    expect(read.text('22.ref')).toBe('CLM-1001');
    expect(read.text('23')).toBe('PA-55812');
    expect(read.text('17')).toBe('DK [ORDERING PHYSICIAN]');
    expect(read.text('17b')).toBe('[NPI]');
    expect(read.text('28')).toBe('1850 00');
    expect(read.text('1.medicare')).toBe('X');
    expect(read.text('1.group')).toBe('');
    expect(read.text('carrier')).toBe('Noridian Medicare');
    expect(read.text('11c')).toBe('Noridian Medicare');

    // Every box filled reads back as filled, its first character where the layout says; nothing else is printed.
    const form = fillClaimForm(request, kn, TEST_TODAY);
    if (!form.ok) throw new Error(form.problem);
    for (const [id, value] of form.values) {
      expect(read.text(id), id).toBe(squash(value));
      const b = CMS1500_BOXES.find((x) => x.id === id);
      const first = (read.boxes.get(id) ?? []).sort((a, c) => a.x - c.x)[0];
      if (!b || !first) throw new Error(`box ${id} is empty`);
      const width = (read.boxes.get(id) ?? []).reduce((w, p) => Math.max(w, p.x + p.width), 0) - first.x;
      expect(first.x, id).toBeCloseTo(valueOrigin(b, width).x, 0);
      expect(first.y, id).toBeCloseTo(b.y + 3, 1);
    }
    expect([...read.boxes.keys()].sort()).toEqual([...form.values.keys()].sort());
  });

  it('carries its fonts: every font in the PDF is embedded (a TrueType font file), none only named', async () => {
    const made = await claimFormPdf(requestFromClaim(claim(), resubmitted), kn, TEST_TODAY);
    if (!made.ok) throw new Error(made.problem);
    const doc = await PDFDocument.load(made.pdf);
    const dicts = doc.context.enumerateIndirectObjects().map(([, o]) => o).filter((o): o is PDFDict => o instanceof PDFDict);
    const fonts = dicts.filter((d) => d.get(PDFName.of('Type')) === PDFName.of('Font') && d.get(PDFName.of('Subtype')) !== PDFName.of('Type0'));
    expect(fonts.length).toBeGreaterThan(0);
    const descriptors = dicts.filter((d) => d.get(PDFName.of('Type')) === PDFName.of('FontDescriptor'));
    expect(descriptors.length).toBe(fonts.length);
    for (const d of descriptors) expect(d.get(PDFName.of('FontFile2')), 'an embedded TrueType file').toBeDefined();
  });

  it('holds no identifier: the patient, insured, provider and signature boxes are bracketed placeholders', async () => {
    const made = await claimFormPdf(requestFromClaim(claim(), []), kn, TEST_TODAY);
    if (!made.ok) throw new Error(made.problem);
    const read = await readBoxes(made.pdf);
    const identifierBoxes = ['1a', '2', '3', '4', '5', '7', '11', '11a', '12', '13', '25', '26', '31', '31.date', '32', '32a', '33', '33a', '24J.1'];
    for (const id of identifierBoxes) {
      expect(read.text(id), id).toMatch(/^(?:\[[A-Z .,/]+\]\s*)+$/);
    }
    expect(Object.keys(PLACEHOLDERS).every((id) => CMS1500_BOXES.some((b) => b.id === id))).toBe(true);
    // Not a corrected claim: item 22 is empty. Every box lies on the page.
    expect(read.text('22.code')).toBe('');
    expect(CMS1500_BOXES.every((b) => b.x >= 0 && b.y >= 0 && b.x + b.w <= PAGE.width && b.y + b.h <= PAGE.height)).toBe(true);
  });

  it('fills twelve diagnoses A–L and one line per procedure, modifiers beside the code, pointers A–D, charges only in 28', async () => {
    const diagnoses = ['S02.600A', 'S02.650A', 'S02.66XA', 'S02.670A', 'S02.69XA', 'S03.00XA', 'S03.01XA', 'S01.511A', 'S01.512A', 'K08.3', 'K01.1', 'K04.7'];
    const request: ClaimFormRequest = {
      caseId: 'C-2FRXM', payer: 'Aetna', payerKind: 'commercial', procedures: ['21453-RT', '21480-LT', 'D7140-GY'], diagnoses, serviceDate: '2026-10-20',
      billedCents: 320_050, placeOfService: { code: '22', words: 'outpatient hospital' }, from: 'claim',
    };
    const made = await claimFormPdf(request, kn, TEST_TODAY);
    if (!made.ok) throw new Error(made.problem);
    const read = await readBoxes(made.pdf);
    expect(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'].map((l) => read.text(`21${l}`))).toEqual(diagnoses);
    expect([1, 2, 3].map((n) => read.text(`24D.${n}`))).toEqual(['21453 RT', '21480 LT', 'D7140 GY']);
    expect([1, 2, 3].map((n) => read.text(`24E.${n}`))).toEqual(['ABCD', 'ABCD', 'ABCD']);
    expect([1, 2, 3].map((n) => read.text(`24B.${n}`))).toEqual(['22', '22', '22']);
    expect([1, 2, 3].map((n) => read.text(`24A.${n}`))).toEqual(Array(3).fill('10 20 26 10 20 26'));
    expect([1, 2, 3].map((n) => read.text(`24F.${n}`))).toEqual(['', '', '']);
    expect(read.text('24D.4')).toBe('');
    expect(read.text('28')).toBe('3200 50');
    expect(read.text('1.group')).toBe('X');
    expect(read.text('17')).toBe(''); // no DME item: no ordering physician
    expect(read.text('23')).toBe('');
    expect(made.checks.join('\n')).toMatch(/line charges \(24F\): only the total/);
  });

  it('cuts a payer name longer than its box to fit, whatever its letters, and takes an authorization number that fills item 23', async () => {
    const wide = 'W'.repeat(57);
    const room23 = 'M'.repeat(20);
    const made = await claimFormPdf(requestFromClaim(claim({ payer: wide, authNumber: room23 }), resubmitted), kn, TEST_TODAY);
    if (!made.ok) throw new Error(made.problem);
    const read = await readBoxes(made.pdf);
    expect(read.outside).toEqual([]);
    expect(read.text('carrier')).toMatch(/^W+~$/);
    expect(read.text('23')).toBe(room23);
  });

  it('refuses a diagnosis that is not billable on the date of service, naming why, instead of printing it', async () => {
    const base = requestFromClaim(claim({ procedures: ['41899'], diagnoses: ['J34.830'], serviceDate: '2026-09-30' }), []);
    const refused = await claimFormPdf(base, kn, TEST_TODAY);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problem).toMatch(/J34\.830 .*not a valid ICD-10-CM code for a service on 2026-09-30 \(FY2026\): it is new in FY2027/);
    expect((await claimFormPdf({ ...base, serviceDate: '2026-10-01' }, kn, TEST_TODAY)).ok).toBe(true);
    const header = await claimFormPdf({ ...base, diagnoses: ['K08'], serviceDate: '2026-11-01' }, kn, TEST_TODAY);
    expect(!header.ok && header.problem).toMatch(/K08.*header/);
  });

  it('refuses what one page cannot hold and what is not a code', async () => {
    const base = requestFromClaim(claim(), []);
    const tooMany = await claimFormPdf({ ...base, procedures: ['41899', '41899', '41899', '41899', '41899', '41899', '41899'] }, kn, TEST_TODAY);
    expect(!tooMany.ok && tooMany.problem).toMatch(/7 procedures; a CMS-1500 takes 6 service lines/);
    const thirteen = await claimFormPdf({ ...base, diagnoses: Array(13).fill('G47.33') }, kn, TEST_TODAY);
    expect(!thirteen.ok && thirteen.problem).toMatch(/13 diagnoses; item 21 takes 12/);
    const notCode = await claimFormPdf({ ...base, procedures: ['E0486-KXX'] }, kn, TEST_TODAY);
    expect(!notCode.ok && notCode.problem).toMatch(/KXX \(on E0486\) is not a modifier/);
    const none = await claimFormPdf({ ...base, diagnoses: [] }, kn, TEST_TODAY);
    expect(!none.ok && none.problem).toMatch(/no diagnosis codes/);
  });

  it('reads a corrected claim from the history: denied then submitted again, not taken back; the original number as it was', () => {
    expect(resubmissionOf(claim(), [])).toBeUndefined();
    expect(resubmissionOf(claim(), resubmitted)).toEqual({ reference: 'CLM-1001' });
    const renumbered = [...resubmitted.slice(0, 2), entry({ id: 3, fromStatus: 'denied', toStatus: 'submitted', before: { reference: 'CLM-0999' } })];
    expect(resubmissionOf(claim(), renumbered)).toEqual({ reference: 'CLM-0999' });
    const undone = [...resubmitted, entry({ id: 4, action: 'undone', fromStatus: 'submitted', toStatus: 'denied', reverts: 3 })];
    expect(resubmissionOf(claim({ status: 'denied' }), undone)).toBeUndefined();
    expect(resubmissionOf(claim({ reference: undefined }), resubmitted)).toEqual({});
  });

  it('prints a case with no claim yet from its answer: the medical codes, no charges, place of service from its words', async () => {
    const facts = { procedure: 'E0486', cause: 'sleep-apnea' as const, diagnoses: ['G47.33'], coverage: { medical: true, medicalPayer: 'medicare' as const }, notes: 'oral appliance, delivered in the hospital sleep clinic' };
    const request = requestFromCase('C-3MNPQ', facts, kn, NO_DIRECTORY, TEST_TODAY);
    expect(request).toMatchObject({ procedures: ['E0486'], diagnoses: ['G47.33'], payerKind: 'medicare', placeOfService: { code: '22' }, from: 'case' });
    const made = await claimFormPdf(request, kn, TEST_TODAY);
    if (!made.ok) throw new Error(made.problem);
    const read = await readBoxes(made.pdf);
    expect(read.text('24D.1')).toBe('E0486');
    expect(read.text('24A.1')).toBe(''); // no date of service given
    expect(read.text('28')).toBe('');
    expect(read.text('carrier')).toBe('[PAYER NAME]');
    expect(made.checks.join('\n')).toMatch(/modifiers \(24D\): none recorded/);
  });
});
