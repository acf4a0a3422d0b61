/**
 * `medbill claims import FILE.csv`: a practice starts medbill with the open medical claims its
 * practice-management (PM) system exports. Every row is checked first; with any bad row nothing is written.
 * The rows are then written in ONE transaction, each through ClaimService (`draft`, then `plan` + `commit` for
 * each later status), so every claim gets its follow-up dates from the policy and a history that says it came
 * from the import (surface `import`, actor `cli:import`).
 *
 * The file: RFC 4180 CSV (quoted fields, "" for a quote, commas and line breaks inside quotes, CRLF or LF, an
 * optional UTF-8 BOM). The first line names the columns, in any order and letter case, by any of these names
 * (`#`, `no`, `num` and `nbr` all read as "number"; spaces, `_` and `-` are the same):
 *
 *   case_id         medbill's case id (C-7K3Q9); a new one is made when the column or the cell is empty
 *   claim_number    the practice's claim number: claim #, claim id, claim no, reference
 *   payer *         the payer's name: insurance, carrier, payer name, insurance company, plan
 *   payer_kind      the plan type: medicare (also "Medicare Part B", "original medicare"), medicare advantage
 *                   ("MA", "Part C", "MAPD"), medicaid (also Medi-Cal, CHIP), commercial (PPO, HMO, employer),
 *                   tricare, auto (no-fault, PIP, med-pay), workers comp, liability, other; aliases plan type, payer type, insurance type, financial class. When empty,
 *                   a payer named just "Medicare", "Medicaid"… gives it, or --payer-kind; otherwise the row is bad
 *                   (the appeal deadline depends on it, so medbill does not guess)
 *   procedures *    CPT, HCPCS or CDT codes, separated by spaces, commas or semicolons (a modifier such as
 *                   41100-59 is dropped): cpt, cpt codes, procedure codes, proc codes, hcpcs, cdt
 *   diagnoses       ICD-10-CM codes, dotted or not, billable ones only: icd10, icd-10, dx, diagnosis codes
 *   billed          the amount billed: charge, charges, amount billed, billed amount, total charge, fee
 *   paid            what the payer paid: amount paid, paid amount, insurance paid, payment
 *   service_date    the date of service: dos, date of service, svc date
 *   submitted_date  when the claim was sent: date submitted, billed date, date billed, sent date, claim date
 *   status          the PM system's status word (see STATUS_WORDS below); empty: worked out from the row
 *   status_date     when the status was reached: last activity, activity date (used when the dates below are empty)
 *   paid_date       date paid, payment date, check date, remit date
 *   denied_date     denial date, date denied
 *   denial          the denial code or reason: carc, denial code, denial reason, reason code ("CO-50 N115")
 *   appeal_date     when an appeal was sent: appealed date, date appealed
 *   records_due     when records the payer asked for are due
 *   auth_number     the prior authorization number: prior auth, authorization, auth, pa number
 *   auth_expires    when the authorization ends: auth expiration, auth end date
 *   lane            medical (default) or medical-first (medbill's other lanes are read too, as in its export)
 *   category        medbill's procedure category id (as in `medbill claims export`), for the reports; when empty,
 *                   the category the row's procedure codes (and diagnoses) name, as triage reads them
 *   (* required)
 *
 * Columns medbill works out itself (next_follow_up, appeal_deadline in its own export) are skipped, so an
 * export imports again (into a database without those claims: a case id or claim number already in medbill,
 * or twice in the file, is a bad row). Other unknown columns are not read. A column whose name says it holds
 * patient identifiers (patient, name, dob, member id, ssn, mrn, address, phone, email, account…) refuses the
 * whole file unless `--ignore-column NAME` drops it unread: medbill keeps no identifiers. The text medbill keeps
 * (payer, claim number, authorization number, denial words) goes through the identifier scrubber.
 *
 * Dates: 2026-11-14, 11/14/2026, 11/14/26 (month first, 20yy), 14-Nov-2026, Nov 14, 2026, 20261114; a time of
 * day after it is dropped. Amounts: 650, 650.00, $1,234.56.
 *
 * How a row becomes a claim: `draft` opens it, submitted (first follow-up from the policy) when it has a
 * submitted date, not submitted yet otherwise. Every later status is reached by the changes a biller would have
 * recorded, in order: pended or records requested (on the status date, else the submitted date); denied (on
 * the denial date, with the denial code: the appeal deadline comes from the policy); appealed (denied, then
 * appealed); paid or partly paid (a denial date in the row is recorded before it, and an appeal date after the
 * denial); written off (after its denial or its partial payment); closed. A status past "submitted" needs the
 * submitted date, a denial needs its date, and no event may be after today or before the submission. Money
 * paid on a row the PM system still calls open makes it paid (when it covers the charge) or partly paid. A
 * payment date that is not in the file is not made up: the claim is paid without one (it counts in the paid
 * rate, not in a month's recoveries). A clearinghouse rejection is not a denial (see STATUS_WORDS).
 */
import type { ClaimService, ClaimChange, NewClaim, Plan } from './service.js';
import { CLAIM_PAYER_KINDS, CLAIM_STATUSES, isOpen, type Actor, type Claim, type ClaimPayerKind, type ClaimStatus, type Denial } from './model.js';
import { formatCents, parseAmountField } from './dates.js';
import { parseDenial } from './denials.js';
import { scrubIdentifiers, type IdentifierKind } from '../engine/privacy.js';
import { CASE_ID_SHAPE, newCaseId } from '../case-id.js';
import { dateOf, fullYear, monthNumber } from '../calendar.js';
import type { Knowledge } from '../knowledge/load.js';
import type { CodeIndex, LookupHit } from '../knowledge/lookup.js';
import { isProcedureCode, normalizeIcd10, PATTERNS } from '../knowledge/codes.js';
import { diagnosisDate, diagnosisProblemOn } from '../knowledge/evidence.js';
import { claimCategory } from '../knowledge/procedure-kind.js';
import { ClaimReportStore } from '../store/claim-reports.js';
import { LANES, type Lane } from '../knowledge/vocabulary.js';

// ---------------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/** One record of a CSV file: its fields and the physical line it starts on (1-based). */
export interface CsvRecord { line: number; fields: string[] }

export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/** Line breaks in a piece of text: CRLF, LF or a lone CR each count once. */
function lineBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * Parses CSV text into records. Quoted fields may hold commas, doubled quotes and line breaks; records end at
 * CRLF, LF or CR; a UTF-8 BOM is skipped. A quote inside an unquoted field is kept as it is (5" ruler); text
 * after a closing quote, or a quote never closed, is a CsvError naming the line.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        const opened = line;
        let value = '';
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) throw new CsvError(opened, 'a quoted field is never closed (a quote inside a quoted field is written twice: "")');
          const chunk = text.slice(i, quote);
          line += lineBreaks(chunk);
          value += chunk;
          if (text.charCodeAt(quote + 1) === 34) {
            value += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            break;
          }
        }
        fields.push(value);
        while (text[i] === ' ' || text[i] === '\t') i++;
        const next = text.charCodeAt(i);
        if (i < n && next !== 44 && next !== 10 && next !== 13) throw new CsvError(line, 'text after the closing quote of a quoted field (a quote inside a quoted field is written twice: "")');
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (text.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      if (text.charCodeAt(i) === 13) i++;
      if (text.charCodeAt(i) === 10) i++;
      line++;
      break;
    }
    records.push({ line: start, fields });
  }
  return records;
}

// ---------------------------------------------------------------------------------------------------------------
// Columns

type Field =
  | 'caseId' | 'reference' | 'payer' | 'payerKind' | 'lane' | 'category' | 'procedures' | 'diagnoses' | 'billed' | 'paid'
  | 'serviceDate' | 'submittedDate' | 'status' | 'statusDate' | 'paidDate' | 'deniedDate' | 'denial' | 'appealDate'
  | 'recordsDue' | 'authNumber' | 'authExpires';

/** Each column: the name medbill writes, and the other names PM systems use (after normalizeHeader). */
export const IMPORT_COLUMNS: readonly { field: Field; name: string; aliases: readonly string[] }[] = [
  { field: 'caseId', name: 'case_id', aliases: ['case', 'case number', 'medbill case', 'medbill case id', 'medbill id'] },
  { field: 'reference', name: 'claim_number', aliases: ['claim id', 'claim', 'claim ref', 'claim reference', 'reference', 'ref', 'ref number', 'reference number', 'practice claim number'] },
  { field: 'payer', name: 'payer', aliases: ['payer name', 'payor', 'payor name', 'insurance', 'insurance name', 'insurance company', 'insurance carrier', 'carrier', 'carrier name', 'insurer', 'plan', 'plan name', 'medical insurance', 'primary insurance', 'medical payer'] },
  { field: 'payerKind', name: 'payer_kind', aliases: ['plan type', 'payer type', 'payor type', 'payer kind', 'insurance type', 'coverage type', 'financial class', 'payer class', 'payer category'] },
  { field: 'lane', name: 'lane', aliases: [] },
  { field: 'category', name: 'category', aliases: ['procedure category', 'medbill category'] },
  { field: 'procedures', name: 'procedures', aliases: ['cpt', 'cpts', 'cpt code', 'cpt codes', 'cpt hcpcs', 'cpt hcpcs codes', 'hcpcs', 'hcpcs codes', 'cdt', 'cdt codes', 'procedure', 'procedure code', 'procedure codes', 'proc code', 'proc codes', 'procedure codes cpt', 'codes', 'service codes'] },
  { field: 'diagnoses', name: 'diagnoses', aliases: ['icd10', 'icd 10', 'icd10 cm', 'icd 10 cm', 'icd', 'icd10 codes', 'icd 10 codes', 'icd codes', 'diagnosis', 'diagnosis code', 'diagnosis codes', 'dx', 'dx code', 'dx codes', 'dxs'] },
  { field: 'billed', name: 'billed', aliases: ['charge', 'charges', 'amount billed', 'billed amount', 'billed amt', 'amt billed', 'total charge', 'total charges', 'charge amount', 'fee', 'total billed'] },
  { field: 'paid', name: 'paid', aliases: ['amount paid', 'paid amount', 'paid amt', 'amt paid', 'insurance paid', 'ins paid', 'payer paid', 'payment', 'payments', 'total paid', 'insurance payment'] },
  { field: 'serviceDate', name: 'service_date', aliases: ['dos', 'date of service', 'service', 'svc date', 'service dt', 'procedure date', 'visit date'] },
  { field: 'submittedDate', name: 'submitted_date', aliases: ['submitted', 'date submitted', 'submission date', 'billed date', 'date billed', 'bill date', 'sent date', 'date sent', 'claim date', 'filed date', 'date filed'] },
  { field: 'status', name: 'status', aliases: ['claim status'] },
  { field: 'statusDate', name: 'status_date', aliases: ['last activity', 'last activity date', 'activity date', 'last status date', 'status changed'] },
  { field: 'paidDate', name: 'paid_date', aliases: ['date paid', 'payment date', 'check date', 'remit date', 'era date', 'last payment date'] },
  { field: 'deniedDate', name: 'denied_date', aliases: ['denial date', 'date denied'] },
  { field: 'denial', name: 'denial', aliases: ['denial code', 'denial codes', 'denial reason', 'carc', 'carc rarc', 'reason code', 'adjustment reason', 'denial reason code'] },
  { field: 'appealDate', name: 'appeal_date', aliases: ['appealed date', 'date appealed', 'appeal sent', 'appeal sent date'] },
  { field: 'recordsDue', name: 'records_due', aliases: ['records due date'] },
  { field: 'authNumber', name: 'auth_number', aliases: ['auth', 'auth id', 'prior auth', 'prior auth number', 'prior authorization', 'prior authorization number', 'authorization', 'authorization number', 'pa number', 'preauth', 'pre auth', 'preauthorization'] },
  { field: 'authExpires', name: 'auth_expires', aliases: ['auth expiration', 'auth expiration date', 'auth expiry', 'auth exp', 'auth end', 'auth end date', 'authorization expires', 'prior auth expires'] },
];

/** Columns of medbill's own export that it works out again from the policy: skipped without a note. */
const WORKED_OUT = new Set(['next follow up', 'appeal deadline']);

const NUMBER_WORDS = new Set(['no', 'num', 'nbr', 'nr']);

/** A column name as it is matched: lower case, words only, "#" / "no" / "num" read as "number". */
export function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/#/g, ' number ').replace(/[^a-z0-9]+/g, ' ').trim().split(' ').map((w) => (NUMBER_WORDS.has(w) ? 'number' : w)).join(' ');
}

const BY_NAME = new Map<string, Field>();
for (const c of IMPORT_COLUMNS) for (const name of [c.name, ...c.aliases]) BY_NAME.set(normalizeHeader(name), c.field);

/** Words that make a column a patient's: its name, birth date, IDs, where they live and how to reach them. */
const IDENTIFIER_WORDS = new Set([
  'patient', 'patients', 'pt', 'dob', 'birth', 'birthdate', 'birthday', 'born', 'ssn', 'social', 'mrn', 'member', 'subscriber', 'insured',
  'guarantor', 'beneficiary', 'policyholder', 'policy', 'responsible', 'mbi', 'hicn', 'address', 'street', 'city', 'county',
  'zip', 'zipcode', 'postal', 'phone', 'telephone', 'cell', 'mobile', 'fax', 'email', 'chart', 'account', 'acct',
]);
const NAME_COLUMN = /^(?:(?:first|last|middle|full|given|family|sur|nick)\s?)?name$|^(?:first|last|surname|initials?|lastname|firstname)$/;
/** A plan's number for a person ("Insurance ID", "Medicaid #", "Group number"); not the payer's own id ("Payer ID"). */
const PLAN_WORDS = new Set(['insurance', 'ins', 'medicare', 'medicaid', 'tricare', 'group', 'grp', 'plan']);

/** Whether a column's name says it holds patient identifiers (it is refused unless dropped unread). */
export function isIdentifierColumn(name: string): boolean {
  const n = normalizeHeader(name);
  const w = n.split(' ');
  return NAME_COLUMN.test(n) || w.some((x) => IDENTIFIER_WORDS.has(x)) || (w.some((x) => PLAN_WORDS.has(x)) && w.some((x) => x === 'id' || x === 'number'));
}

// ---------------------------------------------------------------------------------------------------------------
// Dates, statuses, plan types

/** The ISO date, if it is a real one in a year a PM export can hold. */
const ymd = (y: number, m: number, d: number): string | undefined => (y >= 1900 && y <= 2099 ? dateOf(y, m, d) : undefined);

/**
 * A date as PM systems export it, as an ISO date; undefined when it is not one. 2026-11-14, 2026/11/14,
 * 11/14/2026, 11-14-2026, 11/14/26 (US order; a two-digit year is 20yy), 14-Nov-2026, 14 Nov 2026,
 * Nov 14, 2026, November 14 2026, 20261114. A time of day after the date is ignored.
 */
export function parseImportDate(raw: string): string | undefined {
  const t = raw.trim().replace(/(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:\s*[AP]\.?M\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?$/i, '');
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t))) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$/.exec(t))) {
    const [, mm, dd, yy = ''] = m;
    return ymd(fullYear(yy), Number(mm), Number(dd));
  }
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = /^(\d{1,2})[-\s]([A-Za-z]{3,9}\.?)[-\s,]\s*(\d{4}|\d{2})$/.exec(t))) {
    const [, dd, name = '', yy = ''] = m;
    const month = monthNumber(name);
    return month ? ymd(fullYear(yy), month, Number(dd)) : undefined;
  }
  if ((m = /^([A-Za-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(t))) {
    const [, name = '', dd, yyyy] = m;
    const month = monthNumber(name);
    return month ? ymd(Number(yyyy), month, Number(dd)) : undefined;
  }
  return undefined;
}

/** What a PM status word means here; `rejected` is a clearinghouse rejection (the payer never got the claim). */
export type ImportStatus = ClaimStatus | 'rejected';

const status = (s: ImportStatus, list: string) => list.split(',').map((w) => [w.trim(), s] as const);
/**
 * PM systems' status words (normalized: lower case, words only). A clearinghouse or front-end rejection is not
 * a denial: the payer never received the claim, so there is no claim to follow up, no denial and no appeal
 * clock. It is imported as a draft (not submitted yet), without its submitted date, so the digest lists it
 * with the unsubmitted claims and the timely filing limit counts from the date of service.
 */
export const STATUS_WORDS: ReadonlyMap<string, ImportStatus> = new Map([
  ...status('draft', 'draft, unbilled, not billed, not sent, not submitted, unsubmitted, ready to bill, ready to send, created'),
  ...status('rejected', 'rejected, rejection, reject, clearinghouse rejected, clearinghouse rejection, ch rejected, ch reject, front end rejection, front end rejected, returned, returned to provider, rtp'),
  ...status('submitted', 'submitted, open, pending, sent, billed, filed, accepted, acknowledged, received, in process, processing, in progress, outstanding, resubmitted, transmitted, sent to payer, awaiting payment, unpaid'),
  ...status('pended', 'pended, pend, suspended, in suspense'),
  ...status('records-requested', 'records requested, records request, medical records requested, info requested, information requested, additional info requested, additional information requested, documentation requested, request for information, rfi, development'),
  ...status('paid', 'paid, paid in full, closed paid, paid closed, paid and closed, settled, pif'),
  ...status('partially-paid', 'partially paid, partial, partial payment, partial paid, paid partial, part paid, underpaid, short paid'),
  ...status('denied', 'denied, denial, deny, payer denied, denied by payer, closed denied'),
  ...status('appealed', 'appealed, appeal, in appeal, under appeal, appeal pending, appeal sent, appeal filed, reconsideration, redetermination'),
  ...status('written-off', 'written off, write off, writeoff, written off closed, w o'),
  ...status('closed', 'closed, void, voided, cancelled, canceled, deleted'),
]);

const words = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

export function mapStatus(word: string): ImportStatus | undefined {
  return STATUS_WORDS.get(words(word));
}

const kind = (k: ClaimPayerKind, list: string) => list.split(',').map((w) => [w.trim(), k] as const);
/** Plan types as PM systems and billers write them. */
const PAYER_KIND_WORDS: ReadonlyMap<string, ClaimPayerKind> = new Map([
  ...kind('medicare', 'medicare, original medicare, traditional medicare, medicare part b, part b, medicare b, medicare ffs, medicare fee for service, mcr'),
  ...kind('medicare-advantage', 'medicare advantage, medicare advantage plan, ma, mapd, ma pd, ma plan, part c, medicare part c, medicare replacement, medicare hmo, medicare ppo, medicare managed care'),
  ...kind('medicaid', 'medicaid, medi cal, medical assistance, chip, state medicaid, managed medicaid, medicaid managed care, medicaid hmo, medicaid mco, mcd'),
  ...kind('commercial', 'commercial, commercial insurance, private, private insurance, employer, group, ppo, hmo, epo, pos, marketplace, exchange, bcbs'),
  ...kind('tricare', 'tricare, tricare prime, tricare select, champus, military'),
  ...kind('auto', 'auto, auto insurance, automobile, car insurance, no fault, pip, personal injury protection, med pay, medpay, motor vehicle'),
  ...kind('workers-comp', 'workers comp, workers compensation, worker s comp, worker s compensation, workman s comp, workmans comp, work comp, wc'),
  ...kind('liability', 'liability, liability insurance, third party, third party liability, tpl, property and casualty, p c, p and c'),
  ...kind('other', 'other, va, champva'),
]);

export function mapPayerKind(word: string): ClaimPayerKind | undefined {
  const w = words(word);
  return PAYER_KIND_WORDS.get(w) ?? CLAIM_PAYER_KINDS.find((k) => words(k) === w);
}

function mapLane(word: string): Lane | undefined {
  const w = words(word);
  return LANES.find((l) => words(l) === w);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading rows

/** A row that passed every check: the new claim, and the changes that bring it to its status. */
interface ImportRow {
  line: number;
  claim: NewClaim;
  steps: { change: ClaimChange; withoutPaidDate?: boolean }[];
}

export interface RowProblem { line: number; problems: string[] }

export interface ImportOptions {
  /** The practice's local date (ISO): no event in the file may be later. */
  today: string;
  /** Check everything and write nothing. */
  dryRun?: boolean;
  /** Column names dropped unread (needed for a column whose name says it holds identifiers). */
  ignoreColumns?: readonly string[];
  /** The plan type of rows that do not say it. */
  payerKind?: ClaimPayerKind;
  actor?: Actor;
  /** Makes a new case id (tests fix them). */
  newId?: () => string;
}

export interface ImportSummary {
  ok: true;
  dryRun: boolean;
  claims: number;
  open: number;
  outstandingCents: number;
  byStatus: Partial<Record<ClaimStatus, number>>;
  /** Columns not read: medbill has no use for them. */
  unused: string[];
  /** Columns dropped unread with --ignore-column. */
  dropped: string[];
}

export interface ImportRefused {
  ok: false;
  /** Data rows in the file. */
  rows: number;
  problems: RowProblem[];
  unused: string[];
  dropped: string[];
}

export type ImportResult = ImportSummary | ImportRefused;

/** The whole file is refused: no header, a CSV syntax error, a column of identifiers, an unknown --ignore-column. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

export const IMPORT_ACTOR: Actor = { who: 'cli:import', surface: 'import' };
const MAX_TEXT = 100;

interface Columns {
  index: Map<Field, number>;
  header: Map<Field, string>;
  width: number;
  unused: string[];
  dropped: string[];
}

function readHeader(fields: string[], ignore: readonly string[]): Columns {
  const wanted = new Map(ignore.map((name) => [normalizeHeader(name), name]));
  const matched = new Set<string>();
  const cols: Columns = { index: new Map(), header: new Map(), width: fields.length, unused: [], dropped: [] };
  const identifiers: string[] = [];
  fields.forEach((raw, i) => {
    const name = raw.trim();
    const n = normalizeHeader(name);
    if (wanted.has(n)) {
      matched.add(n);
      cols.dropped.push(name);
      return;
    }
    const field = BY_NAME.get(n);
    if (field) {
      const other = cols.header.get(field);
      if (other !== undefined) throw new ImportFileError(`columns "${other}" and "${name}" both give the ${describeField(field)}: keep one (or add --ignore-column "${name}").`);
      cols.index.set(field, i);
      cols.header.set(field, name);
    } else if (!n) {
      cols.unused.push(`(column ${i + 1}, no name)`);
    } else if (WORKED_OUT.has(n)) {
      // medbill's own export: worked out again from the policy.
    } else if (isIdentifierColumn(n)) {
      identifiers.push(name);
    } else {
      cols.unused.push(name);
    }
  });
  const unmatched = [...wanted].filter(([n]) => !matched.has(n)).map(([, name]) => name);
  if (unmatched.length) {
    throw new ImportFileError(`--ignore-column ${unmatched.map((u) => `"${u}"`).join(', ')}: the file has no such column (its columns: ${fields.map((f) => f.trim()).join(', ')}).`);
  }
  if (identifiers.length) {
    const list = identifiers.map((c) => `"${c}"`).join(', ');
    throw new ImportFileError(
      `column${identifiers.length > 1 ? 's' : ''} ${list} look${identifiers.length > 1 ? '' : 's'} like ${identifiers.length > 1 ? 'they hold' : 'it holds'} patient identifiers. medbill keeps no patient identifiers, so nothing was imported: remove ${identifiers.length > 1 ? 'them' : 'it'} from the file, or drop ${identifiers.length > 1 ? 'them' : 'it'} unread with ${identifiers.map((c) => `--ignore-column "${c}"`).join(' ')}.`,
    );
  }
  const missing = (['payer', 'procedures'] as const).filter((f) => !cols.index.has(f));
  if (missing.length) {
    const known = cols.index.size ? '' : ` The first line reads: ${fields.slice(0, 8).map((f) => `"${f.trim().slice(0, 40)}"`).join(', ')}${fields.length > 8 ? ', …' : ''}.`;
    throw new ImportFileError(
      `the first line must name the columns, and no column gives ${missing.map((f) => `the ${describeField(f)} (${columnNames(f)})`).join(' or ')}.${known} See medbill claims --help for the column names.`,
    );
  }
  return cols;
}

const FIELD_WORDS: Record<Field, string> = {
  caseId: 'case id', reference: 'claim number', payer: 'payer', payerKind: 'plan type', lane: 'lane', category: 'category',
  procedures: 'procedure codes', diagnoses: 'diagnosis codes', billed: 'amount billed', paid: 'amount paid', serviceDate: 'date of service',
  submittedDate: 'submitted date', status: 'status', statusDate: 'status date', paidDate: 'paid date', deniedDate: 'denial date',
  denial: 'denial reason', appealDate: 'appeal date', recordsDue: 'records due date', authNumber: 'authorization number', authExpires: 'authorization end date',
};
const describeField = (f: Field): string => FIELD_WORDS[f];
const columnNames = (f: Field): string => {
  const c = IMPORT_COLUMNS.find((x) => x.field === f);
  return c ? [c.name, ...c.aliases.slice(0, 3)].join(', ') : f;
};

/** What is known while reading rows: the code tables, identifiers already screened, ids already taken. */
class RowReader {
  private readonly codeHits = new Map<string, LookupHit | undefined>();
  private readonly screened = new Map<string, IdentifierKind[]>();
  readonly caseIds = new Map<string, number>();
  readonly references = new Map<string, number>();
  private readonly categories: Map<string, string>;
  /** The category each distinct list of codes names (the same few lists recur on thousands of rows). */
  private readonly codeCategories = new Map<string, string | undefined>();
  /** Claim numbers already in medbill (lower case) and their cases: the same export imported twice is refused. */
  private readonly knownReferences = new Map<string, string>();
  /** Cases that already have a claim. */
  private readonly knownCases = new Set<string>();
  private readonly denials = new Map<string, Denial>();

  constructor(
    private readonly cols: Columns,
    private readonly service: ClaimService,
    private readonly codes: CodeIndex,
    private readonly kn: Knowledge,
    private readonly options: ImportOptions,
  ) {
    this.categories = new Map(kn.categories.flatMap((c) => [[c.id.toLowerCase(), c.id], [c.name.toLowerCase(), c.id]] as const));
    for (const c of new ClaimReportStore(service.store.db).exportRows()) {
      this.knownCases.add(c.case_id);
      if (c.reference) this.knownReferences.set(c.reference.toLowerCase(), c.case_id);
    }
  }

  /** The category id the procedure codes (with the diagnoses) name, read once per distinct list. */
  private categoryOf(procedures: string[], diagnoses: string[]): string | undefined {
    const key = `${procedures.join(' ')}|${diagnoses.join(' ')}`;
    if (!this.codeCategories.has(key)) this.codeCategories.set(key, claimCategory(this.kn, procedures, diagnoses)?.id);
    return this.codeCategories.get(key);
  }

  private exact(code: string): LookupHit | undefined {
    if (!this.codeHits.has(code)) this.codeHits.set(code, this.codes.exact(code));
    return this.codeHits.get(code);
  }

  private identifiers(text: string): IdentifierKind[] {
    let found = this.screened.get(text);
    if (!found) {
      found = scrubIdentifiers(text).found;
      this.screened.set(text, found);
    }
    return found;
  }

  /** The denial a cell gives (a code, or words), read once per distinct text. */
  private denial(text: string | undefined): Denial {
    if (!text) return { words: 'not given in the imported file' };
    let denial = this.denials.get(text);
    if (!denial) {
      denial = parseDenial(text, this.service.kn) ?? { words: text };
      this.denials.set(text, denial);
    }
    return { ...denial };
  }

  /** A cell's value as it may be repeated in a message: short and not an identifier, or not at all. */
  private shown(value: string): string {
    const v = value.replace(/\s+/g, ' ').trim();
    const found = this.identifiers(v);
    return v.length <= 40 && found.every((k) => k === 'date') ? `"${v}"` : '(the value is not repeated here)';
  }

  read(rec: CsvRecord): { row: ImportRow } | { problems: string[] } {
    const { cols, options } = this;
    const problems: string[] = [];
    const bad = (message: string) => problems.push(message);
    if (rec.fields.length !== cols.width) {
      return { problems: [`has ${rec.fields.length} fields but the header has ${cols.width} (an unquoted comma, or a stray quote?)`] };
    }
    const get = (f: Field): string => {
      const i = cols.index.get(f);
      return i === undefined ? '' : (rec.fields[i] ?? '').trim();
    };
    const col = (f: Field) => {
      const header = cols.header.get(f);
      return header === undefined ? `${describeField(f)} (a ${IMPORT_COLUMNS.find((c) => c.field === f)?.name ?? f} column)` : `${describeField(f)} ("${header}")`;
    };

    const text = (f: Field): string | undefined => {
      const v = get(f).replace(/\s+/g, ' ');
      if (!v) return undefined;
      if (v.length > MAX_TEXT) return void bad(`the ${col(f)} is longer than ${MAX_TEXT} characters`);
      const found = this.identifiers(v);
      if (found.length) return void bad(`the ${col(f)} looks like it holds a patient identifier (${found.join(', ')}); medbill keeps no patient identifiers: take it out of the file`);
      return v;
    };
    const date = (f: Field): string | undefined => {
      const v = get(f);
      if (!v) return undefined;
      const d = parseImportDate(v);
      if (!d) bad(`the ${col(f)} ${this.shown(v)} is not a date: write 2026-11-14, 11/14/2026 or Nov 14, 2026`);
      return d;
    };
    const amount = (f: Field): number | undefined => {
      const v = get(f);
      if (!v) return undefined;
      const cents = parseAmountField(v);
      if (cents === undefined) bad(`the ${col(f)} ${this.shown(v)} is not an amount: write 650, 650.00 or $1,234.56`);
      return cents;
    };

    // Identity.
    let caseId = get('caseId').toUpperCase();
    if (caseId) {
      if (!CASE_ID_SHAPE.test(caseId)) bad(`the ${col('caseId')} ${this.shown(caseId)} is not a medbill case id (C- and five letters or digits, e.g. C-7K3Q9); leave it empty for a new one`);
      else if (this.caseIds.has(caseId)) bad(`case ${caseId} is also on line ${this.caseIds.get(caseId)}: one row per claim`);
      else if (this.knownCases.has(caseId)) bad(`case ${caseId} already has a claim in medbill: update it there instead of importing it again`);
      else this.caseIds.set(caseId, rec.line);
    }
    const reference = text('reference');
    if (reference) {
      const key = reference.toLowerCase();
      const earlier = this.references.get(key);
      const known = this.knownReferences.get(key);
      if (earlier !== undefined) bad(`claim number ${this.shown(reference)} is also on line ${earlier}: one row per claim, with all its procedure codes in one cell`);
      else if (known) bad(`claim number ${this.shown(reference)} is already in medbill as case ${known}: update it there instead of importing it again`);
      else this.references.set(key, rec.line);
    }

    // Payer.
    const payer = text('payer');
    if (!payer && !problems.some((p) => p.includes(col('payer')))) bad(`the ${col('payer')} is empty: every claim needs its payer`);
    const kindWord = get('payerKind');
    let payerKind: ClaimPayerKind | undefined;
    if (kindWord) {
      payerKind = mapPayerKind(kindWord);
      if (!payerKind) bad(`the ${col('payerKind')} ${this.shown(kindWord)} is not one medbill knows: write medicare, medicare advantage, medicaid, commercial, tricare, auto, workers comp, liability or other`);
    } else {
      payerKind = (payer ? mapPayerKind(payer) : undefined) ?? options.payerKind;
      if (!payerKind && payer) bad(`the plan type is not given: add a payer_kind column (medicare, medicare advantage, medicaid, commercial, tricare, auto, workers comp, liability, other) or give --payer-kind for rows without one; the appeal deadline depends on it`);
    }
    const laneWord = get('lane');
    const lane = laneWord ? mapLane(laneWord) : 'medical';
    if (!lane) bad(`the ${col('lane')} ${this.shown(laneWord)} is not a lane: write medical or medical-first (or another of medbill's lanes: ${LANES.slice(2).join(', ')})`);
    const categoryWord = get('category');
    const givenCategory = categoryWord ? this.categories.get(categoryWord.toLowerCase()) : undefined;
    if (categoryWord && !givenCategory) bad(`the ${col('category')} ${this.shown(categoryWord)} is not one of medbill's procedure categories (leave it empty if unsure)`);

    // Codes.
    const procedures: string[] = [];
    for (const token of get('procedures').split(/[\s,;|]+/).filter(Boolean)) {
      const code = token.toUpperCase().replace(/^([A-Z0-9]{5})(?:[-:][A-Z0-9]{2})+$/, '$1');
      if (!isProcedureCode(code)) bad(`${this.shown(token)} in the ${col('procedures')} is not a CPT, HCPCS or CDT code`);
      else if (!this.exact(code)) bad(`procedure code ${code} is not in medbill's code tables (try medbill lookup ${code})`);
      else if (!procedures.includes(code)) procedures.push(code);
    }
    if (!get('procedures')) bad(`the ${col('procedures')} is empty: every claim needs at least one CPT, HCPCS or CDT code`);
    // A claim's diagnoses are checked against the ICD-10-CM code set of its date of service (today without one).
    const serviceDate = date('serviceDate');
    const at = diagnosisDate(this.kn, serviceDate, options.today);
    const diagnoses: string[] = [];
    for (const token of get('diagnoses').split(/[\s,;|]+/).filter(Boolean)) {
      const code = normalizeIcd10(token);
      const hit = PATTERNS.icd10cm.test(code) ? this.exact(code) : undefined;
      if (!PATTERNS.icd10cm.test(code)) bad(`${this.shown(token)} in the ${col('diagnoses')} is not an ICD-10-CM code`);
      else if (!hit) bad(`diagnosis ${code} is not a valid ICD-10-CM code in medbill's tables`);
      else {
        const problem = diagnosisProblemOn(this.kn, hit.code, at);
        if (problem && hit.billable === false && !this.kn.icd10Lists.yearsValid(hit.code).length) bad(`diagnosis ${code} is a category, not a billable ICD-10-CM code: use the complete code (medbill lookup ${code})`);
        else if (problem) bad(`diagnosis ${problem}`);
        else if (!diagnoses.includes(hit.code)) diagnoses.push(hit.code);
      }
    }
    // The kind of procedure: the column's, else the one the codes name (the reports count claims by it).
    const category = givenCategory ?? (procedures.length ? this.categoryOf(procedures, diagnoses) : undefined);

    // Amounts and free text.
    const billed = amount('billed');
    const paid = amount('paid');
    const authNumber = text('authNumber');
    const denialText = text('denial');

    // Dates (the date of service is read with the diagnoses).
    const submittedDate = date('submittedDate');
    const statusDate = date('statusDate');
    const paidDate = date('paidDate');
    const deniedDate = date('deniedDate');
    const appealDate = date('appealDate');
    const recordsDue = date('recordsDue');
    const authExpires = date('authExpires');
    const events: [Field, string | undefined][] = [['submittedDate', submittedDate], ['statusDate', statusDate], ['paidDate', paidDate], ['deniedDate', deniedDate], ['appealDate', appealDate]];
    for (const [f, d] of events) if (d && d > options.today) bad(`the ${col(f)} ${d} is after today (${options.today})`);
    if (serviceDate && submittedDate && submittedDate < serviceDate) bad(`the claim was submitted (${submittedDate}) before the date of service (${serviceDate})`);
    for (const [f, d] of events.slice(1)) if (d && submittedDate && d < submittedDate) bad(`the ${col(f)} ${d} is before the submitted date ${submittedDate}`);
    if (appealDate && deniedDate && appealDate < deniedDate) bad(`the appeal date ${appealDate} is before the denial date ${deniedDate}`);

    // Status, and the changes that reach it.
    const statusWord = get('status');
    let target: ImportStatus | undefined;
    if (statusWord) {
      target = mapStatus(statusWord);
      if (!target) bad(`the ${col('status')} ${this.shown(statusWord)} is not a status medbill knows: use open, submitted, pended, records requested, paid, partially paid, denied, appealed, written off, closed, rejected or draft`);
    } else if (paid !== undefined && paid > 0) target = billed !== undefined && paid < billed ? 'partially-paid' : 'paid';
    else if (deniedDate || denialText) target = 'denied';
    else target = submittedDate ? 'submitted' : 'draft';
    // Money received on a claim the PM system still calls open: the payer has answered.
    if ((target === 'submitted' || target === 'pended' || target === 'records-requested') && paid !== undefined && paid > 0) {
      target = billed !== undefined && paid < billed ? 'partially-paid' : 'paid';
    }
    const steps: ImportRow['steps'] = [];
    const denial = this.denial(denialText);
    if (target === 'draft' && submittedDate) bad(`the status ${this.shown(statusWord)} says the claim was not submitted, but a ${col('submittedDate')} is given: clear one of them`);
    if (target && target !== 'draft' && target !== 'rejected' && !submittedDate) bad(`a claim that is ${target.replace('-', ' ')} needs its ${col('submittedDate')}: follow-ups and aging count from it`);
    if (target && target !== 'draft' && target !== 'rejected' && submittedDate) {
      const fallback = options.today;
      const paidStep = (partial: boolean, amountCents: number) => {
        const on = paidDate ?? statusDate;
        // No payment date in the file: none is made up (the claim counts as paid, not in a month's recoveries).
        steps.push({ change: { kind: 'paid', date: on ?? fallback, amountCents, partial }, ...(on ? {} : { withoutPaidDate: true }) });
      };
      switch (target) {
        case 'submitted':
          break;
        case 'pended':
          steps.push({ change: { kind: 'pended', date: statusDate ?? submittedDate } });
          break;
        case 'records-requested':
          steps.push({ change: { kind: 'records-requested', date: statusDate ?? submittedDate, ...(recordsDue ? { due: recordsDue } : {}) } });
          break;
        case 'paid':
        case 'partially-paid': {
          const amountCents = paid ?? (target === 'paid' ? billed : undefined);
          if (amountCents === undefined) bad(`a claim that is ${target.replace('-', ' ')} needs the ${col('paid')}${target === 'paid' ? ` (or the ${describeField('billed')})` : ''}`);
          if (deniedDate) {
            steps.push({ change: { kind: 'denied', date: deniedDate, denial } });
            if (appealDate) steps.push({ change: { kind: 'appealed', date: appealDate } });
          }
          if (amountCents !== undefined) paidStep(target === 'partially-paid', amountCents);
          break;
        }
        case 'denied': {
          const on = deniedDate ?? statusDate;
          if (!on) bad(`a denied claim needs its ${col('deniedDate')} (or a status date): the appeal deadline counts from it`);
          if (paid) bad(`the claim is denied but has a payment: mark it partially paid, or appealed`);
          if (on) steps.push({ change: { kind: 'denied', date: on, denial } });
          break;
        }
        case 'appealed': {
          const deniedOn = deniedDate ?? statusDate ?? appealDate;
          const appealedOn = appealDate ?? statusDate ?? deniedDate;
          if (paid) paidStep(true, paid);
          else if (deniedOn) steps.push({ change: { kind: 'denied', date: deniedOn, denial } });
          if (appealedOn) steps.push({ change: { kind: 'appealed', date: appealedOn } });
          else bad(`an appealed claim needs its ${col('appealDate')} or ${col('deniedDate')}`);
          break;
        }
        case 'written-off': {
          const deniedOn = deniedDate ?? (denialText ? statusDate : undefined);
          if (deniedOn) steps.push({ change: { kind: 'denied', date: deniedOn, denial } });
          if (paid) paidStep(true, paid);
          if (!deniedOn && !paid) bad(`a written-off claim needs the denial (${col('deniedDate')}) or a partial payment (${col('paid')}) it was written off after; or mark it closed`);
          steps.push({ change: { kind: 'written-off', date: statusDate ?? fallback } });
          break;
        }
        case 'closed':
          if (deniedDate) steps.push({ change: { kind: 'denied', date: deniedDate, denial } });
          if (paid) paidStep(false, paid);
          steps.push({ change: { kind: 'closed', date: statusDate ?? fallback } });
          break;
      }
    }
    if (problems.length || !payer || !payerKind || !lane || !target) return { problems };

    if (!caseId) {
      do caseId = (options.newId ?? newCaseId)();
      while (this.caseIds.has(caseId) || this.knownCases.has(caseId));
      this.caseIds.set(caseId, rec.line);
    }
    const claim: NewClaim = { caseId, payer, payerKind, lane, procedures, diagnoses };
    const optional: Partial<NewClaim> = {
      category, reference, billedCents: billed, serviceDate, authNumber, authExpires,
      // A clearinghouse rejection: the payer never had it, so it is not submitted.
      submittedDate: target === 'rejected' ? undefined : submittedDate,
    };
    for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(claim, { [k]: v });
    return { row: { line: rec.line, claim, steps } };
  }
}

/** What an import reads and writes through, built by the composition root: the claims, and the codes and knowledge rows are checked against. */
export interface ImportServices {
  claims: ClaimService;
  codes: CodeIndex;
  kn: Knowledge;
}

/** Thrown inside the transaction to undo it: a dry run, or a row that failed while being written. */
class Undo extends Error {}

/**
 * Checks every row of `csv` and, when all are good, imports them as claims in one transaction (with
 * `dryRun`, checks and writes nothing). Throws ImportFileError when the file as a whole cannot be read.
 */
export function importClaims(to: ImportServices, csv: string, options: ImportOptions): ImportResult {
  let records: CsvRecord[];
  try {
    records = parseCsv(csv).filter((r) => r.fields.some((f) => f.trim() !== ''));
  } catch (err) {
    if (err instanceof CsvError) throw new ImportFileError(`the file is not valid CSV: ${err.message}`);
    throw err;
  }
  const [head, ...data] = records;
  if (!head) throw new ImportFileError('the file is empty: the first line must name the columns, and each line after it is one claim.');
  const cols = readHeader(head.fields, options.ignoreColumns ?? []);
  const service = to.claims;
  const reader = new RowReader(cols, service, to.codes, to.kn, options);
  const problems: RowProblem[] = [];
  const rows: ImportRow[] = [];
  for (const rec of data) {
    const read = reader.read(rec);
    if ('row' in read) rows.push(read.row);
    else problems.push({ line: rec.line, problems: read.problems });
  }
  const refused = (list: RowProblem[]): ImportRefused => ({ ok: false, rows: data.length, problems: list, unused: cols.unused, dropped: cols.dropped });
  if (problems.length) return refused(problems);
  if (!rows.length) throw new ImportFileError('the file has a header but no claims.');

  const actor = options.actor ?? IMPORT_ACTOR;
  const claims: Claim[] = [];
  const writeProblems: RowProblem[] = [];
  try {
    service.store.atomically(() => {
      for (const row of rows) {
        const last = writeRow(service, row, actor);
        if (typeof last === 'string') writeProblems.push({ line: row.line, problems: [last] });
        else claims.push(last);
      }
      if (writeProblems.length || options.dryRun) throw new Undo();
    });
  } catch (err) {
    if (!(err instanceof Undo)) throw err;
  }
  if (writeProblems.length) return refused(writeProblems);
  const open = claims.filter((c) => isOpen(c.status));
  const byStatus: Partial<Record<ClaimStatus, number>> = {};
  for (const c of claims) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  return {
    ok: true, dryRun: options.dryRun ?? false, claims: claims.length, open: open.length,
    outstandingCents: open.reduce((sum, c) => sum + (c.billedCents ?? 0) - (c.paidCents ?? 0), 0),
    byStatus, unused: cols.unused, dropped: cols.dropped,
  };
}

/** Writes one row's claim and its later statuses; the claim as it ends up, or what stopped it. */
function writeRow(service: ClaimService, row: ImportRow, actor: Actor): Claim | string {
  const write = (p: Plan): Claim | string => {
    if (!p.ok) return p.problem;
    return service.commit(p) ? p.after : `case ${row.claim.caseId} changed while it was being imported`;
  };
  let claim = write(service.draft(row.claim, actor));
  for (const step of row.steps) {
    if (typeof claim === 'string') return claim;
    const p = service.plan(row.claim.caseId, step.change, actor);
    if (p.ok && step.withoutPaidDate) {
      delete p.after.paidDate;
      delete p.entry.change.paidDate;
    }
    claim = write(p);
  }
  return claim;
}

// ---------------------------------------------------------------------------------------------------------------
// What the command prints

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const STATUS_SHORT: Record<ClaimStatus, string> = {
  draft: 'not submitted', submitted: 'submitted', pended: 'pended', 'records-requested': 'records requested', paid: 'paid',
  'partially-paid': 'partly paid', denied: 'denied', appealed: 'appealed', 'written-off': 'written off', closed: 'closed',
};

/** The summary of an import (stdout), e.g. "Imported 123 claims (98 open, $45,120 outstanding)." */
export function describeImport(r: ImportSummary): string[] {
  const figures = `${plural(r.open, 'open', 'open')}, ${formatCents(r.outstandingCents)} outstanding`;
  const lines = [r.dryRun
    ? `Checked ${plural(r.claims, 'claim')}: all can be imported (${figures}). Nothing was written (--dry-run).`
    : `Imported ${plural(r.claims, 'claim')} (${figures}).`];
  lines.push(`By status: ${CLAIM_STATUSES.filter((s) => r.byStatus[s]).map((s) => `${r.byStatus[s]} ${STATUS_SHORT[s]}`).join(', ')}.`);
  lines.push(...notes(r));
  return lines;
}

function notes(r: { unused: string[]; dropped: string[] }): string[] {
  const out: string[] = [];
  if (r.dropped.length) out.push(`Dropped unread: ${r.dropped.join(', ')}.`);
  if (r.unused.length) out.push(`Not read (medbill does not use ${r.unused.length === 1 ? 'it' : 'them'}): ${r.unused.join(', ')}.`);
  return out;
}

/** Why nothing was imported (stderr): each bad row by its line in the file, at most `limit` rows. */
export function describeRefusal(r: ImportRefused, limit = 50): string[] {
  const lines = [`nothing was imported: ${plural(r.problems.length, 'row')} of ${r.rows.toLocaleString('en-US')} cannot be imported.`];
  for (const p of r.problems.slice(0, limit)) lines.push(`  line ${p.line}: ${p.problems.join('; ')}`);
  if (r.problems.length > limit) lines.push(`  … and ${plural(r.problems.length - limit, 'more row')}.`);
  lines.push('Fix these rows (or remove them) and import the file again.', ...notes(r));
  return lines;
}
