/** What a test reads off the engine's replies: the buttons shown, and pressing one by its label. */
import type { Reply } from '../../src/engine/model.js';

export const choices = (rs: Reply[]) => rs.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'choices' ? p.choices : [])));

export const press = (rs: Reply[], label: string) => {
  const c = choices(rs).find((x) => x.label === label);
  if (!c) throw new Error(`no button "${label}" in: ${choices(rs).map((x) => x.label).join(', ')}`);
  return { kind: 'button' as const, value: c.value };
};
