/**
 * The TLS settings a fix names, per product — data, declared once, each
 * checked against the product: DCMTK 3.6.7's tools (`storescu --help`,
 * "transport layer security (TLS) options"), Orthanc 1.10's configuration
 * (its DicomTls* options and the per-modality "UseDicomTls", new in 1.9.0;
 * "DicomTlsRemoteCertificateRequired", 1.9.3) and pacscope's own flags. A
 * product that is not known gets every spelling, said as a generic fix.
 */
import type { ProductId } from './products.ts';

export type TlsSettingId =
  /** Trust the peer's certificate (or the CA that signed it). */
  | 'trust'
  /** Present a certificate of its own. */
  | 'ownCertificate'
  /** Connect with TLS (a client). */
  | 'clientTls'
  /** Connect without TLS (a client). */
  | 'clientPlain'
  /** Do not require the client's certificate (a server). */
  | 'clientCertOptional'
  /** The versions and suites it allows. */
  | 'versions'
  | 'ciphers';

type Vars = Record<string, string | number | null | undefined>;
type Spelling = (v: Vars) => string;

const DCMTK: Record<TlsSettingId, Spelling> = {
  trust: (v) => `+cf ${v.FILE ?? 'CA.pem'} (the certificate that signed ${v.WHO ?? "the peer's"})`,
  ownCertificate: () => '+tls KEY.pem CERT.pem (its own key and certificate, signed by a CA the peer trusts)',
  clientTls: () => '+tls KEY.pem CERT.pem (or +tla without a certificate) on the command line',
  clientPlain: () => 'no +tls on the command line',
  clientCertOptional: () => '-vc (verify the client certificate if sent) or -ic instead of the default -rc',
  versions: () => '+py (TLS 1.2 and 1.3, the default) or +px; +pz allows TLS 1.2 only',
  ciphers: (v) => `+cs ${v.SUITE ?? 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'}, or a profile whose suites the peer has (+py: ECDHE/DHE-RSA with AES-GCM)`,
};

const ORTHANC: Record<TlsSettingId, Spelling> = {
  trust: (v) => `"DicomTlsTrustedCertificates": "trusted.crt" with ${v.WHO ?? "the peer's"} certificate (or its CA's) added to that file`,
  ownCertificate: () => '"DicomTlsCertificate": "orthanc.crt" and "DicomTlsPrivateKey": "orthanc.key", signed by a CA the peer trusts',
  clientTls: (v) => `"UseDicomTls": true in the entry of "DicomModalities" for ${v.AE ? `"${v.AE}"` : 'the peer'} (with "DicomTlsCertificate", "DicomTlsPrivateKey", "DicomTlsTrustedCertificates")`,
  clientPlain: (v) => `"UseDicomTls": false in the entry of "DicomModalities" for ${v.AE ? `"${v.AE}"` : 'the peer'}`,
  clientCertOptional: () => '"DicomTlsRemoteCertificateRequired": false',
  versions: () => 'Orthanc 1.10 has no setting for the DICOM TLS versions (DCMTK\'s defaults, TLS 1.2 and 1.3): change the peer',
  ciphers: () => 'Orthanc 1.10 has no setting for the DICOM TLS cipher suites (DCMTK\'s defaults): change the peer',
};

const PACSCOPE: Record<TlsSettingId, Spelling> = {
  trust: (v) => `+cf ${v.FILE ?? 'CA.pem'} (the certificate that signed ${v.WHO ?? "the peer's"})`,
  ownCertificate: () => '+tls KEY.pem CERT.pem',
  clientTls: () => '+tls KEY CERT or +tla (pacscope echo/find/move/get/store), AE=tls:HOST:PORT (a move destination of pacscope serve), tls:HOST:PORT (a proxy route\'s upstream)',
  clientPlain: () => 'no +tls (SCU commands), AE=HOST:PORT without tls: (a move destination), an upstream without tls: (a proxy route)',
  clientCertOptional: () => '-vc or -ic instead of the default -rc',
  versions: () => '--tls-min-version 1.2 --tls-max-version 1.3',
  ciphers: (v) => `+cs ${v.SUITE ?? 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'} (or --tls-ciphers with an OpenSSL list)`,
};

/** How `product` does `id`, as a clause of a fix; every spelling when the product is not known, said so. */
export function tlsSetting(id: TlsSettingId, product: ProductId | null, vars: Vars = {}): string {
  switch (product) {
    case 'orthanc':
      return `Orthanc: ${ORTHANC[id](vars)}`;
    case 'dcmtk':
    case 'storescp':
    case 'dcmqrscp':
      return `DCMTK: ${DCMTK[id](vars)}`;
    case 'pacscope':
      return `pacscope: ${PACSCOPE[id](vars)}`;
    default:
      return `generic fix, the product was not identified — DCMTK: ${DCMTK[id](vars)}; Orthanc: ${ORTHANC[id](vars)}; pacscope: ${PACSCOPE[id](vars)}`;
  }
}
