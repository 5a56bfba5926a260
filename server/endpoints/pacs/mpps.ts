/**
 * The built-in PACS as Modality Performed Procedure Step SCP (PS3.4 F.7.2,
 * SOP Class 1.2.840.10008.3.1.2.3.3; in a hospital the RIS or the PACS
 * does it): a modality reports that a scheduled step started (N-CREATE,
 * status IN PROGRESS) and how it ended (N-SET, COMPLETED or DISCONTINUED).
 * The state rules, each answered as the standard says:
 *
 * - N-CREATE (F.7.2.1): Performed Procedure Step Status (0040,0252) must be
 *   IN PROGRESS — absent: 0x0120 missing attribute, another value: 0x0106
 *   invalid attribute value; a SOP Instance UID already created: 0x0111
 *   duplicate SOP instance; none given (the SCU should give one,
 *   F.7.2.1.1): one is assigned and returned (PS3.7 §10.1.5.1.4);
 * - N-SET (F.7.2.2): an instance never created here: 0x0112 no such SOP
 *   instance; an instance already COMPLETED or DISCONTINUED: 0x0110
 *   processing failure with Error Comment "Performed Procedure Step Object
 *   may no longer be updated" and Error ID A710 (F.7.2.2.4); a status other
 *   than the three of PS3.3 C.4.14: 0x0106; else the attributes are
 *   updated, 0x0000.
 *
 * State is kept in memory per running PACS (a teaching PACS: it starts
 * empty each time).
 */
import { randomBytes } from 'node:crypto';
import type { requests, responses } from '../../dimse/library.ts';
import dimse from '../../dimse/library.ts';
import type { PacsRuntime } from './operation.ts';
import { FINAL_PPS_STATUSES, PPS_STATUSES, ppsStatus } from '../../../shared/dicom/worklist-mpps.ts';

type NCreateRequest = requests.NCreateRequest;
type NSetRequest = requests.NSetRequest;
type NCreateResponse = responses.NCreateResponse;
type NSetResponse = responses.NSetResponse;

const { responses: rs } = dimse;

/** Statuses of the MPPS SCP (PS3.7 Annex C general statuses, PS3.4 F.7.2.1.4 and F.7.2.2.4). */
export const MPPS_STATUS = Object.freeze({
  Success: 0x0000,
  InvalidAttributeValue: 0x0106,
  ProcessingFailure: 0x0110,
  DuplicateSopInstance: 0x0111,
  NoSuchSopInstance: 0x0112,
  MissingAttribute: 0x0120,
});
/** PS3.4 F.7.2.2.4: the Error Comment and Error ID of an N-SET on a procedure step in a final state. */
export const NO_LONGER_UPDATED = { comment: 'Performed Procedure Step Object may no longer be updated', errorId: 0xa710 } as const;

export interface ProcedureStep {
  sopInstanceUid: string;
  status: string;
  /** The attributes as last set (N-CREATE, then each N-SET over them). */
  attributes: Record<string, unknown>;
  callingAe: string;
  created: number;
  updated: number;
}

const steps = new WeakMap<PacsRuntime, Map<string, ProcedureStep>>();

/** The procedure steps of a running PACS, by SOP Instance UID. */
export function procedureSteps(runtime: PacsRuntime): Map<string, ProcedureStep> {
  let map = steps.get(runtime);
  if (!map) steps.set(runtime, (map = new Map()));
  return map;
}

const clean = (uid: string | undefined | null): string => (uid ?? '').replace(/[\0 ]+$/, '').trim();

/** A UID under 2.25 (PS3.5 B.2) from 128 random bits. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
}

function respond<T extends NCreateResponse | NSetResponse>(rsp: T, status: number, comment?: string, errorId?: number): T {
  rsp.setStatus(status);
  if (comment) rsp.setErrorComment(comment.slice(0, 64));
  if (errorId !== undefined) (rsp.getCommandDataset().getElements() as Record<string, unknown>).ErrorID = errorId;
  return rsp;
}

/** N-CREATE of a procedure step (PS3.4 F.7.2.1). */
export function mppsCreate(runtime: PacsRuntime, request: NCreateRequest, callingAe: string): NCreateResponse {
  const rsp = rs.NCreateResponse.fromRequest(request);
  const map = procedureSteps(runtime);
  const attributes = { ...((request.getDataset()?.getElements() as Record<string, unknown> | undefined) ?? {}) };
  const status = ppsStatus(attributes);
  if (status === null) return respond(rsp, MPPS_STATUS.MissingAttribute, 'Performed Procedure Step Status (0040,0252) missing');
  if (status !== 'IN PROGRESS') return respond(rsp, MPPS_STATUS.InvalidAttributeValue, `N-CREATE with status ${status}: must be IN PROGRESS`);
  let uid = clean(request.getAffectedSopInstanceUid());
  if (uid === '') {
    uid = newUid();
    rsp.setAffectedSopInstanceUid(uid);
  }
  if (map.has(uid)) return respond(rsp, MPPS_STATUS.DuplicateSopInstance, 'procedure step already created');
  const now = Date.now();
  map.set(uid, { sopInstanceUid: uid, status, attributes, callingAe, created: now, updated: now });
  return respond(rsp, MPPS_STATUS.Success);
}

/** N-SET of a procedure step (PS3.4 F.7.2.2). */
export function mppsSet(runtime: PacsRuntime, request: NSetRequest): NSetResponse {
  const rsp = rs.NSetResponse.fromRequest(request);
  const uid = clean(request.getRequestedSopInstanceUid());
  rsp.setAffectedSopInstanceUid(uid);
  const step = procedureSteps(runtime).get(uid);
  if (!step) return respond(rsp, MPPS_STATUS.NoSuchSopInstance, 'no such procedure step');
  if (FINAL_PPS_STATUSES.has(step.status)) return respond(rsp, MPPS_STATUS.ProcessingFailure, NO_LONGER_UPDATED.comment, NO_LONGER_UPDATED.errorId);
  const attributes = (request.getDataset()?.getElements() as Record<string, unknown> | undefined) ?? {};
  const status = ppsStatus(attributes);
  if (status !== null && !(PPS_STATUSES as readonly string[]).includes(status)) return respond(rsp, MPPS_STATUS.InvalidAttributeValue, `unknown status ${status}`);
  Object.assign(step.attributes, attributes);
  if (status !== null) step.status = status;
  step.updated = Date.now();
  return respond(rsp, MPPS_STATUS.Success);
}
