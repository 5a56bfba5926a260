/**
 * The pacscope recording: what a recording file holds besides the wire
 * events. Byte layout in docs/recording-format.md. Only the wire events and
 * this header are stored; everything else is derived (docs/architecture.md §1).
 */

/** "PACSCOPE" in ASCII: the first 8 bytes of every recording. */
export const RECORDING_MAGIC = Object.freeze([0x50, 0x41, 0x43, 0x53, 0x43, 0x4f, 0x50, 0x45] as const);

/** The version this code writes; older versions are read through `migrations.ts`. */
export const RECORDING_FORMAT_VERSION = 3;

/** Magic (8 bytes), format version (u16 BE), reserved (u16, 0). */
export const PREAMBLE_BYTES = 12;

export interface RecordingSource {
  /** What produced the traffic: 'scu', 'scp', 'proxy', 'pcap', … (free text, for display). */
  kind: string;
  /** A line for people: "proxy 127.0.0.1:11112 → pacs:104", "import of site.pcapng". */
  description: string;
}

/** The header of a recording, as written. */
export interface RecordingHeader {
  tool: { name: string; version: string };
  /** When the recording started, ms since the Unix epoch. */
  startTime: number;
  source: RecordingSource;
  /** Free metadata: a session label, notes. Later metadata records update it (shallow merge). */
  metadata: Record<string, unknown>;
}

/** The header as read back: with the format version of the file. */
export interface RecordingMeta extends RecordingHeader {
  formatVersion: number;
}

/** True when `b` starts with the recording magic. */
export function isRecordingMagic(b: Uint8Array): boolean {
  if (b.length < RECORDING_MAGIC.length) return false;
  return RECORDING_MAGIC.every((x, i) => b[i] === x);
}
