/**
 * What the C-FIND SCUs (find.ts, worklist.ts) share once their request is
 * built: send it on one association and collect the responses (PS3.7 §9.1.2,
 * PS3.4 C.4.1). Each pending response (0xFF00, 0xFF01) carries a match; the
 * first with any other status is the final one. Aborting `options.signal`
 * sends a C-CANCEL (PS3.7 §9.3.2.3); the peer then ends with 0xFE00.
 */
import type { CFindRequest, responses as rs } from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { ScuTarget } from './options.ts';
import { keepPendingOpen } from './run-operation.ts';
import { runSingleRequest } from './single-request.ts';
import { operationResult, type FinalStatus } from './result.ts';
import type { FindOptions, FindResult } from './find.ts';

export async function collectFindMatches(target: ScuTarget, request: CFindRequest, hub: CaptureHub, options: FindOptions = {}): Promise<FindResult> {
  keepPendingOpen(request);
  const matches: Record<string, unknown>[] = [];
  let final: FinalStatus | null = null;
  request.on('response', (r: InstanceType<typeof rs.CFindResponse>) => {
    const status = r.getStatus();
    if (status === 0xff00 || status === 0xff01) {
      const match = { ...(r.getDataset()?.getElements() ?? {}) };
      matches.push(match);
      options.onMatch?.(match, matches.length, status);
    } else {
      final = { status, service: 'C-FIND', errorComment: r.getErrorComment() };
    }
  });
  const { end, connection, problem } = await runSingleRequest(target, request, hub, { encodeDataSet: true, signal: options.signal });
  return { ...operationResult(end, final, connection, problem), matches };
}
