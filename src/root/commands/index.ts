/**
 * The commands of the medbill command line, in the order `medbill --help` lists them. A new command is a
 * module in this folder (its name, usage lines, help and run) added here; src/cli.ts dispatches over this list.
 * Each module is loaded only when its command runs (or the help lists it): a cold `medbill triage` reads
 * its own module and nothing of the others.
 */
import type { Command } from './command.js';

export type { Command } from './command.js';

/** A command by its name, and how to load its module (whose Command has the same name). */
export interface CommandEntry {
  name: string;
  load: () => Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'ask', load: async () => (await import('./ask.js')).askCommand },
  { name: 'triage', load: async () => (await import('./triage.js')).triageCommand },
  { name: 'lookup', load: async () => (await import('./lookup.js')).lookupCommand },
  { name: 'chat', load: async () => (await import('./chat.js')).chatCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'kb', load: async () => (await import('./kb.js')).kbCommand },
  { name: 'claims', load: async () => (await import('./claims.js')).claimsCommand },
  { name: 'letter', load: async () => (await import('./letter.js')).letterCommand },
  { name: 'claim-form', load: async () => (await import('./claim-form.js')).claimFormCommand },
  { name: 'today', load: async () => (await import('./today.js')).todayCommand },
  { name: 'digest', load: async () => (await import('./digest.js')).digestCommand },
  { name: 'report', load: async () => (await import('./report.js')).reportCommand },
  { name: 'practice', load: async () => (await import('./practice.js')).practiceCommand },
  { name: 'teams', load: async () => (await import('./teams.js')).teamsCommand },
];
