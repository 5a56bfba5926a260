/**
 * One recording file written with bounded memory, for the proxy's long
 * headless captures. The same format as server/recording/writer.ts (the
 * shared encoders), one difference: the relay never waits for the disk, so
 * when the bytes queued for the file exceed a budget (the disk is slower than
 * the traffic), a data event is written as a `gap` record of its length
 * instead — the recording then says honestly which bytes it lacks, and memory
 * stays bounded whatever the traffic. Such bytes are counted (`lostBytes`).
 *
 * Created synchronously (the file is opened in the background; an open error
 * is kept and reported by `close`), so that a rotation never has to buffer
 * events while the next file opens.
 *
 * Records are staged in a buffer of 1 MiB that goes to the file when full
 * and at the end of each turn of the event loop (setImmediate): DCMTK sends
 * PDU header, PDV header and value as separate writes, so a relay sees many
 * small chunks, and one file write per chunk would cost more than the relay
 * itself. A reader tailing the file still sees each record within one turn.
 * Data records are written straight into the stage (the layout of
 * format-v1.ts, as encode.ts writes it): no buffer per chunk for the GC.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { encodeHeader, encodeMetadata, encodeRecord } from '../../shared/capture/recording/encode.ts';
import { DATA_PREFIX_BYTES_V1, RECORD_HEADER_BYTES_V1, RECORD_OVERHEAD_V1, RecordTypeV1 } from '../../shared/capture/recording/format-v1.ts';
import type { RecordingHeader } from '../../shared/capture/recording/recording-meta.ts';

export interface BoundedFileOptions {
  /** Replace an existing file (default: refuse). */
  overwrite?: boolean;
  /** Bytes queued for the disk (of every file, see `pending`) above which data becomes gaps. */
  maxPendingBytes: number;
  /** What else is queued (files of earlier rotations still closing). */
  otherPending?: () => number;
}

/** Bytes staged before they are handed to the file stream. */
const STAGE_BYTES = 1024 * 1024;

export class BoundedRecordingFile {
  private readonly stream: WriteStream;
  private stage = Buffer.allocUnsafe(STAGE_BYTES);
  private staged = 0;
  private flushScheduled = false;
  private error: Error | null = null;
  private closing: Promise<void> | null = null;
  /** Bytes handed to the file (header included). */
  bytesWritten = 0;
  /** Data bytes written as gaps because the disk fell behind. */
  lostBytes = 0;
  /** Wire events written. */
  events = 0;
  readonly opened: Promise<void>;

  constructor(
    readonly path: string,
    header: RecordingHeader,
    private readonly o: BoundedFileOptions,
  ) {
    this.stream = createWriteStream(path, { flags: o.overwrite ? 'w' : 'wx' });
    this.opened = new Promise((resolve, reject) => {
      this.stream.once('open', () => resolve());
      this.stream.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.stream.on('error', (e) => {
      this.error ??= e;
    });
    this.append(encodeHeader(header));
  }

  /** Bytes queued in memory for this file. */
  get pending(): number {
    return this.stream.writableLength + this.staged;
  }

  get failed(): Error | null {
    return this.error;
  }

  /** Appends one wire event (or a gap in its place when the disk is behind). Never throws. */
  write(event: WireEvent): void {
    this.events += 1;
    if (event.kind !== 'data') return this.append(encodeRecord(event));
    if (this.pending + (this.o.otherPending?.() ?? 0) > this.o.maxPendingBytes) {
      this.lostBytes += event.bytes.length;
      this.append(encodeRecord({ kind: 'gap', conn: event.conn, time: event.time, from: event.from, length: event.bytes.length }));
      return;
    }
    const n = DATA_PREFIX_BYTES_V1 + event.bytes.length;
    const size = RECORD_OVERHEAD_V1 + n;
    if (size > STAGE_BYTES / 4) return this.append(encodeRecord(event));
    if (this.closing || this.error) return;
    if (this.staged + size > STAGE_BYTES) this.handOver();
    // Length, type; conn, direction, time; the bytes; length again (format-v1.ts).
    const b = this.stage;
    const o = this.staged;
    b.writeUInt32BE(n, o);
    b[o + 4] = RecordTypeV1.Data;
    b.writeUInt32BE(event.conn, o + RECORD_HEADER_BYTES_V1);
    b[o + RECORD_HEADER_BYTES_V1 + 4] = event.from === 'requestor' ? 0 : 1;
    b.writeDoubleBE(event.time, o + RECORD_HEADER_BYTES_V1 + 5);
    b.set(event.bytes, o + RECORD_HEADER_BYTES_V1 + DATA_PREFIX_BYTES_V1);
    b.writeUInt32BE(n, o + RECORD_HEADER_BYTES_V1 + n);
    this.staged += size;
    this.bytesWritten += size;
    this.scheduleHandOver();
  }

  writeMetadata(metadata: Record<string, unknown>): void {
    this.append(encodeMetadata(metadata));
  }

  /** Everything written so far is in the file. */
  flush(): Promise<void> {
    if (this.closing || this.error) return Promise.resolve();
    this.handOver();
    return new Promise((resolve) => this.stream.write(new Uint8Array(0), () => resolve()));
  }

  /** Flushes and closes; rejects with the first error (e.g. the file could not be created). */
  close(): Promise<void> {
    if (!this.closing && !this.error) this.handOver();
    this.closing ??= new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.once('close', () => resolve());
      this.stream.end();
    }).then(() => {
      if (this.error) throw this.error;
    });
    return this.closing;
  }

  private append(bytes: Uint8Array): void {
    if (this.closing || this.error) return;
    this.bytesWritten += bytes.length;
    if (this.staged + bytes.length > STAGE_BYTES) this.handOver();
    if (bytes.length >= STAGE_BYTES) {
      this.stream.write(bytes);
      return;
    }
    this.stage.set(bytes, this.staged);
    this.staged += bytes.length;
    this.scheduleHandOver();
  }

  private scheduleHandOver(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.closing && !this.error) this.handOver();
    });
  }

  /** The staged records go to the file stream: a few bytes as a copy, a full stage as it is (the stream owns it then). */
  private handOver(): void {
    if (this.staged === 0) return;
    if (this.staged < STAGE_BYTES / 16) {
      this.stream.write(Buffer.from(this.stage.subarray(0, this.staged)));
    } else {
      this.stream.write(this.stage.subarray(0, this.staged));
      this.stage = Buffer.allocUnsafe(STAGE_BYTES);
    }
    this.staged = 0;
  }
}
