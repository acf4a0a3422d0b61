/**
 * A letter's facts as staff answer them: each value checked and normalized (a text without identifiers, a
 * number in range, yes or no, an option by its value or label, a month and year that has passed, a duration),
 * and which facts a letter still needs for its template and payer kind.
 */
import type { MedicalPayer } from '../knowledge/vocabulary.js';
import type { FactCondition, FactDef, LetterTemplate } from './templates.js';

export type FactCheck = { ok: true; value: string } | { ok: false; problem: string };

// ---------------------------------------------------------------- checking one value

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_WORD = '(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\\.?';
const monthIndex = (word: string) => MONTHS.findIndex((m) => m.toLowerCase().startsWith(word.toLowerCase().slice(0, 3)));
/** A date with a day and a year, in any usual shape: an identifier medbill never takes. */
const FULL_DATE = new RegExp(
  [
    '\\b\\d{1,2}\\s*[/.-]\\s*\\d{1,2}\\s*[/.-]\\s*\\d{2,4}\\b',
    '\\b(?:19|20)\\d{2}\\s*[/.-]\\s*\\d{1,2}\\s*[/.-]\\s*\\d{1,2}\\b',
    `\\b${MONTH_WORD}\\s{0,3}\\d{1,2}(?:st|nd|rd|th)?,?\\s{1,3}(?:19|20)?\\d{2}\\b`,
    `\\b\\d{1,2}(?:st|nd|rd|th)?\\s{1,3}(?:of\\s{1,3})?${MONTH_WORD},?\\s{1,3}(?:19|20)\\d{2}\\b`,
  ].join('|'),
  'i',
);
const IDENTIFIER_HINT = 'medbill never takes a full date, a name, or an ID number: please restate it without them';

function checkText(def: Extract<FactDef, { type: 'text' }>, raw: string): FactCheck {
  const value = raw.replace(/\s+/g, ' ').trim().replace(/(?<!\.)\.$/, '');
  if (!value) return { ok: false, problem: 'Please give an answer.' };
  const max = def.maxLength ?? 500;
  if (value.length > max) return { ok: false, problem: `Please keep it under ${max} characters (it has ${value.length}).` };
  if (/\[[^\]]*removed\]/i.test(value)) return { ok: false, problem: `Part of the answer was removed as an identifier; ${IDENTIFIER_HINT}.` };
  if (/[{}[\]]/.test(value)) return { ok: false, problem: 'Please leave out square brackets and braces.' };
  if (FULL_DATE.test(value)) return { ok: false, problem: `That looks like a full date; give the month and year, or how long ago (${IDENTIFIER_HINT}).` };
  if (/\d{7,}|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b|\(\d{3}\)\s?\d{3}[-. ]\d{4}|\b\d{3}-\d{2}-\d{4}\b/.test(value)) {
    return { ok: false, problem: `That has a long number that looks like an ID or a phone number; ${IDENTIFIER_HINT}.` };
  }
  if (/@/.test(value)) return { ok: false, problem: `That looks like an email address; ${IDENTIFIER_HINT}.` };
  return { ok: true, value };
}

function checkNumber(def: Extract<FactDef, { type: 'number' }>, raw: string): FactCheck {
  const m = /^\s*(?:about\s+|approx\.?\s+|approximately\s+|~\s*)?(-?\d{1,7}(?:\.\d{1,4})?)(?:\s*[a-z%°/][a-z%°/ .()-]{0,40})?\s*$/i.exec(raw);
  const unit = def.unit ? ` (${def.unit})` : '';
  const range = def.min !== undefined && def.max !== undefined ? ` between ${def.min} and ${def.max}` : def.min !== undefined ? ` of at least ${def.min}` : def.max !== undefined ? ` of at most ${def.max}` : '';
  if (!m?.[1]) return { ok: false, problem: `Please give a number${range}${unit}.` };
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return { ok: false, problem: `Please give a number${range}${unit}.` };
  if (def.integer && !Number.isInteger(n)) return { ok: false, problem: `Please give a whole number${range}${unit}.` };
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) return { ok: false, problem: `${n} is out of range: please give a number${range}${unit}.` };
  return { ok: true, value: String(n) };
}

const YES = /^(?:y|yes|yeah|yep|true|correct|affirmative)$/;
const NO = /^(?:n|no|nope|false|negative|not)$/;

function checkYesNo(def: Extract<FactDef, { type: 'yes-no' }>, raw: string): FactCheck {
  const w = raw.trim().toLowerCase().replace(/[.!]+$/, '');
  const value = YES.test(w) ? 'yes' : NO.test(w) ? 'no' : undefined;
  if (!value) return { ok: false, problem: 'Please answer yes or no.' };
  if (def.expect && value !== def.expect) return { ok: false, problem: def.otherwise ?? `This letter needs the answer "${def.expect}".` };
  return { ok: true, value };
}

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

function checkChoice(def: Extract<FactDef, { type: 'choice' }>, raw: string): FactCheck {
  const w = squash(raw);
  if (/^\d+$/.test(w)) {
    const o = def.options[Number(w) - 1];
    if (o) return { ok: true, value: o.value };
  }
  const o = def.options.find((x) => squash(x.value) === w || squash(x.label) === w || (x.aliases ?? []).some((a) => squash(a) === w));
  if (o) return { ok: true, value: o.value };
  return { ok: false, problem: `Please choose one of: ${def.options.map((x, i) => `${i + 1}. ${x.label}`).join('; ')}.` };
}

function checkMonthYear(def: Extract<FactDef, { type: 'month-year' }>, raw: string, today: string): FactCheck {
  const w = raw.trim().replace(/\s+/g, ' ');
  if (FULL_DATE.test(w)) return { ok: false, problem: 'Only the month and year, please (e.g. March 2025): a full date can identify the patient.' };
  let month: number | undefined;
  let year: number | undefined;
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^${MONTH_WORD}\\s?,?\\s?(?:of\\s)?((?:19|20)\\d{2})$`, 'i').exec(w))) {
    month = monthIndex(m[1] ?? '');
    year = Number(m[2]);
  } else if ((m = /^(\d{1,2})\s?[/.-]\s?((?:19|20)\d{2})$/.exec(w))) {
    month = Number(m[1]) - 1;
    year = Number(m[2]);
  } else if ((m = /^((?:19|20)\d{2})\s?[/.-]\s?(\d{1,2})$/.exec(w))) {
    month = Number(m[2]) - 1;
    year = Number(m[1]);
  }
  if (month === undefined || year === undefined || month < 0 || month > 11) return { ok: false, problem: 'Please give the month and year, e.g. March 2025.' };
  const thisYear = Number(today.slice(0, 4));
  const thisMonth = Number(today.slice(5, 7)) - 1;
  if (year < 1900 || year > thisYear + 2) return { ok: false, problem: `${year} is not a plausible year.` };
  if (def.past && (year > thisYear || (year === thisYear && month > thisMonth))) return { ok: false, problem: 'That month has not come yet: please give a month that has passed.' };
  return { ok: true, value: `${MONTHS[month]} ${year}` };
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, eighteen: 18, twenty: 20, thirty: 30,
};
const UNITS: { re: RegExp; one: string; many: string; days: number }[] = [
  { re: /^(?:minutes?|mins?)$/, one: 'minute', many: 'minutes', days: 1 / 1440 },
  { re: /^(?:hours?|hrs?|h)$/, one: 'hour', many: 'hours', days: 1 / 24 },
  { re: /^(?:days?|d)$/, one: 'day', many: 'days', days: 1 },
  { re: /^(?:weeks?|wks?|w)$/, one: 'week', many: 'weeks', days: 7 },
  { re: /^(?:months?|mos?|mths?)$/, one: 'month', many: 'months', days: 30.4 },
  { re: /^(?:years?|yrs?|y)$/, one: 'year', many: 'years', days: 365.25 },
];
const QUALIFIERS: [RegExp, string][] = [
  [/^(?:about|approximately|approx\.?|around|roughly|~)\s*/, 'about '],
  [/^(?:more than|over|longer than|greater than|>)\s*/, 'more than '],
  [/^(?:less than|under|shorter than|<)\s*/, 'less than '],
  [/^(?:almost|nearly)\s+/, 'almost '],
  [/^(?:at least)\s+/, 'at least '],
];

function checkDuration(raw: string): FactCheck {
  let w = raw.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.!]+$/, '').replace(/\s+(?:ago|old|long|now|so far)$/, '');
  let qualifier = '';
  for (const [re, word] of QUALIFIERS) {
    if (re.test(w)) {
      qualifier = word;
      w = w.replace(re, '');
      break;
    }
  }
  const pieces = w.split(/\s*(?:,|\band\b|\+)\s*|\s+(?=\d)/).filter(Boolean);
  const problem: FactCheck = { ok: false, problem: 'Please give a length of time, e.g. 6 weeks, 3 months or 2 years.' };
  if (!pieces.length || pieces.length > 3) return problem;
  const out: string[] = [];
  let days = 0;
  for (const piece of pieces) {
    const m = /^(\d{1,3}(?:\.\d{1,2})?|[a-z]+)\s?-?\s?([a-z]+)$/.exec(piece);
    const [, amount = '', unitWord = ''] = m ?? [];
    if (!m) return problem;
    const n = /^\d/.test(amount) ? Number(amount) : NUMBER_WORDS[amount];
    const unit = UNITS.find((u) => u.re.test(unitWord));
    if (n === undefined || !unit || n <= 0) return problem;
    days += n * unit.days;
    out.push(`${n} ${n === 1 ? unit.one : unit.many}`);
  }
  if (days > 120 * 365.25) return { ok: false, problem: 'That is longer than a lifetime: please check it.' };
  return { ok: true, value: qualifier + out.join(' and ') };
}

/**
 * The value as the letter will store it (choice: the option's value; yes-no: "yes"/"no"; month-year:
 * "March 2025"; duration: "6 weeks"; number: "24"), or a problem to tell staff, in one sentence.
 */
export function validateFactValue(fact: FactDef, raw: string, today: string): FactCheck {
  if (typeof raw !== 'string' || !raw.trim()) return { ok: false, problem: 'Please give an answer.' };
  if (raw.length > 4000) return { ok: false, problem: 'That answer is too long.' };
  switch (fact.type) {
    case 'text': return checkText(fact, raw);
    case 'number': return checkNumber(fact, raw);
    case 'yes-no': return checkYesNo(fact, raw);
    case 'choice': return checkChoice(fact, raw);
    case 'month-year': return checkMonthYear(fact, raw, today);
    case 'duration': return checkDuration(raw);
  }
}

// ---------------------------------------------------------------- which facts

/** The answer given for a fact, trimmed, or undefined. */
export const answer = (values: Record<string, string | undefined>, id: string): string | undefined => {
  const v = values[id];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};
export const given = (values: Record<string, string | undefined>, id: string) => answer(values, id) !== undefined;

/**
 * The facts that apply, in ask order: those for the payer kind (all of them while it is not known: asking is
 * safer than a letter that falls short) whose own `when` holds on the values given.
 */
function applicable(template: LetterTemplate, values: Record<string, string | undefined>, payerKind: MedicalPayer | undefined): FactDef[] {
  const present: Record<string, string> = {};
  const out: FactDef[] = [];
  for (const f of template.facts) {
    if (f.payers && payerKind !== undefined && !f.payers.includes(payerKind)) continue;
    if (!holds(f.when, present)) continue;
    out.push(f);
    const v = answer(values, f.id);
    if (v === undefined) continue;
    // Conditions name option values ("failed"): read an answer given as a label ("Tried and not tolerated") as its value.
    const checked = f.type === 'choice' ? checkChoice(f, v) : f.type === 'yes-no' ? checkYesNo(f, v) : undefined;
    present[f.id] = checked?.ok ? checked.value : v;
  }
  return out;
}

/** The required facts not given, in ask order (see `applicable` for payer kinds and conditional facts). */
export function missingFacts(template: LetterTemplate, values: Record<string, string | undefined>, payerKind?: MedicalPayer): FactDef[] {
  return applicable(template, values, payerKind).filter((f) => f.required && !given(values, f.id));
}

/** The optional facts not given that apply, in ask order: the flow may offer them. */
export function optionalFacts(template: LetterTemplate, values: Record<string, string | undefined>, payerKind?: MedicalPayer): FactDef[] {
  return applicable(template, values, payerKind).filter((f) => !f.required && !given(values, f.id));
}

/** Whether a template's condition holds on the values: a fact given, or given with one of the listed values. */
export function holds(c: FactCondition | undefined, values: Record<string, string>): boolean {
  if (c === undefined) return true;
  if (typeof c === 'string') return values[c] !== undefined;
  const v = values[c.fact];
  if (v === undefined) return false;
  if (c.is) return c.is.includes(v);
  if (c.isNot) return !c.isNot.includes(v);
  return true;
}
