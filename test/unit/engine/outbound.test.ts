/**
 * The way out (issue 12): replies routed once, in the engine (a case never reaches a channel), and medbill
 * writing to a stored Slack address with no incoming message, through the adapter's outbound port.
 */
import { slackSignedHeaders } from '../../support/slack-signing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHouse as openApp, type House as App } from '../../support/house.js';
import { loadConfig } from '../../../src/config.js';
import type { Running } from '../../../src/root/server.js';
import { reply } from '../../../src/engine/model.js';
import { Outbound, POINTER, PrivacyRefusedError, REMEMBERED_MS, routeReplies } from '../../../src/engine/outbound.js';
import { openSqliteStorage } from '../../../src/store/sqlite/index.js';
import type { Address } from '../../../src/store/address.js';
import { startSlackApiFake, type SlackApiFake } from '../../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../../support/slack-stack.js';
import { tempDbPath } from '../../helpers.js';

const caseReply = reply('Case C-ABCDE: medical', [{ kind: 'facts', rows: [{ label: 'lane', value: 'medical' }] }], 'direct-only');
const helpReply = reply('Type "help" to see what medbill does.');
const person = { platform: 'slack', tenant: 'T1', user: 'U1' };
const channel = { platform: 'slack', tenant: 'T1', channel: 'C1', thread: '1.0' };

describe('routing replies', () => {
  it('sends everything asked in a DM to the DM', async () => {
    expect(routeReplies([caseReply, helpReply], person, person)).toEqual([{ address: person, replies: [caseReply, helpReply] }]);
  });

  it('sends a case to the person and a pointer to the channel, and keeps the rest in the channel', async () => {
    const out = routeReplies([helpReply, caseReply], channel, person);
    expect(out[0]).toEqual({ address: person, replies: [caseReply] });
    expect(out[1]!.address).toEqual(channel);
    expect(out[1]!.replies.map((r) => r.text)).toEqual([helpReply.text, POINTER]);
  });

  it('refuses to put a case in a channel when there is no person to take it', async () => {
    expect(() => routeReplies([caseReply], channel, undefined)).toThrow(PrivacyRefusedError);
    expect(routeReplies([helpReply], channel, undefined)).toEqual([{ address: channel, replies: [helpReply] }]);
  });
});

describe('writing first, on Slack', () => {
  const SECRET = 'outboundsecret000000000000000000';
  let fake: SlackApiFake;
  let stack: SlackStack;
  let app: App;
  let running: Running;
  const dbPath = tempDbPath();

  beforeAll(async () => {
    fake = await startSlackApiFake();
    stack = await startSlackStack({ secret: SECRET, fake, dbPath });
    ({ app, running } = stack);
  });
  afterAll(async () => {
    await stack.close();
    await fake.close();
  });

  const event = async (payload: unknown) => {
    const body = JSON.stringify(payload);
    const res = await fetch(`${running.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignedHeaders(SECRET, body) }, body });
    expect(res.status).toBe(200);
    await app.inbox.idle();
  };

  it('remembers who talked and where, and writes to them later with no incoming message', async () => {
    await event({ type: 'event_callback', team_id: 'T9', event_id: 'EvOUT1', event: { type: 'app_mention', user: 'U9', channel: 'C9', text: '<@UBOT> help', ts: '5.0' } });
    await event({ type: 'event_callback', team_id: 'T9', event_id: 'EvOUT2', event: { type: 'message', channel_type: 'im', channel: 'D9X', user: 'U9', text: 'help', ts: '6.0' } });
    const known: Address[] = (await app.outbound.known('slack'));
    expect(known).toEqual(expect.arrayContaining([{ platform: 'slack', tenant: 'T9', user: 'U9' }, { platform: 'slack', tenant: 'T9', channel: 'C9' }]));
    fake.clear();

    // Later, unprompted: a case summary to the person, a digest line to the channel.
    await app.outbound.send({ platform: 'slack', tenant: 'T9', user: 'U9' }, [reply('Letter for case C-ABCDE is ready.', [], 'direct-only')]);
    await app.outbound.send({ platform: 'slack', tenant: 'T9', channel: 'C9' }, [reply('Claims due for follow-up today: 3')]);
    const posts = fake.of('chat.postMessage').map((c) => ({ channel: c.params.channel, text: c.params.text }));
    expect(posts).toEqual([{ channel: 'D9X', text: 'Letter for case C-ABCDE is ready.' }, { channel: 'C9', text: 'Claims due for follow-up today: 3' }]);
  });

  it('uploads a file to the person\'s DM through Slack\'s upload flow', async () => {
    fake.clear();
    const bytes = Buffer.from('PK\u0003\u0004 a letter, as a .docx would start');
    await app.outbound.send({ platform: 'slack', tenant: 'T9', user: 'U9' }, [
      reply('Your letter for case C-ABCDE:', [{ kind: 'file', name: 'C-ABCDE-letter.docx', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', base64: bytes.toString('base64') }]),
    ]);
    expect(fake.of('files.getUploadURLExternal')[0]!.params).toMatchObject({ filename: 'C-ABCDE-letter.docx', length: String(bytes.length) });
    // The bytes go to the upload URL as multipart form data, whole.
    expect(Buffer.from(String(fake.of('upload')[0]!.params.bytes), 'base64').includes(bytes)).toBe(true);
    expect(fake.of('files.completeUploadExternal')[0]!.params).toMatchObject({ channel_id: 'D9X' });
    expect(fake.of('chat.postMessage').map((c) => c.params.channel)).toEqual(['D9X']);
  });

  it('never puts a case in a channel, even when asked to', async () => {
    fake.clear();
    await expect(app.outbound.send({ platform: 'slack', tenant: 'T9', channel: 'C9' }, [caseReply])).rejects.toBeInstanceOf(PrivacyRefusedError);
    expect(fake.of('chat.postMessage')).toEqual([]);
  });

  it('keeps the addresses across a restart', async () => {
    const reopened = openApp({ ...loadConfig({}), dbPath });
    try {
      expect((await reopened.outbound.known('slack'))).toEqual(expect.arrayContaining([{ platform: 'slack', tenant: 'T9', user: 'U9' }]));
    } finally {
      reopened.close();
    }
  });
});

describe('references written by two replicas', () => {
  it('writes again, after a while, a reference another replica overwrote: the database ends with the one seen last', async () => {
    const storage = openSqliteStorage(':memory:');
    let t = 1_000_000;
    const a = new Outbound(storage.references, () => t);
    const b = new Outbound(storage.references, () => t);
    const person: Address = { platform: 'teams', tenant: 'T', user: 'u1' };
    await a.remember(person, { serviceUrl: 'https://one' });
    await b.remember(person, { serviceUrl: 'https://two' }); // the person wrote through the other replica
    await a.remember(person, { serviceUrl: 'https://one' }); // unchanged for A: not written at once
    expect(await a.reference(person)).toEqual({ serviceUrl: 'https://two' });
    t += REMEMBERED_MS;
    await a.remember(person, { serviceUrl: 'https://one' });
    expect(await b.reference(person)).toEqual({ serviceUrl: 'https://one' });
    await storage.close();
  });
});
