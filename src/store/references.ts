/** The conversation references port: how to reach an address later (see src/engine/outbound.ts). */

export interface ReferenceStore {
  /** Keeps (or replaces) what a platform needs to write to the address kept under `address`. */
  put(address: string, platform: string, ref: unknown, now: number): Promise<void>;
  get(address: string): Promise<unknown>;
  /** Every reference on a platform, in key order. */
  list(platform: string): Promise<{ address: string; ref: unknown }[]>;
}
