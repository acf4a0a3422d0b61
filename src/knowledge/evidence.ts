/**
 * Reading the facts together: the cause given is weighed against the diagnoses and the notes, and each
 * diagnosis code is checked (exists, billable, fits). Diagnoses beat a cause label that contradicts them;
 * a concrete story in the notes beats a "routine" label; a tooth that broke while eating is not trauma.
 */
import type { CaseReading } from './case.js';
import type { Knowledge, IcdEntry } from './load.js';
import { PATTERNS } from './codes.js';
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

export function weighCause(kn: Knowledge, r: CaseReading): CauseVerdict {
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

/** Full ICD-10-CM lists beyond knowledge/ (the CMS file imported into SQLite). */
export interface CodeDirectory {
  /** True when a complete official list is loaded, so "not found" means "does not exist". */
  readonly complete: boolean;
  lookupIcd10(code: string): IcdEntry | undefined;
}

export const NO_DIRECTORY: CodeDirectory = { complete: false, lookupIcd10: () => undefined };

export interface DiagnosisCheck {
  code: string;
  entry?: IcdEntry;
  problem?: { ruleId: string; message: string };
}

/** Checks one diagnosis: shape, never-suggest list, existence, billable, 7th character, fit with the cause. */
export function checkDiagnosis(kn: Knowledge, dir: CodeDirectory, code: string, cause: Cause, categoryId: string): DiagnosisCheck {
  const bad = (ruleId: string, message: string): DiagnosisCheck => ({ code, problem: { ruleId, message } });
  if (!PATTERNS.icd10cm.test(code)) return bad('R-DX-01', `${code} is not an ICD-10-CM code.`);
  const never = kn.neverSuggest.find((n) => (n.code === code || code.startsWith(`${n.code}.`)) && (n.categories.includes('*') || n.categories.includes(categoryId)));
  if (never) return bad('R-DX-01', `${code}: ${never.reason} Use ${never.instead.join(' or ')}.`);
  const entry = kn.icd10.get(code) ?? dir.lookupIcd10(code);
  if (!entry) {
    const children = billableChildren(kn, code);
    if (children.length) return bad('R-DX-01', `${code} is a category, not a billable code; use a billable code under it, e.g. ${children.join(', ')}.`);
    if (/^[ST]/.test(code) && code.replace('.', '').length < 7) return bad('R-DX-02', `${code}: injury codes need a 7th character (A initial encounter, D subsequent, S sequela).`);
    return dir.complete
      ? bad('R-DX-01', `${code} is not a valid ICD-10-CM code in the official list.`)
      : bad('R-DX-01', `${code} is not in medbill's ICD-10-CM list, so it could not be verified (run "medbill kb import-icd10" with the CMS file to check every code).`);
  }
  if (!entry.billable) {
    const children = billableChildren(kn, code);
    return { code, entry, problem: { ruleId: 'R-DX-01', message: `${code} (${entry.title}) is a header, not billable${children.length ? `; use e.g. ${children.join(', ')}` : ''}.` } };
  }
  if (code === 'Z01.20' || code === 'Z01.21' || code === 'K02.9') {
    return { code, entry, problem: { ruleId: 'R-DX-03', message: `${code} (${entry.title}) reads as routine dental care on a medical claim and invites a denial; use the code for the medical reason.` } };
  }
  const dxCause = diagnosisCause(kn, code);
  if (dxCause && cause !== 'unknown' && !compatible(kn, cause, dxCause)) {
    return { code, entry, problem: { ruleId: 'R-DX-04', message: `${code} (${entry.title}) points to ${dxCause}, which does not fit this case (${cause}).` } };
  }
  return { code, entry };
}

function billableChildren(kn: Knowledge, code: string): string[] {
  const prefix = code.includes('.') ? code : `${code}.`;
  const out: string[] = [];
  for (const e of kn.icd10.values()) {
    if (e.billable && e.code.startsWith(prefix) && e.code !== code) out.push(e.code);
    if (out.length === 4) break;
  }
  return out;
}
