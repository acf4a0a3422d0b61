/** Small HTTP helpers shared by the server's routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** The client went away before its request was read: nothing to answer, and not our error. */
export class ClientAbortedError extends Error {
  override readonly name = 'ClientAbortedError';
  constructor() {
    super('the client closed the connection');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The whole body as text. More than `limit` bytes (declared, or sent in chunks) is a 413, answered before
 * the connection is closed; bytes that are not UTF-8 are a 400.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooBig = () => new HttpError(413, `the body is over ${limit} bytes`, { connection: 'close' });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooBig());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    req.on('data', (c: Buffer) => {
      if (settled) return;
      size += c.length;
      if (size > limit) {
        // Stop keeping what arrives; the 413 goes out and the server closes the connection after it.
        chunks.length = 0;
        fail(tooBig());
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      try {
        resolve(utf8.decode(Buffer.concat(chunks)));
      } catch {
        reject(new HttpError(400, 'the body is not valid UTF-8'));
      }
    });
    req.on('aborted', () => fail(new ClientAbortedError()));
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNRESET' || err.code === 'ECONNABORTED' ? new ClientAbortedError() : err));
    req.on('close', () => {
      if (!req.complete) fail(new ClientAbortedError());
    });
  });
}
