/**
 * The live WebSocket stream (`/api/live`): snapshot, then numbered deltas.
 * Reconnects with a growing delay; every (re)connect starts with a snapshot,
 * so nothing is lost. A gap in the delta numbers forces a reconnect.
 */
import type { EndpointInfo, LiveDelta, LiveServerMessage } from '../../../../shared/events/live-messages.ts';
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { withToken } from './api.ts';

export interface LiveHandlers {
  snapshot(summary: Summary, endpoints: EndpointInfo[], seq: number): void;
  deltas(deltas: LiveDelta[], seq: number): void;
  endpoints(endpoints: EndpointInfo[]): void;
  connection(state: 'connecting' | 'open' | 'closed'): void;
}

export class LiveClient {
  #socket: WebSocket | null = null;
  #seq = -1;
  #retry = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #batch: LiveDelta[] = [];
  #flushScheduled = false;

  constructor(
    private readonly handlers: LiveHandlers,
    private readonly url = LiveClient.defaultUrl(),
  ) {}

  static defaultUrl(): string {
    const { protocol, host } = globalThis.location;
    return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${withToken('/api/live')}`;
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

  #connect(): void {
    this.handlers.connection('connecting');
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#retry = 0;
      this.handlers.connection('open');
    };
    socket.onmessage = (event) => this.#receive(String(event.data));
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.handlers.connection('closed');
      if (this.#stopped) return;
      const delay = Math.min(5000, 250 * 2 ** this.#retry++);
      this.#timer = setTimeout(() => this.#connect(), delay);
    };
  }

  #receive(text: string): void {
    let message: LiveServerMessage;
    try {
      message = JSON.parse(text) as LiveServerMessage;
    } catch {
      return;
    }
    if (message.type === 'snapshot') {
      this.#batch = [];
      this.#seq = message.seq;
      this.handlers.snapshot(message.summary, message.endpoints, message.seq);
    } else if (message.type === 'delta') {
      if (this.#seq >= 0 && message.seq <= this.#seq) return; // already in the snapshot
      if (this.#seq >= 0 && message.seq !== this.#seq + 1) {
        this.#socket?.close(); // a gap: reconnect for a fresh snapshot
        return;
      }
      this.#seq = message.seq;
      this.#batch.push(message.delta);
      this.#scheduleFlush();
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
      const batch = this.#batch;
      this.#batch = [];
      if (batch.length) this.handlers.deltas(batch, this.#seq);
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush);
    else setTimeout(flush, 16);
  }
}
