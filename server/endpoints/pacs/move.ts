/**
 * C-MOVE SCP (PS3.4 C.4.2): the destination AE title is looked up in the
 * table of known destinations (unknown: 0xA801, no sub-operations), the
 * matching instances are sent on a new association to it, in one of two
 * modes:
 * - sync: a pending response (0xFF00) with the four counters after each
 *   sub-operation, the final response after the sub-association ended;
 * - async: what Orthanc 1.10 does with `SynchronousCMove: false` (observed
 *   on the wire, test/interop/pacs-async-vs-orthanc.test.ts): for N matching
 *   instances, N−1 pending responses (0xFF00, Remaining N−i, Completed i,
 *   Failed 0, Warning 0) and the final Success (Completed N, Failed 0,
 *   Warning 0, no Remaining), back to back, before anything is stored; then
 *   the sub-association. Those counters are what was queued, not what was
 *   stored: a destination that is down or refuses the images still gets
 *   "Completed N" reported, and nothing tells the SCU later.
 * In sync mode a C-CANCEL gives 0xFE00 with the counters so far (async mode
 * has answered before one can come).
 */
import dimse from '../../dimse/library.ts';
import type { CMoveRequest, CMoveResponse } from '../../dimse/library.ts';
import { parseIdentifier } from './identifier.ts';
import { STATUS, failedIdentifier, retrieveResponse, finalStatus, isStudyRoot, selectInstances, type Counters, type OperationContext } from './operation.ts';
import { storeToDestination } from './sub-operations.ts';

const { responses } = dimse;

export async function runMove(op: OperationContext<CMoveRequest>, final: (rsp: CMoveResponse) => void): Promise<void> {
  const { request, runtime } = op;
  const response = (status: number, c: Counters | null, withRemaining: boolean, comment?: string): CMoveResponse =>
    retrieveResponse((r: CMoveRequest) => responses.CMoveResponse.fromRequest(r), request, status, c, withRemaining, comment);
  const zero: Counters = { remaining: 0, completed: 0, failed: 0, warning: 0 };
  const parsed = parseIdentifier(request.getDataset());
  if (typeof parsed === 'string') return final(response(STATUS.IdentifierDoesNotMatchSopClass, null, false, parsed));
  if (parsed.level === 'PATIENT' && isStudyRoot(request.getAffectedSopClassUid())) {
    return final(response(STATUS.IdentifierDoesNotMatchSopClass, null, false, 'Study Root has no PATIENT level'));
  }
  const destinationAe = String(request.getCommandDataset().getElement('MoveDestination') ?? '').trim();
  const destination = runtime.config.destinations.get(destinationAe);
  if (!destination) return final(response(STATUS.MoveDestinationUnknown, zero, false, `move destination ${destinationAe} unknown`));
  const instances = selectInstances(runtime.store, parsed.level, parsed.keys);
  if (instances.length === 0) return final(response(STATUS.Success, zero, false));

  const target = { ae: destinationAe, ...destination };
  const originator = { ae: op.callingAe, messageId: request.getMessageId() };
  if (runtime.config.moveMode === 'async') {
    // Orthanc's AsynchronousMove iterator (OrthancMoveRequestHandler.cpp) submits a store job at the
    // first sub-operation and reports each one done at once; DCMTK's move provider turns that into the
    // counters of PS3.4 C.4.2.1.5. The job runs on its own thread, so Orthanc's TCP connection to the
    // destination usually follows the final response (25 of 30 runs, 3 instances) but may come among
    // or before the pendings; its C-STOREs always came after the final response. Here the
    // sub-association always starts after the final response: the usual order, made deterministic.
    const n = instances.length;
    const queued = (i: number): Counters => ({ remaining: n - i, completed: i, failed: 0, warning: 0 });
    for (let i = 1; i < n; i++) op.scp.sendResponse(request, response(STATUS.Pending, queued(i), true));
    final(response(STATUS.Success, queued(n), false));
    const work = storeToDestination(runtime, target, instances, { originator, cancelled: () => false, onProgress: () => {} });
    runtime.background.add(work);
    void work.finally(() => runtime.background.delete(work));
    return;
  }
  const counters = await storeToDestination(runtime, target, instances, {
    originator,
    cancelled: op.cancelled,
    onProgress: (c) => {
      if (c.remaining > 0 && !op.cancelled()) op.scp.sendResponse(request, response(STATUS.Pending, c, true));
    },
  });
  const rsp = op.cancelled() ? response(STATUS.Cancel, counters, true) : response(finalStatus(counters), counters, false);
  const failed = failedIdentifier(counters.failedUids, op.transferSyntaxUid);
  if (failed) rsp.setDataset(failed);
  final(rsp);
}
