/** Replies as plain text for a terminal: choices and checklist items numbered, so a number presses them. */
import type { Reply } from '../../src/engine/model.js';
import { heading } from '../../src/reply-text.js';

export interface Pressable { label: string; value: string }

/** The reply as text, and the buttons it offers in the order they are numbered. */

export function renderReply(r: Reply, firstNumber = 1): { text: string; pressables: Pressable[] } {
  const lines = [r.text];
  const pressables: Pressable[] = [];
  const numbered = (label: string, value: string, mark = '') => {
    pressables.push({ label, value });
    return `  ${firstNumber + pressables.length - 1}) ${mark}${label}`;
  };
  for (const part of r.parts) {
    switch (part.kind) {
      case 'choices':
        lines.push(...part.choices.map((c) => numbered(c.label, c.value)));
        break;
      case 'item':
        lines.push(`* ${part.text}`, ...part.choices.map((c) => numbered(c.label, c.value)));
        break;
      case 'checklist':
        lines.push(heading(part.title));
        for (const item of part.items) {
          lines.push(numbered(item.label, item.toggle, item.checked ? '[x] ' : '[ ] '));
          if (item.detail) lines.push(`       ${item.detail}`);
        }
        break;
      case 'facts':
        if (part.title) lines.push(heading(part.title));
        lines.push(...part.rows.map((row) => `  ${row.label}: ${row.value}`));
        break;
      case 'form':
        lines.push(`${part.title} (a form: ${part.fields.map((f) => f.label).join('; ')})`);
        break;
      case 'document':
        lines.push(`--- ${part.title} (${part.filename}) ---`, part.body, '---');
        break;
      case 'table': {
        lines.push(heading(part.title));
        const widths = part.columns.map((c, i) => Math.min(20, Math.max(c.length, ...part.rows.map((r) => (r[i] ?? '').length))));
        const row = (cells: string[]) => `  ${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`;
        lines.push(row(part.columns), ...part.rows.map(row));
        break;
      }
      case 'file':
        lines.push(`File: ${part.name} (${Math.ceil((part.base64.length * 3) / 4 / 1024)} KB, ${part.mediaType})`);
        break;
      case 'chart':
        lines.push(`Chart: ${part.title}`);
        break;
      case 'list':
        lines.push(heading(part.title), ...part.items.map((i) => `  - ${i.text}${i.link ? ` <${i.link}>` : ''}`));
        break;
      case 'triage':
        break; // the answer's data; its generic parts are beside it
    }
  }
  return { text: lines.join('\n'), pressables };
}
