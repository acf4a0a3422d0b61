/**
 * Reads the CMS ICD-10-CM files: the order file ("Code Descriptions in Tabular Order", fixed width: order
 * number, code without dot, billable flag, short title, long title) and the codes-only list of valid codes.
 */
import { normalizeIcd10 } from './codes.js';

export type IcdFileFormat = 'order' | 'valid-codes';
export interface IcdFileEntry { code: string; title: string; billable: boolean }

export class IcdFileError extends Error {
  override readonly name = 'IcdFileError';
}

export function parseIcd10File(text: string): { format: IcdFileFormat; entries: IcdFileEntry[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const [first] = lines;
  if (first === undefined) throw new IcdFileError('the file is empty');
  const orderLine = /^(\d{5}) ([A-Z][0-9A-Z]{2,6}) {0,4} ?([01]) (.*)$/;
  if (orderLine.test(first)) {
    const entries = lines.map((line, i) => {
      // Fixed columns: 1-5 order, 7-13 code, 15 flag, 17-76 short title, 78- long title.
      const code = line.slice(6, 13).trim();
      const flag = line[14];
      if (!/^\d{5}$/.test(line.slice(0, 5)) || !/^[A-Z][0-9A-Z]{2,6}$/.test(code) || (flag !== '0' && flag !== '1')) {
        throw new IcdFileError(`line ${i + 1} is not in the CMS order-file layout: ${line.slice(0, 40)}`);
      }
      return { code: normalizeIcd10(code), title: (line.slice(77).trim() || line.slice(16, 76).trim()), billable: flag === '1' };
    });
    return { format: 'order', entries };
  }
  const entries = lines.map((line, i) => {
    const [code = ''] = line.trim().split(/\s+/);
    if (!/^[A-Z][0-9A-Z]{2,6}$/.test(code)) throw new IcdFileError(`line ${i + 1} is neither an order-file line nor a code: ${line.slice(0, 40)}`);
    return { code: normalizeIcd10(code), title: line.trim().slice(code.length).trim(), billable: true };
  });
  return { format: 'valid-codes', entries };
}
