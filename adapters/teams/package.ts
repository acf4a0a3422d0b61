/**
 * The Teams app package: one zip with manifest.json, color.png and outline.png at its root (no folder), which
 * is what the Teams admin center, the Developer Portal and "Upload a custom app" all take.
 */
import { strToU8, zipSync } from 'fflate';
import type { FlowRegistry } from '../../src/engine/registry.js';
import { ICON_FILES, teamsManifest, type ManifestSettings, type TeamsManifest } from './manifest.js';
import { renderTeamsIcons } from './icons.js';

export interface TeamsPackage {
  manifest: TeamsManifest;
  /** The zip's bytes. */
  zip: Uint8Array;
}

/** A fixed date on every entry, so the same flows, settings and icons give the same zip on a machine. */
const ENTRY_DATE = new Date(2026, 0, 1);

export async function buildTeamsPackage(flows: FlowRegistry, settings: ManifestSettings): Promise<TeamsPackage> {
  const manifest = teamsManifest(flows, settings);
  const icons = await renderTeamsIcons();
  const zip = zipSync({
    'manifest.json': strToU8(`${JSON.stringify(manifest, null, 2)}\n`),
    [ICON_FILES.color]: icons.color,
    [ICON_FILES.outline]: icons.outline,
  }, { level: 9, mtime: ENTRY_DATE });
  return { manifest, zip };
}
