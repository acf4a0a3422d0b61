/** Sealing secrets at rest (src/privacy/sealing.ts): AES-256-GCM, versioned, authenticated, bound to its row. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer, deriveSecret, parseSealingKey, SealingKeyError, UnsealError } from '../../../src/privacy/sealing.js';

const key = randomBytes(32);
const TOKEN = 'xoxb-1111-2222-abcdefghijklmnop';

describe('sealing', () => {
  it('round-trips, with a fresh IV each time, and the sealed text does not contain the plaintext', () => {
    const s = createSealer(key);
    const a = s.seal(TOKEN, 'T1');
    const b = s.seal(TOKEN, 'T1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[\w-]+:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(a).not.toContain('abcdefghijklmnop');
    expect(s.unseal(a, 'T1')).toBe(TOKEN);
    expect(createSealer(Buffer.from(key)).unseal(b, 'T1')).toBe(TOKEN);
  });

  it('detects any altered part, and a value moved to another record', () => {
    const s = createSealer(key);
    const sealed = s.seal(TOKEN, 'T1');
    const parts = sealed.split(':');
    for (const i of [2, 3, 4]) {
      const p = parts[i] ?? '';
      const flipped = (p[0] === 'A' ? 'B' : 'A') + p.slice(1);
      const altered = parts.map((x, j) => (j === i ? flipped : x)).join(':');
      expect(() => s.unseal(altered, 'T1')).toThrow(UnsealError);
    }
    expect(() => s.unseal(sealed, 'T2')).toThrow(/altered, or belongs to another record/);
    expect(() => s.unseal('xoxb-plain', 'T1')).toThrow(/not a sealed value/);
  });

  it('refuses another key with a message saying so', () => {
    const sealed = createSealer(key).seal(TOKEN);
    expect(() => createSealer(randomBytes(32)).unseal(sealed)).toThrow(/sealed with another MEDBILL_ENCRYPTION_KEY/);
  });

  it('reads the key as 64 hex characters or base64, and refuses a missing or short one saying how to make one', () => {
    expect(parseSealingKey(key.toString('hex'))).toEqual(key);
    expect(parseSealingKey(key.toString('base64'))).toEqual(key);
    expect(parseSealingKey(key.toString('base64url'))).toEqual(key);
    for (const bad of [undefined, '', '  ', 'abcd', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'z'.repeat(64)]) {
      expect(() => parseSealingKey(bad)).toThrow(SealingKeyError);
      expect(() => parseSealingKey(bad)).toThrow(/MEDBILL_ENCRYPTION_KEY.*openssl rand -hex 32/);
    }
  });

  it('derives purpose-bound secrets that are not the key', () => {
    const state = deriveSecret(key, 'slack oauth state');
    expect(state).toHaveLength(32);
    expect(state.equals(key)).toBe(false);
    expect(deriveSecret(key, 'slack oauth state')).toEqual(state);
    expect(deriveSecret(key, 'other')).not.toEqual(state);
  });
});
