/**
 * medbill as a Slack app (Bolt). Every entry point turns a Slack request into a Turn for the engine and
 * delivers the Replies back in Slack's idiom. Requests are acknowledged first, the work is done after.
 * In Slack, a person has one conversation with medbill (their DM with the app): a slash command, a
 * mention in a channel, a shortcut or a Home button all continue it, and anything marked direct-only is
 * delivered there, never in a channel.
 */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Engine } from '../../src/engine/engine.js';
import type { Input, Reply, Turn } from '../../src/engine/model.js';
import type { Db } from '../../src/store/db.js';
import { SeenEvents } from '../../src/store/events.js';
import { errorFields, type Logger } from '../../src/log.js';
import type { SlackConfig } from './config.js';
import { ACTION, FORM_CALLBACK, formModal, homeView, renderMessages, type SlackMessage } from './blocks.js';

/** What this app handles; manifest.json must declare exactly these (a test checks both ways). */
export const SLACK_SURFACE = {
  command: '/medbill',
  botEvents: ['app_home_opened', 'app_mention', 'message.im'],
  messageShortcut: 'ask_medbill',
  viewCallback: FORM_CALLBACK,
  eventsPath: '/slack/events',
} as const;

const CHANNEL_NOTE = 'I answered you in a direct message: case details stay out of channels.';

interface Where {
  team?: string;
  user: string;
  /** The channel the person used, when it is not their DM with medbill. */
  channel?: string;
  threadTs?: string;
  /** Tells the person in a shared place that the answer went to the DM. */
  notify?: (text: string) => Promise<void>;
  /** A click's trigger, still valid for opening a modal. */
  triggerId?: string;
  /** The message whose checklist button was pressed, to update in place. */
  pressed?: { channel: string; ts: string };
}

export interface SlackAdapter {
  app: App;
  /** HTTP mode: mount on the server at /slack/events. Undefined in Socket Mode. */
  requestListener?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
  start(): Promise<void>;
  stop(): Promise<void>;
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

export function createSlackAdapter(opts: { config: SlackConfig; engine: Engine; db: Db; log: Logger }): SlackAdapter {
  const { config, engine, log } = opts;
  const seen = new SeenEvents(opts.db);
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    // The Web API client waits out a 429's Retry-After and tries again; a few tries, not Slack's default 10.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
  };
  const logger = boltLogger(log);
  let receiver: Receiver;
  let requestListener: SlackAdapter['requestListener'];
  if (config.appToken) {
    receiver = new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions } });
  } else {
    const http = new HTTPReceiver({ signingSecret: config.signingSecret!, endpoints: SLACK_SURFACE.eventsPath, logger, processBeforeResponse: false });
    receiver = http;
    requestListener = (req, res) => http.requestListener(req, res);
  }
  // auth.test runs on the first event, not in the constructor, where a rejected token would be an unhandled
  // rejection; start() checks the token itself and says what is wrong.
  // Sessions live in SQLite, so Bolt's in-memory conversation store is off.
  const app = new App({ token: config.botToken, receiver, logger, clientOptions, tokenVerificationEnabled: false, convoStore: false });
  const client = app.client;

  // ------------------------------------------------------------ delivery

  const dmChannels = new Map<string, string>();
  async function dmOf(user: string): Promise<string> {
    const known = dmChannels.get(user);
    if (known) return known;
    const res = await client.conversations.open({ users: user });
    const id = (res.channel as { id?: string } | undefined)?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    dmChannels.set(user, id);
    return id;
  }

  async function post(channel: string, message: SlackMessage, threadTs?: string) {
    await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, ...(threadTs ? { thread_ts: threadTs } : {}) });
  }

  /** Sends each reply where it may go: direct-only ones to the DM, the rest where the person asked. */
  async function deliver(replies: Reply[], where: Where) {
    let movedToDm = false;
    let trigger = where.triggerId;
    for (const reply of replies) {
      const form = reply.parts.find((p) => p.kind === 'form');
      // A modal must open within 3 seconds of the click: open it before anything else is sent.
      if (form && form.kind === 'form' && trigger) {
        await client.views.open({ trigger_id: trigger, view: formModal(form) as never });
        trigger = undefined;
      }
      const inChannel = where.channel !== undefined;
      const toDm = !inChannel || reply.privacy === 'direct-only';
      const channel = toDm ? await dmOf(where.user) : where.channel!;
      const messages = renderMessages(reply);
      const checklist = reply.parts.some((p) => p.kind === 'checklist');
      if (checklist && where.pressed && messages.length === 1 && (toDm ? where.pressed.channel === channel : true)) {
        // A ticked item redraws its checklist in place rather than adding a message.
        await client.chat.update({ channel: where.pressed.channel, ts: where.pressed.ts, text: messages[0]!.text, blocks: messages[0]!.blocks as never });
        continue;
      }
      for (const m of messages) await post(channel, m, toDm ? undefined : where.threadTs);
      if (inChannel && toDm) movedToDm = true;
    }
    if (movedToDm) {
      if (where.notify) await where.notify(CHANNEL_NOTE);
      else await client.chat.postMessage({ channel: where.channel!, text: CHANNEL_NOTE, ...(where.threadTs ? { thread_ts: where.threadTs } : {}) });
    }
  }

  // Bolt acknowledges before the listener runs. Turns then take their turn one per event-loop tick, so
  // requests arriving in a burst are acknowledged between turns instead of waiting behind all of them.
  const waiting: (() => void)[] = [];
  let pumping = false;
  const pump = () => {
    pumping = true;
    setImmediate(() => {
      const go = waiting.shift();
      if (!go) {
        pumping = false;
        return;
      }
      go();
      pump();
    });
  };
  const turnSlot = () => new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!pumping) pump();
  });

  /** One engine turn and its delivery; failures are logged (without content) and told to the person. */
  async function converse(input: Input, where: Where) {
    await turnSlot();
    const turn: Turn = { platform: 'slack', ...(where.team ? { tenant: where.team } : {}), user: where.user, conversation: 'dm', direct: where.channel === undefined, input };
    try {
      await deliver(await engine.handle(turn), where);
    } catch (err) {
      log.log('error', 'slack-delivery-failed', { input: input.kind, ...errorFields(err) });
      try {
        await client.chat.postMessage({ channel: await dmOf(where.user), text: 'Sorry: medbill could not send its whole answer just now. Please try again in a minute.' });
      } catch {
        // Slack itself is unreachable; the log has it.
      }
    }
  }

  const withoutMention = (text: string) => text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();

  // ------------------------------------------------------------ dedupe and self

  // Slack re-delivers an event it thinks was missed (X-Slack-Retry-Num); the first delivery is the one answered.
  app.use(async ({ body, next }) => {
    const b = body as { type?: string; event_id?: string; team_id?: string };
    if (b.type === 'event_callback' && b.event_id && !seen.firstTime(`slack:${b.team_id ?? ''}:${b.event_id}`)) {
      log.log('info', 'slack-duplicate-event', { event: b.event_id });
      return;
    }
    await next();
  });

  // ------------------------------------------------------------ entry points

  // One handler per bot event of the manifest: the record's type makes a missing or extra one a compile error.
  const teamOf = (body: unknown) => (body as { team_id?: string }).team_id;
  const eventHandlers: Record<(typeof SLACK_SURFACE.botEvents)[number], (event: unknown, body: unknown) => Promise<void>> = {
    'message.im': async (event, body) => {
      const m = event as { channel_type?: string; channel?: string; subtype?: string; bot_id?: string; user?: string; text?: string; team?: string };
      // Only direct messages from people; edits, joins, and bots (medbill included) are not questions.
      if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user) return;
      if (m.channel) dmChannels.set(m.user, m.channel);
      const team = teamOf(body) ?? m.team;
      await converse({ kind: 'text', text: withoutMention(m.text ?? '') }, { ...(team ? { team } : {}), user: m.user });
    },
    app_mention: async (event, body) => {
      const e = event as { user?: string; text: string; channel: string; ts: string; thread_ts?: string };
      if (!e.user) return;
      const team = teamOf(body);
      await converse({ kind: 'text', text: withoutMention(e.text) || 'help' }, { ...(team ? { team } : {}), user: e.user, channel: e.channel, threadTs: e.thread_ts ?? e.ts });
    },
    app_home_opened: async (event, body) => {
      const e = event as { user: string; tab?: string };
      if (e.tab && e.tab !== 'home') return;
      const team = teamOf(body);
      const cases = engine.recentCases({ platform: 'slack', ...(team ? { tenant: team } : {}), user: e.user, conversation: 'dm' });
      await client.views.publish({ user_id: e.user, view: homeView(cases) as never });
    },
  };
  for (const [name, handle] of Object.entries(eventHandlers)) {
    // message.im is the `message` event in a DM; the handler checks channel_type.
    app.event(name === 'message.im' ? 'message' : name, async ({ event, body }) => handle(event, body));
  }

  // A command outside the DM is answered in the DM, and says so where it was typed, privately.
  app.command(SLACK_SURFACE.command, async ({ ack, command, respond }) => {
    await ack();
    const inDm = command.channel_id === (await dmOf(command.user_id).catch(() => undefined));
    await converse({ kind: 'text', text: command.text.trim() || 'help' }, {
      team: command.team_id, user: command.user_id,
      ...(inDm ? {} : { channel: command.channel_id, notify: async (text: string) => { await respond({ response_type: 'ephemeral', text }); } }),
    });
  });

  app.shortcut(SLACK_SURFACE.messageShortcut, async ({ ack, shortcut, respond }) => {
    await ack();
    const s = shortcut as { type: string; user: { id: string }; team?: { id: string } | null; message?: { text?: string }; channel?: { id: string } };
    await converse({ kind: 'text', text: withoutMention(s.message?.text ?? '') || 'help' }, {
      ...(s.team?.id ? { team: s.team.id } : {}), user: s.user.id,
      ...(s.channel ? { channel: s.channel.id, notify: async (text: string) => { await respond({ response_type: 'ephemeral', text }); } } : {}),
    });
  });

  app.action(new RegExp(`^(${ACTION.button}|${ACTION.select}|${ACTION.toggle})`), async ({ ack, body, action }) => {
    await ack();
    const a = action as { type: string; value?: string; selected_option?: { value: string } };
    const value = a.type === 'static_select' ? a.selected_option?.value : a.value;
    const b = body as { user: { id: string }; team?: { id: string } | null; trigger_id?: string; channel?: { id: string }; message?: { ts: string; thread_ts?: string }; container?: { type: string; is_ephemeral?: boolean } };
    if (!value) return;
    const dm = b.channel?.id !== undefined && b.channel.id === (await dmOf(b.user.id).catch(() => undefined));
    const fromHome = b.container?.type === 'view';
    const inChannel = !fromHome && !dm && b.channel?.id && !b.channel.id.startsWith('D');
    await converse({ kind: 'button', value }, {
      ...(b.team?.id ? { team: b.team.id } : {}), user: b.user.id,
      ...(b.trigger_id ? { triggerId: b.trigger_id } : {}),
      ...(inChannel ? { channel: b.channel!.id, threadTs: b.message?.thread_ts ?? b.message?.ts } : {}),
      ...(b.channel?.id && b.message?.ts && !b.container?.is_ephemeral ? { pressed: { channel: b.channel.id, ts: b.message.ts } } : {}),
    });
  });

  app.action(ACTION.openForm, async ({ ack, body, action }) => {
    await ack();
    const b = body as { trigger_id?: string; user: { id: string } };
    try {
      const part = JSON.parse((action as { value: string }).value);
      if (b.trigger_id) await client.views.open({ trigger_id: b.trigger_id, view: formModal(part) as never });
    } catch (err) {
      log.log('warn', 'slack-form-open-failed', errorFields(err));
    }
  });

  app.view(SLACK_SURFACE.viewCallback, async ({ ack, body, view }) => {
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
    await converse({ kind: 'form', form, values }, { ...(body.team?.id ? { team: body.team.id } : {}), user: body.user.id });
  });

  app.error(async (err) => {
    log.log('error', 'slack-listener-failed', errorFields(err));
  });

  return {
    app,
    ...(requestListener ? { requestListener } : {}),
    // HTTP mode is served by medbill's own server; Socket Mode opens its connection here.
    start: async () => {
      try {
        await client.auth.test();
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error ?? (err as Error).name;
        throw new Error(`Slack did not accept SLACK_BOT_TOKEN (${code}). Check the token in the app's OAuth & Permissions page.`);
      }
      if (config.appToken) await app.start();
    },
    stop: async () => {
      if (config.appToken) await app.stop();
    },
  };
}
