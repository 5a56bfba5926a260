/**
 * What the C-FIND, C-MOVE and C-GET handlers share: the PACS's run-time state,
 * one running operation (with its C-CANCEL flag), the statuses they send
 * (PS3.4 Table C.4-1, C.4-2, C.4-3), the sub-operation counters and the final
 * status they make.
 */
import dimse from '../../dimse/library.ts';
import type { Dataset, Scp } from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { PacsConfig } from './config.ts';
import type { DataStore, StoredInstance } from './data-store.ts';
import { findMatches, type QueryKeys } from './matching.ts';
import { UNIQUE_KEY, type QrLevel } from './qr-attributes.ts';

export interface PacsRuntime {
  config: PacsConfig;
  store: DataStore;
  hub: CaptureHub;
  /** Sub-associations and delayed sends still running, so close() can wait for or end them. */
  background: Set<Promise<unknown>>;
}

export interface OperationContext<R> {
  runtime: PacsRuntime;
  scp: Scp;
  request: R;
  /** The transfer syntax accepted for the request's presentation context. */
  transferSyntaxUid: string;
  callingAe: string;
  /** True once a C-CANCEL-RQ for this message ID arrived (PS3.7 §9.3.2.3) or the association ended. */
  cancelled(): boolean;
}

export const STATUS = Object.freeze({
  Success: 0x0000,
  Pending: 0xff00,
  Cancel: 0xfe00,
  /** Warning: sub-operations complete – one or more failures or warnings (PS3.4 C.4.2.1.5). */
  SubOperationsCompleteWithFailures: 0xb000,
  /** Refused: out of resources – unable to perform sub-operations. */
  OutOfResourcesSubOperations: 0xa702,
  /** Refused: move destination unknown (PS3.4 C.4.2.1.5). */
  MoveDestinationUnknown: 0xa801,
  /** Failed: identifier does not match SOP class. */
  IdentifierDoesNotMatchSopClass: 0xa900,
});

export const STUDY_ROOT = Object.freeze({
  find: '1.2.840.10008.5.1.4.1.2.2.1',
  move: '1.2.840.10008.5.1.4.1.2.2.2',
  get: '1.2.840.10008.5.1.4.1.2.2.3',
});
export const PATIENT_ROOT = Object.freeze({
  find: '1.2.840.10008.5.1.4.1.2.1.1',
  move: '1.2.840.10008.5.1.4.1.2.1.2',
  get: '1.2.840.10008.5.1.4.1.2.1.3',
});

export const isStudyRoot = (sopClass: string): boolean => (Object.values(STUDY_ROOT) as string[]).includes(sopClass);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Counters {
  remaining: number;
  completed: number;
  failed: number;
  warning: number;
}

/** Counters plus the SOP Instance UIDs of the failed sub-operations. */
export interface SubOperationResult extends Counters {
  failedUids: string[];
}

/**
 * The identifier of a final (or cancel) C-MOVE/C-GET response with failed
 * sub-operations: Failed SOP Instance UID List (0008,0058), PS3.4 C.4.2.1.4,
 * C.4.3.1.4. Null when nothing failed.
 */
export function failedIdentifier(failedUids: readonly string[], transferSyntaxUid: string): Dataset | null {
  if (failedUids.length === 0) return null;
  return new dimse.Dataset({ FailedSOPInstanceUIDList: failedUids.length === 1 ? failedUids[0] : [...failedUids] }, transferSyntaxUid) as Dataset;
}

/** A C-STORE-RSP status as a sub-operation outcome (PS3.4 Table B.2-1: 0x0001, 0xB000–0xBFFF are warnings). */
export function subOperationOutcome(status: number): 'completed' | 'warning' | 'failed' {
  if (status === 0x0000) return 'completed';
  if (status === 0x0001 || (status >= 0xb000 && status <= 0xbfff)) return 'warning';
  return 'failed';
}

/**
 * The final status of a C-MOVE/C-GET once its sub-operations ended (PS3.4
 * C.4.2.1.5, C.4.3.1.5): 0x0000 when all completed; 0xA702 when none could
 * be performed (no association with the destination, or every C-STORE
 * failed) — what DCMTK and pynetdicom answer too; 0xB000 when some failed or
 * had warnings.
 */
export function finalStatus(c: Counters): number {
  if (c.failed === 0 && c.warning === 0) return STATUS.Success;
  if (c.completed === 0 && c.warning === 0) return STATUS.OutOfResourcesSubOperations;
  return STATUS.SubOperationsCompleteWithFailures;
}

/** The stored instances a C-MOVE/C-GET identifier selects (PS3.4 C.4.2.2.1: keys of the level and above). */
export function selectInstances(store: DataStore, level: QrLevel, keys: QueryKeys): StoredInstance[] {
  const all = store.instances();
  const key = UNIQUE_KEY[level];
  const wanted = new Set(findMatches(all.map((i) => i.values), keys, level).map((e) => e[key]?.[0]));
  return all.filter((i) => wanted.has(i.values[key]?.[0]));
}

interface RetrieveResponse {
  setAffectedSopClassUid(uid: string): void;
  setStatus(status: number): void;
  setRemaining(n: number): void;
  setCompleted(n: number): void;
  setFailures(n: number): void;
  setWarnings(n: number): void;
  setErrorComment(comment: string): void;
}

/**
 * A C-MOVE-RSP or C-GET-RSP for `request`: status, the four counters (Remaining
 * only on pending and cancel responses, PS3.4 C.4.2.1.5 / C.4.3.1.4), an error
 * comment of at most 64 characters (LO). The affected SOP class is copied from
 * the request: `fromRequest` would always say Study Root (docs/architecture.md, "Known traps").
 */
export function retrieveResponse<R extends RetrieveResponse, Q extends { getAffectedSopClassUid(): string }>(
  fromRequest: (request: Q) => R,
  request: Q,
  status: number,
  c: Counters | null,
  withRemaining: boolean,
  comment?: string,
): R {
  const rsp = fromRequest(request);
  rsp.setAffectedSopClassUid(request.getAffectedSopClassUid());
  rsp.setStatus(status);
  if (c) {
    if (withRemaining) rsp.setRemaining(c.remaining);
    rsp.setCompleted(c.completed);
    rsp.setFailures(c.failed);
    rsp.setWarnings(c.warning);
  }
  if (comment) rsp.setErrorComment(comment.slice(0, 64));
  return rsp;
}
