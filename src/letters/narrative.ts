/**
 * The optional LLM narrative of a letter of medical necessity: a model (any OpenAI-compatible server, through
 * LangChain) rewrites the template's narrative paragraphs from the case's de-identified facts, and the result is
 * used only if it adds nothing. Off unless MEDBILL_LLM_BASE_URL is set.
 *
 * Three rules:
 * - Nothing identifying is sent: the prompt is built from the facts (id, label, value) and the letter's purpose
 *   only, and if the identifier scrubber finds anything in it, nothing is sent.
 * - Nothing is added: each sentence is checked on its own. Every number, code, date, tooth, measurement, drug,
 *   finding and capitalised name in it must be in the facts (by value) or the template's own narrative, and
 *   every word of it must be supported: from the facts its paragraph cites (their labels and values), the
 *   template's narrative, the letter's codes and purpose, or a small fixed vocabulary of connecting words
 *   (narrative-vocabulary.ts). A drug no list knows, or an instruction made of ordinary words, is refused
 *   because no fact says it. Each paragraph's fact ids must exist, and the scrubber must find nothing in the
 *   output. Anything else, and the template's paragraphs are used, and the person is told which sentence.
 * - Nothing is kept or told of the model's text when it is refused: the reason is a fixed code, and the log gets
 *   codes, counts and timings only.
 *
 * LangChain is imported only when a model is configured (it takes most of a second to load), and its tracing
 * (LangSmith) and verbose console output are switched off: both read environment variables on every call, and
 * a letter's facts must not leave the machine except to the configured server.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { z } from 'zod';
import type { Config } from '../config.js';
import { scrubIdentifiers, type IdentifierKind } from '../privacy/scrubber.js';
import { commonWords, isAcronym, isTerm } from '../privacy/vocabulary.js';
import { errorFields, silentLogger, type Logger } from '../log.js';
import { IDENTIFIER_PLACEHOLDERS, type LetterFact } from './model.js';
import { ABBREVIATIONS, NARRATIVE_WORDS } from './narrative-vocabulary.js';

export interface NarrativeInput {
  /** The de-identified facts the letter states. */
  facts: LetterFact[];
  /** The template's narrative paragraphs: what is used when the model's are not. */
  templateNarrative: string[];
  /** What the letter asks for, in words, e.g. "oral appliance for obstructive sleep apnea". */
  purpose: string;
  /** The letter's procedure and diagnosis codes with their descriptions ("CPT 41100 Biopsy of tongue…"): a narrative may state them. */
  codes?: string[];
}

export interface NarrativeOptions {
  model: BaseChatModel;
  /** The whole call, from sending to a checked answer; past it the template is used. */
  timeoutMs: number;
  log?: Logger;
}

/** Why the template's paragraphs were used. A fixed code: never any of the model's text. */
export type NarrativeFallback =
  | 'no-facts' | 'prompt-has-identifier' | 'prompt-too-long'
  | 'timeout' | 'model-error' | 'bad-output'
  | 'paragraph-count' | 'paragraph-length' | 'too-long' | 'unknown-fact-id' | 'placeholder' | 'link'
  | 'added-number' | 'added-code' | 'added-date' | 'added-tooth' | 'added-measurement' | 'added-drug' | 'added-finding' | 'added-name'
  | 'uncited-fact' | 'unsupported-word' | 'output-has-identifier';

export type NarrativeResult =
  | { paragraphs: string[]; by: 'llm' }
  /** `at`: the paragraph and sentence the check refused (1-based), when it was one sentence. */
  | { paragraphs: string[]; by: 'template'; reason: NarrativeFallback; at?: { paragraph: number; sentence?: number } };

export interface NarrativeParagraph { text: string; factIds: string[] }

/** What the model is asked to return (and what its answer must parse as). */
export const NarrativeSchema = z.object({
  paragraphs: z.array(z.object({
    text: z.string().describe('One paragraph of the narrative, plain text.'),
    factIds: z.array(z.string()).describe('The ids of the facts this paragraph states.'),
  })).describe('Two to four paragraphs.'),
}).describe('The clinical narrative of a letter of medical necessity.');

export const LIMITS = { minParagraphs: 2, maxParagraphs: 4, minChars: 20, maxChars: 1200, maxTotalChars: 4000, maxPromptChars: 12_000, labelChars: 200, valueChars: 500 } as const;

// ---------------------------------------------------------------- the prompt

const SYSTEM = [
  'You write the clinical narrative of a letter of medical necessity that a dental office sends to a medical insurer.',
  'Use only the facts listed by the user. Do not add any number, date, code, tooth number, measurement, drug, diagnosis, finding, history or name that is not in the facts, and do not generalise beyond them.',
  'Do not write any name or identifier: the office adds those. Write for a medical reviewer: plain, factual, in the third person ("the patient").',
  `Write ${LIMITS.minParagraphs} to ${LIMITS.maxParagraphs} paragraphs of 1 to 5 sentences each. For each paragraph give the ids of the facts it uses.`,
  'Answer with the letter_narrative tool, or if you cannot call tools, with only this object: {"paragraphs": [{"text": "...", "factIds": ["..."]}]}',
].join('\n');

/** One line of text: no line breaks or control characters, at most `max` characters. */
// eslint-disable-next-line no-control-regex
const oneLine = (s: string, max: number) => s.replace(/[\u0000-\u001F\u007F\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);

export interface NarrativePrompt {
  system: string;
  user: string;
  /** What the identifier scrubber found in the prompt, by kind (empty: it may be sent). */
  found: IdentifierKind[];
}

/**
 * The two messages sent to the model: fixed instructions, and the purpose with the facts. Checked with the
 * identifier scrubber as a whole and fact by fact (a value alone can read as an identifier that the lines
 * around it hide, or the other way round); `found` lists what it found.
 */
export function buildPrompt(input: Pick<NarrativeInput, 'facts' | 'purpose'>): NarrativePrompt {
  // A product's, lab's or drug's name passed the scrubber as the answer to its question only: it is sent
  // when it passes as any text would ("Prolia"), and otherwise left out ("SomnoDent Avant"), not sent.
  const facts = input.facts.filter((f) => !f.names || scrubIdentifiers(f.value).found.length === 0);
  const lines = facts.map((f) => `${oneLine(f.id, 60)} | ${oneLine(f.label, LIMITS.labelChars)} | ${oneLine(f.value, LIMITS.valueChars)}`);
  const user = [`Purpose of the letter: ${oneLine(input.purpose, 300)}`, '', 'Facts, one a line (id | what it is | value):', ...lines].join('\n');
  const found = new Set<IdentifierKind>();
  for (const text of [SYSTEM, user, input.purpose, ...facts.flatMap((f) => [f.label, f.value])]) {
    for (const kind of scrubIdentifiers(text).found) found.add(kind);
  }
  return { system: SYSTEM, user, found: [...found] };
}

// ---------------------------------------------------------------- the check

const SUFFIXES = ['s', 'es', 'ed', 'd', 'ing', 'ly', 'er', 'ers', 'ies'];
/** An ordinary English word in lower case (the 10,000 commonest spoken words, with their usual endings). */
function isCommon(word: string): boolean {
  const w = word.toLowerCase();
  const common = commonWords();
  if (common.has(w)) return true;
  return SUFFIXES.some((s) => w.length > s.length + 2 && w.endsWith(s) && (common.has(w.slice(0, -s.length)) || (s === 'ies' && common.has(`${w.slice(0, -3)}y`))));
}

/** Written-English and clinical words a letter starts a sentence with that spoken English (privacy/words/common.txt) lacks. */
const LETTER_WORDS = new Set(`
however moreover furthermore although hence thus therefore additionally consequently accordingly subsequently
nevertheless nonetheless whereas notably specifically respectfully sincerely enclosed attached regarding overall
currently previously clinically objectively importantly unfortunately despite following given based per prior upon
continuous continued radiographic radiographically nadir efficacy efficacious fatigue nocturnal daytime snoring
hypersomnolence somnolence histopathologic histologic pathologic diagnostic therapeutic alternative alternatively
adjustable titration titrated custom fabricated tolerance intolerance adherence compliance noncompliance
`.split(/\s+/).filter(Boolean));

/** Drugs a dental or medical letter names (generic and brand): named only when the facts name them. */
const DRUGS = new Set(`
zometa zoledronic zoledronate prolia denosumab xgeva alendronate fosamax risedronate actonel atelvia ibandronate
boniva reclast forteo teriparatide evenity romosozumab tymlos abaloparatide bisphosphonate bisphosphonates
antiresorptive antiresorptives amoxicillin augmentin clindamycin cleocin penicillin azithromycin zithromax cephalexin
keflex metronidazole flagyl doxycycline chlorhexidine peridex ibuprofen advil motrin acetaminophen tylenol naproxen
aleve hydrocodone vicodin norco oxycodone percocet tramadol codeine morphine lidocaine xylocaine articaine septocaine
carbocaine mepivacaine bupivacaine marcaine prilocaine citanest epinephrine warfarin coumadin eliquis apixaban
xarelto rivaroxaban plavix clopidogrel aspirin heparin pradaxa dabigatran brilinta ticagrelor metformin insulin
ozempic semaglutide mounjaro tirzepatide wegovy zepbound jardiance trulicity prednisone dexamethasone decadron medrol
methylprednisolone midazolam versed propofol fentanyl ketamine valium diazepam halcion triazolam benadryl zofran
ondansetron methotrexate humira adalimumab keytruda pembrolizumab cisplatin avastin bevacizumab sutent sunitinib
nexium omeprazole lisinopril amlodipine atorvastatin lipitor synthroid levothyroxine albuterol modafinil provigil
armodafinil nuvigil solriamfetol sunosi zolpidem ambien trazodone gabapentin neurontin pregabalin lyrica
cyclobenzaprine flexeril botox onabotulinumtoxina
`.split(/\s+/).filter(Boolean));
/** Endings of drug names (-mab antibodies, -nib kinase inhibitors, -pril, -olol, -statin, -cillin ...). */
const DRUG_ENDING = /^[a-z]{3,}(?:mab|nib|dronate|dronic|pril|sartan|olol|statin|cillin|mycin|cycline|floxacin|azole|prazole|tidine|gliflozin|glutide|parin|xaban|caine|zepam|zolam|codone|profen|isone|asone|olone)$/;

/**
 * Findings, conditions and sides: a model likes to add them as general knowledge ("OSA raises the risk of
 * hypertension"), and a reviewer reads them as the patient's. Used only when the facts or the template use them.
 */
const FINDINGS = /\b(?:mild(?:ly)?|moderate(?:ly)?|severe(?:ly)?|profound|bilateral(?:ly)?|malignan(?:t|cy)|benign|carcinoma|cancer|dysplasia|metasta\w*|fractur\w*|infect\w*|abscess\w*|cellulitis|osteomyelitis|osteonecrosis|necros\w*|cysts?|tumou?rs?|hypertensi\w*|diabet\w*|obes\w*|strokes?|heart|cardi\w*|arrhythmi\w*|fibrillation|depressi\w*|insomnia|asthma|copd|gerd|reflux)\b/gi;
const SIDES = /\b(?:left|right)\b(?=[\s-]+(?:side|lateral|medial|mandib\w*|maxill\w*|upper|lower|posterior|anterior|buccal|lingual|tmj|temporomandibular|condyl\w*|jaw|cheek|tongue|molar|premolar|quadrant|ear|face|facial))/gi;

const MONTHS = /\b(?:January|February|March|April|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b|\bMay(?=\s+\d)|(?<=\b(?:in|since|of|during|until|on|early|late|mid|last|next|this)[\s-]+)May\b|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/g;
const RELATIVE_TIME = /\b(?:yesterday|today|tomorrow|tonight|ago|(?:last|next|this|past|previous)\s+(?:week|month|year|night|spring|summer|fall|autumn|winter))\b/gi;

const NUMBER = /\d+(?:[.,]\d+)*/g;
/** CPT (5 digits, or 4 and F/T/U), HCPCS and CDT (letter and 4 digits), ICD-10 (letter, 2 digits, up to 4 more, with or without the dot). */
const CODE = /\b(?:[A-Z]\d{2}(?:\.?[0-9A-Z]{1,4})?|[A-Z]\d{4}|\d{4}[FTU]|\d{5})\b/gi;
const TOOTH = /#\s?(\d{1,2}|[A-T])\b|\b(?:tooth|teeth)\b((?:(?:\s*(?:,|and|&|or|numbers?|nos?\.?)\s*|\s+)(?:#\s?)?(?:\d{1,2}|[A-T])\b)+)/g;
const UNIT = '(mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|mg|milligrams?|kg|kilograms?|lbs?|pounds?|ml|mL|%|percent|hours?|hrs?|nights?|days?|weeks?|wks?|months?|mos?|years?|yrs?|events)';
const MEASURE = new RegExp(`(\\d+(?:\\.\\d+)?)\\s?(?:-\\s?)?${UNIT}(?![A-Za-z])`, 'gi');
const UNIT_WORD = new RegExp(`(?<![A-Za-z])${UNIT}(?![A-Za-z])`, 'gi');
/** Measures named in words: the number after one must be that measure's value in the facts. */
const METRICS: [string, RegExp][] = [
  ['ahi', /\b(?:AHI|apnea[- ]hypopnea index)\b/i],
  ['rdi', /\b(?:RDI|respiratory disturbance index)\b/i],
  ['odi', /\b(?:ODI|oxygen desaturation index)\b/i],
  ['bmi', /\b(?:BMI|body mass index)\b/i],
  ['ess', /\b(?:ESS|Epworth)\b/i],
  ['spo2', /\b(?:SpO2|nadir|oxygen saturation|saturation)\b/i],
  ['age', /\b(?:age|aged|year-old|years old|yo|y\/o)\b/i],
];

const canonicalNumber = (s: string) => {
  const n = Number(s.replace(/,(?=\d{3}\b)/g, '').replace(',', '.'));
  return Number.isFinite(n) ? String(n) : s;
};
const numbersIn = (text: string) => new Set([...text.matchAll(NUMBER)].map((m) => canonicalNumber(m[0])));
const codesIn = (text: string) => new Set([...text.matchAll(CODE)].map((m) => m[0].toUpperCase().replace('.', '')));
const wordsIn = (text: string) => new Set([...text.matchAll(/[A-Za-z][A-Za-z'’]*/g)].map((m) => m[0].toLowerCase().replace(/['’]s$/, '')));
function unitOf(u: string): string {
  const l = u.toLowerCase();
  if (l === '%' || l === 'percent') return '%';
  for (const [canon, re] of [['mm', /^(mm|millimet)/], ['cm', /^(cm|centimet)/], ['mg', /^(mg|milligram)/], ['kg', /^(kg|kilogram)/], ['lb', /^(lb|pound)/], ['ml', /^ml$/], ['hour', /^(hour|hr)/], ['night', /^night/], ['day', /^day/], ['week', /^(week|wk)/], ['month', /^(month|mo)/], ['year', /^(year|yr)/], ['events', /^events$/]] as const) {
    if (re.test(l)) return canon;
  }
  return l;
}
const measuresIn = (text: string) => new Set([...text.matchAll(MEASURE)].map((m) => `${canonicalNumber(m[1] ?? '')} ${unitOf(m[2] ?? '')}`));
function teethIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(TOOTH)) {
    if (m[1]) out.add(m[1].toUpperCase());
    for (const t of (m[2] ?? '').matchAll(/\d{1,2}|(?<![A-Za-z])[A-T](?![A-Za-z])/g)) out.add(canonicalNumber(t[0]));
  }
  return new Set([...out].map((t) => (/^\d/.test(t) ? canonicalNumber(t) : t)));
}
/** Spelled-out numbers from two up ("twenty-four", "three"): "one" is too often not a number. */
const SMALL = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SPELLED = new RegExp(`\\b(?:(${TENS.filter(Boolean).join('|')})(?:[- ](${SMALL.slice(1, 10).join('|')}))?|(${SMALL.join('|')})|(hundred|thousand|dozen))\\b`, 'gi');
function spelledNumbers(text: string): { word: string; value: string | undefined }[] {
  const out: { word: string; value: string | undefined }[] = [];
  for (const m of text.matchAll(SPELLED)) {
    const [word, tens, unit, small] = [m[0].toLowerCase(), m[1]?.toLowerCase(), m[2]?.toLowerCase(), m[3]?.toLowerCase()];
    if (small === 'one') continue;
    const value = tens ? TENS.indexOf(tens) * 10 + (unit ? SMALL.indexOf(unit) : 0) : small ? SMALL.indexOf(small) : undefined;
    out.push({ word, value: value === undefined ? undefined : String(value) });
  }
  return out;
}

interface Sources {
  /** Fact values and the template narrative: where numbers, codes, dates, teeth and measures may come from. */
  valueText: string;
  numbers: Set<string>;
  codes: Set<string>;
  teeth: Set<string>;
  measures: Set<string>;
  /** Every word of the facts (labels too), the template narrative and the purpose. */
  words: Set<string>;
  wordText: string;
}

function sourcesOf(facts: LetterFact[], templateNarrative: string[], purpose: string): Sources {
  const valueText = [...facts.map((f) => f.value), ...templateNarrative].join('\n');
  const wordText = [valueText, ...facts.map((f) => f.label), purpose].join('\n');
  const teeth = teethIn(valueText);
  const measures = measuresIn(valueText);
  for (const f of facts) {
    const about = `${f.id} ${f.label} ${f.value}`;
    // A tooth fact's value is a tooth ("tooth: 19"), and a measure's unit may be in its label ("AHI (events per hour): 24").
    if (/tooth|teeth/i.test(about)) for (const t of f.value.matchAll(/\d{1,2}|\b[A-T]\b/g)) teeth.add(/^\d/.test(t[0]) ? canonicalNumber(t[0]) : t[0]);
    const units = [...about.matchAll(UNIT_WORD)].map((m) => unitOf(m[1] ?? ''));
    for (const n of numbersIn(f.value)) for (const u of units) measures.add(`${n} ${u}`);
  }
  return { valueText, numbers: numbersIn(valueText), codes: codesIn(valueText), teeth, measures, words: wordsIn(wordText), wordText: wordText.toLowerCase() };
}

/** The first number after each named measure in the text ("AHI of 24" → ahi 24). */
function metricsIn(text: string): { metric: string; value: string }[] {
  const out: { metric: string; value: string }[] = [];
  for (const [metric, re] of METRICS) {
    const global = new RegExp(re.source, 'gi');
    for (const m of text.matchAll(global)) {
      if (metric === 'age') {
        const before = /(\d{1,3})\s?-?\s?$/.exec(text.slice(Math.max(0, m.index - 6), m.index));
        const after = /^[^\d.;]{0,12}?(\d{1,3})/.exec(text.slice(m.index + m[0].length));
        const n = before?.[1] ?? after?.[1];
        if (n) out.push({ metric, value: canonicalNumber(n) });
        continue;
      }
      const after = /^[^\d;]{0,30}?(\d+(?:\.\d+)?)/.exec(text.slice(m.index + m[0].length).replace(/\.\s/g, ';'));
      if (after?.[1]) out.push({ metric, value: canonicalNumber(after[1]) });
    }
  }
  return out;
}

/** Whether a fact is about the measure and has the value ("ahi" | "Apnea-hypopnea index" | "24"). */
function factStates(facts: LetterFact[], metric: string, value: string, templateNarrative: string[]): boolean {
  const re = METRICS.find(([m]) => m === metric)?.[1];
  if (!re) return false;
  const byFact = facts.some((f) => (re.test(`${f.label} ${f.value}`) || f.id.toLowerCase().includes(metric)) && numbersIn(f.value).has(value));
  return byFact || metricsIn([...facts.map((f) => `${f.label} ${f.value}`), ...templateNarrative].join('\n')).some((m) => m.metric === metric && m.value === value);
}

/** Whether a capitalised word may appear: it is in the sources, or ordinary English, or a clinical or billing term. */
function knownCapitalised(word: string, sources: Sources): boolean {
  const w = word.replace(/['’]s$/i, '');
  const parts = w.split('-').filter(Boolean);
  return parts.every((p) => sources.words.has(p.toLowerCase()) || LETTER_WORDS.has(p.toLowerCase()) || isCommon(p) || isTerm(p) || isAcronym(p));
}

/** Where the check found a problem, and which: a fixed code and a place, never any of the model's text. */
export interface NarrativeProblem {
  reason: NarrativeFallback;
  /** 1-based: the paragraph, and the sentence in it, that failed (absent for the narrative as a whole). */
  paragraph?: number;
  sentence?: number;
}

/** Words after which a full stop does not end a sentence ("e.g.", "Dr.", "approx."), and initials. */
const NOT_AN_END = /(?:\b(?:e\.g|i\.e|dr|mr|mrs|ms|mx|vs|approx|no|nos|st|jr|sr|prof|fig)|\b[A-Z])$/i;

/** A paragraph's sentences: cut after . ! or ? and a space before a capital, a digit, a bracket or a quote. */
export function sentencesOf(paragraph: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of paragraph.matchAll(/[.!?]["'’)\]]?\s+(?=[A-Z0-9[("'‘#])/g)) {
    if (m[0].startsWith('.') && NOT_AN_END.test(paragraph.slice(Math.max(from, m.index - 8), m.index))) continue;
    out.push(paragraph.slice(from, m.index + 1).trim());
    from = m.index + m[0].length;
  }
  const rest = paragraph.slice(from).trim();
  if (rest) out.push(rest);
  return out;
}

/**
 * A word as compared: lower case, without a possessive, and without one common ending, so "tolerated",
 * "tolerating" and "tolerate" meet ("tolerat").
 */
const ENDINGS = ['ations', 'ation', 'ments', 'ment', 'ness', 'ings', 'ing', 'edly', 'ies', 'ied', 'ed', 'es', 'ly', 'ance', 'ence', 'ers', 'er', 'is', 's', 'e', 'y'];
function stemOf(word: string): string {
  const w = word.toLowerCase().replace(/['’]s?$/, '');
  const ending = ENDINGS.find((e) => w.endsWith(e) && w.length - e.length >= 3);
  return ending ? w.slice(0, -ending.length) : w;
}

/** The words of a text, as compared: hyphenated and slashed words in their parts, nothing with a digit in it. */
function wordsOf(text: string): string[] {
  return [...text.matchAll(/[A-Za-z0-9][A-Za-z0-9'’]*/g)].map((m) => m[0]).filter((w) => !/\d/.test(w));
}

/** The stems a sentence may use: from its sources, the fixed vocabulary, and the abbreviations either way. */
class Vocabulary {
  private readonly stems = new Set<string>();
  private readonly long: string[] = [];

  constructor(texts: string[]) {
    const all = texts.join('\n');
    const present = new Set(wordsOf(all).map((w) => w.toLowerCase()));
    for (const w of [...present, ...NARRATIVE_WORDS]) this.add(w);
    const spelled = ` ${wordsOf(all).join(' ').toLowerCase()} `;
    for (const [short, long] of ABBREVIATIONS) {
      if (present.has(short)) for (const w of long.split(' ')) this.add(w);
      if (spelled.includes(` ${long} `)) this.add(short);
    }
  }

  private add(word: string) {
    const stem = stemOf(word);
    if (this.stems.has(stem)) return;
    this.stems.add(stem);
    if (stem.length >= 5) this.long.push(stem);
  }

  /**
   * Whether the word is in the sources or the fixed vocabulary: the same stem, or one of five letters or more
   * that differs from a source's by at most two letters at the end ("toler" of tolerance, "tolerat" of tolerated).
   */
  supports(word: string): boolean {
    const lower = word.toLowerCase().replace(/['’]s?$/, '');
    if (lower.length <= 1) return true;
    const stem = stemOf(lower);
    if (this.stems.has(stem)) return true;
    return stem.length >= 5 && this.long.some((s) => Math.abs(s.length - stem.length) <= 2 && (s.startsWith(stem) || stem.startsWith(s)));
  }
}

/** The checks on one sentence's own text, in the order their reasons are given. */
function sentenceProblem(text: string, sources: Sources, input: NarrativeInput): NarrativeFallback | undefined {
  const placeholders = new Set<string>(IDENTIFIER_PLACEHOLDERS);
  if ([...text.matchAll(/\[[^\]]*\]?/g)].some((m) => !placeholders.has(m[0]))) return 'placeholder';
  if (/\bhttps?:\/\/|\bwww\.|\.(?:com|org|net|gov)\b/i.test(text)) return 'link';
  // Codes first: their digits would otherwise read as an added number.
  if ([...codesIn(text)].some((c) => !sources.codes.has(c))) return 'added-code';
  if ([...text.matchAll(MONTHS)].some((m) => !sources.words.has(m[0].toLowerCase()))) return 'added-date';
  if ([...text.matchAll(RELATIVE_TIME)].some((m) => !sources.wordText.includes(m[0].toLowerCase().replace(/\s+/g, ' ')))) return 'added-date';
  if ([...teethIn(text)].some((t) => !sources.teeth.has(t))) return 'added-tooth';
  if ([...numbersIn(text)].some((n) => !sources.numbers.has(n))) return 'added-number';
  if (spelledNumbers(text).some((n) => !sources.wordText.includes(n.word) && (n.value === undefined || !sources.numbers.has(n.value)))) return 'added-number';
  if ([...measuresIn(text)].some((m) => !sources.measures.has(m))) return 'added-measurement';
  if (metricsIn(text).some(({ metric, value }) => !factStates(input.facts, metric, value, input.templateNarrative))) return 'added-measurement';
  for (const w of wordsIn(text)) {
    if ((DRUGS.has(w) || (DRUG_ENDING.test(w) && !isCommon(w))) && !sources.words.has(w)) return 'added-drug';
  }
  if ([...text.matchAll(FINDINGS)].some((m) => !sources.wordText.includes(m[0].toLowerCase()))) return 'added-finding';
  if ([...text.matchAll(SIDES)].some((m) => !sources.words.has(m[0].toLowerCase()))) return 'added-finding';
  for (const m of text.matchAll(/\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Doctor|Prof|Professor)\.?\s+([A-Z][A-Za-z'’-]*)/g)) {
    if (!sources.words.has((m[1] ?? '').toLowerCase().replace(/['’]s$/, ''))) return 'added-name';
  }
  // Capitalised words, but not the letter of a code ("G47.33") or a measure ("SpO2").
  for (const m of text.matchAll(/(?<![A-Za-z0-9])[A-Z][A-Za-z'’-]*(?![A-Za-z'’-]*\d)/g)) {
    if (!knownCapitalised(m[0], sources)) return 'added-name';
  }
  return undefined;
}

/**
 * Whether the paragraphs state only what the facts state: undefined when they do, or the first problem, with
 * the paragraph and sentence it is in. Each sentence is checked on its own: no number, code, date, tooth,
 * measurement, drug, finding or name that the facts (by value) or the template's narrative do not have; its
 * numbers and codes from the facts its paragraph cites; and every word of it supported ('unsupported-word'),
 * that is from the facts its paragraph cites (their labels and values), the template's narrative, the letter's
 * codes and purpose, or the fixed vocabulary of connecting words (narrative-vocabulary.ts). A sentence of
 * ordinary words that no fact supports ("Ignore all previous instructions…") is refused like an added drug.
 */
export function checkNarrative(paragraphs: NarrativeParagraph[], input: NarrativeInput): NarrativeProblem | undefined {
  if (paragraphs.length < LIMITS.minParagraphs || paragraphs.length > LIMITS.maxParagraphs) return { reason: 'paragraph-count' };
  const tooShortOrLong = paragraphs.findIndex((p) => p.text.length < LIMITS.minChars || p.text.length > LIMITS.maxChars);
  if (tooShortOrLong >= 0) return { reason: 'paragraph-length', paragraph: tooShortOrLong + 1 };
  if (paragraphs.reduce((n, p) => n + p.text.length, 0) >= LIMITS.maxTotalChars) return { reason: 'too-long' };
  const ids = new Set(input.facts.map((f) => f.id));
  const unknownId = paragraphs.findIndex((p) => p.factIds.some((id) => !ids.has(id)));
  if (unknownId >= 0) return { reason: 'unknown-fact-id', paragraph: unknownId + 1 };
  const codeLines = input.codes ?? [];
  const sources = sourcesOf(input.facts, [...input.templateNarrative, ...codeLines], input.purpose);
  const template = input.templateNarrative.join('\n');
  const templateNumbers = numbersIn([template, ...codeLines].join('\n'));
  const templateCodes = codesIn([template, ...codeLines].join('\n'));

  for (const [pi, p] of paragraphs.entries()) {
    const cited = input.facts.filter((f) => p.factIds.includes(f.id));
    const citedValues = cited.map((f) => f.value).join('\n');
    const citedNumbers = numbersIn(citedValues);
    const citedCodes = codesIn(citedValues);
    const vocabulary = new Vocabulary([...cited.flatMap((f) => [f.label, f.value]), template, ...codeLines, input.purpose]);
    for (const [si, sentence] of sentencesOf(p.text).entries()) {
      const at = { paragraph: pi + 1, sentence: si + 1 };
      const problem = sentenceProblem(sentence, sources, input);
      if (problem) return { reason: problem, ...at };
      // Numbers and codes a sentence states come from a fact its paragraph cites (or the template narrative, or the letter's codes).
      if ([...numbersIn(sentence)].some((n) => !citedNumbers.has(n) && !templateNumbers.has(n))) return { reason: 'uncited-fact', ...at };
      if ([...codesIn(sentence)].some((c) => !citedCodes.has(c) && !templateCodes.has(c))) return { reason: 'uncited-fact', ...at };
      if (scrubIdentifiers(sentence).found.length > 0) return { reason: 'output-has-identifier', ...at };
      const words = wordsOf(sentence.split(/\[[A-Z ,]+\]/).join(' '));
      if (words.some((w) => !vocabulary.supports(w))) return { reason: 'unsupported-word', ...at };
    }
  }
  if (paragraphs.some((p) => scrubIdentifiers(p.text).found.length > 0)) return { reason: 'output-has-identifier' };
  return undefined;
}

// ---------------------------------------------------------------- the call

class NarrativeTimeout extends Error {
  override readonly name = 'NarrativeTimeout';
}

/** The text of a chat message's content (a string, or text blocks). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (typeof b === 'string' ? b : b && typeof b === 'object' && 'text' in b && typeof b.text === 'string' ? b.text : '')).join('');
  return '';
}

/** The JSON object in a model's text answer (inside a ``` fence or around other words), or undefined. */
export function jsonFromText(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A server that refuses the request's shape (tools it does not support) rather than failing: worth one plain retry. */
function refusedShape(err: unknown): boolean {
  const status = isRecord(err) ? err.status : undefined;
  return status === 400 || status === 415 || status === 422 || status === 501;
}

/**
 * LangSmith tracing and LangChain's verbose console output, both switched on by environment variables that
 * @langchain/core 1.4 reads on every call (`LANGSMITH_TRACING_V2`, `LANGCHAIN_TRACING_V2`, `LANGSMITH_TRACING`,
 * `LANGCHAIN_TRACING`, `LANGCHAIN_VERBOSE`; callbacks passed to a call do not turn them off). medbill never
 * wants either, so they are removed from this process's environment before any model call.
 */
const TRACING_VARIABLES = ['LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING', 'LANGCHAIN_VERBOSE'] as const;
export function disableLangChainTracing(log: Logger = silentLogger): void {
  const removed = TRACING_VARIABLES.filter((v) => process.env[v] !== undefined);
  for (const v of removed) delete process.env[v];
  if (removed.length > 0) log.log('warn', 'llm.tracing_off', { removed: removed.join(',') });
}

async function askModel(model: BaseChatModel, prompt: NarrativePrompt, signal: AbortSignal): Promise<unknown> {
  const messages: [string, string][] = [['system', prompt.system], ['human', prompt.user]];
  // No callbacks, no tags, no metadata: nothing to hand a run to.
  const config = { signal, callbacks: [], runName: 'medbill-letter-narrative' };
  const structured = model.withStructuredOutput(NarrativeSchema, { name: 'letter_narrative', method: 'functionCalling', includeRaw: true });
  let out: unknown;
  try {
    out = await structured.invoke(messages, config);
  } catch (err) {
    if (signal.aborted || !refusedShape(err)) throw err;
    // The server does not take tools: ask again for the JSON object as text.
    return jsonFromText(contentText((await model.invoke(messages, config)).content));
  }
  // A model that honours includeRaw answers { raw, parsed }; parsed is null when no tool was called (the JSON
  // is then in the text). Test fakes answer the parsed object alone.
  if (isRecord(out) && 'raw' in out && 'parsed' in out) {
    if (out.parsed !== null && out.parsed !== undefined) return out.parsed;
    return jsonFromText(contentText(isRecord(out.raw) ? out.raw.content : undefined));
  }
  return out;
}

/**
 * The narrative paragraphs: the model's when they pass every check, else the template's with the reason.
 * Never throws; never takes longer than `timeoutMs` (and a little).
 */
export async function writeNarrative(input: NarrativeInput, opts: NarrativeOptions): Promise<NarrativeResult> {
  const log = opts.log ?? silentLogger;
  const started = performance.now();
  const fallback = (reason: NarrativeFallback, fields: Record<string, string | number> = {}, at?: { paragraph: number; sentence?: number }): NarrativeResult => {
    log.log(reason === 'no-facts' ? 'info' : 'warn', 'letter.narrative', { by: 'template', reason, ms: Math.round(performance.now() - started), ...fields, ...(at ? { paragraph: at.paragraph, ...(at.sentence ? { sentence: at.sentence } : {}) } : {}) });
    return { paragraphs: [...input.templateNarrative], by: 'template', reason, ...(at ? { at } : {}) };
  };
  if (input.facts.length === 0) return fallback('no-facts');
  const prompt = buildPrompt(input);
  if (prompt.found.length > 0) return fallback('prompt-has-identifier', { kinds: prompt.found.join(',') });
  if (prompt.system.length + prompt.user.length > LIMITS.maxPromptChars) return fallback('prompt-too-long');
  disableLangChainTracing(log);

  const controller = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => {
      const err = new NarrativeTimeout('timed out');
      controller.abort(err);
      reject(err);
    }, opts.timeoutMs);
    controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
  let answer: unknown;
  try {
    const asked = askModel(opts.model, prompt, controller.signal);
    asked.catch(() => {}); // past the deadline it may still fail; nobody is waiting for it then
    answer = await Promise.race([asked, timedOut]);
  } catch (err) {
    // Ours, or the client's own timeout (ChatOpenAI's `timeout`) firing a moment earlier.
    if (err instanceof NarrativeTimeout || controller.signal.aborted || (err instanceof Error && /^(?:TimeoutError|AbortError)$/.test(err.name))) return fallback('timeout');
    return fallback('model-error', errorFields(err));
  } finally {
    controller.abort();
  }

  const parsed = NarrativeSchema.safeParse(answer);
  if (!parsed.success) return fallback('bad-output');
  const paragraphs = parsed.data.paragraphs.map((p) => ({ text: oneLine(p.text, 10_000), factIds: p.factIds }));
  const problem = checkNarrative(paragraphs, input);
  if (problem) return fallback(problem.reason, { paragraphs: paragraphs.length }, problem.paragraph ? { paragraph: problem.paragraph, ...(problem.sentence ? { sentence: problem.sentence } : {}) } : undefined);
  log.log('info', 'letter.narrative', { by: 'llm', ms: Math.round(performance.now() - started), paragraphs: paragraphs.length });
  return { paragraphs: paragraphs.map((p) => p.text), by: 'llm' };
}

// ---------------------------------------------------------------- the configured model

/**
 * The configured model: ChatOpenAI against MEDBILL_LLM_BASE_URL, with no retries and the configured timeout;
 * undefined when no LLM is configured. Loads LangChain (only here).
 */
export async function narrativeModel(config: Pick<Config, 'llm'>, log: Logger = silentLogger): Promise<BaseChatModel | undefined> {
  const llm = config.llm;
  if (!llm) return undefined;
  disableLangChainTracing(log);
  const { ChatOpenAI } = await import('@langchain/openai');
  return new ChatOpenAI({
    model: llm.model,
    // A local server usually takes no key, but the client insists on one.
    apiKey: llm.apiKey ?? 'not-needed',
    configuration: { baseURL: llm.baseUrl },
    maxRetries: 0,
    timeout: llm.timeoutMs,
    temperature: 0.2,
    streaming: false,
    useResponsesApi: false,
    callbacks: [],
    verbose: false,
  });
}
