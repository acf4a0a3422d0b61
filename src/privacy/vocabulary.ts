/**
 * Which words are ordinary words, for the identifier scrubber's name detector. A patient's name is, most of
 * the time, a capitalised word that is in no dictionary ("Emily Chen", "pt Zorvath"); clinical text written
 * with capitals ("Suspicious Lesion", "Car Accident", "Delta Dental", "Zometa") is made of known words. So
 * the scrubber asks two questions of a word: is it known at all, and is it a term (a frequent English word,
 * or a payer, drug, clinical or knowledge-base word) that is never a name in a billing message even when
 * capitalised?
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

/**
 * The word lists are data, not code (src/privacy/words/, found from the project root like knowledge/, so
 * dist/ reads the same files): common.txt (spoken English, most frequent first), domain.txt (payers, drugs,
 * clinical words: never a name), namesakes.txt (eponyms, places, months: known, but names elsewhere),
 * acronyms.txt. Each file's words are separated by white space; a line starting with # is a comment.
 */
const WORDS_DIR = join(PROJECT_ROOT, 'src', 'privacy', 'words');

interface WordLists {
  /** Most frequent first. */
  common: readonly string[];
  domain: ReadonlySet<string>;
  namesakes: readonly string[];
  acronyms: ReadonlySet<string>;
}

let lists: WordLists | undefined;

function readWords(name: string): string[] {
  const text = readFileSync(join(WORDS_DIR, `${name}.txt`), 'utf8');
  return text.split('\n').filter((line) => !line.startsWith('#')).join(' ').toLowerCase().split(/\s+/).filter(Boolean);
}

/** The lists, read once (a few milliseconds). A missing file is a broken install: it throws, at start (prepareVocabulary). */
function wordLists(): WordLists {
  lists ??= { common: readWords('common'), domain: new Set(readWords('domain')), namesakes: readWords('namesakes'), acronyms: new Set(readWords('acronyms')) };
  return lists;
}

let common: ReadonlySet<string> | undefined;
/** Every word of common.txt: ordinary spoken English (the letters use it to tell an ordinary first word from a name). */
export function commonWords(): ReadonlySet<string> {
  common ??= new Set(wordLists().common);
  return common;
}

/** Endings a known word may take and still be known ("denials", "referred"). */
const SUFFIXES = ['s', 'es', 'ed', 'd', 'ing', 'ly', 'er', 'ers'];

let vocabulary: { known: Set<string>; terms: Set<string> } | undefined;

/**
 * Every word in knowledge/ (category names and phrases, code descriptions, signals, documents): whatever
 * the knowledge base can talk about is clinical vocabulary. Read once, on first use; a knowledge/ that
 * cannot be read leaves the detector stricter (more words count as possible names), never broken.
 */
function knowledgeWords(into: Set<string>, dir = join(PROJECT_ROOT, 'knowledge')): void {
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json')) for (const m of readFileSync(full, 'utf8').matchAll(/[A-Za-z]{2,}/g)) into.add(m[0].toLowerCase());
    }
  };
  try {
    walk(dir);
  } catch {
    // Unreadable: the words read so far are kept, and the detector is stricter for the rest.
  }
}

/**
 * Reads the word lists and builds the vocabulary now (about 0.1 s: it reads knowledge/ too), rather than on
 * the first message a person sends. The engine calls it when it starts.
 */
export function prepareVocabulary(): void {
  load();
  commonWords();
}

function load() {
  if (!vocabulary) {
    const { common, domain, namesakes, acronyms } = wordLists();
    // The most frequent spoken words ("has", "will", "new", "saw"): capitalised, still not a name.
    const functionWords = common.slice(0, 500);
    const terms = new Set([...functionWords, ...domain, ...acronyms]);
    knowledgeWords(terms);
    const known = new Set(terms);
    for (const w of common) known.add(w);
    for (const w of namesakes) known.add(w);
    vocabulary = { known, terms };
  }
  return vocabulary;
}

/** A word as looked up: lower case, without a possessive, a trailing period, or what follows an apostrophe ("don't" → "don"). */
function keyOf(word: string): string {
  const lower = word.toLowerCase().replace(/['’]s$/, '').replace(/\.$/, '');
  const apostrophe = lower.search(/['’]/);
  return apostrophe > 0 && !wordLists().domain.has(lower) ? lower.slice(0, apostrophe) : lower;
}

function inSet(set: Set<string>, word: string): boolean {
  if (set.has(word)) return true;
  if (word.includes('-')) return word.split('-').every((part) => part === '' || inSet(set, part));
  return SUFFIXES.some((s) => word.length > s.length + 2 && word.endsWith(s) && set.has(word.slice(0, -s.length)));
}

/** In any list: common English, clinical, payer, drug, knowledge base. */
export function isKnownWord(word: string): boolean {
  return inSet(load().known, keyOf(word));
}

/** Never a name in a billing message, even capitalised after "Dr." or beside another capitalised word. */
export function isTerm(word: string): boolean {
  return inSet(load().terms, keyOf(word));
}

/** Capitalised shorthand that is a clinical or billing abbreviation ("OSA", "CBCT"). */
export function isAcronym(word: string): boolean {
  return wordLists().acronyms.has(word.toLowerCase());
}
