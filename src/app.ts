/** The running parts every front end shares: the storage, the engine (with medbill's flows), the inbox and the way out, opened from the configuration. */
import type { Storage } from './store/storage.js';
import { openSqliteStorage } from './store/sqlite/index.js';
import { Engine } from './engine/engine.js';
import { Inbox } from './engine/inbox.js';
import { Outbound } from './engine/outbound.js';
import { flows } from '../flows/index.js';
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

export interface App { storage: Storage; engine: Engine; inbox: Inbox; outbound: Outbound; close(): Promise<void> }

export function openApp(config: Config, opts: { log?: Logger; now?: Clock; inboxMaxOpen?: number } = {}): App {
  const storage = openSqliteStorage(config.dbPath);
  const { inboxMaxOpen = config.inboxMax, ...engineOpts } = opts;
  const letters = new LetterService(storage.letters, { ...(config.llm ? { narrative: narrativeWriter(config, opts.log) } : {}), ...(opts.log ? { log: opts.log } : {}) });
  const engine = new Engine({ storage, flows, sessionTtlMs: config.sessionTtlMs, zone: config.zone, letters, ...engineOpts });
  const inbox = new Inbox({ store: storage.inbox, engine, ...(opts.log ? { log: opts.log } : {}), maxOpen: inboxMaxOpen });
  return { storage, engine, inbox, outbound: new Outbound(storage.references, opts.now), close: () => storage.close() };
}
