/**
 * Replies in Teams' idiom: one Adaptive Card (schema 1.5, the newest Teams renders everywhere) per reply.
 * Text is a TextBlock, facts a FactSet, lists TextBlocks, choices `Action.Submit` buttons whose data is
 * `{ medbill: value }`: Teams sends the press back as a message whose `value.medbill` is that value.
 * A form is inputs with a submit whose data is `{ medbillForm: id }`; the inputs' values come with it.
 */
import type { Choice, Reply, ReplyPart } from '../../src/engine/model.js';

export type CardElement = Record<string, unknown>;
export interface AdaptiveCard { type: 'AdaptiveCard'; $schema: string; version: '1.5'; body: CardElement[]; actions?: CardElement[] }
export interface CardAttachment { contentType: 'application/vnd.microsoft.card.adaptive'; content: AdaptiveCard }

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** The key of a button's data: a message whose `value` has it is a press. */
export const BUTTON_KEY = 'medbill';
export const FORM_KEY = 'medbillForm';

/** Teams shows at most this many actions in a row; more choices become a menu. */
const MAX_ACTIONS = 6;
const MAX_TEXT = 8000;

const text = (t: string, extra: CardElement = {}): CardElement => ({ type: 'TextBlock', text: t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)} …` : t, wrap: true, ...extra });
const heading = (t: string): CardElement => text(t, { weight: 'Bolder' });
const submit = (c: Choice): CardElement => ({ type: 'Action.Submit', title: c.label, data: { [BUTTON_KEY]: c.value } });

/** Choices as buttons, or, when there are many, a menu with one submit. */
function choiceElements(choices: Choice[]): { body: CardElement[]; actions: CardElement[] } {
  if (choices.length <= MAX_ACTIONS) return { body: [], actions: choices.map(submit) };
  return {
    body: [{ type: 'Input.ChoiceSet', id: BUTTON_KEY, style: 'compact', placeholder: 'Choose…', choices: choices.map((c) => ({ title: c.label, value: c.value })) }],
    actions: [{ type: 'Action.Submit', title: 'Go' }],
  };
}

function partElements(part: ReplyPart): { body: CardElement[]; actions: CardElement[] } {
  switch (part.kind) {
    case 'list':
      return { body: [heading(part.title), ...part.items.map((i) => text(`• ${i.link ? `[${i.text}](${i.link})` : i.text}`, { spacing: 'None' }))], actions: [] };
    case 'choices':
      return choiceElements(part.choices);
    case 'item': {
      const { body, actions } = choiceElements(part.choices);
      return { body: [text(part.text), ...body, ...(actions.length ? [{ type: 'ActionSet', actions }] : [])], actions: [] };
    }
    case 'table':
      return { body: [heading(part.title), text(part.columns.join(' · '), { isSubtle: true, spacing: 'None' }), ...part.rows.map((r) => text(r.join(' · '), { spacing: 'None' }))], actions: [] };
    case 'checklist':
      return {
        body: [heading(part.title), ...part.items.map((i) => ({
          type: 'ColumnSet',
          columns: [
            { type: 'Column', width: 'stretch', items: [text(`${i.checked ? '☑' : '☐'} ${i.label}${i.detail ? ` — ${i.detail}` : ''}`)] },
            { type: 'Column', width: 'auto', items: [{ type: 'ActionSet', actions: [{ type: 'Action.Submit', title: i.checked ? 'Undo' : 'Done', data: { [BUTTON_KEY]: i.toggle } }] }] },
          ],
        }))],
        actions: [],
      };
    case 'facts':
      return { body: [...(part.title ? [heading(part.title)] : []), { type: 'FactSet', facts: part.rows.map((r) => ({ title: r.label, value: r.value })) }], actions: [] };
    case 'form':
      return {
        body: [heading(part.title), ...part.fields.map((f) => ({
          type: f.type === 'number' ? 'Input.Number' : 'Input.Text', id: f.name, label: f.label, isRequired: f.required,
          ...(f.placeholder ? { placeholder: f.placeholder } : {}), ...(f.initial !== undefined ? { value: f.type === 'number' ? Number(f.initial) : f.initial } : {}),
        }))],
        actions: [{ type: 'Action.Submit', title: part.submitLabel, data: { [FORM_KEY]: part.id } }],
      };
    case 'document':
      return { body: [heading(part.title), text(part.body)], actions: [] };
    case 'chart':
      // A PNG inline would pass Teams' ~28 KB message limit: charts wait for an upload path (not yet).
      return { body: [heading(part.title), text('The chart is not shown in Teams yet; open medbill\'s local page to see it.', { isSubtle: true, spacing: 'None' })], actions: [] };
    case 'file':
      return { body: [text(`${part.name}: files are not sent in Teams yet; open medbill's local page to download it.`, { isSubtle: true })], actions: [] };
    case 'triage':
      return { body: [], actions: [] };
  }
}

export function renderCard(reply: Reply): AdaptiveCard {
  const body: CardElement[] = reply.text ? [text(reply.text)] : [];
  const actions: CardElement[] = [];
  for (const part of reply.parts) {
    const el = partElements(part);
    body.push(...el.body);
    actions.push(...el.actions);
  }
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, ...(actions.length ? { actions } : {}) };
}

/** The message activity that carries a reply (text as the notification's fallback). */
export function renderActivity(reply: Reply): { type: 'message'; text: string; attachments: CardAttachment[] } {
  return { type: 'message', text: reply.text.slice(0, 1000), attachments: [{ contentType: CARD_CONTENT_TYPE, content: renderCard(reply) }] };
}
