/**
 * Plain-word matching shared by signals, procedure phrases and code keywords.
 * A phrase matches when its words appear in order, at most MAX_GAP words apart, each word either exact
 * or with a common ending ("knock out" finds "knocked out"), and not right after a negation ("no swelling").
 */
const SUFFIXES = ['', 's', 'es', 'ed', 'd', 'ing', 'er', 'ers', 'ly'];
const NEGATIONS = new Set(['no', 'not', 'denies', 'denied', 'without', 'negative', 'never', 'non']);
const MAX_GAP = 2;
const NEGATION_WINDOW = 3;

export interface Tokens {
  readonly words: readonly string[];
  /** For each word, the plain words it can be (itself, and itself without a common ending). */
  readonly stems: readonly ReadonlySet<string>[];
  /** Where each plain word occurs: phrase matching starts from here instead of scanning every word. */
  readonly positions: ReadonlyMap<string, readonly number[]>;
}

function stemsOf(word: string): Set<string> {
  const stems = new Set([word]);
  for (const suffix of SUFFIXES) if (suffix && word.length > suffix.length && word.endsWith(suffix)) stems.add(word.slice(0, -suffix.length));
  return stems;
}

/** Lower-case words; `&`, `/`, `-` and other punctuation separate words (`i&d` → `i d`). */
export function tokenize(text: string): Tokens {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const stems = words.map(stemsOf);
  const positions = new Map<string, number[]>();
  stems.forEach((set, i) => {
    for (const stem of set) {
      const list = positions.get(stem);
      if (list) list.push(i);
      else positions.set(stem, [i]);
    }
  });
  return { words, stems, positions };
}

function isNegated(words: readonly string[], start: number): boolean {
  for (let i = Math.max(0, start - NEGATION_WINDOW); i < start; i++) {
    if (NEGATIONS.has(words[i]!)) return true;
  }
  return false;
}

/** Compiled form of a phrase: its words. Phrases are compiled once at knowledge load. */
export type Phrase = readonly string[];

export function compilePhrase(phrase: string): Phrase {
  return tokenize(phrase).words;
}

/** Match a phrase starting at a given word; returns true if the rest follows within the gap. */
function matchFrom(tokens: Tokens, phrase: Phrase, start: number): boolean {
  let at = start;
  for (let p = 1; p < phrase.length; p++) {
    let found = -1;
    for (let j = at + 1; j <= at + 1 + MAX_GAP && j < tokens.words.length; j++) {
      if (tokens.stems[j]!.has(phrase[p]!)) {
        found = j;
        break;
      }
    }
    if (found < 0) return false;
    at = found;
  }
  return true;
}

/** True when the phrase occurs, not negated, in the tokens. A phrase that starts with a negation word may match itself. */
export function hasPhrase(tokens: Tokens, phrase: Phrase): boolean {
  if (phrase.length === 0) return false;
  const selfNegating = NEGATIONS.has(phrase[0]!);
  for (const i of tokens.positions.get(phrase[0]!) ?? []) {
    if (!matchFrom(tokens, phrase, i)) continue;
    if (!selfNegating && isNegated(tokens.words, i)) continue;
    return true;
  }
  return false;
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
  for (const m of text.matchAll(/#\s?(\d{1,2}|[A-Ta-t])\b/g)) add(m[1]!);
  for (const m of text.matchAll(/\b(?:tooth|teeth|tooth\s+number|tooth\s+no\.?)\s+((?:\d{1,2}|[A-T])(?:\s*(?:,|and|&|\/)\s*(?:#\s?)?(?:\d{1,2}|[A-T]))*)\b/gi)) {
    for (const part of m[1]!.split(/\s*(?:,|and|&|\/)\s*/i)) add(part.replace('#', '').trim());
  }
  return [...teeth];
}
