/**
 * What an import keeps for every row of its file, in typed arrays rather than an object or a Map entry per
 * row: with those, a 200,000-row file kept about 240 bytes a row, 47 of the 67 MB of heap at its last batch.
 */

/** Whole numbers, one a row, in a typed array that doubles as rows are added. */
export class IntColumn {
  private data = new Int32Array(1024);
  length = 0;

  push(n: number): void {
    if (this.length === this.data.length) {
      const more = new Int32Array(this.data.length * 2);
      more.set(this.data);
      this.data = more;
    }
    this.data[this.length++] = n;
  }

  at(i: number): number {
    return this.data[i] ?? 0;
  }
}

/** FNV-1a over the text's UTF-16 code units. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * Texts found in any letter case (as String.prototype.toLowerCase folds them), each with the line it is on:
 * the file's claim numbers. Kept as written (the plan holds the same strings), in an open-addressing table of
 * hashes of their lower case; a Map keyed by a lower-case copy of each held about 75 bytes a row more.
 */
export class LinesByText {
  /** Each slot: its entry's index + 1, 0 when free. */
  private slots = new Int32Array(1 << 10);
  private hashes = new Int32Array(1 << 10);
  private readonly texts: string[] = [];
  private readonly lines = new IntColumn();

  /** The line of the text whose lower case is `key`, if one was added. */
  get(key: string): number | undefined {
    const h = hashOf(key);
    const mask = this.slots.length - 1;
    for (let i = h & mask, slot = this.slots[i] ?? 0; slot; i = (i + 1) & mask, slot = this.slots[i] ?? 0) {
      // Two keys may share a hash: the text itself is compared (a duplicate claim number, or one in millions).
      if (this.hashes[i] === h && this.texts[slot - 1]?.toLowerCase() === key) return this.lines.at(slot - 1);
    }
    return undefined;
  }

  /** Adds `text` (whose lower case is `key`, not added yet) on `line`. */
  set(text: string, key: string, line: number): void {
    this.texts.push(text);
    this.lines.push(line);
    if (this.texts.length * 2 > this.slots.length) this.grow();
    this.place(hashOf(key), this.texts.length);
  }

  private place(h: number, entry: number): void {
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i]) i = (i + 1) & mask;
    this.slots[i] = entry;
    this.hashes[i] = h;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    for (let i = 0; i < slots.length; i++) {
      const entry = slots[i] ?? 0;
      if (entry) this.place(hashes[i] ?? 0, entry);
    }
  }
}
