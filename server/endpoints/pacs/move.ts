/**
 * C-MOVE SCP (PS3.4 C.4.2): the destination AE title is looked up in the
 * table of known destinations (unknown: 0xA801, no sub-operations), the
 * matching instances are sent on a new association to it, in one of two
 * modes:
 * - sync: a pending response (0xFF00) with the four counters after each
 *   sub-operation, the final response after the sub-association ended;
 * - async: the final response (0x0000) first, the sub-operations after it,
 *   like Orthanc with `SynchronousCMove: false`; their outcome is not
 *   reported to the SCU.
 * A C-CANCEL gives 0xFE00 with the counters so far.
 */
import dimse from '../dimse.ts';
import type { CMoveRequest, CMoveResponse } from './dimse-types.ts';
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
    final(response(STATUS.Success, zero, false));
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
