/**
 * The official list of valid (billable) ICD-10-CM codes, shipped in knowledge/codes/ (see
 * ICD10CM-PROVENANCE.md): one undotted code per line, sorted in byte order.
 *
 * The file is read only when a diagnosis first needs it, and is searched as it is, as one buffer: a binary
 * search over byte offsets finds a code in about 17 steps, and the billable codes under a header are the
 * contiguous run of lines that start with it. So a cold start never builds a 74,719-entry table, and a
 * lookup costs the same whatever the size of the list.
 */
import { readFileSync } from 'node:fs';
import type { Knowledge } from './load.js';

export const VALID_LIST_FILE = 'codes/icd10cm-valid-fy2026.txt';
export const VALID_LIST_YEAR = 2026;

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

  /** True when `code` (dotted or not) is a valid, billable FY2026 code. */
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

/**
 * `medbill kb check` for the shipped list: its shape and order (the binary search relies on both), every
 * billable code of knowledge/ in it and no header, and every diagnosis prefix that signals and rules match
 * on naming at least one valid code (a prefix that matches nothing is a typo).
 */
export function checkValidList(kn: Knowledge): { summary: string; problems: string[] } {
  const list = kn.icd10Valid;
  const { count, problems } = list.verify();
  const summary = `  ICD-10-CM valid:  ${count} codes, the official FY${VALID_LIST_YEAR} list (knowledge/${VALID_LIST_FILE}); every diagnosis is checked against it`;
  if (problems.length) return { summary, problems: problems.map((p) => `${VALID_LIST_FILE}: ${p}`) };
  for (const e of kn.icd10.values()) {
    const listed = list.has(e.code);
    if (e.billable && !listed) problems.push(`codes/icd10cm.json ${e.code}: marked billable, but it is not in ${VALID_LIST_FILE}`);
    if (!e.billable && listed) problems.push(`codes/icd10cm.json ${e.code}: marked as a header, but ${VALID_LIST_FILE} lists it as valid`);
  }
  const prefixes = [
    ...kn.signals.flatMap((s) => (s.diagnoses ?? []).map((d) => ({ where: `signals.json ${s.id}`, code: d }))),
    ...kn.diagnosisCauses.map((d) => ({ where: 'rules.json diagnosisCauses', code: d.prefix })),
  ];
  for (const p of prefixes) {
    // "S0" (every head injury) is shorter than any code, so it is checked as the start of one.
    if (!list.has(p.code) && list.children(p.code, 0).count === 0) problems.push(`${p.where}: no valid ICD-10-CM code is or starts with "${p.code}"`);
  }
  return { summary, problems };
}
