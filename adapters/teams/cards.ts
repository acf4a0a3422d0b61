/**
 * Replies in Teams' idiom: one Adaptive Card (schema 1.5, the newest Teams renders everywhere) per reply.
 * Text is a TextBlock, facts a FactSet, lists TextBlocks, choices `Action.Execute` buttons (Universal
 * Actions): Teams sends a press as an `adaptiveCard/action` invoke whose `value.action.data.medbill` is the
 * choice, and shows the card medbill answers with in place of the pressed one (app.ts). A form is inputs
 * with an Execute whose data is `{ medbillForm: id }`; the inputs' values come merged into that data.
 * Cards sent before Universal Actions used `Action.Submit` with the same data: app.ts still reads those.
 */
import type { Choice, Reply, ReplyPart } from '../../src/engine/model.js';

export type CardElement = Record<string, unknown>;
export interface AdaptiveCard { type: 'AdaptiveCard'; $schema: string; version: '1.5'; body: CardElement[]; actions?: CardElement[] }
export interface CardAttachment { contentType: 'application/vnd.microsoft.card.adaptive'; content: AdaptiveCard }

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** The key of a button's data: an action (or an older Submit message) whose data has it is a press. */
export const BUTTON_KEY = 'medbill';
export const FORM_KEY = 'medbillForm';
/** What the pressed card showed and the button's label, so the card can be redrawn as answered (pressedCard). */
export const ASKED_KEY = 'medbillAsked';
export const LABEL_KEY = 'medbillLabel';
/** The verb of every medbill action: what the press means is in its data. */
export const VERB = 'medbill';

/** Teams shows at most this many actions in a row; more choices become a menu. */
const MAX_ACTIONS = 6;
const MAX_TEXT = 8000;

const text = (t: string, extra: CardElement = {}): CardElement => ({ type: 'TextBlock', text: t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)} …` : t, wrap: true, ...extra });
const heading = (t: string): CardElement => text(t, { weight: 'Bolder' });
/** What a card asked, carried by its buttons (a short excerpt: it only labels the answered card). */
const excerpt = (text: string) => text.slice(0, 300);
const execute = (title: string, data: Record<string, string>): CardElement => ({ type: 'Action.Execute', title, verb: VERB, data });
const button = (c: Choice, asked: string) => execute(c.label, { [BUTTON_KEY]: c.value, [LABEL_KEY]: c.label, [ASKED_KEY]: asked });

/** Choices as buttons, or, when there are many, a menu (its value comes as data.medbill) with one button. */
function choiceElements(choices: Choice[], asked: string): { body: CardElement[]; actions: CardElement[] } {
  if (choices.length <= MAX_ACTIONS) return { body: [], actions: choices.map((c) => button(c, asked)) };
  return {
    body: [{
      type: 'Input.ChoiceSet', id: BUTTON_KEY, label: 'Choose one', placeholder: 'Choose…', isRequired: true, errorMessage: 'Choose one of these first.',
      choices: choices.map((c) => ({ title: c.label, value: c.value })),
    }],
    actions: [execute('Go', { [ASKED_KEY]: asked })],
  };
}

/** Where Teams can fetch a chart's picture (a short-lived link to medbill's server), when medbill has a public URL. */
export type PictureUrl = (chart: Extract<ReplyPart, { kind: 'chart' }>) => string | undefined;

function partElements(part: ReplyPart, asked: string, pictureUrl: PictureUrl): { body: CardElement[]; actions: CardElement[] } {
  switch (part.kind) {
    case 'list':
      return { body: [heading(part.title), ...part.items.map((i) => text(`• ${i.link ? `[${i.text}](${i.link})` : i.text}`, { spacing: 'None' }))], actions: [] };
    case 'choices':
      return choiceElements(part.choices, asked);
    case 'item': {
      const { body, actions } = choiceElements(part.choices, excerpt(part.text));
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
            { type: 'Column', width: 'auto', items: [{ type: 'ActionSet', actions: [execute(i.checked ? 'Undo' : 'Done', { [BUTTON_KEY]: i.toggle })] }] },
          ],
        }))],
        actions: [],
      };
    case 'facts':
      return { body: [...(part.title ? [heading(part.title)] : []), { type: 'FactSet', facts: part.rows.map((r) => ({ title: r.label, value: r.value })) }], actions: [] };
    case 'form':
      return {
        body: [heading(part.title), ...part.fields.map((f) => ({
          type: f.type === 'number' ? 'Input.Number' : 'Input.Text', id: f.name, label: f.label,
          ...(f.required ? { isRequired: true, errorMessage: `${f.label}: this is needed.` } : {}),
          ...(f.placeholder ? { placeholder: f.placeholder } : {}), ...(f.initial !== undefined ? { value: f.type === 'number' ? Number(f.initial) : f.initial } : {}),
        }))],
        actions: [execute(part.submitLabel, { [FORM_KEY]: part.id, [ASKED_KEY]: part.title })],
      };
    case 'document':
      return { body: [heading(part.title), text(part.body)], actions: [] };
    case 'chart': {
      // A PNG inline would pass Teams' message size limit (about 28 KB): Teams fetches it from a link instead.
      const url = pictureUrl(part);
      return url
        ? { body: [heading(part.title), { type: 'Image', url, altText: part.title }], actions: [] }
        : { body: [heading(part.title), text('Charts show in Teams when MEDBILL_PUBLIC_URL is set; the tables above have the same figures.', { isSubtle: true, spacing: 'None' })], actions: [] };
    }
    case 'file':
      // The file itself follows as a file consent card (files.ts): Teams saves it to the person's OneDrive.
      return { body: [text(`${part.name}: Teams will ask you where to save it, just below.`, { isSubtle: true })], actions: [] };
    case 'triage':
      return { body: [], actions: [] };
  }
}

const card = (body: CardElement[], actions: CardElement[] = []): AdaptiveCard =>
  ({ type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, ...(actions.length ? { actions } : {}) });

export function renderCard(reply: Reply, pictureUrl: PictureUrl = () => undefined): AdaptiveCard {
  const body: CardElement[] = reply.text ? [text(reply.text)] : [];
  const actions: CardElement[] = [];
  const parts = reply.parts.map((part) => partElements(part, excerpt(reply.text), pictureUrl));
  // More buttons in all than Teams shows in a card's row (a medical answer's own and its Letter, Claim, Claim form):
  // each part's buttons stay under it, as a row of their own.
  const crowded = parts.reduce((n, el) => n + el.actions.length, 0) > MAX_ACTIONS;
  for (const el of parts) {
    body.push(...el.body);
    if (crowded && el.actions.length) body.push({ type: 'ActionSet', actions: el.actions });
    else actions.push(...el.actions);
  }
  return card(body, actions);
}

/**
 * A pressed card, redrawn as answered: what it asked and the choice, without its buttons (a question
 * answered once cannot be answered again by mistake). The answer itself follows as new messages.
 */
export function pressedCard(data: Record<string, unknown>): AdaptiveCard {
  const asked = typeof data[ASKED_KEY] === 'string' ? data[ASKED_KEY] : '';
  const label = typeof data[LABEL_KEY] === 'string' ? data[LABEL_KEY] : '';
  return card([
    ...(asked ? [text(asked, { isSubtle: true })] : []),
    text(label ? `✔ ${label}` : '✔ Sent', { weight: 'Bolder', spacing: asked ? 'Small' : 'None' }),
  ]);
}

/**
 * Teams refuses a message that is too big (RequestEntityTooLarge; the documented limit has moved between 28
 * and 100 KB, and smaller ones have been refused): a card stays under this, and a longer reply (a digest of
 * many claims, a report's tables) becomes several cards in a row.
 */
export const MAX_CARD_BYTES = 24 * 1024;

const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));

/** A reply as one card, or as several under MAX_CARD_BYTES each, in order; the card's own buttons on the last. */
export function renderCards(reply: Reply, pictureUrl?: PictureUrl): AdaptiveCard[] {
  const whole = renderCard(reply, pictureUrl);
  if (bytes(whole) <= MAX_CARD_BYTES) return [whole];
  const actions = whole.actions ?? [];
  // Room for the body in each card: the limit less the card's frame (and, on the last, its buttons). Each
  // element's size is taken once (the sum of the parts, plus a comma each, is the body's size).
  const frame = bytes(card([]));
  const cards: CardElement[][] = [[]];
  let used = 0;
  for (const el of whole.body) {
    const size = bytes(el) + 1;
    const current = cards.at(-1) ?? [];
    if (current.length && frame + used + size > MAX_CARD_BYTES) {
      cards.push([el]);
      used = size;
    } else {
      current.push(el);
      used += size;
    }
  }
  if (actions.length && frame + used + bytes(actions) + 12 > MAX_CARD_BYTES) cards.push([]);
  return cards.map((body, i) => card(body, i === cards.length - 1 ? actions : []));
}

/** The message activities that carry a reply (its text as the notification's fallback). */
export function renderActivities(reply: Reply, pictureUrl?: PictureUrl): { type: 'message'; text: string; attachments: CardAttachment[] }[] {
  return renderCards(reply, pictureUrl).map((content, i) => ({
    type: 'message', text: i === 0 ? reply.text.slice(0, 1000) : `${reply.text.slice(0, 60)} (continued)`,
    attachments: [{ contentType: CARD_CONTENT_TYPE, content }],
  }));
}
