/**
 * The JSON text of a list that only grows (a summary's messages or PDUs),
 * kept as it grows: each item is stringified once, however many snapshots
 * are sent. The text is what JSON.stringify(list) gives.
 *
 * (Plain JSON on purpose: the browser's native JSON.parse builds the
 * objects several times faster than any decoding of a more compact form in
 * JavaScript could, measured on the UI bench's 20,101 messages. An item may
 * be encoded first into plain JSON of fewer bytes, e.g. a message without
 * its field names and nulls (wire-message.ts): less for the browser to
 * receive and parse, the same JSON.parse.)
 */
export class JsonList<T = unknown> {
  /** Earlier items as JSON text, in blocks of about BLOCK chunks each (comma-separated items, no brackets). */
  #blocks: string[] = [];
  /** The latest chunks, not yet joined into a block. */
  #chunks: string[] = [];
  #count = 0;
  #first: unknown;

  readonly #encode: ((item: T) => unknown) | undefined;

  /** `encode`: what each item is written as (default: the item itself). */
  constructor(encode?: (item: T) => unknown) {
    this.#encode = encode;
  }

  /** Adds the items after the ones already there; a list that did not just grow (another first item, fewer items) is taken afresh. */
  update(list: readonly T[]): this {
    if (list.length < this.#count || (this.#count > 0 && list[0] !== this.#first)) {
      this.#blocks = [];
      this.#chunks = [];
      this.#count = 0;
    }
    if (list.length === this.#count) return this;
    this.#first = list[0];
    const added = list.slice(this.#count);
    this.#chunks.push(JSON.stringify(this.#encode ? added.map(this.#encode) : added).slice(1, -1));
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
