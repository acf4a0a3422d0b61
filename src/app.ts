/** The running parts every front end shares: the database, the engine (with medbill's flows), the inbox and the way out, opened from the configuration. */
import { openDb, type Db } from './store/db.js';
import { Engine, type EngineOptions } from './engine/engine.js';
import { Inbox } from './engine/inbox.js';
import { Outbound } from './engine/outbound.js';
import { flows } from '../flows/index.js';
import type { Services } from '../flows/context.js';
import type { FlowRegistry } from './engine/registry.js';
import { defaultKnowledge, type Knowledge } from './knowledge/load.js';
import { CodeIndex } from './knowledge/lookup.js';
import { NO_DIRECTORY } from './knowledge/evidence.js';
import { fullIcd10, icd10Directory, importInfo } from './store/icd10.js';
import { ClaimService } from './claims/service.js';
import { DigestStore } from './store/digest.js';
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

/** The services medbill's flows work with, over one database (see flows/context.ts). */
export function buildServices(db: Db, opts: { kn?: Knowledge; now?: Clock; letters?: LetterService; log?: Logger } = {}): Services {
  const kn = opts.kn ?? defaultKnowledge();
  return {
    kn,
    codes: new CodeIndex(kn, fullIcd10(db)),
    directory: importInfo(db) ? icd10Directory(db) : NO_DIRECTORY,
    claims: new ClaimService(db, opts.now),
    digests: new DigestStore(db),
    letters: opts.letters ?? new LetterService(db, opts.log ? { log: opts.log } : {}),
  };
}

export type EngineSetup = Omit<EngineOptions<Services>, 'db' | 'flows' | 'services' | 'zoneOf'> & { flows?: FlowRegistry<Services>; kn?: Knowledge; letters?: LetterService };

/**
 * medbill's engine over one database: its flows, their services, and each digest channel's own zone as that
 * channel's "today" (a Denied pressed under the digest is dated as the digest is).
 */
export function openEngine(db: Db, setup: EngineSetup = {}): Engine<Services> {
  const { flows: registry = flows, kn, letters, ...options } = setup;
  const services = buildServices(db, { ...(kn ? { kn } : {}), ...(options.now ? { now: options.now } : {}), ...(letters ? { letters } : {}), ...(options.log ? { log: options.log } : {}) });
  return new Engine({
    ...options, db, flows: registry, services,
    zoneOf: (place) => (place.channel ? services.digests.channel({ platform: place.platform, ...(place.tenant ? { tenant: place.tenant } : {}), channel: place.channel })?.zone : undefined),
  });
}

export interface App { db: Db; engine: Engine<Services>; inbox: Inbox; outbound: Outbound; close(): void }

export function openApp(config: Config, opts: { log?: Logger; now?: Clock; inboxMaxOpen?: number } = {}): App {
  const db = openDb(config.dbPath);
  const { inboxMaxOpen = config.inboxMax, ...engineOpts } = opts;
  const letters = new LetterService(db, { ...(config.llm ? { narrative: narrativeWriter(config, opts.log) } : {}), ...(opts.log ? { log: opts.log } : {}) });
  const engine = openEngine(db, { sessionTtlMs: config.sessionTtlMs, zone: config.zone, letters, ...engineOpts });
  const inbox = new Inbox({ db, engine, ...(opts.log ? { log: opts.log } : {}), maxOpen: inboxMaxOpen });
  return { db, engine, inbox, outbound: new Outbound(db, opts.now), close: () => db.close() };
}
