/**
 * The derived events: what the decoding core makes of the wire events, in
 * order. The summary, the live WebSocket stream, the correlator
 * (shared/model/correlator.ts) and (later) the diagnosis rules all consume
 * this one stream (docs/architecture.md §2).
 */
import type { Endpoint, Side, WireTime, WireTls } from '../capture/wire-event.ts';
import type { Pdu } from '../pdu/types.ts';
import type { DimseMessage } from '../dimse/types.ts';
import type { AssociationOutcome } from '../model/summary-types.ts';

/** Association ids are "a1", "a2", … in order of connection: one association per TCP connection (PS3.8 §9.1.1). */
export type AssociationId = string;

export interface ConnectionOpened {
  type: 'connection.open';
  association: AssociationId;
  conn: number;
  time: WireTime;
  requestor: Endpoint;
  acceptor: Endpoint;
  midStream: boolean;
}

export interface ConnectionRefused {
  type: 'connection.refused';
  association: AssociationId;
  conn: number;
  time: WireTime;
  requestor: Endpoint;
  acceptor: Endpoint;
  reason: string;
}

export interface PduSeen {
  type: 'pdu';
  association: AssociationId;
  time: WireTime;
  from: Side;
  pdu: Pdu;
}

export interface DimseSeen {
  type: 'dimse';
  association: AssociationId;
  time: WireTime;
  from: Side;
  message: DimseMessage;
}

/** The association (and its connection) is over; `outcome` is final. */
export interface AssociationEnded {
  type: 'association.end';
  association: AssociationId;
  time: WireTime;
  outcome: AssociationOutcome;
  /** How the connection ended, in words ("closed by requestor without A-RELEASE", "reset by acceptor"). */
  reason: string | null;
  /** The side whose TCP close (FIN or reset) came first, when the association was not over by then (no release, abort or reject); null otherwise. */
  closedFirst?: Side | null;
}

export interface DecodeError {
  type: 'decode.error';
  association: AssociationId | null;
  time: WireTime;
  from: Side | null;
  /** Stream offset in that direction, when the problem is in the bytes. */
  offset: number | null;
  reason: string;
}

/**
 * TLS on the connection (PS3.15 Annex B): a leg's handshake facts, as the
 * recording or the capture gave them (`leg`), or first bytes of the
 * connection that look like TLS records where DICOM was expected, or answer
 * a ClientHello with none (`firstBytes`, hex, up to 16 bytes per direction).
 */
export interface TlsSeen {
  type: 'tls';
  association: AssociationId;
  time: WireTime;
  leg: WireTls | null;
  firstBytes: { requestor: string; acceptor: string } | null;
}

export type DerivedEvent = ConnectionOpened | ConnectionRefused | PduSeen | DimseSeen | AssociationEnded | DecodeError | TlsSeen;
