/**
 * Socket Mode: with SLACK_APP_TOKEN medbill opens a WebSocket to Slack instead of receiving HTTP. Here Slack
 * is a local WebSocket server (ws) reached through apps.connections.open on the recording Web API fake;
 * the envelopes are Slack's own (shared/data/slack-fixtures).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { openHouse, type House } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/adapter.js';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { shared, tempDbPath } from '../helpers.js';

const FIXTURES = shared('data/slack-fixtures');
const json = (name: string) => JSON.parse(readFileSync(join(FIXTURES!, name), 'utf8'));

describe.skipIf(!FIXTURES)('Slack over Socket Mode', () => {
  let wss: WebSocketServer;
  let fake: SlackApiFake;
  let app: House;
  let slack: SlackAdapter;
  let socket: WebSocket;
  const acks: string[] = [];

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    const connected = new Promise<WebSocket>((resolve) => wss.once('connection', (ws) => {
      ws.on('message', (data) => acks.push(String(data)));
      ws.send(readFileSync(join(FIXTURES!, 'socket_mode.hello.json'), 'utf8'));
      resolve(ws);
    }));
    fake = await startSlackApiFake({ socketUrl: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/` });
    app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() });
    slack = createSlackAdapter({ config: { botToken: 'xoxb-test-0000000000', appToken: 'xapp-1-A111-000-abcdefabcdef', apiUrl: fake.apiUrl }, engine: app.engine, inbox: app.inbox, outbound: app.outbound, log: silentLogger });
    expect(slack.requestListener).toBeUndefined(); // nothing is served over HTTP in Socket Mode
    await slack.start();
    socket = await connected;
  }, 20_000);
  afterAll(async () => {
    await slack?.stop();
    app?.close();
    wss?.close();
    await fake?.close();
  });

  it('opens the connection with the app token', () => {
    expect(fake.of('apps.connections.open')[0]!.token).toBe('Bearer xapp-1-A111-000-abcdefabcdef');
  });

  it('acknowledges an envelope, answers the DM, and does not answer a redelivery twice', async () => {
    const envelope = json('socket_mode.events_api.message.envelope.json');
    envelope.payload.event = { ...envelope.payload.event, channel: 'D222', channel_type: 'im', text: 'pt broke #8 in a bike accident, has BCBS medical + Delta dental' };
    socket.send(JSON.stringify(envelope));
    await fake.waitFor(() => fake.of('chat.postMessage').length === 1);
    expect(acks.map((a) => JSON.parse(a).envelope_id)).toContain(envelope.envelope_id);
    const post = fake.of('chat.postMessage')[0]!.params;
    expect(post.channel).toBe('D222');
    expect(post.text).toMatch(/MEDICAL/);

    const again = { ...envelope, envelope_id: 'redelivery-1', retry_attempt: 1, retry_reason: 'timeout' };
    socket.send(JSON.stringify(again));
    await vi.waitFor(() => expect(acks.map((a) => JSON.parse(a).envelope_id)).toContain('redelivery-1'));
    // The same person's next message, answered: anything the redelivery would have sent came before it.
    const next = { ...envelope, envelope_id: 'next-1', payload: { ...envelope.payload, event_id: 'EvNEXT1', event: { ...envelope.payload.event, text: 'help', ts: '1610241742.000200' } } };
    socket.send(JSON.stringify(next));
    await fake.waitFor(() => fake.of('chat.postMessage').some((c) => /^medbill helps/.test(String(c.params.text))));
    await app.inbox.idle();
    expect(fake.of('chat.postMessage').filter((c) => /MEDICAL/.test(String(c.params.text)))).toHaveLength(1);
  });
});
