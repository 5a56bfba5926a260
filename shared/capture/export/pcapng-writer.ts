/**
 * Wire events → pcapng (draft-ietf-opsawg-pcapng), so that anything pacscope
 * saw can be opened in Wireshark. The framing is synthesised (the wire events
 * keep the payload bytes, not the packets): Ethernet II (link type 1; or raw
 * IP, link type 101) with locally administered MAC addresses made from the IP
 * addresses, IPv4 or IPv6, TCP with a three-way handshake per connection,
 * payload cut into segments that fit an IP datagram, FIN or RST at the end,
 * SYN → RST for refused connections, and a hole in the sequence numbers for a
 * capture gap (which Wireshark shows as "previous segment not captured").
 * IPv4 and TCP checksums are computed. Timestamps are the wire events' own,
 * in microseconds. Pure: returns byte blocks to write.
 *
 * A connection pacscope saw over TLS (a `tls` event: its endpoints or its
 * proxy terminated TLS) is written as its decrypted stream on the same
 * ports, and its next packet carries a comment (opt_comment) with the TLS
 * facts of the leg — "TLS (decrypted by pacscope) TLSv1.3
 * TLS_AES_256_GCM_SHA384, …" — so that Wireshark decodes the DICOM at once
 * and says it was TLS. Why the decrypted stream and not the TLS records
 * with their key log in a Decryption Secrets Block: a recording keeps the
 * DICOM bytes, not the TLS records (docs/recording-format.md, version 3);
 * through the proxy each leg is its own TLS session, so no one stream of
 * records would be "the" connection; and a redacted export can carry no
 * keys (they would decrypt what was redacted).
 */
import { concatBytes } from '../../pdu/bytes.ts';
import type { Endpoint, Side, WireEvent, WireTls } from '../wire-event.ts';
import { alertName } from '../tls/alerts.ts';

/** LINKTYPE_ETHERNET and LINKTYPE_RAW (tcpdump.org/linktypes.html). */
const LINKTYPE = Object.freeze({ ethernet: 1, raw: 101 } as const);
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** TCP payload per packet: an IPv4 datagram must stay under 65,535 bytes. */
const MAX_SEGMENT = 65_000;
const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

export interface PcapngWriterOptions {
  /** Link layer of the packets: 'ethernet' (default) or 'raw' IP. */
  linkType?: keyof typeof LINKTYPE;
}

interface TcpState {
  requestor: Endpoint;
  acceptor: Endpoint;
  /** Next sequence number each side sends. */
  seq: Record<Side, number>;
  finished: Set<Side>;
  /** TLS facts waiting for the connection's next packet, as its comment. */
  comment?: string;
}

/** The comment of a `tls` event: what Wireshark shows as the packet's comment. */
export function tlsComment(e: WireTls): string {
  const leg = e.role === 'observer' ? 'TLS' : `TLS, ${e.leg === 'requestor' ? 'requestor' : 'acceptor'} leg (pacscope was the ${e.role})`;
  const parts = [
    e.outcome === 'established' ? 'established; the DICOM below was decrypted by pacscope' : e.outcome,
    e.version,
    e.cipher,
    e.sni ? `SNI ${e.sni}` : null,
    e.peerCertificate ? `peer certificate ${e.peerCertificate.subject} issued by ${e.peerCertificate.issuer}, valid ${e.peerCertificate.validFrom.slice(0, 10)} to ${e.peerCertificate.validTo.slice(0, 10)}${e.peerVerified === false ? ` (not verified: ${e.verifyError ?? 'untrusted'})` : ''}` : null,
    e.error ? `error: ${e.error.message}${e.error.alert !== null ? `, alert ${alertName(e.error.alert)} from the ${e.error.alertFrom ?? '?'}` : ''}` : null,
  ];
  return `${leg}: ${parts.filter((p) => p).join('; ')}`;
}

/** Initial sequence numbers, different per connection so that a reused port pair is still two streams to Wireshark. */
function isn(conn: number, side: Side): number {
  return (Math.imul(conn + 1, 0x9e3779b1) + (side === 'requestor' ? 0 : 0x40000000)) >>> 0;
}

export class PcapngWriter {
  private readonly connections = new Map<number, TcpState>();
  private readonly linkType: number;

  constructor(options: PcapngWriterOptions = {}) {
    this.linkType = LINKTYPE[options.linkType ?? 'ethernet'];
  }

  /** Section header block and the one interface description block. */
  header(): Uint8Array {
    const shb = block(0x0a0d0d0a, 16, (v) => {
      v.setUint32(0, 0x1a2b3c4d, true);
      v.setUint16(4, 1, true);
      v.setUint16(6, 0, true);
      v.setBigInt64(8, -1n, true); // section length unknown
    });
    const idb = block(0x00000001, 8, (v) => {
      v.setUint16(0, this.linkType, true);
      v.setUint32(4, 0, true); // no snap length
    });
    return concatBytes([shb, idb]);
  }

  /** The blocks for one wire event (possibly none). */
  write(ev: WireEvent): Uint8Array[] {
    switch (ev.kind) {
      case 'open': {
        const r = isn(ev.conn, 'requestor');
        const a = isn(ev.conn, 'acceptor');
        const state: TcpState = { requestor: ev.requestor, acceptor: ev.acceptor, seq: { requestor: r, acceptor: a }, finished: new Set() };
        this.connections.set(ev.conn, state);
        if (ev.midStream) return [];
        // A SYN takes one sequence number: data starts at ISN + 1 (RFC 9293 §3.4).
        const blocks = [
          this.packet(state, 'requestor', ev.time, SYN, r, 0, EMPTY),
          this.packet(state, 'acceptor', ev.time, SYN | ACK, a, r + 1, EMPTY),
          this.packet(state, 'requestor', ev.time, ACK, r + 1, a + 1, EMPTY),
        ];
        state.seq.requestor = (r + 1) >>> 0;
        state.seq.acceptor = (a + 1) >>> 0;
        return blocks;
      }
      case 'refused': {
        const r = isn(ev.conn, 'requestor');
        const state: TcpState = { requestor: ev.requestor, acceptor: ev.acceptor, seq: { requestor: r, acceptor: 0 }, finished: new Set() };
        return [this.packet(state, 'requestor', ev.time, SYN, r, 0, EMPTY), this.packet(state, 'acceptor', ev.time, RST | ACK, 0, r + 1, EMPTY)];
      }
      case 'data': {
        const state = this.connections.get(ev.conn);
        if (!state) return [];
        const out: Uint8Array[] = [];
        const peer: Side = ev.from === 'requestor' ? 'acceptor' : 'requestor';
        for (let i = 0; i < ev.bytes.length; i += MAX_SEGMENT) {
          const payload = ev.bytes.subarray(i, i + MAX_SEGMENT);
          out.push(this.packet(state, ev.from, ev.time, PSH | ACK, state.seq[ev.from], state.seq[peer], payload));
          state.seq[ev.from] = (state.seq[ev.from] + payload.length) >>> 0;
        }
        return out;
      }
      case 'gap': {
        // Leave a hole in the sequence space, as a lossy capture would.
        const state = this.connections.get(ev.conn);
        if (state) state.seq[ev.from] = (state.seq[ev.from] + ev.length) >>> 0;
        return [];
      }
      case 'tls': {
        const state = this.connections.get(ev.conn);
        if (state) state.comment = state.comment ? `${state.comment} | ${tlsComment(ev)}` : tlsComment(ev);
        return [];
      }
      case 'close': {
        const state = this.connections.get(ev.conn);
        if (!state) return [];
        const from: Side = ev.from ?? 'requestor';
        const peer: Side = from === 'requestor' ? 'acceptor' : 'requestor';
        const flags = ev.how === 'fin' ? FIN | ACK : RST | ACK;
        const block = this.packet(state, from, ev.time, flags, state.seq[from], state.seq[peer], EMPTY);
        state.seq[from] = (state.seq[from] + 1) >>> 0;
        state.finished.add(from);
        if (ev.how !== 'fin' || state.finished.size === 2) this.connections.delete(ev.conn);
        return [block];
      }
    }
  }

  /** One Enhanced Packet Block: link header, IP header, TCP header, payload. */
  private packet(state: TcpState, from: Side, time: number, flags: number, seq: number, ack: number, payload: Uint8Array): Uint8Array {
    const src = from === 'requestor' ? state.requestor : state.acceptor;
    const dst = from === 'requestor' ? state.acceptor : state.requestor;
    const v6 = src.host.includes(':') || dst.host.includes(':');
    const srcIp = v6 ? ipv6Bytes(src.host) : ipv4Bytes(src.host);
    const dstIp = v6 ? ipv6Bytes(dst.host) : ipv4Bytes(dst.host);
    const link = this.linkType === LINKTYPE.ethernet ? 14 : 0;
    const ipLength = v6 ? 40 : 20;
    const frameLength = link + ipLength + 20 + payload.length;
    const padded = (frameLength + 3) & ~3;
    // opt_comment (code 1), UTF-8, padded to 32 bits, then opt_endofopt (pcapng §3.5).
    const comment = state.comment ? new TextEncoder().encode(state.comment) : null;
    state.comment = undefined;
    const options = comment ? 4 + ((comment.length + 3) & ~3) + 4 : 0;
    const out = new Uint8Array(28 + padded + options + 4);
    const v = new DataView(out.buffer);
    const micros = BigInt(Math.round(time * 1000));
    v.setUint32(0, 0x00000006, true); // enhanced packet block
    v.setUint32(4, out.length, true);
    v.setUint32(8, 0, true); // interface 0
    v.setUint32(12, Number(micros >> 32n), true);
    v.setUint32(16, Number(micros & 0xffffffffn), true);
    v.setUint32(20, frameLength, true);
    v.setUint32(24, frameLength, true);
    let p = 28;
    if (link) {
      out.set(macOf(dstIp), p);
      out.set(macOf(srcIp), p + 6);
      v.setUint16(p + 12, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
      p += link;
    }
    const ip = p;
    if (v6) {
      v.setUint32(ip, 0x60000000);
      v.setUint16(ip + 4, 20 + payload.length);
      out[ip + 6] = 6; // next header: TCP
      out[ip + 7] = 64;
      out.set(srcIp, ip + 8);
      out.set(dstIp, ip + 24);
    } else {
      out[ip] = 0x45;
      v.setUint16(ip + 2, 20 + 20 + payload.length);
      v.setUint16(ip + 6, 0x4000); // don't fragment
      out[ip + 8] = 64;
      out[ip + 9] = 6;
      out.set(srcIp, ip + 12);
      out.set(dstIp, ip + 16);
      v.setUint16(ip + 10, ~sum16(out, ip, ip + 20, 0) & 0xffff);
    }
    const tcp = ip + ipLength;
    v.setUint16(tcp, src.port);
    v.setUint16(tcp + 2, dst.port);
    v.setUint32(tcp + 4, seq >>> 0);
    v.setUint32(tcp + 8, ack >>> 0);
    out[tcp + 12] = 5 << 4;
    out[tcp + 13] = flags;
    v.setUint16(tcp + 14, 65535);
    out.set(payload, tcp + 20);
    // TCP checksum over the pseudo-header (RFC 9293 §3.1; RFC 8200 §8.1 for IPv6), the header and the payload.
    const tcpLength = 20 + payload.length;
    let pseudo = sum16(srcIp, 0, srcIp.length, 0);
    pseudo = sum16(dstIp, 0, dstIp.length, pseudo);
    pseudo += 6 + (tcpLength & 0xffff) + (tcpLength >>> 16);
    v.setUint16(tcp + 16, ~sum16(out, tcp, tcp + tcpLength, pseudo) & 0xffff);
    if (comment) {
      const o = 28 + padded;
      v.setUint16(o, 1, true);
      v.setUint16(o + 2, comment.length, true);
      out.set(comment, o + 4);
    }
    v.setUint32(out.length - 4, out.length, true);
    return out;
  }
}

const EMPTY = new Uint8Array(0);

/** The 16-bit one's complement sum of b[start, end) (RFC 1071), added to `initial`, folded. */
function sum16(b: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) {
    sum += (b[i] << 8) | b[i + 1];
    if (sum > 0x7fffffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (i < end) sum += b[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** A locally administered unicast MAC address (02:00:…) from the last 4 bytes of an IP address. */
function macOf(ip: Uint8Array): Uint8Array {
  return Uint8Array.of(0x02, 0x00, ...ip.subarray(ip.length - 4));
}

function ipv4Bytes(host: string): Uint8Array {
  const parts = host.split('.').map(Number);
  return new Uint8Array(parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : [127, 0, 0, 1]);
}

function ipv6Bytes(host: string): Uint8Array {
  const out = new Uint8Array(16);
  if (!host.includes(':')) {
    // An IPv4 peer of an IPv6 connection: the IPv4-mapped form ::ffff:a.b.c.d.
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(ipv4Bytes(host), 12);
    return out;
  }
  const [head, tail = ''] = host.replace(/%.*$/, '').split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = host.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  groups.slice(0, 8).forEach((g, i) => {
    const n = parseInt(g, 16) || 0;
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

function block(type: number, bodyLength: number, fill: (body: DataView) => void): Uint8Array {
  const out = new Uint8Array(12 + bodyLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, out.length, true);
  fill(new DataView(out.buffer, 8, bodyLength));
  v.setUint32(out.length - 4, out.length, true);
  return out;
}
