/**
 * A C-FIND-RSP for `request` (PS3.7 §9.1.2.1), as the C-FIND SCPs (find.ts,
 * worklist.ts) send it: pending, final or cancel status, and an error comment
 * cut to 64 characters (Error Comment (0000,0902) is an LO, PS3.7 Annex E).
 */
import dimse from '../../dimse/library.ts';
import type { CFindRequest, CFindResponse } from '../../dimse/library.ts';

const { responses } = dimse;

export function findResponse(request: CFindRequest, status: number, comment?: string): CFindResponse {
  const rsp = responses.CFindResponse.fromRequest(request);
  // fromRequest always says Study Root (docs/architecture.md, "Known traps"): copy the request's.
  rsp.setAffectedSopClassUid(request.getAffectedSopClassUid());
  rsp.setStatus(status);
  if (comment) rsp.setErrorComment(comment.slice(0, 64));
  return rsp;
}
