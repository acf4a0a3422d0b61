/**
 * One contract for every chat platform (Slack, Teams, the local page, the terminal, a test's fake): what the
 * composition root starts, serves and stops, and how medbill writes to it. The engine decides what to say and
 * where it may go (outbound.ts routes replies by privacy); an adapter only carries that out in its platform's
 * idiom. Platforms whose events are acknowledged before they are answered take them through the shared intake
 * (intake.ts); the page and the terminal answer in the same exchange.
 * Adding a platform is one file that implements this interface (see test/support/fake-adapter.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './model.js';
import type { OutboundPort } from './outbound.js';

/** A path an adapter serves on medbill's HTTP server. It may throw HttpError; the server answers for it. */
export interface AdapterRoute { path: string; handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> }

export interface ChatAdapter extends OutboundPort {
  /** The platform's name: the `platform` of its turns and addresses ('slack', 'teams', 'web', 'terminal'). */
  readonly name: string;
  /** What it serves on medbill's HTTP server; none for a socket (Slack's Socket Mode) or the terminal. */
  readonly routes: AdapterRoute[];
  /**
   * Starts taking and delivering events (a platform connects here; the inbox resumes its unanswered events).
   * Throws AdapterRetrying when it could not start yet and keeps trying by itself; anything else means it is off.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One line for the operator once started: where the platform reaches medbill (`url`: the server's address). */
  describe(url: string): string;
  /** How one reply looks on the platform: its messages, cards or text, in the order they are sent. */
  render(reply: Reply): unknown[];
}

/** An adapter could not start yet and keeps trying by itself: its routes stay, answering "try later" meanwhile. */
export class AdapterRetrying extends Error {
  override readonly name: string = 'AdapterRetrying';
}
