/**
 * triage(facts) → TriageResult, exactly as shared/contracts/triage.md defines it. Pure: the same facts, knowledge
 * and "today" (the date of service of a case without one, given by the caller) always give the same answer, and
 * every part of the answer names the rule that produced it.
 */
import type { CaseFacts } from './facts.js';
import type { CompiledCategory, CompiledChoice, DocumentDef, EngineRule, Knowledge } from './load.js';
import type { LaneRule } from './schema.js';
import { readCase, type CaseReading } from './case.js';
import { holds, type Context } from './conditions.js';
import { checkDiagnosis, codeSetStandIn, diagnosisDate, isNeverSuggested, NO_DIRECTORY, weighCause, type CodeDirectory, type Finding } from './evidence.js';
import { hasAnyPhrase } from './text.js';
import {
  MEDICAL_LANES, type Cause, type CoverageKind, type DocumentKind, type Lane, type MedicalPayer, type Preauth,
  type ProcedureCodeSet, type WarningId,
} from './vocabulary.js';

export interface Code { code: string; description: string }
export interface TriageResult {
  lane: Lane;
  preauth: Preauth;
  procedureCodes: { cdt: Code[]; cpt: Code[]; hcpcs: Code[] };
  diagnosisCodes: Code[];
  documents: { kind: DocumentKind; label: string; onHand: boolean; why: string }[];
  warnings: { id: WarningId; message: string }[];
  rules: { id: string; summary: string; source: string }[];
  questions: { field: string; question: string }[];
}

const MAX_CODES_PER_SET = 4;
const MAX_DIAGNOSES = 6;
const PROCEDURE_SETS: ProcedureCodeSet[] = ['cdt', 'cpt', 'hcpcs'];
/** Payer kinds tried when the case does not say ("other" behaves as commercial in every rule). */
const PAYER_CHOICES: MedicalPayer[] = ['commercial', 'medicare', 'medicare-advantage', 'medicaid', 'tricare'];
const ACCIDENT_PAYER_SIGNALS = ['auto-accident', 'work-injury', 'third-party-liability'];

/** Collects the result as the engine works, keeping each rule, warning and question once. */
class Answer {
  readonly rules = new Map<string, { id: string; summary: string; source: string }>();
  readonly warnings = new Map<WarningId, string[]>();
  readonly questions: { field: string; question: string }[] = [];

  /** `payer`: the case's medical payer kind, when known: a source about another payer's rules is not cited. */
  constructor(private readonly kn: Knowledge, private readonly payer?: MedicalPayer) {}

  fire(id: string, summary: string, sources: string[]) {
    if (this.rules.has(id)) return;
    const payer = this.payer;
    const fits = payer ? sources.filter((s) => this.kn.sources.get(s)?.payers?.includes(payer) ?? true) : sources;
    // A rule keeps at least one source: one written for another payer still says where the rule comes from.
    this.rules.set(id, { id, summary, source: renderSources(this.kn, fits.length ? fits : sources) });
  }
  /**
   * Fires a cross-cutting rule from rules.json, with an optional case-specific detail, citing its own sources
   * or, when given, `sources` (the ICD-10-CM code set of the year a diagnosis was checked against).
   */
  fireEngineRule(id: string, detail?: string, sources?: string[]) {
    const rule = this.kn.rules.get(id);
    if (!rule) throw new Error(`engine rule ${id} is missing from knowledge/rules.json`);
    const existing = this.rules.get(id);
    if (existing && detail) existing.summary += ` ${detail}`;
    else this.fire(id, detail ? `${rule.summary} Here: ${detail}` : rule.summary, sources?.length ? sources : rule.source);
    return rule;
  }
  warn(id: WarningId, message: string) {
    const list = this.warnings.get(id) ?? [];
    if (!list.includes(message)) list.push(message);
    this.warnings.set(id, list);
  }
  ask(field: string, question: string) {
    if (!this.questions.some((q) => q.field === field && q.question === question)) this.questions.push({ field, question });
  }
}

function renderSources(kn: Knowledge, ids: string[]): string {
  return ids
    .map((id) => {
      const s = kn.sources.get(id);
      return s ? (s.url ? `${s.title} <${s.url}>` : s.title) : id;
    })
    .join('; ');
}

// What the loader guarantees (the "general" category, every document kind described) and what the engine rules
// triage warns with carry in rules.json: missing, the knowledge/ directory is broken, and it is said so.

function generalCategory(kn: Knowledge): CompiledCategory {
  const general = kn.categories.find((c) => c.id === 'general');
  if (!general) throw new Error('the fallback category "general" is missing from knowledge/categories/');
  return general;
}

function documentDef(kn: Knowledge, kind: DocumentKind): DocumentDef {
  const def = kn.documents.get(kind);
  if (!def) throw new Error(`document kind "${kind}" is not described in knowledge/documents.json`);
  return def;
}

function messageOf(rule: EngineRule): string {
  if (rule.message === undefined) throw new Error(`engine rule ${rule.id} in knowledge/rules.json has no message`);
  return rule.message;
}

function warningOf(rule: EngineRule): WarningId {
  if (rule.warning === undefined) throw new Error(`engine rule ${rule.id} in knowledge/rules.json has no warning`);
  return rule.warning;
}

// ---------------------------------------------------------------- which procedure

function chooseCategory(kn: Knowledge, r: CaseReading, cause: Cause): CompiledCategory {
  let best: CompiledCategory | undefined;
  let bestScore = 0;
  // A code no category claims (21025 given for a tumor) leaves the choice to the words.
  const givenCode = r.procedureCode?.code;
  const codeKnown = givenCode !== undefined && kn.categories.some((c) => c.match.codes.includes(givenCode));
  const inProcedure = kn.categoryPhrases.longest(r.procedureWords);
  let inWords: Map<CompiledCategory, number> | undefined;
  for (const c of kn.categories) {
    let score = 0;
    if (r.procedureCode && c.match.codes.includes(r.procedureCode.code)) score += 100;
    // A family prefix (D2 restorative) names the procedure less exactly than a listed code.
    else if (givenCode && !codeKnown && c.match.codePrefixes?.some((p) => givenCode.startsWith(p))) score += 50;
    // The disease outranks the procedure's name: osteonecrosis drained or extracted is still osteonecrosis.
    if (c.match.signals?.some((group) => group.every((s) => r.signals.has(s)))) score += 150;
    score += 10 * (inProcedure.get(c) ?? 0);
    if (score === 0 && !codeKnown) score += 2 * ((inWords ??= kn.categoryPhrases.longest(r.allWords)).get(c) ?? 0);
    if (score === 0) continue;
    if (c.preferredFor?.causes?.includes(cause)) score += 5;
    if (c.preferredFor?.signals?.some((s) => r.signals.has(s))) score += 5;
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best ?? kn.categories.find((c) => c.match.causes?.includes(cause)) ?? generalCategory(kn);
}

// ---------------------------------------------------------------- which lane

function coverageKind(medical: boolean, dental: boolean, combined: boolean): CoverageKind {
  if (medical && dental) return combined ? 'combined' : 'separate';
  if (medical) return 'medical-only';
  return dental ? 'dental-only' : 'none';
}

type Dimension = 'coverage' | 'combined' | 'payer';
interface Scenario { coverage: CoverageKind; payer?: MedicalPayer; varies: Record<Dimension, string> }

/** Every reading of the coverage the facts allow: one when they say everything, several when they do not. */
function scenarios(facts: CaseFacts): Scenario[] {
  const cov = facts.coverage ?? {};
  const both = [true, false];
  const combinedSaid = cov.combinedPlan === true;
  const medicals = combinedSaid ? [true] : cov.medical === undefined ? both : [cov.medical];
  // EPSDT makes dental a mandatory Medicaid benefit under 21, whatever "dental" was ticked (R-MEDICAID-EPSDT).
  const dentals = combinedSaid ? [true] : epsdt(facts) ? [true] : cov.dental === undefined ? both : [cov.dental];
  const out: Scenario[] = [];
  for (const medical of medicals) {
    for (const dental of dentals) {
      // Original Medicare has no dental benefit (SSA 1862(a)(12)), so its dental cover is always a plan of its own.
      const combineds = medical && dental ? (cov.combinedPlan !== undefined ? [cov.combinedPlan] : cov.medicalPayer === 'medicare' ? [false] : both) : [false];
      for (const combined of combineds) {
        const coverage = coverageKind(medical, dental, combined);
        const payers: (MedicalPayer | undefined)[] = !medical ? [undefined] : cov.medicalPayer ? [cov.medicalPayer] : PAYER_CHOICES;
        for (const payer of payers) {
          const s: Scenario = { coverage, varies: { coverage: `${medical}/${dental}`, combined: String(combined), payer: payer ?? '-' } };
          if (payer) s.payer = payer;
          out.push(s);
        }
      }
    }
  }
  return out;
}

/** The one scenario the facts leave, if they leave just one. */
function onlyScenario(facts: CaseFacts): Scenario | undefined {
  const all = scenarios(facts);
  return all.length === 1 ? all[0] : undefined;
}

/** A Medicaid child (under 21) has dental benefits through EPSDT even when no dental plan is named. */
export function epsdt(facts: Pick<CaseFacts, 'coverage' | 'patientAge'>): boolean {
  return facts.coverage?.medicalPayer === 'medicaid' && facts.coverage.medical !== false && facts.patientAge !== undefined && facts.patientAge < 21;
}

function firstRule(rules: readonly LaneRule[], ctx: Context): LaneRule | undefined {
  return rules.find((rule) => holds(rule.when, ctx));
}

function laneRuleFor(kn: Knowledge, category: CompiledCategory, ctx: Context): LaneRule {
  // The general category's last rule matches everything, so a rule is always found.
  const rule = firstRule(kn.lanePrelude, ctx) ?? firstRule(category.lanes, ctx) ?? firstRule(generalCategory(kn).lanes, ctx);
  if (!rule) throw new Error('no lane rule matches: the last rule of knowledge/categories/ "general" must match every case');
  // Cross-cutting corrections see the lane the category chose (adult Medicaid dental varies by state).
  return firstRule(kn.laneOverrides, { ...ctx, lane: rule.lane }) ?? rule;
}

/** The combined-plan question as it applies to a Medicaid child (R-MEDICAID-DENTAL-DELIVERY). */
export const MEDICAID_DELIVERY_QUESTION = {
  ruleId: 'R-MEDICAID-DENTAL-DELIVERY', field: 'coverage.combinedPlan',
  question: "Is the child's Medicaid dental benefit part of the Medicaid health plan (dental carved in), or a separate Medicaid dental program or dental plan?",
};

const DIMENSION_QUESTIONS: Record<Dimension, { ruleId: string; field: string; question: string }> = {
  coverage: { ruleId: 'R-NEEDS-COVERAGE', field: 'coverage', question: 'Which insurance does the patient have: medical, dental, both (as separate plans or one combined plan), or none?' },
  combined: { ruleId: 'R-NEEDS-COMBINED', field: 'coverage.combinedPlan', question: 'Do medical and dental benefits come from one combined plan, or two separate plans?' },
  payer: { ruleId: 'R-NEEDS-PAYER', field: 'coverage.medicalPayer', question: 'What kind of medical plan is it: Medicare, Medicare Advantage, Medicaid, commercial (employer or marketplace), or TRICARE?' },
};

const COVERAGE_LABEL: Record<CoverageKind, string> = {
  combined: 'one combined plan', separate: 'separate medical and dental plans', 'medical-only': 'medical only',
  'dental-only': 'dental only', none: 'no insurance',
};

interface LaneDecision { lane: Lane; preauth: Preauth; rule?: LaneRule; scenario?: Scenario; undecided?: Dimension[] }

function decideLane(kn: Knowledge, category: CompiledCategory, base: Omit<Context, 'coverage' | 'payer'>, facts: CaseFacts, answer: Answer): LaneDecision {
  const options = scenarios(facts).map((scenario) => {
    const ctx: Context = { ...base, coverage: scenario.coverage };
    if (scenario.payer) ctx.payer = scenario.payer;
    return { scenario, rule: laneRuleFor(kn, category, ctx) };
  });
  const lanes = new Set(options.map((o) => o.rule.lane));
  const [first] = options;
  if (first && lanes.size === 1) {
    const same = options.every((o) => o.rule.id === first.rule.id);
    const preauths = new Set(options.map((o) => o.rule.preauth));
    const decision: LaneDecision = { lane: first.rule.lane, preauth: preauths.size === 1 ? first.rule.preauth : 'unknown' };
    if (options.length === 1 || same) {
      decision.rule = first.rule;
      decision.scenario = first.scenario;
    } else {
      // Same lane whatever the unknown facts are: report each rule that could have decided it.
      for (const o of options) answer.fire(o.rule.id, o.rule.summary, o.rule.source);
    }
    return decision;
  }
  // The unknown facts decide the lane: ask for the first fact whose answer changes it.
  const undecided = (['coverage', 'combined', 'payer'] as Dimension[]).filter((dim) =>
    options.some((a) => options.some((b) => a.rule.lane !== b.rule.lane && (['coverage', 'combined', 'payer'] as Dimension[]).every((d) => d === dim || a.scenario.varies[d] === b.scenario.varies[d]) && a.scenario.varies[dim] !== b.scenario.varies[dim])),
  );
  const asked = undecided.length ? undecided : (['coverage', 'combined', 'payer'] as Dimension[]).filter((d) => new Set(options.map((o) => o.scenario.varies[d])).size > 1);
  const outcomes = [...new Map(options.map((o) => [`${COVERAGE_LABEL[o.scenario.coverage]}${o.scenario.payer && asked.includes('payer') ? ` (${o.scenario.payer})` : ''}`, o.rule.lane])).entries()]
    .map(([k, lane]) => `${k} → ${lane}`)
    .join('; ');
  const dim = asked[0] ?? 'coverage';
  answer.fireEngineRule(DIMENSION_QUESTIONS[dim].ruleId, `by the facts it could be: ${outcomes}.`);
  // For a Medicaid child, "one plan or two" is the state's choice of how it runs the dental benefit: asked so.
  if (dim === 'combined' && epsdt(facts)) answer.fireEngineRule('R-MEDICAID-DENTAL-DELIVERY');
  return { lane: 'needs-info', preauth: 'unknown', undecided: asked };
}

// ---------------------------------------------------------------- which codes

function choose(choices: CompiledChoice[], r: CaseReading, ctx: Context, defaultLanes?: readonly Lane[]): string[] {
  const fits = (c: CompiledChoice) => {
    const when = c.when ?? {};
    if (defaultLanes && !when.lane && (!ctx.lane || !defaultLanes.includes(ctx.lane))) return false;
    if (!holds(c.when, ctx)) return false;
    if (c.excludePhrases && hasAnyPhrase(r.allWords, c.excludePhrases)) return false;
    return true;
  };
  const keyed = choices.filter((c) => !c.fallback && c.keywordPhrases && fits(c) && hasAnyPhrase(r.allWords, c.keywordPhrases));
  const plain = choices.filter((c) => !c.fallback && !c.keywordPhrases && fits(c));
  const chosen = [...keyed, ...plain];
  if (keyed.length === 0) chosen.push(...choices.filter((c) => c.fallback && fits(c) && (!c.keywordPhrases || hasAnyPhrase(r.allWords, c.keywordPhrases))));
  // Keep knowledge order: the file lists the most likely first.
  return choices.filter((c) => chosen.includes(c)).map((c) => c.code);
}

/** What an answer says about a code the person gave that medbill's tables do not describe. */
function unknownCodeDescription(set: ProcedureCodeSet): string {
  return `${set.toUpperCase()} code as given; medbill does not know it (not in its code tables): check the code before billing`;
}

/**
 * Whether a diagnosis the person gave makes a suggestion redundant: the suggestion is its sibling (same
 * subcategory, e.g. S02.650A "unspecified side" beside S02.652A "left"), or an "unspecified" code of the
 * same category. Suggesting it would read as a correction of a code that is right.
 */
function saysMoreThan(given: string, suggested: string, suggestedTitle: string): boolean {
  const g = given.replace('.', '');
  const s = suggested.replace('.', '');
  if (g.length >= 5 && s.length >= 5 && g.slice(0, 5) === s.slice(0, 5)) return true;
  return g.slice(0, 3) === s.slice(0, 3) && /\bunspecified\b/i.test(suggestedTitle);
}

// ---------------------------------------------------------------- the whole answer

/** Words that name no known procedure (and no code) fall to the general category: R-NEEDS-PROCEDURE. */
function recognized(category: CompiledCategory, r: CaseReading): boolean {
  return !(category.id === 'general' && r.procedureWords.words.length > 0 && !r.procedureCode);
}

/** The category triage files these facts under (its procedure codes and words, and the cause the diagnoses point to). */
export function categoryOf(facts: CaseFacts, kn: Knowledge): CompiledCategory {
  const r = readCase(facts, kn);
  return chooseCategory(kn, r, weighCause(kn, r).cause);
}

/** Whether triage recognises these words (or code) as a procedure: the same test as R-NEEDS-PROCEDURE, without the rest of triage. */
export function procedureRecognized(procedure: string, kn: Knowledge): boolean {
  const r = readCase({ procedure }, kn);
  return recognized(chooseCategory(kn, r, weighCause(kn, r).cause), r);
}

/** What triage needs besides the facts: the date to use when the case gives no date of service, and titles. */
export interface TriageOptions {
  /**
   * Today's date (YYYY-MM-DD) in the practice's time zone (`todayIn(config.zone, clock)`), or a function that
   * gives it: the date of service when the case gives none, which chooses the ICD-10-CM code set. Triage never
   * reads the clock itself, and calls the function only when a diagnosis needs the date (the zone's first
   * lookup loads the platform's time-zone data: tens of milliseconds on a cold start).
   */
  today: string | (() => string);
  /** Titles of ICD-10-CM codes beyond knowledge/ (an imported CMS file); none by default. */
  directory?: CodeDirectory;
}

export function triage(facts: CaseFacts, kn: Knowledge, options: TriageOptions): TriageResult {
  const directory = options.directory ?? NO_DIRECTORY;
  const answer = new Answer(kn, facts.coverage?.medicalPayer);
  const r = readCase(facts, kn);
  const verdict = weighCause(kn, r);
  const category = chooseCategory(kn, r, verdict.cause);
  let cause = verdict.cause;
  const findings: Finding[] = [...verdict.findings];
  if (cause === 'unknown' && category.impliedCause) {
    cause = category.impliedCause;
    findings.push({ ruleId: 'R-PROCEDURE-IMPLIED', detail: `${category.name.toLowerCase()} is done for ${cause}.` });
  }
  // Not quoted back: replies name only what medbill recognised, never the words as typed.
  if (!recognized(category, r)) answer.fireEngineRule('R-NEEDS-PROCEDURE', 'the words given match no known procedure, so the lane follows the cause.');

  const base = { cause, signals: r.signals, ...(facts.patientAge !== undefined ? { age: facts.patientAge } : {}) };
  const decision = decideLane(kn, category, base, facts, answer);
  if (decision.rule) answer.fire(decision.rule.id, decision.rule.summary, decision.rule.source);
  for (const f of findings) answer.fireEngineRule(f.ruleId, f.detail);
  const lane = decision.lane;

  // One concrete context for everything that depends on the decided lane.
  const ctx: Context = { ...base, lane };
  const knownCoverage = decision.scenario?.coverage ?? onlyScenario(facts)?.coverage;
  if (knownCoverage) ctx.coverage = knownCoverage;
  const payer = facts.coverage?.medicalPayer ?? decision.scenario?.payer;
  if (payer && facts.coverage?.medicalPayer) ctx.payer = payer;
  else if (payer && decision.rule?.when.payer) ctx.payer = payer;

  // Prior authorization by payer kind (rules.json preauthRules): Original Medicare has none for these
  // services, Medicaid and Medicare Advantage plans each keep their own list.
  if (MEDICAL_LANES.includes(lane)) {
    const pa = kn.preauthRules.find((p) => (!p.from || p.from.includes(decision.preauth)) && holds(p.when, ctx));
    if (pa) {
      decision.preauth = pa.preauth;
      answer.fire(pa.id, pa.summary, pa.source);
      if (pa.ask) answer.ask(pa.ask.field, pa.ask.question);
    }
  }
  if (epsdt(facts)) answer.fireEngineRule('R-MEDICAID-EPSDT');

  // Procedure codes: every code the person gave first, then the category's choices.
  const procedureCodes: TriageResult['procedureCodes'] = { cdt: [], cpt: [], hcpcs: [] };
  const addCode = (set: ProcedureCodeSet, code: string) => {
    const entry = kn.procedureCodes[set].get(code);
    const list = procedureCodes[set];
    if (entry && !list.some((c) => c.code === code) && list.length < MAX_CODES_PER_SET) list.push({ code, description: entry.description });
  };
  for (const { code, set } of r.givenCodes) {
    const never = isNeverSuggested(kn, code, category.id);
    if (never) {
      answer.fireEngineRule('R-NEVER-SUGGEST', `${code}: ${never.reason} Use ${never.instead.join(' or ')}.`);
      for (const instead of never.instead) for (const s of PROCEDURE_SETS) addCode(s, instead);
      continue;
    }
    // A code the person gave stays in the answer whatever category wins, past the cap on suggestions; one
    // medbill does not know still appears, saying so, rather than vanishing.
    const entry = kn.procedureCodes[set].get(code);
    if (!entry) answer.fireEngineRule('R-CODE-NOT-IN-TABLE', `${code} is not described in knowledge/codes/${set}.json.`);
    const list = procedureCodes[set];
    if (!list.some((c) => c.code === code)) list.push({ code, description: entry?.description ?? unknownCodeDescription(set) });
  }
  for (const set of PROCEDURE_SETS) {
    // A code given by the case already says which code of its own set applies; the category adds the others.
    if (r.givenCodes.some((g) => g.set === set) && procedureCodes[set].length > 0) continue;
    const defaultLanes = set === 'cdt' ? undefined : [...MEDICAL_LANES, 'needs-info' as Lane];
    for (const code of choose(category.procedureCodes[set], r, ctx, defaultLanes)) if (!isNeverSuggested(kn, code, category.id)) addCode(set, code);
  }
  ctx.emptyCodeSets = new Set(PROCEDURE_SETS.filter((s) => procedureCodes[s].length === 0));

  // Diagnoses: every valid code given, as given and past the cap, checked against the code set of the date of
  // service (today when the case gives none); then the category's suggestions.
  const diagnosisCodes: Code[] = [];
  if (r.diagnoses.length) {
    const at = diagnosisDate(kn, facts.serviceDate, options.today, facts.notes);
    const standIn = codeSetStandIn(kn, at);
    if (standIn) {
      const rule = answer.fireEngineRule('R-DX-YEAR', standIn);
      answer.warn(warningOf(rule), standIn);
    }
    for (const code of r.diagnoses) {
      const check = checkDiagnosis(kn, directory, code, cause, category.id, at);
      if (check.problem) {
        const rule = answer.fireEngineRule(check.problem.ruleId, check.problem.message, check.problem.source);
        answer.warn(rule.warning ?? 'unverified-diagnosis', check.problem.message);
      }
      if (check.entry && !diagnosisCodes.some((d) => d.code === code)) diagnosisCodes.push({ code, description: check.entry.title });
    }
  }
  if (lane !== 'patient-pay') {
    const given = diagnosisCodes.map((d) => d.code);
    for (const code of choose(category.diagnoses, r, ctx)) {
      if (diagnosisCodes.length >= MAX_DIAGNOSES) break;
      const title = kn.icd10.get(code)?.title ?? code;
      if (diagnosisCodes.some((d) => d.code === code) || given.some((g) => saysMoreThan(g, code, title))) continue;
      diagnosisCodes.push({ code, description: title });
    }
  }

  // Documents the medical payer will want.
  const documents: TriageResult['documents'] = [];
  const addDocument = (kind: DocumentKind, why: string) => {
    if (documents.some((d) => d.kind === kind)) return;
    const def = documentDef(kn, kind);
    const payerNotes = (def.payerRequirements ?? [])
      .filter((p) => ctx.payer && p.payer.includes(ctx.payer) && (!p.categories || p.categories.includes(category.id)))
      .map((p) => p.requirement);
    documents.push({ kind, label: def.label, onHand: r.documentsOnHand.has(kind), why: [why, ...payerNotes, `Must show: ${def.mustContain.join('; ')}.`].join(' ') });
  };
  const keyDocuments: DocumentKind[] = [];
  for (const d of category.documents) {
    const whenLane = d.when?.lane ?? [...MEDICAL_LANES, 'needs-info'];
    if (!whenLane.includes(lane) || !holds({ ...d.when, lane: undefined }, ctx)) continue;
    addDocument(d.kind, d.why);
    if (d.key) keyDocuments.push(d.kind);
  }
  // The deciding rule's own paperwork, whatever the category (Medicare-linked care needs the referral).
  for (const d of decision.rule?.documents ?? []) {
    addDocument(d.kind, d.why);
    if (d.key && !keyDocuments.includes(d.kind)) keyDocuments.push(d.kind);
  }
  const medicalLane = MEDICAL_LANES.includes(lane);
  if (medicalLane) {
    const rule = answer.fireEngineRule('R-DOC-01');
    addDocument('clinical-notes', rule.summary);
    if (!keyDocuments.includes('clinical-notes')) keyDocuments.push('clinical-notes');
  }

  // Warnings and the cross-cutting rules.
  if (facts.fee !== undefined && facts.cashFee !== undefined && facts.fee > facts.cashFee) {
    const rule = answer.fireEngineRule('R-FEE-01', `fee $${facts.fee} is above the cash fee $${facts.cashFee}.`);
    answer.warn('fee-above-cash-fee', messageOf(rule));
  }
  if (medicalLane) {
    const rule = answer.fireEngineRule('R-CRED-01');
    answer.warn('credentialing', messageOf(rule));
  }
  if (cause === 'trauma') {
    if (ACCIDENT_PAYER_SIGNALS.some((s) => r.signals.has(s))) {
      const rule = answer.fireEngineRule('R-ACC-01');
      answer.warn('other-liable-payer', messageOf(rule));
      // Each insurer's own filing and appeal limits (rules.json rules with otherPayerSignal).
      for (const other of kn.rules.values()) if (other.otherPayerSignal && r.signals.has(other.otherPayerSignal)) answer.fireEngineRule(other.id);
      addDocument('accident-details', 'Another insurer may be primary: record the accident and its claim number.');
    } else if (lane !== 'patient-pay') {
      answer.fireEngineRule('R-ACC-02');
      // A car already ruled out ("no car involved") is not asked about again.
      answer.ask('notes', r.signals.has('auto-ruled-out')
        ? 'Was the injury at work, or caused by someone else (their property, their insurance)? That insurer would pay first.'
        : 'Was the injury from a car accident, at work, or caused by someone else? That insurer would pay first.');
    }
  }
  for (const w of category.warnings) {
    if (!holds(w.when, ctx)) continue;
    answer.fire(`${category.id.toUpperCase()}-${w.id.toUpperCase()}`, w.message, w.source);
    answer.warn(w.id, w.message);
  }
  if (medicalLane && (decision.preauth === 'required' || decision.preauth === 'likely') && !r.documentsOnHand.has('prior-authorization')) {
    const rule = answer.fireEngineRule('R-SURG-01');
    answer.warn('preauth-missing', messageOf(rule));
  }
  if (medicalLane) {
    const missing = keyDocuments.filter((k) => !r.documentsOnHand.has(k));
    if (missing.length) {
      const labels = missing.map((k) => documentDef(kn, k).label);
      const rule = answer.fireEngineRule('R-DOC-GAP', `not on hand: ${labels.join(', ')}.`);
      answer.warn(warningOf(rule), `Not on hand yet: ${labels.join(', ')}. Gather them before the claim goes out.`);
    }
  }
  if (lane === 'medical-first') answer.fireEngineRule('R-COB-01');

  // Questions: the one that decides the lane first.
  const deciding = [
    ...(decision.rule?.ask ? [decision.rule.ask] : []),
    ...(decision.undecided ?? []).map((dim) => (dim === 'combined' && epsdt(facts) ? MEDICAID_DELIVERY_QUESTION : DIMENSION_QUESTIONS[dim])),
  ];
  answer.questions.unshift(...deciding.map(({ field, question }) => ({ field, question })).filter((q) => !answer.questions.some((x) => x.question === q.question)));
  for (const q of category.questions) if (holds(q.when, ctx)) answer.ask(q.field, q.question);
  if (medicalLane && r.diagnoses.length === 0) {
    const examples = diagnosisCodes.slice(0, 3).map((d) => d.code).join(', ');
    answer.ask('diagnoses', `Which ICD-10-CM diagnosis codes support the claim?${examples ? ` Likely: ${examples}.` : ''}`);
  }
  if (medicalLane && facts.coverage?.medical !== false && !facts.coverage?.medicalPayer) answer.ask(DIMENSION_QUESTIONS.payer.field, DIMENSION_QUESTIONS.payer.question);
  if (facts.fee !== undefined && facts.cashFee === undefined) answer.ask('cashFee', "What is the practice's usual cash fee for this service? Insurance must not be billed more.");
  if (facts.cashFee !== undefined && facts.fee === undefined) answer.ask('fee', 'What fee will be billed to insurance for this service?');

  return {
    lane,
    preauth: decision.preauth,
    procedureCodes,
    diagnosisCodes,
    documents,
    warnings: [...answer.warnings.entries()].map(([id, messages]) => ({ id, message: messages.join(' ') })),
    rules: [...answer.rules.values()],
    questions: answer.questions,
  };
}
