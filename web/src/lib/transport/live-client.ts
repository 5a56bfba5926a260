/**
 * The live WebSocket stream (`/api/live`): snapshot, then numbered deltas.
 * Reconnects with a growing delay; every (re)connect starts with a snapshot,
 * so nothing is lost. A gap in the delta numbers forces a reconnect.
 *
 * The snapshot comes without PDUs: once they are wanted (`wantPdus`), they
 * are asked for after every snapshot, and 'pdu' deltas are dropped until they
 * came (the list answered holds them).
 *
 * The server sends a snapshot again, on the same connection, when its live
 * window moves on (docs/live-api.md, "The live window"): it replaces the
 * model, as the first one did.
 *
 * The first connection may be the one the page opened before the UI was
 * loaded (early-socket.ts): taken over with what it received so far. Before
 * the snapshot of a long window comes its live end, to draw in the meantime
 * (`preview`).
 */
import type { EndpointInfo, LiveClientMessage, LiveDelta, LiveServerMessage, LiveWindowInfo } from '../../../../shared/events/live-messages.ts';
import type { Summary, SummaryPdu } from '../../../../shared/model/summary-types.ts';
import { unpackSnapshot, wholeWindow } from '../../../../shared/events/live-snapshot.ts';
import { liveUrl, openLiveSocket, takeEarlySocket } from './early-socket.ts';

/** The live messages that change the model, as `LiveHandlers.accepted` names them. */
export type AcceptedKind = 'snapshot' | 'delta' | 'pdus';

export interface LiveHandlers {
  /** The live window of the session (all of a short one), PDUs not included; again whenever the window moves on. */
  snapshot(summary: Summary, endpoints: EndpointInfo[], seq: number, window: LiveWindowInfo): void;
  /** A long window's live end, before its snapshot (shared/events/live-preview.ts): its messages from `base` on, indices counted from there. To draw only. */
  preview(summary: Summary, base: number, endpoints: EndpointInfo[]): void;
  deltas(deltas: LiveDelta[], seq: number): void;
  /** The PDUs asked for: the whole list so far (the deltas handed over before it are in it; later ones append to it). */
  pdus(pdus: SummaryPdu[], seq: number): void;
  endpoints(endpoints: EndpointInfo[]): void;
  connection(state: 'connecting' | 'open' | 'closed'): void;
  /** The text of every snapshot, delta and PDU list taken (in order, whatever the batching): a mirror of the model rebuilds it from them (the diagnosis worker). */
  accepted?(kind: AcceptedKind, text: string): void;
}

export class LiveClient {
  #socket: WebSocket | null = null;
  #seq = -1;
  #retry = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #batch: LiveDelta[] = [];
  #flushScheduled = false;
  #wantPdus = false;
  /** The PDUs of the last snapshot: not asked for, asked for, or there (then 'pdu' deltas are kept). */
  #pdus: 'none' | 'asked' | 'here' = 'none';

  constructor(
    private readonly handlers: LiveHandlers,
    private readonly url = LiveClient.defaultUrl(),
  ) {}

  static defaultUrl(): string {
    return liveUrl();
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#socket?.close();
    this.#socket = null;
  }

  /** From now on the PDUs are wanted (PDU level shown, an arrow inspected): asked for now and after every reconnect. */
  wantPdus(): void {
    this.#wantPdus = true;
    this.#askPdus();
  }

  #askPdus(): void {
    const socket = this.#socket;
    // Asked after the snapshot, so that the answer's PDUs line up with the deltas this connection numbers.
    if (!this.#wantPdus || this.#pdus !== 'none' || this.#seq < 0 || !socket || socket.readyState !== socket.OPEN) return;
    this.#pdus = 'asked';
    const request: LiveClientMessage = { type: 'pdus' };
    socket.send(JSON.stringify(request));
  }

  #connect(): void {
    this.handlers.connection('connecting');
    const early = takeEarlySocket(this.url);
    const socket = early?.socket ?? openLiveSocket(this.url);
    this.#socket = socket;
    this.#seq = -1;
    this.#pdus = 'none';
    const opened = () => {
      this.#retry = 0;
      this.handlers.connection('open');
    };
    socket.onopen = opened;
    socket.onmessage = (event) => this.#receive(String(event.data));
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.handlers.connection('closed');
      if (this.#stopped) return;
      const delay = Math.min(5000, 250 * 2 ** this.#retry++);
      this.#timer = setTimeout(() => this.#connect(), delay);
    };
    if (!early) return;
    // Taken over: its open and its messages so far happened before these handlers.
    if (socket.readyState === WebSocket.OPEN) opened();
    for (const { text, at } of early.texts) this.#receive(text, at);
  }

  /** `arrived`: when it came (earlier than now for a message the early socket kept). */
  #receive(text: string, arrived = performance.now()): void {
    let message: LiveServerMessage;
    try {
      message = JSON.parse(text) as LiveServerMessage;
    } catch {
      return;
    }
    if (message.type === 'preview') {
      // Only before the connection's snapshot; in the page's performance timeline (the UI bench reads it).
      if (this.#seq >= 0) return;
      performance.mark('pacscope:preview', { startTime: arrived, detail: { length: text.length, base: message.base } });
      this.handlers.preview(unpackSnapshot(message.summary), message.base, message.endpoints);
    } else if (message.type === 'snapshot') {
      // In the page's performance timeline: when it was there to parse (the UI bench reads it).
      if (this.#seq < 0) performance.mark('pacscope:snapshot', { startTime: arrived, detail: { length: text.length } });
      this.#batch = [];
      this.#seq = message.seq;
      // A new snapshot replaces everything, the PDUs too: asked for again.
      this.#pdus = 'none';
      const summary = unpackSnapshot(message.summary);
      this.handlers.snapshot(summary, message.endpoints, message.seq, message.window ?? wholeWindow(summary));
      this.handlers.accepted?.('snapshot', text);
      this.#askPdus();
    } else if (message.type === 'delta') {
      if (this.#seq >= 0 && message.seq <= this.#seq) return; // already in the snapshot
      if (this.#seq >= 0 && message.seq !== this.#seq + 1) {
        this.#socket?.close(); // a gap: reconnect for a fresh snapshot
        return;
      }
      this.#seq = message.seq;
      if (message.delta.type === 'pdu' && this.#pdus !== 'here') return; // the list asked for will hold it
      this.#batch.push(message.delta);
      this.handlers.accepted?.('delta', text);
      this.#scheduleFlush();
    } else if (message.type === 'pdus') {
      if (this.#pdus !== 'asked') return;
      this.#pdus = 'here';
      // The deltas received before it first: its list replaces the PDUs, later deltas append to it.
      this.#flush();
      this.handlers.pdus(message.pdus, message.seq);
      this.handlers.accepted?.('pdus', text);
    } else if (message.type === 'endpoints') {
      this.handlers.endpoints(message.endpoints);
    }
  }

  /** Deltas arriving in a burst are applied once per animation frame. */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const flush = () => {
      this.#flushScheduled = false;
      this.#flush();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush);
    else setTimeout(flush, 16);
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length) this.handlers.deltas(batch, this.#seq);
  }
}
