/** Practices (issue 25): one deployment serves several, each with its own rows; these name them. */

/** A practice id: letters, digits and : _ . - (Slack's "slack:T0123", a Teams tenant GUID), at most 100. */
export const PRACTICE_ID = /^[A-Za-z0-9:_.-]{1,100}$/;

/** The practice every single-practice medbill has always been: rows from before practices are its. */
export const DEFAULT_PRACTICE = 'default';

/** The id, checked; throws a RangeError naming what is allowed. */
export function checkPracticeId(id: string): string {
  if (!PRACTICE_ID.test(id)) throw new RangeError(`"${id.slice(0, 120)}" is not a practice id: 1 to 100 letters, digits, or : _ . -`);
  return id;
}
