/**
 * A Bot Connector (and a OneDrive upload endpoint) on 127.0.0.1 for the Teams tests: records every activity
 * sent, every conversation created and every file uploaded, with the Authorization header it came with, and
 * answers with ids as the real service does. Both URL shapes are accepted: `…/activities` (send to the
 * conversation) and `…/activities/{id}` (reply to an activity).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  /** The conversation the activity was sent to ('' for a conversation created). */
  conversation: string;
  replyToId?: string;
  authorization?: string;
  body: any;
}
export interface Uploaded { path: string; contentRange?: string; bytes: Buffer }

export interface ConnectorFake {
  url: string;
  /** Where a fake OneDrive upload session for `name` is. */
  uploadUrl(name: string): string;
  calls: Recorded[];
  uploads: Uploaded[];
  close(): Promise<void>;
}

export async function startConnectorFake(): Promise<ConnectorFake> {
  const calls: Recorded[] = [];
  const uploads: Uploaded[] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
      if (req.method === 'PUT' && path.startsWith('/upload/')) {
        uploads.push({ path, ...(req.headers['content-range'] ? { contentRange: req.headers['content-range'] } : {}), bytes: raw });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const m = /^\/v3\/conversations(?:\/(.+?)\/activities(?:\/([^/]+))?)?$/.exec(path);
      if (req.method !== 'POST' || !m) {
        res.writeHead(404).end();
        return;
      }
      const text = raw.toString('utf8');
      calls.push({
        method: req.method, path, conversation: m[1] ?? '', ...(m[2] ? { replyToId: m[2] } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body: text ? JSON.parse(text) : undefined,
      });
      res.writeHead(m[1] ? 200 : 201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(m[1] ? { id: `sent-${++seq}` } : { id: `a:created-personal-${++seq}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url, calls, uploads,
    uploadUrl: (name) => `${url}upload/${encodeURIComponent(name)}?session=1`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The Adaptive Card an activity carries, if any. */
export const cardOf = (call: Recorded) => call.body?.attachments?.find((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
export const cardText = (call: Recorded) => JSON.stringify(cardOf(call) ?? {});

/** Every Action.Execute in a card (buttons, and buttons inside ColumnSets), and the menus (Input.ChoiceSet). */
export function actionsIn(card: unknown): { title: string; data: Record<string, unknown> }[] {
  const found: { title: string; data: Record<string, unknown> }[] = [];
  const walk = (x: any) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      if (x.type === 'Action.Execute') found.push({ title: x.title, data: x.data ?? {} });
      Object.values(x).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** The choices of a card's menu (more choices than Teams shows as buttons). */
export function menuChoicesIn(card: unknown): { title: string; value: string }[] {
  const found: { title: string; value: string }[] = [];
  const walk = (x: any) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      if (x.type === 'Input.ChoiceSet') found.push(...x.choices);
      Object.values(x).forEach(walk);
    }
  };
  walk(card);
  return found;
}
