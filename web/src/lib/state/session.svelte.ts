/**
 * The live session as a rune class: the Summary (replaced whole on every
 * change, hence `$state.raw`), the server's endpoints, the connection state,
 * the selected message, the view toggles and the diagram's filters.
 */
import type { EndpointInfo, LiveDelta } from '../../../../shared/events/live-messages.ts';
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { LiveClient } from '../transport/live-client.ts';
import { applyDeltas, emptySummary } from './apply-delta.ts';
import { NO_FILTER, type DiagramFilter } from '../diagram/filter.ts';

export type Selection = { kind: 'message' | 'pdu'; index: number } | null;

export class Session {
  summary = $state.raw<Summary>(emptySummary());
  endpoints = $state.raw<EndpointInfo[]>([]);
  connection = $state<'connecting' | 'open' | 'closed'>('connecting');
  seq = $state(-1);
  selected = $state<Selection>(null);
  showPdus = $state(false);
  realTime = $state(false);
  /** The diagram's filters (replaced whole on change). */
  filter = $state.raw<DiagramFilter>(NO_FILTER);
  /** Where the summary comes from: the live stream, or a file opened in the page (no message details then). */
  source = $state<'live' | 'file'>('live');

  #client: LiveClient | null = null;

  connect(): void {
    this.source = 'live';
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
      endpoints: (endpoints) => (this.endpoints = endpoints),
      connection: (state) => (this.connection = state),
    });
    this.#client.start();
  }

  disconnect(): void {
    this.#client?.stop();
  }

  /** Shows a summary without a server (a file opened in the page, tests). */
  load(summary: Summary): void {
    this.disconnect();
    this.source = 'file';
    this.connection = 'closed';
    this.summary = summary;
    this.selected = null;
    this.filter = NO_FILTER;
  }
}

export const session = new Session();
