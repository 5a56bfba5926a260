/**
 * DICOM over TLS (PS3.15 Annex B; BCP 195, RFC 9325) diagnosed like DICOM:
 * from the TLS facts of each connection in the summary model (each leg's
 * handshake, the first bytes; tls-connections.ts), the cause — plain DICOM sent to a TLS port or TLS to
 * a plain one (told by the first bytes: a ClientHello starts 0x16 0x03, an
 * A-ASSOCIATE-RQ 0x01 0x00), a certificate not trusted, expired or for
 * another name, no protocol version or cipher suite in common, a client
 * certificate required but not sent — which side refused whom, and the
 * setting that fixes it with the addresses, names and dates of the wire.
 * A capture's TLS connections whose handshake alone was readable are listed
 * with what it showed: pacscope does not decrypt captured TLS.
 */
import type { Endpoint, Side, TlsCertificate } from '../capture/wire-event.ts';
import type { TlsLeg } from '../model/summary-types.ts';
import { looksLikeTlsHandshake, looksLikeTlsRecord } from '../capture/tls/tls-records.ts';
import { alertName } from '../capture/tls/alerts.ts';
import type { DiagnosisContext } from './context.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import type { ProductId } from './products.ts';
import { tlsSetting } from './tls-peer-settings.ts';
import { tlsConnections, type TlsConnection } from './tls-connections.ts';

const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_REJECTED']);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const NOT_TLS_ANSWER = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LAYER_FAILURE', 'ECONNRESET', 'EPIPE']);

type Cause = 'plain-on-tls-port' | 'not-tls-on-tls-port' | 'tls-on-plain-port' | 'certificate-expired' | 'certificate-wrong-name' | 'certificate-untrusted' | 'client-certificate-missing' | 'no-shared-version' | 'no-shared-cipher' | 'handshake-failed';

const TITLES: Record<Cause, string> = {
  'plain-on-tls-port': 'plain DICOM sent to a TLS port',
  'not-tls-on-tls-port': 'no TLS handshake on a TLS port',
  'tls-on-plain-port': 'TLS sent to a port that does not speak TLS',
  'certificate-expired': 'certificate expired (or not valid yet)',
  'certificate-wrong-name': 'certificate for another name',
  'certificate-untrusted': 'certificate not trusted',
  'client-certificate-missing': 'client certificate required but not sent',
  'no-shared-version': 'no TLS version in common',
  'no-shared-cipher': 'no cipher suite in common',
  'handshake-failed': 'TLS handshake failed',
};

function causeOf(c: TlsConnection, leg: TlsLeg | null): Cause | null {
  if (leg?.outcome === 'not-tls') return c.first.requestor[0] === 0x01 ? 'plain-on-tls-port' : 'not-tls-on-tls-port';
  if (leg?.outcome === 'not-tls-answer') return 'tls-on-plain-port';
  if (!leg) {
    // No pacscope TLS on it: the bytes tell (a capture, a plain proxy route, a plain pacscope port).
    if (looksLikeTlsHandshake(c.first.requestor) && !looksLikeTlsRecord(c.first.acceptor)) return 'tls-on-plain-port';
    if (c.first.requestor[0] === 0x01 && looksLikeTlsRecord(c.first.acceptor)) return 'plain-on-tls-port';
    return null;
  }
  const e = leg.error;
  const code = e?.code ?? leg.verifyError ?? '';
  if (EXPIRED.has(code) || EXPIRED.has(leg.verifyError ?? '') || e?.alert === 45) return 'certificate-expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'certificate-wrong-name';
  if (UNTRUSTED.has(code) || UNTRUSTED.has(leg.verifyError ?? '') || (e?.alert !== undefined && e?.alert !== null && [42, 43, 46, 48].includes(e.alert))) return 'certificate-untrusted';
  if (code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' || e?.alert === 116) return 'client-certificate-missing';
  if (code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' || code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' || e?.alert === 70) return 'no-shared-version';
  if (code === 'ERR_SSL_NO_SHARED_CIPHER' || e?.alert === 71) return 'no-shared-cipher';
  if (e?.alert === 40) return leg.role === 'client' && !leg.localCertificate ? 'client-certificate-missing' : 'no-shared-cipher';
  if (leg.role === 'client' && (NOT_TLS_ANSWER.has(code) || /before secure TLS connection/i.test(e?.message ?? ''))) return 'tls-on-plain-port';
  return 'handshake-failed';
}

const hp = (e: Endpoint | null | undefined): string => (e ? (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`) : '?');
const day = (iso: string): string => iso.slice(0, 10);
const certText = (c: TlsCertificate | null | undefined): string => (c ? `"${c.subject}" issued by "${c.issuer}", valid ${day(c.validFrom)} to ${day(c.validTo)}${c.subjectAltNames.length ? `, names ${c.subjectAltNames.join(', ')}` : ''}` : 'its certificate (not shown to pacscope)');
const cn = (c: TlsCertificate | null | undefined): string => (c ? /CN=([^,]+)/.exec(c.issuer)?.[1] ?? c.issuer : 'its CA');

interface Ends {
  client: string;
  server: string;
  clientSide: Side;
  /** pacscope's part, for the fix. */
  pacscope: 'client' | 'server' | null;
  clientProduct: ProductId | null;
  serverProduct: ProductId | null;
}

function ends(ctx: DiagnosisContext, c: TlsConnection, leg: TlsLeg | null): Ends {
  const scp = ctx.products.scpProduct(c.acceptor);
  // A plain A-ASSOCIATE-RQ sent to a TLS port names its AE titles and implementation (PS3.7 D.3.3.2).
  const a = ctx.associations.get(c.association);
  const calling = a?.requestor.ae ? `"${a.requestor.ae}" ` : '';
  const requestorProduct = a && a.implementation.requestor.classUid ? ctx.productOf(a, 'requestor') : null;
  if (leg?.role === 'server') {
    return { client: `the requestor ${calling}at ${hp(c.requestor)}`, server: `pacscope's TLS port ${hp(leg.local ?? c.acceptor)}`, clientSide: 'requestor', pacscope: 'server', clientProduct: requestorProduct, serverProduct: 'pacscope' };
  }
  if (leg?.role === 'client') {
    return { client: `pacscope${leg.local ? ` (from ${hp(leg.local)})` : ''}`, server: `the SCP at ${hp(c.acceptor)}`, clientSide: leg.leg === 'acceptor' ? 'requestor' : 'requestor', pacscope: 'client', clientProduct: 'pacscope', serverProduct: scp === 'pacscope' ? null : scp };
  }
  return { client: `the requestor ${calling}at ${hp(c.requestor)}`, server: `the SCP at ${hp(c.acceptor)}`, clientSide: 'requestor', pacscope: null, clientProduct: requestorProduct, serverProduct: scp };
}

function explain(ctx: DiagnosisContext, c: TlsConnection, leg: TlsLeg | null, cause: Cause): { text: string; fix: string } {
  const w = ends(ctx, c, leg);
  const e = leg?.error ?? null;
  const said = e ? ` (${e.code ? `${e.code}: ` : ''}${e.message}${e.alert !== null ? `; alert ${alertName(e.alert)} sent by the ${e.alertFrom}` : ''})` : '';
  const peerCert = leg?.peerCertificate ?? null;
  const ownCert = leg?.localCertificate ?? null;
  const weRejected = leg !== null && leg.role !== 'observer' && (leg.verifyError !== null || (e?.code ?? '').startsWith('CERT') || UNTRUSTED.has(e?.code ?? '') || e?.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
  const port = hp(leg?.role === 'server' ? (leg.local ?? c.acceptor) : c.acceptor);
  switch (cause) {
    case 'plain-on-tls-port':
      return {
        text: `${w.client} sent plain DICOM (an A-ASSOCIATE-RQ, first bytes 01 00) to ${port}, which speaks DICOM over TLS only (PS3.15 Annex B): the TLS server expects a ClientHello (16 03) and closed the connection${said}.`,
        fix: `Make ${w.client} use TLS to ${port}: ${tlsSetting('clientTls', w.clientProduct)}; or send it to the SCP's plain DICOM port instead.`,
      };
    case 'not-tls-on-tls-port':
      return { text: `${w.client} sent bytes that are neither TLS nor DICOM to the TLS port ${port}${said}.`, fix: `Check what ${w.client} is: ${port} expects DICOM over TLS (PS3.15 Annex B).` };
    case 'tls-on-plain-port':
      return {
        text: `${w.client} began TLS (a ClientHello, 16 03) at ${port}, and ${w.server} answered with no TLS${e ? said : c.first.acceptor.length ? ` (its first bytes ${hex(c.first.acceptor)}: ${c.first.acceptor[0] === 0x07 ? 'an A-ABORT' : c.first.acceptor[0] === 0x03 ? 'an A-ASSOCIATE-RJ' : 'not TLS'})` : ' (it closed without a byte)'}: it ${leg?.role === 'client' && !c.first.acceptor.length ? 'most likely ' : ''}does not speak TLS on that port (a plain DICOM port).`,
        fix: `Send plain DICOM to ${port} (${tlsSetting('clientPlain', w.clientProduct)}), or switch TLS on at ${w.server}: ${w.serverProduct === 'pacscope' ? 'pacscope serve --tls KEY CERT (its TLS ports: --pacs-tls-port, --store-tls-port)' : w.serverProduct === 'orthanc' ? 'Orthanc: "DicomTlsEnabled": true with "DicomTlsCertificate", "DicomTlsPrivateKey" and "DicomTlsTrustedCertificates"' : w.serverProduct ? 'DCMTK: +tls KEY CERT on the SCP\'s command line' : 'generic fix, the product was not identified — DCMTK: +tls KEY CERT on the SCP\'s command line; Orthanc: "DicomTlsEnabled": true; pacscope: serve --tls KEY CERT'}, or use its TLS port.`,
      };
    case 'certificate-expired': {
      const whose = weRejected ? peerCert : ownCert;
      const holder = weRejected ? (w.pacscope === 'client' ? w.server : w.client) : 'pacscope';
      const validTo = whose ? day(whose.validTo) : '?';
      return {
        text: `${weRejected ? `pacscope refused the certificate of ${holder}` : `The peer refused pacscope's certificate`}: ${certText(whose)}${whose && whose.validTo < new Date(c.sourceStart + (leg?.time ?? c.start) * 1000).toISOString() ? ` — it expired on ${validTo}` : whose ? ' — it is not valid at this time' : ''}${said}.`,
        fix: `Renew the certificate of ${holder}${whose ? ` ("${whose.subject}", expired ${validTo})` : ''} and install it: ${tlsSetting('ownCertificate', weRejected ? (w.pacscope === 'client' ? w.serverProduct : w.clientProduct) : 'pacscope')}.`,
      };
    }
    case 'certificate-wrong-name': {
      const name = c.acceptor.host;
      return {
        text: `pacscope connected to ${hp(c.acceptor)} and got a certificate for other names: ${certText(peerCert)}; "${name}" is not among them (RFC 9525 identity check)${said}.`,
        fix: `Give ${w.server} a certificate that names ${/^[\d.]+$|:/.test(name) ? `IP ${name} (subjectAltName IP:${name})` : `${name} (subjectAltName DNS:${name})`}: ${tlsSetting('ownCertificate', w.serverProduct)}; or connect by a name the certificate has (${peerCert?.subjectAltNames.join(', ') || 'see its subject'}).`,
      };
    }
    case 'certificate-untrusted': {
      if (weRejected) {
        return {
          text: `pacscope did not trust the certificate of ${w.pacscope === 'client' ? w.server : w.client}: ${certText(peerCert)}; no certificate pacscope trusts signed it${said}.`,
          fix: `Give pacscope the certificate of the CA "${cn(peerCert)}" that signed it: ${tlsSetting('trust', 'pacscope', { WHO: `"${peerCert?.subject ?? 'the peer'}"` })}; or give ${w.pacscope === 'client' ? w.server : w.client} a certificate from a CA pacscope trusts.`,
        };
      }
      const refuser = w.pacscope === 'server' ? w.client : w.pacscope === 'client' ? w.server : e?.alertFrom === 'acceptor' ? w.server : w.client;
      const refuserProduct = w.pacscope === 'server' ? w.clientProduct : w.pacscope === 'client' ? w.serverProduct : null;
      return {
        text: `${refuser} did not trust ${w.pacscope ? "pacscope's" : 'the other side\'s'} certificate${ownCert ? `: ${certText(ownCert)}` : ''}${said}.`,
        fix: `Make ${refuser} trust the CA "${cn(ownCert)}" that signed ${ownCert ? `"${ownCert.subject}"` : 'that certificate'}: ${tlsSetting('trust', refuserProduct, { WHO: ownCert ? `"${ownCert.subject}"` : undefined })}; or give ${w.pacscope ? 'pacscope' : 'the other side'} a certificate from a CA ${refuser} trusts.`,
      };
    }
    case 'client-certificate-missing':
      return {
        text: `${w.server} requires a client certificate (PS3.15 B.9 mutual authentication) and ${w.client} sent none${said}.`,
        fix: `Give ${w.client} a certificate signed by a CA that ${w.server} trusts: ${tlsSetting('ownCertificate', w.clientProduct)}; or let ${w.server} accept clients without one: ${tlsSetting('clientCertOptional', w.serverProduct)}.`,
      };
    case 'no-shared-version': {
      const offered = leg?.offered?.versions.join(', ');
      const allowed = leg?.allowed?.versions.join(', ');
      return {
        text: `${w.client} and ${w.server} have no TLS version in common${offered ? `: the client offered ${offered}` : ''}${allowed ? `${offered ? ',' : ':'} pacscope allows ${allowed}` : ''}${said}.`,
        fix: `Allow a version both have — TLS 1.2 at least, as BCP 195 and PS3.15 B.10 require: at ${w.pacscope === 'server' ? w.client : w.server}: ${tlsSetting('versions', w.pacscope === 'server' ? w.clientProduct : w.serverProduct)}; at pacscope: ${tlsSetting('versions', 'pacscope')}.`,
      };
    }
    case 'no-shared-cipher': {
      const offered = leg?.offered?.cipherSuites.filter((s) => !s.includes('SCSV')).join(', ');
      return {
        text: `${w.client} and ${w.server} have no cipher suite in common${offered ? `: the client offered ${offered}` : ''}${leg?.allowed ? `; pacscope allows TLS 1.2 suites ${leg.allowed.ciphers}` : ''}${said}.`,
        fix: `Enable a suite both have, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (the BCP 195 profiles of PS3.15 B.9–B.11 require it): at ${w.pacscope === 'server' ? w.client : w.server}: ${tlsSetting('ciphers', w.pacscope === 'server' ? w.clientProduct : w.serverProduct, { SUITE: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' })}; at pacscope: ${tlsSetting('ciphers', 'pacscope', { SUITE: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' })}.`,
      };
    }
    case 'handshake-failed':
      return { text: `The TLS handshake between ${w.client} and ${w.server} failed${said}.`, fix: `Read the log of ${w.pacscope === 'server' ? w.client : w.server} for its side of the failure${e?.alert !== null && e?.alert !== undefined ? ` (alert ${alertName(e.alert)})` : ''}, and compare its TLS settings with pacscope's.` };
  }
}

const hex = (b: Uint8Array): string => Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(' ');

function run(ctx: DiagnosisContext, out: Finding[]): void {
  const connections = tlsConnections(ctx.summary);
  if (connections.length === 0) return;
  const encrypted = new Map<string, TlsConnection[]>();
  for (const c of connections) {
    const a = ctx.associations.get(c.association);
    const time = a ? (a.end ?? a.start) : 0;
    const failing = [...c.legs].reverse().find((l) => l.outcome !== 'established' && l.outcome !== 'encrypted') ?? null;
    if (!failing && c.legs.some((l) => l.outcome === 'encrypted')) {
      const key = `${hp(c.acceptor)}`;
      encrypted.set(key, [...(encrypted.get(key) ?? []), c]);
      continue;
    }
    if (!failing && c.legs.some((l) => l.outcome === 'established')) continue;
    const cause = causeOf(c, failing);
    if (!cause) continue;
    const { text, fix } = explain(ctx, c, failing, cause);
    const legWords = failing && failing.role !== 'observer' ? ` (${failing.leg} leg, pacscope the TLS ${failing.role})` : '';
    out.push({
      rule: `tls.${cause}`,
      severity: 'error',
      title: `${c.association}: ${TITLES[cause]} — ${hp(c.requestor)} → ${hp(c.acceptor)}${legWords}`,
      text: `${text} The DICOM association never started.`.replace(/\.\. /g, '. '),
      fix,
      evidence: { associations: [c.association], messages: [] },
      time,
    });
  }
  for (const [at, list] of encrypted) {
    const first = list[0];
    const hello = first.legs.find((l) => l.outcome === 'encrypted');
    const peers = [...new Set(list.map((c) => c.requestor.host))];
    const bytes = list.reduce((n, c) => n + (c.legs.find((l) => l.encryptedBytes)?.encryptedBytes?.requestor ?? 0) + (c.legs.find((l) => l.encryptedBytes)?.encryptedBytes?.acceptor ?? 0), 0);
    const a = ctx.associations.get(first.association);
    out.push({
      rule: 'tls.encrypted',
      severity: 'info',
      title: `TLS on port ${first.acceptor.port} between ${peers.join(', ')} and ${first.acceptor.host}: ${list.length} connection${list.length === 1 ? '' : 's'}, encrypted`,
      text: `${list.length} TLS connection${list.length === 1 ? '' : 's'} to ${at} (${bytes} bytes of encrypted records); what their handshake showed in clear: ${[hello?.version && `version ${hello.version}`, hello?.cipher && `suite ${hello.cipher}`, hello?.sni && `SNI ${hello.sni}`, hello?.offered && `offered ${hello.offered.versions.join('/')}`].filter(Boolean).join(', ') || 'nothing readable'}. pacscope does not decrypt captured TLS: the DICOM inside is not in this summary.`,
      fix: `Give the capture to Wireshark with the TLS key log of one of the peers (tshark -o tls.keylog_file:KEYS -r FILE -d tcp.port==${first.acceptor.port},dicom; pacscope writes one with --tls-keylog FILE), or capture through pacscope's TLS proxy (pacscope proxy --tls KEY CERT --route tls:HOST:PORT=tls:${at}), which records the DICOM inside.`,
      evidence: { associations: list.map((c) => c.association), messages: [] },
      time: a?.start ?? 0,
    });
  }
}

export const tlsRules: RuleFamily = {
  name: 'tls',
  catalogue: [
    ...(Object.keys(TITLES) as Cause[]).map((c) => ({ id: `tls.${c}`, severity: 'error' as const, summary: `DICOM over TLS (PS3.15 Annex B): ${TITLES[c]}, with the side that refused and the setting that fixes it` })),
    { id: 'tls.encrypted', severity: 'info', summary: 'TLS connections of a capture, encrypted: what their handshake showed, and how to see the DICOM inside' },
  ],
  run,
};

/** Associations whose failure a TLS finding explains: the generic association rules say nothing more of them. */
export function tlsExplained(findings: readonly Finding[]): Set<string> {
  return new Set(findings.filter((f) => f.rule.startsWith('tls.')).flatMap((f) => f.evidence.associations));
}
