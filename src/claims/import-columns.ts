/**
 * The columns of an imported claims file: the names medbill writes and the other names PM systems use for
 * them, and the header line read into where each field is. The first line names the columns, in any order and
 * letter case, by any of these names
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
 *   status          the PM system's status word (see STATUS_WORDS in import-values.ts); empty: worked out from the row
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
 * export imports again (a row whose claim number or case id medbill has updates that claim; one twice in the
 * file is a bad row). Other unknown columns are not read. A column whose name says it holds
 * patient identifiers (patient, name, dob, member id, ssn, mrn, address, phone, email, account…) refuses the
 * whole file unless `--ignore-column NAME` drops it unread: medbill keeps no identifiers. The text medbill keeps
 * (payer, claim number, authorization number, denial words) goes through the identifier scrubber.
 */

/** The whole file is refused: no header, a CSV syntax error, a column of identifiers, an unknown --ignore-column. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

export type Field =
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

/**
 * A column name as it is matched: lower case, words only, "#" / "no" / "num" read as "number". Words run
 * together are split where the case changes (PatientName, BirthDt, CPTCodes), and letters written as an
 * abbreviation are joined (D.O.B., E-mail), so the identifier and alias lists see the words.
 */
export function normalizeHeader(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/(?<![a-z0-9])(?:[a-z]\.){2,}/g, (m) => m.replace(/\./g, ''))
    .replace(/(?<![a-z0-9])([a-z])-(?=[a-z]{2,})/g, '$1')
    .replace(/#/g, ' number ').replace(/[^a-z0-9]+/g, ' ').trim().split(' ').map((w) => (NUMBER_WORDS.has(w) ? 'number' : w)).join(' ');
}

const BY_NAME = new Map<string, Field>();
for (const c of IMPORT_COLUMNS) for (const name of [c.name, ...c.aliases]) BY_NAME.set(normalizeHeader(name), c.field);

/** Words that make a column a patient's: its name, birth date, IDs, where they live and how to reach them. */
const IDENTIFIER_WORDS = new Set([
  'patient', 'patients', 'pt', 'dob', 'birth', 'birthdate', 'birthday', 'born', 'ssn', 'social', 'mrn', 'member', 'subscriber', 'insured',
  'guarantor', 'beneficiary', 'policyholder', 'policy', 'responsible', 'mbi', 'hicn', 'address', 'street', 'city', 'county',
  'zip', 'zipcode', 'postal', 'phone', 'telephone', 'cell', 'mobile', 'fax', 'email', 'chart', 'account', 'acct', 'resp', 'guar',
]);
/** The same words run together in one (PATIENTNAME, BIRTHDT, EMAILADDRESS): a word that starts with one of these. */
const IDENTIFIER_PREFIX = /^(?:patient|birth|dob|ssn|member|subscriber|insured|guarantor|policyholder|beneficiary|email|phone|address|respparty|responsible)/;
const NAME_COLUMN = /^(?:(?:first|last|middle|full|given|family|sur|nick)\s?)?name$|^(?:first|last|surname|initials?|lastname|firstname)$/;
/** A plan's number for a person ("Insurance ID", "Medicaid #", "Group number"); not the payer's own id ("Payer ID"). */
const PLAN_WORDS = new Set(['insurance', 'ins', 'medicare', 'medicaid', 'tricare', 'group', 'grp', 'plan']);

/** Whether a column's name says it holds patient identifiers (it is refused unless dropped unread). */
export function isIdentifierColumn(name: string): boolean {
  const n = normalizeHeader(name);
  const w = n.split(' ');
  return NAME_COLUMN.test(n) || w.some((x) => IDENTIFIER_WORDS.has(x) || IDENTIFIER_PREFIX.test(x)) || (w.some((x) => PLAN_WORDS.has(x)) && w.some((x) => x === 'id' || x === 'number'));
}

/** Where each field is in a row (and its column's name, for messages), the row's width, and the columns not read. */
export interface Columns {
  index: Map<Field, number>;
  header: Map<Field, string>;
  width: number;
  unused: string[];
  dropped: string[];
}

/**
 * Reads the header line: which column gives each field, and the columns not read. Throws ImportFileError for a
 * column of identifiers, two columns giving one field, an --ignore-column the file lacks, or no payer or codes.
 */
export function readHeader(fields: string[], ignore: readonly string[]): Columns {
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
export const describeField = (f: Field): string => FIELD_WORDS[f];
const columnNames = (f: Field): string => {
  const c = IMPORT_COLUMNS.find((x) => x.field === f);
  return c ? [c.name, ...c.aliases.slice(0, 3)].join(', ') : f;
};
