/**
 * The Teams app package: the manifest is valid against Microsoft's schema 1.25 (the copy bundled in the dev
 * dependency @microsoft/app-manifest; nothing is fetched), its commands are the registry's flows and each
 * command's title, sent as the message the way Teams sends it, starts that flow in the real engine; the zip
 * the built command writes holds exactly the manifest and two icons of the sizes and colours Teams requires;
 * a missing or bad setting stops it with a message naming the variable and never its value.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { unzipSync, strFromU8 } from 'fflate';
import { PNG } from 'pngjs';
import { flows } from '../../flows/index.js';
import { FlowRegistry } from '../../src/engine/registry.js';
import type { Flow } from '../../src/engine/flow.js';
import { openHouse, type House } from '../support/house.js';
import { loadConfig, ConfigError } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { ACCENT_COLOR, COMMAND_LIMITS, MANIFEST_SCHEMA_URL, loadManifestSettings, teamsCommandLists, teamsManifest, type TeamsManifest } from '../../adapters/teams/manifest.js';
import { ROOT, cli, tempDbPath } from '../helpers.js';

const SCHEMA_FILE = join(ROOT, 'node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.25/MicrosoftTeams.schema.json');
const APP_ID = '0b3c2f4e-1a2b-4c3d-9e8f-001122334455';
/** Every setting the package reads, blank unless a test sets it: the developer's own environment never leaks in. */
const ENV = {
  MICROSOFT_APP_ID: APP_ID, MEDBILL_PUBLIC_URL: 'https://medbill.example-dental.com',
  MEDBILL_TEAMS_WEBSITE_URL: '', MEDBILL_TEAMS_PRIVACY_URL: '', MEDBILL_TEAMS_TERMS_URL: '', MEDBILL_TEAMS_APP_VERSION: '', MEDBILL_TEAMS_DEVELOPER_NAME: '',
};

// Both are CommonJS modules whose export is also their own `default`: TypeScript (NodeNext) sees the module
// object and Node the class or function, which carries `default` as well; `.default` is right for both.
const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
ajvFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
const schemaErrors = (m: unknown) => (validate(m) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

const manifest = () => teamsManifest(flows, loadManifestSettings(ENV));
const clone = (m: TeamsManifest): TeamsManifest => JSON.parse(JSON.stringify(m));

describe('the manifest', () => {
  it('validates against the Teams schema 1.25 bundled with @microsoft/app-manifest', () => {
    const m = manifest();
    expect(m.$schema).toBe(MANIFEST_SCHEMA_URL);
    expect(m.manifestVersion).toBe('1.25');
    expect(schemaErrors(m)).toEqual([]);
  });

  it('is refused by the same validator when a field breaks the schema (so the check above can fail)', () => {
    const longTitle = clone(manifest());
    longTitle.bots[0]!.commandLists[0]!.commands[0]!.title = 'x'.repeat(129);
    expect(schemaErrors(longTitle).join('\n')).toMatch(/commands\/0\/title .*128/);
    const badColour = clone(manifest());
    badColour.accentColor = 'teal';
    expect(schemaErrors(badColour).join('\n')).toMatch(/accentColor/);
    const badId = clone(manifest());
    badId.bots[0]!.botId = 'not-a-guid';
    expect(schemaErrors(badId).join('\n')).toMatch(/botId/);
    const thirteen = clone(manifest());
    const commands = thirteen.bots[0]!.commandLists[0]!.commands;
    thirteen.bots[0]!.commandLists[0]!.commands = Array.from({ length: 13 }, (_, i) => ({ title: `c${i}`, description: commands[0]!.description }));
    expect(schemaErrors(thirteen).join('\n')).toMatch(/commands .*12/);
  });

  it('has the bot, its scopes, files, permissions and the app id, and the public host as its valid domain', () => {
    const m = manifest();
    expect(m.id).toBe(APP_ID);
    expect(m.bots).toHaveLength(1);
    expect(m.bots[0]).toMatchObject({ botId: APP_ID, scopes: ['personal', 'team', 'groupChat'], supportsFiles: true, isNotificationOnly: false });
    expect(m.permissions).toEqual(['identity', 'messageTeamMembers']);
    expect(m.validDomains).toEqual(['medbill.example-dental.com']);
    expect(m.accentColor).toBe(ACCENT_COLOR);
    expect(m.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(m.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    // Plain words about what medbill is; it asks for no patient data.
    expect(m.name.full).toMatch(/medical billing for dental procedures/);
    expect(m.description.full).toMatch(/Never type patient names, birth dates or member IDs/);
  });

  it('takes the optional developer pages and version, and refuses ones Teams would', () => {
    const m = teamsManifest(flows, loadManifestSettings({
      ...ENV, MEDBILL_PUBLIC_URL: 'https://dental.example.org/medbill/', MEDBILL_TEAMS_WEBSITE_URL: 'https://example.org/',
      MEDBILL_TEAMS_PRIVACY_URL: 'https://example.org/privacy', MEDBILL_TEAMS_APP_VERSION: '1.4.2', MEDBILL_TEAMS_DEVELOPER_NAME: 'Smile Dental IT',
    }));
    expect(m.developer).toEqual({ name: 'Smile Dental IT', websiteUrl: 'https://example.org/', privacyUrl: 'https://example.org/privacy', termsOfUseUrl: 'https://example.org/' });
    expect(m.version).toBe('1.4.2');
    expect(m.validDomains).toEqual(['dental.example.org']);
    expect(schemaErrors(m)).toEqual([]);
    // Defaults: the public address for every page.
    expect(manifest().developer).toMatchObject({ name: 'medbill', websiteUrl: 'https://medbill.example-dental.com/', privacyUrl: 'https://medbill.example-dental.com/' });
    const refused: [Record<string, string>, RegExp][] = [
      [{ MEDBILL_TEAMS_PRIVACY_URL: 'http://example.org/privacy' }, /MEDBILL_TEAMS_PRIVACY_URL: must start with https/],
      [{ MEDBILL_TEAMS_APP_VERSION: '1.4' }, /MEDBILL_TEAMS_APP_VERSION: must be MAJOR\.MINOR\.PATCH/],
      [{ MEDBILL_TEAMS_DEVELOPER_NAME: 'x'.repeat(33) }, /MEDBILL_TEAMS_DEVELOPER_NAME: must be at most 32/],
      [{ MEDBILL_PUBLIC_URL: 'https://localhost:3978' }, /MEDBILL_PUBLIC_URL: must be the public address/],
      [{ MEDBILL_PUBLIC_URL: 'https://medbill.example.org/?x=1' }, /MEDBILL_PUBLIC_URL: must be a base address/],
      [{ MEDBILL_PUBLIC_URL: 'https://admin:hunter2@medbill.example.org' }, /MEDBILL_PUBLIC_URL: must not carry a user name/],
    ];
    for (const [change, message] of refused) {
      expect(() => loadManifestSettings({ ...ENV, ...change })).toThrow(message);
      // The message names the variable, never what it holds.
      try { loadManifestSettings({ ...ENV, ...change }); } catch (err) {
        for (const value of Object.values(change)) expect((err as Error).message).not.toContain(value);
      }
    }
  });
});

describe('the command menu', () => {
  const lists = teamsCommandLists(flows);
  const personal = lists.find((l) => l.scopes.includes('personal'));
  const shared = lists.find((l) => l.scopes.includes('team'));
  const menuFlows = flows.all().filter((f) => f.menu);

  it('offers one command per flow with a menu entry in personal chat, and the channel ones in team and group chats', () => {
    expect(lists).toHaveLength(2);
    expect(personal?.scopes).toEqual(['personal']);
    expect(personal?.commands.map((c) => c.title)).toEqual(menuFlows.map((f) => f.menu?.words[0]));
    expect(shared?.scopes).toEqual(['team', 'groupChat']);
    expect(shared?.commands.map((c) => c.title)).toEqual(menuFlows.flatMap((f) => (f.menu?.inChannels ? f.menu.words : [])));
    // What a billing channel needs is there: today's claims and the daily digest; no case flow is.
    expect(shared?.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['today', 'digest here']));
    for (const id of ['triage', 'docs', 'letter', 'claim']) expect(flows.get(id)?.menu?.inChannels).toBeUndefined();
    for (const list of lists) {
      expect(list.commands.length).toBeLessThanOrEqual(COMMAND_LIMITS.perList);
      for (const c of list.commands) {
        expect(c.title.length).toBeLessThanOrEqual(COMMAND_LIMITS.title);
        expect(c.description.length).toBeLessThanOrEqual(COMMAND_LIMITS.description);
      }
    }
  });

  /** Every command in every scope, with the flow it must start. */
  const cases = lists.flatMap((list) => list.commands.map((c) => ({
    scope: list.scopes.join('/'), title: c.title,
    flow: menuFlows.find((f) => f.menu?.words[0] === c.title || (f.menu?.inChannels && f.menu.words.includes(c.title)))?.id,
  })));

  it.each(cases)('$title ($scope) is a command of its flow in the registry', ({ title, flow }) => {
    expect(flow).toBeDefined();
    expect(flows.command(title)?.flow).toBe(flow);
  });

  describe('in the real engine', () => {
    let app: House;
    beforeAll(() => {
      app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() }, { log: silentLogger });
    });
    afterAll(() => app.close());
    afterEach(() => vi.restoreAllMocks());

    let n = 0;
    it.each(cases)('$title ($scope), sent as Teams sends a picked command, starts its flow', async ({ scope, title, flow }) => {
      const spies = flows.all().map((f) => ({ id: f.id, spy: vi.spyOn(f, 'start') }));
      const channel = scope === 'personal' ? undefined : '19:billing@thread.tacv2';
      // As the Teams adapter makes turns: one person per test, so no test continues another's conversation.
      const replies = await app.engine.handle({
        platform: 'teams', tenant: 'tenant-1', user: `29:person-${++n}`, conversation: 'dm', direct: !channel,
        ...(channel ? { channel } : {}), input: { kind: 'text', text: title },
      });
      const started = spies.filter((s) => s.spy.mock.calls.length > 0)
        .sort((a, b) => (a.spy.mock.invocationCallOrder[0] ?? 0) - (b.spy.mock.invocationCallOrder[0] ?? 0));
      expect(started[0]?.id).toBe(flow);
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.map((r) => r.text).join('\n')).not.toMatch(/I didn't catch that|Something went wrong/);
    });
  });

  it('refuses a flow whose command breaks Teams\' limits, naming it', () => {
    const base = flows.get('lookup') as Flow;
    const withMenu = (id: string, menu: Flow['menu']): Flow => ({ ...base, id, menu });
    const long = new FlowRegistry([withMenu('lookup', { ...base.menu!, words: ['look up a code by its words or number'] })]);
    expect(() => teamsCommandLists(long)).toThrow(/"look up a code by its words or number" \(personal\): a title has 1 to 32 characters/);
    const wordy = new FlowRegistry([withMenu('lookup', { ...base.menu!, example: 'x'.repeat(200) })]);
    expect(() => teamsCommandLists(wordy)).toThrow(/at most 128/);
    const twice = new FlowRegistry([withMenu('lookup', base.menu), withMenu('other', base.menu)]);
    expect(() => teamsCommandLists(twice)).toThrow(/"lookup" is offered twice/);
    const many = new FlowRegistry(Array.from({ length: 13 }, (_, i) => withMenu(`f${i}`, { label: `Flow ${i}`, example: `"c${i}"`, words: [`c${i}`] })));
    expect(() => teamsCommandLists(many)).toThrow(/12 commands in personal/);
  });
});

describe('npm run teams:package (the built command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medbill-teams-'));

  it('writes a zip of exactly manifest.json, color.png and outline.png, and prints its path', () => {
    const out = join(dir, 'sub', 'medbill-teams.zip');
    const run = cli(['teams', 'package', '--out', out], undefined, ENV);
    expect(run.err).toMatch(/written to/);
    expect(run.code).toBe(0);
    expect(run.out.trim()).toBe(out);
    const files = unzipSync(readFileSync(out));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    // The manifest in the zip is the one the code builds (dist/ is current) and valid.
    const inZip = JSON.parse(strFromU8(files['manifest.json']!));
    expect(inZip).toEqual(manifest());
    expect(schemaErrors(inZip)).toEqual([]);

    const color = PNG.sync.read(Buffer.from(files['color.png']!));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = PNG.sync.read(Buffer.from(files['outline.png']!));
    expect([outline.width, outline.height]).toEqual([32, 32]);

    // Outline: white on transparent, nothing else, and something drawn.
    let drawn = 0;
    const stray: string[] = [];
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a === 0) continue;
      drawn++;
      if (r !== 255 || g !== 255 || b !== 255) stray.push(`${r},${g},${b},${a}`);
    }
    expect(stray).toEqual([]);
    expect(drawn / (32 * 32)).toBeGreaterThan(0.25);

    // Colour: opaque, the accent colour behind a white tooth, so neither blank nor one flat colour.
    const counts = new Map<string, number>();
    for (let i = 0; i < color.data.length; i += 4) {
      const [r, g, b, a] = color.data.subarray(i, i + 4);
      expect(a).toBe(255);
      const hex = `#${[r, g, b].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('')}`.toUpperCase();
      counts.set(hex, (counts.get(hex) ?? 0) + 1);
    }
    const share = (hex: string) => (counts.get(hex) ?? 0) / (192 * 192);
    expect(share(ACCENT_COLOR)).toBeGreaterThan(0.5);
    expect(share('#FFFFFF')).toBeGreaterThan(0.15);
  });

  it('stops with exit 2 and a message naming each missing variable, writing nothing', () => {
    const out = join(dir, 'missing.zip');
    const run = cli(['teams', 'package', '--out', out], undefined, { ...ENV, MICROSOFT_APP_ID: '', MEDBILL_PUBLIC_URL: ' ' });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/MICROSOFT_APP_ID: is missing/);
    expect(run.err).toMatch(/MEDBILL_PUBLIC_URL: is missing/);
    expect(run.out).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('names a bad variable without printing its value', () => {
    const out = join(dir, 'bad.zip');
    const secretish = 'Xy9~secret-looking-value';
    const run = cli(['teams', 'package', '--out', out], undefined, { ...ENV, MICROSOFT_APP_ID: secretish, MEDBILL_PUBLIC_URL: 'http://medbill.example-dental.com' });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/MICROSOFT_APP_ID: must be the bot's Entra app \(client\) id, a GUID/);
    expect(run.err).toMatch(/MEDBILL_PUBLIC_URL: must start with https:\/\//);
    expect(run.err).not.toContain(secretish);
    expect(run.err).not.toContain('http://medbill');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an output that is not a .zip, and an unknown argument', () => {
    expect(cli(['teams', 'package', '--out', join(dir, 'x.json')], undefined, ENV)).toMatchObject({ code: 2, err: expect.stringMatching(/must end in \.zip/) });
    expect(cli(['teams', 'package', '--force'], undefined, ENV)).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option --force /) });
    expect(cli(['teams'], undefined, ENV)).toMatchObject({ code: 2, err: expect.stringMatching(/teams needs "package"/) });
  });

  it('throws a ConfigError in process, which the command line turns into exit 2', () => {
    expect(() => loadManifestSettings({})).toThrow(ConfigError);
  });
});
