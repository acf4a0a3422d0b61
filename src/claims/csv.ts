/**
 * The CSV reader of `medbill claims import`: csv-parse over a stream of the file's bytes, record by record, so
 * a file of any size is read in a few chunks' worth of memory. RFC 4180 (quoted fields, "" for a quote, commas
 * and line breaks inside quotes, CRLF, LF or a lone CR, an optional UTF-8 BOM), each record with the line it
 * starts on, so a bad row is named by its line in the file. It knows nothing of claims.
 *
 * Bytes that are not valid UTF-8 come from a PM system writing Windows-1252 (Latin-1's superset): the file is
 * read that way, with a note, rather than as U+FFFD ("Caf\uFFFD Dental Plan") without a word. A file is checked
 * for that in a first pass over its bytes (cheap next to reading its rows), then read.
 */
import { pipeline, Readable } from 'node:stream';
import { Parser, CsvError as ParseError } from 'csv-parse';

/** One record of a CSV file: its fields and the physical line it starts on (1-based). */
export interface CsvRecord { line: number; fields: string[] }

/**
 * A CSV file: its text, its bytes, or a way to open its bytes as a stream (a file on disk, opened once to check
 * its encoding and once to read it).
 */
export type CsvInput = string | Uint8Array | (() => AsyncIterable<Uint8Array>);

export type CsvEncoding = 'UTF-8' | 'Windows-1252';

export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/** A record longer than this is not a claim: most likely a quote never closed, swallowing the rest of the file. */
const MAX_RECORD_BYTES = 1 << 20;

const NEVER_CLOSED = 'a quoted field is never closed (a quote inside a quoted field is written twice: "")';
const TEXT_AFTER = 'text after the closing quote of a quoted field (a quote inside a quoted field is written twice: "")';

/** Line breaks in a piece of text: CRLF, LF or a lone CR each count once. */
function lineBreaks(s: string, end = s.length): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/** Where, in a record's text so far, a quoted field was opened and not closed (-1: none). */
function openQuote(raw: string): number {
  let opened = -1;
  let fieldStart = true;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (opened >= 0) {
      if (c === 34) {
        if (raw.charCodeAt(i + 1) === 34) i++;
        else opened = -1;
      }
    } else if (c === 34 && fieldStart) opened = i;
    else fieldStart = c === 44 || c === 10 || c === 13;
  }
  return opened;
}

/** The bytes (or text) of the input, chunk by chunk. */
function chunks(input: CsvInput): AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> {
  return typeof input === 'function' ? input() : [input];
}

/**
 * How the file is written: UTF-8, unless some of its bytes are not valid UTF-8 (then Windows-1252). Text is
 * already decoded. Reads the whole file once, keeping nothing.
 */
export async function csvEncoding(input: CsvInput): Promise<CsvEncoding> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of chunks(input)) if (typeof chunk !== 'string') utf8.decode(chunk, { stream: true });
    utf8.decode();
    return 'UTF-8';
  } catch (err) {
    if (err instanceof TypeError) return 'Windows-1252';
    throw err;
  }
}

/** The file's content as csv-parse reads it: UTF-8 bytes as they are, Windows-1252 decoded to text chunk by chunk. */
async function* decoded(input: CsvInput, encoding: CsvEncoding): AsyncIterable<Uint8Array | string> {
  if (encoding === 'UTF-8') {
    yield* chunks(input);
    return;
  }
  const cp1252 = new TextDecoder('windows-1252');
  for await (const chunk of chunks(input)) yield typeof chunk === 'string' ? chunk : cp1252.decode(chunk, { stream: true });
  const rest = cp1252.decode();
  if (rest) yield rest;
}

/**
 * csv-parse's stream, handing over each record with the line it starts on. The lines are counted as csv-parse
 * makes the records (a record's raw text holds its line breaks, quoted ones included), so a syntax error names
 * the line of the record it stopped in, also with records made before it and not read yet. Counted here, not in
 * an on_record hook: with one, csv-parse builds an info object for every record (a third of its time).
 */
class LineParser extends Parser {
  /** The line the next record starts on. */
  line = 1;

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(chunk, encoding);
    // With raw: true, csv-parse makes each record { record, raw }.
    const { record, raw } = chunk as { record: string[]; raw: string };
    const r: CsvRecord = { line: this.line, fields: record };
    this.line += lineBreaks(raw);
    return super.push(r, encoding);
  }
}

/**
 * The records of a CSV file, as the importer reads them (header first, then one claim each), one at a time.
 * Records end at CRLF, LF or CR; a UTF-8 BOM is skipped. A quote inside an unquoted field is kept as it is
 * (5" ruler); spaces after a closing quote are dropped. Text after a closing quote, or a quote never closed,
 * is a CsvError naming the line.
 */
export async function* csvRecords(input: CsvInput, encoding: CsvEncoding = 'UTF-8'): AsyncGenerator<CsvRecord> {
  const parser = new LineParser({
    bom: true, relax_quotes: true, relax_column_count: true, rtrim: true, raw: true,
    record_delimiter: ['\r\n', '\n', '\r'], max_record_size: MAX_RECORD_BYTES,
  });
  // pipeline destroys the parser with the source's error (a file that cannot be read), which ends the loop below.
  pipeline(Readable.from(decoded(input, encoding), { objectMode: false }), parser, () => {});
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) yield record;
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    const raw = typeof err.raw === 'string' ? err.raw : '';
    const opened = openQuote(raw);
    const { line } = parser;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED' || (err.code === 'CSV_MAX_RECORD_SIZE' && opened >= 0)) throw new CsvError(line + lineBreaks(raw, Math.max(opened, 0)), NEVER_CLOSED);
    if (err.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE') throw new CsvError(line + lineBreaks(raw), TEXT_AFTER);
    if (err.code === 'CSV_MAX_RECORD_SIZE') throw new CsvError(line, `a record is longer than ${MAX_RECORD_BYTES / (1 << 20)} MiB: that is not one claim`);
    throw new CsvError(line + lineBreaks(raw), err.message);
  } finally {
    parser.destroy();
  }
}

/** Every record of a CSV text at once (a report's CSV read back, in tests). */
export async function parseCsv(text: string): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const r of csvRecords(text)) records.push(r);
  return records;
}
