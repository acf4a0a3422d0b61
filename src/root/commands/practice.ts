/** `medbill practice show|set`: a practice's own zone, follow-up days and appeal windows (src/root/practice.ts). */
import type { Command } from './command.js';

export const practiceCommand: Command = {
  name: 'practice',
  usage: [
    'medbill practice show            MEDBILL_PRACTICE\'s zone, follow-up days and appeal windows',
    'medbill practice set [--zone Z] [--follow-up first|repeat=DAYS] [--appeal KIND=DAYS]   set them',
  ],
  help: `Usage: medbill practice show
       medbill practice set [--zone ZONE] [--follow-up first=DAYS] [--follow-up repeat=DAYS] [--appeal KIND=DAYS]…
  A practice's own settings, over knowledge/followup.json, for the practice MEDBILL_PRACTICE names (default
  "default"; with MEDBILL_PRACTICES=per-workspace a Slack workspace is "slack:TEAM_ID", a Teams tenant
  "teams:TENANT_ID"). show prints what is set and what followup.json gives otherwise; set changes what it
  is given and keeps the rest.
  --zone ZONE          the practice's IANA zone (America/Chicago): its "today" where a place has no zone
                       of its own (a digest channel keeps its own); "--zone default" drops it
  --follow-up first=N  days from submission to the first follow-up; repeat=N: days between follow-ups
  --appeal KIND=N      the appeal window in days for a claim kind as followup.json names them: medicare,
                       medicare-advantage, medicaid, commercial, tricare, auto, workers-comp, liability,
                       other, dental; KIND=default drops the practice's own
  Example: MEDBILL_PRACTICE=slack:T0123ABCD medbill practice set --zone America/Chicago --follow-up first=21 --appeal commercial=120`,
  run: async (args, io) => (await import('../practice.js')).cmdPractice(args, io),
};
