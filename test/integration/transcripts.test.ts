/**
 * Every transcript under test/transcripts/ (and shared/transcripts/ when present) played against the real
 * engine and a database file, exactly as `medbill chat --script` plays them.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { playScriptOnDatabase } from '../../adapters/terminal/script.js';
import { ROOT, SHARED, cli, tempDbPath } from '../helpers.js';
import { openHouse } from '../support/house.js';

// As `medbill chat --script` plays them: each reopen opens the house again over the same database file.
const play = (text: string) => {
  const config = { ...loadConfig({}), dbPath: tempDbPath() };
  return playScriptOnDatabase(text, (now) => openHouse(config, { now }), { platform: 'script', user: 'tester', conversation: 'test', direct: true });
};

const dir = join(ROOT, 'test', 'transcripts');
const own = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('transcripts', () => {
  it.each(own)('%s', async (file) => {
    const result = await play(readFileSync(join(dir, file), 'utf8'));
    expect(result.failures, result.transcript.join('\n')).toEqual([]);
    expect(result.checks).toBeGreaterThan(0);
  });

  const sharedDir = resolve(SHARED, 'transcripts');
  const theirs = existsSync(sharedDir) ? readdirSync(sharedDir).filter((f) => f.endsWith('.txt')).sort() : [];
  if (!theirs.length) console.log(`skipped: no transcripts in ${sharedDir} (shared/ is not part of the project)`);
  it.skipIf(!theirs.length).each(theirs.length ? theirs : ['none'])('shared/transcripts/%s', async (file) => {
    const result = await play(readFileSync(join(sharedDir, file), 'utf8'));
    expect(result.failures, result.transcript.join('\n')).toEqual([]);
  });
});

describe('medbill chat --script', () => {
  const scriptFile = (name: string, text: string) => {
    const path = join(tempDbPath('medbill-script-'), '..', name);
    writeFileSync(path, text);
    return path;
  };

  it('exits 0 and says how many expectations held', () => {
    const db = tempDbPath();
    const { code, out } = cli(['chat', '--script', scriptFile('ok.txt', 'you: help\nexpect: look up a code\n')], undefined, { MEDBILL_DB: db });
    expect(code).toBe(0);
    expect(out).toMatch(/script passed: 1 expectation/);
    expect(existsSync(db)).toBe(true); // it honours MEDBILL_DB
  });

  it('exits 1 and names the line when an expectation fails', () => {
    const { code, err } = cli(['chat', '--script', scriptFile('bad.txt', 'you: help\nexpect: something medbill never says\n')], undefined, { MEDBILL_DB: tempDbPath() });
    expect(code).toBe(1);
    expect(err).toMatch(/line 2: expect: something medbill never says/);
  });

  it('fails a press with no such button, listing the buttons there are', () => {
    const { code, err } = cli(['chat', '--script', scriptFile('press.txt', 'you: help\npress: Launch rockets\n')], undefined, { MEDBILL_DB: tempDbPath() });
    expect(code).toBe(1);
    expect(err).toMatch(/no button labelled "Launch rockets".*Look up a code/);
  });

  it('refuses an unreadable script with exit 2 before playing it', () => {
    const { code, err } = cli(['chat', '--script', scriptFile('junk.txt', 'you: help\nsay what\n')], undefined, { MEDBILL_DB: tempDbPath() });
    expect(code).toBe(2);
    expect(err).toMatch(/line 2: cannot read/);
  });
});

describe('medbill chat (terminal)', () => {
  it('answers typed messages and presses buttons by number', () => {
    const { code, out } = cli(['chat'], 'should I bill medical for the wisdom teeth?\n2\n', { MEDBILL_DB: tempDbPath() });
    expect(code).toBe(0);
    expect(out).toMatch(/Which insurance does the patient have\?\s+1\) Medical \+ dental, separate plans\s+2\) One combined plan/);
    expect(out).toMatch(/MEDICAL FIRST: send it to medical first/);
    // Where the person types: "you> " before each line read, and once more before Ctrl-D.
    expect(out.match(/^you> /gm)).toHaveLength(3);
    expect(out).toMatch(/\nyou> \nmedbill> Case C-/);
    expect(out.endsWith('\nyou> \n')).toBe(true);
  });

  it('reopened, repeats the pending question first, so a number presses its buttons', () => {
    const db = tempDbPath();
    cli(['chat'], 'should I bill medical for the wisdom teeth?\n', { MEDBILL_DB: db });
    const { code, out } = cli(['chat'], '2\n', { MEDBILL_DB: db });
    expect(code).toBe(0);
    expect(out).toMatch(/Welcome back[\s\S]*Which insurance does the patient have\?/);
    expect(out).toMatch(/MEDICAL FIRST/); // "2" pressed "One combined plan", not help's second button
  });
});
