/**
 * Control words ("back", "cancel", …), and the last resort for a message nothing else recognised: fuzzy
 * matching of each registered flow's example phrases. Commands and the flows' own reading of a message
 * (Flow.recognise) come first, in the engine's one pass over a turn (engine.ts decide()).
 */
import Fuse from 'fuse.js';
import type { FlowId } from './flow.js';

export const CONTROL_COMMANDS = ['cancel', 'back', 'restart', 'why', 'help'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export function controlCommand(text: string): ControlCommand | undefined {
  const word = text.trim().toLowerCase().replace(/^\//, '').replace(/[.!?]+$/, '');
  if (word === 'start over') return 'restart';
  if (word === 'stop' || word === 'quit' || word === 'nevermind' || word === 'never mind') return 'cancel';
  if (word === 'why?' || word === 'why is that' || word === 'why do you ask') return 'why';
  if (word === '?' || word === 'menu') return 'help';
  return (CONTROL_COMMANDS as readonly string[]).includes(word) ? (word as ControlCommand) : undefined;
}

/** The flow whose example phrases a message is most like, if any is close enough. */
export class ExampleMatcher {
  private readonly fuse: Fuse<{ flow: FlowId; phrase: string }>;

  constructor(flows: { all(): { id: FlowId; examples: string[] }[] }) {
    this.fuse = new Fuse(
      flows.all().flatMap((f) => f.examples.map((phrase) => ({ flow: f.id, phrase }))),
      { keys: ['phrase'], threshold: 0.4, ignoreLocation: true, includeScore: true },
    );
  }

  closest(text: string): FlowId | undefined {
    return this.fuse.search(text.slice(0, 200))[0]?.item.flow;
  }
}
