/**
 * Reading a knowledge file and saying what is wrong with it, the same way for every file (knowledge/*.json,
 * the claims files, the letter templates): the file named as knowledge/…, and each zod problem at the entry
 * it sits in (`carcs[14] (CO-50).action`, `lanes[3] (EXT-LANE-DENTAL)`) rather than a bare path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

export class KnowledgeError extends Error {
  override readonly name = 'KnowledgeError';
}

/** The file's JSON; a KnowledgeError naming it (`name`, e.g. "knowledge/rules.json") when it cannot be read or parsed. */
export function readKnowledgeJson(path: string, name: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KnowledgeError(`${name}: cannot be read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KnowledgeError(`${name}: is not valid JSON (${(err as Error).message})`);
  }
}

/** What names an entry in a list: its id, code or kind by default; a file may say otherwise (a CARC: "CO-50"). */
export type EntryLabel = (entry: Record<string, unknown>) => string | undefined;

export const defaultEntryLabel: EntryLabel = (e) => [e.id, e.code, e.kind].find((v): v is string => typeof v === 'string');

/** One zod problem, at the entry it sits in. */
export function describeIssue(data: unknown, issue: z.core.$ZodIssue, labelOf: EntryLabel = defaultEntryLabel): string {
  let node: unknown = data;
  const parts: string[] = [];
  for (const key of issue.path) {
    node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
    if (typeof key === 'number') {
      const label = node && typeof node === 'object' ? labelOf(node as Record<string, unknown>) : undefined;
      const index = `[${key}]${label ? ` (${label})` : ''}`;
      if (parts.length) parts[parts.length - 1] += index;
      else parts.push(index);
    } else parts.push(String(key));
  }
  const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
  return `${parts.join('.') || '(top level)'}: ${issue.message}${keys}`;
}

/** The first problems of a failed parse, one line each. */
export function issueLines(data: unknown, error: z.ZodError, labelOf?: EntryLabel): string[] {
  return error.issues.slice(0, 10).map((issue) => describeIssue(data, issue, labelOf));
}

/** knowledge/FILE read from `dir` and checked against its schema; a KnowledgeError listing the problems otherwise. */
export function parseKnowledgeFile<S extends z.ZodType>(dir: string, file: string, schema: S, labelOf?: EntryLabel): z.infer<S> {
  const data = readKnowledgeJson(join(dir, file), `knowledge/${file}`);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new KnowledgeError(`knowledge/${file} is not valid:\n${issueLines(data, parsed.error, labelOf).map((l) => `  - ${l}`).join('\n')}`);
  return parsed.data;
}
