/**
 * medbill as a Slack app (Bolt). Every entry point turns a Slack request into a Turn and records it in the
 * inbox (src/engine/inbox.ts) before Slack is acknowledged; the inbox applies it and hands the Replies back
 * to `deliver` here, which sends them in Slack's idiom.
 * In Slack, a person has one conversation with medbill (their DM with the app): a slash command, a
 * mention in a channel, a shortcut or a Home button all continue it. Anything marked direct-only goes to
 * the DM, never to a channel; commands and shortcuts used in a channel answer only in the DM, with an
 * ephemeral note where they were typed.
 * One workspace (SLACK_BOT_TOKEN): Slack's identity for the bot (auth.test) is asked once, at start, and handed
 * to Bolt through `authorize`, so no request waits on Slack's API before it is acknowledged.
 * Any workspace (SLACK_CLIENT_ID, multi-workspace mode): workspaces install the app at /slack/install
 * (oauth-install.ts); `authorize` finds each request's installation in the database (workspaces.ts), its key
 * (the enterprise id of an org-wide install, else the team id) is the turn's tenant, and every delivery
 * writes with the token of its address's installation.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel, SocketModeReceiver, webApi, type Receiver } from '@slack/bolt';
import type { Engine } from '../../src/engine/engine.js';
import type { Delivery, Inbox } from '../../src/engine/inbox.js';
import { createIntake } from '../../src/engine/intake.js';
import { AdapterRetrying, type ChatAdapter } from '../../src/engine/chat-adapter.js';
import { POINTER, routeReplies, type Outbound, type KeyedPart, type OutboundPort } from '../../src/engine/outbound.js';
import { isChannel, type Address, type ChannelAddress, type DmAddress } from '../../src/store/address.js';
import type { Input, Reply, Turn } from '../../src/engine/model.js';
import { errorFields, type Logger } from '../../src/log.js';
import type { SlackConfig } from './config.js';
import type { InstallationStore } from '../../src/store/installations.js';
import { createSealer } from '../../src/privacy/sealing.js';
import { oauthInstallRoutes, INSTALL_PATH } from './oauth-install.js';
import { NotInstalledError, TENANT_PROPERTY, workspaces } from './workspaces.js';
import { ACTION, FORM_CALLBACK, formModal, homeView, joinNotes, renderMessages, type Block, type SlackMessage } from './blocks.js';
import { INTAKE_PROPERTY, SignedHttpReceiver, requestKey, type Intake } from './receiver.js';
import { webApiFetch } from './web-fetch.js';

/** What this app handles; manifest.json must declare exactly these (a test checks both ways). */
export const SLACK_SURFACE = {
  command: '/medbill',
  // app_uninstalled and tokens_revoked: a workspace removed medbill, and its installation goes with it.
  botEvents: ['app_home_opened', 'app_mention', 'message.im', 'app_uninstalled', 'tokens_revoked'],
  messageShortcut: 'ask_medbill',
  viewCallback: FORM_CALLBACK,
  eventsPath: '/slack/events',
} as const;

/** Where a turn's replies go; stored with the event in the inbox, so only Slack ids, never content. */
export interface SlackRoute {
  user: string;
  team?: string;
  /** The channel the person used, when it may not be their DM with medbill. */
  channel?: string;
  /** A mention or a click in a channel: replies that carry no case details may go in this thread. */
  threadTs?: string;
  /** Commands and shortcuts answer only in the DM; the note saying so goes here, seen by the person alone. */
  responseUrl?: string;
  /** A click's trigger, for opening a modal (valid for 3 seconds). */
  triggerId?: string;
  /** The message whose checklist button was pressed, to update in place. */
  pressed?: { channel: string; ts: string };
}

/** The token was refused: Slack stays off until it is fixed. */
export class SlackTokenRejectedError extends Error {
  override readonly name = 'SlackTokenRejectedError';
}
/** Slack's Web API could not be reached: nothing is known about the token yet; medbill keeps trying. */
export class SlackUnreachableError extends AdapterRetrying {
  override readonly name = 'SlackUnreachableError';
}

/** Web API errors that mean the token itself is wrong, not the network. */
const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type', 'no_permission', 'missing_scope', 'team_access_not_granted', 'ekm_access_denied']);

export function classifyAuthFailure(err: unknown): SlackTokenRejectedError | SlackUnreachableError {
  const e = err as { code?: string; data?: { error?: string }; original?: { code?: string; name?: string; cause?: { code?: string } }; statusCode?: number };
  const platformError = e.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
  if (platformError && TOKEN_ERRORS.has(platformError)) {
    return new SlackTokenRejectedError(`Slack did not accept SLACK_BOT_TOKEN (${platformError}). Check the token in the app's OAuth & Permissions page.`);
  }
  // Node's fetch wraps the socket error ("fetch failed", caused by ECONNREFUSED or ENOTFOUND).
  const why = platformError ?? e.original?.cause?.code ?? e.original?.code ?? e.original?.name ?? (e.statusCode ? `HTTP ${e.statusCode}` : (e.code ?? 'no answer'));
  return new SlackUnreachableError(`medbill could not reach Slack's Web API (${why}), so SLACK_BOT_TOKEN was not checked yet: check this machine's network, DNS or proxy (SLACK_API_URL).`);
}

/**
 * `start` checks the token (auth.test, once) and starts delivering; Socket Mode also connects. A refused token
 * throws SlackTokenRejectedError (Slack stays off); an unreachable Slack, SlackUnreachableError (retried).
 */
export interface SlackAdapter extends ChatAdapter {
  app: App;
  /** HTTP mode: the handler for /slack/events (its one route). Undefined in Socket Mode. */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/** Bolt's own log lines, at warn and above, into ours (they carry no message text). */
function boltLogger(log: Logger) {
  let level = LogLevel.WARN;
  const say = (lvl: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => log.log(lvl, 'slack-bolt', { message: msg.map(String).join(' ').slice(0, 300) });
  return {
    debug: () => {}, info: () => {}, warn: say('warn'), error: say('error'),
    setLevel: (l: typeof level) => { level = l; }, getLevel: () => level, setName: () => {},
  };
}

export function createSlackAdapter(opts: {
  config: SlackConfig; engine: Engine; inbox: Inbox; outbound: Outbound; log: Logger; retryConnectMs?: number;
  /** Multi-workspace mode: where installations are kept (deployment-wide). */
  installations?: InstallationStore;
}): SlackAdapter {
  const { config, engine, inbox, outbound, log } = opts;
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    // The Web API client waits out a 429's Retry-After and tries again; a few tries, not Slack's default 10.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    fetch: webApiFetch,
  };
  const logger = boltLogger(log);
  if (config.oauth && !opts.installations) throw new Error('Slack for many workspaces needs the installation store');
  if (!config.oauth && !config.botToken) throw new Error('Slack for one workspace needs its bot token');
  // Multi-workspace mode: what the install routes and the per-request lookups share.
  const installs = config.oauth && opts.installations ? { oauth: config.oauth, installations: opts.installations, sealer: createSealer(config.oauth.encryptionKey), log } : undefined;
  const multi = installs && workspaces(installs);
  const client = new webApi.WebClient(config.botToken, { ...clientOptions, logger });
  // The start-up check answers quickly either way: one try, a bounded wait.
  const checkClient = new webApi.WebClient(config.botToken, { ...clientOptions, logger, retryConfig: { retries: 0 }, timeout: 10_000 });
  type Api = typeof client;
  /**
   * The Web API as the workspace `tenant` (an address's or a route's): one workspace's token, or the token of the
   * tenant's installation, unsealed for this delivery. NotInstalledError once it has been uninstalled.
   */
  async function clientFor(tenant: string | undefined): Promise<Api> {
    if (!multi) return client;
    if (!tenant) throw new NotInstalledError('a Slack address without its workspace');
    return new webApi.WebClient(await multi.token(tenant), { ...clientOptions, logger });
  }
  /** A request's tenant: its installation's key (found by `authorize`) in multi-workspace mode, else the team as Slack gave it. */
  const tenantOf = (context: Record<string, unknown>, team: string | undefined): string | undefined => {
    if (!multi) return team;
    const key = context[TENANT_PROPERTY];
    return typeof key === 'string' ? key : undefined;
  };

  let identity: { botId?: string; botUserId?: string; teamId?: string } | undefined;
  let receiver: Receiver;
  let http: SignedHttpReceiver | undefined;
  if (config.appToken) {
    receiver = new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions } });
  } else if (config.signingSecret) {
    http = new SignedHttpReceiver({ signingSecret: config.signingSecret, log, ready: () => identity !== undefined });
    receiver = http;
  } else {
    throw new Error('Slack needs a signing secret (HTTP) or an app token (Socket Mode)');
  }
  // Bolt asks `authorize` on every request: it answers from what auth.test said at start, without a call.
  // Sessions live in SQLite, so Bolt's in-memory conversation store is off.
  const app = new App({
    receiver, logger, convoStore: false,
    authorize: async (source) => {
      if (multi) return multi.authorize(source);
      if (!identity) throw new Error('medbill is not connected to Slack yet');
      return { botToken: config.botToken, ...identity };
    },
  });

  // ------------------------------------------------------------ delivery

  /** The metadata event type of a digest post (Slack keeps it with the message). */
  const DIGEST_EVENT = 'medbill_digest';
  /** The metadata event type of an answer's message: the event it answers and its place (n) in the delivery. */
  const REPLY_EVENT = 'medbill_reply';

  /** A person's DM channel; by workspace and user when there are many (a user id is one workspace's, or one enterprise's). */
  const dmChannels = new Map<string, string>();
  const dmKey = (tenant: string | undefined, user: string) => (multi ? `${tenant ?? ''}:${user}` : user);
  async function dmOf(api: Api, tenant: string | undefined, user: string): Promise<string> {
    const known = dmChannels.get(dmKey(tenant, user));
    if (known) return known;
    const res = await api.conversations.open({ users: user });
    const id = (res.channel as { id?: string } | undefined)?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    dmChannels.set(dmKey(tenant, user), id);
    return id;
  }

  // Messages and views are built as plain Block Kit JSON (blocks.ts, checked against Block Kit's limits in
  // tests), so they go through the client's generic call rather than its per-method typings. A message's
  // blocks go as the JSON text its form body carries anyway: the client then neither copies them for its debug
  // line nor serializes them again (about 0.1 ms less CPU per post).
  /** Posts one message, with its metadata (what it is the key of: an answer's, a digest's part) when given; its ts. */
  async function postMessage(api: Api, channel: string, message: SlackMessage, threadTs?: string, metadata?: { event_type: string; event_payload: Record<string, unknown> }): Promise<string> {
    const res = (await api.apiCall('chat.postMessage', { channel, text: message.text, blocks: JSON.stringify(message.blocks), ...(threadTs ? { thread_ts: threadTs } : {}), ...(metadata ? { metadata } : {}) })) as { ts?: unknown };
    return typeof res.ts === 'string' ? res.ts : '';
  }

  /**
   * The latest 200 messages of a conversation (of a thread with `ts`) that carry metadata of `eventType`, with
   * its payload: how a replica finds what another posted before it died (answers and digests alike).
   */
  async function taggedMessages(api: Api, eventType: string, where: { channel: string; ts?: string; oldest?: string }) {
    const res = (await api.apiCall(where.ts ? 'conversations.replies' : 'conversations.history', { ...where, include_all_metadata: true, limit: 200 })) as { messages?: unknown };
    const messages = (Array.isArray(res.messages) ? res.messages : []) as { ts?: unknown; metadata?: { event_type?: unknown; event_payload?: Record<string, unknown> | null } }[];
    return messages.flatMap((m) => (m.metadata?.event_type === eventType && m.metadata.event_payload ? [{ ts: m.ts, payload: m.metadata.event_payload }] : []));
  }

  /**
   * An answer's messages, each keyed by the event and its place (n) in the delivery. Delivered again (`again`: a
   * process died after posting some), it asks Slack which went out (the conversation's, or the thread's, latest
   * 200 messages: an answer is delivered again within minutes) and posts only the others.
   */
  function keyedPosts(api: Api, delivery: Delivery) {
    let n = 0;
    const seen = new Map<string, Promise<Set<number>>>();
    const postedIn = (channel: string, threadTs: string | undefined) => {
      const where = `${channel}/${threadTs ?? ''}`;
      let found = seen.get(where);
      if (!found) {
        found = (async () => {
          const messages = await taggedMessages(api, REPLY_EVENT, { channel, ...(threadTs ? { ts: threadTs } : {}) });
          return new Set(messages.flatMap(({ payload }) => (payload.event === delivery.eventId && typeof payload.n === 'number' ? [payload.n] : [])));
        })();
        seen.set(where, found);
      }
      return found;
    };
    return {
      /** The keys of a reply's messages, and whether its first went out already (then its files did too). */
      async next(channel: string, threadTs: string | undefined, count: number): Promise<{ keys: { event: string; n: number }[]; sent: Set<number> }> {
        const keys = Array.from({ length: count }, () => ({ event: delivery.eventId, n: n++ }));
        return { keys, sent: delivery.again ? await postedIn(channel, threadTs) : new Set() };
      },
    };
  }
  const openModal = (api: Api, triggerId: string, view: Block) => api.apiCall('views.open', { trigger_id: triggerId, view });

  /** A note only the person sees, where they typed a command or used a shortcut. */
  async function respondPrivately(url: string, text: string) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text }), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  }

  /**
   * Posts replies to one conversation, redrawing a ticked checklist in place where the click came from. `keyed`:
   * an answer's delivery, whose messages carry their key and are not posted twice (see keyedPosts).
   */
  async function postReplies(api: Api, channel: string, replies: Reply[], threadTs?: string, pressed?: { channel: string; ts: string }, keyed?: ReturnType<typeof keyedPosts>) {
    // Files go up through Slack's upload flow (files.uploadV2), into the same conversation, before the reply's
    // messages. Charts go up as PNG pictures (Slack shows no SVG).
    const uploadFiles = async (reply: Reply) => {
      for (const part of reply.parts) {
        if (part.kind !== 'file' && part.kind !== 'chart') continue;
        const upload = part.kind === 'file'
          ? { channel_id: channel, file: Buffer.from(part.base64, 'base64'), filename: part.name, title: part.name }
          : { channel_id: channel, file: Buffer.from(part.pngBase64, 'base64'), filename: `${part.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png`, title: part.title };
        await api.filesUploadV2(threadTs ? { ...upload, thread_ts: threadTs } : upload);
      }
    };
    for (const reply of joinNotes(replies)) {
      const messages = renderMessages(reply);
      const first = messages[0];
      const checklist = reply.parts.some((p) => p.kind === 'checklist');
      if (checklist && first && pressed && messages.length === 1 && pressed.channel === channel) {
        await uploadFiles(reply);
        await api.apiCall('chat.update', { channel: pressed.channel, ts: pressed.ts, text: first.text, blocks: JSON.stringify(first.blocks) });
        continue;
      }
      const { keys, sent } = keyed ? await keyed.next(channel, threadTs, messages.length) : { keys: [], sent: new Set<number>() };
      // When the reply's first message went out already, so did its files.
      const firstKey = keys[0];
      if (!(firstKey && sent.has(firstKey.n))) await uploadFiles(reply);
      for (const [i, m] of messages.entries()) {
        const key = keys[i];
        if (key && sent.has(key.n)) continue;
        await postMessage(api, channel, m, threadTs, key && { event_type: REPLY_EVENT, event_payload: key });
      }
    }
  }

  /**
   * A turn's answer, where the engine's routing says each reply may go (direct-only to the DM, a pointer in
   * the channel). Commands and shortcuts have no thread of their own: they answer in the DM, and the pointer
   * is shown to the person alone where they typed.
   */
  async function deliver(replies: Reply[], route: SlackRoute, delivery: Delivery) {
    // A modal must open within 3 seconds of the click: open it before anything else is sent.
    const api = await clientFor(route.team);
    const form = replies.flatMap((r) => r.parts).find((p) => p.kind === 'form');
    if (form && form.kind === 'form' && route.triggerId) await openModal(api, route.triggerId, formModal(form));
    const dm = await dmOf(api, route.team, route.user);
    const person: DmAddress = { platform: 'slack', ...(route.team ? { tenant: route.team } : {}), user: route.user };
    const channel = route.channel !== undefined && route.channel !== dm ? route.channel : undefined;
    const where: Address = channel !== undefined && route.responseUrl === undefined
      ? { platform: 'slack', ...(route.team ? { tenant: route.team } : {}), channel, ...(route.threadTs ? { thread: route.threadTs } : {}) }
      : person;
    const keyed = keyedPosts(api, delivery);
    for (const d of routeReplies(replies, where, person)) {
      if (isChannel(d.address)) await postReplies(api, d.address.channel, d.replies, d.address.thread, route.pressed, keyed);
      else await postReplies(api, dm, d.replies, undefined, route.pressed, keyed);
    }
    if (channel !== undefined && route.responseUrl && replies.length) await respondPrivately(route.responseUrl, POINTER);
  }

  /** The outbound port: writing to a DM or a channel unasked (the engine has routed the replies already). */
  const port: OutboundPort = {
    async send(address, replies, reference) {
      const api = await clientFor(address.tenant);
      if (isChannel(address)) return postReplies(api, address.channel, replies, address.thread);
      const known = (reference as { dmChannel?: string } | undefined)?.dmChannel;
      if (known) dmChannels.set(dmKey(address.tenant, address.user), known);
      await postReplies(api, await dmOf(api, address.tenant, address.user), replies);
    },
    // The digest: every message carries the run key and its part (n of N) as Slack message metadata, so a
    // process taking over a run cut short finds each part that went out and posts only the others.
    async sendKeyed(address, replies, post) {
      const api = await clientFor(address.tenant);
      const messages = replies.flatMap(renderMessages);
      let first: string | undefined;
      for (const [i, message] of messages.entries()) {
        if (post.skip?.has(i + 1)) continue;
        const ts = await postMessage(api, address.channel, message, undefined, { event_type: DIGEST_EVENT, event_payload: { run: post.key, part: i + 1, of: messages.length } });
        first ??= ts;
        await post.posted?.({ part: i + 1, of: messages.length, messageId: ts });
      }
      return first ? { messageId: first } : {};
    },
    async findKeyed(address, key) {
      // A digest is posted within its catch-up window (hours): the last two days of the channel are enough.
      const oldest = String(Math.floor(Date.now() / 1000) - 2 * 24 * 3600);
      const messages = await taggedMessages(await clientFor(address.tenant), DIGEST_EVENT, { channel: address.channel, oldest });
      const parts = new Map<number, KeyedPart>();
      for (const m of messages) {
        const payload = m.payload;
        if (payload.run !== key || typeof m.ts !== 'string') continue;
        // A post from before parts were keyed had its key on its first message only: it counts as whole.
        const part = typeof payload.part === 'number' ? payload.part : 1;
        const of = typeof payload.of === 'number' ? payload.of : 1;
        if (!parts.has(part)) parts.set(part, { part, of, messageId: m.ts });
      }
      return [...parts.values()].sort((x, y) => x.part - y.part);
    },
  };

  // ------------------------------------------------------------ intake

  /** The shared intake: failures to deliver are logged (without content) and told to the person in their DM. */
  const intake = createIntake<SlackRoute>({
    platform: 'slack', inbox, outbound, log, deliver,
    apologise: async (r, text) => {
      const api = await clientFor(r.team);
      await api.chat.postMessage({ channel: await dmOf(api, r.team, r.user), text });
    },
    references: (route) => {
      // Whoever talks to medbill (and the channel they used) can be written to later.
      const tenant = route.team ? { tenant: route.team } : {};
      const dmChannel = dmChannels.get(dmKey(route.team, route.user));
      return [
        { address: { platform: 'slack', ...tenant, user: route.user }, reference: dmChannel ? { dmChannel } : {} },
        ...(route.channel && !route.channel.startsWith('D') ? [{ address: { platform: 'slack', ...tenant, channel: route.channel } satisfies ChannelAddress }] : []),
      ];
    },
  });

  /** Records the turn in the inbox; the HTTP receiver acknowledges Slack once this has returned. */
  async function take(context: Record<string, unknown>, body: unknown, input: Input, asGiven: SlackRoute, fromBot = false) {
    const request = context[INTAKE_PROPERTY] as Intake | undefined;
    // Many workspaces: the tenant is the installation (an org-wide install serves all its enterprise's teams as one).
    const tenant = tenantOf(context, asGiven.team);
    const route: SlackRoute = { ...asGiven };
    if (tenant) route.team = tenant;
    else delete route.team;
    // Socket Mode has no signature: events keep their event_id, anything else gets a key of its own.
    const eventId = request?.key ?? requestKey(body as Record<string, unknown>, `v0=socket-${randomUUID()}`);
    const turn: Turn & { eventId: string } = {
      eventId, platform: 'slack', ...(route.team ? { tenant: route.team } : {}), user: route.user, conversation: 'dm', direct: route.channel === undefined, input,
      ...(route.channel && !route.channel.startsWith('D') ? { channel: route.channel } : {}), ...(fromBot ? { fromBot } : {}),
    };
    // Socket Mode acknowledged already: nothing can ask Slack to retry, so the event is kept whatever the backlog.
    const outcome = await intake.take(turn, route, { mustKeep: request === undefined });
    if (request) request.outcome = outcome;
  }

  const withoutMention = (text: string) => text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();

  // ------------------------------------------------------------ entry points

  // One handler per bot event of the manifest: the record's type makes a missing or extra one a compile error.
  const teamOf = (body: unknown) => (body as { team_id?: string }).team_id;
  type EventArgs = { event: unknown; body: unknown; context: Record<string, unknown> };
  const eventHandlers: Record<(typeof SLACK_SURFACE.botEvents)[number], (args: EventArgs) => Promise<void> | void> = {
    'message.im': ({ event, body, context }) => {
      const m = event as { channel_type?: string; channel?: string; subtype?: string; bot_id?: string; user?: string; text?: string; team?: string };
      // Only new direct messages; edits and joins are not questions. A bot's message (medbill's own included)
      // is handed on marked as such: the engine never answers bots.
      const fromBot = Boolean(m.bot_id) || m.subtype === 'bot_message';
      if (m.channel_type !== 'im' || (m.subtype && !fromBot) || !m.user) return;
      const team = teamOf(body) ?? m.team;
      if (m.channel && !fromBot) dmChannels.set(dmKey(tenantOf(context, team), m.user), m.channel);
      return take(context, body, { kind: 'text', text: withoutMention(m.text ?? '') }, { ...(team ? { team } : {}), user: m.user }, fromBot);
    },
    app_mention: ({ event, body, context }) => {
      const e = event as { user?: string; text?: string; channel?: string; ts?: string; thread_ts?: string };
      if (!e.user || !e.channel) return;
      const team = teamOf(body);
      const threadTs = e.thread_ts ?? e.ts;
      return take(context, body, { kind: 'text', text: withoutMention(e.text ?? '') || 'help' }, { ...(team ? { team } : {}), user: e.user, channel: e.channel, ...(threadTs ? { threadTs } : {}) });
    },
    app_home_opened: ({ event, body, context }) => {
      const e = event as { user?: string; tab?: string };
      if (!e.user || (e.tab && e.tab !== 'home')) return;
      const user = e.user;
      const team = tenantOf(context, teamOf(body));
      // Not a turn (nothing to answer twice): published after the acknowledgement, without waiting for it.
      void engine.recentCases({ platform: 'slack', ...(team ? { tenant: team } : {}), user, conversation: 'dm' })
        .then(async (cases) => (await clientFor(team)).apiCall('views.publish', { user_id: user, view: homeView(cases, engine.menu()) }))
        .catch((err: unknown) => log.log('warn', 'slack-home-failed', errorFields(err)));
    },
    // Bolt hands these over without `authorize` (the token is gone already). Deleting is idempotent: a retry is harmless.
    app_uninstalled: ({ context }) => forget(context),
    tokens_revoked: ({ event, context }) => {
      const bots = (event as { tokens?: { bot?: unknown } }).tokens?.bot;
      if (Array.isArray(bots) && bots.length > 0) return forget(context);
    },
  };
  /** A workspace removed medbill (or revoked its bot token): its installation and sealed token are deleted. */
  async function forget(context: Record<string, unknown>) {
    const key = context.isEnterpriseInstall === true ? context.enterpriseId : context.teamId;
    if (!multi) {
      log.log('warn', 'slack-uninstalled', { note: 'SLACK_BOT_TOKEN no longer works: install the app again and set its new token' });
      return;
    }
    if (typeof key !== 'string' || !key) return;
    await multi.forget(key);
    for (const k of [...dmChannels.keys()]) if (k.startsWith(`${key}:`)) dmChannels.delete(k);
  }
  // One listener for them all: Bolt runs every listener's middleware for every event, so five listeners cost
  // five chains on each message's way to its acknowledgement. message.im is the `message` event in a DM (the
  // handler checks channel_type).
  const handlerOf = (type: string) => (Object.hasOwn(eventHandlers, type) ? eventHandlers[type as keyof typeof eventHandlers] : undefined);
  const eventTypes = new RegExp(`^(?:${Object.keys(eventHandlers).map((name) => (name === 'message.im' ? 'message' : name)).join('|')})$`);
  app.event(eventTypes, async ({ event, body, context }) => handlerOf(event.type === 'message' ? 'message.im' : event.type)?.({ event, body, context }));

  app.command(SLACK_SURFACE.command, async ({ ack, command, body, context }) => {
    await ack();
    await take(context, body, { kind: 'text', text: command.text.trim() || 'help' }, {
      team: command.team_id, user: command.user_id, channel: command.channel_id, responseUrl: command.response_url,
    });
  });

  app.shortcut(SLACK_SURFACE.messageShortcut, async ({ ack, shortcut, body, context }) => {
    await ack();
    const s = shortcut as { user: { id: string }; team?: { id: string } | null; message?: { text?: string }; channel?: { id: string }; response_url?: string };
    await take(context, body, { kind: 'text', text: withoutMention(s.message?.text ?? '') || 'help' }, {
      ...(s.team?.id ? { team: s.team.id } : {}), user: s.user.id,
      ...(s.channel ? { channel: s.channel.id } : {}), ...(s.response_url ? { responseUrl: s.response_url } : {}),
    });
  });

  app.action(new RegExp(`^(${ACTION.button}|${ACTION.select}|${ACTION.toggle})`), async ({ ack, body, action, context }) => {
    await ack();
    const a = action as { type: string; value?: string; selected_option?: { value: string } };
    const value = a.type === 'static_select' ? a.selected_option?.value : a.value;
    const b = body as { user: { id: string }; team?: { id: string } | null; trigger_id?: string; channel?: { id: string }; message?: { ts: string; thread_ts?: string }; container?: { type: string; is_ephemeral?: boolean } };
    if (!value) return;
    const fromHome = b.container?.type === 'view';
    const channel = !fromHome && b.channel?.id && !b.channel.id.startsWith('D') ? b.channel.id : undefined;
    const threadTs = b.message?.thread_ts ?? b.message?.ts;
    await take(context, body, { kind: 'button', value }, {
      ...(b.team?.id ? { team: b.team.id } : {}), user: b.user.id,
      ...(b.trigger_id ? { triggerId: b.trigger_id } : {}),
      ...(channel ? { channel, ...(threadTs ? { threadTs } : {}) } : {}),
      ...(b.channel?.id && b.message?.ts && !b.container?.is_ephemeral ? { pressed: { channel: b.channel.id, ts: b.message.ts } } : {}),
    });
  });

  app.action(ACTION.openForm, async ({ ack, body, action, context }) => {
    await ack();
    const b = body as { trigger_id?: string; team?: { id?: string } | null };
    const tenant = tenantOf(context, b.team?.id ?? undefined);
    let view: Block;
    try {
      view = formModal(JSON.parse((action as { value: string }).value));
    } catch (err) {
      log.log('warn', 'slack-form-open-failed', errorFields(err));
      return;
    }
    if (b.trigger_id) {
      const trigger = b.trigger_id;
      void clientFor(tenant).then((api) => openModal(api, trigger, view)).catch((err: unknown) => log.log('warn', 'slack-form-open-failed', errorFields(err)));
    }
  });

  app.view(SLACK_SURFACE.viewCallback, async ({ ack, body, view, context }) => {
    await ack();
    let form = '';
    try {
      form = String((JSON.parse(view.private_metadata || '{}') as { form?: unknown }).form ?? '');
    } catch {
      form = '';
    }
    const values: Record<string, string> = {};
    for (const [blockId, inputs] of Object.entries(view.state.values)) {
      const v = Object.values(inputs)[0] as { value?: string | null } | undefined;
      values[blockId] = v?.value ?? '';
    }
    await take(context, body, { kind: 'form', form, values }, { ...(body.team?.id ? { team: body.team.id } : {}), user: body.user.id });
  });

  app.error(async (err) => {
    // An event from a workspace without an installation was logged (slack-not-installed) and is ignored.
    if ((err as { original?: unknown }).original instanceof NotInstalledError) return;
    log.log('error', 'slack-listener-failed', errorFields(err));
  });

  // ------------------------------------------------------------ start and stop

  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  async function connect(): Promise<void> {
    if (multi) {
      // No token to check: each installation's was checked when it was installed.
      identity = {};
      await intake.open(port);
      return;
    }
    try {
      const res = await checkClient.auth.test();
      identity = {
        ...(res.bot_id ? { botId: res.bot_id } : {}), ...(res.user_id ? { botUserId: res.user_id } : {}), ...(res.team_id ? { teamId: res.team_id } : {}),
      };
    } catch (err) {
      const failure = classifyAuthFailure(err);
      if (failure instanceof SlackUnreachableError && !stopped) {
        retryTimer = setTimeout(() => {
          connect().then(() => log.log('info', 'slack-connected', {}), () => {});
        }, opts.retryConnectMs ?? 30_000);
        retryTimer.unref();
      }
      throw failure;
    }
    // Deliveries start only now: events acknowledged before a restart are resumed with a token known to work.
    await intake.open(port);
    if (config.appToken) await app.start();
  }

  const httpReceiver = http;
  const requestListener = httpReceiver ? (req: IncomingMessage, res: ServerResponse) => httpReceiver.handle(req, res) : undefined;
  return {
    ...port,
    name: 'slack',
    app,
    ...(requestListener ? { requestListener } : {}),
    routes: [
      ...(requestListener ? [{ path: SLACK_SURFACE.eventsPath, handle: requestListener }] : []),
      ...(installs ? oauthInstallRoutes({ ...installs, ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}) }) : []),
    ],
    render: (reply) => renderMessages(reply),
    describe: (url) => (config.appToken
      ? 'Slack: on, over Socket Mode.'
      : config.oauth
        ? `Slack: on for any workspace that installs it at ${config.oauth.redirectUri.replace(/\/slack\/oauth_redirect$/, INSTALL_PATH)}; Slack sends requests to ${url}${SLACK_SURFACE.eventsPath} (through your public URL).`
        : `Slack: on; Slack sends requests to ${url}${SLACK_SURFACE.eventsPath} (through your public URL).`),
    start: connect,
    stop: async () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (config.appToken && identity) await app.stop();
    },
  };
}
