/**
 * TLS alert descriptions (RFC 8446 §6; RFC 5246 §7.2 for the older ones
 * still sent by TLS 1.2 peers) and what each says in DICOM terms. Data: the
 * diagnosis names the alert a peer sent, and maps OpenSSL's words for it
 * ("tlsv1 alert unknown ca", "SSL alert number 48") back to the number.
 */

export const TLS_ALERTS: ReadonlyMap<number, string> = new Map([
  [0, 'close_notify'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [22, 'record_overflow'],
  [40, 'handshake_failure'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [120, 'no_application_protocol'],
]);

/** "unknown_ca (48)". */
export function alertName(alert: number): string {
  return `${TLS_ALERTS.get(alert) ?? 'unknown alert'} (${alert})`;
}

/** OpenSSL's words of an alert ("sslv3 alert certificate expired", "tlsv13 alert certificate required") → its number. */
const OPENSSL_ALERT_WORDS: readonly [RegExp, number][] = [...TLS_ALERTS].map(([n, name]) => [new RegExp(`alert[ _]${name.replace(/_/g, '[ _]')}\\b`, 'i'), n]);

/** The alert number an error of OpenSSL or Node names ("… SSL alert number 48", "tlsv1 alert unknown ca"), or null. */
export function alertOfMessage(text: string): number | null {
  const n = /alert number (\d+)/i.exec(text);
  if (n) return Number(n[1]);
  for (const [re, alert] of OPENSSL_ALERT_WORDS) if (re.test(text)) return alert;
  return null;
}
