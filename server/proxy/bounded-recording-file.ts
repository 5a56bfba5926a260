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
 * The bytes go to an AppendFile (append-file.ts): staged in 1 MiB buffers,
 * written around the page cache where the system allows it, every record
 * in the file within FLUSH_MS. Data records are copied straight into the
 * stage (prefix, the relayed bytes, suffix: the layout of format-v2.ts, as
 * encode.ts writes it, the suffix being the checksum and the length): no
 * buffer per chunk for the GC.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { dataRecordTrailer, encodeHeader, encodeMetadata, encodeRecord } from '../../shared/capture/recording/encode.ts';
import { DATA_PREFIX_BYTES_V2, RECORD_HEADER_BYTES_V2, RECORD_OVERHEAD_V2, RECORD_TRAILER_BYTES_V2, RecordTypeV2 } from '../../shared/capture/recording/format-v2.ts';
import type { RecordingHeader } from '../../shared/capture/recording/recording-meta.ts';
import { AppendFile } from './append-file.ts';
import '../recording/native-crc32.ts';
import type { StagePool } from './stage-pool.ts';

export interface BoundedFileOptions {
  /** Replace an existing file (default: refuse). */
  overwrite?: boolean;
  /** Bytes queued for the disk (of every file, see `pending`) above which data becomes gaps. */
  maxPendingBytes: number;
  /** What else is queued (files of earlier rotations still closing). */
  otherPending?: () => number;
  /** Staging buffers shared by the files of one recording (see stage-pool.ts). */
  pool?: StagePool;
}

export class BoundedRecordingFile {
  private readonly file: AppendFile;
  /** A data record's length, type, connection, direction and time; then its bytes; then its length again. */
  private readonly prefix = Buffer.alloc(RECORD_HEADER_BYTES_V2 + DATA_PREFIX_BYTES_V2);
  private readonly suffix = Buffer.alloc(RECORD_TRAILER_BYTES_V2);
  /** Bytes handed to the file (header included). */
  bytesWritten = 0;
  /** Data bytes written as gaps because the disk fell behind. */
  lostBytes = 0;
  /** Wire events written. */
  events = 0;

  constructor(
    readonly path: string,
    header: RecordingHeader,
    private readonly o: BoundedFileOptions,
  ) {
    this.file = new AppendFile(path, { overwrite: o.overwrite, pool: o.pool });
    this.append(encodeHeader(header));
  }

  /** Resolves once the file is created; rejects when it cannot be. */
  get opened(): Promise<void> {
    return this.file.opened;
  }

  /** Bytes queued in memory for this file. */
  get pending(): number {
    return this.file.pending;
  }

  get failed(): Error | null {
    return this.file.failed;
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
    const n = DATA_PREFIX_BYTES_V2 + event.bytes.length;
    const p = this.prefix;
    p.writeUInt32BE(n, 0);
    p[4] = RecordTypeV2.Data;
    p.writeUInt32BE(event.conn, RECORD_HEADER_BYTES_V2);
    p[RECORD_HEADER_BYTES_V2 + 4] = event.from === 'requestor' ? 0 : 1;
    p.writeDoubleBE(event.time, RECORD_HEADER_BYTES_V2 + 5);
    dataRecordTrailer(p, event.bytes, this.suffix);
    this.file.append(p);
    this.file.append(event.bytes);
    this.file.append(this.suffix);
    this.bytesWritten += RECORD_OVERHEAD_V2 + n;
  }

  writeMetadata(metadata: Record<string, unknown>): void {
    this.append(encodeMetadata(metadata));
  }

  /** Everything written so far is in the file. */
  flush(): Promise<void> {
    return this.file.flush();
  }

  /** Flushes and closes; rejects with the first error (e.g. the file could not be created). */
  close(): Promise<void> {
    return this.file.close();
  }

  private append(bytes: Uint8Array): void {
    this.bytesWritten += bytes.length;
    this.file.append(bytes);
  }
}
