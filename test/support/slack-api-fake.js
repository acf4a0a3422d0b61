// A stand-in for Slack's Web API on loopback, for tests and benchmarks: it records every call the bot
// makes (method, token, decoded form fields with JSON values parsed) and answers the way Slack would.
// Options: rateLimitOnce {method: seconds}, delayMs {method: ms}, rejectToken (auth.test says invalid_auth),
// socketUrl (for Socket Mode), keepParams, answerMarker (chat.postMessage texts containing it are counted in /_count's answers),
// oauth {clientId, clientSecret} (an app many workspaces install: see installs below).
// Point the bot at it with SLACK_API_URL (clientOptions.slackApiUrl); response_url posts land on /respond/….
//
// OAuth (the simulation's workspaces): GET /oauth/v2/authorize?client_id&scope&state&redirect_uri&team=T… stands
// for a person of workspace T approving the install (Slack knows the workspace from who is signed in; here the
// caller names it): 302 to redirect_uri?code=…&state=…. oauth.v2.access trades the code, once, for a bot token
// of that workspace, distinct per install; auth.test then answers with the token's workspace.
import { createServer } from 'node:http';

export async function startSlackApiFake(options = {}) {
  // Only what the benchmark needs is kept when it runs the fake in its own process (see main below).
  const keepParams = options.keepParams ?? true;
  const calls = [];
  const waiters = [];
  /** chat.postMessage calls whose text contains `options.answerMarker`: one per answered event, however many messages it posts. */
  let answers = 0;
  /** Calls to fail once each (see failNext), in the order asked. */
  const failures = [];
  const rateLimits = new Map(Object.entries(options.rateLimitOnce ?? {})); // method -> retry-after seconds
  let ts = 1700000000;
  /** OAuth: codes handed out and not yet traded (code -> team), and the bot tokens issued (token -> team). */
  const codes = new Map();
  const tokens = new Map();
  let issued = 0;
  const tokenOf = (authorization) => String(authorization ?? '').replace(/^Bearer /, '');
  /** oauth.v2.access as Slack answers it: the client's credentials and an unused code, or an error. */
  const exchange = (params, authorization) => {
    // The client's credentials come in the form or as HTTP Basic auth, as Slack accepts both.
    const basic = /^Basic (.+)$/.exec(String(authorization ?? ''));
    const [basicId, basicSecret] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [];
    const clientId = params.client_id ?? basicId;
    const clientSecret = params.client_secret ?? basicSecret;
    if (clientId !== options.oauth.clientId || clientSecret !== options.oauth.clientSecret) return { ok: false, error: 'invalid_client_id' };
    const code = codes.get(String(params.code));
    if (!code) return { ok: false, error: 'invalid_code' };
    codes.delete(String(params.code));
    if (params.redirect_uri !== undefined && params.redirect_uri !== code.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
    const token = `xoxb-${code.team}-${++issued}-${Math.random().toString(36).slice(2, 12)}`;
    tokens.set(token, code.team);
    return {
      ok: true, access_token: token, token_type: 'bot', scope: code.scope, bot_user_id: `UB${code.team}`, app_id: 'ASIM',
      team: { id: code.team, name: `Practice ${code.team}` }, enterprise: null, is_enterprise_install: false, authed_user: { id: `UA${code.team}` },
    };
  };
  /** Messages posted per channel (newest last), with their metadata, for conversations.history. */
  const posted = new Map();
  const answer = (method, params) => {
    switch (method) {
      case 'auth.test': {
        if (options.rejectToken) return { ok: false, error: 'invalid_auth' };
        if (!options.oauth) return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T123', user: 'medbill' };
        const team = tokens.get(tokenOf(params.authorization));
        return team ? { ok: true, user_id: `UB${team}`, bot_id: `BB${team}`, team_id: team, user: 'medbill' } : { ok: false, error: 'invalid_auth' };
      }
      case 'oauth.v2.access': return options.oauth ? exchange(params, params.authorization) : { ok: false, error: 'unknown_method' };
      case 'conversations.open': return { ok: true, channel: { id: `D${String(params.users).replace(/^U/, '')}` } };
      case 'chat.postMessage': {
        const message = { ts: `${ts++}.000100`, text: params.text, ...(params.metadata ? { metadata: params.metadata } : {}) };
        posted.set(params.channel, [...(posted.get(params.channel) ?? []), message]);
        return { ok: true, channel: params.channel, ts: message.ts };
      }
      // Newest first, as Slack answers; metadata only with include_all_metadata.
      case 'conversations.history': return {
        ok: true, has_more: false,
        messages: [...(posted.get(params.channel) ?? [])].reverse().slice(0, Number(params.limit ?? 100))
          .map((m) => (String(params.include_all_metadata) === 'true' ? m : { ts: m.ts, text: m.text })),
      };
      case 'chat.update': return { ok: true, channel: params.channel, ts: params.ts };
      case 'chat.postEphemeral': return { ok: true, message_ts: `${ts++}.000200` };
      case 'views.open': case 'views.publish': return { ok: true, view: { id: 'V1' } };
      // files.uploadV2: ask for an upload URL, send the bytes there, then complete the upload into a conversation.
      case 'files.getUploadURLExternal': return { ok: true, upload_url: `${base}/upload/F${ts}`, file_id: `F${ts++}` };
      case 'files.completeUploadExternal': return { ok: true, files: (params.files ?? []).map((f) => ({ id: f.id, title: f.title })) };
      case 'apps.connections.open': return options.socketUrl ? { ok: true, url: options.socketUrl } : { ok: false, error: 'not_configured' };
      default: return { ok: false, error: 'unknown_method' };
    }
  };
  /** The authorize page, approved at once by a person of the workspace named in `team`. */
  const authorize = (req, res) => {
    const q = new URL(req.url, 'http://x').searchParams;
    const [clientId, state, redirectUri, team] = ['client_id', 'state', 'redirect_uri', 'team'].map((k) => q.get(k));
    if (clientId !== options.oauth.clientId || !state || !redirectUri || !team) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end('client_id, state, redirect_uri and team are needed');
    }
    const code = `code-${team}-${Math.random().toString(36).slice(2, 12)}`;
    codes.set(code, { team, redirectUri, scope: q.get('scope') ?? '' });
    const to = new URL(redirectUri);
    to.searchParams.set('code', code);
    to.searchParams.set('state', state);
    res.writeHead(302, { location: to.toString() });
    res.end();
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0];
      if (path === '/oauth/v2/authorize' && options.oauth) return authorize(req, res);
      if (path === '/_calls') { // for a fake running in another process (the simulation): every call, and the tokens issued
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ calls, tokens: Object.fromEntries(tokens) }));
      }
      if (path === '/_count') { // for a fake running in another process (the benchmark): how many calls of a method
        const method = new URL(req.url, 'http://x').searchParams.get('method');
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ count: calls.filter((c) => c.method === method && !c.rateLimited).length, answers, total: calls.length }));
      }
      let params = {};
      // An upload URL receives the file as multipart form data: kept whole, as base64.
      if (path.startsWith('/upload/')) params = { bytes: Buffer.concat(chunks).toString('base64') };
      else if ((req.headers['content-type'] ?? '').includes('application/json')) params = raw ? JSON.parse(raw) : {};
      else for (const [k, v] of new URLSearchParams(raw)) { try { params[k] = /^[[{]/.test(v) ? JSON.parse(v) : v; } catch { params[k] = v; } }
      const method = path.startsWith('/api/') ? path.slice(5) : path.startsWith('/respond/') ? 'response_url' : path.startsWith('/upload/') ? 'upload' : path;
      // Slack's API slowed down: the answer comes late (the call is recorded when it arrives).
      const delay = options.delayMs?.[method] ?? 0;
      // A call made to fail (failNext): Slack answers ok:false, the message is not posted.
      const failure = failures.find((f) => f.method === method);
      if (failure && failure.after-- <= 0) {
        failures.splice(failures.indexOf(failure), 1);
        calls.push({ method, params, token: req.headers.authorization, failed: true, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ ok: false, error: failure.error }));
      }
      const wait = rateLimits.get(method);
      if (wait !== undefined) {
        rateLimits.delete(method);
        calls.push({ method, params, token: req.headers.authorization, rateLimited: true, at: Date.now() });
        res.writeHead(429, { 'retry-after': String(wait), 'content-type': 'application/json' });
        return res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      }
      if (method === 'chat.postMessage' && options.answerMarker && String(params.text ?? '').includes(options.answerMarker)) answers++;
      calls.push({ method, params: keepParams ? params : {}, token: req.headers.authorization, at: Date.now() });
      for (const w of [...waiters]) if (w.test()) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
      const reply = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(method === 'response_url' || method === 'upload' ? { ok: true } : answer(method, { ...params, authorization: req.headers.authorization })));
      };
      if (delay) setTimeout(reply, delay); else reply();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (name = 'r1') => `${base}/respond/${name}`,
    calls,
    /** Calls of one method, in order, not counting rate-limited or failed attempts. */
    of: (method) => calls.filter((c) => c.method === method && !c.rateLimited && !c.failed),
    /** Fails the next call of `method` after `after` more succeed, once, with Slack's `error` (default fatal_error). */
    failNext: (method, { after = 0, error = 'fatal_error' } = {}) => { failures.push({ method, after, error }); },
    clear: () => { calls.length = 0; },
    /** Resolves once `predicate(calls)` holds, or rejects after `ms`. */
    waitFor: (predicate, ms = 5000) => new Promise((resolve, reject) => {
      if (predicate(calls)) return resolve();
      const w = { test: () => predicate(calls), resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error(`timed out waiting; calls were: ${calls.map((c) => c.method).join(', ')}`)); }, ms);
      waiters.push(w);
    }),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

// `node test/support/slack-api-fake.js` runs the fake on its own and prints its Web API base, for benchmarks
// that should not share a process with it.
if (import.meta.url === `file://${process.argv[1]}`) {
  // SLACK_FAKE_AUTH_DELAY_MS: auth.test answers this late (a slow Slack API, as the hardening figures need).
  const authDelay = Number(process.env.SLACK_FAKE_AUTH_DELAY_MS ?? 0);
  // SLACK_FAKE_ANSWER_MARKER: text that marks an answer, counted apart (an event may post several messages).
  const marker = process.env.SLACK_FAKE_ANSWER_MARKER;
  // SLACK_FAKE_OAUTH_CLIENT=id:secret: an app workspaces install (the simulation). SLACK_FAKE_KEEP_CALLS=1: every
  // call kept whole, for /_calls.
  const [clientId, clientSecret] = (process.env.SLACK_FAKE_OAUTH_CLIENT ?? '').split(':');
  const oauth = clientId && clientSecret ? { oauth: { clientId, clientSecret } } : {};
  const fake = await startSlackApiFake({ keepParams: process.env.SLACK_FAKE_KEEP_CALLS === '1', ...oauth, ...(authDelay ? { delayMs: { 'auth.test': authDelay } } : {}), ...(marker ? { answerMarker: marker } : {}) });
  console.log(`api ${fake.apiUrl}`);
  if (clientId) console.log(`authorize ${fake.apiUrl.replace(/api\/$/, 'oauth/v2/authorize')}`);
  process.once('SIGTERM', () => fake.close().then(() => process.exit(0)));
}
