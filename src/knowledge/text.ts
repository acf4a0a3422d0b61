/**
 * Plain-word matching shared by signals, procedure phrases and code keywords.
 * A phrase matches when its words appear in order, at most MAX_GAP words apart, each word either exact
 * or with a common ending ("knock out" finds "knocked out"), and not negated ("no swelling", "swelling: none").
 *
 * Negation is read the way clinicians write it (after NegEx): a cue ("no", "not", "without", "denies",
 * "doesn't") negates the next few words of its own clause; punctuation or a word that starts a new statement
 * ("but", "has", "needs") ends it. A few cues follow what they negate ("dental: none", "car not involved").
 * A negation governs a whole list: one that opens a list reaches past its commas to the "or" that closes it
 * ("no swelling, fever or trismus"; after "denies", item by item while each is a short finding: "denies swelling,
 * fever, trismus"), one written as a heading covers the list after its colon ("Not planned:
 * implants, bone graft"), and one written after a comma-separated list covers every item of it ("implants,
 * bone graft and sinus lift are not planned"); a sentence end, a new statement or a number after "or" ends it.
 */
import { Recent } from './recent.js';

const SUFFIXES = ['', 's', 'es', 'ed', 'd', 'ing', 'er', 'ers', 'ly'];
const NEGATIONS = new Set([
  'no', 'not', 'denies', 'denied', 'deny', 'without', 'negative', 'never', 'non', 'nor', 'neither',
  // Contractions split at the apostrophe: "doesn't" is "doesn" "t".
  'doesn', 'don', 'didn', 'isn', 'wasn', 'weren', 'hasn', 'haven', 'hadn', 'aren',
]);
/** Cues that negate only the word right after them: "non-restorable #19 abscess" still has an abscess. */
const NARROW_NEGATIONS = new Set(['non']);
/** Words that start a new statement inside a clause, so a negation before them does not reach past them. */
const TERMINATORS = new Set([
  'but', 'however', 'although', 'though', 'except', 'yet', 'still', 'because', 'unless', 'which', 'who',
  'has', 'have', 'had', 'is', 'are', 'was', 'were', 'needs', 'need', 'needed', 'needing', 'wants', 'presents', 'now',
]);
/** Words between a cue and a terminator that keep the terminator inside the negation ("doesn't have", "no longer has"). */
const NEGATION_FILLERS = new Set(['t', 'longer', 'currently', 'even', 'does', 'do', 'did', 'any']);
/** Words that only qualify what a cue negates ("no clinical or radiographic evidence of"): they do not use up its reach. */
const QUALIFIERS = new Set([
  'any', 'evidence', 'sign', 'signs', 'history', 'of', 'clinical', 'clinically', 'radiographic', 'radiographically',
  'obvious', 'significant', 'further', 'acute', 'active', 'current', 'known', 'suspected', 'other', 'a', 'an', 'the',
]);
/** Words that join the items of a list. */
const LIST_JOINS = new Set(['or', 'nor', 'and']);
/** Cues written after what they negate, and the words that make "not" do so ("car not involved"). */
const AFTER_NEGATIONS = new Set(['none', 'denied', 'absent']);
const AFTER_NOT = new Set(['not', 'wasn', 'weren', 'isn', 'aren']);
const AFTER_NOT_WORDS = new Set([
  'involved', 'present', 'noted', 'seen', 'found', 'reported',
  'planned', 'indicated', 'needed', 'required', 'scheduled', 'recommended', 'wanted', 'anticipated', 'intended', 'performed', 'done',
]);
/** Verbs between a list and the cue after it ("implants are not planned"). */
const LINKING = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being']);
const MAX_GAP = 2;
/** How many words after a cue it still negates (NegEx uses about five; staff messages are terse), per list item. */
const NEGATION_WINDOW = 4;
const AFTER_WINDOW = 2;
/** How far ahead a list that a negation opens may run before its closing "or". */
const LIST_REACH = 16;

export interface Tokens {
  readonly words: readonly string[];
  /** For each word, the plain words it can be (itself, and itself without a common ending). */
  readonly stems: readonly ReadonlySet<string>[];
  /** Where each plain word occurs: phrase matching starts from here instead of scanning every word. */
  readonly positions: ReadonlyMap<string, readonly number[]>;
  /** For each word, the clause it is in: punctuation (, ; . ! ? ( ) + newline) starts a new one. Negation stays inside a clause. */
  readonly clauses: readonly number[];
  /** For each clause, whether a comma started it (a list may run on across it) rather than a stronger break. */
  readonly softClause: readonly boolean[];
  /** Words followed by a colon ("Not planned: implants"). */
  readonly colonAfter: ReadonlySet<number>;
  /** For each word, where it starts in the text. */
  readonly starts: readonly number[];
}

function stemsOf(word: string): Set<string> {
  const stems = new Set([word]);
  for (const suffix of SUFFIXES) if (suffix && word.length > suffix.length && word.endsWith(suffix)) stems.add(word.slice(0, -suffix.length));
  return stems;
}

/**
 * The texts tokenized last: a turn reads its message several times (the facts, the procedure, the signals, the
 * case), and the same Tokens also keeps its negation scopes (scopesOf). A few dozen, so it stays small.
 */
const recentTokens = new Recent<string, Tokens>(64);

/** Lower-case words; `&`, `/`, `-` and other punctuation separate words (`i&d` → `i d`). */
export function tokenize(text: string): Tokens {
  return recentTokens.get(text) ?? recentTokens.set(text, tokenizeText(text));
}

function tokenizeText(text: string): Tokens {
  const words: string[] = [];
  const clauses: number[] = [];
  const starts: number[] = [];
  const softClause: boolean[] = [false];
  const colonAfter = new Set<number>();
  let clause = 0;
  for (const m of text.toLowerCase().matchAll(/[a-z0-9]+|[,;.!?()[\]+\n:]/g)) {
    const w = m[0];
    if (/^[a-z0-9]/.test(w)) {
      words.push(w);
      clauses.push(clause);
      starts.push(m.index);
    } else if (w === ':') {
      if (words.length) colonAfter.add(words.length - 1);
    } else if (words.length && clauses[clauses.length - 1] === clause) {
      clause++;
      softClause[clause] = w === ',';
    } else if (w !== ',') softClause[clause] = false;
  }
  const stems = words.map(stemsOf);
  const positions = new Map<string, number[]>();
  stems.forEach((set, i) => {
    for (const stem of set) {
      const list = positions.get(stem);
      if (list) list.push(i);
      else positions.set(stem, [i]);
    }
  });
  return { words, stems, positions, clauses, softClause, colonAfter, starts };
}

function isCueAt(t: Tokens, j: number): boolean {
  const w = t.words[j] ?? '';
  const next = t.words[j + 1] ?? '';
  // "free of swelling".
  if (w === 'free') return next === 'of';
  if (!NEGATIONS.has(w)) return false;
  // "tooth no 3", "not only": not negations.
  if (w === 'no' && /^\d/.test(next)) return false;
  return !(w === 'not' && next === 'only');
}

/** A cue written after what it negates, at word j: "none", "absent", "ruled out", "n/a", "not involved". */
function isAfterCueAt(t: Tokens, j: number): boolean {
  const w = t.words[j] ?? '';
  if (AFTER_NEGATIONS.has(w)) return true;
  // A form's answer: "Swelling: no", "Fracture: negative", "Trauma: denies".
  if (t.colonAfter.has(j - 1) && (w === 'no' || w === 'negative' || w === 'denies' || w === 'neg')) return true;
  if (w === 'n' && t.words[j + 1] === 'a') return true;
  if (w === 'ruled' && t.words[j + 1] === 'out') return true;
  if (w === 'free' && t.words[j + 1] !== 'of' && j > 0) return true;
  if (AFTER_NOT.has(w)) {
    const next = t.words[j + 1] === 't' ? t.words[j + 2] : t.words[j + 1];
    if (next && AFTER_NOT_WORDS.has(next)) return true;
  }
  return false;
}

const sameClauseRun = (t: Tokens, k: number) => k > 0 && t.clauses[k] === t.clauses[k - 1];

/** Whether the words from k on continue a list that an "or"/"nor" closes before the sentence ends. */
function listGoesOn(t: Tokens, k: number): boolean {
  let item = 0;
  for (let m = k; m < t.words.length && m < k + LIST_REACH; m++) {
    if (m > k && !sameClauseRun(t, m)) {
      if (!t.softClause[t.clauses[m] ?? 0]) return false;
      item = 0;
    }
    const w = t.words[m] ?? '';
    if (TERMINATORS.has(w)) return false;
    if ((w === 'or' || w === 'nor') && sameClauseRun(t, m + 1) && !/^\d/.test(t.words[m + 1] ?? '')) return true;
    if (!QUALIFIERS.has(w) && ++item > NEGATION_WINDOW) return false;
  }
  return false;
}

/**
 * Cues that open a review of systems ("denies fever, chills, trismus"): clinicians list what is absent after
 * them with commas and often no closing "or", so such a list runs on item by item while each is a short finding.
 */
const LIST_CUES = new Set(['denies', 'denied', 'deny', 'negative']);
/** Words that say an item is not a finding but the insurance, the plan or the care ("Aetna medical", "needs ext"). */
const NOT_A_FINDING = new Set(['medical', 'dental', 'insurance', 'plan', 'plans', 'coverage', 'medicare', 'medicaid', 'tricare', 'pt', 'patient']);

/** Whether the comma item starting at k is a short finding: at most three words, no number, no plan word. */
function findingItem(t: Tokens, k: number): boolean {
  let n = 0;
  for (let m = k; m < t.words.length && (m === k || sameClauseRun(t, m)); m++) {
    const w = t.words[m] ?? '';
    if (TERMINATORS.has(w) || NOT_A_FINDING.has(w) || /^\d/.test(w) || ++n > 3) return false;
  }
  return n > 0;
}

/** Marks the words a cue at j negates, going forward. */
function scopeForward(t: Tokens, j: number, negated: boolean[]): void {
  if (NARROW_NEGATIONS.has(t.words[j] ?? '')) {
    if (sameClauseRun(t, j + 1)) negated[j + 1] = true;
    return;
  }
  const first = j + (t.words[j] === 'free' ? 2 : 1);
  // A heading: "Not planned: implants, bone graft." covers its list to the end of the sentence.
  const colon = [j, j + 1, j + 2].find((c) => t.colonAfter.has(c) && c < first + 2 && t.clauses[c] === t.clauses[j]);
  if (colon !== undefined) {
    for (let k = colon + 1; k < t.words.length; k++) {
      if (k > colon + 1 && !sameClauseRun(t, k) && !t.softClause[t.clauses[k] ?? 0]) break;
      if (TERMINATORS.has(t.words[k] ?? '')) break;
      negated[k] = true;
    }
    return;
  }
  let budget = NEGATION_WINDOW;
  let onlyFillers = true;
  let inList = false;
  for (let k = first; k < t.words.length; k++) {
    if (!sameClauseRun(t, k)) {
      if (!t.softClause[t.clauses[k] ?? 0] || !(listGoesOn(t, k) || (LIST_CUES.has(t.words[j] ?? '') && findingItem(t, k)))) return;
      inList = true;
      budget = NEGATION_WINDOW;
    }
    const w = t.words[k] ?? '';
    if (TERMINATORS.has(w)) {
      // A terminator right after the cue belongs to it ("doesn't have", "no longer has").
      if (!onlyFillers) return;
      budget--;
      continue;
    }
    if (!NEGATION_FILLERS.has(w)) onlyFillers = false;
    negated[k] = true;
    if (w === 'or' || w === 'nor' || (inList && w === 'and')) budget = NEGATION_WINDOW;
    else if (!QUALIFIERS.has(w) && --budget <= 0) return;
  }
}

/** Marks the words a cue written after them (at p) negates: the last words before it, or the whole list it closes. */
function scopeBackward(t: Tokens, p: number, negated: boolean[]): void {
  const clause = t.clauses[p];
  for (let k = p - 1; k >= 0 && k >= p - AFTER_WINDOW && t.clauses[k] === clause; k--) negated[k] = true;
  // A comma-separated list of short items right before the cue ("implants, bone graft and sinus lift are not planned").
  let k = p - 1;
  while (k >= 0 && LINKING.has(t.words[k] ?? '') && t.clauses[k] === clause) k--;
  const items: number[][] = [];
  let item: number[] = [];
  let commas = 0;
  for (; k >= 0; k--) {
    const w = t.words[k] ?? '';
    if (TERMINATORS.has(w) || NEGATIONS.has(w)) return;
    const boundary = k < p - 1 && t.clauses[k] !== t.clauses[k + 1];
    if (boundary) {
      if (!t.softClause[t.clauses[k + 1] ?? 0]) break;
      commas++;
      items.push(item);
      item = [];
    }
    if (LIST_JOINS.has(w)) {
      items.push(item);
      item = [];
      continue;
    }
    item.push(k);
    if (item.filter((x) => !QUALIFIERS.has(t.words[x] ?? '')).length > NEGATION_WINDOW) return;
  }
  items.push(item);
  // Without a comma, only a heading-like "fever and trismus: none" is a list ("patient fell and implants are not planned" is not).
  if (commas === 0 && !t.colonAfter.has(p - 1)) return;
  for (const it of items) for (const x of it) negated[x] = true;
}

interface Scopes { before: boolean[]; after: boolean[] }
const scopeCache = new WeakMap<Tokens, Scopes>();

/** Which words each negation governs, worked out once per text. */
function scopesOf(t: Tokens): Scopes {
  const cached = scopeCache.get(t);
  if (cached) return cached;
  const before: boolean[] = [];
  const after: boolean[] = [];
  for (let j = 0; j < t.words.length; j++) {
    if (isCueAt(t, j)) scopeForward(t, j, before);
    if (isAfterCueAt(t, j)) scopeBackward(t, j, after);
  }
  const scopes = { before, after };
  scopeCache.set(t, scopes);
  return scopes;
}

/** Whether the words from `start` to `end` (word indexes) are negated where they stand. */
export function isNegatedAt(t: Tokens, start: number, end = start): boolean {
  const { before, after } = scopesOf(t);
  return before[start] === true || after[end] === true;
}

/** Compiled form of a phrase: its words. Phrases are compiled once at knowledge load. */
export type Phrase = readonly string[];

export function compilePhrase(phrase: string): Phrase {
  return tokenize(phrase).words;
}

/** Match a phrase starting at a given word; returns the index of its last word, or -1. */
function matchFrom(tokens: Tokens, phrase: Phrase, start: number): number {
  let at = start;
  for (let p = 1; p < phrase.length; p++) {
    let found = -1;
    for (let j = at + 1; j <= at + 1 + MAX_GAP && j < tokens.words.length; j++) {
      if (tokens.stems[j]?.has(phrase[p] ?? '')) {
        found = j;
        break;
      }
    }
    if (found < 0) return -1;
    at = found;
  }
  return at;
}

/** A cue in the gap of a phrase negates it: "car not involved" is not "car involved". */
function negatedInside(tokens: Tokens, start: number, end: number): boolean {
  for (let j = start + 1; j < end; j++) if (isCueAt(tokens, j)) return true;
  return false;
}

/** Where the phrase first occurs, not negated: its first and last word. A phrase that starts with a negation word may match itself. */
export function findPhrase(tokens: Tokens, phrase: Phrase): { start: number; end: number } | undefined {
  const first = phrase[0];
  if (first === undefined) return undefined;
  const starts = tokens.positions.get(first);
  if (starts === undefined) return undefined;
  const selfNegating = NEGATIONS.has(first);
  for (const i of starts) {
    const end = matchFrom(tokens, phrase, i);
    if (end < 0) continue;
    if (!selfNegating && (isNegatedAt(tokens, i, end) || negatedInside(tokens, i, end))) continue;
    return { start: i, end };
  }
  return undefined;
}

/** True when the phrase occurs, not negated, in the tokens. A phrase that starts with a negation word may match itself. */
export function hasPhrase(tokens: Tokens, phrase: Phrase): boolean {
  return findPhrase(tokens, phrase) !== undefined;
}

export function hasAnyPhrase(tokens: Tokens, phrases: readonly Phrase[]): boolean {
  return phrases.some((phrase) => hasPhrase(tokens, phrase));
}

/**
 * Many owners' phrases (the signals', the categories'), filed by their first word: a text is tried only against the
 * phrases that can start in it, so reading a message costs what its words cost, not what the knowledge base holds.
 */
export class PhraseIndex<Owner> {
  private readonly byFirst = new Map<string, { phrase: Phrase; owner: Owner }[]>();

  constructor(owners: Iterable<readonly [Owner, readonly Phrase[]]>) {
    for (const [owner, phrases] of owners) {
      for (const phrase of phrases) {
        const first = phrase[0];
        if (first === undefined) continue;
        const list = this.byFirst.get(first);
        if (list) list.push({ phrase, owner });
        else this.byFirst.set(first, [{ phrase, owner }]);
      }
    }
  }

  /** For each owner with a phrase found (not negated) in the tokens, the length of its longest one: longer phrases are more specific evidence. */
  longest(tokens: Tokens): Map<Owner, number> {
    const found = new Map<Owner, number>();
    for (const word of tokens.positions.keys()) {
      for (const { phrase, owner } of this.byFirst.get(word) ?? NONE) {
        if (phrase.length > (found.get(owner) ?? 0) && hasPhrase(tokens, phrase)) found.set(owner, phrase.length);
      }
    }
    return found;
  }
}
const NONE: readonly never[] = [];

/**
 * Tooth numbers written as `#8`, `#A`, `tooth 30` or `teeth 1 and 16` (Universal numbering: 1–32 permanent, A–T primary).
 */
export function findTeeth(text: string): string[] {
  const teeth = new Set<string>();
  const add = (raw: string) => {
    const t = raw.toUpperCase();
    if (/^\d+$/.test(t)) {
      const n = Number(t);
      if (n >= 1 && n <= 32) teeth.add(String(n));
    } else if (/^[A-T]$/.test(t)) teeth.add(t);
  };
  for (const [, tooth = ''] of text.matchAll(/#\s?(\d{1,2}|[A-Ta-t])\b/g)) add(tooth);
  for (const [, list = ''] of text.matchAll(/\b(?:tooth|teeth|tooth\s+number|tooth\s+no\.?)\s+((?:\d{1,2}|[A-T])(?:\s*(?:,|and|&|\/)\s*(?:#\s?)?(?:\d{1,2}|[A-T]))*)\b/gi)) {
    for (const part of list.split(/\s*(?:,|and|&|\/)\s*/i)) add(part.replace('#', '').trim());
  }
  return [...teeth];
}
