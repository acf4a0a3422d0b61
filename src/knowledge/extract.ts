/**
 * Free text as staff type it ("pt broke #8 in a bike accident, has BCBS medical + Delta dental, bill medical?")
 * → CaseFacts. It only records what the text says: a fact it cannot find stays missing, and triage turns
 * that into needs-info and the question to ask next.
 */
import { findServiceDate, hasYearlessServiceDate } from './service-date.js';
import type { CaseFacts } from './facts.js';
import type { Knowledge } from './load.js';
import { readCase } from './case.js';
import { causeFromSignals } from './evidence.js';
import { codeSetOf, normalizeIcd10, anyCodePattern } from './codes.js';
import type { DocumentKind, MedicalPayer } from './vocabulary.js';
import { compilePhrase, findPhrase, isNegatedAt, tokenize, type Tokens } from './text.js';
import { Recent } from './recent.js';

/** Staff shorthand that means one thing wherever it stands, expanded before matching so knowledge phrases need only the long form. */
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bn\/a\b/gi, 'none'], [/\bw\/o\b/gi, 'without'], [/\bw\//gi, 'with '], [/\bhx\b/gi, 'history'],
  [/\bdx\b/gi, 'diagnosis'], [/\btx\b/gi, 'treatment'], [/\bexts?\b/gi, 'extraction'], [/\bexo\b/gi, 'extraction'],
  [/\b3rds\b/gi, 'third molars'], [/\b3rd molars?\b/gi, 'third molars'],
  [/\bfx\b/gi, 'fracture'], [/\bbx\b/gi, 'biopsy'], [/\bsx\b/gi, 'symptoms'], [/\brx\b/gi, 'prescription'],
  [/\bs\/p\b/gi, 'status post'], [/\byo\b|\by\/o\b/gi, 'year old'], [/\bmcr\b/gi, 'medicare'], [/\bins\b/gi, 'insurance'],
];

/** The last and next few words around a match, lower-cased, for reading an abbreviation in context. */
function around(text: string, at: number, length: number, words = 3): { before: string; after: string } {
  const before = text.slice(Math.max(0, at - 40), at).toLowerCase();
  const after = text.slice(at + length, at + length + 40).toLowerCase();
  const lastWords = before.split(/\s+/).slice(-words - 1).join(' ');
  const nextWords = after.split(/\s+/).slice(0, words + 1).join(' ');
  return { before: lastWords, after: nextWords };
}

/**
 * "wt" is wisdom teeth beside tooth or surgery words ("WT ext", "4 wt", "wt #17"), weight beside a scale or
 * a number ("lost wt", "wt 180 lb"), and left alone when nothing says which.
 */
function readWt(text: string, at: number, raw: string): string {
  const { before, after } = around(text, at, raw.length);
  const number = /(\d+(?:\.\d+)?)\s*$/.exec(before);
  const numberAfter = /^\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(lbs?|kgs?|pounds|#(?!\d))?/.exec(after);
  if (/\b(lbs?|kgs?|pounds?|weight|lost|loss|losing|gain(?:ed|ing)?|bmi|ht|height|vitals?|bp)\b/.test(`${before} ${after}`)) return 'weight';
  if ((number && Number(number[1]) > 4) || (numberAfter && (numberAfter[2] || Number(numberAfter[1]) > 32))) return 'weight';
  if (/\b(extractions?|exo|removal|remove[ds]?|pull\w*|out|impact\w*|erupt\w*|bony|soft tissue|surg\w*|consult|pain|pericoronitis|third|teeth|tooth|partial\w*|full\w*|all|both|upper|lower|[1-4]|four|two)\b|#\s?(1|16|17|32)\b|x\s?[1-4]\b/.test(`${before} ${after}`)) return 'wisdom teeth';
  return raw === 'WT' ? 'wisdom teeth' : raw;
}

/**
 * "PT" is physical therapy as a treatment that was tried ("failed PT", "6 weeks of PT", "PT for TMJ",
 * "splint and PT"), otherwise the patient ("PT broke #8", "Medicare pt", "pt's mom").
 */
function readPt(text: string, at: number, raw: string): string {
  const { before, after } = around(text, at, raw.length, 4);
  const treatmentBefore = /\b(failed|tried|trial of|course of|(?:weeks?|wks?|months?|mos?|sessions?|visits?|rounds?) of|completed|attended|ordered|recommended|referred (?:to|for)|nsaids?|splints?|muscle relaxants?|massage|exercises?|ice|heat|meds|medications?|botox)\s*[,/+&]?\s*(?:and|or|plus|\+)?\s*$/;
  const treatmentAfter = /^\s*(?:for (?:the )?(?:tmj|tmd|jaw|neck|myofascial)|x\s?\d|sessions?|visits?|eval\w*|exercises?|\d+\s*(?:x|times|weeks?|wks?|months?|mos?|sessions?|visits?)\b|(?:without|with no|w\/o|no) (?:relief|improvement|help)|(?:didn'?t|did not) help|helped|(?:and|,) (?:nsaids?|splints?|muscle relaxants?|night guard))/;
  return treatmentBefore.test(before) || treatmentAfter.test(after) ? 'physical therapy' : 'patient';
}

/** Carrier names, for reading which plan is which ("UHC medical + Cigna dental"). */
const CARRIER_NAMES = String.raw`bcbs|blue cross|blue shield|anthem|aetna|cigna|uhc|united ?health(?:care)?|humana|kaiser|highmark|regence|premera|oscar|ambetter|molina|emblem|wellcare|caresource|centene|health ?net|oxford|tufts|harvard pilgrim|geisinger|independence|horizon|wellmark|excellus|priority health|aarp`;
const DENTAL_CARRIER_NAMES = String.raw`delta(?: dental)?|metlife|guardian|ameritas|principal|sun life|united concordia|dentemax|careington|dentaquest|mcna|liberty dental|denti-?cal|lincoln financial|humana dental|cigna dental ppo`;

/** "med"/"dent" are medical/dental beside a plan word or a carrier ("Aetna med", "med/dental plan", "dent ins"). */
function readSide(text: string, at: number, raw: string): string {
  const { before, after } = around(text, at, raw.length, 2);
  const planAfter = /^\s*(?:[/+&:]|and\b|or\b|insurance|plan|coverage|benefits?|only|policy|carrier|primary|secondary|none|\/)/;
  const planBefore = new RegExp(String.raw`(?:[/+&]|\b(?:${CARRIER_NAMES}|${DENTAL_CARRIER_NAMES}|combined|no|has|have|with|without|and|or|only|separate))\s*$`);
  if (planAfter.test(after) || planBefore.test(before)) return raw.toLowerCase() === 'med' ? 'medical' : 'dental';
  return raw;
}

/** Expands shorthand, reading the ambiguous ones (pt, wt, med) from the words around them. */
export function expandAbbreviations(text: string): string {
  let out = ABBREVIATIONS.reduce((t, [re, long]) => t.replace(re, long), text);
  out = out.replace(/\bwt\b/gi, (raw, at: number, whole: string) => readWt(whole, at, raw));
  out = out.replace(/\bpts?\b(?!')/gi, (raw, at: number, whole: string) => (raw.length === 3 ? 'patients' : readPt(whole, at, raw)));
  out = out.replace(/\bpt'?s\b/gi, "patient's");
  return out.replace(/\b(?:med|dent)\b/gi, (raw, at: number, whole: string) => readSide(whole, at, raw));
}

// ---------------------------------------------------------------- typos

/**
 * The words that carry a case: a typo in one of them loses the reading ("impactd", "dentl", "abcess").
 * Corrected at edit distance 1 for words of 5 letters or more; any other word is left as typed.
 */
const KEY_WORDS = [
  'impacted', 'impaction', 'dental', 'medical', 'medicare', 'medicaid', 'insurance', 'coverage', 'abscess', 'abscessed',
  'fracture', 'fractured', 'infection', 'infected', 'extraction', 'extracted', 'wisdom', 'swelling', 'swollen',
  'pericoronitis', 'cellulitis', 'transplant', 'chemotherapy', 'radiation', 'dialysis', 'biopsy', 'lesion', 'accident',
  'trauma', 'broken', 'combined', 'separate', 'supplement', 'advantage', 'mandible', 'mandibular', 'maxilla', 'maxillary',
  'apnea', 'appliance', 'clearance', 'cancer', 'tumor', 'tricare', 'decayed', 'cavity', 'emergency', 'bisphosphonate',
  'zoledronic', 'denosumab', 'alendronate', 'osteonecrosis', 'implant', 'wreck', 'construction', 'workers', 'compensation',
  'replacement', 'surgical', 'partially', 'erupted', 'molars', 'teeth', 'pathology', 'sleep', 'biopsied', 'diabetic',
];
/** Real words one edit from a key word: never "corrected" ("denial letter" is not "dental letter"). */
const REAL_NEIGHBOURS = [
  'denial', 'denials', 'rental', 'mental', 'dentil', 'medial', 'medially', 'medicate', 'lesson', 'legion', 'humor', 'tutor',
  'broker', 'cancel', 'canker', 'lancer', 'infested', 'injected', 'inflection', 'smelling', 'spelling', 'dwelling',
  'swilling', 'tenth', 'teethe', 'wreak', 'wrack', 'wrecks', 'sleet', 'sleek', 'sheep', 'steep', 'sweep', 'sleeps',
  'separates', 'implants', 'implanted', 'surgically', 'partial', 'erupts', 'molar', 'worker', 'cancers',
  'tumors', 'apneas', 'fractures', 'abscesses', 'infections', 'extractions', 'lesions', 'accidents', 'traumas',
  'insured', 'dentals', 'medicals', 'combine', 'combines', 'combining', 'decays', 'cavities', 'appliances',
];

interface TypoIndex {
  /** Each key word and each of its one-letter deletions → the key words it comes from. */
  readonly deletions: ReadonlyMap<string, readonly string[]>;
  /** Words that must not be corrected: key words, their known neighbours, and every word in the knowledge phrases. */
  readonly known: ReadonlySet<string>;
}

function deletionsOf(word: string): string[] {
  const out = [word];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** Optimal string alignment distance, stopping early past 1: the only question is "one edit or not". */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return true;
  const rest = (x: number, y: number) => a.slice(x) === b.slice(y);
  return rest(i + 1, i + 1) || rest(i + 1, i) || rest(i, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2));
}

const typoIndexes = new WeakMap<Knowledge, TypoIndex>();

/** Built once per knowledge base; a message then costs a few map lookups per long unknown word. */
function typoIndex(kn: Knowledge): TypoIndex {
  const cached = typoIndexes.get(kn);
  if (cached) return cached;
  const deletions = new Map<string, string[]>();
  for (const word of KEY_WORDS) {
    for (const d of new Set(deletionsOf(word))) {
      const list = deletions.get(d);
      if (list) list.push(word);
      else deletions.set(d, [word]);
    }
  }
  const known = new Set<string>([...KEY_WORDS, ...REAL_NEIGHBOURS]);
  for (const phrases of [...kn.signals.flatMap((s) => [s.compiledPhrases, s.compiledProcedurePhrases]), ...kn.categories.map((c) => c.phrases)]) {
    for (const phrase of phrases) for (const w of phrase) known.add(w);
  }
  const index = { deletions, known };
  typoIndexes.set(kn, index);
  return index;
}

function correctWord(word: string, index: TypoIndex): string | undefined {
  if (word.length < 5 || index.known.has(word)) return undefined;
  // A known word with a common ending ("impactions", "swellings") is not a typo.
  for (const suffix of ['s', 'es', 'ed', 'd', 'ing', 'ly']) if (word.endsWith(suffix) && index.known.has(word.slice(0, -suffix.length))) return undefined;
  const candidates = new Set<string>();
  for (const d of deletionsOf(word)) for (const key of index.deletions.get(d) ?? []) if (withinOneEdit(word, key)) candidates.add(key);
  // Two key words equally close: the typo does not say which, so it stays as typed.
  return candidates.size === 1 ? [...candidates][0] : undefined;
}

function correctTypos(text: string, kn: Knowledge): string {
  const index = typoIndex(kn);
  return text.replace(/\b[a-z]{5,}\b/gi, (raw) => correctWord(raw.toLowerCase(), index) ?? raw);
}

function findCodes(text: string): { procedure?: string; diagnoses: string[] } {
  let procedure: string | undefined;
  const diagnoses: string[] = [];
  for (const m of text.matchAll(anyCodePattern())) {
    const [, code = ''] = m;
    const raw = code.toUpperCase();
    const set = codeSetOf(raw);
    if (set === 'icd10cm') {
      if (raw.includes('.') || /[A-Z]/.test(raw.slice(1))) diagnoses.push(normalizeIcd10(raw));
    } else if (set && !procedure) procedure = raw;
  }
  return { ...(procedure ? { procedure } : {}), diagnoses: [...new Set(diagnoses)] };
}

function findAge(text: string): number | undefined {
  const years = /\b(\d{1,3})\s*(?:-| )?\s*(?:year|yr)s?[- ]?old\b|\bage[ds]?\s*:?\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:yo|y\/o|yrs?)\b|\b(\d{1,3})\s*(?:m|f)\b(?=[,\s])/i.exec(text);
  if (years) {
    const n = Number(years[1] ?? years[2] ?? years[3] ?? years[4]);
    if (n <= 120) return n;
  }
  if (/\b\d{1,2}\s*(?:-| )?\s*(?:day|week|wk|month|mo)s?[- ]?old\b|\bnewborn\b|\binfant\b/i.test(text)) {
    const months = /\b(\d{1,2})\s*(?:-| )?\s*(?:month|mo)s?[- ]?old\b/i.exec(text);
    return months ? Math.floor(Number(months[1]) / 12) : 0;
  }
  return undefined;
}

/** The first of the patterns, in order of preference, that matches. */
function firstMatch(text: string, patterns: RegExp[]): RegExpExecArray | null {
  for (const re of patterns) {
    const m = re.exec(text);
    if (m) return m;
  }
  return null;
}

function findMoney(text: string): { fee?: number; cashFee?: number } {
  const out: { fee?: number; cashFee?: number } = {};
  const amount = String.raw`\$?\s?(\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\d+(?:\.\d{2})?)`;
  // The word before the amount ("cash fee 400", "fee 650"), else after it ("400 cash", "650 billed").
  const cashWords = String.raw`(?:cash|usual|self[- ]pay|ucr)`;
  const cash = firstMatch(text, [
    new RegExp(String.raw`\b${cashWords}\s*(?:fee|price|rate)?\s*(?:is|of|=|:)?\s*${amount}`, 'i'),
    new RegExp(String.raw`(?<![\w#.,/-])${amount}\s*(?:usd\s*)?${cashWords}\b`, 'i'),
  ]);
  const cashAmount = cash?.[1];
  if (cashAmount !== undefined) out.cashFee = Number(cashAmount.replace(/,/g, ''));
  const fee = firstMatch(text.replace(cash?.[0] ?? '\u0000', ' '), [
    new RegExp(String.raw`\b(?:fee|bill(?:ing)?|charge|charging)\s*(?:is|of|=|:|at|for)?\s*${amount}`, 'i'),
    new RegExp(String.raw`(?<![\w#.,/-])${amount}\s*(?:usd\s*)?(?:billed|fee|charged?)\b`, 'i'),
  ]);
  const feeAmount = fee?.[1];
  if (feeAmount !== undefined && /\d/.test(feeAmount)) out.fee = Number(feeAmount.replace(/,/g, ''));
  return out;
}

const DOCUMENT_WORDS: [DocumentKind, RegExp][] = [
  ['sleep-study', /sleep study|psg|polysomnogra|home sleep test|\bhst\b/i],
  ['physician-order', /\b(order|prescription|rx)\b/i],
  ['referral', /\breferral\b|\breferred\b/i],
  ['imaging', /\b(pano|panoramic|x-?rays?|radiographs?|cbct|ct scan|imaging|films?)\b/i],
  ['photos', /\bphotos?\b|\bpictures?\b/i],
  ['pathology-report', /\bpath(ology)? report\b/i],
  ['prior-authorization', /\b(prior auth(orization)?|pre-?auth(orization)?|pa number|auth number)\b/i],
  ['clinical-notes', /\b(soap notes?|clinical notes?|chart notes?|notes)\b/i],
  ['letter-of-medical-necessity', /\b(lmn|letter of medical necessity|necessity letter)\b/i],
  ['medical-history', /\bmedical history\b|\bmed hx\b/i],
  ['treatment-history', /\btreatment history\b/i],
  ['primary-eob', /\beob\b|\bdenial letter\b/i],
];

/** Documents said to be in hand: "have the sleep study", "sleep study on file", "w/ pano". */
function findDocuments(text: string): DocumentKind[] {
  const out: DocumentKind[] = [];
  for (const clause of text.split(/[.;!?\n]|,\s*(?=\w)/)) {
    if (!/\b(have|has|got|on file|on hand|in hand|attached|with|received|signed|wrote|written)\b/i.test(clause)) continue;
    if (/\b(no|not|need|needs|don't|doesn't|without|missing|pending|waiting|scheduled)\b/i.test(clause)) continue;
    for (const [kind, re] of DOCUMENT_WORDS) if (re.test(clause) && !out.includes(kind)) out.push(kind);
  }
  return out;
}

export interface Extraction {
  facts: CaseFacts;
  /** Only what the text really said: no fallback procedure, no notes. Chat flows fill their slots from it. */
  known: Partial<CaseFacts>;
  /** What was found, for the chat to confirm; never includes identifiers. */
  found: string[];
}

// ---------------------------------------------------------------- coverage

type Side = 'medical' | 'dental';
/** A carrier named in a message: `name` lower-cased for comparing, `said` as written. */
interface Carrier { name: string; said: string; side: Side | 'either'; start: number; end: number }

const CARRIER_RE = new RegExp(String.raw`\b(?:(${DENTAL_CARRIER_NAMES})|(${CARRIER_NAMES}))\b`, 'gi');
/**
 * A carrier not on the lists, named as offices write one: capitalised words right before "medical" or "dental"
 * ("Mutual of Omaha medical", "Physicians Mutual dental"). The side word says which plan it is.
 */
const NAMED_PLAN_RE = /\b([A-Z][\w'&-]*(?:\s+(?:of|&|and)\s+[A-Z][\w'&-]*|\s+[A-Z][\w'&-]*){0,3})\s+(medical|dental)\b/g;
/** Capitalised words that start a sentence or name a public program, not a carrier ("No dental", "Medicaid dental"). */
const NOT_A_CARRIER = /^(?:no|has|have|had|only|pt|patient|the|and|with|without|separate|combined|one|two|both|also|plus|needs?|bill|billing|is|it|medicare|medicaid|tricare|chip|primary|secondary|full|basic|private|her|his|their|group|employer|marketplace|other|any|some)$/i;
const SIDE_WORDS: Record<string, Side> = { medical: 'medical', health: 'medical', dental: 'dental' };
/** Words after "medical"/"dental" that make it a plan, not an adjective ("dental insurance", not "dental pain"). */
const PLAN_AFTER = new Set([
  'insurance', 'coverage', 'plan', 'plans', 'policy', 'benefit', 'benefits', 'carrier', 'only', 'none', 'card', 'ppo',
  'hmo', 'dhmo', 'pays', 'covers', 'cover', 'covered', 'primary', 'secondary', 'maxed', 'max', 'through', 'thru', 'via', 'is',
]);
const PLAN_BEFORE = new Set(['has', 'have', 'with', 'no', 'without', 'not', 'any', 'and', 'or', 'plus', 'both', 'combined', 'separate', 'also', 'only', 'doesn', 'don', 'lacks']);
/** Written after a plan to say it is gone: "dental: none", "dental lapsed". */
const PLAN_GONE = new Set(['none', 'lapsed', 'terminated', 'termed', 'expired', 'inactive', 'cancelled', 'canceled', 'dropped']);

/** Which word a character offset falls in (words are sorted by start). */
function wordAt(t: Tokens, offset: number): number {
  let lo = 0;
  let hi = t.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((t.starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Whether `side` is said as a plan at word i, and if so whether the text says the patient has it. */
function planMention(t: Tokens, text: string, i: number, carriers: Carrier[]): boolean | undefined {
  const next = t.words[i + 1] ?? '';
  const prev = t.words[i - 1] ?? '';
  const sameClause = (j: number) => t.clauses[j] === t.clauses[i];
  const start = t.starts[i] ?? 0;
  const after = text.slice(start + (t.words[i] ?? '').length, start + (t.words[i] ?? '').length + 3);
  const before = text.slice(Math.max(0, start - 3), start);
  const labelled = /^\s*[:=-]/.test(after);
  const joined = /^\s*[/+&]/.test(after) || /[/+&]\s*$/.test(before);
  const byCarrier = carriers.some((c) => (c.end === i - 1 || c.end === i - 2 || c.start === i + 1 || c.start === i + 2) && sameClause(c.start));
  const said = labelled || joined || byCarrier || (PLAN_AFTER.has(next) && sameClause(i + 1)) || (PLAN_BEFORE.has(prev) && sameClause(i - 1));
  if (!said) return undefined;
  const end = PLAN_AFTER.has(next) && next !== 'none' && sameClause(i + 1) ? i + 1 : i;
  if (isNegatedAt(t, i, end)) return false;
  for (let j = i + 1; j <= end + 2 && j < t.words.length && sameClause(j); j++) if (PLAN_GONE.has(t.words[j] ?? '')) return false;
  // "dental: no"
  if (labelled && (next === 'no' || next === 'not')) return false;
  return true;
}

/** Which plan a carrier name is: the side word right after it ("Cigna dental"), else a label before it ("dental: Cigna"). */
function carrierSide(t: Tokens, c: Carrier): Side {
  if (c.side !== 'either') return c.side;
  for (let j = c.end + 1; j <= c.end + 2 && j < t.words.length && t.clauses[j] === t.clauses[c.end]; j++) {
    const side = SIDE_WORDS[t.words[j] ?? ''];
    if (side) return side;
  }
  // "dental: Cigna"; but "medical and dental both through Aetna" names one carrier for both, read as medical.
  let labelled: Side | undefined;
  for (let j = c.start - 1; j >= c.start - 5 && j >= 0 && t.clauses[j] === t.clauses[c.start]; j--) {
    const side = SIDE_WORDS[t.words[j] ?? ''];
    if (side === 'medical') return side;
    if (side && j >= c.start - 3) labelled ??= side;
    if (CARRIER_START.test(t.words[j] ?? '')) break;
  }
  return labelled ?? 'medical';
}
const CARRIER_START = /^(bcbs|aetna|cigna|uhc|humana|delta|metlife|guardian|anthem|kaiser)$/;

/** The medical payer kind the text names, strongest claim first (Medicare pays before Medicaid or a commercial plan). */
function findPayer(t: Tokens, text: string, carriers: Carrier[]): MedicalPayer | undefined {
  const said = (re: RegExp): number[] => {
    const out: number[] = [];
    for (const m of text.matchAll(re)) {
      const i = wordAt(t, m.index);
      const last = wordAt(t, m.index + m[0].length - 1);
      if (!isNegatedAt(t, i, last)) out.push(i);
    }
    return out;
  };
  const medicare = said(/\bmedicare\b/gi);
  // A Medigap supplement (AARP, Plan G) rides on original Medicare; Medicare Advantage replaces it.
  const supplement = said(/\b(?:medigap|supplement(?:al)?|supp|plan [fgn])\b/gi).length > 0;
  // Medicare Advantage plans are often named by their brand alone ("Humana Gold Plus", "Kaiser Senior Advantage").
  const advantage = said(/\bmedicare advantage\b|\badvantage plan\b|\bpart c\b|\bma plan\b|\bmedicare (?:hmo|ppo|replacement)\b|\bdual special needs\b|\bd-?snp\b|\bgold plus\b|\bsenior advantage\b|\bmedicare ?complete\b|\bdual complete\b|\bdevoted health\b|\balignment health\b|\bclover health\b/gi).length > 0;
  const brandedMedicare = medicare.some((i) => carriers.some((c) => c.end === i - 1));
  if (advantage) return 'medicare-advantage';
  if (medicare.length || (supplement && /\b(aarp|medigap)\b/i.test(text))) return brandedMedicare && !supplement ? 'medicare-advantage' : 'medicare';
  if (said(/\btricare\b/gi).length) return 'tricare';
  const medicaid = said(/\bmedicaid\b|\bmedi-cal\b|\bmasshealth\b|\bsoonercare\b|\bbadgercare\b/gi);
  const secondaryMedicaid = medicaid.length > 0 && medicaid.every((i) => /^(secondary|2nd)$/.test(t.words[i + 1] ?? '') || /^(secondary|2nd)$/.test(t.words[i - 1] ?? ''));
  const commercial = carriers.some((c) => c.side !== 'dental' && c.name !== 'aarp' && carrierSide(t, c) === 'medical');
  if (medicaid.length && !(secondaryMedicaid && commercial)) return 'medicaid';
  // "CHIP" only in capitals: "a chip on #9" is a broken tooth.
  if (/\bCHIP\b/.test(text)) return 'medicaid';
  if (commercial) return 'commercial';
  return undefined;
}

/** The carriers a message names (not those it says are absent), listed or named as offices write them. */
function findCarriers(t: Tokens, text: string): Carrier[] {
  const carriers: Carrier[] = [];
  for (const m of text.matchAll(CARRIER_RE)) {
    const start = wordAt(t, m.index);
    const end = wordAt(t, m.index + m[0].length - 1);
    if (isNegatedAt(t, start, end)) continue;
    carriers.push({ name: m[0].toLowerCase().replace(/\s+/g, ' '), said: m[0], side: m[1] ? 'dental' : 'either', start, end });
  }
  for (const m of text.matchAll(NAMED_PLAN_RE)) {
    const [, named = '', side = ''] = m;
    const first = named.split(/\s+/)[0] ?? '';
    const start = wordAt(t, m.index);
    const end = wordAt(t, m.index + named.length - 1);
    if (NOT_A_CARRIER.test(first) || carriers.some((c) => c.start <= end && c.end >= start) || isNegatedAt(t, start, end)) continue;
    carriers.push({ name: named.toLowerCase().replace(/\s+/g, ' '), said: named, side: side.toLowerCase() === 'dental' ? 'dental' : 'medical', start, end });
  }
  return carriers;
}

/** The medical plan's carrier as the message wrote it ("Aetna", "Mutual of Omaha"): the claim form's payer. */
export function medicalCarrierIn(text: string): string | undefined {
  const t = tokenize(text);
  return findCarriers(t, text).find((c) => c.name !== 'aarp' && carrierSide(t, c) === 'medical')?.said;
}

function findCoverage(text: string): NonNullable<CaseFacts['coverage']> | undefined {
  const t = tokenize(text);
  const cov: NonNullable<CaseFacts['coverage']> = {};
  // A plan said to exist beats one said not to: staff correct themselves ("no dental... actually Delta").
  const say = (side: Side, value: boolean) => {
    if (cov[side] === undefined || value) cov[side] = value;
  };
  const carriers = findCarriers(t, text);
  const payer = findPayer(t, text, carriers);
  if (payer) {
    say('medical', true);
    cov.medicalPayer = payer;
  }
  const sides: Record<Side, Set<string>> = { medical: new Set(), dental: new Set() };
  for (const c of carriers) {
    if (c.name === 'aarp') continue; // AARP names a Medicare plan kind, read by findPayer.
    const side = carrierSide(t, c);
    say(side, true);
    sides[side].add(c.name.replace(/ dental$/, ''));
  }
  if (sides.medical.size && !cov.medicalPayer) cov.medicalPayer = 'commercial';
  for (let i = 0; i < t.words.length; i++) {
    const side = SIDE_WORDS[t.words[i] ?? ''];
    if (!side) continue;
    const has = planMention(t, text, i, carriers);
    if (has !== undefined) say(side, has);
    // "dental only", "only has dental": the other side is not there.
    const only = t.words[i + 1] === 'only' || t.words[i - 1] === 'only' || (t.words[i - 2] === 'only' && /^(has|have)$/.test(t.words[i - 1] ?? ''));
    if (has && only) say(side === 'medical' ? 'dental' : 'medical', false);
  }
  const noInsurance = /\b(?:uninsured|self[- ]pay(?:ing)?|cash[- ]pay(?:ing)?|cash patient|not insured)\b/i.test(text)
    || wordIndexes(t, ['insurance', 'coverage', 'insured']).some((i) => isNegatedAt(t, i) && !SIDE_WORDS[t.words[i - 1] ?? '']);
  if (noInsurance) {
    say('medical', false);
    say('dental', false);
  }
  const combined = findCombined(t, text);
  if (combined) {
    cov.combinedPlan = true;
    cov.medical = true;
    cov.dental = true;
  } else if (cov.medical && cov.dental) {
    // Two carriers, one per side (BCBS medical + Delta dental), are two plans.
    const twoCarriers = sides.medical.size > 0 && sides.dental.size > 0 && [...sides.dental].some((d) => !sides.medical.has(d));
    if (combined === false || twoCarriers || /\b(separate|two plans|2 plans|different plans|different carriers)\b/i.test(text)) cov.combinedPlan = false;
  }
  return Object.keys(cov).length ? cov : undefined;
}

function wordIndexes(t: Tokens, words: string[]): number[] {
  return words.flatMap((w) => [...(t.positions.get(w) ?? [])]);
}

const ONE_PLAN = ['one plan', 'single plan', 'same plan', 'one policy', 'embedded dental', 'dental embedded', 'integrated plan', 'dental rider'].map(compilePhrase);
const COMBINED_PLAN_WORDS = new Set(['plan', 'medical', 'dental', 'coverage', 'benefits', 'benefit', 'policy', 'insurance']);

/** One combined medical and dental plan said (true), denied (false), or not mentioned (undefined). */
function findCombined(t: Tokens, text: string): boolean | undefined {
  for (const i of t.positions.get('combined') ?? []) {
    let near = false;
    for (let j = i + 1; j <= i + 3 && j < t.words.length && t.clauses[j] === t.clauses[i]; j++) if (COMBINED_PLAN_WORDS.has(t.words[j] ?? '')) near = true;
    if (t.words[i - 1] === 'plan' || t.words[i - 1] === 'plans') near = true;
    if (near) return !isNegatedAt(t, i);
  }
  if (ONE_PLAN.some((phrase) => findPhrase(t, phrase))) return true;
  if (/\bmedical and dental (?:in|on|from|through|under) (?:one|the same)\b|\bmedical\s*\/\s*dental plan\b/i.test(text)) return true;
  return undefined;
}

/**
 * Sedation is given for a procedure, not billed instead of it: "IV sedation for wisdom teeth removal" is a
 * removal (with its sedation codes); sedation is the procedure only when nothing else is named.
 */
const SEDATION_WORDS = /\b(?:iv |intravenous |oral |conscious |moderate |deep )?sedation\b[^,.;?!]*/i;
const PROCEDURE_WORDS = /\b(biopsy|extractions?|wisdom teeth|third molars|implant|frenectomy|frenotomy|tongue[- ]tie release|sleep apnea (?:oral )?appliance|oral appliance|sleep appliance|mandibular advancement|appliance|splint|night guard|cbct|cone beam|pano(?:ramic)?|ct scan|i&d|incision and drainage|drainage|reimplant\w*|splint\w*|bone graft|cyst (?:removal|excision)|excision|arthrocentesis|general anesthesia|scaling and root planing|srp|clearance|closed reduction|open reduction)\b[^,.;?!]*/i;

/**
 * A chat turn reads the same message several times (routing, the flow, its checks), so the last results
 * are kept per knowledge base. They are frozen: callers build new facts from them, never edit them.
 */
const recent = new WeakMap<Knowledge, Recent<string, Extraction>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The facts a message states. `today` (the practice's local date) lets a date of service typed without its year
 * ("DOS 10/3") be read; without it only one with its year is (src/knowledge/service-date.ts).
 */
export function extractFacts(message: string, kn: Knowledge, today?: string | (() => string)): Extraction {
  let cache = recent.get(kn);
  if (!cache) recent.set(kn, (cache = new Recent(64)));
  // A date without its year is read against today, so the reading is kept under today's date too.
  const key = today && hasYearlessServiceDate(message) ? `${typeof today === 'string' ? today : today()}\n${message}` : message;
  return cache.get(key) ?? cache.set(key, deepFreeze(extractUncached(message, kn, today)));
}

function extractUncached(message: string, kn: Knowledge, today: string | (() => string) | undefined): Extraction {
  // The notes carry the corrected reading, so triage's own phrase matching sees "impacted", not "impactd".
  const text = correctTypos(expandAbbreviations(message.slice(0, 20_000)), kn);
  const codes = findCodes(message);
  // The phrase ends where the scheduling talk starts ("wisdom teeth on the 2pm").
  const procedurePhrase = (PROCEDURE_WORDS.exec(text) ?? SEDATION_WORDS.exec(text))?.[0]?.replace(/\s+(on|at|for|today|tomorrow|this|next|later|asap)\b.*$/i, '').trim();
  const facts: CaseFacts = { procedure: codes.procedure ?? procedurePhrase ?? text.trim().slice(0, 500), notes: text.trim() };
  const found: string[] = [];
  if (codes.procedure || procedurePhrase) found.push(`procedure: ${facts.procedure}`);
  if (codes.diagnoses.length) {
    facts.diagnoses = codes.diagnoses.slice(0, 12);
    found.push(`diagnoses: ${facts.diagnoses.join(', ')}`);
  }
  const coverage = findCoverage(text);
  if (coverage) {
    facts.coverage = coverage;
    found.push(`coverage: ${JSON.stringify(coverage)}`);
  }
  const age = findAge(text);
  if (age !== undefined) facts.patientAge = age;
  const docs = findDocuments(text);
  if (docs.length) facts.documentsOnHand = docs;
  Object.assign(facts, findMoney(text));
  const serviceDate = findServiceDate(message, today);
  if (serviceDate) {
    facts.serviceDate = serviceDate;
    found.push(`serviceDate: ${serviceDate}`);
  }
  // The cause comes from the same signal vocabulary triage uses to weigh evidence.
  const signals = readCase(facts, kn).signals;
  let cause = causeFromSignals(kn, signals);
  // An impacted tooth with nothing else wrong is its own cause (the contract's "impaction"); an infection or a
  // cyst around it is read first, as the stronger medical story.
  if (signals.has('impaction') && (cause === undefined || cause === 'routine')) cause = 'impaction';
  if (cause) {
    facts.cause = cause;
    found.push(`cause: ${cause}`);
  }
  const known: Partial<CaseFacts> = { ...facts };
  delete known.notes;
  if (!codes.procedure && !procedurePhrase) delete known.procedure;
  return { facts, known, found };
}
