/**
 * Letters of medical necessity for a case: the template for its kind of procedure, the facts it still needs,
 * and the finished draft as text and as a .docx, with the narrative from the optional LLM when one is set up
 * and its paragraphs pass the check against the facts (src/letters/narrative-check.ts), else the template's.
 * Drafts are kept by case ID (the letters port, src/store/letters.ts) with the facts they state, so any day a letter can be
 * drafted again, or a fact changed and the letter regenerated.
 */
import type { LetterStore, StoredLetter } from '../store/letters.js';
import type { StoreWrite } from '../store/unit-of-work.js';
import type { MedicalPayer } from '../knowledge/vocabulary.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { LetterCode, LetterDraft } from './model.js';
import type { LetterTemplate } from './templates.js';
import { templateById, templateFor } from './templates.js';
import { letterText, renderLetter, templateNarrative } from './render.js';
import { codesFromTriage, factsFromCase } from './prefill.js';
import { procedureKindOf } from '../knowledge/procedure-kind.js';
import { triage } from '../knowledge/triage.js';
import type { CaseFacts } from '../knowledge/facts.js';
import type { Knowledge } from '../knowledge/load.js';
import type { CodeIndex } from '../knowledge/lookup.js';
import type { CodeDirectory } from '../knowledge/evidence.js';

/** Where a case's letter starts from. */
export interface LetterStart {
  template: LetterTemplate;
  values: Record<string, string>;
  payerKind?: MedicalPayer;
  procedures: LetterCode[];
  diagnoses: LetterCode[];
}

/** The optional narrative writer, as the service sees it (LangChain stays behind it, loaded only when set up). */
export type NarrativeWriter = (input: { facts: LetterDraft['facts']; templateNarrative: string[]; purpose: string; codes: string[] }) => Promise<
  | { paragraphs: string[]; by: 'llm' }
  | { paragraphs: string[]; by: 'template'; reason: string; at?: { paragraph: number; sentence?: number } }
>;

export interface LetterRequest {
  caseId: string;
  template: LetterTemplate;
  values: Record<string, string>;
  payerKind: MedicalPayer;
  payer?: string;
  procedures: LetterCode[];
  diagnoses: LetterCode[];
  /** Today where the letter is written (src/today.ts): month-year facts must not lie in the future. */
  today: string;
}

export interface FinishedLetter {
  draft: LetterDraft;
  text: string;
  docx: Buffer;
  /** One line for the person: which narrative was used, and why not the LLM's when it was set up. */
  narrativeNote: string;
  /** The language model's paragraphs, when they were used (kept with the draft). */
  narrative?: string[];
}

export class LetterService {
  /** `templateList`: knowledge/letters/, read by the composition root on the first letter (triage never needs them). */
  constructor(private readonly store: LetterStore, private readonly templateList: () => readonly LetterTemplate[], private readonly opts: { narrative?: NarrativeWriter; log?: Logger } = {}) {}

  templates(): readonly LetterTemplate[] {
    return this.templateList();
  }

  templateFor(categoryId: string): LetterTemplate | undefined {
    return templateFor(categoryId, this.templateList());
  }

  templateById(id: string): LetterTemplate | undefined {
    return templateById(id, this.templateList());
  }

  saved(caseId: string): Promise<StoredLetter | undefined> {
    return this.store.get(caseId);
  }

  /**
   * The letter for a case as it stands: its template (the saved draft's, or the one for its kind of
   * procedure), the facts known so far (the case's, then the saved draft's), the payer kind, and the codes.
   */
  async forCase(caseId: string, caseFacts: Partial<CaseFacts>, kn: Knowledge, codes: CodeIndex, directory: CodeDirectory, today: string): Promise<LetterStart | { problem: string }> {
    const saved = await this.store.get(caseId);
    const kind = caseFacts.procedure ? procedureKindOf(kn, (c) => codes.exact(c) !== undefined, caseFacts.procedure) : undefined;
    const template = (saved ? this.templateById(saved.templateId) : undefined) ?? (kind ? this.templateFor(kind.id) : undefined);
    if (!template) return { problem: `medbill has no letter template for ${kind ? kind.name.toLowerCase() : 'this kind of procedure'} yet (the templates are in knowledge/letters/).` };
    const prefill = factsFromCase(template, caseFacts, today);
    const values = { ...prefill.values, ...(saved?.templateId === template.id ? saved.facts : {}) };
    const found = caseFacts.procedure ? codesFromTriage(triage({ ...caseFacts, procedure: caseFacts.procedure } as CaseFacts, kn, { directory, today })) : { procedures: [], diagnoses: [] };
    return { template, values, ...(prefill.payerKind ? { payerKind: prefill.payerKind } : {}), procedures: found.procedures, diagnoses: found.diagnoses };
  }

  /** Keeps the draft's facts: the write a flow hands back, made with the turn. */
  save(letter: StoredLetter): StoreWrite {
    return { kind: 'letter.save', letter };
  }

  /** Renders the letter: the narrative from the LLM when set up and accepted, the template's otherwise. */
  async finish(req: LetterRequest): Promise<FinishedLetter> {
    const base = { caseId: req.caseId, values: req.values, payerKind: req.payerKind, procedures: req.procedures, diagnoses: req.diagnoses, today: req.today, ...(req.payer ? { payer: req.payer } : {}) };
    let draft = renderLetter(req.template, base);
    let narrativeNote = 'The narrative is the template\'s (no language model is set up).';
    let narrative: string[] | undefined;
    if (this.opts.narrative) {
      const codes = [...draft.procedures, ...draft.diagnoses].map((c) => `${c.system} ${c.code} ${c.description}`);
      const written = await this.opts.narrative({ facts: draft.facts, templateNarrative: templateNarrative(req.template, base), purpose: req.template.title, codes });
      if (written.by === 'llm') {
        draft = renderLetter(req.template, { ...base, narrative: written.paragraphs });
        narrative = written.paragraphs;
        narrativeNote = 'The narrative paragraphs were written by the language model from the facts above and checked against them: read them before signing.';
      } else {
        const where = written.at ? `, in its paragraph ${written.at.paragraph}${written.at.sentence ? `, sentence ${written.at.sentence}` : ''}` : '';
        const why = written.reason === 'unsupported-word' ? ': a sentence said something the facts it cites do not' : '';
        narrativeNote = `The narrative is the template's: the language model's was not used (${written.reason}${where}${why}).`;
        (this.opts.log ?? silentLogger).log('info', 'letter-narrative-fallback', { reason: written.reason });
      }
    }
    const { letterDocx } = await import('./docx.js');
    return { draft, text: letterText(draft), docx: await letterDocx(draft), narrativeNote, ...(narrative ? { narrative } : {}) };
  }
}
