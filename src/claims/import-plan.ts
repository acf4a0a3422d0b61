/**
 * The new claims of an import's plan, kept as columns: a first import lists every row of its file, and an
 * object per row, with its case id as a string, held about 90 bytes a row more (18 MB for 200,000 rows). A row's
 * case id is kept as its claimKeyCode and its status as a number; each row is made into a PlannedRow only when
 * the plan is read.
 */
import { claimKeyCode, claimKeyOfCode } from '../case-id.js';
import { CLAIM_STATUSES, type ClaimStatus } from '../store/claim.js';
import { IntColumn } from './row-store.js';

/** One row of the plan: the claim it is (case id, the practice's claim number) and what happens to it. */
export interface PlannedRow { line: number; caseId: string; reference?: string; what: string }

export class AddedRows implements Iterable<PlannedRow> {
  private readonly lines = new IntColumn();
  /** The case id's claimKeyCode; for an id that is not a claim key (a test's), -1 - its place in `otherIds`. */
  private readonly ids = new IntColumn();
  private readonly otherIds: string[] = [];
  private readonly statuses = new IntColumn();
  private readonly references: (string | undefined)[] = [];
  /** Claims added after the file's rows (the dental claims its EOBs open), in line order. */
  private readonly later: PlannedRow[] = [];

  /** `what`: the plan's words for a new claim in a status. */
  constructor(private readonly what: (status: ClaimStatus) => string) {}

  get length(): number {
    return this.lines.length + this.later.length;
  }

  /** A row of the file, in line order. */
  add(line: number, caseId: string, reference: string | undefined, status: ClaimStatus): void {
    this.lines.push(line);
    const code = claimKeyCode(caseId);
    this.ids.push(code ?? -1 - (this.otherIds.push(caseId) - 1));
    this.statuses.push(CLAIM_STATUSES.indexOf(status));
    this.references.push(reference);
  }

  /** A claim added after every row was read, for a line (in line order): listed after that line's own row. */
  addAfter(row: PlannedRow): void {
    this.later.push(row);
  }

  /** The rows in line order. */
  *[Symbol.iterator](): Iterator<PlannedRow> {
    let l = 0;
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines.at(i);
      for (let next = this.later[l]; next && next.line < line; next = this.later[++l]) yield next;
      const id = this.ids.at(i);
      const caseId = id >= 0 ? claimKeyOfCode(id) : (this.otherIds[-1 - id] ?? '');
      const reference = this.references[i];
      const what = this.what(CLAIM_STATUSES[this.statuses.at(i)] ?? 'draft');
      yield reference === undefined ? { line, caseId, what } : { line, caseId, reference, what };
    }
    yield* this.later.slice(l);
  }
}
