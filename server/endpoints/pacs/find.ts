/**
 * C-FIND SCP (PS3.4 C.4.1): one pending response (0xFF00) per match, each
 * with the requested keys, then the final response: 0x0000, 0xFE00 after a
 * C-CANCEL, 0xA900 when the identifier does not fit the information model.
 */
import type { CFindRequest, CFindResponse } from '../../dimse/library.ts';
import { findMatches, responseKeys } from './matching.ts';
import { identifierDataset, parseIdentifier } from './identifier.ts';
import type { OperationContext } from './operation.ts';
import { STATUS, isStudyRoot, sleep } from './operation.ts';
import { findResponse } from './find-response.ts';

export async function runFind(op: OperationContext<CFindRequest>, final: (rsp: CFindResponse) => void): Promise<void> {
  const { request } = op;
  const parsed = parseIdentifier(request.getDataset());
  if (typeof parsed === 'string') return final(findResponse(request, STATUS.IdentifierDoesNotMatchSopClass, parsed));
  if (parsed.level === 'PATIENT' && isStudyRoot(request.getAffectedSopClassUid())) {
    return final(findResponse(request, STATUS.IdentifierDoesNotMatchSopClass, 'Study Root has no PATIENT level'));
  }
  const matches = findMatches(op.runtime.store.instances().map((i) => i.values), parsed.keys, parsed.level);
  for (const [n, entity] of matches.entries()) {
    if (op.cancelled()) return final(findResponse(request, STATUS.Cancel));
    const rsp = findResponse(request, STATUS.Pending);
    rsp.setDataset(identifierDataset(responseKeys(entity, parsed.keys, parsed.level), op.transferSyntaxUid));
    op.scp.sendResponse(request, rsp);
    if (op.runtime.config.subOperationDelayMs > 0) await sleep(op.runtime.config.subOperationDelayMs);
    // A big store: other connections and the UI get their turn every few responses (and a C-CANCEL can come in).
    else if (n % 32 === 31) await new Promise((resolve) => setImmediate(resolve));
  }
  final(findResponse(request, op.cancelled() ? STATUS.Cancel : STATUS.Success));
}
