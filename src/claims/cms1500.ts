/**
 * The CMS-1500 (02/12) health insurance claim form drawn on one US Letter page (612 × 792 points, origin at the
 * bottom left), with pdf-lib: every box's outline and its printed label, and the values handed in, each in its
 * box. The boxes are one data table (CMS1500_BOXES), so what draws a value and what reads it back (the test)
 * agree on where it is. The layout follows the form's order and proportions (the upper part in three columns,
 * box 21's twelve diagnoses, six service lines under 24, the totals and signatures at the foot); it is drawn in
 * black, not the red OCR print a scanning payer wants, so it is the sheet the office completes and keys from.
 */
import { readFileSync } from 'node:fs';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { FONT_FILES } from '../fonts.js';

/** A box of the form: its number as the NUCC instructions name it ("24D.3": line 3 of 24D), its label, and where it is. */
export interface FormBox {
  id: string;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Drawn as a shaded band (24's supplemental lines). */
  shaded?: boolean;
  /** A heading only: it takes no value. */
  heading?: boolean;
  /** The value's place in the box: left (default), right (amounts) or centred (a check mark, a pointer). */
  align?: 'left' | 'right' | 'center';
  /** A one-line box (a diagnosis, the ICD indicator) has its label on the value's line, and the value this far in. */
  inset?: number;
}

export const PAGE = { width: 612, height: 792 } as const;
/**
 * Values are printed at 9 points in DejaVu Sans Mono, every character 1233/2048 em wide (as typed forms are,
 * counted in characters): a box's room is a number of characters (`valueRoom`), and a value longer than its
 * box is refused, not printed over the next one.
 */
export const VALUE_SIZE = 9;
const VALUE_ADVANCE = (1233 / 2048) * VALUE_SIZE;
export const LABEL_SIZE = 5;
/** Where a value sits: this far in from the box's left (or right) edge, and its baseline this far above its bottom. */
export const VALUE_INSET = { x: 3, y: 3 } as const;

const L = 22; // the form's left edge
const R = 590; // its right edge
const COL_B = 248; // the upper part's middle column (boxes 3, 6, 8, 10)
const COL_C = 370; // the insured's column (boxes 1a, 4, 7, 11)

const box = (id: string, label: string, x: number, y: number, w: number, h: number, extra: Partial<FormBox> = {}): FormBox => ({ id, label, x, y, w, h, ...extra });

/** Box 1's kinds of insurance, each a square to mark with X. */
export const INSURANCE_KINDS = ['medicare', 'medicaid', 'tricare', 'champva', 'group', 'feca', 'other'] as const;
export type InsuranceKind = (typeof INSURANCE_KINDS)[number];
const KIND_LABELS: Record<InsuranceKind, string> = {
  medicare: 'MEDICARE', medicaid: 'MEDICAID', tricare: 'TRICARE', champva: 'CHAMPVA', group: 'GROUP HEALTH PLAN', feca: 'FECA BLK LUNG', other: 'OTHER',
};

/** The six service lines of item 24: each a shaded supplemental band over the line itself. */
export const SERVICE_LINES = 6;
const LINE_TOP = 300; // the top of line 1 (under item 24's column headings)
const LINE_H = 24;
/** Item 24's columns: [suffix, heading, x, width, align]. */
const LINE_COLUMNS: [string, string, number, number, FormBox['align']][] = [
  ['A', '24. A. DATE(S) OF SERVICE\nFrom MM DD YY   To MM DD YY', L, 108, 'left'],
  ['B', 'B.\nPLACE OF\nSERVICE', 130, 24, 'center'],
  ['C', 'C.\nEMG', 154, 20, 'center'],
  ['D', 'D. PROCEDURES, SERVICES, OR SUPPLIES\n(Explain Unusual Circumstances)\nCPT/HCPCS          MODIFIER', 174, 126, 'left'],
  ['E', 'E.\nDIAGNOSIS\nPOINTER', 300, 40, 'center'],
  ['F', 'F.\n\n$ CHARGES', 340, 70, 'right'],
  ['G', 'G.\nDAYS OR\nUNITS', 410, 30, 'center'],
  ['H', 'H.\nEPSDT\nFamily Plan', 440, 22, 'center'],
  ['I', 'I.\nID.\nQUAL.', 462, 22, 'center'],
  ['J', 'J.\nRENDERING\nPROVIDER ID. #', 484, R - 484, 'left'],
];

function serviceLineBoxes(): FormBox[] {
  const out: FormBox[] = LINE_COLUMNS.map(([c, heading, x, w]) => box(`24${c}.head`, heading, x, LINE_TOP, w, 22, { heading: true }));
  for (let n = 1; n <= SERVICE_LINES; n++) {
    const bottom = LINE_TOP - n * LINE_H;
    out.push(box(`24.${n}.supplemental`, '', L, bottom + LINE_H / 2, R - L, LINE_H / 2, { shaded: true, heading: true }));
    for (const [c, , x, w, align] of LINE_COLUMNS) out.push(box(`24${c}.${n}`, '', x, bottom, w, LINE_H / 2, { align }));
  }
  return out;
}

/** Box 21's twelve diagnoses, A to L, four to a row. */
export const DIAGNOSIS_LETTERS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'] as const;
function diagnosisBoxes(): FormBox[] {
  const w = (COL_C - L) / 4;
  return DIAGNOSIS_LETTERS.map((letter, i) => box(`21${letter}`, `${letter}.`, L + (i % 4) * w, 348 - Math.floor(i / 4) * 12, w, 12, { inset: 10 }));
}

/**
 * Every box of the form, top to bottom, left to right. y is the box's bottom edge. Items the NUCC reserves or
 * that medbill never fills are drawn too, so the page reads as the form it is.
 */
export const CMS1500_BOXES: readonly FormBox[] = [
  box('carrier', 'CARRIER: NAME', COL_C, 747, R - COL_C, 23),
  box('carrier.address', 'ADDRESS', COL_C, 724, R - COL_C, 23),
  ...INSURANCE_KINDS.map((k, i) => box(`1.${k}`, i === 0 ? `1. ${KIND_LABELS[k]}` : KIND_LABELS[k], L + i * ((COL_C - L) / 7), 690, (COL_C - L) / 7, 24, { align: 'center' })),
  box('1a', "1a. INSURED'S I.D. NUMBER (For Program in Item 1)", COL_C, 690, R - COL_C, 24),
  box('2', "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", L, 666, COL_B - L, 24),
  box('3', "3. PATIENT'S BIRTH DATE  MM DD YY   SEX", COL_B, 666, COL_C - COL_B, 24),
  box('4', "4. INSURED'S NAME (Last Name, First Name, Middle Initial)", COL_C, 666, R - COL_C, 24),
  box('5', "5. PATIENT'S ADDRESS (No., Street)  CITY  STATE  ZIP CODE  TELEPHONE", L, 594, COL_B - L, 72),
  box('6', '6. PATIENT RELATIONSHIP TO INSURED\nSelf   Spouse   Child   Other', COL_B, 642, COL_C - COL_B, 24),
  box('8', '8. RESERVED FOR NUCC USE', COL_B, 594, COL_C - COL_B, 48),
  box('7', "7. INSURED'S ADDRESS (No., Street)  CITY  STATE  ZIP CODE  TELEPHONE", COL_C, 594, R - COL_C, 72),
  box('9', "9. OTHER INSURED'S NAME (Last Name, First Name, Middle Initial)", L, 570, COL_B - L, 24),
  box('10', "10. IS PATIENT'S CONDITION RELATED TO:", COL_B, 570, COL_C - COL_B, 24, { heading: true }),
  box('11', "11. INSURED'S POLICY GROUP OR FECA NUMBER", COL_C, 570, R - COL_C, 24),
  box('9a', "a. OTHER INSURED'S POLICY OR GROUP NUMBER", L, 546, COL_B - L, 24),
  box('10a', 'a. EMPLOYMENT? (Current or Previous)\nYES   NO', COL_B, 546, COL_C - COL_B, 24),
  box('11a', "a. INSURED'S DATE OF BIRTH  MM DD YY   SEX", COL_C, 546, R - COL_C, 24),
  box('9b', 'b. RESERVED FOR NUCC USE', L, 522, COL_B - L, 24),
  box('10b', 'b. AUTO ACCIDENT?   PLACE (State)\nYES   NO', COL_B, 522, COL_C - COL_B, 24),
  box('11b', 'b. OTHER CLAIM ID (Designated by NUCC)', COL_C, 522, R - COL_C, 24),
  box('9c', 'c. RESERVED FOR NUCC USE', L, 498, COL_B - L, 24),
  box('10c', 'c. OTHER ACCIDENT?\nYES   NO', COL_B, 498, COL_C - COL_B, 24),
  box('11c', 'c. INSURANCE PLAN NAME OR PROGRAM NAME', COL_C, 498, R - COL_C, 24),
  box('9d', 'd. INSURANCE PLAN NAME OR PROGRAM NAME', L, 474, COL_B - L, 24),
  box('10d', '10d. CLAIM CODES (Designated by NUCC)', COL_B, 474, COL_C - COL_B, 24),
  box('11d', 'd. IS THERE ANOTHER HEALTH BENEFIT PLAN?  YES NO', COL_C, 474, R - COL_C, 24),
  box('12', "12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE  SIGNED  DATE", L, 444, 305 - L, 30),
  box('13', "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE  SIGNED", 305, 444, R - 305, 30),
  box('14', '14. DATE OF CURRENT ILLNESS, INJURY, or\nPREGNANCY (LMP)   QUAL.', L, 420, 200 - L, 24),
  box('15', '15. OTHER DATE  QUAL.  MM DD YY', 200, 420, COL_C - 200, 24),
  box('16', '16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION', COL_C, 420, R - COL_C, 24),
  box('17', '17. NAME OF REFERRING PROVIDER OR OTHER SOURCE', L, 396, COL_B - L, 24),
  box('17a', '17a.', COL_B, 396, 305 - COL_B, 24),
  box('17b', '17b. NPI', 305, 396, COL_C - 305, 24),
  box('18', '18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES', COL_C, 396, R - COL_C, 24),
  box('19', '19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)', L, 372, COL_C - L, 24),
  box('20', '20. OUTSIDE LAB?  $ CHARGES', COL_C, 372, R - COL_C, 24),
  box('21', '21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)', L, 322, COL_C - L, 50, { heading: true }),
  box('21.ind', 'ICD Ind.', 328, 360, 42, 12, { inset: 24 }),
  ...diagnosisBoxes(),
  box('22.code', '22. RESUBMISSION CODE', COL_C, 348, 80, 24),
  box('22.ref', 'ORIGINAL REF. NO.', COL_C + 80, 348, R - COL_C - 80, 24),
  box('23', '23. PRIOR AUTHORIZATION NUMBER', COL_C, 322, R - COL_C, 26),
  ...serviceLineBoxes(),
  box('25', '25. FEDERAL TAX I.D. NUMBER  SSN EIN', L, 126, 200 - L, 30),
  box('26', "26. PATIENT'S ACCOUNT NO.", 200, 126, 330 - 200, 30),
  box('27', '27. ACCEPT ASSIGNMENT?\nYES   NO', 330, 126, 410 - 330, 30),
  box('28', '28. TOTAL CHARGE', 410, 126, 480 - 410, 30, { align: 'right' }),
  box('29', '29. AMOUNT PAID', 480, 126, 540 - 480, 30, { align: 'right' }),
  box('30', '30. Rsvd for\nNUCC Use', 540, 126, R - 540, 30),
  box('31', '31. SIGNATURE OF PHYSICIAN OR SUPPLIER\nINCLUDING DEGREES OR CREDENTIALS', L, 76, 200 - L, 50),
  box('32', '32. SERVICE FACILITY LOCATION INFORMATION', 200, 76, 380 - 200, 50),
  box('33', '33. BILLING PROVIDER INFO & PH #', 380, 76, R - 380, 50),
  box('31.date', 'DATE', L, 60, 200 - L, 16, { inset: 18 }),
  box('32a', 'a. NPI', 200, 60, 90, 16, { inset: 18 }),
  box('32b', 'b.', 290, 60, 90, 16, { inset: 8 }),
  box('33a', 'a. NPI', 380, 60, 105, 16, { inset: 18 }),
  box('33b', 'b.', 485, 60, R - 485, 16, { inset: 8 }),
];

const BY_ID = new Map(CMS1500_BOXES.map((b) => [b.id, b]));

/** A box by its id; an id not in the table is a bug in the caller, not input. */
export function formBox(id: string): FormBox {
  const b = BY_ID.get(id);
  if (!b) throw new Error(`the CMS-1500 has no box "${id}"`);
  return b;
}

/** The width a value may take in a box, in points, inside its insets. */
const roomIn = (b: FormBox): number => b.w - (b.inset ?? VALUE_INSET.x) - VALUE_INSET.x;

/** How many characters of a value fit in the box. */
export const valueRoom = (id: string): number => Math.floor(roomIn(formBox(id)) / VALUE_ADVANCE);

/** What goes in the boxes: box id → the text printed in it. */
export type BoxValues = ReadonlyMap<string, string>;

/** Where a value's first character sits (its baseline's left end) in a box, for a value `width` points wide. */
export function valueOrigin(b: FormBox, width: number): { x: number; y: number } {
  const y = b.y + VALUE_INSET.y;
  if (b.align === 'right') return { x: b.x + b.w - VALUE_INSET.x - width, y };
  if (b.align === 'center') return { x: b.x + (b.w - width) / 2, y };
  return { x: b.x + (b.inset ?? VALUE_INSET.x), y };
}

export interface FormPage {
  values: BoxValues;
  /** Lines under the form: what it is and what the office completes. */
  footer: string[];
  /** The document's title (the PDF's metadata). */
  title: string;
  /** When it was made (the PDF's creation date), so the same claim on the same day gives the same file. */
  madeOn: string;
}

/** A bundled font's bytes (read when a form is drawn: a few hundred KB, rarely). */
const fontBytes = (which: keyof typeof FONT_FILES): Buffer => readFileSync(FONT_FILES[which]);

/** The form as a one-page PDF. Refuses a value wider than its box rather than print it over the next one. */
export async function drawCms1500(page: FormPage): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const made = new Date(`${page.madeOn}T12:00:00Z`);
  doc.setTitle(page.title);
  doc.setProducer('medbill');
  doc.setCreator('medbill');
  doc.setCreationDate(made);
  doc.setModificationDate(made);
  const pdfPage = doc.addPage([PAGE.width, PAGE.height]);
  // The bundled DejaVu Sans, embedded (the glyphs used only): the PDF carries its own font, so it prints and
  // reads back the same on any machine, which a standard font named but not embedded does not promise.
  doc.registerFontkit(fontkit);
  const labelFont = await doc.embedFont(fontBytes('regular'), { subset: true });
  const titleFont = await doc.embedFont(fontBytes('bold'), { subset: true });
  const valueFont = await doc.embedFont(fontBytes('mono'), { subset: true });

  pdfPage.drawText('HEALTH INSURANCE CLAIM FORM', { x: L, y: 748, size: 12, font: titleFont });
  pdfPage.drawText('APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12', { x: L, y: 738, size: LABEL_SIZE + 1, font: labelFont });
  for (const b of CMS1500_BOXES) drawBox(pdfPage, b, labelFont);
  for (const [id, text] of page.values) {
    if (!text) continue;
    const b = formBox(id);
    if (b.heading) throw new Error(`box ${id} is a heading: it takes no value`);
    const width = valueFont.widthOfTextAtSize(text, VALUE_SIZE);
    const room = roomIn(b);
    if (width > room + 0.01) throw new Error(`"${text}" does not fit in box ${id} (${Math.round(width)} of ${room} points)`);
    pdfPage.drawText(text, { ...valueOrigin(b, width), size: VALUE_SIZE, font: valueFont });
  }
  wrap(page.footer, labelFont, FOOTER_SIZE, R - L).slice(0, 5).forEach((line, i) => pdfPage.drawText(line, { x: L, y: 48 - i * 9, size: FOOTER_SIZE, font: labelFont }));
  return doc.save();
}

const FOOTER_SIZE = 6.5;

/** Paragraphs broken into lines no wider than `width`. */
function wrap(paragraphs: string[], font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  for (const p of paragraphs) {
    let line = '';
    for (const word of p.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (line && font.widthOfTextAtSize(next, size) > width) {
        out.push(line);
        line = word;
      } else line = next;
    }
    if (line) out.push(line);
  }
  return out;
}

function drawBox(p: PDFPage, b: FormBox, font: PDFFont): void {
  p.drawRectangle({ x: b.x, y: b.y, width: b.w, height: b.h, borderColor: rgb(0, 0, 0), borderWidth: 0.5, ...(b.shaded ? { color: rgb(0.92, 0.92, 0.92) } : {}) });
  // The label's lines from the box's top, each cut to the box's width; a one-line box has it beside the value.
  b.label.split('\n').forEach((line, i) => {
    let label = line;
    while (label.length > 1 && font.widthOfTextAtSize(label, LABEL_SIZE) > b.w - 3) label = label.slice(0, -1);
    const y = b.inset !== undefined ? b.y + VALUE_INSET.y + 0.5 : b.y + b.h - (LABEL_SIZE + 1) * (i + 1);
    if (label.trim()) p.drawText(label, { x: b.x + 1.5, y, size: LABEL_SIZE, font });
  });
}
