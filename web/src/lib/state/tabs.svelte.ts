/**
 * The sources open in the page, as tabs: the live session, sessions of the
 * server's folder, summary files. One is shown (the Session); another
 * recorded one can be set beside it to compare, e.g. the same retrieve
 * against a synchronous and an asynchronous PACS.
 *
 * Tabs follow the Session: whatever opens a session or a file (the sessions
 * panel, a drop, ?session=) gets a tab through `track()`.
 *
 * A run (a teaching scenario, an operation of the operations panel) can get a
 * tab of its own: the live session scoped to the run's associations and
 * their sub-associations (the diagram filter's `only`), growing as the run
 * opens them. Whether runs open tabs is the user's choice, kept in the
 * browser.
 */
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { api } from '../transport/api.ts';
import { session } from './session.svelte.ts';
import { NO_FILTER } from '../../../../shared/view/diagram/filter.ts';

export interface Tab {
  id: string;
  kind: 'live' | 'session' | 'file' | 'run';
  title: string;
  /** A summary file's content (sessions are fetched again when shown; the server keeps them decoded). */
  summary?: Summary;
  /** A run's associations in the live session (its sub-associations are shown with them). */
  associations?: string[];
}

const RUN_TABS_KEY = 'pacscope.runTabs';

function stored(): boolean {
  try {
    return globalThis.localStorage?.getItem(RUN_TABS_KEY) === '1';
  } catch {
    return false;
  }
}

const LIVE: Tab = { id: 'live', kind: 'live', title: 'live' };

class Tabs {
  list = $state<Tab[]>([LIVE]);
  /** The recorded source beside the shown one, or null. */
  compare = $state.raw<{ tab: Tab; summary: Summary } | null>(null);
  error = $state<string | null>(null);
  #files = 0;
  /** The run tab shown, or null (the live tab or a recorded one). */
  #run = $state<string | null>(null);
  #ownTabs = $state(stored());

  /** Do runs open a tab of their own? */
  get runTabs(): boolean {
    return this.#ownTabs;
  }

  set runTabs(on: boolean) {
    this.#ownTabs = on;
    try {
      globalThis.localStorage?.setItem(RUN_TABS_KEY, on ? '1' : '0');
    } catch {
      /* private mode: for this page only */
    }
  }

  /** The tab of what the Session shows. */
  get active(): string {
    if (session.source === 'live') return this.#run !== null && session.filter.only !== null ? this.#run : 'live';
    if (session.source === 'session') return `s:${session.sessionName}`;
    return this.list.find((t) => t.kind === 'file' && t.summary === session.summary)?.id ?? 'live';
  }

  /** Adds a tab for what the Session shows when it has none (call from an effect). */
  track(): void {
    if (session.source === 'session' && session.sessionName !== null) {
      const id = `s:${session.sessionName}`;
      if (!this.list.some((t) => t.id === id)) this.list.push({ id, kind: 'session', title: session.sessionName });
    } else if (session.source === 'file' && !this.list.some((t) => t.summary === session.summary)) {
      this.#files += 1;
      this.list.push({ id: `f:${this.#files}`, kind: 'file', title: fileTitle(session.summary, this.#files), summary: session.summary });
    }
  }

  /** A run started: with run tabs on, it gets a tab, shown at once. `key`: unique per run ("scenario:ID", "op:ID"). */
  runStarted(key: string, title: string, associations: string[] = []): void {
    if (!this.#ownTabs || this.list.some((t) => t.id === `r:${key}`)) return;
    this.list.push({ id: `r:${key}`, kind: 'run', title, associations: [...associations] });
    void this.activate(`r:${key}`);
  }

  /** A run's associations so far: its tab (and the diagram, when that tab is shown) follows them. */
  runProgress(key: string, associations: readonly string[]): void {
    const tab = this.list.find((t) => t.id === `r:${key}`);
    if (!tab || (tab.associations?.length ?? 0) === associations.length) return;
    tab.associations = [...associations];
    if (this.active === tab.id) session.filter = { ...session.filter, only: new Set(associations) };
  }

  async activate(id: string): Promise<void> {
    const tab = this.list.find((t) => t.id === id);
    if (!tab || id === this.active) return;
    this.error = null;
    const leavingRun = this.#run !== null;
    this.#run = null;
    try {
      if (tab.kind === 'run') {
        session.goLive();
        this.#run = id;
        // A run id that has not opened an association yet still scopes the view (to nothing so far).
        session.filter = { ...NO_FILTER, only: new Set(tab.associations ?? []) };
      } else if (tab.kind === 'live') {
        session.goLive();
        if (leavingRun) session.filter = NO_FILTER;
      } else if (tab.kind === 'session') await session.open(tab.title);
      else session.load(tab.summary!);
    } catch (e) {
      this.error = `${tab.title}: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (this.compare?.tab.id === id) this.compare = null;
  }

  async close(id: string): Promise<void> {
    if (id === 'live') return;
    if (this.compare?.tab.id === id) this.compare = null;
    if (this.active === id) await this.activate('live');
    this.list = this.list.filter((t) => t.id !== id);
  }

  /** Shows recorded tab `id` beside the shown one; null: no comparison. */
  async compareWith(id: string | null): Promise<void> {
    this.error = null;
    const tab = id === null ? undefined : this.list.find((t) => t.id === id);
    if (!tab || tab.kind === 'live' || tab.kind === 'run') {
      this.compare = null;
      return;
    }
    try {
      this.compare = { tab, summary: tab.kind === 'file' ? tab.summary! : await api.session(tab.title) };
    } catch (e) {
      this.error = `${tab.title}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}

function fileTitle(summary: Summary, n: number): string {
  const path = summary.source?.path ?? '';
  const base = path.split(/[\\/]/).pop();
  return base ? base : `file ${n}`;
}

export const tabs = new Tabs();
