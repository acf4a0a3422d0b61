/**
 * Loads knowledge/ and checks it: each file against its zod schema, then every cross-reference (sources,
 * signals, codes, categories). A broken edit fails here with the file and the entry named.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import type { z } from 'zod';
import {
  CategorySchema, CdtFileSchema, CptFileSchema, DocumentsFileSchema, HcpcsFileSchema, Icd10FileSchema,
  NeverSuggestFileSchema, RulesFileSchema, SignalsFileSchema, SourcesFileSchema,
  type CdtFamily, type CptFamily, type Category, type CodeChoice, type Condition, type LaneRule, type NeverSuggest, type Signal,
} from './schema.js';
import { compilePhrase, PhraseIndex, type Phrase } from './text.js';
import { KnowledgeError, parseKnowledgeFile } from './json-file.js';
import { normalizeIcd10 } from './codes.js';
import { Icd10CodeSets, icd10SourceId, validListFile } from './icd10-valid.js';
import {
  DOCUMENT_KINDS, type Cause, type Confidence, type DocumentKind, type MedicalPayer, type ProcedureCodeSet, type WarningId,
} from './vocabulary.js';

export { KnowledgeError };

/** A prior-authorization rule by payer kind (knowledge/rules.json preauthRules). */
export type PreauthRule = z.infer<typeof RulesFileSchema>['preauthRules'][number];

export const DEFAULT_KNOWLEDGE_DIR = join(PROJECT_ROOT, 'knowledge');

export interface CodeEntry {
  code: string;
  /** CDT category of service or CPT section; HCPCS codes and modifiers have none. */
  family?: CdtFamily | CptFamily;
  description: string;
  note?: string;
  source: string[];
  confidence: Confidence;
}
export interface IcdEntry {
  code: string;
  title: string;
  billable: boolean;
  source: string[];
}
export interface Source {
  id: string;
  title: string;
  url?: string;
  confidence: Confidence;
  /** The payer kinds it speaks to, when it is one payer's rule (a Medicare manual); absent for any payer. */
  payers?: MedicalPayer[];
}
export interface CompiledChoice extends CodeChoice {
  keywordPhrases?: Phrase[];
  excludePhrases?: Phrase[];
}
export interface CompiledCategory extends Omit<Category, 'procedureCodes' | 'diagnoses'> {
  file: string;
  order: number;
  phrases: Phrase[];
  procedureCodes: Record<ProcedureCodeSet, CompiledChoice[]>;
  diagnoses: CompiledChoice[];
}
export interface CompiledSignal extends Signal {
  compiledPhrases: Phrase[];
  compiledProcedurePhrases: Phrase[];
  compiledPatterns: RegExp[];
}
export interface EngineRule {
  id: string;
  summary: string;
  source: string[];
  confidence: Confidence;
  warning?: WarningId;
  message?: string;
  /** The injury signal (auto-accident, work-injury…) whose insurer this rule advises on; fired beside R-ACC-01. */
  otherPayerSignal?: string;
}
export interface DocumentDef {
  kind: DocumentKind;
  label: string;
  mustContain: string[];
  payerRequirements?: { payer: string[]; categories?: string[]; requirement: string; source: string[] }[];
}

export interface Knowledge {
  dir: string;
  sources: Map<string, Source>;
  procedureCodes: Record<ProcedureCodeSet, Map<string, CodeEntry>>;
  modifiers: Map<string, CodeEntry>;
  icd10: Map<string, IcdEntry>;
  /** The fiscal year of codes/icd10cm.json's titles and billable flags. */
  icd10FiscalYear: number;
  /**
   * The official lists of every valid ICD-10-CM code, one per fiscal year (knowledge/codes/icd10cm-valid-fyYYYY.txt),
   * each read on first use: a diagnosis is checked against the list of its date of service's year.
   */
  icd10Lists: Icd10CodeSets;
  categories: CompiledCategory[];
  /** Every category's phrases, by first word (see PhraseIndex). */
  categoryPhrases: PhraseIndex<CompiledCategory>;
  signals: CompiledSignal[];
  /** Every signal's phrases (read in the procedure and notes) and procedure phrases (in the procedure only), by signal id. */
  signalPhrases: PhraseIndex<string>;
  signalProcedurePhrases: PhraseIndex<string>;
  lanePrelude: LaneRule[];
  laneOverrides: LaneRule[];
  preauthRules: PreauthRule[];
  rules: Map<string, EngineRule>;
  diagnosisCauses: { prefix: string; cause: Cause }[];
  signalCauses: { signal: string; cause: Cause }[];
  compatibleCauses: Map<Cause, Set<Cause>>;
  documents: Map<DocumentKind, DocumentDef>;
  neverSuggest: NeverSuggest[];
}


/** Collects every cross-reference problem so that one `kb check` run shows them all. */
class Problems {
  readonly list: string[] = [];
  add(where: string, message: string) {
    this.list.push(`${where}: ${message}`);
  }
  throwIfAny() {
    if (this.list.length) throw new KnowledgeError(`knowledge/ has ${this.list.length} problem(s):\n${this.list.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function compileChoices(choices: CodeChoice[]): CompiledChoice[] {
  return choices.map((choice) => ({
    ...choice,
    ...(choice.keywords ? { keywordPhrases: choice.keywords.map(compilePhrase) } : {}),
    ...(choice.excludeKeywords ? { excludePhrases: choice.excludeKeywords.map(compilePhrase) } : {}),
  }));
}

export function loadKnowledge(dir: string = DEFAULT_KNOWLEDGE_DIR): Knowledge {
  const problems = new Problems();
  const sourcesFile = parseKnowledgeFile(dir, 'sources.json', SourcesFileSchema);
  const sources = new Map(sourcesFile.sources.map((s) => [s.id, s]));
  const checkSources = (where: string, refs: string[]) => {
    for (const ref of refs) if (!sources.has(ref)) problems.add(where, `source "${ref}" is not defined in knowledge/sources.json`);
  };

  const cdt = parseKnowledgeFile(dir, 'codes/cdt.json', CdtFileSchema);
  const cpt = parseKnowledgeFile(dir, 'codes/cpt.json', CptFileSchema);
  const hcpcs = parseKnowledgeFile(dir, 'codes/hcpcs.json', HcpcsFileSchema);
  const icd = parseKnowledgeFile(dir, 'codes/icd10cm.json', Icd10FileSchema);
  const toMap = (file: string, entries: CodeEntry[]) => {
    const map = new Map<string, CodeEntry>();
    for (const e of entries) {
      if (map.has(e.code)) problems.add(`${file} ${e.code}`, 'listed twice');
      checkSources(`${file} ${e.code}`, e.source);
      map.set(e.code, e);
    }
    return map;
  };
  const procedureCodes = {
    cdt: toMap('codes/cdt.json', cdt.codes),
    cpt: toMap('codes/cpt.json', cpt.codes),
    hcpcs: toMap('codes/hcpcs.json', hcpcs.codes),
  };
  const modifiers = toMap('codes/hcpcs.json modifiers', hcpcs.modifiers);
  const icd10 = new Map<string, IcdEntry>();
  for (const e of icd.codes) {
    if (icd10.has(e.code)) problems.add(`codes/icd10cm.json ${e.code}`, 'listed twice');
    checkSources(`codes/icd10cm.json ${e.code}`, e.source);
    icd10.set(e.code, e);
  }

  const signalsFile = parseKnowledgeFile(dir, 'signals.json', SignalsFileSchema);
  const signalIds = new Set<string>();
  const signals: CompiledSignal[] = signalsFile.signals.map((s) => {
    const where = `signals.json ${s.id}`;
    if (signalIds.has(s.id)) problems.add(where, 'defined twice');
    for (const u of s.unlessSignals ?? []) if (!signalIds.has(u)) problems.add(where, `unlessSignals "${u}" must be a signal defined above it`);
    signalIds.add(s.id);
    const compiledPatterns: RegExp[] = [];
    for (const p of s.patterns ?? []) {
      try {
        compiledPatterns.push(new RegExp(p, 'i'));
      } catch (err) {
        problems.add(where, `pattern ${p} is not a valid regular expression (${(err as Error).message})`);
      }
    }
    return { ...s, compiledPhrases: (s.phrases ?? []).map(compilePhrase), compiledProcedurePhrases: (s.procedurePhrases ?? []).map(compilePhrase), compiledPatterns };
  });

  const ruleIds = new Set<string>();
  const checkRuleId = (where: string, id: string) => {
    if (ruleIds.has(id)) problems.add(where, `rule id ${id} is used twice`);
    ruleIds.add(id);
  };
  const checkCondition = (where: string, when: Condition | undefined) => {
    if (!when) return;
    for (const s of [...(when.signals ?? []), ...(when.anySignals ?? []), ...(when.notSignals ?? [])]) {
      if (!signalIds.has(s)) problems.add(where, `signal "${s}" is not defined in knowledge/signals.json`);
    }
  };

  const rulesFile = parseKnowledgeFile(dir, 'rules.json', RulesFileSchema);
  for (const r of rulesFile.lanePrelude) {
    checkRuleId(`rules.json lanePrelude ${r.id}`, r.id);
    checkSources(`rules.json ${r.id}`, r.source);
    checkCondition(`rules.json ${r.id}`, r.when);
  }
  for (const r of [...rulesFile.laneOverrides, ...rulesFile.preauthRules]) {
    checkRuleId(`rules.json ${r.id}`, r.id);
    checkSources(`rules.json ${r.id}`, r.source);
    checkCondition(`rules.json ${r.id}`, r.when);
  }
  for (const sc of rulesFile.signalCauses) if (!signalIds.has(sc.signal)) problems.add(`rules.json signalCauses ${sc.signal}`, 'signal is not defined in knowledge/signals.json');
  const rules = new Map<string, EngineRule>();
  for (const r of rulesFile.rules) {
    checkRuleId(`rules.json ${r.id}`, r.id);
    checkSources(`rules.json ${r.id}`, r.source);
    if (r.otherPayerSignal !== undefined && !signalIds.has(r.otherPayerSignal)) problems.add(`rules.json ${r.id}`, `otherPayerSignal "${r.otherPayerSignal}" is not defined in knowledge/signals.json`);
    rules.set(r.id, r);
  }

  const documentsFile = parseKnowledgeFile(dir, 'documents.json', DocumentsFileSchema);
  const documents = new Map(documentsFile.documents.map((d) => [d.kind, d]));
  for (const kind of DOCUMENT_KINDS) if (!documents.has(kind)) problems.add('documents.json', `document kind "${kind}" is not described`);
  for (const d of documentsFile.documents) {
    checkSources(`documents.json ${d.kind}`, d.source);
    for (const r of d.payerRequirements ?? []) checkSources(`documents.json ${d.kind}`, r.source);
  }

  const categoryFiles = readdirSync(join(dir, 'categories')).filter((f) => f.endsWith('.json')).sort();
  const categories: CompiledCategory[] = [];
  for (const [order, name] of categoryFiles.entries()) {
    const file = `categories/${name}`;
    const c = parseKnowledgeFile(dir, file, CategorySchema);
    const where = (what: string) => `${file} ${what}`;
    if (categories.some((other) => other.id === c.id)) problems.add(where(c.id), 'category id is used twice');
    checkSources(where('source'), c.source);
    for (const s of (c.match.signals ?? []).flat()) if (!signalIds.has(s)) problems.add(where('match.signals'), `signal "${s}" is not defined in knowledge/signals.json`);
    for (const r of c.lanes) {
      checkRuleId(where(r.id), r.id);
      checkSources(where(r.id), r.source);
      checkCondition(where(r.id), r.when);
    }
    for (const d of c.documents) {
      checkSources(where(`documents ${d.kind}`), d.source);
      checkCondition(where(`documents ${d.kind}`), d.when);
    }
    for (const w of c.warnings) {
      checkSources(where(`warnings ${w.id}`), w.source);
      checkCondition(where(`warnings ${w.id}`), w.when);
    }
    for (const q of c.questions) checkCondition(where(`questions ${q.field}`), q.when);
    for (const set of ['cdt', 'cpt', 'hcpcs'] as const) {
      for (const choice of c.procedureCodes[set]) {
        if (!procedureCodes[set].has(choice.code)) problems.add(where(`procedureCodes.${set} ${choice.code}`), `not in knowledge/codes/${set}.json`);
        checkCondition(where(`procedureCodes.${set} ${choice.code}`), choice.when);
      }
    }
    for (const choice of c.diagnoses) {
      const entry = icd10.get(choice.code);
      if (!entry) problems.add(where(`diagnoses ${choice.code}`), 'not in knowledge/codes/icd10cm.json');
      else if (!entry.billable) problems.add(where(`diagnoses ${choice.code}`), 'is a header, not a billable code; suggest a billable child code');
      checkCondition(where(`diagnoses ${choice.code}`), choice.when);
    }
    categories.push({
      ...c,
      file,
      order,
      phrases: c.match.phrases.map(compilePhrase),
      procedureCodes: {
        cdt: compileChoices(c.procedureCodes.cdt),
        cpt: compileChoices(c.procedureCodes.cpt),
        hcpcs: compileChoices(c.procedureCodes.hcpcs),
      },
      diagnoses: compileChoices(c.diagnoses),
    });
  }
  if (!categories.some((c) => c.id === 'general')) problems.add('categories/', 'the fallback category "general" is missing');

  const neverFile = parseKnowledgeFile(dir, 'never-suggest.json', NeverSuggestFileSchema);
  for (const n of neverFile.neverSuggest) {
    checkSources(`never-suggest.json ${n.code}`, n.source);
    for (const id of n.categories) if (id !== '*' && !categories.some((c) => c.id === id)) problems.add(`never-suggest.json ${n.code}`, `category "${id}" does not exist`);
  }
  // A code that must never be suggested cannot also be a suggestion of the same category.
  for (const c of categories) {
    // Procedure codes compare as written; only diagnoses are ICD-10-CM (K1027, a HCPCS code, is not "K10.27").
    const procedures = [...c.procedureCodes.cdt, ...c.procedureCodes.cpt, ...c.procedureCodes.hcpcs].map((x) => x.code);
    const offered = [...procedures, ...c.diagnoses.map((x) => normalizeIcd10(x.code))];
    for (const n of neverFile.neverSuggest) {
      if (!n.categories.includes('*') && !n.categories.includes(c.id)) continue;
      for (const code of offered) if (code === n.code || (!procedures.includes(code) && code.startsWith(`${n.code}.`))) problems.add(`${c.file} ${code}`, `is on the never-suggest list (${n.reason})`);
    }
  }

  // Only the names: each list is read when a diagnosis first needs its year (and kb check says when there is none).
  const icd10Lists = Icd10CodeSets.discover(dir);
  for (const year of icd10Lists.years) checkSources(validListFile(year), [icd10SourceId(year)]);

  const diagnosisCauses = [...rulesFile.diagnosisCauses].sort((a, b) => b.prefix.length - a.prefix.length);
  const compatibleCauses = new Map<Cause, Set<Cause>>();
  for (const c of rulesFile.compatibleCauses) compatibleCauses.set(c.cause, new Set(c.with));

  problems.throwIfAny();
  return {
    dir,
    sources,
    procedureCodes,
    modifiers,
    icd10,
    icd10FiscalYear: icd.fiscalYear,
    icd10Lists,
    categories,
    categoryPhrases: new PhraseIndex(categories.map((c) => [c, c.phrases])),
    signals,
    signalPhrases: new PhraseIndex(signals.map((s) => [s.id, s.compiledPhrases])),
    signalProcedurePhrases: new PhraseIndex(signals.map((s) => [s.id, s.compiledProcedurePhrases])),
    lanePrelude: rulesFile.lanePrelude,
    laneOverrides: rulesFile.laneOverrides,
    preauthRules: rulesFile.preauthRules,
    rules,
    diagnosisCauses,
    signalCauses: rulesFile.signalCauses,
    compatibleCauses,
    documents,
    neverSuggest: neverFile.neverSuggest,
  };
}

/** The knowledge/ path as a user would type it, for messages. */
export function displayPath(dir: string): string {
  return relative(process.cwd(), dir) || '.';
}
