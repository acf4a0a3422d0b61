/**
 * A letter draft as a Word file (.docx): a plain business letter on US Letter paper in a standard font, with
 * the identifier placeholders where the office fills in the patient and the provider. Built in process with
 * the `docx` package, which is loaded on the first letter only (it takes about 0.1 s to import, and the CLI's
 * other commands never need it).
 */
import type { LetterCode, LetterDraft } from './model.js';
import { addresseeLine, REGARDING_LINE } from './render.js';

type Docx = typeof import('docx');

let loading: Promise<Docx> | undefined;
const loadDocx = () => (loading ??= import('docx'));

/** Body font and size (half-points): fonts every Word, LibreOffice and Google Docs has, so nothing is embedded. */
const FONT = 'Calibri';
const BODY_SIZE = 22;
/** US Letter, 1 inch margins, in twentieths of a point. */
const PAGE = { width: 12_240, height: 15_840, margin: 1_440 };

/**
 * Text as XML can carry it: control characters (other than tab and newline), lone surrogates and the two
 * non-characters would make the part unreadable, so they go. The `docx` package escapes the rest.
 */
export function xmlSafe(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

/** Renders the draft as a .docx file. */
export async function letterDocx(draft: LetterDraft): Promise<Buffer> {
  const d = await loadDocx();
  const { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = d;

  /** Runs for one paragraph's text: a newline inside it is a line break, not a new paragraph. */
  const runs = (text: string, opts: { bold?: boolean } = {}) =>
    xmlSafe(text).split('\n').map((line, i) => new TextRun({ text: line, ...(i > 0 ? { break: 1 } : {}), ...(opts.bold ? { bold: true } : {}) }));
  const para = (text: string, opts: { bold?: boolean; after?: number } = {}) =>
    new Paragraph({ children: runs(text, opts), spacing: { after: opts.after ?? 160 } });
  const heading = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, children: runs(text), spacing: { before: 240, after: 120 }, keepNext: true });

  const border = { style: BorderStyle.SINGLE, size: 4, color: '999999' };
  const borders = { top: border, bottom: border, left: border, right: border };
  const cell = (text: string, width: number, header = false) =>
    new TableCell({
      width: { size: width, type: WidthType.PERCENTAGE },
      borders,
      margins: { top: 40, bottom: 40, left: 80, right: 80 },
      ...(header ? { shading: { fill: 'EDEDED' } } : {}),
      children: [new Paragraph({ children: runs(text, { bold: header }) })],
    });
  const WIDTHS = [18, 16, 66] as const;
  const row = (cells: readonly string[], header = false) =>
    new TableRow({ tableHeader: header, cantSplit: true, children: cells.map((c, i) => cell(c, WIDTHS[i] ?? 20, header)) });
  const codeRow = (c: LetterCode) => row([c.system, c.code, c.description]);

  const children: (InstanceType<Docx['Paragraph']> | InstanceType<Docx['Table']>)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: runs(draft.title), spacing: { after: 240 } }),
    para('[DATE]', { after: 240 }),
    para(addresseeLine(draft)),
    para(REGARDING_LINE, { bold: true, after: 240 }),
  ];
  for (const section of draft.sections) {
    children.push(heading(section.heading));
    for (const p of section.paragraphs) children.push(para(p));
  }
  const codes = [...draft.procedures, ...draft.diagnoses];
  if (codes.length > 0) {
    children.push(heading('Procedure and diagnosis codes'));
    children.push(new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [row(['System', 'Code', 'Description'], true), ...codes.map(codeRow)] }));
  }
  if (draft.attachments.length > 0) {
    children.push(heading('Attachments'));
    for (const a of draft.attachments) children.push(new Paragraph({ children: runs(a), bullet: { level: 0 } }));
  }
  children.push(
    new Paragraph({ children: runs('Sincerely,'), spacing: { before: 360, after: 720 }, keepNext: true }),
    new Paragraph({ children: runs('[PROVIDER NAME, CREDENTIALS, NPI]'), alignment: AlignmentType.LEFT }),
  );

  const doc = new Document({
    creator: 'medbill',
    title: xmlSafe(draft.title),
    description: xmlSafe(`Template ${draft.templateId}, version ${draft.templateVersion}`),
    styles: {
      default: {
        document: { run: { font: FONT, size: BODY_SIZE } },
        title: { run: { font: FONT, size: 32, bold: true, color: '000000' } },
        heading2: { run: { font: FONT, size: 24, bold: true, color: '000000' } },
      },
    },
    sections: [{
      properties: { page: { size: { width: PAGE.width, height: PAGE.height }, margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin } } },
      children,
    }],
  });
  return Packer.toBuffer(doc);
}
