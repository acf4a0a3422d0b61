/**
 * Secrets at rest (a workspace's Slack bot token): sealed with AES-256-GCM under MEDBILL_ENCRYPTION_KEY, a random
 * 12-byte IV per value, so the database alone (a dump, a backup) gives no token. A sealed value is
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` in base64url: the version lets a later format or key rotation read old
 * values; the key id (a hash of the key, not the key) tells "another key" from "altered". An optional context
 * (the row's key) is authenticated with it, so a sealed value moved to another row does not open there.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const MAKE_ONE = 'make one with `openssl rand -hex 32`';

/** The key is missing or malformed; the message names the variable, never its value. */
export class SealingKeyError extends Error {
  override readonly name = 'SealingKeyError';
}

/** A sealed value did not open: another key, another row, or altered. */
export class UnsealError extends Error {
  override readonly name = 'UnsealError';
}

/** MEDBILL_ENCRYPTION_KEY as written (64 hex characters, or base64 of 32 bytes) → the key's bytes. */
export function parseSealingKey(text: string | undefined, variable = 'MEDBILL_ENCRYPTION_KEY'): Buffer {
  const t = text?.trim() ?? '';
  if (!t) throw new SealingKeyError(`${variable} is missing: it encrypts the tokens medbill keeps; ${MAKE_ONE}`);
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new SealingKeyError(`${variable} must be 32 random bytes, as 64 hex characters or in base64 (it is too short or malformed); ${MAKE_ONE}`);
}

/** A separate secret for one purpose (the OAuth state's signature), so the sealing key itself is used only to seal. */
export function deriveSecret(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `medbill ${purpose}`, KEY_BYTES));
}

export interface Sealer {
  seal(plaintext: string, context?: string): string;
  /** Throws UnsealError when the value was sealed with another key, for another context, or altered. */
  unseal(sealed: string, context?: string): string;
}

const b64 = (b: Buffer) => b.toString('base64url');

export function createSealer(key: Buffer): Sealer {
  if (key.length !== KEY_BYTES) throw new SealingKeyError(`the sealing key must be ${KEY_BYTES} bytes; ${MAKE_ONE}`);
  const keyId = b64(createHmac('sha256', key).update('medbill key id').digest().subarray(0, 6));
  const aad = (context: string | undefined) => Buffer.from(`medbill:v1:${context ?? ''}`, 'utf8');
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', keyId, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join(':');
    },
    unseal(sealed, context) {
      const parts = sealed.split(':');
      if (parts.length !== 5 || parts[0] !== 'v1') throw new UnsealError('not a sealed value medbill knows (expected v1:…)');
      const [, id = '', iv = '', tag = '', ciphertext = ''] = parts;
      const idBytes = Buffer.from(id, 'base64url');
      const ownId = Buffer.from(keyId, 'base64url');
      if (idBytes.length !== ownId.length || !timingSafeEqual(idBytes, ownId)) {
        throw new UnsealError('this value was sealed with another MEDBILL_ENCRYPTION_KEY: set the key it was sealed with (or install again)');
      }
      const ivBytes = Buffer.from(iv, 'base64url');
      const tagBytes = Buffer.from(tag, 'base64url');
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== 16) throw new UnsealError('the sealed value is malformed');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, ivBytes);
        decipher.setAAD(aad(context));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new UnsealError('the sealed value was altered, or belongs to another record: it does not authenticate');
      }
    },
  };
}
