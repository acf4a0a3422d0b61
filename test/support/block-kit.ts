/**
 * Block Kit as Slack documents it (docs.slack.dev, "Block Kit" reference: blocks, block elements, composition
 * objects, views), checked independently of the renderer's own constants: which block and element types
 * exist and where each may go, the fields each takes (Slack refuses a message with a field it does not know,
 * "invalid additional property"), the required ones, plain_text where only plain_text is allowed, and the
 * documented limits. A message or view Slack would refuse gives at least one problem, each with its path.
 *
 * Stricter than Slack in one place: in a message an action_id is unique in the whole message (Slack asks it of
 * one block; the renderer promises it for the message, because a digest has a row of buttons per claim). In a
 * view it is unique per block, as Slack asks (a modal's inputs all use "value", told apart by block_id).
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** Collects problems as "path: what is wrong". */
class Check {
  readonly problems: string[] = [];
  readonly actionIds = new Set<string>();
  readonly blockIds = new Set<string>();

  bad(path: string, what: string): void {
    this.problems.push(`${path}: ${what}`);
  }

  /** The object's fields are among `allowed` and every one of `required` is there. */
  fields(path: string, o: Json, allowed: readonly string[], required: readonly string[] = []): void {
    for (const k of Object.keys(o)) if (k !== 'type' && !allowed.includes(k)) this.bad(path, `unknown field "${k}"`);
    for (const k of required) if (o[k] === undefined) this.bad(path, `missing "${k}"`);
  }

  string(path: string, v: unknown, max: number, min = 0): void {
    if (v === undefined) return;
    if (!isString(v)) return this.bad(path, 'not a string');
    if (v.length < min) this.bad(path, min === 1 ? 'empty' : `shorter than ${min}`);
    if (v.length > max) this.bad(path, `${v.length} characters, over ${max}`);
  }

  boolean(path: string, v: unknown): void {
    if (v !== undefined && typeof v !== 'boolean') this.bad(path, 'not a boolean');
  }

  /** An array of `min`..`max` items, or undefined (whether it must be there is the caller's business). */
  array(path: string, v: unknown, min: number, max: number): unknown[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.bad(path, 'not an array');
      return [];
    }
    if (v.length < min) this.bad(path, `${v.length} items, fewer than ${min}`);
    if (v.length > max) this.bad(path, `${v.length} items, over ${max}`);
    return v;
  }

  blockId(path: string, v: unknown): void {
    if (v === undefined) return;
    this.string(`${path}.block_id`, v, 255, 1);
    if (!isString(v)) return;
    if (this.blockIds.has(v)) this.bad(`${path}.block_id`, `"${v}" used twice`);
    this.blockIds.add(v);
  }

  actionId(path: string, v: unknown): void {
    if (v === undefined) return;
    this.string(`${path}.action_id`, v, 255, 1);
    if (!isString(v)) return;
    if (this.actionIds.has(v)) this.bad(`${path}.action_id`, `"${v}" used twice`);
    this.actionIds.add(v);
  }

  /** A text object: plain_text (with emoji) or mrkdwn (with verbatim), 1 to `max` characters. */
  text(path: string, v: unknown, opts: { max?: number; plain?: boolean; required?: boolean } = {}): void {
    if (v === undefined) {
      if (opts.required) this.bad(path, 'missing');
      return;
    }
    if (!isObject(v)) return this.bad(path, 'not a text object');
    if (v.type === 'plain_text') this.fields(path, v, ['text', 'emoji'], ['text']);
    else if (v.type === 'mrkdwn' && !opts.plain) this.fields(path, v, ['text', 'verbatim'], ['text']);
    else return this.bad(path, opts.plain ? `type ${JSON.stringify(v.type)}, must be plain_text` : `type ${JSON.stringify(v.type)}, not plain_text or mrkdwn`);
    this.boolean(`${path}.emoji`, v.emoji);
    this.boolean(`${path}.verbatim`, v.verbatim);
    this.string(`${path}.text`, v.text, opts.max ?? 3000, 1);
  }

  /** An option of a menu, checkbox group, radio group or overflow menu. */
  option(path: string, v: unknown, opts: { plain: boolean; url?: boolean }): void {
    if (!isObject(v)) return this.bad(path, 'not an option object');
    this.fields(path, v, ['text', 'value', 'description', ...(opts.url ? ['url'] : [])], ['text', 'value']);
    this.text(`${path}.text`, v.text, { max: 75, plain: opts.plain });
    this.string(`${path}.value`, v.value, 150, 1);
    this.text(`${path}.description`, v.description, { max: 75, plain: opts.plain });
    this.string(`${path}.url`, v.url, 3000, 1);
  }

  options(path: string, o: Json, max: number, plain: boolean, url = false): void {
    const list = this.array(`${path}.options`, o.options, 1, max);
    list.forEach((x, i) => this.option(`${path}.options[${i}]`, x, { plain, url }));
  }

  confirm(path: string, v: unknown): void {
    if (v === undefined) return;
    if (!isObject(v)) return this.bad(path, 'not a confirmation dialog');
    this.fields(path, v, ['title', 'text', 'confirm', 'deny', 'style'], ['title', 'text', 'confirm', 'deny']);
    this.text(`${path}.title`, v.title, { max: 100, plain: true });
    this.text(`${path}.text`, v.text, { max: 300 });
    this.text(`${path}.confirm`, v.confirm, { max: 30, plain: true });
    this.text(`${path}.deny`, v.deny, { max: 30, plain: true });
    this.style(`${path}.style`, v.style);
  }

  style(path: string, v: unknown): void {
    if (v !== undefined && v !== 'primary' && v !== 'danger') this.bad(path, `${JSON.stringify(v)}, not primary or danger`);
  }

  placeholder(path: string, v: unknown): void {
    this.text(path, v, { max: 150, plain: true });
  }

  pattern(path: string, v: unknown, re: RegExp, what: string): void {
    if (v === undefined) return;
    if (!isString(v) || !re.test(v)) this.bad(path, `${JSON.stringify(v)} is not ${what}`);
  }
}

// ---------------------------------------------------------------- elements

const STATIC_SELECTS = ['static_select', 'multi_static_select'];
const OTHER_SELECTS = ['external_select', 'users_select', 'conversations_select', 'channels_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select'];
const SELECTS = [...STATIC_SELECTS, ...OTHER_SELECTS];
const PICKERS = ['datepicker', 'timepicker', 'datetimepicker'];

/** Where each element may go (Block Kit reference, "Block elements": "works with block types"). */
const IN_ACTIONS = ['button', 'checkboxes', 'overflow', 'radio_buttons', 'workflow_button', 'rich_text_input', ...SELECTS, ...PICKERS];
const IN_SECTION = ['button', 'checkboxes', 'image', 'overflow', 'radio_buttons', 'workflow_button', ...SELECTS, 'datepicker', 'timepicker'];
const IN_INPUT = ['checkboxes', 'radio_buttons', 'plain_text_input', 'number_input', 'email_text_input', 'url_text_input', 'rich_text_input', 'file_input', ...SELECTS, ...PICKERS];

const COMMON = ['action_id', 'focus_on_load'];

function element(c: Check, path: string, e: unknown, where: readonly string[], whereName: string): void {
  if (!isObject(e)) return c.bad(path, 'not an element object');
  const type = e.type;
  if (!isString(type)) return c.bad(path, 'no type');
  if (!where.includes(type)) return c.bad(path, `a ${type} element cannot go in ${whereName}`);
  const p = `${path}(${type})`;
  if (type !== 'image') c.actionId(p, e.action_id);
  c.boolean(`${p}.focus_on_load`, e.focus_on_load);
  switch (type) {
    case 'button':
      c.fields(p, e, ['text', 'action_id', 'url', 'value', 'style', 'confirm', 'accessibility_label'], ['text']);
      c.text(`${p}.text`, e.text, { max: 75, plain: true });
      c.string(`${p}.url`, e.url, 3000, 1);
      c.string(`${p}.value`, e.value, 2000, 1);
      c.style(`${p}.style`, e.style);
      c.confirm(`${p}.confirm`, e.confirm);
      c.string(`${p}.accessibility_label`, e.accessibility_label, 75, 1);
      return;
    case 'workflow_button':
      c.fields(p, e, ['text', 'workflow', 'style', 'accessibility_label', 'action_id'], ['text', 'workflow']);
      c.text(`${p}.text`, e.text, { max: 75, plain: true });
      c.style(`${p}.style`, e.style);
      return;
    case 'static_select':
    case 'multi_static_select': {
      const multi = type.startsWith('multi_');
      c.fields(p, e, [...COMMON, 'options', 'option_groups', 'placeholder', 'confirm', ...(multi ? ['initial_options', 'max_selected_items'] : ['initial_option'])]);
      if ((e.options === undefined) === (e.option_groups === undefined)) c.bad(p, 'needs options or option_groups, one of them');
      if (e.options !== undefined) c.options(p, e, 100, true);
      c.array(`${p}.option_groups`, e.option_groups, 1, 100).forEach((g, i) => {
        const gp = `${p}.option_groups[${i}]`;
        if (!isObject(g)) return c.bad(gp, 'not an option group');
        c.fields(gp, g, ['label', 'options'], ['label', 'options']);
        c.text(`${gp}.label`, g.label, { max: 75, plain: true });
        c.options(gp, g, 100, true);
      });
      c.placeholder(`${p}.placeholder`, e.placeholder);
      c.confirm(`${p}.confirm`, e.confirm);
      if (e.initial_option !== undefined) c.option(`${p}.initial_option`, e.initial_option, { plain: true });
      return;
    }
    case 'overflow':
      c.fields(p, e, ['action_id', 'options', 'confirm'], ['options']);
      c.options(p, e, 5, true, true);
      c.confirm(`${p}.confirm`, e.confirm);
      return;
    case 'checkboxes':
    case 'radio_buttons':
      c.fields(p, e, [...COMMON, 'options', 'confirm', type === 'checkboxes' ? 'initial_options' : 'initial_option'], ['options']);
      c.options(p, e, 10, false);
      c.confirm(`${p}.confirm`, e.confirm);
      return;
    case 'datepicker':
      c.fields(p, e, [...COMMON, 'initial_date', 'confirm', 'placeholder']);
      c.pattern(`${p}.initial_date`, e.initial_date, /^\d{4}-\d{2}-\d{2}$/, 'a YYYY-MM-DD date');
      c.placeholder(`${p}.placeholder`, e.placeholder);
      c.confirm(`${p}.confirm`, e.confirm);
      return;
    case 'timepicker':
      c.fields(p, e, [...COMMON, 'initial_time', 'confirm', 'placeholder', 'timezone']);
      c.pattern(`${p}.initial_time`, e.initial_time, /^([01]\d|2[0-3]):[0-5]\d$/, 'an HH:mm time');
      c.placeholder(`${p}.placeholder`, e.placeholder);
      c.confirm(`${p}.confirm`, e.confirm);
      return;
    case 'datetimepicker':
      c.fields(p, e, [...COMMON, 'initial_date_time', 'confirm']);
      if (e.initial_date_time !== undefined && !(Number.isInteger(e.initial_date_time) && String(e.initial_date_time).length === 10)) c.bad(`${p}.initial_date_time`, 'not a 10-digit UNIX time');
      c.confirm(`${p}.confirm`, e.confirm);
      return;
    case 'plain_text_input': {
      c.fields(p, e, [...COMMON, 'placeholder', 'initial_value', 'multiline', 'min_length', 'max_length', 'dispatch_action_config']);
      c.placeholder(`${p}.placeholder`, e.placeholder);
      c.string(`${p}.initial_value`, e.initial_value, 3000);
      c.boolean(`${p}.multiline`, e.multiline);
      for (const [k, lo] of [['min_length', 0], ['max_length', 1]] as const) {
        const n = e[k];
        if (n !== undefined && !(Number.isInteger(n) && typeof n === 'number' && n >= lo && n <= 3000)) c.bad(`${p}.${k}`, `${JSON.stringify(n)}, not a whole number from ${lo} to 3000`);
      }
      return;
    }
    case 'number_input':
      c.fields(p, e, [...COMMON, 'is_decimal_allowed', 'initial_value', 'min_value', 'max_value', 'dispatch_action_config', 'placeholder'], ['is_decimal_allowed']);
      c.boolean(`${p}.is_decimal_allowed`, e.is_decimal_allowed);
      for (const k of ['initial_value', 'min_value', 'max_value']) {
        const v = e[k];
        if (v !== undefined && !(isString(v) && /^-?\d+(\.\d+)?$/.test(v))) c.bad(`${p}.${k}`, `${JSON.stringify(v)} is not a number written as a string`);
      }
      if (e.is_decimal_allowed === false && isString(e.initial_value) && e.initial_value.includes('.')) c.bad(`${p}.initial_value`, 'a decimal, and decimals are not allowed');
      c.placeholder(`${p}.placeholder`, e.placeholder);
      return;
    case 'email_text_input':
    case 'url_text_input':
    case 'rich_text_input':
      c.fields(p, e, [...COMMON, 'initial_value', 'dispatch_action_config', 'placeholder']);
      c.placeholder(`${p}.placeholder`, e.placeholder);
      return;
    case 'file_input':
      c.fields(p, e, ['action_id', 'filetypes', 'max_files']);
      return;
    case 'image':
      c.fields(p, e, ['image_url', 'slack_file', 'alt_text'], ['alt_text']);
      if ((e.image_url === undefined) === (e.slack_file === undefined)) c.bad(p, 'needs image_url or slack_file, one of them');
      c.string(`${p}.image_url`, e.image_url, 3000, 1);
      c.string(`${p}.alt_text`, e.alt_text, 2000, 1);
      return;
    default:
      // The other selects (users, conversations, channels, external): their common fields.
      c.fields(p, e, [...COMMON, 'placeholder', 'confirm', 'initial_option', 'initial_options', 'initial_user', 'initial_users', 'initial_conversation', 'initial_conversations', 'initial_channel', 'initial_channels', 'min_query_length', 'max_selected_items', 'default_to_current_conversation', 'response_url_enabled', 'filter']);
      c.placeholder(`${p}.placeholder`, e.placeholder);
      c.confirm(`${p}.confirm`, e.confirm);
  }
}

// ---------------------------------------------------------------- blocks

const RICH_TEXT_PARTS = ['rich_text_section', 'rich_text_list', 'rich_text_preformatted', 'rich_text_quote'];

function block(c: Check, path: string, b: unknown, surface: 'message' | 'modal' | 'home'): void {
  if (!isObject(b)) return c.bad(path, 'not a block object');
  const type = b.type;
  if (!isString(type)) return c.bad(path, 'no type');
  const p = `${path}(${type})`;
  c.blockId(p, b.block_id);
  if (surface !== 'message') c.actionIds.clear();
  switch (type) {
    case 'section': {
      c.fields(p, b, ['text', 'fields', 'accessory', 'block_id', 'expand']);
      if (b.text === undefined && b.fields === undefined) c.bad(p, 'needs text or fields');
      c.text(`${p}.text`, b.text, { max: 3000 });
      c.array(`${p}.fields`, b.fields, 1, 10).forEach((f, i) => c.text(`${p}.fields[${i}]`, f, { max: 2000 }));
      if (b.accessory !== undefined) element(c, `${p}.accessory`, b.accessory, IN_SECTION, 'a section accessory');
      c.boolean(`${p}.expand`, b.expand);
      return;
    }
    case 'actions':
      c.fields(p, b, ['elements', 'block_id'], ['elements']);
      c.array(`${p}.elements`, b.elements, 1, 25).forEach((e, i) => element(c, `${p}.elements[${i}]`, e, IN_ACTIONS, 'an actions block'));
      return;
    case 'context':
      c.fields(p, b, ['elements', 'block_id'], ['elements']);
      c.array(`${p}.elements`, b.elements, 1, 10).forEach((e, i) => {
        const ep = `${p}.elements[${i}]`;
        if (isObject(e) && e.type === 'image') element(c, ep, e, ['image'], 'a context block');
        else c.text(ep, e, { max: 3000 });
      });
      return;
    case 'divider':
      c.fields(p, b, ['block_id']);
      return;
    case 'header':
      c.fields(p, b, ['text', 'block_id'], ['text']);
      c.text(`${p}.text`, b.text, { max: 150, plain: true });
      return;
    case 'image':
      c.fields(p, b, ['image_url', 'slack_file', 'alt_text', 'title', 'block_id'], ['alt_text']);
      if ((b.image_url === undefined) === (b.slack_file === undefined)) c.bad(p, 'needs image_url or slack_file, one of them');
      c.string(`${p}.image_url`, b.image_url, 3000, 1);
      c.string(`${p}.alt_text`, b.alt_text, 2000, 1);
      c.text(`${p}.title`, b.title, { max: 2000, plain: true });
      return;
    case 'input':
      c.fields(p, b, ['label', 'element', 'dispatch_action', 'block_id', 'hint', 'optional'], ['label', 'element']);
      c.text(`${p}.label`, b.label, { max: 2000, plain: true });
      c.text(`${p}.hint`, b.hint, { max: 2000, plain: true });
      c.boolean(`${p}.optional`, b.optional);
      c.boolean(`${p}.dispatch_action`, b.dispatch_action);
      if (b.element !== undefined) element(c, `${p}.element`, b.element, IN_INPUT, 'an input block');
      return;
    case 'rich_text':
      c.fields(p, b, ['elements', 'block_id'], ['elements']);
      c.array(`${p}.elements`, b.elements, 1, Infinity).forEach((e, i) => {
        const ep = `${p}.elements[${i}]`;
        if (!isObject(e) || !isString(e.type) || !RICH_TEXT_PARTS.includes(e.type)) return c.bad(ep, `not one of ${RICH_TEXT_PARTS.join(', ')}`);
        if (!Array.isArray(e.elements)) c.bad(ep, 'missing "elements"');
      });
      return;
    case 'markdown':
      if (surface !== 'message') c.bad(p, 'a markdown block goes in messages only');
      c.fields(p, b, ['text', 'block_id'], ['text']);
      c.string(`${p}.text`, b.text, 12_000, 1);
      return;
    case 'file':
      if (surface !== 'message') c.bad(p, 'a file block goes in messages only');
      c.fields(p, b, ['external_id', 'source', 'block_id'], ['external_id', 'source']);
      if (b.source !== undefined && b.source !== 'remote') c.bad(`${p}.source`, 'must be "remote"');
      return;
    case 'video':
      c.fields(p, b, ['alt_text', 'author_name', 'block_id', 'description', 'provider_icon_url', 'provider_name', 'title', 'title_url', 'thumbnail_url', 'video_url'], ['alt_text', 'title', 'thumbnail_url', 'video_url']);
      c.text(`${p}.title`, b.title, { max: 200, plain: true });
      return;
    default:
      c.bad(p, 'not a Block Kit block type');
  }
}

function blocksOf(c: Check, path: string, blocks: unknown, max: number, surface: 'message' | 'modal' | 'home'): void {
  if (!Array.isArray(blocks)) return c.bad(path, 'not an array');
  if (blocks.length > max) c.bad(path, `${blocks.length} blocks, over ${max}`);
  blocks.forEach((b, i) => block(c, `${path}[${i}]`, b, surface));
}

/** A message's blocks (at most 50; 100 for the blocks of a view checked on their own). */
export function blockKitProblems(blocks: Record<string, unknown>[], max = 50): string[] {
  const c = new Check();
  blocksOf(c, 'blocks', blocks, max, max > 50 ? 'home' : 'message');
  return c.problems;
}

/** A message as chat.postMessage takes it: its blocks, and the text shown in notifications. */
export function messageProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  const c = new Check();
  if (message.blocks !== undefined) blocksOf(c, 'blocks', message.blocks, 50, 'message');
  if (message.text === undefined && message.blocks === undefined) c.bad('message', 'needs text or blocks');
  c.string('text', message.text, 40_000);
  return c.problems;
}

/** A modal (views.open) or the App Home (views.publish). */
export function viewProblems(view: Record<string, unknown>): string[] {
  const c = new Check();
  if (view.type === 'modal') {
    c.fields('view', view, ['title', 'blocks', 'close', 'submit', 'private_metadata', 'callback_id', 'clear_on_close', 'notify_on_close', 'external_id', 'submit_disabled'], ['title', 'blocks']);
    c.text('view.title', view.title, { max: 24, plain: true });
    c.text('view.close', view.close, { max: 24, plain: true });
    c.text('view.submit', view.submit, { max: 24, plain: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) c.bad('view', 'input blocks need a submit button');
    blocksOf(c, 'view.blocks', view.blocks, 100, 'modal');
  } else if (view.type === 'home') {
    c.fields('view', view, ['blocks', 'private_metadata', 'callback_id', 'external_id'], ['blocks']);
    blocksOf(c, 'view.blocks', view.blocks, 100, 'home');
  } else {
    c.bad('view', `type ${JSON.stringify(view.type)}, not modal or home`);
  }
  c.string('view.private_metadata', view.private_metadata, 3000);
  c.string('view.callback_id', view.callback_id, 255);
  c.string('view.external_id', view.external_id, 255);
  return c.problems;
}
