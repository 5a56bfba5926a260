/**
 * The association inspector's TLS table (PS3.15 Annex B, secure transport
 * connection profiles): per TCP leg, what the handshake agreed or why it
 * failed, the certificate the other end showed and whether it was trusted;
 * the first bytes when they showed TLS where DICOM was expected. From the
 * summary model's `tls` (shared/model/summary-types.ts). Plain text.
 */
import type { SummaryAssociation, TlsLeg } from '../../../../shared/model/summary-types.ts';
import type { TlsCertificate } from '../../../../shared/capture/wire-event.ts';
import { alertName } from '../../../../shared/capture/tls/alerts.ts';

export interface TlsTable {
  title: string;
  rows: { field: string; value: string }[];
}

const OUTCOME: Record<TlsLeg['outcome'], string> = {
  established: 'established: the DICOM shown is the decrypted stream',
  failed: 'failed',
  'not-tls': 'no TLS: the peer sent no TLS handshake to a TLS port',
  'not-tls-answer': 'no TLS answer: the ClientHello was answered without TLS (a plain port)',
  encrypted: 'encrypted: only the handshake was readable; the DICOM inside is not decoded',
};

const certText = (c: TlsCertificate): string => `${c.subject}, issued by ${c.issuer}, valid ${c.validFrom.slice(0, 10)} to ${c.validTo.slice(0, 10)}${c.subjectAltNames.length ? `, names ${c.subjectAltNames.join(', ')}` : ''}`;
const spaced = (hex: string): string => hex.replace(/(..)(?!$)/g, '$1 ');

function legTable(l: TlsLeg): TlsTable {
  const who = l.role === 'observer' ? 'seen in a capture' : `${l.leg} leg, pacscope the TLS ${l.role}`;
  const rows: { field: string; value: string }[] = [{ field: 'outcome', value: OUTCOME[l.outcome] }];
  if (l.version) rows.push({ field: 'version', value: l.version });
  if (l.cipher) rows.push({ field: 'cipher suite', value: l.cipher });
  if (l.sni) rows.push({ field: 'server name (SNI)', value: l.sni });
  if (l.peerCertificate) rows.push({ field: 'peer certificate', value: certText(l.peerCertificate) });
  if (l.peerVerified !== null) rows.push({ field: 'peer verified', value: l.peerVerified ? 'yes' : `no${l.verifyError ? ` (${l.verifyError})` : ''}` });
  if (l.localCertificate) rows.push({ field: "pacscope's certificate", value: certText(l.localCertificate) });
  if (l.offered) rows.push({ field: 'client offered', value: `${l.offered.versions.join(', ') || 'no versions'}; ${l.offered.cipherSuites.length} cipher suites` });
  if (l.allowed) rows.push({ field: 'pacscope allows', value: `${l.allowed.versions.join(', ')}${l.allowed.ciphers ? `; TLS 1.2 suites ${l.allowed.ciphers}` : ''}` });
  if (l.error) rows.push({ field: 'error', value: `${l.error.code ? `${l.error.code}: ` : ''}${l.error.message}${l.error.alert !== null ? ` (alert ${alertName(l.error.alert)} from the ${l.error.alertFrom})` : ''}` });
  if (l.encryptedBytes) rows.push({ field: 'encrypted bytes', value: `${l.encryptedBytes.requestor} from the requestor, ${l.encryptedBytes.acceptor} from the acceptor` });
  return { title: `TLS, ${who}`, rows };
}

/** One table per leg, then the first bytes when they showed TLS; empty when the connection had no TLS. */
export function tlsTables(a: SummaryAssociation): TlsTable[] {
  if (!a.tls) return [];
  const tables = a.tls.legs.map(legTable);
  const first = a.tls.firstBytes;
  if (first) {
    tables.push({
      title: 'First bytes (a ClientHello starts 16 03, an A-ASSOCIATE-RQ 01 00)',
      rows: [
        { field: 'requestor', value: first.requestor ? spaced(first.requestor) : 'none' },
        { field: 'acceptor', value: first.acceptor ? spaced(first.acceptor) : 'none' },
      ],
    });
  }
  return tables;
}
