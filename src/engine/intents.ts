/**
 * Deterministic routing of a message that no active question is waiting for: explicit commands first
 * (control words, then each registered flow's leading words), then the facts the free-text extractor
 * finds, then fuzzy matching of each flow's example phrases.
 */
import Fuse from 'fuse.js';
import type { Knowledge } from '../knowledge/load.js';
import { extractFacts } from '../knowledge/extract.js';
import { codeSetOf } from '../knowledge/codes.js';
import type { FlowId } from './flow.js';
import type { FlowRegistry } from './registry.js';

export const CONTROL_COMMANDS = ['cancel', 'back', 'restart', 'why', 'help'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export type Intent =
  | { kind: 'control'; command: ControlCommand }
  | { kind: 'flow'; flow: FlowId; text: string }
  | { kind: 'unknown' };

export function controlCommand(text: string): ControlCommand | undefined {
  const word = text.trim().toLowerCase().replace(/^\//, '').replace(/[.!?]+$/, '');
  if (word === 'start over') return 'restart';
  if (word === 'stop' || word === 'quit' || word === 'nevermind' || word === 'never mind') return 'cancel';
  if (word === 'why?' || word === 'why is that' || word === 'why do you ask') return 'why';
  if (word === '?' || word === 'menu') return 'help';
  return (CONTROL_COMMANDS as readonly string[]).includes(word) ? (word as ControlCommand) : undefined;
}

export class IntentRouter {
  private readonly fuse: Fuse<{ flow: FlowId; phrase: string }>;

  constructor(private readonly kn: Knowledge, private readonly flows: FlowRegistry) {
    this.fuse = new Fuse(
      flows.all().flatMap((f) => f.examples.map((phrase) => ({ flow: f.id, phrase }))),
      { keys: ['phrase'], threshold: 0.4, ignoreLocation: true, includeScore: true },
    );
  }

  route(text: string): Intent {
    const command = controlCommand(text);
    if (command) return { kind: 'control', command };
    const named = this.flows.command(text);
    if (named) return { kind: 'flow', ...named };
    // A code on its own is a lookup ("what is D7240?").
    const bare = text.trim().replace(/[?.!]+$/, '').replace(/^what(?:'s| is)\s+/i, '');
    if (/^\S+$/.test(bare) && codeSetOf(bare)) return { kind: 'flow', flow: 'lookup', text: bare };
    const known = extractFacts(text, this.kn).known;
    if (known.procedure || known.cause || known.coverage || known.diagnoses) return { kind: 'flow', flow: 'triage', text };
    const best = this.fuse.search(text.slice(0, 200))[0];
    if (best) return { kind: 'flow', flow: best.item.flow, text: best.item.flow === 'lookup' ? '' : text };
    return { kind: 'unknown' };
  }
}
