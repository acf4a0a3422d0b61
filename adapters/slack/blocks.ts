/**
 * Replies in Slack's idiom (Block Kit), within its limits: a reply too big for one message is split into
 * several, long text is cut at a line and marked, many choices become a static select.
 */
import type { ChecklistItem, Choice, FormField, ListItem, Reply, ReplyPart } from '../../src/engine/model.js';
import type { TriageResult } from '../../src/knowledge/triage.js';
import type { CaseSummary } from '../../src/store/cases.js';
import { LANE_LINE } from '../../src/reply-text.js';

/** Block Kit's limits (docs.slack.dev, Block Kit reference). */
export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  elementsPerActions: 25,
  buttonText: 75,
  buttonValue: 2000,
  optionsPerSelect: 100,
  optionText: 75,
  optionValue: 150,
  contextElements: 10,
  headerText: 150,
  modalTitle: 24,
  fallbackText: 3000,
} as const;

/** Buttons beyond this many read better as one menu. */
const MAX_BUTTONS = 5;

export type Block = Record<string, unknown>;
export interface SlackMessage { text: string; blocks: Block[] }

export const ACTION = {
  button: 'medbill_button',
  select: 'medbill_select',
  toggle: 'medbill_toggle',
  openForm: 'medbill_open_form',
} as const;
export const FORM_CALLBACK = 'medbill_form';

/** Slack mrkdwn treats &, < and > as markup: what people typed must not become links or mentions. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: cut(text, max), emoji: true });

/** Pieces of at most `room` characters of escaped text, cut at a line end where one is near, never inside an entity. */
function pieces(escaped: string, room: number): string[] {
  const out: string[] = [];
  let rest = escaped;
  while (rest.length) {
    let piece = rest.slice(0, room);
    if (rest.length > room) {
      const nl = piece.lastIndexOf('\n');
      piece = nl > room / 2 ? piece.slice(0, nl + 1) : piece.replace(/&[a-z]{0,3}$/, '');
    }
    out.push(piece);
    rest = rest.slice(piece.length);
  }
  return out;
}

/** Sections of at most 3,000 characters, split at line ends where possible. */
function sections(text: string): Block[] {
  return pieces(escape(text.trim()), LIMITS.sectionText)
    .map((p) => p.trim())
    .filter((p) => p.length)
    .map((p) => ({ type: 'section', text: { type: 'mrkdwn', text: p } }));
}

/** A document as preformatted snippets of at most 3,000 characters each, every piece fenced on its own. */
function snippetBlocks(title: string, filename: string, body: string): Block[] {
  const fenced = pieces(escape(body.replace(/```/g, "'''").trimEnd()), LIMITS.sectionText - 6)
    .map((p) => ({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${p.trimEnd() || ' '}\`\`\`` } }));
  return [...sections(`*${title}* (${filename})`), ...fenced];
}

function choiceBlocks(choices: Choice[], blockId: string): Block[] {
  const usable = choices.filter((c) => c.value.length <= LIMITS.buttonValue);
  if (usable.length <= MAX_BUTTONS) {
    return [{
      type: 'actions', block_id: blockId,
      // Action ids unique in the whole message (a digest has a row of buttons per claim): the block's id is in them.
      elements: usable.map((c, i) => ({ type: 'button', action_id: `${ACTION.button}_${blockId}_${i}`, text: plain(c.label, LIMITS.buttonText), value: c.value })),
    }];
  }
  const options = usable.filter((c) => c.value.length <= LIMITS.optionValue).slice(0, LIMITS.optionsPerSelect);
  return [{
    type: 'actions', block_id: blockId,
    elements: [{ type: 'static_select', action_id: `${ACTION.select}_${blockId}`, placeholder: plain('Choose…', LIMITS.optionText), options: options.map((c) => ({ text: plain(c.label, LIMITS.optionText), value: c.value })) }],
  }];
}

function checklistBlocks(title: string, items: ChecklistItem[]): Block[] {
  const out: Block[] = sections(`*${title}*`);
  items.forEach((item, i) => {
    const detail = item.detail ? `\n${cut(item.detail, 600)}` : '';
    out.push({
      type: 'section', block_id: `check_${i}`,
      text: { type: 'mrkdwn', text: cut(`${item.checked ? ':white_check_mark:' : ':white_large_square:'} *${escape(item.label)}*${escape(detail)}`, LIMITS.sectionText) },
      accessory: { type: 'button', action_id: `${ACTION.toggle}_${i}`, text: plain(item.checked ? 'Have it' : 'Need it', LIMITS.buttonText), value: item.toggle, ...(item.checked ? {} : { style: 'primary' }) },
    });
  });
  return out;
}

function factsBlocks(title: string | undefined, rows: { label: string; value: string }[]): Block[] {
  const out: Block[] = title ? sections(`*${title}*`) : [];
  for (let i = 0; i < rows.length; i += LIMITS.fieldsPerSection) {
    out.push({
      type: 'section',
      fields: rows.slice(i, i + LIMITS.fieldsPerSection).map((r) => ({ type: 'mrkdwn', text: cut(`*${escape(r.label)}*\n${escape(r.value)}`, LIMITS.fieldText) })),
    });
  }
  return out;
}

/** A table as a title and one line per row (Block Kit has no table block): the first column bold. */
function tableBlocks(title: string, columns: string[], rows: string[][]): Block[] {
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? `*${escape(c)}*` : escape(c))).join('  ');
  const text = `*${escape(title)}*  (${columns.map(escape).join(' · ')})\n${rows.map(line).join('\n')}`;
  return pieces(text, LIMITS.sectionText).map((p) => p.trim()).filter(Boolean).map((p) => ({ type: 'section', text: { type: 'mrkdwn', text: p } }));
}

/**
 * A list as sections of bullets, links in Slack's own form (text escaped, the link markup not); a folded list
 * (the rules and sources behind an answer) as small context text after the rest.
 */
function listBlocks(title: string, items: ListItem[], folded: boolean | undefined): Block[] {
  const line = (i: ListItem) => (i.link && /^https?:\/\/[^\s|>]+$/.test(i.link) ? `• <${i.link}|${escape(i.text)}>` : `• ${escape(i.text)}`);
  const mrkdwn = pieces(`*${escape(title)}*\n${items.map(line).join('\n')}`, LIMITS.sectionText).map((p) => p.trim()).filter(Boolean);
  return mrkdwn.map((text) => (folded ? { type: 'context', elements: [{ type: 'mrkdwn', text }] } : { type: 'section', text: { type: 'mrkdwn', text } }));
}

/** A form becomes a button that opens it as a modal (a modal needs the trigger of a click). */
export function formOpener(part: Extract<ReplyPart, { kind: 'form' }>): Block {
  return { type: 'actions', block_id: `form_${part.id}`, elements: [{ type: 'button', action_id: ACTION.openForm, text: plain(`Open: ${part.title}`, LIMITS.buttonText), value: cut(JSON.stringify(part), LIMITS.buttonValue), style: 'primary' }] };
}

function partBlocks(part: ReplyPart, n: number): Block[] {
  switch (part.kind) {
    case 'choices': return choiceBlocks(part.choices, `choices_${n}`);
    case 'item': return [...sections(part.text), ...(part.choices.length ? choiceBlocks(part.choices, `item_${n}`) : [])];
    case 'checklist': return checklistBlocks(part.title, part.items);
    case 'facts': return factsBlocks(part.title, part.rows);
    case 'form': return [formOpener(part)];
    case 'document': return snippetBlocks(part.title, part.filename, part.body);
    case 'list': return listBlocks(part.title, part.items, part.folded);
    case 'table': return tableBlocks(part.title, part.columns, part.rows);
    // Files are uploaded beside the message (files.uploadV2), not drawn in it.
    case 'file':
    case 'chart': return [];
    // The answer's data: its generic parts are beside it in the same reply.
    case 'triage': return [];
  }
}

/** One reply as one or more messages, each within Slack's block limit; the first carries the reply's text. */
export function renderMessages(reply: Reply): SlackMessage[] {
  const blocks = [...sections(reply.text), ...reply.parts.flatMap(partBlocks)];
  const fallback = cut(reply.text, LIMITS.fallbackText);
  const out: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += LIMITS.blocksPerMessage) {
    out.push({ text: i === 0 ? fallback : `${cut(reply.text, 60)} (continued)`, blocks: blocks.slice(i, i + LIMITS.blocksPerMessage) });
  }
  return out.length ? out : [{ text: fallback || ' ', blocks: [] }];
}

/**
 * Replies as one conversation's messages go: a note with nothing but text (such as "Starting a new case") joins
 * the reply after it, so a turn's answer is one message. Slack lets an app post about one message per second
 * per channel (chat.postMessage's rate limit, docs.slack.dev/apis/web-api/rate-limits), and one notification
 * reads better than two. A checklist is not joined: it may be redrawn in place of the message clicked.
 */
export function joinNotes(replies: Reply[]): Reply[] {
  const out: Reply[] = [];
  for (const r of replies) {
    const prev = out.at(-1);
    if (prev && !prev.parts.length && !r.parts.some((p) => p.kind === 'checklist')) {
      const privacy = prev.privacy === 'direct-only' ? prev.privacy : r.privacy;
      out[out.length - 1] = { ...r, text: r.text ? `${prev.text}\n\n${r.text}` : prev.text, privacy };
    } else out.push(r);
  }
  return out;
}

/** The modal for a form part; its id travels in private_metadata so the submission finds its flow. */
export function formModal(part: Extract<ReplyPart, { kind: 'form' }>): Block {
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK,
    private_metadata: JSON.stringify({ form: part.id }),
    title: plain(part.title, LIMITS.modalTitle),
    submit: plain(part.submitLabel, LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks: part.fields.slice(0, LIMITS.blocksPerView).map((f: FormField) => ({
      type: 'input', block_id: f.name, optional: !f.required, label: plain(f.label, 2000),
      element: f.type === 'number'
        ? { type: 'number_input', action_id: 'value', is_decimal_allowed: true, ...(f.placeholder ? { placeholder: plain(f.placeholder, 150) } : {}), ...(f.initial ? { initial_value: f.initial } : {}) }
        : { type: 'plain_text_input', action_id: 'value', ...(f.placeholder ? { placeholder: plain(f.placeholder, 150) } : {}), ...(f.initial ? { initial_value: f.initial.slice(0, 3000) } : {}) },
    })),
  };
}

/** The App Home tab: quick starts (the registered flows' menu, and help) and the person's recent cases (case ids, procedures and lanes only). */
export function homeView(cases: CaseSummary[], menu: Choice[], now = Date.now()): Block {
  const ago = (ms: number) => (ms < 3_600_000 ? `${Math.max(1, Math.round(ms / 60_000))} min ago` : ms < 86_400_000 ? `${Math.round(ms / 3_600_000)} h ago` : `${Math.round(ms / 86_400_000)} d ago`);
  const starts = [...menu, { label: 'Help', value: 'go:help' }].slice(0, LIMITS.elementsPerActions);
  const blocks: Block[] = [
    { type: 'header', text: plain('medbill: is this billed to medical?', LIMITS.headerText) },
    ...sections('Ask about a case, get the lane, prior authorization, codes, documents and warnings. Never type patient names, birth dates or member IDs: medbill does not need them.'),
    {
      type: 'actions', block_id: 'home_start',
      elements: starts.map((c, i) => ({ type: 'button', action_id: `${ACTION.button}_${i}`, text: plain(c.label, LIMITS.buttonText), value: c.value, ...(i === 0 ? { style: 'primary' } : {}) })),
    },
    { type: 'divider' },
    ...sections('*Your recent cases*'),
  ];
  if (!cases.length) blocks.push(...sections('_None yet. Answers arrive in your direct messages with medbill._'));
  for (const c of cases) blocks.push(...sections(`*${c.caseId}* · ${c.procedure} · ${LANE_LINE[c.lane as TriageResult['lane']]?.split(':')[0] ?? c.lane} · ${ago(now - c.updatedAt)}`));
  return { type: 'home', blocks: blocks.slice(0, LIMITS.blocksPerView) };
}
