/**
 * "Draft an LMN for C-7K3Q9" (or "letter for C-7K3Q9", or "Draft letter" under a triage answer): the letter of
 * medical necessity for a case, from the template for its kind of procedure (knowledge/letters/). The flow asks
 * only for the clinical facts the template still needs (never who the patient is: the letter has placeholders
 * for that), then hands over the draft as text and as a .docx, to the requester alone. The draft's facts are
 * kept by case ID: "letter for C-7K3Q9" works the next day, and "change the AHI to 24" regenerates it.
 */
import { z } from 'zod';
import { choicesFor, stateSchema, type FlowState, type Outcome } from '../src/engine/flow.js';
import { type Flow, type FlowContext } from './context.js';
import { reply, type Reply } from '../src/engine/model.js';
import type { CaseFacts } from '../src/knowledge/facts.js';
import { MEDICAL_PAYERS } from '../src/knowledge/vocabulary.js';
import { missingFacts, validateFactValue } from '../src/letters/fact-values.js';
import type { FactDef, LetterTemplate } from '../src/letters/templates.js';
import { caseIdIn } from '../src/case-id.js';
import { PAYER_OPTIONS, parsePayer, procedureKind } from './common.js';

const STEPS = ['which', 'payer', 'fact', 'done'] as const;
type Step = (typeof STEPS)[number];

const SlotsSchema = z.object({
  templateId: z.string().optional(),
  payerKind: z.enum(MEDICAL_PAYERS).optional(),
  values: z.record(z.string(), z.string()).default({}),
  asking: z.string().optional(),
});
type Slots = z.infer<typeof SlotsSchema>;

const state = (step: Step, slots: Slots, caseId?: string): FlowState => ({ step, slots, ...(caseId ? { caseId } : {}) });
const slotsOf = (st: FlowState): Slots => SlotsSchema.parse(st.slots);

const ASK_WHICH = 'Which case is the letter for? Type its case ID (e.g. "letter for C-7K3Q9"), or triage the case first: the letter is built from its answer.';

function askWhich(ctx: FlowContext, lead = ''): Outcome {
  const recent = ctx.recentCases?.() ?? [];
  const choices = recent.slice(0, 5).map((c) => ({ label: `${c.caseId}: ${c.procedure}`, value: c.caseId }));
  return { state: state('which', { values: {} }), replies: [reply(`${lead}${ASK_WHICH}`, choices.length ? [{ kind: 'choices', choices: choicesFor('letter', 'which', choices) }] : [], 'direct-only')] };
}

/** The question for one fact, with buttons where the answers are few. */
function askFact(fact: FactDef, caseId: string, problem?: string): Reply {
  const lead = problem ? `${problem} ` : '';
  const parts: Reply['parts'] = [];
  if (fact.type === 'yes-no') parts.push({ kind: 'choices', choices: choicesFor('letter', 'fact', [{ label: 'Yes', value: 'yes' }, { label: 'No', value: 'no' }]) });
  if (fact.type === 'choice') parts.push({ kind: 'choices', choices: choicesFor('letter', 'fact', fact.options.map((o) => ({ label: o.label, value: o.value }))) });
  return reply(`${lead}Letter for case ${caseId}: ${fact.ask}`, parts, 'direct-only');
}

/** "letter for the sleep appliance case": the person's most recent case of the kind of procedure the words name. */
function recentCaseOfKind(ctx: FlowContext, text: string): string | undefined {
  const kind = text.trim() ? procedureKind(ctx, text) : undefined;
  if (!kind) return undefined;
  return ctx.recentCases?.().find((c) => {
    const procedure = (ctx.caseFile(c.caseId)?.facts as Partial<CaseFacts> | undefined)?.procedure;
    return procedure !== undefined && procedureKind(ctx, procedure)?.id === kind.id;
  })?.caseId;
}

/** Starts (or resumes) the letter for a case: what the case and any saved draft already say, then the next question. */
function begin(ctx: FlowContext, caseId: string): Promise<Outcome> | Outcome {
  const file = ctx.caseFile(caseId);
  if (!file) return { replies: [reply(`I have no case ${caseId}. Triage the case first ("should I bill medical for …"): the letter is built from its answer.`, [], 'direct-only')] };
  const start = ctx.letters.forCase(caseId, file.facts as Partial<CaseFacts>, ctx.kn, ctx.codes, ctx.directory, ctx.today());
  if ('problem' in start) return { replies: [reply(start.problem, [], 'direct-only')] };
  return advance(ctx, caseId, { templateId: start.template.id, values: start.values, ...(start.payerKind ? { payerKind: start.payerKind } : {}) });
}

/** The next question, or the letter when nothing required is missing. */
async function advance(ctx: FlowContext, caseId: string, slots: Slots, lead = ''): Promise<Outcome> {
  const template = slots.templateId ? ctx.letters.templateById(slots.templateId) : undefined;
  if (!template) return askWhich(ctx);
  if (!slots.payerKind) {
    return { state: state('payer', slots, caseId), replies: [reply(`${lead}Letter for case ${caseId}: which kind of medical plan is it going to? (The letter answers that payer's criteria.)`, [{ kind: 'choices', choices: choicesFor('letter', 'payer', PAYER_OPTIONS) }], 'direct-only')] };
  }
  const next = missingFacts(template, slots.values, slots.payerKind)[0];
  if (next) {
    const r = askFact(next, caseId);
    return { state: state('fact', { ...slots, asking: next.id }, caseId), replies: [lead ? { ...r, text: `${lead}${r.text}` } : r] };
  }
  return deliver(ctx, caseId, template, slots, lead);
}

async function deliver(ctx: FlowContext, caseId: string, template: LetterTemplate, slots: Slots, lead: string): Promise<Outcome> {
  const start = ctx.letters.forCase(caseId, (ctx.caseFile(caseId)?.facts ?? {}) as Partial<CaseFacts>, ctx.kn, ctx.codes, ctx.directory, ctx.today());
  const codes = 'problem' in start ? { procedures: [], diagnoses: [] } : start;
  const payerKind = slots.payerKind ?? 'commercial';
  const payer = ctx.claims.get(caseId)?.payer;
  const letter = await ctx.letters.finish({ caseId, template, values: slots.values, payerKind, procedures: codes.procedures, diagnoses: codes.diagnoses, today: ctx.today(), ...(payer ? { payer } : {}) });
  const stated = letter.draft.facts.map((f) => ({ label: f.label, value: f.value }));
  const owner = ctx.place ? `${ctx.place.platform}:${ctx.place.user}` : 'unknown';
  return {
    state: state('done', { ...slots, payerKind }, caseId),
    replies: [
      reply(`${lead}Letter of medical necessity for case ${caseId} (${template.title}): a draft to read, edit and sign. ${letter.narrativeNote} The office fills in the patient, date of birth, member ID, provider and date in its own system: medbill never needs them. To change a fact, type e.g. "change the AHI to 24".`, [
        { kind: 'facts', title: 'What the letter states', rows: stated },
        { kind: 'document', title: `Letter for case ${caseId}`, filename: `LMN-${caseId}.txt`, body: letter.text },
        { kind: 'file', name: `LMN-${caseId}.docx`, mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', base64: letter.docx.toString('base64') },
      ], 'direct-only'),
    ],
    effects: [() => {
      ctx.letters.save({ caseId, templateId: template.id, templateVersion: template.version, facts: slots.values, ...(letter.narrative ? { narrative: letter.narrative } : {}), owner, updatedAt: ctx.now() });
      return true;
    }],
  };
}

/**
 * "change the AHI to 24", "set pap trial to no": the fact named (by its label or id) and its new value;
 * "change the appliance" alone: the fact, to be asked again (raw undefined).
 */
function changeRequest(template: LetterTemplate, text: string): { fact: FactDef; raw?: string } | undefined {
  const m = /^\s*(?:please\s+)?(?:change|set|make|update|correct)\s+(?:the\s+)?(.+?)\s+(?:to|=|:)\s+(.+?)\s*\.?\s*$/i.exec(text)
    ?? /^\s*(?:please\s+)?(?:change|update|correct)\s+(?:the\s+)?(.+?)\s*\.?\s*$/i.exec(text);
  if (!m) return undefined;
  const [, name = '', raw] = m;
  const wanted = name.toLowerCase();
  const fact = template.facts.find((f) => f.id.toLowerCase() === wanted)
    ?? template.facts.find((f) => f.label.toLowerCase().includes(wanted))
    ?? template.facts.find((f) => wanted.split(/\s+/).every((w) => f.label.toLowerCase().includes(w)));
  return fact ? { fact, raw } : undefined;
}

async function answer(ctx: FlowContext, st: FlowState, raw: string): Promise<Outcome> {
  const s = slotsOf(st);
  const caseId = st.caseId ?? '';
  const template = s.templateId ? ctx.letters.templateById(s.templateId) : undefined;
  const fact = template?.facts.find((f) => f.id === s.asking);
  if (!template || !fact) return askWhich(ctx);
  const checked = validateFactValue(fact, raw, ctx.today());
  if (!checked.ok) return { state: st, replies: [askFact(fact, caseId, checked.problem)] };
  return advance(ctx, caseId, { ...s, values: { ...s.values, [fact.id]: checked.value } });
}

export const letterFlow: Flow = {
  id: 'letter',
  version: 1,
  title: 'Letter of medical necessity',
  // "letter for …", "draft an LMN", "letter C-7K3Q9": not "letter from the surgeon says…", which is a case.
  commands: [/^\s*\/?(?:(?:draft|write|make)\s+(?:a\s+|an\s+|the\s+)?)?(?:lmn|letters?(?:\s+of\s+medical\s+necessity)?|medical\s+necessity\s+letter)(?=\s*(?:for\b|C-|$))(?:\s+for)?[:\s]*/i],
  menu: { label: 'Draft a letter', example: '"letter for C-7K3Q9": a letter of medical necessity from the case', words: ['draft a letter'] },
  stateSchema: stateSchema(STEPS, SlotsSchema as z.ZodType<Record<string, unknown>>),
  examples: ['draft a letter of medical necessity', 'write an lmn', 'medical necessity letter', 'letter for the case'],
  start(ctx, seed) {
    const caseId = seed.caseId ?? caseIdIn(seed.text ?? '') ?? recentCaseOfKind(ctx, seed.text ?? '');
    return caseId ? begin(ctx, caseId) : askWhich(ctx);
  },
  async handle(ctx, st, input) {
    const s = slotsOf(st);
    const caseId = st.caseId ?? '';
    if (input.kind === 'button') {
      if (input.step === 'which' && st.step === 'which') return begin(ctx, input.value);
      if (input.step === 'payer' && st.step === 'payer') {
        const kind = MEDICAL_PAYERS.find((k) => k === input.value);
        if (kind) return advance(ctx, caseId, { ...s, payerKind: kind });
      }
      if (input.step === 'fact' && st.step === 'fact') return answer(ctx, st, input.value);
      return { state: st, replies: [reply('That button belongs to an earlier question.', [], 'direct-only'), ...letterFlow.prompt(ctx, st)] };
    }
    if (input.kind === 'form') return { state: st, replies: letterFlow.prompt(ctx, st) };
    const text = input.text;
    const named = caseIdIn(text);
    if (st.step === 'which') return named ? begin(ctx, named) : { state: st, replies: [], unhandled: true };
    if (st.step === 'payer') {
      const kind = parsePayer(text, ctx);
      return kind ? advance(ctx, caseId, { ...s, payerKind: kind }) : { state: st, replies: letterFlow.prompt(ctx, st) };
    }
    if (st.step === 'fact') return answer(ctx, st, text);
    // The letter is out: a change regenerates it; anything else is another question.
    const template = s.templateId ? ctx.letters.templateById(s.templateId) : undefined;
    const change = template ? changeRequest(template, text) : undefined;
    if (!template || !change) return { state: st, replies: [], unhandled: true };
    // Asked again: its answer is screened as that question's (a product's name keeps its capitals).
    if (change.raw === undefined) return { state: state('fact', { ...s, asking: change.fact.id }, caseId), replies: [askFact(change.fact, caseId)] };
    const checked = validateFactValue(change.fact, change.raw, ctx.today());
    if (!checked.ok) {
      const names = change.fact.type === 'text' && /\[name removed\]/.test(change.raw) ? change.fact.names : undefined;
      const how = names ? ` To give a ${names} name with capitals, type "change the ${change.fact.label.toLowerCase()}" alone and answer its question.` : '';
      return { state: st, replies: [reply(`${checked.problem} (${change.fact.label})${how}`, [], 'direct-only')] };
    }
    return advance(ctx, caseId, { ...s, values: { ...s.values, [change.fact.id]: checked.value } }, `Changed: ${change.fact.label}. `);
  },
  prompt(ctx, st) {
    const s = slotsOf(st);
    const caseId = st.caseId ?? '';
    const template = s.templateId ? ctx.letters.templateById(s.templateId) : undefined;
    const fact = template?.facts.find((f) => f.id === s.asking);
    if (st.step === 'fact' && fact) return [askFact(fact, caseId)];
    if (st.step === 'payer') return [reply(`Letter for case ${caseId}: which kind of medical plan is it going to?`, [{ kind: 'choices', choices: choicesFor('letter', 'payer', PAYER_OPTIONS) }], 'direct-only')];
    if (st.step === 'done') return [reply(`The letter for case ${caseId} is drafted. Type "change the … to …" to change a fact, or "letter for ${caseId}" to get it again.`, [], 'direct-only')];
    return [reply(ASK_WHICH, [], 'direct-only')];
  },
  answerNames(ctx, st) {
    if (st.step !== 'fact') return undefined;
    const s = slotsOf(st);
    const fact = s.templateId ? ctx.letters.templateById(s.templateId)?.facts.find((f) => f.id === s.asking) : undefined;
    return fact?.type === 'text' ? fact.names : undefined;
  },
  why: (_ctx, st) => (st.step === 'fact'
    ? 'A reviewer approves a letter that answers the payer\'s criteria with the case\'s own facts; this is one the template needs.'
    : 'The letter is built from a triaged case: its codes, its facts and the template for its kind of procedure.'),
};

