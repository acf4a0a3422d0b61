/** What medbill does, with one example per flow. */
import type { Flow } from '../src/engine/flow.js';
import { reply, type Reply } from '../src/engine/model.js';

export function helpReply(lead?: string): Reply {
  return reply(
    [
      ...(lead ? [lead] : []),
      'medbill helps decide when a dental procedure is billed to medical insurance. Try:',
      '• Is this medical first? "pt broke #8 in a bike accident, BCBS medical + Delta dental"',
      '• What documents do I need? "docs for a sleep apnea appliance, Medicare"',
      '• Look up a code: "lookup impacted tooth" or "lookup K08.3"',
      'At any question: "back", "cancel", "restart" or "why". Please never type patient names, birth dates or member IDs; medbill does not need them.',
    ].join('\n'),
    [{ kind: 'choices', choices: [
      { label: 'Is this medical first?', value: 'go:triage' },
      { label: 'What documents do I need?', value: 'go:docs' },
      { label: 'Look up a code', value: 'go:lookup' },
    ] }],
  );
}

export const helpFlow: Flow = {
  id: 'help',
  version: 1,
  title: 'Help',
  examples: ['help', 'what can you do', 'how does this work', 'hello', 'hi', 'what is medbill', 'menu'],
  start: () => ({ replies: [helpReply()] }),
  handle: () => ({ replies: [helpReply()] }),
  prompt: () => [helpReply()],
  why: () => 'This is the list of what medbill can do.',
};
