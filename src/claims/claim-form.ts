/**
 * The CMS-1500 a claim goes out on, filled with what medbill knows of it: the diagnoses (item 21, checked
 * against the ICD-10-CM code set of the date of service), a service line per procedure (24A–J), a corrected
 * claim's resubmission code (22), the prior authorization (23), the ordering physician's box for a DME item
 * (17, as a placeholder), the total (28) and the payer. Every box that identifies a person or a provider
 * (patient, insured, member ID, addresses, NPIs, tax ID, signatures) is a bracketed placeholder the office fills
 * in its own system: medbill still never holds identifiers.
 *
 * Two steps, both pure: `claimFormRequest` gathers what the claim (else the case's answer) says, and
 * `claimFormPdf` checks it and draws the page (src/claims/cms1500.ts).
 */
import type { Claim, HistoryEntry } from '../store/claim.js';
import type { Knowledge } from '../knowledge/load.js';
import type { CaseFacts } from '../knowledge/facts.js';
import type { CodeDirectory } from '../knowledge/evidence.js';
import { diagnosisDate, diagnosisProblemOn } from '../knowledge/evidence.js';
import { isProcedureCode, normalizeCode, normalizeIcd10 } from '../knowledge/codes.js';
import { triage } from '../knowledge/triage.js';
import type { ClaimPayerKind } from '../knowledge/vocabulary.js';
import { isIsoDate } from '../calendar.js';
import { DIAGNOSIS_LETTERS, drawCms1500, SERVICE_LINES, valueRoom, type InsuranceKind } from './cms1500.js';

/** What goes on the form. Procedures may carry modifiers: "E0486-KX", "21480-RT". */
export interface ClaimFormRequest {
  caseId: string;
  payer?: string;
  payerKind?: ClaimPayerKind;
  procedures: string[];
  diagnoses: string[];
  /** YYYY-MM-DD. */
  serviceDate?: string;
  billedCents?: number;
  authNumber?: string;
  /** A corrected claim, replacing the one sent before (item 22, code 7), with that claim's number when known. */
  replaces?: { reference?: string };
  /** Place of service (item 24B), from the case's words. */
  placeOfService: PlaceOfService;
  /** Where the codes came from, for the reply: a tracked claim, or the case's answer (no claim yet). */
  from: 'claim' | 'case';
}

/** CMS place-of-service codes medbill can tell from a case's words; 11 (office) unless it says otherwise. */
export interface PlaceOfService { code: '11' | '21' | '22' | '24'; words: string }
const PLACES: { place: PlaceOfService; said: RegExp }[] = [
  { place: { code: '24', words: 'ambulatory surgical center' }, said: /\b(?:ambulatory\s+surg\w*\s+cent\w*|surgery\s+cent\w*|surgi-?cent\w*)\b/i },
  { place: { code: '24', words: 'ambulatory surgical center' }, said: /\bASC\b/ },
  { place: { code: '21', words: 'inpatient hospital' }, said: /\binpatient\b|\badmitted\b/i },
  { place: { code: '22', words: 'outpatient hospital' }, said: /\b(?:hospital|operating\s+room)\b/i },
];
export const OFFICE: PlaceOfService = { code: '11', words: 'office' };

export function placeOfService(facts: Partial<CaseFacts> | undefined): PlaceOfService {
  const notes = facts?.notes ?? '';
  return PLACES.find((p) => p.said.test(notes))?.place ?? OFFICE;
}

/**
 * A corrected claim: the claim went from denied back to submitted (and that was not taken back since). The
 * original reference is the claim number it had when it was denied (a resubmission may have recorded a new one).
 */
export function resubmissionOf(claim: Claim, history: readonly HistoryEntry[]): { reference?: string } | undefined {
  const undone = new Set(history.flatMap((e) => (e.reverts === undefined ? [] : [e.reverts])));
  const entry = history.filter((e) => e.fromStatus === 'denied' && e.toStatus === 'submitted' && !(e.id !== undefined && undone.has(e.id))).at(-1);
  if (!entry) return undefined;
  const before = entry.before?.reference;
  const reference = typeof before === 'string' ? before : claim.reference;
  return reference ? { reference } : {};
}

/** The form's request from a tracked claim, its history and (when medbill triaged the case) the case's facts. */
export function requestFromClaim(claim: Claim, history: readonly HistoryEntry[], facts?: Partial<CaseFacts>): ClaimFormRequest {
  const replaces = resubmissionOf(claim, history);
  return {
    caseId: claim.caseId, payer: claim.payer, payerKind: claim.payerKind, procedures: claim.procedures, diagnoses: claim.diagnoses,
    ...(claim.serviceDate ? { serviceDate: claim.serviceDate } : facts?.serviceDate ? { serviceDate: facts.serviceDate } : {}),
    ...(claim.billedCents !== undefined ? { billedCents: claim.billedCents } : {}),
    ...(claim.authNumber ? { authNumber: claim.authNumber } : {}),
    ...(replaces ? { replaces } : {}),
    placeOfService: placeOfService(facts), from: 'claim',
  };
}

/**
 * The codes a claim for a triaged case carries, as "Track this claim" prefills them: the medical (CPT, HCPCS)
 * codes of its answer, else its CDT codes, and the case's diagnoses, else the answer's.
 */
export function caseClaimCodes(facts: Partial<CaseFacts>, kn: Knowledge, directory: CodeDirectory, today: string): { procedures: string[]; diagnoses: string[] } {
  let procedures: string[] = [];
  let diagnoses: string[] = facts.diagnoses ?? [];
  if (facts.procedure) {
    const result = triage({ ...facts, procedure: facts.procedure } as CaseFacts, kn, { directory, today });
    const medical = [...result.procedureCodes.cpt, ...result.procedureCodes.hcpcs].map((c) => c.code);
    procedures = medical.length ? medical : result.procedureCodes.cdt.map((c) => c.code);
    if (!diagnoses.length) diagnoses = result.diagnosisCodes.map((c) => c.code);
  }
  return { procedures, diagnoses };
}

/** The form's request for a case with no claim yet: the codes of its answer, no amounts, no claim number. */
export function requestFromCase(caseId: string, facts: Partial<CaseFacts>, kn: Knowledge, directory: CodeDirectory, today: string): ClaimFormRequest {
  const codes = caseClaimCodes(facts, kn, directory, today);
  return {
    caseId, ...codes, ...(facts.coverage?.medicalPayer ? { payerKind: facts.coverage.medicalPayer } : {}),
    ...(facts.serviceDate ? { serviceDate: facts.serviceDate } : {}), placeOfService: placeOfService(facts), from: 'case',
  };
}

/** Item 1's square for a kind of payer. A Medicare Advantage plan is billed to the plan, as a group health plan. */
const INSURANCE: Record<ClaimPayerKind, InsuranceKind> = {
  medicare: 'medicare', medicaid: 'medicaid', tricare: 'tricare', 'medicare-advantage': 'group', commercial: 'group',
  auto: 'other', 'workers-comp': 'other', liability: 'other', other: 'other', dental: 'other',
};

/** The HCPCS code of an oral appliance for sleep apnea: a DME item, which needs the ordering physician (item 17). */
const ORDERED_ITEMS = new Set(['E0486', 'E0485', 'K1027']);

/** A service line: its code and up to four modifiers. */
export interface ServiceLine { code: string; modifiers: string[] }

const MODIFIER = /^[A-Z0-9]{2}$/;

/** "E0486-KX-GA" → E0486 with KX and GA; or why it is not a procedure code with modifiers. */
export function readLine(text: string): ServiceLine | { problem: string } {
  const [code = '', ...modifiers] = text.trim().toUpperCase().split(/[-\s]+/).filter(Boolean);
  if (!isProcedureCode(code)) return { problem: `${code || text} is not a CPT, HCPCS or CDT code.` };
  const bad = modifiers.find((m) => !MODIFIER.test(m));
  if (bad !== undefined) return { problem: `${bad} (on ${code}) is not a modifier: a modifier is two letters or digits, e.g. KX, GY, RT, LT.` };
  if (modifiers.length > 4) return { problem: `${code} has ${modifiers.length} modifiers: a service line takes four.` };
  return { code: normalizeCode(code), modifiers };
}

/** The form's boxes with what they say, or why it cannot be printed. */
export type FilledForm = { ok: true; values: Map<string, string>; lines: ServiceLine[]; diagnoses: string[]; checks: string[] } | { ok: false; problem: string };

/** The identifier boxes: what the office writes there, as a bracketed placeholder. */
export const PLACEHOLDERS: Readonly<Record<string, string>> = {
  'carrier.address': '[PAYER ADDRESS]',
  '1a': '[INSURED ID NUMBER]',
  2: '[PATIENT NAME]',
  3: '[DOB]  [SEX]',
  4: '[INSURED NAME]',
  5: '[PATIENT ADDRESS, PHONE]',
  7: '[INSURED ADDRESS, PHONE]',
  11: '[INSURED GROUP NUMBER]',
  '11a': '[INSURED DOB]  [SEX]',
  12: '[PATIENT SIGNATURE]  [DATE]',
  13: '[INSURED SIGNATURE]',
  25: '[FEDERAL TAX ID]',
  26: '[PATIENT ACCOUNT NO.]',
  31: '[PROVIDER SIGNATURE]',
  '31.date': '[DATE]',
  32: '[SERVICE FACILITY ADDRESS]',
  '32a': '[NPI]',
  33: '[BILLING PROVIDER, ADDRESS, PHONE]',
  '33a': '[NPI]',
};


/** A name cut to its box (a payer's name is up to 60 characters; the box holds fewer). */
const cut = (id: string, text: string): string => (text.length <= valueRoom(id) ? text : `${text.slice(0, valueRoom(id) - 1)}~`);

/** MM DD YY, as the form's date boxes take it. */
const formDate = (iso: string): string => `${iso.slice(5, 7)} ${iso.slice(8, 10)} ${iso.slice(2, 4)}`;
/** Dollars and cents, the cents in their own column (the form has no $ or point). */
export const formAmount = (cents: number): string => `${Math.floor(cents / 100)} ${String(cents % 100).padStart(2, '0')}`;

/**
 * The boxes as medbill fills them. Refuses (with a sentence) a diagnosis not billable on the date of service, a
 * code that is not one, more lines or diagnoses than a page holds, a value too long for its box.
 */
export function fillClaimForm(request: ClaimFormRequest, kn: Knowledge, today: string): FilledForm {
  const { caseId } = request;
  if (request.serviceDate !== undefined && !isIsoDate(request.serviceDate)) return { ok: false, problem: `${request.serviceDate} is not a date of service I can use.` };
  if (!request.procedures.length) return { ok: false, problem: `Case ${caseId} has no procedure codes for the form: track its claim with its codes first ("track this claim").` };
  const lines: ServiceLine[] = [];
  for (const p of request.procedures) {
    const line = readLine(p);
    if ('problem' in line) return { ok: false, problem: line.problem };
    lines.push(line);
  }
  if (lines.length > SERVICE_LINES) return { ok: false, problem: `Case ${caseId} has ${lines.length} procedures; a CMS-1500 takes ${SERVICE_LINES} service lines. Bill the rest on a second claim in the practice's system.` };
  const diagnoses = request.diagnoses.map(normalizeIcd10);
  if (diagnoses.length > DIAGNOSIS_LETTERS.length) return { ok: false, problem: `Case ${caseId} has ${diagnoses.length} diagnoses; item 21 takes ${DIAGNOSIS_LETTERS.length} (A–L).` };
  if (!diagnoses.length) return { ok: false, problem: `Case ${caseId} has no diagnosis codes: a medical claim needs at least one ICD-10-CM code (add them to the case or the claim first).` };
  const at = diagnosisDate(kn, request.serviceDate, today);
  for (const code of diagnoses) {
    const problem = diagnosisProblemOn(kn, code, at);
    if (problem) return { ok: false, problem: `Not printed: ${problem}` };
  }
  if (request.authNumber !== undefined && request.authNumber.length > valueRoom('23')) return { ok: false, problem: `The prior authorization number has ${request.authNumber.length} characters; item 23 holds ${valueRoom('23')}.` };
  if (request.replaces?.reference !== undefined && request.replaces.reference.length > valueRoom('22.ref')) return { ok: false, problem: `The original claim number has more characters than item 22 holds (${valueRoom('22.ref')}).` };

  const values = new Map<string, string>(Object.entries(PLACEHOLDERS));
  if (request.payer) {
    values.set('carrier', cut('carrier', request.payer));
    values.set('11c', cut('11c', request.payer));
  } else values.set('carrier', '[PAYER NAME]');
  if (request.payerKind) values.set(`1.${INSURANCE[request.payerKind]}`, 'X');
  values.set('21.ind', '0');
  diagnoses.forEach((code, i) => values.set(`21${DIAGNOSIS_LETTERS[i] ?? ''}`, code));
  const pointers = DIAGNOSIS_LETTERS.slice(0, Math.min(4, diagnoses.length)).join('');
  lines.forEach((line, i) => {
    const n = i + 1;
    if (request.serviceDate) values.set(`24A.${n}`, `${formDate(request.serviceDate)}  ${formDate(request.serviceDate)}`);
    values.set(`24B.${n}`, request.placeOfService.code);
    // The modifiers under the column's MODIFIER heading, each in its own two-character slot.
    values.set(`24D.${n}`, `${line.code.padEnd(8)}${line.modifiers.map((m) => m.padEnd(3)).join('')}`.trimEnd());
    values.set(`24E.${n}`, pointers);
    // One line: its charge is the total. Several: medbill has only the total, so the lines are left to the office.
    if (lines.length === 1 && request.billedCents !== undefined) values.set(`24F.${n}`, formAmount(request.billedCents));
    values.set(`24G.${n}`, '1');
    values.set(`24J.${n}`, '[NPI]');
  });
  if (request.replaces) {
    values.set('22.code', '7');
    values.set('22.ref', request.replaces.reference ?? '[ORIGINAL REF. NO.]');
  }
  if (request.authNumber) values.set('23', request.authNumber);
  if (lines.some((l) => ORDERED_ITEMS.has(l.code))) {
    values.set('17', 'DK [ORDERING PHYSICIAN]');
    values.set('17b', '[NPI]');
  }
  if (request.billedCents !== undefined) values.set('28', formAmount(request.billedCents));
  return { ok: true, values, lines, diagnoses, checks: officeChecks(request, lines) };
}

/** What the office checks before the claim goes out: what medbill filled by rule rather than from the record. */
function officeChecks(request: ClaimFormRequest, lines: ServiceLine[]): string[] {
  const checks: string[] = [];
  if (!lines.some((l) => l.modifiers.length)) checks.push('modifiers (24D): none recorded; add KX, GY, GA, RT/LT… where the record supports them');
  checks.push(`place of service (24B): ${request.placeOfService.code}, ${request.placeOfService.words}${request.placeOfService === OFFICE ? ' (the case named no hospital or surgery center)' : ', from the case\'s words'}`);
  checks.push('units (24G): 1 a line');
  if (lines.length > 1 || request.billedCents === undefined) checks.push(`line charges (24F): ${request.billedCents === undefined ? 'no amount recorded' : 'only the total is recorded (in 28)'}`);
  checks.push('diagnosis pointers (24E): every line points to the first four diagnoses');
  if (!request.serviceDate) checks.push('dates of service (24A): none recorded');
  if (request.replaces) checks.push('item 22: code 7 (corrected claim) with the original claim number; the payer may want its own claim number (ICN) from the remittance');
  return checks;
}

/** The filled form as a one-page PDF, with its file name, and what the office checks; or why it cannot be printed. */
export async function claimFormPdf(request: ClaimFormRequest, kn: Knowledge, today: string): Promise<{ ok: true; pdf: Uint8Array; filename: string; checks: string[] } | { ok: false; problem: string }> {
  const form = fillClaimForm(request, kn, today);
  if (!form.ok) return form;
  const footer = [
    `Prepared by medbill for case ${request.caseId} on ${today}. Bracketed boxes are for the office to fill in its own system: medbill holds no patient or provider identifiers.`,
    `Check before sending: ${form.checks.join('; ')}.`,
  ];
  const pdf = await drawCms1500({ values: form.values, footer, title: `CMS-1500 for case ${request.caseId}`, madeOn: today });
  return { ok: true, pdf, filename: `CMS1500-${request.caseId}.pdf`, checks: form.checks };
}

/** Where a case's claim and facts are read from (the claims service and the case store, on any surface). */
export interface ClaimFormSources {
  claim(caseId: string): Promise<Claim | undefined>;
  history(caseId: string): Promise<HistoryEntry[]>;
  caseFacts(caseId: string): Promise<Partial<CaseFacts> | undefined>;
}

/** The form's request for a case: its tracked claim, else its answer; undefined when medbill has neither. */
export async function requestFor(caseId: string, sources: ClaimFormSources, kn: Knowledge, directory: CodeDirectory, today: string): Promise<ClaimFormRequest | undefined> {
  const [claim, facts] = await Promise.all([sources.claim(caseId), sources.caseFacts(caseId)]);
  if (claim) return requestFromClaim(claim, await sources.history(caseId), facts);
  return facts ? requestFromCase(caseId, facts, kn, directory, today) : undefined;
}

/** Modifiers written with their code ("E0486-KX", "21480-LT-59") anywhere in a message or an argument. */
export const modifiedCodes = (text: string): string[] => [...text.matchAll(/\b(?:D\d{4}|\d{4}[0-9FTU]|[A-CEGHJ-MP-V]\d{4})(?:-[A-Z0-9]{2}){1,4}\b/gi)].map((m) => m[0].toUpperCase());

/**
 * The request with the modifiers the person gave for its lines ("E0486-KX": every line of E0486 gets KX in
 * place of any it had); a code not on the claim is refused, not added.
 */
export function withModifiers(request: ClaimFormRequest, given: readonly string[]): ClaimFormRequest | { problem: string } {
  let procedures = [...request.procedures];
  for (const g of given) {
    const line = readLine(g);
    if ('problem' in line) return line;
    const codeOf = (p: string) => p.split('-')[0]?.trim().toUpperCase();
    if (!procedures.some((p) => codeOf(p) === line.code)) return { problem: `${line.code} is not on case ${request.caseId}'s claim (its codes: ${procedures.map(codeOf).join(', ') || 'none'}).` };
    procedures = procedures.map((p) => (codeOf(p) === line.code ? [line.code, ...line.modifiers].join('-') : p));
  }
  return { ...request, procedures };
}
