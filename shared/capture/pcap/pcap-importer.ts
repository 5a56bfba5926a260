/**
 * pcap / pcapng import: a capture file, pushed in chunks of any size, becomes
 * the wire events of its DICOM connections. Pure (no I/O): the server streams
 * the file in, the browser could too.
 *
 * Which connections are DICOM: one whose initiator's first bytes are an
 * A-ASSOCIATE-RQ header (any port); one to a port in `dicomPorts`; one to an
 * acceptor port where DICOM was already detected earlier in the capture
 * (which also takes connections the capture caught mid-stream); one caught
 * mid-stream whose bytes show consecutive trustworthy PDU headers
 * (mid-stream-detect.ts; the requestor is guessed as tcp-connection.ts
 * documents). Every refused
 * connection attempt (a SYN answered by RST) is emitted, whatever its port,
 * so that "nothing listens there" is visible. Packets the capturing tool
 * itself dropped (a pcapng's Interface Statistics Blocks) are reported among
 * `errors` at the end, one per interface (interface-statistics.ts).
 */
import type { WireEvent } from '../wire-event.ts';
import { LINK_TYPES } from './link-layer.ts';
import { isPcapMagic, PcapReader } from './pcap-reader.ts';
import { isPcapngMagic, PcapngReader } from './pcapng-reader.ts';
import { droppedPackets, droppedReason, type InterfaceStatistics } from './interface-statistics.ts';
import type { CaptureFileReader } from './packet-sink.ts';
import { FRAGMENT, parseTcpSegment } from './tcp-segment.ts';
import { TcpTracker } from './tcp-tracker.ts';

export interface PcapImportOptions {
  /** Only treat these TCP ports as DICOM (in addition to detection). */
  dicomPorts?: number[];
  /** Out-of-order bytes held per direction waiting for a hole to fill (default 4 MiB); beyond it the hole is declared a gap. */
  maxOutOfOrderBytes?: number;
  /** Out-of-order bytes held by all connections together (default 16 MiB); beyond it the direction adding to it gives up its holes. */
  maxHeldBytes?: number;
}

export interface PcapFileError {
  offset: number;
  reason: string;
}

const DEFAULT_MAX_OUT_OF_ORDER = 4 * 1024 * 1024;
const DEFAULT_MAX_HELD = 16 * 1024 * 1024;

export class PcapImporter {
  private detected: 'pcap' | 'pcapng' | null = null;
  readonly errors: PcapFileError[] = [];
  private reader: CaptureFileReader | null = null;
  private readonly tracker: TcpTracker;
  /** The first bytes, until the magic number can be read. */
  private start = new Uint8Array(0);
  private notCapture = false;
  private readonly unknownLinkTypes = new Set<number>();
  private fragments = 0;
  private firstFragmentOffset = 0;
  private out: WireEvent[] = [];
  private readonly onPacket = (linkType: number, frame: Uint8Array, _originalLength: number, time: number, offset: number): void =>
    this.packet(linkType, frame, time, offset);

  constructor(options: PcapImportOptions = {}) {
    this.tracker = new TcpTracker({
      dicomPorts: options.dicomPorts ?? [],
      maxOutOfOrderBytes: options.maxOutOfOrderBytes ?? DEFAULT_MAX_OUT_OF_ORDER,
      maxHeldBytes: options.maxHeldBytes ?? DEFAULT_MAX_HELD,
    });
  }

  /** Out-of-order bytes held now, all connections together (bounded by `maxHeldBytes` whatever the capture lost). */
  get heldBytes(): number {
    return this.tracker.heldBytes;
  }

  /** The capturing tool's packet and drop counters per interface, as far as read (pcapng only; usually at the end of the capture). */
  get interfaceStatistics(): InterfaceStatistics[] {
    return this.reader instanceof PcapngReader ? this.reader.statistics : [];
  }

  /** The file format, once its first 4 bytes were read; null before, or when it is neither. */
  get format(): 'pcap' | 'pcapng' | null {
    return this.detected;
  }

  push(chunk: Uint8Array): WireEvent[] {
    const out: WireEvent[] = [];
    this.out = out;
    if (this.notCapture || chunk.length === 0) return out;
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength); // a Node Buffer: its slice() does not copy
    if (this.reader === null) {
      const joined = new Uint8Array(this.start.length + chunk.length);
      joined.set(this.start);
      joined.set(chunk, this.start.length);
      if (joined.length < 4) {
        this.start = joined;
        return out;
      }
      this.start = new Uint8Array(0);
      if (!this.chooseReader(joined)) return out;
      chunk = joined;
    }
    (this.reader as CaptureFileReader).push(chunk, this.onPacket);
    return out;
  }

  end(): WireEvent[] {
    const out: WireEvent[] = [];
    this.out = out;
    if (this.reader === null && !this.notCapture) {
      this.errors.push({ offset: 0, reason: this.start.length === 0 ? 'empty file' : `file too short (${this.start.length} bytes) to be a capture` });
    }
    this.reader?.end();
    this.tracker.end(out);
    for (const s of this.interfaceStatistics) {
      const dropped = droppedPackets(s);
      if (dropped) this.errors.push({ offset: s.blockOffset, reason: droppedReason(s, dropped) });
    }
    if (this.fragments > 0) {
      this.errors.push({ offset: this.firstFragmentOffset, reason: `${this.fragments} fragmented IP packets ignored (IP reassembly is not supported)` });
    }
    return out;
  }

  private chooseReader(b: Uint8Array): boolean {
    const onError = (offset: number, reason: string) => this.errors.push({ offset, reason });
    if (isPcapMagic(b)) {
      this.detected = 'pcap';
      this.reader = new PcapReader(onError);
    } else if (isPcapngMagic(b)) {
      this.detected = 'pcapng';
      this.reader = new PcapngReader(onError);
    } else {
      this.notCapture = true;
      const hex = Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
      this.errors.push({ offset: 0, reason: `not a pcap or pcapng file (starts with ${hex})` });
      return false;
    }
    return true;
  }

  private packet(linkType: number, frame: Uint8Array, time: number, offset: number): void {
    const link = LINK_TYPES.get(linkType);
    if (link === undefined) {
      if (!this.unknownLinkTypes.has(linkType)) {
        this.unknownLinkTypes.add(linkType);
        this.errors.push({ offset, reason: `unsupported link type ${linkType}: its packets are skipped` });
      }
      return;
    }
    const network = link.parse(frame);
    if (network === null) return;
    const seg = parseTcpSegment(frame, network.offset, network.ipVersion);
    if (seg === null) return;
    if (seg === FRAGMENT) {
      if (this.fragments++ === 0) this.firstFragmentOffset = offset;
      return;
    }
    this.tracker.segment(seg, time, this.out);
  }
}
