/**
 * The HTTP server as a hostile browser or a slow network would use it (issue 10, finding 9): headers on
 * every response, the page's CSP and framing, the Host check against DNS rebinding, oversized chunked
 * bodies, slow clients, aborted requests and bytes that are not UTF-8.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openHouse, type House } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import { createLogger } from '../../src/log.js';
import { HttpError, ClientAbortedError } from '../../src/http.js';
import { errorFields } from '../../src/log.js';
import { tempDbPath } from '../helpers.js';

let app: House;
let running: Running;
let port: number;
const logLines: string[] = [];

beforeAll(async () => {
  app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() });
  running = await startServer(app, { host: '127.0.0.1', port: 0, log: createLogger('debug', (l) => logLines.push(l)), requestTimeoutMs: 1000 });
  port = Number(new URL(running.url).port);
});
afterAll(async () => {
  await running.close();
  app.close();
});
beforeEach(() => {
  logLines.length = 0;
});

/** A raw HTTP exchange over a socket, so headers like Host and chunked bodies are exactly as written. */
function raw(text: string | Buffer, opts: { waitMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => { got += d.toString('latin1'); });
    socket.on('close', () => resolve(got));
    socket.on('error', (e) => (got ? resolve(got) : reject(e)));
    socket.write(text);
    if (opts.waitMs !== undefined) setTimeout(() => socket.end(), opts.waitMs);
  });
}
const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const turnBody = JSON.stringify({ user: 'hardening-1', text: 'help' });

describe('HTTP hardening', () => {
  it.each([
    ['GET', '/'], ['GET', '/page.js'], ['GET', '/healthz'], ['POST', '/api/turn'], ['GET', '/nothing-here'], ['GET', '/api/turn'],
  ])('sends X-Content-Type-Options: nosniff on %s %s', async (method, path) => {
    const res = await fetch(`${running.url}${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: turnBody } : {}) });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the page with a CSP that allows no inline script and no framing', async () => {
    const res = await fetch(`${running.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).toBe("'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.text()).not.toMatch(/<script>[^<]/); // no inline script left on the page
  });

  it('refuses the page and its API under a host name it was not given (DNS rebinding)', async () => {
    for (const path of ['/', '/api/turn']) {
      const method = path === '/' ? 'GET' : 'POST';
      const response = await raw(`${method} ${path} HTTP/1.1\r\nHost: attacker.example:3978\r\ncontent-type: application/json\r\ncontent-length: ${turnBody.length}\r\nconnection: close\r\n\r\n${method === 'POST' ? turnBody : ''}`);
      expect(statusOf(response)).toBe(421);
    }
    const ok = await raw(`GET / HTTP/1.1\r\nHost: localhost:${port}\r\nconnection: close\r\n\r\n`);
    expect(statusOf(ok)).toBe(200);
    const health = await raw(`GET /healthz HTTP/1.1\r\nHost: attacker.example\r\nconnection: close\r\n\r\n`);
    expect(statusOf(health)).toBe(200); // probes may use any name; /healthz tells nothing
  });

  it('answers an oversized chunked body with 413, not a reset connection', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    let body = '';
    for (let i = 0; i < 6; i++) body += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    body += '0\r\n\r\n';
    const response = await raw(`POST /api/turn HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${body}`);
    expect(statusOf(response)).toBe(413);
    expect(response).toMatch(/over \d+ bytes/);
  });

  it('closes a request whose body never finishes (408) instead of keeping it open', async () => {
    const started = Date.now();
    const response = await raw(`POST /api/turn HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"user":`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(statusOf(response)).toBe(408);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });

  it('logs a client that hangs up mid-body at debug level, not as an error', async () => {
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/turn', headers: { 'content-type': 'application/json', 'content-length': 1000 } });
      req.on('error', () => resolve());
      req.write('{"user": "abcdefgh", "text": "');
      setTimeout(() => { req.destroy(); resolve(); }, 100);
    });
    await vi.waitFor(() => expect(logLines.some((l) => /"level":"debug".*http-client-aborted/.test(l))).toBe(true));
    expect(logLines.some((l) => /"level":"error"/.test(l))).toBe(false);
  });

  it('refuses a JSON body that is not valid UTF-8 with 400', async () => {
    const bytes = Buffer.concat([Buffer.from('{"user":"abcdefgh1","text":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await fetch(`${running.url}/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/UTF-8/);
  });

  it('names error classes in the log', () => {
    expect(errorFields(new HttpError(400, 'x')).error).toBe('HttpError');
    expect(errorFields(new ClientAbortedError()).error).toBe('ClientAbortedError');
  });
});

describe('a Slack-only deployment (MEDBILL_WEB=off)', () => {
  it('serves no page and no chat API, and still answers /healthz', async () => {
    const other = openHouse({ ...loadConfig({}), dbPath: tempDbPath() });
    const server = await startServer(other, { host: '127.0.0.1', port: 0, log: createLogger('silent'), web: false });
    try {
      expect((await fetch(`${server.url}/`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: turnBody })).status).toBe(404);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
      other.close();
    }
  });
});
