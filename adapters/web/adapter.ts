/**
 * The local chat page as a ChatAdapter: its routes (the page, its script, /api/turn, /api/today), each checked
 * against the Host header first. The page asks and is answered in the same exchange, so nothing is taken
 * through the inbox, and nothing can be written to it unasked: it keeps no connection open.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../../src/engine/engine.js';
import type { AdapterRoute, ChatAdapter } from '../../src/engine/chat-adapter.js';
import { HttpError } from '../../src/http.js';
import { handleWebToday, handleWebTurn, servePage, servePageScript } from './handler.js';

export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host name of a Host header, without its port ("[::1]:3978" → "[::1]"). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0] ?? '';
}

export interface WebOptions {
  /** The host the server binds to: the page answers to it. */
  host: string;
  /**
   * Host names the page and its API answer to (the Host header), against DNS rebinding: a page elsewhere
   * that resolves its own name to 127.0.0.1 must not drive the chat. Loopback names are always allowed.
   */
  allowedHosts?: string[];
}

export function createWebAdapter(engine: Engine, opts: WebOptions): ChatAdapter {
  const allowed = new Set([...LOOPBACK_NAMES, opts.host.toLowerCase(), ...(opts.allowedHosts ?? []).map((h) => h.toLowerCase())]);
  const route = (path: string, method: 'GET' | 'POST', serve: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): AdapterRoute => ({
    path,
    handle: async (req, res) => {
      if (!allowed.has(hostName(req.headers.host))) throw new HttpError(421, 'this server does not answer to that host name (set MEDBILL_ALLOWED_HOSTS to add one)');
      // A page and its script are also read with HEAD; the API only as documented.
      const ok = req.method === method || (method === 'GET' && req.method === 'HEAD' && !path.startsWith('/api/'));
      if (!ok) throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: method });
      await serve(req, res);
    },
  });
  return {
    name: 'web',
    routes: [
      route('/', 'GET', (_req, res) => servePage(res)),
      route('/index.html', 'GET', (_req, res) => servePage(res)),
      route('/page.js', 'GET', (_req, res) => servePageScript(res)),
      route('/api/turn', 'POST', (req, res) => handleWebTurn(engine, req, res)),
      route('/api/today', 'GET', (req, res) => handleWebToday(engine, req, res)),
    ],
    start: async () => {},
    stop: async () => {},
    // The server's own start-up line says where the page is.
    describe: () => '',
    // The page draws replies itself (page.js), from the replies as JSON.
    render: (reply) => [reply],
    send: async () => {
      throw new Error('the local page is answered only in the exchange it asked in; it cannot be written to unasked');
    },
  };
}
