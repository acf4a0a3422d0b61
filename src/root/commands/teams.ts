/** `medbill teams`: the Microsoft Teams app package (src/root/teams.ts). */
import type { Command } from './command.js';

export const teamsCommand: Command = {
  name: 'teams',
  usage: [
    "medbill teams package            the Microsoft Teams app package (zip) for the practice's admin to upload",
  ],
  help: `Usage: medbill teams package [--out FILE.zip]   (npm run teams:package)
  Writes the Teams app package: manifest.json (schema 1.25, its commands from medbill's flows), color.png and
  outline.png, zipped, to FILE.zip (default data/teams/medbill-teams.zip), and prints the file's path.
  Environment: MICROSOFT_APP_ID (the bot's Entra app id), MEDBILL_PUBLIC_URL (https address Teams reaches);
  optional MEDBILL_TEAMS_WEBSITE_URL, MEDBILL_TEAMS_PRIVACY_URL, MEDBILL_TEAMS_TERMS_URL (https; default the
  public URL), MEDBILL_TEAMS_APP_VERSION (default package.json's; raise it for every update you upload),
  MEDBILL_TEAMS_DEVELOPER_NAME (default medbill). A missing or bad one: a message naming it, exit 2.
  How to register the bot and upload the package: adapters/teams/appPackage/README.md.`,
  // What it runs on loads only when it runs, so `medbill triage` starts without it.
  run: async (args, io) => (await import('../teams.js')).cmdTeams(args, io),
};
