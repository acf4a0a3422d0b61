/** The letters port: drafts by case ID, the template and the facts the letter states, to regenerate it any day. */

export interface StoredLetter {
  caseId: string;
  templateId: string;
  templateVersion: number;
  facts: Record<string, string>;
  narrative?: string[];
  owner: string;
  updatedAt: number;
}

export interface LetterStore {
  get(caseId: string): Promise<StoredLetter | undefined>;
  /** Keeps the draft (replacing the case's earlier one). A turn saves it through the unit of work instead. */
  put(letter: StoredLetter): Promise<void>;
}
