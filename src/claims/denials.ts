/**
 * Denials as billers write them: codes ("CO-50", "co 50", "CARC 50", "denied 197", "CO-16 N290") or plain words
 * ("denied for medical necessity"), read into a Denial; the remedy for it from knowledge/denials.json; and the
 * checklist for resubmitting or appealing. Pure functions: the knowledge is passed in.
 *
 * A number counts as a CARC only next to a group code (CO, PR, OA, PI), after "CARC", "reason" or a code word,
 * or alone right after "denied", so tooth numbers, amounts, dates and procedure codes are never read as one.
 */
import type { Preauth } from '../knowledge/vocabulary.js';
import { tokenize, type Tokens } from '../knowledge/text.js';
import { groupCode, RARC_PATTERN, type AdviceEntry, type CarcEntry, type ClaimKnowledge, type ClaimSource, type DenialAction, type RarcEntry } from '../knowledge/followup-denials.js';
import type { ClaimPayerKind, Denial, DenialGroup } from './model.js';
import { appealDeadline } from './policy.js';

/** CARC shapes: digits, or one of the letters X12 uses before digits (A1, B7, P12, W1, Y2). */
const CARC = String.raw`(?:[ABPWY]\d{1,2}|\d{1,3})`;
/** Not part of a longer number, a date (12/3), a decimal (50.5), an amount or a percentage. */
const NUMBER_END = String.raw`(?!\d|\/|[.,]\d|%|-\d)`;
const UNIT_AFTER = /^\s+(?:days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|times|lines?|claims?|units?|visits?|teeth|tooth|procedures?|services?|of|out|dollars?|mm|cm|laser)\b/i;

const GROUP_FORM = new RegExp(String.raw`\b(CO|PR|OA|PI)(\s*[-–—:]\s*|\s+|)(${CARC})${NUMBER_END}\b`, 'gi');
const KEYWORD_FORM = new RegExp(
  String.raw`\b(carc|claim\s+adjustment\s+reason(?:\s+code)?|adjustment\s+reason(?:\s+code)?|reason\s+code|reason|denial\s+code|adjustment\s+code|code)\s*(?:#|no\.?|number)?\s*[:\-–—]?\s*(${CARC})${NUMBER_END}\b`,
  'gi',
);
const DENIED_FORM = new RegExp(String.raw`\bdenied\b\s*(?:[:\-–—]\s*|(?:for|as|with|under|code|reason)\s+)?(${CARC})${NUMBER_END}\b`, 'gi');
const RARC_FORM = /\b(MA\d{2,3}|M\d{1,3}|N\d{1,3})\b/gi;
/** Words before "code" that make it some other code (a procedure code, a resubmission code, a zip code). */
const OTHER_CODE_BEFORE = /\b(?:procedure|cpt|cdt|hcpcs|icd|icd-10|diagnosis|dx|zip|area|tooth|modifier|resubmission|frequency|service|pos|billing|access|promo|discount|ada)\s*$/i;
/** CARCs that explain an amount rather than deny it: read only when no other code is given. */
const ADJUSTMENT_ONLY = new Set(['45', '23']);
/** Phrases are matched as words in order with at most this many other words between them. */
const MAX_GAP = 1;

interface CodeHit {
  index: number;
  group?: DenialGroup;
  carc: string;
}

function normalize(text: string): string {
  return text.normalize('NFKC');
}

function followedByUnit(text: string, end: number): boolean {
  return UNIT_AFTER.test(text.slice(end));
}

/** The first CARC written as a code, or undefined. */
function findCarc(text: string, kn: ClaimKnowledge): CodeHit | undefined {
  const hits: CodeHit[] = [];
  for (const m of text.matchAll(GROUP_FORM)) {
    const [, groupText = '', between = '', carcText = ''] = m;
    const group = groupText.toUpperCase() as DenialGroup;
    const carc = carcText.toUpperCase();
    const separated = /[-–—:]/.test(between);
    const end = m.index + m[0].length;
    // "co 50", "CO50": only a known pair, so "CO2 laser" or "OA 2 weeks" is not read as a denial.
    if (!separated && !kn.byGroupCode.has(groupCode(group, carc))) continue;
    if (followedByUnit(text, end)) continue;
    hits.push({ index: m.index, group, carc });
  }
  for (const m of text.matchAll(KEYWORD_FORM)) {
    const [, keywordText = '', carcText = ''] = m;
    const keyword = keywordText.toLowerCase();
    const carc = carcText.toUpperCase();
    const end = m.index + m[0].length;
    if (followedByUnit(text, end)) continue;
    if (keyword === 'code') {
      if (OTHER_CODE_BEFORE.test(text.slice(0, m.index))) continue;
      // A bare "code 7" is read only when it is a code medbill knows.
      if (!kn.byCarc.has(carc)) continue;
    }
    hits.push({ index: m.index, carc });
  }
  for (const m of text.matchAll(DENIED_FORM)) {
    const end = m.index + m[0].length;
    if (followedByUnit(text, end)) continue;
    const [, carc = ''] = m;
    hits.push({ index: m.index, carc: carc.toUpperCase() });
  }
  hits.sort((a, b) => a.index - b.index || (b.group ? 1 : 0) - (a.group ? 1 : 0));
  // A contractual or prior-payer adjustment (CO-45, OA-23) beside another code is not the reason to act on.
  return hits.find((h) => !ADJUSTMENT_ONLY.has(h.carc)) ?? hits[0];
}

/** The first remark code: a known one anywhere, an unknown one only after "RARC"/"remark" or beside a CARC. */
function findRarc(text: string, kn: ClaimKnowledge, carcFound: boolean): string | undefined {
  for (const m of text.matchAll(RARC_FORM)) {
    const [, codeText = ''] = m;
    const code = codeText.toUpperCase();
    if (!RARC_PATTERN.test(code)) continue;
    if (kn.rarcs.has(code)) return code;
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    if (/\b(?:rarc|remark(?:\s+code)?)\s*[:#-]?\s*$/i.test(before) || (carcFound && /\b(?:CO|PR|OA|PI)\s*[-–—:]?\s*[ABPWY]?\d{1,3}\s*[,/;]?\s*$/i.test(before))) return code;
  }
  return undefined;
}

/** True when the phrase's words occur in order, each at most MAX_GAP words after the one before (with common endings). */
function matchPhrase(tokens: Tokens, words: readonly string[]): boolean {
  const [first, ...rest] = words;
  if (first === undefined) return false;
  for (const start of tokens.positions.get(first) ?? []) {
    let at = start;
    let ok = true;
    for (const word of rest) {
      ok = false;
      for (let j = at + 1; j <= at + 1 + MAX_GAP && j < tokens.words.length; j++) {
        if (tokens.stems[j]?.has(word)) {
          at = j;
          ok = true;
          break;
        }
      }
      if (!ok) break;
    }
    if (ok) return true;
  }
  return false;
}

/** The entry whose phrase the text contains, the most specific (longest) phrase first. */
export function matchDenialPhrase(text: string, kn: ClaimKnowledge): CarcEntry | undefined {
  const tokens = tokenize(normalize(text));
  return kn.phrases.find((p) => matchPhrase(tokens, p.words))?.entry;
}

/**
 * Reads a denial from what a biller typed. Codes win over words; a code of the right shape that medbill does not
 * know (CO-999) is still returned, so the caller can say it is unknown. Undefined when the text names no denial.
 */
export function parseDenial(text: string, kn: ClaimKnowledge): Denial | undefined {
  const t = normalize(text);
  const hit = findCarc(t, kn);
  const rarc = findRarc(t, kn, hit !== undefined);
  if (hit) return { ...(hit.group ? { group: hit.group } : {}), carc: hit.carc, ...(rarc ? { rarc } : {}) };
  const entry = matchDenialPhrase(t, kn);
  const words = t.trim().replace(/\s+/g, ' ').slice(0, 200);
  if (entry) return { group: entry.group, carc: entry.carc, ...(rarc ? { rarc } : {}), words };
  if (rarc) return { rarc };
  return undefined;
}

/** The code as billers write it: "CO-50", "50" without a group, "N115" for a remark alone. */
export function denialCode(denial: Denial): string {
  if (denial.carc) return denial.group ? groupCode(denial.group, denial.carc) : denial.carc;
  return denial.rarc ?? '';
}

export interface Remedy {
  /** The entry's own code, e.g. "CO-50". */
  code: string;
  group: DenialGroup;
  carc: string;
  /** False when the denial's group is not one this entry lists (found by the CARC alone). */
  groupMatched: boolean;
  meaning: string;
  causes: string[];
  fix: string[];
  action: DenialAction;
  attach: CarcEntry['attach'];
  /** The source ids, and the sources themselves (title, url) from knowledge/sources.json. */
  source: string[];
  sources: ClaimSource[];
  confidence: CarcEntry['confidence'];
  /** The remark code's entry, when the denial has a known one. */
  remark?: RarcEntry;
}

/** The remark code's entry, or undefined. */
export function remarkFor(code: string, kn: ClaimKnowledge): RarcEntry | undefined {
  return kn.rarcs.get(code.toUpperCase());
}

/**
 * The remedy for a denial: the entry for its group and CARC, else the usual entry for the CARC alone (the same
 * code can come with another group), else undefined.
 */
export function remedyFor(denial: Denial, kn: ClaimKnowledge): Remedy | undefined {
  if (!denial.carc) return undefined;
  const carc = denial.carc.toUpperCase();
  const exact = denial.group ? kn.byGroupCode.get(groupCode(denial.group, carc)) : undefined;
  const entry = exact ?? kn.byCarc.get(carc)?.[0];
  if (!entry) return undefined;
  const remark = denial.rarc ? remarkFor(denial.rarc, kn) : undefined;
  return {
    code: groupCode(entry.group, entry.carc),
    group: entry.group,
    carc: entry.carc,
    groupMatched: exact !== undefined || denial.group === undefined,
    meaning: entry.meaning,
    causes: [...entry.causes],
    fix: [...entry.fix],
    action: entry.action,
    attach: [...entry.attach],
    source: [...entry.source],
    sources: entry.source.map((id) => kn.sources.get(id)).filter((x): x is ClaimSource => x !== undefined),
    confidence: entry.confidence,
    ...(remark ? { remark } : {}),
  };
}

export interface ChecklistOptions {
  payerKind?: ClaimPayerKind;
  /** What medbill's answer for the case said of prior authorization: "not-required" asks no approval to attach. */
  preauth?: Preauth;
  /** The denial's date: with `payerKind`, the appeal deadline is computed from the follow-up policy. */
  deniedDate?: string;
  /** The appeal window the denial notice gives, when it differs from the policy's. */
  appealDays?: number;
  /** The payer's claim number of the original claim (for item 22). */
  originalClaimNumber?: string;
}

/** The checklist's steps, and the sources of the advice it took from knowledge/denials.json. */
export interface ResubmissionAdvice {
  steps: string[];
  /** Source ids of the advice entries used (the denial's own remedy cites its sources separately). */
  source: string[];
}

/**
 * What to do, step by step, to resubmit or appeal: the entry's fix, the claim-form details for a corrected
 * claim and each payer kind's own appeal or correction advice (knowledge/denials.json advice, with their sources),
 * the documents to attach (by their titles in documents.json), and for an appeal the deadline.
 */
export function resubmissionChecklist(denial: Denial, kn: ClaimKnowledge, options: ChecklistOptions = {}): string[] {
  return resubmissionAdvice(denial, kn, options).steps;
}

/** The filled-in text of a piece of advice ({claimNumber}, {remark}); a placeholder with no value is dropped. */
function adviceText(entry: AdviceEntry, values: Partial<Record<'claimNumber' | 'remark', string>>): string {
  return entry.text.replace(/\{(claimNumber|remark)\}/g, (_m, name: 'claimNumber' | 'remark') => values[name] ?? '');
}

/** resubmissionChecklist with the sources of the advice it used (knowledge/denials.json advice). */
export function resubmissionAdvice(denial: Denial, kn: ClaimKnowledge, options: ChecklistOptions = {}): ResubmissionAdvice {
  const remedy = remedyFor(denial, kn);
  const remark = denial.rarc ? remarkFor(denial.rarc, kn) : undefined;
  const steps: string[] = [];
  const source: string[] = [];
  const add = (s: string) => {
    if (!steps.includes(s)) steps.push(s);
  };
  /** A step from denials.json advice, by id; the loader guarantees the ids the checklist names. */
  const advise = (entry: AdviceEntry | undefined, values: Partial<Record<'claimNumber' | 'remark', string>> = {}) => {
    if (!entry) return;
    add(adviceText(entry, values));
    for (const id of entry.source) if (!source.includes(id)) source.push(id);
  };
  /** The advice one payer kind adds for this action (Medicare's redetermination, TRICARE's appointment). */
  const forPayer = (action: DenialAction) => {
    if (!options.payerKind) return;
    const payer = options.payerKind;
    for (const entry of kn.advice.values()) if (entry.action === action && entry.payers?.includes(payer)) advise(entry);
  };
  if (!remedy) {
    const code = denialCode(denial);
    if (remark) add(`Remark ${remark.code}: ${remark.meaning} ${remark.fix}`);
    if (denial.carc) add(`medbill has no entry for ${code}: read the reason on the payer's remittance or call the payer before resubmitting.`);
    else if (!remark) add('Find the denial code (CARC, with its group such as CO or PR) on the remittance or EOB: the next step depends on it.');
    add('Check the claim status with the payer before sending anything again.');
    return { steps, source };
  }
  if (!remedy.groupMatched && denial.group) add(`${denialCode(denial)} is read as ${remedy.code} (${remedy.meaning}): check the group code on the remittance.`);
  if (remark) add(`Remark ${remark.code}: ${remark.meaning} ${remark.fix}`);
  for (const f of remedy.fix) add(f);

  const claimNumber = options.originalClaimNumber ? ` (${options.originalClaimNumber})` : '';
  // N142 / MA130: the original claim was never accepted, so a new claim goes instead of a replacement.
  const newClaimRemark = remark?.code === 'N142' || remark?.code === 'MA130' ? remark : undefined;
  const label = (kind: CarcEntry['attach'][number]) => kn.documentLabels.get(kind) ?? kind;
  // No approval to attach when the case's answer said the plan requires none: the denial is then questioned instead.
  const noAuthNeeded = options.preauth === 'not-required' && remedy.attach.includes('prior-authorization');
  if (noAuthNeeded) add('medbill\'s answer for this case said the plan requires no prior authorization for it: ask the payer which policy required one, and appeal with the plan\'s own prior-authorization list if the service is not on it.');
  const attach = (kinds: readonly CarcEntry['attach'][number][]) => {
    for (const k of kinds) if (!(noAuthNeeded && k === 'prior-authorization')) add(`Attach: ${label(k)}`);
  };

  switch (remedy.action) {
    case 'corrected-claim':
      if (newClaimRemark) {
        advise(kn.advice.get('new-claim'), { remark: newClaimRemark.code });
      } else {
        advise(kn.advice.get('replacement-claim'), { claimNumber });
        advise(kn.advice.get('void-claim'));
        forPayer('corrected-claim');
      }
      attach(remedy.attach);
      break;
    case 'appeal': {
      add(`Write the appeal (the payer's form or a letter): the claim number${claimNumber}, the date of service, the denial code ${denialCode(denial)}, and why the service meets the payer's criteria.`);
      forPayer('appeal');
      attach(['letter-of-medical-necessity', 'clinical-notes', ...remedy.attach]);
      add('Attach: the denial (EOB or remittance advice) you are appealing');
      if (options.payerKind && options.deniedDate) {
        const d = appealDeadline(options.payerKind, options.deniedDate, kn.policy, options.appealDays);
        add(`File so the payer receives it by ${d.date} (${d.days} days from the denial); the deadline on the denial notice comes first.`);
      } else add('File within the appeal deadline on the denial notice.');
      break;
    }
    case 'send-records':
      add(`Send the records through the payer's attachment process (portal, fax or PWK) with the claim number${claimNumber}.`);
      attach(remedy.attach);
      break;
    case 'rebill-other-payer':
      add('Bill the payer that should pay; send this denial (EOB) with it when that payer is secondary or asks for proof of the denial.');
      attach(remedy.attach);
      break;
    case 'bill-patient':
      add('Send the patient a statement for the amount the payer assigned to them (group PR).');
      attach(remedy.attach);
      break;
    case 'write-off':
      add('Post the adjustment with the denial code so the balance is not billed again.');
      attach(remedy.attach);
      break;
    case 'check-status':
      add('Check the claim status with the payer (portal or phone) before sending anything again.');
      attach(remedy.attach);
      break;
  }
  return { steps, source };
}

