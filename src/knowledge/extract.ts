/**
 * Free text as staff type it ("pt broke #8 in a bike accident, has BCBS medical + Delta dental, bill medical?")
 * → CaseFacts. It only records what the text says: a fact it cannot find stays missing, and triage turns
 * that into needs-info and the question to ask next.
 */
import type { CaseFacts } from './facts.js';
import type { Knowledge } from './load.js';
import { readCase } from './case.js';
import { causeFromSignals } from './evidence.js';
import { codeSetOf, normalizeIcd10 } from './codes.js';
import type { DocumentKind, MedicalPayer } from './vocabulary.js';

/** Staff shorthand expanded before matching, so knowledge phrases need only the long form. */
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bpt\b/gi, 'patient'], [/\bw\/o\b/gi, 'without'], [/\bw\//gi, 'with '], [/\bhx\b/gi, 'history'],
  [/\bdx\b/gi, 'diagnosis'], [/\btx\b/gi, 'treatment'], [/\bexts?\b/gi, 'extraction'], [/\bexo\b/gi, 'extraction'],
  [/\bWT\b/g, 'wisdom teeth'], [/\bwt\b/g, 'wisdom teeth'], [/\b3rds\b/gi, 'third molars'], [/\b3rd molars?\b/gi, 'third molars'],
  [/\bfx\b/gi, 'fracture'], [/\bbx\b/gi, 'biopsy'], [/\bsx\b/gi, 'symptoms'], [/\brx\b/gi, 'prescription'],
  [/\bs\/p\b/gi, 'status post'], [/\byo\b|\by\/o\b/gi, 'year old'], [/\bmcr\b/gi, 'medicare'],
];

interface PayerName { pattern: RegExp; side: 'medical' | 'dental' | 'either'; payer?: MedicalPayer }
const PAYERS: PayerName[] = [
  { pattern: /\bmedicare advantage\b|\bMA plan\b|\bhumana medicare\b|\baetna medicare\b|\buhc medicare\b|\bmedicare hmo\b|\bmedicare ppo\b/i, side: 'medical', payer: 'medicare-advantage' },
  { pattern: /\bmedicare\b/i, side: 'medical', payer: 'medicare' },
  { pattern: /\bmedicaid\b|\bmedi-cal\b|\bchip\b/i, side: 'medical', payer: 'medicaid' },
  { pattern: /\btricare\b/i, side: 'medical', payer: 'tricare' },
  { pattern: /\b(bcbs|blue cross|blue shield|anthem|aetna|cigna|uhc|united ?health(care)?|humana|kaiser|highmark|regence|premera|oscar|ambetter|molina|emblem)\b/i, side: 'either', payer: 'commercial' },
  { pattern: /\b(delta( dental)?|metlife|guardian|ameritas|principal|sun life|united concordia|dentemax|careington)\b/i, side: 'dental' },
];

export interface Extraction {
  facts: CaseFacts;
  /** Only what the text really said: no fallback procedure, no notes. Chat flows fill their slots from it. */
  known: Partial<CaseFacts>;
  /** What was found, for the chat to confirm; never includes identifiers. */
  found: string[];
}

export function expandAbbreviations(text: string): string {
  return ABBREVIATIONS.reduce((t, [re, long]) => t.replace(re, long), text);
}

function findCodes(text: string): { procedure?: string; diagnoses: string[] } {
  let procedure: string | undefined;
  const diagnoses: string[] = [];
  for (const m of text.matchAll(/\b([A-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}|D\d{4}|\d{5}|[A-CEGHJ-MP-V]\d{4}|[A-Z]\d{2}[0-9A-Z]{1,4})\b/gi)) {
    const raw = m[1]!.toUpperCase();
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

function findMoney(text: string): { fee?: number; cashFee?: number } {
  const out: { fee?: number; cashFee?: number } = {};
  const amount = String.raw`\$?\s?(\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\d+(?:\.\d{2})?)`;
  const cash = new RegExp(String.raw`\b(?:cash|usual|self[- ]pay|ucr)\s*(?:fee|price|rate)?\s*(?:is|of|=|:)?\s*${amount}`, 'i').exec(text);
  if (cash) out.cashFee = Number(cash[1]!.replace(/,/g, ''));
  const fee = new RegExp(String.raw`\b(?:fee|bill(?:ing)?|charge|charging)\s*(?:is|of|=|:|at|for)?\s*${amount}`, 'i').exec(text.replace(cash?.[0] ?? '\u0000', ' '));
  if (fee && /\d/.test(fee[1]!)) out.fee = Number(fee[1]!.replace(/,/g, ''));
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

function findCoverage(text: string): NonNullable<CaseFacts['coverage']> | undefined {
  const cov: NonNullable<CaseFacts['coverage']> = {};
  const say = (side: 'medical' | 'dental', value: boolean) => {
    if (cov[side] === undefined || value) cov[side] = value;
  };
  if (/\b(no|without|uninsured|self[- ]pay|cash)\s+(insurance|coverage)\b|\buninsured\b/i.test(text)) {
    cov.medical = false;
    cov.dental = false;
  }
  if (/\bno (medical|health)( insurance| coverage| plan)?\b|\bmedical:? none\b|\bdental only\b|\bonly (has )?dental\b/i.test(text)) say('medical', false);
  if (/\bno dental( insurance| coverage| plan)?\b|\bdental:? none\b|\bmedical only\b|\bonly (has )?medical\b/i.test(text)) say('dental', false);
  if (/\bcombined (plan|medical|coverage|benefits?)\b|\b(one|single|same) plan\b|\bmedical and dental (in|on|from) one\b|\bembedded dental\b/i.test(text)) {
    cov.combinedPlan = true;
    cov.medical = true;
    cov.dental = true;
  }
  for (const p of PAYERS) {
    const m = p.pattern.exec(text);
    if (!m) continue;
    const near = text.slice(m.index, m.index + m[0].length + 14).toLowerCase();
    const side = /dental/.test(near.slice(m[0].length)) || /dental/.test(m[0].toLowerCase()) ? 'dental' : /medical|health/.test(near.slice(m[0].length)) ? 'medical' : p.side === 'either' ? 'medical' : p.side;
    say(side, true);
    if (side === 'medical' && p.payer && !cov.medicalPayer) cov.medicalPayer = p.payer;
  }
  if (/\b(has|have|with|w\/|and|\+)\s+(medical|health)( insurance| coverage| plan)?\b|\bmedical insurance\b/i.test(text) && cov.medical === undefined) say('medical', true);
  if (/\b(has|have|with|w\/|and|\+)\s+dental( insurance| coverage| plan)?\b|\bdental insurance\b/i.test(text) && cov.dental === undefined) say('dental', true);
  if (cov.medical && cov.dental && cov.combinedPlan === undefined && /\b(separate|two plans|different plans)\b/i.test(text)) cov.combinedPlan = false;
  // Two named carriers (BCBS medical + Delta dental) are two plans.
  if (cov.medical && cov.dental && cov.combinedPlan === undefined) {
    const carriers = PAYERS.filter((p) => p.pattern.test(text)).length;
    if (carriers >= 2) cov.combinedPlan = false;
  }
  return Object.keys(cov).length ? cov : undefined;
}

const PROCEDURE_WORDS = /\b(biopsy|extraction|wisdom teeth|third molars|implant|frenectomy|frenotomy|tongue[- ]tie release|sleep apnea (?:oral )?appliance|oral appliance|sleep appliance|mandibular advancement|appliance|splint|night guard|cbct|cone beam|pano(?:ramic)?|ct scan|i&d|incision and drainage|drainage|reimplant\w*|splint\w*|bone graft|cyst (?:removal|excision)|excision|arthrocentesis|general anesthesia|sedation|scaling and root planing|srp|clearance|closed reduction|open reduction)\b[^,.;?!]*/i;

/**
 * A chat turn reads the same message several times (routing, the flow, its checks), so the last results
 * are kept per knowledge base. They are frozen: callers build new facts from them, never edit them.
 */
const recent = new WeakMap<Knowledge, Map<string, Extraction>>();
const RECENT_MAX = 64;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function extractFacts(message: string, kn: Knowledge): Extraction {
  let cache = recent.get(kn);
  if (!cache) recent.set(kn, (cache = new Map()));
  const hit = cache.get(message);
  if (hit) return hit;
  const fresh = deepFreeze(extractUncached(message, kn));
  if (cache.size >= RECENT_MAX) cache.delete(cache.keys().next().value!);
  cache.set(message, fresh);
  return fresh;
}

function extractUncached(message: string, kn: Knowledge): Extraction {
  const text = expandAbbreviations(message.slice(0, 20_000));
  const codes = findCodes(message);
  // The phrase ends where the scheduling talk starts ("wisdom teeth on the 2pm").
  const procedurePhrase = PROCEDURE_WORDS.exec(text)?.[0]?.replace(/\s+(on|at|for|today|tomorrow|this|next|later|asap)\b.*$/i, '').trim();
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
  // The cause comes from the same signal vocabulary triage uses to weigh evidence.
  const cause = causeFromSignals(kn, readCase(facts, kn).signals);
  if (cause) {
    facts.cause = cause;
    found.push(`cause: ${cause}`);
  }
  const known: Partial<CaseFacts> = { ...facts };
  delete known.notes;
  if (!codes.procedure && !procedurePhrase) delete known.procedure;
  return { facts, known, found };
}
