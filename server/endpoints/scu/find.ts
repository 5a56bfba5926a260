/**
 * C-FIND SCU (PS3.7 §9.1.2, PS3.4 C.4.1): one query on one association; each
 * pending response (0xFF00, 0xFF01) carries a match; the final one ends it.
 * Aborting `signal` sends a C-CANCEL (PS3.7 §9.3.2.3); the peer then ends
 * with 0xFE00 (outcome "cancel").
 */
import dimse from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { OperationResult, QueryTarget } from './options.ts';
import { prepareQuery } from './query.ts';
import { collectFindMatches } from './find-matches.ts';

export interface FindOptions {
  /** Each match as it arrives (a dcmjs naturalized data set: keyword → value), numbered from 1. */
  onMatch?: (match: Record<string, unknown>, index: number, status: number) => void;
  signal?: AbortSignal;
}

export interface FindResult extends OperationResult {
  matches: Record<string, unknown>[];
}

export async function cFind(target: QueryTarget, hub: CaptureHub, options: FindOptions = {}): Promise<FindResult> {
  const request = new dimse.requests.CFindRequest();
  const bad = prepareQuery(request, target, 'find');
  if (bad) return { ...bad, matches: [] };
  return collectFindMatches(target, request, hub, options);
}
