/**
 * Opens a file of any supported format as a stream of wire events: a pacscope
 * recording, a pcap or a pcapng capture. The format is told by the file's
 * magic number, never by its extension; the file is streamed in chunks,
 * never read whole.
 *
 * This is the one place that throws on bad input: a missing, empty or
 * unrecognised file gives an Error with a one-line message (the CLI prints it
 * and exits non-zero). Problems inside a recognised file are data: they are
 * collected in `errors` and everything readable is still delivered.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { PcapImporter } from '../../shared/capture/pcap/pcap-importer.ts';
import type { PcapImportOptions } from '../../shared/capture/pcap/pcap-importer.ts';
import { isPcapMagic } from '../../shared/capture/pcap/pcap-reader.ts';
import { isPcapngMagic } from '../../shared/capture/pcap/pcapng-reader.ts';
import { RecordingDecoder } from '../../shared/capture/recording/recording-decoder.ts';
import { isRecordingMagic } from '../../shared/capture/recording/recording-meta.ts';
import type { RecordingMeta } from '../../shared/capture/recording/recording-meta.ts';
import { DEFAULT_CHUNK_BYTES, fileChunks, fileStart } from './file-chunks.ts';
import { recordedCaptureProblems } from './capture-metadata.ts';
import '../recording/native-crc32.ts';

export type WireSourceFormat = 'recording' | 'pcap' | 'pcapng';

export interface OpenSourceOptions extends PcapImportOptions {
  /** Bytes per read (default 256 KiB). */
  chunkBytes?: number;
}

export interface FileError {
  offset: number;
  reason: string;
}

export interface WireSource {
  readonly path: string;
  readonly format: WireSourceFormat;
  /** Problems found in the file; complete once `events()` has finished. */
  readonly errors: FileError[];
  /** A recording's header (with metadata updates), once read; null for captures. */
  readonly meta: RecordingMeta | null;
  /** The file's wire events, streamed. Call once (this or `batches`). */
  events(): AsyncGenerator<WireEvent>;
  /** The same events, as the arrays decoded from each chunk read (fewer awaits: for bulk consumers). */
  batches(): AsyncGenerator<WireEvent[]>;
}

/** The format of a file from its first bytes, or null. */
export function detectFormat(start: Uint8Array): WireSourceFormat | null {
  if (isRecordingMagic(start)) return 'recording';
  if (isPcapngMagic(start)) return 'pcapng';
  if (isPcapMagic(start)) return 'pcap';
  return null;
}

/** Opens `path` and tells its format; throws an Error with a one-line message if it is missing, empty or of no known format. */
export async function openWireSource(path: string, options: OpenSourceOptions = {}): Promise<WireSource> {
  const start = await fileStart(path, 8);
  if (start.length === 0) throw new Error(`${path}: the file is empty`);
  const format = detectFormat(start);
  if (format === null) {
    const hex = Array.from(start, (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${path}: not a pacscope recording, pcap or pcapng file (it starts with ${hex})`);
  }
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const source = {
    path,
    format,
    errors: [] as FileError[],
    meta: null as RecordingMeta | null,
    async *events(): AsyncGenerator<WireEvent> {
      for await (const batch of source.batches()) yield* batch;
    },
    async *batches(): AsyncGenerator<WireEvent[]> {
      if (format === 'recording') {
        const decoder = new RecordingDecoder();
        for await (const chunk of fileChunks(path, chunkBytes)) {
          const r = decoder.push(chunk);
          if (r.meta) source.meta = r.meta;
          source.errors.push(...r.errors);
          if (r.events.length > 0) yield r.events;
        }
        const r = decoder.end();
        source.errors.push(...r.errors);
        // A live capture's problems that belonged to no connection (its drops) are in the metadata (capture-metadata.ts).
        for (const reason of recordedCaptureProblems(source.meta?.metadata)) source.errors.push({ offset: 0, reason });
        if (r.events.length > 0) yield r.events;
        return;
      }
      const importer = new PcapImporter(options);
      let reported = 0;
      const collect = () => {
        for (; reported < importer.errors.length; reported++) source.errors.push(importer.errors[reported]);
      };
      for await (const chunk of fileChunks(path, chunkBytes)) {
        const events = importer.push(chunk);
        collect();
        if (events.length > 0) yield events;
      }
      const events = importer.end();
      collect();
      if (events.length > 0) yield events;
    },
  };
  return source;
}

/** The wire events of a file of any supported format (see `openWireSource`; use it to learn the format, errors and meta). */
export async function* readWireEvents(path: string, options: OpenSourceOptions = {}): AsyncGenerator<WireEvent> {
  const source = await openWireSource(path, options);
  yield* source.events();
}
