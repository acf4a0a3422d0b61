/**
 * The house: everything medbill runs on, built in one place (the composition root). On top of the back
 * office (the database, the knowledge and the services: back-office.ts) it builds the engine with medbill's
 * flows, the inbox and the way out, each once and on first use. `medbill serve`, `medbill chat` and the
 * scripted conversations take what they need from it; nothing below src/root builds a service.
 */
import { Engine, type EngineOptions } from '../engine/engine.js';
import { Inbox, type InboxOptions } from '../engine/inbox.js';
import { Outbound } from '../engine/outbound.js';
import { flows as medbillFlows } from '../../flows/index.js';
import type { Services } from '../../flows/context.js';
import type { FlowRegistry } from '../engine/registry.js';
import type { Storage } from '../store/storage.js';
import type { HeldStore } from '../store/held.js';
import type { Config } from '../config.js';
import { BackOffice, narrativeWriter, type BackOfficeOptions } from './back-office.js';
import { openConfiguredStorage } from './storage.js';
import { once } from './shelf.js';
import { practiceOf, type PracticeOf } from './practices.js';
import { DEFAULT_PRACTICE } from '../store/settings.js';

type EngineSettings = Omit<EngineOptions<Services>, 'storage' | 'flows' | 'services' | 'zoneOf' | 'ready' | 'servicesFor' | 'practiceZone' | 'practiceOf'>;

/** How a house is set up: its knowledge, clock and log, and the engine's and the inbox's settings. */
export type HouseOptions = BackOfficeOptions & EngineSettings & {
  /** The flows to run (default medbill's, flows/index.ts). */
  flows?: FlowRegistry<Services>;
  /** Open inbox events above which new ones are refused for now (default the inbox's). */
  inboxMaxOpen?: number;
  /** The inbox's lease on the events it works on, and this process's name on them (see InboxOptions). */
  inboxLeaseMs?: number;
  replicaId?: string;
  /** Which practice a place belongs to (src/root/practices.ts; default: every place is practice 'default'). */
  practiceOf?: PracticeOf;
};

export class House extends BackOffice {
  private readonly flows: FlowRegistry<Services>;
  private readonly inboxOptions: Pick<InboxOptions, 'maxOpen' | 'leaseMs' | 'owner'>;
  private readonly settings: EngineSettings;
  private inboxBuilt = false;

  constructor(storage: Storage, opts: HouseOptions = {}) {
    const { shelf, narrative, flows, inboxMaxOpen, inboxLeaseMs, replicaId, practiceOf: whose, ...settings } = opts;
    super(storage, { ...(shelf ? { shelf } : {}), ...(narrative ? { narrative } : {}), ...(settings.now ? { now: settings.now } : {}), ...(settings.log ? { log: settings.log } : {}) });
    this.flows = flows ?? medbillFlows;
    this.inboxOptions = {
      ...(inboxMaxOpen !== undefined ? { maxOpen: inboxMaxOpen } : {}), ...(inboxLeaseMs !== undefined ? { leaseMs: inboxLeaseMs } : {}), ...(replicaId ? { owner: replicaId } : {}),
    };
    this.settings = settings;
    this.practiceOfPlace = whose ?? (() => DEFAULT_PRACTICE);
  }

  /** Which practice a place is (the engine's practiceOf; default: every place is practice 'default'). */
  private readonly practiceOfPlace: PracticeOf;

  private readonly theEngine = once(() => new Engine({
    ...this.settings, storage: this.storage, flows: this.flows, services: this.services, ready: this.ready(),
    practiceOf: this.practiceOfPlace,
    // Each practice's services over its own view of the storage, made once (the knowledge and the code index are shared).
    servicesFor: (practice) => this.practiceOffice(practice).services,
    // Read at each turn, so a setting made by another process (medbill practice set) holds from the next message.
    practiceZone: async (practice) => (await this.practiceOffice(practice).loadSettings())?.zone,
    // Each digest channel's own zone is that channel's "today" (a Denied pressed under the digest is dated as the digest is).
    zoneOf: async (place) => (place.channel
      ? (await this.practiceOffice(this.practiceOfPlace(place)).digests.channel({ platform: place.platform, ...(place.tenant ? { tenant: place.tenant } : {}), channel: place.channel }))?.zone
      : undefined),
  }));
  private readonly theInbox = once(() => {
    this.inboxBuilt = true;
    return new Inbox({ store: this.storage.inbox, engine: this.engine, ...(this.settings.log ? { log: this.settings.log } : {}), ...this.inboxOptions });
  });
  // A reference is kept in the practice of the address it reaches.
  private readonly theOutbound = once(() => new Outbound((address) => this.storage.practice(this.practiceOfPlace(address)).references, this.settings.now));

  /** The practice a place belongs to (MEDBILL_PRACTICES). */
  practiceFor(place: { platform: string; tenant?: string }): string {
    return this.practiceOfPlace(place);
  }

  /** The things held by token (an offered file, a chart's picture) of the practice a place belongs to. */
  readonly heldOf = (place: { platform: string; tenant?: string }): HeldStore => this.storage.practice(this.practiceOfPlace(place)).held;

  /** medbill's engine: its flows, their services, the sessions. */
  get engine(): Engine<Services> { return this.theEngine(); }
  /** The durable inbox the platforms' events wait in. */
  get inbox(): Inbox { return this.theInbox(); }
  /** The way out: posts to channels, keyed ones included (the digest). */
  get outbound(): Outbound { return this.theOutbound(); }

  /** Stops the inbox (its leases let go, see Inbox.stop) before the database closes. */
  override async close(): Promise<void> {
    if (this.inboxBuilt) await this.inbox.stop();
    return super.close();
  }
}

/**
 * The house over MEDBILL_DB, set up from the configuration (sessions, the practice's zone, the inbox, the
 * narrative). `oneShot`: a command that takes one message and exits (no WAL checkpoint thread).
 */
export function openHouse(config: Config, opts: Omit<HouseOptions, 'narrative'> & { oneShot?: boolean } = {}): House {
  const { oneShot, ...options } = opts;
  return new House(openConfiguredStorage(config, { serving: !oneShot }), {
    sessionTtlMs: config.sessionTtlMs, zone: config.zone, inboxMaxOpen: config.inboxMax, inboxLeaseMs: config.inboxLeaseMs,
    // On the SQLite file one process serves: after a restart it takes its events back at once.
    replicaId: config.replicaId ?? (config.databaseUrl ? undefined : 'local'),
    // A one-shot command acts on MEDBILL_PRACTICE; a serving house finds each place's practice (MEDBILL_PRACTICES).
    practiceOf: oneShot ? () => config.practice : practiceOf(config.practices),
    ...(config.llm ? { narrative: narrativeWriter(config, options.log) } : {}),
    ...options,
  });
}

/** medbill's engine over storage the caller brings (tests and tools). */
export function openEngine(storage: Storage, opts: HouseOptions = {}): Engine<Services> {
  return new House(storage, opts).engine;
}
