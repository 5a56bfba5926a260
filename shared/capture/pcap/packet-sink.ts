/** What the capture file readers (pcap, pcapng) hand to the importer: one captured link-layer frame at a time. */

/**
 * @param linkType LINKTYPE_ value of the interface (draft-ietf-opsawg-pcaplinktype).
 * @param frame the captured bytes (may be shorter than the frame on the wire, see `originalLength`); a view, valid during the call only.
 * @param originalLength length of the frame on the wire.
 * @param time capture time, ms since the Unix epoch (fractional).
 * @param fileOffset file offset of the record, for error reports.
 */
export type PacketSink = (linkType: number, frame: Uint8Array, originalLength: number, time: number, fileOffset: number) => void;

/** A file-level problem: not fatal, reported in `PcapImporter.errors`. */
export type FileErrorSink = (offset: number, reason: string) => void;

export interface CaptureFileReader {
  push(chunk: Uint8Array, onPacket: PacketSink): void;
  /** The file is over: report an incomplete last record. */
  end(): void;
}

/** Largest record accepted (a larger length field means a corrupt file): 16 MiB, far above any real snapshot length. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
