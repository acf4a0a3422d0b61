/**
 * Adaptive Cards checked by Microsoft's own object model (the `adaptivecards` package, whose parser is the
 * card schema in code): a card must parse without warnings (no unknown element or action type, no value
 * outside an enum), validate (inputs with unique ids), and come back from `toJSON()` unchanged, so that
 * no property medbill writes is one the schema does not know (a misspelt property is dropped there, and in
 * Teams it would be silently ignored).
 */
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

interface SerializationContext { eventCount: number; getEventAt(i: number): { message: string } }
interface CardModel { hostConfig: unknown; parse(json: unknown, ctx: SerializationContext): void; validateProperties(): { validationEvents: { message: string }[] }; toJSON(): unknown }
interface AdaptiveCardsModule { AdaptiveCard: new () => CardModel; SerializationContext: new () => SerializationContext; HostConfig: new (json: unknown) => unknown }

// The package's ESM build does not load in Node (extensionless imports); its UMD bundle does.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** Teams' limits where they differ from the package's defaults: 6 actions in a row (the host config for Teams that adaptivecards-designer ships). */
const TEAMS_HOST = { actions: { maxActions: 6 } };

export function cardProblems(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig(TEAMS_HOST);
  const ctx = new AC.SerializationContext();
  card.parse(json, ctx);
  const problems = Array.from({ length: ctx.eventCount }, (_, i) => ctx.getEventAt(i).message);
  problems.push(...card.validateProperties().validationEvents.map((e) => e.message));
  const back = card.toJSON();
  if (!isDeepStrictEqual(back, json)) problems.push(`the card does not survive the schema's round trip: ${firstDifference(json, back)}`);
  return problems;
}

function firstDifference(a: unknown, b: unknown, path = '$'): string {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${k}`);
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 120)} became ${JSON.stringify(b)?.slice(0, 120)}`;
}
