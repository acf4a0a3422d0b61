/**
 * One patient, one case (issue 21): whether a message typed into a case is about that case, about another
 * patient, or too unclear to tell. A billing tool that mixes two patients' facts produces a wrong claim, so a
 * message that says another patient, other teeth, another kind of procedure, another age, or that describes
 * a whole case of its own starts a new case; a correction ("actually it's a combined plan") refines the case;
 * what is truly unclear is asked, once.
 *
 * sameCase() is the decision: a pure function of two readings. The readers (caseReading, messageReading) turn a
 * case's facts and a message's words into those readings with the knowledge base.
 */
import type { FlowContext } from './context.js';
import type { CaseFacts } from '../src/knowledge/facts.js';
import { findTeeth } from '../src/knowledge/text.js';
import { procedureKind, recognizedProcedure } from './common.js';

export type Verdict = 'same' | 'new' | 'ask';

/** What a case is about: its facts, the kind of procedure (the knowledge base's category) and its teeth. */
export interface CaseReading {
  facts: Partial<CaseFacts>;
  kind?: string;
  teeth: readonly string[];
}

/** What a message says about a case. */
export interface MessageReading {
  text: string;
  /** The facts it states (procedure, cause, coverage, age…). */
  facts: Partial<CaseFacts>;
  /** The kind of procedure named by procedure words, a code or a removal verb ("pulled", "#14 out"). */
  namedKind?: string;
  /** The kind of procedure the message as a whole describes ("broke #8 in a fall" is an injured tooth). */
  describedKind?: string;
  teeth: readonly string[];
}

export interface SameCase { verdict: Verdict; reasons: string[] }

/** Words that say the message is about another patient ("new pt", "another patient", "next one"); not "new patient exam". */
const OTHER_PATIENT = /\b(?:new|another|other|different|next|2nd|second)\s+(?:pt|patient|person|kid|child)\b(?!\s+(?:exam|visit|consult))|\bnext\s+(?:one|case|up)\b|\banother\s+(?:one|case)\b|\bnew\s+one\b/i;
/** Words that say it is the same patient. */
const SAME_PATIENT = /\bsame\s+(?:pt|patient|person|kid|child|case)\b|\b(?:this|that)\s+(?:pt|patient)\s+(?:also|too)\b/i;
/** Words that correct the case ("actually", "it was", "sorry, I meant"). */
const CORRECTION = /\b(?:actually|correction|sorry|i meant|meant to say|instead|rather|my mistake|typo|it was|should be|should have been)\b/i;
/** Words that add to the case ("#31 too", "also #2"): with other teeth, the same patient or another? */
/** Whether a message words itself as a correction of the case ("actually…", "sorry, I meant #9"). */
export function isCorrection(text: string): boolean {
  return CORRECTION.test(text);
}
const ADDING = /\b(?:too|also|as well|in addition)\b/i;

/** The coverage fields both readings give that disagree ("medicare" against "commercial"). */
function coverageConflicts(a: CaseFacts['coverage'], b: CaseFacts['coverage']): string[] {
  if (!a || !b) return [];
  return (['medical', 'dental', 'combinedPlan', 'medicalPayer'] as const).filter((k) => a[k] !== undefined && b[k] !== undefined && a[k] !== b[k]);
}

/** Whether the case already has every coverage field the message gives, with the same values. */
function coverageRepeated(caseCoverage: CaseFacts['coverage'], said: CaseFacts['coverage']): boolean {
  if (!caseCoverage || !said) return false;
  return Object.entries(said).every(([k, v]) => v !== undefined && caseCoverage[k as keyof typeof said] === v);
}

const knownCause = (f: Partial<CaseFacts>) => (f.cause && f.cause !== 'unknown' ? f.cause : undefined);

/** The facts a message adds to the case or changes in it: the kind of procedure, cause, insurance, age, teeth. */
function changes(current: CaseReading, message: MessageReading, kind: string | undefined): string[] {
  const c = current.facts;
  const m = message.facts;
  const out: string[] = [];
  if (kind && kind !== current.kind) out.push('procedure');
  if (knownCause(m) && knownCause(m) !== knownCause(c)) out.push('cause');
  if (m.coverage && !coverageRepeated(c.coverage, m.coverage)) out.push('insurance');
  if (m.patientAge !== undefined && m.patientAge !== c.patientAge) out.push('age');
  if (message.teeth.some((t) => !current.teeth.includes(t))) out.push('teeth');
  return out;
}

/**
 * Same case, new case, or ask. In order: a case with nothing in it yet takes anything; words that say the
 * same or another patient decide; words of correction refine the case when they add or change one fact
 * (more is asked); another age, another kind of procedure named, or only other teeth is another patient
 * (other teeth "too" is asked); a whole case description (a procedure with a cause or the insurance) that
 * differs from the case in any of them, or repeats all of them, is another patient. Anything else refines.
 */
export function sameCase(current: CaseReading, message: MessageReading): SameCase {
  const c = current.facts;
  const m = message.facts;
  const same = (...reasons: string[]): SameCase => ({ verdict: 'same', reasons });
  const fresh = (...reasons: string[]): SameCase => ({ verdict: 'new', reasons });
  const ask = (...reasons: string[]): SameCase => ({ verdict: 'ask', reasons });
  if (!c.procedure && !knownCause(c) && !c.coverage && c.patientAge === undefined) return same('the case has no facts yet');
  if (SAME_PATIENT.test(message.text)) return same('the message says the same patient');
  if (OTHER_PATIENT.test(message.text)) return fresh('the message says another patient');

  const kind = message.namedKind ?? message.describedKind;
  if (isCorrection(message.text)) {
    const changed = changes(current, message, kind);
    return changed.length <= 1 ? same(`a correction of the case${changed.length ? ` (${changed.join(', ')})` : ''}`) : ask(`a correction that changes ${changed.join(', ')}`);
  }
  if (m.patientAge !== undefined && c.patientAge !== undefined && m.patientAge !== c.patientAge) return fresh(`another age (${m.patientAge}, the case has ${c.patientAge})`);
  if (message.namedKind && current.kind && message.namedKind !== current.kind) return fresh(`another kind of procedure (${message.namedKind}, the case is ${current.kind})`);
  if (message.teeth.length && current.teeth.length && message.teeth.every((t) => !current.teeth.includes(t))) {
    return ADDING.test(message.text) ? ask('other teeth: added to this case, or another patient') : fresh('other teeth');
  }
  const cause = knownCause(m);
  if (kind !== undefined && (cause !== undefined || m.coverage !== undefined)) {
    if (current.kind && kind !== current.kind) return fresh(`a whole case of another kind of procedure (${kind})`);
    const conflicts = coverageConflicts(c.coverage, m.coverage);
    if (conflicts.length) return fresh(`a whole case with other insurance (${conflicts.join(', ')})`);
    const complete = cause !== undefined && m.coverage !== undefined;
    if (complete && knownCause(c) && cause !== knownCause(c)) return fresh(`a whole case with another cause (${cause})`);
    if (complete && !changes(current, message, kind).length) return fresh('the whole case described again');
  }
  return same('nothing in the message says another patient');
}

// ------------------------------------------------------------------ the readers

/** Wisdom teeth without numbers are the third molars: #1, #16, #17, #32. */
const WISDOM = /\b(?:wisdom\s+(?:teeth|tooth)|third\s+molars?|3rd\s+molars?)\b/i;
const THIRD_MOLARS = ['1', '16', '17', '32'];

function teethIn(text: string): string[] {
  const teeth = findTeeth(text);
  return WISDOM.test(text) ? [...new Set([...teeth, ...THIRD_MOLARS])] : teeth;
}

/** A tooth said to be pulled, removed, extracted or taken out ("#14 removed", "wants #3 out", "extract #3"). */
const REMOVAL_VERB = /\b(?:pull(?:ed|ing)?|remov(?:e|ed|ing)|extract(?:ed|ing)?|take\s+out|took\s+out|taken\s+out)\b/i;
const TOOTH_OUT = /(?:#\s?\d{1,2}|\b(?:tooth|teeth|molars?))\s+(?:\w+\s+)?out\b/i;
const TOOTH = /#\s?\d{1,2}\b|\b(?:tooth|teeth|molars?)\b/i;

/** "extraction #14" for a message whose verbs say a tooth comes out, where no procedure word says it. */
export function removalProcedure(text: string): string | undefined {
  if (!TOOTH.test(text) || /\bknock\w*\s+(?:\w+\s+)?out\b/i.test(text)) return undefined;
  if (!REMOVAL_VERB.test(text) && !TOOTH_OUT.test(text)) return undefined;
  const teeth = findTeeth(text);
  return teeth.length ? `extraction ${teeth.map((t) => `#${t}`).join(', ')}` : 'extraction';
}

/** A case as sameCase() reads it: its kind of procedure, and the teeth its procedure and notes name. */
export function caseReading(ctx: FlowContext, facts: Partial<CaseFacts>): CaseReading {
  const kind = facts.procedure ? procedureKind(ctx, facts.procedure)?.id : undefined;
  return { facts, ...(kind ? { kind } : {}), teeth: teethIn(`${facts.procedure ?? ''}\n${facts.notes ?? ''}`) };
}

/** A message as sameCase() reads it, given the facts it states (as the flow reads them). */
export function messageReading(ctx: FlowContext, text: string, stated: Partial<CaseFacts>): MessageReading {
  const named = stated.procedure ?? removalProcedure(text);
  const namedKind = named ? procedureKind(ctx, named)?.id : undefined;
  // The message as a whole, as start() reads a case from one message (words triage recognises as a procedure).
  const describedKind = !namedKind && text.length <= 200 && recognizedProcedure(ctx, text) ? procedureKind(ctx, text)?.id : undefined;
  return { text, facts: stated, ...(namedKind ? { namedKind } : {}), ...(describedKind ? { describedKind } : {}), teeth: teethIn(text) };
}
