/** `medbill digest`: the daily claims digest as it would be posted, posted nowhere (src/root/due.ts). */
import type { Command } from './command.js';

export const digestCommand: Command = {
  name: 'digest',
  usage: [
    'medbill digest --preview [--channel slack:C0BILLING]',
    '                                 the daily claims digest as it would be posted (to that digest channel), posted nowhere',
  ],
  help: `Usage: medbill digest --preview [--channel PLATFORM:CHANNEL]
  Prints the daily claims digest as medbill serve would post it today, and posts nothing.
    --preview            required: print it here (the scheduler in medbill serve does the posting)
    --channel CHANNEL    a channel that gets the digest (MEDBILL_DIGEST, or "digest here …" typed in it), as
                         MEDBILL_DIGEST writes it: slack:C0BILLING, slack:T0TEAM/C0OTHER, teams:TENANT/19:…@thread.tacv2;
                         "today" is then that channel's date, in its digest zone
  Without --channel, "today" is the practice's (MEDBILL_TIME_ZONE). A line on standard error says for which
  date and where, and when that channel gets no digest on this day of the week.`,
  // What it runs on loads only when it runs, so `medbill triage` starts without it.
  run: async (args, io) => (await import('../due.js')).cmdDigest(args, io),
};
