/**
 * Letter-of-medical-necessity templates (knowledge/letters/<id>.json): plain JSON a billing lead may edit,
 * validated here with zod and then cross-checked, so a broken edit fails with the file and the entry named:
 * every `{fact}` in a paragraph is a declared fact, an optional fact is only used where a `when` guarantees it,
 * every required fact is written somewhere, every source id is in knowledge/sources.json, every document kind
 * in knowledge/documents.json and every category in knowledge/categories/.
 *
 * Read only when a letter is wanted: nothing here runs at import time, and `medbill triage` never imports it.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_KNOWLEDGE_DIR, KnowledgeError, loadKnowledge, type Knowledge } from '../knowledge/load.js';
import { issueLines, readKnowledgeJson } from '../knowledge/json-file.js';
import { SourceRefs } from '../knowledge/schema.js';
import { PROPER_NAME_KINDS } from '../privacy/scrubber.js';
import { CAUSES, CONFIDENCE_LEVELS, DOCUMENT_KINDS, MEDICAL_PAYERS, type DocumentKind, type MedicalPayer } from '../knowledge/vocabulary.js';

export const LETTERS_SUBDIR = 'letters';
export const DEFAULT_LETTERS_DIR = join(DEFAULT_KNOWLEDGE_DIR, LETTERS_SUBDIR);

export const FACT_TYPES = ['text', 'number', 'yes-no', 'choice', 'month-year', 'duration'] as const;
export type FactType = (typeof FACT_TYPES)[number];

/**
 * What a case already knows that a fact can be filled from (see factsFromCase): its age, payer kind and cause,
 * and from its own words (src/letters/case-notes.ts) how an injury happened, the injuries (teeth and what
 * happened to them), where a lesion is, and the procedure.
 */
export const CASE_FIELDS = ['patientAge', 'medicalPayer', 'cause', 'injury', 'injuries', 'site', 'procedure'] as const;

const text = z.string().trim().min(1);
const kebabId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
const factId = z.string().regex(/^[a-z][A-Za-z0-9]{0,39}$/, 'fact ids are camelCase letters and digits, e.g. sleepTestMonth');
const payers = z.array(z.enum(MEDICAL_PAYERS)).min(1);

/**
 * A condition on one fact: the fact's id alone (true when it has a value), or `{ fact, is }` / `{ fact, isNot }`
 * for a yes-no or choice fact (values "yes"/"no" or option values). A fact with no value fails every condition.
 */
const ConditionSchema = z.union([
  factId,
  z.strictObject({ fact: factId, is: z.array(text).min(1).optional(), isNot: z.array(text).min(1).optional() })
    .refine((c) => !(c.is && c.isNot), { message: 'give `is` or `isNot`, not both' }),
]);
export type FactCondition = z.infer<typeof ConditionSchema>;

const PrefillSchema = z.union([
  /** A field of the triage case: patientAge (number or duration facts), medicalPayer or cause (choice facts), injury, injuries, site or procedure (text facts). */
  z.strictObject({ case: z.enum(CASE_FIELDS) }),
  /** A regular expression (case-insensitive) run on the case's procedure and notes: `value` when it matches, else the first group. */
  z.strictObject({ notes: text, value: text.optional() }),
  /** ICD-10-CM codes or dotted prefixes ("S02.6"): `value` when the case lists one. */
  z.strictObject({ diagnoses: z.array(text).min(1), value: text }),
]);
export type FactPrefill = z.infer<typeof PrefillSchema>;

const factBase = {
  id: factId,
  /** What it is, in words: shown to staff and given to the LLM check. */
  label: text.max(120),
  required: z.boolean(),
  /** The question the flow asks: clinical, never identifying. */
  ask: text.max(400),
  /** How the fact is written in the letter, with `{value}` (yes-no: the sentence for "yes"). */
  phrase: text.max(600),
  /** Asked (and, if required, required) only for these payer kinds. */
  payers: payers.optional(),
  /** Asked (and, if required, required) only when this holds, on a fact declared before it; otherwise ignored. */
  when: ConditionSchema.optional(),
  prefill: z.array(PrefillSchema).min(1).optional(),
};

const FactSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...factBase,
    type: z.literal('text'),
    maxLength: z.number().int().min(10).max(2000).optional(),
    /**
     * The answer names a product, a lab or a drug ("SomnoDent Avant hinged"): its capitalised words are not
     * taken for a person's name when it is typed (every other identifier is still removed).
     */
    names: z.enum(PROPER_NAME_KINDS).optional(),
    /** The answer is a list ("loud snoring, daytime sleepiness, witnessed apneas"): written "a, b and c". */
    list: z.boolean().optional(),
    /**
     * How the fact is written when the answer is itself a clause about the patient ("stopped for mask
     * intolerance", "fell off a bicycle", "was struck by a ball"), with {value}: e.g. "The patient {value}.".
     */
    clause: text.max(600).optional(),
  }),
  z.strictObject({
    ...factBase,
    type: z.literal('number'),
    unit: text.max(40).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    integer: z.boolean().optional(),
    /** Values at or above this are written "N or older" (ages over 89 are identifiers under HIPAA). */
    capAt: z.number().int().positive().optional(),
  }),
  z.strictObject({
    ...factBase,
    type: z.literal('yes-no'),
    /** The sentence for "no"; without it the fact may only be written where a `when` makes it "yes". */
    phraseNo: text.max(600).optional(),
    /** The answer the letter needs; the other one is refused with `otherwise` (a criterion the case fails). */
    expect: z.enum(['yes', 'no']).optional(),
    otherwise: text.max(600).optional(),
  }),
  z.strictObject({
    ...factBase,
    type: z.literal('choice'),
    options: z
      .array(
        z.strictObject({
          value: kebabId,
          /** What staff pick. */
          label: text.max(160),
          /** How it reads in the letter (defaults to the label). */
          text: text.max(600).optional(),
          /** Other words staff may type for it. */
          aliases: z.array(text).optional(),
        }),
      )
      .min(2),
  }),
  /** A month and year only ("March 2025"): a full date with a day is an identifier. */
  z.strictObject({ ...factBase, type: z.literal('month-year'), past: z.boolean().optional() }),
  /** "6 weeks", "about 3 months", "1 year and 6 months". */
  z.strictObject({ ...factBase, type: z.literal('duration') }),
]);
export type FactDef = z.infer<typeof FactSchema>;

const ParagraphSchema = z.union([
  text,
  z.strictObject({ text, when: ConditionSchema.optional(), payers: payers.optional() }),
]);

export const SECTION_ROLES = ['necessity', 'without-treatment', 'payer-points'] as const;
const SectionSchema = z.strictObject({
  heading: text.max(120),
  /** The paragraphs the optional LLM may rewrite (exactly one section per template). */
  narrative: z.literal(true).optional(),
  role: z.enum(SECTION_ROLES).optional(),
  when: ConditionSchema.optional(),
  payers: payers.optional(),
  paragraphs: z.array(ParagraphSchema).min(1),
});

const AttachmentSchema = z.union([
  z.enum(DOCUMENT_KINDS),
  z.strictObject({ kind: z.enum(DOCUMENT_KINDS), when: ConditionSchema.optional(), payers: payers.optional() }),
]);

const PolicyPointSchema = z.strictObject({
  /** The coverage criterion, in words. */
  point: text.max(800),
  payers: payers.optional(),
  /** The facts that answer it. */
  facts: z.array(factId).min(1).optional(),
  source: SourceRefs,
  confidence: z.enum(CONFIDENCE_LEVELS),
});
export type PolicyPoint = z.infer<typeof PolicyPointSchema>;

export const LetterTemplateSchema = z.strictObject({
  id: kebabId,
  version: z.number().int().min(1),
  title: text.max(160),
  categories: z.array(kebabId).min(1),
  /** The payer line ("To: … medical review") by payer kind, when no payer name is given (e.g. "Medicare DME MAC"). */
  addressee: z.partialRecord(z.enum(MEDICAL_PAYERS), text.max(80)).optional(),
  /**
   * Payer kinds that take no prior authorization for the service: for them the letter is a statement of medical
   * necessity kept in the patient's record, sent only when the payer asks (Original Medicare for E0486).
   */
  onFile: payers.optional(),
  facts: z.array(FactSchema).min(1),
  sections: z.array(SectionSchema).min(3),
  attachments: z.array(AttachmentSchema).min(1),
  policyPoints: z.array(PolicyPointSchema).min(1),
  /** For the billing lead; never written in a letter. */
  notes: text.optional(),
});
export type LetterTemplateFile = z.infer<typeof LetterTemplateSchema>;

// ---------------------------------------------------------------- compiled form

/** A paragraph split into literal text and fact references, so rendering is a join. */
export type Part = string | { ref: string };
export interface CompiledParagraph {
  parts: Part[];
  /** The fact ids it writes. */
  refs: string[];
  when?: FactCondition;
  payers?: ReadonlySet<MedicalPayer>;
}
export interface CompiledSection {
  heading: string;
  narrative: boolean;
  role?: (typeof SECTION_ROLES)[number];
  when?: FactCondition;
  payers?: ReadonlySet<MedicalPayer>;
  paragraphs: CompiledParagraph[];
}
export interface CompiledAttachment {
  kind: DocumentKind;
  /** The label from knowledge/documents.json. */
  label: string;
  when?: FactCondition;
  payers?: ReadonlySet<MedicalPayer>;
}
export interface CompiledFact {
  def: FactDef;
  /** The phrase split around `{value}`. */
  phraseParts: [string, string];
  /** A text fact's `clause` split around `{value}`. */
  clauseParts?: [string, string];
  /** Notes patterns compiled, in prefill order (undefined for other prefill kinds). */
  patterns: (RegExp | undefined)[];
}
export interface LetterTemplate {
  /** e.g. "knowledge/letters/osa-appliance.json". */
  file: string;
  id: string;
  version: number;
  title: string;
  categories: string[];
  addressee: Partial<Record<MedicalPayer, string>>;
  /** Payer kinds for which the letter is a statement kept on file, not a request (see the schema). */
  onFile: ReadonlySet<MedicalPayer>;
  /** In ask order. */
  facts: FactDef[];
  factsById: ReadonlyMap<string, CompiledFact>;
  sections: CompiledSection[];
  attachments: CompiledAttachment[];
  policyPoints: PolicyPoint[];
}

const REF = /\{([^{}]*)\}/g;
const FACT_REF = /^[a-z][A-Za-z0-9]{0,39}$/;

/** Splits "The test showed {ahi}." into parts; reports anything in braces that is not a fact id, and stray brackets. */
function compileText(s: string, where: string, problems: string[]): { parts: Part[]; refs: string[] } {
  const parts: Part[] = [];
  const refs: string[] = [];
  let last = 0;
  for (const m of s.matchAll(REF)) {
    const id = m[1] ?? '';
    if (!FACT_REF.test(id)) problems.push(`${where}: "{${id}}" is not a fact reference (write {factId})`);
    if (m.index > last) parts.push(s.slice(last, m.index));
    parts.push({ ref: id });
    refs.push(id);
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push(s.slice(last));
  const literal = parts.filter((p): p is string => typeof p === 'string').join('');
  if (/[{}]/.test(literal)) problems.push(`${where}: has an unmatched brace`);
  if (/[[\]]/.test(literal)) problems.push(`${where}: square brackets are reserved for the identifier placeholders the letter frame adds`);
  return { parts, refs };
}

const conditionFact = (c: FactCondition) => (typeof c === 'string' ? c : c.fact);

interface Context {
  sources: ReadonlySet<string>;
  documentLabels: ReadonlyMap<DocumentKind, string>;
  categories: ReadonlySet<string>;
}

/** The values a yes-no or choice condition may name. */
function allowedValues(def: FactDef): string[] | undefined {
  if (def.type === 'yes-no') return ['yes', 'no'];
  if (def.type === 'choice') return def.options.map((o) => o.value);
  return undefined;
}

/** Where each fact is used: written in a paragraph, or tested by a `when`. */
interface FactUses {
  written: Set<string>;
  inWhen: Set<string>;
}

/** Checks a condition (a section's, a paragraph's, an attachment's, a fact's `when`) against the facts declared. */
type ConditionCheck = (where: string, c: FactCondition | undefined) => void;

/**
 * A template file compiled and checked, step by step: its facts, the conditions on them, its sections and
 * paragraphs, the sections every letter has, that every fact is used, its attachments, then its policy points,
 * categories and sources. Every problem is added to `problems` (named by file and place); undefined if any.
 */
function compileTemplate(file: string, data: LetterTemplateFile, ctx: Context, problems: string[]): LetterTemplate | undefined {
  const name = `knowledge/${LETTERS_SUBDIR}/${file}`;
  const at = (where: string) => `${name} ${where}`;
  const before = problems.length;
  if (file !== `${data.id}.json`) problems.push(`${name}: the file must be named after the template id (${data.id}.json)`);

  const facts = compileFacts(data.facts, at, problems);
  const checkCondition = conditionCheck(facts, problems);
  for (const f of facts.values()) if (f.def.when !== undefined && facts.has(conditionFact(f.def.when))) checkCondition(at(`facts ${f.def.id}`), f.def.when);
  const uses: FactUses = { written: new Set(), inWhen: new Set() };
  const sections = compileSections(data.sections, facts, checkCondition, uses, at, problems);
  checkLetterSections(name, sections, at, problems);
  checkFactsUsed(facts, uses, at, problems);
  const attachments = compileAttachments(data.attachments, ctx, checkCondition, uses, at, problems);
  checkReferences(data, facts, ctx, at, problems);

  if (problems.length > before) return undefined;
  return {
    file: name,
    id: data.id,
    version: data.version,
    title: data.title,
    categories: data.categories,
    addressee: data.addressee ?? {},
    onFile: new Set(data.onFile ?? []),
    facts: data.facts,
    factsById: facts,
    sections,
    attachments,
    policyPoints: data.policyPoints,
  };
}

/** The facts, in ask order: each checked (declared once, its `when` on a fact before it, its phrase, clause, options and prefill) and compiled. */
function compileFacts(defs: FactDef[], at: (where: string) => string, problems: string[]): Map<string, CompiledFact> {
  const facts = new Map<string, CompiledFact>();
  for (const def of defs) {
    const where = at(`facts ${def.id}`);
    if (facts.has(def.id)) problems.push(`${where}: declared twice`);
    if (def.when !== undefined && !facts.has(conditionFact(def.when))) problems.push(`${where}: when names "${conditionFact(def.when)}", which must be a fact declared before it`);
    checkFactWording(def, where, problems);
    const patterns = prefillPatterns(def, where, problems);
    const [head = '', tail = ''] = def.type === 'yes-no' ? [def.phrase, ''] : def.phrase.split('{value}');
    const [clauseHead = '', clauseTail = ''] = def.type === 'text' && def.clause ? def.clause.split('{value}') : [];
    facts.set(def.id, { def, phraseParts: [head, tail], ...(def.type === 'text' && def.clause ? { clauseParts: [clauseHead, clauseTail] as [string, string] } : {}), patterns });
  }
  return facts;
}

/** A fact's own wording: its phrase (and phraseNo, clause) with {value} where it belongs, no reserved brackets, sane bounds, options staff can tell apart. */
function checkFactWording(def: FactDef, where: string, problems: string[]): void {
  const phraseRefs = [...def.phrase.matchAll(REF)].map((m) => m[1]);
  if (def.type === 'yes-no') {
    if (phraseRefs.length) problems.push(`${where}: a yes-no phrase is the sentence for "yes" and has no {value}`);
    if (def.phraseNo && /[{}]/.test(def.phraseNo)) problems.push(`${where}: phraseNo has a brace`);
    if (def.expect && !def.otherwise) problems.push(`${where}: \`expect\` needs \`otherwise\` (what to tell staff when the answer is the other one)`);
    if (def.otherwise && !def.expect) problems.push(`${where}: \`otherwise\` is only read with \`expect\``);
  } else if (phraseRefs.length !== 1 || phraseRefs[0] !== 'value') {
    problems.push(`${where}: phrase must contain {value} exactly once and no other reference`);
  }
  if (def.type === 'text' && def.clause !== undefined) {
    const clauseRefs = [...def.clause.matchAll(REF)].map((m) => m[1]);
    if (clauseRefs.length !== 1 || clauseRefs[0] !== 'value' || /[[\]]/.test(def.clause)) problems.push(`${where}: clause must contain {value} exactly once, no other reference and no square brackets`);
  }
  if (/[[\]]/.test(def.phrase) || (def.type === 'choice' && def.options.some((o) => /[[\]{}]/.test(o.text ?? o.label)))) {
    problems.push(`${where}: square brackets and braces are reserved`);
  }
  if (def.type === 'number' && def.min !== undefined && def.max !== undefined && def.min > def.max) problems.push(`${where}: min is above max`);
  if (def.type === 'choice') {
    // What staff may type for an option (as the renderer compares it) must name one option only.
    const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
    const owner = new Map<string, string>();
    for (const o of def.options) {
      for (const key of new Set([o.value, o.label, ...(o.aliases ?? [])].map(squash))) {
        const other = owner.get(key);
        if (other) problems.push(`${where}: "${key}" names both option ${other} and option ${o.value}`);
        owner.set(key, o.value);
      }
    }
  }
}

/** A fact's prefill: each source fits the fact's type, each notes pattern compiles (and captures), each fixed value is allowed. The compiled patterns, in prefill order. */
function prefillPatterns(def: FactDef, where: string, problems: string[]): (RegExp | undefined)[] {
  const patterns = (def.prefill ?? []).map((p) => {
    if ('case' in p) {
      const fits =
        p.case === 'patientAge' ? def.type === 'number' || def.type === 'duration'
        : p.case === 'medicalPayer' ? def.type === 'choice' && def.options.some((o) => (MEDICAL_PAYERS as readonly string[]).includes(o.value))
        : p.case === 'cause' ? def.type === 'choice' && def.options.some((o) => (CAUSES as readonly string[]).includes(o.value))
        : def.type === 'text';
      if (!fits) problems.push(`${where}: prefill from case.${p.case} does not fit a ${def.type} fact (or no option is a ${p.case} value)`);
      return undefined;
    }
    if ('notes' in p) {
      try {
        const re = new RegExp(p.notes, 'i');
        if (!p.value && !/\((?!\?)/.test(p.notes)) problems.push(`${where}: prefill pattern ${p.notes} needs a group to capture, or a value`);
        return re;
      } catch (err) {
        problems.push(`${where}: prefill pattern ${p.notes} is not a valid regular expression (${(err as Error).message})`);
        return undefined;
      }
    }
    return undefined;
  });
  for (const p of def.prefill ?? []) {
    if (!('value' in p) || p.value === undefined) continue;
    const allowed = allowedValues(def);
    if (allowed && !allowed.includes(p.value)) problems.push(`${where}: prefill value "${p.value}" is not one of ${allowed.join(', ')}`);
  }
  return patterns;
}

/** Checks a condition: it names a declared fact, and only values that fact can have. */
function conditionCheck(facts: ReadonlyMap<string, CompiledFact>, problems: string[]): ConditionCheck {
  return (where, c) => {
    if (c === undefined) return;
    const f = facts.get(conditionFact(c));
    if (!f) {
      problems.push(`${where}: when names "${conditionFact(c)}", which is not a declared fact`);
      return;
    }
    if (typeof c === 'string') return;
    const values = [...(c.is ?? []), ...(c.isNot ?? [])];
    const allowed = allowedValues(f.def);
    if (values.length && !allowed) problems.push(`${where}: when ${c.fact} can only test that a ${f.def.type} fact is given`);
    for (const v of values) if (allowed && !allowed.includes(v)) problems.push(`${where}: when ${c.fact} names "${v}", not one of ${allowed.join(', ')}`);
  };
}

const guards = (c: FactCondition | undefined, id: string) => c !== undefined && conditionFact(c) === id;
const guardsYes = (c: FactCondition | undefined, id: string) => c !== undefined && typeof c !== 'string' && c.fact === id && !!c.is && c.is.every((v) => v === 'yes');
const subset = (inner: ReadonlySet<MedicalPayer> | undefined, outer: readonly MedicalPayer[]) => !!inner && [...inner].every((p) => outer.includes(p));

/** The sections and their paragraphs compiled; each fact a paragraph writes must be there whenever the paragraph is. */
function compileSections(
  list: LetterTemplateFile['sections'], facts: ReadonlyMap<string, CompiledFact>, checkCondition: ConditionCheck, uses: FactUses,
  at: (where: string) => string, problems: string[],
): CompiledSection[] {
  const { written, inWhen: usedInWhen } = uses;
  return list.map((s, si) => {
    const swhere = at(`sections[${si}] (${s.heading})`);
    if (/[{}[\]]/.test(s.heading)) problems.push(`${swhere}: a heading has no references or brackets`);
    checkCondition(swhere, s.when);
    if (s.when) usedInWhen.add(conditionFact(s.when));
    const sectionPayers = s.payers ? new Set(s.payers) : undefined;
    const paragraphs = s.paragraphs.map((p, pi): CompiledParagraph => {
      const where = `${swhere} paragraphs[${pi}]`;
      const body = typeof p === 'string' ? p : p.text;
      const when = typeof p === 'string' ? undefined : p.when;
      const ownPayers = typeof p === 'string' ? undefined : p.payers;
      checkCondition(where, when);
      if (when) usedInWhen.add(conditionFact(when));
      const sectionList = s.payers;
      if (ownPayers && sectionList && !ownPayers.every((x) => sectionList.includes(x))) problems.push(`${where}: its payers must be among the section's`);
      const effectivePayers = ownPayers ? new Set(ownPayers) : sectionPayers;
      const { parts, refs } = compileText(body, where, problems);
      for (const id of refs) {
        const f = facts.get(id);
        if (!f) {
          problems.push(`${where}: {${id}} is not a declared fact`);
          continue;
        }
        written.add(id);
        const guarded = guards(when, id) || guards(s.when, id);
        const def = f.def;
        const alwaysThere = def.required && def.when === undefined && (!def.payers || subset(effectivePayers, def.payers));
        if (!alwaysThere && !guarded) {
          problems.push(
            !def.required ? `${where}: {${id}} is optional: the paragraph needs when: "${id}" (or a condition on it)`
            : def.when !== undefined ? `${where}: {${id}} is asked only under its own when: the paragraph needs when: "${id}"`
            : `${where}: {${id}} is required only for ${(def.payers ?? []).join(', ')}: limit the paragraph to those payers or add when: "${id}"`,
          );
        }
        if (def.type === 'yes-no' && !def.phraseNo && def.expect !== 'yes' && !guardsYes(when, id) && !guardsYes(s.when, id)) {
          problems.push(`${where}: {${id}} has no phraseNo: write it only under when { "fact": "${id}", "is": ["yes"] }`);
        }
      }
      return { parts, refs, ...(when !== undefined ? { when } : {}), ...(effectivePayers ? { payers: effectivePayers } : {}) };
    });
    return {
      heading: s.heading,
      narrative: s.narrative === true,
      ...(s.role ? { role: s.role } : {}),
      ...(s.when !== undefined ? { when: s.when } : {}),
      ...(sectionPayers ? { payers: sectionPayers } : {}),
      paragraphs,
    };
  });
}

/** The narrative, necessity and without-treatment sections: one narrative, each role present, and in every letter (never conditional as a whole). */
function checkLetterSections(name: string, sections: CompiledSection[], at: (where: string) => string, problems: string[]): void {
  const narrative = sections.filter((s) => s.narrative);
  if (narrative.length !== 1) problems.push(`${name}: needs exactly one section with "narrative": true (it has ${narrative.length})`);
  for (const role of ['necessity', 'without-treatment'] as const) {
    if (!sections.some((s) => s.role === role)) problems.push(`${name}: needs a section with "role": "${role}"`);
  }
  // The narrative, necessity and without-treatment sections are in every letter: never conditional as a whole.
  sections.forEach((s, si) => {
    if (!(s.narrative || s.role === 'necessity' || s.role === 'without-treatment')) return;
    const where = at(`sections[${si}] (${s.heading})`);
    if (s.when !== undefined || s.payers) problems.push(`${where}: this section is in every letter: it takes no when or payers`);
    if (!s.paragraphs.some((p) => p.when === undefined && !p.payers)) problems.push(`${where}: needs at least one paragraph with no when and no payers`);
  });
}

/** Every required fact is written somewhere; every optional one is written or tested. */
function checkFactsUsed(facts: ReadonlyMap<string, CompiledFact>, uses: FactUses, at: (where: string) => string, problems: string[]): void {
  const { written, inWhen: usedInWhen } = uses;
  for (const f of facts.values()) {
    const where = at(`facts ${f.def.id}`);
    if (f.def.required && !written.has(f.def.id)) problems.push(`${where}: a required fact must be written in some paragraph as {${f.def.id}}`);
    if (!f.def.required && !written.has(f.def.id) && !usedInWhen.has(f.def.id)) problems.push(`${where}: declared but never written or tested`);
    if (f.def.when !== undefined) usedInWhen.add(conditionFact(f.def.when));
  }
}

/** The attachments: each a document kind knowledge/documents.json describes (its label), listed once, its condition checked. */
function compileAttachments(
  list: LetterTemplateFile['attachments'], ctx: Context, checkCondition: ConditionCheck, uses: FactUses,
  at: (where: string) => string, problems: string[],
): CompiledAttachment[] {
  const usedInWhen = uses.inWhen;
  const attachments: CompiledAttachment[] = [];
  for (const a of list) {
    const kind = typeof a === 'string' ? a : a.kind;
    const where = at(`attachments ${kind}`);
    const label = ctx.documentLabels.get(kind);
    if (!label) problems.push(`${where}: document kind "${kind}" is not described in knowledge/documents.json`);
    if (attachments.some((x) => x.kind === kind)) problems.push(`${where}: listed twice`);
    const when = typeof a === 'string' ? undefined : a.when;
    checkCondition(where, when);
    if (when) usedInWhen.add(conditionFact(when));
    const ps = typeof a === 'string' ? undefined : a.payers;
    attachments.push({ kind, label: label ?? kind, ...(when !== undefined ? { when } : {}), ...(ps ? { payers: new Set(ps) } : {}) });
  }
  return attachments;
}

/** The policy points' sources and facts, and the categories: each must exist. */
function checkReferences(data: LetterTemplateFile, facts: ReadonlyMap<string, CompiledFact>, ctx: Context, at: (where: string) => string, problems: string[]): void {
  data.policyPoints.forEach((p, i) => {
    const where = at(`policyPoints[${i}]`);
    for (const ref of p.source) if (!ctx.sources.has(ref)) problems.push(`${where}: source "${ref}" is not defined in knowledge/sources.json`);
    for (const id of p.facts ?? []) if (!facts.has(id)) problems.push(`${where}: fact "${id}" is not declared`);
  });
  for (const c of data.categories) if (!ctx.categories.has(c)) problems.push(`${at('categories')}: category "${c}" is not in knowledge/categories/`);
}

/** Reads and checks the templates in `dir` against `kn`, the knowledge they sit in (its sources, documents, categories). */
function loadFresh(dir: string, kn: Knowledge): LetterTemplate[] {
  const ctx: Context = {
    sources: new Set(kn.sources.keys()),
    documentLabels: new Map([...kn.documents.values()].map((d) => [d.kind, d.label])),
    categories: new Set(kn.categories.map((c) => c.id)),
  };

  let files: string[];
  try {
    files = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new KnowledgeError(`knowledge/${LETTERS_SUBDIR}/: cannot be read (${(err as Error).message})`);
  }
  const problems: string[] = [];
  const templates: LetterTemplate[] = [];
  for (const file of files) {
    const name = `knowledge/${LETTERS_SUBDIR}/${file}`;
    const data = readKnowledgeJson(join(dir, file), name);
    const parsed = LetterTemplateSchema.safeParse(data);
    if (!parsed.success) {
      problems.push(...issueLines(data, parsed.error).map((l) => `${name} ${l}`));
      continue;
    }
    const t = compileTemplate(file, parsed.data, ctx, problems);
    if (t) templates.push(t);
  }
  const owner = new Map<string, string>();
  for (const t of templates) {
    for (const c of t.categories) {
      const other = owner.get(c);
      if (other) problems.push(`${t.file}: category "${c}" is already served by ${other}`);
      else owner.set(c, t.file);
    }
  }
  if (!files.length) problems.push(`knowledge/${LETTERS_SUBDIR}/: has no templates`);
  if (problems.length) throw new KnowledgeError(`knowledge/${LETTERS_SUBDIR}/ has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return templates;
}

/** For `medbill kb check`: the templates beside knowledge `kn` (a broken one throws KnowledgeError naming its file). */
export function letterTemplateSummary(kn: Knowledge): string {
  const templates = loadLetterTemplates(join(kn.dir, LETTERS_SUBDIR), kn);
  return `  letter templates: ${templates.length} (${templates.reduce((n, t) => n + t.facts.length, 0)} facts, ${templates.reduce((n, t) => n + t.policyPoints.length, 0)} policy points)`;
}

/**
 * The letter templates in `dir` (default knowledge/letters/), validated against the knowledge beside it
 * (sources.json, documents.json, categories/, as the knowledge loader reads them), read afresh at each call:
 * the composition root (src/root/shelf.ts) reads them once, on first use, and hands them down.
 */
export function loadLetterTemplates(dir: string = DEFAULT_LETTERS_DIR, kn: Knowledge = loadKnowledge(dirname(resolve(dir)))): LetterTemplate[] {
  return loadFresh(dir, kn);
}

/** The template that serves a procedure category (triage's category id), if there is one. */
export function templateFor(categoryId: string, templates: readonly LetterTemplate[]): LetterTemplate | undefined {
  return templates.find((t) => t.categories.includes(categoryId));
}

/** A template by its id. */
export function templateById(id: string, templates: readonly LetterTemplate[]): LetterTemplate | undefined {
  return templates.find((t) => t.id === id);
}
