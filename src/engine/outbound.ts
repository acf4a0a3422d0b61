/**
 * The way out: medbill writes to an `Address` (a person's DM, or a channel or thread) on a platform through
 * that platform's `OutboundPort`, also when no message came in (the daily digest, a letter finished later).
 * Where each reply may go is decided here, once, for every platform: a reply marked `direct-only` (anything
 * about a case) goes to the person's DM, never to a channel; the channel gets a short pointer instead.
 * Adapters only carry the decision out. Conversation references (what a platform needs to write to an
 * address: Teams' service URL, Slack's DM channel) are remembered when a person or channel first talks.
 */
import type { ReferenceStore } from '../store/references.js';
import type { Reply } from './model.js';
import { addressKey, isChannel, type Address, type ChannelAddress, type DmAddress } from '../store/address.js';

/** What each platform's adapter implements. `reference` is what was remembered for the address, if anything. */
export interface OutboundPort {
  send(address: Address, replies: Reply[], reference: unknown): Promise<void>;
  /**
   * Posts replies to a channel as numbered parts (one message each), every message marked with `post.key` and
   * its part ("part n of N") where the platform can carry it, so `findKeyed` can find each one later; parts
   * numbered in `post.skip` are already there and not posted again, and `post.posted` hears of each part as
   * it goes out. Returns the platform's id of the first message it posted.
   */
  sendKeyed?(address: ChannelAddress, replies: Reply[], post: KeyedPost, reference: unknown): Promise<{ messageId?: string }>;
  /** The recent posts marked with `key` in the channel, one per part found, in part order (none: nothing found). */
  findKeyed?(address: ChannelAddress, key: string, reference: unknown): Promise<KeyedPart[]>;
}

/** One message of a keyed post: part `part` (1-based) of `of`, and the platform's id for it. */
export interface KeyedPart { part: number; of: number; messageId: string }

/** A keyed post (the digest's): its key, the parts already out, and who hears of each part as it goes out. */
export interface KeyedPost {
  key: string;
  skip?: ReadonlySet<number>;
  posted?: (part: KeyedPart) => Promise<void>;
}

export const POINTER = 'I answered you in a direct message: case details stay out of channels.';

/** A delivery: the replies for one address. */
export interface Delivery { address: Address; replies: Reply[] }

/**
 * Where replies go when `person` asked at `where`: direct-only replies to the person's DM; the others where
 * they asked; and, when anything moved to the DM from a channel, a pointer there. A reply about a case never
 * reaches a channel, whatever the adapter does with the rest.
 */
export function routeReplies(replies: Reply[], where: Address, person: DmAddress | undefined): Delivery[] {
  if (!isChannel(where)) return replies.length ? [{ address: where, replies }] : [];
  const shared = replies.filter((r) => r.privacy !== 'direct-only');
  const direct = replies.filter((r) => r.privacy === 'direct-only');
  if (direct.length && !person) throw new PrivacyRefusedError('a reply about a case cannot go to a channel, and no person was given to send it to');
  const out: Delivery[] = [];
  if (person && direct.length) out.push({ address: person, replies: direct });
  const channelReplies = direct.length ? [...shared, { text: POINTER, parts: [], privacy: 'any' as const }] : shared;
  if (channelReplies.length) out.push({ address: where, replies: channelReplies });
  return out;
}

export class PrivacyRefusedError extends Error {
  override readonly name = 'PrivacyRefusedError';
}

/**
 * How long an unchanged reference is not written again by this process. Bounded: another replica may have
 * written a different one for the address since (the database holds the last write), and this one's is
 * written again after at most this long.
 */
export const REMEMBERED_MS = 60_000;
const MAX_REMEMBERED = 10_000;

export class Outbound {
  private readonly ports = new Map<string, OutboundPort>();
  /** What this process wrote per address, and when: an unchanged reference is not written on every event. */
  private readonly written = new Map<string, { value: string; at: number }>();

  private readonly referencesOf: (where: Pick<Address, 'platform' | 'tenant'>) => ReferenceStore;

  /** `references`: the store, or (several practices) the store of the practice a platform's tenant belongs to. */
  constructor(references: ReferenceStore | ((where: Pick<Address, 'platform' | 'tenant'>) => ReferenceStore), private readonly now: () => number = Date.now) {
    this.referencesOf = typeof references === 'function' ? references : () => references;
  }

  /** An adapter offers its way out. */
  register(platform: string, port: OutboundPort): void {
    this.ports.set(platform, port);
  }

  /** Remembers how to reach an address (called by adapters when a person or a channel talks to medbill). */
  async remember(address: Address, reference: unknown = {}): Promise<void> {
    const key = addressKey(address);
    const value = JSON.stringify({ address, reference });
    const now = this.now();
    const last = this.written.get(key);
    if (last?.value === value && now - last.at < REMEMBERED_MS) return;
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    this.written.set(key, { value, at: now });
    try {
      await this.referencesOf(address).put(key, address.platform, { address, reference }, now);
    } catch (err) {
      this.written.delete(key); // not kept: written again next time
      throw err;
    }
  }

  /** The addresses remembered on a platform (the channels that could get a digest, say), in the practice of `tenant` on it. */
  async known(platform: string, tenant?: string): Promise<Address[]> {
    return (await this.referencesOf({ platform, ...(tenant ? { tenant } : {}) }).list(platform)).map((r) => (r.ref as { address: Address }).address);
  }

  /**
   * Writes to an address, unasked. A channel gets no reply about a case (PrivacyRefusedError); send those to
   * the person's DM.
   */
  async send(address: Address, replies: Reply[]): Promise<void> {
    const port = this.port(address.platform);
    for (const d of routeReplies(replies, address, undefined)) await port.send(d.address, d.replies, await this.reference(d.address));
  }

  /**
   * Posts to a channel with a key a later `findKeyed` recognises, part by part (the digest: a process that
   * crashed mid-post must post only the parts missing); `post.skip` holds the part numbers already there.
   * Replies must be fit for a channel: one about a case is refused.
   */
  async sendKeyed(address: ChannelAddress, replies: Reply[], post: KeyedPost): Promise<{ messageId?: string }> {
    const port = this.port(address.platform);
    if (replies.some((r) => r.privacy === 'direct-only')) throw new PrivacyRefusedError('a reply about a case cannot go to a channel');
    if (!port.sendKeyed) throw new Error(`${address.platform} cannot post keyed messages`);
    return port.sendKeyed(address, replies, post, await this.reference(address));
  }

  /** The parts of a post marked with `key`, as far as the platform can tell; none when it cannot look. */
  async findKeyed(address: ChannelAddress, key: string): Promise<KeyedPart[]> {
    const port = this.port(address.platform);
    return port.findKeyed ? port.findKeyed(address, key, await this.reference(address)) : [];
  }

  private port(platform: string): OutboundPort {
    const port = this.ports.get(platform);
    if (!port) throw new Error(`nothing can send on ${platform} (its adapter is not running)`);
    return port;
  }

  /** What was remembered for an address (see remember), if anything. */
  async reference(address: Address): Promise<unknown> {
    return ((await this.referencesOf(address).get(addressKey(address))) as { reference?: unknown } | undefined)?.reference;
  }
}
