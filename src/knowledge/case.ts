/**
 * What the engine reads off a case before any rule runs: its words, its codes, its tooth numbers and the
 * signals (knowledge/signals.json) they raise.
 */
import type { CaseFacts } from './facts.js';
import type { Knowledge } from './load.js';
import { codeSetOf, normalizeCode, normalizeIcd10, procedureCodePattern } from './codes.js';
import { findTeeth, tokenize, type Tokens } from './text.js';
import type { CodeSet, DocumentKind, ProcedureCodeSet } from './vocabulary.js';

export interface CaseReading {
  facts: CaseFacts;
  /** The procedure field, tokenized: it names what is done, so it counts most. */
  procedureWords: Tokens;
  /** Procedure and notes together. */
  allWords: Tokens;
  /** The procedure field when it is a code, normalized, with its set. */
  procedureCode?: { code: string; set: CodeSet };
  /** Every CDT, CPT and HCPCS code written anywhere in the procedure field, in order: the answer lists each. */
  givenCodes: { code: string; set: ProcedureCodeSet }[];
  diagnoses: string[];
  documentsOnHand: Set<DocumentKind>;
  teeth: string[];
  signals: Set<string>;
}

function codesIn(procedure: string): { code: string; set: ProcedureCodeSet }[] {
  const out: { code: string; set: ProcedureCodeSet }[] = [];
  for (const m of procedure.matchAll(procedureCodePattern())) {
    const code = (m[1] ?? '').toUpperCase();
    const set = codeSetOf(code);
    if (set && set !== 'icd10cm' && !out.some((c) => c.code === code)) out.push({ code, set });
  }
  return out;
}

function findProcedureCode(procedure: string): { code: string; set: CodeSet } | undefined {
  const trimmed = procedure.trim();
  const whole = codeSetOf(trimmed);
  if (whole && whole !== 'icd10cm') return { code: normalizeCode(trimmed), set: whole };
  // "D7240 #32" or "41100 tongue": a code at the start of the words.
  const m = procedureCodePattern().exec(trimmed);
  if (m && m.index === 0) {
    const [, code = ''] = m;
    const set = codeSetOf(code);
    if (set && set !== 'icd10cm') return { code: code.toUpperCase(), set };
  }
  return undefined;
}

export function readCase(facts: CaseFacts, kn: Knowledge): CaseReading {
  const text = `${facts.procedure}\n${facts.notes ?? ''}`;
  const reading: CaseReading = {
    facts,
    procedureWords: tokenize(facts.procedure),
    allWords: tokenize(text),
    diagnoses: (facts.diagnoses ?? []).map(normalizeIcd10),
    documentsOnHand: new Set(facts.documentsOnHand ?? []),
    teeth: findTeeth(text),
    signals: new Set(),
    givenCodes: codesIn(facts.procedure),
  };
  const procedureCode = findProcedureCode(facts.procedure);
  if (procedureCode) reading.procedureCode = procedureCode;
  // The signals whose words are in the text, found from the text's words (not by trying every signal's phrases).
  const inWords = kn.signalPhrases.longest(reading.allWords);
  const inProcedure = kn.signalProcedurePhrases.longest(reading.procedureWords);
  for (const signal of kn.signals) {
    if (signal.unlessSignals?.some((s) => reading.signals.has(s))) continue;
    if (inWords.has(signal.id) || inProcedure.has(signal.id) || raises(signal, reading)) reading.signals.add(signal.id);
  }
  return reading;
}

const NONE: readonly never[] = [];

/** Whether a signal is raised by anything but its phrases (its patterns, codes, diagnoses, documents, teeth or age). */
function raises(signal: Knowledge['signals'][number], r: CaseReading): boolean {
  for (const p of signal.compiledPatterns) if (p.test(r.facts.notes ?? '') || p.test(r.facts.procedure)) return true;
  if (r.procedureCode && signal.procedureCodes?.includes(r.procedureCode.code)) return true;
  // Loops, not closures: this runs for every signal of every case read.
  for (const d of signal.diagnoses ?? NONE) for (const code of r.diagnoses) if (code.startsWith(d)) return true;
  for (const d of signal.documents ?? NONE) if (r.documentsOnHand.has(d)) return true;
  for (const t of signal.teeth ?? NONE) if (r.teeth.includes(t)) return true;
  if (signal.maxAge !== undefined && r.facts.patientAge !== undefined && r.facts.patientAge <= signal.maxAge) return true;
  return false;
}
