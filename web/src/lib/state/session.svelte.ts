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
 */
import type { EndpointInfo, LiveDelta } from '../../../../shared/events/live-messages.ts';
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { LiveClient } from '../transport/live-client.ts';
import { api, LIVE_DETAILS, sessionPageDetails, type SessionPageInfo, type SessionSummary } from '../transport/api.ts';
import { applyDeltas, emptySummary } from './apply-delta.ts';
import { NO_FILTER, type DiagramFilter } from '../diagram/filter.ts';

import type { Selection } from '../diagram/layout-types.ts';

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
  /** Where the summary comes from: the live stream, a session of the server's folder, or a file opened in the page. */
  source = $state<'live' | 'session' | 'file'>('live');
  /** The opened session's name (source 'session'). */
  sessionName = $state<string | null>(null);
  /** Where the inspector fetches message details and PDU bytes; null: nowhere (a summary file opened in the page). */
  detailBase = $state<string | null>(LIVE_DETAILS);
  /** The page of the opened session shown (source 'session'); null otherwise. */
  page = $state.raw<SessionPageInfo | null>(null);

  #client: LiveClient | null = null;

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
      snapshot: (summary, endpoints, seq) => {
        this.summary = summary;
        this.endpoints = endpoints;
        this.seq = seq;
      },
      deltas: (deltas: LiveDelta[], seq) => {
        this.summary = applyDeltas(this.summary, deltas);
        this.seq = seq;
      },
      pdus: (pdus) => (this.summary = { ...this.summary, pdus }),
      endpoints: (endpoints) => (this.endpoints = endpoints),
      connection: (state) => (this.connection = state),
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

  /** Back to the live stream (snapshot first) after a session or file. */
  goLive(): void {
    if (this.source === 'live') return;
    this.selected = null;
    this.filter = NO_FILTER;
    this.connect();
  }

  private show(summary: Summary, source: 'session' | 'file', name: string | null, detailBase: string | null): void {
    this.disconnect();
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
