/**
 * Finding codes: exactly by code in any set (dotted or not), or by words with fuse.js over medbill's own
 * descriptions and ICD-10-CM titles, plus the full imported ICD-10-CM list when there is one. A code in the
 * official valid lists (knowledge/codes/icd10cm-valid-fyYYYY.txt, one per fiscal year) is found by code even when
 * no title is known, saying in which years it is valid.
 * Each hit comes with its related codes: the other codes of the procedure categories it belongs to.
 */
import Fuse from 'fuse.js';
import type { Knowledge } from './load.js';
import { codeSetOf, normalizeCode } from './codes.js';
import { untitledIcd10 } from './evidence.js';
import { fiscalYearEnd, fiscalYearStart } from './icd10-valid.js';
import { categoryNamedBy } from './procedure-kind.js';
import { tokenize, type Tokens } from './text.js';
import type { CodeSet } from './vocabulary.js';

export interface LookupHit {
  code: string;
  set: CodeSet;
  description: string;
  billable?: boolean;
  categories: string[];
  related: { code: string; set: CodeSet; description: string }[];
}

export interface FullIcd10 {
  get(code: string): { code: string; title: string; billable: boolean } | undefined;
  search(words: string[], limit: number): { code: string; title: string; billable: boolean }[];
}

interface Row { code: string; set: CodeSet; description: string; billable?: boolean; words?: Tokens }

/** The word search's structures over the rows: built on the first search, which an import's exact lookups never make. */
interface WordIndex {
  fuse: Fuse<Row>;
  /** Every plain word or stem of every description, sorted, with the rows that have it: a word search reads a prefix range. */
  vocabulary: string[];
  rowsByStem: Map<string, Row[]>;
  /** Number of words of each row's description (shorter descriptions are listed first), then the table order. */
  wordCount: Map<Row, number>;
  order: Map<Row, number>;
}

export class CodeIndex {
  private readonly rows = new Map<string, Row>();
  private index?: WordIndex;

  constructor(private readonly kn: Knowledge, private readonly full?: FullIcd10) {
    for (const set of ['cdt', 'cpt', 'hcpcs'] as const) {
      for (const e of kn.procedureCodes[set].values()) this.rows.set(e.code, { code: e.code, set, description: e.description });
    }
    for (const e of kn.icd10.values()) this.rows.set(e.code, { code: e.code, set: 'icd10cm', description: e.title, billable: e.billable });
  }

  /** The word index, tokenizing every description once (a tenth of a second and several MiB: not for exact lookups). */
  private words(): WordIndex {
    if (this.index) return this.index;
    const rowsByStem = new Map<string, Row[]>();
    const wordCount = new Map<Row, number>();
    const order = new Map<Row, number>();
    for (const row of this.rows.values()) {
      const words = tokenize(row.description);
      row.words = words;
      wordCount.set(row, words.words.length);
      order.set(row, order.size);
      for (const stem of words.positions.keys()) {
        const list = rowsByStem.get(stem);
        if (list) list.push(row);
        else rowsByStem.set(stem, [row]);
      }
    }
    const vocabulary = [...rowsByStem.keys()].sort();
    const fuse = new Fuse([...this.rows.values()], { keys: ['description'], threshold: 0.35, ignoreLocation: true });
    this.index = { fuse, vocabulary, rowsByStem, wordCount, order };
    return this.index;
  }

  private hit(row: Row): LookupHit {
    const categories = this.kn.categories.filter((c) =>
      c.match.codes.includes(row.code) || [...c.procedureCodes.cdt, ...c.procedureCodes.cpt, ...c.procedureCodes.hcpcs, ...c.diagnoses].some((x) => x.code === row.code));
    const related = new Map<string, { code: string; set: CodeSet; description: string }>();
    for (const c of categories) {
      for (const x of [...c.procedureCodes.cdt, ...c.procedureCodes.cpt, ...c.procedureCodes.hcpcs, ...c.diagnoses]) {
        const r = this.rows.get(x.code);
        if (r && r.code !== row.code && related.size < 12) related.set(r.code, { code: r.code, set: r.set, description: r.description });
      }
    }
    return { ...row, description: `${row.description}${this.sinceNote(row)}`, categories: categories.map((c) => c.name), related: [...related.values()] };
  }

  /** A titled ICD-10-CM code added in a later fiscal year (J34.830) says from when it may be billed. */
  private sinceNote(row: Row): string {
    if (row.set !== 'icd10cm') return '';
    const first = this.kn.icd10Lists.yearsValid(row.code)[0];
    return first !== undefined && first > this.kn.icd10Lists.oldest ? ` (new in FY${first}, for services from ${fiscalYearStart(first)})` : '';
  }

  /** An exact code, dotted or undotted, in any set; undefined when no table knows it. */
  exact(query: string): LookupHit | undefined {
    const set = codeSetOf(query);
    if (!set) return undefined;
    const code = normalizeCode(query);
    const row = this.rows.get(code);
    if (row) return this.hit(row);
    if (set !== 'icd10cm') return undefined;
    const fromFull = this.full?.get(code);
    if (fromFull) return { code: fromFull.code, set, description: fromFull.title, billable: fromFull.billable, categories: [], related: [] };
    // Any code in an official list is known to be valid in that year, even without a title to show.
    return this.byValidLists(code);
  }

  /** A code of the shipped valid lists with no title: valid now, new since a year, or valid only until a year. */
  private byValidLists(code: string): LookupHit | undefined {
    const sets = this.kn.icd10Lists;
    const years = sets.yearsValid(code);
    const [first] = years;
    const last = years.at(-1);
    if (first === undefined || last === undefined) return undefined;
    const hit = { code, set: 'icd10cm' as const, categories: [], related: [] };
    if (last === sets.newest) {
      const since = first > sets.oldest ? `; new in FY${first}, for services from ${fiscalYearStart(first)}` : '';
      return { ...hit, description: `${untitledIcd10(last)}${since}`, billable: true };
    }
    // Valid in an older list only: deleted since, or now a header with billable codes under it.
    const after = sets.years.find((y) => y > last) ?? sets.newest;
    const header = sets.list(after).children(code, 0).count > 0;
    return {
      ...hit,
      description: `ICD-10-CM code valid through FY${last} (services until ${fiscalYearEnd(last)}); from FY${after} ${header ? 'a header: use a billable code under it' : 'no longer valid'}; medbill has no title for it`,
      ...(header ? { billable: false } : {}),
    };
  }

  /**
   * The codes of the procedure kind the words name best (a category's own phrases: "wisdom teeth", "cbct"),
   * procedure codes first, then diagnoses; none when no kind is named.
   */
  private procedureCodes(query: string): string[] {
    const c = categoryNamedBy(this.kn, tokenize(query));
    return c ? [...c.procedureCodes.cdt, ...c.procedureCodes.cpt, ...c.procedureCodes.hcpcs, ...c.diagnoses].map((x) => x.code) : [];
  }

  /** Rows whose description has every query word (endings allowed), shortest descriptions first. */
  private byWords(query: string, limit: number): Row[] {
    const wanted = tokenize(query).words.filter((w) => w.length > 2 || /\d/.test(w));
    if (!wanted.length) return [];
    const { vocabulary, rowsByStem, wordCount, order: tableOrder } = this.words();
    // Rows with the word itself or a word or stem that starts with it (at most three letters longer), per query word.
    let found: Set<Row> | undefined;
    for (const w of wanted) {
      const matching = new Set<Row>();
      for (let i = lowerBound(vocabulary, w); i < vocabulary.length; i++) {
        const stem = vocabulary[i] ?? '';
        if (!stem.startsWith(w)) break;
        if (stem.length - w.length > 3) continue;
        for (const row of rowsByStem.get(stem) ?? []) if (!found || found.has(row)) matching.add(row);
      }
      found = matching;
      if (!found.size) return [];
    }
    const count = (r: Row) => wordCount.get(r) ?? 0;
    const order = (r: Row) => tableOrder.get(r) ?? 0;
    return [...(found ?? [])].sort((a, b) => count(a) - count(b) || order(a) - order(b)).slice(0, limit);
  }

  /**
   * Codes for a code or words. `sets`: the code sets asked for ("whats the cpt for …"), listed first. Among
   * the rest, the codes whose own description says more of the words come first: for "tongue biopsy", the
   * tongue biopsy before the other biopsies of the kind.
   */
  search(query: string, limit = 10, sets: CodeSet[] = []): LookupHit[] {
    const trimmed = query.trim();
    if (!trimmed) return [];
    const exact = this.exact(trimmed);
    if (exact) return [exact];
    // Words that name a kind of procedure ("wisdom teeth", "cbct", "I&D", "tongue biopsy") find the codes the
    // knowledge base uses for it; then descriptions that hold every word. A bounded few, then ranked.
    const { fuse } = this.words();
    const candidates: Row[] = [];
    const seen = new Set<string>();
    const add = (row: Row | undefined) => {
      if (row && !seen.has(row.code) && candidates.length < 3 * limit) {
        seen.add(row.code);
        candidates.push(row);
      }
    };
    for (const code of this.procedureCodes(trimmed)) add(this.rows.get(code));
    for (const row of this.byWords(trimmed, limit)) add(row);
    const wanted = tokenize(trimmed).words.filter((w) => w.length > 2);
    const says = (r: Row) => wanted.filter((w) => [...(r.words?.positions.keys() ?? [])].some((stem) => stem.length > 2 && (stem.startsWith(w) || w.startsWith(stem)))).length;
    const asked = (r: Row) => (sets.includes(r.set) ? 0 : 1);
    const rank = new Map(candidates.map((r, i) => [r, { asked: asked(r), says: says(r), i }]));
    const score = (r: Row) => rank.get(r) ?? { asked: 1, says: 0, i: 0 };
    candidates.sort((a, b) => score(a).asked - score(b).asked || score(b).says - score(a).says || score(a).i - score(b).i);
    const hits: LookupHit[] = candidates.slice(0, limit).map((r) => this.hit(r));
    // Fuzzy matching (fuse.js) only when plain words find nothing: it forgives typos, but it is slower.
    if (hits.length === 0) hits.push(...fuse.search(trimmed, { limit }).map((r) => this.hit(r.item)));
    if (this.full && hits.length < limit) {
      const words = trimmed.toLowerCase().split(/\s+/).filter((w) => w.length > 2);
      for (const r of this.full.search(words, limit - hits.length)) {
        if (!hits.some((h) => h.code === r.code)) hits.push({ code: r.code, set: 'icd10cm', description: r.title, billable: r.billable, categories: [], related: [] });
      }
    }
    return hits;
  }
}

/** The first index of a sorted array whose value is not below `value`. */
function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? '') < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
