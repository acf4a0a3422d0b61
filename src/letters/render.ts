/**
 * Renders a letter of medical necessity from a template (knowledge/letters/) and a case's facts: checks each
 * fact's value, refuses a letter with a required fact missing, and puts the template's paragraphs inside the
 * fixed frame (date, addressee, the identifier placeholders, the codes, the closing and signature, the
 * enclosures). Pure and synchronous; the only bracketed gaps a draft has are IDENTIFIER_PLACEHOLDERS.
 */
import type { CaseFacts } from '../knowledge/facts.js';
import type { TriageResult } from '../knowledge/triage.js';
import type { MedicalPayer } from '../knowledge/vocabulary.js';
import { IDENTIFIER_PLACEHOLDERS, type LetterCode, type LetterDraft, type LetterFact, type LetterSection } from './model.js';
import type { CompiledFact, FactCondition, FactDef, LetterTemplate } from './templates.js';
import { injuriesFrom, injuryFrom, procedureFrom, siteFrom } from './case-notes.js';
import { asClause, asList, lowerFirst, tidyParagraph } from './prose.js';

export class LetterError extends Error {
  override readonly name = 'LetterError';
  constructor(
    message: string,
    /** Required facts not given, in ask order. */
    readonly missing: FactDef[] = [],
    /** Values that were refused, and other problems, one sentence each. */
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

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
const answer = (values: Record<string, string | undefined>, id: string): string | undefined => {
  const v = values[id];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};
const given = (values: Record<string, string | undefined>, id: string) => answer(values, id) !== undefined;

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

// ---------------------------------------------------------------- from the triage case

export interface CasePrefill {
  /** Fact values the case already gives, checked like any answer. */
  values: Record<string, string>;
  /** The case's medical payer kind, when it says. */
  payerKind?: MedicalPayer;
}

const dotless = (code: string) => code.toUpperCase().replace(/\./g, '');

/** What the triage case already knows (age, payer kind, cause, how an injury happened, the teeth, a lesion's site, an AHI in the notes…), so the flow asks only for the rest. */
export function factsFromCase(template: LetterTemplate, caseFacts: Partial<CaseFacts>, today: string): CasePrefill {
  const values: Record<string, string> = {};
  const notes = [caseFacts.procedure ?? '', caseFacts.notes ?? ''].join('\n');
  const diagnoses = (caseFacts.diagnoses ?? []).map(dotless);
  for (const f of template.factsById.values()) {
    const def = f.def;
    (def.prefill ?? []).some((p, i) => {
      let raw: string | undefined;
      if ('case' in p) {
        if (p.case === 'patientAge' && caseFacts.patientAge !== undefined) {
          raw = def.type === 'duration' ? (caseFacts.patientAge >= 1 ? `${caseFacts.patientAge} years` : undefined) : String(caseFacts.patientAge);
        } else if (p.case === 'medicalPayer') raw = caseFacts.coverage?.medicalPayer;
        else if (p.case === 'cause') raw = caseFacts.cause;
        else if (p.case === 'injury') raw = injuryFrom(caseFacts.notes ?? '');
        else if (p.case === 'injuries') raw = injuriesFrom(caseFacts.notes ?? '');
        else if (p.case === 'site') raw = siteFrom(notes);
        else raw = caseFacts.procedure === undefined ? undefined : procedureFrom(caseFacts.procedure);
      } else if ('notes' in p) {
        const m = f.patterns[i]?.exec(notes);
        if (m) raw = p.value ?? m.slice(1).find((g) => g !== undefined) ?? m[0];
      } else if (diagnoses.some((d) => p.diagnoses.some((prefix) => d.startsWith(dotless(prefix))))) {
        raw = p.value;
      }
      if (raw === undefined) return false;
      const checked = validateFactValue(def, raw, today);
      if (checked.ok) values[def.id] = checked.value;
      return checked.ok;
    });
  }
  const payerKind = caseFacts.coverage?.medicalPayer;
  return { values, ...(payerKind ? { payerKind } : {}) };
}

/** The triage answer's codes as a letter lists them: CDT, CPT and HCPCS procedures, then the diagnoses. */
export function codesFromTriage(result: Pick<TriageResult, 'procedureCodes' | 'diagnosisCodes'>): { procedures: LetterCode[]; diagnoses: LetterCode[] } {
  return {
    procedures: [
      ...result.procedureCodes.cpt.map((c) => ({ system: 'CPT' as const, ...c })),
      ...result.procedureCodes.hcpcs.map((c) => ({ system: 'HCPCS' as const, ...c })),
      ...result.procedureCodes.cdt.map((c) => ({ system: 'CDT' as const, ...c })),
    ],
    diagnoses: result.diagnosisCodes.map((c) => ({ system: 'ICD-10-CM' as const, ...c })),
  };
}

// ---------------------------------------------------------------- rendering

export interface RenderOptions {
  caseId: string;
  /** Fact values by fact id (as validateFactValue returns them, or raw: they are checked again). */
  values: Record<string, string | undefined>;
  /** The payer's name for the addressee line ("Aetna"); never a member ID. Default: the template's line for the payer kind. */
  payer?: string;
  payerKind: MedicalPayer;
  procedures: LetterCode[];
  diagnoses: LetterCode[];
  /** The LLM's rewrite of the narrative section; checked, and used instead of the template's paragraphs. */
  narrative?: string[];
  /** Today where the letter is written (src/today.ts), for month-year checks ("has that month passed?"). */
  today: string;
}

const DEFAULT_PAYER_LINE: Record<MedicalPayer, string> = {
  medicare: 'Medicare',
  'medicare-advantage': 'Medicare Advantage plan',
  medicaid: 'Medicaid',
  commercial: 'Health plan',
  tricare: 'TRICARE',
  other: 'Health plan',
};
const [PATIENT, DOB, MEMBER, PROVIDER, DATE] = IDENTIFIER_PLACEHOLDERS;
const CERTIFICATION = 'I certify that the information in this letter is accurate and supported by the patient\'s records, which are available on request.';
const MAX_NARRATIVE_PARAGRAPHS = 12;
const MAX_NARRATIVE_CHARS = 3000;

/** Any bracketed gap, and any brace, other than the identifier placeholders: a letter must have none. */
function gapsIn(s: string): string[] {
  let rest = s;
  for (const p of IDENTIFIER_PLACEHOLDERS) rest = rest.split(p).join('');
  return [...rest.matchAll(/\[[^\]]*\]?|\]|\{[^}]*\}?|\}/g)].map((m) => m[0]);
}

function holds(c: FactCondition | undefined, values: Record<string, string>): boolean {
  if (c === undefined) return true;
  if (typeof c === 'string') return values[c] !== undefined;
  const v = values[c.fact];
  if (v === undefined) return false;
  if (c.is) return c.is.includes(v);
  if (c.isNot) return !c.isNot.includes(v);
  return true;
}

/** The value as the letter writes it: the option's text, "90 or older", a list as "a, b and c", … (yes-no: "yes"/"no"). */
function written(def: FactDef, value: string): string {
  if (def.type === 'choice') {
    const o = def.options.find((x) => x.value === value);
    return o ? (o.text ?? o.label) : value;
  }
  if (def.type === 'number' && def.capAt !== undefined && Number(value) >= def.capAt) return `${def.capAt} or older`;
  if (def.type === 'text' && def.list) return asList(value);
  return value;
}

/**
 * The fact written into its sentence. `before` is the paragraph so far: a typed answer in the middle of a
 * sentence starts in lower case when its first word is an ordinary one.
 */
function phraseOf(f: CompiledFact, value: string, before = ''): string {
  const def = f.def;
  if (def.type === 'yes-no') return value === 'yes' ? def.phrase : (def.phraseNo ?? '');
  // An age over the cap: "90 years old or older", the phrase's unit before "or older".
  if (def.type === 'number' && def.capAt !== undefined && Number(value) >= def.capAt) return `${f.phraseParts[0]}${def.capAt}${f.phraseParts[1]} or older`;
  const clause = def.type === 'text' && f.clauseParts ? asClause(value) : undefined;
  const [head, tail] = clause !== undefined && f.clauseParts ? f.clauseParts : f.phraseParts;
  const text = clause ?? written(def, value);
  const lead = before + head;
  const midSentence = def.type === 'text' && /\S/.test(lead) && !/[.!?]\s*$/.test(lead);
  return head + (midSentence ? lowerFirst(text) : text) + tail;
}

function cleanCode(c: LetterCode, kind: string): LetterCode {
  const code = String(c.code ?? '').trim();
  const description = String(c.description ?? '').replace(/\s+/g, ' ').trim();
  if (!/^[A-Z0-9][A-Z0-9.-]{0,11}$/i.test(code)) throw new LetterError(`The ${kind} code "${code.slice(0, 20)}" is not a code.`);
  if (!description || description.length > 240 || /[{}[\]]/.test(description)) throw new LetterError(`The ${kind} code ${code} needs a plain description (no brackets, at most 240 characters).`);
  return { system: c.system, code, description };
}

function cleanPayer(payer: string | undefined): string | undefined {
  if (payer === undefined) return undefined;
  const p = payer.replace(/\s+/g, ' ').trim();
  if (!p) return undefined;
  if (p.length > 80 || /[{}[\]@]/.test(p) || /\d{4,}/.test(p) || /\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{6,}\b/i.test(p)) {
    throw new LetterError('The payer line takes the payer\'s name only (no member or group ID).');
  }
  return p;
}

/** Checks and normalizes the values; throws LetterError with the missing facts and the refused values. */
function checkedValues(template: LetterTemplate, options: RenderOptions): Record<string, string> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const def of template.facts) {
    const raw = answer(options.values, def.id);
    // A fact that does not apply (its `when` fails) is not written, whatever was answered.
    if (raw === undefined || !holds(def.when, values)) continue;
    const checked = validateFactValue(def, raw, options.today);
    if (checked.ok) values[def.id] = checked.value;
    else problems.push(`${def.label}: ${checked.problem}`);
  }
  const missing = missingFacts(template, values, options.payerKind).filter((f) => !given(options.values, f.id));
  if (missing.length || problems.length) {
    const parts = [
      ...(missing.length ? [`missing ${missing.map((f) => f.label).join(', ')}`] : []),
      ...problems,
    ];
    throw new LetterError(`The letter cannot be written yet: ${parts.map((p) => p.replace(/\.$/, '')).join('; ')}.`, missing, problems);
  }
  return values;
}

function checkNarrative(paragraphs: string[]): string[] {
  if (!Array.isArray(paragraphs) || !paragraphs.length || paragraphs.length > MAX_NARRATIVE_PARAGRAPHS) {
    throw new LetterError(`The narrative must have 1 to ${MAX_NARRATIVE_PARAGRAPHS} paragraphs.`);
  }
  return paragraphs.map((p, i) => {
    const s = typeof p === 'string' ? p.replace(/[ \t]+/g, ' ').trim() : '';
    if (!s) throw new LetterError(`Narrative paragraph ${i + 1} is empty.`);
    if (s.length > MAX_NARRATIVE_CHARS) throw new LetterError(`Narrative paragraph ${i + 1} is longer than ${MAX_NARRATIVE_CHARS} characters.`);
    const gaps = gapsIn(s);
    if (gaps[0] !== undefined) throw new LetterError(`Narrative paragraph ${i + 1} has a gap or placeholder (${gaps[0].slice(0, 40)}).`);
    if (IDENTIFIER_PLACEHOLDERS.some((ph) => s.includes(ph))) throw new LetterError(`Narrative paragraph ${i + 1} repeats an identifier placeholder.`);
    return s;
  });
}

interface Rendered {
  sections: LetterSection[];
  narrativeIndex: number;
  used: Set<string>;
}

function renderBody(template: LetterTemplate, values: Record<string, string>, payerKind: MedicalPayer): Rendered {
  const used = new Set<string>();
  const sections: LetterSection[] = [];
  let narrativeIndex = -1;
  for (const s of template.sections) {
    if (s.payers && !s.payers.has(payerKind)) continue;
    if (!holds(s.when, values)) continue;
    const paragraphs: string[] = [];
    for (const p of s.paragraphs) {
      if (p.payers && !p.payers.has(payerKind)) continue;
      if (!holds(p.when, values)) continue;
      let out = '';
      for (const part of p.parts) {
        if (typeof part === 'string') out += part;
        else {
          // Loading guarantees the fact exists and that the paragraph shows only when it has a value.
          const f = template.factsById.get(part.ref);
          const v = values[part.ref];
          if (!f || v === undefined) throw new LetterError(`Template ${template.id}: {${part.ref}} has no value here.`);
          out += phraseOf(f, v, out);
          used.add(part.ref);
        }
      }
      out = tidyParagraph(out);
      if (out) paragraphs.push(out);
    }
    if (!paragraphs.length) continue;
    if (s.narrative) narrativeIndex = sections.length;
    sections.push({ heading: s.heading, paragraphs });
  }
  return { sections, narrativeIndex, used };
}

/**
 * The letter for a case. Throws LetterError when a required fact is missing or a value is refused (naming
 * them), or when the LLM narrative, the codes or the payer line are not acceptable. The draft's sections are
 * the letter's body (the template's sections for this payer kind and these facts, then a certification);
 * the frame (date, addressee, identifier placeholders, codes, attachments, signature) is built from the
 * draft's other fields by letterText and the .docx writer alike.
 */
export function renderLetter(template: LetterTemplate, options: RenderOptions): LetterDraft {
  const values = checkedValues(template, options);
  const procedures = options.procedures.map((c) => cleanCode(c, 'procedure'));
  const diagnoses = options.diagnoses.map((c) => cleanCode(c, 'diagnosis'));
  if (!procedures.length && !diagnoses.length) throw new LetterError('A letter needs at least one procedure or diagnosis code.');
  const payer = cleanPayer(options.payer) ?? template.addressee[options.payerKind] ?? DEFAULT_PAYER_LINE[options.payerKind];

  const body = renderBody(template, values, options.payerKind);
  let narrativeBy: LetterDraft['narrativeBy'] = 'template';
  if (options.narrative !== undefined) {
    const narrative = checkNarrative(options.narrative);
    const section = body.sections[body.narrativeIndex];
    if (!section) throw new LetterError('This letter has no narrative section to replace.');
    body.sections[body.narrativeIndex] = { heading: section.heading, paragraphs: narrative };
    narrativeBy = 'llm';
  }

  const sections: LetterSection[] = [...body.sections, { heading: 'Certification', paragraphs: [CERTIFICATION] }];
  const attachments = template.attachments
    .filter((a) => (!a.payers || a.payers.has(options.payerKind)) && holds(a.when, values))
    .map((a) => a.label);

  const facts: LetterFact[] = template.facts.flatMap((f) => {
    const v = values[f.id];
    return body.used.has(f.id) && v !== undefined ? [{ id: f.id, label: f.label, value: written(f, v), ...(f.type === 'text' && f.names ? { names: f.names } : {}) }] : [];
  });

  const draft: LetterDraft = {
    caseId: options.caseId,
    templateId: template.id,
    templateVersion: template.version,
    title: template.title,
    payer,
    ...(template.onFile.has(options.payerKind) ? { onFile: true } : {}),
    sections,
    procedures,
    diagnoses,
    attachments,
    facts,
    narrativeBy,
  };
  // A template that passed loading cannot leave a gap; this guards the guarantee, not the input.
  const gaps = [draft.title, payer, ...sections.flatMap((s) => [s.heading, ...s.paragraphs]), ...attachments].flatMap(gapsIn);
  if (gaps[0] !== undefined) throw new LetterError(`The letter would have a gap (${gaps[0].slice(0, 40)}).`);
  return draft;
}

/** The template's own narrative paragraphs for these facts: what the optional LLM is given to rewrite. */
export function templateNarrative(template: LetterTemplate, options: Pick<RenderOptions, 'values' | 'payerKind' | 'today'>): string[] {
  const values = checkedValues(template, { ...options, caseId: '', procedures: [], diagnoses: [] });
  const body = renderBody(template, values, options.payerKind);
  return body.sections[body.narrativeIndex]?.paragraphs ?? [];
}

/**
 * The letter as plain text: what chat shows and what the .docx holds, in the same order: title, date,
 * addressee, the identifier line, the sections (the template's, then the certification), the codes, the
 * attachments, the closing and the signature.
 */
/**
 * The letter's addressee and subject lines: the same in the text and the .docx. A statement kept on file is
 * addressed to no reviewer: it goes to the payer only when the payer asks for the records.
 */
export const addresseeLine = (draft: LetterDraft): string =>
  draft.onFile
    ? `Statement of medical necessity, kept on file; sent to ${draft.payer ?? 'the payer'} on request`
    : `To: ${draft.payer ?? 'Health plan'} medical review`;
export const REGARDING_LINE = `Re: ${PATIENT}, ${DOB}, ${MEMBER}`;

export function letterText(draft: LetterDraft): string {
  const codeLine = (kind: string) => (c: LetterCode) => `${kind}: ${c.system} ${c.code} – ${c.description}`;
  const blocks: string[] = [
    draft.title,
    DATE,
    `${addresseeLine(draft)}\n${REGARDING_LINE}`,
  ];
  for (const s of draft.sections) blocks.push([...(s.heading ? [s.heading] : []), s.paragraphs.join('\n\n')].join('\n'));
  const codes = [...draft.procedures.map(codeLine('Procedure')), ...draft.diagnoses.map(codeLine('Diagnosis'))];
  if (codes.length) blocks.push(['Procedure and diagnosis codes', ...codes].join('\n'));
  if (draft.attachments.length) blocks.push(['Attachments', ...draft.attachments.map((a) => `- ${a}`)].join('\n'));
  blocks.push('Sincerely,', PROVIDER);
  return `${blocks.join('\n\n')}\n`;
}
