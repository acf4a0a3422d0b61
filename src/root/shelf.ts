/**
 * The knowledge medbill runs on, loaded once by the composition root and handed to whoever needs it: the
 * rules and codes (knowledge/), the claims' follow-up policy and denial remedies, the letter templates.
 * Each part is read on first use, then kept: a triage never reads the claim files or the templates.
 */
import { join } from 'node:path';
import { DEFAULT_KNOWLEDGE_DIR, loadKnowledge, type Knowledge } from '../knowledge/load.js';
import { loadClaimKnowledge, type ClaimKnowledge } from '../knowledge/followup-denials.js';
import { LETTERS_SUBDIR, loadLetterTemplates, type LetterTemplate } from '../letters/templates.js';

export interface Shelf {
  knowledge: () => Knowledge;
  claims: () => ClaimKnowledge;
  letters: () => readonly LetterTemplate[];
}

/** `load`, called the first time the value is asked for and never again. */
export function once<T>(load: () => T): () => T {
  let kept: { value: T } | undefined;
  return () => (kept ??= { value: load() }).value;
}

/** The knowledge in `dir`; `knowledge` when the caller has already loaded it (the command line's triage). */
export function openShelf(dir: string = DEFAULT_KNOWLEDGE_DIR, loaded: { knowledge?: () => Knowledge } = {}): Shelf {
  const knowledge = loaded.knowledge ?? once(() => loadKnowledge(dir));
  return {
    knowledge,
    claims: once(() => loadClaimKnowledge(dir)),
    letters: once(() => loadLetterTemplates(join(dir, LETTERS_SUBDIR), knowledge())),
  };
}
