// A stand-in for Slack's Web API on loopback, for tests and benchmarks: it records every call the bot
// makes (method, token, decoded form fields with JSON values parsed) and answers the way Slack would.
// Options: rateLimitOnce {method: seconds}, delayMs {method: ms}, rejectToken (auth.test says invalid_auth),
// socketUrl (for Socket Mode), keepParams, answerMarker (chat.postMessage texts containing it are counted in /_count's answers).
// Point the bot at it with SLACK_API_URL (clientOptions.slackApiUrl); response_url posts land on /respond/….
// OAuth: `authorizeUrl` is a stand-in for Slack's authorize page: it approves the next installation queued with
// installAs() (none queued: the person declined, error=access_denied), or, with `team=T…` in its query, an install
// into workspace T (the simulation, whose fake runs in another process: Slack knows the workspace from who is signed
// in, here the caller names it); it sends the browser to redirect_uri?code=…&state=…. oauth.v2.access then answers
// that code (once) with the installation, in Slack's shape; auth.test answers per token. /_calls gives every call
// and the workspace (installation key) of each token issued, to a caller in another process.
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
  /** Messages posted per channel (newest last), with their metadata, for conversations.history. */
  const posted = new Map();
  /** Installations waiting for the authorize page, codes granted and not yet exchanged, and tokens issued. */
  const queued = [];
  const codes = new Map();
  const tokens = new Map();
  let codeSeq = 0;
  const installationOf = (spec) => {
    const team = spec.team ?? null;
    const enterprise = spec.enterprise ?? null;
    const id = spec.isEnterpriseInstall ? enterprise?.id : team?.id;
    return {
      token: spec.token ?? `xoxb-${id}-0000-fake${Math.random().toString(36).slice(2, 10)}`,
      team: spec.isEnterpriseInstall ? null : team, enterprise, isEnterpriseInstall: Boolean(spec.isEnterpriseInstall),
      botUserId: spec.botUserId ?? `UBOT${id}`, botId: spec.botId ?? `BBOT${id}`, appId: spec.appId ?? 'A0MEDBILL', scope: spec.scope ?? 'chat:write,commands,im:write',
    };
  };
  const grant = (spec) => {
    const installation = installationOf(spec);
    const code = `code-${++codeSeq}-${Math.random().toString(36).slice(2, 8)}`;
    codes.set(code, installation);
    return { code, installation };
  };
  const answer = (method, params, token) => {
    switch (method) {
      case 'auth.test': {
        if (options.rejectToken) return { ok: false, error: 'invalid_auth' };
        const issued = tokens.get(String(token ?? '').replace(/^Bearer /, ''));
        if (issued) return { ok: true, user_id: issued.botUserId, bot_id: issued.botId, team_id: issued.team?.id ?? null, enterprise_id: issued.enterprise?.id ?? null, user: 'medbill' };
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T123', user: 'medbill' };
      }
      // Slack's answer to a bot install (oauth.v2.access): a code works once.
      case 'oauth.v2.access': {
        const i = codes.get(String(params.code));
        if (!i) return { ok: false, error: 'invalid_code' };
        codes.delete(String(params.code));
        if (options.clientSecret && params.client_secret !== options.clientSecret) return { ok: false, error: 'bad_client_secret' };
        tokens.set(i.token, i);
        return {
          ok: true, access_token: i.token, token_type: 'bot', scope: i.scope, bot_user_id: i.botUserId, app_id: i.appId,
          team: i.team, enterprise: i.enterprise, is_enterprise_install: i.isEnterpriseInstall,
          authed_user: { id: 'UINSTALLER' },
        };
      }
      case 'conversations.open': return { ok: true, channel: { id: `D${String(params.users).replace(/^U/, '')}` } };
      case 'chat.postMessage': {
        const message = { ts: `${ts++}.000100`, text: params.text, ...(params.thread_ts ? { thread_ts: String(params.thread_ts) } : {}), ...(params.metadata ? { metadata: params.metadata } : {}) };
        posted.set(params.channel, [...(posted.get(params.channel) ?? []), message]);
        return { ok: true, channel: params.channel, ts: message.ts };
      }
      // The channel's own messages (not replies in threads), newest first, as Slack answers; metadata only with include_all_metadata.
      case 'conversations.history': return {
        ok: true, has_more: false,
        messages: [...(posted.get(params.channel) ?? [])].filter((m) => !m.thread_ts).reverse().slice(0, Number(params.limit ?? 100))
          .map((m) => (String(params.include_all_metadata) === 'true' ? m : { ts: m.ts, text: m.text })),
      };
      // A thread's replies, oldest first (the thread's first message is not one medbill posted here).
      case 'conversations.replies': return {
        ok: true, has_more: false,
        messages: [...(posted.get(params.channel) ?? [])].filter((m) => m.thread_ts === String(params.ts)).slice(0, Number(params.limit ?? 100))
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
  /** Keeps a call, failed and rate-limited ones too, and wakes whoever waits for it. */
  const record = (call) => {
    calls.push(call);
    for (const w of [...waiters]) if (w.test()) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0];
      // Slack's authorize page, approved at once: back to redirect_uri with a code for the next queued installation.
      if (path === '/oauth/v2/authorize') {
        const query = Object.fromEntries(new URL(req.url, 'http://x').searchParams);
        record({ method: 'authorize', params: query, at: Date.now() });
        const spec = query.team ? { team: { id: query.team, name: `Practice ${query.team}` } } : queued.shift();
        const back = new URL(query.redirect_uri ?? '');
        if (!spec) back.searchParams.set('error', 'access_denied');
        else back.searchParams.set('code', grant(spec).code);
        if (query.state !== undefined) back.searchParams.set('state', query.state);
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (path === '/_count') { // for a fake running in another process (the benchmark): how many calls of a method
        const method = new URL(req.url, 'http://x').searchParams.get('method');
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ count: calls.filter((c) => c.method === method && !c.rateLimited).length, answers, total: calls.length }));
      }
      if (path === '/_calls') { // for a fake running in another process (the simulation): every call, and each token's workspace
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ calls, tokens: Object.fromEntries([...tokens].map(([token, i]) => [token, i.isEnterpriseInstall ? i.enterprise?.id : i.team?.id])) }));
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
        record({ method, params, token: req.headers.authorization, failed: true, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ ok: false, error: failure.error }));
      }
      const wait = rateLimits.get(method);
      if (wait !== undefined) {
        rateLimits.delete(method);
        record({ method, params, token: req.headers.authorization, rateLimited: true, at: Date.now() });
        res.writeHead(429, { 'retry-after': String(wait), 'content-type': 'application/json' });
        return res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      }
      if (method === 'chat.postMessage' && options.answerMarker && String(params.text ?? '').includes(options.answerMarker)) answers++;
      record({ method, params: keepParams ? params : {}, token: req.headers.authorization, at: Date.now() });
      const reply = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(method === 'response_url' || method === 'upload' ? { ok: true } : answer(method, params, req.headers.authorization)));
      };
      if (delay) setTimeout(reply, delay); else reply();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    apiUrl: `${base}/api/`,
    authorizeUrl: `${base}/oauth/v2/authorize`,
    /** The authorize page approves this installation next (team {id,name}, or enterprise with isEnterpriseInstall). */
    installAs: (spec) => { queued.push(spec); },
    /** A code oauth.v2.access will answer once with this installation (for a test that skips the authorize page). */
    grant: (spec) => grant(spec),
    /** Tokens issued by oauth.v2.access, with their installation. */
    tokens,
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
  // SLACK_FAKE_CLIENT_SECRET: an app workspaces install (the simulation); oauth.v2.access checks it.
  // SLACK_FAKE_KEEP_CALLS=1: every call kept whole, for /_calls.
  const clientSecret = process.env.SLACK_FAKE_CLIENT_SECRET;
  const fake = await startSlackApiFake({
    keepParams: process.env.SLACK_FAKE_KEEP_CALLS === '1', ...(clientSecret ? { clientSecret } : {}),
    ...(authDelay ? { delayMs: { 'auth.test': authDelay } } : {}), ...(marker ? { answerMarker: marker } : {}),
  });
  console.log(`api ${fake.apiUrl}`);
  if (clientSecret) console.log(`authorize ${fake.authorizeUrl}`);
  process.once('SIGTERM', () => fake.close().then(() => process.exit(0)));
}
