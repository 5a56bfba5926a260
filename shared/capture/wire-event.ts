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

/** A certificate as TLS showed it (X.509, RFC 5280): who it names, who signed it, when it is valid. */
export interface TlsCertificate {
  /** Distinguished name, "CN=localhost, O=Hospital". */
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** "DNS:localhost", "IP Address:127.0.0.1", as the certificate lists them. */
  subjectAltNames: string[];
  /** SHA-256 of the DER, "AB:CD:…", null when not known (a certificate read from a capture). */
  fingerprint256: string | null;
}

/** Why a TLS handshake (or a TLS connection after it) failed. */
export interface TlsFailure {
  /** OpenSSL's or Node's code: "CERT_HAS_EXPIRED", "ERR_SSL_NO_SHARED_CIPHER", "ECONNRESET"; null when only the alert was seen (a capture). */
  code: string | null;
  /** In words, as the TLS library said it. */
  message: string;
  /** The TLS alert description (RFC 8446 §6, e.g. 48 unknown_ca), when an alert was sent or received. */
  alert: number | null;
  /** Which side of the connection sent that alert. */
  alertFrom: Side | null;
}

/**
 * The TLS facts of one TCP leg of a connection (PS3.15 Annex B, secure
 * transport connection profiles): recorded beside the DICOM bytes, which for
 * a leg pacscope terminated are the decrypted ones. `leg` names the far end:
 * 'requestor' — the leg between the association requestor and pacscope (a
 * pacscope SCP, the client side of the proxy); 'acceptor' — between pacscope
 * and the acceptor (a pacscope SCU, the upstream side of the proxy). In a
 * capture (role 'observer') the handshake was read in clear and the leg is
 * the connection itself ('requestor').
 */
export interface WireTls {
  kind: 'tls';
  conn: number;
  time: WireTime;
  leg: Side;
  /** pacscope's part on this leg: TLS server, TLS client, or an observer of a capture. */
  role: 'server' | 'client' | 'observer';
  /**
   * established: the handshake completed (the data is the decrypted stream);
   * failed: the handshake failed, or an alert ended the connection after it;
   * not-tls: on a TLS port, the peer's first bytes were no TLS handshake (plain DICOM, say);
   * not-tls-answer: a TLS ClientHello was answered with no TLS at all (a plain port);
   * encrypted: a capture: the handshake was seen, the rest is encrypted and not decoded.
   */
  outcome: 'established' | 'failed' | 'not-tls' | 'not-tls-answer' | 'encrypted';
  /** "TLSv1.3", "TLSv1.2"; null when not agreed. */
  version: string | null;
  /** IANA name, "TLS_AES_256_GCM_SHA384"; null when not agreed. */
  cipher: string | null;
  /** Server Name Indication the client sent (RFC 6066 §3); null when none. */
  sni: string | null;
  /** The certificate the other end of this leg presented; null when none (or not seen). */
  peerCertificate: TlsCertificate | null;
  /** Whether that certificate was verified against the trusted ones; null when it was not checked. */
  peerVerified: boolean | null;
  /** Why it did not verify (OpenSSL's code, "CERT_HAS_EXPIRED"), or null. */
  verifyError: string | null;
  /** pacscope's own certificate on this leg, or null. */
  localCertificate?: TlsCertificate | null;
  error: TlsFailure | null;
  /** What the client's ClientHello offered (a capture, or a failed handshake pacscope saw): versions, suites, SNI. */
  offered?: { versions: string[]; cipherSuites: string[] } | null;
  /** A capture: bytes of TLS records after the handshake, per direction (encrypted, not decoded). */
  encryptedBytes?: { requestor: number; acceptor: number } | null;
  /** Where pacscope was on this leg (its TLS port, the proxy's listen address or its upstream side); absent for a capture. */
  local?: Endpoint | null;
  /** What pacscope's side allowed on this leg: TLS versions, and the OpenSSL list of TLS 1.2 suites. */
  allowed?: { versions: string[]; ciphers: string } | null;
}

export type WireEvent = WireOpen | WireData | WireGap | WireClose | WireRefused | WireTls;
