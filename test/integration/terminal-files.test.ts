/**
 * The terminal chat: a `you> ` prompt where the person types, and files: a file a flow hands over is saved
 * beside the database and its path printed.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openEngine } from '../support/house.js';
import { FlowRegistry } from '../../src/engine/registry.js';
import { stateSchema, type Flow } from '../../src/engine/flow.js';
import { reply } from '../../src/engine/model.js';
import { terminalChat } from '../../adapters/terminal/chat.js';
import { renderReply } from '../../adapters/terminal/render.js';
import { tempDbPath } from '../helpers.js';
import { sqliteStorage } from '../support/storage.js';

const bytes = Buffer.from('PK\u0003\u0004 the start of a .docx');
const file = { kind: 'file' as const, name: 'C-ABCDE-letter.docx', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', base64: bytes.toString('base64') };
const letterFlow: Flow = {
  id: 'letter', version: 1, title: 'Letter', commands: [/^letter\b/i], examples: ['letter'],
  stateSchema: stateSchema(['done'], z.object({})),
  start: () => ({ replies: [reply('Your letter:', [file])] }),
  handle: () => ({ replies: [] }),
  prompt: () => [],
  why: () => '',
};

describe('files in the terminal', () => {
  it('names the file and its size in the text', async () => {
    expect(renderReply(reply('Your letter:', [file])).text).toMatch(/File: C-ABCDE-letter\.docx \(1 KB, application\/vnd/);
  });

  it('saves the file and prints where', async () => {
    const db = sqliteStorage(tempDbPath());
    const engine = openEngine(db, { flows: new FlowRegistry([letterFlow]) });
    const filesDir = join(mkdtempSync(join(tmpdir(), 'medbill-files-')), 'files');
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d: Buffer) => { printed += d.toString(); });
    await terminalChat(engine, { input: Readable.from(['letter\n']), output, filesDir });
    db.close();
    const saved = join(filesDir, 'C-ABCDE-letter.docx');
    expect(existsSync(saved)).toBe(true);
    expect(readFileSync(saved).equals(bytes)).toBe(true);
    expect(printed).toContain(`saved to ${saved}`);
  });
});

describe('the terminal chat prompt', () => {
  it('shows "you> " before every line it reads, and ends on a line of its own', async () => {
    const db = sqliteStorage(tempDbPath());
    const engine = openEngine(db, { flows: new FlowRegistry([letterFlow]) });
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d: Buffer) => { printed += d.toString(); });
    await terminalChat(engine, { input: Readable.from(['help\n', 'letter\n']), output, filesDir: join(mkdtempSync(join(tmpdir(), 'medbill-files-')), 'files') });
    db.close();
    // The welcome, then a prompt before each of the two lines and one more before Ctrl-D.
    expect(printed.split('you> ')).toHaveLength(4);
    const [welcome = '', afterHelp = '', afterLetter = '', atEnd] = printed.split('you> ');
    expect(welcome).toMatch(/^medbill chat: [^]*\nmedbill> /);
    expect(welcome.endsWith('\n')).toBe(true);
    expect(afterHelp).toMatch(/^\nmedbill> /);
    expect(afterLetter).toMatch(/^\nmedbill> Your letter:/);
    expect(atEnd).toBe('\n');
  });
});
