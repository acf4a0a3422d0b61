/**
 * Reads a claim update as staff type it: "C-7K3Q9 paid $412 on 12/3", "C-7K3Q9 denied CO-50",
 * "C-7K3Q9 records requested, due 1/15", "C-7K3Q9 snooze a week". What the words do not say (the amount,
 * the denial reason) is left out, and the claim flow asks for it.
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
