/**
 * C-GET SCP (PS3.4 C.4.3): the matching instances go back as C-STORE
 * sub-operations on the same association, one at a time, with a pending
 * C-GET-RSP (0xFF00) and the four counters after each. A storage SOP class
 * without an accepted presentation context in which the SCU took the SCP
 * role (SCP/SCU Role Selection, PS3.7 D.3.3.4) cannot be sent: its
 * sub-operations count as failed (PS3.4 C.4.3.3.1). A C-CANCEL gives 0xFE00
 * with the counters so far.
 */
import dimse from '../../dimse/library.ts';
import type { Association, CGetRequest, CGetResponse, CStoreResponse, PresentationContext } from '../../dimse/library.ts';
import { parseIdentifier } from './identifier.ts';
import { STATUS, failedIdentifier, retrieveResponse, finalStatus, isStudyRoot, selectInstances, sleep, subOperationOutcome, type Counters, type OperationContext } from './operation.ts';
import { subOperationRequest } from './sub-operations.ts';
import { onceScpClosed, scpAssociation } from '../../dimse/scp.ts';

const { responses, constants } = dimse;

/** SOP classes for which the requestor accepted the SCP role in an accepted context. */
function storageWithScpRole(association: Association): Set<string> {
  const out = new Set<string>();
  for (const { id } of association.getPresentationContexts() as { id: number }[]) {
    const pc: PresentationContext = association.getPresentationContext(id);
    if (pc.getResult() === constants.PresentationContextResult.Accept && pc.getProviderRole() === true) out.add(pc.getAbstractSyntaxUid());
  }
  return out;
}

export async function runGet(op: OperationContext<CGetRequest>, final: (rsp: CGetResponse) => void): Promise<void> {
  const { request, runtime, scp } = op;
  const response = (status: number, c: Counters | null, withRemaining: boolean, comment?: string): CGetResponse =>
    retrieveResponse((r: CGetRequest) => responses.CGetResponse.fromRequest(r), request, status, c, withRemaining, comment);
  const parsed = parseIdentifier(request.getDataset());
  if (typeof parsed === 'string') return final(response(STATUS.IdentifierDoesNotMatchSopClass, null, false, parsed));
  if (parsed.level === 'PATIENT' && isStudyRoot(request.getAffectedSopClassUid())) {
    return final(response(STATUS.IdentifierDoesNotMatchSopClass, null, false, 'Study Root has no PATIENT level'));
  }
  const instances = selectInstances(runtime.store, parsed.level, parsed.keys);
  const counters: Counters = { remaining: instances.length, completed: 0, failed: 0, warning: 0 };
  const failedUids: string[] = [];
  const withFailed = (rsp: CGetResponse): CGetResponse => {
    const failed = failedIdentifier(failedUids, op.transferSyntaxUid);
    if (failed) rsp.setDataset(failed);
    return rsp;
  };
  const sendable = storageWithScpRole(scpAssociation(scp));
  for (const instance of instances) {
    if (op.cancelled()) return final(withFailed(response(STATUS.Cancel, counters, true)));
    counters.remaining--;
    if (!sendable.has(instance.sopClassUid)) {
      counters.failed++;
      failedUids.push(instance.sopInstanceUid);
    } else {
      const status = await new Promise<number | null>((resolve) => {
        const rq = subOperationRequest(runtime, instance, null);
        let status: number | null = null;
        rq.on('response', (rsp: CStoreResponse) => (status = rsp.getStatus()));
        // The association may end before the C-STORE-RSP: then the sub-operation failed.
        const stopListening = onceScpClosed(scp, () => resolve(status));
        rq.on('done', () => {
          stopListening();
          resolve(status);
        });
        scp.sendRequests(rq);
      });
      const outcome = status === null ? 'failed' : subOperationOutcome(status);
      counters[outcome]++;
      if (outcome === 'failed') failedUids.push(instance.sopInstanceUid);
    }
    if (counters.remaining > 0) {
      scp.sendResponse(request, response(STATUS.Pending, counters, true));
      if (runtime.config.subOperationDelayMs > 0) await sleep(runtime.config.subOperationDelayMs);
    }
  }
  final(withFailed(response(finalStatus(counters), counters, false)));
}
