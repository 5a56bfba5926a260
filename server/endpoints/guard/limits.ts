/**
 * The limits of the DICOM endpoints' guard (server/endpoints/guard/), declared
 * once as data: name, default, unit, the DCMTK setting it corresponds to and
 * one line of help. `pacscope serve` makes a flag of each (`--acse-timeout
 * 30`), the config file takes them under "limits" ({"acseTimeout": 30}), and
 * README.md's "Limits of the DICOM ports" section lists them.
 *
 * Defaults follow DCMTK's storescp and dcmqrscp where DCMTK has the setting
 * (ACSE timeout 30 s, 16384 bytes received per PDU, a 4096-byte floor for a
 * peer's maximum), and are generous bounds where it has none.
 */

export interface GuardLimits {
  /** ARTIM (PS3.8 §9.1.5): seconds from the TCP connection to the A-ASSOCIATE-RQ, and from a reject, release or abort to the close. */
  acseTimeout: number;
  /** Seconds without a PDU either way, no operation in progress, before the association is aborted (and while the peer stops reading what is sent). */
  dimseTimeout: number;
  /** The maximum length announced in the A-ASSOCIATE-AC (PS3.8 Annex D.1): the longest P-DATA-TF accepted. */
  maxPduReceive: number;
  /** The least maximum length a peer may announce (0, no limit, is always fine); below it the association is rejected. */
  minPeerMaxPdu: number;
  /** The longest A-ASSOCIATE-RQ held, in bytes. */
  maxAssociateRqBytes: number;
  /** The longest identifier (C-FIND/C-MOVE/C-GET data set) held to be checked, in bytes. */
  maxIdentifierBytes: number;
  /** TCP connections open at once on all DICOM ports; past it the oldest connection still without an A-ASSOCIATE-RQ is closed, else the new one. */
  maxConnections: number;
  /** Associations (requested or established) at once on all DICOM ports; past it A-ASSOCIATE-RJ transient, local-limit-exceeded. */
  maxAssociations: number;
  /** Bytes received and not yet handled, per connection: past it the connection is not read until they are. */
  maxBufferedBytes: number;
  /** The same, all connections together. */
  maxTotalBufferedBytes: number;
  /** DIMSE messages handled per second per association: past it the connection is read more slowly. */
  maxMessagesPerSecond: number;
}

export interface LimitSpec {
  readonly key: keyof GuardLimits;
  /** The flag of `pacscope serve`. */
  readonly flag: string;
  readonly default: number;
  readonly unit: 'seconds' | 'bytes' | 'count' | 'per second';
  readonly min: number;
  readonly max: number;
  /** The DCMTK setting it corresponds to, or what DCMTK does. */
  readonly dcmtk: string;
  readonly help: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** The limits table. */
export const LIMITS: readonly LimitSpec[] = Object.freeze([
  { key: 'acseTimeout', flag: 'acse-timeout', default: 30, unit: 'seconds', min: 0.1, max: 3600, dcmtk: 'storescp/dcmqrscp --acse-timeout (30)', help: 'ARTIM (PS3.8 §9.1.5): time allowed for the A-ASSOCIATE-RQ after the TCP connection, and for the peer to close after a reject, release or abort' },
  { key: 'dimseTimeout', flag: 'dimse-timeout', default: 60, unit: 'seconds', min: 0.1, max: 86400, dcmtk: '--dimse-timeout (DCMTK: unlimited; dcmjs-dimse: 60)', help: 'an association with no PDU either way and no operation in progress for this long is aborted, as is one whose peer stops reading' },
  { key: 'maxPduReceive', flag: 'max-pdu', default: 16384, unit: 'bytes', min: 4096, max: 4 * MiB, dcmtk: '--max-pdu (16384)', help: 'maximum length announced in the A-ASSOCIATE-AC: a longer P-DATA-TF is aborted' },
  { key: 'minPeerMaxPdu', flag: 'min-peer-pdu', default: 4096, unit: 'bytes', min: 64, max: 4 * MiB, dcmtk: "DCMTK's smallest PDU size (ASC_MINIMUMPDUSIZE, 4096)", help: 'a peer announcing a smaller maximum length (but not 0) is rejected (1/2/1)' },
  { key: 'maxAssociateRqBytes', flag: 'max-associate-rq', default: 64 * KiB, unit: 'bytes', min: 1 * KiB, max: 16 * MiB, dcmtk: '(none)', help: 'a longer A-ASSOCIATE-RQ is aborted before it is read' },
  { key: 'maxIdentifierBytes', flag: 'max-identifier', default: 1 * MiB, unit: 'bytes', min: 1 * KiB, max: 256 * MiB, dcmtk: '(none)', help: 'a longer C-FIND/C-MOVE/C-GET identifier is refused (out of resources)' },
  { key: 'maxConnections', flag: 'max-connections', default: 1024, unit: 'count', min: 1, max: 1_000_000, dcmtk: '(none: one process per association)', help: 'TCP connections at once on the DICOM ports; past it the oldest one still without an A-ASSOCIATE-RQ is closed, else the new one' },
  { key: 'maxAssociations', flag: 'max-associations', default: 64, unit: 'count', min: 1, max: 100_000, dcmtk: 'dcmqrscp MaxAssociations (16)', help: 'associations at once on the DICOM ports; past it A-ASSOCIATE-RJ 2/3/2 (transient, local limit exceeded)' },
  { key: 'maxBufferedBytes', flag: 'max-buffered', default: 1 * MiB, unit: 'bytes', min: 64 * KiB, max: 1024 * MiB, dcmtk: '(none: reads one PDU at a time)', help: 'bytes received and not yet handled per connection; past it the socket is not read until they are' },
  { key: 'maxTotalBufferedBytes', flag: 'max-total-buffered', default: 64 * MiB, unit: 'bytes', min: 1 * MiB, max: 16 * 1024 * MiB, dcmtk: '(none)', help: 'the same for all connections together' },
  { key: 'maxMessagesPerSecond', flag: 'max-messages-per-second', default: 2000, unit: 'per second', min: 1, max: 1_000_000, dcmtk: '(none)', help: 'DIMSE messages handled per second per association; past it the socket is read more slowly' },
]);

export const DEFAULT_LIMITS: Readonly<GuardLimits> = Object.freeze(Object.fromEntries(LIMITS.map((l) => [l.key, l.default])) as Record<keyof GuardLimits, number>);

/** A limit's value from text (a flag) or a number (the config file), checked against its range. */
export function parseLimit(spec: LimitSpec, value: unknown, where: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < spec.min || n > spec.max) throw new Error(`${where}: ${spec.flag} must be a number of ${spec.unit} from ${spec.min} to ${spec.max}, got ${JSON.stringify(value)}`);
  if (spec.unit !== 'seconds' && !Number.isInteger(n)) throw new Error(`${where}: ${spec.flag} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
}

/** The "limits" object of a config file: known keys only, each checked. */
export function parseLimitsObject(json: unknown, where: string): Partial<GuardLimits> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${where}: "limits" must be an object {${LIMITS.map((l) => `"${l.key}"`).join(', ')}}`);
  const out: Partial<GuardLimits> = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    const spec = LIMITS.find((l) => l.key === k);
    if (!spec) throw new Error(`${where}: unknown limit "${k}" (known: ${LIMITS.map((l) => l.key).join(', ')})`);
    out[spec.key] = parseLimit(spec, v, where);
  }
  return out;
}

/** Defaults, then the config file, then flags. */
export function resolveLimits(...layers: (Partial<GuardLimits> | undefined)[]): GuardLimits {
  const out: GuardLimits = { ...DEFAULT_LIMITS };
  for (const layer of layers) if (layer) Object.assign(out, layer);
  return out;
}
