/**
 * Plain-word matching shared by signals, procedure phrases and code keywords.
 * A phrase matches when its words appear in order, at most MAX_GAP words apart, each word either exact
 * or with a common ending ("knock out" finds "knocked out"), and not negated ("no swelling", "swelling: none").
 *
 * Negation is read the way clinicians write it (after NegEx): a cue ("no", "not", "without", "denies",
 * "doesn't") negates the next few words of its own clause; punctuation or a word that starts a new statement
 * ("but", "has", "needs") ends it. A few cues follow what they negate ("dental: none", "car not involved").
 */
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
/** Cues written after what they negate, and the words that make "not" do so ("car not involved"). */
const AFTER_NEGATIONS = new Set(['none', 'denied', 'absent']);
const AFTER_NOT = new Set(['not', 'wasn', 'weren', 'isn']);
const AFTER_NOT_WORDS = new Set(['involved', 'present', 'noted', 'seen', 'found', 'reported']);
const MAX_GAP = 2;
/** How many words after a cue it still negates (NegEx uses about five; staff messages are terse). */
const NEGATION_WINDOW = 4;
const AFTER_WINDOW = 2;

export interface Tokens {
  readonly words: readonly string[];
  /** For each word, the plain words it can be (itself, and itself without a common ending). */
  readonly stems: readonly ReadonlySet<string>[];
  /** Where each plain word occurs: phrase matching starts from here instead of scanning every word. */
  readonly positions: ReadonlyMap<string, readonly number[]>;
  /** For each word, the clause it is in: punctuation (, ; . ! ? ( ) + newline) starts a new one. Negation stays inside a clause. */
  readonly clauses: readonly number[];
  /** For each word, where it starts in the text. */
  readonly starts: readonly number[];
}

function stemsOf(word: string): Set<string> {
  const stems = new Set([word]);
  for (const suffix of SUFFIXES) if (suffix && word.length > suffix.length && word.endsWith(suffix)) stems.add(word.slice(0, -suffix.length));
  return stems;
}

/** Lower-case words; `&`, `/`, `-` and other punctuation separate words (`i&d` → `i d`). */
export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const clauses: number[] = [];
  const starts: number[] = [];
  let clause = 0;
  for (const m of text.toLowerCase().matchAll(/[a-z0-9]+|[,;.!?()[\]+\n]/g)) {
    const w = m[0];
    if (/^[a-z0-9]/.test(w)) {
      words.push(w);
      clauses.push(clause);
      starts.push(m.index);
    } else if (words.length && clauses[clauses.length - 1] === clause) clause++;
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
  return { words, stems, positions, clauses, starts };
}

function isCueAt(t: Tokens, j: number): boolean {
  const w = t.words[j] ?? '';
  if (!NEGATIONS.has(w)) return false;
  // "tooth no 3", "not only": not negations.
  const next = t.words[j + 1] ?? '';
  if (w === 'no' && /^\d/.test(next)) return false;
  return !(w === 'not' && next === 'only');
}

/** True when a cue before `start` reaches it within its clause. */
function negatedBefore(t: Tokens, start: number): boolean {
  const clause = t.clauses[start];
  let terminatorAt = -1;
  for (let j = start - 1; j >= 0 && j >= start - NEGATION_WINDOW && t.clauses[j] === clause; j--) {
    const w = t.words[j] ?? '';
    if (isCueAt(t, j)) {
      if (NARROW_NEGATIONS.has(w) && j !== start - 1) return false;
      if (terminatorAt < 0) return true;
      // A terminator between the cue and the word ends the negation, unless only fillers separate it from the cue.
      for (let k = j + 1; k < terminatorAt; k++) if (!NEGATION_FILLERS.has(t.words[k] ?? '')) return false;
      return true;
    }
    if (TERMINATORS.has(w) && terminatorAt < 0) terminatorAt = j;
  }
  return false;
}

/** True when a cue written after the words `start..end` negates them: "dental: none", "car not involved", "n/a". */
function negatedAfter(t: Tokens, end: number): boolean {
  const clause = t.clauses[end];
  for (let j = end + 1; j <= end + AFTER_WINDOW && j < t.words.length && t.clauses[j] === clause; j++) {
    const w = t.words[j] ?? '';
    if (AFTER_NEGATIONS.has(w)) return true;
    if (w === 'n' && t.words[j + 1] === 'a') return true;
    if (w === 'ruled' && t.words[j + 1] === 'out') return true;
    if (AFTER_NOT.has(w)) {
      const next = t.words[j + 1] === 't' ? t.words[j + 2] : t.words[j + 1];
      if (next && AFTER_NOT_WORDS.has(next)) return true;
    }
  }
  return false;
}

/** Whether the words from `start` to `end` (word indexes) are negated where they stand. */
export function isNegatedAt(t: Tokens, start: number, end = start): boolean {
  return negatedBefore(t, start) || negatedAfter(t, end);
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
  const selfNegating = NEGATIONS.has(first);
  for (const i of tokens.positions.get(first) ?? []) {
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

/** The longest of the phrases found (0 when none): longer phrases are more specific evidence. */
export function bestPhraseLength(tokens: Tokens, phrases: readonly Phrase[]): number {
  let best = 0;
  for (const phrase of phrases) if (phrase.length > best && hasPhrase(tokens, phrase)) best = phrase.length;
  return best;
}

export function hasAnyPhrase(tokens: Tokens, phrases: readonly Phrase[]): boolean {
  return phrases.some((phrase) => hasPhrase(tokens, phrase));
}

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
