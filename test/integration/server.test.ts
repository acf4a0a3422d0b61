/** The real HTTP server on 127.0.0.1: the local chat endpoints, the page, /healthz, and bad requests. */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHouse, type House } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import { silentLogger } from '../../src/log.js';
import { ROOT, tempDbPath } from '../helpers.js';

let app: House;
let running: Running;
beforeAll(async () => {
  app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() });
  running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger });
});
afterAll(async () => {
  await running.close();
  app.close();
});

const post = (body: string, type = 'application/json') => fetch(`${running.url}/api/turn`, { method: 'POST', headers: { 'content-type': type }, body });
const turn = async (user: string, what: Record<string, unknown>) => {
  const res = await post(JSON.stringify({ user, ...what }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: { text: string; parts: { kind: string; choices?: { label: string; value: string }[]; result?: { lane: string } }[] }[] }).replies;
};
const button = (replies: Awaited<ReturnType<typeof turn>>, label: string) =>
  replies.flatMap((r) => r.parts).flatMap((p) => p.choices ?? []).find((c) => c.label === label)!.value;

describe('local chat over HTTP', () => {
  it('binds to loopback and answers /healthz', async () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${running.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the chat page', async () => {
    const res = await fetch(`${running.url}/`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('<script src="/page.js"></script>');
    const script = await fetch(`${running.url}/page.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('/api/turn');
  });

  it('walks the triage flow by buttons to an answer', async () => {
    const user = 'http-walk-1';
    const start = await turn(user, { button: 'go:triage' });
    const coverageQ = await turn(user, { button: button(start, 'Impacted wisdom tooth removal') });
    expect(coverageQ[0]!.text).toMatch(/which insurance/i);
    const answer = await turn(user, { button: button(coverageQ, 'One combined plan') });
    expect(answer.flatMap((r) => r.parts).find((p) => p.kind === 'triage')?.result?.lane).toBe('medical-first');
  });

  it('says what it read of a message or a form, identifiers left out, and nothing for a button', async () => {
    const said = async (what: Record<string, unknown>) => {
      const res = await post(JSON.stringify({ user: 'http-read-1', ...what }));
      expect(res.status).toBe(200);
      return ((await res.json()) as { read?: { text?: string; values?: Record<string, string> } }).read;
    };
    const text = await said({ text: 'pt John Smith broke #8 in a bike accident, BCBS medical + Delta dental' });
    expect(text?.text).toBe('pt [name removed] broke #8 in a bike accident, BCBS medical + Delta dental');
    expect(await said({ button: 'go:help' })).toBeUndefined();
    const form = await said({ form: { id: 'fee', values: { fee: '650', note: 'call 555-867-5309' } } });
    expect(form?.values?.fee).toBe('650');
    expect(form?.values?.note).not.toContain('5309');
    // A message too long to read is not read back at all.
    expect(await said({ text: 'a'.repeat(100 * 1024) })).toBeUndefined();
  });

  it('answers a 100 KB message with a clear reply, not an error', async () => {
    const replies = await turn('http-big-01', { text: 'a'.repeat(100 * 1024) });
    expect(replies[0]!.text).toMatch(/too long/);
  });

  const refused: [string, () => Promise<Response>, number, RegExp][] = [
    ['malformed JSON', () => post('{"user": "abcdefgh", "text": '), 400, /not valid JSON/],
    ['a body that is not JSON', () => post('text=hi', 'application/x-www-form-urlencoded'), 415, /JSON/],
    ['an unknown field', () => post(JSON.stringify({ user: 'abcdefgh1', text: 'hi', role: 'admin' })), 400, /role/],
    ['both text and a button', () => post(JSON.stringify({ user: 'abcdefgh1', text: 'hi', button: 'go:help' })), 400, /exactly one/],
    ['a bad user id', () => post(JSON.stringify({ user: '../../etc', text: 'hi' })), 400, /user/],
    ['a form with a non-string value', () => post(JSON.stringify({ user: 'abcdefgh1', form: { id: 'fee', values: { fee: { $gt: 1 } } } })), 400, /form/],
    ['a body over 256 KB', () => post(JSON.stringify({ user: 'abcdefgh1', text: 'x'.repeat(300 * 1024) })), 413, /over/],
    ['an unknown path', () => fetch(`${running.url}/admin`), 404, /nothing at/],
    ['a wrong method', () => fetch(`${running.url}/api/turn`), 405, /not allowed/],
    ['POST on /api/today', () => fetch(`${running.url}/api/today?user=abcdefgh1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 405, /POST is not allowed/],
    ['/api/today without a user', () => fetch(`${running.url}/api/today`), 400, /user/],
    ['/api/today with a bad user id', () => fetch(`${running.url}/api/today?user=../../etc`), 400, /user/],
  ];
  it.each(refused)('refuses %s with a 4xx and a message', async (_what, send, status, message) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('answers GET /api/today with the daily digest as replies, with the security headers', async () => {
    const res = await fetch(`${running.url}/api/today?user=http-today-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { replies } = (await res.json()) as { replies: { text: string; parts: unknown[] }[] };
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/^Claims for .*: nothing is due today\. 0 open claims/);
  });

  it('answers only GET on /api/today (405 with Allow: GET) and only under its own host names', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
      const res = await fetch(`${running.url}/api/today?user=http-today-1`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const { port } = new URL(running.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/today?user=http-today-1', headers: { host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it("leaves the chat's open question where it was when Today is looked at", async () => {
    const user = 'http-today-2';
    const start = await turn(user, { button: 'go:triage' });
    const coverageQ = await turn(user, { button: button(start, 'Impacted wisdom tooth removal') });
    expect((await fetch(`${running.url}/api/today?user=${user}`)).status).toBe(200);
    const answer = await turn(user, { button: button(coverageQ, 'One combined plan') });
    expect(answer.flatMap((r) => r.parts).find((p) => p.kind === 'triage')?.result?.lane).toBe('medical-first');
  });

  it('keeps working after bad requests', async () => {
    expect((await turn('http-after-1', { text: 'help' }))[0]!.text).toMatch(/medbill helps/);
  });
});

describe('medbill serve (npm start)', () => {
  it('prints where to open the page, serves /healthz, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [`${ROOT}/bin/medbill.js`, 'serve'], { env: { ...process.env, PORT: '0', MEDBILL_DB: tempDbPath(), MEDBILL_LOG: 'silent' } });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /open (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${out}`)));
      setTimeout(() => reject(new Error(`no address printed: ${out}`)), 10_000);
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
