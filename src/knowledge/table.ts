/**
 * `medbill kb table`: per procedure category, every CDT, CPT, HCPCS and ICD-10-CM code it can suggest, as a
 * Markdown table generated from knowledge/ (the README carries the same table, and a test keeps it equal).
 */
import type { CompiledCategory, Knowledge } from './load.js';
import type { ProcedureCodeSet } from './vocabulary.js';

/** Codes in the order their code sets list them: character by character (K13.21 before K13.4), whatever the locale. */
function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every code a category can suggest in one set (its code choices, whatever their conditions), each once, sorted. */
export function suggestedCodes(category: CompiledCategory, set: ProcedureCodeSet | 'icd10cm'): string[] {
  const choices = set === 'icd10cm' ? category.diagnoses : category.procedureCodes[set];
  return [...new Set(choices.map((c) => c.code))].sort(byCode);
}

const cell = (codes: readonly string[]) => (codes.length ? codes.join(', ') : '—');

/** The table as Markdown lines: one row per category, in the order of knowledge/categories/. */
export function coverageTable(kn: Knowledge): string {
  const lines = [
    '| Category | CDT | CPT | HCPCS | ICD-10-CM |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const c of kn.categories) {
    lines.push(`| ${c.name} (\`${c.id}\`) | ${cell(suggestedCodes(c, 'cdt'))} | ${cell(suggestedCodes(c, 'cpt'))} | ${cell(suggestedCodes(c, 'hcpcs'))} | ${cell(suggestedCodes(c, 'icd10cm'))} |`);
  }
  return lines.join('\n');
}
