/**
 * The imported ICD-10-CM titles as a word index in memory, for the view the pure code reads synchronously
 * (src/store/icd10.ts). It finds and orders codes as SQLite's FTS5 table does (and as icd10.ts's query does
 * in Postgres): every word of the query must begin a word of the title, billable codes first, then FTS5's
 * bm25 score (k1 = 1.2, b = 0.75; a word is a run of letters and digits, compared without case or accents),
 * then the code.
 */
import type { Icd10Code } from '../icd10.js';

const K1 = 1.2;
const B = 0.75;

/** A text's words as FTS5's unicode61 tokenizer makes them: runs of letters and digits, lower case, accents removed. */
export function titleWords(text: string): string[] {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A query's words as the stores search them (the SQLite side quotes each as a prefix): letters and digits only. */
export function queryTerms(words: readonly string[]): string[] {
  return words.map((w) => titleWords(w).join('')).filter(Boolean);
}

/** FTS5's idf: log((N - n + 0.5) / (n + 0.5)), never below a millionth (a word in most titles still counts a little). */
export const idf = (titled: number, hits: number): number => {
  const v = Math.log((titled - hits + 0.5) / (hits + 0.5));
  return v <= 0 ? 1e-6 : v;
};

/** One word's share of a title's score: `tf` times it begins a word of a title `words` long. */
export const termScore = (idfValue: number, tf: number, words: number, avgWords: number): number =>
  idfValue * ((tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * words) / avgWords)));

/** Best first: billable codes, then the higher score, then the code (as bytes). */
export function byRank(a: { code: string; billable: boolean; score: number }, b: { code: string; billable: boolean; score: number }): number {
  return Number(b.billable) - Number(a.billable) || b.score - a.score || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

export class TitleIndex {
  /** Every distinct word, sorted, so the words a prefix begins are one range. */
  private readonly vocabulary: string[];
  /** For each word of the vocabulary: the titles it is in, and how often. */
  private readonly postings: Map<string, [doc: number, tf: number][]>;
  private readonly lengths: number[] = [];
  private readonly avgWords: number;

  constructor(private readonly codes: readonly Icd10Code[]) {
    const postings = new Map<string, [number, number][]>();
    let total = 0;
    codes.forEach((c, doc) => {
      const words = c.title ? titleWords(c.title) : [];
      this.lengths.push(words.length);
      total += words.length;
      const counts = new Map<string, number>();
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      for (const [w, tf] of counts) {
        const list = postings.get(w);
        if (list) list.push([doc, tf]);
        else postings.set(w, [[doc, tf]]);
      }
    });
    this.postings = postings;
    this.vocabulary = [...postings.keys()].sort();
    this.titled = codes.filter((c) => c.title).length;
    this.avgWords = total / Math.max(this.titled, 1);
  }

  /** Codes with a title. */
  readonly titled: number;

  search(words: readonly string[], limit: number): Icd10Code[] {
    const terms = queryTerms(words);
    if (!terms.length || limit <= 0) return [];
    // For each term: title → how many of its words the term begins.
    const perTerm = terms.map((t) => this.prefixed(t));
    const [first, ...rest] = [...perTerm].sort((a, b) => a.size - b.size);
    if (!first) return [];
    const idfs = perTerm.map((m) => idf(this.titled, m.size));
    const hits: { code: string; billable: boolean; score: number; doc: number }[] = [];
    for (const doc of first.keys()) {
      if (!rest.every((m) => m.has(doc))) continue;
      const c = this.codes[doc];
      const length = this.lengths[doc] ?? 0;
      if (!c) continue;
      let score = 0;
      perTerm.forEach((m, i) => { score += termScore(idfs[i] ?? 0, m.get(doc) ?? 0, length, this.avgWords); });
      hits.push({ code: c.code, billable: c.billable, score, doc });
    }
    return hits.sort(byRank).slice(0, limit).flatMap((h) => this.codes[h.doc] ?? []);
  }

  private prefixed(term: string): Map<number, number> {
    const found = new Map<number, number>();
    for (let i = lowerBound(this.vocabulary, term); i < this.vocabulary.length; i++) {
      const word = this.vocabulary[i];
      if (word === undefined || !word.startsWith(term)) break;
      for (const [doc, tf] of this.postings.get(word) ?? []) found.set(doc, (found.get(doc) ?? 0) + tf);
    }
    return found;
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? '') < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
