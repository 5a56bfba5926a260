/**
 * The configuration a peer needs, as text to paste (pure): an application
 * entity it must know — a caller it accepts, or a move destination it opens a
 * sub-association to (PS3.4 C.4.2.3.1: the C-MOVE SCP looks the destination
 * AE title up in its own table). Orthanc 1.10: `DicomModalities`
 * {name: [AET, host, port]}; DCMTK dcmqrscp: HostTable `name = (AET, host,
 * port)` and, for callers, the peers column of the AETable.
 */

export interface KnownAe {
  ae: string;
  /** Where the peer reaches it; null when unknown (a placeholder is printed). */
  host: string | null;
  port: number | null;
}

/** A modality name for Orthanc's table and a symbolic name for dcmqrscp's: lower case, [a-z0-9_]. */
function symbol(ae: string): string {
  const s = ae.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return s === '' ? 'pacscope' : /^[0-9]/.test(s) ? `ae_${s}` : s;
}

const hostOf = (k: KnownAe) => k.host ?? 'HOST';
const portOf = (k: KnownAe) => (k.port === null ? 'PORT' : String(k.port));

/** `"DicomModalities": { "name": ["AET", "host", port] }` */
export function orthancModality(k: KnownAe): string {
  return `"DicomModalities": { "${symbol(k.ae)}": [ "${k.ae.trim()}", "${hostOf(k)}", ${portOf(k)} ] }`;
}

/** dcmqrscp.cfg HostTable line. */
export function dcmqrscpHost(k: KnownAe): string {
  return `${symbol(k.ae)} = (${k.ae.trim()}, ${hostOf(k)}, ${portOf(k)})`;
}

/** Where to add the entry, on the two peers of the interop suite. */
export function destinationSnippets(k: KnownAe): string {
  return `Orthanc: ${orthancModality(k)} in its configuration (then restart it, or PUT /modalities/${symbol(k.ae)}); dcmqrscp: "${dcmqrscpHost(k)}" between HostTable BEGIN and HostTable END`;
}

/** The fix when the peer does not know a move destination (C-MOVE 0xA801, or Orthanc's 0xC000). */
export function destinationFix(k: KnownAe): string {
  return `add ${k.ae.trim()} to the peer's AE table as a move destination at ${hostOf(k)}:${portOf(k)} — ${destinationSnippets(k)}`;
}

/** The fix when the peer does not know the caller (A-ASSOCIATE-RJ 1/1/3). */
export function callerFix(k: KnownAe, calledAe: string): string {
  return (
    `the peer must know the calling AE title ${k.ae.trim()} (from ${hostOf(k)}) — ` +
    `Orthanc: ${orthancModality(k)} (or DicomAlwaysAllowEcho/Find/Move: true); ` +
    `dcmqrscp: "${dcmqrscpHost(k)}" in the HostTable and ${symbol(k.ae)} (or ANY) in the peers column of ${calledAe.trim()}'s AETable line`
  );
}
