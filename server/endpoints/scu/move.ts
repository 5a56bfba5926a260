/**
 * C-MOVE SCU (PS3.7 §9.1.4, PS3.4 C.4.2): asks the peer to send the matching
 * instances to `destination` (an AE the peer must know) on a sub-association
 * of its own; pending responses count the sub-operations down. Aborting
 * `signal` sends a C-CANCEL (PS3.7 §9.3.4.3).
 */
import dimse from '../dimse.ts';
import type { responses as rs } from '../dimse.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { OperationResult, QueryTarget, SubOperationCounters } from './options.ts';
import { acceptedContextOf, keepPendingOpen, startAssociation } from './run-operation.ts';
import { operationResult, type FinalStatus } from './result.ts';
import { encodeInAcceptedSyntax, prepareQuery } from './query.ts';
import { countersOf } from './counters.ts';

export interface MoveTarget extends QueryTarget {
  /** Move Destination (0000,0600): the AE title the peer sends the instances to. */
  destination: string;
}

export interface RetrieveOptions {
  /** Each pending response, numbered from 1. */
  onPending?: (counters: SubOperationCounters, index: number) => void;
  signal?: AbortSignal;
}

export interface RetrieveResult extends OperationResult {
  /** Counters of the final response (or of the last one when none was final). */
  counters: SubOperationCounters;
  pendingResponses: number;
}

const NO_COUNTERS: SubOperationCounters = Object.freeze({ remaining: null, completed: 0, failed: 0, warning: 0 });

export async function cMove(target: MoveTarget, hub: CaptureHub, options: RetrieveOptions = {}): Promise<RetrieveResult> {
  const request = new dimse.requests.CMoveRequest();
  const bad = prepareQuery(request, target, 'move');
  if (bad) return { ...bad, counters: NO_COUNTERS, pendingResponses: 0 };
  if (!target.destination || target.destination.length > 16) {
    return { ok: false, outcome: 'error', reason: 'the move destination must be an AE title of 1 to 16 characters', counters: NO_COUNTERS, pendingResponses: 0 };
  }
  request.getCommandDataset().setElement('MoveDestination', target.destination);
  keepPendingOpen(request);
  let counters = NO_COUNTERS;
  let pending = 0;
  let final: FinalStatus | null = null;
  let problem: string | undefined;
  request.on('response', (r: InstanceType<typeof rs.CMoveResponse>) => {
    counters = countersOf(r);
    const status = r.getStatus();
    if (status === 0xff00 || status === 0xff01) {
      pending += 1;
      options.onPending?.(counters, pending);
    } else final = { status, service: 'C-MOVE', errorComment: r.getErrorComment() };
  });
  const run = startAssociation(
    {
      target,
      requests: [request],
      onAccepted: (a) => {
        const ctx = acceptedContextOf(a, request);
        if (!ctx.ok) problem = ctx.reason;
        encodeInAcceptedSyntax(a, request);
      },
    },
    hub,
  );
  const onAbort = () => run.cancel(request);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const end = await run.ended;
  options.signal?.removeEventListener('abort', onAbort);
  return { ...operationResult(end, final, run.connection, problem), counters, pendingResponses: pending };
}
