/** Reads a PDF's text back with pdfjs-dist, as pieces with where each sits: how the tests check a form's boxes. */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface TextPiece { text: string; x: number; y: number; size: number; width: number }

/** Every piece of text on each page, with its baseline's left end and its font size (in points). */
export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; pieces: TextPiece[] }> {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  const pieces: TextPiece[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    for (const item of content.items) {
      if (!('str' in item) || !item.str.trim()) continue;
      const [a = 0, , , , x = 0, y = 0] = item.transform as number[];
      pieces.push({ text: item.str, x, y, size: Math.abs(a), width: item.width });
    }
  }
  const pages = doc.numPages;
  await doc.destroy();
  return { pages, pieces };
}
