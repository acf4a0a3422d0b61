/**
 * The CSV reader of `medbill claims import`: RFC 4180 (quoted fields, "" for a quote, commas and line breaks
 * inside quotes, CRLF or LF, an optional UTF-8 BOM), each record with the line it starts on, so a bad row is
 * named by its line in the file. It knows nothing of claims.
 */

/** One record of a CSV file: its fields and the physical line it starts on (1-based). */
export interface CsvRecord { line: number; fields: string[] }

export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/** Line breaks in a piece of text: CRLF, LF or a lone CR each count once. */
function lineBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * Parses CSV text into records. Quoted fields may hold commas, doubled quotes and line breaks; records end at
 * CRLF, LF or CR; a UTF-8 BOM is skipped. A quote inside an unquoted field is kept as it is (5" ruler); text
 * after a closing quote, or a quote never closed, is a CsvError naming the line.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        const opened = line;
        let value = '';
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) throw new CsvError(opened, 'a quoted field is never closed (a quote inside a quoted field is written twice: "")');
          const chunk = text.slice(i, quote);
          line += lineBreaks(chunk);
          value += chunk;
          if (text.charCodeAt(quote + 1) === 34) {
            value += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            break;
          }
        }
        fields.push(value);
        while (text[i] === ' ' || text[i] === '\t') i++;
        const next = text.charCodeAt(i);
        if (i < n && next !== 44 && next !== 10 && next !== 13) throw new CsvError(line, 'text after the closing quote of a quoted field (a quote inside a quoted field is written twice: "")');
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (text.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      if (text.charCodeAt(i) === 13) i++;
      if (text.charCodeAt(i) === 10) i++;
      line++;
      break;
    }
    records.push({ line: start, fields });
  }
  return records;
}

/**
 * The records of a CSV file, as the importer reads them. The seam for a streaming reader: the importer takes
 * the records from here (header first, then one claim each), so a parser over a stream (csv-parse) replaces
 * this function, not the importer's checks.
 */
export function csvRecords(text: string): Iterable<CsvRecord> {
  return parseCsv(text);
}
