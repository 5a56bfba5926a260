/**
 * The live WebSocket stream `/api/live` (shared/events/live-messages.ts):
 * snapshot then live. On connect a client gets the whole derived model so far
 * with the number of the last delta in it, then every delta numbered from the
 * next one on, so a browser that opens late or reconnects misses nothing and
 * sees nothing twice. Taking the snapshot and subscribing happen in the same
 * synchronous step: no delta can fall between them.
 *
 * A client that cannot keep up (megabytes unsent) is closed with 1013; it
 * reconnects and starts again from a fresh snapshot.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CaptureHub } from '../capture/hub.ts';
import { LIVE_PROTOCOL_VERSION, type EndpointInfo, type LiveServerMessage } from '../../shared/events/live-messages.ts';

/** Unsent bytes after which a slow client is dropped (it resyncs from a snapshot). */
const MAX_BUFFERED = 32 * 1024 * 1024;

export class LiveStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<WebSocket>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly hub: CaptureHub,
    private readonly endpoints: () => EndpointInfo[],
  ) {
    this.unsubscribe = hub.onDelta((delta, seq) => this.broadcast({ type: 'delta', seq, delta }));
  }

  /** Completes an upgrade the HTTP server has already checked (path, Origin, token). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Tells every client the endpoints changed (PACS settings edited). */
  endpointsChanged(): void {
    this.broadcast({ type: 'endpoints', endpoints: this.endpoints() });
  }

  /** Bytes of each client's snapshot that may still be waiting to be sent. */
  private readonly allowance = new WeakMap<WebSocket, number>();

  private attach(ws: WebSocket): void {
    // Snapshot and subscription in one synchronous step (the hub only delivers from its own callbacks).
    const snapshot: LiveServerMessage = { type: 'snapshot', version: LIVE_PROTOCOL_VERSION, seq: this.hub.sequence, summary: this.hub.summary(), endpoints: this.endpoints() };
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
    // The stream is one-way; anything the browser sends is ignored.
    ws.on('message', () => undefined);
    this.send(ws, snapshot);
  }

  private broadcast(message: LiveServerMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.clients) this.sendText(ws, text);
  }

  private send(ws: WebSocket, message: LiveServerMessage): void {
    const text = JSON.stringify(message);
    this.sendText(ws, text);
    // A large snapshot is allowed to drain: only a backlog beyond what is left of it counts as too slow.
    if (message.type === 'snapshot') this.allowance.set(ws, text.length);
  }

  private sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    let allowance = this.allowance.get(ws) ?? 0;
    if (ws.bufferedAmount < allowance) this.allowance.set(ws, (allowance = ws.bufferedAmount));
    if (ws.bufferedAmount > MAX_BUFFERED + allowance) {
      this.clients.delete(ws);
      ws.close(1013, 'too slow: reconnect for a fresh snapshot');
      return;
    }
    ws.send(text);
  }

  /** Closes every client and stops listening to the hub. */
  close(): void {
    this.unsubscribe();
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    this.wss.close();
  }
}
