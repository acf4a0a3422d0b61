/** Recognizing and normalizing codes of every set. */
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

/** Normalized form of a code in the set its shape says. */
export function normalizeCode(raw: string): string {
  const set = codeSetOf(raw);
  return set === 'icd10cm' ? normalizeIcd10(raw) : raw.trim().toUpperCase();
}
