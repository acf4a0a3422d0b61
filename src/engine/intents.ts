/**
 * Deterministic routing of a message that no active question is waiting for: explicit commands first,
 * then the facts the free-text extractor finds, then fuzzy matching of each flow's example phrases.
 */
import Fuse from 'fuse.js';
import type { Knowledge } from '../knowledge/load.js';
import { extractFacts } from '../knowledge/extract.js';
import { codeSetOf } from '../knowledge/codes.js';
import type { FlowId } from './flow.js';
import { FLOWS } from '../../flows/index.js';

export const CONTROL_COMMANDS = ['cancel', 'back', 'restart', 'why', 'help'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export type Intent =
  | { kind: 'control'; command: ControlCommand }
  | { kind: 'flow'; flow: FlowId; text: string }
  | { kind: 'unknown' };

/** Leading words that name a flow: "triage …", "docs …", "what documents …", "lookup …", "code for …". */
const FLOW_COMMANDS: { flow: FlowId; re: RegExp }[] = [
  // "new case" starts a triage from anywhere, also from inside a lookup.
  { flow: 'triage', re: /^\s*\/?(?:triage|case|(?:start\s+)?(?:a\s+)?new\s+case)\b[:\s]*/i },
  { flow: 'docs', re: /^\s*\/?(?:docs|documents|what (?:documents|docs|paperwork)(?: do i need| are needed)?|paperwork|checklist)\b(?:\s+(?:for|do i need for|needed for))?[:\s]*/i },
  { flow: 'lookup', re: /^\s*\/?(?:look ?up|find(?: a)? code|search)\b[:\s]*/i },
  // A question about a code: "whats the cpt for a tongue biopsy", "icd code for impacted teeth", "code for D7240".
  { flow: 'lookup', re: /^\s*(?:(?:what(?:'?s| is| are)|which)\s+(?:is\s+)?(?:the\s+)?)?(?:(?:cdt|cpt|hcpcs|icd(?:-?10)?(?:-?cm)?|dx|diagnosis|procedure)(?:\s+codes?)?|codes?)\s+(?:for|of)\b(?:\s+(?:a|an|the))?[:\s]*/i },
];

export function controlCommand(text: string): ControlCommand | undefined {
  const word = text.trim().toLowerCase().replace(/^\//, '').replace(/[.!?]+$/, '');
  if (word === 'start over') return 'restart';
  if (word === 'stop' || word === 'quit' || word === 'nevermind' || word === 'never mind') return 'cancel';
  if (word === 'why?' || word === 'why is that' || word === 'why do you ask') return 'why';
  if (word === '?' || word === 'menu') return 'help';
  return (CONTROL_COMMANDS as readonly string[]).includes(word) ? (word as ControlCommand) : undefined;
}

export function flowCommand(text: string): { flow: FlowId; text: string } | undefined {
  for (const { flow, re } of FLOW_COMMANDS) {
    const m = re.exec(text);
    if (m) return { flow, text: text.slice(m[0].length).trim() };
  }
  return undefined;
}

export class IntentRouter {
  private readonly fuse = new Fuse(
    Object.values(FLOWS).flatMap((f) => f.examples.map((phrase) => ({ flow: f.id, phrase }))),
    { keys: ['phrase'], threshold: 0.4, ignoreLocation: true, includeScore: true },
  );

  constructor(private readonly kn: Knowledge) {}

  route(text: string): Intent {
    const command = controlCommand(text);
    if (command) return { kind: 'control', command };
    const named = flowCommand(text);
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
