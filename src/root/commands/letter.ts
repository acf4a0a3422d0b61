/** `medbill letter`: a letter of medical necessity from the command line, for scripts (src/root/letter.ts). */
import type { Command } from './command.js';

export const letterCommand: Command = {
  name: 'letter',
  usage: [
    "medbill letter --case C-XXXXX    the case's letter of medical necessity (text; --out FILE.docx for Word)",
    'medbill letter --json FILE       a letter from a template and its facts as JSON',
  ],
  help: `Usage: medbill letter --case C-XXXXX [--out FILE.docx]
       medbill letter --json FILE|- [--out FILE.docx]
  A letter of medical necessity, as text on standard output (and as .docx with --out).
    --case ID     the case's letter from MEDBILL_DB: the saved draft's facts, else what the case says;
                  facts still missing are listed with their questions (exit 2)
    --json FILE   {"template": "osa-appliance", "payerKind": "medicare", "payer"?: "…", "values": {"ahi": "24", …},
                  "procedures": ["E0486"], "diagnoses": ["G47.33"]}; the templates are knowledge/letters/*.json
  The letter has placeholders for the patient, date of birth, member ID, provider and date: the office fills
  them in its own system. With MEDBILL_LLM_BASE_URL set, the narrative may be the model's (checked against the facts).`,
  // What it runs on loads only when it runs, so `medbill triage` starts without it.
  run: async (args, io) => (await import('../letter.js')).cmdLetter(args, io),
};
