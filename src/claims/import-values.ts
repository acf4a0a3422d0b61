/**
 * What the cells of an imported claims file mean: dates as PM systems export them, their status words, plan
 * types and lanes. Dates: 2026-11-14, 11/14/2026, 11/14/26 (month first, 20yy), 14-Nov-2026, Nov 14, 2026,
 * 20261114; a time of day after it is dropped. (Amounts, 650, 650.00, $1,234.56, are read by money.ts.)
 */
import type { ClaimStatus } from '../store/claim.js';
import { dateOf, fullYear, monthNumber } from '../calendar.js';
import { CLAIM_PAYER_KINDS, LANES, type ClaimPayerKind, type Lane } from '../knowledge/vocabulary.js';

/** The ISO date, if it is a real one in a year a PM export can hold. */
const ymd = (y: number, m: number, d: number): string | undefined => (y >= 1900 && y <= 2099 ? dateOf(y, m, d) : undefined);

/**
 * A date as PM systems export it, as an ISO date; undefined when it is not one. 2026-11-14, 2026/11/14,
 * 11/14/2026, 11-14-2026, 11/14/26 (US order; a two-digit year is 20yy), 14-Nov-2026, 14 Nov 2026,
 * Nov 14, 2026, November 14 2026, 20261114. A time of day after the date is ignored.
 */
export function parseImportDate(raw: string): string | undefined {
  const t = raw.trim().replace(/(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:\s*[AP]\.?M\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?$/i, '');
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t))) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$/.exec(t))) {
    const [, mm, dd, yy = ''] = m;
    return ymd(fullYear(yy), Number(mm), Number(dd));
  }
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = /^(\d{1,2})[-\s]([A-Za-z]{3,9}\.?)[-\s,]\s*(\d{4}|\d{2})$/.exec(t))) {
    const [, dd, name = '', yy = ''] = m;
    const month = monthNumber(name);
    return month ? ymd(fullYear(yy), month, Number(dd)) : undefined;
  }
  if ((m = /^([A-Za-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(t))) {
    const [, name = '', dd, yyyy] = m;
    const month = monthNumber(name);
    return month ? ymd(Number(yyyy), month, Number(dd)) : undefined;
  }
  return undefined;
}

/** What a PM status word means here; `rejected` is a clearinghouse rejection (the payer never got the claim). */
export type ImportStatus = ClaimStatus | 'rejected';

const status = (s: ImportStatus, list: string) => list.split(',').map((w) => [w.trim(), s] as const);
/**
 * PM systems' status words (normalized: lower case, words only). A clearinghouse or front-end rejection is not
 * a denial: the payer never received the claim, so there is no claim to follow up, no denial and no appeal
 * clock. It is imported as a draft (not submitted yet), without its submitted date, so the digest lists it
 * with the unsubmitted claims and the timely filing limit counts from the date of service.
 */
export const STATUS_WORDS: ReadonlyMap<string, ImportStatus> = new Map([
  ...status('draft', 'draft, unbilled, not billed, not sent, not submitted, unsubmitted, ready to bill, ready to send, created'),
  ...status('rejected', 'rejected, rejection, reject, clearinghouse rejected, clearinghouse rejection, ch rejected, ch reject, front end rejection, front end rejected, returned, returned to provider, rtp'),
  ...status('submitted', 'submitted, open, pending, sent, billed, filed, accepted, acknowledged, received, in process, processing, in progress, outstanding, resubmitted, transmitted, sent to payer, awaiting payment, unpaid'),
  ...status('pended', 'pended, pend, suspended, in suspense'),
  ...status('records-requested', 'records requested, records request, medical records requested, info requested, information requested, additional info requested, additional information requested, documentation requested, request for information, rfi, development'),
  ...status('paid', 'paid, paid in full, closed paid, paid closed, paid and closed, settled, pif'),
  ...status('partially-paid', 'partially paid, partial, partial payment, partial paid, paid partial, part paid, underpaid, short paid'),
  ...status('denied', 'denied, denial, deny, payer denied, denied by payer, closed denied'),
  ...status('appealed', 'appealed, appeal, in appeal, under appeal, appeal pending, appeal sent, appeal filed, reconsideration, redetermination'),
  ...status('written-off', 'written off, write off, writeoff, written off closed, w o'),
  ...status('closed', 'closed, void, voided, cancelled, canceled, deleted'),
]);

const words = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

export function mapStatus(word: string): ImportStatus | undefined {
  return STATUS_WORDS.get(words(word));
}

const kind = (k: ClaimPayerKind, list: string) => list.split(',').map((w) => [w.trim(), k] as const);
/** Plan types as PM systems and billers write them. */
const PAYER_KIND_WORDS: ReadonlyMap<string, ClaimPayerKind> = new Map([
  ...kind('medicare', 'medicare, original medicare, traditional medicare, medicare part b, part b, medicare b, medicare ffs, medicare fee for service, mcr'),
  ...kind('medicare-advantage', 'medicare advantage, medicare advantage plan, ma, mapd, ma pd, ma plan, part c, medicare part c, medicare replacement, medicare hmo, medicare ppo, medicare managed care'),
  ...kind('medicaid', 'medicaid, medi cal, medical assistance, chip, state medicaid, managed medicaid, medicaid managed care, medicaid hmo, medicaid mco, mcd'),
  ...kind('commercial', 'commercial, commercial insurance, private, private insurance, employer, group, ppo, hmo, epo, pos, marketplace, exchange, bcbs'),
  ...kind('tricare', 'tricare, tricare prime, tricare select, champus, military'),
  ...kind('auto', 'auto, auto insurance, automobile, car insurance, no fault, pip, personal injury protection, med pay, medpay, motor vehicle'),
  ...kind('workers-comp', 'workers comp, workers compensation, worker s comp, worker s compensation, workman s comp, workmans comp, work comp, wc'),
  ...kind('liability', 'liability, liability insurance, third party, third party liability, tpl, property and casualty, p c, p and c'),
  ...kind('dental', 'dental, dental plan, dental insurance, dental ppo, dental hmo, dhmo'),
  ...kind('other', 'other, va, champva'),
]);

export function mapPayerKind(word: string): ClaimPayerKind | undefined {
  const w = words(word);
  return PAYER_KIND_WORDS.get(w) ?? CLAIM_PAYER_KINDS.find((k) => words(k) === w);
}

export function mapLane(word: string): Lane | undefined {
  const w = words(word);
  return LANES.find((l) => words(l) === w);
}
