/**
 * Wire events → pcapng (draft-ietf-opsawg-pcapng), so that anything pacscope
 * saw can be opened in Wireshark. The TCP/IP framing is synthesised (the wire
 * events keep the payload bytes, not the packets): raw IP link type (101),
 * a three-way handshake per connection, payload cut into segments that fit an
 * IP datagram, FIN or RST at the end, SYN → RST for refused connections.
 * Checksums are computed for IPv4 headers; TCP checksums are left 0, which
 * Wireshark does not verify by default. Pure: returns byte blocks to write.
 */
import { concatBytes } from '../../pdu/bytes.ts';
import type { Endpoint, Side, WireEvent } from '../wire-event.ts';

const LINKTYPE_RAW = 101;
const MAX_SEGMENT = 65_000;
const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

interface TcpState {
  requestor: Endpoint;
  acceptor: Endpoint;
  /** Next sequence number each side sends. */
  seq: Record<Side, number>;
}

export class PcapngWriter {
  private readonly connections = new Map<number, TcpState>();

  /** Section header block and the one interface description block. */
  header(): Uint8Array {
    const shb = block(0x0a0d0d0a, 16, (v) => {
      v.setUint32(0, 0x1a2b3c4d, true);
      v.setUint16(4, 1, true);
      v.setUint16(6, 0, true);
      v.setBigInt64(8, -1n, true); // section length unknown
    });
    const idb = block(0x00000001, 8, (v) => {
      v.setUint16(0, LINKTYPE_RAW, true);
      v.setUint32(4, 0, true); // no snap length
    });
    return concatBytes([shb, idb]);
  }

  /** The blocks for one wire event (possibly none). */
  write(ev: WireEvent): Uint8Array[] {
    switch (ev.kind) {
      case 'open': {
        const state: TcpState = { requestor: ev.requestor, acceptor: ev.acceptor, seq: { requestor: 1000, acceptor: 5000 } };
        this.connections.set(ev.conn, state);
        if (ev.midStream) return [];
        // A SYN takes one sequence number: data starts at ISN + 1 (RFC 9293 §3.4).
        const blocks = [
          this.packet(state, 'requestor', ev.time, SYN, 1000, 0, new Uint8Array(0)),
          this.packet(state, 'acceptor', ev.time, SYN | ACK, 5000, 1001, new Uint8Array(0)),
          this.packet(state, 'requestor', ev.time, ACK, 1001, 5001, new Uint8Array(0)),
        ];
        state.seq.requestor = 1001;
        state.seq.acceptor = 5001;
        return blocks;
      }
      case 'refused': {
        const state: TcpState = { requestor: ev.requestor, acceptor: ev.acceptor, seq: { requestor: 1000, acceptor: 0 } };
        return [this.packet(state, 'requestor', ev.time, SYN, 1000, 0, new Uint8Array(0)), this.packet(state, 'acceptor', ev.time, RST | ACK, 0, 1001, new Uint8Array(0))];
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
      case 'close': {
        const state = this.connections.get(ev.conn);
        if (!state) return [];
        const from: Side = ev.from ?? 'requestor';
        const peer: Side = from === 'requestor' ? 'acceptor' : 'requestor';
        const flags = ev.how === 'fin' ? FIN | ACK : RST | ACK;
        const block = this.packet(state, from, ev.time, flags, state.seq[from], state.seq[peer], new Uint8Array(0));
        state.seq[from] = (state.seq[from] + 1) >>> 0;
        return [block];
      }
    }
  }

  private packet(state: TcpState, from: Side, time: number, flags: number, seq: number, ack: number, payload: Uint8Array): Uint8Array {
    const src = from === 'requestor' ? state.requestor : state.acceptor;
    const dst = from === 'requestor' ? state.acceptor : state.requestor;
    const ip = ipHeader(src.host, dst.host, 20 + payload.length);
    const tcp = new Uint8Array(20);
    const t = new DataView(tcp.buffer);
    t.setUint16(0, src.port);
    t.setUint16(2, dst.port);
    t.setUint32(4, seq >>> 0);
    t.setUint32(8, ack >>> 0);
    t.setUint8(12, 5 << 4);
    t.setUint8(13, flags);
    t.setUint16(14, 65535);
    const frameLength = ip.length + 20 + payload.length;
    const micros = BigInt(Math.round(time * 1000));
    const padded = (frameLength + 3) & ~3;
    const out = new Uint8Array(28 + padded + 4);
    const v = new DataView(out.buffer);
    v.setUint32(0, 0x00000006, true); // enhanced packet block
    v.setUint32(4, out.length, true);
    v.setUint32(8, 0, true); // interface 0
    v.setUint32(12, Number(micros >> 32n), true);
    v.setUint32(16, Number(micros & 0xffffffffn), true);
    v.setUint32(20, frameLength, true);
    v.setUint32(24, frameLength, true);
    out.set(ip, 28);
    out.set(tcp, 28 + ip.length);
    out.set(payload, 28 + ip.length + 20);
    v.setUint32(out.length - 4, out.length, true);
    return out;
  }
}

function ipHeader(src: string, dst: string, payloadLength: number): Uint8Array {
  if (src.includes(':') || dst.includes(':')) {
    const h = new Uint8Array(40);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x60000000);
    v.setUint16(4, payloadLength);
    v.setUint8(6, 6); // next header: TCP
    v.setUint8(7, 64);
    h.set(ipv6Bytes(src), 8);
    h.set(ipv6Bytes(dst), 24);
    return h;
  }
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint8(0, 0x45);
  v.setUint16(2, 20 + payloadLength);
  v.setUint8(8, 64);
  v.setUint8(9, 6);
  h.set(ipv4Bytes(src), 12);
  h.set(ipv4Bytes(dst), 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(10, ~sum & 0xffff);
  return h;
}

function ipv4Bytes(host: string): Uint8Array {
  const parts = host.split('.').map(Number);
  return new Uint8Array(parts.length === 4 && parts.every((p) => p >= 0 && p <= 255) ? parts : [127, 0, 0, 1]);
}

function ipv6Bytes(host: string): Uint8Array {
  const out = new Uint8Array(16);
  const [head, tail = ''] = host.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = host.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
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

