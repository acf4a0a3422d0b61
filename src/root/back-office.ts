/**
 * The back office: medbill's services over one database (the code index, claims, letters, digests), built
 * here, each once and on first use, from the knowledge on the shelf. The house (house.ts) adds the chat on
 * top; a command that only reads claims or writes a letter opens just this, without the engine and the flows.
 */
import { existsSync } from 'node:fs';
import { openDb, type Db } from '../store/db.js';
import type { Services } from '../../flows/context.js';
import { CodeIndex } from '../knowledge/lookup.js';
import { NO_DIRECTORY, type CodeDirectory } from '../knowledge/evidence.js';
import { fullIcd10, icd10Directory, importInfo } from '../store/icd10.js';
import { ClaimService } from '../claims/service.js';
import { DigestStore } from '../store/digest.js';
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

  constructor(readonly db: Db, private readonly office: BackOfficeOptions = {}) {
    this.shelf = office.shelf ?? openShelf();
  }

  private readonly codeIndex = once(() => new CodeIndex(this.shelf.knowledge(), fullIcd10(this.db)));
  private readonly codeDirectory = once((): CodeDirectory => (importInfo(this.db) ? icd10Directory(this.db) : NO_DIRECTORY));
  private readonly claimService = once(() => new ClaimService(this.db, this.shelf.claims, this.office.now));
  private readonly digestStore = once(() => new DigestStore(this.db));
  private readonly letterService = once(() => new LetterService(this.db, this.shelf.letters, {
    ...(this.office.narrative ? { narrative: this.office.narrative } : {}), ...(this.office.log ? { log: this.office.log } : {}),
  }));
  private readonly flowServices = once((): Services => ({
    kn: this.shelf.knowledge(), codes: this.codes, directory: this.directory, claims: this.claims, digests: this.digests, letters: this.letters,
  }));

  /** Codes across CDT, CPT, HCPCS and ICD-10-CM (with the imported ICD-10-CM list's titles, when there is one). */
  get codes(): CodeIndex { return this.codeIndex(); }
  /** The imported ICD-10-CM list, for the titles of a triage's diagnoses. */
  get directory(): CodeDirectory { return this.codeDirectory(); }
  get claims(): ClaimService { return this.claimService(); }
  get digests(): DigestStore { return this.digestStore(); }
  get letters(): LetterService { return this.letterService(); }
  /** The services medbill's flows work with (flows/context.ts): one plain object, which the engine passes through. */
  get services(): Services { return this.flowServices(); }

  close(): void {
    this.db.close();
  }
}

/**
 * MEDBILL_DB as the configuration names it. `existing`: only if it is there, else an empty database in
 * memory, so a command that only looks creates nothing.
 */
export function openConfiguredDb(config: Config, opts: { existing?: boolean } = {}): Db {
  return openDb(opts.existing && (config.dbPath === ':memory:' || !existsSync(config.dbPath)) ? ':memory:' : config.dbPath);
}

/** The back office over MEDBILL_DB, its letters' narrative from the configuration. */
export function openBackOffice(config: Config, opts: Omit<BackOfficeOptions, 'narrative'> & { existing?: boolean } = {}): BackOffice {
  const { existing, ...options } = opts;
  return new BackOffice(openConfiguredDb(config, { existing }), { ...(config.llm ? { narrative: narrativeWriter(config, options.log) } : {}), ...options });
}
