/** The kind of procedure (the knowledge base's category) a code or words name: by a known code first, else by its phrases. */
import type { Knowledge } from './load.js';
import { isProcedureCode, normalizeCode } from './codes.js';
import { bestPhraseLength, tokenize } from './text.js';

export function procedureKindOf(kn: Knowledge, knows: (code: string) => boolean, procedure: string): { id: string; name: string } | undefined {
  for (const token of procedure.trim().split(/[\s,;]+/)) {
    if (!isProcedureCode(token) || !knows(token)) continue;
    const code = normalizeCode(token);
    const byCode = kn.categories.find((c) => c.match.codes.includes(code));
    if (byCode) return { id: byCode.id, name: byCode.name };
  }
  const words = tokenize(procedure);
  let best: { id: string; name: string; length: number } | undefined;
  for (const c of kn.categories) {
    const length = bestPhraseLength(words, c.phrases);
    if (length > (best?.length ?? 0)) best = { id: c.id, name: c.name, length };
  }
  return best && { id: best.id, name: best.name };
}
