/** Pieces the case flows share: the options offered as buttons and the readers of typed answers. */
import { isFiscalYearOnly } from '../src/knowledge/service-date.js';
import { fiscalYearOf } from '../src/knowledge/icd10-valid.js';
import type { FlowContext } from './context.js';
import type { CaseFacts } from '../src/knowledge/facts.js';
import { extractFacts } from '../src/knowledge/extract.js';
import { procedureKindOf } from '../src/knowledge/procedure-kind.js';
import { procedureRecognized } from '../src/knowledge/triage.js';
import { isNegatedAt, tokenize, type Tokens } from '../src/knowledge/text.js';
import { isProcedureCode, normalizeCode } from '../src/knowledge/codes.js';
import type { Cause, MedicalPayer } from '../src/knowledge/vocabulary.js';
import type { ClaimPayerKind } from '../src/knowledge/vocabulary.js';

export interface Option { label: string; value: string }

/** The procedures practices ask about most (domain.md §1), each a code or words triage recognises. */
export const COMMON_PROCEDURES: Option[] = [
  { label: 'Impacted wisdom tooth removal', value: 'D7240' },
  { label: 'Tooth extraction', value: 'D7140' },
  { label: 'Sleep apnea appliance', value: 'E0486' },
  { label: 'Biopsy of a lesion', value: 'biopsy of oral lesion' },
  { label: 'Incision and drainage', value: 'incision and drainage of abscess' },
  { label: 'Jaw fracture repair', value: 'closed reduction of mandible fracture' },
  { label: 'TMJ splint', value: 'D7880' },
  { label: 'CBCT scan', value: 'D0367' },
  { label: 'Implant', value: 'implant' },
  { label: 'Frenectomy', value: 'frenectomy' },
];

export const CAUSE_OPTIONS: (Option & { value: Cause; words: RegExp })[] = [
  { label: 'Accident or injury', value: 'trauma', words: /\b(trauma|accident|injur\w*|fell|fall|hit|knocked)\b/i },
  { label: 'Infection or abscess', value: 'infection', words: /\b(infect\w*|abscess\w*|swell\w*|cellulitis)\b/i },
  { label: 'Impacted, no infection or cyst', value: 'impaction', words: /\b(impact(ed|ion)|impactd)\b/i },
  { label: 'Lesion, cyst or tumor', value: 'pathology', words: /\b(patholog\w*|lesion|cyst|tumou?r|mass|growth)\b/i },
  { label: 'Sleep apnea', value: 'sleep-apnea', words: /\b(sleep[- ]?apnea|osa|apnea)\b/i },
  { label: 'TMJ / jaw joint', value: 'tmj', words: /\b(tmj|tmd|jaw joint|temporomandibular)\b/i },
  { label: 'Clearance for medical treatment', value: 'medical-clearance', words: /\b(clearance|transplant|chemo\w*|radiation|valve|dialysis)\b/i },
  { label: 'Decay', value: 'decay', words: /\b(decay|cavit\w*|caries)\b/i },
  { label: 'Routine or elective', value: 'routine', words: /\b(routine|elective|preventive|prophylactic)\b/i },
  { label: 'Not sure', value: 'unknown', words: /\b(not sure|unsure|don'?t know|dunno|unknown|no idea)\b/i },
];
/** Causes typed but not offered as buttons, to keep the buttons few. */
const MORE_CAUSES: { value: Cause; words: RegExp }[] = [
  { value: 'congenital', words: /\b(congenital|birth defect|cleft|tongue[- ]tie|ankyloglossia)\b/i },
  { value: 'systemic-condition', words: /\b(systemic|diabet\w*|pregnan\w*|heart disease)\b/i },
  { value: 'cosmetic', words: /\b(cosmetic|esthetic|aesthetic|whitening|veneers?)\b/i },
];

export const PAYER_OPTIONS: (Option & { value: MedicalPayer; words: RegExp })[] = [
  { label: 'Medicare', value: 'medicare', words: /^\s*(original |traditional )?medicare( part b)?\s*$/i },
  { label: 'Medicare Advantage', value: 'medicare-advantage', words: /\b(medicare advantage|advantage|part c|ma plan)\b/i },
  { label: 'Medicaid', value: 'medicaid', words: /\b(medicaid|medi-cal|chip)\b/i },
  { label: 'Commercial', value: 'commercial', words: /\b(commercial|employer|private|marketplace|exchange|ppo|hmo)\b/i },
  { label: 'TRICARE', value: 'tricare', words: /\b(tricare|military)\b/i },
  { label: 'Other', value: 'other', words: /\b(other|va|workers'? comp|auto)\b/i },
];

/**
 * Who a claim goes to: the kinds of medical plan, and the insurers that pay first for an injury (each has its own
 * filing and appeal limits in knowledge/followup.json). Typed words are read injury insurers first ("Progressive
 * auto" is auto, not a commercial plan).
 */
const INJURY_PAYER_OPTIONS: (Option & { value: ClaimPayerKind; words: RegExp })[] = [
  { label: 'Auto (no-fault, PIP)', value: 'auto', words: /\b(auto|automobile|no[- ]fault|pip|med[- ]?pay|car insurance)\b/i },
  { label: "Workers' comp", value: 'workers-comp', words: /\b(workers?'?s? comp\w*|work comp|wc)\b/i },
  { label: 'Liability', value: 'liability', words: /\b(liability|third[- ]party)\b/i },
];
export const CLAIM_PAYER_OPTIONS: (Option & { value: ClaimPayerKind; words: RegExp })[] = [
  ...PAYER_OPTIONS.filter((o) => o.value !== 'other'),
  ...INJURY_PAYER_OPTIONS,
  // The dental plan a medical-first case bills after the medical EOB (the -D claim medbill opens itself).
  { label: 'Dental plan', value: 'dental', words: /\bdental\s+(?:plan|insurance|ppo|hmo)\b/i },
  { label: 'Other', value: 'other', words: /\b(other|va|champva)\b/i },
];

/** The kind of payer a claim goes to, from typed words: an injury insurer, else a medical plan as parsePayer reads it. */
export function parseClaimPayer(text: string, ctx: FlowContext): ClaimPayerKind | undefined {
  return INJURY_PAYER_OPTIONS.find((p) => p.words.test(text))?.value ?? parsePayer(text, ctx);
}

export function labelOf(options: readonly Option[], value: string | undefined): string | undefined {
  return options.find((o) => o.value === value)?.label;
}

/**
 * A typed reason: the extractor's reading first (it weighs infection or a cyst above an impaction), then the
 * answer words. A word said not to apply ("no trauma", "not infected") is no answer.
 */
export function parseCause(text: string, ctx: FlowContext): Cause | undefined {
  const extracted = extractFacts(text, ctx.kn).known.cause;
  if (extracted) return extracted;
  const tokens = tokenize(text);
  return [...CAUSE_OPTIONS, ...MORE_CAUSES].find((c) => {
    const m = c.words.exec(text);
    return m !== null && (c.value === 'unknown' || !isNegatedAt(tokens, wordIndexAt(tokens, m.index)));
  })?.value;
}

function wordIndexAt(tokens: Tokens, offset: number): number {
  let i = 0;
  while (i + 1 < tokens.starts.length && (tokens.starts[i + 1] ?? Infinity) <= offset) i++;
  return i;
}

export function parsePayer(text: string, ctx: FlowContext): MedicalPayer | undefined {
  return PAYER_OPTIONS.find((p) => p.words.test(text))?.value ?? extractFacts(text, ctx.kn).known.coverage?.medicalPayer;
}

export type Parsed<T> = { value: T } | { error: string };

/** A procedure as a known code or words triage recognises; an unknown code is named, never guessed. */
export function parseProcedure(text: string, ctx: FlowContext): Parsed<string> {
  const trimmed = text.trim();
  for (const token of trimmed.split(/[\s,;]+/)) {
    if (!isProcedureCode(token)) continue;
    if (!ctx.codes.exact(token)) return { error: `I don't know the code ${normalizeCode(token)}: it is not in medbill's code tables.` };
  }
  const known = extractFacts(trimmed, ctx.kn).known.procedure;
  if (known) return { value: known };
  if (trimmed.length > 0 && trimmed.length <= 200 && recognizedProcedure(ctx, trimmed)) return { value: trimmed };
  return { error: "I couldn't tell which procedure that is." };
}

/**
 * A procedure as medbill recognised it: the code, or the name of the kind of procedure the knowledge base
 * matched. Never the words as typed: they can carry anything, including what the scrubber missed.
 */
export function procedureName(ctx: FlowContext, procedure: string): string {
  for (const token of procedure.trim().split(/[\s,;]+/)) {
    if (isProcedureCode(token) && ctx.codes.exact(token)) return normalizeCode(token);
  }
  const kind = procedureKind(ctx, procedure);
  return kind ? kind.name.charAt(0).toLowerCase() + kind.name.slice(1) : 'as described';
}

/**
 * What a turn read procedure words as, by its context (one per turn): a turn that sets a case aside and starts
 * another reads the same words several times (is it another patient? which procedure? its name?), once here.
 */
interface ProcedureReadings { kinds: Map<string, { id: string; name: string } | undefined>; recognized: Map<string, boolean> }
const readingsOf = new WeakMap<FlowContext, ProcedureReadings>();
function readings(ctx: FlowContext): ProcedureReadings {
  let r = readingsOf.get(ctx);
  if (!r) readingsOf.set(ctx, (r = { kinds: new Map(), recognized: new Map() }));
  return r;
}

/** The kind of procedure (the knowledge base's category) a code or words name, to tell one case from another. */
export function procedureKind(ctx: FlowContext, procedure: string): { id: string; name: string } | undefined {
  const { kinds } = readings(ctx);
  if (kinds.has(procedure)) return kinds.get(procedure);
  const kind = procedureKindOf(ctx.kn, (code) => ctx.codes.exact(code) !== undefined, procedure);
  kinds.set(procedure, kind);
  return kind;
}

/** Whether triage recognises the words as a procedure (knowledge/triage.ts procedureRecognized), read once per turn. */
export function recognizedProcedure(ctx: FlowContext, words: string): boolean {
  const { recognized } = readings(ctx);
  let known = recognized.get(words);
  if (known === undefined) recognized.set(words, (known = procedureRecognized(words, ctx.kn)));
  return known;
}

/** Merges a change into the facts; coverage is merged field by field. */
export function mergeFacts(facts: Partial<CaseFacts>, patch: Partial<CaseFacts>): Partial<CaseFacts> {
  const out: Partial<CaseFacts> = { ...facts, ...patch };
  if (facts.coverage || patch.coverage) out.coverage = { ...facts.coverage, ...patch.coverage };
  return out;
}

/** The facts in `patch` that `facts` does not already say. */
export function changedFacts(facts: Partial<CaseFacts>, patch: Partial<CaseFacts>): Partial<CaseFacts> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const current = (facts as Record<string, unknown>)[k];
    if (k === 'coverage' && v && typeof v === 'object') {
      const diff = Object.fromEntries(Object.entries(v).filter(([ck, cv]) => (current as Record<string, unknown> | undefined)?.[ck] !== cv));
      if (Object.keys(diff).length) out[k] = diff;
    } else if (JSON.stringify(current) !== JSON.stringify(v)) out[k] = v;
  }
  return out as Partial<CaseFacts>;
}

/** Notes grow with what the person types, up to the contract's limit; the rest is dropped, not the case. */
export function withNote(facts: Partial<CaseFacts>, text: string, limit = 20_000): Partial<CaseFacts> {
  // The same words said again add nothing (and would grow every stored state of the conversation).
  if (facts.notes?.split('\n').includes(text)) return facts;
  const notes = facts.notes ? `${facts.notes}\n${text}` : text;
  return notes.length <= limit ? { ...facts, notes } : facts;
}

export function describeCoverage(c: CaseFacts['coverage']): string {
  if (!c) return 'not given';
  const plans = c.combinedPlan ? 'one combined medical and dental plan'
    : c.medical && c.dental ? `medical and dental${c.combinedPlan === false ? ', separate plans' : ''}`
    : c.medical ? `medical${c.dental === false ? ' only' : ''}` : c.dental ? `dental${c.medical === false ? ' only' : ''}`
    : c.medical === false && c.dental === false ? 'no insurance' : 'not given';
  const payer = labelOf(PAYER_OPTIONS, c.medicalPayer);
  if (!payer) return plans;
  return plans === 'not given' ? `${payer} medical plan` : `${plans} (${payer})`;
}

/** One line per changed fact, in words a billing person uses. */
export function describeFacts(ctx: FlowContext, patch: Partial<CaseFacts>): string[] {
  const out: string[] = [];
  if (patch.procedure) out.push(`procedure: ${procedureName(ctx, patch.procedure)}`);
  if (patch.cause) out.push(`cause: ${labelOf(CAUSE_OPTIONS, patch.cause) ?? patch.cause}`);
  if (patch.coverage) out.push(`insurance: ${describeCoverage(patch.coverage)}`);
  if (patch.diagnoses) out.push(`diagnoses: ${patch.diagnoses.join(', ') || 'none'}`);
  if (patch.documentsOnHand) out.push(`documents on hand: ${patch.documentsOnHand.map((k) => ctx.kn.documents.get(k)?.label ?? k).join(', ') || 'none'}`);
  if (patch.patientAge !== undefined) out.push(`age: ${patch.patientAge}`);
  if (patch.fee !== undefined) out.push(`fee: $${patch.fee}`);
  if (patch.cashFee !== undefined) out.push(`cash fee: $${patch.cashFee}`);
  if (patch.serviceDate) out.push(`date of service: ${serviceDateWords(patch.serviceDate, patch.notes)}`);
  return out;
}

/**
 * A date of service with the ICD-10-CM code set it chooses. One typed with its year was left out by the scrubber,
 * which kept only its fiscal year (the notes hold that mark): it is said as the fiscal year, not as a day.
 */
function serviceDateWords(date: string, notes: string | undefined): string {
  const fy = fiscalYearOf(date);
  if (isFiscalYearOnly(date, notes)) {
    return `in FY${fy} (services from ${date}): medbill keeps only the fiscal year of a date typed with its year, which chooses the ICD-10-CM code set`;
  }
  return `${date} (ICD-10-CM code set FY${fy})`;
}

/** What changed between two versions of the facts, described with the new values in full. */
export function describeChanges(ctx: FlowContext, before: Partial<CaseFacts>, after: Partial<CaseFacts>): string[] {
  const keys = Object.keys(changedFacts(before, after)) as (keyof CaseFacts)[];
  return describeFacts(ctx, Object.fromEntries(keys.map((k) => [k, after[k]])) as Partial<CaseFacts>);
}
