/**
 * The one check of a narrative, before it goes into a letter. Against the facts (checkNarrative): each
 * sentence on its own; every number, code, date, tooth, measurement, drug, finding and capitalised name in it
 * must be in the facts (by value) or the template's own narrative, and every word of it supported by the facts
 * its paragraph cites (their labels and values), the template's narrative, the letter's codes and purpose, or
 * the fixed vocabulary of connecting words (narrative-vocabulary.ts); each paragraph's fact ids must exist and
 * the scrubber must find nothing. And the letter's own rules for any narrative it holds (narrativeForLetter):
 * 1 to 12 paragraphs, none empty or too long, no gap, no identifier placeholder.
 */
import { scrubIdentifiers } from '../privacy/scrubber.js';
import { commonWords, isAcronym, isTerm } from '../privacy/vocabulary.js';
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

/** Why the template's paragraphs were used. A fixed code: never any of the model's text. */
export type NarrativeFallback =
  | 'no-facts' | 'prompt-has-identifier' | 'prompt-too-long'
  | 'timeout' | 'model-error' | 'bad-output'
  | 'paragraph-count' | 'paragraph-length' | 'too-long' | 'unknown-fact-id' | 'placeholder' | 'link'
  | 'added-number' | 'added-code' | 'added-date' | 'added-tooth' | 'added-measurement' | 'added-drug' | 'added-finding' | 'added-name'
  | 'uncited-fact' | 'unsupported-word' | 'output-has-identifier';

export interface NarrativeParagraph { text: string; factIds: string[] }

/** The model's narrative's bounds: paragraphs, characters, and what the prompt may hold. */
export const LIMITS = { minParagraphs: 2, maxParagraphs: 4, minChars: 20, maxChars: 1200, maxTotalChars: 4000, maxPromptChars: 12_000, labelChars: 200, valueChars: 500 } as const;

// ---------------------------------------------------------------- against the facts

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

// ---------------------------------------------------------------- the letter's own rules

/** Any bracketed gap, and any brace, other than the identifier placeholders: a letter must have none. */
export function gapsIn(s: string): string[] {
  let rest = s;
  for (const p of IDENTIFIER_PLACEHOLDERS) rest = rest.split(p).join('');
  return [...rest.matchAll(/\[[^\]]*\]?|\]|\{[^}]*\}?|\}/g)].map((m) => m[0]);
}

const MAX_NARRATIVE_PARAGRAPHS = 12;
const MAX_NARRATIVE_CHARS = 3000;

/**
 * A narrative as a letter holds it: its paragraphs with spaces tidied, or the problem (one sentence) that keeps
 * it out of any letter: the count of paragraphs, an empty or too long one, a gap, an identifier placeholder.
 */
export function narrativeForLetter(paragraphs: string[]): { paragraphs: string[] } | { problem: string } {
  if (!Array.isArray(paragraphs) || !paragraphs.length || paragraphs.length > MAX_NARRATIVE_PARAGRAPHS) {
    return { problem: `The narrative must have 1 to ${MAX_NARRATIVE_PARAGRAPHS} paragraphs.` };
  }
  const tidy: string[] = [];
  for (const [i, p] of paragraphs.entries()) {
    const s = typeof p === 'string' ? p.replace(/[ \t]+/g, ' ').trim() : '';
    if (!s) return { problem: `Narrative paragraph ${i + 1} is empty.` };
    if (s.length > MAX_NARRATIVE_CHARS) return { problem: `Narrative paragraph ${i + 1} is longer than ${MAX_NARRATIVE_CHARS} characters.` };
    const gaps = gapsIn(s);
    if (gaps[0] !== undefined) return { problem: `Narrative paragraph ${i + 1} has a gap or placeholder (${gaps[0].slice(0, 40)}).` };
    if (IDENTIFIER_PLACEHOLDERS.some((ph) => s.includes(ph))) return { problem: `Narrative paragraph ${i + 1} repeats an identifier placeholder.` };
    tidy.push(s);
  }
  return { paragraphs: tidy };
}
