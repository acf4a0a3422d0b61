/**
 * Amounts of money as billing staff type them ("$1,234.50", "412") read into cents, the one form claims and
 * reports keep money in, and cents shown back in dollars. A basic, so claims and reports share it without
 * importing each other.
 */

/** An amount of money in cents: "$412", "412.50", "$1,234", "1234.5". Undefined when there is none. */
export function parseAmount(text: string): number | undefined {
  const m = /\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\b|\b(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})\b/.exec(text);
  if (!m) return undefined;
  const whole = (m[1] ?? m[3] ?? '').replace(/,/g, '');
  const fraction = (m[2] ?? m[4] ?? '').padEnd(2, '0');
  const cents = Number(whole) * 100 + Number(fraction || '0');
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** An amount typed into a form field: "$412", "412", "412.50". */
export function parseAmountField(text: string): number | undefined {
  const t = text.trim().replace(/^\$\s?/, '').replace(/,/g, '');
  if (!/^\d{1,9}(?:\.\d{1,2})?$/.test(t)) return undefined;
  const [whole, fraction = ''] = t.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Cents in dollars, cents shown only when there are some: "$412", "$412.50". */
export function formatCents(cents: number): string {
  return (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: cents % 100 ? 2 : 0 });
}
