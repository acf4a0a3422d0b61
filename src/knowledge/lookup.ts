/**
 * Finding codes: exactly by code in any set (dotted or not), or by words with fuse.js over medbill's own
 * descriptions and ICD-10-CM titles, plus the full imported ICD-10-CM list when there is one.
 * Each hit comes with its related codes: the other codes of the procedure categories it belongs to.
 */
import Fuse from 'fuse.js';
import type { Knowledge } from './load.js';
import { codeSetOf, normalizeCode } from './codes.js';
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

export class CodeIndex {
  private readonly rows = new Map<string, Row>();
  private readonly fuse: Fuse<Row>;

  constructor(private readonly kn: Knowledge, private readonly full?: FullIcd10) {
    for (const set of ['cdt', 'cpt', 'hcpcs'] as const) {
      for (const e of kn.procedureCodes[set].values()) this.rows.set(e.code, { code: e.code, set, description: e.description });
    }
    for (const e of kn.icd10.values()) this.rows.set(e.code, { code: e.code, set: 'icd10cm', description: e.title, billable: e.billable });
    for (const row of this.rows.values()) row.words = tokenize(row.description);
    this.fuse = new Fuse([...this.rows.values()], { keys: ['description'], threshold: 0.35, ignoreLocation: true });
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
    return { ...row, categories: categories.map((c) => c.name), related: [...related.values()] };
  }

  /** An exact code, dotted or undotted, in any set; undefined when no table knows it. */
  exact(query: string): LookupHit | undefined {
    const set = codeSetOf(query);
    if (!set) return undefined;
    const code = normalizeCode(query);
    const row = this.rows.get(code);
    if (row) return this.hit(row);
    const fromFull = set === 'icd10cm' ? this.full?.get(code) : undefined;
    return fromFull ? { code: fromFull.code, set, description: fromFull.title, billable: fromFull.billable, categories: [], related: [] } : undefined;
  }

  /** Rows whose description has every query word (endings allowed), shortest descriptions first. */
  private byWords(query: string, limit: number): Row[] {
    const wanted = tokenize(query).words.filter((w) => w.length > 2 || /\d/.test(w));
    if (!wanted.length) return [];
    const found: Row[] = [];
    for (const row of this.rows.values()) {
      if (wanted.every((w) => row.words!.positions.has(w) || row.words!.stems.some((s) => [...s].some((stem) => stem.startsWith(w) && stem.length - w.length <= 3)))) found.push(row);
    }
    return found.sort((a, b) => a.words!.words.length - b.words!.words.length).slice(0, limit);
  }

  search(query: string, limit = 10): LookupHit[] {
    const trimmed = query.trim();
    if (!trimmed) return [];
    const exact = this.exact(trimmed);
    if (exact) return [exact];
    const hits = this.byWords(trimmed, limit).map((row) => this.hit(row));
    // Fuzzy matching (fuse.js) only when plain words find nothing: it forgives typos, but it is slower.
    if (hits.length === 0) hits.push(...this.fuse.search(trimmed, { limit }).map((r) => this.hit(r.item)));
    if (this.full && hits.length < limit) {
      const words = trimmed.toLowerCase().split(/\s+/).filter((w) => w.length > 2);
      for (const r of this.full.search(words, limit - hits.length)) {
        if (!hits.some((h) => h.code === r.code)) hits.push({ code: r.code, set: 'icd10cm', description: r.title, billable: r.billable, categories: [], related: [] });
      }
    }
    return hits;
  }
}
