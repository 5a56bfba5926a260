/**
 * The runs the HTTP API starts and clients poll (operations, doctor checks,
 * teaching scenarios): each has a view (polled as JSON), an AbortController
 * and a promise settled when it ends. Finished runs are kept for their
 * results, the oldest forgotten first past `keep`.
 */
export interface RunView {
  id: string;
  state: 'running' | 'done';
}

interface Entry<V> {
  view: V;
  abort: AbortController;
  done: Promise<void>;
}

export class RunRegistry<V extends RunView> {
  private readonly entries = new Map<string, Entry<V>>();
  private next = 1;

  constructor(
    /** Prefix of the ids ("op" → "op1", "op2"…). */
    private readonly prefix: string,
    private readonly keep: number,
  ) {}

  /** A fresh id for the next run. */
  newId(): string {
    return `${this.prefix}${this.next++}`;
  }

  /** Registers a run; `run` is marked done in its view once it settles, whatever the outcome. */
  add(view: V, abort: AbortController, run: Promise<unknown>): V {
    const done = run.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      view.state = 'done';
    });
    this.entries.set(view.id, { view, abort, done });
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.keep) break;
      if (e.view.state === 'done') this.entries.delete(id);
    }
    return view;
  }

  get(id: string): V | null {
    return this.entries.get(id)?.view ?? null;
  }

  /** Aborts a run (a C-CANCEL for operations); false when there is no such run. */
  cancel(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    e.abort.abort();
    return true;
  }

  /** Resolves once the run has ended (tests). */
  async settled(id: string): Promise<V | null> {
    const e = this.entries.get(id);
    if (!e) return null;
    await e.done;
    return e.view;
  }

  /** Aborts what still runs and waits for it. */
  async close(): Promise<void> {
    for (const e of this.entries.values()) if (e.view.state === 'running') e.abort.abort();
    await Promise.allSettled([...this.entries.values()].map((e) => e.done));
  }
}
