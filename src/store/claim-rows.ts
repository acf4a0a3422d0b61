/**
 * The claims tables' rows as both SQL stores read and write them (src/store/sqlite, src/store/postgres): the
 * columns, and a claim, a history entry and a digest item to and from a row. No SQL here: each store writes
 * its own statements over these columns.
 */
import type { Claim, ClaimStatus, Denial, HistoryEntry } from './claim.js';
import { isOpen } from './claim.js';
import type { ClaimPayerKind, Lane } from '../knowledge/vocabulary.js';
import type { DueItem } from './claims.js';

export interface ClaimRow {
  case_id: string; reference: string | null; payer: string; payer_kind: string; lane: string; category: string | null;
  procedures: string; diagnoses: string; billed_cents: number | null; paid_cents: number | null;
  service_date: string | null; submitted_date: string | null; auth_number: string | null; auth_expires: string | null;
  status: string; open: number; next_follow_up: string | null; records_due: string | null; appeal_deadline: string | null;
  denial: string | null; paid_date: string | null; denied_date: string | null; created_at: number; updated_at: number; version: number;
}

/** The claims table's columns, in one order for every statement that lists them. */
export const CLAIM_COLUMN_NAMES = [
  'case_id', 'reference', 'payer', 'payer_kind', 'lane', 'category', 'procedures', 'diagnoses', 'billed_cents', 'paid_cents', 'service_date',
  'submitted_date', 'auth_number', 'auth_expires', 'status', 'open', 'next_follow_up', 'records_due', 'appeal_deadline', 'denial', 'paid_date', 'denied_date',
  'created_at', 'updated_at', 'version',
] as const satisfies readonly (keyof ClaimRow)[];
export const CLAIM_COLUMNS = CLAIM_COLUMN_NAMES.join(', ');

const undef = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function fromRow(r: ClaimRow): Claim {
  const claim: Claim = {
    caseId: r.case_id, payer: r.payer, payerKind: r.payer_kind as ClaimPayerKind, lane: r.lane as Lane,
    procedures: JSON.parse(r.procedures) as string[], diagnoses: JSON.parse(r.diagnoses) as string[],
    status: r.status as ClaimStatus, createdAt: r.created_at, updatedAt: r.updated_at, version: r.version,
  };
  const optional: Partial<Claim> = {
    reference: undef(r.reference), category: undef(r.category), billedCents: undef(r.billed_cents), paidCents: undef(r.paid_cents),
    serviceDate: undef(r.service_date), submittedDate: undef(r.submitted_date), authNumber: undef(r.auth_number), authExpires: undef(r.auth_expires),
    nextFollowUp: undef(r.next_follow_up), recordsDue: undef(r.records_due), appealDeadline: undef(r.appeal_deadline),
    denial: r.denial === null ? undefined : (JSON.parse(r.denial) as Denial), paidDate: undef(r.paid_date), deniedDate: undef(r.denied_date),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(claim, { [k]: v });
  return claim;
}

export interface HistoryRow { id: number; case_id: string; at: number; actor: string; surface: string; action: string; from_status: string | null; to_status: string; change: string; before: string | null; reverts: number | null }
export const HISTORY_COLUMNS = 'id, case_id, at, actor, surface, action, from_status, to_status, change, before, reverts';

/** A history entry's values in the column order of INSERT (case_id, at, actor, surface, action, from_status, to_status, change, before, reverts). */
export function historyValues(caseId: string, e: HistoryEntry): unknown[] {
  return [caseId, e.at, e.actor, e.surface, e.action, e.fromStatus ?? null, e.toStatus, JSON.stringify(e.change), e.before ? JSON.stringify(e.before) : null, e.reverts ?? null];
}

export function fromHistoryRow(h: HistoryRow): HistoryEntry {
  const entry: HistoryEntry = { id: h.id, at: h.at, actor: h.actor, surface: h.surface, action: h.action, toStatus: h.to_status as ClaimStatus, change: JSON.parse(h.change) as Record<string, unknown> };
  if (h.from_status !== null) entry.fromStatus = h.from_status as ClaimStatus;
  if (h.before !== null) entry.before = JSON.parse(h.before) as Record<string, unknown>;
  if (h.reverts !== null) entry.reverts = h.reverts;
  return entry;
}

export function toRow(c: Claim): ClaimRow {
  return {
    case_id: c.caseId, reference: c.reference ?? null, payer: c.payer, payer_kind: c.payerKind, lane: c.lane, category: c.category ?? null,
    procedures: JSON.stringify(c.procedures), diagnoses: JSON.stringify(c.diagnoses), billed_cents: c.billedCents ?? null, paid_cents: c.paidCents ?? null,
    service_date: c.serviceDate ?? null, submitted_date: c.submittedDate ?? null, auth_number: c.authNumber ?? null, auth_expires: c.authExpires ?? null,
    status: c.status, open: isOpen(c.status) ? 1 : 0, next_follow_up: c.nextFollowUp ?? null, records_due: c.recordsDue ?? null,
    appeal_deadline: c.appealDeadline ?? null, denial: c.denial ? JSON.stringify(c.denial) : null, paid_date: c.paidDate ?? null,
    denied_date: c.deniedDate ?? null, created_at: c.createdAt, updated_at: c.updatedAt, version: c.version,
  };
}

export interface DueRow {
  case_id: string; reference: string | null; payer: string; payer_kind: string; status: string; procedures: string; billed_cents: number | null; paid_cents: number | null;
  submitted_date: string | null; service_date: string | null; date: string;
}

export const DUE_COLUMNS = 'case_id, reference, payer, payer_kind, status, procedures, billed_cents, paid_cents, submitted_date, service_date';

export function dueItem(r: DueRow): DueItem {
  const item: DueItem = { caseId: r.case_id, payer: r.payer, payerKind: r.payer_kind as ClaimPayerKind, status: r.status as ClaimStatus, procedures: JSON.parse(r.procedures) as string[], date: r.date };
  if (r.reference !== null) item.reference = r.reference;
  if (r.billed_cents !== null) item.billedCents = r.billed_cents;
  if (r.paid_cents !== null) item.paidCents = r.paid_cents;
  if (r.submitted_date !== null) item.submittedDate = r.submitted_date;
  if (r.service_date !== null) item.serviceDate = r.service_date;
  return item;
}
