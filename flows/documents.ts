/**
 * "What documents do I need?" For a procedure and a kind of medical payer, the checklist that payer will
 * want, each item with what it must contain, marked have / need. Ticking an item updates the list.
 */
import { buttonValue, choicesFor, stateSchema, type FlowState, type Outcome, type Seed } from '../src/engine/flow.js';
import { type Flow, type FlowContext } from './context.js';
import { reply, type Reply } from '../src/engine/model.js';
import { z } from 'zod';
import { CaseFactsSchema, type CaseFacts } from '../src/knowledge/facts.js';
import { extractFacts } from '../src/knowledge/extract.js';
import { triage } from '../src/knowledge/triage.js';
import { DOCUMENT_KINDS, type DocumentKind } from '../src/knowledge/vocabulary.js';
import { COMMON_PROCEDURES, PAYER_OPTIONS, labelOf, mergeFacts, parsePayer, parseProcedure, procedureName } from './common.js';

type Step = 'procedure' | 'payer' | 'checklist';
interface Slots { facts: Partial<CaseFacts>; payerAsked?: boolean }

const slotsOf = (st: FlowState) => st.slots as unknown as Slots;
const make = (step: Step, slots: Slots, caseId?: string): FlowState => ({ step, slots: slots as unknown as Record<string, unknown>, ...(caseId ? { caseId } : {}) });
const PAYER_CHOICES = [...PAYER_OPTIONS, { label: 'Not sure', value: 'unsure' }];

/** The medical claim's paperwork, as triage lists it for these facts (coverage as given, or just the payer kind). */
function checklist(ctx: FlowContext, s: Slots, procedure: string) {
  return triage({ ...s.facts, procedure } as CaseFacts, ctx.kn, { directory: ctx.directory, today: ctx.today() });
}

function advance(ctx: FlowContext, s: Slots, caseId?: string, lead = ''): Outcome {
  const procedure = s.facts.procedure;
  const step: Step = !procedure ? 'procedure' : !s.facts.coverage?.medicalPayer && !s.payerAsked ? 'payer' : 'checklist';
  const st = make(step, s, caseId);
  const replies = render(ctx, st);
  if (lead && replies[0]) replies[0] = { ...replies[0], text: `${lead}\n${replies[0].text}` };
  const ended = step === 'checklist' && procedure !== undefined && checklist(ctx, s, procedure).documents.length === 0;
  return ended ? { replies } : { state: st, replies };
}

/** Always one reply at least: `again` puts its problem in front of the first. */
function render(ctx: FlowContext, st: FlowState): [Reply, ...Reply[]] {
  const s = slotsOf(st);
  const privacy = st.caseId ? 'direct-only' : 'any';
  if (st.step === 'procedure') {
    return [reply('Documents for which procedure? Pick one, or type a code or the procedure in words.', [{ kind: 'choices', choices: choicesFor('docs', 'procedure', COMMON_PROCEDURES) }], privacy)];
  }
  if (st.step === 'payer') {
    return [reply('Which kind of medical plan will the claim go to?', [{ kind: 'choices', choices: choicesFor('docs', 'payer', PAYER_CHOICES) }], privacy)];
  }
  // advance() reaches the checklist only with a procedure: a checklist state without one is a bug, not a question.
  const procedure = s.facts.procedure;
  if (procedure === undefined) throw new Error('docs: a checklist state without a procedure');
  const result = checklist(ctx, s, procedure);
  const payer = labelOf(PAYER_OPTIONS, s.facts.coverage?.medicalPayer);
  const title = `Documents for a ${payer ? `${payer} ` : ''}medical claim: ${procedureName(ctx, procedure)}`;
  if (!result.documents.length) {
    return [reply(`${title}\nFor this case a medical claim is not expected (lane: ${result.lane}), so there is no medical checklist. Run triage to see why.`, [
      { kind: 'choices', choices: [{ label: 'Triage this case', value: 'go:triage' }] },
    ], privacy)];
  }
  const have = result.documents.filter((d) => d.onHand).length;
  const items = result.documents.map((d) => ({ id: d.kind, label: d.label, detail: d.why, checked: d.onHand, toggle: buttonValue('docs', 'checklist', `toggle-${d.kind}`) }));
  const missing = result.documents.filter((d) => !d.onHand).map((d) => d.label);
  return [reply(`${title}\n${have} of ${result.documents.length} on hand.${missing.length ? ` Still needed: ${missing.join('; ')}.` : ' Everything is on hand.'}`, [
    { kind: 'checklist', title, items },
    { kind: 'choices', choices: choicesFor('docs', 'checklist', [{ label: 'Done', value: 'done' }, { label: 'Triage this case', value: 'triage' }]) },
  ], privacy)];
}

function start(ctx: FlowContext, seed: Seed): Outcome {
  let facts: Partial<CaseFacts> = { ...seed.facts };
  let lead = '';
  if (seed.text) {
    const known = extractFacts(seed.text, ctx.kn).known;
    facts = mergeFacts(facts, known);
    if (known.procedure) {
      const p = parseProcedure(known.procedure, ctx);
      if ('error' in p) {
        lead = p.error;
        delete facts.procedure;
      }
    }
  }
  return advance(ctx, { facts }, seed.caseId, lead);
}

function toggle(s: Slots, kind: DocumentKind): Slots {
  const have = new Set(s.facts.documentsOnHand ?? []);
  if (have.has(kind)) have.delete(kind);
  else have.add(kind);
  return { ...s, facts: { ...s.facts, documentsOnHand: [...have] } };
}

export const documentsFlow: Flow = {
  id: 'docs',
  version: 1,
  title: 'What documents do I need?',
  commands: [/^\s*\/?(?:docs|documents|what (?:documents|docs|paperwork)(?: do i need| are needed)?|paperwork|checklist)\b(?:\s+(?:for|do i need for|needed for))?[:\s]*/i],
  menu: { label: 'What documents do I need?', example: '"docs for a sleep apnea appliance, Medicare"', words: ['what documents do I need'] },
  stateSchema: stateSchema(['procedure', 'payer', 'checklist'], z.object({ facts: CaseFactsSchema.partial(), payerAsked: z.boolean().optional() })),
  examples: ['what documents do I need', 'what paperwork does medical want', 'document checklist', 'what do I send with the claim', 'docs for a claim'],
  start,
  handle(ctx, st, input) {
    const s = slotsOf(st);
    const again = (problem: string): Outcome => {
      const replies = render(ctx, st);
      replies[0] = { ...replies[0], text: `${problem}\n${replies[0].text}` };
      return { state: st, replies };
    };
    if (input.kind === 'form') return again('That form is not part of this checklist.');
    if (input.kind === 'button') {
      if (input.step !== st.step) return again('That button was for an earlier question. Here is where we are:');
      if (st.step === 'procedure') {
        return COMMON_PROCEDURES.some((o) => o.value === input.value) ? advance(ctx, { ...s, facts: { ...s.facts, procedure: input.value } }, st.caseId) : again("I don't recognise that button.");
      }
      if (st.step === 'payer') {
        if (input.value === 'unsure') return advance(ctx, { ...s, payerAsked: true }, st.caseId);
        const payer = PAYER_OPTIONS.find((p) => p.value === input.value)?.value;
        return payer ? advance(ctx, { ...s, facts: mergeFacts(s.facts, { coverage: { medicalPayer: payer } }) }, st.caseId) : again("I don't recognise that button.");
      }
      if (input.value === 'done') return { replies: [reply('Done. The checklist stays as ticked if you come back to this case.', [], 'any')] };
      if (input.value === 'triage') return { state: st, replies: [], next: { flow: 'triage', seed: { facts: s.facts, ...(st.caseId ? { caseId: st.caseId } : {}) } } };
      const kind = input.value.replace(/^toggle-/, '') as DocumentKind;
      if (!input.value.startsWith('toggle-') || !DOCUMENT_KINDS.includes(kind)) return again("I don't recognise that button.");
      return { state: make('checklist', toggle(s, kind), st.caseId), replies: render(ctx, make('checklist', toggle(s, kind), st.caseId)) };
    }
    const text = input.text;
    if (st.step === 'procedure') {
      const p = parseProcedure(text, ctx);
      return 'error' in p ? again(`${p.error} For example: "D7240" or "sleep apnea appliance".`) : advance(ctx, { ...s, facts: { ...s.facts, procedure: p.value } }, st.caseId);
    }
    if (st.step === 'payer') {
      const payer = parsePayer(text, ctx);
      if (/\b(not sure|unsure|don'?t know|skip)\b/i.test(text)) return advance(ctx, { ...s, payerAsked: true }, st.caseId);
      return payer ? advance(ctx, { ...s, facts: mergeFacts(s.facts, { coverage: { medicalPayer: payer } }) }, st.caseId) : again("I couldn't tell the kind of medical plan. For example: \"Medicare\" or \"commercial\".");
    }
    if (/^\s*(done|that's all|thanks?)\b/i.test(text)) return { replies: [reply('Done.', [], 'any')] };
    const docs = extractFacts(`have ${text}`, ctx.kn).known.documentsOnHand;
    if (!docs) return { state: st, replies: [], unhandled: true };
    const next = { ...s, facts: { ...s.facts, documentsOnHand: [...new Set([...(s.facts.documentsOnHand ?? []), ...docs])] } };
    return { state: make('checklist', next, st.caseId), replies: render(ctx, make('checklist', next, st.caseId)) };
  },
  prompt: render,
  why(_ctx, st) {
    if (st.step === 'procedure') return 'Each procedure has its own medical policy and paperwork.';
    if (st.step === 'payer') return 'Medicare, Medicaid and commercial plans ask for different things (Medicare, for example, wants the sleep study to show the AHI).';
    return 'A medical claim without these is the most common reason for a denial; tick what you have and the list shows what is missing.';
  },
};
