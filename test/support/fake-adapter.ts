/**
 * A chat platform that does not exist, as one file: what it takes to add a platform to medbill. It serves
 * POST /fake/events (JSON: an event id, the person, a channel if any, and text, a button value or a form),
 * takes each event through the shared intake (remembered, recorded in the inbox before the 200, answered
 * once), and "sends" by recording what a person or a channel would see. Replies go where the engine's routing
 * says (a case only in the DM), as for every platform.
 */
import { z } from 'zod';
import { createIntake } from '../../src/engine/intake.js';
import type { ChatAdapter } from '../../src/engine/chat-adapter.js';
import type { Inbox } from '../../src/engine/inbox.js';
import { isChannel, routeReplies, type Address, type DmAddress, type Outbound, type OutboundPort } from '../../src/engine/outbound.js';
import type { Input, Reply } from '../../src/engine/model.js';
import { HttpError, readBody, sendJson } from '../../src/http.js';
import type { Logger } from '../../src/log.js';

export const FAKE_PATH = '/fake/events';

/** What the fake platform shows for one reply: its text, its buttons, and the files it carries. */
export interface FakeMessage { text: string; buttons: { label: string; value: string }[]; files: string[] }
/** A message as sent: to a person's DM or to a channel. */
export interface FakeSent { to: { user: string } | { channel: string }; message: FakeMessage }

const Event = z.strictObject({
  id: z.string().min(1).max(200), user: z.string().min(1).max(200), channel: z.string().max(200).optional(),
  text: z.string().max(20_000).optional(), button: z.string().max(2000).optional(),
  form: z.strictObject({ id: z.string().max(100), values: z.record(z.string(), z.string()) }).optional(),
});

/** Where a turn's replies go: the person, and the channel they wrote in. */
interface FakeRoute { user: string; channel?: string }

const render = (reply: Reply): FakeMessage[] => [{
  text: reply.text,
  buttons: reply.parts.flatMap((p) => (p.kind === 'choices' || p.kind === 'item' ? p.choices : p.kind === 'checklist' ? p.items.map((i) => ({ label: i.label, value: i.toggle })) : [])).map((c) => ({ label: c.label, value: c.value })),
  files: reply.parts.flatMap((p) => (p.kind === 'file' ? [p.name] : [])),
}];

export function createFakeAdapter(opts: { inbox: Inbox; outbound: Outbound; log: Logger }): ChatAdapter & { sent: FakeSent[] } {
  const sent: FakeSent[] = [];
  const show = (address: Address, replies: Reply[]) => {
    for (const reply of replies) for (const message of render(reply)) sent.push({ to: isChannel(address) ? { channel: address.channel } : { user: address.user }, message });
  };
  const port: OutboundPort = { send: async (address, replies) => show(address, replies) };
  const intake = createIntake<FakeRoute>({
    platform: 'fake', ...opts,
    deliver: async (replies, route) => {
      const person: DmAddress = { platform: 'fake', user: route.user };
      const where: Address = route.channel ? { platform: 'fake', channel: route.channel } : person;
      for (const d of routeReplies(replies, where, person)) show(d.address, d.replies);
    },
    apologise: async (route, text) => show({ platform: 'fake', user: route.user }, [{ text, parts: [], privacy: 'any' }]),
    references: (route) => [{ address: { platform: 'fake', user: route.user } }, ...(route.channel ? [{ address: { platform: 'fake', channel: route.channel } }] : [])],
  });
  return {
    ...port,
    name: 'fake',
    sent,
    routes: [{
      path: FAKE_PATH,
      handle: async (req, res) => {
        if (req.method !== 'POST') throw new HttpError(405, 'POST only', { allow: 'POST' });
        const event = Event.safeParse(JSON.parse(await readBody(req, 64 * 1024)));
        if (!event.success) throw new HttpError(400, 'not a fake event');
        const e = event.data;
        const input: Input = e.form ? { kind: 'form', form: e.form.id, values: e.form.values } : e.button ? { kind: 'button', value: e.button } : { kind: 'text', text: (e.text ?? '').replace(/^@medbill\s*/, '') || 'help' };
        const outcome = await intake.take({ eventId: `fake:${e.id}`, platform: 'fake', user: e.user, conversation: 'dm', direct: !e.channel, input, ...(e.channel ? { channel: e.channel } : {}) }, { user: e.user, ...(e.channel ? { channel: e.channel } : {}) });
        if (outcome === 'busy') throw new HttpError(503, 'busy');
        sendJson(res, 200, { outcome });
      },
    }],
    start: async () => intake.open(port),
    stop: async () => {},
    describe: (url) => `Fake: on; events to ${url}${FAKE_PATH}.`,
    render,
  };
}
