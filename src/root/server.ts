/**
 * The HTTP server: the local chat page and its endpoints (/api/turn, /api/today), /healthz, and the routes
 * platform adapters add (Slack's /slack/events). Binds to loopback unless HOST says otherwise. Every
 * request is answered or closed, whatever it holds: errors become a status and a short JSON message,
 * never an exception that reaches the process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { House } from './house.js';
import { handleWebToday, handleWebTurn, servePage, servePageScript } from '../../adapters/web/handler.js';
import { ClientAbortedError, HttpError, sendJson } from '../http.js';
import { checkDb } from '../store/db.js';
import { errorFields, type Logger } from '../log.js';

export interface Running {
  server: Server;
  url: string;
  /** Takes an adapter's route off (Slack, when its token was refused): its path answers 404 from then on. */
  unmount(path: string): void;
  close(): Promise<void>;
}

/** A route an adapter adds (Slack's /slack/events). It may throw HttpError; the server answers for it. */
export interface Route { path: string; handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> }

export interface ServerOptions {
  host: string;
  port: number;
  log: Logger;
  routes?: Route[];
  /** The local chat page and /api/turn (off for a Slack-only deployment). Default on. */
  web?: boolean;
  /**
   * Host names the page and its API answer to (the Host header), against DNS rebinding: a page elsewhere
   * that resolves its own name to 127.0.0.1 must not drive the chat. Loopback names are always allowed.
   */
  allowedHosts?: string[];
  /** The whole request (headers and body) must arrive within this time, or the connection is closed (408). */
  requestTimeoutMs?: number;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '[::1]'];

/** The host name of a Host header, without its port ("[::1]:3978" → "[::1]"). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0] ?? '';
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function startServer(app: House, opts: ServerOptions): Promise<Running> {
  const routes = new Map((opts.routes ?? []).map((r) => [r.path, r]));
  const web = opts.web ?? true;
  const allowed = new Set([...LOOPBACK_NAMES, opts.host.toLowerCase(), ...(opts.allowedHosts ?? []).map((h) => h.toLowerCase())]);
  const requestTimeout = opts.requestTimeoutMs ?? 15_000;

  const checkHost = (req: IncomingMessage) => {
    const name = hostName(req.headers.host);
    if (!allowed.has(name)) throw new HttpError(421, 'this server does not answer to that host name (set MEDBILL_ALLOWED_HOSTS to add one)');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const route = routes.get(path);
    if (route) return route.handle(req, res);
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'GET' });
      checkDb(app.db);
      return sendJson(res, 200, { status: 'ok' });
    }
    const webPaths = ['/', '/index.html', '/page.js', '/api/turn', '/api/today'];
    if (!web || !webPaths.includes(path)) throw new HttpError(404, `nothing at ${path}`);
    checkHost(req);
    if (path === '/api/turn') {
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'POST' });
      return handleWebTurn(app.engine, req, res);
    }
    if (path === '/api/today') {
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'GET' });
      return handleWebToday(app.engine, req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'GET' });
    return path === '/page.js' ? servePageScript(res) : servePage(res);
  };

  const server = createServer({ requestTimeout, headersTimeout: Math.min(requestTimeout, 10_000), connectionsCheckingInterval: Math.min(1000, requestTimeout) }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Browsers must take every response as the type it says it is.
    res.setHeader('x-content-type-options', 'nosniff');
    handle(req, res, path).catch((err: unknown) => {
      const routeName = `${req.method} ${path.slice(0, 80)}`;
      if (err instanceof ClientAbortedError) {
        opts.log.log('debug', 'http-client-aborted', { route: routeName });
        return;
      }
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) opts.log.log('error', 'http-failed', { route: routeName, ...errorFields(err) });
      else opts.log.log('warn', 'http-refused', { route: routeName, status });
      if (!res.headersSent) {
        const message = err instanceof HttpError ? err.message : 'internal error';
        sendJson(res, status, { error: message }, err instanceof HttpError ? err.headers : {});
      } else res.end();
      // A refused upload may still be arriving: close the connection once the answer is out.
      if (status === 413) res.once('finish', () => req.socket.destroySoon());
    });
  });
  // A malformed request, or one that did not arrive in time: answer with a status and close the connection.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    opts.log.log('debug', 'http-client-error', { code: err.code ?? err.name });
    if (!socket.writable || socket.destroyed) return socket.destroy();
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        server,
        url: `http://${host}:${port}`,
        unmount: (path) => {
          routes.delete(path);
        },
        close: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
