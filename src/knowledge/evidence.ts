/**
 * Reading the facts together: the cause given is weighed against the diagnoses and the notes, and each
 * diagnosis code is checked (exists, billable, fits). Diagnoses beat a cause label that contradicts them;
 * a concrete story in the notes beats a "routine" label; a tooth that broke while eating is not trauma.
 */
import { isFiscalYearOnly } from './service-date.js';
import type { CaseReading } from './case.js';
import type { Knowledge, IcdEntry } from './load.js';
import { PATTERNS } from './codes.js';
import { fiscalYearEnd, fiscalYearStart, icd10SourceId, type CodeSetChoice } from './icd10-valid.js';
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
 * valid is not its say: that is the official lists shipped in knowledge/ (`kn.icd10Lists`), so triage checks
 * every code with no database at all.
 */
export interface CodeDirectory {
  /** The imported entry for a code, if any; its title is empty when the file had none (a valid-codes list). */
  lookupIcd10(code: string): IcdEntry | undefined;
}

export const NO_DIRECTORY: CodeDirectory = { lookupIcd10: () => undefined };

/** The description of a valid code whose title medbill does not have (the official lists have no titles). */
export const untitledIcd10 = (year: number): string => `valid ICD-10-CM code (official FY${year} list); medbill has no title for it`;

/** The date a diagnosis is checked for: its code set, and whether the case gave the date or it is today. */
export interface DiagnosisDate extends CodeSetChoice {
  /** False when the case gave no date of service and today's date was used. */
  given: boolean;
  /**
   * True when only the fiscal year of the date of service is known (chat keeps no more of a date typed with its
   * year, and the date is that year's first day): the answer then speaks of the year, not of a day.
   */
  yearOnly?: boolean;
}

/**
 * Where diagnoses are checked: the date of service if given, else today in the practice's zone (`today` is
 * called only then: its zone's first lookup is slow on a cold start).
 */
export function diagnosisDate(kn: Knowledge, serviceDate: string | undefined, today: string | (() => string), notes?: string): DiagnosisDate {
  if (serviceDate !== undefined) {
    const at = kn.icd10Lists.forDate(serviceDate);
    return { ...at, given: true, ...(isFiscalYearOnly(serviceDate, notes) ? { yearOnly: true } : {}) };
  }
  return { ...kn.icd10Lists.forDate(typeof today === 'string' ? today : today()), given: false };
}

/** Whether a code is valid (billable) in the official list of a date of service's year. */
export function isValidIcd10(kn: Knowledge, code: string, at: CodeSetChoice): boolean {
  // knowledge/'s billable flags agree with the list of the year their source names (kb check and the tests hold
  // them to it: FY2026 for most, FY2027 for a code added then), so for that year the list file is read only for
  // codes outside knowledge/; for any other year the list decides.
  const entry = kn.icd10.get(code);
  return entry?.source.includes(icd10SourceId(at.year)) ? entry.billable : at.list.has(code);
}

/** The official title: knowledge/ first (no database needed), then an imported CMS order file. */
export function icd10Title(kn: Knowledge, dir: CodeDirectory, code: string): string | undefined {
  return kn.icd10.get(code)?.title || dir.lookupIcd10(code)?.title || undefined;
}

export interface DiagnosisProblem {
  ruleId: string;
  message: string;
  /** The sources to cite instead of the rule's own: the code set of the year the code was checked against. */
  source?: string[];
}

export interface DiagnosisCheck {
  code: string;
  /** Set for every valid code: it is kept in the answer, as given, even when a problem says it may not fit. */
  entry?: IcdEntry;
  problem?: DiagnosisProblem;
}

/**
 * Checks one diagnosis against the code set of its date of service. A code that is valid in that year's
 * official list is always kept as given; it is only warned about when it reads as routine dental care or
 * points to another cause than the case's. A code that is not valid, or is a header, is left out with a
 * warning that says which, for which year, and what to use instead.
 */
export function checkDiagnosis(kn: Knowledge, dir: CodeDirectory, code: string, cause: Cause, categoryId: string, at: DiagnosisDate): DiagnosisCheck {
  if (!PATTERNS.icd10cm.test(code)) return { code, problem: { ruleId: 'R-DX-01', message: `${code} is not an ICD-10-CM code.` } };
  if (!isValidIcd10(kn, code, at)) return { code, problem: notValid(kn, code, categoryId, at) };
  const title = icd10Title(kn, dir, code);
  const entry: IcdEntry = { code, title: title ?? untitledIcd10(at.year), billable: true, source: [icd10SourceId(at.year)] };
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

/**
 * Why a code is not a billable diagnosis for a date of service, in a sentence (a claim's diagnoses are checked
 * against its date of service); undefined when it is one.
 */
export function diagnosisProblemOn(kn: Knowledge, code: string, at: DiagnosisDate): string | undefined {
  if (!PATTERNS.icd10cm.test(code)) return `${code} is not an ICD-10-CM code.`;
  return isValidIcd10(kn, code, at) ? undefined : notValid(kn, code, '', at).message;
}

/**
 * When the date of service falls in a fiscal year medbill ships no list for (after the newest, or before the
 * oldest), the detail of the rule that says which list was used instead; undefined otherwise.
 */
export function codeSetStandIn(kn: Knowledge, at: DiagnosisDate): string | undefined {
  if (at.year === at.fiscalYear) return undefined;
  const date = at.yearOnly ? 'The date of service' : at.given ? `The date of service ${at.date}` : `Today (${at.date}; no date of service was given)`;
  const later = at.fiscalYear > at.year;
  return `${date} is in FY${at.fiscalYear}, and medbill has ICD-10-CM lists for ${kn.icd10Lists.years.map((y) => `FY${y}`).join(' and ')} only: `
    + `the diagnoses were checked against the ${later ? 'newest' : 'oldest'}, FY${at.year}. Check them against the FY${at.fiscalYear} code set`
    + `${later ? ` (or ship it: medbill kb import-icd10 FILE --year ${at.fiscalYear})` : ''}.`;
}

/** The never-suggest entry that rules a code out for this purpose (a code, or a dotted ICD-10-CM prefix). */
export function isNeverSuggested(kn: Knowledge, code: string, categoryId: string) {
  return kn.neverSuggest.find((n) => (n.code === code || code.startsWith(`${n.code}.`)) && (n.categories.includes('*') || n.categories.includes(categoryId)));
}

/** Why a well-formed code is not billable: wrong for the purpose, a header (with its billable children), or unknown; for the year checked. */
function notValid(kn: Knowledge, code: string, categoryId: string, at: DiagnosisDate): DiagnosisProblem {
  const never = isNeverSuggested(kn, code, categoryId);
  if (never) return { ruleId: 'R-DX-01', message: `${code}: ${never.reason} Use ${never.instead.join(' or ')}.` };
  const source = [icd10SourceId(at.year)];
  // The examples most likely to fit come first: for an injury the initial encounter (7th character A),
  // then the codes knowledge/ knows, which are the ones dentistry uses.
  const injury = /^[ST]/.test(code);
  const children = at.list.children(code, 4, (c) => (injury && !c.endsWith('A') ? 2 : 0) + (kn.icd10.has(c) ? 0 : 1));
  // The years it is valid in: a code new in a later year, or one deleted or made a header since an earlier one.
  const years = kn.icd10Lists.yearsValid(code);
  const validBefore = years.filter((y) => y < at.year).at(-1);
  const validFrom = years.find((y) => y > at.year);
  const service = at.yearOnly ? 'the date of service' : `a service on ${at.date}${at.given ? '' : ' (today: no date of service was given)'}`;
  const title = kn.icd10.get(code)?.title;
  const named = title ? `${code} (${title})` : code;
  if (children.count === 0) {
    if (validFrom !== undefined) {
      return { ruleId: 'R-DX-01', source: [icd10SourceId(validFrom), ...source], message: `${named} is not a valid ICD-10-CM code for ${service} (FY${at.year}): it is new in FY${validFrom}, valid for services from ${fiscalYearStart(validFrom)}.` };
    }
    if (validBefore !== undefined) {
      return { ruleId: 'R-DX-01', source: [...source, icd10SourceId(validBefore)], message: `${named} is not a valid ICD-10-CM code for ${service} (FY${at.year}): it was valid through FY${validBefore} (services until ${fiscalYearEnd(validBefore)}) and was deleted after.` };
    }
    return { ruleId: 'R-DX-01', source, message: `${code} is not a valid ICD-10-CM code in the official list (FY${at.year}), and no valid code starts with it.` };
  }
  const more = children.count - children.first.length;
  const use = `use a billable code under it, e.g. ${children.first.join(', ')}${more > 0 ? ` (${more} more)` : ''}`;
  if (validBefore !== undefined) {
    const since = kn.icd10Lists.years.find((y) => y > validBefore) ?? at.year;
    return { ruleId: 'R-DX-01', source: [...source, icd10SourceId(validBefore)], message: `${named} was billable through FY${validBefore}, but from FY${since} (services from ${fiscalYearStart(since)}) it is a header, not a billable code, so not for ${service}; ${use}.` };
  }
  if (injury && code.replace('.', '').length < 7) {
    return { ruleId: 'R-DX-02', source, message: `${named} is not billable: injury codes need their 7th character (A initial encounter, D subsequent, S sequela); ${use}.` };
  }
  return { ruleId: 'R-DX-01', source, message: `${named} is a header (a category), not a billable code; ${use}.` };
}
