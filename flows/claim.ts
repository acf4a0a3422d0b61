/**
 * Claims: start tracking one from a triage answer ("Track this claim") or from scratch ("claim new"), and
 * record what happened to it by message ("C-7K3Q9 paid $412 on 12/3", "C-7K3Q9 denied CO-50") or by
 * button, including the digest's buttons. A denial gets its likely fix, the appeal deadline and what to
 * resubmit. Each change is planned here and written with the turn (Outcome.effects), so a claim and the
 * conversation about it never disagree.
 */
import { z } from 'zod';
import { choicesFor, stateSchema, turnActor, type FlowState, type Outcome } from '../src/engine/flow.js';
import { type Flow, type FlowContext } from './context.js';
import { reply, type Choice, type FormField, type Reply } from '../src/engine/model.js';
import { isOpen, TRANSITIONS, type Claim, type Denial } from '../src/store/claim.js';
import { DENTAL_CLAIM_DOCUMENT, OPENS_DENTAL_CLAIM, refusal, statusWords, type ChangeKind, type ClaimChange, type NewClaim, type OpenedClaim, type Plan } from '../src/claims/service.js';
import { claimNumberLead, CLAIM_VERB, looksLikeClaimNumber, readClaimWords, type ClaimWords } from '../src/claims/parse.js';
import { claimName } from '../src/claims/claim-name.js';
import { caseOfClaim, CLAIM_KEY_IN_TEXT, claimKeyIn, isDentalClaimKey } from '../src/case-id.js';
import { parseDate, showDate } from '../src/claims/dates.js';
import { formatCents, parseAmountField } from '../src/money.js';
import { addDays, daysBetween } from '../src/calendar.js';
import { parseDenial, remedyFor, resubmissionAdvice } from '../src/claims/denials.js';
import type { ClaimKnowledge } from '../src/knowledge/followup-denials.js';
import { codeSetOf, isProcedureCode, normalizeCode } from '../src/knowledge/codes.js';
import { triage } from '../src/knowledge/triage.js';
import { diagnosisDate, diagnosisProblemOn } from '../src/knowledge/evidence.js';
import type { CaseFacts } from '../src/knowledge/facts.js';
import { CLAIM_PAYER_KINDS, type ClaimPayerKind, type Lane, type MedicalPayer, type Preauth } from '../src/knowledge/vocabulary.js';
import { CLAIM_PAYER_OPTIONS, labelOf, parseClaimPayer, procedureKind } from './common.js';
import { medicalCarrierIn } from '../src/knowledge/extract.js';
import { caseClaimCodes, claimFormPdf, modifiedCodes, requestFor, withModifiers } from '../src/claims/claim-form.js';

const STEPS = ['which', 'new', 'kind', 'claim', 'paid', 'partial', 'denial', 'outcome', 'snooze', 'deadline'] as const;
type Step = (typeof STEPS)[number];

const DraftSchema = z.object({
  caseId: z.string(), payer: z.string(), lane: z.string(), category: z.string().optional(),
  procedures: z.array(z.string()), diagnoses: z.array(z.string()), reference: z.string().optional(), billedCents: z.number().int().optional(),
  serviceDate: z.string().optional(), submittedDate: z.string().optional(), authNumber: z.string().optional(), authExpires: z.string().optional(),
});
const SlotsSchema = z.object({
  /** A new claim's prefilled codes (from its triage answer), or the whole draft waiting on its payer kind. */
  prefill: z.object({ procedures: z.array(z.string()), diagnoses: z.array(z.string()), lane: z.string(), payerKind: z.enum(CLAIM_PAYER_KINDS).optional(), payer: z.string().max(60).optional(), category: z.string().optional() }).optional(),
  draft: DraftSchema.optional(),
  amountCents: z.number().int().optional(),
  date: z.string().optional(),
  /** The case asked for is the claim form's ("claim form" without a case ID). */
  form: z.boolean().optional(),
});
type Slots = z.infer<typeof SlotsSchema>;

const state = (step: Step, slots: Slots = {}, caseId?: string): FlowState => ({ step, slots, ...(caseId ? { caseId } : {}) });
const slotsOf = (st: FlowState): Slots => SlotsSchema.parse(st.slots);

// ------------------------------------------------------------------ what a claim looks like in chat

const money = (cents: number | undefined) => (cents === undefined ? '—' : formatCents(cents));

/** A claim's facts; `dental`: the dental claim its medical-first case opened, named beside the medical one. */
function claimFacts(ctx: FlowContext, c: Claim, dental?: Claim): Reply['parts'][number] {
  const today = ctx.today();
  const kind = labelOf(CLAIM_PAYER_OPTIONS, c.payerKind) ?? c.payerKind;
  const rows = [
    { label: 'Status', value: statusWords(c.status) },
    { label: 'Payer', value: c.payer === kind ? c.payer : `${c.payer} (${kind})` },
    { label: 'Codes', value: [...c.procedures, ...c.diagnoses].join(', ') || '—' },
    { label: 'Billed / paid', value: `${money(c.billedCents)} / ${money(c.paidCents)}` },
  ];
  if (c.serviceDate) rows.push({ label: 'Service date', value: showDate(c.serviceDate) });
  if (c.submittedDate) rows.push({ label: 'Submitted', value: `${showDate(c.submittedDate)} (${daysBetween(c.submittedDate, today)} days ago)` });
  if (c.reference) rows.push({ label: 'Claim number', value: c.reference });
  if (c.authNumber) rows.push({ label: 'Prior authorization', value: `${c.authNumber}${c.authExpires ? `, expires ${showDate(c.authExpires)}` : ''}` });
  if (c.denial) rows.push({ label: 'Denial', value: denialName(c.denial) });
  if (c.appealDeadline) rows.push({ label: 'Appeal by', value: `${showDate(c.appealDeadline)} (${daysBetween(today, c.appealDeadline)} days left)` });
  if (c.recordsDue) rows.push({ label: 'Records due', value: showDate(c.recordsDue) });
  if (c.nextFollowUp) rows.push({ label: 'Next follow-up', value: showDate(c.nextFollowUp) });
  if (dental) rows.push({ label: 'Dental claim', value: `${dental.caseId} (${statusWords(dental.status)})` });
  if (isDentalClaimKey(c.caseId)) rows.push({ label: 'Dental claim after', value: `the medical claim ${caseOfClaim(c.caseId)}: send ${DENTAL_CLAIM_DOCUMENT}` });
  return { kind: 'facts', title: `Claim ${claimName(c)}`, rows };
}

const denialName = (d: Denial): string => [d.group && d.carc ? `${d.group}-${d.carc}` : d.carc ? `CARC ${d.carc}` : undefined, d.rarc, d.words && !d.carc ? `"${d.words}"` : undefined].filter(Boolean).join(' ');

/** What can be recorded next, as buttons: only the moves the claim's status allows. */
function actionChoices(c: Claim): Choice[] {
  const moves = TRANSITIONS[c.status];
  const options: { label: string; value: ChangeKind; when: boolean }[] = [
    { label: 'Followed up', value: 'followed-up', when: isOpen(c.status) && c.status !== 'draft' },
    { label: c.status === 'denied' ? 'Resubmitted' : 'Submitted', value: 'submitted', when: moves.includes('submitted') },
    { label: 'Paid', value: 'paid', when: moves.includes('paid') },
    { label: 'Denied', value: 'denied', when: moves.includes('denied') },
    { label: 'Records requested', value: 'records-requested', when: moves.includes('records-requested') },
    { label: 'Appealed', value: 'appealed', when: moves.includes('appealed') },
    { label: 'Snooze', value: 'snoozed', when: isOpen(c.status) },
    { label: 'Write off', value: 'written-off', when: moves.includes('written-off') },
    { label: 'Close', value: 'closed', when: moves.includes('closed') && !isOpen(c.status) },
  ];
  const lines = options.filter((o) => o.when).map((o) => ({ label: o.label, value: `${c.caseId}:${o.value}` }));
  // The CMS-1500 the claim goes out on (again, corrected, after a denial): at any status; a dental claim goes
  // out on the dental plan's form from the practice's own system.
  const form = isDentalClaimKey(c.caseId) ? [] : [{ label: 'Claim form', value: `${c.caseId}:${FORM_BUTTON}` }];
  return choicesFor('claim', 'claim', [...lines, ...form]);
}

/** A claim button's value for the CMS-1500 (not a change: it records nothing). */
const FORM_BUTTON = 'form';

/** "claim form C-7K3Q9", "C-7K3Q9 claim form", "CMS-1500 for C-7K3Q9" (the claim command has taken "claim " off the first). */
const FORM_WORDS = /^\s*form\b|\bclaim[\s-]+form\b|\bcms[\s-]?1500\b/i;

/**
 * The case's CMS-1500 as a PDF, to the person alone (a file is direct-only): from its tracked claim, else from
 * its answer, with the modifiers the message gives ("claim form C-7K3Q9 E0486-KX"). A diagnosis not billable on
 * the date of service is refused, not printed.
 */
async function claimForm(ctx: FlowContext, caseId: string, text = ''): Promise<Outcome> {
  if (isDentalClaimKey(caseId)) {
    return { replies: [reply(`${caseId} is the dental claim: it goes to the dental plan on the ADA dental claim form from your practice system, with the medical EOB. The CMS-1500 is for the medical claim: type "claim form ${caseOfClaim(caseId)}".`)] };
  }
  const sources = {
    claim: (id: string) => ctx.claims.get(id),
    history: (id: string) => ctx.claims.store.history(id),
    caseFacts: async (id: string) => (await ctx.caseFile(id))?.facts as Partial<CaseFacts> | undefined,
  };
  const found = await requestFor(caseId, sources, ctx.kn, ctx.directory, ctx.today());
  if (!found) return { replies: [reply(`I have no claim or case ${caseId}. Check the ID, or triage the case first: the form is filled from its claim or its answer.`)] };
  // A request from the claim means the claim is tracked: the chat stays on it (no second read of it).
  const stay = found.from === 'claim' ? { state: state('claim', {}, caseId) } : {};
  const request = withModifiers(found, modifiedCodes(text));
  const made = 'problem' in request ? { ok: false as const, problem: request.problem } : await claimFormPdf(request, ctx.kn, ctx.today());
  if (!made.ok) return { ...stay, replies: [reply(`No claim form for ${caseId}: ${made.problem}`, [], 'direct-only')] };
  const from = found.from === 'claim' ? 'from its tracked claim' : 'from its answer (no claim is tracked yet, so no amounts or claim number)';
  return {
    ...stay,
    replies: [reply(`CMS-1500 for case ${caseId}, ${from}: the boxes medbill knows are filled; the bracketed ones ([PATIENT NAME], [INSURED ID NUMBER], [NPI]…) the office fills in its own system. To add modifiers, type e.g. "claim form ${caseId} ${found.procedures[0]?.split('-')[0] ?? 'E0486'}-KX".`, [
      { kind: 'list', title: 'Check before sending', items: made.checks.map((text) => ({ text })) },
      { kind: 'file', name: made.filename, mediaType: 'application/pdf', base64: Buffer.from(made.pdf).toString('base64') },
    ], 'direct-only')],
  };
}

function showClaim(ctx: FlowContext, c: Claim, lead?: string, dental?: Claim, more: Choice[] = []): Outcome {
  const text = lead ?? `Claim ${claimName(c)}: ${statusWords(c.status)}.`;
  return { state: state('claim', {}, c.caseId), replies: [reply(text, [claimFacts(ctx, c, dental), { kind: 'choices', choices: [...actionChoices(c), ...more] }])] };
}

// ------------------------------------------------------------------ recording a change

async function record(ctx: FlowContext, caseId: string, change: ClaimChange, extra: (plan: Extract<Plan, { ok: true }>) => Reply['parts'] | Promise<Reply['parts']> = () => []): Promise<Outcome> {
  const plan = await ctx.claims.plan(caseId, change, turnActor(ctx));
  if (!plan.ok) {
    const claim = await ctx.claims.get(caseId);
    return claim ? showClaim(ctx, claim, plan.problem) : { replies: [reply(plan.problem)] };
  }
  const after = plan.after;
  const summary = `Recorded for ${claimName(after)}: ${describeChange(change)}. It is now ${statusWords(after.status)}${after.nextFollowUp ? `; next follow-up ${showDate(after.nextFollowUp)}` : isOpen(after.status) ? '' : '; no more follow-up'}.`;
  const opened = plan.opens ? dentalOpened(ctx, plan.opens) : undefined;
  return {
    state: state('claim', {}, caseId),
    replies: [reply(opened ? `${summary} ${opened.lead}` : summary, [...(opened?.parts ?? []), ...(await extra(plan)), claimFacts(ctx, after), { kind: 'choices', choices: actionChoices(after) }])],
    writes: ctx.claims.writes(plan),
  };
}

/** What is said of the dental claim a medical EOB opened: what to send, its codes and amount, and buttons to act on it. */
function dentalOpened(ctx: FlowContext, opened: OpenedClaim): { lead: string; parts: Reply['parts'] } {
  const c = opened.after;
  const codes = [...c.procedures, ...c.diagnoses].join(', ');
  const items = [
    { text: `Send it to the dental plan with ${DENTAL_CLAIM_DOCUMENT}.` },
    { text: opened.cdt ? `Codes: ${codes} (the case's CDT codes).` : `Codes copied from the medical claim: ${codes}. Dental plans need CDT codes: map the procedure codes before sending.` },
    ...(c.billedCents !== undefined ? [{ text: `Left to recover after the medical plan: ${formatCents(c.billedCents)}.` }] : []),
    ...ctx.claims.warnings(c, ctx.today()).map((text) => ({ text })),
  ];
  return {
    lead: `Opened the dental claim ${c.caseId}: send it to the dental plan with the medical EOB.`,
    parts: [
      { kind: 'list', title: `Dental claim ${c.caseId} (${statusWords(c.status)})`, items },
      { kind: 'choices', choices: [
        ...choicesFor('claim', 'claim', [{ label: `${c.caseId} submitted`, value: `${c.caseId}:submitted` }]),
        ...choicesFor('claim', 'which', [{ label: `Open ${c.caseId}`, value: c.caseId }]),
      ] },
    ],
  };
}

function describeChange(change: ClaimChange): string {
  switch (change.kind) {
    case 'paid': return `${change.partial ? 'partly paid' : 'paid'} ${formatCents(change.amountCents)} on ${showDate(change.date)}`;
    case 'denied': return `denied (${denialName(change.denial)}) on ${showDate(change.date)}`;
    case 'records-requested': return `records requested on ${showDate(change.date)}${change.due ? `, due ${showDate(change.due)}` : ''}`;
    case 'snoozed': return `snoozed until ${showDate(change.until)}`;
    case 'appeal-deadline': return `appeal deadline set to ${change.days} days after the denial`;
    case 'followed-up': return `followed up on ${showDate(change.date)}`;
    default: return `${statusWords(change.kind)} on ${showDate(change.date)}`;
  }
}

/** A denial's remedy, deadline and resubmission checklist, from knowledge/denials.json and the follow-up policy. */
async function denialParts(ctx: FlowContext, denial: Denial, after: Claim): Promise<Reply['parts']> {
  const kn = ctx.claims.kn;
  const remedy = remedyFor(denial, kn);
  const parts: Reply['parts'] = [];
  if (remedy) {
    parts.push({ kind: 'list', title: `${denialName(denial)}: ${remedy.meaning.replace(/\.$/, '')}. Likely fix`, items: remedy.fix.map((text) => ({ text })) });
  } else {
    parts.push({ kind: 'list', title: `${denialName(denial)}: not in medbill's denial list`, items: [{ text: 'Read the remark code (RARC) on the remittance and the payer\'s letter; call the payer if it is unclear.' }] });
  }
  if (after.appealDeadline) {
    parts.push({ kind: 'list', title: `Appeal by ${showDate(after.appealDeadline)}`, items: [{ text: deadlineBasis(ctx, after) }] });
  }
  // The checklist repeats the fix steps for surfaces that show it alone; here they are just above.
  const fix = new Set(remedy?.fix ?? []);
  // The claim's payer kind brings its own advice (Medicare's redetermination form, TRICARE's appointment rule);
  // what the case's answer said of prior authorization, whether CO-197 asks for an approval.
  const preauth = await preauthSaid(ctx, after.caseId);
  const checklist = resubmissionAdvice(denial, kn, { payerKind: after.payerKind, ...(preauth ? { preauth } : {}) });
  parts.push({ kind: 'list', title: 'Before you resubmit or appeal', items: checklist.steps.filter((t) => !fix.has(t)).map((text) => ({ text })) });
  const sourceIds = [...new Set([...(remedy?.source ?? []), ...checklist.source])];
  const sources = sourceIds.flatMap((id) => kn.sources.get(id) ?? []);
  if (sources.length) parts.push({ kind: 'list', title: 'Sources', items: sources.map((s) => ({ text: s.title, ...(s.url ? { link: s.url } : {}) })), folded: true });
  return parts;
}

/** What medbill's answer for the case said of prior authorization, when the case is known. */
async function preauthSaid(ctx: FlowContext, caseId: string): Promise<Preauth | undefined> {
  const facts = (await ctx.caseFile(caseId))?.facts as Partial<CaseFacts> | undefined;
  return facts?.procedure ? triage({ ...facts, procedure: facts.procedure } as CaseFacts, ctx.kn, { directory: ctx.directory, today: ctx.today }).preauth : undefined;
}

function deadlineBasis(ctx: FlowContext, c: Claim): string {
  if (!c.deniedDate) return '';
  const d = ctx.claims.deadline(c);
  return d ? `${d.days} days from the denial (${d.basis}). Check the date on the payer's notice: theirs wins.` : '';
}

// ------------------------------------------------------------------ acting on words

const DENIAL_CHOICES = ['CO-50', 'CO-16', 'CO-197', 'CO-11', 'CO-4', 'CO-96', 'CO-97', 'CO-22', 'CO-29', 'CO-109'];

async function act(ctx: FlowContext, caseId: string, words: ClaimWords): Promise<Outcome> {
  const claim = await ctx.claims.get(caseId);
  if (!claim) return noClaim(ctx, caseId);
  const today = ctx.today();
  const date = words.date ?? today;
  // Refused before anything is asked: no amount is asked for a claim that cannot be paid.
  const refused = words.action && refusal(claim, words.action);
  if (refused) return showClaim(ctx, claim, `${refused} If its last change was recorded by mistake, type "undo" (your own, today) or "${caseId} correct" to take it back first.`);
  switch (words.action) {
    case undefined: return showClaim(ctx, claim, undefined, claim.lane === 'medical-first' ? await ctx.claims.dentalClaimOf(caseId) : undefined);
    case 'paid':
      if (words.amountCents === undefined) return askPaid(claim, date);
      return paid(ctx, claim, words.amountCents, date, words.partial);
    case 'denied': {
      const denial = words.denialText ? parseDenial(words.denialText, ctx.claims.kn) : undefined;
      if (!denial) return askDenial(ctx.claims.kn, claim, date, words.denialText ? 'I could not read a denial reason in that.' : undefined);
      return record(ctx, caseId, { kind: 'denied', date, denial }, (p) => denialParts(ctx, denial, p.after));
    }
    case 'followed-up': {
      // "C-4GHVS followed up, still processing": the outcome said in the same message is the answer.
      const heard = words.outcome ? await outcomeSaid(ctx, claim, words.outcome, date) : undefined;
      return heard ?? askOutcome(claim, date);
    }
    case 'snoozed':
      if (!words.until) return { state: state('snooze', {}, caseId), replies: [reply(`Snooze ${claimName(claim)} until when?`, [{ kind: 'choices', choices: choicesFor('claim', 'snooze', SNOOZES) }])] };
      return record(ctx, caseId, { kind: 'snoozed', until: words.until });
    case 'records-requested':
      return record(ctx, caseId, { kind: 'records-requested', date, ...(words.due ? { due: words.due } : {}) });
    case 'appeal-deadline':
      return askDeadline(claim);
    default:
      return record(ctx, caseId, { kind: words.action, date });
  }
}

/** What a claim's buttons can record (see actionChoices and OUTCOMES). */
const BUTTON_ACTIONS: readonly ChangeKind[] = ['followed-up', 'submitted', 'paid', 'denied', 'records-requested', 'appealed', 'snoozed', 'written-off', 'closed', 'pended'];

const OUTCOMES = [
  { label: 'Still processing', value: 'processing' },
  { label: 'Pended', value: 'pended' },
  { label: 'Records requested', value: 'records-requested' },
  { label: 'Paid', value: 'paid' },
  { label: 'Denied', value: 'denied' },
  { label: 'Not received: resubmitted', value: 'submitted' },
];
const SNOOZES = [{ label: '3 days', value: '3' }, { label: '1 week', value: '7' }, { label: '2 weeks', value: '14' }];

const askOutcome = (claim: Claim, date: string): Outcome => ({
  state: state('outcome', { date }, claim.caseId),
  replies: [reply(`What did the payer say about ${claimName(claim)}?`, [{ kind: 'choices', choices: choicesFor('claim', 'outcome', OUTCOMES) }])],
});

/** What a payer says when nothing has been decided yet. ("Pending" is a pend: see parse.ts.) */
const STILL_PROCESSING = /\b(?:processing|in\s+process|(?:in|under)\s+review|being\s+(?:reviewed|processed)|no\s+(?:news|update|decision)(?:\s+yet)?|nothing\s+yet|not\s+(?:decided|finali[sz]ed)\s+yet)\b/i;

/** The outcome of a follow-up, typed ("still processing", "pended", "denied CO-16", "they want records", "paid $300"). */
async function outcomeSaid(ctx: FlowContext, claim: Claim, text: string, date: string): Promise<Outcome | undefined> {
  const words = readClaimWords(text, ctx.today());
  if (words.action && words.action !== 'followed-up') return act(ctx, claim.caseId, { ...words, caseId: claim.caseId, date: words.date ?? date });
  if (STILL_PROCESSING.test(text)) return record(ctx, claim.caseId, { kind: 'followed-up', date });
  return undefined;
}

/** After a part payment: is the rest still owed ("rest is still open", "underpaid") or settled ("that's all", "patient's share")? */
const PART_OPEN = /\b(?:open|outstanding|owed?|unpaid|under-?paid|short|balance\s+due|denied|not\s+settled|still\s+due)\b/i;
const SETTLED = /\b(?:settled|done|that'?s\s+(?:it|all)|adjust(?:ed|ment)|patient'?s?\s+(?:share|portion|responsibility)|paid\s+in\s+full|closed?)\b/i;

async function paid(ctx: FlowContext, claim: Claim, amountCents: number, date: string, partial?: boolean): Promise<Outcome> {
  // Less than billed is usual (the plan's allowed amount); only the biller knows whether part is still open.
  if (partial === undefined && claim.billedCents !== undefined && amountCents < claim.billedCents) {
    return {
      state: state('partial', { amountCents, date }, claim.caseId),
      replies: [reply(`${formatCents(amountCents)} of ${formatCents(claim.billedCents)} billed. Is ${claimName(claim)} settled (the rest is the plan's adjustment or the patient's share), or is part of it still open (a line denied or underpaid)?`, [
        { kind: 'choices', choices: choicesFor('claim', 'partial', [{ label: 'Settled', value: 'settled' }, { label: 'Part still open', value: 'open' }]) },
      ])],
    };
  }
  return record(ctx, claim.caseId, { kind: 'paid', date, amountCents, partial: partial ?? false });
}

const PAID_FORM = (claim: Claim, date: string): Reply['parts'][number] => ({
  kind: 'form', id: 'claim-paid', title: `Payment for ${claimName(claim)}`, submitLabel: 'Record payment',
  fields: [
    { name: 'amount', label: 'Amount paid ($)', type: 'number', required: true, placeholder: '412.00' },
    { name: 'date', label: 'Paid on (e.g. 12/3)', type: 'text', required: false, initial: monthDay(date) },
  ],
});

const monthDay = (iso: string) => `${Number(iso.slice(5, 7))}/${Number(iso.slice(8, 10))}`;

function askPaid(claim: Claim, date: string, problem?: string): Outcome {
  return { state: state('paid', { date }, claim.caseId), replies: [reply(`${problem ? `${problem} ` : ''}How much did the payer pay on ${claimName(claim)}? Type the amount (e.g. "$412 on 12/3"), or fill in the form.`, [PAID_FORM(claim, date)])] };
}

function askDenial(kn: ClaimKnowledge, claim: Claim, date: string, problem?: string): Outcome {
  // Each code with what it means, so the right one is picked from the remittance ("CO-50 · not medically necessary").
  const choices = choicesFor('claim', 'denial', DENIAL_CHOICES.map((c) => {
    const short = kn.byGroupCode.get(c)?.short;
    return { label: short ? `${c} · ${short}` : c, value: c, says: [c] };
  }));
  return { state: state('denial', { date }, claim.caseId), replies: [reply(`${problem ? `${problem} ` : ''}Why was ${claimName(claim)} denied? Pick the code on the remittance (group and CARC), or type it or the reason in words ("CO-16 N290", "no prior auth").`, [{ kind: 'choices', choices }])] };
}

function askDeadline(claim: Claim): Outcome {
  return {
    state: state('deadline', {}, claim.caseId),
    replies: [reply(`How many days after the denial does ${claim.payer} allow for an appeal on ${claimName(claim)}? It is on the denial letter or in the plan's provider manual.`, [
      { kind: 'form', id: 'claim-deadline', title: `Appeal window for ${claimName(claim)}`, submitLabel: 'Set deadline', fields: [{ name: 'days', label: 'Days after the denial', type: 'number', required: true, placeholder: '180' }] },
    ])],
  };
}

async function noClaim(ctx: FlowContext, caseId: string): Promise<Outcome> {
  if (isDentalClaimKey(caseId)) return { replies: [reply(`Case ${caseOfClaim(caseId)} has no dental claim. medbill opens one (${caseId}) when the medical claim of a medical-first case is paid, partly paid or denied.`)] };
  const known = await ctx.caseFile(caseId);
  if (known) return { replies: [reply(`Case ${caseId} has no claim yet.`, [{ kind: 'choices', choices: [{ label: 'Track this claim', value: `go:claim:track ${caseId}` }] }])] };
  return { replies: [reply(`I have no claim or case ${caseId}. Check the ID, or type "claim new" to track a claim medbill did not triage.`)] };
}

// ------------------------------------------------------------------ a new claim

function newClaimForm(ctx: FlowContext, caseId: string, slots: Slots, problem?: string): Outcome {
  const p = slots.prefill;
  const fields: FormField[] = [
    { name: 'payer', label: 'Payer (e.g. Aetna, Medicare)', type: 'text', required: true, ...(p?.payer ? { initial: p.payer } : {}) },
    { name: 'procedures', label: 'Procedure codes (CPT/HCPCS/CDT)', type: 'text', required: true, ...(p?.procedures.length ? { initial: p.procedures.join(' ') } : { placeholder: '41100' }) },
    { name: 'diagnoses', label: 'Diagnosis codes (ICD-10-CM)', type: 'text', required: false, ...(p?.diagnoses.length ? { initial: p.diagnoses.join(' ') } : { placeholder: 'K13.79' }) },
    { name: 'billed', label: 'Billed amount ($)', type: 'number', required: false },
    { name: 'serviceDate', label: 'Date of service (e.g. 11/14)', type: 'text', required: false },
    { name: 'submittedDate', label: 'Submitted on (blank: not yet)', type: 'text', required: false },
    { name: 'reference', label: "Practice's claim number", type: 'text', required: false },
    { name: 'authNumber', label: 'Prior authorization number', type: 'text', required: false },
    { name: 'authExpires', label: 'Authorization expires (e.g. 1/31)', type: 'text', required: false },
  ];
  const text = `${problem ? `${problem}\n` : ''}Tracking the claim for case ${caseId}. Fill in what you have; dates without the year (medbill keeps no full dates from chat).`;
  return { state: state('new', slots, caseId), replies: [reply(text, [{ kind: 'form', id: 'claim-new', title: `Claim ${caseId}`, submitLabel: 'Track claim', fields }])] };
}

/** Public programs are named by their kind (the payer's own name is what the case gives for the rest). */
const PUBLIC_PROGRAMS: readonly MedicalPayer[] = ['medicare', 'medicaid', 'tricare'];

/** A new claim from its triage answer: the lane, payer kind and codes the answer gave, editable in the form. */
async function fromCase(ctx: FlowContext, caseId: string): Promise<Outcome> {
  const existing = await ctx.claims.get(caseId);
  if (existing) return showClaim(ctx, existing, `Case ${caseId} already has a claim: ${statusWords(existing.status)}.`);
  const file = await ctx.caseFile(caseId);
  if (!file) return noClaim(ctx, caseId);
  const facts = file.facts as Partial<CaseFacts>;
  const { procedures, diagnoses } = caseClaimCodes(facts, ctx.kn, ctx.directory, ctx.today());
  const kind = facts.coverage?.medicalPayer;
  const category = facts.procedure ? procedureKind(ctx, facts.procedure)?.id : undefined;
  // The payer as the case named it: a public program by its name, else the medical carrier the message wrote.
  const payer = kind && PUBLIC_PROGRAMS.includes(kind) ? labelOf(CLAIM_PAYER_OPTIONS, kind) : medicalCarrierIn(facts.notes ?? '')?.slice(0, 60);
  return newClaimForm(ctx, caseId, { prefill: { procedures: procedures.slice(0, 4), diagnoses: diagnoses.slice(0, 4), lane: file.lane, ...(kind ? { payerKind: kind } : {}), ...(payer ? { payer } : {}), ...(category ? { category } : {}) } });
}

/** Reads the new-claim form into a draft, or says what is wrong with it. */
function readDraft(ctx: FlowContext, caseId: string, slots: Slots, v: Record<string, string>): { draft: z.infer<typeof DraftSchema> } | { problem: string } {
  const today = ctx.today();
  const payer = (v.payer ?? '').trim();
  if (!payer) return { problem: 'Which payer is the claim going to?' };
  if (payer.length > 60) return { problem: 'The payer name is longer than 60 characters: the name is enough.' };
  const codes = (text: string | undefined) => (text ?? '').split(/[\s,;]+/).filter(Boolean).map((c) => c.toUpperCase());
  const procedures = codes(v.procedures);
  const diagnoses = codes(v.diagnoses);
  if (!procedures.length) return { problem: 'Which procedure codes are on the claim?' };
  for (const code of procedures) {
    if (!isProcedureCode(code) || !ctx.codes.exact(code)) return { problem: `I don't know the procedure code ${code}: it is not in medbill's code tables.` };
  }
  for (const code of diagnoses) {
    const hit = ctx.codes.exact(code);
    if (!hit || hit.set !== 'icd10cm') return { problem: `${code} is not an ICD-10-CM code.` };
  }
  const draft: z.infer<typeof DraftSchema> = {
    caseId, payer, lane: slots.prefill?.lane ?? 'medical', procedures: procedures.map(normalizeCode), diagnoses: diagnoses.map((d) => ctx.codes.exact(d)?.code ?? d),
    ...(slots.prefill?.category ? { category: slots.prefill.category } : {}),
  };
  if (v.billed?.trim()) {
    const cents = parseAmountField(v.billed);
    if (cents === undefined) return { problem: `"${v.billed}" is not an amount I can read: type it like 650 or 650.00.` };
    draft.billedCents = cents;
  }
  for (const [field, side, label] of [['serviceDate', 'past', 'date of service'], ['submittedDate', 'past', 'submission date'], ['authExpires', 'future', 'authorization expiry']] as const) {
    const raw = v[field]?.trim();
    if (!raw) continue;
    const date = parseDate(raw, today, side);
    if (!date) return { problem: `I could not read the ${label} "${raw}": write it like 11/14 (without the year).` };
    draft[field] = date;
  }
  // The diagnoses must be billable in the ICD-10-CM code set of the claim's date of service (today without one).
  const at = diagnosisDate(ctx.kn, draft.serviceDate, today);
  for (const code of draft.diagnoses) {
    const problem = diagnosisProblemOn(ctx.kn, code, at);
    if (problem) return { problem };
  }
  for (const field of ['reference', 'authNumber'] as const) {
    const raw = v[field]?.trim();
    if (raw) draft[field] = raw.slice(0, 40);
  }
  return { draft };
}

async function create(ctx: FlowContext, draft: z.infer<typeof DraftSchema>, payerKind: ClaimPayerKind): Promise<Outcome> {
  const input: NewClaim = { ...draft, payerKind, lane: draft.lane as Lane };
  const plan = await ctx.claims.draft(input, turnActor(ctx));
  if (!plan.ok) return newClaimForm(ctx, draft.caseId, { prefill: { procedures: draft.procedures, diagnoses: draft.diagnoses, lane: draft.lane, payerKind } }, plan.problem);
  const c = plan.after;
  const warnings = ctx.claims.warnings(c, ctx.today());
  const lead = `Now tracking claim ${claimName(c)} (${statusWords(c.status)}).${c.nextFollowUp ? ` First follow-up ${showDate(c.nextFollowUp)}.` : ' Record it as submitted when it goes out: "' + c.caseId + ' submitted".'}`;
  return {
    state: state('claim', {}, c.caseId),
    replies: [reply(lead, [...(warnings.length ? [{ kind: 'list' as const, title: 'Watch out', items: warnings.map((text) => ({ text })) }] : []), claimFacts(ctx, c), { kind: 'choices', choices: actionChoices(c) }])],
    writes: ctx.claims.writes(plan),
  };
}

// ------------------------------------------------------------------ the flow

const ASK_WHICH = reply('Which claim? Type its case ID or the practice\'s claim number with what happened ("C-7K3Q9 paid $412 on 12/3", "A1005 denied CO-50"), or:', [
  { kind: 'choices', choices: choicesFor('claim', 'which', [{ label: 'Track a new claim', value: 'new' }, { label: 'Open claims', value: 'list' }]) },
]);

async function openClaims(ctx: FlowContext): Promise<Outcome> {
  const claims = await ctx.claims.store.openClaims(10);
  if (!claims.length) return { state: state('which'), replies: [reply('No open claims yet.', [{ kind: 'choices', choices: choicesFor('claim', 'which', [{ label: 'Track a new claim', value: 'new' }]) }])] };
  const today = ctx.today();
  const rows = claims.map((c) => [c.caseId, c.reference ?? '—', c.payer, statusWords(c.status), money(c.billedCents), c.nextFollowUp ? `${showDate(c.nextFollowUp)}${c.nextFollowUp < today ? ' (overdue)' : ''}` : '—']);
  return {
    state: state('which'),
    replies: [reply(`${claims.length} open claim${claims.length > 1 ? 's' : ''}, next follow-up first.`, [
      { kind: 'table', title: 'Open claims', columns: ['Case', 'Claim number', 'Payer', 'Status', 'Billed', 'Next follow-up'], rows },
      { kind: 'choices', choices: choicesFor('claim', 'which', claims.slice(0, 5).map((c) => ({ label: `Open ${claimName(c)}`, value: c.caseId }))) },
    ])],
  };
}

/** "undo", "undo C-7K3Q9", "C-7K3Q9 undo": the person's own last change today; "C-7K3Q9 correct": the claim's last change, anyone's. */
const UNDO = /^\s*\/?undo\b|\bundo\s*[.!]?\s*$/i;
const CORRECT = /\b(?:correct(?:ion)?|(?:by|a)\s+mistake|recorded\s+wrong(?:ly)?|wrong(?:ly)?\s+recorded)\b/i;

async function takeBack(ctx: FlowContext, text: string, caseId: string | undefined): Promise<Outcome> {
  const actor = turnActor(ctx);
  const correcting = caseId !== undefined && CORRECT.test(text) && !UNDO.test(text);
  const target = correcting ? { caseId } : await ctx.claims.undoable(actor.who, ctx.today(), ctx.zone, caseId);
  if ('problem' in target) return { replies: [reply(target.problem)] };
  const plan = await ctx.claims.revert(target.caseId, correcting ? 'corrected' : 'undone', actor);
  if (!plan.ok) return { replies: [reply(plan.problem)] };
  const last = await ctx.claims.store.lastEntry(target.caseId); // the entry taken back (not written yet)
  const what = last ? `${last.action.replace(/-/g, ' ')}${correcting ? ` (recorded by ${last.actor})` : ''}` : 'the last change';
  const after = plan.after;
  const dental = last && OPENS_DENTAL_CLAIM.includes(last.toStatus) && !OPENS_DENTAL_CLAIM.includes(after.status) ? await ctx.claims.dentalClaimOf(target.caseId) : undefined;
  // The dental claim that change opened stays: it may have gone out already, and the medical EOB will come again.
  const kept = dental && isOpen(dental.status) ? ` The dental claim ${dental.caseId} stays (${statusWords(dental.status)}): if it should not go out yet, type "${dental.caseId} closed"; it is not opened again.` : '';
  return {
    state: state('claim', {}, target.caseId),
    replies: [reply(`${correcting ? 'Corrected' : 'Undone'}: ${what} on ${claimName(after)}. It is ${statusWords(after.status)} again; the history keeps both.${kept} Record what is right:`, [claimFacts(ctx, after), { kind: 'choices', choices: actionChoices(after) }])],
    writes: ctx.claims.writes(plan),
  };
}

/**
 * A claim named by the practice's claim number: the one claim with it, or what to say when none or several
 * have it. `asked`: typed as the answer to "Which claim?", so any number is meant as a claim's.
 */
async function byNumber(ctx: FlowContext, number: string, verb: boolean, asked: boolean): Promise<{ claim: Claim } | { outcome: Outcome } | undefined> {
  const found = await ctx.claims.store.byReference(number);
  const [only] = found;
  if (only && found.length === 1) return { claim: only };
  if (found.length > 1) {
    return { outcome: { state: state('which'), replies: [reply(`Claim number ${number} is on ${found.length} claims. Which one?`, [
      { kind: 'choices', choices: choicesFor('claim', 'which', found.map((c) => ({ label: `Open ${claimName(c)}`, value: c.caseId }))) },
    ])] } };
  }
  if (!verb && !asked && !looksLikeClaimNumber(number)) return undefined;
  return { outcome: unknownNumber(number) };
}

/** No claim has the number: say what to do, and offer the code lookup when the number is shaped like a code (A1005, 41100). */
function unknownNumber(number: string): Outcome {
  const code = codeSetOf(number) ? number.toUpperCase() : undefined;
  const choices: Choice[] = [...choicesFor('claim', 'which', [{ label: 'Open claims', value: 'list' }]), ...(code ? [{ label: `Look up code ${code}`, value: `go:lookup:${code}` }] : [])];
  return {
    state: state('which'),
    replies: [reply(`I don't know a claim numbered ${number}. Check the number, or use the claim's case ID (C-…) instead: "claim list" shows the open claims with both. A claim the practice tracks elsewhere comes in with its claim number through "medbill claims import", or "claim new" tracks it here.${code ? ` (${code} is also shaped like a procedure code: "Look up code ${code}" if that is what you meant.)` : ''}`, [{ kind: 'choices', choices }])],
  };
}

async function begin(ctx: FlowContext, text: string, asked = false): Promise<Outcome> {
  // The practice's claim number in place of the case ID ("A1005 paid $5200 on 12/1"): read as if the case ID had been typed.
  const lead = claimKeyIn(text) ? undefined : claimNumberLead(text);
  if (lead) {
    const named = await byNumber(ctx, lead.number, lead.verb, asked);
    if (named && 'outcome' in named) return named.outcome;
    if (named && !lead.verb) {
      // A known number alone: the claim first; a number shaped like a code may also have been meant as one.
      const code = codeSetOf(lead.number) ? lead.number.toUpperCase() : undefined;
      return showClaim(ctx, named.claim, undefined, named.claim.lane === 'medical-first' ? await ctx.claims.dentalClaimOf(named.claim.caseId) : undefined, code ? [{ label: `Look up code ${code}`, value: `go:lookup:${code}` }] : []);
    }
    if (named) text = `${named.claim.caseId} ${lead.rest}`;
  }
  const caseId = claimKeyIn(text);
  if (UNDO.test(text) || (caseId && CORRECT.test(text))) return takeBack(ctx, text, caseId);
  if (FORM_WORDS.test(text)) return caseId ? claimForm(ctx, caseId, text) : { state: state('which', { form: true }), replies: [reply('Which case is the claim form for? Type its case ID, e.g. "C-7K3Q9".')] };
  if (/^\s*(?:track|new|start)\b/i.test(text)) return caseId ? fromCase(ctx, caseId) : newClaimForm(ctx, ctx.newCaseId(), {});
  if (/^\s*(?:list|open|all)\b/i.test(text)) return openClaims(ctx);
  if (!caseId) return { state: state('which'), replies: [ASK_WHICH] };
  return act(ctx, caseId, readClaimWords(text, ctx.today()));
}

export const claimFlow: Flow = {
  id: 'claim',
  version: 1,
  title: 'Track a claim',
  commands: [
    // Not "claims report": that is the report (flows/report.ts).
    /^\s*\/?(?:claims?(?!\s+reports?\s*[.!?]?\s*$)|track (?:this |a |the )?claim)\b[:\s]*/i,
    // A case ID followed by what happened to its claim, from anywhere: the whole message is the update.
    new RegExp(`^(?=\\s*C-[A-HJ-NP-Z2-9]{5}(?:-D)?\\b[\\s,:-]+(?:${CLAIM_VERB.source}|claim[\\s-]+form\\b|cms[\\s-]?1500\\b))`, 'i'),
    // "CMS-1500 for C-7K3Q9", "cms1500 C-7K3Q9".
    /^(?=\s*\/?cms[\s-]?1500\b)/i,
  ],
  laterCommands: [/^(?=\s*\/?undo\b)/i],
  menu: { label: 'Track a claim', example: '"claim" or "C-7K3Q9 paid $412 on 12/3"', words: ['track a claim'] },
  stateSchema: stateSchema(STEPS, SlotsSchema as z.ZodType<Record<string, unknown>>),
  examples: ['track a claim', 'claim status', 'record a payment', 'the claim was denied', 'claim follow up', 'open claims', 'log a denial', 'print the claim form', 'cms 1500 form'],
  /**
   * The practice's claim number in place of the case ID. With what happened ('command': "A1005 paid $5200 on
   * 12/1") it is a claim update from anywhere, like "C-7K3Q9 paid": a number medbill knows, or one that reads
   * as a claim number (A1005, CLM-889, 20241), which is then answered "I don't know a claim numbered …", not
   * looked up as a code. Alone ('alone': "A1005") only a number medbill knows: its claim, with the code lookup
   * offered when it is also shaped like a code; an unknown one stays what it was (a code to look up).
   */
  async recogniseStored(ctx, text, where) {
    const lead = claimNumberLead(text);
    if (!lead || lead.verb !== (where === 'command')) return undefined;
    if (where === 'command' && looksLikeClaimNumber(lead.number)) return { text };
    return (await ctx.claims.store.byReference(lead.number)).length ? { text } : undefined;
  },
  start: (ctx, seed) => (seed.caseId ? fromCase(ctx, seed.caseId) : begin(ctx, seed.text ?? '')),
  async handle(ctx, st, input) {
    const s = slotsOf(st);
    const caseId = st.caseId;
    const claim = caseId ? await ctx.claims.get(caseId) : undefined;
    if (input.kind === 'text') {
      const text = input.text;
      if (st.step === 'paid' && claim) {
        const words = readClaimWords(`paid ${text}`, ctx.today());
        return words.amountCents === undefined ? askPaid(claim, s.date ?? ctx.today(), 'I could not read an amount in that.') : paid(ctx, claim, words.amountCents, words.date ?? s.date ?? ctx.today(), words.partial);
      }
      if (st.step === 'outcome' && claim) {
        const heard = await outcomeSaid(ctx, claim, text, s.date ?? ctx.today());
        if (heard) return heard;
      }
      if (st.step === 'partial' && claim && s.amountCents !== undefined) {
        const open = PART_OPEN.test(text) ? true : SETTLED.test(text) ? false : undefined;
        if (open !== undefined) return record(ctx, claim.caseId, { kind: 'paid', date: s.date ?? ctx.today(), amountCents: s.amountCents, partial: open });
      }
      if (st.step === 'denial' && claim) {
        const denial = parseDenial(text, ctx.claims.kn);
        return denial ? record(ctx, claim.caseId, { kind: 'denied', date: s.date ?? ctx.today(), denial }, (p) => denialParts(ctx, denial, p.after)) : askDenial(ctx.claims.kn, claim, s.date ?? ctx.today(), 'I could not read a denial reason in that.');
      }
      if (st.step === 'kind' && s.draft) {
        const kind = parseClaimPayer(text, ctx);
        return kind ? create(ctx, s.draft, kind) : { state: st, replies: [reply('Which kind of plan? Pick one of the buttons.', [{ kind: 'choices', choices: choicesFor('claim', 'kind', CLAIM_PAYER_OPTIONS) }])] };
      }
      // The case the claim form was asked for.
      const named = claimKeyIn(text);
      if (st.step === 'which' && s.form && named) return claimForm(ctx, named, text);
      // A case ID with an update, or another question: only claim words stay here.
      if (CLAIM_KEY_IN_TEXT.test(text) || st.step === 'which') {
        const words = readClaimWords(text, ctx.today());
        if (words.caseId || /^\s*(?:new|track|list|open)\b/i.test(text)) return begin(ctx, text);
        // "Which claim?" answered with the practice's claim number.
        if (st.step === 'which' && claimNumberLead(text)) return begin(ctx, text, true);
      }
      if (claim && st.step === 'claim') {
        const words = readClaimWords(text, ctx.today());
        if (words.action) return act(ctx, claim.caseId, words);
      }
      return { state: st, replies: [], unhandled: true };
    }
    if (input.kind === 'button') {
      if (input.step === 'which') return input.value === 'new' ? newClaimForm(ctx, ctx.newCaseId(), {}) : input.value === 'list' ? openClaims(ctx) : begin(ctx, input.value);
      if (input.step === 'claim') {
        const [id, pressed] = input.value.split(':');
        if (id && pressed === FORM_BUTTON) return claimForm(ctx, id);
        const action = BUTTON_ACTIONS.find((a) => a === pressed);
        if (!id || !action) return { state: st, replies: [reply("I don't recognise that button.")] };
        return act(ctx, id, { caseId: id, action });
      }
      if (!claim && st.step !== 'kind') return { replies: [reply('That claim is no longer there.')] };
      if (st.step === 'outcome' && claim) {
        const date = s.date ?? ctx.today();
        if (input.value === 'processing') return record(ctx, claim.caseId, { kind: 'followed-up', date });
        if (input.value === 'paid') return askPaid(claim, date);
        if (input.value === 'denied') return askDenial(ctx.claims.kn, claim, date);
        const action = BUTTON_ACTIONS.find((a) => a === input.value);
        if (action) return act(ctx, claim.caseId, { caseId: claim.caseId, action, date });
      }
      if (st.step === 'snooze' && claim) {
        const days = Number(input.value);
        return record(ctx, claim.caseId, { kind: 'snoozed', until: addDays(ctx.today(), days) });
      }
      if (st.step === 'partial' && claim && s.amountCents !== undefined) {
        return record(ctx, claim.caseId, { kind: 'paid', date: s.date ?? ctx.today(), amountCents: s.amountCents, partial: input.value === 'open' });
      }
      if (st.step === 'denial' && claim) {
        const denial = parseDenial(input.value, ctx.claims.kn);
        if (denial) return record(ctx, claim.caseId, { kind: 'denied', date: s.date ?? ctx.today(), denial }, (p) => denialParts(ctx, denial, p.after));
      }
      if (st.step === 'kind' && s.draft) {
        const kind = CLAIM_PAYER_KINDS.find((k) => k === input.value);
        if (kind) return create(ctx, s.draft, kind);
      }
      return { state: st, replies: [reply('That button belongs to an earlier question.'), ...(await claimFlow.prompt(ctx, st))] };
    }
    // Forms.
    if (input.form === 'claim-new' && caseId) {
      const read = readDraft(ctx, caseId, s, input.values);
      if ('problem' in read) return newClaimForm(ctx, caseId, s, read.problem);
      const kind = s.prefill?.payerKind ?? parseClaimPayer(read.draft.payer, ctx);
      if (kind) return create(ctx, read.draft, kind);
      return { state: state('kind', { ...s, draft: read.draft }, caseId), replies: [reply(`Which kind of plan is ${read.draft.payer}?`, [{ kind: 'choices', choices: choicesFor('claim', 'kind', CLAIM_PAYER_OPTIONS) }])] };
    }
    if (input.form === 'claim-paid' && claim) {
      const cents = parseAmountField(input.values.amount ?? '');
      if (cents === undefined || cents <= 0) return askPaid(claim, s.date ?? ctx.today(), 'I could not read that amount.');
      const date = input.values.date?.trim() ? parseDate(input.values.date, ctx.today(), 'past') : s.date ?? ctx.today();
      if (!date) return askPaid(claim, s.date ?? ctx.today(), `I could not read the date "${input.values.date}": write it like 12/3.`);
      return paid(ctx, claim, cents, date);
    }
    if (input.form === 'claim-deadline' && claim) {
      const days = Number(input.values.days);
      if (!Number.isInteger(days) || days < 1 || days > 730) return { ...askDeadline(claim), replies: [reply('Type the number of days, between 1 and 730.'), ...askDeadline(claim).replies] };
      return record(ctx, claim.caseId, { kind: 'appeal-deadline', days });
    }
    return { state: st, replies: [reply('That form belongs to an earlier question.'), ...(await claimFlow.prompt(ctx, st))] };
  },
  async kept(ctx, st) {
    const claim = st.caseId ? await ctx.claims.get(st.caseId) : undefined;
    return claim ? `Claim ${claim.caseId} is kept as it was (${statusWords(claim.status)}); nothing from this question was recorded.` : undefined;
  },
  async prompt(ctx, st) {
    const claim = st.caseId ? await ctx.claims.get(st.caseId) : undefined;
    const s = slotsOf(st);
    switch (st.step as Step) {
      case 'which': return [ASK_WHICH];
      case 'new': return newClaimForm(ctx, st.caseId ?? ctx.newCaseId(), s).replies;
      case 'kind': return [reply('Which kind of plan is the claim going to?', [{ kind: 'choices', choices: choicesFor('claim', 'kind', CLAIM_PAYER_OPTIONS) }])];
      case 'paid': return claim ? askPaid(claim, s.date ?? ctx.today()).replies : [ASK_WHICH];
      case 'denial': return claim ? askDenial(ctx.claims.kn, claim, s.date ?? ctx.today()).replies : [ASK_WHICH];
      case 'deadline': return claim ? askDeadline(claim).replies : [ASK_WHICH];
      case 'outcome': return claim ? (await act(ctx, claim.caseId, { caseId: claim.caseId, action: 'followed-up' })).replies : [ASK_WHICH];
      case 'snooze': return claim ? (await act(ctx, claim.caseId, { caseId: claim.caseId, action: 'snoozed' })).replies : [ASK_WHICH];
      default: return claim ? showClaim(ctx, claim).replies : [ASK_WHICH];
    }
  },
  why: (_ctx, st) => (st.step === 'denial'
    ? 'The denial code tells me the likely fix and whether to appeal or send a corrected claim, and it starts the appeal clock.'
    : 'Recording what happened to a claim keeps the daily follow-up list right: nothing is chased twice, nothing is forgotten.'),
};
