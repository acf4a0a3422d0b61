/**
 * The simulation's verdict, from what the fake of Slack recorded:
 * - answers: each event's thread (plan.ts) holds its answer; a message posted twice in one thread is a
 *   duplicate, an acknowledged event whose thread is empty is missing;
 * - crossings: every call that names a channel or a person carries the bot token of that channel's or person's
 *   workspace (with one token for all, the development mode, nothing can be told apart: none counted);
 * - digests: each billing channel got one run of the digest, every part of it (1…N) exactly once.
 */
import { teamOfId, type SimEvent, type Workspace } from './plan.js';
import type { RecordedCall } from './fake.js';

export interface Verdict {
  answered: number;
  /** Messages posted again into a thread that already had them (each repeat counts once). */
  duplicates: number;
  /** Acknowledged events with no answer. */
  missing: number;
  /** The missing ones by kind (mention, press, digest-setting), and the first few of them. */
  missingByKind: Record<string, number>;
  missingExamples: string[];
  /** Posts in no event's thread and not a digest (an apology, a reply that went elsewhere). */
  strays: number;
  crossings: number;
  crossingExamples: string[];
  digestsWhole: number;
  digestsExpected: number;
  /** Digest parts posted more than once, or runs beyond one per channel. */
  digestRepeats: number;
  /** When the last answer was posted (ms since epoch), for the throughput. */
  lastAnswerAt: number;
}

const DIGEST_EVENT = 'medbill_digest';
/** Parameters through which a call names a channel or a person. */
const TARGETS = ['channel', 'channel_id', 'users', 'user', 'user_id'];

interface DigestMeta { event_type?: unknown; event_payload?: { run?: unknown; part?: unknown; of?: unknown } }

export function judge(opts: { calls: RecordedCall[]; tokens: Record<string, string>; singleToken?: string; events: (SimEvent & { acked: boolean })[]; spaces: Workspace[] }): Verdict {
  const calls = opts.calls.filter((c) => !c.failed && !c.rateLimited);
  const crossingExamples: string[] = [];
  let crossings = 0;
  for (const c of calls) {
    const token = (c.token ?? '').replace(/^Bearer /, '');
    if (!token) continue; // oauth.v2.access, uploads, response URLs: no bot token, no workspace
    const tokenTeam = token === opts.singleToken ? '*' : opts.tokens[token];
    for (const key of TARGETS) {
      const value = c.params[key];
      if (typeof value !== 'string') continue;
      for (const id of value.split(',')) {
        const team = teamOfId(id.trim());
        if (tokenTeam === '*' || (team !== undefined && team === tokenTeam)) continue;
        crossings++;
        if (crossingExamples.length < 5) crossingExamples.push(`${c.method} to ${id} (${team ?? 'unknown workspace'}) with a token of ${tokenTeam ?? 'no workspace'}`);
      }
    }
  }

  const posts = calls.filter((c) => c.method === 'chat.postMessage');
  const isDigest = (c: RecordedCall) => (c.params.metadata as DigestMeta | undefined)?.event_type === DIGEST_EVENT;
  const threads = new Map<string, string[]>();
  let lastAnswerAt = 0;
  for (const p of posts.filter((c) => !isDigest(c))) {
    const key = `${String(p.params.channel)}|${String(p.params.thread_ts ?? '')}`;
    threads.set(key, [...(threads.get(key) ?? []), JSON.stringify([p.params.text, p.params.blocks])]);
    lastAnswerAt = Math.max(lastAnswerAt, p.at);
  }
  const eventThreads = new Set(opts.events.map((e) => `${e.channel}|${e.threadTs}`));
  let duplicates = 0;
  let strays = 0;
  for (const [key, messages] of threads) {
    duplicates += messages.length - new Set(messages).size;
    if (!eventThreads.has(key)) strays += messages.length;
  }
  let answered = 0;
  let missing = 0;
  const missingByKind: Record<string, number> = {};
  const missingExamples: string[] = [];
  for (const e of opts.events) {
    if (threads.has(`${e.channel}|${e.threadTs}`)) answered++;
    else if (e.acked) {
      missing++;
      missingByKind[e.kind] = (missingByKind[e.kind] ?? 0) + 1;
      if (missingExamples.length < 5) missingExamples.push(`${e.kind} ${e.id} by ${e.user} in ${e.channel} (thread ${e.threadTs})`);
    }
  }

  // Digest runs per channel: run key -> the part numbers posted (with repeats) and how many parts there are.
  const runs = new Map<string, Map<string, { parts: number[]; of: number }>>();
  for (const p of posts.filter(isDigest)) {
    const payload = (p.params.metadata as DigestMeta).event_payload ?? {};
    const channel = String(p.params.channel);
    const byRun = runs.get(channel) ?? new Map<string, { parts: number[]; of: number }>();
    runs.set(channel, byRun);
    const run = byRun.get(String(payload.run)) ?? { parts: [], of: Number(payload.of) };
    byRun.set(String(payload.run), run);
    run.parts.push(Number(payload.part));
  }
  let digestsWhole = 0;
  let digestRepeats = 0;
  for (const space of opts.spaces) {
    const byRun = [...(runs.get(space.channel)?.values() ?? [])];
    digestRepeats += Math.max(0, byRun.length - 1);
    for (const run of byRun) digestRepeats += run.parts.length - new Set(run.parts).size;
    const [only] = byRun;
    const whole = only !== undefined && byRun.length === 1 && only.of > 0 && only.parts.length === only.of
      && Array.from({ length: only.of }, (_, i) => i + 1).every((n) => only.parts.includes(n));
    if (whole) digestsWhole++;
  }
  return { answered, duplicates, missing, missingByKind, missingExamples, strays, crossings, crossingExamples, digestsWhole, digestsExpected: opts.spaces.length, digestRepeats, lastAnswerAt };
}
