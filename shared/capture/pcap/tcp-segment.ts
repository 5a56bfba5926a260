/**
 * IPv4 (RFC 791), IPv6 (RFC 8200) and TCP (RFC 9293 §3.1) headers, read just
 * far enough to find a TCP segment: endpoints, sequence number, flags and the
 * payload. Checksums are not verified (captures on the sending host see
 * offloaded, unfilled checksums).
 */
import { ipv4Text, ipv6Text } from './host-text.ts';

/** TCP control bits, RFC 9293 §3.1. */
export const TcpFlag = Object.freeze({ FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const);

export interface TcpSegment {
  srcHost: string;
  srcPort: number;
  dstHost: string;
  dstPort: number;
  seq: number;
  /** Acknowledgment number (meaningful when the ACK bit is set): the next sequence number the sender of this segment expects from the other side. */
  ack: number;
  flags: number;
  /** The captured payload bytes (a view into the frame). */
  payload: Uint8Array;
  /** The payload length on the wire (from the IP length): more than `payload.length` when the capture was truncated (snaplen). */
  payloadLength: number;
}

/** A fragment of a fragmented IP packet: not reassembled, counted by the caller. */
export const FRAGMENT = 'fragment';

const PROTO_TCP = 6;

/** IPv6 extension headers skipped on the way to TCP (RFC 8200 §4): hop-by-hop, routing, destination options, mobility, HIP, shim6. */
const IPV6_SKIPPED = new Set([0, 43, 60, 135, 139, 140]);
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;

/**
 * Reads the IP packet at `offset` of `frame`. `ipVersion` 0 means "look at
 * the version nibble". Returns null for anything that is not a whole-enough
 * TCP segment.
 */
export function parseTcpSegment(frame: Uint8Array, offset: number, ipVersion: 0 | 4 | 6): TcpSegment | typeof FRAGMENT | null {
  if (offset >= frame.length) return null;
  const version = ipVersion === 0 ? frame[offset] >> 4 : ipVersion;
  if (version === 4) return ipv4(frame, offset);
  if (version === 6) return ipv6(frame, offset);
  return null;
}

/** IPv4 header, RFC 791 §3.1: IHL, total length, flags/fragment offset, protocol, addresses. */
function ipv4(f: Uint8Array, o: number): TcpSegment | typeof FRAGMENT | null {
  if (f.length - o < 20 || f[o] >> 4 !== 4) return null;
  const headerLength = (f[o] & 0x0f) * 4;
  const totalLength = (f[o + 2] << 8) | f[o + 3];
  if (headerLength < 20 || totalLength < headerLength) return null;
  const moreFragments = f[o + 6] & 0x20;
  const fragmentOffset = ((f[o + 6] & 0x1f) << 8) | f[o + 7];
  if (f[o + 9] !== PROTO_TCP) return null;
  if (moreFragments || fragmentOffset) return FRAGMENT;
  // Total length 0 happens with TCP segmentation offload on the sender: use what was captured.
  const end = totalLength === 0 ? Infinity : o + totalLength;
  return tcp(f, o + headerLength, end, ipv4Text(f, o + 12), ipv4Text(f, o + 16));
}

/** IPv6 fixed header, RFC 8200 §3, then extension headers (§4) up to TCP. */
function ipv6(f: Uint8Array, o: number): TcpSegment | typeof FRAGMENT | null {
  if (f.length - o < 40 || f[o] >> 4 !== 6) return null;
  const payloadLength = (f[o + 4] << 8) | f[o + 5];
  // Payload length 0: a jumbogram (RFC 2675) or offload; use what was captured.
  const end = payloadLength === 0 ? Infinity : o + 40 + payloadLength;
  let next = f[o + 6];
  let p = o + 40;
  while (next !== PROTO_TCP) {
    if (p + 8 > f.length) return null;
    if (IPV6_SKIPPED.has(next)) {
      const length = (f[p + 1] + 1) * 8;
      next = f[p];
      p += length;
    } else if (next === IPV6_FRAGMENT) {
      const fragmentOffset = ((f[p + 2] << 8) | f[p + 3]) >> 3;
      const more = f[p + 3] & 1;
      if (fragmentOffset || more) return FRAGMENT;
      next = f[p];
      p += 8;
    } else if (next === IPV6_AH) {
      const length = (f[p + 1] + 2) * 4;
      next = f[p];
      p += length;
    } else {
      return null;
    }
  }
  return tcp(f, p, end, ipv6Text(f, o + 8), ipv6Text(f, o + 24));
}

/** TCP header, RFC 9293 §3.1: ports, sequence and acknowledgment numbers, data offset, control bits. */
function tcp(f: Uint8Array, o: number, ipEnd: number, srcHost: string, dstHost: string): TcpSegment | null {
  if (o + 20 > f.length || o + 20 > ipEnd) return null;
  const dataOffset = (f[o + 12] >> 4) * 4;
  if (dataOffset < 20 || o + dataOffset > ipEnd) return null;
  const payloadStart = o + dataOffset;
  const capturedEnd = Math.min(f.length, ipEnd);
  const payload = payloadStart < capturedEnd ? f.subarray(payloadStart, capturedEnd) : f.subarray(0, 0);
  return {
    srcHost,
    srcPort: (f[o] << 8) | f[o + 1],
    dstHost,
    dstPort: (f[o + 2] << 8) | f[o + 3],
    seq: ((f[o + 4] << 24) | (f[o + 5] << 16) | (f[o + 6] << 8) | f[o + 7]) >>> 0,
    ack: ((f[o + 8] << 24) | (f[o + 9] << 16) | (f[o + 10] << 8) | f[o + 11]) >>> 0,
    flags: f[o + 13],
    payload,
    payloadLength: ipEnd === Infinity ? payload.length : Math.max(0, ipEnd - payloadStart),
  };
}
