/**
 * Settings of the built-in PACS and the store SCP, from CLI flags, a JSON
 * config file, and later the UI. Parsers give a clear error for bad input.
 *
 * Config file (JSON, every key optional):
 *   { "pacs": "PACSCOPE@127.0.0.1:11112", "store": "STORESCP@127.0.0.1:11113",
 *     "destinations": { "STORESCP": "127.0.0.1:11113" }, "moveMode": "sync",
 *     "aePolicy": "any", "knownCallers": ["FINDSCU"], "data": "/path",
 *     "subOperationDelayMs": 0, "commitReportMode": "same-else-new", "commitReportDelayMs": 100,
 *     "storeSopClasses": ["1.2.840.10008.5.1.4.1.1.2"], "storeTransferSyntaxes": ["1.2.840.10008.1.2"],
 *     "limits": { "acseTimeout": 30, "maxConnections": 1024 } }   (../guard/limits.ts)
 */
import { parseHostPort } from '../../cli/host-port.ts';
import { parseLimitsObject, type GuardLimits } from '../guard/limits.ts';
import type { TlsMaterial } from '../../tls/tls-settings.ts';
import { parseCommitDelay, parseCommitReportMode, type CommitReportMode } from './commitment-settings.ts';

/**
 * C-MOVE (move.ts): sync — a pending response after each C-STORE, the final
 * one after the sub-association; async — what Orthanc 1.10 does with
 * `SynchronousCMove: false`: the pendings and a final "completed N" at once,
 * counting what was queued, then the sub-association.
 */
export type MoveMode = 'sync' | 'async';

/**
 * Who may associate (PS3.8 §7.1.1.4 result/source/reason):
 * any — every calling and called AE title; called — the called AE title must
 * be ours (else A-ASSOCIATE-RJ 1/1/7); known — also the calling AE title must
 * be a known one (a destination or in knownCallers, else 1/1/3).
 */
export type AePolicy = 'any' | 'called' | 'known';

export interface Destination {
  host: string;
  port: number;
  /** The sub-association speaks TLS (PS3.15 Annex B), written `AE=tls:HOST:PORT` (as Orthanc's fifth DicomModalities element, UseDicomTls). */
  tls?: boolean;
}

/** A second port of an SCP that speaks DICOM over TLS (PS3.15 Annex B), beside its plain one. */
export interface TlsPort {
  material: TlsMaterial;
  /** On the SCP's host; 0: a free one. */
  port: number;
}

export interface AeAddress {
  ae: string;
  host: string;
  port: number;
}

export interface PacsConfig extends AeAddress {
  /** Root of the store (instances/ and index.json). */
  dataDir: string;
  /** Known move destinations: AE title → host:port. */
  destinations: Map<string, Destination>;
  moveMode: MoveMode;
  aePolicy: AePolicy;
  /** Calling AE titles accepted under the "known" policy, besides the destinations. */
  knownCallers: string[];
  /** Pause before each C-MOVE/C-GET sub-operation, for teaching (and for C-CANCEL tests). */
  subOperationDelayMs: number;
  /** Its TLS port, and the TLS of its sub-associations to `tls` destinations; null: plain only. */
  tls?: TlsPort | null;
  /** Storage commitment (commitment-settings.ts): where the N-EVENT-REPORT goes, and after how long; defaults same-else-new, 100 ms. */
  commitReportMode?: CommitReportMode;
  commitReportDelayMs?: number;
}

export interface StoreScpConfig extends AeAddress {
  outputDir: string;
  /** Accepted storage SOP classes; undefined: every proposed one. */
  acceptedSopClasses?: string[];
  /** Accepted transfer syntaxes, in order of preference; undefined: Explicit then Implicit VR Little Endian. */
  acceptedTransferSyntaxes?: string[];
  aePolicy?: AePolicy;
  /** Its TLS port; null: plain only. */
  tls?: TlsPort | null;
}

export const DEFAULT_PACS = 'PACSCOPE@127.0.0.1:11112';
export const DEFAULT_STORE = 'STORESCP@127.0.0.1:11113';

/** Checks an AE title (PS3.5 §6.2: AE, 1–16 characters, no backslash or control characters, not all spaces). */
export function checkAeTitle(ae: string): string {
  const t = ae.trim();
  if (t === '' || ae.length > 16 || /[\\\x00-\x1f\x7f]/.test(ae)) throw new Error(`invalid AE title "${ae}": 1–16 characters, no backslash or control characters`);
  return t;
}

/** "AET@HOST:PORT" */
export function parseAeAddress(text: string): AeAddress {
  const at = text.indexOf('@');
  if (at <= 0) throw new Error(`expected AET@HOST:PORT, got "${text}"`);
  return { ae: checkAeTitle(text.slice(0, at)), ...parseHostPort(text.slice(at + 1)) };
}

/** "AET=HOST:PORT", or "AET=tls:HOST:PORT" for a destination that speaks TLS. */
export function parseDestination(text: string): [string, Destination] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`expected AET=HOST:PORT or AET=tls:HOST:PORT, got "${text}"`);
  const where = text.slice(eq + 1);
  const tls = /^tls:/i.test(where);
  return [checkAeTitle(text.slice(0, eq)), { ...parseHostPort(tls ? where.slice(4) : where), ...(tls ? { tls: true } : {}) }];
}

export function parseMoveMode(text: string): MoveMode {
  if (text === 'sync' || text === 'async') return text;
  throw new Error(`move mode must be sync or async, got "${text}"`);
}

export function parseAePolicy(text: string): AePolicy {
  if (text === 'any' || text === 'called' || text === 'known') return text;
  throw new Error(`AE policy must be any, called or known, got "${text}"`);
}

/** The settings a config file may hold, checked; unknown keys are errors. */
export interface FileSettings {
  pacs?: AeAddress;
  store?: AeAddress;
  destinations?: [string, Destination][];
  moveMode?: MoveMode;
  aePolicy?: AePolicy;
  knownCallers?: string[];
  data?: string;
  subOperationDelayMs?: number;
  commitReportMode?: CommitReportMode;
  commitReportDelayMs?: number;
  storeSopClasses?: string[];
  storeTransferSyntaxes?: string[];
  /** The guard's limits of the DICOM ports (../guard/limits.ts). */
  limits?: Partial<GuardLimits>;
}

const FILE_KEYS = ['pacs', 'store', 'destinations', 'moveMode', 'aePolicy', 'knownCallers', 'data', 'subOperationDelayMs', 'commitReportMode', 'commitReportDelayMs', 'storeSopClasses', 'storeTransferSyntaxes', 'limits'];

export function parseSettings(json: unknown, where: string): FileSettings {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${where}: expected a JSON object`);
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FILE_KEYS.includes(k)) throw new Error(`${where}: unknown setting "${k}" (known: ${FILE_KEYS.join(', ')})`);
  const str = (k: string): string | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'string') throw new Error(`${where}: "${k}" must be a string`);
    return o[k] as string;
  };
  const strList = (k: string): string[] | undefined => {
    if (o[k] === undefined) return undefined;
    if (!Array.isArray(o[k]) || !(o[k] as unknown[]).every((x) => typeof x === 'string')) throw new Error(`${where}: "${k}" must be a list of strings`);
    return o[k] as string[];
  };
  const out: FileSettings = {};
  const pacs = str('pacs');
  if (pacs !== undefined) out.pacs = parseAeAddress(pacs);
  const store = str('store');
  if (store !== undefined) out.store = parseAeAddress(store);
  if (o.destinations !== undefined) {
    if (typeof o.destinations !== 'object' || o.destinations === null || Array.isArray(o.destinations)) throw new Error(`${where}: "destinations" must be an object {AET: "HOST:PORT"}`);
    out.destinations = Object.entries(o.destinations as Record<string, unknown>).map(([ae, hp]) => {
      if (typeof hp !== 'string') throw new Error(`${where}: destination ${ae} must be "HOST:PORT"`);
      return parseDestination(`${ae}=${hp}`);
    });
  }
  const mode = str('moveMode');
  if (mode !== undefined) out.moveMode = parseMoveMode(mode);
  const policy = str('aePolicy');
  if (policy !== undefined) out.aePolicy = parseAePolicy(policy);
  out.knownCallers = strList('knownCallers')?.map(checkAeTitle);
  out.data = str('data');
  if (o.subOperationDelayMs !== undefined) {
    const d = o.subOperationDelayMs;
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > 60_000) throw new Error(`${where}: "subOperationDelayMs" must be a number of ms from 0 to 60000`);
    out.subOperationDelayMs = d;
  }
  const commitMode = str('commitReportMode');
  if (commitMode !== undefined) out.commitReportMode = parseCommitReportMode(commitMode);
  if (o.commitReportDelayMs !== undefined) out.commitReportDelayMs = parseCommitDelay(o.commitReportDelayMs, `${where}: "commitReportDelayMs"`);
  out.storeSopClasses = strList('storeSopClasses');
  out.storeTransferSyntaxes = strList('storeTransferSyntaxes');
  if (o.limits !== undefined) out.limits = parseLimitsObject(o.limits, where);
  return out;
}
