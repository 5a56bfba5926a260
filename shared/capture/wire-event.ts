/**
 * The wire events: what every source (own SCU/SCP tap, proxy relay, pcap
 * import, recording replay) turns its traffic into, and the only input of the
 * decoding core. docs/architecture.md §1: everything else is derived from
 * these. A recording stores exactly these records.
 *
 * DICOM runs one association per TCP connection (PS3.8 §9.1.1), and the
 * association requestor is always the side that opened the connection, so a
 * direction is named after the side that sent the bytes.
 */

/** The side of a connection that sent some bytes: the TCP initiator is the association requestor. */
export type Side = 'requestor' | 'acceptor';

export interface Endpoint {
  host: string;
  port: number;
}

/** Milliseconds since the Unix epoch, fractional (pcap gives microseconds). */
export type WireTime = number;

/** A TCP connection was established (or first seen, for a capture started mid-stream). */
export interface WireOpen {
  kind: 'open';
  /** Unique within one source; assigned in order of appearance. */
  conn: number;
  time: WireTime;
  requestor: Endpoint;
  acceptor: Endpoint;
  /** True when a capture started after the handshake: the stream may begin mid-PDU. */
  midStream?: boolean;
}

/** Bytes that crossed the wire, in order, for one direction of one connection. */
export interface WireData {
  kind: 'data';
  conn: number;
  time: WireTime;
  from: Side;
  bytes: Uint8Array;
}

/** Bytes known to be missing from one direction (capture loss): `length` bytes were not seen. */
export interface WireGap {
  kind: 'gap';
  conn: number;
  time: WireTime;
  from: Side;
  length: number;
}

/** One side closed (FIN) or reset (RST) the connection. `from` is null when the cause is unknown (e.g. a local error). */
export interface WireClose {
  kind: 'close';
  conn: number;
  time: WireTime;
  from: Side | null;
  how: 'fin' | 'reset' | 'error';
  /** Free text, e.g. the socket error message. */
  reason?: string;
}

/** A connection attempt that never became a connection (RST answering SYN, ECONNREFUSED, timeout). */
export interface WireRefused {
  kind: 'refused';
  conn: number;
  time: WireTime;
  requestor: Endpoint;
  acceptor: Endpoint;
  reason: string;
}

export type WireEvent = WireOpen | WireData | WireGap | WireClose | WireRefused;
