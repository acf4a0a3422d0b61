/** `medbill chat`: the engine in a terminal. Type a message after `you> `, or a number to press that button. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Engine } from '../../src/engine/engine.js';
import type { ChatAdapter } from '../../src/engine/chat-adapter.js';
import type { Reply, Turn } from '../../src/engine/model.js';
import { renderReply, type Pressable } from './render.js';

/**
 * The terminal as a ChatAdapter: `start` opens the conversation (it runs until the input ends: `closed`), and
 * what is sent unasked is printed as any answer is. One person, one conversation: no routes, no inbox.
 */
export function createTerminalAdapter(engine: Engine, io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; filesDir: string }, user = 'terminal'): ChatAdapter & { closed: Promise<void> } {
  let done: () => void = () => {};
  let failed: (err: unknown) => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  return {
    name: 'terminal',
    routes: [],
    closed,
    start: async () => {
      terminalChat(engine, io, user).then(done, failed);
    },
    stop: async () => {},
    describe: () => '',
    render: (reply) => [renderReply(reply).text],
    send: async (_address, replies) => {
      for (const r of replies) io.output.write(`\nmedbill> ${renderReply(r).text.replace(/\n/g, '\n         ')}\n`);
    },
  };
}

/** What the terminal shows where the person types. */
export const PROMPT = 'you> ';

/** `filesDir`: where files the chat hands over (a letter as .docx) are saved, since a terminal cannot show them. */
export async function terminalChat(engine: Engine, io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; filesDir: string }, user = 'terminal'): Promise<void> {
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  const base: Omit<Turn, 'input'> = { platform: 'terminal', user, conversation: 'terminal', direct: true };
  const print = (s: string) => io.output.write(`${s}\n`);
  // Where the person types: shown before every line read, so it is plain whose turn it is.
  const prompt = () => io.output.write(PROMPT);
  let pressables: Pressable[] = [];
  let form: Extract<Reply['parts'][number], { kind: 'form' }> | undefined;
  const show = (replies: Reply[]) => {
    pressables = [];
    form = undefined;
    for (const r of replies) {
      const { text, pressables: p } = renderReply(r, pressables.length + 1);
      pressables.push(...p);
      form = r.parts.find((x) => x.kind === 'form') ?? form;
      print(`\nmedbill> ${text.replace(/\n/g, '\n         ')}`);
      for (const p of r.parts) {
        if (p.kind !== 'file' && p.kind !== 'chart') continue;
        mkdirSync(io.filesDir, { recursive: true });
        const name = p.kind === 'file' ? basename(p.name) : `${p.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png`;
        const path = join(io.filesDir, name);
        writeFileSync(path, Buffer.from(p.kind === 'file' ? p.base64 : p.pngBase64, 'base64'));
        print(`         saved to ${path}`);
      }
    }
  };
  print('medbill chat: describe a case, or type "help". Numbers press buttons; Ctrl-D quits.');
  // A conversation left open is picked up where it stopped: its question, with its own buttons to press.
  show(engine.resume(base));
  // While a form is being filled in, each line answers its next field.
  let filling: { id: string; fields: { name: string; label: string; initial?: string }[]; values: Record<string, string> } | undefined;
  // A field filled in already (from the case) is shown in brackets; an empty line keeps it.
  const ask = (f: { label: string; initial?: string } | undefined) => print(`  ${f?.label ?? ''}${f?.initial ? ` [${f.initial}]` : ''}:`);
  const answer = async (line: string): Promise<void> => {
    const text = line.trim();
    // A number presses the button shown with it (numbered from 1); "0" or a number past the last matches none.
    const pressed = /^\d{1,2}$/.test(text) ? pressables[Number(text) - 1] : undefined;
    if (filling) {
      const field = filling.fields.shift();
      if (field) filling.values[field.name] = text || field.initial || '';
      if (filling.fields.length) {
        ask(filling.fields[0]);
        return;
      }
      show(await engine.handle({ ...base, input: { kind: 'form', form: filling.id, values: filling.values } }));
      filling = undefined;
    } else if (form && text.toLowerCase() === 'form') {
      filling = { id: form.id, fields: [...form.fields], values: {} };
      ask(filling.fields[0]);
      return;
    } else if (pressed) {
      show(await engine.handle({ ...base, input: { kind: 'button', value: pressed.value } }));
    } else {
      show(await engine.handle({ ...base, input: { kind: 'text', text: line } }));
    }
    if (form) print('         (type "form" to fill it in, or type the answer)');
  };
  prompt();
  for await (const line of rl) {
    await answer(line);
    prompt();
  }
  // Ctrl-D after the prompt: the shell's own prompt starts on a line of its own.
  print('');
  rl.close();
}
