/** `medbill chat`: the guided conversations in the terminal, or a scripted one (src/root/chat.ts). */
import type { Command } from './command.js';

export const chatCommand: Command = {
  name: 'chat',
  usage: [
    'medbill chat                     the guided conversations in the terminal (numbers press buttons)',
    'medbill chat --script FILE       play a scripted conversation; exit 1 when an expectation fails',
  ],
  help: `Usage: medbill chat [--script FILE]
  Without --script: talk to medbill in the terminal. Type a message; type a number to press that button.
  --script FILE plays a transcript (lines: you:, press:, expect:, expect-not:, expect-lane:, reopen,
  and the extensions form: ID k=v… and wait: 3h) and exits 1 at the first expectation that fails.`,
  // What it runs on loads only when it runs, so `medbill triage` starts without it.
  run: async (args, io) => (await import('../chat.js')).cmdChat(args, io),
};
