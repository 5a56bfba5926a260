/**
 * C-ECHO (PS3.7 §9.1.5, Verification SOP class PS3.4 Annex A): one request on
 * one association, then release.
 */
import dimse from '../../dimse/library.ts';
import type { responses as rs } from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { OperationResult, ScuTarget } from './options.ts';
import { runSingleRequest } from './single-request.ts';
import { operationResult, type FinalStatus } from './result.ts';

export async function cEcho(target: ScuTarget, hub: CaptureHub): Promise<OperationResult> {
  const request = new dimse.requests.CEchoRequest();
  let final: FinalStatus | null = null;
  request.on('response', (r: InstanceType<typeof rs.CEchoResponse>) => {
    final = { status: r.getStatus(), service: 'C-ECHO', errorComment: r.getErrorComment() };
  });
  const { end, connection, problem } = await runSingleRequest(target, request, hub);
  return operationResult(end, final, connection, problem);
}
