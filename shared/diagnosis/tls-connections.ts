/**
 * The TLS facts of a session, read from the summary model: the connections
 * whose `tls` is set (shared/model/summary-types.ts, SummaryTls), with their
 * legs and first bytes in the form the TLS rules (tls.ts) and
 * `pacscope summary`'s TLS section read. The model carries them whatever the
 * source — a recording, a capture, the live hub — so the rules see the same
 * facts everywhere (docs/architecture.md §2, one pipeline).
 */
import type { Endpoint } from '../capture/wire-event.ts';
import type { Summary, TlsLeg } from '../model/summary-types.ts';

export interface TlsConnection {
  association: string;
  requestor: Endpoint;
  acceptor: Endpoint;
  /** Seconds from the source's start, of the connection's opening. */
  start: number;
  /** ms since the epoch of the source's start (a leg's time is counted from it). */
  sourceStart: number;
  legs: TlsLeg[];
  /** The first bytes each side sent (up to 16), empty when unknown or not TLS-looking. */
  first: { requestor: Uint8Array; acceptor: Uint8Array };
}

const bytes = (hex: string | undefined): Uint8Array => {
  if (!hex || !/^(?:[0-9a-f]{2})*$/i.test(hex)) return new Uint8Array(0);
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
};

/** The connections where TLS showed, in order of opening. */
export function tlsConnections(summary: Summary): TlsConnection[] {
  const sourceStart = summary.source.start ? Date.parse(summary.source.start) : 0;
  return summary.associations
    .filter((a) => a.tls && (a.tls.legs.length > 0 || a.tls.firstBytes))
    .map((a) => ({
      association: a.id,
      requestor: { host: a.requestor.host, port: a.requestor.port },
      acceptor: { host: a.acceptor.host, port: a.acceptor.port },
      start: a.start,
      sourceStart,
      legs: a.tls!.legs,
      first: { requestor: bytes(a.tls!.firstBytes?.requestor), acceptor: bytes(a.tls!.firstBytes?.acceptor) },
    }));
}
