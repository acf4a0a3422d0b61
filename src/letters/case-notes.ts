/**
 * Letter facts that a triage case already states in its own words: how an injury happened ("fell off
 * bicycle"), the injured teeth ("luxated #8 and #9"), where a lesion is ("left lateral tongue"), the
 * procedure ("splinting"). Read from the case's procedure and notes (scrubbed of identifiers when they were
 * typed), a clause at a time; each value is then checked like any answer (render.ts, factsFromCase), and a
 * fact that cannot be read is asked as before.
 *
 * Every pattern is linear and bounded: notes can be 20,000 characters.
 */

/** The notes cut at commas, semicolons, full stops and line ends; "#8, #9" stays one clause. */
export function clausesOf(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[;\n]|,|\.(?=\s|$)/)) {
    const clause = raw.replace(/\s+/g, ' ').trim();
    if (!clause) continue;
    const previous = out.at(-1);
    // A clause that is only more teeth ("#9 and #10") belongs to the one before it.
    if (previous !== undefined && /^(?:and\s+|&\s*)?#\s?\w{1,2}\b/i.test(clause) && /#\s?\w{1,2}\b/.test(previous)) out[out.length - 1] = `${previous}, ${clause}`;
    else out.push(clause);
  }
  return out.slice(0, 200);
}

/** A clause's own subject, which the letter says in its own way: "pt fell" → "fell". */
const withoutSubject = (clause: string) => clause.replace(/^(?:the\s+)?(?:pt|patient)\b\.?:?\s+/i, '');

/** What caused an injury: a fall, a blow, a crash, a sport, a bite. */
const MECHANISM = /\b(?:fell|falls?|falling|tripped|slipped|struck|hit|kicked|punched|elbowed|head-?butted|assault(?:ed)?|fight|bitten|dog bite|collided|collision|crash(?:ed)?|accident|mva|mvc|(?:car|auto|motor vehicle|bike|bicycle|skateboard|scooter|motorcycle|trampoline|horse)\b|playing|sports?|hockey|soccer|football|basketball|baseball|softball|lacrosse|rugby|wrestling|boxing)\b/i;
/** What happened to a tooth or the jaw. */
const INJURY = /\b(?:fractur\w*|broken|broke|chipped|cracked|split|luxat\w*|avuls\w*|knocked\s+out|displac\w*|intru\w*|extru\w*|loosened|lacerat\w*|dislocat\w*)\b/i;
const TOOTH = /#\s?(?:\d{1,2}|[A-T])\b|\b(?:tooth|teeth)\b|\b(?:incisors?|canines?|molars?|premolars?|jaw|mandible|maxilla|lip)\b/i;
/** Words that say a clause is about the plan or the patient, not the injury ("Aetna medical", "age 12"). */
const NOT_CLINICAL = /^(?:(?:age|aged)\s+\d|\d{1,3}\s*(?:yo|y\/o|years?)|medicare|medicaid|tricare|aetna|cigna|bcbs|uhc|humana|delta|metlife|guardian|blue\s+cross|united|anthem|dental|medical|commercial|ppo|hmo)\b/i;

/** How the injury happened, from the first clause that names a cause ("pt fell off bicycle" → "fell off bicycle"). */
export function injuryFrom(notes: string): string | undefined {
  for (const clause of clausesOf(notes)) {
    if (NOT_CLINICAL.test(clause)) continue;
    const rest = withoutSubject(clause);
    const m = MECHANISM.exec(rest);
    if (!m) continue;
    // From the cause's word, with the article or preposition just before it ("from a car accident" → "a car accident").
    const lead = /(?:\b(?:a|an|the|in|during|from|while|on)\s+){1,2}$/i.exec(rest.slice(0, m.index));
    const value = rest.slice(lead ? lead.index : m.index).replace(/^(?:from|in|during|on)\s+/i, '').trim();
    if (value.length >= 4) return value;
  }
  return undefined;
}

/** The injuries the notes name: each clause with a tooth (or the jaw) and what happened to it ("luxated #8 and #9"). */
export function injuriesFrom(notes: string): string | undefined {
  const found = clausesOf(notes)
    .filter((c) => !NOT_CLINICAL.test(c) && INJURY.test(c) && TOOTH.test(c))
    .map((c) => {
      const rest = withoutSubject(c);
      // "#8 avulsed playing hockey": the injury, not how it happened (that is injuryFrom's).
      const cause = MECHANISM.exec(rest);
      const injury = INJURY.exec(rest);
      return cause && injury && cause.index > injury.index ? rest.slice(0, cause.index).replace(/\s+(?:while|when|from|in|during|after)(?:\s+(?:a|an|the))?\s*$/i, '').trim() : rest;
    })
    .filter((c) => c.length >= 4);
  return found.length ? found.slice(0, 4).join('; ') : undefined;
}

/** Places in the mouth and jaws a lesion is found, and the words that say which part of them. */
const SITE = /\b(?:tongue|floor of (?:the )?mouth|palate|lips?|buccal mucosa|mucosa|cheek|gingiva|gums?|vestibule|retromolar (?:pad|trigone|area)|alveolar ridge|ridge|mandible|maxilla|ramus)\b/i;
const SITE_WORD = /^(?:left|right|lateral|ventral|dorsal|dorsum|tip|border|base|posterior|anterior|upper|lower|hard|soft|mandibular|maxillary|lingual|buccal|labial|palatal|of|the)$/i;

/** Where a lesion is: the place in the mouth the case names, with the words before it that say which part ("left lateral tongue"). */
export function siteFrom(text: string): string | undefined {
  for (const clause of clausesOf(text)) {
    const m = SITE.exec(clause);
    if (!m) continue;
    const words = clause.slice(0, m.index).trim().split(/\s+/).filter(Boolean);
    let from = words.length;
    while (from > 0 && from > words.length - 5 && SITE_WORD.test(words[from - 1] ?? '')) from--;
    while (from < words.length && /^(?:of|the)$/i.test(words[from] ?? '')) from++;
    // "left lateral border of tongue" → "the left lateral border of the tongue".
    const site = [...words.slice(from), m[0]].join(' ').toLowerCase().replace(/\bof (?!the\b)/g, 'of the ');
    return site.startsWith('the ') ? site : `the ${site}`;
  }
  return undefined;
}

/** The procedure the case names, in words ("splinting"), not a code alone ("D7270"). */
export function procedureFrom(procedure: string): string | undefined {
  const p = procedure.replace(/\s+/g, ' ').trim();
  return /[A-Za-z]{4,}/.test(p.replace(/\b[A-Z]\d{4}\b|\b\d{5}\b/g, '')) ? p : undefined;
}
