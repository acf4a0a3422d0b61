/** `medbill serve`: the running service: the local chat page and the platforms that are set up (src/root/serve.ts). */
import type { Command } from './command.js';

export const serveCommand: Command = {
  name: 'serve',
  usage: [
    'medbill serve                    the local chat page at http://127.0.0.1:3978 (npm start)',
  ],
  help: `Usage: medbill serve
  Serves the local chat page and GET /healthz on HOST:PORT (default 127.0.0.1:3978). Ctrl-C stops it.`,
  // What it runs on loads only when it runs, so `medbill triage` starts without it.
  run: async (args, io) => (await import('../serve.js')).cmdServe(args, io),
};
