/**
 * Scripted conversations: plays a transcript against the engine and fails on the first expectation that
 * does not hold. Lines:
 *   you: TEXT            the person says TEXT
 *   press: LABEL         presses the button (or checklist item) with that label in the latest reply
 *   form: ID k=v k=v     submits form ID with those fields (extension)
 *   wait: 3h             lets time pass, e.g. to expire a session (extension; s, m, h)
 *   expect: TEXT         some reply since the last you/press/form contains TEXT (case-insensitive)
 *   expect-not: TEXT     no reply since then contains TEXT
 *   expect-lane: A|B     a triage answer since then has one of these lanes
 *   reopen               closes the engine and the database and opens them again, as a restart would
 *   # comment
 */
import type { Input, Reply, Turn } from '../../src/engine/model.js';
import type { Clock } from '../../src/today.js';
import { renderReply, type Pressable } from './render.js';

export interface ScriptHost {
  handle(turn: Turn): Promise<Reply[]>;
  reopen(): void;
  advanceClock(ms: number): void;
}

export interface ScriptResult { ok: boolean; failures: string[]; transcript: string[]; checks: number }

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 };

/** A wait's duration ("90s", "30m", "1.5h") in milliseconds, or undefined when it is not one. */
function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const [, n = '', unit = ''] = m;
  return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

export function parseScript(text: string): { line: number; verb: string; arg: string }[] {
  const out: { line: number; verb: string; arg: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (line === 'reopen') return out.push({ line: i + 1, verb: 'reopen', arg: '' });
    const m = /^(you|press|form|wait|expect|expect-not|expect-lane):\s?(.*)$/.exec(line);
    if (!m) throw new ScriptError(`line ${i + 1}: cannot read "${line.slice(0, 60)}" (expected you:, press:, expect:, expect-not:, expect-lane:, form:, wait: or reopen)`);
    const [, verb = '', arg = ''] = m;
    if (verb === 'wait' && durationMs(arg) === undefined) throw new ScriptError(`line ${i + 1}: wait needs a duration such as 90s, 30m or 3h`);
    out.push({ line: i + 1, verb, arg });
  });
  return out;
}

function findPressable(replies: Reply[], label: string): Pressable | undefined {
  const all = replies.flatMap((r) => renderReply(r).pressables).reverse();
  const want = label.trim().toLowerCase();
  const exact = all.find((p) => p.label.toLowerCase() === want);
  if (exact) return exact;
  const starts = all.filter((p) => p.label.toLowerCase().startsWith(want));
  if (starts.length >= 1) return starts[0];
  const contains = all.filter((p) => p.label.toLowerCase().includes(want));
  return contains.length === 1 ? contains[0] : undefined;
}

export async function playScript(text: string, host: ScriptHost, turnBase: Omit<Turn, 'input'>): Promise<ScriptResult> {
  const steps = parseScript(text);
  const transcript: string[] = [];
  const failures: string[] = [];
  let latest: Reply[] = [];
  let since: Reply[] = [];
  let checks = 0;
  const say = async (input: Input, shown: string) => {
    transcript.push(shown);
    latest = await host.handle({ ...turnBase, input });
    since = [...latest];
    for (const r of latest) transcript.push(renderReply(r).text.replace(/^/gm, '  | '));
  };
  for (const { line, verb, arg } of steps) {
    const fail = (why: string) => failures.push(`line ${line}: ${verb}: ${arg} — ${why}`);
    if (verb === 'you') await say({ kind: 'text', text: arg }, `you: ${arg}`);
    else if (verb === 'press') {
      const p = findPressable(latest, arg);
      if (!p) fail(`no button labelled "${arg}" in the latest reply (there are: ${latest.flatMap((r) => renderReply(r).pressables.map((x) => x.label)).join(', ') || 'none'})`);
      else await say({ kind: 'button', value: p.value }, `press: ${p.label}`);
    } else if (verb === 'form') {
      const [id = '', ...pairs] = arg.trim().split(/\s+/);
      const values = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
      await say({ kind: 'form', form: id, values }, `form: ${arg}`);
    } else if (verb === 'wait') {
      const ms = durationMs(arg);
      // parseScript has refused a wait without a duration already.
      if (ms === undefined) throw new ScriptError(`line ${line}: wait needs a duration such as 90s, 30m or 3h`);
      host.advanceClock(ms);
      transcript.push(`wait: ${arg}`);
    } else if (verb === 'reopen') {
      host.reopen();
      transcript.push('reopen');
    } else {
      checks++;
      const texts = since.map((r) => renderReply(r).text.toLowerCase());
      const want = arg.trim().toLowerCase();
      if (verb === 'expect' && !texts.some((t) => t.includes(want))) fail('no reply since the last message contains it');
      if (verb === 'expect-not' && texts.some((t) => t.includes(want))) fail('a reply contains it');
      if (verb === 'expect-lane') {
        const lanes = want.split('|').map((l) => l.trim());
        const given = since.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'triage' ? [p.result.lane] : [])));
        if (!given.some((l) => lanes.includes(l))) fail(given.length ? `the answer's lane is ${given.join(', ')}` : 'no triage answer since the last message');
      }
    }
    if (failures.length) break;
  }
  return { ok: failures.length === 0, failures, transcript, checks };
}

/** What a script plays against: an engine over medbill's database, and a way to close it (as a restart would). */
export interface ScriptEngine {
  engine: { handle(turn: Turn): Promise<Reply[]> };
  close(): void;
}

/**
 * Plays a script against medbill's own database and engine, with a clock the script can move and a real
 * reopen: `open` (from the composition root) opens them with that clock, again at each `reopen`.
 */
export async function playScriptOnDatabase(text: string, open: (now: Clock) => ScriptEngine, turnBase: Omit<Turn, 'input'>): Promise<ScriptResult> {
  let offset = 0;
  const now = () => Date.now() + offset;
  let app = open(now);
  try {
    return await playScript(text, {
      handle: (turn) => app.engine.handle(turn),
      reopen: () => {
        app.close();
        app = open(now);
      },
      advanceClock: (ms) => {
        offset += ms;
      },
    }, turnBase);
  } finally {
    app.close();
  }
}
