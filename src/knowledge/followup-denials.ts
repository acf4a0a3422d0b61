/**
 * The claim knowledge: denial reasons and their remedies (knowledge/denials.json) and the follow-up policy
 * (knowledge/followup.json). Both are plain JSON a billing lead may edit; both are validated here against zod
 * schemas, and every source id, document kind and code is checked, so a broken edit fails with the file and
 * the entry named. Read only when a claim needs it (never by `medbill triage`).
 */
import { z } from 'zod';
import { DEFAULT_KNOWLEDGE_DIR, KnowledgeError } from './load.js';
import { defaultEntryLabel, parseKnowledgeFile, type EntryLabel } from './json-file.js';
import { DocumentsFileSchema, SourceRefs, SourcesFileSchema } from './schema.js';
import { tokenize } from './text.js';
import { CLAIM_PAYER_KINDS, CONFIDENCE_LEVELS, DENIAL_GROUPS, DOCUMENT_KINDS, type DenialGroup, type DocumentKind } from './vocabulary.js';

export const DENIALS_FILE = 'denials.json';
export const FOLLOWUP_FILE = 'followup.json';

/** What to do about a denial, in the words the checklist and the chat use. */
export const DENIAL_ACTIONS = [
  'corrected-claim', 'appeal', 'rebill-other-payer', 'bill-patient', 'write-off', 'send-records', 'check-status',
] as const;
export type DenialAction = (typeof DENIAL_ACTIONS)[number];

/** A CARC: one to three digits, or a letter and digits (A1, B7, P12). */
export const CARC_PATTERN = /^[A-Z]?\d{1,3}$/;
/** A RARC: M, MA or N and digits (M127, MA130, N115). */
export const RARC_PATTERN = /^(?:MA|M|N)\d{1,3}$/;

const text = z.string().trim().min(1);
const confidence = z.enum(CONFIDENCE_LEVELS);
const group = z.enum(DENIAL_GROUPS);

export const CarcEntrySchema = z.strictObject({
  carc: z.string().regex(CARC_PATTERN, 'a CARC is digits, or a letter and digits, e.g. "50" or "B7"'),
  /** The group the code usually comes with; `otherGroups` lists others it is also seen with (CO-22 and OA-22). */
  group,
  otherGroups: z.array(group).min(1).optional(),
  meaning: text.max(300),
  /** The meaning in a few words, for a button beside the code ("CO-50 · not medically necessary"). */
  short: text.max(32).optional(),
  causes: z.array(text).min(1),
  fix: z.array(text).min(1),
  action: z.enum(DENIAL_ACTIONS),
  attach: z.array(z.enum(DOCUMENT_KINDS)),
  /** Plain words a biller types for this denial ("no prior auth"); every word in order, close together. */
  phrases: z.array(text).min(1),
  source: SourceRefs,
  confidence,
});
export type CarcEntry = z.infer<typeof CarcEntrySchema>;

export const RarcEntrySchema = z.strictObject({
  code: z.string().regex(RARC_PATTERN, 'a RARC looks like M127, MA130 or N115'),
  meaning: text.max(300),
  fix: text,
  source: SourceRefs,
  confidence,
});
export type RarcEntry = z.infer<typeof RarcEntrySchema>;

/** The words a piece of advice may fill in: the payer's claim number, the remark code that made the advice apply. */
export const ADVICE_PLACEHOLDERS = ['claimNumber', 'remark'] as const;
/** Advice the resubmission checklist names by id; the file must have each of them. */
export const REQUIRED_ADVICE = ['replacement-claim', 'void-claim', 'new-claim'] as const;

/**
 * A step of the resubmission checklist with where it comes from: how to fill the claim form for a corrected claim,
 * and what one payer kind wants for an appeal or a correction (`payers`: only for those kinds).
 */
export const AdviceEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
  action: z.enum(DENIAL_ACTIONS),
  payers: z.array(z.enum(CLAIM_PAYER_KINDS)).min(1).optional(),
  /** The step as the checklist says it; {claimNumber} and {remark} are filled in when known. */
  text,
  source: SourceRefs,
  confidence,
});
export type AdviceEntry = z.infer<typeof AdviceEntrySchema>;

export const DenialsFileSchema = z.strictObject({
  carcs: z.array(CarcEntrySchema).min(1),
  rarcs: z.array(RarcEntrySchema),
  advice: z.array(AdviceEntrySchema).min(1),
});

/** A number of days a billing lead may change, with why and where it comes from. */
const setting = z
  .strictObject({
    value: z.number().int().min(0),
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(0).optional(),
    basis: text,
    source: SourceRefs,
    confidence,
  })
  .refine((s) => (s.min === undefined || s.value >= s.min) && (s.max === undefined || s.value <= s.max), {
    message: 'value must lie between min and max',
    path: ['value'],
  });
export type PolicySetting = z.infer<typeof setting>;

const appealRule = z.strictObject({
  days: z.number().int().min(1).max(730),
  basis: text,
  source: SourceRefs,
  confidence,
});
export type AppealRule = z.infer<typeof appealRule>;

const daysOrMonths = (r: { days?: number; months?: number }) => (r.days === undefined) !== (r.months === undefined);

/**
 * One state's own filing limit for an injury insurer (auto no-fault, workers' compensation), with its source:
 * shown beside the payer kind's conservative default so the team can enter the state's rule for a claim.
 */
const stateFilingRule = z
  .strictObject({
    state: z.string().regex(/^[A-Z]{2}$/, 'a state is its two-letter postal code, e.g. "NY"'),
    days: z.number().int().min(1).max(1095).optional(),
    months: z.number().int().min(1).max(36).optional(),
    /** When the clock starts, if not the date of service ("the later of the service and the claim's acceptance"). */
    from: text.max(200).optional(),
    source: SourceRefs,
    confidence,
  })
  .refine(daysOrMonths, { message: 'give either days or months, not both' });
export type StateFilingRule = z.infer<typeof stateFilingRule>;

/** A filing limit is counted in days (90) or in months (Medicare: 12 months, one calendar year). */
const filingRule = z
  .strictObject({
    days: z.number().int().min(1).max(730).optional(),
    months: z.number().int().min(1).max(24).optional(),
    basis: text,
    source: SourceRefs,
    confidence,
    /** States whose own limit is known, each with its source (injury insurers: the states set these limits). */
    states: z.array(stateFilingRule).min(1).optional(),
    /** What to check where no state rule is listed, in a sentence. */
    otherStates: text.max(400).optional(),
  })
  .refine(daysOrMonths, { message: 'give either days or months, not both' });
export type FilingRule = z.infer<typeof filingRule>;

const byPayer = <T extends z.ZodType>(schema: T) => z.record(z.enum(CLAIM_PAYER_KINDS), schema);

export const FollowUpFileSchema = z.strictObject({
  followUp: z.strictObject({
    /** The first follow-up, this many days after submission. */
    firstAfterSubmissionDays: setting,
    /** Then every so many days until the claim is resolved. */
    repeatEveryDays: setting,
  }),
  appealDeadlines: byPayer(appealRule),
  /** Warn when an appeal deadline is this many days away or less. */
  appealWarningDays: setting,
  /** Records are due this many days after the request when the payer gave no date. */
  recordsDueDefaultDays: setting,
  /** Warn this many days before a prior authorization expires (and always when it ends before the service). */
  authExpiryWarningDays: setting,
  /** Remind when a claim is not submitted this many days after the service. */
  notSubmittedReminderDays: setting,
  timelyFiling: byPayer(filingRule),
});
/** The follow-up policy, as written in knowledge/followup.json (every number with its basis and sources). */
export type FollowUpPolicy = z.infer<typeof FollowUpFileSchema>;

/** A phrase's words, compiled once, and the entry it points to. */
export interface DenialPhrase {
  words: readonly string[];
  entry: CarcEntry;
}

export interface ClaimSource {
  id: string;
  title: string;
  url?: string;
  confidence: (typeof CONFIDENCE_LEVELS)[number];
}

export interface ClaimKnowledge {
  dir: string;
  /** Every CARC entry, in file order. */
  carcs: readonly CarcEntry[];
  /** By "GROUP-CARC" for the entry's group and each of its other groups: "CO-50", "PR-50". */
  byGroupCode: ReadonlyMap<string, CarcEntry>;
  /** By CARC alone, the entries in file order (the first is the usual reading). */
  byCarc: ReadonlyMap<string, readonly CarcEntry[]>;
  rarcs: ReadonlyMap<string, RarcEntry>;
  /** Checklist advice by id (denials.json advice), in file order. */
  advice: ReadonlyMap<string, AdviceEntry>;
  /** Every phrase, longest first, so the most specific reading wins. */
  phrases: readonly DenialPhrase[];
  policy: FollowUpPolicy;
  /** Document titles (knowledge/documents.json labels) for checklists. */
  documentLabels: ReadonlyMap<DocumentKind, string>;
  sources: ReadonlyMap<string, ClaimSource>;
}

export const groupCode = (g: DenialGroup, carc: string): string => `${g}-${carc}`;

/** A CARC entry is named by its group and code ("CO-50"); anything else by its code. */
const claimEntryLabel: EntryLabel = (e) => (typeof e.carc === 'string' ? `${typeof e.group === 'string' ? `${e.group}-` : ''}${e.carc}` : defaultEntryLabel(e));

/** Loads and checks both files from `dir`; throws KnowledgeError naming every problem found. */
function loadFresh(dir: string): ClaimKnowledge {
  const problems: string[] = [];
  const sourcesFile = parseKnowledgeFile(dir, 'sources.json', SourcesFileSchema, claimEntryLabel);
  const sources = new Map<string, ClaimSource>(sourcesFile.sources.map((s) => [s.id, s]));
  const checkSources = (where: string, refs: readonly string[]) => {
    for (const ref of refs) if (!sources.has(ref)) problems.push(`${where}: source "${ref}" is not defined in knowledge/sources.json`);
  };
  const documentsFile = parseKnowledgeFile(dir, 'documents.json', DocumentsFileSchema, claimEntryLabel);
  const documentLabels = new Map<DocumentKind, string>(documentsFile.documents.map((d) => [d.kind, d.label]));

  const denials = parseKnowledgeFile(dir, DENIALS_FILE, DenialsFileSchema, claimEntryLabel);
  const byGroupCode = new Map<string, CarcEntry>();
  const byCarc = new Map<string, CarcEntry[]>();
  const phraseOwner = new Map<string, string>();
  const phrases: DenialPhrase[] = [];
  for (const e of denials.carcs) {
    const name = groupCode(e.group, e.carc);
    const where = `${DENIALS_FILE} ${name}`;
    const groups = [e.group, ...(e.otherGroups ?? [])];
    if (new Set(groups).size !== groups.length) problems.push(`${where}: otherGroups repeats a group`);
    for (const g of groups) {
      const key = groupCode(g, e.carc);
      const other = byGroupCode.get(key);
      if (other) problems.push(`${where}: ${key} is already listed (entry ${groupCode(other.group, other.carc)})`);
      else byGroupCode.set(key, e);
    }
    byCarc.set(e.carc, [...(byCarc.get(e.carc) ?? []), e]);
    checkSources(where, e.source);
    for (const kind of e.attach) if (!documentLabels.has(kind)) problems.push(`${where}: document kind "${kind}" is not described in knowledge/documents.json`);
    for (const phrase of e.phrases) {
      const words = tokenize(phrase).words;
      const key = words.join(' ');
      if (!words.length) {
        problems.push(`${where}: phrase "${phrase}" has no words`);
        continue;
      }
      const owner = phraseOwner.get(key);
      if (owner && owner !== name) problems.push(`${where}: phrase "${phrase}" is also a phrase of ${owner}`);
      if (owner) continue;
      phraseOwner.set(key, name);
      phrases.push({ words, entry: e });
    }
  }
  const rarcs = new Map<string, RarcEntry>();
  for (const r of denials.rarcs) {
    const where = `${DENIALS_FILE} ${r.code}`;
    if (rarcs.has(r.code)) problems.push(`${where}: listed twice`);
    checkSources(where, r.source);
    rarcs.set(r.code, r);
  }

  const advice = new Map<string, AdviceEntry>();
  for (const a of denials.advice) {
    const where = `${DENIALS_FILE} advice ${a.id}`;
    if (advice.has(a.id)) problems.push(`${where}: listed twice`);
    checkSources(where, a.source);
    for (const [, name = ''] of a.text.matchAll(/\{([^}]*)\}/g)) {
      if (!(ADVICE_PLACEHOLDERS as readonly string[]).includes(name)) problems.push(`${where}: {${name}} is not a placeholder medbill fills in (${ADVICE_PLACEHOLDERS.map((x) => `{${x}}`).join(', ')})`);
    }
    advice.set(a.id, a);
  }
  for (const id of REQUIRED_ADVICE) if (!advice.has(id)) problems.push(`${DENIALS_FILE} advice: "${id}" is missing (the resubmission checklist needs it)`);

  const policy = parseKnowledgeFile(dir, FOLLOWUP_FILE, FollowUpFileSchema, claimEntryLabel);
  const settings = {
    'followUp.firstAfterSubmissionDays': policy.followUp.firstAfterSubmissionDays,
    'followUp.repeatEveryDays': policy.followUp.repeatEveryDays,
    appealWarningDays: policy.appealWarningDays,
    recordsDueDefaultDays: policy.recordsDueDefaultDays,
    authExpiryWarningDays: policy.authExpiryWarningDays,
    notSubmittedReminderDays: policy.notSubmittedReminderDays,
  };
  for (const [name, value] of Object.entries(settings)) checkSources(`${FOLLOWUP_FILE} ${name}`, value.source);
  for (const payer of CLAIM_PAYER_KINDS) {
    checkSources(`${FOLLOWUP_FILE} appealDeadlines.${payer}`, policy.appealDeadlines[payer].source);
    checkSources(`${FOLLOWUP_FILE} timelyFiling.${payer}`, policy.timelyFiling[payer].source);
    for (const st of policy.timelyFiling[payer].states ?? []) checkSources(`${FOLLOWUP_FILE} timelyFiling.${payer}.states ${st.state}`, st.source);
  }

  if (problems.length) throw new KnowledgeError(`knowledge/ has ${problems.length} problem(s) in the claim files:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  // Longest phrase first (by words, then characters); file order breaks ties (sort is stable).
  phrases.sort((a, b) => b.words.length - a.words.length || b.words.join(' ').length - a.words.join(' ').length);
  return { dir, carcs: denials.carcs, byGroupCode, byCarc, rarcs, advice, phrases, policy, documentLabels, sources };
}

/**
 * The claim knowledge in `dir`, validated, read afresh at each call: the composition root (src/root/shelf.ts)
 * reads it once and hands it to whoever needs it.
 */
export function loadClaimKnowledge(dir: string = DEFAULT_KNOWLEDGE_DIR): ClaimKnowledge {
  return loadFresh(dir);
}
