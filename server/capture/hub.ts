/**
 * The live capture hub: every endpoint of this process (SCU operations, the
 * built-in PACS, the store SCP, later the proxy) hands its wire events to one
 * hub, which numbers connections, appends the events to a recording (when
 * asked) and runs the one decoder on them as they come (docs/architecture.md
 * §1 and §2). Listeners get the derived events live; `summary()` gives the
 * model of the live window.
 *
 * Memory is bounded whatever the session's length (issue 14): the model,
 * the messages' full decode and the JSON the browsers get are kept for the
 * last one or two pages of the session only (live-window.ts); older pages
 * are read back from the recording when asked for (recorded-page.ts). A
 * burst of messages in one read is decoded in slices, so that no slice holds
 * the event loop for long (decode-queue.ts).
 */
import type { Endpoint, WireEvent } from '../../shared/capture/wire-event.ts';
import type { DerivedEvent } from '../../shared/events/derived-event.ts';
import type { LiveDelta } from '../../shared/events/live-messages.ts';
import type { DimseMessage } from '../../shared/dimse/types.ts';
import type { RecordingSource } from '../../shared/capture/recording/recording-meta.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { SessionDecoder } from '../../shared/model/session-decoder.ts';
import { RecordingWriter } from '../recording/writer.ts';
import { ConnectionCounter, type WireSink } from '../sources/tap.ts';
import { ByteLog } from './byte-log.ts';
import { DecodeQueue } from './decode-queue.ts';
import { DEFAULT_LIVE_WINDOW, livePageBudget } from './live-pages.ts';
import { LiveWindow } from './live-window.ts';
import { RecordedPages } from './recorded-page.ts';
import { VERSION } from '../version.ts';

/** Past these a live capture waits (`busy`): a few hundred ms of decoding, a few disk writes. */
const BUSY_EVENTS = 2000;
const BUSY_RECORDING_BYTES = 32 * 1024 * 1024;

export interface CaptureHubOptions {
  /** Append every wire event to this recording file (created; refused if it exists unless overwrite). */
  recordPath?: string;
  overwrite?: boolean;
  source: RecordingSource;
  metadata?: Record<string, unknown>;
  /** The summary's `source.format` (default "live"; a file's format when a file is run through a hub). */
  format?: string;
  /** Bytes of the connections kept in memory for /api/pdus/:index/bytes (default 64 MiB; the oldest go first). */
  byteBudget?: number;
  /** DIMSE messages the live window holds at most: two pages of half of it (default DEFAULT_LIVE_WINDOW, `serve --live-window`). */
  liveWindow?: number;
}

/** A PDU's bytes (at most `cap` of them), or why not. */
export type PduBytes =
  | { ok: true; index: number; offset: number; length: number; truncated: boolean; bytes: Uint8Array }
  | { ok: false; status: 404 | 410; reason: string };

export type DerivedListener = (event: DerivedEvent) => void;
export type DeltaListener = (delta: LiveDelta, seq: number) => void;

export class CaptureHub {
  private readonly counter = new ConnectionCounter();
  private readonly decoder = new SessionDecoder();
  private readonly listeners = new Set<DerivedListener>();
  private readonly deltaListeners = new Set<DeltaListener>();
  /** The part of the session in memory: its model, the full decode of its messages, their JSON (live-window.ts). */
  readonly window: LiveWindow;
  /** The pages before it, read back from the recording on demand. */
  readonly pages: RecordedPages;
  private readonly queue: DecodeQueue;
  private seq = 0;
  /** Open connections by their TCP 4-tuple (several for a proxied one), and the connections that are another end of one of them. */
  private readonly byTuple = new Map<string, number>();
  private readonly tupleOf = new Map<number, string[]>();
  private readonly mirrorOf = new Map<number, number>();
  /** Tuples of connections that ended lately, with their owner and end time: a live capture reports a connection after a tap of this process has seen it end. */
  private readonly endedTuples = new Map<string, { owner: number; time: number }>();
  /** Association id ("a3") of each connection number the decoder has seen open. */
  private readonly associations = new Map<number, string>();
  /** The reverse: connection number of each association id. */
  private readonly connections = new Map<string, number>();
  private readonly bytes: ByteLog;
  private closed = false;

  private constructor(
    private readonly writer: RecordingWriter | null,
    label: string,
    byteBudget: number,
    format: string,
    liveWindow: number,
  ) {
    const source = { path: label, format };
    this.window = new LiveWindow(source, livePageBudget(liveWindow), writer !== null, writer?.bytesWritten ?? 0);
    this.pages = new RecordedPages(writer?.path ?? null, this.window, source, () => this.flush());
    this.bytes = new ByteLog(byteBudget);
    this.queue = new DecodeQueue({
      decode: (event, start) => {
        for (const derived of this.decoder.push(event)) this.deliver(derived, start);
      },
      done: (end) => this.window.recordDone(end),
    });
  }

  static async open(options: CaptureHubOptions): Promise<CaptureHub> {
    const writer = options.recordPath
      ? await RecordingWriter.open(
          options.recordPath,
          { tool: { name: 'pacscope', version: VERSION }, startTime: Date.now(), source: options.source, metadata: options.metadata ?? {} },
          { overwrite: options.overwrite },
        )
      : null;
    return new CaptureHub(writer, options.recordPath ?? options.source.description, options.byteBudget ?? 64 * 1024 * 1024, options.format ?? 'live', options.liveWindow ?? DEFAULT_LIVE_WINDOW);
  }

  /** A fresh connection number for a new socket. */
  nextConnection(): number {
    return this.counter.next();
  }

  /** Where taps send their events. Bound, so it can be handed around as a function. */
  readonly sink: WireSink = (event: WireEvent): void => {
    if (this.closed || this.isMirror(event)) return;
    // Where its record lies: a page of the live session is a stretch of the recording (live-pages.ts).
    const start = this.writer?.bytesWritten ?? 0;
    this.writer?.write(event);
    if (event.kind === 'data') this.bytes.data(event.conn, event.from, event.bytes);
    else if (event.kind === 'gap') this.bytes.gap(event.conn, event.from, event.length);
    else if (event.kind === 'close') this.bytes.close(event.conn, event.from);
    this.queue.push({ event, start, end: this.writer?.bytesWritten ?? 0 });
  };

  /**
   * When both ends of one TCP connection are in this process (the PACS's
   * sub-association to the in-process store SCP), both taps report the same
   * bytes: the first end to open is the connection, the other is a mirror and
   * is dropped, so the recording and the model hold each connection once.
   */
  private isMirror(event: WireEvent): boolean {
    // A refusal is kept even from a mirror: it is the only trace of why (e.g. the proxy's upstream refused).
    if (this.mirrorOf.has(event.conn)) return event.kind !== 'refused';
    // A connection whose real legs were named (a proxy's relay: client → proxy, proxy → upstream) is known by
    // them alone: its open joins the two far ends (client → upstream), a pair no socket has, which can equal
    // another relay's real upstream leg (Linux gives one ephemeral port to connections to different peers),
    // and that relay is not this one: taken for a mirror, the open was dropped with the whole connection (the
    // likely way the proxy concurrency interop test once recorded 48 of 56 parallel associations).
    if (event.kind === 'open' && this.tupleOf.has(event.conn)) return false;
    if (event.kind === 'open') {
      const tuple = tupleKey(event.requestor, event.acceptor);
      const owner = this.byTuple.get(tuple);
      if (owner !== undefined && owner !== event.conn) {
        this.mirror(event.conn, owner);
        return true;
      }
      // A capture (server/sources/live-capture.ts) hands over a connection a quarter second late, maybe after
      // this process's own tap saw it end: the same connection if it opened before that end (a later one on
      // the same 4-tuple opens after it: RFC 9293 TIME-WAIT).
      const ended = owner === undefined ? this.endedTuples.get(tuple) : undefined;
      if (ended !== undefined && ended.owner !== event.conn && event.time <= ended.time) {
        this.mirror(event.conn, ended.owner);
        return true;
      }
      if (owner === undefined) this.own(event.conn, [tuple]);
    } else if (event.kind === 'close' || event.kind === 'refused') {
      // The 4-tuple may be reused by a later connection once this one is closing.
      for (const t of this.tupleOf.get(event.conn) ?? []) {
        if (this.byTuple.get(t) !== event.conn) continue;
        this.byTuple.delete(t);
        this.endedTuples.delete(t);
        this.endedTuples.set(t, { owner: event.conn, time: event.time });
        if (this.endedTuples.size > MAX_ENDED_TUPLES) this.endedTuples.delete(this.endedTuples.keys().next().value as string);
      }
      this.tupleOf.delete(event.conn);
    }
    return false;
  }

  /** `conn` is another end of `owner`; the oldest mirrors are forgotten (their events came long ago). */
  private mirror(conn: number, owner: number): void {
    this.mirrorOf.set(conn, owner);
    if (this.mirrorOf.size > MAX_KNOWN) this.mirrorOf.delete(this.mirrorOf.keys().next().value!);
  }

  private own(conn: number, tuples: string[]): void {
    const owned = this.tupleOf.get(conn) ?? [];
    for (const t of tuples) {
      if (this.byTuple.has(t)) continue;
      this.byTuple.set(t, conn);
      owned.push(t);
    }
    this.tupleOf.set(conn, owned);
  }

  /**
   * A relay (the proxy) reports that connection `conn` is also these TCP
   * connections (its legs client → proxy and proxy → upstream), as soon as it
   * knows each, before `conn` opens: a tap of this process on a leg (an own
   * SCU calling through the proxy, the built-in PACS behind it) is then a
   * mirror of `conn` — or, if that tap opened first, `conn` is its mirror —
   * so the connection is recorded and shown once.
   */
  alsoKnownAs(conn: number, legs: { requestor: Endpoint; acceptor: Endpoint }[]): void {
    if (this.closed) return;
    const tuples = legs.map((l) => tupleKey(l.requestor, l.acceptor));
    let root = this.mirrorOf.get(conn) ?? conn;
    const other = tuples.map((t) => this.byTuple.get(t)).find((c) => c !== undefined && c !== root);
    if (other !== undefined && root === conn && !this.associations.has(conn)) {
      this.mirror(conn, other);
      root = other;
    }
    this.own(root, tuples);
  }

  onDerived(listener: DerivedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes of the derived model as they happen, numbered (the live WebSocket stream). */
  onDelta(listener: DeltaListener): () => void {
    this.deltaListeners.add(listener);
    return () => this.deltaListeners.delete(listener);
  }

  /** Number of the last delta: a snapshot taken now is followed by deltas from `sequence + 1` on. */
  get sequence(): number {
    this.queue.settle();
    return this.seq;
  }

  /**
   * The full decoded DIMSE message `index` of the session (`summary()`'s
   * message `index - window.first.message`) when the window holds it, else
   * null: `pages.messageDetail` reads older ones back.
   */
  messageDetail(index: number): DimseMessage | null {
    this.queue.settle();
    return this.window.detail(index);
  }

  /**
   * The bytes of PDU `index` of the session, at most `cap` of them (a bigger
   * PDU comes truncated), when the window holds the PDU and its bytes are
   * still in memory: 404 when there is no such PDU here or its bytes were
   * never seen here, 410 when they were dropped to keep memory bounded
   * (`pages.pduBytes` reads them back from the recording).
   */
  pduBytes(index: number, cap = 64 * 1024): PduBytes {
    this.queue.settle();
    const pdu = this.window.pdu(index);
    if (!pdu) return { ok: false, status: 404, reason: `no PDU ${index} in the live window` };
    const conn = this.connections.get(pdu.association);
    const read = conn === undefined ? null : this.bytes.read(conn, pdu.from, pdu.offset, pdu.length, cap);
    if (read === null) return { ok: false, status: 404, reason: `the bytes of PDU ${index} were not captured here` };
    if (read === 'gone') return { ok: false, status: 410, reason: `the bytes of PDU ${index} are gone: older traffic is dropped to keep memory bounded (or was lost in a capture gap)` };
    return { ok: true, index, offset: pdu.offset, length: pdu.length, truncated: read.truncated, bytes: read.bytes };
  }

  /** The derived model of the live window (associations still open have outcome "open"); its indices are the window's own. */
  summary(): Summary {
    this.queue.settle();
    return this.window.summary();
  }

  /** Decodes what waits (a burst's later slices) now. */
  settle(): void {
    this.queue.settle();
  }

  /**
   * More waits here than a live capture should add to (capture-spool.ts):
   * wire events not yet decoded, or recording bytes not yet on disk. A
   * capture then leaves its backlog in dumpcap's files until this clears.
   */
  get busy(): boolean {
    return this.queue.waiting > BUSY_EVENTS || (this.writer?.pending ?? 0) > BUSY_RECORDING_BYTES;
  }

  /** Wire events waiting to be decoded, slices run on a later turn (a burst's rest) and the longest slice so far (ms), for the benchmarks and tests. */
  get decoding(): { waiting: number; deferred: number; longestSlice: number } {
    return { waiting: this.queue.waiting, deferred: this.queue.deferred, longestSlice: this.queue.longestSlice };
  }

  /**
   * Appends a metadata update to the recording (an `M` record, shallow-merged
   * into the header's metadata by readers), e.g. a teaching scenario run; a
   * hub that records nothing ignores it.
   */
  recordMetadata(metadata: Record<string, unknown>): void {
    if (!this.closed) this.writer?.writeMetadata(metadata);
  }

  /**
   * A problem of a source that belongs to no connection (a live capture's
   * packets dropped by the kernel, a block it could not read): an error of
   * the model with no association, as a file's problems are (§5: data, not a
   * crash), so that the diagnosis reports it (capture-health.ts).
   */
  sourceProblem(reason: string, time: number = Date.now()): void {
    if (this.closed) return;
    this.queue.settle();
    this.deliver({ type: 'decode.error', association: null, time, from: null, offset: null, reason }, this.writer?.bytesWritten ?? 0);
  }

  /** The recording so far is on disk. */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  /** Stops taking events, flushes connections still open through the decoder and closes the recording. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.settle();
    const end = this.writer?.bytesWritten ?? 0;
    for (const derived of this.decoder.finish()) this.deliver(derived, end);
    await this.writer?.close();
  }

  /** The association id the model gives connection `conn` (a mirror's is its twin's), or null. */
  associationOf(conn: number): string | null {
    this.queue.settle();
    const own = this.associations.get(conn);
    if (own !== undefined) return own;
    const twin = this.mirrorOf.get(conn);
    return twin === undefined ? null : (this.associations.get(twin) ?? null);
  }

  /** `at`: the offset of the record the event was derived from. */
  private deliver(derived: DerivedEvent, at: number): void {
    if (derived.type === 'connection.open' || derived.type === 'connection.refused') {
      this.associations.set(derived.conn, derived.association);
      this.connections.set(derived.association, derived.conn);
      // The most recent connections only: the window's, and enough more for any caller asking about its own.
      if (this.associations.size > MAX_KNOWN) {
        const [conn, id] = this.associations.entries().next().value!;
        this.associations.delete(conn);
        if (this.connections.get(id) === conn) this.connections.delete(id);
      }
    }
    for (const delta of this.window.apply(derived, at)) {
      this.seq += 1;
      for (const listener of this.deltaListeners) {
        try {
          listener(delta, this.seq);
        } catch {
          // A listener's bug must not stop the capture.
        }
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(derived);
      } catch {
        // A listener's bug must not stop the capture.
      }
    }
  }
}

/** Ended connections remembered for mirrors that come late (a live capture); the oldest are forgotten first. */
const MAX_ENDED_TUPLES = 4096;
/** Connections whose association id (and mirrors whose twin) the hub remembers: the most recent ones (as SessionDecoder's MAX_ENDED). */
const MAX_KNOWN = 65_536;

const tupleKey = (requestor: Endpoint, acceptor: Endpoint): string => `${requestor.host}:${requestor.port}>${acceptor.host}:${acceptor.port}`;
