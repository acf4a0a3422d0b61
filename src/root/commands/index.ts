/**
 * The commands of the medbill command line, in the order `medbill --help` lists them. A new command is a
 * module in this folder (its name, usage lines, help and run) added here; src/cli.ts dispatches over this list.
 */
import { askCommand } from './ask.js';
import { triageCommand } from './triage.js';
import { lookupCommand } from './lookup.js';
import { chatCommand } from './chat.js';
import { serveCommand } from './serve.js';
import { kbCommand } from './kb.js';
import { claimsCommand } from './claims.js';
import { letterCommand } from './letter.js';
import { todayCommand } from './today.js';
import { digestCommand } from './digest.js';
import { reportCommand } from './report.js';
import { teamsCommand } from './teams.js';
import type { Command } from './command.js';

export type { Command } from './command.js';

export const commands: readonly Command[] = [
  askCommand, triageCommand, lookupCommand, chatCommand, serveCommand, kbCommand, claimsCommand,
  letterCommand, todayCommand, digestCommand, reportCommand, teamsCommand,
];
