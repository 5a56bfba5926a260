/**
 * C-MOVE SCU (PS3.7 §9.1.4, PS3.4 C.4.2): asks the peer to send the matching
 * instances to `destination` (an AE the peer must know) on a sub-association
 * of its own; pending responses count the sub-operations down. Aborting
 * `signal` sends a C-CANCEL (PS3.7 §9.3.4.3).
 */
import dimse from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { OperationResult, QueryTarget, SubOperationCounters } from './options.ts';
import { keepPendingOpen } from './run-operation.ts';
import { operationResult } from './result.ts';
import { prepareQuery } from './query.ts';
import { NO_COUNTERS } from './counters.ts';
import { runSingleRequest, trackRetrieve, wireFinalCounters } from './single-request.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

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

export async function cMove(target: MoveTarget, hub: CaptureHub, options: RetrieveOptions = {}): Promise<RetrieveResult> {
  const request = new dimse.requests.CMoveRequest();
  const bad = prepareQuery(request, target, 'move');
  if (bad) return { ...bad, counters: NO_COUNTERS, pendingResponses: 0 };
  if (!target.destination || target.destination.length > 16) {
    return { ok: false, outcome: 'error', reason: 'the move destination must be an AE title of 1 to 16 characters', counters: NO_COUNTERS, pendingResponses: 0 };
  }
  request.getCommandDataset().setElement('MoveDestination', target.destination);
  keepPendingOpen(request);
  const progress = trackRetrieve(request, 'C-MOVE', options.onPending);
  const { end, connection, problem } = await runSingleRequest(target, request, hub, { encodeDataSet: true, signal: options.signal });
  return { ...operationResult(end, progress.final, connection, problem), counters: wireFinalCounters(hub, connection, CommandField.CMoveRsp, progress.counters), pendingResponses: progress.pending };
}
