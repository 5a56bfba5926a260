/** Reads a recording file as a stream of wire events, chunk by chunk (see shared/capture/recording/recording-decoder.ts). */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { RecordingDecoder } from '../../shared/capture/recording/recording-decoder.ts';
import type { RecordingError } from '../../shared/capture/recording/recording-decoder.ts';
import type { RecordingMeta } from '../../shared/capture/recording/recording-meta.ts';
import { DEFAULT_CHUNK_BYTES, fileChunks } from '../sources/file-chunks.ts';
import './native-crc32.ts';

export class RecordingFileReader {
  /** The header (with metadata updates applied), once read. */
  meta: RecordingMeta | null = null;
  /** File-level problems, complete once `events()` has finished. */
  readonly errors: RecordingError[] = [];

  constructor(
    readonly path: string,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {}

  /** The wire events, in file order. Reading a file that is still being written gives the records written so far. */
  async *events(): AsyncGenerator<WireEvent> {
    const decoder = new RecordingDecoder();
    for await (const chunk of fileChunks(this.path, this.chunkBytes)) {
      const r = decoder.push(chunk);
      if (r.meta) this.meta = r.meta;
      this.errors.push(...r.errors);
      yield* r.events;
    }
    const r = decoder.end();
    this.errors.push(...r.errors);
    yield* r.events;
  }
}

/** The whole recording at once (for tests and small files): meta, events, errors. */
export async function readRecordingFile(path: string): Promise<{ meta: RecordingMeta | null; events: WireEvent[]; errors: RecordingError[] }> {
  const reader = new RecordingFileReader(path);
  const events: WireEvent[] = [];
  for await (const e of reader.events()) events.push(e);
  return { meta: reader.meta, events, errors: reader.errors };
}
