/**
 * The local chat page's endpoints: POST /api/turn with one of text, a button value or a form, answered
 * with the replies as JSON, and what medbill read of a typed message or form (`read`: identifiers left
 * out), which is all of the person's own words the page keeps to show again after a reload; GET /api/today?user=… for the page's "Today" view (the daily digest, as typing
 * "today" answers it). Validated with zod; anything malformed is a 4xx with a message, never a turn.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Engine, Screened } from '../../src/engine/engine.js';
import type { Input } from '../../src/engine/model.js';
import { describeZodError } from '../../src/zod-message.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { readBody, sendJson, HttpError } from '../../src/http.js';

/** Big enough for a 100 KB message (which the engine answers with "too long"), small enough to refuse floods. */
export const MAX_BODY_BYTES = 256 * 1024;

// A random id the page keeps in the browser: one session per browser. Not a person's name.
const UserId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, - or _');

const TurnBody = z
  .strictObject({
    user: UserId,
    text: z.string().max(MAX_BODY_BYTES).optional(),
    button: z.string().min(1).max(300).optional(),
    form: z.strictObject({ id: z.string().min(1).max(40), values: z.record(z.string().max(40), z.string().max(4000)) }).optional(),
  })
  .refine((b) => [b.text, b.button, b.form].filter((x) => x !== undefined).length === 1, { message: 'send exactly one of text, button or form' });

/** The one input a turn's body carries (TurnBody lets exactly one of text, button and form through). */
function turnInput(b: z.infer<typeof TurnBody>): Input {
  if (b.text !== undefined) return { kind: 'text', text: b.text };
  if (b.button !== undefined) return { kind: 'button', value: b.button };
  if (b.form !== undefined) return { kind: 'form', form: b.form.id, values: b.form.values };
  throw new HttpError(400, 'send exactly one of text, button or form');
}

export const PAGE = readFileSync(join(PROJECT_ROOT, 'adapters', 'web', 'page.html'), 'utf8');
const PAGE_SCRIPT = readFileSync(join(PROJECT_ROOT, 'adapters', 'web', 'page.js'), 'utf8');

export function servePage(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    // The page runs only its own script file and talks only to this server; no other site may frame it.
    // Images only from blob: URLs the script made (report charts, drawn from their SVG as <img>).
    'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(PAGE);
}

export function servePageScript(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
  res.end(PAGE_SCRIPT);
}

export async function handleWebTurn(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send JSON (content-type: application/json)');
  const raw = await readBody(req, MAX_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  const parsed = TurnBody.safeParse(json);
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
  const b = parsed.data;
  // Screened here (the engine takes it as it is), so the page learns what was read without a second scrub.
  const input = turnInput(b);
  const screened = await engine.screen(input);
  const replies = await engine.handleScreened({ platform: 'web', user: b.user, conversation: 'web', direct: true, input }, screened);
  sendJson(res, 200, { replies, ...readBack(screened) });
}

/**
 * What medbill read of the person's words, identifiers left out: the text, or a form's values. Nothing for a
 * button (its label is medbill's own) or a message too long to read.
 */
function readBack(screened: Screened): { read?: { text: string } | { values: Record<string, string> } } {
  if (!('input' in screened)) return {};
  const input = screened.input;
  if (input.kind === 'text') return { read: { text: input.text } };
  if (input.kind === 'form') return { read: { values: input.values } };
  return {};
}

/**
 * The "Today" view: the replies typing "today" gets, for the page's user. Asked in a conversation of its
 * own, so looking at Today leaves the chat's open question (a payment form, a triage) where it was.
 */
export async function handleWebToday(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const user = UserId.safeParse(new URL(req.url ?? '/', 'http://localhost').searchParams.get('user') ?? '');
  if (!user.success) throw new HttpError(400, describeZodError(user.error, 'user'));
  const where = { platform: 'web', user: user.data, conversation: 'web-today' };
  const replies = await engine.handle({ ...where, direct: true, input: { kind: 'text', text: 'today' } });
  // The practice's zone (its own, if it set one), so the page says "as of" on the practice's clock, as the list's dates are.
  sendJson(res, 200, { replies, zone: await engine.practiceZoneOf(where) });
}
