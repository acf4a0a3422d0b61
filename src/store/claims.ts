/**
 * The claims port: claims and their history. Every write is conditional on the version the claim was read at
 * (see the unit of work's `claim.change`), so two people pressing "Paid" on the same digest item cannot both
 * apply; the history entry is written with it. The digest's `due` reads each section's count and amount and
 * the open total in one pass, and the first few claims of each section in date order.
 */
import type { ClaimPayerKind } from '../knowledge/vocabulary.js';
import type { Claim, ClaimStatus, HistoryEntry } from './claim.js';

/** One line of the digest: enough to act on a claim without opening it. */
export interface DueItem {
  /** The case ID, and the practice's own claim number when it has one (shown beside it). */
  caseId: string; reference?: string; payer: string; payerKind: ClaimPayerKind; status: ClaimStatus; procedures: string[];
  billedCents?: number; paidCents?: number; submittedDate?: string; serviceDate?: string;
  /** The date that put it in this section (follow-up, deadline, due date, expiry, service date). */
  date: string;
}

export interface DueSection { count: number; cents: number; items: DueItem[] }

/**
 * The digest's sections. overdue/today: open claims whose follow-up date is past or today, unless an appeal
 * deadline or a records request lists them below; appeals: denied claims whose appeal deadline falls from
 * today to `until`; records: records requested, due by `until`; authorizations: drafts whose authorization
 * expires by `authUntil`; unsubmitted: drafts served on or before `unsubmittedBefore`.
 */
export const DUE_SECTIONS = ['overdue', 'today', 'appeals', 'records', 'authorizations', 'unsubmitted'] as const;
export type DueSectionName = (typeof DUE_SECTIONS)[number];

export interface DueWindow { today: string; until: string; authUntil: string; unsubmittedBefore: string; limit: number }

/** At most this many claims are read for one claim number (two already make it ambiguous). */
export const MAX_BY_REFERENCE = 5;

/** A history entry with the claim it belongs to. */
export type ClaimEntry = HistoryEntry & { caseId: string };

/** Claims to look up at once: by case id, and by the practice's claim number in lower case (see ClaimStore.find). */
export interface ClaimKeys { caseIds: readonly string[]; references: readonly string[] }

export interface ClaimStore {
  get(caseId: string): Promise<Claim | undefined>;
  /**
   * The claims whose practice's claim number is `reference`, in any letter case ("a1005" finds A1005), by case
   * ID; at most `MAX_BY_REFERENCE`. Usually one: a number is the practice's own key for a claim, but nothing
   * stops a practice from reusing one, and the caller says so rather than picking one.
   */
  byReference(reference: string): Promise<Claim[]>;
  /**
   * The claims with one of these case ids, or whose claim number is one of these regardless of letter case
   * (given in lower case, as String.prototype.toLowerCase writes it), each once, in no particular order: an
   * import matches a batch of rows in one read.
   */
  find(keys: ClaimKeys): Promise<Claim[]>;
  /** Whether the practice has any claim at all (an import into none checks no case id it makes against the store). */
  hasClaims(): Promise<boolean>;
  /** The claim's history, oldest first. */
  history(caseId: string): Promise<HistoryEntry[]>;
  /** The claim's latest history entry (what an undo or a correction would take back). */
  lastEntry(caseId: string): Promise<ClaimEntry | undefined>;
  /** The latest entry this person wrote, on any claim. */
  lastEntryBy(actor: string): Promise<ClaimEntry | undefined>;
  /** Open claims, the ones needing attention first (next follow-up first; none last). */
  openClaims(limit: number): Promise<Claim[]>;
  /**
   * What is due: for each section how many claims, how much is outstanding on them, and the first
   * `window.limit` in date order; and all open claims' count and amount. A case's dental claim (C-7K3Q9-D) is
   * the same money as its medical claim's balance: its amount is not added to the open amount while the medical
   * claim is open.
   */
  due(window: DueWindow): Promise<{ sections: Record<DueSectionName, DueSection>; open: { count: number; cents: number } }>;
}
