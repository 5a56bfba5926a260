/**
 * The JSON text of a list that only grows (a summary's messages or PDUs),
 * kept as it grows: each item is stringified once, however many snapshots
 * are sent. The text is what JSON.stringify(list) gives.
 *
 * (Plain JSON on purpose: the browser's native JSON.parse builds the
 * objects several times faster than any decoding of a more compact form in
 * JavaScript could, measured on the UI bench's 20,101 messages.)
 */
export class JsonList {
  /** Earlier items as JSON text, in blocks of about BLOCK chunks each (comma-separated items, no brackets). */
  #blocks: string[] = [];
  /** The latest chunks, not yet joined into a block. */
  #chunks: string[] = [];
  #count = 0;
  #first: unknown;

  /** Adds the items after the ones already there; a list that did not just grow (another first item, fewer items) is taken afresh. */
  update(list: readonly unknown[]): this {
    if (list.length < this.#count || (this.#count > 0 && list[0] !== this.#first)) {
      this.#blocks = [];
      this.#chunks = [];
      this.#count = 0;
    }
    if (list.length === this.#count) return this;
    this.#first = list[0];
    this.#chunks.push(JSON.stringify(list.slice(this.#count)).slice(1, -1));
    this.#count = list.length;
    // Items added one at a time make many small chunks: joined into a block now and then. Never all the text
    // again: joining everything every 512 items held the event loop for tens of ms once the list was long (issue 14).
    if (this.#chunks.length >= BLOCK) {
      this.#blocks.push(this.#chunks.join(','));
      this.#chunks = [];
    }
    return this;
  }

  get length(): number {
    return this.#count;
  }

  json(): string {
    return `[${[...this.#blocks, ...this.#chunks].join(',')}]`;
  }
}

const BLOCK = 512;
