/**
 * zod schemas for the files under knowledge/. These are the rules a billing lead's edit must follow;
 * `medbill kb check` reports any break with the file and the entry that broke it.
 */
import { z } from 'zod';
import { PATTERNS as CODE_PATTERNS } from './codes.js';
import {
  CAUSES, CONFIDENCE_LEVELS, COVERAGE_KINDS, DOCUMENT_KINDS, LANES, MEDICAL_PAYERS, PREAUTH_LEVELS, WARNING_IDS,
} from './vocabulary.js';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
const ruleId = z.string().regex(/^[A-Z][A-Z0-9-]*$/, 'rule ids are upper-case, e.g. OSA-LANE-MEDICARE');
const text = z.string().trim().min(1);
/** Source ids, each defined in knowledge/sources.json. */
export const SourceRefs = z.array(z.string().min(1)).min(1, 'every entry needs at least one source');
const confidence = z.enum(CONFIDENCE_LEVELS);
const cause = z.enum(CAUSES);
const lane = z.enum(LANES);

export const SourceSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  title: text,
  url: z.url().optional(),
  kind: z.enum(['code-set', 'government', 'payer-policy', 'statute', 'industry', 'seed', 'contract']),
  confidence,
  /** The payer kinds it speaks to (a Medicare manual): cited on their answers only. Absent: any payer. */
  payers: z.array(z.enum(MEDICAL_PAYERS)).min(1).optional(),
});
export const SourcesFileSchema = z.strictObject({ sources: z.array(SourceSchema).min(1) });

const cdtCode = z.string().regex(CODE_PATTERNS.cdt, 'CDT codes look like D7240');
const cptCode = z.string().regex(CODE_PATTERNS.cpt, 'CPT codes are five characters, e.g. 41100');
const hcpcsCode = z.string().regex(CODE_PATTERNS.hcpcs, 'HCPCS Level II codes look like E0486');
const icdCode = z.string().regex(CODE_PATTERNS.icd10cm, 'ICD-10-CM codes are dotted, e.g. K08.3');
const modifier = z.string().regex(/^[A-Z0-9]{2}$/);

const procedureCodeEntry = <T extends z.ZodType<string>>(code: T) =>
  z.strictObject({
    code,
    description: text.max(200),
    note: text.optional(),
    source: SourceRefs,
    confidence,
  });
/** CDT categories of service, by code range (D0100–D0999 diagnostic … D9000–D9999 adjunctive). */
export const CDT_FAMILIES = [
  'diagnostic', 'preventive', 'restorative', 'endodontics', 'periodontics', 'prosthodontics-removable',
  'maxillofacial-prosthetics', 'implant-services', 'prosthodontics-fixed', 'oral-surgery', 'orthodontics', 'adjunctive',
] as const;
export type CdtFamily = (typeof CDT_FAMILIES)[number];
/** CPT sections (and subsections) an oral surgeon or dentist bills to medical. */
export const CPT_FAMILIES = [
  'e-m', 'anesthesia', 'sedation', 'integumentary-general', 'integumentary-repair', 'musculoskeletal-general', 'musculoskeletal-face-jaw',
  'respiratory-nose-sinus', 'digestive-lips', 'digestive-vestibule', 'digestive-tongue-floor', 'digestive-gums-alveolus',
  'digestive-palate-uvula', 'digestive-salivary', 'digestive-pharynx', 'nervous-system', 'radiology', 'sleep-testing',
  'medicine-other',
] as const;
export type CptFamily = (typeof CPT_FAMILIES)[number];
/** CDT and CPT descriptions are medbill's own words (the official descriptors are copyrighted): short, staff-friendly. */
const ownWords = text.max(120);
export const CdtFileSchema = z.strictObject({
  set: z.literal('cdt'),
  codes: z.array(procedureCodeEntry(cdtCode).extend({ family: z.enum(CDT_FAMILIES), description: ownWords })),
});
export const CptFileSchema = z.strictObject({
  set: z.literal('cpt'),
  codes: z.array(procedureCodeEntry(cptCode).extend({ family: z.enum(CPT_FAMILIES), description: ownWords })),
});
export const HcpcsFileSchema = z.strictObject({
  set: z.literal('hcpcs'),
  codes: z.array(procedureCodeEntry(hcpcsCode)),
  modifiers: z.array(procedureCodeEntry(modifier)),
});
export const Icd10FileSchema = z.strictObject({
  set: z.literal('icd10cm'),
  fiscalYear: z.number().int(),
  codes: z.array(
    z.strictObject({
      code: icdCode,
      title: text.max(240),
      billable: z.boolean(),
      source: SourceRefs,
      confidence,
    }),
  ),
});

/**
 * A condition is true when every field it names is true. List fields mean "any of".
 * Signals come from knowledge/signals.json.
 */
export const ConditionSchema = z.strictObject({
  coverage: z.array(z.enum(COVERAGE_KINDS)).min(1).optional(),
  payer: z.array(z.enum(MEDICAL_PAYERS)).min(1).optional(),
  /** Never for these payer kinds; holds when the payer is not known (a code Medicare excludes, e.g. 21248 implants). */
  notPayer: z.array(z.enum(MEDICAL_PAYERS)).min(1).optional(),
  cause: z.array(cause).min(1).optional(),
  signals: z.array(z.string()).min(1).optional(),
  anySignals: z.array(z.string()).min(1).optional(),
  notSignals: z.array(z.string()).min(1).optional(),
  minAge: z.number().int().min(0).optional(),
  maxAge: z.number().int().min(0).optional(),
  /** Only where a lane is already decided: codes, documents, warnings, questions. */
  lane: z.array(lane).min(1).optional(),
  /** True when no code of this set was chosen for the case (e.g. the biopsy site is not known). */
  noCodes: z.enum(['cdt', 'cpt', 'hcpcs']).optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

/**
 * A question for the person. `answers`: for a yes/no question, the statement the chat adds to the notes for
 * each answer, so that the rules read it (each must raise the signal its rule waits for; a test checks).
 */
const question = z.strictObject({
  field: text,
  question: text,
  answers: z.strictObject({ yes: text, no: text }).optional(),
});

export const LaneRuleSchema = z.strictObject({
  id: ruleId,
  when: ConditionSchema,
  lane,
  preauth: z.enum(PREAUTH_LEVELS),
  summary: text,
  /** For needs-info: the question that decides the lane. */
  ask: question.optional(),
  /** Documents this rule needs whatever the category (a cross-cutting rule's own paperwork: Medicare's referral for KX). */
  documents: z.array(z.strictObject({ kind: z.enum(DOCUMENT_KINDS), why: text, key: z.boolean().optional(), source: SourceRefs })).optional(),
  source: SourceRefs,
  confidence,
});
export type LaneRule = z.infer<typeof LaneRuleSchema>;

const keywords = z.array(text).min(1);
export const CodeChoiceSchema = z.strictObject({
  code: text,
  /** Chosen only when one of these phrases is in the procedure or notes. */
  keywords: keywords.optional(),
  /** Never chosen when one of these phrases is there. */
  excludeKeywords: keywords.optional(),
  /** Chosen only when no keyword choice of the same set was chosen. */
  fallback: z.boolean().optional(),
  when: ConditionSchema.optional(),
});
export type CodeChoice = z.infer<typeof CodeChoiceSchema>;

export const CategoryDocumentSchema = z.strictObject({
  kind: z.enum(DOCUMENT_KINDS),
  why: text,
  /** A key document: without it the claim should not go out (warning documentation-gap). */
  key: z.boolean().optional(),
  when: ConditionSchema.optional(),
  source: SourceRefs,
});

export const CategoryWarningSchema = z.strictObject({
  id: z.enum(WARNING_IDS),
  message: text,
  when: ConditionSchema.optional(),
  source: SourceRefs,
  confidence,
});
export type CategoryWarning = z.infer<typeof CategoryWarningSchema>;

export const CategorySchema = z.strictObject({
  id,
  name: text,
  description: text,
  /** The cause this procedure implies when the case does not say (a biopsy is done for pathology). */
  impliedCause: cause.optional(),
  match: z.strictObject({
    /** Codes that name this procedure (any set). Shared codes are settled by `preferredFor`. */
    codes: z.array(text),
    /** Plain-word names of the procedure: every word must appear, in order, close together. */
    phrases: z.array(text),
    /** A case with one of these causes and no recognized procedure belongs here (sleep apnea → the appliance). */
    causes: z.array(cause).optional(),
    /**
     * A case raising every signal of one group belongs here whatever the procedure is called: osteonecrosis
     * of the jaw is treated as a jaw disease even when the procedure is an extraction or a drainage.
     */
    signals: z.array(z.array(z.string()).min(1)).optional(),
    /** Code prefixes (e.g. "D2" restorative) for codes no category names exactly: a weaker match than `codes`. */
    codePrefixes: z.array(z.string().regex(/^[A-Z0-9]{1,4}$/)).optional(),
  }),
  /** Settles a tie between categories that share a code (D7140 is an extraction, or a clearance). */
  preferredFor: z
    .strictObject({ causes: z.array(cause).optional(), signals: z.array(z.string()).optional() })
    .optional(),
  procedureCodes: z.strictObject({
    cdt: z.array(CodeChoiceSchema),
    cpt: z.array(CodeChoiceSchema),
    hcpcs: z.array(CodeChoiceSchema),
  }),
  diagnoses: z.array(CodeChoiceSchema),
  lanes: z.array(LaneRuleSchema).min(1),
  documents: z.array(CategoryDocumentSchema),
  warnings: z.array(CategoryWarningSchema),
  questions: z.array(question.extend({ when: ConditionSchema.optional() })),
  source: SourceRefs,
  confidence,
});
export type Category = z.infer<typeof CategorySchema>;

export const SignalSchema = z.strictObject({
  id,
  summary: text,
  /** Word phrases found in the procedure or notes (each word may carry an ending: "knock out" finds "knocked out"). */
  phrases: z.array(text).optional(),
  /** Word phrases found in the procedure field only: what is done, not what the notes mention ("implants later"). */
  procedurePhrases: z.array(text).optional(),
  /** Regular expressions (case-insensitive) for what phrases cannot say, e.g. an AHI of 5 or more. */
  patterns: z.array(text).optional(),
  procedureCodes: z.array(text).optional(),
  /** ICD-10-CM codes or dotted prefixes ("S02.6" finds every mandible fracture). */
  diagnoses: z.array(text).optional(),
  documents: z.array(z.enum(DOCUMENT_KINDS)).optional(),
  /** Universal tooth numbers 1–32 or primary letters A–T written as #N in the text. */
  teeth: z.array(text).optional(),
  maxAge: z.number().int().optional(),
  /** Not raised when one of these (earlier) signals is raised. */
  unlessSignals: z.array(z.string()).optional(),
});
export type Signal = z.infer<typeof SignalSchema>;
export const SignalsFileSchema = z.strictObject({ signals: z.array(SignalSchema).min(1) });

const rule = z.strictObject({ id: ruleId, summary: text, source: SourceRefs, confidence });
export const RulesFileSchema = z.strictObject({
  /** Lane rules tried before any category's own (cosmetic work, no coverage at all). */
  lanePrelude: z.array(LaneRuleSchema),
  /**
   * Lane rules tried after the category's rule, with `when.lane` seeing that rule's lane: cross-cutting
   * corrections such as adult Medicaid dental (varies by state: ask rather than quote the patient).
   */
  laneOverrides: z.array(LaneRuleSchema).default([]),
  /**
   * Prior authorization by payer kind, tried in order once the lane is medical or medical-first; the first
   * rule that holds (and whose `from` lists the category's level, when given) sets the level.
   */
  preauthRules: z
    .array(
      z.strictObject({
        id: ruleId,
        when: ConditionSchema,
        from: z.array(z.enum(PREAUTH_LEVELS)).min(1).optional(),
        preauth: z.enum(PREAUTH_LEVELS),
        summary: text,
        ask: question.optional(),
        source: SourceRefs,
        confidence,
      }),
    )
    .default([]),
  /**
   * Cross-cutting rules run on every case; the engine refers to them by id. A rule with `otherPayerSignal` is the
   * advice for one kind of insurer that pays before the health plan (auto, workers' compensation, liability): it
   * fires beside R-ACC-01 when an injury raises that signal.
   */
  rules: z.array(rule.extend({ warning: z.enum(WARNING_IDS).optional(), message: text.optional(), otherPayerSignal: z.string().optional() })),
  /** Which cause a diagnosis code points to, by dotted prefix; longest prefix wins. */
  diagnosisCauses: z.array(z.strictObject({ prefix: text, cause })),
  /** What the notes say about why, by signal, strongest first: read when the cause is missing or routine. */
  signalCauses: z.array(z.strictObject({ signal: z.string(), cause })),
  /** Causes that may stand together with a diagnosis that points elsewhere (a clearance finds an abscess). */
  compatibleCauses: z.array(z.strictObject({ cause, with: z.array(cause).min(1) })),
});
export type RulesFile = z.infer<typeof RulesFileSchema>;

export const DocumentKindSchema = z.strictObject({
  kind: z.enum(DOCUMENT_KINDS),
  label: text,
  mustContain: z.array(text).min(1),
  payerRequirements: z
    .array(z.strictObject({ payer: z.array(z.enum(MEDICAL_PAYERS)).min(1), categories: z.array(id).optional(), requirement: text, source: SourceRefs }))
    .optional(),
  source: SourceRefs,
  confidence,
});
export const DocumentsFileSchema = z.strictObject({ documents: z.array(DocumentKindSchema) });

export const NeverSuggestSchema = z.strictObject({
  code: text,
  /** Category ids for which the code is wrong; "*" for any purpose. */
  categories: z.array(z.string()).min(1),
  reason: text,
  instead: z.array(text),
  source: SourceRefs,
  confidence,
});
export const NeverSuggestFileSchema = z.strictObject({ neverSuggest: z.array(NeverSuggestSchema) });
export type NeverSuggest = z.infer<typeof NeverSuggestSchema>;
