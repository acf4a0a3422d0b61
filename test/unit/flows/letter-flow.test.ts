/**
 * The letter flow through the engine: "Draft letter" under a triage answer asks only for the facts the
 * template still needs (what the case said is not asked again), hands over the draft as text and .docx to the
 * person alone, keeps it by case ID so it can be had again the next day (another engine on the same file), and
 * regenerates it when a fact is changed. Then Slack: the letter arrives as a file in the DM, through the
 * recorded Web API's upload calls, never in the channel.
 */
import { describe, expect, it } from 'vitest';
import mammoth from 'mammoth';
import { openEngine } from '../../support/house.js';
import type { Input, Reply } from '../../../src/engine/model.js';
import { cli, tempDbPath } from '../../helpers.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLetterTemplates, type LetterTemplate } from '../../../src/letters/templates.js';
import { startSlackApiFake } from '../../support/slack-api-fake.js';
import { startSlackStack } from '../../support/slack-stack.js';
import { slackSignedHeaders } from '../../support/slack-signing.js';
import { sqliteClosedAfterEach } from '../../support/storage.js';
import { choices, press } from '../../support/replies.js';

const opened = sqliteClosedAfterEach();

function chat(path: string, user = 'u1') {
  const db = opened(path);
  const engine = openEngine(db, { zone: 'America/Chicago' });
  return (input: Input) => engine.handle({ platform: 'test', user, conversation: 'dm', direct: true, input });
}
const fileOf = (rs: Reply[]) => rs.flatMap((r) => r.parts).find((p) => p.kind === 'file');
const documentOf = (rs: Reply[]) => rs.flatMap((r) => r.parts).find((p) => p.kind === 'document');

/** Answers the letter's questions: a button where there is one, else a plausible clinical answer. */
async function answerAll(send: (i: Input) => Promise<Reply[]>, first: Reply[], asked: string[]): Promise<Reply[]> {
  let rs = first;
  for (let i = 0; i < 20 && !fileOf(rs); i++) {
    const q = rs.at(-1)?.text ?? '';
    asked.push(q);
    const buttons = choices(rs);
    const input: Input = buttons[0] ? { kind: 'button', value: buttons[0].value }
      : /month and year/i.test(q) ? { kind: 'text', text: 'March 2026' }
        : /how many|total|millimet/i.test(q) ? { kind: 'text', text: '40' }
          : /how long/i.test(q) ? { kind: 'text', text: '3 months' }
            : { kind: 'text', text: 'excessive daytime sleepiness, Epworth 14, hypertension' };
    rs = await send(input);
  }
  return rs;
}

describe('the letter flow', () => {
  it('drafts the letter from a triage answer, asking only what the case does not say, as text and .docx for the person alone', async () => {
    const path = tempDbPath('medbill-letter-');
    const send = chat(path);
    const answer = await send({ kind: 'text', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
    const caseId = /C-[A-Z0-9]{5}/.exec(answer[0]?.text ?? '')?.[0] ?? '';
    const asked: string[] = [];
    const done = await answerAll(send, await send(press(answer, 'Draft letter')), asked);
    // The case said the AHI, the age and that PAP was not tolerated: none of them is asked.
    expect(asked.join('\n')).not.toMatch(/\bAHI or RDI\b.*\?|how old|tried positive airway pressure/i);
    const file = fileOf(done);
    expect(file?.kind === 'file' && file.name).toBe(`LMN-${caseId}.docx`);
    expect(done.every((r) => r.privacy === 'direct-only')).toBe(true);
    const doc = documentOf(done);
    const text = doc?.kind === 'document' ? doc.body : '';
    expect(text).toMatch(/E0486/);
    expect(text).toMatch(/G47\.33/);
    expect(text).toMatch(/24 events per hour/);
    for (const p of ['[PATIENT NAME]', '[DATE OF BIRTH]', '[MEMBER ID]', '[PROVIDER NAME, CREDENTIALS, NPI]', '[DATE]']) expect(text).toContain(p);
    expect(text).toMatch(/LCD L33611/);
    // The .docx opens and says the same.
    const docx = file?.kind === 'file' ? Buffer.from(file.base64, 'base64') : Buffer.alloc(0);
    const { value } = await mammoth.extractRawText({ buffer: docx });
    expect(value).toMatch(/24 events per hour/);
    expect(value).toContain('[MEMBER ID]');
  }, 30_000);

  it('keeps the draft by case ID: the next day (another engine on the file) it comes back, and a changed fact regenerates it', async () => {
    const path = tempDbPath('medbill-letter-');
    const first = chat(path);
    const answer = await first({ kind: 'text', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
    const caseId = /C-[A-Z0-9]{5}/.exec(answer[0]?.text ?? '')?.[0] ?? '';
    await answerAll(first, await first({ kind: 'text', text: `draft an LMN for ${caseId}` }), []);

    const nextDay = chat(path, 'u2');
    const again = await nextDay({ kind: 'text', text: `letter for ${caseId}` });
    expect(fileOf(again), 'no question asked again: the saved facts are used').toBeDefined();
    const changed = await nextDay({ kind: 'text', text: 'change the AHI to 31' });
    expect(changed[0]?.text).toMatch(/^Changed: /);
    const doc = documentOf(changed);
    expect(doc?.kind === 'document' && doc.body).toMatch(/31 events per hour/);
    expect(doc?.kind === 'document' && doc.body).not.toMatch(/24 events per hour/);
  }, 30_000);

  it('finds "the sleep appliance case" among the person\'s recent cases', async () => {
    const send = chat(tempDbPath('medbill-letter-'));
    const osa = await send({ kind: 'text', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
    const osaId = /C-[A-Z0-9]{5}/.exec(osa[0]?.text ?? '')?.[0] ?? '';
    await send({ kind: 'text', text: 'new case' });
    await send({ kind: 'text', text: 'biopsy of tongue lesion, Aetna medical, age 55' });
    const rs = await send({ kind: 'text', text: 'letter for the sleep appliance case' });
    expect(rs.at(-1)?.text).toContain(`Letter for case ${osaId}:`);
  });

  it('says whose narrative the letter has: the language model\'s when it passed, the template\'s with the reason when not', async () => {
    for (const [writer, said] of [
      [async () => ({ paragraphs: ['The patient has obstructive sleep apnea with an AHI of 24 events per hour and could not tolerate PAP therapy.', 'A custom oral appliance is the treatment that remains.'], by: 'llm' as const }), /written by the language model .* read them before signing/],
      [async (input: { templateNarrative: string[] }) => ({ paragraphs: input.templateNarrative, by: 'template' as const, reason: 'added-number' }), /the template's: the language model's was not used \(added-number\)/],
      [async (input: { templateNarrative: string[] }) => ({ paragraphs: input.templateNarrative, by: 'template' as const, reason: 'unsupported-word', at: { paragraph: 2, sentence: 3 } }),
        /the template's: the language model's was not used \(unsupported-word, in its paragraph 2, sentence 3: a sentence said something the facts it cites do not\)/],
    ] as const) {
      const db = opened(tempDbPath('medbill-letter-'));
      const engine = openEngine(db, { zone: 'America/Chicago', narrative: writer });
      const send = (input: Input) => engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input });
      const answer = await send({ kind: 'text', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
      const done = await answerAll(send, await send(press(answer, 'Draft letter')), []);
      expect(done[0]?.text).toMatch(said);
    }
  }, 30_000);

  /** Triages a case (pressing the first button until the answer offers a letter), then asks for its letter: the first question. */
  async function letterFor(send: (i: Input) => Promise<Reply[]>, text: string): Promise<{ caseId: string; first: Reply[] }> {
    let rs = await send({ kind: 'text', text });
    const caseId = /C-[A-Z0-9]{5}/.exec(rs[0]?.text ?? '')?.[0] ?? '';
    for (let i = 0; i < 6 && !choices(rs).some((c) => c.label === 'Draft letter'); i++) {
      const first = choices(rs)[0];
      if (!first) break;
      rs = await send({ kind: 'button', value: first.value });
    }
    return { caseId, first: await send({ kind: 'text', text: `letter for ${caseId}` }) };
  }

  it('does not ask again what the case says: how a trauma case\'s injury happened, the teeth injured and the treatment', async () => {
    const send = chat(tempDbPath('medbill-letter-'));
    const { first } = await letterFor(send, 'pt fell off bicycle, luxated #8 and #9, splinting, Aetna medical, age 12');
    const asked: string[] = [];
    const done = await answerAll(send, first, asked);
    expect(asked.join('\n')).not.toMatch(/How did the injury happen|What injuries were found|What treatment was done/);
    const doc = documentOf(done);
    const text = doc?.kind === 'document' ? doc.body : '';
    expect(text).toMatch(/fell off bicycle/);
    expect(text).toMatch(/luxated #8 and #9/);
    expect(text).toMatch(/splinting/i);
  }, 30_000);

  it('does not ask where the lesion is when the case says (a tongue biopsy)', async () => {
    const send = chat(tempDbPath('medbill-letter-'));
    const { first } = await letterFor(send, 'biopsy of left lateral tongue lesion, Aetna medical, age 55');
    const asked: string[] = [];
    const done = await answerAll(send, first, asked);
    expect(asked.join('\n')).not.toMatch(/Where is the lesion/);
    const doc = documentOf(done);
    expect(doc?.kind === 'document' && doc.body).toMatch(/lesion of the left lateral tongue/);
  }, 30_000);

  it('asks which case when none is named, and says so when the case is unknown', async () => {
    const send = chat(tempDbPath('medbill-letter-'));
    expect((await send({ kind: 'text', text: 'draft a letter of medical necessity' }))[0]?.text).toMatch(/Which case is the letter for/);
    expect((await send({ kind: 'text', text: 'letter for C-ZZZZ9' }))[0]?.text).toMatch(/I have no case C-ZZZZ9/);
  });

  it('refuses a value the template cannot take, and asks the same question again', async () => {
    const send = chat(tempDbPath('medbill-letter-'));
    const answer = await send({ kind: 'text', text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63' });
    const test = await send(press(answer, 'Draft letter'));
    expect(test.at(-1)?.text).toMatch(/Which sleep test/);
    const month = await send(press(test, 'In-lab polysomnogram (PSG)'));
    expect(month.at(-1)?.text).toMatch(/month and year/);
    const refusedDate = await send({ kind: 'text', text: 'March 3, 2026' }); // a full date: the scrubber removes it
    expect(refusedDate.at(-1)?.text).toMatch(/month and year/);
    const events = await send({ kind: 'text', text: 'March 2026' });
    expect(events.at(-1)?.text).toMatch(/How many apneas and hypopneas/);
    const refused = await send({ kind: 'text', text: 'lots' });
    expect(refused.at(-1)?.text).toMatch(/^Please give a number.*How many apneas and hypopneas/);
  });
});

describe('the letter in Slack', () => {
  it('arrives as a file in the DM, through the upload calls, and nothing of it in the channel', async () => {
    const secret = 'letter-secret';
    const fake = await startSlackApiFake();
    const stack = await startSlackStack({ secret, fake });
    try {
      const post = (body: string, type: string) => {
        return fetch(`${stack.running.url}/slack/events`, { method: 'POST', headers: { 'content-type': type, ...slackSignedHeaders(secret, body) }, body });
      };
      let seq = 0;
      const dm = (text: string) => post(JSON.stringify({
        token: 'x', team_id: 'T0LTR', api_app_id: 'A0LTR', type: 'event_callback', event_id: `EvLTR${++seq}`, event_time: Math.floor(Date.now() / 1000),
        event: { type: 'message', channel: 'D0DOC1', channel_type: 'im', user: 'U0DOC1', text, ts: `${Date.now() / 1000}` },
      }), 'application/json');
      await dm('E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63');
      await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /Case C-/.test(String(c.params.text))));
      const caseId = /C-[A-Z0-9]{5}/.exec(JSON.stringify(fake.of('chat.postMessage')))?.[0] ?? '';
      // Answer the letter's questions by typing, as a person in Slack would.
      const answers = ['letter for ' + caseId, 'PSG', 'March 2026', '40', 'sleep medicine', 'daytime sleepiness, Epworth 14', 'yes', 'yes', 'custom hinged mandibular advancement device', 'yes', 'yes', 'yes', 'yes'];
      for (const a of answers) {
        if (fake.of('files.completeUploadExternal').length) break;
        const before = fake.of('chat.postMessage').length;
        await dm(a);
        await fake.waitFor(() => fake.of('chat.postMessage').length > before || fake.of('files.completeUploadExternal').length > 0);
      }
      await fake.waitFor((calls) => calls.some((c) => c.method === 'files.completeUploadExternal'), 10_000);
      const complete = fake.of('files.completeUploadExternal')[0];
      expect(complete?.params.channel_id).toBe('D0DOC1');
      expect(complete?.params.files).toEqual([expect.objectContaining({ title: `LMN-${caseId}.docx` })]);
      const bytes = Buffer.from(String(fake.of('upload')[0]?.params.bytes ?? ''), 'base64');
      expect(bytes.includes(Buffer.from('word/document.xml'))).toBe(true); // the .docx (a zip) went up
      expect(fake.calls.every((c) => c.method !== 'chat.postMessage' || String(c.params.channel).startsWith('D'))).toBe(true);
    } finally {
      await stack.close();
      await fake.close();
    }
  }, 40_000);
});

describe('medbill letter', () => {
  /** A valid answer for every fact of a template, from its type. */
  const valuesFor = (t: LetterTemplate) => Object.fromEntries(t.facts.map((f) => {
    switch (f.type) {
      case 'text': return [f.id, 'documented in the clinical notes'];
      case 'number': return [f.id, String(Math.round(((f.min ?? 0) + (f.max ?? (f.min ?? 0) + 100)) / 2))];
      case 'yes-no': return [f.id, f.expect ?? 'yes'];
      case 'choice': return [f.id, f.options[0]?.value ?? ''];
      case 'month-year': return [f.id, 'March 2024'];
      case 'duration': return [f.id, '6 weeks'];
    }
  }));

  it('--json prints the letter and --out writes the .docx; a missing fact is named with its question (exit 2)', async () => {
    const osa = loadLetterTemplates().find((t) => t.id === 'osa-appliance');
    if (!osa) throw new Error('the OSA template is there');
    const dir = mkdtempSync(join(tmpdir(), 'medbill-letter-cli-'));
    const input = { template: 'osa-appliance', payerKind: 'commercial', payer: 'Aetna', values: valuesFor(osa), procedures: ['E0486'], diagnoses: ['G47.33'] };
    const out = join(dir, 'lmn.docx');
    const ok = cli(['letter', '--json', '-', '--out', out], JSON.stringify(input));
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/E0486/);
    expect(ok.out).toMatch(/G47\.33/);
    expect(ok.out).toMatch(/To: Aetna medical review/);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK'); // a .docx is a zip
    expect((await mammoth.extractRawText({ path: out })).value).toContain('[PROVIDER NAME, CREDENTIALS, NPI]');

    const withoutDevice = Object.fromEntries(Object.entries(input.values).filter(([id]) => id !== 'device'));
    const missing = cli(['letter', '--json', '-'], JSON.stringify({ ...input, values: withoutDevice }));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/still needs:\n {2}- device: Which custom appliance/);
    expect(cli(['letter', '--case', 'C-ZZZZ9']).code).toBe(2);
    expect(cli(['letter']).code).toBe(2);
  });
});

describe('what is not a letter or a report request', () => {
  it('reads "letter from the surgeon…" and "report came back…" as a case, and "report" alone as the report', async () => {
    const send = chat(tempDbPath('medbill-letter-'));
    const fromSurgeon = await send({ kind: 'text', text: 'letter from the oral surgeon says #17 is impacted, BCBS medical' });
    expect(fromSurgeon.map((r) => r.text).join('\n')).not.toMatch(/Which case is the letter for|Letter for case/);
    const pathology = await send({ kind: 'text', text: 'report came back positive for squamous cell carcinoma after the tongue biopsy, Aetna' });
    expect(pathology.map((r) => r.text).join('\n')).not.toMatch(/claims report|No claims to report/i);
    expect((await send({ kind: 'text', text: 'report' }))[0]?.text).toMatch(/No claims to report on yet|Claims report as of/);
    // "claims report" is the report too, not the claim flow (whose command is "claim …").
    expect((await send({ kind: 'text', text: 'claims report' }))[0]?.text).toMatch(/No claims to report on yet|Claims report as of/);
    expect((await send({ kind: 'text', text: 'claim report' }))[0]?.text).toMatch(/No claims to report on yet|Claims report as of/);
  });
});
