/**
 * "Is this medical first?" Walks a person from a question to the triage answer, asking only for the
 * facts that decide the lane for this procedure: the triage engine itself says which fact it is missing
 * (its first question), so the flow never asks what would not change the answer.
 */
import { z } from 'zod';
import { buttonValue, choicesFor, stateSchema, type FlowInput, type FlowState, type Outcome, type Seed } from '../src/engine/flow.js';
import { type Flow, type FlowContext } from './context.js';
import { bareCode } from './lookup.js';
import { MAX_TEXT_CHARS, reply, type Reply } from '../src/engine/model.js';
import type { CaseFacts } from '../src/knowledge/facts.js';
import { CaseFactsSchema } from '../src/knowledge/facts.js';
import { describeZodError } from '../src/zod-message.js';
import { extractFacts } from '../src/knowledge/extract.js';
import { readCase } from '../src/knowledge/case.js';
import { epsdt, MEDICAID_DELIVERY_QUESTION, triage, type TriageResult } from '../src/knowledge/triage.js';
import { codeSetOf, normalizeIcd10, procedureCodePattern } from '../src/knowledge/codes.js';
import { LANE_LINE } from '../src/reply-text.js';
import { answerParts } from './answer.js';
import { DOCUMENT_KINDS, LANES, MEDICAL_LANES, type DocumentKind, type Lane } from '../src/knowledge/vocabulary.js';
import {
  CAUSE_OPTIONS, COMMON_PROCEDURES, PAYER_OPTIONS, changedFacts, describeChanges, describeFacts, mergeFacts, parseCause, parsePayer,
  labelOf, parseProcedure, procedureName, withNote, type Option, type Parsed,
} from './common.js';
import { caseReading, isCorrection, messageReading, removalProcedure, sameCase, type Verdict } from './same-case.js';

/** The steps: one per fact the flow can ask for, then the answer; and whether a message is about the same patient. */
type Step = 'procedure' | 'cause' | 'coverage' | 'combined' | 'payer' | 'notes' | 'confirm' | 'diagnoses' | 'documents' | 'fee' | 'answer' | 'same-case';
/** The steps that ask for a fact of the case. */
type FactStep = Exclude<Step, 'answer' | 'same-case'>;

/** The steps a case can be at between turns (all but the same-or-new question). */
type CaseStep = Exclude<Step, 'same-case'>;

/** A case in the flow: its facts and where its questions stand. */
interface CaseSlots {
  facts: Partial<CaseFacts>;
  /** How often each question was asked, so an answer that does not settle it cannot loop. */
  asked: Record<string, number>;
  /** The engine's own wording of the question asked at step `notes` or `confirm`. */
  pending?: string;
  wantFee?: boolean;
}

/** A case as it was before the person's last change to it, for "undo" (one step back, not a chain). */
interface Undo {
  caseId: string;
  step: CaseStep;
  slots: CaseSlots;
  /** What the change was, in the words of describeChanges ("insurance: one combined…"); empty when only notes. */
  change: string;
}

interface Slots extends CaseSlots {
  /** At step `same-case`: the message that may be about another patient, and the step it was typed at. */
  held?: { text: string; step: CaseStep };
  /**
   * At step `answer`: the lane answered (advance sets it with the answer), so setting the case aside for the next
   * patient records the lane the person was told without working the case out again.
   */
  lane?: Lane;
  /** The case before the person's last change: this case's facts, or the case set aside when this one started. */
  undo?: Undo;
}

const FIELD_STEP: Record<string, Step> = {
  procedure: 'procedure', cause: 'cause', coverage: 'coverage', 'coverage.combinedPlan': 'combined', 'coverage.medicalPayer': 'payer',
  notes: 'notes', diagnoses: 'diagnoses', documentsOnHand: 'documents', fee: 'fee', cashFee: 'fee',
};
const MAX_ASKS = 2;

const COVERAGE_OPTIONS: (Option & { coverage: NonNullable<CaseFacts['coverage']> })[] = [
  { label: 'Medical + dental, separate plans', value: 'separate', coverage: { medical: true, dental: true, combinedPlan: false } },
  { label: 'One combined plan', value: 'combined', coverage: { medical: true, dental: true, combinedPlan: true } },
  { label: 'Medical only', value: 'medical-only', coverage: { medical: true, dental: false } },
  { label: 'Dental only', value: 'dental-only', coverage: { medical: false, dental: true } },
  { label: 'No insurance', value: 'none', coverage: { medical: false, dental: false } },
];
const COMBINED_OPTIONS: Option[] = [{ label: 'One combined plan', value: 'yes' }, { label: 'Two separate plans', value: 'no' }];
const MEDICAID_DELIVERY_OPTIONS: Option[] = [{ label: 'Part of the Medicaid health plan', value: 'yes' }, { label: 'Separate dental program or plan', value: 'no' }];
const NOTES_OPTIONS: Option[] = [{ label: 'No', value: 'no' }, { label: 'Not sure', value: 'unsure' }];
const CONFIRM_OPTIONS: Option[] = [{ label: 'Yes', value: 'yes' }, { label: 'No', value: 'no' }, { label: 'Not sure', value: 'unsure' }];

type Answers = { yes: string; no: string };
const answersByKnowledge = new WeakMap<object, Map<string, Answers>>();
/**
 * The yes/no questions the knowledge base asks, with the statement each answer adds to the notes (where the
 * rules read it): wherever a question is declared, in a category, a lane rule or a cross-cutting rule.
 */
function yesNoQuestions(ctx: FlowContext): Map<string, Answers> {
  const known = answersByKnowledge.get(ctx.kn);
  if (known) return known;
  const found = new Map<string, Answers>();
  const visit = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x instanceof Map) [...x.values()].forEach(visit);
    else if (x && typeof x === 'object') {
      const q = x as { question?: unknown; answers?: { yes?: unknown; no?: unknown } };
      if (typeof q.question === 'string' && typeof q.answers?.yes === 'string' && typeof q.answers.no === 'string') {
        found.set(q.question, { yes: q.answers.yes, no: q.answers.no });
      }
      Object.values(x).forEach(visit);
    }
  };
  visit(ctx.kn.categories);
  visit(ctx.kn.rules);
  answersByKnowledge.set(ctx.kn, found);
  return found;
}
const YES = /^\s*(yes|yeah|yep|yup|y|it does|they do|it is|covered|listed|correct)\b/i;
const NO = /^\s*(no|nope|n|it doesn'?t|it does not|they don'?t|not covered|excluded|not listed)\b/i;
const UNSURE = /\b(not sure|unsure|don'?t know|dunno|no idea|unknown|maybe)\b/i;

const FeeForm = z.strictObject({
  fee: z.coerce.number().finite().nonnegative().max(10_000_000),
  cashFee: z.coerce.number().finite().nonnegative().max(10_000_000),
});

// ------------------------------------------------------------------ the questions

interface Question {
  text(s: Slots, ctx: FlowContext): string;
  options(s: Slots, ctx: FlowContext): Option[];
  example: string;
  why: string;
  /** A typed answer to this question: the facts it sets, or why it does not fit. */
  parse(text: string, s: Slots, ctx: FlowContext): Parsed<Partial<CaseFacts>>;
  /** A pressed button's value: the facts it sets (notes are added to the notes). */
  press?(value: string, s: Slots, ctx: FlowContext): Partial<CaseFacts> | undefined;
}

function facts(s: Slots): CaseFacts {
  return { procedure: s.facts.procedure ?? '', ...s.facts } as CaseFacts;
}

function currentResult(s: Slots, ctx: FlowContext): TriageResult {
  return triage(facts(s), ctx.kn, { directory: ctx.directory, today: ctx.today() });
}

const QUESTIONS: Record<FactStep, Question> = {
  procedure: {
    text: () => 'What procedure is it? Pick one, or type a CDT, CPT or HCPCS code or the procedure in words.',
    options: () => COMMON_PROCEDURES,
    example: '"D7240" or "biopsy of a tongue lesion"',
    why: 'Medical payers cover a procedure for a reason, and each procedure has its own policy, codes and paperwork.',
    parse: (text, _s, ctx) => {
      const p = parseProcedure(text, ctx);
      const removal = 'error' in p && !procedureCodePattern().test(text) ? removalProcedure(text) : undefined;
      return removal ? { value: { procedure: removal } } : 'value' in p ? { value: { procedure: p.value } } : p;
    },
    press: (value) => (COMMON_PROCEDURES.some((o) => o.value === value) ? { procedure: value } : undefined),
  },
  cause: {
    text: () => 'Why is it needed? Medical insurance pays for the reason, not the procedure.',
    options: () => CAUSE_OPTIONS,
    example: '"fell off a bike", "abscess with facial swelling", "not sure"',
    why: 'The cause decides whether there is a medical story at all: an injury, an infection or a lesion is medical; decay alone is dental.',
    parse: (text, _s, ctx) => {
      const cause = parseCause(text, ctx);
      return cause ? { value: { cause } } : { error: "I couldn't tell the reason from that." };
    },
    press: (value) => {
      const o = CAUSE_OPTIONS.find((c) => c.value === value);
      return o ? { cause: o.value } : undefined;
    },
  },
  coverage: {
    text: () => 'Which insurance does the patient have?',
    options: () => COVERAGE_OPTIONS,
    example: '"BCBS medical and Delta dental", "one combined plan", "dental only"',
    why: 'Which plans there are, and whether medical and dental come from one plan, decides where the claim goes first.',
    parse: (text, s, ctx) => {
      const coverage = parseCoverage(text, ctx);
      return coverage ? { value: { coverage } } : { error: "I couldn't tell which insurance that is." };
    },
    press: (value) => {
      const o = COVERAGE_OPTIONS.find((c) => c.value === value);
      return o ? { coverage: o.coverage } : undefined;
    },
  },
  combined: {
    // For a Medicaid child the question is how the state runs the dental benefit (R-MEDICAID-DENTAL-DELIVERY).
    text: (s) => (epsdt(s.facts) ? MEDICAID_DELIVERY_QUESTION.question : 'Do the medical and dental benefits come from one combined plan, or two separate plans?'),
    options: (s) => (epsdt(s.facts) ? MEDICAID_DELIVERY_OPTIONS : COMBINED_OPTIONS),
    example: '"one plan" or "separate"',
    why: 'A combined plan routes some dental-looking procedures to its medical side first. Under 21, Medicaid must cover dental care (EPSDT), and each state runs that benefit either inside its Medicaid health plans or as a separate dental program.',
    parse: (text) => {
      const one = { value: { coverage: { medical: true, dental: true, combinedPlan: true } } };
      const two = { value: { coverage: { medical: true, dental: true, combinedPlan: false } } };
      if (/\bcarved?[- ]?in\b/i.test(text)) return one;
      if (/\bcarved?[- ]?out\b/i.test(text)) return two;
      if (/\b(one|single|same|combined|embedded|health plan|yes)\b/i.test(text)) return one;
      if (/\b(two|separate|different|dental (?:program|plan|vendor)|state|fee[- ]for[- ]service|no)\b/i.test(text)) return two;
      return { error: "I couldn't tell whether that is one plan or two." };
    },
    press: (value) => (value === 'yes' || value === 'no' ? { coverage: { medical: true, dental: true, combinedPlan: value === 'yes' } } : undefined),
  },
  payer: {
    text: () => 'What kind of medical plan is it?',
    options: () => PAYER_OPTIONS,
    example: '"Medicare", "Aetna (commercial)", "Medicaid"',
    why: 'Medicare, Medicaid, TRICARE and commercial plans each have their own rules (Medicare pays for dental care only when it is tied to covered medical treatment).',
    parse: (text, _s, ctx) => {
      const medicalPayer = parsePayer(text, ctx);
      return medicalPayer ? { value: { coverage: { medical: true, medicalPayer } } } : { error: "I couldn't tell the kind of medical plan." };
    },
    press: (value) => {
      const o = PAYER_OPTIONS.find((p) => p.value === value);
      return o ? { coverage: { medical: true, medicalPayer: o.value } } : undefined;
    },
  },
  notes: {
    text: (s) => `${s.pending ?? 'Anything more about the case?'} Answer in a few words, or press a button.`,
    options: () => NOTES_OPTIONS,
    example: '"facial swelling and fever" or "no"',
    why: 'This detail is what the payer policy turns on for this procedure.',
    // Any words answer it: they go into the notes, where triage reads them.
    parse: () => ({ value: {} }),
    press: (value) => (NOTES_OPTIONS.some((o) => o.value === value) ? {} : undefined),
  },
  confirm: {
    text: (s) => s.pending ?? '',
    options: () => CONFIRM_OPTIONS,
    example: '"yes", "no" or "not sure"',
    why: 'This is the fact the answer turns on for this procedure and these plans.',
    parse: (text, s, ctx) => {
      const answers = yesNoQuestions(ctx).get(s.pending ?? '');
      if (UNSURE.test(text)) return { value: {} };
      if (answers && YES.test(text)) return { value: { notes: answers.yes } };
      if (answers && NO.test(text)) return { value: { notes: answers.no } };
      return { error: "I couldn't tell whether that is a yes or a no." };
    },
    press: (value, s, ctx) => {
      if (value === 'unsure') return {};
      const answers = yesNoQuestions(ctx).get(s.pending ?? '');
      return answers && (value === 'yes' || value === 'no') ? { notes: answers[value] } : undefined;
    },
  },
  diagnoses: {
    text: () => 'Which ICD-10-CM diagnosis codes are on the chart? Pick a likely one or type the codes.',
    options: (s, ctx) => [
      ...currentResult(s, ctx).diagnosisCodes.slice(0, 4).map((d) => ({ label: `${d.code} ${d.description}`.slice(0, 75), value: d.code })),
      { label: 'Not known yet', value: 'none' },
    ],
    example: '"K01.1" or "S02.5XXA, S03.2XXA"',
    why: 'A medical claim is paid on its diagnosis codes: they must exist, be billable, and fit the procedure.',
    parse: (text) => {
      if (/\b(none|no|not (known|sure)|don'?t know|unknown|skip)\b/i.test(text)) return { value: {} };
      const codes = [...text.matchAll(/\b[A-Z]\d[0-9A-Z](?:\.?[0-9A-Z]{1,4})?\b/gi)].map((m) => m[0].toUpperCase()).filter((c) => codeSetOf(c) === 'icd10cm');
      if (!codes.length) return { error: "I didn't see an ICD-10-CM code in that." };
      return { value: { diagnoses: [...new Set(codes.map(normalizeIcd10))].slice(0, 12) } };
    },
    press: (value, s) => (value === 'none' ? {} : /^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$/.test(value) ? { diagnoses: [...new Set([...(s.facts.diagnoses ?? []), value])] } : undefined),
  },
  documents: {
    text: () => 'Which of these documents do you already have? Tick them, then press Done.',
    options: () => [{ label: 'Done', value: 'done' }],
    example: '"have the sleep study and the pano" or "none yet"',
    why: 'Documents not on hand are the most common reason a medical claim is denied; the answer lists what is missing.',
    parse: (text, s, ctx) => {
      if (/\b(none|nothing|no|done)\b/i.test(text) && !extractFacts(text, ctx.kn).known.documentsOnHand) return { value: {} };
      const docs = extractFacts(`have ${text}`, ctx.kn).known.documentsOnHand;
      return docs ? { value: { documentsOnHand: [...new Set([...(s.facts.documentsOnHand ?? []), ...docs])] } } : { error: "I couldn't tell which documents those are." };
    },
    press: (value, s) => {
      if (value === 'done') return {};
      const kind = value.replace(/^toggle-/, '') as DocumentKind;
      if (!value.startsWith('toggle-') || !DOCUMENT_KINDS.includes(kind)) return undefined;
      const have = new Set(s.facts.documentsOnHand ?? []);
      if (have.has(kind)) have.delete(kind);
      else have.add(kind);
      return { documentsOnHand: [...have] };
    },
  },
  fee: {
    text: () => "Fee check: what will you bill insurance, and what is the practice's usual cash fee for it?",
    options: () => [],
    example: '"fee 900, cash fee 650"',
    why: 'Billing insurance more than the cash fee for the same service is a compliance problem; medbill checks it.',
    parse: (text, _s, ctx) => {
      const { fee, cashFee } = extractFacts(text, ctx.kn).known;
      return fee !== undefined || cashFee !== undefined ? { value: { ...(fee !== undefined ? { fee } : {}), ...(cashFee !== undefined ? { cashFee } : {}) } } : { error: "I didn't see a fee in that." };
    },
  },
};

/** Plan words that settle coverage on their own: "separate plans", "one combined plan", "dental only", "no insurance". */
function planWords(text: string): CaseFacts['coverage'] | undefined {
  const typed = COVERAGE_OPTIONS.find((o) => o.label.toLowerCase() === text.trim().toLowerCase());
  if (typed) return typed.coverage;
  if (/\b(neither|no insurance|uninsured|self[- ]pay)\b/i.test(text)) return { medical: false, dental: false };
  if (/\b(separate|two|different) plans?\b|\bseparate\b/i.test(text)) return { medical: true, dental: true, combinedPlan: false };
  if (/\b(one|single|same|combined) plan\b|\bcombined\b/i.test(text)) return { medical: true, dental: true, combinedPlan: true };
  if (/\bmedical only\b|\bonly medical\b/i.test(text)) return { medical: true, dental: false };
  if (/\bdental only\b|\bonly dental\b/i.test(text)) return { medical: false, dental: true };
  return undefined;
}

function parseCoverage(text: string, ctx: FlowContext): CaseFacts['coverage'] | undefined {
  const known = extractFacts(text, ctx.kn).known.coverage;
  const both = /\bboth\b/i.test(text) ? { medical: true, dental: true } : {};
  const merged = { ...both, ...known, ...planWords(text) };
  return Object.keys(merged).length ? merged : undefined;
}

/** Every fact a typed message states, as the extractor reads it plus plan words; lists add to the case's lists. */
function statedFacts(text: string, f: Partial<CaseFacts>, ctx: FlowContext): Partial<CaseFacts> {
  const known = extractFacts(text, ctx.kn, ctx.today).known;
  const plans = planWords(text);
  const out: Partial<CaseFacts> = plans ? mergeFacts(known, { coverage: plans }) : { ...known };
  if (known.documentsOnHand) out.documentsOnHand = [...new Set([...(f.documentsOnHand ?? []), ...known.documentsOnHand])];
  if (known.diagnoses) out.diagnoses = [...new Set([...(f.diagnoses ?? []), ...known.diagnoses])].slice(0, 12);
  return out;
}

// ------------------------------------------------------------------ moving through the steps

function state(step: Step, slots: Slots, caseId: string): FlowState {
  return { step, slots: slots as unknown as Record<string, unknown>, caseId };
}
function slotsOf(st: FlowState): Slots {
  return st.slots as unknown as Slots;
}

/** The next question the answer depends on, or the answer itself. */
function advance(ctx: FlowContext, slots: Slots, caseId: string, lead: string[] = []): Outcome {
  let step: Step = 'answer';
  let result: TriageResult | undefined;
  if (!slots.facts.procedure) step = 'procedure';
  else {
    result = currentResult(slots, ctx);
    if (result.lane === 'needs-info') {
      // The first question the answer turns on that can still be asked: a yes/no question the knowledge base
      // declares answers for is asked once as such; any other is asked at its fact's step, unless the case
      // already has that fact or it was asked twice. With none left, the needs-info answer says what is missing.
      const yesNo = yesNoQuestions(ctx);
      for (const q of result.questions) {
        const s: Step | undefined = yesNo.has(q.question) ? 'confirm' : FIELD_STEP[q.field];
        if (!s) continue;
        const key = s === 'notes' || s === 'confirm' ? `${s}:${q.question}` : s;
        if ((slots.asked[key] ?? 0) >= (s === 'confirm' ? 1 : MAX_ASKS) || alreadyKnown(s, slots.facts)) continue;
        step = s;
        slots.pending = s === 'notes' || s === 'confirm' ? q.question : undefined;
        break;
      }
    }
    if (step === 'answer' && slots.wantFee && (slots.facts.fee === undefined || slots.facts.cashFee === undefined)) step = 'fee';
  }
  if (step === 'answer' && result) slots.lane = result.lane;
  else delete slots.lane;
  const st = state(step, slots, caseId);
  const answered = step === 'answer' && result ? [{ caseId, procedure: procedureName(ctx, slots.facts.procedure ?? ''), lane: result.lane, facts: slots.facts }] : [];
  return { state: st, replies: withLead(lead, render(ctx, st, result)), cases: answered };
}

/** Whether a message typed into this case is about it, about another patient, or unclear (see same-case.ts). */
function judge(ctx: FlowContext, f: Partial<CaseFacts>, text: string, stated: Partial<CaseFacts>): Verdict {
  return sameCase(caseReading(ctx, f), messageReading(ctx, text, stated)).verdict;
}

/** Whether a message says something the rules read (a signal such as a car accident or another payer). */
function mentionsCase(ctx: FlowContext, text: string): boolean {
  return readCase({ procedure: '', notes: text }, ctx.kn).signals.size > 0;
}

/** Sets this case aside (it stays in the person's recent cases) and starts one from the message. */
function newCase(ctx: FlowContext, st: FlowState, text: string): Outcome {
  const s = slotsOf(st);
  // At its answer the case holds the lane answered; elsewhere (a question pending) it is worked out now.
  const lane = st.step === 'answer' && s.lane ? s.lane : s.facts.procedure ? currentResult(s, ctx).lane : 'needs-info';
  return {
    state: st,
    replies: [reply(`Starting a new case; case ${st.caseId} is kept ("undo" goes back to it).`)],
    next: { flow: 'triage', seed: { text, from: st } },
    cases: [{ caseId: st.caseId ?? '', procedure: procedureName(ctx, s.facts.procedure ?? ''), lane, facts: s.facts }],
  };
}

/** Asks, once, whether a message is about this case's patient; the message waits for the answer. */
function askSameCase(ctx: FlowContext, st: FlowState, text: string): Outcome {
  const s = slotsOf(st);
  return show(ctx, state('same-case', { ...s, held: { text, step: st.step as CaseStep } }, caseIdOf(st)));
}

const SAME_OPTIONS = (caseId: string): Option[] => [{ label: `Same patient (case ${caseId})`, value: 'same' }, { label: 'New patient', value: 'new' }];
const SAME_WORDS = /^\s*(?:1|same|same (?:pt|patient|person|case)|same patient \(case c-[a-z0-9]{5}\))\s*[.!]?\s*$/i;
const NEW_WORDS = /^\s*(?:2|new|new (?:pt|patient|person)|another(?: pt| patient| one)?|different(?: pt| patient)?)\s*[.!]?\s*$/i;

/** The answer to "same patient or new patient?": the waiting message refines this case, or starts a new one. */
function settleSameCase(ctx: FlowContext, st: FlowState, verdict: 'same' | 'new'): Outcome {
  const { held, ...rest } = slotsOf(st);
  if (!held) return show(ctx, state('answer', rest, caseIdOf(st)));
  const back = state(held.step, rest, caseIdOf(st));
  return verdict === 'new' ? newCase(ctx, back, held.text) : handleText(ctx, back, held.text, 'same');
}

// ------------------------------------------------------------------ undo

const UNDO = /^\s*\/?undo(?:\s+(?:that|it|this|last|the last (?:change|one)))?[\s.!]*$/i;

/** A state as "undo" returns to it: the case's facts and questions, without a held message or an older undo. */
function undoImage(st: FlowState, change: string): Undo {
  const { held, facts, asked, pending, wantFee } = slotsOf(st);
  const step = st.step === 'same-case' ? held?.step ?? 'answer' : st.step as CaseStep;
  return { caseId: caseIdOf(st), step, slots: { facts, asked, ...(pending !== undefined ? { pending } : {}), ...(wantFee !== undefined ? { wantFee } : {}) }, change };
}

/** An outcome that changed this case's facts remembers the case as it was, for "undo". */
function rememberChange(ctx: FlowContext, before: FlowState, out: Outcome): Outcome {
  if (!out.state || out.next || out.state.caseId !== before.caseId) return out;
  const was = slotsOf(before).facts;
  const now = slotsOf(out.state);
  if (JSON.stringify(was) === JSON.stringify(now.facts)) return out;
  const change = describeChanges(ctx, was, now.facts).filter((line) => !line.startsWith('notes')).join('; ');
  return { ...out, state: state(out.state.step as Step, { ...now, undo: undoImage(before, change) }, caseIdOf(out.state)) };
}

/**
 * "undo": the case as it was before the person's last change to it. A change of facts is taken back (the
 * stored case too); a case started from a message that was not a new patient is dropped, and the case it set
 * aside is back where it was.
 */
function undo(ctx: FlowContext, st: FlowState): Outcome {
  const u = slotsOf(st).undo;
  if (!u) return { state: st, replies: withLead([`There is nothing to undo in case ${st.caseId ?? ''}.`], render(ctx, st)) };
  const restored = state(u.step, { ...u.slots }, u.caseId);
  const rs = slotsOf(restored);
  if (u.caseId !== st.caseId) {
    return { state: restored, replies: withLead([`Undone: case ${st.caseId ?? ''} is dropped. Back to case ${u.caseId}, as it was.`], render(ctx, restored)), forget: [caseIdOf(st)] };
  }
  const lane = rs.facts.procedure ? currentResult(rs, ctx).lane : 'needs-info';
  const stored = u.step === 'answer' || ctx.caseFile(u.caseId) !== undefined;
  return {
    state: restored,
    replies: withLead([`Undone: ${u.change || 'what your last message added'}. Case ${u.caseId} is as it was before.`], render(ctx, restored)),
    ...(stored ? { cases: [{ caseId: u.caseId, procedure: procedureName(ctx, rs.facts.procedure ?? ''), lane, facts: rs.facts }] } : {}),
  };
}

/** An answer's facts merged into the case: notes it carries are added to the notes, never replace them. */
function applyAnswer(f: Partial<CaseFacts>, set: Partial<CaseFacts>): Partial<CaseFacts> {
  const { notes, ...rest } = set;
  const merged = mergeFacts(f, rest);
  return notes ? withNote(merged, notes) : merged;
}

function withLead(lead: string[], replies: Reply[]): Reply[] {
  const [first, ...rest] = replies;
  if (!lead.length || !first) return replies;
  return [{ ...first, text: `${lead.join(' ')}\n${first.text}` }, ...rest];
}

/** The case a triage is about: start() gives every triage its case id, and every later state keeps it. */
function caseIdOf(st: FlowState): string {
  if (st.caseId === undefined) throw new Error(`triage: a state at step ${st.step} without its case id`);
  return st.caseId;
}

function askedKey(st: FlowState): string {
  const s = slotsOf(st);
  return st.step === 'notes' || st.step === 'confirm' ? `${st.step}:${s.pending ?? ''}` : st.step;
}

/** Whether the case already holds the fact a step asks for: such a question is never asked again. */
function alreadyKnown(step: Step, f: Partial<CaseFacts>): boolean {
  const c = f.coverage;
  switch (step) {
    case 'procedure': return Boolean(f.procedure);
    case 'cause': return f.cause !== undefined && f.cause !== 'unknown';
    case 'coverage': return c?.medical !== undefined && c.dental !== undefined;
    case 'combined': return c?.combinedPlan !== undefined || c?.medical === false || c?.dental === false;
    case 'payer': return c?.medicalPayer !== undefined || c?.medical === false;
    case 'diagnoses': return Boolean(f.diagnoses?.length);
    case 'fee': return f.fee !== undefined && f.cashFee !== undefined;
    default: return false;
  }
}

/** The current step as replies; `known` is the triage result for the current facts, when already computed. */
function render(ctx: FlowContext, st: FlowState, known?: TriageResult): Reply[] {
  const s = slotsOf(st);
  const step = st.step as Step;
  const result = () => known ?? currentResult(s, ctx);
  if (step === 'answer') return [answerReply(ctx, st, result())];
  if (step === 'same-case') {
    return [reply(`Is this about the same patient as case ${st.caseId ?? ''}, or a new patient? One patient, one case: I won't mix two patients' facts.`, [
      { kind: 'choices', choices: choicesFor('triage', step, SAME_OPTIONS(st.caseId ?? '')) },
    ], 'direct-only')];
  }
  const q = QUESTIONS[step];
  if (step === 'fee') {
    return [reply(q.text(s, ctx), [{
      kind: 'form', id: 'fee', title: 'Fee check', submitLabel: 'Check',
      fields: [
        { name: 'fee', label: 'Fee billed to insurance (USD)', type: 'number', placeholder: '900', required: true },
        { name: 'cashFee', label: 'Usual cash fee (USD)', type: 'number', placeholder: '650', required: true },
      ],
    }], 'direct-only')];
  }
  if (step === 'documents') {
    const items = result().documents.map((d) => ({
      id: d.kind, label: d.label, detail: d.why, checked: d.onHand, toggle: buttonValue('triage', 'documents', `toggle-${d.kind}`),
    }));
    return [reply(q.text(s, ctx), [{ kind: 'checklist', title: `Documents for case ${st.caseId}`, items }, { kind: 'choices', choices: choicesFor('triage', step, q.options(s, ctx)) }], 'direct-only')];
  }
  return [reply(q.text(s, ctx), [{ kind: 'choices', choices: choicesFor('triage', step, q.options(s, ctx)) }], 'direct-only')];
}

function answerReply(ctx: FlowContext, st: FlowState, result: TriageResult): Reply {
  const s = slotsOf(st);
  const medical = MEDICAL_LANES.includes(result.lane);
  const next: Option[] = [];
  if (result.documents.length) next.push({ label: 'Document checklist', value: 'docs' });
  if (medical && !s.facts.diagnoses?.length) next.push({ label: 'Add diagnosis codes', value: 'diagnoses' });
  if (result.documents.length) next.push({ label: 'Mark documents on hand', value: 'documents' });
  if (s.facts.fee === undefined || s.facts.cashFee === undefined) next.push({ label: 'Check the fee', value: 'fee' });
  next.push({ label: 'New case', value: 'new' });
  return reply(`Case ${st.caseId}: ${LANE_LINE[result.lane]}`, [
    ...answerParts(st.caseId ?? '', result),
    { kind: 'triage', caseId: st.caseId ?? '', procedure: procedureName(ctx, s.facts.procedure ?? ''), result },
    { kind: 'choices', choices: choicesFor('triage', 'answer', next) },
    // A medical answer leads on to its letter, its claim and its CMS-1500 (those flows read the case by its ID).
    ...(medical ? [{ kind: 'choices' as const, choices: [
      { label: 'Draft letter', value: `go:letter:${st.caseId ?? ''}` }, { label: 'Track this claim', value: `go:claim:track ${st.caseId ?? ''}` },
      { label: 'Claim form', value: `go:claim:form ${st.caseId ?? ''}` },
    ] }] : []),
  ], 'direct-only');
}

function start(ctx: FlowContext, seed: Seed): Outcome {
  const caseId = seed.caseId ?? ctx.newCaseId();
  let f: Partial<CaseFacts> = { ...seed.facts };
  const lead: string[] = [];
  let checked = false; // the procedure was already checked against what triage knows
  if (seed.text) {
    const known = extractFacts(seed.text, ctx.kn, ctx.today).known;
    f = withNote(mergeFacts(f, known), seed.text);
    const heard = describeFacts(ctx, { ...known, notes: seed.text });
    // No procedure named, but the message as a whole describes one triage knows ("broke #8 in a bike accident"),
    // or says a tooth comes out ("#14 removed").
    if (!f.procedure && seed.text.length <= 200) {
      const whole = parseProcedure(seed.text, ctx);
      const removal = removalProcedure(seed.text);
      if ('value' in whole) {
        f.procedure = whole.value;
        heard.unshift('procedure: as described');
        checked = true;
      } else if (removal) {
        f.procedure = removal;
        heard.unshift(`procedure: ${procedureName(ctx, removal)}`);
        checked = true;
      }
    }
    if (heard.length) lead.push(`Case ${caseId}. I have ${heard.join('; ')}.`);
  }
  if (f.procedure && !checked) {
    const p = parseProcedure(f.procedure, ctx);
    if ('error' in p) {
      lead.push(p.error);
      delete f.procedure;
    }
  }
  // Started from another case (a message that was another patient, or "New case"): "undo" goes back to it.
  const from = seed.from?.caseId ? undoImage(seed.from, '') : undefined;
  return advance(ctx, { facts: f, asked: {}, ...(from ? { undo: from } : {}) }, caseId, lead);
}

function reask(ctx: FlowContext, st: FlowState, problem: string): Outcome {
  const example = st.step === 'same-case' ? '"same" or "new"' : QUESTIONS[st.step as FactStep].example;
  return { state: st, replies: withLead([`${problem} For example: ${example}.`], render(ctx, st)) };
}

/**
 * A typed message. Whether it is about this case's patient is decided first (sameCase), after an answer and
 * while a question is pending alike; `decided` is that decision when the person already made it.
 */
function handleText(ctx: FlowContext, st: FlowState, text: string, decided?: 'same'): Outcome {
  const s = structuredClone(slotsOf(st));
  const step = st.step as Step;
  if (step === 'same-case') {
    if (SAME_WORDS.test(text)) return settleSameCase(ctx, st, 'same');
    if (NEW_WORDS.test(text)) return settleSameCase(ctx, st, 'new');
    return reask(ctx, st, "I couldn't tell whether that is the same patient.");
  }
  const stated = statedFacts(text, s.facts, ctx);
  if (step === 'answer') {
    // Nothing about a case in it ("what documents do I need for…" is another question): route it afresh.
    if (!Object.keys(stated).length && !mentionsCase(ctx, text)) return { state: st, replies: [], unhandled: true };
  }
  const verdict = decided ?? judge(ctx, s.facts, text, stated);
  if (verdict === 'new') return newCase(ctx, st, text);
  if (verdict === 'ask') return askSameCase(ctx, st, text);
  if (step === 'answer') {
    const changed = changedFacts(s.facts, stated);
    const before = s.facts;
    s.facts = withNote(mergeFacts(s.facts, changed), text);
    const lines = describeChanges(ctx, before, s.facts).filter((line) => !line.startsWith('notes'));
    return advance(ctx, s, caseIdOf(st), [lines.length ? `Updated ${lines.join('; ')}.` : `Updated case ${st.caseId} with that.`]);
  }
  const q = QUESTIONS[step];
  const parsed = q.parse(text, s, ctx);
  const others = changedFacts(s.facts, stated);
  // Procedure words of the same kind inside an answer ("swelling, needs the extraction") do not replace the
  // procedure; a code does (it is more precise).
  if (others.procedure && s.facts.procedure && !procedureCodePattern().test(text)) delete others.procedure;
  if (others.procedure) {
    const p = parseProcedure(others.procedure, ctx);
    if ('error' in p) return reask(ctx, st, p.error);
  }
  if ('error' in parsed && !Object.keys(others).length) {
    // A correction that is no answer ("sorry, I meant #9") is kept in the notes, where triage reads it.
    if (isCorrection(text)) return advance(ctx, { ...s, facts: withNote(s.facts, text) }, caseIdOf(st), [`Noted that for case ${st.caseId ?? ''}.`]);
    return reask(ctx, st, parsed.error);
  }
  const set = 'value' in parsed ? parsed.value : {};
  if ('value' in parsed) s.asked[askedKey(st)] = (s.asked[askedKey(st)] ?? 0) + 1;
  const validated = CaseFactsSchema.partial().safeParse(applyAnswer(mergeFacts(s.facts, others), set));
  if (!validated.success) return reask(ctx, st, `That does not fit (${describeZodError(validated.error)}).`);
  s.facts = withNote(validated.data, text);
  const heard = describeChanges(ctx, slotsOf(st).facts, s.facts).filter((line) => !line.startsWith('notes'));
  return advance(ctx, s, caseIdOf(st), heard.length ? [`Noted ${heard.join('; ')}.`] : []);
}

function handleButton(ctx: FlowContext, st: FlowState, value: string): Outcome {
  const s = structuredClone(slotsOf(st));
  const step = st.step as Step;
  if (step === 'same-case') return value === 'same' || value === 'new' ? settleSameCase(ctx, st, value) : unknownButton(ctx, st);
  if (step === 'answer') {
    switch (value) {
      case 'docs': return { state: st, replies: [], next: { flow: 'docs', seed: { facts: s.facts, caseId: st.caseId } } };
      case 'new': return start(ctx, { from: st });
      case 'diagnoses': return show(ctx, state('diagnoses', s, caseIdOf(st)));
      case 'documents': return show(ctx, state('documents', s, caseIdOf(st)));
      case 'fee': s.wantFee = true; return advance(ctx, s, caseIdOf(st));
      default: return unknownButton(ctx, st);
    }
  }
  const q = QUESTIONS[step];
  const set = q.press?.(value, s, ctx);
  if (!set) return unknownButton(ctx, st);
  s.facts = applyAnswer(s.facts, set);
  // A pressed reason is the person's statement, as if typed: triage reads it in the notes as evidence.
  const reason = step === 'cause' && set.cause !== 'unknown' ? labelOf(CAUSE_OPTIONS, set.cause) : undefined;
  if (reason) s.facts = withNote(s.facts, `reason: ${reason.toLowerCase()}`);
  // Ticking a document keeps the checklist open until Done.
  if (step === 'documents' && value !== 'done') return show(ctx, state('documents', s, caseIdOf(st)));
  // "Not sure" is an answer: that question is not asked again; the answer says what is still missing.
  const notSure = value === 'unsure' || (step === 'cause' && value === 'unknown');
  s.asked[askedKey(st)] = notSure ? MAX_ASKS : (s.asked[askedKey(st)] ?? 0) + 1;
  return advance(ctx, s, caseIdOf(st));
}

/** Moves to a step and asks its question. */
function show(ctx: FlowContext, next: FlowState): Outcome {
  return { state: next, replies: render(ctx, next) };
}

function unknownButton(ctx: FlowContext, st: FlowState): Outcome {
  return { state: st, replies: withLead(["I don't recognise that button."], render(ctx, st)) };
}

function handleForm(ctx: FlowContext, st: FlowState, form: string, values: Record<string, string>): Outcome {
  if (st.step !== 'fee' || form !== 'fee') return { state: st, replies: withLead(['That form is from an earlier question.'], render(ctx, st)) };
  const parsed = FeeForm.safeParse(values);
  if (!parsed.success) return reask(ctx, st, `The fee form did not fit: ${describeZodError(parsed.error)}.`);
  const s = structuredClone(slotsOf(st));
  s.facts = mergeFacts(s.facts, parsed.data);
  s.asked.fee = (s.asked.fee ?? 0) + 1;
  return advance(ctx, s, caseIdOf(st));
}

/** The steps a case can be at between turns: where a held message and an undo return to. */
const CASE_STEPS = ['procedure', 'cause', 'coverage', 'combined', 'payer', 'notes', 'confirm', 'diagnoses', 'documents', 'fee', 'answer'] as const satisfies readonly Step[];
const STEPS = [...CASE_STEPS, 'same-case'] as const satisfies readonly Step[];

function handleInput(ctx: FlowContext, st: FlowState, input: FlowInput): Outcome {
  if (input.kind === 'text') return handleText(ctx, st, input.text);
  if (input.kind === 'form') return handleForm(ctx, st, input.form, input.values);
  if (input.step !== st.step) return { state: st, replies: withLead(['That button was for an earlier question. Here is where we are:'], render(ctx, st)) };
  return handleButton(ctx, st, input.value);
}

const CaseSlotsSchema = z.object({
  facts: CaseFactsSchema.partial(),
  asked: z.record(z.string(), z.number().int().nonnegative()),
  pending: z.string().optional(),
  wantFee: z.boolean().optional(),
});

export const triageFlow: Flow = {
  id: 'triage',
  version: 2,
  title: 'Is this medical first?',
  // "new case" starts a triage from anywhere, also from inside a lookup.
  commands: [/^\s*\/?(?:triage|case|(?:start\s+)?(?:a\s+)?new\s+case)\b[:\s]*/i],
  menu: { label: 'Is this medical first?', example: '"pt broke #8 in a bike accident, BCBS medical + Delta dental"', words: ['new case'] },
  stateSchema: stateSchema(STEPS, CaseSlotsSchema.extend({
    held: z.object({ text: z.string().max(MAX_TEXT_CHARS), step: z.enum(CASE_STEPS) }).optional(),
    lane: z.enum(LANES).optional(),
    undo: z.object({ caseId: z.string().regex(/^C-[A-Z0-9]{5}$/), step: z.enum(CASE_STEPS), slots: CaseSlotsSchema, change: z.string().max(2000) }).optional(),
  })),
  examples: ['is this medical first', 'should I bill medical', 'bill medical or dental', 'which insurance do I bill', 'check a case', 'triage a case', 'medical insurance for this procedure'],
  // A message that names a procedure, a cause, an insurance or a diagnosis is a case; a code on its own is a lookup.
  recognise(ctx, text) {
    if (bareCode(text)) return undefined;
    const known = extractFacts(text, ctx.kn).known;
    return known.procedure || known.cause || known.coverage || known.diagnoses ? { text } : undefined;
  },
  start,
  handle(ctx, st, input: FlowInput) {
    if (input.kind === 'text' && UNDO.test(input.text)) return undo(ctx, st);
    return rememberChange(ctx, st, handleInput(ctx, st, input));
  },
  prompt: (ctx, st) => render(ctx, st),
  why(ctx, st) {
    if (st.step === 'answer') return 'That is the answer for this case. Change any fact ("actually it is a combined plan") and I will work it out again.';
    if (st.step === 'same-case') return "A case is one patient's: two patients' facts in one case make a wrong claim. Your message could be about this case's patient or another one, and I could not tell which.";
    return QUESTIONS[st.step as FactStep].why;
  },
};
