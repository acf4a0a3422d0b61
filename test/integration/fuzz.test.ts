/**
 * A bounded fuzz run (issue 10): a few thousand generated bad bodies against /api/turn and /slack/events
 * (unsigned and signed) and bad lines against `triage --jsonl`. Nothing may crash, unsigned input never
 * gets a 5xx, and /healthz answers throughout. The generator is seeded, so a failure can be replayed.
 */
import { slackSignature } from '../support/slack-signing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/root/server.js';
import { createLogger } from '../../src/log.js';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { cli } from '../helpers.js';

const SEED = Number(process.env.MEDBILL_FUZZ_SEED ?? 20261202);
const SECRET = 'fuzzsecret000000000000000000000';

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const strings = ['', 'help', 'pt broke #8', '\u0000', '\ud800', '<script>alert(1)</script>', '%s%n', '../../etc/passwd', 'x'.repeat(5000), '💥'.repeat(50), 'NaN', '__proto__', 'event_callback', 'url_verification', 'D7240', 'C-ABCDE'];
  const keys = ['user', 'text', 'button', 'form', 'type', 'event', 'event_id', 'team_id', 'payload', 'challenge', '__proto__', 'constructor', 'values', 'id', 'ssl_check', 'command', 'actions', 'view'];
  const value = (depth: number): unknown => {
    switch (depth > 4 ? int(5) : int(8)) {
      case 0: return null;
      case 1: return rnd() < 0.5;
      case 2: return pick([0, -1, 1e308, -0, 2 ** 53 + 1, 3.14]);
      case 3: case 4: return pick(strings);
      case 5: return Array.from({ length: int(4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(keys), value(depth + 1)]));
    }
  };
  const deep = () => '['.repeat(2000 + int(3000)) + ']'.repeat(int(10));
  const bytes = () => Buffer.from(Array.from({ length: int(200) }, () => int(256)));
  /** A body: mostly JSON-ish text, sometimes raw bytes or a form. */
  const body = (): { body: string | Buffer; type: string } => {
    const r = rnd();
    if (r < 0.55) return { body: JSON.stringify(value(0)) ?? 'undefined', type: 'application/json' };
    if (r < 0.65) return { body: JSON.stringify(value(0)).slice(0, int(40)), type: 'application/json' };
    if (r < 0.72) return { body: deep(), type: 'application/json' };
    if (r < 0.8) return { body: bytes(), type: pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain']) };
    if (r < 0.9) return { body: `payload=${encodeURIComponent(JSON.stringify(value(0)))}`, type: 'application/x-www-form-urlencoded' };
    return { body: new URLSearchParams(Object.fromEntries(Array.from({ length: int(6) }, () => [pick(keys), String(value(3))]))).toString(), type: 'application/x-www-form-urlencoded' };
  };
  return { body, value, int };
}

describe('fuzzing the endpoints (bounded)', () => {
  let fake: SlackApiFake;
  let stack: SlackStack;
  let running: Running;
  /** Error-level log lines: each names the failing class and place, which is what a failure report needs. */
  const errors: string[] = [];

  beforeAll(async () => {
    fake = await startSlackApiFake({ keepParams: false });
    stack = await startSlackStack({ secret: SECRET, fake, log: createLogger('error', (l) => errors.push(l)), inboxMaxOpen: 10_000 });
    running = stack.running;
  });
  afterAll(async () => {
    await stack.close();
    await fake.close();
  });

  async function blast(count: number, request: (i: number) => Promise<number>, check: (status: number) => boolean) {
    const bad: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const status = await request(i).catch((e: unknown) => { bad.push(`#${i}: ${(e as Error).message}`); return 0; });
        if (status && !check(status)) bad.push(`#${i}: status ${status}`);
        if (i % 250 === 0) expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    expect({ bad, errors: errors.slice(0, 5) }, `seed ${SEED}`).toEqual({ bad: [], errors: [] });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  }

  it('never gives a 5xx to bad bodies on /api/turn', async () => {
    const g = generator(SEED);
    await blast(1500, async () => {
      const { body, type } = g.body();
      const res = await fetch(`${running.url}/api/turn`, { method: 'POST', headers: { 'content-type': type }, body });
      await res.arrayBuffer();
      return res.status;
    }, (s) => s < 500);
  }, 60_000);

  it('refuses every unsigned body on /slack/events with a 4xx', async () => {
    const g = generator(SEED + 1);
    await blast(1500, async (i) => {
      const { body, type } = g.body();
      const headers: Record<string, string> = { 'content-type': type };
      // Header values must be printable ASCII to be sent at all.
      const ascii = (x: unknown) => String(x).replace(/[^\x21-\x7e]/g, '').slice(0, 200);
      if (i % 3 === 0) Object.assign(headers, { 'x-slack-request-timestamp': ascii(g.value(1)), 'x-slack-signature': `v0=${ascii(g.value(1))}` });
      const res = await fetch(`${running.url}/slack/events`, { method: i % 7 === 0 ? 'PUT' : 'POST', headers, body: i % 7 === 0 ? undefined : body });
      await res.arrayBuffer();
      return res.status;
    }, (s) => s >= 400 && s < 500);
  }, 60_000);

  it('answers every signed bad body without a crash or a 500', async () => {
    const g = generator(SEED + 2);
    await blast(1000, async () => {
      const { body, type } = g.body();
      const ts = Math.floor(Date.now() / 1000);
      const text = typeof body === 'string' ? body : body.toString('latin1');
      const sig = slackSignature(SECRET, ts, text);
      const res = await fetch(`${running.url}/slack/events`, { method: 'POST', headers: { 'content-type': type, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig }, body: typeof body === 'string' ? body : Buffer.from(text, 'latin1') });
      await res.arrayBuffer();
      return res.status;
    }, (s) => s !== 500);
  }, 60_000);

  it('answers every bad line of triage --jsonl with one error line, in order', () => {
    const g = generator(SEED + 3);
    const lines = Array.from({ length: 2000 }, () => {
      const { body } = g.body();
      return (typeof body === 'string' ? body : body.toString('latin1')).replace(/[\r\n]/g, ' ');
    });
    const { code, out, err } = cli(['triage', '--jsonl', '-'], `${lines.join('\n')}\n`);
    expect(err).not.toMatch(/unexpected error/);
    expect([0, 2]).toContain(code);
    const answers = out.trim().split('\n');
    expect(answers).toHaveLength(lines.length);
    for (const a of answers) expect(() => JSON.parse(a)).not.toThrow();
  }, 60_000);
});
