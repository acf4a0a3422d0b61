/**
 * The daily digest, from chat: "digest here 8:00 America/Chicago" (typed in the channel that should get
 * it), "digest off", "digest" to see what is set, and "today" to see what is due right now, where you are.
 */
import { z } from 'zod';
import { stateSchema, type Outcome } from '../src/engine/flow.js';
import { type Flow, type FlowContext } from './context.js';
import { reply } from '../src/engine/model.js';
import type { ChannelAddress } from '../src/store/address.js';
import { describeSchedule, parseDigestSetting } from '../src/scheduler/digest-settings.js';
import { buildDigest, digestReplies } from '../src/claims/digest.js';

function channelOf(ctx: FlowContext): ChannelAddress | undefined {
  const p = ctx.place;
  if (!p?.channel) return undefined;
  return { platform: p.platform, ...(p.tenant ? { tenant: p.tenant } : {}), channel: p.channel };
}

/** What is due today on claims, here (a DM, the local page, or a channel: the digest carries no identifiers). */
export async function todayOutcome(ctx: FlowContext): Promise<Outcome> {
  return { replies: digestReplies(await buildDigest(ctx.claims.store, ctx.today(), ctx.claims.kn.policy)) };
}

async function settings(ctx: FlowContext, text: string): Promise<Outcome> {
  const setting = parseDigestSetting(text);
  const here = channelOf(ctx);
  const current = here ? await ctx.digests.channel(here) : undefined;
  switch (setting.kind) {
    case 'error':
    case 'incomplete':
      return { replies: [reply(setting.message)] };
    case 'show': {
      const all = await ctx.digests.channels();
      const lines = here
        ? [current ? `This channel gets the claims digest at ${describeSchedule(current)}.` : 'This channel gets no digest. Type "digest here 8:00 America/Chicago" to start one.']
        : [all.length ? `The claims digest goes to ${all.length} channel${all.length > 1 ? 's' : ''}.` : 'No channel gets the claims digest yet. Type "digest here 8:00 America/Chicago" in the billing channel.'];
      return { replies: [reply(`${lines.join(' ')} Type "today" to see what is due now.`)] };
    }
    case 'off': {
      if (!here) return { replies: [reply('Type "digest off" in the channel that should stop getting it.')] };
      if (!current) return { replies: [reply('This channel gets no digest; nothing to stop.')] };
      return { replies: [reply('The claims digest will no longer be posted here.')], writes: [{ kind: 'digest.remove-channel', address: here }] };
    }
    case 'set': {
      if (!here) return { replies: [reply('Type this in the channel where the digest should be posted (e.g. #billing): "/medbill digest here 8:00 America/Chicago". Direct messages and the local page show it with "today".')] };
      const schedule = { localTime: setting.localTime, zone: setting.zone, weekdays: setting.weekdays };
      return {
        replies: [reply(`The claims digest will be posted here at ${describeSchedule(schedule)}: follow-ups due, appeal deadlines, records requests, expiring authorizations. Case IDs, payers, codes and amounts only: never a patient's name.`)],
        writes: [{ kind: 'digest.set-channel', channel: { address: here, ...schedule }, at: ctx.now() }],
      };
    }
  }
}

export const digestFlow: Flow = {
  id: 'digest',
  version: 1,
  title: 'Daily claims digest',
  commands: [/^\s*\/?digest\b[:\s]*/i, /^(?=\s*\/?(?:today|what'?s due(?: today)?|due today)\s*[?.!]?\s*$)/i],
  // In a channel: "today" shows what is due there, "digest here" starts the daily post (it asks for the time).
  menu: { label: "Today's claims", example: '"today", or "digest here 8:00 America/Chicago" in the billing channel', words: ['today', 'digest here'], inChannels: true },
  stateSchema: stateSchema(['done'], z.object({})),
  examples: ['what is due today', 'today', 'claims due today', 'follow ups due', 'daily digest', 'what needs follow up'],
  start: (ctx, seed) => {
    const text = seed.text?.trim() ?? '';
    if (!text || /^(?:now|today)\b/i.test(text)) return todayOutcome(ctx);
    return settings(ctx, text);
  },
  handle: (_ctx, st) => ({ state: st, replies: [], unhandled: true }),
  prompt: async (ctx) => (await todayOutcome(ctx)).replies,
  why: () => 'The digest lists the claims that need someone today, so none goes stale.',
};
