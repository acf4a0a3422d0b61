/**
 * `medbill kb import-icd10 FILE --year YYYY`: ships a new fiscal year's list of valid ICD-10-CM codes in
 * knowledge/codes/, in one command. The file is the CMS release's code list (`icd10cm_codes_YYYY.txt`, a code
 * per line with or without its title, or a list of codes) or its order file (`icd10cm_order_YYYY.txt`: its
 * billable lines are taken). The codes are checked, sorted in byte order (what the binary search needs) and
 * written as `codes/icd10cm-valid-fyYYYY.txt`; the year's source is added to sources.json and a provenance
 * entry to codes/ICD10CM-PROVENANCE.md for the person to complete. From then on, a service on or after
 * October 1 of YYYY - 1 is checked against it.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseIcd10File, IcdFileError } from './icd10-file.js';
import { Icd10CodeSets, difference, fiscalYearEnd, fiscalYearStart, icd10SourceId, validListFile } from './icd10-valid.js';

/** Below this share of the nearest shipped year's count, a file is taken for a partial one (refused without --force). */
const MIN_SHARE_OF_NEIGHBOUR = 0.9;
const CODE = /^[A-Z][0-9A-Z]{2,6}$/;

export interface ImportOptions {
  /** Replace the year's list when it is already shipped. */
  replace?: boolean;
  /** Import a list much smaller than the nearest shipped year's (a partial file would make valid codes look invalid). */
  force?: boolean;
  /** The file's name as given, for the provenance note. */
  from: string;
  /** Today's date in the practice's zone, for the provenance note. */
  today: string;
}

export interface ImportedYear {
  year: number;
  /** The list's path relative to knowledge/. */
  file: string;
  count: number;
  /** The nearest other shipped year, and the codes added and no longer valid against it. */
  against?: { year: number; added: number; removed: number };
  replaced: boolean;
  sourceAdded: boolean;
  sha256: string;
}

/** Reads, checks and ships one year's list; an IcdFileError says what is wrong and nothing is written. */
export function importValidList(knowledgeDir: string, text: string, year: number, options: ImportOptions): ImportedYear {
  if (!Number.isInteger(year) || year < 2016 || year > 2100) throw new IcdFileError(`--year ${year}: give the fiscal year as four digits, e.g. 2028 (services from October 1 of the year before)`);
  const file = validListFile(year);
  const target = join(knowledgeDir, file);
  const shipped = Icd10CodeSets.discover(knowledgeDir);
  const replaced = shipped.years.includes(year);
  if (replaced && !options.replace) throw new IcdFileError(`FY${year} is already shipped (knowledge/${file}): give --replace to replace it`);

  const parsed = parseIcd10File(text);
  const codes = [...new Set(parsed.entries.filter((e) => e.billable).map((e) => e.code.replace('.', '')))];
  const bad = codes.find((c) => !CODE.test(c));
  if (bad !== undefined) throw new IcdFileError(`"${bad}" is not an ICD-10-CM code`);
  if (codes.length === 0) throw new IcdFileError('the file has no billable codes');
  codes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  // The nearest other year: the one before when there is one (next year's list is checked against this year's).
  const others = shipped.years.filter((y) => y !== year);
  const neighbour = others.filter((y) => y < year).at(-1) ?? others[0];
  let against: ImportedYear['against'];
  if (neighbour !== undefined) {
    const before = shipped.list(neighbour).codes();
    against = { year: neighbour, ...difference(before, codes) };
    if (codes.length < MIN_SHARE_OF_NEIGHBOUR * before.length && !options.force) {
      throw new IcdFileError(
        `the file has ${codes.length} billable codes, FY${neighbour} has ${before.length}: it looks partial, and a partial list would make medbill refuse valid codes. `
        + 'Give the whole CMS list (icd10cm_codes_YYYY.txt or the order file), or --force if it is right.',
      );
    }
  }

  const body = `${codes.join('\n')}\n`;
  const sha256 = createHash('sha256').update(body).digest('hex');
  // Everything is worked out before anything is written: a refused import leaves knowledge/ as it was.
  const sources = withSource(knowledgeDir, year, options.from);
  // Written beside the target and renamed over it: a reader never sees half a list.
  const temporary = `${target}.importing`;
  writeFileSync(temporary, body, 'latin1');
  renameSync(temporary, target);
  if (sources) writeFileSync(join(knowledgeDir, 'sources.json'), sources);
  const source = createHash('sha256').update(text).digest('hex');
  appendFileSync(join(knowledgeDir, 'codes', 'ICD10CM-PROVENANCE.md'), [
    '',
    `## FY${year}: \`${basename(file)}\` (imported ${options.today})`,
    '',
    `The list of the **${codes.length} ICD-10-CM codes valid for FY${year}** (services from ${fiscalYearStart(year)} to ${fiscalYearEnd(year)}),`,
    `written by \`medbill kb import-icd10 ${basename(options.from)} --year ${year}\` from \`${basename(options.from)}\` (${parsed.format === 'order' ? 'a CMS order file: its billable lines' : 'a list of codes'};`,
    `sha256 \`${source}\`), sorted in byte order. Its source id in \`knowledge/sources.json\` is \`${icd10SourceId(year)}\`.`,
    `sha256 of the shipped file: \`${sha256}\`.${against ? ` Against FY${against.year}: ${against.added} codes added, ${against.removed} no longer valid.` : ''}`,
    '',
    '- **Where it came from:** (to complete before committing: the CMS release, its URL and date, and that the count',
    '  matches the count CMS publishes for the year.)',
    '',
  ].join('\n'));
  return { year, file, count: codes.length, ...(against ? { against } : {}), replaced, sourceAdded: sources !== undefined, sha256 };
}

/**
 * sources.json with the year's source added, one line after the other ICD-10-CM years' (the file keeps its
 * layout); undefined when it is there already.
 */
function withSource(knowledgeDir: string, year: number, from: string): string | undefined {
  const text = readFileSync(join(knowledgeDir, 'sources.json'), 'utf8');
  const id = icd10SourceId(year);
  const existing = JSON.parse(text) as { sources: { id: string }[] };
  if (existing.sources.some((s) => s.id === id)) return undefined;
  const entry = JSON.stringify({
    id,
    title: `CMS/NCHS ICD-10-CM FY${year} valid-code list (services from ${fiscalYearStart(year)}), imported from ${basename(from)}`,
    url: 'https://www.cms.gov/medicare/coding-billing/icd-10-codes',
    kind: 'code-set',
    confidence: 'verified',
  }).replace(/^\{/, '{ ').replace(/\}$/, ' }').replace(/","/g, '", "').replace(/":"/g, '": "');
  const lines = text.split('\n');
  // After the last ICD-10-CM year's line (each such line is followed by more sources), else first in the list.
  let at = -1;
  lines.forEach((l, i) => {
    if (l.includes('"id": "CMS-ICD10CM-FY') && l.trimEnd().endsWith(',')) at = i;
  });
  if (at < 0) at = lines.findIndex((l) => /"sources":\s*\[\s*$/.test(l));
  if (at < 0) throw new IcdFileError(`cannot add the source ${id} to knowledge/sources.json: add it by hand, like the other CMS-ICD10CM years`);
  lines.splice(at + 1, 0, `    ${entry},`);
  const updated = lines.join('\n');
  try {
    JSON.parse(updated);
  } catch {
    throw new IcdFileError(`cannot add the source ${id} to knowledge/sources.json: add it by hand, like the other CMS-ICD10CM years`);
  }
  return updated;
}
