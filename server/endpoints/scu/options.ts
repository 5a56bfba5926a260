/**
 * The SCU operations of pacscope (PS3.4 Annex A Verification, Annex B Storage,
 * Annex C Query/Retrieve; DIMSE services of PS3.7 §9 and §10): their common
 * inputs and results. Every operation makes one association through the wire
 * tap into a CaptureHub, so what it did is recorded and decoded like any
 * other traffic.
 *
 * API (one file per operation):
 * - `cEcho(target, hub)` — echo.ts
 * - `cFind({...target, model, level, keys}, hub, {onMatch, signal})` — find.ts
 * - `cMove({...target, model, level, keys, destination}, hub, {onPending, signal})` — move.ts
 * - `cGet({...target, model, level, keys, outputDir, storageSopClasses}, hub, {onPending, onStored, signal})` — get.ts
 * - `cStore({...target, paths}, hub, {onSent})` — store.ts
 * Each resolves (never rejects for a network or DICOM failure) with an
 * `OperationResult`; aborting `signal` sends a C-CANCEL (PS3.7 §9.3.2.3).
 */

/** Where to connect and how to propose the association (PS3.8 §7.1.1). */
export interface ScuTarget {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  /** Maximum length of the PDUs we receive (PS3.8 D.1); 0 = unlimited. Default 16384, like DCMTK. */
  maxPdu?: number;
  /** Transfer syntaxes proposed for every presentation context, in order. Default Implicit VR LE, Explicit VR LE. */
  transferSyntaxes?: string[];
  /** Connect, association and idle (PDU) timeout in ms. Default 30 000. */
  timeoutMs?: number;
  /** DICOM over TLS (PS3.15 Annex B) with these settings; absent or null: plain TCP. */
  tls?: TlsMaterial | null;
}

/**
 * How an operation ended, for people and scripts:
 * success / warning / failure / cancel: the final DIMSE status category (PS3.7 Annex C);
 * rejected: A-ASSOCIATE-RJ; aborted: A-ABORT (either side) or a timeout;
 * refused: nothing listens / connection failed; error: anything else (bad input, a context not accepted, …).
 */
import type { TlsMaterial } from '../../tls/tls-settings.ts';

// The result and query shapes are part of the live API too: declared once in shared/.
import type { QueryLevel, QueryModel } from '../../../shared/events/live-api.ts';
export type { Outcome, OperationResult, SubOperationCounters, QueryModel, QueryLevel } from '../../../shared/events/live-api.ts';

export const QUERY_LEVELS: readonly QueryLevel[] = Object.freeze(['PATIENT', 'STUDY', 'SERIES', 'IMAGE']);

/** A query: the model, the level and the identifier's matching and return keys (keyword → value, '' = return key). */
export interface QueryTarget extends ScuTarget {
  model: QueryModel;
  level: QueryLevel;
  keys: Record<string, unknown>;
}

/** PS3.4 C.4.1.3 / C.6.2.1: the Study Root model has no PATIENT level. */
export function checkQuery(q: { model: QueryModel; level: QueryLevel }): string | null {
  if (!QUERY_LEVELS.includes(q.level)) return `unknown query/retrieve level "${String(q.level)}" (PATIENT, STUDY, SERIES or IMAGE)`;
  if (q.model === 'study' && q.level === 'PATIENT') return 'the Study Root model has no PATIENT level (use --model patient)';
  return null;
}

export const DEFAULT_MAX_PDU = 16384;
export const DEFAULT_TIMEOUT_MS = 30_000;
