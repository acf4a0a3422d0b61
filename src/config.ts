/** Settings from the environment, validated once. Nothing here is a secret. */
import { resolve } from 'node:path';
import { z } from 'zod';

const EnvSchema = z.object({
  MEDBILL_DB: z.string().min(1).default('./data/medbill.db'),
});

export interface Config { dbPath: string }

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`bad environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { dbPath: parsed.data.MEDBILL_DB === ':memory:' ? ':memory:' : resolve(parsed.data.MEDBILL_DB) };
}
