/**
 * pcapng file reader, per draft-ietf-opsawg-pcapng. Streaming: the file
 * arrives in chunks of any size.
 *
 * Every block (§3.1): block type u32, block total length u32, body, block
 * total length again. Byte order is per section, given by the byte-order
 * magic 0x1A2B3C4D of the Section Header Block (§4.1), whose type 0x0A0D0D0A
 * reads the same both ways. Blocks read here: SHB (§4.1), Interface
 * Description (§4.2, options if_name 2, if_tsresol 9 and if_tsoffset 14),
 * Enhanced Packet (§4.3), Simple Packet (§4.4), the obsolete Packet Block
 * (Appendix A) and Interface Statistics (§4.6, the capturing tool's packet
 * and drop counters: interface-statistics.ts); every other block is skipped
 * by its length.
 */
import { RecordSplitter } from './record-splitter.ts';
import { PCAPNG_INTERFACE_STATISTICS, readInterfaceStatistics, type InterfaceStatistics } from './interface-statistics.ts';
import { MAX_RECORD_BYTES } from './packet-sink.ts';
import type { CaptureFileReader, FileErrorSink, PacketSink } from './packet-sink.ts';

/** Block types, draft-ietf-opsawg-pcapng §10.1 (Block Type Codes). */
export const PcapngBlock = Object.freeze({
  SectionHeader: 0x0a0d0d0a,
  InterfaceDescription: 0x00000001,
  ObsoletePacket: 0x00000002,
  SimplePacket: 0x00000003,
  EnhancedPacket: 0x00000006,
  InterfaceStatistics: PCAPNG_INTERFACE_STATISTICS,
} as const);

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** True when the stream starts with a Section Header Block type. */
export function isPcapngMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
}

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per millisecond (if_tsresol, default 10^-6 s). */
  unitsPerMs: number;
  /** if_tsoffset, in ms. */
  offsetMs: number;
  /** if_name, when given. */
  name: string | null;
}

export class PcapngReader implements CaptureFileReader {
  private readonly splitter: RecordSplitter;
  private littleEndian = true;
  private sectionSeen = false;
  private interfaces: Interface[] = [];
  private lastTime = 0;
  private onPacket: PacketSink | null = null;
  private section = 0;
  /** The latest counters of each interface, by section and interface number (a later block replaces an earlier one: they count from the start). */
  private readonly stats = new Map<string, InterfaceStatistics>();

  constructor(private readonly onError: FileErrorSink) {
    this.splitter = new RecordSplitter(12, (b, o) => this.blockLength(b, o), MAX_RECORD_BYTES);
  }

  push(chunk: Uint8Array, onPacket: PacketSink): void {
    this.onPacket = onPacket;
    const hadFailed = this.splitter.failed;
    this.splitter.push(chunk, (b, o, len, at) => this.block(b, o, len, at));
    if (!hadFailed && this.splitter.failed) this.onError(this.splitter.failed.offset, `bad pcapng block: ${this.splitter.failed.reason}; the rest of the file is skipped`);
  }

  /** The capturing tool's counters per interface, as the last Interface Statistics Block of each said (none until they come, usually at the end). */
  get statistics(): InterfaceStatistics[] {
    return [...this.stats.values()];
  }

  end(): void {
    const pending = this.splitter.pending;
    if (pending === null) return;
    const need = pending.need === null ? '' : ` of ${pending.need}`;
    this.onError(pending.offset, `truncated block: ${pending.have}${need} bytes at the end of the file`);
  }

  private u32(b: Uint8Array, o: number): number {
    return this.littleEndian
      ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
      : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  private u16(b: Uint8Array, o: number): number {
    return this.littleEndian ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }

  private blockLength(b: Uint8Array, o: number): number | string {
    if (b[o] === 0x0a && b[o + 1] === 0x0d && b[o + 2] === 0x0d && b[o + 3] === 0x0a) {
      const le = (b[o + 8] | (b[o + 9] << 8) | (b[o + 10] << 16) | (b[o + 11] << 24)) >>> 0;
      const be = ((b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]) >>> 0;
      if (le === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (be === BYTE_ORDER_MAGIC) this.littleEndian = false;
      else return 'section header block without the byte-order magic 0x1A2B3C4D';
      this.sectionSeen = true;
    } else if (!this.sectionSeen) {
      return 'the file does not start with a section header block';
    }
    const total = this.u32(b, o + 4);
    if (total % 4 !== 0) return `block total length ${total} is not a multiple of 4`;
    return total;
  }

  private block(b: Uint8Array, o: number, length: number, at: number): void {
    const type = this.u32(b, o);
    if (this.u32(b, o + length - 4) !== length) {
      this.onError(at, `block type 0x${type.toString(16)}: trailing length differs from the leading length ${length}`);
    }
    switch (type) {
      case PcapngBlock.SectionHeader:
        this.sectionHeader(b, o, at);
        return;
      case PcapngBlock.InterfaceDescription:
        this.interfaceDescription(b, o, length, at);
        return;
      case PcapngBlock.EnhancedPacket:
        this.packet(b, o, length, at, this.u32(b, o + 8), 28);
        return;
      case PcapngBlock.ObsoletePacket:
        this.packet(b, o, length, at, this.u16(b, o + 8), 28);
        return;
      case PcapngBlock.SimplePacket:
        this.simplePacket(b, o, length, at);
        return;
      case PcapngBlock.InterfaceStatistics:
        this.interfaceStatistics(b, o, length, at);
        return;
      default:
        return;
    }
  }

  private sectionHeader(b: Uint8Array, o: number, at: number): void {
    const major = this.u16(b, o + 12);
    if (major !== 1) this.onError(at, `pcapng section version ${major} (expected 1); reading it as version 1`);
    this.interfaces = [];
    this.section += 1;
  }

  private interfaceStatistics(b: Uint8Array, o: number, length: number, at: number): void {
    if (length < 24) return;
    const s = readInterfaceStatistics(b, o, length, (x, p) => this.u16(x, p), (x, p) => this.u32(x, p), this.littleEndian);
    this.stats.set(`${this.section}:${s.interfaceId}`, { ...s, name: this.interfaces[s.interfaceId]?.name ?? null, blockOffset: at });
  }

  private interfaceDescription(b: Uint8Array, o: number, length: number, at: number): void {
    if (length < 20) {
      this.onError(at, `interface description block too short (${length} bytes)`);
      this.interfaces.push({ linkType: -1, snapLength: 0, unitsPerMs: 1000, offsetMs: 0, name: null });
      return;
    }
    const iface: Interface = { linkType: this.u16(b, o + 8), snapLength: this.u32(b, o + 12), unitsPerMs: 1000, offsetMs: 0, name: null };
    let p = o + 16;
    const end = o + length - 4;
    while (p + 4 <= end) {
      const code = this.u16(b, p);
      const len = this.u16(b, p + 2);
      const value = p + 4;
      if (code === OPT_END || value + len > end) break;
      if (code === OPT_IF_NAME && len >= 1) {
        iface.name = new TextDecoder().decode(b.subarray(value, value + len)).replace(/\0+$/, '');
      } else if (code === OPT_IF_TSRESOL && len >= 1) {
        const r = b[value];
        const unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
        iface.unitsPerMs = unitsPerSecond / 1000;
      } else if (code === OPT_IF_TSOFFSET && len >= 8) {
        const hi = this.littleEndian ? this.u32(b, value + 4) | 0 : this.u32(b, value) | 0;
        const lo = this.littleEndian ? this.u32(b, value) : this.u32(b, value + 4);
        iface.offsetMs = (hi * 4294967296 + lo) * 1000;
      }
      p = value + ((len + 3) & ~3);
    }
    this.interfaces.push(iface);
  }

  /** Enhanced Packet Block (interface id u32 at 8) or obsolete Packet Block (interface id u16 at 8): timestamp high/low at 12/16, lengths at 20/24, data at 28. */
  private packet(b: Uint8Array, o: number, length: number, at: number, interfaceId: number, dataAt: number): void {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      this.onError(at, `packet for interface ${interfaceId}, which no interface description block declared; skipped`);
      return;
    }
    const capturedLength = this.u32(b, o + 20);
    const originalLength = this.u32(b, o + 24);
    if (dataAt + capturedLength > length - 4) {
      this.onError(at, `packet block: captured length ${capturedLength} overruns the block (${length} bytes); skipped`);
      return;
    }
    const units = this.u32(b, o + 12) * 4294967296 + this.u32(b, o + 16);
    const time = units / iface.unitsPerMs + iface.offsetMs;
    this.lastTime = time;
    if (iface.linkType < 0) return;
    this.onPacket?.(iface.linkType, b.subarray(o + dataAt, o + dataAt + capturedLength), originalLength, time, at);
  }

  /** Simple Packet Block (§4.4): original length at 8, data at 12; no timestamp (the last packet's time is used), interface 0. */
  private simplePacket(b: Uint8Array, o: number, length: number, at: number): void {
    const iface = this.interfaces[0];
    if (iface === undefined) {
      this.onError(at, 'simple packet block before any interface description block; skipped');
      return;
    }
    const originalLength = this.u32(b, o + 8);
    let captured = Math.min(originalLength, length - 16);
    if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
    if (iface.linkType < 0) return;
    this.onPacket?.(iface.linkType, b.subarray(o + 12, o + 12 + captured), originalLength, this.lastTime, at);
  }
}
