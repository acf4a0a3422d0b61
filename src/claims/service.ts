/**
 * The claims desk: opening a claim (from a triage answer or from scratch), applying what happened to it
 * (submitted, paid, denied, followed up…) with only the allowed status moves, and the dates that drive the
 * daily digest (next follow-up, records due, appeal deadline), all from the editable follow-up policy.
 *
 * Every surface (chat flows, digest buttons, the CLI, an import) goes through `plan` + `commit`: `plan`
 * works out the new claim and says what it means, without writing; `commit` writes it only if the claim is
 * still at the version it was planned on. A chat turn plans while it decides and hands the plan back as a
 * planned write (`write`), which the engine commits with the turn: the claim and the conversation move
 * together or not at all.
 */
import type { ClaimStore } from '../store/claims.js';
import type { StoreWrite, UnitOfWork } from '../store/unit-of-work.js';
import { scrubIdentifiers } from '../privacy/scrubber.js';
import { canMove, isOpen, TRANSITIONS, type Actor, type Claim, type ClaimStatus, type Denial, type HistoryEntry } from '../store/claim.js';
import type { ClaimKnowledge } from '../knowledge/followup-denials.js';
import { localDate, systemClock, type Clock } from '../today.js';
import { appealDeadline, authWarning, firstFollowUp, nextFollowUp, recordsDueDefault, stateFilingLimits, timelyFilingDeadline } from './policy.js';
import { daysBetween, isIsoDate } from '../calendar.js';
import { caseOfClaim, CLAIM_KEY_SHAPE, dentalClaimKey, isDentalClaimKey } from '../case-id.js';

/** What someone recorded about a claim. Dates are the practice's local ISO dates. */
export type ClaimChange =
  | { kind: 'submitted'; date: string; reference?: string }
  | { kind: 'pended'; date: string }
  | { kind: 'records-requested'; date: string; due?: string }
  | { kind: 'paid'; date: string; amountCents: number; partial?: boolean }
  | { kind: 'denied'; date: string; denial: Denial; appealDays?: number }
  | { kind: 'appealed'; date: string }
  | { kind: 'followed-up'; date: string }
  | { kind: 'snoozed'; until: string }
  /** The plan's appeal window, when it differs from the policy's default for the payer kind. */
  | { kind: 'appeal-deadline'; days: number }
  | { kind: 'written-off'; date: string }
  | { kind: 'closed'; date: string };

export type ChangeKind = ClaimChange['kind'];

/** A new claim's facts. The case id comes from the triage answer it starts from, or is new. */
export type NewClaim = Pick<Claim, 'caseId' | 'payer' | 'payerKind' | 'lane' | 'procedures' | 'diagnoses'>
  & Partial<Pick<Claim, 'category' | 'reference' | 'billedCents' | 'serviceDate' | 'submittedDate' | 'authNumber' | 'authExpires'>>;

/**
 * A change worked out but not written: the claim it would give, and whether it may happen at all. `opens`: the
 * case's dental claim, when this change is the medical EOB of a medical-first case (see ClaimService.opening).
 */
export type Plan =
  | { ok: true; before?: Claim; after: Claim; entry: HistoryEntry; opens?: OpenedClaim }
  | { ok: false; problem: string };

/**
 * The dental claim a medical-first case opens when its medical claim is decided. `cdt`: its codes are the
 * case's CDT codes; false when they were copied from the medical claim (the office maps them to CDT).
 */
export interface OpenedClaim { after: Claim; entry: HistoryEntry; cdt: boolean }

/** Where the dental claim's codes come from: the case's CDT codes for the service (undefined: the case is not known). */
export type DentalCodes = (caseId: string, date: string) => Promise<string[] | undefined>;

export interface ClaimServiceOptions {
  /** The CDT codes of a case, for its dental claim (the composition root reads them from the case's triage). */
  dentalCodes?: DentalCodes;
}

/** What the medical plan decided that sends a medical-first case on to the dental plan: its EOB pays or denies. */
export const OPENS_DENTAL_CLAIM: readonly ClaimStatus[] = ['paid', 'partially-paid', 'denied'];

/** The dental plan's name until the office gives it: the case's coverage names the medical carrier only. */
export const DENTAL_PAYER = 'Dental plan';

/** What goes with the dental claim: the reason it waited. */
export const DENTAL_CLAIM_DOCUMENT = "the medical EOB (explanation of benefits) showing the medical payer's payment or denial";

/**
 * Whether the change from `before` to `after` is the one that opens the case's dental claim: the medical claim
 * of a medical-first case moved to paid, partly paid or denied (not pended, not records requested). Whether
 * the dental claim exists already is the store's to say (ClaimService.opening): it is opened once.
 */
export function opensDentalClaim(before: Claim | undefined, after: Claim): boolean {
  return after.lane === 'medical-first' && !isDentalClaimKey(after.caseId) && OPENS_DENTAL_CLAIM.includes(after.status) && before?.status !== after.status;
}

const SCREENED = Symbol('screened for identifiers');

/**
 * A new claim whose free text (claim number, payer, authorization number) was already screened for patient
 * identifiers with the scrubber, as `draft` screens it, and refused when any was found: an import reads each
 * row's cells through the scrubber, and screening them again cost it a tenth of its time. Only `screened`
 * makes one, after that screening.
 */
export type ScreenedClaim = NewClaim & { readonly [SCREENED]: true };

/** The claim, marked as screened: call it only on text `scrubIdentifiers` found no identifier in. */
export function screened(claim: NewClaim): ScreenedClaim {
  // A plain property, so a copy made by spreading (an update's row with its case id) stays screened; the
  // claim's fields are listed by for…in and Object.entries, which skip symbols, so it is never stored.
  return { ...claim, [SCREENED]: true };
}

const isScreened = (c: NewClaim | ScreenedClaim): c is ScreenedClaim => SCREENED in c;

/** What the person is told when a claim's text looks like it names a patient. */
export class ClaimInputError extends Error {
  override readonly name = 'ClaimInputError';
}

/** The status a change moves to (a follow-up or snooze leaves it where it is). */
function targetStatus(claim: Claim, change: ClaimChange): ClaimStatus {
  switch (change.kind) {
    case 'paid': return change.partial ? 'partially-paid' : 'paid';
    case 'followed-up':
    case 'snoozed':
    case 'appeal-deadline': return claim.status;
    default: return change.kind;
  }
}


const STATUS_WORDS: Record<ClaimStatus, string> = {
  draft: 'not submitted yet', submitted: 'submitted', pended: 'pended by the payer', 'records-requested': 'waiting on records the payer asked for',
  paid: 'paid', 'partially-paid': 'partly paid', denied: 'denied', appealed: 'under appeal', 'written-off': 'written off', closed: 'closed',
};
export const statusWords = (s: ClaimStatus): string => STATUS_WORDS[s];

export class ClaimService {
  /** `knowledge`: denial remedies and the follow-up policy, read by the composition root on first use (triage never needs them). */
  constructor(readonly store: ClaimStore, private readonly unitOfWork: UnitOfWork, private readonly knowledge: () => ClaimKnowledge, private readonly now: Clock = systemClock, private readonly options: ClaimServiceOptions = {}) {
  }

  get kn(): ClaimKnowledge {
    return this.knowledge();
  }

  get(caseId: string): Promise<Claim | undefined> {
    return this.store.get(caseId);
  }

  /** A new claim as it would be stored: a draft, or submitted with its first follow-up date. */
  async draft(input: NewClaim, actor: Actor): Promise<Plan> {
    const problem = checkFreeText({ reference: input.reference, payer: input.payer, authNumber: input.authNumber })
      ?? checkDates({ serviceDate: input.serviceDate, submittedDate: input.submittedDate, authExpires: input.authExpires });
    if (problem) return { ok: false, problem };
    if (!CLAIM_KEY_SHAPE.test(input.caseId)) return { ok: false, problem: `"${input.caseId}" is not a medbill case ID (C- and five letters or digits, e.g. C-7K3Q9).` };
    if (await this.store.get(input.caseId)) return { ok: false, problem: `Case ${input.caseId} already has a claim: update it instead (e.g. "${input.caseId} paid $412 on 12/3").` };
    // A claim number names one claim ("A1005 paid $5200"), as the import keeps it: a second case cannot take it.
    const taken = input.reference ? (await this.store.byReference(input.reference)).find((c) => c.caseId !== input.caseId) : undefined;
    if (taken) return { ok: false, problem: `Claim number ${input.reference} is already the claim of case ${taken.caseId}: check the number, or update that claim ("${input.reference} paid $412 on 12/3").` };
    return this.created(input, actor);
  }

  /**
   * A new claim as `draft` makes it, without asking the store whether the case has one: an import works out
   * what a row of the practice's export says of a claim medbill already has, to compare and sync it.
   */
  draftUnstored(input: NewClaim | ScreenedClaim, actor: Actor): Plan {
    const problem = (isScreened(input) ? undefined : checkFreeText({ reference: input.reference, payer: input.payer, authNumber: input.authNumber }))
      ?? checkDates({ serviceDate: input.serviceDate, submittedDate: input.submittedDate, authExpires: input.authExpires });
    if (problem) return { ok: false, problem };
    return this.created(input, actor);
  }

  private created(input: NewClaim, actor: Actor): Plan {
    const now = this.now();
    const status: ClaimStatus = input.submittedDate ? 'submitted' : 'draft';
    const fields = withoutUndefined(input);
    const after: Claim = { ...fields, status, createdAt: now, updatedAt: now, version: 1 };
    if (input.submittedDate) after.nextFollowUp = firstFollowUp(input.submittedDate, this.kn.policy);
    return { ok: true, after, entry: { at: now, actor: actor.who, surface: actor.surface, action: 'created', toStatus: status, change: fields } };
  }

  /**
   * What `change` would make of the claim, or why it cannot happen, with the case's dental claim when the change
   * opens it (see `opening`). Writes nothing.
   */
  async plan(caseId: string, change: ClaimChange, actor: Actor): Promise<Plan> {
    const before = await this.store.get(caseId);
    if (!before) return { ok: false, problem: `I have no claim for case ${caseId}. Type "claim" to start tracking one.` };
    const plan = this.planFrom(before, change, actor);
    if (!plan.ok) return plan;
    const opens = await this.opening(before, plan.after, actor);
    return opens ? { ...plan, opens } : plan;
  }

  /** A case's dental claim (C-7K3Q9-D), if it has one: `caseId` is the case or its medical claim. */
  dentalClaimOf(caseId: string): Promise<Claim | undefined> {
    return this.store.get(dentalClaimKey(caseOfClaim(caseId)));
  }

  /**
   * The dental claim that the change from `before` to `after` opens, or undefined: only when the medical claim of
   * a medical-first case is paid, partly paid or denied, and only once (a case with a dental claim, in any status,
   * gets no other; two changes racing both plan it, and the second commit conflicts and is planned again).
   *
   * The dental claim (C-7K3Q9-D) is a draft to the dental plan for the same service: the case's CDT codes when the
   * case is known (else the medical claim's codes, to map), its diagnoses, date of service and kind of procedure,
   * and as its amount the balance the medical plan left. It has its own dates from the dental plan's rules (filing
   * limit, appeal window, follow-ups once submitted); without a date of service it is due the day of the EOB, so
   * the digest carries it (with one, the digest lists it among the claims not submitted).
   */
  async opening(before: Claim | undefined, after: Claim, actor: Actor): Promise<OpenedClaim | undefined> {
    if (!opensDentalClaim(before, after)) return undefined;
    const key = dentalClaimKey(after.caseId);
    if (await this.store.get(key)) return undefined;
    const eob = (after.status === 'denied' ? after.deniedDate : after.paidDate) ?? after.paidDate ?? after.deniedDate;
    const cdt = eob ? await this.options.dentalCodes?.(after.caseId, eob) : undefined;
    const input: NewClaim = {
      caseId: key, payer: DENTAL_PAYER, payerKind: 'dental', lane: 'medical-first',
      procedures: cdt?.length ? cdt : after.procedures, diagnoses: after.diagnoses,
      ...(after.category ? { category: after.category } : {}), ...(after.serviceDate ? { serviceDate: after.serviceDate } : {}),
      ...(after.billedCents !== undefined ? { billedCents: Math.max(0, after.billedCents - (after.paidCents ?? 0)) } : {}),
    };
    const created = this.created(input, actor);
    if (!created.ok) return undefined;
    const claim = !after.serviceDate && eob ? { ...created.after, nextFollowUp: eob } : created.after;
    return { after: claim, entry: { ...created.entry, change: { ...created.entry.change, openedAfter: after.caseId } }, cdt: Boolean(cdt?.length) };
  }

  /** What `change` would make of the claim as given (an import plans a row's statuses one after the other). */
  planFrom(before: Claim, change: ClaimChange, actor: Actor): Plan {
    const caseId = before.caseId;
    const dateProblem = checkDates(change.kind === 'snoozed' ? { until: change.until } : change.kind === 'appeal-deadline' ? {} : { date: change.date, ...(change.kind === 'records-requested' ? { due: change.due } : {}) });
    if (change.kind === 'appeal-deadline' && !before.deniedDate) return { ok: false, problem: `Case ${caseId} has no denial, so it has no appeal deadline to change.` };
    if (dateProblem) return { ok: false, problem: dateProblem };
    const refused = refusal(before, change.kind, change.kind === 'paid' && change.partial);
    if (refused) return { ok: false, problem: refused };
    const to = targetStatus(before, change);
    const now = this.now();
    const after: Claim = { ...before, ...this.effects(before, change), status: to, updatedAt: now, version: before.version + 1 };
    if (!isOpen(to)) delete after.nextFollowUp;
    return { ok: true, before, after: dropUndefined(after), entry: { at: now, actor: actor.who, surface: actor.surface, action: change.kind, fromStatus: before.status, toStatus: to, ...difference(before, after) } };
  }

  /**
   * The claim brought to what the practice's system says of it (`file`, as a fresh import of the row makes it):
   * its status and the `fields` the file gives, and the dates the policy derives from them. One history entry
   * (the status it moves to as its action, else `imported`), conditional on the version read, so a change made
   * meanwhile is not overwritten.
   */
  planSync(before: Claim, file: Claim, fields: readonly (keyof Claim)[], actor: Actor): Plan {
    const now = this.now();
    const after: Record<string, unknown> = { ...before };
    for (const f of fields) if (file[f] !== undefined) after[f] = file[f];
    // Follow-up, appeal and records dates follow the status, as the policy set them for the file's events.
    for (const f of SYNC_DERIVED) {
      if (file[f] === undefined) delete after[f];
      else after[f] = file[f];
    }
    const synced = { ...after, status: file.status, updatedAt: now, version: before.version + 1 } as Claim;
    // A status move is recorded as that change (the report counts records requests by their history action).
    const moved = file.status === before.status ? 'imported' : file.status === 'partially-paid' ? 'paid' : file.status;
    return { ok: true, before, after: synced, entry: { at: now, actor: actor.who, surface: actor.surface, action: moved, fromStatus: before.status, toStatus: synced.status, ...difference(before, synced) } };
  }

  /**
   * What "undo" takes back for this person: their latest change to a claim, made today (the local date of
   * `zone`), while it is still that claim's latest. One claim only when `caseId` is given.
   */
  async undoable(actor: string, today: string, zone: string, caseId?: string): Promise<{ caseId: string; entry: HistoryEntry } | { problem: string }> {
    const entry = caseId ? await this.store.lastEntry(caseId) : await this.store.lastEntryBy(actor);
    const mine = entry && entry.actor === actor && localDate(entry.at, zone) === today;
    if (!entry || !mine) return { problem: `You have made no change${caseId ? ` to ${caseId}` : ' to a claim'} today that can be undone.${caseId ? ` To take back its last change, type "${caseId} correct".` : ''}` };
    const latest = await this.store.lastEntry(entry.caseId);
    if (latest?.id !== entry.id) return { problem: `${entry.caseId} has changed since your change (by ${latest?.actor ?? 'someone'}): look at it with "${entry.caseId}" first.` };
    return { caseId: entry.caseId, entry };
  }

  /**
   * Takes back a claim's latest change: its fields and status as they were before it. Recorded as a change of
   * its own ("undone" by the person who made it, or "corrected"), so the history keeps both.
   */
  async revert(caseId: string, kind: 'undone' | 'corrected', actor: Actor): Promise<Plan> {
    const before = await this.store.get(caseId);
    const entry = await this.store.lastEntry(caseId);
    if (!before || !entry) return { ok: false, problem: `I have no claim for case ${caseId}.` };
    if (entry.action === 'created') return { ok: false, problem: `${caseId}'s claim was only just started: to stop tracking it, close it or write it off.` };
    if (entry.reverts !== undefined || !entry.before || !entry.fromStatus) return { ok: false, problem: `${caseId}'s last change (${entry.action}) cannot be taken back here; record what is right instead.` };
    const restored: Record<string, unknown> = { ...before };
    for (const [k, v] of Object.entries(entry.before)) {
      if (v === null) delete restored[k];
      else restored[k] = v;
    }
    const now = this.now();
    const after = { ...restored, status: entry.fromStatus, updatedAt: now, version: before.version + 1 } as Claim;
    return { ok: true, before, after, entry: { at: now, actor: actor.who, surface: actor.surface, action: kind, fromStatus: before.status, toStatus: after.status, ...difference(before, after), ...(entry.id !== undefined ? { reverts: entry.id } : {}) } };
  }

  /**
   * The claim's own write, conditional on the version it was planned on (see UnitOfWork). A plan that opens the
   * dental claim needs `writes`.
   */
  write(plan: Extract<Plan, { ok: true }>, actor?: Actor): StoreWrite {
    const entry = actor ? { ...plan.entry, actor: actor.who, surface: actor.surface } : plan.entry;
    return { kind: 'claim.change', after: plan.after, entry, expectedVersion: plan.before?.version };
  }

  /**
   * Every write of a planned change: the dental claim it opens (a new claim: a conflict if another change opened
   * it meanwhile), then the claim itself, so that the person's latest entry, what "undo" takes back, is the change.
   */
  writes(plan: Extract<Plan, { ok: true }>, actor?: Actor): StoreWrite[] {
    const opens = plan.opens;
    const dental: StoreWrite[] = opens ? [{ kind: 'claim.change', after: opens.after, entry: actor ? { ...opens.entry, actor: actor.who, surface: actor.surface } : opens.entry, expectedVersion: undefined }] : [];
    return [...dental, this.write(plan, actor)];
  }

  /** Writes a planned change; false when the claim changed since it was planned (plan again). */
  commit(plan: Extract<Plan, { ok: true }>): Promise<boolean> {
    return this.unitOfWork.commit(this.writes(plan));
  }

  /** Plan and commit in one go, for surfaces without a conversation (the CLI, a digest button). */
  async apply(caseId: string, change: ClaimChange, actor: Actor): Promise<Plan> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const p = await this.plan(caseId, change, actor);
      if (!p.ok || (await this.commit(p))) return p;
    }
    return { ok: false, problem: `Case ${caseId} kept changing while I recorded that; nothing was changed. Try again.` };
  }

  /** The appeal window of a denied claim: its days and where they come from (the policy, or set by hand). */
  deadline(c: Claim): { days: number; basis: string } | undefined {
    if (!c.deniedDate || !c.appealDeadline) return undefined;
    const days = daysBetween(c.deniedDate, c.appealDeadline);
    const policy = appealDeadline(c.payerKind, c.deniedDate, this.kn.policy);
    return policy.days === days ? { days, basis: policy.basis } : { days, basis: 'set for this plan by hand' };
  }

  /** What could sink a claim before it is paid: an authorization that lapses, a filing limit that passes. */
  warnings(c: Claim, today: string): string[] {
    const out: string[] = [];
    if (c.authExpires && c.serviceDate && c.authExpires < c.serviceDate) out.push(`The prior authorization expires ${c.authExpires}, before the date of service ${c.serviceDate}: ask the payer to extend it.`);
    const warning = c.authExpires ? authWarning(c.authExpires, c.serviceDate, today, this.kn.policy) : undefined;
    if (warning) out.push(warning);
    if (c.serviceDate && !c.submittedDate) {
      const filing = timelyFilingDeadline(c.payerKind, c.serviceDate, this.kn.policy);
      const states = stateFilingLimits(c.payerKind, this.kn.policy);
      out.push(`Timely filing: submit by ${filing.date} (${filing.basis}).${states ? ` ${states}` : ''}`);
    }
    return out;
  }

  /** The fields a change sets besides the status: amounts, dates, and when to look at the claim next. */
  private effects(claim: Claim, change: ClaimChange): Partial<Claim> {
    const policy = this.kn.policy;
    switch (change.kind) {
      case 'submitted': {
        // A resubmission (corrected claim) starts the clock again; the denial stays in the history.
        const fields: Partial<Claim> = { submittedDate: change.date, nextFollowUp: firstFollowUp(change.date, policy), appealDeadline: undefined, recordsDue: undefined };
        if (change.reference) fields.reference = change.reference;
        return fields;
      }
      case 'pended':
      case 'appealed':
      case 'followed-up':
        return { nextFollowUp: change.kind === 'appealed' ? firstFollowUp(change.date, policy) : nextFollowUp(change.date, policy), recordsDue: undefined };
      case 'records-requested': {
        // Until the records are sent the records section of the digest carries it; then it is submitted again.
        const due = change.due ?? recordsDueDefault(change.date, policy);
        return { recordsDue: due, nextFollowUp: due };
      }
      case 'paid': {
        const paid = (claim.paidCents ?? 0) + change.amountCents;
        return { paidCents: paid, paidDate: change.date, nextFollowUp: change.partial ? nextFollowUp(change.date, policy) : undefined, appealDeadline: undefined, recordsDue: undefined };
      }
      case 'denied': {
        const deadline = appealDeadline(claim.payerKind, change.date, policy, change.appealDays);
        // Work the denial within the week; the appeal deadline also shows as it comes near.
        return { denial: change.denial, deniedDate: change.date, appealDeadline: deadline.date, nextFollowUp: nextFollowUp(change.date, policy), recordsDue: undefined };
      }
      case 'snoozed':
        return { nextFollowUp: change.until };
      case 'appeal-deadline':
        return claim.deniedDate ? { appealDeadline: appealDeadline(claim.payerKind, claim.deniedDate, policy, change.days).date } : {};
      case 'written-off':
      case 'closed':
        return { nextFollowUp: undefined, appealDeadline: undefined, recordsDue: undefined };
    }
  }
}

/** The fields a change set (with their new values) and what they were before it (null: not set). */
function difference(before: Claim, after: Claim): { change: Record<string, unknown>; before: Record<string, unknown> } {
  // Loops over the keys, in the order the Set of both claims' keys gave them (before's, then after's new
  // ones): an import works out several changes per row, and the arrays and Sets cost it more than the compare.
  const change: Record<string, unknown> = {};
  const was: Record<string, unknown> = {};
  const visit = (k: string): void => {
    if (k === 'updatedAt' || k === 'version') return;
    const a = after[k as keyof Claim];
    const b = before[k as keyof Claim];
    if (sameValue(a, b)) return;
    if (a !== undefined) change[k] = a;
    was[k] = b ?? null;
  };
  for (const k in before) if (Object.hasOwn(before, k)) visit(k);
  for (const k in after) if (Object.hasOwn(after, k) && !Object.hasOwn(before, k)) visit(k);
  return { change, before: was };
}

/** Whether two field values are the same: primitives compared as they are, lists and denials by their JSON (an import compares every field of every row). */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b));
}

/** Why a change of this kind cannot happen to the claim now, or undefined when it can. */
export function refusal(claim: Claim, kind: ChangeKind, partial = false): string | undefined {
  const keepsStatus = kind === 'followed-up' || kind === 'snoozed' || kind === 'appeal-deadline';
  const to = kind === 'paid' ? (partial ? 'partially-paid' : 'paid') : keepsStatus ? claim.status : kind;
  // The same status again is the same event once more (pended again, another partial payment, a second
  // appeal), which only an open claim can have: a paid, written-off or closed claim is final but for closing.
  const moves = to === claim.status ? keepsStatus || isOpen(claim.status) : canMove(claim.status, to);
  if (!moves) {
    const allowed = TRANSITIONS[claim.status].map(statusWords);
    return `Case ${claim.caseId} is ${statusWords(claim.status)}, so it cannot be marked ${statusWords(to)}.${allowed.length ? ` From here it can be: ${allowed.join(', ')}.` : ' It is closed.'}`;
  }
  if (!isOpen(claim.status) && (kind === 'followed-up' || kind === 'snoozed')) return `Case ${claim.caseId} is ${statusWords(claim.status)}: there is nothing to follow up.`;
  return undefined;
}

/** Free text stored on a claim must not name a patient; the reply says what kind of identifier it looked like. */
function checkFreeText(fields: Record<string, string | undefined>): string | undefined {
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const { found } = scrubIdentifiers(value);
    if (found.length) return `The ${FIELD_WORDS[name] ?? name} looks like it holds a patient identifier (${found.join(', ')}). medbill keeps no patient identifiers: use the practice's claim number, the payer's name and the authorization number only.`;
  }
  return undefined;
}

/** The dates the policy works out from a claim's events: an import's sync takes them as the file's events give them. */
const SYNC_DERIVED: readonly (keyof Claim)[] = ['nextFollowUp', 'appealDeadline', 'recordsDue'];

const FIELD_WORDS: Record<string, string> = { reference: 'claim number', payer: 'payer name', authNumber: 'authorization number' };

function checkDates(dates: Record<string, string | undefined>): string | undefined {
  // for…in, not Object.entries: an import checks the dates of every change of every row.
  for (const name in dates) {
    const value = dates[name];
    if (value !== undefined && !isIsoDate(value)) return `"${value}" is not a date I can use for ${name}: write it like 2026-12-03 or 12/3/2026.`;
  }
  return undefined;
}

function withoutUndefined<T extends object>(o: T): T {
  // for…in, not Object.entries (an array per field): an import makes several claims per row.
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k];
    if (v !== undefined && Object.hasOwn(o, k)) out[k] = v;
  }
  return out as T;
}

const dropUndefined = (c: Claim): Claim => withoutUndefined(c);
