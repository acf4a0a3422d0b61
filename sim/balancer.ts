/**
 * A small round-robin HTTP balancer on loopback, in front of the replicas, as a load balancer would be in a
 * deployment: each request goes to the next live backend; a backend that refuses the connection (it was
 * killed, or is starting) is skipped and the next one tried, the request not having reached any. A backend
 * that dies after the request went out answers 502: whether it was recorded is unknown, so the caller (Slack)
 * retries. Requests are small (Slack's are at most a few KB), so each is read whole before it is forwarded.
 */
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A backend's address while it is up; undefined while it is down or starting. */
export interface Backend { url: string | undefined }

export interface Balancer { url: string; refused: number; failed: number; close(): Promise<void> }

interface Answer { status: number; headers: IncomingMessage['headers']; body: Buffer }

function forward(url: string, agent: Agent, req: IncomingMessage, body: Buffer): Promise<Answer> {
  const target = new URL(req.url ?? '/', url);
  return new Promise((resolve, reject) => {
    const out = request(target, { method: req.method, headers: { ...req.headers, 'content-length': String(body.length) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

export async function startBalancer(backends: Backend[]): Promise<Balancer> {
  let next = 0;
  // One keep-alive pool per backend address (a restarted replica has a new port, so a new pool).
  const agents = new Map<string, Agent>();
  const agentFor = (url: string) => {
    let agent = agents.get(url);
    if (!agent) agents.set(url, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
    return agent;
  };
  const stats = { refused: 0, failed: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void (async () => {
        const start = next++;
        for (let i = 0; i < backends.length; i++) {
          const url = backends[(start + i) % backends.length]?.url;
          if (!url) continue;
          try {
            const answer = await forward(url, agentFor(url), req, body);
            const headers = { ...answer.headers };
            delete headers['transfer-encoding'];
            delete headers.connection;
            delete headers['keep-alive'];
            res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
            res.end(answer.body);
            return;
          } catch (err) {
            // Refused: the request reached no one, so the next backend may have it.
            if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
              stats.refused++;
              continue;
            }
            stats.failed++;
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end('the backend went away');
            return;
          }
        }
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
        res.end('no backend is up');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get refused() { return stats.refused; },
    get failed() { return stats.failed; },
    close: () => new Promise<void>((resolve) => {
      for (const a of agents.values()) a.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
