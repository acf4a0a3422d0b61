/**
 * Where medbill writes on a platform: a person's DM, or a shared channel (or a thread in it). Records carry
 * addresses (the digest's channel, a conversation reference), so they live with the stores.
 */

/** A person's direct conversation with medbill. */
export interface DmAddress { platform: string; tenant?: string; user: string }
/** A shared channel, or a thread in it. */
export interface ChannelAddress { platform: string; tenant?: string; channel: string; thread?: string }
export type Address = DmAddress | ChannelAddress;

export const isChannel = (a: Address): a is ChannelAddress => 'channel' in a;

/** The key a reference (or a digest channel) is kept under. */
export function addressKey(a: Address): string {
  return isChannel(a) ? [a.platform, a.tenant ?? '', 'channel', a.channel].join(':') : [a.platform, a.tenant ?? '', 'dm', a.user].join(':');
}
