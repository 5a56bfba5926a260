/**
 * Classic pcap file reader, per the tcpdump pcap format
 * (draft-ietf-opsawg-pcap §4 file header, §5 packet record). Streaming: the
 * file arrives in chunks of any size.
 *
 * File header (24 bytes): magic (0xA1B2C3D4 microseconds, 0xA1B23C4D
 * nanoseconds; its byte order is the file's), major u16, minor u16, reserved
 * (thiszone) u32, reserved (sigfigs) u32, snaplen u32, link type and FCS
 * information u32 (link type in the low 16 bits, §4 "LinkType and additional
 * information").
 * Packet record: timestamp seconds u32, timestamp µs/ns u32, captured length
 * u32, original length u32, then the captured bytes.
 */
import { RecordSplitter } from './record-splitter.ts';
import { MAX_RECORD_BYTES } from './packet-sink.ts';
import type { CaptureFileReader, FileErrorSink, PacketSink } from './packet-sink.ts';

export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** True when the first 4 bytes are a pcap magic number in either byte order. */
export function isPcapMagic(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const le = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  const be = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  return [le, be].some((m) => m === PCAP_MAGIC_MICROSECONDS || m === PCAP_MAGIC_NANOSECONDS);
}

export class PcapReader implements CaptureFileReader {
  private readonly splitter: RecordSplitter;
  private headerSeen = false;
  private littleEndian = true;
  /** Divisor from the sub-second field to milliseconds: 1000 (µs) or 1e6 (ns). */
  private fractionPerMs = 1000;
  private linkType = -1;
  private onPacket: PacketSink | null = null;

  constructor(private readonly onError: FileErrorSink) {
    this.splitter = new RecordSplitter(RECORD_HEADER_BYTES, (b, o) => this.recordLength(b, o), MAX_RECORD_BYTES);
  }

  push(chunk: Uint8Array, onPacket: PacketSink): void {
    this.onPacket = onPacket;
    const hadFailed = this.splitter.failed;
    this.splitter.push(chunk, (b, o, len, at) => this.record(b, o, len, at));
    if (!hadFailed && this.splitter.failed) this.onError(this.splitter.failed.offset, `bad pcap record header: ${this.splitter.failed.reason}; the rest of the file is skipped`);
  }

  end(): void {
    const pending = this.splitter.pending;
    if (pending === null) return;
    const what = this.headerSeen ? 'packet record' : 'file header';
    const need = pending.need === null ? '' : ` of ${pending.need}`;
    this.onError(pending.offset, `truncated ${what}: ${pending.have}${need} bytes at the end of the file`);
  }

  private u32(b: Uint8Array, o: number): number {
    return this.littleEndian
      ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
      : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  private recordLength(b: Uint8Array, o: number): number | string {
    if (!this.headerSeen) return FILE_HEADER_BYTES;
    return RECORD_HEADER_BYTES + this.u32(b, o + 8);
  }

  private record(b: Uint8Array, o: number, length: number, at: number): void {
    if (!this.headerSeen) {
      this.fileHeader(b, o, at);
      return;
    }
    const seconds = this.u32(b, o);
    const fraction = this.u32(b, o + 4);
    const originalLength = this.u32(b, o + 12);
    if (this.linkType < 0) return;
    const time = seconds * 1000 + fraction / this.fractionPerMs;
    this.onPacket?.(this.linkType, b.subarray(o + RECORD_HEADER_BYTES, o + length), originalLength, time, at);
  }

  private fileHeader(b: Uint8Array, o: number, at: number): void {
    this.headerSeen = true;
    const le = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    this.littleEndian = le === PCAP_MAGIC_MICROSECONDS || le === PCAP_MAGIC_NANOSECONDS;
    const magic = this.u32(b, o);
    this.fractionPerMs = magic === PCAP_MAGIC_NANOSECONDS ? 1e6 : 1000;
    const major = this.littleEndian ? b[o + 4] | (b[o + 5] << 8) : (b[o + 4] << 8) | b[o + 5];
    if (major !== 2) this.onError(at, `pcap version ${major} (expected 2); reading it as version 2`);
    this.linkType = this.u32(b, o + 20) & 0xffff;
  }
}
