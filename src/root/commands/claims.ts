/**
 * `medbill claims`: import the practice's medical claims from its PM system's CSV export, export them all as
 * CSV, or record what happened to one ("A1005 paid $5200 on 12/1").
 */
import { loadConfig } from '../../config.js';
import { positionals, inputStream, takeFlag, takeOneOption, takeOption, UsageError, type Io } from '../../command-line.js';
import { systemClock, todayIn } from '../../today.js';
import type { Command } from './command.js';
import { setFlagsFromString } from 'node:v8';

export const claimsCommand: Command = {
  name: 'claims',
  usage: [
    "medbill claims import FILE.csv   start tracking the practice's medical claims from its PM system's CSV export",
    '                                 (--dry-run checks every row and writes nothing)',
    'medbill claims export            every claim as CSV on standard output',
    'medbill claims update "TEXT"     record what happened to a claim, by case ID or claim number ("A1005 paid $5200 on 12/1")',
  ],
  help: `Usage: medbill claims import FILE.csv [--dry-run] [--ignore-column NAME]... [--payer-kind KIND]
       medbill claims export
       medbill claims update "TEXT"
  update: records what happened to one claim, typed as in chat: the case ID or the practice's claim
    number, then what happened ("A1005 paid $5200 on 12/1", "C-7K3Q9 denied CO-50", "A1005 followed up,
    still processing"). Prints medbill's answer; exit 1 when nothing was recorded (an unknown claim
    number, a change the claim's status refuses, or an update that leaves out the amount or the reason).
  import: reads the open (and recent) medical claims exported from the practice-management system, one
    claim per row, into MEDBILL_DB. Every row is checked first: with any bad row nothing is imported
    (exit 2) and the bad rows are listed by their line in the file. All rows go in one transaction.
    Importing again (the weekly export) is incremental: a row whose claim number (else case id) is
    in medbill updates its status, amounts, dates and denial; a new row is added; an unchanged row is
    left alone; a row that a later change made in medbill contradicts is listed, not overwritten.
    --dry-run           check every row and print the plan (new, updated, unchanged, conflicts, by
                        line); write nothing
    --ignore-column N   drop column N unread (needed for a column of patient identifiers, which
                        medbill refuses: patient, name, dob, member id, ssn, mrn, address, phone…)
    --payer-kind KIND   the plan type of rows that do not say it (medicare, medicare-advantage,
                        medicaid, commercial, tricare, auto, workers-comp, liability, dental,
                        other)
  The first line names the columns (any order, any letter case; * required):
    case_id         medbill case id (C-7K3Q9), or a dental claim's (C-7K3Q9-D); empty: a new one is made
    claim_number    the practice's claim number (claim #, claim id)
    payer *         the payer's name (insurance, carrier)
    payer_kind      plan type: medicare (also "Medicare Part B"), medicare advantage ("MA", "Part C"),
                    medicaid, commercial, tricare, auto (no-fault, PIP), workers comp, liability,
                    dental (a medical-first case's dental claim, C-7K3Q9-D), other
                    (plan type, payer type, financial class);
                    empty: from a payer named just "Medicare", "Medicaid"…, or --payer-kind
    procedures *    CPT, HCPCS or CDT codes, space- or comma-separated (cpt, procedure codes)
    diagnoses       billable ICD-10-CM codes (icd10, dx, diagnosis codes)
    billed, paid    amounts: 650, 650.00, $1,234.56 (charge, amount billed; amount paid); a decimal
                    comma (650,00) is refused as ambiguous
    service_date    date of service (dos)
    submitted_date  when it was sent (date submitted, billed date)
    status          the PM status: open/pending/submitted/sent, pended, records requested, paid,
                    partial, denied, appealed, written off, closed/void, rejected (a clearinghouse
                    rejection: imported as not submitted), draft/unbilled; empty: from the amounts
    status_date     when the status was reached (last activity)
    paid_date, denied_date, appeal_date, records_due
    denial          the denial code or reason (carc, denial code): "CO-50 N115"
    auth_number, auth_expires   prior authorization (prior auth) and when it ends
    lane            medical (default) or medical-first
    category        medbill's procedure category id, as in its export; empty: the one the codes name
  A file that is not UTF-8 is read as Windows-1252, with a note.
  Dates: 2026-11-14, 11/14/2026, 11/14/26, 14-Nov-2026, Nov 14, 2026. Follow-up dates and appeal
  deadlines are worked out from the follow-up policy (knowledge/followup.json).
  export: every claim as CSV. The file imports again into an empty database (next_follow_up and
    appeal_deadline are worked out again from the policy).`,
  // The claims modules (luxon, the claim policy, the report queries) load only for these commands.
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'import') return claimsImport(rest, io);
    if (sub === 'update') return (await import('../claim-update.js')).cmdClaimUpdate(rest, io);
    if (sub === 'export') {
      if (positionals('claims export', rest).length) throw new UsageError('claims export takes no arguments (it writes every claim to standard output)');
      const { claimsCsv } = await import('../../reports/claims-report.js');
      const { openConfiguredStorage } = await import('../storage.js');
      const storage = openConfiguredStorage(loadConfig(), { existing: true });
      try {
        let n = 0;
        for await (const line of claimsCsv(storage.claimReports)) {
          io.out(line);
          if (++n % 1000 === 0) await io.drain();
        }
      } finally {
        await storage.close();
      }
      return 0;
    }
    positionals('claims', [sub ?? '']);
    throw new UsageError('claims needs "import FILE.csv", "export" or "update TEXT" (medbill claims --help)');
  },
};

/**
 * Keeps an import's heap near what it holds: V8 lets the old generation of a process that allocates as fast as an
 * import grow to several times what is live (a 200,000-row file peaked at 450 MiB with 60 MiB live). Its own
 * collector, told to grow the heap by a fifth over what was live, keeps the peak as low as the full collections
 * this command forced every few batches did (about 210 MiB for 200,000 rows), at about a sixth less CPU time.
 */
const HEAP_GROWING = '--heap-growing-percent=20';

async function claimsImport(args: string[], io: Io): Promise<number> {
  const [{ importClaims, describeImport, describeRefusal, ImportFileError }, { mapPayerKind }] = await Promise.all([import('../../claims/import.js'), import('../../claims/import-values.js')]);
  const ignored = takeOption(args, '--ignore-column');
  const kinds = takeOneOption(ignored.rest, '--payer-kind');
  const { on: dryRun, rest: others } = takeFlag(kinds.rest, '--dry-run');
  const files = positionals('claims import', others);
  const [file, ...moreFiles] = files;
  if (file === undefined || moreFiles.length) throw new UsageError('claims import needs exactly one FILE.csv (or - for standard input)');
  const payerKind = kinds.value === undefined ? undefined : mapPayerKind(kinds.value);
  if (kinds.value !== undefined && !payerKind) throw new UsageError(`--payer-kind "${kinds.value}": use medicare, medicare-advantage, medicaid, commercial, tricare, auto, workers-comp, liability, dental or other`);
  setFlagsFromString(HEAP_GROWING);
  const csv = await inputStream(file, io);
  const config = loadConfig();
  const { openBackOffice } = await import('../back-office.js');
  // A dry run against a database that does not exist yet creates none.
  const office = openBackOffice(config, { existing: dryRun });
  try {
    await office.ready(); // the imported ICD-10-CM list, for the code index
    // Read by the import once the file's header is good: a file it refuses at once builds no code index.
    const services = {
      get claims() { return office.claims; }, get codes() { return office.codes; }, get kn() { return office.shelf.knowledge(); },
      unitOfWork: office.storage.unitOfWork,
    };
    const zone = office.zoneOr(config.zone);
    const result = await importClaims(services, csv, {
      today: todayIn(zone, io.clock ?? systemClock), zone, dryRun, ignoreColumns: ignored.values, ...(payerKind ? { payerKind } : {}),
    });
    if (!result.ok) {
      io.err(`medbill: ${describeRefusal(result).join('\n')}`);
      return 2;
    }
    io.out(describeImport(result).join('\n'));
    return 0;
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    io.err(`medbill: ${err.message}`);
    return 2;
  } finally {
    await office.close();
  }
}
