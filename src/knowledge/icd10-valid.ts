/**
 * The official lists of valid (billable) ICD-10-CM codes, one per fiscal year, shipped in knowledge/codes/
 * as `icd10cm-valid-fyYYYY.txt` (see ICD10CM-PROVENANCE.md): one undotted code per line, sorted in byte order.
 * A diagnosis is checked against the list of its date of service's fiscal year (October 1 to September 30).
 *
 * A file is read only when a diagnosis first needs that year, and is searched as it is, as one buffer: a binary
 * search over byte offsets finds a code in about 17 steps, and the billable codes under a header are the
 * contiguous run of lines that start with it. So a cold start never builds a 75,000-entry table, and a
 * lookup costs the same whatever the size of the list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shipped list of a fiscal year, relative to knowledge/. */
export const validListFile = (year: number): string => `codes/icd10cm-valid-fy${year}.txt`;
const LIST_NAME = /^icd10cm-valid-fy(\d{4})\.txt$/;

/**
 * The fiscal year of a date of service (YYYY-MM-DD): FY N runs from October 1 of N - 1 to September 30 of N,
 * so a service on 2026-10-01 is FY2027 and one on 2026-09-30 is FY2026.
 */
export function fiscalYearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 10 ? year + 1 : year;
}

/** The first day of a fiscal year (FY2027: 2026-10-01) and its last (2027-09-30). */
export const fiscalYearStart = (year: number): string => `${year - 1}-10-01`;
export const fiscalYearEnd = (year: number): string => `${year}-09-30`;

/** The code set a date of service is checked against. */
export interface CodeSetChoice {
  /** The date of service. */
  date: string;
  /** The fiscal year of that date. */
  fiscalYear: number;
  /** The year of the list used: `fiscalYear`, or the nearest shipped one when that year's list is not shipped. */
  year: number;
  list: ValidIcd10List;
}

/**
 * Every shipped list, by fiscal year. Only the folder's names are read at load time; each list's file is read
 * on its first lookup.
 */
export class Icd10CodeSets {
  private readonly lists = new Map<number, ValidIcd10List>();
  /** The shipped fiscal years, oldest first. */
  readonly years: number[];

  constructor(readonly knowledgeDir: string, years: number[]) {
    this.years = [...new Set(years)].sort((a, b) => a - b);
    for (const year of this.years) this.lists.set(year, new ValidIcd10List(join(knowledgeDir, validListFile(year))));
  }

  /** The lists in knowledge/codes/, found by their names. */
  static discover(knowledgeDir: string): Icd10CodeSets {
    const years: number[] = [];
    for (const name of readdirSync(join(knowledgeDir, 'codes'))) {
      const m = LIST_NAME.exec(name);
      if (m) years.push(Number(m[1]));
    }
    return new Icd10CodeSets(knowledgeDir, years);
  }

  get newest(): number {
    const year = this.years.at(-1);
    if (year === undefined) throw new Error('knowledge/codes/ has no ICD-10-CM valid list (icd10cm-valid-fyYYYY.txt)');
    return year;
  }

  get oldest(): number {
    const year = this.years[0];
    if (year === undefined) throw new Error('knowledge/codes/ has no ICD-10-CM valid list (icd10cm-valid-fyYYYY.txt)');
    return year;
  }

  /** The list of a shipped year. */
  list(year: number): ValidIcd10List {
    const list = this.lists.get(year);
    if (!list) throw new Error(`no ICD-10-CM valid list for FY${year} in knowledge/codes/ (shipped: ${this.years.map((y) => `FY${y}`).join(', ')})`);
    return list;
  }

  /** The newest list: for lookups and checks that have no date of service. */
  get newestList(): ValidIcd10List {
    return this.list(this.newest);
  }

  /** The list for a date of service: its fiscal year's, or the nearest shipped year's when that one is not shipped. */
  forDate(date: string): CodeSetChoice {
    const fiscalYear = fiscalYearOf(date);
    const year = Math.min(Math.max(fiscalYear, this.oldest), this.newest);
    // Between two shipped years with a gap, the nearest earlier one (a gap is not expected: one list a year).
    const shipped = this.lists.has(year) ? year : [...this.years].reverse().find((y) => y <= year) ?? this.oldest;
    return { date, fiscalYear, year: shipped, list: this.list(shipped) };
  }

  /** The shipped years whose list has `code` (a few binary searches; each list is read on first use). */
  yearsValid(code: string): number[] {
    return this.years.filter((y) => this.list(y).has(code));
  }
}
const NEWLINE = 0x0a;
/** How many children are looked at to pick the examples: enough for every 7th-character variant of a few codes. */
const EXAMPLES_SCANNED = 200;
const LINE = /^[A-Z][0-9A-Z]{2,6}$/;

export interface Children {
  /** How many valid codes start with the prefix. */
  count: number;
  /** The first few, dotted, the most useful first. */
  first: string[];
}

export class ValidIcd10List {
  private buffer?: Buffer;

  constructor(readonly path: string) {}

  private get buf(): Buffer {
    // Lazy: triage without diagnoses, lookups by words and `kb check` of the JSON never pay for the read.
    this.buffer ??= readFileSync(this.path);
    return this.buffer;
  }

  /** True when `code` (dotted or not) is a valid, billable code in this list. */
  has(code: string): boolean {
    const key = undot(code);
    const at = this.lowerBound(key);
    return at < this.buf.length && compareLine(this.buf, at, key) === 0 && lineEnd(this.buf, at) - at === key.length;
  }

  /**
   * The valid codes under a header (`K08`, `S02.6`): the codes that start with it, other than itself.
   * `rank` orders the examples (0 first; list order within a rank). The work grows with the number of
   * children (a few thousand lines at most for a three-character category), never with the size of the list.
   */
  children(prefix: string, limit: number, rank: (code: string) => number = () => 0): Children {
    const key = undot(prefix);
    const buf = this.buf;
    const byRank: string[][] = [];
    let count = 0;
    for (let at = this.lowerBound(key); at < buf.length; ) {
      const end = lineEnd(buf, at);
      if (!startsWith(buf, at, end, key)) break;
      if (end - at > key.length) {
        count++;
        // Only the first few lines of the run are turned into strings; the rest are just counted.
        if (limit > 0 && count <= EXAMPLES_SCANNED) {
          const code = dot(buf.toString('latin1', at, end));
          const bucket = (byRank[rank(code)] ??= []);
          if (bucket.length < limit) bucket.push(code);
        }
      }
      at = end + 1;
    }
    return { count, first: byRank.flat().slice(0, limit) };
  }

  /**
   * Reads the whole file and checks it is what the binary search needs: one code per line, strictly
   * increasing in byte order. For `kb check` and the tests, never for triage.
   */
  verify(): { count: number; problems: string[] } {
    const lines = this.buf.toString('latin1').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const problems: string[] = [];
    for (const [i, line] of lines.entries()) {
      if (!LINE.test(line)) problems.push(`line ${i + 1} is not an undotted ICD-10-CM code: "${line.slice(0, 20)}"`);
      else if (i > 0 && (lines[i - 1] ?? '') >= line) problems.push(`line ${i + 1} (${line}) is not after line ${i} in byte order`);
      if (problems.length >= 10) break;
    }
    return { count: lines.length, problems };
  }

  /** Every code in the list, undotted, in order (for `kb check --icd10`-style comparisons and tests). */
  codes(): string[] {
    const lines = this.buf.toString('latin1').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  }

  /** Byte offset of the first line that is not below `key` (the buffer's length when there is none). */
  private lowerBound(key: string): number {
    const buf = this.buf;
    let lo = 0; // always the start of a line
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let start = mid;
      while (start > lo && buf[start - 1] !== NEWLINE) start--;
      if (compareLine(buf, start, key) < 0) lo = lineEnd(buf, start) + 1;
      else hi = start;
    }
    return lo;
  }
}

function lineEnd(buf: Buffer, start: number): number {
  const end = buf.indexOf(NEWLINE, start);
  return end < 0 ? buf.length : end;
}

function startsWith(buf: Buffer, start: number, end: number, key: string): boolean {
  if (end - start < key.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[start + i] !== key.charCodeAt(i)) return false;
  return true;
}

/** The line at `start` against `key`, in byte order, as `sort` with LC_ALL=C compares them. */
function compareLine(buf: Buffer, start: number, key: string): number {
  const end = lineEnd(buf, start);
  const n = Math.min(end - start, key.length);
  for (let i = 0; i < n; i++) {
    const d = (buf[start + i] ?? 0) - key.charCodeAt(i);
    if (d !== 0) return d;
  }
  return end - start - key.length;
}

const undot = (code: string) => code.replace('.', '').toUpperCase();
const dot = (code: string) => (code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code);

/** The source id (knowledge/sources.json) of a year's list. */
export const icd10SourceId = (year: number): string => `CMS-ICD10CM-FY${year}`;

/** How many codes are in `after` and not in `before`, and the reverse; both sorted in byte order, so one merge pass. */
export function difference(before: string[], after: string[]): { added: number; removed: number } {
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a !== undefined && b !== undefined && a === b) {
      i++;
      j++;
    } else if (b === undefined || (a !== undefined && a < b)) {
      removed++;
      i++;
    } else {
      added++;
      j++;
    }
  }
  return { added, removed };
}
