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
import dimse from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { QueryTarget } from './options.ts';
import { keepPendingOpen, type IncomingStore } from './run-operation.ts';
import { operationResult } from './result.ts';
import { prepareQuery } from './query.ts';
import { NO_COUNTERS } from './counters.ts';
import { runSingleRequest, trackRetrieve, wireFinalCounters } from './single-request.ts';
import { writePart10 } from './part10.ts';
import type { RetrieveOptions, RetrieveResult } from './move.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

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
  const request = new dimse.requests.CGetRequest();
  request.setAddStorageSopClassesToAssociation(false);
  const bad = prepareQuery(request, target, 'get');
  if (bad) return { ...bad, counters: NO_COUNTERS, pendingResponses: 0, received: [] };
  try {
    await mkdir(target.outputDir, { recursive: true });
  } catch (e) {
    return { ok: false, outcome: 'error', reason: `cannot create ${target.outputDir}: ${(e as Error).message}`, counters: NO_COUNTERS, pendingResponses: 0, received: [] };
  }
  keepPendingOpen(request);
  const received: string[] = [];
  const progress = trackRetrieve(request, 'C-GET', options.onPending);
  const classes = target.storageSopClasses?.length ? target.storageSopClasses : DEFAULT_STORAGE_SOP_CLASSES;
  const run = await runSingleRequest(target, request, hub, {
    encodeDataSet: true,
    signal: options.signal,
    extraContexts: classes.map((abstractSyntax) => ({ abstractSyntax, scpRole: true, scuRole: false })),
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
  });
  let problem = run.problem;
  if (!problem && received.length === 0 && progress.counters.failed > 0) {
    problem = 'no instance arrived: the peer needs a storage presentation context with the SCP role accepted for each SOP class it holds (storage SOP classes proposed here: ' + (target.storageSopClasses?.length ? target.storageSopClasses.join(', ') : 'the default list') + ')';
  }
  return { ...operationResult(run.end, progress.final, run.connection, problem), counters: wireFinalCounters(hub, run.connection, CommandField.CGetRsp, progress.counters), pendingResponses: progress.pending, received };
}
