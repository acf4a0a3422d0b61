/** The one way a zod validation failure is told to a person: each problem naming its field, bounded in size. */
import type { z } from 'zod';

/**
 * One line per problem, each naming the field, e.g. `coverage.medicalPayer: expected one of …`. Bounded:
 * an input with thousands of bad keys gets the first few named and a count, not a message as big as itself.
 */
export function describeZodError(error: z.ZodError, root = ''): string {
  const MAX_ISSUES = 10;
  const MAX_KEYS = 5;
  const lines = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = [root, ...issue.path.map(String)].filter(Boolean).join('.').slice(0, 200);
    const keys = issue.code === 'unrecognized_keys'
      ? ` (${issue.keys.slice(0, MAX_KEYS).map((k) => k.slice(0, 60)).join(', ')}${issue.keys.length > MAX_KEYS ? ` and ${issue.keys.length - MAX_KEYS} more` : ''})`
      : '';
    return `${path || '(top level)'}: ${issue.message.slice(0, 300)}${keys}`;
  });
  if (error.issues.length > MAX_ISSUES) lines.push(`and ${error.issues.length - MAX_ISSUES} more problems`);
  return lines.join('; ');
}
