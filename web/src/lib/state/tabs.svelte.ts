/**
 * The sources open in the page, as tabs: the live session, sessions of the
 * server's folder, summary files. One is shown (the Session); another
 * recorded one can be set beside it to compare, e.g. the same retrieve
 * against a synchronous and an asynchronous PACS.
 *
 * Tabs follow the Session: whatever opens a session or a file (the sessions
 * panel, a drop, ?session=) gets a tab through `track()`.
 */
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { api } from '../transport/api.ts';
import { session } from './session.svelte.ts';

export interface Tab {
  id: string;
  kind: 'live' | 'session' | 'file';
  title: string;
  /** A summary file's content (sessions are fetched again when shown; the server keeps them decoded). */
  summary?: Summary;
}

const LIVE: Tab = { id: 'live', kind: 'live', title: 'live' };

class Tabs {
  list = $state<Tab[]>([LIVE]);
  /** The recorded source beside the shown one, or null. */
  compare = $state.raw<{ tab: Tab; summary: Summary } | null>(null);
  error = $state<string | null>(null);
  #files = 0;

  /** The tab of what the Session shows. */
  get active(): string {
    if (session.source === 'live') return 'live';
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

  async activate(id: string): Promise<void> {
    const tab = this.list.find((t) => t.id === id);
    if (!tab || id === this.active) return;
    this.error = null;
    try {
      if (tab.kind === 'live') session.goLive();
      else if (tab.kind === 'session') await session.open(tab.title);
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
    if (!tab || tab.kind === 'live') {
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
