/**
 * The practice's claim numbers through the real surfaces (issue 24 §2): the local page's endpoints on a real
 * HTTP server on 127.0.0.1 (POST /api/turn as the page sends a typed message, GET /api/today for its Today
 * tab) and the command line (`medbill claims import` with a claim_number column, `medbill today`, `medbill
 * claims update`).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHouse, type House } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import { silentLogger } from '../../src/log.js';
import { cli, tempDbPath } from '../helpers.js';
import { claimService } from '../support/storage.js';
import { addDays } from '../../src/calendar.js';
import { systemClock, todayIn } from '../../src/today.js';

type Replies = { text: string; parts: { kind: string; text?: string; rows?: string[][]; columns?: string[] }[] }[];

describe('claim numbers on the local page, over HTTP', () => {
  let app: House;
  let running: Running;
  const config = { ...loadConfig({}), dbPath: tempDbPath() };
  // "today" where the practice is, on the server's own clock: the claim is dated from it.
  const today = todayIn(config.zone, systemClock);
  beforeAll(async () => {
    app = openHouse(config);
    running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger });
    const claims = claimService(app.storage);
    const plan = await claims.draft({ caseId: 'C-WEB23', reference: 'A1005', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 520000, submittedDate: addDays(today, -30) }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claims.commit(plan))) throw new Error('seed failed');
  });
  afterAll(async () => {
    await running.close();
    app.close();
  });

  const turn = async (text: string): Promise<Replies> => {
    const res = await fetch(`${running.url}/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'web-numbers-1', text }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { replies: Replies }).replies;
  };
  const words = (rs: Replies) => JSON.stringify(rs);

  it('shows the claim number beside the case ID on Today and in "claim list", and records "A1005 paid $5200" on that claim', async () => {
    const res = await fetch(`${running.url}/api/today?user=web-numbers-1`);
    expect(res.status).toBe(200);
    const { replies } = (await res.json()) as { replies: Replies };
    const items = replies.flatMap((r) => r.parts).filter((p) => p.kind === 'item').map((p) => p.text);
    expect(items).toContainEqual(expect.stringMatching(/^C-WEB23 · A1005 · Aetna · 41100 · \$5,200 · 30 days since submission/));

    const list = (await turn('claim list')).flatMap((r) => r.parts).find((p) => p.kind === 'table');
    expect(list?.columns?.slice(0, 2)).toEqual(['Case', 'Claim number']);
    expect(list?.rows?.[0]?.slice(0, 2)).toEqual(['C-WEB23', 'A1005']);

    expect(words(await turn('A1005 paid $5200'))).toMatch(/Recorded for C-WEB23 \(A1005\): paid \$5,200 on /);
    expect(await claimService(app.storage).get('C-WEB23')).toMatchObject({ status: 'paid', paidCents: 520000, paidDate: today });
    expect(words(await turn('A1006 denied CO-50'))).toMatch(/I don't know a claim numbered A1006\./);
  });
});

describe('claim numbers on the command line', () => {
  it('`medbill today` lists a claim imported with its claim number as "C-… · A1005", and `medbill claims update "A1005 paid $5200"` records it', () => {
    const db = tempDbPath('medbill-numbers-');
    const csv = join(dirname(db), 'claims.csv');
    const today = todayIn(loadConfig().zone, systemClock);
    writeFileSync(csv, `case_id,claim_number,payer,payer_kind,procedures,diagnoses,billed,submitted_date,status\nC-CMD23,A1005,Aetna,commercial,41100,K14.8,5200,${addDays(today, -30)},submitted\n`);
    const imported = cli(['claims', 'import', csv], undefined, { MEDBILL_DB: db });
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    const due = cli(['today'], undefined, { MEDBILL_DB: db });
    expect(due.code).toBe(0);
    expect(due.out).toMatch(/C-CMD23 · A1005 · Aetna · 41100 · \$5,200 · 30 days since submission/);

    // `medbill claims update` takes the claim number as chat does, and says when nothing was recorded.
    const paid = cli(['claims', 'update', 'A1005 paid $5200'], undefined, { MEDBILL_DB: db });
    expect(paid.err).toBe('');
    expect(paid.code).toBe(0);
    expect(paid.out).toMatch(/Recorded for C-CMD23 \(A1005\): paid \$5,200 on .*\. It is now paid; no more follow-up\./);
    expect(cli(['today'], undefined, { MEDBILL_DB: db }).out).not.toMatch(/C-CMD23/);
    const unknown = cli(['claims', 'update', 'A1006', 'denied', 'CO-50'], undefined, { MEDBILL_DB: db });
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/I don't know a claim numbered A1006\./);
    expect(unknown.err).toMatch(/nothing was recorded/);
    const again = cli(['claims', 'update', 'C-CMD23 denied CO-50'], undefined, { MEDBILL_DB: db });
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/is paid, so it cannot be marked denied/);
    const notAnUpdate = cli(['claims', 'update', 'pt broke #8 in a bike accident'], undefined, { MEDBILL_DB: db });
    expect(notAnUpdate.code).toBe(2);
    expect(notAnUpdate.err).toMatch(/claims update takes a case ID \(C-7K3Q9\) or the practice's claim number/);
  });
});
