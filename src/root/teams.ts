/**
 * `medbill teams package [--out FILE.zip]`: the Teams app package for the practice's Microsoft 365 admin to
 * upload (npm run teams:package). Settings come from the environment (adapters/teams/manifest.ts); a missing
 * or bad one is a ConfigError naming it (exit 2) and no file is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { flows } from '../../flows/index.js';
import { loadManifestSettings } from '../../adapters/teams/manifest.js';
import { buildTeamsPackage } from '../../adapters/teams/package.js';
import { positionals, takeOneOption, UsageError, type Io } from '../command-line.js';

/** Under ./data, which git ignores: a package names the practice's bot and address, and is rebuilt at will. */
export const DEFAULT_PACKAGE_PATH = 'data/teams/medbill-teams.zip';

export async function cmdTeams(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'package') {
    positionals('teams', [sub ?? '']); // an option where "package" should be is named as one
    throw new UsageError('teams needs "package" (medbill teams --help)');
  }
  const { value: out = DEFAULT_PACKAGE_PATH, rest: stray } = takeOneOption(rest, '--out');
  const extra = positionals('teams package', stray);
  if (extra.length) throw new UsageError(`teams package: unexpected ${extra[0]} (medbill teams --help)`);
  if (!/\.zip$/i.test(out)) throw new UsageError(`--out ${out}: the file must end in .zip`);

  // Settings first: nothing is drawn or written when one is missing.
  const settings = loadManifestSettings();
  const pkg = await buildTeamsPackage(flows, settings);
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, pkg.zip);
  const commands = pkg.manifest.bots.flatMap((b) => b.commandLists).map((l) => `${l.commands.length} in ${l.scopes.join('/')}`).join(', ');
  io.out(path);
  io.err(`Teams app package ${pkg.manifest.version} (manifest ${pkg.manifest.manifestVersion}; commands: ${commands}) written to ${path}.`);
  io.err('Upload it in the Teams admin center: Teams apps > Manage apps > Upload new app (adapters/teams/appPackage/README.md).');
  return 0;
}
