/** The kind of procedure (the knowledge base's category) a code or words name: by a known code first, else by its phrases. */
import type { CompiledCategory, Knowledge } from './load.js';
import { isProcedureCode, normalizeCode } from './codes.js';
import { tokenize, type Tokens } from './text.js';
import { categoryOf } from './triage.js';

export function procedureKindOf(kn: Knowledge, knows: (code: string) => boolean, procedure: string): { id: string; name: string } | undefined {
  for (const token of procedure.trim().split(/[\s,;]+/)) {
    if (!isProcedureCode(token) || !knows(token)) continue;
    const code = normalizeCode(token);
    const byCode = kn.categories.find((c) => c.match.codes.includes(code));
    if (byCode) return { id: byCode.id, name: byCode.name };
  }
  const best = categoryNamedBy(kn, tokenize(procedure));
  return best && { id: best.id, name: best.name };
}

/** The category whose phrase found in the words is longest (the first in knowledge order on a tie); none when no phrase is. */
export function categoryNamedBy(kn: Knowledge, words: Tokens): CompiledCategory | undefined {
  const lengths = kn.categoryPhrases.longest(words);
  let best: CompiledCategory | undefined;
  let bestLength = 0;
  for (const c of kn.categories) {
    const length = lengths.get(c) ?? 0;
    if (length > bestLength) {
      best = c;
      bestLength = length;
    }
  }
  return best;
}

const PROCEDURE_SETS = ['cdt', 'cpt', 'hcpcs'] as const;

/**
 * The kind of procedure a claim is for, from its procedure codes (the first listed leads, as on the claim form) and
 * its diagnoses, read as triage reads a case; when no category names the codes, the category that suggests one of
 * them. Undefined when none does (the report counts such a claim under "Other procedures").
 */
export function claimCategory(kn: Knowledge, procedures: readonly string[], diagnoses: readonly string[] = []): { id: string; name: string } | undefined {
  if (!procedures.length) return undefined;
  const found = categoryOf({ procedure: procedures.join(' '), diagnoses: [...diagnoses] }, kn);
  if (found.id !== 'general') return { id: found.id, name: found.name };
  for (const code of procedures) {
    const suggests = kn.categories.find((c) => c.id !== 'general' && PROCEDURE_SETS.some((set) => c.procedureCodes[set].some((choice) => choice.code === code)));
    if (suggests) return { id: suggests.id, name: suggests.name };
  }
  return undefined;
}
