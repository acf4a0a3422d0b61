/**
 * The shared intake of the platforms that acknowledge an event before answering it (Slack, Teams, a test's
 * fake): take the event → remember how to reach whoever wrote (and the channel) → record it in the inbox →
 * deliver the replies the inbox hands back, or apologise to the person when that fails. An adapter supplies
 * only what is its platform's: its route (where replies go, platform ids only), the references to remember,
 * and how to deliver and apologise.
 */
import type { Accepted, Deliver, Delivery, Inbox } from './inbox.js';
import type { Outbound, OutboundPort } from './outbound.js';
import type { Address } from '../store/address.js';
import type { Reply, Turn } from './model.js';
import { errorFields, type Logger } from '../log.js';

export const APOLOGY = 'Sorry: medbill could not send its whole answer just now. Please try again in a minute.';

/**
 * A delivery that, when it fails, logs the failure (its class, never the content) under `event` and tells
 * the person with APOLOGY where the platform can still be reached.
 */
export function deliverOrApologise<R>(deliver: (replies: Reply[], route: R, delivery: Delivery) => Promise<void>, apologise: (route: R, text: string) => Promise<void>, log: Logger, event: string): Deliver {
  return async (replies, route, _turn, delivery) => {
    const r = route as R; // the adapter's own route, stored by its own take()
    try {
      await deliver(replies, r, delivery);
    } catch (err) {
      log.log('error', event, errorFields(err));
      try {
        await apologise(r, APOLOGY);
      } catch {
        // The platform itself is unreachable; the log has it.
      }
    }
  };
}

/** What a platform adapter gives the intake. `R` is its route: stored with the event, so ids only, never content. */
export interface IntakeOptions<R> {
  platform: string;
  inbox: Inbox;
  outbound: Outbound;
  log: Logger;
  /**
   * Sends a turn's replies where the route says (the engine's routeReplies decides DM or channel). `delivery`:
   * the event's key, and whether its answer may have gone out in part before (see Delivery).
   */
  deliver(replies: Reply[], route: R, delivery: Delivery): Promise<void>;
  /** Tells the person that delivery failed (APOLOGY), where the platform can still reach them. */
  apologise(route: R, text: string): Promise<void>;
  /** The addresses an accepted event makes reachable later, with what the platform needs to write there. */
  references(route: R): { address: Address; reference?: unknown }[] | Promise<{ address: Address; reference?: unknown }[]>;
}

export interface Intake<R> {
  /**
   * Records the turn before the platform is acknowledged: `accepted` once it is on disk. `mustKeep`: the
   * platform was acknowledged already and cannot retry (Slack's Socket Mode), so a full inbox keeps it too.
   */
  take(turn: Turn & { eventId: string }, route: R, opts?: { mustKeep?: boolean }): Promise<Accepted>;
  /** Starts delivering (the inbox resumes the platform's unanswered events) and writing unasked through `port`. */
  open(port: OutboundPort): Promise<void>;
}

export function createIntake<R>(opts: IntakeOptions<R>): Intake<R> {
  const { platform, inbox, outbound, log } = opts;
  const deliver = deliverOrApologise<R>((replies, route, delivery) => opts.deliver(replies, route, delivery), (route, text) => opts.apologise(route, text), log, `${platform}-delivery-failed`);
  return {
    async take(turn, route, takeOpts = {}) {
      const outcome = await inbox.accept(turn, route, takeOpts);
      if (outcome === 'accepted') for (const r of await opts.references(route)) await outbound.remember(r.address, r.reference ?? {});
      if (outcome === 'duplicate') log.log('info', `${platform}-duplicate-event`, {});
      return outcome;
    },
    async open(port) {
      await inbox.register(platform, deliver);
      outbound.register(platform, port);
    },
  };
}
