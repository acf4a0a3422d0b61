/**
 * The simulation's verdict (sim/checks.ts) catches what it is there to catch: an answer posted twice in a thread,
 * an acknowledged event left unanswered, a call made with another workspace's token, a digest with a part missing
 * or posted twice. Recorded calls are built as the fake of Slack records them.
 */
import { describe, expect, it } from 'vitest';
import { judge } from '../../../sim/checks.js';
import { digestSettings, events, workspaces } from '../../../sim/plan.js';
import type { RecordedCall } from '../../../sim/fake.js';

const spaces = workspaces(2, 3);
const [a, b] = spaces;
const tokens = { 'xoxb-a': a?.team ?? '', 'xoxb-b': b?.team ?? '' };
const tokenOf = (team: string) => (team === a?.team ? 'Bearer xoxb-a' : 'Bearer xoxb-b');
const planned = [...digestSettings(spaces, '8:00 America/Chicago every day'), ...events(spaces, 6)].map((e) => ({ ...e, acked: true }));
const answer = (e: (typeof planned)[number], text = 'Here is what medbill can do', token = tokenOf(e.team)): RecordedCall => ({
  method: 'chat.postMessage', token, at: 1, params: { channel: e.channel, thread_ts: e.threadTs, text },
});
const digestPart = (channel: string, team: string, part: number, of: number): RecordedCall => ({
  method: 'chat.postMessage', token: tokenOf(team), at: 2,
  params: { channel, text: `part ${part}`, metadata: { event_type: 'medbill_digest', event_payload: { run: `digest:slack:${team}:channel:${channel}:2026-12-07`, part, of } } },
});
const wholeDigests = spaces.flatMap((s) => [digestPart(s.channel, s.team, 1, 2), digestPart(s.channel, s.team, 2, 2)]);

describe("the simulation's verdict", () => {
  it('holds when every event is answered once in its thread and every digest is whole', () => {
    const v = judge({ calls: [...planned.map((e) => answer(e)), ...wholeDigests], tokens, events: planned, spaces });
    expect(v).toMatchObject({ answered: planned.length, duplicates: 0, missing: 0, strays: 0, crossings: 0, digestsWhole: 2, digestsExpected: 2, digestRepeats: 0 });
  });

  it('counts an answer posted twice, an event left unanswered and a post outside any thread', () => {
    const [first, second, ...rest] = planned;
    if (!first || !second) throw new Error('no events');
    const stray: RecordedCall = { method: 'chat.postMessage', token: tokenOf(first.team), at: 1, params: { channel: first.channel, text: 'sorry' } };
    const v = judge({ calls: [answer(first), answer(first), ...rest.map((e) => answer(e)), stray, ...wholeDigests], tokens, events: planned, spaces });
    expect(v).toMatchObject({ duplicates: 1, missing: 1, strays: 1, answered: planned.length - 1 });
  });

  it("counts a call made with another workspace's token, also one that opens a DM with its person", () => {
    const [first, ...rest] = planned;
    if (!first || !b) throw new Error('no events');
    const open: RecordedCall = { method: 'conversations.open', token: 'Bearer xoxb-b', at: 1, params: { users: first.user } };
    const v = judge({ calls: [answer(first, 'x', first.team === b.team ? 'Bearer xoxb-a' : 'Bearer xoxb-b'), open, ...rest.map((e) => answer(e)), ...wholeDigests], tokens, events: planned, spaces });
    expect(v.crossings).toBe(first.team === b.team ? 1 : 2);
    // With one token for every workspace (the development mode), nothing can be told apart.
    expect(judge({ calls: [answer(first, 'x', 'Bearer xoxb-one')], tokens: {}, singleToken: 'xoxb-one', events: planned, spaces }).crossings).toBe(0);
  });

  it('counts a digest with a part missing, a part posted twice, or a second run, as not whole', () => {
    if (!a || !b) throw new Error('no workspaces');
    const v = judge({ calls: [digestPart(a.channel, a.team, 1, 2), digestPart(b.channel, b.team, 1, 2), digestPart(b.channel, b.team, 1, 2), digestPart(b.channel, b.team, 2, 2)], tokens, events: [], spaces });
    expect(v).toMatchObject({ digestsWhole: 0, digestRepeats: 1 });
  });
});
