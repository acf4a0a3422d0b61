/**
 * Reply → Block Kit, without Slack: every rendering stays within Block Kit's limits however big the reply,
 * and nothing is lost on the way (split, not dropped).
 */
import { describe, expect, it } from 'vitest';
import { flows } from '../flows/index.js';
import { answerParts } from '../flows/answer.js';
import { formModal, homeView, renderMessages } from '../adapters/slack/blocks.js';
import { reply, type ReplyPart } from '../src/engine/model.js';
import { blockKitProblems } from './support/block-kit.js';
import { run } from './helpers.js';

type Json = Record<string, any>;
const render = (...args: Parameters<typeof reply>) => renderMessages(reply(...args)).map((m) => ({ text: m.text, blocks: m.blocks as Json[] }));
const textOf = (blocks: Json[]) => blocks.map((b) => b.text?.text ?? '').join('\n');

describe('Slack rendering', () => {
  it('splits a long text at line ends into sections of at most 3,000 characters, losing no line', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i}: ${'x'.repeat(20)}`);
    const [message, ...more] = render(lines.join('\n'));
    expect(more).toEqual([]);
    expect(blockKitProblems(message!.blocks)).toEqual([]);
    expect(message!.blocks.length).toBeGreaterThan(3);
    for (const line of lines) expect(textOf(message!.blocks)).toContain(line);
    expect(message!.text.length).toBeLessThanOrEqual(3000);
  });

  it('never cuts an escaped character in two', () => {
    const text = `a${'<'.repeat(4000)}`; // 'a' shifts the entities so that 3,000 falls inside one
    const blocks = render(text)[0]!.blocks;
    for (const b of blocks) expect(b.text.text).toMatch(/^a?(&lt;)+$/);
    expect(textOf(blocks).match(/&lt;/g)).toHaveLength(4000);
  });

  it('offers up to five choices as buttons and more as one menu', () => {
    const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `Choice ${i}`, value: `v${i}` }));
    const few = render('Pick', [{ kind: 'choices', choices: choices(5) }])[0]!.blocks[1]!;
    expect(few.elements.map((e: any) => e.type)).toEqual(Array(5).fill('button'));
    const many = render('Pick', [{ kind: 'choices', choices: choices(40) }])[0]!.blocks;
    expect(blockKitProblems(many)).toEqual([]);
    expect(many[1]!.elements[0].type).toBe('static_select');
    expect(many[1]!.elements[0].options).toHaveLength(40);
  });

  it('spreads a reply with more than 50 blocks over several messages', () => {
    const parts: ReplyPart[] = Array.from({ length: 30 }, (_, i) => ({ kind: 'facts', title: `Group ${i}`, rows: [{ label: 'a', value: String(i) }] }));
    const messages = render('Many facts', parts);
    expect(messages.length).toBe(2);
    for (const m of messages) expect(blockKitProblems(m.blocks)).toEqual([]);
    expect(messages.flatMap((m) => m.blocks).filter((b) => b.fields)).toHaveLength(30);
    expect(messages[1]!.text).toContain('(continued)');
  });

  it('shows a document as fenced snippets, each piece fenced on its own', () => {
    const body = Array.from({ length: 150 }, (_, i) => `Paragraph ${i} of the letter, with a <tag> & more.`).join('\n');
    const blocks = render('Your draft', [{ kind: 'document', title: 'Letter of medical necessity', filename: 'letter.txt', body }])[0]!.blocks;
    expect(blockKitProblems(blocks)).toEqual([]);
    const snippets = blocks.filter((b) => b.text?.text.startsWith('```'));
    expect(snippets.length).toBeGreaterThan(1);
    for (const s of snippets) expect(s.text.text).toMatch(/^```[\s\S]*```$/);
    expect(textOf(snippets)).toContain('Paragraph 149 of the letter, with a &lt;tag&gt; &amp; more.');
  });

  it('renders a real triage answer within limits: plain words, codes, links to sources, no raw ids', () => {
    const result = run({ procedure: 'surgical extraction of an impacted third molar', cause: 'infection', coverage: { medical: true, medicalPayer: 'commercial' } });
    const parts: ReplyPart[] = [...answerParts('C-ABC12', result), { kind: 'triage', caseId: 'C-ABC12', procedure: 'extraction', result }];
    const blocks = render('Case C-ABC12: MEDICAL', parts, 'direct-only')[0]!.blocks;
    expect(blockKitProblems(blocks)).toEqual([]);
    const fields = blocks[1]!.fields.map((f: any) => f.text);
    expect(fields).toEqual([`*Prior authorization*\n${{ required: 'Required: get the approval before treatment', likely: 'Likely needed: ask the plan before treatment', rarely: 'Rarely needed', 'not-required': 'Not required', unknown: 'Depends on the plan: ask it' }[result.preauth]}`, '*Case*\nC-ABC12']);
    const text = JSON.stringify(blocks);
    expect(text).toContain(result.procedureCodes.cdt[0]!.code);
    for (const w of result.warnings) expect(text).not.toContain(w.id); // the message, not the id
    expect(text).not.toContain(`${result.rules[0]!.id}`);
    expect(blocks.at(-1)!.type).toBe('context'); // the sources, folded to small print at the end
  });

  it('renders a long table (a lookup) within limits, split and not cut', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ['CPT', String(41000 + i), `description number ${i} of a code, long enough to fill the section quickly`]);
    const messages = render('12 codes found.', [{ kind: 'table', title: 'Matching codes', columns: ['Set', 'Code', 'What it is'], rows }]);
    const blocks = messages.flatMap((m) => m.blocks);
    for (const m of messages) expect(blockKitProblems(m.blocks)).toEqual([]);
    const text = textOf(blocks);
    expect(text).toContain('41000');
    expect(text).toContain('41299');
    expect(text).toContain('description number 299');
  });

  it('keeps modal titles and the App Home within their limits', () => {
    const modal = formModal({ kind: 'form', id: 'fee', title: 'The practice fee and the insurance amount', submitLabel: 'Check these amounts please', fields: [{ name: 'fee', label: 'Fee', type: 'number', required: true }] });
    expect((modal.title as any).text.length).toBeLessThanOrEqual(24);
    expect((modal.submit as any).text.length).toBeLessThanOrEqual(24);
    const cases = Array.from({ length: 150 }, (_, i) => ({ caseId: `C-${i}`, procedure: 'biopsy', lane: 'medical', updatedAt: Date.now() - i * 60_000 }));
    const home = homeView(cases, flows.menu());
    expect(blockKitProblems(home.blocks as any[], 100)).toEqual([]);
    // The quick starts are the registered flows' menu, and help.
    const starts = (home.blocks as any[]).find((b) => b.block_id === 'home_start').elements.map((e: any) => e.value);
    expect(starts).toEqual([...flows.all().filter((f) => f.menu).map((f) => `go:${f.id}`), 'go:help']);
  });
});
