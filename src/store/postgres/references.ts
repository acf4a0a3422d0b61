/** Conversation references in PostgreSQL (see src/store/references.ts). */
import type { PgDb } from './db.js';
import type { ReferenceStore } from '../references.js';

export class PgReferenceStore implements ReferenceStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async put(address: string, platform: string, ref: unknown, now: number): Promise<void> {
    await this.db.query(
      `INSERT INTO conversation_refs (practice, address, platform, ref, updated_at) VALUES ($5, $1, $2, $3, $4)
       ON CONFLICT (practice, address) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at`,
      [address, platform, JSON.stringify(ref), now, this.practice],
    );
  }

  async get(address: string): Promise<unknown> {
    const row = (await this.db.query<{ ref: string }>('SELECT ref FROM conversation_refs WHERE practice = $1 AND address = $2', [this.practice, address])).rows[0];
    return row ? (JSON.parse(row.ref) as unknown) : undefined;
  }

  async list(platform: string): Promise<{ address: string; ref: unknown }[]> {
    const { rows } = await this.db.query<{ address: string; ref: string }>('SELECT address, ref FROM conversation_refs WHERE practice = $1 AND platform = $2 ORDER BY address', [this.practice, platform]);
    return rows.map((r) => ({ address: r.address, ref: JSON.parse(r.ref) as unknown }));
  }
}
