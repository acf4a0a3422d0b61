/**
 * The HTTP server: the local chat page and its endpoints (/api/turn, /api/today), /healthz, and the routes
 * platform adapters add (Slack's /slack/events). Binds to loopback unless HOST says otherwise. Every
 * request is answered or closed, whatever it holds: errors become a status and a short JSON message,
 * never an exception that reaches the process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { House } from './house.js';
import { createWebAdapter, isLoopbackHost } from '../../adapters/web/adapter.js';
import type { AdapterRoute, ChatAdapter } from '../engine/chat-adapter.js';
import { ClientAbortedError, HttpError, sendJson } from '../http.js';
import { errorFields, type Logger } from '../log.js';

export interface Running {
  server: Server;
  url: string;
  /** Takes an adapter's route off (Slack, when its token was refused): its path answers 404 from then on. */
  unmount(path: string): void;
  close(): Promise<void>;
}

/** A route an adapter adds (Slack's /slack/events). It may throw HttpError; the server answers for it. */
export type Route = AdapterRoute;

export { isLoopbackHost };

export interface ServerOptions {
  host: string;
  port: number;
  log: Logger;
  routes?: Route[];
  /** Adapters whose routes the server serves (besides `routes`). */
  adapters?: ChatAdapter[];
  /**
   * The local chat page and /api/turn (off for a Slack-only deployment). Default on: unless `adapters` has
   * the page already, the server mounts it for the app's engine.
   */
  web?: boolean;
  /**
   * Host names the page and its API answer to (the Host header), against DNS rebinding: a page elsewhere
   * that resolves its own name to 127.0.0.1 must not drive the chat. Loopback names are always allowed.
   */
  allowedHosts?: string[];
  /** The whole request (headers and body) must arrive within this time, or the connection is closed (408). */
  requestTimeoutMs?: number;
}

export function startServer(app: House, opts: ServerOptions): Promise<Running> {
  const adapters = opts.adapters ?? [];
  const page = (opts.web ?? true) && !adapters.some((a) => a.name === 'web')
    ? [createWebAdapter(app.engine, { host: opts.host, ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}) })]
    : [];
  const routes = new Map([...page, ...adapters].flatMap((a) => a.routes).concat(opts.routes ?? []).map((r) => [r.path, r]));
  const requestTimeout = opts.requestTimeoutMs ?? 15_000;

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const route = routes.get(path);
    if (route) return route.handle(req, res);
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'GET' });
      await app.storage.check();
      return sendJson(res, 200, { status: 'ok' });
    }
    throw new HttpError(404, `nothing at ${path}`);
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
