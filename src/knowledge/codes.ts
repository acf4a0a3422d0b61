/** Recognizing and normalizing codes of every set: the one place that knows their shapes. */
import type { CodeSet } from './vocabulary.js';

/** `k083`, `K08.3`, ` k08.3 ` → `K08.3`. Undotted codes longer than three characters get their dot back. */
export function normalizeIcd10(raw: string): string {
  const c = raw.trim().toUpperCase().replace(/\s+/g, '');
  const undotted = c.replace('.', '');
  return undotted.length > 3 ? `${undotted.slice(0, 3)}.${undotted.slice(3)}` : undotted;
}

export const PATTERNS = {
  cdt: /^D\d{4}$/,
  cpt: /^\d{4}[0-9FTU]$/,
  hcpcs: /^[A-CEGHJ-MP-V]\d{4}$/,
  icd10cm: /^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$/,
} as const;

/** Which set a code's shape belongs to, or undefined. CDT wins over ICD-10-CM for `D` + four digits. */
export function codeSetOf(raw: string): CodeSet | undefined {
  const c = raw.trim().toUpperCase();
  if (PATTERNS.cdt.test(c)) return 'cdt';
  if (PATTERNS.cpt.test(c)) return 'cpt';
  if (PATTERNS.hcpcs.test(c)) return 'hcpcs';
  if (PATTERNS.icd10cm.test(normalizeIcd10(c))) return 'icd10cm';
  return undefined;
}

/** A CDT, CPT or HCPCS code (a procedure, not a diagnosis). */
export function isProcedureCode(raw: string): boolean {
  const set = codeSetOf(raw);
  return set !== undefined && set !== 'icd10cm';
}

/** CDT, CPT and HCPCS codes written anywhere in a text, in order (a fresh global pattern per call). */
export const procedureCodePattern = () => /\b(D\d{4}|\d{4}[0-9FTU]|[A-CEGHJ-MP-V]\d{4})\b/gi;

/** Every code-shaped token in a text: dotted or undotted ICD-10-CM, CDT, CPT, HCPCS. */
export const anyCodePattern = () => /\b([A-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}|D\d{4}|\d{5}|[A-CEGHJ-MP-V]\d{4}|[A-Z]\d{2}[0-9A-Z]{1,4})\b/gi;

/** Normalized form of a code in the set its shape says. */
export function normalizeCode(raw: string): string {
  const set = codeSetOf(raw);
  return set === 'icd10cm' ? normalizeIcd10(raw) : raw.trim().toUpperCase();
}
