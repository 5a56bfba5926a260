/**
 * A small pcap / pcapng writer for tests: TCP segments in IPv4 or IPv6 behind
 * any supported link layer, and conversations with sequence numbers kept
 * (so a test can then drop, repeat, reorder or overlap segments).
 * Layouts: draft-ietf-opsawg-pcap (pcap), draft-ietf-opsawg-pcapng (pcapng),
 * RFC 791 / RFC 8200 / RFC 9293 (headers).
 */

export type Link = 'ethernet' | 'vlan' | 'qinq' | 'null-le' | 'null-be' | 'loop' | 'sll' | 'sll2' | 'raw' | 'ipv4' | 'ipv6';

export const LINKTYPE: Record<Link, number> = {
  ethernet: 1, vlan: 1, qinq: 1, 'null-le': 0, 'null-be': 0, loop: 108, sll: 113, sll2: 276, raw: 101, ipv4: 228, ipv6: 229,
};

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

export interface SegmentSpec {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  payload?: Uint8Array;
  /** IPv4 only: mark as a fragment. */
  fragment?: boolean;
  /** IPv6 only: put a hop-by-hop and a destination options header before TCP. */
  extensionHeaders?: boolean;
  /** TCP options bytes (multiple of 4). */
  tcpOptions?: number;
}

function ipv4Bytes(s: string): number[] {
  return s.split('.').map(Number);
}

function ipv6Bytes(s: string): number[] {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function tcpPacket(s: SegmentSpec): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  const optLen = s.tcpOptions ?? 0;
  const tcp = new Uint8Array(20 + optLen + payload.length);
  const v = new DataView(tcp.buffer);
  v.setUint16(0, s.sport);
  v.setUint16(2, s.dport);
  v.setUint32(4, s.seq >>> 0);
  v.setUint32(8, (s.ack ?? 0) >>> 0);
  tcp[12] = ((20 + optLen) / 4) << 4;
  tcp[13] = s.flags;
  v.setUint16(14, 65535);
  for (let i = 0; i < optLen; i++) tcp[20 + i] = 1; // NOP options
  tcp.set(payload, 20 + optLen);
  if (s.src.includes(':')) {
    const ext = s.extensionHeaders ? 16 : 0;
    const ip = new Uint8Array(40 + ext + tcp.length);
    const iv = new DataView(ip.buffer);
    ip[0] = 0x60;
    iv.setUint16(4, ext + tcp.length);
    ip[6] = s.extensionHeaders ? 0 : 6;
    ip[7] = 64;
    ip.set(ipv6Bytes(s.src), 8);
    ip.set(ipv6Bytes(s.dst), 24);
    if (s.extensionHeaders) {
      ip[40] = 60; // hop-by-hop → destination options
      ip[41] = 0;
      ip[48] = 6; // destination options → TCP
      ip[49] = 0;
    }
    ip.set(tcp, 40 + ext);
    return ip;
  }
  const ip = new Uint8Array(24 + tcp.length); // with 4 bytes of IP options
  const iv = new DataView(ip.buffer);
  ip[0] = 0x46;
  iv.setUint16(2, ip.length);
  if (s.fragment) ip[6] = 0x20; // more fragments
  ip[8] = 64;
  ip[9] = 6;
  ip.set(ipv4Bytes(s.src), 12);
  ip.set(ipv4Bytes(s.dst), 16);
  ip.set([1, 1, 1, 0], 20); // NOP, NOP, NOP, EOL
  ip.set(tcp, 24);
  return ip;
}

/** Wraps an IP packet in a link-layer header. */
export function linkFrame(link: Link, ip: Uint8Array): Uint8Array {
  const v6 = ip[0] >> 4 === 6;
  const etherType = v6 ? [0x86, 0xdd] : [0x08, 0x00];
  let header: number[];
  switch (link) {
    case 'ethernet': header = [...Array(12).fill(0), ...etherType]; break;
    case 'vlan': header = [...Array(12).fill(0), 0x81, 0x00, 0x00, 0x05, ...etherType]; break;
    case 'qinq': header = [...Array(12).fill(0), 0x88, 0xa8, 0x00, 0x07, 0x81, 0x00, 0x00, 0x05, ...etherType]; break;
    case 'null-le': header = [v6 ? 30 : 2, 0, 0, 0]; break;
    case 'null-be': header = [0, 0, 0, v6 ? 24 : 2]; break;
    case 'loop': header = [0, 0, 0, v6 ? 24 : 2]; break;
    case 'sll': header = [0, 0, 0, 772, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, ...etherType].map((x) => x & 0xff); break;
    case 'sll2': header = [...etherType, 0, 0, 0, 0, 0, 1, 0, 772 & 0xff, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]; break;
    default: header = [];
  }
  const out = new Uint8Array(header.length + ip.length);
  out.set(header);
  out.set(ip, header.length);
  return out;
}

export interface Packet {
  /** ms since the epoch. */
  time: number;
  frame: Uint8Array;
  /** Captured length, when less than the frame (snaplen truncation). */
  captured?: number;
}

/** A classic pcap file. */
export function writePcap(packets: Packet[], opts: { linkType: number; nanoseconds?: boolean; bigEndian?: boolean }): Uint8Array {
  const le = !opts.bigEndian;
  const size = 24 + packets.reduce((n, p) => n + 16 + (p.captured ?? p.frame.length), 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, opts.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 262144, le);
  v.setUint32(20, opts.linkType, le);
  let p = 24;
  for (const pkt of packets) {
    const cap = pkt.captured ?? pkt.frame.length;
    const sec = Math.floor(pkt.time / 1000);
    const frac = opts.nanoseconds ? Math.round((pkt.time - sec * 1000) * 1e6) : Math.round((pkt.time - sec * 1000) * 1000);
    v.setUint32(p, sec, le);
    v.setUint32(p + 4, frac, le);
    v.setUint32(p + 8, cap, le);
    v.setUint32(p + 12, pkt.frame.length, le);
    out.set(pkt.frame.subarray(0, cap), p + 16);
    p += 16 + cap;
  }
  return out;
}

export interface NgInterface {
  linkType: number;
  /** if_tsresol option byte (default: none, i.e. microseconds). */
  tsresol?: number;
  snapLength?: number;
}

export interface NgPacket extends Packet {
  iface?: number;
  block?: 'epb' | 'spb' | 'pb';
}

export interface NgSection {
  bigEndian?: boolean;
  interfaces: NgInterface[];
  packets: NgPacket[];
  /** Extra unknown block (type 0x0BAD) inserted before the packets. */
  unknownBlock?: boolean;
}

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, total, le);
  out.set(body, 8);
  v.setUint32(total - 4, total, le);
  return out;
}

function unitsPerSecond(tsresol: number | undefined): number {
  if (tsresol === undefined) return 1e6;
  return tsresol & 0x80 ? 2 ** (tsresol & 0x7f) : 10 ** tsresol;
}

/** A pcapng file of one or more sections. */
export function writePcapng(sections: NgSection[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const s of sections) {
    const le = !s.bigEndian;
    const shb = new Uint8Array(16);
    const sv = new DataView(shb.buffer);
    sv.setUint32(0, 0x1a2b3c4d, le);
    sv.setUint16(4, 1, le);
    sv.setUint16(6, 0, le);
    sv.setInt32(8, -1, le);
    sv.setInt32(12, -1, le);
    blocks.push(block(0x0a0d0d0a, shb, le));
    for (const i of s.interfaces) {
      const opts = i.tsresol === undefined ? [] : [9, 0, 1, 0, i.tsresol, 0, 0, 0, 0, 0, 0, 0];
      const body = new Uint8Array(8 + opts.length);
      const bv = new DataView(body.buffer);
      bv.setUint16(0, i.linkType, le);
      bv.setUint32(4, i.snapLength ?? 0, le);
      if (opts.length) {
        bv.setUint16(8, 9, le);
        bv.setUint16(10, 1, le);
        body[12] = i.tsresol as number;
      }
      blocks.push(block(1, body, le));
    }
    if (s.unknownBlock) blocks.push(block(0x0bad, new Uint8Array([1, 2, 3, 4, 5]), le));
    for (const p of s.packets) {
      const cap = p.captured ?? p.frame.length;
      const ifaceId = p.iface ?? 0;
      if (p.block === 'spb') {
        const body = new Uint8Array(4 + cap);
        new DataView(body.buffer).setUint32(0, p.frame.length, le);
        body.set(p.frame.subarray(0, cap), 4);
        blocks.push(block(3, body, le));
        continue;
      }
      const units = Math.round(p.time * (unitsPerSecond(s.interfaces[ifaceId]?.tsresol) / 1000));
      const body = new Uint8Array(20 + cap);
      const bv = new DataView(body.buffer);
      if (p.block === 'pb') {
        bv.setUint16(0, ifaceId, le);
      } else {
        bv.setUint32(0, ifaceId, le);
      }
      bv.setUint32(4, Math.floor(units / 4294967296), le);
      bv.setUint32(8, units % 4294967296, le);
      bv.setUint32(12, cap, le);
      bv.setUint32(16, p.frame.length, le);
      body.set(p.frame.subarray(0, cap), 20);
      blocks.push(block(p.block === 'pb' ? 2 : 6, body, le));
    }
  }
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let p = 0;
  for (const b of blocks) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/** A minimal A-ASSOCIATE-RQ (PS3.8 §9.3.2): fixed fields only, 74 bytes. */
export function associateRq(): Uint8Array {
  const b = new Uint8Array(74);
  b[0] = 0x01;
  new DataView(b.buffer).setUint32(2, 68);
  b[7] = 0x01;
  b.set(new TextEncoder().encode('CALLED'.padEnd(16)), 10);
  b.set(new TextEncoder().encode('CALLING'.padEnd(16)), 26);
  return b;
}

export function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

/**
 * A TCP conversation between a client and a server with sequence numbers
 * kept. Each call returns the packet (not yet placed in a list), so tests
 * can arrange them in any order.
 */
export class Conversation {
  clientSeq: number;
  serverSeq: number;
  time: number;

  constructor(
    readonly client: { host: string; port: number },
    readonly server: { host: string; port: number },
    opts: { clientIsn?: number; serverIsn?: number; time?: number; link?: Link } = {},
  ) {
    this.clientSeq = opts.clientIsn ?? 1000;
    this.serverSeq = opts.serverIsn ?? 5000;
    this.time = opts.time ?? 1_700_000_000_000;
    this.link = opts.link ?? 'ethernet';
  }

  readonly link: Link;

  private packet(fromClient: boolean, seq: number, flags: number, payload?: Uint8Array): Packet {
    this.time += 1;
    const [a, b] = fromClient ? [this.client, this.server] : [this.server, this.client];
    const ip = tcpPacket({ src: a.host, sport: a.port, dst: b.host, dport: b.port, seq, flags, payload, ack: fromClient ? this.serverSeq : this.clientSeq });
    return { time: this.time, frame: linkFrame(this.link, ip) };
  }

  handshake(): Packet[] {
    return [this.syn(), this.synAck(), this.packet(true, this.clientSeq, ACK)];
  }

  syn(): Packet {
    const p = this.packet(true, this.clientSeq, SYN);
    return p;
  }

  synAck(): Packet {
    const p = this.packet(false, this.serverSeq, SYN | ACK);
    this.clientSeq = (this.clientSeq + 1) >>> 0;
    this.serverSeq = (this.serverSeq + 1) >>> 0;
    return p;
  }

  /** Data from the client ('c') or server ('s'); `at` overrides the sequence number (for retransmissions and overlaps) without advancing. */
  send(from: 'c' | 's', payload: Uint8Array, at?: number): Packet {
    const fromClient = from === 'c';
    const seq = at ?? (fromClient ? this.clientSeq : this.serverSeq);
    const p = this.packet(fromClient, seq, ACK | PSH, payload);
    if (at === undefined) {
      if (fromClient) this.clientSeq = (this.clientSeq + payload.length) >>> 0;
      else this.serverSeq = (this.serverSeq + payload.length) >>> 0;
    }
    return p;
  }

  fin(from: 'c' | 's'): Packet {
    const fromClient = from === 'c';
    const p = this.packet(fromClient, fromClient ? this.clientSeq : this.serverSeq, FIN | ACK);
    if (fromClient) this.clientSeq = (this.clientSeq + 1) >>> 0;
    else this.serverSeq = (this.serverSeq + 1) >>> 0;
    return p;
  }

  rst(from: 'c' | 's', withAck = true): Packet {
    const fromClient = from === 'c';
    return this.packet(fromClient, fromClient ? this.clientSeq : this.serverSeq, RST | (withAck ? ACK : 0));
  }
}
