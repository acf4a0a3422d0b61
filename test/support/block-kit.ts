/** Block Kit's documented limits, checked independently of the renderer's own constants. */
export function blockKitProblems(blocks: Record<string, any>[], max = 50): string[] {
  const bad: string[] = [];
  if (blocks.length > max) bad.push(`${blocks.length} blocks`);
  const ids = new Set<string>();
  for (const b of blocks) {
    if (b.type === 'section') {
      if (b.text && b.text.text.length > 3000) bad.push('section text over 3000');
      if (b.fields && (b.fields.length > 10 || b.fields.some((f: any) => f.text.length > 2000))) bad.push('fields over limits');
      if (!b.text && !b.fields) bad.push('empty section');
      if (b.accessory?.type === 'button') ids.add(b.accessory.action_id);
    }
    if (b.type === 'actions') {
      if (b.elements.length > 25 || b.elements.length === 0) bad.push('actions elements');
      for (const e of b.elements) {
        if (ids.has(e.action_id)) bad.push(`duplicate action_id ${e.action_id}`);
        ids.add(e.action_id);
        if (e.type === 'button' && (e.text.text.length > 75 || (e.value ?? '').length > 2000)) bad.push('button over limits');
        if (e.type === 'static_select' && (e.options.length > 100 || e.options.some((o: any) => o.text.text.length > 75 || o.value.length > 150))) bad.push('select over limits');
      }
    }
    if (b.type === 'context' && b.elements.length > 10) bad.push('context elements');
    if (b.type === 'header' && b.text.text.length > 150) bad.push('header over 150');
  }
  return bad;
}
