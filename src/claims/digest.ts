/**
 * The daily digest: what is due on claims today, for a channel (Slack, Teams) or the local page's "Today"
 * view. Each section is one indexed query with a count and the first few claims; each claim is a line with
 * its case ID (and the practice's claim number beside it), payer, codes, amount and days outstanding (never a patient identifier) and the buttons that
 * record what happened ("Followed up", "Paid", "Denied", "Snooze"), which start the claim flow.
 */
import type { ClaimStore, DueItem, DueSectionName, DueWindow } from '../store/claims.js';
import { reply, type Choice, type Reply, type ReplyPart } from '../engine/model.js';
import { showDate } from './dates.js';
import { formatCents } from '../money.js';
import type { FollowUpPolicy } from '../knowledge/followup-denials.js';
import { addDays, daysBetween } from '../calendar.js';
import type { ClaimStatus } from '../store/claim.js';
import { caseOfClaim, isDentalClaimKey } from '../case-id.js';

export interface DigestSection { name: DueSectionName; title: string; count: number; cents: number; items: DueItem[] }
export interface Digest { date: string; sections: DigestSection[]; open: { count: number; cents: number } }

const TITLES: Record<DueSectionName, string> = {
  overdue: 'Overdue follow-ups',
  today: 'Follow up today',
  appeals: 'Appeal deadlines coming',
  records: 'Records requested by payers',
  authorizations: 'Prior authorizations expiring',
  unsubmitted: 'Not submitted yet',
};

/** Order of urgency: a closing appeal window costs the whole claim; an overdue call costs days. */
const ORDER: DueSectionName[] = ['appeals', 'records', 'overdue', 'today', 'authorizations', 'unsubmitted'];

/** At most this many claims are drawn per section; the counts and totals cover them all. */
const ITEMS_PER_SECTION = 5;

export async function buildDigest(store: ClaimStore, today: string, policy: FollowUpPolicy, limit = ITEMS_PER_SECTION): Promise<Digest> {
  const window: DueWindow = {
    today,
    until: addDays(today, policy.appealWarningDays.value),
    authUntil: addDays(today, policy.authExpiryWarningDays.value),
    unsubmittedBefore: addDays(today, -policy.notSubmittedReminderDays.value),
    limit,
  };
  const due = await store.due(window);
  return { date: today, sections: ORDER.map((name) => ({ name, title: TITLES[name], ...due.sections[name] })), open: due.open };
}

/** What can be recorded on a claim from the digest, by its status: a claim not sent yet is first submitted. */
const ACTIONS: { label: string; words: string; when: (s: ClaimStatus) => boolean }[] = [
  { label: 'Submitted', words: 'submitted', when: (s) => s === 'draft' },
  { label: 'Followed up', words: 'followed up', when: (s) => s !== 'draft' },
  { label: 'Paid', words: 'paid', when: (s) => s !== 'draft' },
  { label: 'Denied', words: 'denied', when: (s) => s !== 'draft' && s !== 'denied' },
  { label: 'Appealed', words: 'appealed', when: (s) => s === 'denied' },
  { label: 'Snooze', words: 'snooze', when: () => true },
];

/** The buttons of one claim: each starts the claim flow as if "C-7K3Q9 paid" had been typed. */
export function itemChoices(caseId: string, status: ClaimStatus): Choice[] {
  return ACTIONS.filter((a) => a.when(status)).map((a) => ({ label: a.label, value: `go:claim:${caseId} ${a.words}` }));
}

/** The claim's status on its line when it is not simply waiting on the payer ("denied", "pended"). */
const STATUS_ON_LINE: Partial<Record<ClaimStatus, string>> = {
  denied: 'denied', appealed: 'under appeal', pended: 'pended', 'records-requested': 'records requested', 'partially-paid': 'partly paid',
};

function itemLine(section: DueSectionName, item: DueItem, today: string): string {
  const outstanding = item.billedCents !== undefined ? formatCents(item.billedCents - (item.paidCents ?? 0)) : 'amount not recorded';
  const since = item.submittedDate ? `${daysBetween(item.submittedDate, today)} days since submission` : item.serviceDate ? `${daysBetween(item.serviceDate, today)} days since service` : '';
  // A draft with a date to act on is one to send (a medical-first case's dental claim without a date of service).
  const draft = item.status === 'draft';
  const when = {
    overdue: draft ? `to send since ${showDate(item.date)}` : `follow-up was due ${showDate(item.date)}`,
    today: draft ? 'to send today' : 'follow-up due today',
    appeals: `appeal by ${showDate(item.date)} (${daysBetween(today, item.date)} days left)`,
    records: item.date < today ? `records were due ${showDate(item.date)}` : `records due ${showDate(item.date)}`,
    authorizations: item.date < today ? `authorization expired ${showDate(item.date)}` : `authorization expires ${showDate(item.date)}`,
    unsubmitted: `served ${showDate(item.date)}, not submitted`,
  }[section];
  // The dental claim of a medical-first case goes out with the medical claim's EOB (C-7K3Q9-D after C-7K3Q9).
  const dental = isDentalClaimKey(item.caseId) && draft ? `dental claim: send with ${caseOfClaim(item.caseId)}'s medical EOB` : undefined;
  return [item.caseId, item.reference, STATUS_ON_LINE[item.status], item.payer, item.procedures.join(' '), outstanding, since, when, dental].filter(Boolean).join(' · ');
}

/** The digest as replies any surface can show (claim details only: case IDs, payers, codes, amounts, days). */
export function digestReplies(d: Digest, heading = `Claims for ${showDate(d.date)}`): Reply[] {
  const due = d.sections.filter((s) => s.count > 0);
  const totals = `${d.open.count} open claim${d.open.count === 1 ? '' : 's'}, ${formatCents(d.open.cents)} outstanding.`;
  if (!due.length) return [reply(`${heading}: nothing is due today. ${totals}`)];
  const summary = due.map((s) => `${s.title}: ${s.count} (${formatCents(s.cents)})`);
  const parts: ReplyPart[] = [{ kind: 'list', title: totals, items: summary.map((text) => ({ text })) }];
  for (const s of due) {
    parts.push({ kind: 'list', title: `${s.title} (${s.count})`, items: s.count > s.items.length ? [{ text: `Showing ${s.items.length} of ${s.count}; type "claim list" for more.` }] : [] });
    for (const item of s.items) parts.push({ kind: 'item', text: itemLine(s.name, item, d.date), choices: itemChoices(item.caseId, item.status) });
  }
  return [reply(`${heading}: ${due.reduce((n, s) => n + s.count, 0)} to act on.`, parts)];
}
