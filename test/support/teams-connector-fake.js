// A Bot Connector (and a OneDrive upload endpoint) on 127.0.0.1 for the Teams tests and the benchmark:
// records every activity sent, every conversation created and every file uploaded, with the Authorization
// header it came with, and answers with ids as the real service does. Both URL shapes are accepted:
// `…/activities` (send to the conversation) and `…/activities/{id}` (reply to an activity).
// JavaScript (typed by the .d.ts beside it) so that the benchmark can run it in a process of its own:
// `node test/support/teams-connector-fake.js` prints "connector URL"; GET /_count answers { count, answers }.
import { createServer } from 'node:http';

export async function startConnectorFake(options = {}) {
  const calls = [];
  const uploads = [];
  let sent = 0;
  /** Activities whose body contains `options.answerMarker`: one per answered turn, however many cards a turn sends. */
  let answers = 0;
  let seq = 0;
  /** Activities to refuse with 429 (Teams' throttling) before taking any, and the Retry-After to give. */
  const throttle = { left: 0, retryAfter: '0', refused: 0 };
  /** After taking this many more activities, refuse the next one with a 500 (once); -1: never. */
  let failAfter = -1;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
      if (path === '/_count') { // for a fake running in another process (the benchmark): activities sent so far
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: sent, answers }));
        return;
      }
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
      if (m[1] && throttle.left > 0) {
        throttle.left--;
        throttle.refused++;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': throttle.retryAfter }).end('{"error":{"code":"Throttled"}}');
        return;
      }
      if (m[1] && failAfter >= 0 && failAfter-- === 0) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"InternalServerError"}}');
        return;
      }
      const text = raw.toString('utf8');
      if (m[1]) sent++;
      if (m[1] && options.answerMarker && text.includes(options.answerMarker)) answers++;
      calls.push({
        method: req.method, path, conversation: m[1] ?? '', ...(m[2] ? { replyToId: m[2] } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body: text ? JSON.parse(text) : undefined,
      });
      res.writeHead(m[1] ? 200 : 201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(m[1] ? { id: `sent-${++seq}` } : { id: `a:created-personal-${++seq}` }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url, calls, uploads,
    throttleNext: (n, retryAfter = '0') => Object.assign(throttle, { left: n, retryAfter }),
    failAfter: (n) => { failAfter = n; },
    get throttled() { return throttle.refused; },
    uploadUrl: (name) => `${url}upload/${encodeURIComponent(name)}?session=1`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The Adaptive Card an activity carries, if any. */
export const cardOf = (call) => call.body?.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
export const cardText = (call) => JSON.stringify(cardOf(call) ?? {});

function collect(card, pick) {
  const found = [];
  const walk = (x) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      found.push(...pick(x));
      Object.values(x).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** Every Action.Execute in a card (buttons, and buttons inside ColumnSets). */
export const actionsIn = (card) => collect(card, (x) => (x.type === 'Action.Execute' ? [{ title: x.title, data: x.data ?? {} }] : []));

/** The choices of a card's menu (more choices than Teams shows as buttons). */
export const menuChoicesIn = (card) => collect(card, (x) => (x.type === 'Input.ChoiceSet' ? x.choices : []));

if (import.meta.url === `file://${process.argv[1]}`) {
  // TEAMS_FAKE_ANSWER_MARKER: text that marks an answer, counted apart (a turn may send several cards).
  const fake = await startConnectorFake(process.env.TEAMS_FAKE_ANSWER_MARKER ? { answerMarker: process.env.TEAMS_FAKE_ANSWER_MARKER } : {});
  fake.calls.push = () => 0; // a long run keeps counts, not bodies
  console.log(`connector ${fake.url}`);
}
