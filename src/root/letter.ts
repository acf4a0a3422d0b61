/**
 * `medbill letter`: a letter of medical necessity from the command line, for scripts.
 *   --case C-7K3Q9   the case's letter from the database (MEDBILL_DB): the saved draft's facts, else the case's;
 *                    missing facts are listed with their questions (exit 2)
 *   --json FILE|-    from a JSON object: { "template", "payerKind", "payer"?, "values", "procedures"?, "diagnoses"? }
 *   --out FILE.docx  also write the .docx (the text goes to standard output either way)
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { describeDatabase, loadConfig } from '../config.js';
import { MEDICAL_PAYERS } from '../knowledge/vocabulary.js';
import type { CaseFacts } from '../knowledge/facts.js';
import { describeZodError } from '../zod-message.js';
import type { LetterService } from '../letters/service.js';
import { LetterError } from '../letters/render.js';
import { missingFacts } from '../letters/fact-values.js';
import type { LetterCode } from '../letters/model.js';
import { openBackOffice } from './back-office.js';
import { positionals, readInput, takeOneOption, UsageError, type Io } from '../command-line.js';
import { systemClock, todayIn } from '../today.js';

const LetterJsonSchema = z.strictObject({
  template: z.string().min(1).max(60),
  payerKind: z.enum(MEDICAL_PAYERS),
  payer: z.string().min(1).max(60).optional(),
  values: z.record(z.string(), z.string().max(2000)),
  procedures: z.array(z.string().max(12)).max(12).default([]),
  diagnoses: z.array(z.string().max(12)).max(12).default([]),
});

export async function cmdLetter(args: string[], io: Io): Promise<number> {
  const { value: caseId, rest: afterCase } = takeOneOption(args, '--case');
  const { value: json, rest: afterJson } = takeOneOption(afterCase, '--json');
  const { value: out, rest: stray } = takeOneOption(afterJson, '--out');
  const extra = positionals('letter', stray);
  if (extra.length) throw new UsageError(`letter: unexpected ${extra[0]} (medbill letter --help)`);
  if ((caseId === undefined) === (json === undefined)) throw new UsageError('letter needs --case C-XXXXX or --json FILE (one of them)');
  if (out !== undefined && !/\.docx$/i.test(out)) throw new UsageError(`--out ${out}: the file must end in .docx`);

  const config = loadConfig();
  const office = openBackOffice(config, { existing: true });
  try {
    await office.ready(); // the imported ICD-10-CM list, for the code index and the directory; the practice's settings
    const today = todayIn(office.zoneOr(config.zone), systemClock);
    const kn = office.shelf.knowledge();
    const { codes, letters } = office;
    let request: Parameters<LetterService['finish']>[0];
    if (caseId !== undefined) {
      const file = await office.storage.cases.get(caseId.toUpperCase());
      if (!file) {
        io.err(`medbill: no case ${caseId} in ${describeDatabase(config)}: triage it first (medbill chat, or the chat page).`);
        return 2;
      }
      const start = await letters.forCase(file.caseId, file.facts as Partial<CaseFacts>, kn, codes, office.directory, today);
      if ('problem' in start) {
        io.err(`medbill: ${start.problem}`);
        return 2;
      }
      const missing = missingFacts(start.template, start.values, start.payerKind);
      if (!start.payerKind || missing.length) {
        io.err(`medbill: the letter for ${file.caseId} still needs:${start.payerKind ? '' : '\n  - the kind of medical plan (answer it in chat: "letter for ' + file.caseId + '")'}${missing.map((f) => `\n  - ${f.ask}`).join('')}`);
        return 2;
      }
      request = { caseId: file.caseId, template: start.template, values: start.values, payerKind: start.payerKind, procedures: start.procedures, diagnoses: start.diagnoses, today };
    } else {
      let parsed: z.infer<typeof LetterJsonSchema>;
      try {
        const r = LetterJsonSchema.safeParse(JSON.parse(await readInput(json ?? '-', io)));
        if (!r.success) throw new UsageError(`letter --json: ${describeZodError(r.error)}`);
        parsed = r.data;
      } catch (err) {
        if (err instanceof SyntaxError) throw new UsageError(`letter --json: not JSON (${err.message})`);
        throw err;
      }
      const template = letters.templateById(parsed.template);
      if (!template) throw new UsageError(`letter --json: no template "${parsed.template}" (they are: ${letters.templates().map((t) => t.id).join(', ')})`);
      const described = (list: string[], system: (c: string) => LetterCode['system'] | undefined): LetterCode[] => list.map((c) => {
        const hit = codes.exact(c);
        const sys = hit ? system(hit.set) : undefined;
        if (!hit || !sys) throw new UsageError(`letter --json: unknown code ${c}`);
        return { system: sys, code: hit.code, description: hit.description };
      });
      request = {
        caseId: 'C-LETTR', template, values: parsed.values, payerKind: parsed.payerKind, today, ...(parsed.payer ? { payer: parsed.payer } : {}),
        procedures: described(parsed.procedures, (s) => (s === 'cpt' ? 'CPT' : s === 'hcpcs' ? 'HCPCS' : s === 'cdt' ? 'CDT' : undefined)),
        diagnoses: described(parsed.diagnoses, (s) => (s === 'icd10cm' ? 'ICD-10-CM' : undefined)),
      };
      const missing = missingFacts(template, parsed.values, parsed.payerKind);
      if (missing.length) {
        io.err(`medbill: the letter still needs:${missing.map((f) => `\n  - ${f.id}: ${f.ask}`).join('')}`);
        return 2;
      }
    }
    let letter: Awaited<ReturnType<LetterService['finish']>>;
    try {
      letter = await letters.finish(request);
    } catch (err) {
      // A value the template cannot take (from --json): said as the template says it, exit 2.
      if (!(err instanceof LetterError)) throw err;
      io.err(`medbill: ${err.message}`);
      return 2;
    }
    io.out(letter.text);
    if (out !== undefined) {
      writeFileSync(out, letter.docx);
      io.err(`Letter written to ${out}. ${letter.narrativeNote}`);
    }
    return 0;
  } finally {
    await office.close();
  }
}
