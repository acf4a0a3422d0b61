/**
 * The HTTP server: the local chat page and its endpoint, and /healthz. Platform adapters add their
 * routes here as they come. Binds to loopback unless HOST says otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from './app.js';
import { handleWebTurn, servePage } from '../adapters/web/handler.js';
import { HttpError, sendJson } from './http.js';
import { checkDb } from './store/db.js';
import { errorFields, type Logger } from './log.js';

export interface Running { server: Server; url: string; close(): Promise<void> }

/** A route an adapter adds (Slack's /slack/events): it answers the request itself, including its errors. */
export interface Route { path: string; handle: (req: IncomingMessage, res: ServerResponse) => void }

export function startServer(app: App, opts: { host: string; port: number; log: Logger; routes?: Route[] }): Promise<Running> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const extra = opts.routes?.find((r) => r.path === path);
    if (extra) return extra.handle(req, res);
    const work = (async () => {
      if (route === 'GET /' || route === 'GET /index.html') return servePage(res);
      if (route === 'GET /healthz') {
        checkDb(app.db);
        return sendJson(res, 200, { status: 'ok' });
      }
      if (route === 'POST /api/turn') return handleWebTurn(app.engine, req, res);
      if (path === '/' || path === '/healthz' || path === '/api/turn') throw new HttpError(405, `${req.method} is not allowed on ${path}`);
      throw new HttpError(404, `nothing at ${path}`);
    })();
    work.catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) opts.log.log('error', 'http-failed', { route, ...errorFields(err) });
      else opts.log.log('warn', 'http-refused', { route, status });
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error' : (err as Error).message });
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        server,
        url: `http://${host}:${port}`,
        close: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
