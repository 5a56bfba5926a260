/**
 * Writes a recording file as the traffic happens: append-only, each record
 * handed to the file stream at once (Node batches records queued while a
 * write is in flight into one writev), so a reader tailing the file sees a
 * record within one disk write, and a crash loses at most the records not yet
 * written (a torn last record is detected and ignored by readers).
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { encodeHeader, encodeMetadata, encodeRecord } from '../../shared/capture/recording/encode.ts';
import type { RecordingHeader } from '../../shared/capture/recording/recording-meta.ts';
import './native-crc32.ts';

export interface RecordingWriterOptions {
  /** Replace an existing file (default: refuse, so a recording is never overwritten by accident). */
  overwrite?: boolean;
}

export class RecordingWriter {
  private error: Error | null = null;
  private closed = false;
  bytesWritten = 0;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
  ) {
    stream.on('error', (e) => {
      this.error ??= e;
    });
  }

  /** Creates the file and writes its header; rejects if the file cannot be created. */
  static async open(path: string, header: RecordingHeader, options: RecordingWriterOptions = {}): Promise<RecordingWriter> {
    const stream = createWriteStream(path, { flags: options.overwrite ? 'w' : 'wx' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    const writer = new RecordingWriter(path, stream);
    writer.append(encodeHeader(header));
    return writer;
  }

  /** Bytes handed to the file stream and not yet written (none once it failed or closed: nothing more will be). */
  get pending(): number {
    return this.closed || this.error ? 0 : this.stream.writableLength;
  }

  /** Appends one wire event. Never throws: a write error is kept and reported by `close`. */
  write(event: WireEvent): void {
    this.append(encodeRecord(event));
  }

  /** Appends a metadata update (shallow-merged into the header's metadata by readers). */
  writeMetadata(metadata: Record<string, unknown>): void {
    this.append(encodeMetadata(metadata));
  }

  /** Resolves when everything written so far is in the file. */
  flush(): Promise<void> {
    if (this.closed || this.error) return Promise.resolve();
    return new Promise((resolve) => this.stream.write(new Uint8Array(0), () => resolve()));
  }

  /** Flushes and closes the file; rejects with the first write error, if any. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.end();
      });
    }
    if (this.error) throw this.error;
  }

  private append(bytes: Uint8Array): void {
    if (this.closed || this.error) return;
    this.bytesWritten += bytes.length;
    this.stream.write(bytes);
  }
}
