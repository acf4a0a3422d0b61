/**
 * A claim as medbill tracks it: codes, amounts, dates and a status, never a patient identifier. One claim per
 * case, keyed by the case id (C-7K3Q9), so "C-7K3Q9 paid $412" works from any surface. Statuses move only
 * along TRANSITIONS; every change is kept in the claim's history.
 */
import { MEDICAL_PAYERS, type Lane } from '../knowledge/vocabulary.js';

/**
 * Who a claim goes to: the medical payer kinds of the triage contract, and the insurers that pay before the health
 * plan for an injury (auto no-fault or med-pay, workers' compensation, a liability insurer), each with its own filing
 * and appeal limits in knowledge/followup.json.
 */
export const CLAIM_PAYER_KINDS = [...MEDICAL_PAYERS, 'auto', 'workers-comp', 'liability'] as const;
export type ClaimPayerKind = (typeof CLAIM_PAYER_KINDS)[number];

export const CLAIM_STATUSES = [
  'draft', 'submitted', 'pended', 'records-requested', 'paid', 'partially-paid', 'denied', 'appealed', 'written-off', 'closed',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/**
 * Where a status may go next. A payer can pend, ask for records, pay or deny a submitted claim; a denial is
 * appealed, resubmitted (corrected claim: back to submitted) or written off; an appeal is won (paid), lost
 * (denied again) or pended. Paid, written off and closed are final except for closing, and a partial payment
 * can still be appealed or written off for the rest.
 */
export const TRANSITIONS: Readonly<Record<ClaimStatus, readonly ClaimStatus[]>> = {
  draft: ['submitted', 'closed'],
  submitted: ['pended', 'records-requested', 'paid', 'partially-paid', 'denied', 'submitted', 'closed'],
  pended: ['records-requested', 'paid', 'partially-paid', 'denied', 'submitted', 'closed'],
  'records-requested': ['submitted', 'pended', 'paid', 'partially-paid', 'denied', 'closed'],
  denied: ['appealed', 'submitted', 'written-off', 'paid', 'partially-paid', 'closed'],
  appealed: ['paid', 'partially-paid', 'denied', 'pended', 'records-requested', 'closed'],
  'partially-paid': ['paid', 'appealed', 'written-off', 'closed'],
  paid: ['closed'],
  'written-off': ['closed'],
  closed: [],
};

/** Statuses after which nobody needs to follow up. */
export const FINAL_STATUSES: readonly ClaimStatus[] = ['paid', 'written-off', 'closed'];

export const canMove = (from: ClaimStatus, to: ClaimStatus): boolean => TRANSITIONS[from].includes(to);
export const isOpen = (status: ClaimStatus): boolean => !FINAL_STATUSES.includes(status);

/** Claim adjustment group codes: contractual, patient responsibility, other, payer-initiated. */
export const DENIAL_GROUPS = ['CO', 'PR', 'OA', 'PI'] as const;
export type DenialGroup = (typeof DENIAL_GROUPS)[number];

/** A denial as recorded: a CARC with its group (CO-50), an optional remark code (N-code), or plain words. */
export interface Denial {
  group?: DenialGroup;
  carc?: string;
  rarc?: string;
  words?: string;
}

export interface Claim {
  caseId: string;
  reference?: string;
  payer: string;
  payerKind: ClaimPayerKind;
  lane: Lane;
  category?: string;
  procedures: string[];
  diagnoses: string[];
  billedCents?: number;
  paidCents?: number;
  /** ISO dates, YYYY-MM-DD. */
  serviceDate?: string;
  submittedDate?: string;
  authNumber?: string;
  authExpires?: string;
  status: ClaimStatus;
  nextFollowUp?: string;
  recordsDue?: string;
  appealDeadline?: string;
  denial?: Denial;
  paidDate?: string;
  deniedDate?: string;
  createdAt: number;
  updatedAt: number;
  version: number;
}

/** Who changed a claim and from where (platform:user; the surface: slack, teams, web, terminal, cli, import). */
export interface Actor { who: string; surface: string }

export interface HistoryEntry {
  /** Its row id (read back from the store; a new entry has none yet). */
  id?: number;
  at: number;
  actor: string;
  surface: string;
  action: string;
  fromStatus?: ClaimStatus;
  toStatus: ClaimStatus;
  change: Record<string, unknown>;
  /** The changed fields' values before the change (null: not set), so it can be taken back. */
  before?: Record<string, unknown>;
  /** For an undo or a correction: the id of the entry it took back. */
  reverts?: number;
}
