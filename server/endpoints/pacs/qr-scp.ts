/**
 * The built-in PACS's Scp (one per association, dcmjs-dimse on a tapped
 * socket): the AE-title policy, presentation context negotiation, C-ECHO,
 * C-FIND, C-MOVE, C-GET, C-STORE and C-CANCEL, Modality Worklist C-FIND
 * (worklist.ts) and MPPS N-CREATE/N-SET (mpps.ts). State comes in through
 * `customOptions.pacs` (a PacsRuntime).
 *
 * Accepted abstract syntaxes: Verification, Patient Root and Study Root
 * FIND/MOVE/GET, Modality Worklist FIND, Modality Performed Procedure Step,
 * and every storage SOP class, each with Explicit or Implicit
 * VR Little Endian (PS3.5 §10.1, §A.2); others are rejected (PS3.8 §9.3.3.2
 * result 3 abstract syntax / 4 transfer syntaxes not supported).
 */
import type net from 'node:net';
import dimse from '../../dimse/library.ts';
import type { Association, CFindRequest, CFindResponse, CGetRequest, CGetResponse, CMoveRequest, CMoveResponse, CStoreRequest, CStoreResponse, CCancelRequest, Request } from '../../dimse/library.ts';
import { storeFailureStatus } from '../store-receive.ts';
import { ReceivingScp } from '../receiving-scp.ts';
import { checkAssociation } from './policy.ts';
import { PATIENT_ROOT, STUDY_ROOT, type OperationContext, type PacsRuntime } from './operation.ts';
import { runFind } from './find.ts';
import { runMove } from './move.ts';
import { runGet } from './get.ts';
import { runWorklistFind } from './worklist.ts';
import { mppsCreate, mppsSet } from './mpps.ts';
import { MODALITY_WORKLIST_FIND, MPPS_SOP_CLASS, isWorklistFind } from '../../../shared/dicom/worklist-mpps.ts';
import type { requests as rq, responses as rs } from '../../dimse/library.ts';
import { scpAssociation } from '../../dimse/scp.ts';
import { acceptsCommitment, answerCommitmentRoles, handleCommitmentRequest } from './storage-commitment.ts';

const { constants, responses } = dimse;
const { PresentationContextResult: Result, TransferSyntax } = constants;

const QR_SOP_CLASSES = new Set<string>([...Object.values(PATIENT_ROOT), ...Object.values(STUDY_ROOT), constants.SopClass.Verification]);
export const STORAGE_SOP_CLASSES = new Set<string>(Object.values(constants.StorageClass) as string[]);
export const UNCOMPRESSED = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];

/**
 * Sets the result of every proposed presentation context: accepted with the
 * first of `transferSyntaxes` proposed, else rejected. Role selection items
 * are answered by the library with the proposed roles (accepted).
 */
export function negotiateContexts(association: Association, isAccepted: (abstractSyntax: string) => boolean, transferSyntaxes: readonly string[]): void {
  for (const { id } of association.getPresentationContexts() as { id: number }[]) {
    const pc = association.getPresentationContext(id);
    if (!isAccepted(pc.getAbstractSyntaxUid())) {
      pc.setResult(Result.RejectAbstractSyntaxNotSupported);
      continue;
    }
    const ts = transferSyntaxes.find((t) => pc.hasTransferSyntaxUid(t));
    if (ts) pc.setResult(Result.Accept, ts);
    else pc.setResult(Result.RejectTransferSyntaxesNotSupported);
  }
}

/** C-STORE data sets go to disk as they arrive, unparsed (ReceivingScp, ../store-receive.ts). */
export class QrScp extends ReceivingScp {
  private readonly runtime: PacsRuntime;
  private readonly cancelled = new Set<number>();

  constructor(socket: net.Socket, opts?: Record<string, unknown>) {
    const runtime = (opts?.customOptions as { pacs: PacsRuntime }).pacs;
    super(socket, opts, () => runtime.store.instancesDir);
    this.runtime = runtime;
  }

  private peerAssociation(): Association {
    return scpAssociation(this);
  }

  override associationRequested(association: Association): void {
    const { config } = this.runtime;
    const reject = checkAssociation(config.aePolicy, config.ae, association.getCalledAeTitle(), association.getCallingAeTitle(), [...config.knownCallers, ...config.destinations.keys()]);
    if (reject) {
      this.sendAssociationReject(reject.result, reject.source, reject.reason);
      return;
    }
    negotiateContexts(association, (uid) => QR_SOP_CLASSES.has(uid) || STORAGE_SOP_CLASSES.has(uid) || uid === MODALITY_WORKLIST_FIND || uid === MPPS_SOP_CLASS || acceptsCommitment(uid), UNCOMPRESSED);
    answerCommitmentRoles(association);
    this.sendAssociationAccept();
  }

  override cFindRequest(request: CFindRequest, callback: (responses: CFindResponse[]) => void): void {
    const send = this.finisher(request, (rsp: CFindResponse) => callback([rsp]));
    (isWorklistFind(request.getAffectedSopClassUid()) ? runWorklistFind : runFind)(this.operation(request), send).catch((e: unknown) => send(this.failure(responses.CFindResponse.fromRequest(request), request, e)));
  }

  override cMoveRequest(request: CMoveRequest, callback: (responses: CMoveResponse[]) => void): void {
    const send = this.finisher(request, (rsp: CMoveResponse) => callback([rsp]));
    runMove(this.operation(request), send).catch((e: unknown) => send(this.failure(responses.CMoveResponse.fromRequest(request), request, e)));
  }

  override cGetRequest(request: CGetRequest, callback: (responses: CGetResponse[]) => void): void {
    const send = this.finisher(request, (rsp: CGetResponse) => callback([rsp]));
    runGet(this.operation(request), send).catch((e: unknown) => send(this.failure(responses.CGetResponse.fromRequest(request), request, e)));
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponse) => void): void {
    const rsp = responses.CStoreResponse.fromRequest(request);
    const done = this.receiver
      .take(request)
      .then((file) => this.runtime.store.addReceived(file))
      .then(() => rsp.setStatus(constants.Status.Success))
      .catch((e: unknown) => {
        // 0xC000 "cannot understand" for bad data, 0xA700 out of resources for the disk (PS3.4 B.2.3).
        rsp.setStatus(storeFailureStatus(e));
        rsp.setErrorComment(String((e as Error).message).slice(0, 64));
      })
      .finally(() => {
        this.runtime.background.delete(done);
        if (!this.closed) callback(rsp);
      });
    this.runtime.background.add(done);
  }

  /** MPPS (PS3.4 F.7.2): mpps.ts. */
  override nCreateRequest(request: rq.NCreateRequest, callback: (response: rs.NCreateResponse) => void): void {
    if (!this.closed) callback(mppsCreate(this.runtime, request, this.peerAssociation().getCallingAeTitle()));
  }

  override nSetRequest(request: rq.NSetRequest, callback: (response: rs.NSetResponse) => void): void {
    if (!this.closed) callback(mppsSet(this.runtime, request));
  }

  /** Storage Commitment Push Model (PS3.4 J.3): storage-commitment.ts. */
  override nActionRequest(request: rq.NActionRequest, callback: (response: rs.NActionResponse) => void): void {
    if (!this.closed) handleCommitmentRequest(this, this.runtime, request, callback);
  }

  override cCancelRequest(request: CCancelRequest): void {
    this.cancelled.add(request.getMessageIdBeingRespondedTo());
  }

  private operation<R extends Request>(request: R): OperationContext<R> {
    const pc = this.peerAssociation().getAcceptedPresentationContextFromRequest(request as never);
    const id = request.getMessageId();
    this.cancelled.delete(id);
    return {
      runtime: this.runtime,
      scp: this,
      request,
      transferSyntaxUid: pc?.getAcceptedTransferSyntaxUid() ?? TransferSyntax.ImplicitVRLittleEndian,
      callingAe: this.peerAssociation().getCallingAeTitle(),
      cancelled: () => this.closed || this.cancelled.has(id),
    };
  }

  /** Sends the final response once (the library's callback may be called once only); nothing after the association ended. */
  private finisher<T>(request: Request, send: (rsp: T) => void): (rsp: T) => void {
    let sent = false;
    return (rsp: T) => {
      if (sent) return;
      sent = true;
      this.cancelled.delete(request.getMessageId());
      if (!this.closed) send(rsp);
    };
  }

  /** A handler's unexpected error as a final 0xC000 "Failed: unable to process" (PS3.4 Table C.4-1, C.4-2, C.4-3). */
  private failure<T extends { setStatus(s: number): void; setErrorComment(c: string): void; setAffectedSopClassUid(u: string): void }>(rsp: T, request: Request, error: unknown): T {
    rsp.setAffectedSopClassUid(request.getAffectedSopClassUid());
    rsp.setStatus(0xc000);
    rsp.setErrorComment(String((error as Error)?.message ?? error).slice(0, 64));
    return rsp;
  }
}
