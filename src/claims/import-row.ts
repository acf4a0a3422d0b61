/**
 * One row of an imported claims file read and checked: its cells by column, each value read (codes against
 * the code tables, text screened for identifiers, dates and amounts as written, the status and the changes that
 * reach it), every problem named by its column, so a bad file is fixed in one pass. Writes nothing.
 */
import type { Denial } from '../store/claim.js';
import type { ClaimPayerKind } from '../knowledge/vocabulary.js';
import { screened, type NewClaim, type ScreenedClaim } from './service.js';
import { parseDenial } from './denials.js';
import type { CsvRecord } from './csv.js';
import { describeField, IMPORT_COLUMNS, type Columns, type Field } from './import-columns.js';
import { mapLane, mapPayerKind, mapStatus, parseImportDate, type ImportStatus } from './import-values.js';
import { stepsTo, type ImportStep } from './import-steps.js';
import { LinesByText } from './row-store.js';
import { parseAmountField } from '../money.js';
import { scrubIdentifiers, type IdentifierKind } from '../privacy/scrubber.js';
import { CLAIM_KEY_SHAPE, claimKeyCode, newCaseId } from '../case-id.js';
import type { Knowledge } from '../knowledge/load.js';
import type { CodeIndex, LookupHit } from '../knowledge/lookup.js';
import { isProcedureCode, normalizeIcd10, PATTERNS } from '../knowledge/codes.js';
import { diagnosisDate, diagnosisProblemOn } from '../knowledge/evidence.js';
import type { ClaimKnowledge } from '../knowledge/followup-denials.js';
import { claimCategory } from '../knowledge/procedure-kind.js';
import { LANES } from '../knowledge/vocabulary.js';

/** A row that passed every check: the claim it gives, and the changes that bring it to its status. */
export interface ImportRow {
  line: number;
  /** Its claim number, payer and authorization number were screened for identifiers as the row was read. */
  claim: ScreenedClaim;
  steps: ImportStep[];
  /** The case already in medbill this row is (matched by claim number, else case id): an update, not a new claim. */
  existing?: string;
  /** The latest date the row gives an event (submitted, status, paid, denied, appealed): what the file knows as of. */
  asOf?: string;
  /** The case id was made for the row (none in the file): checked against the claims in medbill before it is used. */
  madeId?: true;
}

/** What the row reader needs of the import's options. */
export interface RowOptions {
  /** The practice's local date (ISO): no event in the file may be later. */
  today: string;
  /** The plan type of rows that do not say it. */
  payerKind?: ClaimPayerKind;
  /** Makes a new case id (tests fix them). */
  newId?: () => string;
}

/** A claim already in medbill, by case id and claim number: a row naming it updates it. */
export interface KnownClaim { caseId: string; reference?: string }

/** Identifier screenings kept: the same payer names recur on every row, a claim number never does. */
const SCREENED_KEPT = 10_000;

const MAX_TEXT = 100;
/** An amount whose commas separate thousands: $1,234.56, 12,345. */
const THOUSANDS = /^\$?\s?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$/;

const caseKey = (caseId: string): number | string => claimKeyCode(caseId) ?? caseId;

/** What is known while reading rows: the code tables, identifiers already screened, ids already taken. */
export class RowReader {
  private readonly codeHits = new Map<string, LookupHit | undefined>();
  private readonly screened = new Map<string, IdentifierKind[]>();
  /** The file's case ids (and the ones made for its rows), each with its line: by claimKeyCode, a number, not a string per row. */
  private readonly caseIds = new Map<number | string, number>();
  /** The file's claim numbers, each with its line. */
  private readonly references = new LinesByText();
  private readonly categories: Map<string, string>;
  /** The category each distinct list of codes names (the same few lists recur on thousands of rows). */
  private readonly codeCategories = new Map<string, string | undefined>();
  /** Claim numbers already in medbill (lower case) and their cases, among the batch's (see `know`): a row with one updates that claim. */
  private knownReferences = new Map<string, string>();
  /** Cases that already have a claim, among the batch's. */
  private knownCases = new Set<string>();
  /** Cases in medbill a row of the file already matched, and its line: one row per claim. */
  private readonly matched = new Map<string, number>();
  private readonly denials = new Map<string, Denial>();

  constructor(
    private readonly cols: Columns,
    /** The denial knowledge, asked for only when a row has a denial. */
    private readonly claimKnowledge: () => ClaimKnowledge,
    private readonly codes: CodeIndex,
    private readonly kn: Knowledge,
    private readonly options: RowOptions,
  ) {
    this.categories = new Map(kn.categories.flatMap((c) => [[c.id.toLowerCase(), c.id], [c.name.toLowerCase(), c.id]] as const));
  }

  /** What a record names a claim by, for matching it to one in medbill: its case id, and its claim number in lower case. */
  keys(rec: CsvRecord): { caseId?: string; reference?: string } {
    const cell = (f: Field) => {
      const i = this.cols.index.get(f);
      return i === undefined ? '' : (rec.fields[i] ?? '').trim();
    };
    const caseId = cell('caseId').toUpperCase();
    const reference = cell('reference').replace(/\s+/g, ' ').toLowerCase();
    return { ...(caseId ? { caseId } : {}), ...(reference ? { reference } : {}) };
  }

  /** Whether a row of the file has this case id, or was given it. */
  hasCase(caseId: string): boolean {
    return this.caseIds.has(caseKey(caseId));
  }

  /** The claims in medbill the next records (a batch) may name: found by their `keys`. */
  know(known: Iterable<KnownClaim>): void {
    this.knownCases = new Set();
    this.knownReferences = new Map();
    for (const c of known) {
      this.knownCases.add(c.caseId);
      if (c.reference) this.knownReferences.set(c.reference.toLowerCase(), c.caseId);
    }
  }

  /** Another case id for a row whose made one turned out to be taken in medbill. */
  remakeId(row: ImportRow): void {
    row.claim.caseId = this.newId(row.line);
  }

  /** A new case id for the row on `line`: none of the file's rows has it, nor any claim in medbill the batch names. */
  private newId(line: number): string {
    let caseId: string;
    do caseId = (this.options.newId ?? newCaseId)();
    while (this.hasCase(caseId) || this.knownCases.has(caseId));
    this.caseIds.set(caseKey(caseId), line);
    return caseId;
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
      if (this.screened.size >= SCREENED_KEPT) this.screened.clear();
      this.screened.set(text, found);
    }
    return found;
  }

  /** The denial a cell gives (a code, or words), read once per distinct text. */
  private denial(text: string | undefined): Denial {
    if (!text) return { words: 'not given in the imported file' };
    let denial = this.denials.get(text);
    if (!denial) {
      denial = parseDenial(text, this.claimKnowledge()) ?? { words: text };
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

  /** One data record: the claim it gives and the steps to its status, or every problem it has. */
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
      // A comma is read as a thousands separator only in groups of three (1,234 and $1,234.56): 650,00 may be
      // a decimal comma (650.00) or a typo, and read as thousands it became $65,000.00.
      if (v.includes(',') && !THOUSANDS.test(v)) {
        bad(`the ${col(f)} ${this.shown(v)} is ambiguous: is the comma a decimal point? write 650.00 (a comma only between thousands: 1,234.56)`);
        return undefined;
      }
      const cents = parseAmountField(v);
      if (cents === undefined) bad(`the ${col(f)} ${this.shown(v)} is not an amount: write 650, 650.00 or $1,234.56`);
      return cents;
    };

    // Identity.
    let caseId = get('caseId').toUpperCase();
    if (caseId) {
      if (!CLAIM_KEY_SHAPE.test(caseId)) bad(`the ${col('caseId')} ${this.shown(caseId)} is not a medbill case id (C- and five letters or digits, e.g. C-7K3Q9, or a dental claim's, C-7K3Q9-D); leave it empty for a new one`);
      else if (this.hasCase(caseId)) bad(`case ${caseId} is also on line ${this.caseIds.get(caseKey(caseId))}: one row per claim`);
      else this.caseIds.set(caseKey(caseId), rec.line);
    }
    // A row naming a claim medbill has (its claim number first, the practice's own key; else its case id) updates it.
    let existing = caseId && this.knownCases.has(caseId) ? caseId : undefined;
    const reference = text('reference');
    if (reference) {
      const key = reference.toLowerCase();
      const earlier = this.references.get(key);
      const known = this.knownReferences.get(key);
      if (earlier !== undefined) bad(`claim number ${this.shown(reference)} is also on line ${earlier}: one row per claim, with all its procedure codes in one cell`);
      else {
        this.references.set(reference, key, rec.line);
        if (known && caseId && known !== caseId) {
          bad(`claim number ${this.shown(reference)} is case ${known} in medbill, but the ${col('caseId')} says ${caseId}: clear one of them`);
          existing = undefined;
        } else if (known) existing = known;
      }
    }
    if (existing && !problems.length) {
      const earlier = this.matched.get(existing);
      if (earlier !== undefined && earlier !== rec.line) bad(`case ${existing} is also on line ${earlier}: one row per claim`);
      else this.matched.set(existing, rec.line);
    }

    // Payer.
    const payer = text('payer');
    if (!payer && !problems.some((p) => p.includes(col('payer')))) bad(`the ${col('payer')} is empty: every claim needs its payer`);
    const kindWord = get('payerKind');
    let payerKind: ClaimPayerKind | undefined;
    if (kindWord) {
      payerKind = mapPayerKind(kindWord);
      if (!payerKind) bad(`the ${col('payerKind')} ${this.shown(kindWord)} is not one medbill knows: write medicare, medicare advantage, medicaid, commercial, tricare, auto, workers comp, liability, dental or other`);
    } else {
      payerKind = (payer ? mapPayerKind(payer) : undefined) ?? options.payerKind;
      if (!payerKind && payer) bad(`the plan type is not given: add a payer_kind column (medicare, medicare advantage, medicaid, commercial, tricare, auto, workers comp, liability, dental, other) or give --payer-kind for rows without one; the appeal deadline depends on it`);
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
    const denial = this.denial(denialText);
    if (target === 'draft' && submittedDate) bad(`the status ${this.shown(statusWord)} says the claim was not submitted, but a ${col('submittedDate')} is given: clear one of them`);
    if (target && target !== 'draft' && target !== 'rejected' && !submittedDate) bad(`a claim that is ${target.replace('-', ' ')} needs its ${col('submittedDate')}: follow-ups and aging count from it`);
    const steps = target && target !== 'draft' && target !== 'rejected' && submittedDate
      ? stepsTo(target, { submittedDate, statusDate, paidDate, deniedDate, appealDate, recordsDue, billed, paid, denial, denialGiven: Boolean(denialText) }, options.today, bad, col)
      : [];
    if (problems.length || !payer || !payerKind || !lane || !target) return { problems };

    const madeId = !existing && !caseId;
    if (existing) caseId = existing;
    else if (!caseId) caseId = this.newId(rec.line);
    const claim: NewClaim & Record<string, unknown> = { caseId, payer, payerKind, lane, procedures, diagnoses };
    const optional: Partial<NewClaim> = {
      category, reference, billedCents: billed, serviceDate, authNumber, authExpires,
      // A clearinghouse rejection: the payer never had it, so it is not submitted.
      submittedDate: target === 'rejected' ? undefined : submittedDate,
    };
    // for…in, not Object.entries: an array per field of every row.
    for (const k in optional) {
      const v = optional[k as keyof NewClaim];
      if (v !== undefined) claim[k] = v;
    }
    // The free text the claim keeps (reference, payer, authNumber) came through `text`, which refuses any
    // identifier the scrubber finds: the claim service need not screen it again.
    const checked = screened(claim);
    const asOf = events.map(([, d]) => d).filter((d): d is string => d !== undefined).sort().at(-1);
    return { row: { line: rec.line, claim: checked, steps, ...(existing ? { existing } : {}), ...(asOf ? { asOf } : {}), ...(madeId ? { madeId: true as const } : {}) } };
  }
}
