/**
 * The follow-up policy as date arithmetic: follow-up dates, appeal and filing deadlines, records due dates and
 * reminders. Pure functions over ISO dates (YYYY-MM-DD). Dates are read and written in UTC so that no time zone
 * or daylight-saving change moves a date.
 */
import { addDays, addMonths, daysBetween } from '../calendar.js';
import type { ClaimPayerKind } from '../knowledge/vocabulary.js';
import type { FollowUpPolicy } from '../knowledge/followup-denials.js';

/** A deadline with the rule behind it. */
export interface Deadline {
  date: string;
  days?: number;
  months?: number;
  basis: string;
  source: string[];
  confidence: 'verified' | 'secondary';
}

/** The first follow-up after a claim is submitted. */
export function firstFollowUp(submittedDate: string, policy: FollowUpPolicy): string {
  return addDays(submittedDate, policy.followUp.firstAfterSubmissionDays.value);
}

/** The next follow-up after one made on `fromDate`. */
export function nextFollowUp(fromDate: string, policy: FollowUpPolicy): string {
  return addDays(fromDate, policy.followUp.repeatEveryDays.value);
}

/**
 * The last day to appeal a denial dated `deniedDate`, by the payer kind's rule, or by `overrideDays` when the
 * denial notice or the contract gives its own window (always prefer the notice).
 */
export function appealDeadline(payerKind: ClaimPayerKind, deniedDate: string, policy: FollowUpPolicy, overrideDays?: number): Deadline {
  if (overrideDays !== undefined) {
    if (!Number.isInteger(overrideDays) || overrideDays < 1) throw new RangeError(`appeal window must be a whole number of days, at least 1 (got ${overrideDays})`);
    return {
      date: addDays(deniedDate, overrideDays),
      days: overrideDays,
      basis: `${overrideDays} days from the denial, as given for this claim (the denial notice or the contract)`,
      source: [],
      confidence: 'verified',
    };
  }
  const rule = policy.appealDeadlines[payerKind];
  return { date: addDays(deniedDate, rule.days), days: rule.days, basis: rule.basis, source: rule.source, confidence: rule.confidence };
}

/** The last day to file a claim for a service on `serviceDate`. */
export function timelyFilingDeadline(payerKind: ClaimPayerKind, serviceDate: string, policy: FollowUpPolicy): Deadline {
  const rule = policy.timelyFiling[payerKind];
  const base = { basis: rule.basis, source: rule.source, confidence: rule.confidence };
  if (rule.months !== undefined) return { date: addMonths(serviceDate, rule.months), months: rule.months, ...base };
  if (rule.days !== undefined) return { date: addDays(serviceDate, rule.days), days: rule.days, ...base };
  // followup.json's schema requires one of them: a rule with neither never loads.
  throw new Error(`timely filing for ${payerKind} gives neither days nor months`);
}

/**
 * The state limits the policy knows for a payer kind, and what to check elsewhere, in a sentence; undefined when
 * the kind lists none ("State limits: NY 45 days; TX 95 days. Elsewhere: …").
 */
export function stateFilingLimits(payerKind: ClaimPayerKind, policy: FollowUpPolicy): string | undefined {
  const rule = policy.timelyFiling[payerKind];
  if (!rule.states) return undefined;
  const each = rule.states.map((s) => `${s.state} ${s.months !== undefined ? `${s.months} months` : `${s.days} days`}${s.from ? ` from ${s.from}` : ''}`);
  return `State limits medbill knows: ${each.join('; ')}.${rule.otherStates ? ` ${rule.otherStates}` : ''}`;
}

/** When records are due when the payer asked on `requestDate` without giving a date. */
export function recordsDueDefault(requestDate: string, policy: FollowUpPolicy): string {
  return addDays(requestDate, policy.recordsDueDefaultDays.value);
}

const inDays = (n: number): string => (n === 0 ? 'today' : n === 1 ? 'tomorrow' : `in ${n} days`);

/**
 * A warning about a prior authorization, or undefined when there is nothing to say: it ends before the service
 * date, it has expired with the service still ahead (or not scheduled), or it ends within the warning window
 * with the service still ahead.
 */
export function authWarning(authExpires: string, serviceDate: string | undefined, today: string, policy: FollowUpPolicy): string | undefined {
  if (serviceDate !== undefined && daysBetween(authExpires, serviceDate) > 0) {
    return `The prior authorization ends on ${authExpires}, before the service date ${serviceDate}: ask the payer to extend it or get a new one before the service.`;
  }
  const serviceAhead = serviceDate === undefined || daysBetween(today, serviceDate) >= 0;
  if (!serviceAhead) return undefined;
  const left = daysBetween(today, authExpires);
  if (left < 0) return `The prior authorization expired on ${authExpires}: get a new one before the service${serviceDate ? ` on ${serviceDate}` : ''}.`;
  if (left <= policy.authExpiryWarningDays.value) {
    return `The prior authorization expires ${inDays(left)} (${authExpires})${serviceDate ? `; the service is on ${serviceDate}` : ': schedule the service before then or ask for an extension'}.`;
  }
  return undefined;
}

/** A warning when an appeal deadline is near or past (within the policy's warning window), else undefined. */
export function appealDeadlineWarning(deadline: string, today: string, policy: FollowUpPolicy): string | undefined {
  const left = daysBetween(today, deadline);
  if (left < 0) return `The appeal deadline passed on ${deadline}.`;
  if (left <= policy.appealWarningDays.value) return `The appeal deadline is ${inDays(left)} (${deadline}).`;
  return undefined;
}

/** A reminder when a claim is still not submitted the policy's number of days after the service, else undefined. */
export function notSubmittedReminder(serviceDate: string, today: string, policy: FollowUpPolicy): string | undefined {
  const days = daysBetween(serviceDate, today);
  if (days < policy.notSubmittedReminderDays.value) return undefined;
  return `The claim for the service on ${serviceDate} is not submitted yet (${days} days since the service).`;
}
