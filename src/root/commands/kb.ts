/** `medbill kb`: check knowledge/, print its code table, ship a fiscal year's ICD-10-CM list or import one into the database. */
import { join } from 'node:path';
import { DEFAULT_KNOWLEDGE_DIR, displayPath, loadKnowledge } from '../../knowledge/load.js';
import { parseIcd10File } from '../../knowledge/icd10-file.js';
import { fiscalYearStart } from '../../knowledge/icd10-valid.js';
import { describeDatabase, loadConfig } from '../../config.js';
import { openConfiguredStorage } from '../storage.js';
import { positionals, readInput, takeFlag, takeOneOption, UsageError, type Io } from '../../command-line.js';
import { systemClock, todayIn } from '../../today.js';
import type { Command } from './command.js';

export const kbCommand: Command = {
  name: 'kb',
  usage: [
    'medbill kb check [--icd10 FILE]  validate knowledge/ (and its ICD-10-CM codes against a CMS list)',
    'medbill kb table                 per procedure category, the codes it can suggest (a Markdown table)',
    "medbill kb import-icd10 FILE --year YYYY   ship a new fiscal year's ICD-10-CM valid list in knowledge/codes/",
    'medbill kb import-icd10 FILE     load a CMS ICD-10-CM order file (or valid-codes list) into SQLite, for titles',
  ],
  help: `Usage: medbill kb check [--icd10 FILE] [--knowledge DIR]
       medbill kb table
       medbill kb import-icd10 FILE --year YYYY [--replace] [--force] [--knowledge DIR]
       medbill kb import-icd10 FILE
  check: validates every file under knowledge/ and the shipped lists of valid ICD-10-CM codes, one per
         fiscal year (a diagnosis is checked against its date of service's year), and prints counts; with
         --icd10, also checks every ICD-10-CM code in knowledge/ against a CMS file (order file or valid-codes
         list). --knowledge checks another copy of knowledge/.
  table: prints, per procedure category, every CDT, CPT, HCPCS and ICD-10-CM code it can suggest, as a
         Markdown table generated from knowledge/ (the README's table is this output).
  import-icd10 --year YYYY: ships FY YYYY's list (services from October 1 of YYYY-1): FILE is the CMS
         release's code list (icd10cm_codes_YYYY.txt) or order file (its billable lines). The codes are checked,
         sorted and written to knowledge/codes/icd10cm-valid-fyYYYY.txt; the source CMS-ICD10CM-FYYYYY is added to
         knowledge/sources.json and an entry to knowledge/codes/ICD10CM-PROVENANCE.md, to complete. Then
         knowledge/ is checked against every year (exit 1 naming what no longer agrees).
         --replace  replace a year already shipped
         --force    take a list much smaller than the year before's (otherwise refused as partial)
  import-icd10 (no --year): loads the CMS file into the database (MEDBILL_DB) for the titles and word search
         of lookups and answers; which codes are valid is still the shipped lists' say.`,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'check') return check(rest, io);
    if (sub === 'table') {
      if (rest.length) throw new UsageError('kb table takes no arguments');
      const { coverageTable } = await import('../../knowledge/table.js');
      io.out(coverageTable(loadKnowledge()));
      return 0;
    }
    if (sub === 'import-icd10') {
      const year = takeOneOption(rest, '--year');
      const dir = takeOneOption(year.rest, '--knowledge');
      const replace = takeFlag(dir.rest, '--replace');
      const force = takeFlag(replace.rest, '--force');
      const flags = [...(replace.on ? ['--replace'] : []), ...(force.on ? ['--force'] : [])];
      const [file, ...extra] = positionals('kb import-icd10', force.rest);
      if (!file) throw new UsageError('import-icd10 needs a FILE');
      if (extra.length) throw new UsageError(`import-icd10: unexpected ${extra.join(' ')}`);
      if (year.value !== undefined) return importYear(file, year.value, dir.value ?? DEFAULT_KNOWLEDGE_DIR, flags, io);
      if (flags.length || dir.value !== undefined) throw new UsageError(`import-icd10: ${[...flags, ...(dir.value !== undefined ? ['--knowledge'] : [])].join(', ')} only go with --year (the list of a fiscal year shipped in knowledge/)`);
      const parsed = parseIcd10File(await readInput(file, io));
      const config = loadConfig();
      const storage = openConfiguredStorage(config);
      try {
        const info = await storage.icd10.replace(parsed.entries, file, parsed.format);
        io.out(`Imported ${info.count} ICD-10-CM codes (${info.format} format) into ${describeDatabase(config)}.`);
      } finally {
        await storage.close();
      }
      return 0;
    }
    positionals('kb', [sub ?? '']);
    throw new UsageError('kb needs "check", "table" or "import-icd10"');
  },
};

/** `kb check`: every knowledge file (letters and claims included) and the valid lists, and optionally against a CMS file. */
async function check(args: string[], io: Io): Promise<number> {
  const { value: knowledgeDir, rest: others } = takeOneOption(args, '--knowledge');
  const { value: file, rest: stray } = takeOneOption(others, '--icd10');
  const extra = positionals('kb check', stray);
  if (extra.length) throw new UsageError(`kb check: unexpected ${extra[0]} (medbill kb --help)`);
  // The check reads every knowledge file, letters and claims included: loaded for this command only.
  const { checkKnowledgeAgainstIcd10, checkValidList, flagYearOf, knowledgeCounts } = await import('../../knowledge/check.js');
  const { letterTemplateSummary } = await import('../../letters/templates.js');
  const kn = loadKnowledge(knowledgeDir ?? DEFAULT_KNOWLEDGE_DIR);
  const counts = `${knowledgeCounts(kn)}\n${letterTemplateSummary(kn)}`;
  const valid = checkValidList(kn);
  if (valid.problems.length) {
    io.err(`${valid.problems.length} problem(s) with the ICD-10-CM valid list:\n${valid.problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  io.out(`knowledge/ is valid.\n${counts}\n${valid.summary}`);
  if (file === undefined) return 0;
  const parsed = parseIcd10File(await readInput(file, io));
  const problems = checkKnowledgeAgainstIcd10(kn, parsed);
  if (problems.length) {
    io.err(`${problems.length} ICD-10-CM problem(s) against ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  const later = [...kn.icd10.values()].filter((e) => flagYearOf(kn, e) !== kn.icd10FiscalYear).length;
  const since = later ? ` (${later} added in a later fiscal year are checked against that year's shipped list)` : '';
  io.out(`All ${kn.icd10.size - later} FY${kn.icd10FiscalYear} ICD-10-CM codes in knowledge/ agree with ${file} (${parsed.format} format, ${parsed.entries.length} codes)${since}.`);
  return 0;
}

/**
 * `kb import-icd10 FILE --year YYYY`: ships the fiscal year's valid list in knowledge/codes/, then checks
 * knowledge/ against every year (a code a category suggests that the new year dropped is named: exit 1).
 */
async function importYear(file: string, yearText: string, knowledgeDir: string, flags: string[], io: Io): Promise<number> {
  if (!/^\d{4}$/.test(yearText)) throw new UsageError(`--year ${yearText}: give the fiscal year as four digits, e.g. 2028`);
  const { importValidList } = await import('../../knowledge/icd10-import.js');
  const year = Number(yearText);
  const text = await readInput(file, io);
  const today = todayIn(loadConfig().zone, io.clock ?? systemClock);
  const done = importValidList(knowledgeDir, text, year, { from: file, today, replace: flags.includes('--replace'), force: flags.includes('--force') });
  io.out([
    `${done.replaced ? 'Replaced' : 'Shipped'} the FY${year} ICD-10-CM valid list: ${done.count} codes in ${displayPath(join(knowledgeDir, done.file))}`
      + `${done.against ? ` (against FY${done.against.year}: ${done.against.added} added, ${done.against.removed} no longer valid)` : ''}.`,
    `Diagnoses of services from ${fiscalYearStart(year)} to ${year}-09-30 are checked against it.`,
    done.sourceAdded ? `Added the source CMS-ICD10CM-FY${year} to knowledge/sources.json.` : `knowledge/sources.json already has CMS-ICD10CM-FY${year}.`,
    'Complete its entry in knowledge/codes/ICD10CM-PROVENANCE.md (where the file came from), then commit the three files.',
  ].join('\n'));
  const kn = loadKnowledge(knowledgeDir);
  const { checkValidList } = await import('../../knowledge/check.js');
  const check = checkValidList(kn);
  io.out(check.summary);
  if (check.problems.length) {
    io.err(`knowledge/ no longer agrees with every year: ${check.problems.length} problem(s) for medbill kb check:\n${check.problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  return 0;
}
