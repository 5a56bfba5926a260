/**
 * The skeleton every SCU operation shares: one request on one association
 * (PS3.7 §9.1), its presentation context checked once accepted, the request's
 * data set encoded in the transfer syntax accepted for it, a C-CANCEL when
 * `signal` aborts (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3), and the response
 * stream of a retrieve turned into sub-operation counters (PS3.4 C.4.2.1.5,
 * C.4.3.1.4).
 */
import type { requests as rq } from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { ScuTarget, SubOperationCounters } from './options.ts';
import { acceptedContextOf, startAssociation, type AssociationEnd, type AssociationPlan } from './run-operation.ts';
import { encodeInAcceptedSyntax } from './query.ts';
import { countersOf, NO_COUNTERS } from './counters.ts';
import type { FinalStatus } from './result.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

type Request = InstanceType<typeof rq.Request>;

export interface SingleRequestOptions {
  /** Encode the request's data set (an identifier) in the accepted transfer syntax. */
  encodeDataSet?: boolean;
  extraContexts?: AssociationPlan['extraContexts'];
  onStore?: AssociationPlan['onStore'];
  signal?: AbortSignal;
}

export interface SingleRequestEnd {
  end: AssociationEnd;
  connection: number;
  /** Why the request could not be sent as asked (e.g. its context was rejected), if so. */
  problem?: string;
}

export async function runSingleRequest(target: ScuTarget, request: Request, hub: CaptureHub, o: SingleRequestOptions = {}): Promise<SingleRequestEnd> {
  let problem: string | undefined;
  const run = startAssociation(
    {
      target,
      requests: [request],
      extraContexts: o.extraContexts,
      onStore: o.onStore,
      onAccepted: (a) => {
        const ctx = acceptedContextOf(a, request);
        if (!ctx.ok) problem = ctx.reason;
        if (o.encodeDataSet) encodeInAcceptedSyntax(a, request);
      },
    },
    hub,
  );
  const onAbort = () => run.cancel(request);
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  const end = await run.ended;
  o.signal?.removeEventListener('abort', onAbort);
  return { end, connection: run.connection, problem };
}

interface RetrieveResponse {
  getStatus(): number;
  getErrorComment(): string;
  getRemaining(): number;
  getCompleted(): number;
  getFailures(): number;
  getWarnings(): number;
}

/** What the responses of a C-MOVE or C-GET said so far. */
export interface RetrieveProgress {
  /** Counters of the final response (or of the last one while none was final). */
  counters: SubOperationCounters;
  pending: number;
  final: FinalStatus | null;
}

/**
 * The counters of the final response as they crossed the wire, from the hub's
 * own decoding (docs/architecture.md §1): dcmjs-dimse 0.3.3 carries command
 * elements of an earlier response over into a later one (a final C-MOVE-RSP
 * without Number of Remaining Sub-operations came out with the last pending
 * response's value), so what the library says is only the fallback.
 */
export function wireFinalCounters(hub: CaptureHub, connection: number, commandField: typeof CommandField.CMoveRsp | typeof CommandField.CGetRsp, fallback: SubOperationCounters): SubOperationCounters {
  const association = hub.associationOf(connection);
  if (association === null) return fallback;
  const final = hub
    .summary()
    .messages.filter((m) => m.association === association && m.commandField === commandField && m.statusCategory !== 'pending')
    .at(-1);
  if (!final) return fallback;
  return { remaining: final.remaining, completed: final.completed ?? 0, failed: final.failed ?? 0, warning: final.warning ?? 0 };
}

/** Follows the responses of a C-MOVE or C-GET request: pending ones (0xFF00/0xFF01) count, the first other one is final. */
export function trackRetrieve(request: Request, service: 'C-MOVE' | 'C-GET', onPending?: (counters: SubOperationCounters, index: number) => void): RetrieveProgress {
  const progress: RetrieveProgress = { counters: NO_COUNTERS, pending: 0, final: null };
  request.on('response', (r: RetrieveResponse) => {
    progress.counters = countersOf(r);
    const status = r.getStatus();
    if (status === 0xff00 || status === 0xff01) {
      progress.pending += 1;
      onPending?.(progress.counters, progress.pending);
    } else progress.final = { status, service, errorComment: r.getErrorComment() };
  });
  return progress;
}
