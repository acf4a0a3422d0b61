/**
 * Slack's HTTP requests at /slack/events, received by medbill itself rather than by Bolt's HTTPReceiver,
 * so that every request gets an answer and none can take the process down:
 * - only POST, with a JSON or form body of bounded size in valid UTF-8;
 * - signed with the signing secret, with a timestamp within 5 minutes either way (Slack's rule; Bolt's
 *   own check accepts any timestamp in the future);
 * - a body that is not an object is a 400, never an exception inside Bolt;
 * - the event is handed to Bolt (routing, listeners) with a deferred acknowledgement: the listeners record
 *   the turn in the inbox, and only then does Slack get its 200. When the inbox is full, events get a 503
 *   (Slack retries them) and commands a short "busy" note.
 * Each request carries a key for deduplication: the event_id for events (Slack's retries keep it), and
 * the signature for commands and clicks (an exact replay has the same one).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver } from '@slack/bolt';
import { z } from 'zod';
import { HttpError, readBody, sendJson } from '../../src/http.js';
import type { Accepted } from '../../src/engine/inbox.js';
import type { Logger } from '../../src/log.js';

/** Slack's interactive payloads and events are far below this; a modal with many inputs is a few KB. */
export const MAX_SLACK_BODY_BYTES = 1024 * 1024;
/** Slack's rule: a request older (or newer) than this is refused, so a captured request cannot be replayed later. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** What a listener learns about the request it handles, and tells back: was the turn recorded? */
export interface Intake { key: string; outcome?: Accepted }
export const INTAKE_PROPERTY = 'medbillIntake';

/** The dedupe key of a Slack request body: the event id, or else the request's signature. */
export function requestKey(body: Record<string, unknown>, signature: string): string {
  const eventId = typeof body.event_id === 'string' ? body.event_id : undefined;
  const team = typeof body.team_id === 'string' ? body.team_id : '';
  return body.type === 'event_callback' && eventId ? `slack:${team}:${eventId}` : `slack:sig:${signature.slice(3)}`;
}

/** Checks Slack's request signature (v0, HMAC-SHA256 of "v0:timestamp:body") and the timestamp window. */
export function verifySignature(opts: { secret: string; body: string; timestamp: string | undefined; signature: string | undefined; nowMs: number }): string {
  const { timestamp, signature } = opts;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw new HttpError(401, 'missing or malformed x-slack-request-timestamp');
  if (Math.abs(opts.nowMs / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) throw new HttpError(401, 'the request timestamp is more than 5 minutes from now');
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature)) throw new HttpError(401, 'missing or malformed x-slack-signature');
  const expected = createHmac('sha256', opts.secret).update(`v0:${timestamp}:${opts.body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex'))) throw new HttpError(401, 'the signature does not match');
  return signature;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The request body as an object: JSON, or a form whose `payload` field is JSON, or a plain form. */
export function parseSlackBody(raw: string, contentType: string): Record<string, unknown> {
  const parseObject = (text: string, what: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpError(400, `${what} is not valid JSON`);
    }
    if (!isObject(value)) throw new HttpError(400, `${what} must be a JSON object`);
    return value;
  };
  if (/^application\/json\b/i.test(contentType)) return parseObject(raw, 'the body');
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    const form = Object.fromEntries(new URLSearchParams(raw));
    return typeof form.payload === 'string' ? parseObject(form.payload, 'the payload field') : form;
  }
  throw new HttpError(415, 'send JSON or a form (as Slack does)');
}

// The fields Bolt reads before any listener runs, to route a request and find its team and user. A signed
// body comes from Slack, but Bolt trusts its shape completely (a `user` that is not an object throws inside
// it), so each kind is checked here; the listeners read the rest defensively.
const id = z.string().max(200);
const who = z.looseObject({ id });
const team = z.looseObject({ id: id.optional() }).nullable().optional();
const SHAPES = {
  event: z.looseObject({
    type: z.literal('event_callback'), team_id: id.optional(), event_id: id.optional(),
    authorizations: z.array(z.looseObject({ team_id: id.nullable().optional() })).optional(),
    event: z.looseObject({
      type: id,
      user: z.union([id, who]).optional(),
      channel: z.union([id, z.looseObject({ id: id.optional() })]).optional(),
      item: z.looseObject({}).optional(),
      subteam: z.looseObject({}).optional(),
    }),
  }),
  command: z.looseObject({ command: id, text: z.string().max(4000).optional(), user_id: id, channel_id: id, team_id: id.optional(), response_url: z.string().max(2000).optional() }),
  interactive: z.looseObject({
    type: id, user: z.looseObject({ id, team_id: id.optional() }), team,
    channel: z.looseObject({ id: id.optional() }).nullable().optional(),
    actions: z.array(z.looseObject({ type: id.optional() })).optional(),
    view: z.looseObject({ private_metadata: z.string().optional(), state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }).optional() }).optional(),
  }),
};

/** Bolt's own sorting of a body (helpers.getTypeAndConversation), reduced to the shape to check. */
function shapeOf(body: Record<string, unknown>): z.ZodType | undefined {
  if (body.event !== undefined) return SHAPES.event;
  if (body.command !== undefined) return SHAPES.command;
  if (body.name !== undefined || body.actions !== undefined || typeof body.type === 'string') return SHAPES.interactive;
  return undefined;
}

export function checkSlackShape(body: Record<string, unknown>): void {
  const shape = shapeOf(body);
  if (shape && !shape.safeParse(body).success) throw new HttpError(400, 'this is not a Slack request medbill understands');
}

export class SignedHttpReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly opts: {
    signingSecret: string;
    log: Logger;
    /** False until auth.test has succeeded: Slack then gets a 503 and retries later. */
    ready: () => boolean;
    now?: () => number;
  }) {}

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** The /slack/events route. Throws HttpError for what the server answers as a 4xx or 5xx. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, `${req.method ?? 'this method'} is not allowed on /slack/events; Slack sends POST`, { allow: 'POST' });
    const contentType = req.headers['content-type'] ?? '';
    const raw = await readBody(req, MAX_SLACK_BODY_BYTES);
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const signature = verifySignature({
      secret: this.opts.signingSecret, body: raw, timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature'),
      nowMs: (this.opts.now ?? Date.now)(),
    });
    const body = parseSlackBody(raw, contentType);
    if (body.type === 'url_verification') return sendJson(res, 200, { challenge: String(body.challenge ?? '') });
    if (body.ssl_check !== undefined) return sendJson(res, 200, {});
    checkSlackShape(body);
    if (!this.opts.ready() || !this.app) {
      this.opts.log.log('warn', 'slack-not-ready', {});
      throw new HttpError(503, 'medbill is not connected to Slack yet; Slack will retry', { 'retry-after': '10' });
    }
    const intake: Intake = { key: requestKey(body, signature) };
    let ackBody: unknown;
    const retryNum = Number(header('x-slack-retry-num'));
    const retryReason = header('x-slack-retry-reason');
    await this.app.processEvent({
      body,
      ack: async (response?: unknown) => {
        ackBody = response;
      },
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(retryReason ? { retryReason } : {}),
      customProperties: { [INTAKE_PROPERTY]: intake },
    });
    if (intake.outcome === 'busy') {
      // Events are retried by Slack after a failure; a person who typed a command is told instead.
      if (body.type === 'event_callback') throw new HttpError(503, 'medbill is busy; Slack will retry', { 'retry-after': '30' });
      return sendJson(res, 200, { response_type: 'ephemeral', text: 'medbill is busy right now. Please try again in a minute.' });
    }
    if (ackBody === undefined || ackBody === '') {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
      return;
    }
    if (typeof ackBody === 'string') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(ackBody) });
      res.end(ackBody);
      return;
    }
    sendJson(res, 200, ackBody);
  }
}
