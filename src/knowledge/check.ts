/** `medbill kb check`: counts, and the knowledge's ICD-10-CM codes checked against an official CMS list. */
import type { CodeEntry, IcdEntry, Knowledge } from './load.js';
import { CDT_FAMILIES, CPT_FAMILIES } from './schema.js';
import type { IcdFileEntry, IcdFileFormat } from './icd10-file.js';
import { difference, fiscalYearEnd, fiscalYearStart, icd10SourceId, validListFile } from './icd10-valid.js';
import { DENIAL_ACTIONS, loadClaimKnowledge } from './followup-denials.js';
import { CLAIM_PAYER_KINDS } from './vocabulary.js';

/** `family: count` for every family of a code set, in the order the schema lists them (empty ones included). */
function familyCounts(entries: Iterable<CodeEntry>, families: readonly string[]): string {
  const counts = new Map<string, number>(families.map((f) => [f, 0]));
  for (const e of entries) if (e.family) counts.set(e.family, (counts.get(e.family) ?? 0) + 1);
  return [...counts].map(([f, n]) => `${f} ${n}`).join(', ');
}

export function knowledgeCounts(kn: Knowledge): string {
  const icd = [...kn.icd10.values()];
  const lines = [
    `  CDT codes:        ${kn.procedureCodes.cdt.size}`,
    `    by family:      ${familyCounts(kn.procedureCodes.cdt.values(), CDT_FAMILIES)}`,
    `  CPT codes:        ${kn.procedureCodes.cpt.size}`,
    `    by family:      ${familyCounts(kn.procedureCodes.cpt.values(), CPT_FAMILIES)}`,
    `  HCPCS codes:      ${kn.procedureCodes.hcpcs.size} (+ ${kn.modifiers.size} modifiers: ${[...kn.modifiers.keys()].join(' ')})`,
    `  ICD-10-CM codes:  ${icd.length} (${icd.filter((e) => e.billable).length} billable, ${icd.filter((e) => !e.billable).length} headers), FY${kn.icd10FiscalYear}`,
    `  signals:          ${kn.signals.length}`,
    `  engine rules:     ${kn.rules.size}; never-suggest entries: ${kn.neverSuggest.length}; sources: ${kn.sources.size}`,
    `  categories:       ${kn.categories.length}`,
    ...kn.categories.map((c) => `    ${c.id.padEnd(24)} ${String(c.lanes.length).padStart(2)} lane rules, ${c.procedureCodes.cdt.length + c.procedureCodes.cpt.length + c.procedureCodes.hcpcs.length} procedure codes, ${c.diagnoses.length} diagnoses, ${c.documents.length} documents`),
    ...claimKnowledgeCounts(kn.dir),
  ];
  return lines.join('\n');
}

/** denials.json and followup.json, read fresh from `dir` (a broken entry throws KnowledgeError, as the other files do). */
function claimKnowledgeCounts(dir: string): string[] {
  const ck = loadClaimKnowledge(dir);
  const byAction = DENIAL_ACTIONS.map((a) => `${a} ${ck.carcs.filter((e) => e.action === a).length}`).join(', ');
  const p = ck.policy;
  const filing = (payer: (typeof CLAIM_PAYER_KINDS)[number]) => {
    const r = p.timelyFiling[payer];
    return r.months !== undefined ? `${r.months} months` : `${r.days} days`;
  };
  return [
    `  denial reasons:   ${ck.carcs.length} CARC entries, ${ck.rarcs.size} remark codes, ${ck.phrases.length} phrases, ${ck.advice.size} checklist advice entries`,
    `    by action:      ${byAction}`,
    `  follow-up:        first ${p.followUp.firstAfterSubmissionDays.value} days after submission, then every ${p.followUp.repeatEveryDays.value}; records due ${p.recordsDueDefaultDays.value}; warn ${p.appealWarningDays.value} days before an appeal deadline, ${p.authExpiryWarningDays.value} before an authorization ends; unsubmitted after ${p.notSubmittedReminderDays.value}`,
    `    appeal days:    ${CLAIM_PAYER_KINDS.map((payer) => `${payer} ${p.appealDeadlines[payer].days}`).join(', ')}`,
    `    timely filing:  ${CLAIM_PAYER_KINDS.map((payer) => `${payer} ${filing(payer)}`).join(', ')}`,
    ...CLAIM_PAYER_KINDS.flatMap((payer) => {
      const states = p.timelyFiling[payer].states;
      return states ? [`      ${`${payer}:`.padEnd(14)}${states.map((s) => `${s.state} ${s.months !== undefined ? `${s.months} months` : `${s.days} days`}`).join(', ')} (other states vary)`] : [];
    }),
  ];
}

/** Every problem: a code missing from the list, or billable in knowledge/ but not in the list (or the reverse). */
/**
 * The fiscal year whose official list a knowledge/ ICD-10-CM flag agrees with: the table's year, or, for a code
 * added later (J34.830 in FY2027), the year its source names.
 */
export function flagYearOf(kn: Knowledge, e: IcdEntry): number {
  return kn.icd10Lists.years.find((y) => y > kn.icd10FiscalYear && e.source.includes(icd10SourceId(y))) ?? kn.icd10FiscalYear;
}

export function checkKnowledgeAgainstIcd10(kn: Knowledge, file: { format: IcdFileFormat; entries: IcdFileEntry[] }): string[] {
  const official = new Map(file.entries.map((e) => [e.code, e]));
  const problems: string[] = [];
  for (const e of kn.icd10.values()) {
    // A CMS file checked here is the table's year; a code added since is checked against its own year's list.
    if (flagYearOf(kn, e) !== kn.icd10FiscalYear) continue;
    const o = official.get(e.code);
    if (file.format === 'valid-codes') {
      // The list holds only billable codes: a header is rightly absent.
      if (e.billable && !o) problems.push(`${e.code} is marked billable in knowledge/ but is not in the valid-codes list`);
      if (!e.billable && o) problems.push(`${e.code} is marked as a header in knowledge/ but the list says it is billable`);
      continue;
    }
    if (!o) problems.push(`${e.code} is not in the order file`);
    else if (o.billable !== e.billable) problems.push(`${e.code} is ${e.billable ? 'billable' : 'a header'} in knowledge/ but ${o.billable ? 'billable' : 'a header'} in the order file`);
  }
  return problems;
}

/**
 * `medbill kb check` for the shipped lists, every year: each list's shape and order (the binary search relies on
 * both); for the year of codes/icd10cm.json, its billable flags against the list (triage trusts them for that
 * year); for every year, each diagnosis a category suggests valid in it, and every diagnosis prefix that signals
 * and rules match on naming at least one valid code (a prefix that matches nothing is a typo).
 */
export function checkValidList(kn: Knowledge): { summary: string; problems: string[] } {
  const sets = kn.icd10Lists;
  const problems: string[] = [];
  const lines = [`  ICD-10-CM valid:  ${sets.years.length} official lists; a diagnosis is checked against the list of its date of service's fiscal year (Oct 1 - Sep 30)`];
  if (sets.years.length === 0) problems.push('codes/: no ICD-10-CM valid list (icd10cm-valid-fyYYYY.txt): every diagnosis is checked against one');
  let previous: { year: number; codes: string[] } | undefined;
  for (const year of sets.years) {
    const file = validListFile(year);
    const list = sets.list(year);
    const verified = list.verify();
    const newest = year === sets.newest ? '; and any later date, with a warning' : '';
    let line = `    FY${year}: ${verified.count} codes, services ${fiscalYearStart(year)} to ${fiscalYearEnd(year)}${newest} (knowledge/${file})`;
    if (verified.problems.length) {
      problems.push(...verified.problems.map((p) => `${file}: ${p}`));
      lines.push(line);
      previous = undefined;
      continue;
    }
    const codes = list.codes();
    if (previous) {
      const { added, removed } = difference(previous.codes, codes);
      line += `; against FY${previous.year}: ${added} added, ${removed} no longer valid (deleted, or now headers)`;
    }
    lines.push(line);
    previous = { year, codes };
    const notes: string[] = [];
    for (const e of kn.icd10.values()) {
      const listed = list.has(e.code);
      const flagYear = flagYearOf(kn, e);
      if (year === flagYear) {
        if (e.billable && !listed) problems.push(`codes/icd10cm.json ${e.code}: marked billable, but it is not in ${file}`);
        if (!e.billable && listed) problems.push(`codes/icd10cm.json ${e.code}: marked as a header, but ${file} lists it as valid`);
      } else if (e.billable !== listed && !(year < flagYear && !listed)) notes.push(e.code); // not yet a code then: expected
    }
    if (notes.length) lines.push(`      codes/icd10cm.json (FY${kn.icd10FiscalYear} flags) differs from FY${year} for ${notes.join(', ')}: triage uses the FY${year} list for them`);
    for (const c of kn.categories) {
      for (const d of c.diagnoses) if (!list.has(d.code)) problems.push(`${c.file} diagnoses ${d.code}: suggested, but not a valid code in FY${year} (${file})`);
    }
    const prefixes = [
      ...kn.signals.flatMap((s) => (s.diagnoses ?? []).map((d) => ({ where: `signals.json ${s.id}`, code: d }))),
      ...kn.diagnosisCauses.map((d) => ({ where: 'rules.json diagnosisCauses', code: d.prefix })),
    ];
    for (const p of prefixes) {
      // "S0" (every head injury) is shorter than any code, so it is checked as the start of one.
      if (!list.has(p.code) && list.children(p.code, 0).count === 0) problems.push(`${p.where}: no valid FY${year} ICD-10-CM code is or starts with "${p.code}"`);
    }
  }
  return { summary: lines.join('\n'), problems };
}
