/**
 * The secondary claim through Slack, end to end (issue 24 §5): the real server, signed requests in Slack's own
 * shapes, the recorded Web API. "/medbill C-MFSL2 paid $300 on 12/1" (settled) on a medical-first case opens the
 * dental claim C-MFSL2-D with the case's CDT code; its "C-MFSL2-D submitted" button records it; "/medbill today"
 * lists the medical claim and the dental claim each on its own line. Nothing reaches beyond loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { tempDbPath } from '../helpers.js';
import { claimService } from '../support/storage.js';
import { blockKitProblems } from '../support/block-kit.js';

const SECRET = 'dental-claim-secret';
const CHANNEL = 'C0BILLING';
let seq = 0;

describe('the dental claim of a medical-first case, in Slack', () => {
  let fake: SlackApiFake;
  let stack: SlackStack;
  const now = Date.parse('2026-12-09T15:00:00Z'); // 09:00 on Dec 9 in Chicago

  const post = (body: string, type: string) => stack.post(body, type);
  const slash = (text: string) => post(new URLSearchParams({
    token: 'x', team_id: 'T0PRAC', team_domain: 'practice', channel_id: CHANNEL, channel_name: 'billing', user_id: 'U0BILLER', user_name: 'biller',
    command: '/medbill', text, api_app_id: 'A0MEDB', response_url: fake.responseUrl(`cmd-${++seq}`), trigger_id: `trig-${seq}`,
  }).toString(), 'application/x-www-form-urlencoded');
  const press = (value: string, messageTs: string) => post(new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions', team: { id: 'T0PRAC', domain: 'practice' }, user: { id: 'U0BILLER', name: 'biller', team_id: 'T0PRAC' }, api_app_id: 'A0MEDB', token: 'x',
      container: { type: 'message', message_ts: messageTs, channel_id: CHANNEL, is_ephemeral: false }, trigger_id: `trig-${++seq}`,
      channel: { id: CHANNEL, name: 'billing' }, message: { type: 'message', ts: messageTs, text: 'claim' }, response_url: fake.responseUrl(`act-${seq}`),
      actions: [{ type: 'button', action_id: 'medbill_button_0', block_id: `b${seq}`, text: { type: 'plain_text', text: 'x' }, value, action_ts: `${Date.now() / 1000}` }],
    }),
  }).toString(), 'application/x-www-form-urlencoded');

  type Call = { method: string; params: Record<string, unknown> };
  /** The first message sent to Slack (posted, or through a response URL) whose content matches. */
  const sent = async (re: RegExp): Promise<Call> => {
    await fake.waitFor((calls) => calls.some((c) => re.test(JSON.stringify(c.params))));
    const call = fake.calls.find((c) => re.test(JSON.stringify(c.params)));
    if (!call) throw new Error(`nothing sent matches ${re}`);
    return call;
  };
  type Element = { value?: string; text?: { text: string } };
  const buttonsIn = (call: Call) => ((call.params.blocks ?? []) as { elements?: Element[] }[])
    .flatMap((b) => b.elements ?? []).filter((e) => e.value).map((e) => ({ label: e.text?.text ?? '', value: e.value ?? '' }));

  beforeEach(async () => {
    fake = await startSlackApiFake();
    stack = await startSlackStack({ secret: SECRET, fake, dbPath: tempDbPath(), now: () => now, zone: 'America/Chicago' });
    // A case medbill answered as medical first (an impacted wisdom tooth on a combined plan), and its medical claim, submitted.
    const facts = { procedure: 'D7240', cause: 'impaction', diagnoses: ['K01.1'], coverage: { medical: true, dental: true, combinedPlan: true, medicalPayer: 'commercial' }, patientAge: 18 };
    const storage = stack.app.storage;
    expect(await storage.unitOfWork.commit([{ kind: 'case.record', owner: 'slack:T0PRAC:dm:U0BILLER', record: { caseId: 'C-MFSL2', procedure: 'D7240', lane: 'medical-first', updatedAt: now, facts } }])).toBe(true);
    const plan = await claimService(storage).draft({
      caseId: 'C-MFSL2', payer: 'Aetna', payerKind: 'commercial', lane: 'medical-first', procedures: ['41899'], diagnoses: ['K01.1'],
      serviceDate: '2026-11-10', submittedDate: '2026-11-12', billedCents: 65000,
    }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claimService(storage).commit(plan))) throw new Error('seed failed');
  });
  afterEach(async () => {
    await stack.close();
    await fake.close();
  });

  it('opens the dental claim with the medical payment, records it submitted by its button, and lists both in "today"', async () => {
    expect((await slash('C-MFSL2 paid $300 on 12/1')).status).toBe(200);
    // $300 of $650 billed: settled, or part still open? Either way the EOB is in: settled.
    const asked = await sent(/Is C-MFSL2 settled/);
    const settled = buttonsIn(asked).find((b) => b.label === 'Settled');
    expect((await press(settled?.value ?? '', '1700000000.000100')).status).toBe(200);
    const recorded = await sent(/Opened the dental claim C-MFSL2-D/);
    const said = JSON.stringify(recorded.params);
    expect(said).toMatch(/Recorded for C-MFSL2: paid \$300 on Tue Dec 1, 2026\. It is now paid; no more follow-up\. Opened the dental claim C-MFSL2-D: send it to the dental plan with the medical EOB\./);
    expect(said).toMatch(/Codes: D7240, K01\.1 \(the case's CDT codes\)/);
    if (Array.isArray(recorded.params.blocks)) expect(blockKitProblems(recorded.params.blocks as Record<string, unknown>[])).toEqual([]);
    expect(await stack.app.storage.claims.get('C-MFSL2-D')).toMatchObject({ status: 'draft', payerKind: 'dental', procedures: ['D7240'], billedCents: 35000 });

    const submit = buttonsIn(recorded).find((b) => b.label === 'C-MFSL2-D submitted');
    expect(submit).toBeDefined();
    expect((await press(submit?.value ?? '', '1700000000.000200')).status).toBe(200);
    await sent(/Recorded for C-MFSL2-D: submitted on Wed Dec 9, 2026/);
    expect(await stack.app.storage.claims.get('C-MFSL2-D')).toMatchObject({ status: 'submitted', submittedDate: '2026-12-09', nextFollowUp: '2026-12-23' });
    expect((await stack.app.storage.claims.history('C-MFSL2-D')).map((e) => [e.action, e.surface])).toEqual([['created', 'slack'], ['submitted', 'slack']]);

    // A second claim on another case, undecided, and the dental claim not sent: "today" follows each by its own key.
    const storage = stack.app.storage;
    const other = await claimService(storage).draft({ caseId: 'C-MFSL3', payer: 'Cigna', payerKind: 'commercial', lane: 'medical-first', procedures: ['41899'], diagnoses: ['K01.1'], serviceDate: '2026-11-02', submittedDate: '2026-11-03', billedCents: 50000 }, { who: 'test', surface: 'test' });
    if (!other.ok || !(await claimService(storage).commit(other))) throw new Error('seed failed');
    expect((await claimService(storage).apply('C-MFSL3', { kind: 'denied', date: '2026-12-01', denial: { group: 'CO', carc: '50' } }, { who: 'test', surface: 'test' })).ok).toBe(true);
    fake.clear();
    await slash('today');
    const today = JSON.stringify((await sent(/Not submitted yet/)).params);
    expect(today).toMatch(/C-MFSL3 · denied · Cigna · 41899 · \$500/);
    expect(today).toMatch(/C-MFSL3-D · Dental plan · 41899 · \$500 · 37 days since service · served Mon Nov 2, 2026, not submitted · dental claim: send with C-MFSL3's medical EOB/);
    expect(today).toContain('go:claim:C-MFSL3-D submitted');
  }, 30_000);
});
