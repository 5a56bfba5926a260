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
 *
 * The snapshot leaves the PDUs out; a client asks for them once with
 * `{type:'pdus'}` and gets them as of the last delta sent, every later 'pdu'
 * delta coming after them on the same ordered socket.
 *
 * A client that connects to a long window gets its live end first, a small
 * preview to draw while the snapshot comes (shared/events/live-preview.ts).
 *
 * The snapshot is of the hub's live window (server/capture/live-window.ts):
 * when the window moves on, every client gets a new snapshot of it, one text
 * for all, between two deltas, and may ask for the PDUs again.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CaptureHub } from '../capture/hub.ts';
import type { EndpointInfo, LiveClientMessage, LiveServerMessage } from '../../shared/events/live-messages.ts';
import { snapshotJson } from '../../shared/events/live-snapshot.ts';
import { previewJson } from '../../shared/events/live-preview.ts';

/** Unsent bytes after which a slow client is dropped (it resyncs from a snapshot). */
const MAX_BUFFERED = 32 * 1024 * 1024;

export class LiveStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<WebSocket>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeMoves: () => void;
  /** Clients that may ask for the PDUs (once per snapshot they got). */
  private readonly mayAskPdus = new WeakSet<WebSocket>();

  constructor(
    private readonly hub: CaptureHub,
    private readonly endpoints: () => EndpointInfo[],
  ) {
    // The hub keeps its window's messages and PDUs as JSON text as they come: each one stringified once for every snapshot and PDU request.
    this.unsubscribe = hub.onDelta((delta, seq) => this.broadcast({ type: 'delta', seq, delta }));
    this.unsubscribeMoves = hub.window.onMove(() => this.windowMoved());
  }

  /** The whole snapshot text now (the hub only delivers from its own callbacks: no delta falls between it and what follows). */
  private snapshot(): string {
    const summary = this.hub.summary();
    return snapshotJson(this.hub.sequence, summary, this.endpoints(), this.hub.window.messageTable, this.hub.window.info());
  }

  /** The window moved on: every client starts again from a snapshot of the new one. */
  private windowMoved(): void {
    if (this.clients.size === 0) return;
    const text = this.snapshot();
    for (const ws of this.clients) {
      this.mayAskPdus.add(ws);
      this.sendLarge(ws, text);
    }
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
    const snapshot = this.snapshot();
    // A long window's live end first, to draw while the snapshot comes (shared/events/live-preview.ts).
    const preview = previewJson(this.hub.sequence, this.hub.summary(), this.endpoints(), this.hub.window.info());
    this.clients.add(ws);
    this.mayAskPdus.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
    ws.on('message', (data, binary) => {
      // One request is understood, once per snapshot sent; anything else is ignored.
      if (binary || !this.mayAskPdus.has(ws) || !this.clients.has(ws)) return;
      let request: LiveClientMessage;
      try {
        request = JSON.parse(String(data)) as LiveClientMessage;
      } catch {
        return;
      }
      if (request?.type !== 'pdus') return;
      this.mayAskPdus.delete(ws);
      // Synchronous, between two deltas: the PDUs as of the last delta sent, the next 'pdu' delta after them.
      const pdus: Omit<Extract<LiveServerMessage, { type: 'pdus' }>, 'pdus'> = { type: 'pdus', seq: this.hub.sequence };
      this.sendLarge(ws, `${JSON.stringify(pdus).slice(0, -1)},"pdus":${this.hub.window.pduTable.json()}}`);
    });
    if (preview !== null) this.sendText(ws, preview);
    this.sendLarge(ws, snapshot);
  }

  private broadcast(message: LiveServerMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.clients) this.sendText(ws, text);
  }

  /** A snapshot or a PDU list (JSON text of a LiveServerMessage): allowed to drain, only a backlog beyond what is left of it counts as too slow. */
  private sendLarge(ws: WebSocket, text: string): void {
    this.sendText(ws, text);
    this.allowance.set(ws, (this.allowance.get(ws) ?? 0) + text.length);
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
    this.unsubscribeMoves();
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    this.wss.close();
  }
}
