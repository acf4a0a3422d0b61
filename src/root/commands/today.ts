/** `medbill today`: what is due on claims today, as typing "today" shows it (src/root/due.ts). */
import type { Command } from './command.js';

export const todayCommand: Command = {
  name: 'today',
  usage: [
    'medbill today                    what is due on claims today (as typing "today" shows it), from MEDBILL_DB',
  ],
  help: `Usage: medbill today
  What is due on claims today in the practice's zone (MEDBILL_TIME_ZONE): the same list as typing "today"
  in the chat or the local page's Today tab, from MEDBILL_DB (overdue follow-ups, follow-ups due today,
  appeal deadlines, records requests, expiring authorizations, claims not submitted), as text.`,
  // What it runs on loads only when it runs, so `medbill triage` starts without it.
  run: async (args, io) => (await import('../due.js')).cmdToday(args, io),
};
