/**
 * What the simulated Slack sends: the workspaces (each a practice), their people and billing channel, and
 * the events. Every event is answered in a thread of the channel it came from, whose timestamp is the
 * event's own and unique: an app_mention is answered in the thread of the mention, a button pressed on a
 * message in the thread of that message. So each post names the one event it answers, and counting posts per
 * thread proves "exactly once" (see checks.ts). Ids are Slack-shaped and say their workspace, which lets the
 * checks tell the workspace of any channel or person the bot writes to.
 */
export interface Workspace { team: string; channel: string; users: string[] }

export interface SimEvent {
  /** Unique per event: Slack's event_id, and the timestamp of the thread the answer goes to. */
  id: string;
  kind: 'mention' | 'press' | 'digest-setting';
  team: string;
  channel: string;
  user: string;
  /** The mention's ts, or the pressed message's: the answer's thread_ts. */
  threadTs: string;
  text: string;
}

export function workspaces(count: number, usersEach: number): Workspace[] {
  return Array.from({ length: count }, (_, w) => {
    const id = `S${String(w).padStart(4, '0')}`;
    return { team: `T${id}`, channel: `C${id}BILL`, users: Array.from({ length: usersEach }, (_, u) => `U${id}P${u}`) };
  });
}

/** The workspace a channel or person id belongs to (ids made by `workspaces`; a DM channel is D + the user's id without its U). */
export function teamOfId(id: string): string | undefined {
  const m = /^[CUD]U?(S\d{4})/.exec(id);
  return m ? `T${m[1]}` : undefined;
}

const tsOf = (i: number) => `1760000000.${String(i).padStart(6, '0')}`;

/**
 * `count` events spread over the workspaces and their people (the first person of each sets the digest and
 * is left out of the load), half mentions, half presses of the help button, interleaved.
 */
export function events(spaces: Workspace[], count: number): SimEvent[] {
  const out: SimEvent[] = [];
  for (let i = 0; i < count; i++) {
    const space = spaces[i % spaces.length];
    if (!space) throw new Error('no workspaces');
    const people = space.users.slice(1);
    const user = people[Math.floor(i / spaces.length) % people.length] ?? space.users[0] ?? '';
    const kind = Math.floor(i / spaces.length) % 2 === 0 ? 'mention' : 'press';
    out.push({ id: `EvSIM${String(i).padStart(6, '0')}`, kind, team: space.team, channel: space.channel, user, threadTs: tsOf(i + 1), text: kind === 'mention' ? 'help' : 'go:help' });
  }
  return out;
}

/** Each workspace's first person says "digest here …" in the billing channel. */
export function digestSettings(spaces: Workspace[], schedule: string): SimEvent[] {
  return spaces.map((s, w) => ({
    id: `EvSIMDIGEST${String(w).padStart(4, '0')}`, kind: 'digest-setting' as const, team: s.team, channel: s.channel, user: s.users[0] ?? '',
    threadTs: tsOf(900_000 + w), text: `digest here ${schedule}`,
  }));
}
