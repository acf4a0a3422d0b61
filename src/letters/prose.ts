/**
 * How a fact typed by staff becomes part of a sentence a clinician would write: a list joined as one
 * ("loud snoring, daytime sleepiness and witnessed apneas"), a clause given its subject ("The patient stopped
 * for mask intolerance."), an ordinary first word in lower case in the middle of a sentence ("The patient
 * reports loud snoring", not "reports Loud snoring"), and the paragraph started with a capital. Only the
 * joins and the case of a first letter change: the words typed are the words written.
 */
import { commonWords } from '../privacy/vocabulary.js';

const MONTHS_AND_DAYS = /^(?:january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$/;
const isOrdinary = (word: string) => {
  const w = word.toLowerCase();
  return commonWords().has(w) && !MONTHS_AND_DAYS.test(w);
};

/** The items of a typed list, split at commas, semicolons and line ends outside brackets; a leading "and" dropped. */
function itemsOf(value: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '(' || ch === '[') depth++;
    if ((ch === ')' || ch === ']') && depth > 0) depth--;
    if (depth === 0 && (ch === ',' || ch === ';' || ch === '\n')) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items.map((i) => i.trim().replace(/^(?:and|or)\s+/i, '')).filter(Boolean);
}

/** "Loud snoring, daytime sleepiness; witnessed apneas" → "loud snoring, daytime sleepiness and witnessed apneas". */
export function asList(value: string): string {
  const items = itemsOf(value).map((item, i) => (i === 0 ? item : lowerFirst(item)));
  if (items.length < 2) return value.trim();
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** The first letter in lower case when the first word is an ordinary English word ("Loud" → "loud"; "CPAP", "Epworth", "March" kept). */
export function lowerFirst(text: string): string {
  const m = /^([A-Z][a-z]+)\b/.exec(text);
  return m?.[1] && isOrdinary(m[1]) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** The first letter in upper case. */
export const upperFirst = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Verbs a clause about the patient starts with ("stopped for mask intolerance", "could not tolerate the mask"). */
const CLAUSE_START = /^(?:was|were|is|has|had|have|could|couldn['’]t|cannot|can['’]t|can|did|didn['’]t|does|doesn['’]t|would|will|stopped|quit|tried|used|uses|wore|wears|developed|reported|reports|complained|complains|discontinued|refused|declined|removed|woke|wakes|took|takes|got|gets|fell|falls|tripped|slipped|collided|crashed|ran|bit|broke|felt|feels|experienced|experiences|continues|continued|presented|presents|underwent|received|needs|needed|requires|required|lost|struggled|struggles)\b/i;
/** A participle with "by" ("struck by a ball"): the clause needs "was". */
const PASSIVE_START = /^(?:struck|hit|kicked|punched|elbowed|knocked|bitten|thrown|hurt|injured|assaulted|attacked|cut|run over)\s+(?:by|with)\b/i;

/**
 * The answer as a clause about the patient, without its subject ("pt stopped for mask intolerance" →
 * "stopped for mask intolerance"; "struck by a ball" → "was struck by a ball"), or undefined when it reads
 * as a noun phrase ("mask leaks and claustrophobia").
 */
export function asClause(value: string): string | undefined {
  const subject = /^(?:the\s+)?(?:pt|patient)\b\.?\s+/i.exec(value);
  const rest = subject ? value.slice(subject[0].length) : value;
  if (PASSIVE_START.test(rest)) return `was ${lowerFirst(rest)}`;
  if (CLAUSE_START.test(rest)) return lowerFirst(rest);
  return undefined;
}

/** A paragraph as assembled: one space between words, no doubled article ("the the"), a capital at the start. */
export function tidyParagraph(text: string): string {
  return upperFirst(text.replace(/\s+/g, ' ').replace(/\b(the|a|an)\s+\1\b/gi, '$1').replace(/\s+([,.;:])(?=\s|$)/g, '$1').trim());
}
