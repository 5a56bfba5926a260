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
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CaptureHub } from '../capture/hub.ts';
import type { EndpointInfo, LiveClientMessage, LiveServerMessage } from '../../shared/events/live-messages.ts';
import { snapshotJson } from '../../shared/events/live-snapshot.ts';
import { JsonList } from '../../shared/events/json-list.ts';

/** Unsent bytes after which a slow client is dropped (it resyncs from a snapshot). */
const MAX_BUFFERED = 32 * 1024 * 1024;

export class LiveStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<WebSocket>();
  private readonly unsubscribe: () => void;
  /** The hub's messages and PDUs as JSON text, kept as they grow: each one stringified once for every snapshot and PDU request. */
  private readonly messageTable = new JsonList();
  private readonly pduTable = new JsonList();

  constructor(
    private readonly hub: CaptureHub,
    private readonly endpoints: () => EndpointInfo[],
  ) {
    // The messages are kept as text as they come, ready for the next snapshot.
    this.messageTable.update(hub.summary().messages);
    this.unsubscribe = hub.onDelta((delta, seq) => {
      if (delta.type === 'message') this.messageTable.update(hub.summary().messages);
      this.broadcast({ type: 'delta', seq, delta });
    });
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
    const snapshot = snapshotJson(this.hub.sequence, this.hub.summary(), this.endpoints(), this.messageTable);
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
    let pdusSent = false;
    ws.on('message', (data, binary) => {
      // One request is understood, once per connection; anything else is ignored.
      if (binary || pdusSent || !this.clients.has(ws)) return;
      let request: LiveClientMessage;
      try {
        request = JSON.parse(String(data)) as LiveClientMessage;
      } catch {
        return;
      }
      if (request?.type !== 'pdus') return;
      pdusSent = true;
      // Synchronous, between two deltas: the PDUs as of the last delta sent, the next 'pdu' delta after them.
      const pdus: Omit<Extract<LiveServerMessage, { type: 'pdus' }>, 'pdus'> = { type: 'pdus', seq: this.hub.sequence };
      this.sendLarge(ws, `${JSON.stringify(pdus).slice(0, -1)},"pdus":${this.pduTable.update(this.hub.summary().pdus).json()}}`);
    });
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
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    this.wss.close();
  }
}
