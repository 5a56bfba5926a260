/**
 * `pacscope summary`'s TLS section: per connection with TLS, each leg's facts
 * as the recording or the capture gave them (the model's `tls`,
 * shared/diagnosis/tls-connections.ts).
 */
import type { TlsConnection } from '../../shared/diagnosis/tls-connections.ts';
import type { TlsLeg } from '../../shared/model/summary-types.ts';
import { alertName } from '../../shared/capture/tls/alerts.ts';

function leg(l: TlsLeg): string {
  const who = l.role === 'observer' ? 'seen in a capture' : `${l.leg} leg, pacscope the TLS ${l.role}`;
  const cert = l.peerCertificate ? `; peer certificate ${l.peerCertificate.subject} issued by ${l.peerCertificate.issuer}, valid to ${l.peerCertificate.validTo.slice(0, 10)}${l.peerVerified === true ? ', verified' : l.peerVerified === false ? `, NOT verified (${l.verifyError ?? 'untrusted'})` : ''}` : '';
  const offered = l.offered ? `; client offered ${l.offered.versions.join('/')}, ${l.offered.cipherSuites.length} suites` : '';
  const err = l.error ? `; ${l.error.code ?? 'error'}: ${l.error.message}${l.error.alert !== null ? ` (alert ${alertName(l.error.alert)} from the ${l.error.alertFrom})` : ''}` : '';
  const enc = l.encryptedBytes ? `; ${l.encryptedBytes.requestor + l.encryptedBytes.acceptor} bytes encrypted, not decoded` : '';
  return `${l.outcome} (${who})${l.version ? ` ${l.version}` : ''}${l.cipher ? ` ${l.cipher}` : ''}${l.sni ? ` SNI ${l.sni}` : ''}${cert}${offered}${err}${enc}`;
}

export function formatTls(connections: readonly TlsConnection[]): string {
  const withLegs = connections.filter((c) => c.legs.length > 0);
  if (withLegs.length === 0) return '';
  const lines = ['', 'TLS (PS3.15 Annex B):'];
  for (const c of withLegs) {
    lines.push(`${c.association}  ${c.requestor.host}:${c.requestor.port} → ${c.acceptor.host}:${c.acceptor.port}`);
    for (const l of c.legs) lines.push(`    ${leg(l)}`);
  }
  return `${lines.join('\n')}\n`;
}
