/** The running parts every front end shares: the storage, the engine (with medbill's flows), the inbox and the way out, opened from the configuration. */
import type { Storage } from './store/storage.js';
import type { Icd10View } from './store/icd10.js';
import { openSqliteStorage } from './store/sqlite/index.js';
import { Engine, type EngineOptions } from './engine/engine.js';
import { Inbox } from './engine/inbox.js';
import { Outbound } from './engine/outbound.js';
import { flows } from '../flows/index.js';
import type { Services } from '../flows/context.js';
import type { FlowRegistry } from './engine/registry.js';
import { defaultKnowledge, type Knowledge } from './knowledge/load.js';
import { CodeIndex, type FullIcd10 } from './knowledge/lookup.js';
import { ClaimService } from './claims/service.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { LetterService, type NarrativeWriter } from './letters/service.js';
import type { Clock } from './today.js';

/** The optional LLM narrative: LangChain is loaded on the first letter, never before (src/letters/narrative.ts). */
export function narrativeWriter(config: Config, log: Logger | undefined): NarrativeWriter {
  return async (input) => {
    const { narrativeModel, writeNarrative } = await import('./letters/narrative.js');
    const model = await narrativeModel(config, log);
    if (!model || !config.llm) return { paragraphs: input.templateNarrative, by: 'template', reason: 'not-configured' };
    return writeNarrative(input, { model, timeoutMs: config.llm.timeoutMs, ...(log ? { log } : {}) });
  };
}

/**
 * The services medbill's flows work with, over one storage (see flows/context.ts), and `ready`: resolved once
 * the imported ICD-10-CM list is open. The code index and triage are synchronous, so they read the list
 * through its view (see src/store/icd10.ts), which is there from then on.
 */
export function buildServices(storage: Storage, opts: { kn?: Knowledge; now?: Clock; letters?: LetterService; log?: Logger } = {}): { services: Services; ready: Promise<void> } {
  const kn = opts.kn ?? defaultKnowledge();
  let icd10: Icd10View | undefined;
  const ready = storage.icd10.view().then((view) => { icd10 = view; });
  const full: FullIcd10 = { get: (code) => icd10?.get(code), search: (words, limit) => icd10?.search(words, limit) ?? [] };
  const services: Services = {
    kn,
    codes: new CodeIndex(kn, full),
    directory: { lookupIcd10: (code) => icd10?.lookupIcd10(code) },
    claims: new ClaimService(storage.claims, storage.unitOfWork, opts.now),
    digests: storage.digests,
    reports: storage.claimReports,
    letters: opts.letters ?? new LetterService(storage.letters, opts.log ? { log: opts.log } : {}),
  };
  return { services, ready };
}

export type EngineSetup = Omit<EngineOptions<Services>, 'storage' | 'flows' | 'services' | 'zoneOf' | 'ready'> & { flows?: FlowRegistry<Services>; kn?: Knowledge; letters?: LetterService };

/**
 * medbill's engine over one database: its flows, their services, and each digest channel's own zone as that
 * channel's "today" (a Denied pressed under the digest is dated as the digest is).
 */
export function openEngine(storage: Storage, setup: EngineSetup = {}): Engine<Services> {
  const { flows: registry = flows, kn, letters, ...options } = setup;
  const { services, ready } = buildServices(storage, { ...(kn ? { kn } : {}), ...(options.now ? { now: options.now } : {}), ...(letters ? { letters } : {}), ...(options.log ? { log: options.log } : {}) });
  return new Engine({
    ...options, storage, flows: registry, services, ready,
    zoneOf: async (place) => (place.channel ? (await services.digests.channel({ platform: place.platform, ...(place.tenant ? { tenant: place.tenant } : {}), channel: place.channel }))?.zone : undefined),
  });
}

export interface App { storage: Storage; engine: Engine<Services>; inbox: Inbox; outbound: Outbound; close(): Promise<void> }

export function openApp(config: Config, opts: { log?: Logger; now?: Clock; inboxMaxOpen?: number } = {}): App {
  const storage = openSqliteStorage(config.dbPath);
  const { inboxMaxOpen = config.inboxMax, ...engineOpts } = opts;
  const letters = new LetterService(storage.letters, { ...(config.llm ? { narrative: narrativeWriter(config, opts.log) } : {}), ...(opts.log ? { log: opts.log } : {}) });
  const engine = openEngine(storage, { sessionTtlMs: config.sessionTtlMs, zone: config.zone, letters, ...engineOpts });
  const inbox = new Inbox({ store: storage.inbox, engine, ...(opts.log ? { log: opts.log } : {}), maxOpen: inboxMaxOpen });
  return { storage, engine, inbox, outbound: new Outbound(storage.references, opts.now), close: () => storage.close() };
}
