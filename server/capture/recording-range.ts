/**
 * The wire events of a stretch of a recording, read from a record's offset
 * without reading what comes before it: what a page of the live session
 * needs (live-window.ts, recorded-page.ts), whose records the hub knows the
 * offsets of as it writes them. The file's preamble (magic and format
 * version, docs/recording-format.md) is read first, so the records are
 * decoded as the version they were written in; the header record, which
 * lies before any stretch, is not needed to decode events.
 *
 *   for await (const batch of recordingRange(path, from, to)) …   // records starting in [from, to)
 */
import { createReadStream } from 'node:fs';
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { RecordingDecoder } from '../../shared/capture/recording/recording-decoder.ts';
import { PREAMBLE_BYTES } from '../../shared/capture/recording/recording-meta.ts';
import { fileStart } from '../sources/file-chunks.ts';
import '../recording/native-crc32.ts';

/**
 * Bytes read at a time: what its consumer decodes between two turns of the event loop. A page is read back
 * while the live session goes on; 64 KiB of small messages decode in a few tens of ms, 1 MiB would take ten times that.
 */
const STRETCH_CHUNK_BYTES = 64 * 1024;

/** Reads the bytes [from, to) of one recording; `decoder` carries on from the stretch before (the same file). */
export async function* recordingStretch(path: string, decoder: RecordingDecoder, from: number, to: number): AsyncGenerator<WireEvent[]> {
  if (to <= from) return;
  const stream = createReadStream(path, { start: from, end: to - 1, highWaterMark: STRETCH_CHUNK_BYTES });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const r = decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (r.events.length > 0) yield r.events;
    // Chunks already read come without a turn of the event loop between them: give it one.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A decoder that has read the file's preamble, ready for a stretch that starts at a record (throws for a file that is no recording). */
export async function rangeDecoder(path: string): Promise<RecordingDecoder> {
  const preamble = await fileStart(path, PREAMBLE_BYTES);
  const decoder = new RecordingDecoder();
  const r = decoder.push(preamble);
  if (r.errors.length > 0 || decoder.formatVersion === null) throw new Error(`${path}: ${r.errors[0]?.reason ?? 'not a pacscope recording'}`);
  return decoder;
}

/** The events of the records that start in [from, to) (`from` a record's offset). */
export async function* recordingRange(path: string, from: number, to: number): AsyncGenerator<WireEvent[]> {
  yield* recordingStretch(path, await rangeDecoder(path), from, to);
}
