/** `medbill claim-form`: the CMS-1500 a case's claim goes out on, as a one-page PDF (src/claims/claim-form.ts). */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import { positionals, takeOneOption, takeOption, UsageError } from '../../command-line.js';
import { CASE_ID_SHAPE } from '../../case-id.js';
import { systemClock, todayIn } from '../../today.js';
import type { CaseFacts } from '../../knowledge/facts.js';
import type { Command } from './command.js';

export const claimFormCommand: Command = {
  name: 'claim-form',
  usage: [
    'medbill claim-form C-XXXXX      the CMS-1500 (02/12) for the case\'s claim, as a PDF (--out FILE.pdf)',
  ],
  help: `Usage: medbill claim-form C-XXXXX [--out FILE.pdf] [--modifier CODE-MOD[-MOD]]...
  The CMS-1500 (02/12) claim form for the case, one page, from MEDBILL_DB: its tracked claim (else the
  codes of its triage answer). medbill fills item 21 (ICD indicator 0, diagnoses A-L, each checked against
  the ICD-10-CM code set of the date of service), 24A-J per procedure (date of service, place of service,
  code and modifiers, diagnosis pointers, charge, units), 22 (code 7 and the original claim number when
  the claim was resubmitted after a denial), 23 (prior authorization), 17 (the ordering physician, as a
  placeholder, for an oral appliance E0486), 28 (total charge) and the payer. Every box that identifies
  the patient, the insured or a provider is a bracketed placeholder ([PATIENT NAME], [NPI]...) the office
  fills in its own system. What the office checks before sending is printed (and at the foot of the form).
    --out FILE.pdf        where to write it (default: CMS1500-C-XXXXX.pdf here)
    --modifier E0486-KX   modifiers for a code's line(s), e.g. --modifier E0486-KX --modifier 21480-LT
  A diagnosis not billable on the date of service, an unknown case, more than 6 procedures or 12
  diagnoses: said on standard error, exit 2, nothing written.`,
  async run(args, io) {
    const out = takeOneOption(args, '--out');
    const mods = takeOption(out.rest, '--modifier');
    const [given, ...extra] = positionals('claim-form', mods.rest);
    if (given === undefined || extra.length) throw new UsageError('claim-form needs one case ID, e.g. medbill claim-form C-7K3Q9 --out claim.pdf');
    const caseId = given.toUpperCase();
    if (!CASE_ID_SHAPE.test(caseId)) throw new UsageError(`"${given}" is not a medbill case ID (C- and five letters or digits, e.g. C-7K3Q9)`);
    const file = out.value ?? `CMS1500-${caseId}.pdf`;
    if (!/\.pdf$/i.test(file)) throw new UsageError(`--out ${file}: the file must end in .pdf`);
    const config = loadConfig();
    const [{ claimFormPdf, requestFor, withModifiers }, { openBackOffice }] = await Promise.all([import('../../claims/claim-form.js'), import('../back-office.js')]);
    const office = openBackOffice(config, { existing: true });
    try {
      await office.ready(); // the imported ICD-10-CM list's titles, for a case's answer; the practice's settings
      const today = todayIn(office.zoneOr(config.zone), io.clock ?? systemClock);
      const kn = office.shelf.knowledge();
      const sources = {
        claim: (id: string) => office.claims.get(id),
        history: (id: string) => office.claims.store.history(id),
        caseFacts: async (id: string) => (await office.storage.cases.get(id))?.facts as Partial<CaseFacts> | undefined,
      };
      const found = await requestFor(caseId, sources, kn, office.directory, today);
      if (!found) {
        io.err(`medbill: no claim or case ${caseId} in ${config.dbPath}: triage it or track its claim first (medbill chat, or the chat page).`);
        return 2;
      }
      const request = withModifiers(found, mods.values);
      if ('problem' in request) {
        io.err(`medbill: ${request.problem}`);
        return 2;
      }
      const made = await claimFormPdf(request, kn, today);
      if (!made.ok) {
        io.err(`medbill: ${made.problem}`);
        return 2;
      }
      writeFileSync(file, made.pdf);
      io.out(`CMS-1500 for ${caseId} written to ${file} (${request.from === 'claim' ? 'from its tracked claim' : 'from its triage answer: no claim is tracked yet'}).`);
      io.out(`The office fills the bracketed boxes in its own system, and checks:\n${made.checks.map((c) => `  - ${c}`).join('\n')}`);
      return 0;
    } finally {
      await office.close();
    }
  },
};
