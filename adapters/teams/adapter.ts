/**
 * medbill in Microsoft Teams, through the Microsoft 365 Agents SDK (@microsoft/agents-hosting).
 * Activities arrive at /api/messages on medbill's own HTTP server: the SDK's `authorizeJWT` checks the Bot
 * Framework token (anonymous only in dev mode, see config.ts), then medbill reads the activity itself and
 * records the turn in the inbox before Teams gets its 200, as Slack's events are. The inbox applies the
 * turn and hands the Replies to `deliver` here, which sends them as Adaptive Cards through the SDK's
 * CloudAdapter to the activity's serviceUrl.
 * A person has one conversation with medbill (their personal chat): a mention in a channel continues it.
 * Anything direct-only goes to the personal chat, never to the channel; the channel thread gets a pointer.
 * A button press is an `adaptiveCard/action` invoke, answered in its own HTTP response with the card that
 * replaces the pressed one: the turn goes through the inbox like any other, and its delivery hands that card
 * to the waiting response (a ticked checklist is redrawn in place; any other card shows what was chosen,
 * and the answer follows as new messages). Files are offered with a consent card (files.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { AuthType, CloudAdapter, authorizeJWT, createOutboundHostValidator, getAuthConfigWithDefaults, type AuthConfiguration, type ConnectorClient, type Connections } from '@microsoft/agents-hosting';
import { Activity } from '@microsoft/agents-activity';
import { z } from 'zod';
import type { Accepted, Inbox } from '../../src/engine/inbox.js';
import { createIntake } from '../../src/engine/intake.js';
import type { ChatAdapter } from '../../src/engine/chat-adapter.js';
import { routeReplies, type Outbound, type OutboundPort } from '../../src/engine/outbound.js';
import { isChannel, type Address, type DmAddress } from '../../src/store/address.js';
import type { Input, Reply, ReplyPart, Turn } from '../../src/engine/model.js';
import { HttpError, readBody } from '../../src/http.js';
import { errorFields, type Logger } from '../../src/log.js';
import type { TeamsConfig } from './config.js';
import { ASKED_KEY, BUTTON_KEY, CARD_CONTENT_TYPE, FORM_KEY, LABEL_KEY, VERB, pressedCard, renderActivities, renderCards, type AdaptiveCard, type PictureUrl } from './cards.js';
import { ConsentAnswerShape, FILE_KIND, FILE_TTL_MS, consentCard, fileInfoCard, isOneDriveUrl, tokenOf, upload, type ConsentAnswer } from './files.js';
import { Holding, type HeldFor } from './held.js';

export const TEAMS_SURFACE = { messagesPath: '/api/messages', picturePath: '/teams/picture' } as const;

/** Activities are a few KB; a card's submitted form a little more. */
export const MAX_TEAMS_BODY_BYTES = 256 * 1024;

/** Where a turn's replies go; stored with the event in the inbox, so only Teams ids and the service URL. */
export interface TeamsRoute {
  /** The person's Teams id (29:…). */
  user: string;
  tenant?: string;
  serviceUrl: string;
  /** The bot's id in this conversation (28:…). */
  bot: string;
  /** Their personal chat with medbill, when the turn came from it. */
  personal?: string;
  /** A channel (its conversation id without ;messageid=) and the thread's root message. */
  channel?: string;
  thread?: string;
  /** A card's button press (an invoke): the event id whose HTTP response waits for the redrawn card. */
  invoke?: string;
}

/** What is remembered for an address: enough to write to it later. */
interface TeamsReference { serviceUrl: string; conversation?: string; bot: string }

const id = z.string().min(1).max(1000);
const ActivityShape = z.looseObject({
  type: z.string().max(100),
  /** An invoke's name: `adaptiveCard/action` (a button), `fileConsent/invoke` (a file offer answered). */
  name: z.string().max(200).optional(),
  id: id.optional(),
  replyToId: id.optional(),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2000),
  conversation: z.looseObject({ id, conversationType: z.string().max(50).optional(), tenantId: id.optional() }),
  from: z.looseObject({ id, aadObjectId: id.optional() }),
  recipient: z.looseObject({ id }),
  text: z.string().max(40_000).optional(),
  value: z.unknown().optional(),
  membersAdded: z.array(z.looseObject({ id })).max(1000).optional(),
  entities: z.array(z.looseObject({ type: z.string().max(100).optional(), text: z.string().max(2000).optional() })).max(100).optional(),
  channelData: z.looseObject({ tenant: z.looseObject({ id: id.optional() }).optional() }).optional(),
});
type InboundActivity = z.infer<typeof ActivityShape>;

/** The value of an `adaptiveCard/action` invoke: the pressed Action.Execute, its data merged with the card's inputs. */
const CardActionShape = z.looseObject({
  action: z.looseObject({ type: z.literal('Action.Execute'), verb: z.string().max(200).optional(), data: z.record(z.string(), z.unknown()).optional() }),
});

/** Invoke answers, as Universal Actions define them (the HTTP status is 200; the outcome is in the body). */
const invokeCard = (card: AdaptiveCard) => ({ statusCode: 200, type: CARD_CONTENT_TYPE, value: card });
const invokeError = (message: string) => ({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } });

/** Its routes: /api/messages and /teams/picture. `start` starts delivering (the inbox resumes Teams turns acknowledged before a restart). */
export interface TeamsAdapter extends ChatAdapter {
  /** The /api/messages route. Throws HttpError for what the server answers as a 4xx or 5xx. */
  requestListener: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The /teams/picture route: a chart's PNG, by the token in a card's link. */
  pictureListener: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/** The Express-style response the SDK's middleware writes to, over node:http; every path ends the response. */
function expressResponse(res: ServerResponse) {
  let code = 200;
  const shim = {
    status(status: number) {
      code = status;
      return shim;
    },
    setHeader(name: string, value: string | number | readonly string[]) {
      if (!res.headersSent) res.setHeader(name, value);
      return shim;
    },
    send(body?: unknown) {
      if (res.writableEnded) return shim;
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      if (!res.headersSent) {
        res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      }
      res.end(text);
      return shim;
    },
    end() {
      if (res.writableEnded) return shim;
      if (!res.headersSent) res.writeHead(code, { 'content-length': 0 });
      res.end();
      return shim;
    },
    get headersSent() {
      return res.headersSent;
    },
    get writableEnded() {
      return res.writableEnded;
    },
  };
  return shim;
}

/** The host of a URL, lower-cased; undefined when it is not a URL (then it matches nothing). */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** A mention of the bot is markup in the text (<at>medbill</at>): the question is what is left. */
export function withoutMentions(text: string, entities: InboundActivity['entities']): string {
  let out = text;
  for (const e of entities ?? []) if (e.type === 'mention' && e.text) out = out.split(e.text).join(' ');
  return out.replace(/<at>[^<]*<\/at>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** A conversation id "19:…@thread.tacv2;messageid=123" is the channel and the root of a thread. */
export function splitConversation(conversationId: string): { channel: string; thread?: string } {
  const m = /^(.*?);messageid=([^;]+)$/.exec(conversationId);
  return m?.[1] && m[2] ? { channel: m[1], thread: m[2] } : { channel: conversationId };
}

/** What medbill itself puts in an action's data: the rest of a form's data is what the person typed. */
const CARD_KEYS = new Set([BUTTON_KEY, FORM_KEY, ASKED_KEY, LABEL_KEY]);

/** A press or a form in a card action's data (or an older Action.Submit's value), if it is one of medbill's. */
function pressOf(value: unknown): Input | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v[BUTTON_KEY] === 'string' && v[BUTTON_KEY]) return { kind: 'button', value: v[BUTTON_KEY].slice(0, 2000) };
  if (typeof v[FORM_KEY] === 'string') {
    const values: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) if (!CARD_KEYS.has(k) && (typeof x === 'string' || typeof x === 'number')) values[k] = String(x).slice(0, 2000);
    return { kind: 'form', form: v[FORM_KEY], values };
  }
  return undefined;
}

/** The input a message stands for: a press sent as a message (Action.Submit), or text. */
const inputOf = (a: InboundActivity): Input => pressOf(a.value) ?? { kind: 'text', text: withoutMentions(a.text ?? '', a.entities) || 'help' };

/**
 * Teams throttles a bot that sends fast (429, with Retry-After) and is sometimes briefly unavailable (503): the
 * activity was not posted, so it is sent again, after the wait Teams asks for (else 1, 2, 4 s), three times at
 * most. Other failures (and 502/504, which may have posted it) are not retried: a message twice is worse.
 */
export function retryWait(err: unknown, attempt: number): number | undefined {
  if (attempt >= 3 || typeof err !== 'object' || err === null) return undefined;
  const { status, response } = err as { status?: unknown; response?: { headers?: { get?: (name: string) => string | null } } };
  if (status !== 429 && status !== 503) return undefined;
  const seconds = Number(response?.headers?.get?.('retry-after') ?? Number.NaN);
  return Math.min(Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000 * 2 ** attempt, 30_000);
}

/** The SDK's settings for our configuration: the app, its tenant, and how it gets tokens (see TeamsCredential). */
export function sdkAuthConfig(config: TeamsConfig): AuthConfiguration {
  const c = config.credential;
  const credential = !c ? {}
    : c.kind === 'secret' ? { authType: AuthType.ClientSecret, clientSecret: c.secret }
      : c.kind === 'certificate' ? { authType: AuthType.Certificate, certPemFile: c.pemFile, certKeyFile: c.keyFile }
        : { authType: c.assigned === 'user' ? AuthType.UserManagedIdentity : AuthType.SystemManagedIdentity };
  return getAuthConfigWithDefaults({
    ...(config.appId ? { clientId: config.appId, tenantId: config.tenantId, validateIssuer: true, ...credential } : {}),
    ...(config.authority ? { authority: config.authority } : {}),
  });
}

const PICTURE_KIND = 'picture';
const PICTURE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function createTeamsAdapter(opts: {
  config: TeamsConfig; inbox: Inbox; outbound: Outbound; log: Logger;
  /** Service URL hosts replies may go to besides Microsoft's (tests: the local fake connector). In dev mode any host is allowed. */
  serviceHosts?: string[];
  /** Upload hosts besides OneDrive's for accepted files (tests: a local fake). In dev mode any host is allowed. */
  uploadHosts?: string[];
  /** How long a button press's response waits for its turn (Teams gives up on an invoke after some seconds). */
  invokeWaitMs?: number;
  /** Where tokens for sending come from: the SDK's own (MSAL, with the app's secret) unless given (tests: fixed tokens). */
  connections?: Connections;
  /**
   * Where offered files and chart pictures are held: the held things of the practice a tenant belongs to, in
   * the database, so any process can answer for them.
   */
  heldFor: HeldFor;
  now?: () => number;
}): TeamsAdapter {
  const { config, inbox, outbound, log } = opts;
  const held = new Holding(opts.heldFor, opts.now ?? Date.now);
  const publicUrl = config.publicUrl;
  // Chart pictures (figures only, no case details: a chart may be in a channel), a week, as chats are scrolled
  // back; held in the tenant's practice, which the link names for Teams' image fetcher (it brings no tenant).
  const picturesFor = (tenant: string | undefined): PictureUrl => (chart) => {
    if (!publicUrl) return undefined;
    const token = held.hold(tenant, { kind: PICTURE_KIND, bytes: Buffer.from(chart.pngBase64, 'base64'), mediaType: 'image/png' }, PICTURE_TTL_MS);
    return `${publicUrl.replace(/\/+$/, '')}${TEAMS_SURFACE.picturePath}?id=${token}${tenant ? `&tenant=${encodeURIComponent(tenant)}` : ''}`;
  };
  /** Button presses whose HTTP response waits for the card to answer with, by event id. */
  const invokeWaiters = new Map<string, (card: AdaptiveCard | undefined) => void>();
  const auth = sdkAuthConfig(config);
  // Without an app id, authorizeJWT lets a request without a token through (unless NODE_ENV=production).
  const authorize = authorizeJWT(auth);
  // Replies go only to Microsoft's connector hosts: an activity names its serviceUrl, and medbill must not be
  // made to send tokens or case details elsewhere. Dev mode has no token to protect and talks to local tools.
  const hostValidator = createOutboundHostValidator({ enabled: !config.dev, ...(opts.serviceHosts ? { hosts: opts.serviceHosts } : {}) });
  const adapter = new CloudAdapter(auth, undefined, undefined, undefined, hostValidator);
  if (opts.connections) adapter.connectionManager = opts.connections;
  // A continuation's identity: the app id (the SDK gets a token for it), or none at all in dev mode.
  const identity: Parameters<CloudAdapter['continueConversation']>[0] = config.appId ?? {};

  // ------------------------------------------------------------ delivery

  /** Runs `fn` with a connector client for the serviceUrl (a token for the app, or none in dev mode). */
  async function withClient(serviceUrl: string, conversation: string, fn: (client: ConnectorClient) => Promise<void>) {
    await adapter.continueConversation(identity, { serviceUrl, channelId: 'msteams', conversation: { id: conversation, isGroup: false } }, async (ctx) => {
      await fn(ctx.turnState.get<ConnectorClient>(adapter.ConnectorClientKey));
    });
  }

  /** A person's address, and their personal chat once known (remembered in SQLite, so it survives a restart). */
  const personOf = (p: { user: string; tenant?: string }): DmAddress => ({ platform: 'teams', ...(p.tenant ? { tenant: p.tenant } : {}), user: p.user });
  const personalChatKnown = async (p: { user: string; tenant?: string }) => ((await outbound.reference(personOf(p))) as TeamsReference | undefined)?.conversation;

  /**
   * Sends replies to a conversation of `to.tenant`, a card each. A file in a reply is offered to `to.user` with a
   * consent card after it; files are direct-only, so they reach only a personal chat (routeReplies), where the user is given.
   */
  async function post(serviceUrl: string, conversation: string, bot: string, replies: Reply[], to: { tenant?: string | undefined; user?: string }): Promise<string | undefined> {
    return send(serviceUrl, conversation, bot, replies.flatMap((reply) => [
      ...renderActivities(reply, picturesFor(to.tenant)),
      ...reply.parts.flatMap((part) => {
        if (part.kind !== 'file') return [];
        if (!to.user) throw new Error('a file can only be offered in a personal chat');
        return [{ type: 'message', attachments: [offer(to.tenant, to.user, part)] }];
      }),
    ]));
  }

  /**
   * Sends activities to a conversation, in order; the id of the first one sent. `each` (a keyed post) skips the
   * activities whose 1-based number it holds and hears of each one sent.
   */
  async function send(serviceUrl: string, conversation: string, bot: string, activities: Record<string, unknown>[], each: { skip?: ReadonlySet<number>; sent?: (n: number, id: string) => Promise<void> } = {}): Promise<string | undefined> {
    await held.settled(); // a card names a held file or picture only once it is stored
    let first: string | undefined;
    await withClient(serviceUrl, conversation, async (client) => {
      for (const [i, activity] of activities.entries()) {
        if (each.skip?.has(i + 1)) continue;
        const outgoing = Activity.fromObject({ ...activity, channelId: 'msteams', serviceUrl, conversation: { id: conversation }, from: { id: bot } });
        for (let attempt = 0; ; attempt++) {
          try {
            const sent = await client.sendToConversation(conversation, outgoing);
            first ??= sent.id;
            await each.sent?.(i + 1, sent.id);
            break;
          } catch (err) {
            const wait = retryWait(err, attempt);
            if (wait === undefined) throw err;
            await delay(wait);
          }
        }
      }
    });
    return first;
  }

  function offer(tenant: string | undefined, user: string, part: Extract<ReplyPart, { kind: 'file' }>) {
    const file = { name: part.name, mediaType: part.mediaType, bytes: Buffer.from(part.base64, 'base64') };
    const token = held.hold(tenant, { kind: FILE_KIND, bytes: file.bytes, name: file.name, mediaType: file.mediaType, owner: user }, FILE_TTL_MS);
    return consentCard(file, token, `${part.name}: medbill saves it to your OneDrive when you allow it.`);
  }

  /** The person's personal chat: known, or created (the app must be installed for them, as Teams requires). */
  async function personalChat(route: { user: string; tenant?: string; serviceUrl: string; bot: string; personal?: string }): Promise<string> {
    const known = route.personal ?? (await personalChatKnown(route));
    if (known) return known;
    let created: string | undefined;
    await withClient(route.serviceUrl, route.user, async (client) => {
      const res = await client.createConversation({
        isGroup: false, members: [{ id: route.user }], agent: { id: route.bot },
        ...(route.tenant ? { tenantId: route.tenant } : {}), channelData: route.tenant ? { tenant: { id: route.tenant } } : {},
        activity: Activity.fromObject({ type: 'message' }),
      });
      created = res.id;
    });
    if (!created) throw new Error('Teams created no personal chat');
    await outbound.remember(personOf(route), { serviceUrl: route.serviceUrl, bot: route.bot, conversation: created } satisfies TeamsReference);
    return created;
  }

  async function deliver(replies: Reply[], route: TeamsRoute) {
    const person = personOf(route);
    const where: Address = route.channel ? { platform: 'teams', ...(route.tenant ? { tenant: route.tenant } : {}), channel: route.channel, ...(route.thread ? { thread: route.thread } : {}) } : person;
    const deliveries = routeReplies(replies, where, person);
    // A press whose response still waits gets its card now: a ticked checklist alone, redrawn in place (as in
    // Slack); otherwise the pressed card as answered, with the replies as new messages under it. A press whose
    // response stopped waiting (or from before a restart) is answered with new messages only.
    const waiter = route.invoke !== undefined ? invokeWaiters.get(route.invoke) : undefined;
    if (waiter) {
      const here = deliveries.find((d) => d.address === where);
      const only = here?.replies.length === 1 ? here.replies[0] : undefined;
      const checklist = only?.parts.some((p) => p.kind === 'checklist') && !only.parts.some((p) => p.kind === 'file') ? only : undefined;
      // In place only when it is one card: a longer one goes out as messages like any other answer.
      const [inPlace, ...more] = checklist ? renderCards(checklist, picturesFor(route.tenant)) : [];
      await held.settled();
      if (here && inPlace && !more.length) here.replies = [];
      waiter(inPlace && !more.length ? inPlace : undefined);
    }
    for (const d of deliveries) {
      if (!d.replies.length) continue;
      if (isChannel(d.address)) await post(route.serviceUrl, threadId(d.address.channel, d.address.thread), route.bot, d.replies, route);
      else await post(route.serviceUrl, await personalChat(route), route.bot, d.replies, route);
    }
  }

  const threadId = (channel: string, thread?: string) => (thread ? `${channel};messageid=${thread}` : channel);


  /** The outbound port: writing to a personal chat or a channel unasked, from a remembered reference. */
  const port: OutboundPort = {
    async send(address, replies, reference) {
      const ref = reference as TeamsReference | undefined;
      if (!ref?.serviceUrl) throw new Error('medbill has no Teams reference for this address yet (nobody there has talked to it)');
      if (isChannel(address)) {
        await post(ref.serviceUrl, threadId(address.channel, address.thread), ref.bot, replies, address);
        return;
      }
      const conversation = await personalChat({ ...address, serviceUrl: ref.serviceUrl, bot: ref.bot, ...(ref.conversation ? { personal: ref.conversation } : {}) });
      await post(ref.serviceUrl, conversation, ref.bot, replies, address);
    },
    // The digest: new posts at the top of the channel, a card each, through the reference stored when medbill
    // was added to the team or first mentioned there. Teams lets a bot read no channel history without Graph
    // permissions, so there is no findKeyed: each card is reported as it goes out (the scheduler records it),
    // and a process taking a run over posts only the cards not recorded.
    async sendKeyed(address, replies, keyed, reference) {
      const ref = reference as TeamsReference | undefined;
      if (!ref?.serviceUrl) throw new Error('medbill has no Teams reference for this channel yet: add the app to the team, or mention medbill there once');
      const cards = replies.flatMap((reply) => renderActivities(reply, picturesFor(address.tenant)));
      const id = await send(ref.serviceUrl, address.channel, ref.bot, cards, {
        ...(keyed.skip ? { skip: keyed.skip } : {}),
        sent: async (n, messageId) => { await keyed.posted?.({ part: n, of: cards.length, messageId }); },
      });
      return id ? { messageId: id } : {};
    },
  };

  // ------------------------------------------------------------ intake

  /** The shared intake: failures to deliver are logged (without content) and told to the person in their personal chat. */
  const intake = createIntake<TeamsRoute>({
    platform: 'teams', inbox, outbound, log, deliver,
    apologise: async (r, text) => {
      await post(r.serviceUrl, await personalChat(r), r.bot, [{ text, parts: [], privacy: 'any' }], r);
    },
    references: async (route) => {
      const personal = route.personal ?? (await personalChatKnown(route));
      return [
        { address: personOf(route), reference: { serviceUrl: route.serviceUrl, bot: route.bot, ...(personal ? { conversation: personal } : {}) } satisfies TeamsReference },
        ...(route.channel ? [{ address: { platform: 'teams', ...(route.tenant ? { tenant: route.tenant } : {}), channel: route.channel }, reference: { serviceUrl: route.serviceUrl, bot: route.bot } satisfies TeamsReference }] : []),
      ];
    },
  });

  const tenantOf = (a: InboundActivity) => a.channelData?.tenant?.id ?? a.conversation.tenantId;
  const eventIdOf = (a: InboundActivity) => `teams:${tenantOf(a) ?? ''}:${splitConversation(a.conversation.id).channel}:${a.id ?? ''}`;

  /** Records the turn; Teams gets its answer (200, or 503 to retry) once this has returned. */
  function take(a: InboundActivity, input: Input): Promise<Accepted> {
    const tenant = tenantOf(a);
    const personal = a.conversation.conversationType === 'personal' || (a.conversation.conversationType === undefined && !a.conversation.id.startsWith('19:'));
    const split = splitConversation(a.conversation.id);
    // A mention at the top of a channel starts a thread under that message; one in a thread answers there; a
    // press on a card at the top of a channel (the digest) answers under that card. A group chat has no threads.
    const threads = a.conversation.conversationType !== 'groupChat';
    const thread = split.thread ?? (!threads ? undefined : a.type === 'message' ? a.id : a.type === 'invoke' ? a.replyToId : undefined);
    const route: TeamsRoute = {
      user: a.from.id, ...(tenant ? { tenant } : {}), serviceUrl: a.serviceUrl, bot: a.recipient.id,
      ...(personal ? { personal: a.conversation.id } : { channel: split.channel, ...(thread ? { thread } : {}) }),
      ...(a.type === 'invoke' ? { invoke: eventIdOf(a) } : {}),
    };
    const turn: Turn & { eventId: string } = {
      eventId: eventIdOf(a), platform: 'teams', ...(tenant ? { tenant } : {}), user: a.from.id,
      conversation: 'dm', direct: personal, input, ...(route.channel ? { channel: route.channel } : {}),
      ...((a.from as { role?: unknown }).role === 'bot' ? { fromBot: true } : {}),
    };
    return intake.take(turn, route);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, `${req.method ?? 'this method'} is not allowed on ${TEAMS_SURFACE.messagesPath}; Teams sends POST`, { allow: 'POST' });
    const raw = await readBody(req, MAX_TEAMS_BODY_BYTES);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send JSON (as Teams does)');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'the body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');

    // The SDK's JWT check, on an Express-style request and response. It answers 401 itself; whatever it does,
    // the response is ended here when it did not go on.
    const shimReq: { body: Record<string, unknown>; headers: IncomingMessage['headers']; method: string; user?: Record<string, unknown> } = { body: body as Record<string, unknown>, headers: req.headers, method: 'POST' };
    const shimRes = expressResponse(res);
    let passed = false;
    try {
      await authorize(shimReq, shimRes, () => {
        passed = true;
      });
    } finally {
      if (!passed && !res.writableEnded) shimRes.status(401).send({ error: 'unauthorized' });
    }
    if (!passed) {
      log.log('warn', 'teams-unauthorized', {});
      return;
    }

    const parsed = ActivityShape.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'this is not a Teams activity medbill understands');
    const a = parsed.data;
    // The token names the connector it came from: replies must go back there, not to a URL the body chose.
    const claim = shimReq.user?.serviceurl;
    if (typeof claim === 'string' && (hostOf(claim) === undefined || hostOf(claim) !== hostOf(a.serviceUrl))) throw new HttpError(401, 'the serviceUrl does not match the token');
    if (!hostValidator.isAllowed(a.serviceUrl)) throw new HttpError(400, 'medbill does not send to that serviceUrl');
    // An organisation this deployment does not serve: acknowledged (Teams must not retry) and not answered.
    const tenant = tenantOf(a)?.toLowerCase();
    if (config.tenants && !(tenant && config.tenants.includes(tenant))) {
      log.log('warn', 'teams-tenant-not-served', { tenant: tenant ?? 'none', type: a.type });
      if (a.type === 'invoke') return respond(res, { statusCode: 403, type: 'application/vnd.microsoft.error', value: { code: 'Forbidden', message: 'medbill is not set up for this organisation.' } });
      res.writeHead(200, { 'content-length': 0 });
      res.end();
      return;
    }

    if (a.type === 'invoke') return answerInvoke(a, res);
    let outcome: Accepted = 'ignored';
    if (a.type === 'message') outcome = await take(a, inputOf(a));
    else if (a.type === 'conversationUpdate' && a.membersAdded?.some((m) => m.id === a.recipient.id)) {
      // medbill was added to a personal chat or a team: it says what it does (the help turn).
      outcome = await take(a, { kind: 'text', text: 'help' });
    }
    if (outcome === 'busy') throw new HttpError(503, 'medbill is busy; Teams will retry', { 'retry-after': '30' });
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  }

  function respond(res: ServerResponse, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(text);
  }

  /** An invoke is answered in its own HTTP response: a press with the card that replaces the pressed one. */
  async function answerInvoke(a: InboundActivity, res: ServerResponse): Promise<void> {
    if (a.name === 'fileConsent/invoke') {
      const answer = ConsentAnswerShape.safeParse(a.value);
      if (!answer.success) throw new HttpError(400, 'this is not a file consent answer medbill understands');
      // Teams waits on the invoke only briefly: the upload and the file card follow it.
      respond(res, {});
      void consentAnswered(a, answer.data);
      return;
    }
    if (a.name !== 'adaptiveCard/action') throw new HttpError(501, `medbill does not handle the invoke "${a.name ?? ''}"`);
    const action = CardActionShape.safeParse(a.value);
    const data = action.success ? action.data.action.data ?? {} : {};
    const input = action.success && action.data.action.verb === VERB ? pressOf(data) : undefined;
    if (!input) return respond(res, invokeError('This card is not one of medbill\'s, or it is too old. Type "help" to start again.'));

    const eventId = eventIdOf(a);
    // Teams retried a press that is still being answered: that first response will carry the card.
    if (invokeWaiters.has(eventId)) return respond(res, invokeCard(pressedCard(data)));
    const card = new Promise<AdaptiveCard | undefined>((resolve) => {
      const done = (c: AdaptiveCard | undefined) => {
        clearTimeout(timer);
        if (invokeWaiters.get(eventId) === done) invokeWaiters.delete(eventId);
        resolve(c);
      };
      const timer = setTimeout(() => done(undefined), opts.invokeWaitMs ?? 4000);
      invokeWaiters.set(eventId, done);
    });
    const outcome = await take(a, input);
    // Not taken (a retry of a press, or a bot's): the card is redrawn as answered, and nothing else happens.
    if (outcome !== 'accepted') invokeWaiters.get(eventId)?.(undefined);
    if (outcome === 'busy') throw new HttpError(503, 'medbill is busy; Teams will retry', { 'retry-after': '30' });
    respond(res, invokeCard((await card) ?? pressedCard(data)));
  }

  /** The person answered a file offer: the file goes to the upload URL Teams gave, and a file card shows it. */
  async function consentAnswered(a: InboundActivity, answer: ConsentAnswer): Promise<void> {
    const say = (text: string) => post(a.serviceUrl, a.conversation.id, a.recipient.id, [{ text, parts: [], privacy: 'any' }], { tenant: tenantOf(a) });
    try {
      const file = await held.take(tenantOf(a), tokenOf(answer), FILE_KIND, a.from.id);
      if (answer.action === 'decline') {
        await say('Not saved. Ask for it again whenever you need it.');
        return;
      }
      if (!file) {
        await say('That file is no longer waiting here: medbill keeps an offered file for a day. Please ask for it again.');
        return;
      }
      const info = answer.uploadInfo;
      // The upload URL comes in the request: outside dev mode it must be OneDrive's, so a letter goes nowhere else.
      if (!info || !(config.dev || isOneDriveUrl(info.uploadUrl, opts.uploadHosts))) throw new Error('the upload URL is not a OneDrive one');
      await upload(info.uploadUrl, file.bytes);
      await send(a.serviceUrl, a.conversation.id, a.recipient.id, [{ type: 'message', text: `Saved to your OneDrive: ${info.name}`, attachments: [fileInfoCard(info)] }]);
    } catch (err) {
      log.log('error', 'teams-file-upload-failed', errorFields(err));
      await say('Sorry: medbill could not save that file to your OneDrive. Please ask for it again in a minute.').catch(() => {});
    }
  }

  /** A chart's picture, for Teams' image fetcher: GET only, by token, a week at most. */
  async function servePicture(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method ?? 'this method'} is not allowed on ${TEAMS_SURFACE.picturePath}`, { allow: 'GET' });
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const png = (await held.get(query.get('tenant') ?? undefined, query.get('id') ?? '', PICTURE_KIND))?.bytes;
    if (!png) throw new HttpError(404, 'this picture is no longer here (medbill keeps a chart\'s picture for a week)');
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'private, max-age=604800', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : png);
  }

  return {
    ...port,
    name: 'teams',
    requestListener: handle,
    pictureListener: servePicture,
    routes: [{ path: TEAMS_SURFACE.messagesPath, handle }, { path: TEAMS_SURFACE.picturePath, handle: servePicture }],
    // Outside a conversation: a chart's picture is held as for a place without a tenant.
    render: (reply) => renderActivities(reply, picturesFor(undefined)),
    describe: (url) => (config.dev
      ? `Teams: on, in dev mode (no authentication); send activities to ${url}${TEAMS_SURFACE.messagesPath}.`
      : `Teams: on; the Bot Service sends activities to ${url}${TEAMS_SURFACE.messagesPath} (through your public URL).`),
    start: async () => intake.open(port),
    stop: async () => {},
  };
}
