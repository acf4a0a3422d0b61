/**
 * Reply → Block Kit, without Slack: every rendering stays within Block Kit's limits however big the reply,
 * and nothing is lost on the way (split, not dropped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.js';
import { answerParts } from '../../flows/answer.js';
import { formModal, homeView, joinNotes, renderMessages } from '../../adapters/slack/blocks.js';
import { reply, type Input, type Reply, type ReplyPart } from '../../src/engine/model.js';
import { openEngine } from '../support/house.js';
import { blockKitProblems, messageProblems, viewProblems } from '../support/block-kit.js';
import { run } from '../helpers.js';
import { claimService, sqliteStorage } from '../support/storage.js';

type Json = Record<string, any>;
const render = (...args: Parameters<typeof reply>) => renderMessages(reply(...args)).map((m) => ({ text: m.text, blocks: m.blocks as Json[] }));
const textOf = (blocks: Json[]) => blocks.map((b) => b.text?.text ?? '').join('\n');

describe('Slack rendering', () => {
  it('splits a long text at line ends into sections of at most 3,000 characters, losing no line', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i}: ${'x'.repeat(20)}`);
    const [message, ...more] = render(lines.join('\n'));
    expect(more).toEqual([]);
    expect(blockKitProblems(message!.blocks)).toEqual([]);
    expect(message!.blocks.length).toBeGreaterThan(3);
    for (const line of lines) expect(textOf(message!.blocks)).toContain(line);
    expect(message!.text.length).toBeLessThanOrEqual(3000);
  });

  it('never cuts an escaped character in two', async () => {
    const text = `a${'<'.repeat(4000)}`; // 'a' shifts the entities so that 3,000 falls inside one
    const blocks = render(text)[0]!.blocks;
    for (const b of blocks) expect(b.text.text).toMatch(/^a?(&lt;)+$/);
    expect(textOf(blocks).match(/&lt;/g)).toHaveLength(4000);
  });

  it('offers up to five choices as buttons and more as one menu', async () => {
    const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `Choice ${i}`, value: `v${i}` }));
    const few = render('Pick', [{ kind: 'choices', choices: choices(5) }])[0]!.blocks[1]!;
    expect(few.elements.map((e: any) => e.type)).toEqual(Array(5).fill('button'));
    const many = render('Pick', [{ kind: 'choices', choices: choices(40) }])[0]!.blocks;
    expect(blockKitProblems(many)).toEqual([]);
    expect(many[1]!.elements[0].type).toBe('static_select');
    expect(many[1]!.elements[0].options).toHaveLength(40);
  });

  it('spreads a reply with more than 50 blocks over several messages', async () => {
    const parts: ReplyPart[] = Array.from({ length: 30 }, (_, i) => ({ kind: 'facts', title: `Group ${i}`, rows: [{ label: 'a', value: String(i) }] }));
    const messages = render('Many facts', parts);
    expect(messages.length).toBe(2);
    for (const m of messages) expect(blockKitProblems(m.blocks)).toEqual([]);
    expect(messages.flatMap((m) => m.blocks).filter((b) => b.fields)).toHaveLength(30);
    expect(messages[1]!.text).toContain('(continued)');
  });

  it('joins a note with nothing but text to the reply after it, so an answer is one message', () => {
    const answer = reply('Case C-ABCDE. MEDICAL', [{ kind: 'facts', rows: [{ label: 'Lane', value: 'medical' }] }], 'direct-only');
    const joined = joinNotes([reply('Starting a new case; case C-FGHIJ is kept.'), reply('One more note.'), answer]);
    expect(joined).toHaveLength(1);
    expect(joined[0]!.text).toBe('Starting a new case; case C-FGHIJ is kept.\n\nOne more note.\n\nCase C-ABCDE. MEDICAL');
    expect(joined[0]!.parts).toEqual(answer.parts);
    expect(joined[0]!.privacy).toBe('direct-only');
    const messages = renderMessages(joined[0]!);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toMatch(/^Starting a new case/);
    // A reply with parts stays whole and apart; a checklist (redrawn in place when ticked) is never joined.
    const checklist = reply('Documents', [{ kind: 'checklist', title: 'Documents', items: [] }]);
    expect(joinNotes([answer, reply('Next?')])).toHaveLength(2);
    expect(joinNotes([reply('Saved.'), checklist])).toEqual([reply('Saved.'), checklist]);
    expect(joinNotes([])).toEqual([]);
  });

  it('shows a document as fenced snippets, each piece fenced on its own', async () => {
    const body = Array.from({ length: 150 }, (_, i) => `Paragraph ${i} of the letter, with a <tag> & more.`).join('\n');
    const blocks = render('Your draft', [{ kind: 'document', title: 'Letter of medical necessity', filename: 'letter.txt', body }])[0]!.blocks;
    expect(blockKitProblems(blocks)).toEqual([]);
    const snippets = blocks.filter((b) => b.text?.text.startsWith('```'));
    expect(snippets.length).toBeGreaterThan(1);
    for (const s of snippets) expect(s.text.text).toMatch(/^```[\s\S]*```$/);
    expect(textOf(snippets)).toContain('Paragraph 149 of the letter, with a &lt;tag&gt; &amp; more.');
  });

  it('renders a real triage answer within limits: plain words, codes, links to sources, no raw ids', async () => {
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

  it('renders a long table (a lookup) within limits, split and not cut', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ['CPT', String(41000 + i), `description number ${i} of a code, long enough to fill the section quickly`]);
    const messages = render('12 codes found.', [{ kind: 'table', title: 'Matching codes', columns: ['Set', 'Code', 'What it is'], rows }]);
    const blocks = messages.flatMap((m) => m.blocks);
    for (const m of messages) expect(blockKitProblems(m.blocks)).toEqual([]);
    const text = textOf(blocks);
    expect(text).toContain('41000');
    expect(text).toContain('41299');
    expect(text).toContain('description number 299');
  });

  it('keeps modal titles and the App Home within their limits', async () => {
    const modal = formModal({ kind: 'form', id: 'fee', title: 'The practice fee and the insurance amount', submitLabel: 'Check these amounts please', fields: [{ name: 'fee', label: 'Fee', type: 'number', required: true }] });
    expect(viewProblems(modal)).toEqual([]);
    expect((modal.title as any).text.length).toBeLessThanOrEqual(24);
    expect((modal.submit as any).text.length).toBeLessThanOrEqual(24);
    const cases = Array.from({ length: 150 }, (_, i) => ({ caseId: `C-${i}`, procedure: 'biopsy', lane: 'medical', updatedAt: Date.now() - i * 60_000 }));
    const home = homeView(cases, flows.menu());
    expect(viewProblems(home)).toEqual([]);
    expect(blockKitProblems(home.blocks as any[], 100)).toEqual([]);
    // The quick starts are the registered flows' menu, and help.
    const starts = (home.blocks as any[]).find((b) => b.block_id === 'home_start').elements.map((e: any) => e.value);
    expect(starts).toEqual([...flows.all().filter((f) => f.menu).map((f) => `go:${f.id}`), 'go:help']);
  });
});

describe('what the flows say, as Slack gets it', () => {
  const db = sqliteStorage(':memory:');
  afterAll(() => db.close());
  const engine = openEngine(db, { zone: 'America/Chicago' });
  const claims = claimService(db);
  beforeAll(async () => {
    for (const [caseId, submittedDate] of [['C-SLK23', '2026-11-12'], ['C-SLK24', undefined]] as const) {
      const plan = await claims.draft({ caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, ...(submittedDate ? { submittedDate } : {}) }, { who: 'test', surface: 'test' });
      if (!plan.ok || !(await claims.commit(plan))) throw new Error('seed failed');
    }
    await claims.apply('C-SLK23', { kind: 'denied', date: '2026-11-30', denial: { group: 'CO', carc: '50' } }, { who: 'test', surface: 'test' });
  });

  // A message per flow and kind of answer; then, from each, every button of its first answer once.
  const STARTS = [
    'help', 'pt broke #8 in a bike accident, has BCBS medical + Delta dental', 'should I bill medical for the wisdom teeth?',
    'docs for a sleep apnea appliance, Medicare', 'lookup impacted tooth', 'lookup K08.3', 'claim', 'C-SLK23', 'C-SLK23 denied',
    'C-SLK24 paid', 'today', 'report', 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare', 'zorblat', 'pt Jane Smith DOB 04/12/1961',
  ];
  let people = 0;
  async function conversation(inputs: Input[]): Promise<Reply[]> {
    const user = `slack-${people++}`;
    let last: Reply[] = [];
    for (const input of inputs) last = await engine.handle({ platform: 'slack', user, conversation: 'dm', direct: true, input });
    return last;
  }
  const choicesOf = (replies: Reply[]) => replies.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'choices' || p.kind === 'item' ? p.choices : p.kind === 'checklist' ? p.items.map((i) => ({ label: i.label, value: i.toggle })) : [])));
  function problemsOf(replies: Reply[]): string[] {
    const out: string[] = [];
    for (const r of replies) {
      for (const m of renderMessages(r)) out.push(...messageProblems(m).map((p) => `${r.text.slice(0, 40)}: ${p}`));
      for (const part of r.parts) if (part.kind === 'form') out.push(...viewProblems(formModal(part)).map((p) => `form ${part.id}: ${p}`));
    }
    return out;
  }

  it.each(STARTS)('renders "%s" and the answer to every button under it as messages and modals Slack takes', async (start) => {
    const first = await conversation([{ kind: 'text', text: start }]);
    expect(first.length).toBeGreaterThan(0);
    const problems = problemsOf(first);
    for (const c of choicesOf(first)) problems.push(...problemsOf(await conversation([{ kind: 'text', text: start }, { kind: 'button', value: c.value }])));
    expect(problems).toEqual([]);
  });
});

describe('the Block Kit checker', () => {
  const section = (text = 'Hello') => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const button = (extra: Record<string, unknown> = {}) => ({ type: 'button', action_id: 'b1', text: { type: 'plain_text', text: 'Go' }, value: 'go', ...extra });
  const option = (value: string, text = value) => ({ text: { type: 'plain_text', text }, value });

  it('takes a message with every kind of block it knows, as Slack documents them', async () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Claims due today', emoji: true } },
      { ...section('*Bold* and _italic_'), block_id: 's1', accessory: button({ action_id: 'acc', style: 'primary' }) },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Payer*\nAetna' }, { type: 'plain_text', text: 'Billed $650' }] },
      { type: 'divider' },
      { type: 'actions', elements: [
        button(), { type: 'static_select', action_id: 's', placeholder: { type: 'plain_text', text: 'Choose…' }, options: [option('a'), option('b')] },
        { type: 'overflow', action_id: 'o', options: [option('x'), option('y')] }, { type: 'datepicker', action_id: 'd', initial_date: '2026-12-02' },
        { type: 'checkboxes', action_id: 'c', options: [{ text: { type: 'mrkdwn', text: '*done*' }, value: 'done' }] },
      ] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Sources' }, { type: 'image', image_url: 'https://example.com/i.png', alt_text: 'logo' }] },
      { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'A/R aging', title: { type: 'plain_text', text: 'Aging' } },
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi' }] }] },
    ];
    expect(blockKitProblems(blocks)).toEqual([]);
    expect(messageProblems({ text: 'Claims due today', blocks })).toEqual([]);
    expect(viewProblems({ type: 'modal', title: { type: 'plain_text', text: 'Fee check' }, submit: { type: 'plain_text', text: 'Check' }, blocks: [
      { type: 'input', block_id: 'fee', label: { type: 'plain_text', text: 'Fee' }, element: { type: 'number_input', action_id: 'value', is_decimal_allowed: true, initial_value: '900' } },
      { type: 'input', block_id: 'note', optional: true, label: { type: 'plain_text', text: 'Note' }, element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 } },
    ] })).toEqual([]);
  });

  const broken: [string, () => unknown[], RegExp][] = [
    ['a block type Slack does not have', () => [{ type: 'table', rows: [] }], /not a Block Kit block type/],
    ['a section with neither text nor fields', () => [{ type: 'section' }], /needs text or fields/],
    ['a section with empty text', () => [section('')], /text\.text: empty/],
    ['a section over 3,000 characters', () => [section('x'.repeat(3001))], /3001 characters, over 3000/],
    ['eleven fields', () => [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'a' })) }], /11 items, over 10/],
    ['a field over 2,000 characters', () => [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'x'.repeat(2001) }] }], /over 2000/],
    ['a text object of another type', () => [{ type: 'section', text: { type: 'markdown', text: 'hi' } }], /not plain_text or mrkdwn/],
    ['emoji on mrkdwn', () => [{ type: 'section', text: { type: 'mrkdwn', text: 'hi', emoji: true } }], /unknown field "emoji"/],
    ['a header in mrkdwn', () => [{ type: 'header', text: { type: 'mrkdwn', text: 'Title' } }], /must be plain_text/],
    ['a header over 150 characters', () => [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }], /over 150/],
    ['a button without text', () => [{ type: 'actions', elements: [{ type: 'button', action_id: 'b', value: 'v' }] }], /missing "text"/],
    ['a button labelled in mrkdwn', () => [{ type: 'actions', elements: [button({ text: { type: 'mrkdwn', text: '*Go*' } })] }], /must be plain_text/],
    ['a button label over 75 characters', () => [{ type: 'actions', elements: [button({ text: { type: 'plain_text', text: 'x'.repeat(76) } })] }], /over 75/],
    ['a button value over 2,000 characters', () => [{ type: 'actions', elements: [button({ value: 'v'.repeat(2001) })] }], /over 2000/],
    ['a button style Slack does not have', () => [{ type: 'actions', elements: [button({ style: 'secondary' })] }], /not primary or danger/],
    ['a field Slack does not know ("disabled")', () => [{ type: 'actions', elements: [button({ disabled: true })] }], /unknown field "disabled"/],
    ['an empty actions block', () => [{ type: 'actions', elements: [] }], /0 items, fewer than 1/],
    ['26 elements in one actions block', () => [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` })) }], /26 items, over 25/],
    ['an input element in an actions block', () => [{ type: 'actions', elements: [{ type: 'plain_text_input', action_id: 'p' }] }], /cannot go in an actions block/],
    ['a button in a context block', () => [{ type: 'context', elements: [button()] }], /not plain_text or mrkdwn/],
    ['eleven context elements', () => [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'a' })) }], /11 items, over 10/],
    ['the same action_id twice', () => [{ type: 'actions', elements: [button(), button()] }], /"b1" used twice/],
    ['the same block_id twice', () => [{ ...section(), block_id: 'x' }, { ...section(), block_id: 'x' }], /"x" used twice/],
    ['a select with no options', () => [{ type: 'actions', elements: [{ type: 'static_select', action_id: 's', options: [] }] }], /fewer than 1/],
    ['a select with 101 options', () => [{ type: 'actions', elements: [{ type: 'static_select', action_id: 's', options: Array.from({ length: 101 }, (_, i) => option(`v${i}`)) }] }], /101 items, over 100/],
    ['a select option in mrkdwn', () => [{ type: 'actions', elements: [{ type: 'static_select', action_id: 's', options: [{ text: { type: 'mrkdwn', text: '*a*' }, value: 'a' }] }] }], /must be plain_text/],
    ['a select option value over 150 characters', () => [{ type: 'actions', elements: [{ type: 'static_select', action_id: 's', options: [option('v'.repeat(151), 'V')] }] }], /over 150/],
    ['an overflow menu with six options', () => [{ type: 'actions', elements: [{ type: 'overflow', action_id: 'o', options: Array.from({ length: 6 }, (_, i) => option(`o${i}`)) }] }], /6 items, over 5/],
    ['a date picker with a US date', () => [{ type: 'actions', elements: [{ type: 'datepicker', action_id: 'd', initial_date: '12/02/2026' }] }], /not a YYYY-MM-DD date/],
    ['an image without alt text', () => [{ type: 'image', image_url: 'https://example.com/a.png' }], /missing "alt_text"/],
    ['51 blocks in a message', () => Array.from({ length: 51 }, () => section()), /51 blocks, over 50/],
  ];
  it.each(broken)('refuses %s', (_what, blocks, problem) => {
    const problems = blockKitProblems(blocks() as Record<string, unknown>[]);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('refuses a modal Slack would refuse', async () => {
    const input = { type: 'input', label: { type: 'plain_text', text: 'Fee' }, element: { type: 'number_input', action_id: 'v', is_decimal_allowed: true } };
    const title = { type: 'plain_text', text: 'Fee check' };
    expect(viewProblems({ type: 'modal', title: { type: 'plain_text', text: 'A title of more than 24 characters' }, submit: title, blocks: [input] }).join()).toMatch(/over 24/);
    expect(viewProblems({ type: 'modal', title, blocks: [input] }).join()).toMatch(/input blocks need a submit button/);
    expect(viewProblems({ type: 'modal', title, submit: title, blocks: [{ ...input, element: { type: 'number_input', action_id: 'v' } }] }).join()).toMatch(/missing "is_decimal_allowed"/);
    expect(viewProblems({ type: 'modal', title, submit: title, blocks: [{ ...input, element: { type: 'number_input', action_id: 'v', is_decimal_allowed: true, initial_value: '$900' } }] }).join()).toMatch(/not a number written as a string/);
    expect(viewProblems({ type: 'modal', title, submit: title, blocks: [{ ...input, element: button() }] }).join()).toMatch(/a button element cannot go in an input block/);
    expect(viewProblems({ type: 'modal', title, submit: title, blocks: [{ type: 'input', element: input.element }] }).join()).toMatch(/missing "label"/);
    expect(viewProblems({ type: 'home', blocks: Array.from({ length: 101 }, () => section()) }).join()).toMatch(/101 blocks, over 100/);
    expect(messageProblems({})).toEqual(['message: needs text or blocks']);
  });
});
