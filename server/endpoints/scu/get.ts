/**
 * C-GET SCU (PS3.7 §9.1.3, PS3.4 C.4.3): the peer sends the matching
 * instances back as C-STOREs on this same association, which needs a storage
 * presentation context for each SOP class with the SCP role selected for us
 * (PS3.7 D.3.3.4; PS3.4 C.4.3.3). Each instance is written to `outputDir` as
 * a Part 10 file named after its SOP Instance UID. Aborting `signal` sends a
 * C-CANCEL (PS3.7 §9.3.3.3).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import dimse from '../dimse.ts';
import type { responses as rs } from '../dimse.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { QueryTarget, SubOperationCounters } from './options.ts';
import { acceptedContextOf, keepPendingOpen, startAssociation, type IncomingStore } from './run-operation.ts';
import { operationResult, type FinalStatus } from './result.ts';
import { encodeInAcceptedSyntax, prepareQuery } from './query.ts';
import { countersOf } from './counters.ts';
import { writePart10 } from './part10.ts';
import type { RetrieveOptions, RetrieveResult } from './move.ts';

export interface GetTarget extends QueryTarget {
  outputDir: string;
  /** Storage SOP classes to accept instances of; default: every storage class dcmjs-dimse knows. */
  storageSopClasses?: string[];
}

export interface GetOptions extends RetrieveOptions {
  /** Each instance once written. */
  onStored?: (file: string, store: IncomingStore) => void;
}

export interface GetResult extends RetrieveResult {
  /** The files written, in arrival order. */
  received: string[];
}

/** The storage SOP classes proposed by default (the library's table, PS3.4 Annex B.5). */
export const DEFAULT_STORAGE_SOP_CLASSES: readonly string[] = Object.freeze([...new Set(Object.values(dimse.constants.StorageClass) as string[])]);

/** A file name from a UID: only the characters a UID may have (PS3.5 §9.1). */
function fileNameOf(uid: string): string {
  const clean = uid.replace(/\0/g, '').trim().replace(/[^0-9A-Za-z.]/g, '_');
  return `${clean || 'instance'}.dcm`;
}

export async function cGet(target: GetTarget, hub: CaptureHub, options: GetOptions = {}): Promise<GetResult> {
  const counters0: SubOperationCounters = { remaining: null, completed: 0, failed: 0, warning: 0 };
  const request = new dimse.requests.CGetRequest();
  request.setAddStorageSopClassesToAssociation(false);
  const bad = prepareQuery(request, target, 'get');
  if (bad) return { ...bad, counters: counters0, pendingResponses: 0, received: [] };
  try {
    await mkdir(target.outputDir, { recursive: true });
  } catch (e) {
    return { ok: false, outcome: 'error', reason: `cannot create ${target.outputDir}: ${(e as Error).message}`, counters: counters0, pendingResponses: 0, received: [] };
  }
  keepPendingOpen(request);
  const received: string[] = [];
  let counters = counters0;
  let pending = 0;
  let final: FinalStatus | null = null;
  let problem: string | undefined;
  request.on('response', (r: InstanceType<typeof rs.CGetResponse>) => {
    counters = countersOf(r);
    const status = r.getStatus();
    if (status === 0xff00 || status === 0xff01) {
      pending += 1;
      options.onPending?.(counters, pending);
    } else final = { status, service: 'C-GET', errorComment: r.getErrorComment() };
  });
  const classes = target.storageSopClasses?.length ? target.storageSopClasses : DEFAULT_STORAGE_SOP_CLASSES;
  const run = startAssociation(
    {
      target,
      requests: [request],
      extraContexts: classes.map((abstractSyntax) => ({ abstractSyntax, scpRole: true, scuRole: false })),
      onAccepted: (a) => {
        const ctx = acceptedContextOf(a, request);
        if (!ctx.ok) problem = ctx.reason;
        encodeInAcceptedSyntax(a, request);
      },
      onStore: async (store) => {
        const file = join(target.outputDir, fileNameOf(store.sopInstanceUid));
        try {
          await writePart10(file, store);
        } catch {
          return 0xa700; // Refused: out of resources (PS3.4 B.2.3)
        }
        received.push(file);
        options.onStored?.(file, store);
        return 0x0000;
      },
    },
    hub,
  );
  const onAbort = () => run.cancel(request);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const end = await run.ended;
  options.signal?.removeEventListener('abort', onAbort);
  if (!problem && received.length === 0 && counters.failed > 0) {
    problem = 'no instance arrived: the peer needs a storage presentation context with the SCP role accepted for each SOP class it holds (storage SOP classes proposed here: ' + (target.storageSopClasses?.length ? target.storageSopClasses.join(', ') : 'the default list') + ')';
  }
  return { ...operationResult(end, final, run.connection, problem), counters, pendingResponses: pending, received };
}
