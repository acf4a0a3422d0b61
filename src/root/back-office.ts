/**
 * The back office: medbill's services over one storage (the code index, claims, letters, digests), built
 * here, each once and on first use, from the knowledge on the shelf. The house (house.ts) adds the chat on
 * top; a command that only reads claims or writes a letter opens just this, without the engine and the flows.
 */
import type { Storage } from '../store/storage.js';
import type { Icd10View } from '../store/icd10.js';
import type { DigestStore } from '../store/digest.js';
import type { ClaimReportStore } from '../store/claim-reports.js';
import { openConfiguredStorage } from './storage.js';
import type { Services } from '../../flows/context.js';
import { CodeIndex, type FullIcd10 } from '../knowledge/lookup.js';
import type { CodeDirectory } from '../knowledge/evidence.js';
import { ClaimService } from '../claims/service.js';
import { triage } from '../knowledge/triage.js';
import type { CaseFacts } from '../knowledge/facts.js';
import { LetterService, type NarrativeWriter } from '../letters/service.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Clock } from '../today.js';
import { once, openShelf, type Shelf } from './shelf.js';

/** The optional LLM narrative: LangChain is loaded on the first letter, never before (src/letters/narrative.ts). */
export function narrativeWriter(config: Config, log: Logger | undefined): NarrativeWriter {
  return async (input) => {
    const { narrativeModel, writeNarrative } = await import('../letters/narrative.js');
    const model = await narrativeModel(config, log);
    if (!model || !config.llm) return { paragraphs: input.templateNarrative, by: 'template', reason: 'not-configured' };
    return writeNarrative(input, { model, timeoutMs: config.llm.timeoutMs, ...(log ? { log } : {}) });
  };
}

export interface BackOfficeOptions {
  /** The knowledge (default: knowledge/, each part read on first use by this back office). */
  shelf?: Shelf;
  now?: Clock;
  log?: Logger;
  /** The letters' LLM narrative, when one is set up. */
  narrative?: NarrativeWriter;
}

export class BackOffice {
  readonly shelf: Shelf;
  /** The imported ICD-10-CM list's view, once opened (see ready). */
  private icd10: Icd10View | undefined;

  constructor(readonly storage: Storage, private readonly office: BackOfficeOptions = {}) {
    this.shelf = office.shelf ?? openShelf();
  }

  private readonly opening = once(() => this.storage.icd10.view().then((view) => { this.icd10 = view; }));
  // The code index and triage are synchronous: they read the imported list through its view, there once ready().
  private readonly codeIndex = once(() => {
    const full: FullIcd10 = { get: (code) => this.icd10?.get(code), search: (words, limit) => this.icd10?.search(words, limit) ?? [] };
    return new CodeIndex(this.shelf.knowledge(), full);
  });
  private readonly codeDirectory = once((): CodeDirectory => ({ lookupIcd10: (code) => this.icd10?.lookupIcd10(code) }));
  private readonly claimService = once(() => new ClaimService(this.storage.claims, this.storage.unitOfWork, this.shelf.claims, this.office.now, {
    dentalCodes: (caseId, date) => this.cdtCodes(caseId, date),
  }));
  private readonly letterService = once(() => new LetterService(this.storage.letters, this.shelf.letters, {
    ...(this.office.narrative ? { narrative: this.office.narrative } : {}), ...(this.office.log ? { log: this.office.log } : {}),
  }));
  private readonly flowServices = once((): Services => ({
    kn: this.shelf.knowledge(), codes: this.codes, directory: this.directory, claims: this.claims, digests: this.digests, reports: this.reports, letters: this.letters,
  }));

  /**
   * The CDT codes medbill's answer gave a case (for its dental claim, after the medical EOB), or undefined when the
   * case is not known here (a claim imported or tracked without a triage answer).
   */
  private async cdtCodes(caseId: string, date: string): Promise<string[] | undefined> {
    const facts = (await this.storage.cases.get(caseId))?.facts as Partial<CaseFacts> | undefined;
    if (!facts?.procedure) return undefined;
    await this.ready();
    const result = triage({ ...facts, procedure: facts.procedure } as CaseFacts, this.shelf.knowledge(), { directory: this.directory, today: date });
    return result.procedureCodes.cdt.map((c) => c.code);
  }

  /** Resolves once the imported ICD-10-CM list is open: codes and directory read it from then on. */
  ready(): Promise<void> {
    return this.opening();
  }

  /** Codes across CDT, CPT, HCPCS and ICD-10-CM (with the imported ICD-10-CM list's titles, when there is one, after ready()). */
  get codes(): CodeIndex { return this.codeIndex(); }
  /** The imported ICD-10-CM list, for the titles of a triage's diagnoses (after ready()). */
  get directory(): CodeDirectory { return this.codeDirectory(); }
  get claims(): ClaimService { return this.claimService(); }
  get digests(): DigestStore { return this.storage.digests; }
  /** Every claim, for the report and the export. */
  get reports(): ClaimReportStore { return this.storage.claimReports; }
  get letters(): LetterService { return this.letterService(); }
  /** The services medbill's flows work with (flows/context.ts): one plain object, which the engine passes through. */
  get services(): Services { return this.flowServices(); }

  close(): Promise<void> {
    return this.storage.close();
  }
}

/** The back office over the configured database (MEDBILL_DATABASE_URL, else MEDBILL_DB), its letters' narrative from the configuration. */
export function openBackOffice(config: Config, opts: Omit<BackOfficeOptions, 'narrative'> & { existing?: boolean } = {}): BackOffice {
  const { existing, ...options } = opts;
  return new BackOffice(openConfiguredStorage(config, { existing }), { ...(config.llm ? { narrative: narrativeWriter(config, options.log) } : {}), ...options });
}
