/**
 * The Web API client's transport (adapters/slack/web-fetch.ts) against a loopback server: what arrives is what
 * Node's fetch would send, the sockets are kept alive, and Slack's failures reach the client as its own errors.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogLevel, webApi } from '@slack/bolt';
import { webApiFetch } from '../../adapters/slack/web-fetch.js';
import { ROOT } from '../helpers.js';

interface Seen { path: string; headers: IncomingMessage['headers']; body: string; socket: number }

describe('the Slack Web API transport', () => {
  const seen: Seen[] = [];
  let answer: (path: string) => { status: number; headers?: Record<string, string>; body: string } | 'silent' = () => ({ status: 200, body: '{"ok":true,"ts":"1.2"}' });
  let server: Server;
  let apiUrl = '';
  const sockets = new WeakMap<object, number>();
  let socketCount = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!sockets.has(req.socket)) sockets.set(req.socket, ++socketCount);
        seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), socket: sockets.get(req.socket) ?? 0 });
        const a = answer(req.url ?? '');
        if (a === 'silent') return;
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  // The client's own log (a failed request is a warning) stays quiet: the failures are what these tests make.
  const client = (options: Record<string, unknown> = {}) => new webApi.WebClient('xoxb-test', { slackApiUrl: apiUrl, fetch: webApiFetch, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR, ...options });
  const message = { channel: 'D1', text: 'Case C-ABCDE & more: 100%', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'ünïcode → *bold*' } }], metadata: { event_type: 'medbill_reply', event_payload: { event: 'Ev1', n: 0 } } };

  it('sends what Node\'s fetch sends, and gives the answer back', async () => {
    seen.length = 0;
    const res = await client().apiCall('chat.postMessage', message);
    await new webApi.WebClient('xoxb-test', { slackApiUrl: apiUrl, retryConfig: { retries: 0 } }).apiCall('chat.postMessage', message);
    expect(res).toMatchObject({ ok: true, ts: '1.2' });
    const [ours, node] = seen;
    expect(ours?.path).toBe('/api/chat.postMessage');
    expect(ours?.body).toBe(node?.body);
    expect(Number(ours?.headers['content-length'])).toBe(Buffer.byteLength(ours?.body ?? ''));
    expect(ours?.headers).toMatchObject({ authorization: 'Bearer xoxb-test', 'content-type': node?.headers['content-type'], 'user-agent': node?.headers['user-agent'] });
    expect(Object.fromEntries(new URLSearchParams(ours?.body))).toMatchObject({ channel: 'D1', text: message.text, blocks: JSON.stringify(message.blocks) });
  });

  it('reads a response as text, JSON or bytes, with its headers', async () => {
    const res = await webApiFetch(`${apiUrl}auth.test`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' });
    expect(res).toMatchObject({ ok: true, status: 200, url: `${apiUrl}auth.test` });
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.get('x-absent')).toBeNull();
    expect(Object.fromEntries(res.headers.entries())).toMatchObject({ 'content-type': 'application/json' });
    expect(Buffer.from(await res.arrayBuffer()).toString('utf8')).toBe('{"ok":true,"ts":"1.2"}');
    expect(await res.json()).toEqual({ ok: true, ts: '1.2' });
  });

  it('keeps its connection alive from call to call', async () => {
    seen.length = 0;
    const api = client();
    for (let i = 0; i < 5; i++) await api.apiCall('chat.postMessage', message);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('passes Slack\'s failures to the client as its own errors', async () => {
    answer = (path) => (path.endsWith('/chat.postMessage')
      ? { status: 429, headers: { 'retry-after': '7' }, body: '{"ok":false,"error":"ratelimited"}' }
      : path.endsWith('/auth.test') ? { status: 200, body: '{"ok":false,"error":"invalid_auth"}' } : { status: 500, body: 'down for maintenance' });
    try {
      await expect(client({ rejectRateLimitedCalls: true }).apiCall('chat.postMessage', message)).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
      await expect(client().apiCall('auth.test')).rejects.toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'invalid_auth' } });
      await expect(client().apiCall('conversations.open', { users: 'U1' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500, body: 'down for maintenance' });
    } finally {
      answer = () => ({ status: 200, body: '{"ok":true,"ts":"1.2"}' });
    }
  });

  it('gives up on a silent server at the client\'s timeout, and says a closed port is closed', async () => {
    answer = () => 'silent';
    try {
      const started = Date.now();
      await expect(client({ timeout: 300 }).apiCall('chat.postMessage', message)).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      answer = () => ({ status: 200, body: '{"ok":true,"ts":"1.2"}' });
    }
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = new webApi.WebClient('xoxb-test', { slackApiUrl: `http://127.0.0.1:${port}/api/`, fetch: webApiFetch, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    await expect(refused.apiCall('auth.test')).rejects.toMatchObject({ code: 'slack_webapi_request_error', original: { code: 'ECONNREFUSED' } });
  });

  it('sends a multipart upload through Node\'s fetch', async () => {
    seen.length = 0;
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('PNG bytes')]), 'chart.png');
    const res = await webApiFetch(`${apiUrl.replace(/api\/$/, '')}upload/1`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(seen[0]?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]?.body).toContain('PNG bytes');
  });

  // Slack's Web API is HTTPS: a certificate made here (openssl), trusted by a child process through
  // NODE_EXTRA_CA_CERTS (the transport's agent uses the default trust store), and refused without it.
  const certDir = mkdtempSync(join(tmpdir(), 'medbill-tls-'));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
  if (made.status !== 0) console.log('skipped: the HTTPS check needs the openssl command to make a certificate');
  it.skipIf(made.status !== 0)('posts over HTTPS on one kept-alive connection, and refuses a certificate it does not trust', async () => {
    const tls = createHttpsServer({ key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, channel: new URLSearchParams(body).get('channel'), socket: req.socket.remotePort }));
      });
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/api/`;
    const script = `
      const { webApi } = await import('@slack/bolt');
      const { webApiFetch } = await import(${JSON.stringify(join(ROOT, 'dist/adapters/slack/web-fetch.js'))});
      const client = new webApi.WebClient('xoxb-test', { slackApiUrl: ${JSON.stringify(url)}, fetch: webApiFetch, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
      const answers = [];
      try {
        for (let i = 0; i < 3; i++) answers.push(await client.apiCall('chat.postMessage', { channel: 'D1', text: 'hi' }));
        console.log(JSON.stringify(answers));
      } catch (err) { console.log(JSON.stringify({ failed: err.code, why: err.original?.code })); }`;
    // Asynchronous: the server answering it runs in this process.
    const run = (env: Record<string, string>) => new Promise<string>((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, ...env } }, (_err, out) => resolve(out));
    });
    try {
      const trusted = JSON.parse(await run({ NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem') })) as { ok: boolean; channel: string; socket: number }[];
      expect(trusted.map((a) => [a.ok, a.channel])).toEqual([[true, 'D1'], [true, 'D1'], [true, 'D1']]);
      expect(new Set(trusted.map((a) => a.socket)).size).toBe(1);
      expect(JSON.parse(await run({}))).toEqual({ failed: 'slack_webapi_request_error', why: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
      rmSync(certDir, { recursive: true, force: true });
    }
  }, 20_000);
});
