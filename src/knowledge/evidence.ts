/**
 * Reading the facts together: the cause given is weighed against the diagnoses and the notes, and each
 * diagnosis code is checked (exists, billable, fits). Diagnoses beat a cause label that contradicts them;
 * a concrete story in the notes beats a "routine" label; a tooth that broke while eating is not trauma.
 */
import type { CaseReading } from './case.js';
import type { Knowledge, IcdEntry } from './load.js';
import { PATTERNS } from './codes.js';
import { VALID_LIST_YEAR } from './icd10-valid.js';
import type { Cause } from './vocabulary.js';

/** Strongest first: when diagnoses point several ways, the first of these wins. */
const CAUSE_STRENGTH: Cause[] = [
  'trauma', 'pathology', 'infection', 'sleep-apnea', 'tmj', 'congenital', 'medical-clearance',
  'systemic-condition', 'decay', 'routine', 'cosmetic',
];
const ACCIDENT_SIGNALS = ['accident', 'auto-accident', 'work-injury', 'third-party-liability', 'jaw-fracture'];

export interface Finding {
  ruleId: string;
  detail: string;
}

export interface CauseVerdict {
  cause: Cause;
  findings: Finding[];
}

export function diagnosisCause(kn: Knowledge, code: string): Cause | undefined {
  return kn.diagnosisCauses.find((d) => code === d.prefix || code.startsWith(d.prefix))?.cause;
}

export function compatible(kn: Knowledge, a: Cause, b: Cause): boolean {
  return a === b || kn.compatibleCauses.get(a)?.has(b) === true || kn.compatibleCauses.get(b)?.has(a) === true;
}

export function causeFromSignals(kn: Knowledge, signals: ReadonlySet<string>): Cause | undefined {
  return kn.signalCauses.find((s) => signals.has(s.signal))?.cause;
}

/**
 * A fact that happened long ago is not today's trauma: an injury placed more than a year back (and no new one)
 * is past any accident benefit's limits, so the care is read as the dental care it now is. A jaw fracture's
 * sequelae stay trauma: they are medical care of the jaw, not an accident benefit for teeth.
 */
export function weighCause(kn: Knowledge, r: CaseReading): CauseVerdict {
  const verdict = weighGivenCause(kn, r);
  if (verdict.cause === 'trauma' && r.signals.has('injury-long-ago') && !r.signals.has('injury-recent') && !r.signals.has('jaw-fracture')) {
    return {
      cause: 'routine',
      findings: [...verdict.findings, { ruleId: 'R-EVIDENCE-OLD-INJURY', detail: 'the notes place the injury long ago, past the limits accident benefits set on when an injury is diagnosed and treated; the case is read as the dental care it now is.' }],
    };
  }
  return verdict;
}

function weighGivenCause(kn: Knowledge, r: CaseReading): CauseVerdict {
  const given: Cause = r.facts.cause ?? 'unknown';
  const dxCauses = [...new Set(r.diagnoses.map((d) => diagnosisCause(kn, d)).filter((c): c is Cause => !!c))].sort(
    (a, b) => CAUSE_STRENGTH.indexOf(a) - CAUSE_STRENGTH.indexOf(b),
  );
  const notesCause = causeFromSignals(kn, r.signals);
  const findings: Finding[] = [];

  const saysTrauma = given === 'trauma' || (given === 'unknown' && dxCauses[0] === 'trauma');
  if (saysTrauma && r.signals.has('non-traumatic-fracture') && !ACCIDENT_SIGNALS.some((s) => r.signals.has(s))) {
    findings.push({ ruleId: 'R-EVIDENCE-NONTRAUMATIC', detail: 'the notes describe a tooth that broke in normal use, with no accident, so the case is read as routine dental care.' });
    return { cause: 'routine', findings };
  }
  if (given === 'sleep-apnea' && r.signals.has('snoring-only')) {
    findings.push({ ruleId: 'R-EVIDENCE-SNORING', detail: 'the only evidence is snoring: no OSA diagnosis, sleep study or AHI of 5 or more.' });
  }
  if (given !== 'unknown') {
    const strongest = dxCauses[0];
    if (strongest && !dxCauses.some((d) => compatible(kn, given, d))) {
      findings.push({ ruleId: 'R-EVIDENCE-DIAGNOSIS', detail: `the cause given is "${given}", but the diagnoses (${r.diagnoses.join(', ')}) point to "${strongest}"; the diagnoses are used.` });
      return { cause: strongest, findings };
    }
    const notesOutweigh = notesCause === 'trauma' || notesCause === 'pathology' || (notesCause === 'infection' && r.signals.has('spreading-infection'));
    if ((given === 'routine' || given === 'decay') && dxCauses.length === 0 && notesCause && notesOutweigh) {
      findings.push({ ruleId: 'R-EVIDENCE-NOTES', detail: `the cause given is "${given}", but the notes describe ${notesCause}; the notes are used.` });
      return { cause: notesCause, findings };
    }
    return { cause: given, findings };
  }
  if (dxCauses[0]) {
    findings.push({ ruleId: 'R-EVIDENCE-INFERRED', detail: `read from the diagnoses: ${dxCauses[0]}.` });
    return { cause: dxCauses[0], findings };
  }
  if (notesCause) {
    findings.push({ ruleId: 'R-EVIDENCE-INFERRED', detail: `read from the notes: ${notesCause}.` });
    return { cause: notesCause, findings };
  }
  return { cause: 'unknown', findings };
}

/**
 * Titles beyond knowledge/: a CMS file imported into SQLite with `medbill kb import-icd10`. Which codes are
 * valid is not its say: that is the official list shipped in knowledge/ (`kn.icd10Valid`), so triage checks
 * every code with no database at all.
 */
export interface CodeDirectory {
  /** The imported entry for a code, if any; its title is empty when the file had none (a valid-codes list). */
  lookupIcd10(code: string): IcdEntry | undefined;
}

export const NO_DIRECTORY: CodeDirectory = { lookupIcd10: () => undefined };

/** The description of a valid code whose title medbill does not have (the official list has no titles). */
export const UNTITLED_ICD10 = `valid ICD-10-CM code (official FY${VALID_LIST_YEAR} list); medbill has no title for it`;

export interface DiagnosisCheck {
  code: string;
  /** Set for every valid code: it is kept in the answer, as given, even when a problem says it may not fit. */
  entry?: IcdEntry;
  problem?: { ruleId: string; message: string };
}

/** Whether a code is valid (billable) in the official list. */
export function isValidIcd10(kn: Knowledge, code: string): boolean {
  // knowledge/'s billable flags agree with the list (kb check and the tests hold them to it), so the list
  // file is read only for codes outside knowledge/.
  const known = kn.icd10.get(code);
  return known ? known.billable : kn.icd10Valid.has(code);
}

/** The official title: knowledge/ first (no database needed), then an imported CMS order file. */
export function icd10Title(kn: Knowledge, dir: CodeDirectory, code: string): string | undefined {
  return kn.icd10.get(code)?.title || dir.lookupIcd10(code)?.title || undefined;
}

/**
 * Checks one diagnosis. A code that is valid in the official list is always kept as given; it is only
 * warned about when it reads as routine dental care or points to another cause than the case's. A code
 * that is not valid, or is a header, is left out with a warning that says which and what to use instead.
 */
export function checkDiagnosis(kn: Knowledge, dir: CodeDirectory, code: string, cause: Cause, categoryId: string): DiagnosisCheck {
  if (!PATTERNS.icd10cm.test(code)) return { code, problem: { ruleId: 'R-DX-01', message: `${code} is not an ICD-10-CM code.` } };
  if (!isValidIcd10(kn, code)) return { code, problem: notValid(kn, code, categoryId) };
  const title = icd10Title(kn, dir, code);
  const entry: IcdEntry = { code, title: title ?? UNTITLED_ICD10, billable: true, source: ['CMS-ICD10CM-FY2026'] };
  const named = title ? `${code} (${title})` : code;
  if (code === 'Z01.20' || code === 'Z01.21' || code === 'K02.9') {
    return { code, entry, problem: { ruleId: 'R-DX-03', message: `${named} reads as routine dental care on a medical claim and invites a denial; use the code for the medical reason.` } };
  }
  const dxCause = diagnosisCause(kn, code);
  if (dxCause && cause !== 'unknown' && !compatible(kn, cause, dxCause)) {
    return { code, entry, problem: { ruleId: 'R-DX-04', message: `${named} points to ${dxCause}, which does not fit this case (${cause}).` } };
  }
  return { code, entry };
}

/** The never-suggest entry that rules a code out for this purpose (a code, or a dotted ICD-10-CM prefix). */
export function isNeverSuggested(kn: Knowledge, code: string, categoryId: string) {
  return kn.neverSuggest.find((n) => (n.code === code || code.startsWith(`${n.code}.`)) && (n.categories.includes('*') || n.categories.includes(categoryId)));
}

/** Why a well-formed code is not billable: wrong for the purpose, a header (with its billable children), or unknown. */
function notValid(kn: Knowledge, code: string, categoryId: string): { ruleId: string; message: string } {
  const never = isNeverSuggested(kn, code, categoryId);
  if (never) return { ruleId: 'R-DX-01', message: `${code}: ${never.reason} Use ${never.instead.join(' or ')}.` };
  // The examples most likely to fit come first: for an injury the initial encounter (7th character A),
  // then the codes knowledge/ knows, which are the ones dentistry uses.
  const injury = /^[ST]/.test(code);
  const children = kn.icd10Valid.children(code, 4, (c) => (injury && !c.endsWith('A') ? 2 : 0) + (kn.icd10.has(c) ? 0 : 1));
  if (children.count === 0) {
    return { ruleId: 'R-DX-01', message: `${code} is not a valid ICD-10-CM code in the official list (FY${VALID_LIST_YEAR}), and no valid code starts with it.` };
  }
  const title = kn.icd10.get(code)?.title;
  const named = title ? `${code} (${title})` : code;
  const more = children.count - children.first.length;
  const use = `use a billable code under it, e.g. ${children.first.join(', ')}${more > 0 ? ` (${more} more)` : ''}`;
  if (injury && code.replace('.', '').length < 7) {
    return { ruleId: 'R-DX-02', message: `${named} is not billable: injury codes need their 7th character (A initial encounter, D subsequent, S sequela); ${use}.` };
  }
  return { ruleId: 'R-DX-01', message: `${named} is a header (a category), not a billable code; ${use}.` };
}
