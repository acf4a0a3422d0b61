import { describe, expect, it } from 'vitest';
import { Recent } from '../../../src/knowledge/recent.js';

describe('Recent', () => {
  it('keeps the last `max` results, dropping the oldest first', () => {
    const recent = new Recent<string, number>(2);
    expect(recent.set('a', 1)).toBe(1);
    recent.set('b', 2);
    recent.set('c', 3);
    expect([recent.get('a'), recent.get('b'), recent.get('c')]).toEqual([undefined, 2, 3]);
  });
});
