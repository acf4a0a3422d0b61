/**
 * The claim form through Slack and the chat page, end to end on 127.0.0.1. Slack: a claim looked at in the
 * billing channel (an @mention, answered in its thread), its "Claim form" button pressed there as Slack sends
 * it (signed block_actions): the PDF goes up through the upload calls to the person's DM, never the channel.
 * Then a medical answer's "Claim form" in the DM. The page: /api/turn hands the PDF over as a file part,
 * which the page offers as a download.
 */
import { slackSignedHeaders } from '../support/slack-signing.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { claimService } from '../support/storage.js';
import { openHouse } from '../support/house.js';
import { pdfText } from '../support/pdf-text.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/root/server.js';
import { silentLogger } from '../../src/log.js';
import { CMS1500_BOXES, VALUE_SIZE } from '../../src/claims/cms1500.js';
import { ROOT, tempDbPath } from '../helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SECRET = 'claim-form-secret';
const CHANNEL = 'C0BILLING';
const USER = 'U0BILLER';
let seq = 0;

async function boxText(pdf: Uint8Array, id: string): Promise<string> {
  const b = CMS1500_BOXES.find((x) => x.id === id);
  if (!b) throw new Error(`no box ${id}`);
  const { pieces } = await pdfText(pdf);
  return pieces.filter((p) => Math.abs(p.size - VALUE_SIZE) < 0.01 && p.x >= b.x && p.x < b.x + b.w && p.y >= b.y && p.y < b.y + b.h)
    .sort((a, c) => a.x - c.x).map((p) => p.text).join(' ').replace(/\s+/g, ' ').trim();
}

describe('the claim form in Slack', () => {
  let fake: SlackApiFake;
  let stack: SlackStack;
  const post = (body: string, type: string) => {
    return fetch(`${stack.running.url}/slack/events`, { method: 'POST', headers: { 'content-type': type, ...slackSignedHeaders(SECRET, body) }, body });
  };
  const event = (ev: Record<string, unknown>) => post(JSON.stringify({
    token: 'x', team_id: 'T0PRAC', api_app_id: 'A0MEDB', type: 'event_callback', event_id: `EvFORM${++seq}`, event_time: Math.floor(Date.now() / 1000), event: { user: USER, ts: `${Date.now() / 1000}`, ...ev },
  }), 'application/json');
  /** A button pressed on a message, as Slack's block_actions payload carries it. */
  const press = (value: string, channel: string, messageTs: string) => post(new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions', team: { id: 'T0PRAC', domain: 'practice' }, user: { id: USER, name: 'biller', team_id: 'T0PRAC' }, api_app_id: 'A0MEDB', token: 'x',
      container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false }, trigger_id: `trig-${++seq}`,
      channel: { id: channel, name: 'billing' }, message: { type: 'message', ts: messageTs, text: 'claim' }, response_url: fake.responseUrl(`act-${seq}`),
      actions: [{ type: 'button', action_id: 'medbill_button_0', block_id: `b${seq}`, text: { type: 'plain_text', text: 'x' }, value, action_ts: `${Date.now() / 1000}` }],
    }),
  }).toString(), 'application/x-www-form-urlencoded');
  type Element = { value?: string; text?: { text: string }; options?: Element[] };
  /** A button's value by its label, or the option's of a menu (more than five choices are a static select). */
  const button = (label: string, where: (c: { params: Record<string, unknown> }) => boolean) => fake.of('chat.postMessage').filter(where)
    .flatMap((c) => ((c.params.blocks ?? []) as { elements?: Element[] }[]).flatMap((b) => b.elements ?? []))
    .flatMap((e) => e.options ?? [e])
    .find((e) => e.text?.text === label)?.value;
  const uploads = () => fake.of('files.completeUploadExternal');
  /** The PDF the upload carried (the recorded body is the multipart form around it). */
  const uploaded = (n = 0): Buffer => {
    const body = Buffer.from(String(fake.of('upload')[n]?.params.bytes ?? ''), 'base64');
    const start = body.indexOf('%PDF-');
    return start < 0 ? Buffer.alloc(0) : body.subarray(start, body.lastIndexOf('%%EOF') + 5);
  };

  beforeEach(async () => {
    fake = await startSlackApiFake();
    stack = await startSlackStack({ secret: SECRET, fake, dbPath: tempDbPath(), zone: 'America/Chicago' });
  });
  afterEach(async () => {
    await stack.close();
    await fake.close();
  });

  it('"Claim form" pressed under a claim in the channel sends the PDF to the DM, nothing of it to the channel', async () => {
    const claims = claimService(stack.app.storage);
    const plan = await claims.draft({ caseId: 'C-7K3Q9', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41899'], diagnoses: ['K04.7'], billedCents: 65_000, serviceDate: '2026-11-03', submittedDate: '2026-11-04', authNumber: 'PA-77' }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claims.commit(plan))) throw new Error('seeding failed');

    const threadTs = `${Math.floor(Date.now() / 1000)}.000100`;
    expect((await event({ type: 'app_mention', channel: CHANNEL, text: '<@UBOT> claim C-7K3Q9', ts: threadTs })).status).toBe(200);
    await fake.waitFor(() => button('Claim form', (c) => c.params.channel === CHANNEL) !== undefined, 15_000);
    const value = button('Claim form', (c) => c.params.channel === CHANNEL) ?? '';
    expect((await press(value, CHANNEL, threadTs)).status).toBe(200);
    await fake.waitFor(() => uploads().length > 0, 15_000);

    const [complete] = uploads();
    expect(complete?.params.channel_id).toBe('D0BILLER');
    expect(complete?.params.files).toEqual([expect.objectContaining({ title: 'CMS1500-C-7K3Q9.pdf' })]);
    const pdf = uploaded();
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await boxText(pdf, '24D.1')).toBe('41899');
    expect(await boxText(pdf, '23')).toBe('PA-77');
    expect(await boxText(pdf, '28')).toBe('650 00');
    // Nothing of the form in the channel: no file, no check list.
    expect(fake.of('files.getUploadURLExternal').every((c) => !JSON.stringify(c.params).includes(CHANNEL))).toBe(true);
    expect(fake.of('chat.postMessage').filter((c) => c.params.channel === CHANNEL).some((c) => /CMS-1500|Check before sending/.test(JSON.stringify(c.params)))).toBe(false);
    expect(fake.of('chat.postMessage').some((c) => c.params.channel === 'D0BILLER' && /CMS-1500 for case C-7K3Q9/.test(JSON.stringify(c.params)))).toBe(true);
  }, 40_000);

  it('"Claim form" under a medical answer in the DM sends the PDF from the answer', async () => {
    await event({ type: 'message', channel: 'D0BILLER', channel_type: 'im', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
    await fake.waitFor(() => button('Claim form', (c) => c.params.channel === 'D0BILLER') !== undefined, 15_000);
    const value = button('Claim form', (c) => c.params.channel === 'D0BILLER') ?? '';
    expect(value).toMatch(/^go:claim:form C-[A-Z0-9]{5}$/);
    await press(value, 'D0BILLER', `${Date.now() / 1000}`);
    await fake.waitFor(() => uploads().length > 0, 15_000);
    expect(uploads()[0]?.params.channel_id).toBe('D0BILLER');
    const pdf = uploaded();
    expect(await boxText(pdf, '24D.1')).toBe('E0486');
    expect(await boxText(pdf, '2')).toBe('[PATIENT NAME]');
  }, 40_000);
});

describe('the claim form on the chat page', () => {
  it('comes back from /api/turn as a PDF file part, which the page offers as a download', async () => {
    const house = openHouse({ ...loadConfig({}), dbPath: tempDbPath() });
    const running = await startServer(house, { host: '127.0.0.1', port: 0, log: silentLogger });
    try {
      const turn = async (what: Record<string, unknown>) => {
        const res = await fetch(`${running.url}/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'web-form-1', ...what }) });
        expect(res.status).toBe(200);
        return ((await res.json()) as { replies: { text: string; parts: { kind: string; name?: string; mediaType?: string; base64?: string; choices?: { label: string; value: string }[] }[] }[] }).replies;
      };
      const answer = await turn({ text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
      const value = answer.flatMap((r) => r.parts).flatMap((p) => p.choices ?? []).find((c) => c.label === 'Claim form')?.value;
      expect(value).toMatch(/^go:claim:form C-/);
      const got = await turn({ button: value });
      const file = got.flatMap((r) => r.parts).find((p) => p.kind === 'file');
      expect(file).toMatchObject({ mediaType: 'application/pdf', name: expect.stringMatching(/^CMS1500-C-[A-Z0-9]{5}\.pdf$/) });
      expect(await boxText(Buffer.from(file?.base64 ?? '', 'base64'), '24D.1')).toBe('E0486');
      // The page turns a file part into a download link of its own name and type (adapters/web/page.js).
      const page = readFileSync(join(ROOT, 'adapters/web/page.js'), 'utf8');
      expect(page).toMatch(/case 'file': \{[^]*new Blob\(\[bytes\], \{ type: p\.mediaType \}\)[^]*download: p\.name/);
    } finally {
      await running.close();
      house.close();
    }
  }, 30_000);
});
