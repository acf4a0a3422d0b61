/**
 * medbill never needs who the patient is, only what happened. Messages are scrubbed of anything that looks
 * like an identifier before they are read, stored or logged, and the person is told, without the
 * identifier being repeated. Errs on the side of removing: a false alarm costs a sentence, a leak costs
 * a breach report.
 */
export type IdentifierKind = 'name' | 'date' | 'ssn' | 'phone' | 'email' | 'member-id' | 'record-number';

const NOT_NAMES = new Set(
  ('medicare medicaid tricare aetna cigna humana anthem kaiser delta metlife guardian blue cross shield united uhc bcbs ' +
    'medical dental has had have is was with needs need the a an and or for who presents came reports complains ' +
    'will has had advantage commercial plan insurance').split(' '),
);

const PATTERNS: { kind: IdentifierKind; re: RegExp }[] = [
  { kind: 'email', re: /\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g },
  { kind: 'ssn', re: /\b\d{3}-\d{2}-\d{4}\b|\b(?:ssn|social security(?: number)?)\s*[:#]?\s*\d[\d -]{7,10}\d\b/gi },
  { kind: 'phone', re: /(?:\+?1[ .-]?)?\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b/g },
  // Dates with a year (birth dates, service dates): any of them ties a case to a person.
  { kind: 'date', re: /\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\b\s*[:-]?\s*[\w/.,-]*(?:\s+\d{1,2},?\s+\d{2,4})?/gi },
  { kind: 'date', re: /\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b/g },
  { kind: 'date', re: /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b/gi },
  // Medicare Beneficiary Identifier: 11 characters in a fixed letter/digit pattern.
  { kind: 'member-id', re: /\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y]{2}\d{2}\b/g },
  { kind: 'member-id', re: /\b(?:member|subscriber|policy|insurance|group|medicare|medicaid|mbi|id)\s*(?:id|#|number|no\.?|num)?\s*[:#]?\s*(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{5,}\b/gi },
  { kind: 'record-number', re: /\b(?:mrn|chart|account|acct)\s*(?:#|number|no\.?)?\s*[:#]?\s*[A-Z0-9-]*\d[A-Z0-9-]*\b/gi },
];

/** "pt Jane Smith", "patient John Doe", "Mrs. Garcia", "name is Ann", "named Ann Lee". */
const NAME = /\b(?:(?:[Pp]atient|[Pp]t)\s+(?:is\s+)?([A-Z][a-z'-]+(?:\s+[A-Z]\.?)?\s+[A-Z][a-z'-]+)|(?:[Mm]rs?|[Mm]s|[Mm]iss)\.?\s+([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)|(?:[Nn]ame is|named|[Nn]ame:)\s*([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?))/g;

export interface Scrubbed {
  /** The message with each identifier replaced by a neutral marker. */
  text: string;
  /** What kinds were found; never the identifiers themselves. */
  found: IdentifierKind[];
}

export function scrubIdentifiers(message: string): Scrubbed {
  const found = new Set<IdentifierKind>();
  let text = message.replace(NAME, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    if (name.split(/\s+/).some((w) => NOT_NAMES.has(w.toLowerCase()))) return whole;
    found.add('name');
    return whole.replace(name, '[name removed]');
  });
  for (const { kind, re } of PATTERNS) {
    text = text.replace(re, () => {
      found.add(kind);
      return `[${kind} removed]`;
    });
  }
  return { text, found: [...found] };
}

const SAID: Record<IdentifierKind, string> = {
  name: 'a name', date: 'a date', ssn: 'a Social Security number', phone: 'a phone number', email: 'an email address',
  'member-id': 'a member or policy ID', 'record-number': 'a chart or account number',
};

export function identifierNotice(found: IdentifierKind[], caseId?: string): string {
  const what = found.map((k) => SAID[k]);
  const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1)}` : what[0];
  return `Your message looked like it had ${list} in it. medbill does not need patient identifiers, so I left ${found.length > 1 ? 'them' : 'it'} out and did not store ${found.length > 1 ? 'them' : 'it'}.${caseId ? ` This case is ${caseId}; use that to refer to it.` : ' Describe the case without them: the procedure, why it is needed, and the insurance.'}`;
}
