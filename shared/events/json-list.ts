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
  /** The items so far as JSON text, in chunks (comma-separated items, no brackets). */
  #chunks: string[] = [];
  #count = 0;
  #first: unknown;

  /** Adds the items after the ones already there; a list that did not just grow (another first item, fewer items) is taken afresh. */
  update(list: readonly unknown[]): this {
    if (list.length < this.#count || (this.#count > 0 && list[0] !== this.#first)) {
      this.#chunks = [];
      this.#count = 0;
    }
    if (list.length === this.#count) return this;
    this.#first = list[0];
    this.#chunks.push(JSON.stringify(list.slice(this.#count)).slice(1, -1));
    this.#count = list.length;
    // Items added one at a time make many small chunks: joined now and then.
    if (this.#chunks.length > 512) this.#chunks = [this.#chunks.join(',')];
    return this;
  }

  get length(): number {
    return this.#count;
  }

  json(): string {
    return `[${this.#chunks.join(',')}]`;
  }
}
