/**
 * The words a language model's letter narrative may use that the facts need not contain (see
 * checkNarrative in narrative-check.ts): the words that connect facts into sentences, and a few that say what a
 * letter of medical necessity is (a request, a patient, a treatment, documentation). Every other word of a
 * sentence must come from the facts it cites, the template's narrative, the letter's codes or its purpose.
 *
 * Kept small on purpose: a word added here is a word the model may write about any patient. A word that
 * states something about the patient (a drug, a finding, a time of day, a habit) or asks something of the
 * reader ("ignore", "approve", "instructions") does not belong here.
 */

/** Articles, pronouns, prepositions, conjunctions, auxiliaries and the adverbs that link sentences. */
const CONNECTING = `
a an the this that these those which who whom whose what when where while whereas whether
and or nor but so yet because since although though however therefore thus hence consequently accordingly
additionally furthermore moreover nevertheless nonetheless also both either neither each such other same than then
of in on at by for with without within to from into upon about after before during until through between
despite per via as including due
is are was were be been being am has have had having do does did can could may might must should will would
not no
i we our us my me he she his her him they them their it its itself one
there here very more most
`;

/** What a letter of medical necessity says about itself, with no fact about the patient in it. */
const LETTER = `
patient patients treatment treatments treat treated treating therapy therapies condition conditions
request requested requesting coverage covered medical medically necessary necessity need needs needed require
requires required appropriate alternative alternatives option options indicated documented documentation record
records history clinical clinically diagnosis diagnosed evaluation evaluated examination findings result results
resulting showed shown shows demonstrated confirmed noted reported described presents presented current currently
previously prior subsequently remains remain based following given respectfully support supports supported
consistent proposed planned plan recommended provided receive received use used using tried try attempt attempted
benefit benefits age aged old year years made performed obtained
`;

const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** The connecting and letter words, in lower case. */
export const NARRATIVE_WORDS: ReadonlySet<string> = new Set([...words(CONNECTING), ...words(LETTER)]);

/**
 * Abbreviations and what they stand for: a model may spell out an abbreviation the sources use ("CPAP" →
 * "continuous positive airway pressure"), or abbreviate what they spell out.
 */
export const ABBREVIATIONS: readonly (readonly [string, string])[] = [
  ['cpap', 'continuous positive airway pressure'],
  ['apap', 'automatic positive airway pressure'],
  ['bipap', 'bilevel positive airway pressure'],
  ['pap', 'positive airway pressure'],
  ['osa', 'obstructive sleep apnea'],
  ['ahi', 'apnea hypopnea index'],
  ['rdi', 'respiratory disturbance index'],
  ['odi', 'oxygen desaturation index'],
  ['ess', 'epworth sleepiness scale'],
  ['bmi', 'body mass index'],
  ['psg', 'polysomnogram'],
  ['psg', 'polysomnography'],
  ['hst', 'home sleep test'],
  ['hsat', 'home sleep apnea test'],
  ['tmj', 'temporomandibular joint'],
  ['tmd', 'temporomandibular disorder'],
  ['cbct', 'cone beam computed tomography'],
  ['ct', 'computed tomography'],
  ['mri', 'magnetic resonance imaging'],
  ['onj', 'osteonecrosis of the jaw'],
  ['mronj', 'medication related osteonecrosis of the jaw'],
  ['ent', 'otolaryngologist'],
  ['pcp', 'primary care physician'],
  ['dme', 'durable medical equipment'],
];
