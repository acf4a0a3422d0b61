/**
 * medbill in Teams, end to end: the real server on 127.0.0.1 with Teams in dev mode (no authentication),
 * Microsoft's own activities (shared/data/teams-fixtures) posted to /api/messages, and the Bot Connector
 * replaced by a local fake that records every activity sent. Assertions are on what was sent: Adaptive
 * Cards in the right conversation, the thread for a channel mention, case details never in a channel.
 */
import { readFileSync } from 'node:fs';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startServer, type Running } from '../src/root/server.js';
import { silentLogger } from '../src/log.js';
import { createTeamsAdapter } from '../adapters/teams/app.js';
import { loadTeamsConfig } from '../adapters/teams/config.js';
import { shared, tempDbPath } from './helpers.js';

const FIXTURES = shared('data/teams-fixtures');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES!, name), 'utf8'));

export interface Recorded { method: string; path: string; conversation: string; replyToId?: string; body: any }

/** A Bot Connector on 127.0.0.1: records activities and conversations created, answers with ids. */
export async function startConnectorFake(): Promise<{ url: string; calls: Recorded[]; close(): Promise<void> }> {
  const calls: Recorded[] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
      const m = /^\/v3\/conversations(?:\/(.+?)\/activities(?:\/([^/]+))?)?$/.exec(path);
      if (req.method !== 'POST' || !m) {
        res.writeHead(404).end();
        return;
      }
      calls.push({ method: req.method, path, conversation: m[1] ?? '', ...(m[2] ? { replyToId: m[2] } : {}), body });
      res.writeHead(m[1] ? 200 : 201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(m[1] ? { id: `sent-${++seq}` } : { id: `a:created-personal-${++seq}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`, calls,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

const cardOf = (call: Recorded) => call.body.attachments?.[0]?.content;
const cardText = (call: Recorded) => JSON.stringify(cardOf(call) ?? {});
const submits = (call: Recorded): any[] => {
  const found: any[] = [];
  const walk = (x: any) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      if (x.type === 'Action.Submit' && x.data?.medbill) found.push(x);
      Object.values(x).forEach(walk);
    }
  };
  walk(cardOf(call));
  return found;
};

describe.skipIf(!FIXTURES)('Teams (dev mode, a fake Bot Connector)', () => {
  let connector: Awaited<ReturnType<typeof startConnectorFake>>;
  let app: App;
  let running: Running;

  beforeAll(async () => {
    connector = await startConnectorFake();
    app = openApp({ ...loadConfig({}), dbPath: tempDbPath() }, { log: silentLogger });
    const config = loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1' });
    if (!config) throw new Error('dev mode turns Teams on');
    const teams = createTeamsAdapter({ config, inbox: app.inbox, outbound: app.outbound, log: silentLogger });
    teams.start();
    running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger, routes: [{ path: '/api/messages', handle: teams.requestListener }] });
  });
  afterAll(async () => {
    await running.close();
    await app.inbox.idle();
    app.close();
    await connector.close();
  });
  beforeEach(() => {
    connector.calls.length = 0;
  });

  let seq = 0;
  /** A fixture, its serviceUrl pointed at the fake, with a fresh id unless one is given. */
  const activity = (name: string, change: Record<string, unknown> = {}) => ({ ...fixture(name), serviceUrl: connector.url, id: `${Date.now()}${++seq}`, ...change });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const settle = () => app.inbox.idle();

  it('answers a personal message with an Adaptive Card in the personal chat', async () => {
    const a = activity('message.personal.rich-text.json', { text: 'help' });
    const res = await post(a);
    expect(res.status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    for (const call of connector.calls) {
      expect(call.conversation).toBe(a.conversation.id);
      expect(call.body.type).toBe('message');
      expect(call.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(cardOf(call)).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
      expect(cardOf(call).body[0]).toMatchObject({ type: 'TextBlock', wrap: true });
    }
  });

  it('answers the same activity id once (Teams retries)', async () => {
    const a = activity('message.personal.rich-text.json', { text: 'help' });
    expect((await post(a)).status).toBe(200);
    await settle();
    const first = connector.calls.length;
    expect(first).toBeGreaterThan(0);
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBe(first);
  });

  it('answers a channel mention in its thread, the mention stripped', async () => {
    const a = activity('message.channel.bot-mention-reply-in-thread.json', { text: '<at>ridotest</at> help' });
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    const inThread = connector.calls.filter((c) => c.conversation === '19:6848757105754c8981c67612732d9aa7@thread.tacv2;messageid=1759881511856');
    expect(inThread.length).toBeGreaterThan(0);
    expect(connector.calls.every((c) => c.conversation.includes(';messageid=1759881511856') || c.path === '/v3/conversations' || c.conversation.startsWith('a:'))).toBe(true);
  });

  it('keeps a case out of the channel: the answer goes to the personal chat, the thread gets a pointer', async () => {
    const a = activity('message.channel.bot-mention-reply-in-thread.json', { text: '<at>ridotest</at> D2740 crown after fracture, patient Jane Smith DOB 04/12/1961 member XKQ123456789' });
    expect((await post(a)).status).toBe(200);
    await settle();
    const channel = connector.calls.filter((c) => c.conversation.startsWith('19:'));
    const personal = connector.calls.filter((c) => c.conversation.startsWith('a:'));
    expect(channel.length).toBeGreaterThan(0);
    for (const c of channel) for (const id of ['Jane', 'Smith', '04/12/1961', 'XKQ123456789']) expect(JSON.stringify(c.body)).not.toContain(id);
    // The case went to the person: Teams was asked for their personal chat (none was known), and the thread got the pointer.
    const created = connector.calls.find((c) => c.path === '/v3/conversations');
    expect(created?.body).toMatchObject({ isGroup: false, members: [{ id: a.from.id }], tenantId: '50612dbb-0237-4969-b378-8d42590f9c00' });
    expect(personal.length).toBeGreaterThan(0);
    expect(personal.map(cardText).join()).toContain('D2740');
    expect(channel.map(cardText).join()).toContain('direct message');
  });

  it('welcomes when medbill is added to a personal chat', async () => {
    const a = activity('conversationUpdate.membersAdded.bot-added-to-personal-chat.json', { conversation: { conversationType: 'personal', id: 'a:welcome-chat' } });
    a.membersAdded[0].id = a.recipient.id;
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(connector.calls[0]!.conversation).toBe('a:welcome-chat');
    expect(cardOf(connector.calls[0]!).type).toBe('AdaptiveCard');
  });

  it('ignores a conversationUpdate that adds someone else', async () => {
    const a = activity('conversationUpdate.membersAdded.bot-added-to-personal-chat.json', { conversation: { conversationType: 'personal', id: 'a:someone-else' }, membersAdded: [{ id: '29:other' }] });
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls).toEqual([]);
  });

  it('continues the conversation when a card button is pressed (Action.Submit value)', async () => {
    const chat = `a:press-${Date.now()}`;
    const first = activity('message.personal.rich-text.json', { text: 'D2740 crown after a fracture', conversation: { conversationType: 'personal', id: chat } });
    await post(first);
    await settle();
    const button = connector.calls.flatMap(submits)[0];
    expect(button).toBeDefined();
    connector.calls.length = 0;
    const press = activity('message.messageBack.inbound.channel.json', {
      text: undefined, value: button.data, conversation: { conversationType: 'personal', id: chat },
      from: first.from, recipient: first.recipient, channelData: first.channelData,
    });
    expect((await post(press)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(connector.calls.every((c) => c.conversation === chat)).toBe(true);
    // The next question, not the first one again.
    expect(connector.calls.map(cardText).join()).not.toContain('Which insurance does the patient have');
  });

  it('answers 405 to anything but POST, and 400/415 to what is not an activity', async () => {
    const get = await fetch(`${running.url}/api/messages`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' })).status).toBe(415);
    expect((await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).status).toBe(400);
    expect((await post({ type: 'message' })).status).toBe(400);
    expect((await post([])).status).toBe(400);
    expect((await post({ ...fixture('message.personal.rich-text.json'), serviceUrl: connector.url, text: 'x'.repeat(300 * 1024) })).status).toBe(413);
  });
});

describe('Teams configuration', () => {
  it('is off without an app id or the dev flag', () => {
    expect(loadTeamsConfig({})).toBeUndefined();
  });
  it('refuses dev mode in production, and warns otherwise', () => {
    expect(() => loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', NODE_ENV: 'production' })).toThrow(/production/);
    const warnings: string[] = [];
    expect(loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1' }, (w) => warnings.push(w))).toEqual({ dev: true });
    expect(warnings.join()).toMatch(/WITHOUT authentication/);
  });
  it('needs the secret and the tenant with an app id, and names the bad variable without its value', () => {
    const appId = '00000000-0000-4000-8000-000000000001';
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: appId })).toThrow(/MICROSOFT_APP_PASSWORD/);
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: 'secret-value-1' })).toThrow(/MICROSOFT_APP_TENANT_ID/);
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: 'not-a-guid-secretish' })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: 'not-a-guid-secretish' })).not.toThrow(/secretish/);
    expect(loadTeamsConfig({ MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: 'secret-value-1', MICROSOFT_APP_TENANT_ID: appId })).toMatchObject({ appId, tenantId: appId, dev: false });
  });
});

/** JWT auth with an app id: tokens signed by a local RSA key, whose JWKS a loopback server publishes. */
describe.skipIf(!FIXTURES)('Teams with an app id (JWT)', () => {
  const APP_ID = '00000000-0000-4000-8000-00000000a11d';
  const TENANT = '00000000-0000-4000-8000-0000000000aa';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const KID = 'medbill-test-key';
  let keys: Server;
  let authority: string;
  let connector: Awaited<ReturnType<typeof startConnectorFake>>;
  let app: App;
  let running: Running;
  const events: string[] = [];

  beforeAll(async () => {
    connector = await startConnectorFake();
    keys = createServer((req, res) => {
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' };
      if (req.url === `/${TENANT}/discovery/v2.0/keys`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    authority = `http://127.0.0.1:${(keys.address() as AddressInfo).port}/${TENANT}`;
    app = openApp({ ...loadConfig({}), dbPath: tempDbPath() }, { log: silentLogger });
    const log = { log: (_level: string, event: string, fields?: unknown) => void events.push(event + JSON.stringify(fields ?? {})) };
    const config = loadTeamsConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'test-secret-not-used', MICROSOFT_APP_TENANT_ID: TENANT });
    if (!config) throw new Error('an app id turns Teams on');
    const teams = createTeamsAdapter({ config: { ...config, authority }, inbox: app.inbox, outbound: app.outbound, log, serviceHosts: ['127.0.0.1'] });
    teams.start();
    running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger, routes: [{ path: '/api/messages', handle: teams.requestListener }] });
  });
  afterAll(async () => {
    await running.close();
    // A delivery may still be trying to get a token from Microsoft (not reachable from tests): not waited for long.
    await Promise.race([app.inbox.idle(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    app.close();
    await connector.close();
    await new Promise<void>((resolve) => {
      keys.close(() => resolve());
      keys.closeAllConnections();
    });
  });

  const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  function token(claims: Record<string, unknown> = {}, key: KeyObject = privateKey) {
    const now = Math.floor(Date.now() / 1000);
    const head = b64({ alg: 'RS256', typ: 'JWT', kid: KID });
    const body = b64({ iss: `${authority}/v2.0`, aud: APP_ID, nbf: now - 10, iat: now - 10, exp: now + 600, serviceurl: connector.url, ...claims });
    return `${head}.${body}.${createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url')}`;
  }
  let seq = 0;
  const activity = () => ({ ...fixture('message.personal.rich-text.json'), serviceUrl: connector.url, id: `jwt-${Date.now()}-${++seq}`, text: 'help' });
  const post = (headers: Record<string, string> = {}, body: unknown = activity()) =>
    fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });

  it('refuses a request without a token (401, and the response ends)', async () => {
    const res = await post();
    expect(res.status).toBe(401);
    expect(await res.json()).toHaveProperty('jwt-auth-error');
  });

  it('refuses a malformed Authorization header, a token for another app, another key, or an expired one', async () => {
    expect((await post({ authorization: 'Basic abc' })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token({ aud: '00000000-0000-4000-8000-0000000000ff' })}` })).status).toBe(401);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await post({ authorization: `Bearer ${token({}, other)}` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token({ exp: Math.floor(Date.now() / 1000) - 3600 })}` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token({ iss: 'https://evil.example/v2.0' })}` })).status).toBe(401);
  });

  it('refuses a token issued for another connector than the activity names', async () => {
    expect((await post({ authorization: `Bearer ${token({ serviceurl: 'https://smba.trafficmanager.net/amer/' })}` })).status).toBe(401);
  });

  it('handles an activity with a valid token: 200, and the turn is taken and answered (or its delivery tried)', async () => {
    const res = await post({ authorization: `Bearer ${token()}` });
    expect(res.status).toBe(200);
    // Sending needs an Entra token for the app: MSAL refuses the loopback http authority (ClientConfigurationError),
    // so here the answer's delivery is tried and logged, and does not reach the fake connector.
    await expect.poll(() => connector.calls.length > 0 || events.some((e) => e.startsWith('teams-delivery-failed')), { timeout: 10_000 }).toBe(true);
  });
});
