/**
 * The back office: medbill's services over one practice's storage (the code index, claims, letters, digests),
 * built here, each once and on first use, from the knowledge on the shelf; `practiceOffice(id)` gives another
 * practice's, sharing the shelf, the code index and the ICD-10-CM view. The house (house.ts) adds the chat on
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
import type { PracticeSettings } from '../store/settings.js';
import { practiceKnowledge } from '../claims/practice-policy.js';

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

/** What every practice's back office over one storage shares: the knowledge's code index, the ICD-10-CM view, the offices made. */
interface Shared {
  icd10?: Icd10View;
  opening: () => Promise<void>;
  codeIndex: () => CodeIndex;
  codeDirectory: () => CodeDirectory;
  offices: Map<string, BackOffice>;
}

export class BackOffice {
  readonly shelf: Shelf;
  private readonly shared: Shared;
  /** This practice's settings as last read (see loadSettings): its claim policy is followup.json with them over it. */
  private practiceSettings: PracticeSettings | undefined;

  /** `storage`: the practice's view this office works on (the storage as opened: practice 'default'). */
  constructor(readonly storage: Storage, private readonly office: BackOfficeOptions = {}, shared?: Shared) {
    this.shelf = office.shelf ?? openShelf();
    this.shared = shared ?? this.share(storage);
  }

  private share(storage: Storage): Shared {
    const shared: Shared = {
      opening: once(() => storage.icd10.view().then((view) => { shared.icd10 = view; })),
      // The code index and triage are synchronous: they read the imported list through its view, there once ready().
      codeIndex: once(() => new CodeIndex(this.shelf.knowledge(), { get: (code) => shared.icd10?.get(code), search: (words, limit) => shared.icd10?.search(words, limit) ?? [] } satisfies FullIcd10)),
      codeDirectory: once((): CodeDirectory => ({ lookupIcd10: (code) => shared.icd10?.lookupIcd10(code) })),
      offices: new Map([[storage.practiceId, this]]),
    };
    return shared;
  }

  /** Practice `id`'s back office over the same storage and knowledge (made once; this one for its own practice). */
  practiceOffice(id: string): BackOffice {
    const known = this.shared.offices.get(id);
    if (known) return known;
    const office = new BackOffice(this.storage.practice(id), { ...this.office, shelf: this.shelf }, this.shared);
    this.shared.offices.set(id, office);
    return office;
  }

  /** This office's practice. */
  get practice(): string { return this.storage.practiceId; }

  private readonly claimService = once(() => new ClaimService(this.storage.claims, this.storage.unitOfWork, () => practiceKnowledge(this.shelf.claims(), this.practiceSettings), this.office.now, {
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

  /**
   * Reads this practice's settings again (another process may have changed them: `medbill practice set`), so
   * its claim policy and zone are the stored ones from here on. The engine does so at each of its turns.
   */
  async loadSettings(): Promise<PracticeSettings | undefined> {
    this.practiceSettings = (await this.storage.settings.get())?.settings;
    return this.practiceSettings;
  }

  /** The practice's own zone as last read (loadSettings, ready), else `fallback` (MEDBILL_TIME_ZONE). */
  zoneOr(fallback: string): string {
    return this.practiceSettings?.zone ?? fallback;
  }

  /** Resolves once the imported ICD-10-CM list is open (codes and directory read it from then on) and the practice's settings are read. */
  ready(): Promise<void> {
    return Promise.all([this.shared.opening(), this.loadSettings()]).then(() => undefined);
  }

  /** Codes across CDT, CPT, HCPCS and ICD-10-CM (with the imported ICD-10-CM list's titles, when there is one, after ready()). */
  get codes(): CodeIndex { return this.shared.codeIndex(); }
  /** The imported ICD-10-CM list, for the titles of a triage's diagnoses (after ready()). */
  get directory(): CodeDirectory { return this.shared.codeDirectory(); }
  get claims(): ClaimService { return this.claimService(); }
  get digests(): DigestStore { return this.storage.digests; }
  /** Every claim, for the report and the export. */
  get reports(): ClaimReportStore { return this.storage.claimReports; }
  get letters(): LetterService { return this.letterService(); }
  /** The services medbill's flows work with (flows/context.ts): one plain object, which the engine passes through. */
  get services(): Services { return this.flowServices(); }

  /** Closes the storage (every practice's office shares it). */
  close(): Promise<void> {
    return this.storage.close();
  }
}

/** MEDBILL_PRACTICE's back office over the configured database (MEDBILL_DATABASE_URL, else MEDBILL_DB), its letters' narrative from the configuration. */
export function openBackOffice(config: Config, opts: Omit<BackOfficeOptions, 'narrative'> & { existing?: boolean } = {}): BackOffice {
  const { existing, ...options } = opts;
  const office = new BackOffice(openConfiguredStorage(config, { existing }), { ...(config.llm ? { narrative: narrativeWriter(config, options.log) } : {}), ...options });
  // A command acts on MEDBILL_PRACTICE's claims, letters and digests.
  return office.practiceOffice(config.practice);
}
