/**
 * medbill never needs who the patient is, only what happened. Messages are scrubbed of anything that looks
 * like an identifier before they are read, stored or logged, and the person is told, without the
 * identifier being repeated. Errs on the side of removing: a false alarm costs a sentence, a leak costs
 * a breach report.
 *
 * It runs on every message, so every pattern is linear: each quantifier that could run far is bounded, and
 * the judgement calls (is this word a name? is this token a code?) are made in code on what a pattern found,
 * not by backtracking.
 */
import { isAcronym, isKnownWord, isTerm } from './vocabulary.js';
import { codeSetOf } from '../knowledge/codes.js';
import { SERVICE_CUE_WORDS, SERVICE_YEAR_MARK } from '../knowledge/service-date.js';
import { fullYear, monthNumber } from '../calendar.js';

export type IdentifierKind = 'name' | 'date' | 'ssn' | 'phone' | 'email' | 'member-id' | 'record-number' | 'address';

/**
 * What a question's answer may name that is not a person: a product ("SomnoDent Avant hinged"), a lab
 * ("Glidewell") or a drug. A letter template's fact declares it (`names`), and the flow tells the engine.
 */
export const PROPER_NAME_KINDS = ['product', 'lab', 'drug'] as const;
export type ProperNameKind = (typeof PROPER_NAME_KINDS)[number];

export interface ScrubOptions {
  /**
   * The message answers a question whose answer is a product, a lab or a drug: capitalised words that are no
   * English word are that name, not a person's, so two of them in a row are kept. Everything else is still
   * removed: a name after pt, patient, an honorific or "name is", and every other kind of identifier.
   */
  answerNames?: ProperNameKind;
}

export interface Scrubbed {
  /** The message with each identifier replaced by a neutral marker. */
  text: string;
  /** What kinds were found; never the identifiers themselves. */
  found: IdentifierKind[];
}

/** A code medbill reads (CDT D7240, CPT 41100, HCPCS E0486, ICD-10-CM K01.1 / S02652A): never an ID. */
const isCode = (token: string) => codeSetOf(token) !== undefined;
const digitsIn = (s: string) => s.replace(/\D/g, '').length;
/**
 * A number that is a business's, not a patient's: toll-free (a payer's provider line) or right after NPI,
 * TIN or EIN (the provider's and practice's own numbers, which a claim needs).
 */
function notPersonal(whole: string, before: string): boolean {
  const digits = whole.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
  return /^8(?:00|88|77|66|55|44|33)\d{7}$/.test(digits) || /\b(?:npi|tin|ein|tax\s{1,3}id)\s{0,3}[:#]?\s{0,3}$/i.test(before);
}

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\\.?';
const DATE_SHAPE = `(?:\\d{1,2}[/.-]\\d{1,2}(?:[/.-]\\d{2,4})?|\\d{1,2}\\s{1,2}\\d{1,2}\\s{1,2}(?:19|20)?\\d{2}\\b|(?:19|20)\\d{2}-\\d{1,2}-\\d{1,2}|\\d{6,8}|${MONTH}\\s{1,3}\\d{1,2}(?:st|nd|rd|th)?,?(?:\\s{1,3}\\d{2,4})?|\\d{1,2}\\s{1,3}${MONTH},?\\s{1,3}\\d{2,4}|${MONTH}\\s{1,3}(?:19|20)\\d{2}|(?:19|20)\\d{2})`;
const PAYER = '(?:bcbs|blue\\s{1,3}cross(?:\\s{1,3}blue\\s{1,3}shield)?|blue\\s{1,3}shield|aetna|cigna|uhc|united\\s{0,3}health\\s{0,3}care|unitedhealth|humana|kaiser(?:\\s{1,3}permanente)?|anthem|delta(?:\\s{1,3}dental)?|metlife|guardian|medicare|medicaid|medi-cal|tricare|geico|state\\s{1,3}farm|aarp|highmark|molina|ambetter|oscar|ameritas|united\\s{1,3}concordia|wellcare|carefirst|horizon|optum)';
const STREET = '(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|lane|ln|court|ct|place|pl|way|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|square|sq)';

interface Pattern {
  kind: IdentifierKind;
  re: RegExp;
  /**
   * Whether what the pattern found really is an identifier (default: yes). `group` is the pattern's group,
   * if any; `before` the few characters in front of the match.
   */
  accept?: (whole: string, group: string | undefined, before: string) => boolean;
  /**
   * Only the group (at the very end of the match) is the identifier: the words before it stay, because they
   * are facts the answer needs ("BCBS" in "BCBS XKQ123456789").
   */
  groupOnly?: true;
  /** What to put in the identifier's place instead of "[kind removed]" (still counted as removed). */
  mark?: (whole: string, before: string) => string | undefined;
}

/**
 * Words that say the date after them is the date of service ("DOS 10/3/2026", "service date 2026-10-03", "seen on
 * Oct 3 2026", "surgery scheduled for 1/15/2027"). A date of birth has its own words (DOB, born) and is removed
 * before this is asked; a date with none of these words in front of it is removed whole.
 */
const SERVICE_CUE = new RegExp(`\\b${SERVICE_CUE_WORDS}\\s{0,3}[:#-]?\\s{0,3}$`, 'i');
/** The first year of ICD-10-CM (FY2016 began 2015-10-01): an earlier "date of service" is a slip, and is removed whole. */
const FIRST_SERVICE_YEAR = 2015;

/**
 * A date of service typed with its year is an identifier in the text as any full date is (HIPAA Safe Harbor counts
 * every date element but the year), but its fiscal year is what medbill needs from it: the ICD-10-CM code set. So
 * the date is removed and its fiscal year (October 1 to September 30) is left in its place: "DOS [date removed:
 * service in FY2027]". Undefined (removed whole) when no service words come right before it.
 */
export function serviceYearMark(whole: string, before: string): string | undefined {
  if (!SERVICE_CUE.test(before)) return undefined;
  const date = ymdOf(whole);
  if (!date || date.year < FIRST_SERVICE_YEAR) return undefined;
  return `${SERVICE_YEAR_MARK}${date.month >= 10 ? date.year + 1 : date.year}]`;
}

/** The year and month of a date the date patterns found (10/3/2026, 10-3-26, 2026-10-03, Oct 3 2026, 3-Oct-2026). */
function ymdOf(text: string): { year: number; month: number } | undefined {
  const iso = /^(\d{4})-(\d{1,2})-\d{1,2}$/.exec(text);
  if (iso) return valid(Number(iso[1]), Number(iso[2]));
  const us = /^(\d{1,2})[/.-]\d{1,2}[/.-](\d{2}|\d{4})$/.exec(text);
  if (us) return valid(fullYear(us[2] ?? ''), Number(us[1]));
  const month = monthNumber(/[a-z]{3,}\.?/i.exec(text)?.[0] ?? '');
  const year = /((?:19|20)\d{2})$/.exec(text)?.[1];
  return month && year ? valid(Number(year), month) : undefined;
}
const valid = (year: number, month: number) => (month >= 1 && month <= 12 ? { year, month } : undefined);

/** Applied in this order: a specific shape (an SSN) before a general one (a bare 9-digit number). */
const PATTERNS: Pattern[] = [
  { kind: 'email', re: /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g },
  // Spelled out to get past filters: "jsmith at example dot com", "j.smith [at] example [dot] org".
  {
    kind: 'email',
    re: /\b[\w.+-]{1,64}(?:\s{0,3}(?:\(at\)|\[at\]|@)\s{0,3}|\s{1,3}at\s{1,3})[\w-]{1,63}(?:(?:\s{0,3}(?:\(dot\)|\[dot\])\s{0,3}|\s{1,3}dot\s{1,3}|\.)[\w-]{1,63}){0,3}?(?:\s{0,3}(?:\(dot\)|\[dot\])\s{0,3}|\s{1,3}dot\s{1,3}|\.)(?:com|net|org|edu|gov|us|io|co|info|biz|mail)\b/gi,
  },
  // Medicare Beneficiary Identifier: 11 characters in a fixed letter/digit pattern, also as the card prints it (1EG4-TE5-MK73).
  { kind: 'member-id', re: /\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}\b/gi },
  // 518-62-7394, 518 62 7394, 518.62.7394, and typed oddly: 518 - 62 - 7394, 518  62  7394, 518-62 7394.
  { kind: 'ssn', re: /\b\d{3}(?:[ \t]{0,2}-[ \t]{0,2}|[ \t]{1,2}|\.)\d{2}(?:[ \t]{0,2}-[ \t]{0,2}|[ \t]{1,2}|\.)\d{4}\b/g },
  { kind: 'ssn', re: /\b(?:ssn|ss#|ss\s{1,3}no\.?|social\s{1,3}security(?:\s{1,3}(?:number|no\.?|#))?|social)\s{0,3}[:#]?\s{0,3}\d[\d -]{2,10}\d\b/gi },
  { kind: 'phone', re: /(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b/g, accept: (whole, _g, before) => !notPersonal(whole, before) },
  {
    kind: 'phone',
    re: /\b(?:phone|ph|tel|telephone|cell|mobile|call|text|fax)\b\s{0,3}(?:#|no\.?|number|is|at)?\s{0,3}[:#]?\s{0,3}(\+?\d[\d ().-]{5,16}\d)\b/gi,
    accept: (_w, number) => digitsIn(number ?? '') >= 7 && !notPersonal(number ?? '', ''),
    groupOnly: true,
  },
  // Dates with a year (birth dates, service dates): any of them ties a case to a person. "12/3" alone is a visit, not a person.
  { kind: 'date', re: new RegExp(`\\b(?:dob|d\\.o\\.b\\.?|date\\s{1,3}of\\s{1,3}birth|birth\\s{0,3}date|born(?:\\s{1,3}on)?)\\s{0,3}[:-]?\\s{0,3}${DATE_SHAPE}\\b`, 'gi') },
  // A date of service keeps only its fiscal year, which chooses the ICD-10-CM code set (see serviceYearMark).
  { kind: 'date', re: /\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b|\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b/g, mark: serviceYearMark },
  { kind: 'date', re: new RegExp(`\\b${MONTH}\\s{1,3}\\d{1,2}(?:st|nd|rd|th)?,?\\s{1,3}(?:19|20)\\d{2}\\b|\\b\\d{1,2}(?:\\s{1,3}|-)${MONTH}(?:,?\\s{1,3}|-)(?:19|20)\\d{2}\\b`, 'gi'), mark: serviceYearMark },
  {
    kind: 'member-id',
    re: /\b(?:member|subscriber|policy|insurance|group|grp|medicare|medicaid|mbi|hicn|id)\b(?:\s{0,3}(?:id|#|number|no\.?|num)){0,2}\s{0,3}[:#]?\s{0,3}((?=[A-Z-]{0,24}\d)[A-Z0-9][A-Z0-9-]{5,24})\b/gi,
    // "claim ID CLM889123" is the practice's own claim number, not the patient's (issue 24 §2).
    accept: (whole, id, before) => !!id && !isCode(id) && !notPersonal(id, '') && !(/^id\b/i.test(whole) && /\bclaims?\s{1,3}$/i.test(before)),
    groupOnly: true,
  },
  // A member-ID-shaped token right after a payer: "BCBS XKQ123456789", "Aetna medical W123456789".
  {
    kind: 'member-id',
    re: new RegExp(`\\b${PAYER}\\b(?:\\s{1,3}[A-Za-z]{1,20}\\b){0,3}\\s{0,3}(?:#|:|no\\.?|number)?\\s{0,3}((?=[A-Z-]{0,24}\\d)[A-Z0-9][A-Z0-9-]{5,24})\\b`, 'gi'),
    accept: (_w, id) => !!id && !isCode(id) && !notPersonal(id, ''),
    groupOnly: true,
  },
  {
    kind: 'record-number',
    re: /\b(?:mrn|mr(?=\s{0,3}#)|medical\s{1,3}record|chart|account|acct|patient\s{1,3}id|pt\s{1,3}id)\s{0,3}(?:#|number|no\.?)?\s{0,3}[:#]?\s{0,3}([A-Z0-9-]{0,20}\d[A-Z0-9-]{0,20})\b/gi,
    // After "chart" a code is a code ("chart D7240"); after "MRN" or "medical record" a number is the record's.
    accept: (whole, id) => !!id && id.length >= 4 && (!isCode(id) || /^(?:mrn?|medical)\b/i.test(whole)),
    groupOnly: true,
  },
  // Digits alone: 10 (or 1 + 10) is a phone number typed without separators, 9 an SSN.
  { kind: 'phone', re: /(?:\+|\b)1?\d{10}\b/g, accept: (whole, _g, before) => !notPersonal(whole, before) },
  { kind: 'ssn', re: /\b\d{9}\b/g, accept: (whole, _g, before) => !notPersonal(whole, before) },
  {
    kind: 'address',
    re: new RegExp(`\\b\\d{1,6}[A-Za-z]?((?:\\s{1,3}[A-Za-z0-9'’.-]{1,30}){1,4}?)\\s{1,3}${STREET}\\b\\.?`, 'gi'),
    accept: (whole, between) => !!between && namesAStreet(whole, between),
  },
  { kind: 'address', re: /\b(?:apt|apartment|suite|ste|p\.?\s{0,2}o\.?\s{0,2}box)\b\.?\s{0,3}#?\s{0,3}\d[A-Za-z0-9-]{0,6}\b|\b(?:apt|apartment)\b\.?\s{0,3}#?\s{0,3}[A-Za-z]\b/gi },
];

/**
 * The words between the number and "Street" name a street ("42 Elm Street", "1200 N Main St"), not "900 for
 * the way": each is capitalised or a number, or, in an address typed all in lower case ("42 elm street"),
 * not a common word.
 */
function namesAStreet(whole: string, between: string): boolean {
  const suffix = whole.replace(/\W+$/, '').split(/\s+/).at(-1) ?? '';
  const lowercase = /^[a-z]/.test(suffix);
  return between.trim().split(/\s+/).every((w) => /^[A-Z0-9]/.test(w) || (lowercase && !isTerm(w)));
}

function applyPatterns(text: string, found: Set<IdentifierKind>): string {
  let out = text;
  for (const { kind, re, accept, groupOnly, mark } of PATTERNS) {
    out = out.replace(re, (whole: string, ...rest: unknown[]) => {
      // replace() passes the groups, then the offset and the whole string.
      const group = rest.length > 2 && typeof rest[0] === 'string' ? rest[0] : undefined;
      const offset = rest.at(-2);
      const before = typeof offset === 'number' ? out.slice(Math.max(0, offset - 24), offset) : '';
      if (accept && !accept(whole, group, before)) return whole;
      found.add(kind);
      const marked = mark?.(whole, before);
      if (marked) return marked;
      const keep = groupOnly && group && whole.endsWith(group) ? whole.slice(0, whole.length - group.length) : '';
      return `${keep}[${kind} removed]`;
    });
  }
  return out;
}

// ---------------------------------------------------------------- names

const NAME_MARK = '[name removed]';
/** A word as a name could be written: "Chen", "CHEN", "chen", "O'Brien", "Garcia-Lopez", "Chen's", or an initial "A.". */
const WORD = /[A-Za-z][A-Za-z'’-]{0,40}\.?/y;
const GAP = /(\s{1,3}|,\s{0,3})/y;

const isInitial = (w: string) => /^[A-Za-z]\.?$/.test(w);
const isCapitalised = (w: string) => /^[A-Z]/.test(w);
const bare = (w: string) => w.replace(/\.$/, '');

/**
 * "pt John Smith", "patient john smith", "patient is Ann Lee", "pt: Smith, John", "Mr. Garcia", "Dr Lopez", "her name is Ann Lee".
 * After pt / patient the first word must be no word at all ("pt tripped" is not a name); after an honorific a
 * capitalised word is a name unless it is a clinical or very common word ("Dr. Rose", but not "Dr. Order").
 */
const TITLE = /\b(?:(?:patient|pt)(?:['’]s)?\s{1,3}name(?:\s{1,3}is)?|name(?:\s{1,3}is)?|named|(patient|pt)(?:\s{1,3}is)?|(mrs|mr|ms|miss|mx|dr|doctor))\b(?:\.?\s{0,3}[:-]\s{0,3}|\.?\s{1,3}|\.)(?=[A-Za-z])/gi;

/** Whether the word after a title (first) or after a name word (not first) is part of the name. */
function nameWordAfterTitle(word: string, first: boolean, title: 'pt' | 'honorific' | 'name-is'): boolean {
  if (isInitial(word)) return !first;
  if (!isKnownWord(word)) return true;
  if (first) return title !== 'pt' && isCapitalised(word) && !isTerm(word);
  // After a name, an ordinary word is a surname ("Jane White") unless it is a term ("pt Jane has…").
  return (isCapitalised(word) || title === 'name-is') && !isTerm(word);
}

function titledNames(text: string, found: Set<IdentifierKind>): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(TITLE)) {
    const start = (m.index ?? 0) + m[0].length;
    if (start < from) continue;
    const title = m[1] ? 'pt' : m[2] ? 'honorific' : 'name-is';
    const words: { end: number; word: string }[] = [];
    let at = start;
    while (words.length < 4) {
      WORD.lastIndex = at;
      const w = WORD.exec(text);
      if (!w) break;
      const word = bare(w[0]);
      if (!nameWordAfterTitle(word, words.length === 0, title)) break;
      // A period after an initial is part of the name; after a word it ends the sentence.
      words.push({ end: w.index + (isInitial(word) ? w[0].length : word.length), word });
      GAP.lastIndex = WORD.lastIndex;
      if (!GAP.exec(text)) break;
      at = GAP.lastIndex;
    }
    // A trailing initial starts the next sentence more often than it ends a name.
    while (words.length > 1 && isInitial(words.at(-1)?.word ?? '')) words.pop();
    const last = words.at(-1);
    if (!last) continue;
    found.add('name');
    out += text.slice(from, start) + NAME_MARK;
    from = last.end;
  }
  return out + text.slice(from);
}

/**
 * Two to four capitalised words in a row ("Emily Chen's", "JOHN SMITH", "Smith, John") are a name when one
 * of them is no known word. The name is the unknown words and the ordinary words right beside them ("Jack
 * Brown"), never a clinical or very common word ("Saw Emily Chen" keeps "Saw"). A single capitalised word is
 * not a name: it starts a sentence, or it is a drug or a place.
 */
const RUN = /\b[A-Z](?:[A-Za-z'’-]{0,40}|\.)(?:(?:,[ \t]{0,3}|[ \t]{1,3})[A-Z](?:[A-Za-z'’-]{0,40}|\.)){1,3}\b/g;
const RUN_WORD = /[A-Za-z][A-Za-z'’-]*\.?/g;

type Role = 'unknown' | 'ordinary' | 'term';

function roleOf(word: string): Role {
  const w = bare(word);
  if (isInitial(w)) return 'ordinary';
  // Short shorthand in capitals is an abbreviation more often than a name, but "JOHN LEE" is still one name.
  if (/^[A-Z]{2,3}$/.test(w) && !isAcronym(w)) return 'ordinary';
  if (isAcronym(w) || isTerm(w)) return 'term';
  return isKnownWord(w) ? 'ordinary' : 'unknown';
}

function capitalisedNames(text: string, found: Set<IdentifierKind>): string {
  return text.replace(RUN, (run: string) => {
    const words = [...run.matchAll(RUN_WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, role: roleOf(m[0]) }));
    const unknown = words.map((w, i) => (w.role === 'unknown' ? i : -1)).filter((i) => i >= 0);
    const firstUnknown = unknown[0];
    const lastUnknown = unknown.at(-1);
    if (firstUnknown === undefined || lastUnknown === undefined) return run;
    let a = firstUnknown;
    let b = lastUnknown;
    while (a > 0 && words[a - 1]?.role === 'ordinary') a--;
    while (b < words.length - 1 && words[b + 1]?.role === 'ordinary') b++;
    const from = words[a]?.start ?? 0;
    const to = words[b]?.end ?? run.length;
    found.add('name');
    return run.slice(0, from) + NAME_MARK + run.slice(to);
  });
}

export function scrubIdentifiers(message: string, options: ScrubOptions = {}): Scrubbed {
  const found = new Set<IdentifierKind>();
  // Numbers and addresses first, so "42 Elm Street" is an address and not a name.
  let text = applyPatterns(message, found);
  text = titledNames(text, found);
  if (!options.answerNames) text = capitalisedNames(text, found);
  return { text, found: [...found] };
}

const SAID: Record<IdentifierKind, string> = {
  name: 'a name', date: 'a date', ssn: 'a Social Security number', phone: 'a phone number', email: 'an email address',
  'member-id': 'a member or policy ID', 'record-number': 'a chart or account number', address: 'a street address',
};

/** What was left out, by kind only: the identifier itself is never repeated. */
export function identifierNotice(found: IdentifierKind[], caseId?: string): string {
  const what = [...new Set(found)].map((k) => SAID[k]);
  const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1)}` : (what[0] ?? 'an identifier');
  const them = what.length > 1 ? 'them' : 'it';
  return `Your message looked like it had ${list} in it. medbill does not need patient identifiers, so I left ${them} out and did not store ${them}.${caseId ? ` This case is ${caseId}; use that to refer to it.` : ' Describe the case without them: the procedure, why it is needed, and the insurance.'}`;
}
