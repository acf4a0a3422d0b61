/**
 * Two corpora for privacy tests, generated deterministically from fake names and numbers combined with the
 * sentences dental billing staff type:
 *
 * - IDENTIFIER_MESSAGES: messages that carry patient identifiers, each with the exact identifier strings
 *   that must never reach SQLite, logs, replies, or anything sent to Slack or Teams.
 * - CLINICAL_MESSAGES: messages with no identifier that must come out of the scrubber byte-identical (tooth
 *   numbers, codes, AHI values, ages, payers, drugs, capitalised clinical words, fees, durations).
 *
 * Every identifier here is invented. Names and numbers are chosen so that none can occur by chance in a
 * database file or a reply ("Emily Chen", not "Lee"; "518-62-7394", not "111-11-1111"), so a test can search
 * raw bytes for them. One exception: case ids are five random letters and digits, so "C-CHENX" can occur
 * by chance; a search masks them first with `withoutCaseIds`.
 */
import type { IdentifierKind } from '../../src/privacy/scrubber.js';

/** The text with every medbill case id (C- and five characters, see newCaseId) replaced by C-#####. */
export function withoutCaseIds(text: string): string {
  return text.replace(/C-[A-HJ-NP-Z2-9]{5}/gi, 'C-#####');
}

/**
 * One pattern that finds any of `identifiers` (case-insensitive, global) as a token of its own: a record
 * number's digits inside a longer run of letters or digits (a clock reading the database keeps, a duration
 * in the log such as 0.938561, a Slack ts) are not that number.
 */
export function identifierPattern(identifiers: readonly string[]): RegExp {
  const escaped = [...new Set(identifiers.map((i) => i.toLowerCase()))].sort((a, b) => b.length - a.length).map((i) => i.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![0-9a-z])(?:${escaped.join('|')})(?![0-9a-z])`, 'gi');
}

export interface Identifier {
  /** Exactly as it appears in the message; a check should compare case-insensitively. */
  text: string;
  kind: IdentifierKind;
}

export interface IdentifierMessage {
  text: string;
  identifiers: Identifier[];
}

// ------------------------------------------------------------------ the fake people

/** Common real first and last names (what staff will actually type) and invented ones (nothing to memorise). */
const FIRST = ['Emily', 'John', 'Maria', 'Priya', 'Dmitri', 'Keisha', 'Oluwaseun', 'Siobhan', 'Ximena', 'Zorvana', 'Bartholomew', 'Thelonius', 'Yusuf', 'Margarethe'];
const LAST = ['Chen', 'Smith', 'Garcia', 'Okonkwo', 'Nguyen', 'Kowalczyk', 'Quixlebeck', 'Vantrell', 'Haddad', 'Lindqvist', 'Fitzgerald', 'Abernathy', 'Oyelaran', 'Brzezinski'];
const STREETS = ['Elm', 'Juniper', 'Sycamore', 'Wexford', 'Halloran', 'Quarry Ridge', 'Tamarack', 'Bellweather'];
const MONTHS = ['January', 'March', 'April', 'June', 'August', 'October', 'November', 'December'];
const PAYERS = ['BCBS', 'Aetna', 'Cigna', 'UHC', 'Humana', 'Anthem', 'Delta Dental', 'MetLife', 'Guardian', 'Kaiser', 'Blue Cross Blue Shield', 'UnitedHealthcare'];
const MAIL_HOSTS = ['example', 'mailhost', 'examplemail', 'inbox-test'];

/** The clinical part of a message; `{id}` is where the identifier goes. */
const SENTENCES = [
  '{id} needs #32 ext, Aetna medical + Delta dental',
  '{id} broke #8 in a bike accident, has BCBS medical and Delta dental, bill medical?',
  '{id}, D7240 #17 and #32, K01.1, 19 yo',
  'moderate OSA, AHI 24, CPAP intolerant, Medicare, {id}',
  '{id} has an abscess on #30 with facial swelling, Cigna medical only',
  'biopsy of a tongue lesion for {id}, UHC medical',
  '{id}: E0486 for sleep apnea, G47.33, Medicare Advantage',
  'should I bill medical for the wisdom teeth? {id}',
  '{id} fell at school, #9 avulsed, Humana medical + MetLife dental',
  'on Zometa for 4 years, needs ext #19, {id}, Medicare',
  '{id} 54 yo, suspicious lesion left lateral tongue, Anthem',
  'docs for a sleep apnea appliance, Medicare, {id}',
  '{id} car accident, fractured mandible, Geico auto and BCBS',
  'lookup impacted tooth {id}',
  '{id} needs D7210 #1 and #16, Guardian dental, Kaiser medical',
  'TMJ splint D7880 for {id}, Cigna medical, fee 900, cash fee 650',
];

/** Picks from a list by position, so the corpus is the same on every run and spreads over every list. */
const pick = <T>(list: readonly T[], i: number): T => {
  const item = list[((i % list.length) + list.length) % list.length];
  if (item === undefined) throw new Error('empty list');
  return item;
};
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const upper = (s: string) => s.toUpperCase();
const lower = (s: string) => s.toLowerCase();

function sentence(i: number, id: string): string {
  return pick(SENTENCES, i).replace('{id}', id);
}

/** Ways a name is written, each with the strings that identify the person in that spelling. */
const NAME_FORMS: ((first: string, last: string) => { phrase: string; names: string[] })[] = [
  (f, l) => ({ phrase: `pt ${f} ${l}`, names: [`${f} ${l}`] }),
  (f, l) => ({ phrase: `patient ${lower(f)} ${lower(l)}`, names: [`${f} ${l}`] }),
  (f, l) => ({ phrase: `${upper(f)} ${upper(l)}`, names: [`${f} ${l}`] }),
  (f, l) => ({ phrase: `pt: ${l}, ${f}`, names: [`${l}, ${f}`] }),
  (f, l) => ({ phrase: `${upper(l)}, ${upper(f)}`, names: [`${l}, ${f}`] }),
  (f, l) => ({ phrase: `${f} ${l}'s`, names: [`${f} ${l}`] }),
  (_f, l) => ({ phrase: `Dr. ${l} says`, names: [l] }),
  (_f, l) => ({ phrase: `per Dr ${l}`, names: [l] }),
  (_f, l) => ({ phrase: `Mrs. ${l}`, names: [l] }),
  (f, l) => ({ phrase: `her name is ${f} ${l}`, names: [`${f} ${l}`] }),
  (f, l) => ({ phrase: `Patient: ${f} ${l}`, names: [`${f} ${l}`] }),
  (f, l) => ({ phrase: `PT ${upper(f)} ${upper(l)}`, names: [`${f} ${l}`] }),
];

function nameMessages(): IdentifierMessage[] {
  const out: IdentifierMessage[] = [];
  let i = 0;
  for (const form of NAME_FORMS) {
    for (let k = 0; k < 11; k++, i++) {
      const { phrase, names } = form(pick(FIRST, i * 5 + k), pick(LAST, i * 3 + k * 7));
      out.push({ text: sentence(i, phrase), identifiers: names.map((text) => ({ text, kind: 'name' })) });
    }
  }
  return out;
}

/** Other identifiers, alone or after a name (a name with a birth date is the classic chart header). */
function otherMessages(): IdentifierMessage[] {
  const out: IdentifierMessage[] = [];
  for (let i = 0; i < 12; i++) {
    const area = 201 + ((i * 37) % 700);
    const exchange = 230 + ((i * 53) % 700);
    const line = 1000 + ((i * 7919) % 9000);
    const ssn = [518 + i * 13, 62 - i, 7394 - i * 111] as const;
    const member = `${upper(pick(['xkq', 'wzr', 'hbt', 'jqm'], i))}${pad(40_000_000 + i * 7_654_321, 9)}`;
    const month = 1 + (i % 12);
    const day = 3 + ((i * 5) % 25);
    const year = 1941 + ((i * 7) % 70);
    const first = pick(FIRST, i * 3 + 1);
    const last = pick(LAST, i * 5 + 2);
    const street = pick(STREETS, i);
    const host = pick(MAIL_HOSTS, i);
    const user = `${lower(first[0] ?? 'x')}${lower(last)}${i}`;
    const ssnDashed = `${ssn[0]}-${pad(ssn[1], 2)}-${pad(ssn[2], 4)}`;
    const ssnSpaced = `${ssn[0]} ${pad(ssn[1], 2)} ${pad(ssn[2], 4)}`;
    const ssnBare = `${ssn[0]}${pad(ssn[1], 2)}${pad(ssn[2], 4)}`;
    const phoneDashed = `${area}-${exchange}-${line}`;
    const phoneBare = `${area}${exchange}${line}`;
    const dob = `${month}/${day}/${pad(year % 100, 2)}`;
    const payer = pick(PAYERS, i);
    const add = (text: string, identifiers: Identifier[]) => out.push({ text, identifiers });
    add(sentence(i, `SSN ${ssnDashed}`), [{ text: ssnDashed, kind: 'ssn' }]);
    add(sentence(i + 1, `social ${ssnSpaced}`), [{ text: ssnSpaced, kind: 'ssn' }]);
    add(sentence(i + 2, `ss ${ssnBare}`), [{ text: ssnBare, kind: 'ssn' }]);
    add(sentence(i + 3, `call back at ${phoneBare}`), [{ text: phoneBare, kind: 'phone' }]);
    add(sentence(i + 4, `her cell is (${area}) ${exchange}-${line}`), [{ text: `${exchange}-${line}`, kind: 'phone' }]);
    add(sentence(i + 5, `phone ${phoneDashed}`), [{ text: phoneDashed, kind: 'phone' }]);
    add(sentence(i + 6, `email ${user}@${host}.com`), [{ text: `${user}@${host}.com`, kind: 'email' }]);
    add(sentence(i + 7, `send it to ${user} at ${host} dot com`), [{ text: `${user} at ${host}`, kind: 'email' }]);
    add(sentence(i + 8, `${payer} ${member}`), [{ text: member, kind: 'member-id' }]);
    add(sentence(i + 9, `member ID ${member}`), [{ text: member, kind: 'member-id' }]);
    add(sentence(i + 10, `${upper(last)}, ${upper(first)} dob ${dob}`), [{ text: `${last}, ${first}`, kind: 'name' }, { text: dob, kind: 'date' }]);
    add(sentence(i + 11, `born ${pick(MONTHS, i)} ${day}, ${year}`), [{ text: `${pick(MONTHS, i)} ${day}, ${year}`, kind: 'date' }]);
    add(sentence(i + 12, `lives at ${40 + i * 17} ${street} Street`), [{ text: `${40 + i * 17} ${street} Street`, kind: 'address' }]);
    add(sentence(i + 13, `address ${1200 + i} N ${street} St Apt ${4 + i}B`), [{ text: `${1200 + i} N ${street}`, kind: 'address' }, { text: `Apt ${4 + i}B`, kind: 'address' }]);
    add(sentence(i + 14, `MRN ${pad(48_213 + i * 1_777, 7)}`), [{ text: pad(48_213 + i * 1_777, 7), kind: 'record-number' }]);
    add(sentence(i + 15, `pt ${first} ${last} DOB ${pad(month, 2)}/${pad(day, 2)}/${year}, ${payer} ${member}`), [
      { text: `${first} ${last}`, kind: 'name' }, { text: `${pad(month, 2)}/${pad(day, 2)}/${year}`, kind: 'date' }, { text: member, kind: 'member-id' },
    ]);
  }
  return out;
}

/** Letters a Medicare Beneficiary Identifier may use (no S, L, O, I, B or Z). */
const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';

/** A made-up MBI in CMS's shape: 1EG4-TE5-MK73 without the dashes. */
function mbi(i: number): string {
  const l = (k: number) => pick([...MBI_LETTERS], k);
  return `${1 + (i % 9)}${l(i + 3)}${l(i * 3 + 1)}${(i + 5) % 10}${l(i * 7 + 2)}${l(i * 5 + 9)}${(i * 3 + 2) % 10}${l(i * 11 + 5)}${l(i * 13 + 6)}${pad((i * 17 + 23) % 100, 2)}`;
}

/**
 * Identifiers with no label in front ("pt 518-62-7394 needs ext #30": nothing says it is an SSN) and written
 * oddly (spaces around the dashes, no space after "DOB:", a dashed MBI as printed on the card, "12-Apr-1961"),
 * each of the scrubber's kinds. Two of each form, with numbers of their own.
 */
function unlabelledMessages(): IdentifierMessage[] {
  const out: IdentifierMessage[] = [];
  const forms: ((i: number) => { phrase: string; identifiers: Identifier[] })[] = [];
  const one = (kind: IdentifierKind, make: (i: number) => { phrase: string; text: string }) => forms.push((i) => {
    const { phrase, text } = make(i);
    return { phrase, identifiers: [{ text, kind }] };
  });
  const ssn = (i: number) => [String(601 + i * 7), pad(11 + i * 3, 2), pad(2468 + i * 97, 4)] as const;
  const phone = (i: number) => [String(212 + ((i * 29) % 500)), String(246 + ((i * 61) % 700)), String(1357 + ((i * 4111) % 8000))] as const;
  const member = (i: number) => `${upper(pick(['wkb', 'zqt', 'hxr', 'jvn'], i))}${pad(50_000_000 + i * 6_543_217, 9)}`;
  const dob = (i: number) => ({ m: 1 + ((i * 5) % 12), d: 1 + ((i * 7) % 28), y: 1935 + ((i * 11) % 60) });
  const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const month = (m: number, names: string[]) => pick(names, m - 1);
  const mail = (i: number) => ({ user: `${lower(pick(FIRST, i * 3 + 4))}.${lower(pick(LAST, i * 5 + 3))}${i + 20}`, host: pick(MAIL_HOSTS, i + 1) });
  const record = (i: number) => pad(61_000 + i * 2_357, 7);

  // SSNs: nothing but the number, in every way it is written.
  one('ssn', (i) => { const [a, b, c] = ssn(i); return { phrase: `pt ${a}-${b}-${c}`, text: `${a}-${b}-${c}` }; });
  one('ssn', (i) => { const [a, b, c] = ssn(i); const t = `${a} ${b} ${c}`; return { phrase: t, text: t }; });
  one('ssn', (i) => { const [a, b, c] = ssn(i); const t = `${a}.${b}.${c}`; return { phrase: t, text: t }; });
  one('ssn', (i) => { const [a, b, c] = ssn(i); const t = `${a}${b}${c}`; return { phrase: t, text: t }; });
  one('ssn', (i) => { const [a, b, c] = ssn(i); const t = `${a} - ${b} - ${c}`; return { phrase: t, text: t }; });
  one('ssn', (i) => { const [a, b, c] = ssn(i); const t = `${a}  ${b}  ${c}`; return { phrase: t, text: t }; });
  one('ssn', (i) => { const [a, b, c] = ssn(i); const t = `${a}-${b} ${c}`; return { phrase: t, text: t }; });
  // Phones without "call" or "cell".
  one('phone', (i) => { const [a, b, c] = phone(i); const t = `${a}-${b}-${c}`; return { phrase: t, text: t }; });
  one('phone', (i) => { const [a, b, c] = phone(i); const t = `${a}.${b}.${c}`; return { phrase: t, text: t }; });
  one('phone', (i) => { const [a, b, c] = phone(i); const t = `${a} ${b} ${c}`; return { phrase: t, text: t }; });
  one('phone', (i) => { const [a, b, c] = phone(i); const t = `(${a})${b}-${c}`; return { phrase: t, text: t }; });
  one('phone', (i) => { const [a, b, c] = phone(i); return { phrase: `+1 ${a} ${b} ${c}`, text: `${a} ${b} ${c}` }; });
  one('phone', (i) => { const [a, b, c] = phone(i); return { phrase: `1-${a}-${b}-${c}`, text: `${a}-${b}-${c}` }; });
  one('phone', (i) => { const [a, b, c] = phone(i); const t = `${a}${b}${c}`; return { phrase: t, text: t }; });
  one('phone', (i) => { const [a, b, c] = phone(i); return { phrase: `+1${a}${b}${c}`, text: `${a}${b}${c}` }; });
  // Member IDs: a bare MBI, an MBI as printed on the card, and IDs with odd spacing, case and punctuation.
  one('member-id', (i) => { const t = mbi(i); return { phrase: t, text: t }; });
  one('member-id', (i) => { const m = mbi(i + 40); const t = `${m.slice(0, 4)}-${m.slice(4, 7)}-${m.slice(7)}`; return { phrase: t, text: t }; });
  one('member-id', (i) => { const t = lower(mbi(i + 80)); return { phrase: `mbi: ${t}`, text: t }; });
  one('member-id', (i) => { const t = member(i); return { phrase: `${pick(PAYERS, i + 3)}  ${t}`, text: t }; });
  one('member-id', (i) => { const t = lower(member(i + 4)); return { phrase: `${pick(PAYERS, i + 5)} # ${t}`, text: t }; });
  one('member-id', (i) => { const t = member(i + 8); return { phrase: `member#${t}`, text: t }; });
  one('member-id', (i) => { const t = member(i + 12); return { phrase: `ID: ${t}`, text: t }; });
  // Birth dates with no "DOB", and "DOB" written oddly.
  one('date', (i) => { const { m, d, y } = dob(i); const t = `${pad(m, 2)}/${pad(d, 2)}/${y}`; return { phrase: t, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 2); const t = `${m}-${d}-${pad(y % 100, 2)}`; return { phrase: t, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 4); const t = `${y}-${pad(m, 2)}-${pad(d, 2)}`; return { phrase: t, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 6); const t = `${month(m, LONG_MONTHS)} ${d}, ${y}`; return { phrase: t, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 8); const t = `${d} ${month(m, SHORT_MONTHS)} ${y}`; return { phrase: t, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 10); const t = `${pad(d, 2)}-${month(m, SHORT_MONTHS)}-${y}`; return { phrase: t, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 12); const t = `${m}.${d}.${y}`; return { phrase: t, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 14); const t = `${pad(m, 2)}-${pad(d, 2)}-${y}`; return { phrase: `DOB:${t}`, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 16); const t = `${m}/${d}/${pad(y % 100, 2)}`; return { phrase: `d.o.b. ${t}`, text: t }; });
  one('date', (i) => { const { m, d, y } = dob(i + 18); const t = `${pad(m, 2)} ${pad(d, 2)} ${y}`; return { phrase: `dob ${t}`, text: t }; });
  // Emails without "email", in capitals, with a tag, with spaces around the @, spelled out.
  one('email', (i) => { const { user, host } = mail(i); const t = `${user}@${host}.com`; return { phrase: t, text: t }; });
  one('email', (i) => { const { user, host } = mail(i + 2); const t = upper(`${user}@${host}.com`); return { phrase: t, text: t }; });
  one('email', (i) => { const { user, host } = mail(i + 4); const t = `${user}+billing@mail.${host}.org`; return { phrase: t, text: t }; });
  one('email', (i) => { const { user, host } = mail(i + 6); const t = `${user} @ ${host}.net`; return { phrase: t, text: t }; });
  one('email', (i) => { const { user, host } = mail(i + 8); return { phrase: `${user} [at] ${host} [dot] com`, text: `${user} [at] ${host}` }; });
  one('email', (i) => { const { user, host } = mail(i + 10); return { phrase: `${user}(at)${host}(dot)com`, text: `${user}(at)${host}` }; });
  // Chart and record numbers, labelled as charts write them.
  one('record-number', (i) => { const t = record(i); return { phrase: `MRN#${t}`, text: t }; });
  one('record-number', (i) => { const t = record(i + 2); return { phrase: `mrn: ${t}`, text: t }; });
  one('record-number', (i) => { const t = record(i + 4); return { phrase: `Chart#${t}`, text: t }; });
  one('record-number', (i) => { const t = String(93_517 + (i % 40) * 113); return { phrase: `MRN ${t}`, text: t }; });
  one('record-number', (i) => { const t = record(i + 6); return { phrase: `medical record number ${t}`, text: t }; });
  one('record-number', (i) => { const t = record(i + 8); return { phrase: `MR# ${t}`, text: t }; });
  // Addresses in lower case, with a dotted direction, a post-office box.
  one('address', (i) => { const t = `${64 + i * 19} ${lower(pick(STREETS, i + 2))} st`; return { phrase: `lives at ${t}`, text: t }; });
  one('address', (i) => { const t = `${2400 + i * 13} N. ${pick(STREETS, i + 4)} Street`; return { phrase: t, text: t }; });
  one('address', (i) => { const t = `PO Box ${4417 + i * 29}`; return { phrase: t, text: t }; });
  // Names with no "pt", or no space after the title.
  forms.push((i) => { const f = pick(FIRST, i * 7 + 2); const l = pick(LAST, i * 3 + 5); return { phrase: `${l}, ${f}`, identifiers: [{ text: `${l}, ${f}`, kind: 'name' }] }; });
  forms.push((i) => { const f = pick(FIRST, i * 5 + 6); const l = pick(LAST, i * 7 + 1); return { phrase: `${f}  ${l}`, identifiers: [{ text: `${f}  ${l}`, kind: 'name' }] }; });
  forms.push((i) => { const l = pick(LAST, i * 11 + 4); return { phrase: `Mrs.${l}`, identifiers: [{ text: l, kind: 'name' }] }; });
  forms.push((i) => { const l = pick(LAST, i * 13 + 8); return { phrase: `per Dr.${l}`, identifiers: [{ text: l, kind: 'name' }] }; });

  forms.forEach((form, k) => {
    for (let i = 0; i < 2; i++) {
      const { phrase, identifiers } = form(k * 2 + i);
      out.push({ text: sentence(k + i * 7, phrase), identifiers });
    }
  });
  return out;
}

export const IDENTIFIER_MESSAGES: readonly IdentifierMessage[] = Object.freeze([...nameMessages(), ...otherMessages(), ...unlabelledMessages()]);

// ------------------------------------------------------------------ clinical text that must pass unchanged

const HANDWRITTEN_CLINICAL = [
  'pt broke #8 in a bike accident, has BCBS medical + Delta dental, bill medical?',
  'D7240 #17 and #32, K01.1, 3rd molars, 19 yo',
  'moderate OSA, AHI 24, CPAP intolerant, Medicare Advantage',
  'fee $900, cash fee $650, Aetna medical and MetLife dental',
  'Patient has Cigna medical only; abscess with facial swelling for 3 days',
  'S02.5XXA and S03.2XXA after a fall, pano and CBCT on file',
  'Suspicious Lesion on the left lateral tongue, 54 yo, Anthem medical',
  'Oral Surgery referral for teeth 1, 16, 17 and 32, age 7? no, age 17',
  'Sleep Apnea: E0486, G47.33, AHI 31, Medicare',
  'Car Accident last week, tooth 8 and #9 fractured, Geico and State Farm both involved',
  'Zometa infusions for 4 years, now needs ext #19, Medicare',
  'on zoledronic acid and Prolia (denosumab), previously Fosamax / alendronate',
  'Xgeva for bone mets, exposed bone #30 area, 4 months',
  'premedicate with amoxicillin 2 g, or Clindamycin if allergic, then D7140 #3',
  'TRICARE medical, Delta Dental secondary, 7-year-old with tongue-tie, frenectomy',
  'AARP Medicare supplement plus Humana dental, D7210 #14',
  'Kaiser medical, Guardian dental, biopsy 41100 of a floor of mouth lesion',
  'UnitedHealthcare and UHC dental are one combined plan, 41 yo, D7240',
  'Medicaid kid, age 9, abscess #K with swelling, I&D 41800',
  'Blue Cross Blue Shield PPO, fee 900, usual fee 650',
  'Medicare Advantage via Aetna, oral appliance E0486, sleep study on file',
  'seen 12/3 for pain, came back 12/10, ext #30 today',
  'K08.3 retained root #4, D7250, Cigna dental only',
  'what is D7240?',
  'lookup K01.1',
  'docs for a sleep apnea appliance, Medicare',
  'G47.33 and E66.9, BMI 34, AHI 24, RDI 30, CPAP failed after 3 months',
  'Ludwig\'s angina admitted through the ER, #18 and #19 source, Anthem',
  'Bell\'s palsy history, TMJ pain, D7880 splint, BCBS',
  'trauma from a fall: #7, #8, #9, #10 luxated, S03.2XXA, Humana',
  'MetLife dental max met, Aetna medical, coronectomy #17',
  'The patient is 62, on Eliquis and metformin, needs full mouth extraction before radiation',
  'Dental clearance before a heart valve replacement, Medicare Part B',
  'Implant #30 after decay, no medical story, Delta Dental only',
  'CBCT D0367 for an impacted canine #6, 12 yo, Cigna',
  'Dry socket after ext #17 on 12/3, Guardian dental',
  '4 units of sedation, D9239, general anesthesia in the hospital, Medicaid',
  'Pericoronitis #32 with trismus, 23 yo, BCBS PPO medical + Delta Dental PPO',
  'Osteonecrosis of the jaw, MRONJ stage 2, on Prolia 3 years',
  'Cleft palate, born with it, now 15, orthognathic consult, Medicaid',
  'Oral cancer screening found leukoplakia, biopsy 41100, UHC',
  'is this medical first? wisdom teeth, Aetna medical + MetLife dental',
  'Quick Question: does Medicare pay for an ext before radiation?',
  'Hi team, Delta Dental denied D7240, should we bill Blue Cross?',
  'Humana Medicare Advantage HMO, E0486, sleep study and physician order on file',
  'fee 1,200 for D7240, cash fee 950',
  'AHI 15.5, mild OSA, BMI 28, 48 yo male',
  'State Farm auto claim, fractured #8 and #9, S02.5XXA',
  'teeth 1, 16, 17, 32 impacted, pano on file, 17 yo',
  'Anthem Blue Cross, Delta Dental of California, D7230',
  'Sjogren syndrome, xerostomia, rampant decay, Medicare',
  'Stevens-Johnson syndrome history, oral ulcers, Cigna',
];

/** Payer and procedure combinations, written as staff write them. */
function generatedClinical(): string[] {
  const procedures = ['D7240 #17', 'E0486 for OSA, AHI 22', 'biopsy 41100', 'I&D 41800 #30', 'D7880 TMJ splint', 'ext #3 and #14', 'frenectomy D7960, age 4'];
  const payers = ['Aetna medical', 'BCBS medical + Delta dental', 'Cigna medical only', 'Medicare', 'Medicaid', 'TRICARE', 'UHC', 'Humana', 'Blue Cross Blue Shield', 'Kaiser', 'Anthem', 'Medicare Advantage'];
  const drugs = ['Zometa', 'Prolia', 'Xgeva', 'alendronate', 'Fosamax', 'amoxicillin', 'Clindamycin', 'zoledronic acid', 'denosumab'];
  const out: string[] = [];
  for (let i = 0; i < 24; i++) out.push(`${pick(procedures, i)}, ${pick(payers, i * 5)}, on ${pick(drugs, i * 7)} for ${2 + (i % 9)} months, ${18 + i * 3} yo`);
  return out;
}

export const CLINICAL_MESSAGES: readonly string[] = Object.freeze([...HANDWRITTEN_CLINICAL, ...generatedClinical()]);
