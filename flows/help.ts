/** Help: what medbill does, with an example per flow (built by the registry from the flows' menu entries). */
import { z } from 'zod';
import { stateSchema } from '../src/engine/flow.js';
import { type Flow } from './context.js';

export const helpFlow: Flow = {
  id: 'help',
  version: 1,
  title: 'Help',
  commands: [],
  stateSchema: stateSchema(['help'], z.object({})),
  examples: ['help', 'what can you do', 'how does this work', 'hello', 'hi', 'what is medbill', 'menu'],
  start: (ctx) => ({ replies: [ctx.help()] }),
  handle: (ctx) => ({ replies: [ctx.help()] }),
  prompt: (ctx) => [ctx.help()],
  why: () => 'This is the list of what medbill can do.',
};
