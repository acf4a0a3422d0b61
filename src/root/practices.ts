/**
 * Which practice a place belongs to (MEDBILL_PRACTICES): in `single` mode every place is practice 'default',
 * as medbill has always been; in `per-workspace` mode a place with a tenant (a Slack team or Enterprise Grid
 * org, a Teams tenant) is practice `platform:tenant`, and a place without one (the local page, the terminal)
 * is 'default'.
 */
import type { Place } from '../engine/flow.js';
import { checkPracticeId, DEFAULT_PRACTICE } from '../store/settings.js';
import type { Config } from '../config.js';

export type PracticeOf = (place: Pick<Place, 'platform' | 'tenant'>) => string;

export function practiceOf(mode: Config['practices']): PracticeOf {
  if (mode === 'single') return () => DEFAULT_PRACTICE;
  return (place) => (place.tenant ? checkPracticeId(`${place.platform}:${place.tenant}`) : DEFAULT_PRACTICE);
}
