/**
 * The live session as a rune class: the Summary (replaced whole on every
 * change, hence `$state.raw`), the server's endpoints, the connection state,
 * the selected message, the view toggles and the diagram's filters.
 *
 * The live snapshot comes without PDUs (live-messages.ts): they are asked
 * for the first time the PDU level is shown or an arrow is selected (the
 * inspector finds a message's bytes through the PDU that carries it).
 *
 * A session of the server's folder comes a page at a time (docs/live-api.md,
 * "Sessions in pages"): `page` says which, `openPage` shows another; the
 * inspector's details are the shown page's.
 *
 * The live session too (docs/live-api.md, "The live window"): the stream
 * holds its last one or two pages (`liveWindow`), and a new snapshot when
 * they move on — the selection follows its message, PDU or association;
 * `openLivePage` shows an earlier page, read back from the recording.
 */
import type { EndpointInfo, LiveDelta, LiveWindowInfo } from '../../../../shared/events/live-messages.ts';
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { LiveClient } from '../transport/live-client.ts';
import { api, LIVE_DETAILS, livePageDetails, sessionPageDetails, type SessionPageInfo, type SessionSummary } from '../transport/api.ts';
import { applyDeltas, emptySummary } from './apply-delta.ts';
import { followSelection } from './follow-selection.ts';
import { LiveDiagnosis } from '../diagnosis/live-diagnosis.svelte.ts';
import { NO_FILTER, type DiagramFilter } from '../../../../shared/view/diagram/filter.ts';

import type { Selection } from '../../../../shared/view/diagram/layout-types.ts';

export type { Selection };

export class Session {
  summary = $state.raw<Summary>(emptySummary());
  endpoints = $state.raw<EndpointInfo[]>([]);
  connection = $state<'connecting' | 'open' | 'closed'>('connecting');
  seq = $state(-1);
  #selected = $state<Selection>(null);
  #showPdus = $state(false);
  realTime = $state(false);
  /** The diagram's filters (replaced whole on change). */
  filter = $state.raw<DiagramFilter>(NO_FILTER);
  /** Where the summary comes from: the live stream, an earlier page of the live session, a session of the server's folder, or a file opened in the page. */
  source = $state<'live' | 'live-page' | 'session' | 'file'>('live');
  /** The opened session's name (source 'session'). */
  sessionName = $state<string | null>(null);
  /** Where the inspector fetches message details and PDU bytes; null: nowhere (a summary file opened in the page). */
  detailBase = $state<string | null>(LIVE_DETAILS);
  /** The page of the opened session, or of the live session before its window, shown (source 'session', 'live-page'); null otherwise. */
  page = $state.raw<SessionPageInfo | null>(null);
  /** Where the live window stands in the live session, as of its last snapshot (null before the first). */
  liveWindow = $state.raw<LiveWindowInfo | null>(null);
  /**
   * The live end of a long window, drawn until its snapshot comes (shared/events/live-preview.ts): its messages from
   * `base` on, indices counted from there; `total` messages in the window. Null otherwise. Drawn only: `summary` stays
   * what it was (empty on a page just opened), so nothing selects, inspects, diagnoses or filters a part of the session.
   */
  preview = $state.raw<{ summary: Summary; base: number; total: number } | null>(null);

  /** The live session's diagnosis, off the main thread: fed the stream's texts here, asked by the findings panel. */
  readonly diagnosis = new LiveDiagnosis();

  #client: LiveClient | null = null;
  #snapshotDrawn = false;

  get selected(): Selection {
    return this.#selected;
  }

  set selected(selection: Selection) {
    this.#selected = selection;
    if (selection) this.#client?.wantPdus();
  }

  /** The PDU level of the diagram. */
  get showPdus(): boolean {
    return this.#showPdus;
  }

  set showPdus(on: boolean) {
    this.#showPdus = on;
    if (on) this.#client?.wantPdus();
  }

  connect(): void {
    this.source = 'live';
    this.sessionName = null;
    this.page = null;
    this.detailBase = LIVE_DETAILS;
    this.#client = new LiveClient({
      snapshot: (summary, endpoints, seq, window) => {
        const before = this.liveWindow;
        if (before && this.#selected) this.#selected = followSelection(this.#selected, this.summary, summary, before, window);
        this.summary = summary;
        this.preview = null;
        this.endpoints = endpoints;
        this.seq = seq;
        this.liveWindow = window;
        // The window's indices are those of its first page: details asked there stay right after it moves on.
        this.detailBase = livePageDetails(window.page);
        // Drawn in this task: the first time, marked after it in the page's performance timeline (the UI bench reads it).
        if (!this.#snapshotDrawn) setTimeout(() => performance.mark('pacscope:snapshot-drawn'), 0);
        this.#snapshotDrawn = true;
      },
      preview: (summary, base, endpoints) => {
        // Only on a page that shows nothing yet: a reconnect keeps drawing what it had until the snapshot.
        if (this.summary.messages.length > 0 || this.summary.associations.length > 0) return;
        this.preview = { summary, base, total: base + summary.messages.length };
        this.endpoints = endpoints;
      },
      deltas: (deltas: LiveDelta[], seq) => {
        this.summary = applyDeltas(this.summary, deltas);
        this.seq = seq;
      },
      pdus: (pdus) => (this.summary = { ...this.summary, pdus }),
      endpoints: (endpoints) => (this.endpoints = endpoints),
      connection: (state) => (this.connection = state),
      accepted: (kind, text) => this.diagnosis.stream(kind, text),
    });
    if (this.#showPdus || this.#selected) this.#client.wantPdus();
    this.#client.start();
  }

  disconnect(): void {
    this.#client?.stop();
  }

  /** Shows a summary without a server (a file opened in the page, tests). */
  load(summary: Summary): void {
    this.show(summary, 'file', null, null);
  }

  /** Shows a session of the server's sessions folder (decoded there; details fetched from it), from its first page. */
  async open(name: string): Promise<void> {
    await this.openPage(name, 0);
  }

  /** Shows page `k` (0-based) of a session of the server's folder. */
  async openPage(name: string, k: number): Promise<void> {
    const summary: SessionSummary = await api.sessionPage(name, k);
    this.show(summary, 'session', name, sessionPageDetails(name, k));
    this.page = summary.page ?? null;
  }

  /** Shows page `k` (0-based) of the live session, one before the live window, read back from the recording by the server. */
  async openLivePage(k: number): Promise<void> {
    const summary: SessionSummary = await api.livePage(k);
    const window = this.liveWindow;
    this.show(summary, 'live-page', null, livePageDetails(k));
    this.page = summary.page ?? null;
    this.liveWindow = window;
  }

  /** Back to the live stream (snapshot first) after a session or file. */
  goLive(): void {
    if (this.source === 'live') return;
    this.selected = null;
    this.filter = NO_FILTER;
    // Nothing of the session or file shown stays under "live" while the stream's snapshot is on its way (the preview
    // of a long window is drawn on an empty page only).
    this.summary = emptySummary();
    this.connect();
  }

  private show(summary: Summary, source: 'live-page' | 'session' | 'file', name: string | null, detailBase: string | null): void {
    this.disconnect();
    this.preview = null;
    this.source = source;
    this.sessionName = name;
    this.detailBase = detailBase;
    this.page = null;
    this.connection = 'closed';
    this.summary = summary;
    this.selected = null;
    this.filter = NO_FILTER;
  }
}

export const session = new Session();
