/**
 * How an imported row reaches its status: by the changes a biller would have recorded, in order. `draft`
 * opens the claim, submitted (first follow-up from the policy) when it has a submitted date, not submitted yet
 * otherwise; then: pended or records requested (on the status date, else the submitted date); denied (on
 * the denial date, with the denial code: the appeal deadline comes from the policy); appealed (denied, then
 * appealed); paid or partly paid (a denial date in the row is recorded before it, and an appeal date after the
 * denial); written off (after its denial or its partial payment); closed. A status past "submitted" needs the
 * submitted date, a denial needs its date, and no event may be after today or before the submission (the row
 * reader checks those). Money paid on a row the PM system still calls open makes it paid (when it covers the
 * charge) or partly paid. A payment date that is not in the file is not made up: the claim is paid without one
 * (it counts in the paid rate, not in a month's recoveries). A clearinghouse rejection is not a denial (see
 * STATUS_WORDS in import-values.ts).
 */
import type { Denial } from './model.js';
import type { ClaimChange } from './service.js';
import { describeField, type Field } from './import-columns.js';
import type { ImportStatus } from './import-values.js';

/** One change to record after the draft; a payment whose date the file does not give is kept without one. */
export interface ImportStep { change: ClaimChange; withoutPaidDate?: boolean }

/** A status a submitted claim is brought to by steps (a draft or a rejection stays a draft). */
export type ReachedStatus = Exclude<ImportStatus, 'draft' | 'rejected'>;

/** What a row says happened to its claim: its dates (ISO), amounts (cents) and denial. */
export interface RowEvents {
  submittedDate: string;
  statusDate?: string;
  paidDate?: string;
  deniedDate?: string;
  appealDate?: string;
  recordsDue?: string;
  billed?: number;
  paid?: number;
  /** The denial as read (a code, or words; "not given in the imported file" when the row has none). */
  denial: Denial;
  /** Whether the row's denial cell is filled in (a written-off claim is then denied on its status date). */
  denialGiven: boolean;
}

/**
 * The changes that bring a submitted claim to `target`, in order. What the row lacks for them is told to `bad`
 * (`col` names a field's column); `today` stands in for the date of a final status the row does not date.
 */
export function stepsTo(target: ReachedStatus, row: RowEvents, today: string, bad: (message: string) => void, col: (f: Field) => string): ImportStep[] {
  const { submittedDate, statusDate, paidDate, deniedDate, appealDate, recordsDue, billed, paid, denial, denialGiven } = row;
  const steps: ImportStep[] = [];
  const paidStep = (partial: boolean, amountCents: number) => {
    const on = paidDate ?? statusDate;
    // No payment date in the file: none is made up (the claim counts as paid, not in a month's recoveries).
    steps.push({ change: { kind: 'paid', date: on ?? today, amountCents, partial }, ...(on ? {} : { withoutPaidDate: true }) });
  };
  switch (target) {
    case 'submitted':
      break;
    case 'pended':
      steps.push({ change: { kind: 'pended', date: statusDate ?? submittedDate } });
      break;
    case 'records-requested':
      steps.push({ change: { kind: 'records-requested', date: statusDate ?? submittedDate, ...(recordsDue ? { due: recordsDue } : {}) } });
      break;
    case 'paid':
    case 'partially-paid': {
      const amountCents = paid ?? (target === 'paid' ? billed : undefined);
      if (amountCents === undefined) bad(`a claim that is ${target.replace('-', ' ')} needs the ${col('paid')}${target === 'paid' ? ` (or the ${describeField('billed')})` : ''}`);
      if (deniedDate) {
        steps.push({ change: { kind: 'denied', date: deniedDate, denial } });
        if (appealDate) steps.push({ change: { kind: 'appealed', date: appealDate } });
      }
      if (amountCents !== undefined) paidStep(target === 'partially-paid', amountCents);
      break;
    }
    case 'denied': {
      const on = deniedDate ?? statusDate;
      if (!on) bad(`a denied claim needs its ${col('deniedDate')} (or a status date): the appeal deadline counts from it`);
      if (paid) bad(`the claim is denied but has a payment: mark it partially paid, or appealed`);
      if (on) steps.push({ change: { kind: 'denied', date: on, denial } });
      break;
    }
    case 'appealed': {
      const deniedOn = deniedDate ?? statusDate ?? appealDate;
      const appealedOn = appealDate ?? statusDate ?? deniedDate;
      if (paid) paidStep(true, paid);
      else if (deniedOn) steps.push({ change: { kind: 'denied', date: deniedOn, denial } });
      if (appealedOn) steps.push({ change: { kind: 'appealed', date: appealedOn } });
      else bad(`an appealed claim needs its ${col('appealDate')} or ${col('deniedDate')}`);
      break;
    }
    case 'written-off': {
      const deniedOn = deniedDate ?? (denialGiven ? statusDate : undefined);
      if (deniedOn) steps.push({ change: { kind: 'denied', date: deniedOn, denial } });
      if (paid) paidStep(true, paid);
      if (!deniedOn && !paid) bad(`a written-off claim needs the denial (${col('deniedDate')}) or a partial payment (${col('paid')}) it was written off after; or mark it closed`);
      steps.push({ change: { kind: 'written-off', date: statusDate ?? today } });
      break;
    }
    case 'closed':
      if (deniedDate) steps.push({ change: { kind: 'denied', date: deniedDate, denial } });
      if (paid) paidStep(false, paid);
      steps.push({ change: { kind: 'closed', date: statusDate ?? today } });
      break;
  }
  return steps;
}
