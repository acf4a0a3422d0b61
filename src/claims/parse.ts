/**
 * Reads a claim update as staff type it: "C-7K3Q9 paid $412 on 12/3", "C-7K3Q9 denied CO-50",
 * "C-7K3Q9 records requested, due 1/15", "C-7K3Q9 snooze a week", or with the practice's own claim number
 * instead of the case ID ("A1005 paid $5200 on 12/1": see claimNumberLead). What the words do not say (the
 * amount, the denial reason) is left out, and the claim flow asks for it.
 */
import { findDate } from './dates.js';
import { parseAmount } from '../money.js';
import { addDays } from '../calendar.js';
import type { ChangeKind } from './service.js';
import type { Denial } from '../store/claim.js';
import { CLAIM_KEY_IN_TEXT } from '../case-id.js';

export interface ClaimWords {
  caseId?: string;
  action?: ChangeKind;
  /** After "followed up": what the payer said ("still processing", "denied CO-16"), to be read as the outcome. */
  outcome?: string;
  amountCents?: number;
  /** When it happened (paid, denied, submitted…), or the due date of a records request. */
  date?: string;
  due?: string;
  until?: string;
  partial?: boolean;
  denialText?: string;
}

/** Action words, most specific first ("records requested" before "requested", "resubmitted" before "submitted"). */
const ACTIONS: [ChangeKind, RegExp][] = [
  ['records-requested', /\b(?:records?\s+(?:requested|request|needed|due)|(?:want|need|asking\s+for)s?\s+(?:the\s+|more\s+|additional\s+)?(?:records|notes|documentation|x-?rays|narrative)|request(?:ed|ing)?\s+(?:for\s+)?(?:records|notes|documentation)|asked\s+for\s+(?:records|notes|documentation|more\s+info(?:rmation)?)|(?:additional|more)\s+(?:info(?:rmation)?|documentation|records)\s+(?:requested|needed))\b/i],
  ['written-off', /\bwr(?:ite|ote|itten)[\s-]?off\b|\bwriteoff\b/i],
  ['followed-up', /\bfollow(?:ed)?[\s-]?up\b|\bcalled\b|\bchecked\s+(?:on|status)\b|\bstatus\s+check\b/i],
  ['snoozed', /\bsnooze[ds]?\b|\bremind\s+me\b/i],
  ['appealed', /\bappeal(?:ed)?\b|\breconsideration\b|\bredetermination\b/i],
  ['denied', /\bdenied\b|\bdenial\b|\bdeny\b/i],
  ['paid', /\bpaid\b|\bpayment\b|\bremitted\b/i],
  ['pended', /\bpend(?:ed|ing)?\b|\bon\s+hold\b/i],
  ['submitted', /\b(?:re)?submit(?:ted)?\b|\b(?:re)?sent\b|\b(?:re)?filed\b|\bcorrected\s+claim\b|\bbilled\b/i],
  ['closed', /\bclosed?\b/i],
];

/**
 * What happened to a claim, as the first words after its case ID or claim number ("paid", "was denied",
 * "followed up", "records…", "undo", "correct"): what makes a message a claim update from anywhere.
 */
export const CLAIM_VERB = /(?:was\s+|got\s+|is\s+)?(?:undo|correct(?:ion)?|paid|denied|submitted|resubmitted|sent|pended|appealed|written off|wrote off|closed|snoozed?|follow(?:ed)?[\s-]?up|called|checked|records)\b/i;

/**
 * The practice's claim number leading a message: "A1005 paid $5200 on 12/1", "claim #A1005 denied CO-50",
 * "#2024-118 followed up", or alone ("A1005", "claim no. 2024-118?"). A number is letters, digits and dashes
 * with at least one digit (a word is not a claim number), never a case ID, a date (12/1) or an amount ($412).
 * `rest`: the words after it; `verb`: they start with what happened to a claim.
 */
export function claimNumberLead(text: string): { number: string; rest: string; verb: boolean } | undefined {
  const m = CLAIM_NUMBER_LEAD.exec(text);
  const number = m?.[1];
  if (!m || !number || CLAIM_KEY_IN_TEXT.test(number)) return undefined;
  const rest = text.slice(m[0].length).trim();
  const verb = new RegExp(`^${CLAIM_VERB.source}`, 'i').test(rest);
  if (!verb && !/^[?.!]*$/.test(rest)) return undefined;
  return { number, rest: verb ? rest : '', verb };
}

const CLAIM_NUMBER_LEAD = /^\s*(?:claim\s*)?(?:(?:#|no\.?|num(?:ber)?|id\b)\s*[:#]?\s*)?((?=[A-Za-z-]{0,30}\d)[A-Za-z0-9][A-Za-z0-9-]{0,30})(?=[\s,:?.!-]|$)[\s,:-]*/i;

/**
 * A claim number a person most likely meant as one even when medbill has none by it: letters and digits
 * ("A1005", "CLM-889"), or five characters or more ("20241"). A short plain number ("412") is more often an
 * amount or an answer to a question than a claim, so only a number medbill knows is taken as a claim there.
 */
export const looksLikeClaimNumber = (n: string): boolean => (/[A-Za-z]/.test(n) && /\d/.test(n)) || n.length >= 5;

/** How long a snooze lasts when said in words: "3 days", "a week", "2 weeks". */
function snoozeDays(text: string): number | undefined {
  const m = /\b(\d{1,2}|a|one|two|three)\s+(day|week)s?\b/i.exec(text);
  if (!m) return undefined;
  const [, count = '', unit = ''] = m;
  const n = ({ a: 1, one: 1, two: 2, three: 3 } as Record<string, number>)[count.toLowerCase()] ?? Number(count);
  return unit.toLowerCase() === 'week' ? n * 7 : n;
}

export function readClaimWords(text: string, today: string): ClaimWords {
  const words: ClaimWords = {};
  const caseId = CLAIM_KEY_IN_TEXT.exec(text)?.[0];
  if (caseId) words.caseId = caseId.toUpperCase();
  const rest = caseId ? text.replace(caseId, ' ') : text;
  const action = ACTIONS.find(([, re]) => re.test(rest))?.[0];
  if (!action) return words;
  words.action = action;
  if (action === 'followed-up') {
    const said = rest.replace(/^.*?(?:\bfollow(?:ed)?[\s-]?up\b|\bcalled\b|\bchecked\s+(?:on|status)\b|\bstatus\s+check\b)[\s,.:;-]*/i, '').trim();
    if (said) words.outcome = said;
    const date = findDate(rest, today, 'past');
    if (date) words.date = date;
    return words;
  }
  if (action === 'paid') {
    const amount = parseAmount(rest);
    if (amount !== undefined) words.amountCents = amount;
    if (/\bpartial(?:ly)?\b/i.test(rest)) words.partial = true;
  }
  if (action === 'denied') {
    // What follows the word "denied" is the reason: a code, or words for the denial knowledge to read.
    const after = /\b(?:denied|denial|deny)\b[\s:,-]*(?:for\s+|as\s+|with\s+|reason\s+)?(.*)$/i.exec(rest)?.[1]?.replace(/\bon\s+[\w/,-]+\s*$/i, '').trim();
    if (after) words.denialText = after;
  }
  if (action === 'records-requested') {
    const due = /\bdue\b(.*)$/i.exec(rest)?.[1];
    const dueDate = due ? findDate(due, today, 'future') : undefined;
    if (dueDate) words.due = dueDate;
    const said = findDate(due ? rest.slice(0, rest.toLowerCase().lastIndexOf('due')) : rest, today, 'past');
    if (said) words.date = said;
    return words;
  }
  if (action === 'snoozed') {
    const until = /\buntil\b(.*)$/i.exec(rest)?.[1];
    const untilDate = until ? findDate(until, today, 'future') : undefined;
    const days = snoozeDays(rest);
    if (untilDate) words.until = untilDate;
    else if (days !== undefined) words.until = addDays(today, days);
    return words;
  }
  const date = findDate(rest, today, 'past');
  if (date) words.date = date;
  return words;
}

/** A denial from the words that follow "denied", read by the denial knowledge; the words are kept when no code is found. */
export type DenialReader = (text: string) => Denial | undefined;
